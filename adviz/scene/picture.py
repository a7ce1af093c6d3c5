"""The scene: one object that every renderer paints.

A `Figure` is made once from a trace and the picture options (which scopes
to collapse, ``full``, ``rankdir``, ``theme``, ``engine``, ``size``). It owns

- the view (`adviz.scene.view`: collapsed scopes, shortened labels, the notice),
- the layout, computed once with Graphviz (`adviz.scene.layout`),
- the geometry of every element in frame coordinates (points, origin at the
  top left, y downward): node boxes, scope boxes, edge routes with their
  arrowheads in both directions (forward: at the child; reverse: at the
  parent, for gradient flowing back), label anchors and the caption band,
- the style table of its theme (`adviz.scene.style.style_table`),
- the seed of its forward-mode (``"tangent"``) frames (`adviz.forward_mode`),
- and the stages, as full frames (`frames`) or as the changes each stage
  makes to the one before (`changes`).

Renderers (`adviz.renderers`) take a `Figure` and paint it; none of them
computes geometry, picks a colour or builds text of its own.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> fig = figure(t)
>>> fig is figure(t)
True
>>> fig.nodes["x1"].x < fig.nodes["y"].x
True
>>> edge = fig.edges["t1", "t2"]
>>> edge.reverse_head.tip == edge.reverse[0]  # gradient arrows end at the parent
False
>>> [sorted(change.nodes) for change in fig.changes("reverse")][2]
['t1', 't2', 't4', 'y']
>>> fig.frame("reverse", 2).nodes["t1"].state
'receiving'
>>> figure(t, seed="x2").frame("tangent", 5).title.split(":")[0]
'Stage 5 of 5 — forward mode, seed ẋ₁ = 0, ẋ₂ = 1'
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from adviz.core.sweep import check_output
from adviz.errors import InputError
from adviz.scene.anchors import ROUNDS_FROM, Block, Label, place_labels
from adviz.scene.content import Change, Frame, frame_count
from adviz.scene.curves import SAMPLES_PER_SEGMENT, Route
from adviz.scene.layout import (
    LABEL_PAD,
    ROOMY_NODESEP,
    ROOMY_RANKSEP,
    Layout,
    compute_layout,
    start_layout,
)
from adviz.scene.legend import (
    LEGEND_GAP,
    PLACES,
    ROW_HEIGHT,
    LegendBand,
    check_place,
    column_width,
    free_spot,
    rows_needed,
)
from adviz.scene.sizes import MIN_TEXT, fit_scale, larger_size, page_pixels
from adviz.scene.style import (
    CLUSTER_SIZE,
    EDGE_SIZE,
    LINE_SIZE,
    LINE_SPACING,
    TITLE_SIZE,
    Theme,
    get_theme,
    style_table,
)
from adviz.scene.view import GraphView, ViewWalker, graph_view, view_frame, view_options
from adviz.text.labels import stage_title, tangent_stage_title, text_width

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, Seed
    from adviz.core.tracing import Trace
    from adviz.scene.focus import DrawnFocus

Point = tuple[float, float]

MARGIN = 14.0
"""Space (points) around the drawing."""

MIN_WIDTH = 420.0
"""Smallest frame width (points), so short graphs still have room for the caption."""

ARROW_LENGTH = 8.0
"""Length (points) of an arrowhead."""

ARROW_HALF_WIDTH = 3.2
"""Half the width (points) of an arrowhead's base."""

CAPTION_GAP = 10.0
"""Space (points) between the caption band and the graph."""

FOLDS = (4, 3)
"""Rows of inputs tried, widest first, when nothing else fits a page: at most this many
inputs side by side, each row one rank below the one before (`compute_layout`'s ``fold``)."""

LABEL_BLEED = 40.0
"""How far (points) an edge label may reach beyond Graphviz's drawing (the frame grows)."""


def wrap(text: str, width: float, size: float = TITLE_SIZE) -> list[str]:
    """Break a caption into lines no wider than ``width``, between its terms.

    A caption's terms are its head (up to the first ``": "``) and its updates
    (between ``"; "``); a line breaks between them, inside an update before its
    running sum (``" → "``) only when the update alone is wider than the line,
    and at spaces only when that part still is.

    Examples
    --------
    >>> wrap("a b c", 1000.0)
    ['a b c']
    >>> wrap("alpha beta gamma", 40.0)
    ['alpha', 'beta', 'gamma']
    >>> wrap("Stage 1: g_a += 1 = 1; g_b += 2 = 2", 180.0)
    ['Stage 1: g_a += 1 = 1;', 'g_b += 2 = 2']
    """
    lines: list[str] = []
    for line in _pack(_terms(text), width, size):
        if text_width(line, size) <= width:
            lines.append(line)
            continue
        for part in _pack(re.split(r"(?= → )", line), width, size):
            lines += _wrap_words(part, width, size) if text_width(part, size) > width \
                else [part]
    return lines


def _pack(terms: Iterable[str], width: float, size: float) -> list[str]:
    """Terms joined into as few lines as fit in ``width`` (a term wider than it stays whole)."""
    lines: list[str] = []
    current = ""
    for term in terms:
        candidate = current + term
        if not current.strip() or text_width(candidate.rstrip(), size) <= width:
            current = candidate
            continue
        lines.append(current.strip())
        current = term
    lines.append(current.strip())
    return lines


def _terms(text: str) -> list[str]:
    """A caption cut after its head (the first ``": "``) and after each ``"; "``."""
    cuts = re.split(r"(?<=; )", text)
    head, colon, rest = cuts[0].partition(": ")
    first = [head + colon, rest] if colon and rest else [cuts[0]]
    return [t for t in (*first, *cuts[1:]) if t]


def _wrap_words(text: str, width: float, size: float) -> list[str]:
    """Break a text at spaces into lines no wider than ``width`` (a long word stays whole)."""
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    space = text_width(" ", size)
    for word in text.split(" "):
        extent = text_width(word, size)
        if current and used + space + extent > width:
            lines.append(" ".join(current))
            current, used = [word], extent
        else:
            used += extent + (space if current else 0.0)
            current.append(word)
    lines.append(" ".join(current))
    return lines


def line_centres(centre: float, sizes: Sequence[float]) -> list[float]:
    """The vertical centre of each line of a text block centred on ``centre``.

    Examples
    --------
    >>> line_centres(100.0, [10.0, 10.0])
    [93.5, 106.5]
    """
    total = sum(size * LINE_SPACING for size in sizes)
    top = centre - total / 2
    out = []
    for size in sizes:
        height = size * LINE_SPACING
        out.append(top + height / 2)
        top += height
    return out


def baseline(centre: float, size: float) -> float:
    """The baseline of a line of ``size`` whose centre is at ``centre``.

    Examples
    --------
    >>> baseline(100.0, 10.0)
    103.5
    """
    return centre + size * 0.35


# ---------------------------------------------------------------- Bezier helpers

def _split_tail(p: tuple[Point, Point, Point, Point], t: float) -> tuple[Point, ...]:
    """The part of a cubic Bezier from parameter ``t`` to its end (de Casteljau)."""
    def lerp(a: Point, b: Point) -> Point:
        return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)

    ab, bc, cd = lerp(p[0], p[1]), lerp(p[1], p[2]), lerp(p[2], p[3])
    abc, bcd = lerp(ab, bc), lerp(bc, cd)
    return (lerp(abc, bcd), bcd, cd, p[3])


def trim_start(points: tuple[Point, ...], length: float) -> tuple[Point, ...]:
    """Shorten a spline at its start by about ``length`` (straight-line distance).

    Examples
    --------
    >>> trim_start(((0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (30.0, 0.0)), 8.0)[0]
    (8.0, 0.0)
    """
    if len(points) < 4:
        return points
    return _cut_start(points, _trim_parameters([points], length)[0])


def _cut_start(points: tuple[Point, ...], cut: float | None) -> tuple[Point, ...]:
    """A spline of at least four points without the part of its first cubic piece before
    parameter ``cut`` (``None``: whole)."""
    if cut is None:
        return points
    piece = (points[0], points[1], points[2], points[3])
    return tuple((round(x, 6), round(y, 6)) for x, y in _split_tail(piece, cut)) + points[4:]


@dataclass(frozen=True)
class Arrow:
    """An arrowhead: its tip and the centre of its base.

    Examples
    --------
    >>> Arrow((10.0, 0.0), (2.0, 0.0)).corners()
    ((10.0, 0.0), (2.0, 3.2), (2.0, -3.2))
    >>> Arrow((10.0, 0.0), (2.0, 0.0)).direction
    (1.0, 0.0)
    """

    tip: Point
    base: Point

    @property
    def direction(self) -> Point:
        """Unit vector from the base to the tip: the way the arrow points."""
        dx, dy = self.tip[0] - self.base[0], self.tip[1] - self.base[1]
        norm = math.hypot(dx, dy) or 1.0
        return (dx / norm, dy / norm)

    def corners(self) -> tuple[Point, Point, Point]:
        """The triangle: tip, then the two base corners."""
        ux, uy = self.direction
        nx, ny = -uy * ARROW_HALF_WIDTH, ux * ARROW_HALF_WIDTH
        bx, by = self.base
        return (self.tip, (bx + nx, by + ny), (bx - nx, by - ny))


# ---------------------------------------------------------------- shapes

@dataclass(frozen=True)
class NodeShape:
    """A node's box in frame coordinates: centre ``(x, y)``, ``width``, ``height``.

    ``shape`` is ``"box"`` (a rounded rectangle) or ``"circle"`` (the ellipse
    inscribed in the box: a circle when ``width == height``, as the neurons of
    `adviz.scene.network` are); `corner` is the rounding every painter uses.
    """

    id: str
    x: float
    y: float
    width: float
    height: float
    shape: str = "box"

    @property
    def corner(self) -> tuple[float, float]:
        """The corner radii ``(rx, ry)``: 6 points for a box, half the size for a circle.

        Examples
        --------
        >>> NodeShape("a", 0.0, 0.0, 40.0, 30.0, "circle").corner
        (20.0, 15.0)
        """
        if self.shape == "circle":
            return (self.width / 2, self.height / 2)
        return (6.0, 6.0)


@dataclass(frozen=True)
class EdgeShape:
    """An edge's geometry in frame coordinates.

    Attributes
    ----------
    parent, child
        Node ids (data flows parent -> child).
    forward, forward_head
        The route drawn when the arrow points at the child (cubic Bezier
        control points from the parent's border) and its arrowhead.
    reverse, reverse_head
        The route drawn when gradient flows back: extended to the child's
        border, shortened at the parent for the arrowhead, which points into
        the parent.
    label
        Anchor of the label block: its centre (``None`` without a label),
        placed against the edge's own route (`adviz.scene.anchors`).
    label_left
        Where the label's lines start when they are left-aligned (usual in
        top-to-bottom layouts, where labels sit beside their edges), else
        ``None`` (lines centred on ``label``).
    """

    parent: str
    child: str
    forward: tuple[Point, ...]
    forward_head: Arrow | None
    reverse: tuple[Point, ...]
    reverse_head: Arrow | None
    label: Point | None
    label_left: float | None = None

    def route(self, toward_parent: bool) -> tuple[tuple[Point, ...], Arrow | None]:
        """The route and arrowhead drawn for a direction of flow."""
        if toward_parent:
            return self.reverse, self.reverse_head
        return self.forward, self.forward_head


@dataclass(frozen=True)
class ClusterShape:
    """A scope's box and its label's position (left end of the label's baseline)."""

    name: str
    label: str
    x: float
    y: float
    width: float
    height: float
    depth: int
    label_x: float
    label_y: float


@dataclass(frozen=True)
class CaptionBand:
    """Room for the caption above the graph.

    Attributes
    ----------
    x, top
        Left end and top of the band.
    width
        Width available to a caption line.
    lines
        Lines reserved (the longest caption of any frame, plus the notice).
    notice
        The notice lines (large-graph notice), shown under every caption.
    """

    x: float
    top: float
    width: float
    lines: int
    notice: tuple[str, ...] = ()

    def baselines(self) -> list[float]:
        """Baseline of every reserved line."""
        return [self.top + TITLE_SIZE * LINE_SPACING * k + TITLE_SIZE for k in range(self.lines)]


def _shifted(p: Point, dx: float, dy: float) -> Point:
    return (round(p[0] + dx, 2), round(p[1] + dy, 2))


def _edge_shape(route: Any, dx: float, dy: float) -> EdgeShape:
    """An edge's shape in frame coordinates, its label at Graphviz's position."""
    return _edge_shapes({(route.parent, route.child): route}, dx, dy)[route.parent, route.child]


def _edge_shapes(routes: Mapping[tuple[str, str], Any], dx: float, dy: float,
                 anchors: Mapping[tuple[str, str], tuple[Point, float | None]] | None = None
                 ) -> dict[tuple[str, str], EdgeShape]:
    """Every edge's shape in frame coordinates, its label at its anchor in ``anchors``
    (layout coordinates, as `adviz.scene.anchors.place_labels` gives them) or else at
    Graphviz's position.

    Each reverse route loses its first `ARROW_LENGTH` to the arrowhead: the same cut as
    `trim_start`, bisected for all routes at once (`_trim_parameters`).
    """
    found = anchors or {}
    ends: list[tuple[Point, ...]] = []  # the reverse routes, each with at least four points
    made = []
    for key, route in routes.items():
        points = tuple(_shifted(p, dx, dy) for p in route.points)
        head = _shifted(route.head, dx, dy) if route.head is not None else None
        reverse = points
        if points and head is not None:
            (lx, ly), (hx, hy) = points[-1], head
            third = ((hx - lx) / 3, (hy - ly) / 3)
            reverse = (*points, (lx + third[0], ly + third[1]),
                       (lx + 2 * third[0], ly + 2 * third[1]), head)
        if len(reverse) >= 4:
            ends.append(reverse)
        made.append((key, route, points, head, reverse))
    cuts = iter(_trim_parameters(ends, ARROW_LENGTH))
    shapes = {}
    for key, route, points, head, reverse in made:
        forward_head = Arrow(head, points[-1]) if head is not None and points else None
        reverse_head = None
        if points:
            trimmed = _cut_start(reverse, next(cuts)) if len(reverse) >= 4 else reverse
            reverse_head = Arrow(reverse[0], trimmed[0])
            reverse = trimmed
        label, left = None, None
        if key in found:
            (ax, ay), aligned = found[key]
            label = (round(ax + dx, 2), round(ay + dy, 2))
            left = None if aligned is None else round(aligned + dx, 2)
        elif route.label is not None:
            label = _shifted(route.label, dx, dy)
        shapes[key] = EdgeShape(route.parent, route.child, points, forward_head, reverse,
                                reverse_head, label, left)
    return shapes


def _trim_parameters(routes: Sequence[tuple[Point, ...]], length: float) -> list[float | None]:
    """For each spline (of at least four points), where its first cubic piece is cut to
    shorten it by ``length`` (straight-line distance from its start), bisected for every
    spline at once; ``None``: the piece is not longer than ``length``, and the spline
    stays whole (`trim_start`, `_cut_start`).

    Examples
    --------
    >>> straight = ((0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (30.0, 0.0))
    >>> cut = _trim_parameters([straight, straight[:1] * 4], 8.0)
    >>> round(cut[0], 6), cut[1]
    (0.266667, None)
    """
    if not routes:
        return []
    first = np.asarray([r[:4] for r in routes], dtype=float)  # (routes, 4, 2)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = (first[:, k].T for k in range(4))
    whole = np.asarray([math.dist(r[0], r[3]) <= length for r in routes])
    lo, hi = np.zeros(len(routes)), np.ones(len(routes))
    for _ in range(30):
        t = (lo + hi) / 2
        s = 1 - t
        # the cubic Bezier's point at t, term by term
        x = s**3 * x0 + 3 * s * s * t * x1 + 3 * s * t * t * x2 + t**3 * x3
        y = s**3 * y0 + 3 * s * s * t * y1 + 3 * s * t * t * y2 + t**3 * y3
        near = np.hypot(x - x0, y - y0) < length
        lo = np.where(near, t, lo)
        hi = np.where(near, hi, t)
    return [None if w else h for w, h in zip(whole.tolist(), hi.tolist())]


@dataclass(frozen=True)
class Page:
    """The page a figure is drawn on (a ``size`` was asked for).

    Attributes
    ----------
    size
        The ``size`` asked for (`adviz.scene.sizes.page_pixels`).
    width, height
        The page in pixels (a ``"blog"`` column's height follows the drawing).
    scale
        Pixels per frame point: the frame fills the page, centred.
    rankdir
        The orientation chosen.
    min_text
        The least text height (pixels) asked for.
    smallest
        The smallest text drawn, in pixels (at least ``min_text``).
    fixed
        Whether the page's height is fixed (``False`` for a ``"blog"``
        column, whose height follows the drawing).
    """

    size: Any
    width: float
    height: float
    scale: float
    rankdir: str
    min_text: float
    smallest: float
    fixed: bool = True

    def view_box(self, width: float, height: float) -> tuple[float, float, float, float]:
        """The page in frame points around a ``width`` x ``height`` frame centred on it:
        ``(x, y, width, height)``.

        Examples
        --------
        >>> Page("16:9", 1280.0, 720.0, 2.0, "LR", 14.0, 22.0).view_box(600.0, 300.0)
        (-20.0, -30.0, 640.0, 360.0)
        """
        page_width, page_height = self.width / self.scale, self.height / self.scale
        return (round((width - page_width) / 2, 2), round((height - page_height) / 2, 2),
                round(page_width, 2), round(page_height, 2))


def smallest_text(fig: Figure) -> float:
    """The size (frame points) of the smallest text a figure draws.

    Examples
    --------
    >>> import adviz
    >>> smallest_text(figure(adviz.trace("x * x", x=3)))
    11.0
    """
    sizes = [TITLE_SIZE, LINE_SIZE]
    if any(fig.view.edge_lines.get(key) for key in fig.edges):
        sizes.append(EDGE_SIZE)
    if fig.clusters:
        sizes.append(CLUSTER_SIZE)
    return min(sizes)


# ---------------------------------------------------------------- the figure

@dataclass(eq=False)
class Figure:
    """A trace's scene: view, layout, geometry, style and stages (see the module).

    Build it with `figure`, which caches one figure per trace and options.

    Attributes
    ----------
    trace
        The `Trace`.
    theme
        The resolved `adviz.scene.style.Theme`.
    view, layout
        What is drawn and where (`adviz.scene.view.GraphView`,
        `adviz.scene.layout.Layout`).
    notice
        The large-graph notice (``""`` when everything is drawn).
    width, height
        Frame size in points.
    dx, dy
        Offset of the layout's origin in the frame.
    caption
        The caption band.
    nodes, edges, clusters
        Shapes by node id, by ``(parent, child)`` and by cluster name.
    size
        The picture size asked for (`adviz.scene.sizes.page_pixels`);
        ``None`` for the natural size.
    page
        The page the figure fills when a ``size`` was asked for (`Page`),
        else ``None``.
    cache
        What renderers keep with the figure (their painters, drawn fragments),
        so it lives exactly as long as the figure.
    legend
        The band reserved under the graph for the legend
        (`adviz.scene.legend.LegendBand`; `adviz.scene.legend.legend` places
        a phase's entries in it), ``None`` without a legend.
    seed
        Every input's seed tangent for the forward-mode (``"tangent"``) frames,
        in argument order (`adviz.core.forward.seed_values`); empty for a
        trace forward mode cannot sweep.
    """

    trace: Trace
    theme: Theme
    view: GraphView
    layout: Layout
    notice: str
    width: float
    height: float
    dx: float
    dy: float
    caption: CaptionBand
    nodes: dict[str, NodeShape]
    edges: dict[tuple[str, str], EdgeShape]
    clusters: dict[str, ClusterShape]
    size: Any = None
    page: Page | None = None
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _styles: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    seed: dict[str, float] = field(default_factory=dict)
    focus: DrawnFocus | None = None
    legend: LegendBand | None = None

    @property
    def sweep(self) -> ForwardSweep:
        """The forward-mode sweep of the figure's seed (computed once, kept in `cache`)."""
        found = self.cache.get("sweep")
        if found is None:
            from adviz.core.forward import forward_mode

            found = self.cache["sweep"] = forward_mode(self.trace, self.seed or None)
        return found

    def _walker(self, phase: str) -> ViewWalker:
        sweep = self.sweep if phase == "tangent" else None
        return ViewWalker(self.trace, self.view, phase, sweep=sweep)

    @property
    def rankdir(self) -> str:
        """The layout's direction (``"LR"``, ``"TB"``, ...)."""
        return self.layout.rankdir

    @property
    def styles(self) -> dict[str, Any]:
        """The theme's resolved style table (`adviz.scene.style.style_table`)."""
        if not self._styles:
            self._styles.update(style_table(self.theme))
        return self._styles

    def frame(self, phase: str, index: int = -1) -> Frame:
        """The frame of ``phase`` after stage ``index`` (``"summary"``: the final state;
        ``"tangent"``: forward mode along the figure's `seed`)."""
        from adviz.scene.content import frame

        if phase == "summary":
            return self._focused(view_frame(self.trace, self.view,
                                            frame(self.trace, "summary", 0)))
        count = frame_count(self.trace, phase)
        if not -count <= index < count:
            raise InputError(f"{phase} stage {index} does not exist: there are {count} "
                             f"stages (0 to {count - 1})")
        walker = self._walker(phase)
        for _ in range(index % count + 1):
            walker.step()
        return self._focused(walker.frame())

    def _focused(self, content: Frame) -> Frame:
        """A frame with the figure's focus applied (`adviz.scene.focus`)."""
        return content if self.focus is None else self.focus.frame(content)

    def frames(self, phase: str) -> Iterator[Frame]:
        """Every frame of ``phase`` in stage order, each built from the one before."""
        if phase == "summary":
            yield self.frame("summary")
            return
        walker = self._walker(phase)
        for _ in range(frame_count(self.trace, phase)):
            walker.step()
            yield self._focused(walker.frame())

    def changes(self, phase: str) -> Iterator[Change]:
        """What each stage of ``phase`` changes: every element at stage 0, then the differences.

        The total size is O(nodes + edges + changes), never stages x nodes.
        """
        if phase == "summary":
            full = self.frame("summary")
            yield Change("summary", 0, full.title, full.nodes, full.edges)
            return
        walker = self._walker(phase)
        shown: dict[str, object] = {}
        for _ in range(frame_count(self.trace, phase)):
            change = walker.step()
            yield change if self.focus is None else self.focus.change(change, shown)

    def caption_lines(self, title: str) -> list[str]:
        """A caption wrapped to the band (without the notice)."""
        return wrap(title, self.caption.width)


_FIGURES: weakref.WeakKeyDictionary[Trace, dict[tuple[Any, ...], Figure]] = \
    weakref.WeakKeyDictionary()


def _titles(trace: Trace, sweep: ForwardSweep | None = None) -> list[str]:
    titles = [stage_title(trace, phase, k) for phase in ("forward", "reverse")
              for k in range(frame_count(trace, phase))]
    titles.append(stage_title(trace, "summary", 0))
    if sweep is not None:  # the figure's forward-mode frames
        titles += [tangent_stage_title(trace, sweep, k) for k in range(len(sweep.stages))]
    return titles


def prepare_texts(trace: Trace) -> None:
    """Build, ahead of `figure`, the texts its frames need that depend on the trace alone:
    every stage's caption (with forward mode's from the first input) and each element's
    fixed lines (`adviz.scene.content`). All are cached per trace, so a caller with time
    to spare while Graphviz runs in another thread takes them off the figure's path.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> prepare_texts(t)
    >>> stage_title(t, "forward", 0)  # cached now
    'Stage 0 of 1 — set the inputs: x = 3'
    """
    from adviz.scene.content import prepare_lines

    _titles(trace, _seed(trace, None)[1])
    prepare_lines(trace)


def _seed(trace: Trace, seed: Seed) -> tuple[dict[str, float], ForwardSweep | None]:
    """The seed as every input's tangent, and its sweep (none for a trace of tensors, unless
    a seed was asked for: then the error says why)."""
    from adviz.core.forward import forward_mode
    from adviz.errors import InputError as _InputError

    try:
        sweep = forward_mode(trace, seed)
    except _InputError:
        if seed is not None:
            raise
        return {}, None
    return dict(sweep.seed), sweep


def _seed_key(trace: Trace, seed: Seed) -> tuple[tuple[str, float], ...]:
    """The seed as part of a figure's cache key: every input's tangent, found without a
    sweep (`_seed` sweeps only when the figure is built)."""
    from adviz.core.forward import seed_values
    from adviz.errors import InputError as _InputError

    try:
        return tuple(seed_values(trace, seed).items())
    except _InputError:
        if seed is not None:
            raise
        return ()


def figure(
    trace: Trace,
    *,
    theme: str | Theme | None = "light",
    rankdir: str | None = None,
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    size: Any = None,
    extra_titles: Sequence[str] = (),
    view: GraphView | str | None = None,
    layout: Layout | None = None,
    notice: str = "",
    output: str | int | None = None,
    min_text: float = MIN_TEXT,
    seed: Seed = None,
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool | str = False,
    absorb_leaves: bool = False,
) -> Figure:
    """The scene of a trace for some picture options (built once, then cached).

    Parameters
    ----------
    trace
        A `Trace`.
    theme
        ``"light"`` (default), ``"dark"``, ``"print"`` or a `adviz.scene.style.Theme`.
    rankdir
        ``"LR"`` (inputs left, output right), ``"TB"`` (inputs on top) or
        ``"auto"`` (with a ``size``: the one giving the larger text); ``None``
        (default) is ``"auto"`` with a ``size``, else ``"LR"``.
    engine
        Graphviz program for the layout (`adviz.scene.graphviz.find_engine`).
    collapse
        Scope labels to draw as one box each; ``None`` (default) collapses a
        large graph's scopes only (`adviz.scene.view.view_options`), and with
        a ``size`` whatever the page needs (see ``size``).
    full
        Draw a large graph with every node and label.
    copies
        Draw shared leaves once per use, a linked copy beside each node they
        feed (`adviz.scene.view.shared_leaves`): ``None`` (default) when a
        leaf's consumers lie far apart in depth (a weight shared by the steps
        of an unrolled recurrent network), ``True`` for every leaf feeding two
        or more nodes, ``False`` never.
    absorb_leaves
        Draw an input that feeds only one collapsed box inside that box
        (`adviz.scene.collapse.collapsed_view`); ``False`` (default) draws
        every input. A ``zoom`` always does.
    size
        The page the picture fills (`adviz.scene.sizes.page_pixels`:
        ``"16:9"``, ``"4:3"``, ``"a4"``, ``"blog"``, ``"WxH"`` in pixels or
        ``(width, height)`` in inches); ``None`` (default) for the natural
        size. The frame is scaled to fill the page (`Figure.page`). For a
        named page or ``"WxH"``, no text may come out smaller than
        ``min_text`` pixels (a size in inches is a figure size only: the
        drawing as asked, in ``rankdir`` or ``"LR"``, scaled to fill it): the first
        drawing that meets it is taken, trying in turn the graph as asked,
        its scopes collapsed level by level (innermost first; only when
        ``collapse`` is ``None``), its labels shortened, then both, each in
        the orientations ``rankdir`` allows (the larger text wins). What was
        given up is said in the notice under the caption. When nothing
        meets the minimum, an `InputError` says so (a picture is never
        shrunk below it).
    extra_titles
        Captions of further frames drawn on this figure (path frames), so the
        caption band has room for them.
    view, layout
        A view and its layout made by other means (the gradient-descent
        animation reserves room for every step); not cached. ``view`` may
        also name what is drawn: ``"graph"`` (every scalar node, the default)
        or ``"network"``, the neuron view of a scoped network
        (`adviz.scene.network`; ``min_text`` then defaults to 12 px).
    notice
        With ``view``: the notice line shown under every caption.
    output
        A trace with several outputs: the output whose reverse sweep the
        reverse frames show, by id (``"y2"``) or number (1 for the first);
        default the first. Every output is drawn as one, on one layout
        (`adviz.scene.outputs`).
    min_text
        With ``size``: the least text height in pixels (default
        `adviz.scene.sizes.MIN_TEXT`, 14).
    focus
        A node (id, or printed name) whose paths to the output are drawn in full
        colour, the rest muted (`adviz.scene.focus`); the caption band adds the
        sum over those paths. ``None`` (default): no focus.
    zoom
        A scope (label, or path such as ``"layer 1/neuron 2"``) drawn open with
        every other scope collapsed around it; not with ``collapse``.
    seed
        The seed of the forward-mode (``"tangent"``) frames, as
        `adviz.forward_mode` takes it: an input's name, a dict of input name
        to tangent, or ``None`` (the first input). On a trace with several
        outputs the sweep carries every output's tangent.
    granularity
        ``view="network"``: ``"neuron"`` (default, one reverse stage per
        neuron) or ``"layer"`` (one per layer).
    legend
        Reserve room for a legend of the colours (`adviz.scene.legend`):
        ``True`` (with a ``size``: under the graph or right of it, whichever
        gives the larger text; else under it), ``"below"``, ``"right"``, or
        ``False`` (default). With a ``size`` it is part of what is fitted.

    Raises
    ------
    InputError
        An unknown theme, ``rankdir``, size, scope label, seeded input,
        focused node, zoomed scope or
        output (a trace with one output takes only its own), or a ``size``
        too small for the graph's text to reach ``min_text``.
    RenderError
        Graphviz is missing or fails.
    """
    resolved = get_theme(theme)
    if isinstance(view, str) or granularity is not None:
        from adviz.scene.network import check_view, network_figure

        if check_view("graph" if view is None else str(view), granularity) == "network":
            # the neuron view is drawn left to right by its own layout (no Graphviz engine)
            given = {"collapse": bool(collapse), "full": full, "copies": bool(copies),
                     "layout": layout is not None, "rankdir": rankdir not in (None, "auto", "LR"),
                     "engine": engine is not None}
            for name, used in given.items():
                if used:
                    raise InputError(f"{name} does not apply to view='network': the neuron "
                                     f"view lays out its own columns of neurons; use "
                                     f"view='graph' for {name}=")
            return network_figure(trace, theme=resolved, granularity=granularity, size=size,
                                  min_text=None if min_text == MIN_TEXT else min_text,
                                  focus=focus, zoom=zoom, output=output, legend=legend)
        view = None
    if focus is not None or zoom is not None:
        from adviz.scene.focus import focused_figure

        return focused_figure(trace, focus, zoom, theme=resolved, rankdir=rankdir,
                              engine=engine, collapse=collapse, full=full, copies=copies,
                              size=size, extra_titles=extra_titles, output=output,
                              min_text=min_text, seed=seed, absorb_leaves=absorb_leaves)
    if getattr(trace, "vector", False) and view is None and layout is None:
        from adviz.scene.outputs import output_figure

        return output_figure(trace, output, theme=resolved, rankdir=rankdir, engine=engine,
                             collapse=collapse, full=full, copies=copies, size=size,
                             extra_titles=extra_titles, min_text=min_text, seed=seed,
                             legend=legend)
    check_output(trace, output, "a picture of this trace")
    seed_key = _seed_key(trace, seed)
    if rankdir not in (None, "auto", "LR", "TB", "RL", "BT"):
        raise InputError(f"unknown rankdir {rankdir!r}; use 'LR', 'TB' or 'auto'")
    if size is not None and view is None and layout is None:
        return _fitted(trace, resolved, rankdir, engine, collapse, full, copies, size,
                       min_text, tuple(extra_titles), seed, seed_key, legend, absorb_leaves)
    place = check_place(legend)
    rankdir = "LR" if rankdir in (None, "auto") else rankdir
    key: tuple[Any, ...] | None = None
    if view is None and layout is None:
        labels = None if collapse is None else tuple(
            (collapse,) if isinstance(collapse, str) else dict.fromkeys(collapse))
        key = (resolved, rankdir, engine, labels, bool(full), copies, _size_key(size),
               tuple(extra_titles), seed_key) + ((place,) if place else ()) + \
            (("absorb",) if absorb_leaves else ())
        cached = _FIGURES.get(trace, {}).get(key)
        if cached is not None:
            return cached
    seeds, sweep = _seed(trace, seed)
    if view is None:
        view, notice = _drawn(trace, collapse, full, copies, absorb_leaves)
    if layout is not None:
        titles = [*_titles(trace, sweep), *extra_titles]
        result = _build(trace, resolved, view, layout, notice, size, titles, legend=place)
    else:
        unmet: list[tuple[str, str]] = []
        layout = compute_layout(trace, rankdir=rankdir, engine=engine, **_layout_options(view))
        titles = [*_titles(trace, sweep), *extra_titles]  # after Graphviz has started
        result = _build(trace, resolved, view, layout, notice, size, titles, unmet,
                        legend=place)
        if unmet and sum(1 for e in result.edges.values() if e.label is not None) <= ROUNDS_FROM:
            # Some labels found no place against their own routes: lay the graph out
            # again with more room between ranks and nodes, and keep what places more
            # (not for a large graph: a second layout would cost more than the first).
            again: list[tuple[str, str]] = []
            layout = compute_layout(trace, rankdir=rankdir, engine=engine,
                                    ranksep=ROOMY_RANKSEP, nodesep=ROOMY_NODESEP,
                                    **_layout_options(view))
            roomy = _build(trace, resolved, view, layout, notice, size, titles, again,
                           legend=place)
            if len(again) < len(unmet):
                result = roomy
    result.seed = seeds
    if sweep is not None:
        result.cache["sweep"] = sweep
    if key is not None:
        _FIGURES.setdefault(trace, {})[key] = result
    return result


def _drawn(trace: Trace, collapse: Iterable[str] | str | None, full: bool,
           copies: bool | None, absorb_leaves: bool) -> tuple[GraphView, str]:
    """The graph `figure` draws for these options, and its notice (`view_options`)."""
    options = view_options(trace, collapse, full, copies, absorb_leaves=absorb_leaves)
    view = graph_view(trace, options.collapse, options.compact, options.copies,
                      absorb_leaves=absorb_leaves)
    return view, options.notice


def _layout_options(view: GraphView) -> dict[str, Any]:
    """What `compute_layout` is told of a drawn graph."""
    return {"collapse": view.collapse, "compact": view.compact, "copies": tuple(view.copies),
            "absorb_leaves": view.absorb_leaves}


def start_figure_layout(trace: Trace, *, rankdir: str = "LR", engine: str | None = None,
                        collapse: Iterable[str] | None = (), full: bool = False,
                        copies: bool | None = False, absorb_leaves: bool = False) -> None:
    """Start Graphviz on the layout `figure` needs for these options (`start_layout`) and
    return while it runs: `figure` then waits for that run.

    For a caller with work of its own to do meanwhile (a page's texts); the
    options mean what they mean for `figure` (a graph drawn without a ``size``).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> start_figure_layout(t, full=True)
    >>> figure(t, full=True).width > 0
    True
    """
    view, _ = _drawn(trace, collapse, full, copies, absorb_leaves)
    start_layout(trace, rankdir="LR" if rankdir in (None, "auto") else rankdir, engine=engine,
                 **_layout_options(view))


def _size_key(size: Any) -> Any:
    return tuple(size) if isinstance(size, list) else size


def _levels(trace: Trace) -> list[tuple[str, ...]]:
    """The scope labels of each nesting level, innermost level first."""
    paths = list(dict.fromkeys(n.scope for n in trace.program.nodes if n.scope))
    deepest = max((len(p) for p in paths), default=0)
    return [tuple(dict.fromkeys(p[depth - 1] for p in paths if len(p) >= depth))
            for depth in range(deepest, 0, -1)]


def best_fit(drawings: Iterable[Iterable[Figure]], page: tuple[float, float | None],
             min_text: float) -> tuple[float, Figure]:
    """The drawing whose smallest text is largest on ``page``, and that text's height in
    pixels: each item of ``drawings`` is a group of figures (one per orientation), tried in
    turn until a group's best reaches ``min_text``."""
    best: tuple[float, Figure] | None = None
    for group in drawings:
        found = [(fit_scale(f.width, f.height, page) * smallest_text(f), f) for f in group]
        top = max(found, key=lambda pair: pair[0])
        if best is None or top[0] > best[0]:
            best = top
        if top[0] >= min_text - 1e-9:
            break
    if best is None:
        raise InputError("no drawing to fit on the page")
    return best


def page_of(fig: Figure, size: Any, page: tuple[float, float | None], pixels: float,
            min_text: float) -> Page:
    """The `Page` a figure fills: its scale, and its height when the page has none."""
    scale = fit_scale(fig.width, fig.height, page)
    height = page[1] if page[1] is not None else round(fig.height * scale, 2)
    return Page(size, page[0], height, round(scale, 6), fig.rankdir, float(min_text),
                round(pixels, 2), page[1] is not None)


def _fitted(trace: Trace, theme: Theme, rankdir: str | None, engine: str | None,
            collapse: Iterable[str] | None, full: bool, copies: bool | None, size: Any,
            min_text: float, extra_titles: tuple[str, ...],
            seed: Seed, seed_key: tuple[tuple[str, float], ...],
            legend: bool | str = False, absorb_leaves: bool = False) -> Figure:
    """The figure filling the page ``size`` whose text is at least ``min_text`` pixels."""
    if isinstance(min_text, bool) or not isinstance(min_text, (int, float)) \
            or not 0 < min_text <= 200:
        raise InputError(f"min_text must be a number of pixels from 1 to 200, not {min_text!r}")
    page = page_pixels(size)
    labels = None if collapse is None else tuple(
        (collapse,) if isinstance(collapse, str) else dict.fromkeys(collapse))
    key = ("page", theme, rankdir, engine, labels, bool(full), copies, _size_key(size),
           float(min_text), extra_titles, seed_key) + ((legend,) if legend else ()) + \
        (("absorb",) if absorb_leaves else ())
    given = check_place(legend)
    places: tuple[str | None, ...] = (given,) if not given or legend is not True else PLACES
    cached = _FIGURES.get(trace, {}).get(key)
    if cached is not None:
        return cached
    name = size if isinstance(size, str) else "x".join(f"{v:g}" for v in page if v)
    # A size in inches, (width, height), is a figure size: filled, with no minimum text.
    enforce = isinstance(size, str)
    if not enforce:
        rankdir = "LR" if rankdir in (None, "auto") else rankdir
    # The drawings tried, most complete first: (scopes to collapse, shortened labels, notice,
    # sources stacked in rows of at most this many, top to bottom; 0: not stacked).
    tries: list[tuple[tuple[str, ...] | None, bool, str, int]] = [(labels, False, "", 0)]
    if not full and enforce:
        levels = _levels(trace) if labels is None else []
        tries += [(level, False, f"scopes collapsed to fit {name}", 0) for level in levels]
        tries += [(labels, True, f"labels shortened to fit {name}", 0)]
        tries += [(level, True, f"scopes collapsed and labels shortened to fit {name}", 0)
                  for level in levels]
        if rankdir in (None, "auto", "TB"):
            # Last: top to bottom with the inputs stacked in rows, narrow enough for a column.
            given = "scopes collapsed, labels shortened" if levels else "labels shortened"
            stacked: list[tuple[str, ...] | None] = [*levels] if levels else [labels]
            tries += [(level, True, f"{given} and inputs stacked to fit {name}", fold)
                      for fold in FOLDS for level in stacked]
    directions = ("LR", "TB") if rankdir in (None, "auto") else (rankdir,)

    def drawings(chosen: tuple[str, ...] | None, compact: bool, note: str,
                 fold: int) -> Iterator[Figure]:
        group = [(d, p) for d in (("TB",) if fold else directions) for p in places]
        whole = not compact and not note  # the drawing `figure` makes for these options
        if not whole:
            options = view_options(trace, chosen or [], full, copies,
                                   absorb_leaves=absorb_leaves)
            view = graph_view(trace, chosen or (), compact, options.copies,
                              absorb_leaves=absorb_leaves)
            laid_out = {"fold": fold, **_layout_options(view)}
        for direction in dict.fromkeys(d for d, _ in group):  # their Graphviz runs at once
            if whole:
                start_figure_layout(trace, rankdir=direction, engine=engine, collapse=chosen,
                                    full=full, copies=copies, absorb_leaves=absorb_leaves)
            else:
                start_layout(trace, rankdir=direction, engine=engine, **laid_out)
        for direction, place in group:
            if whole:
                yield figure(trace, theme=theme, rankdir=direction, engine=engine,
                             collapse=chosen, full=full, copies=copies,
                             extra_titles=extra_titles, seed=seed, legend=place or False,
                             absorb_leaves=absorb_leaves)
                continue
            layout = compute_layout(trace, rankdir=direction, engine=engine, **laid_out)
            yield figure(trace, theme=theme, view=view, layout=layout, notice=note,
                         extra_titles=extra_titles, seed=seed, legend=place or False)

    pixels, fig = best_fit((drawings(*t) for t in tries), page, min_text)
    if enforce and pixels < min_text - 1e-9:
        raise InputError(
            f"at size {size!r} this graph's smallest text would be {pixels:.1f} px high, below "
            f"the {min_text:g} px minimum, even with its scopes collapsed and labels "
            f"shortened; use a larger size (such as "
            f"{larger_size(page, pixels, min_text, fig.height / fig.width)}), trace a smaller "
            f"part of the computation, or pass min_text={math.floor(pixels * 10) / 10:g}")
    fitted = page_of(fig, size, page, pixels, min_text if enforce else 0.0)
    result = replace(fig, size=size, page=fitted, cache={}, _styles={})
    _FIGURES.setdefault(trace, {})[key] = result
    return result


def _clusters(layout: Layout, dx: float, dy: float) -> dict[str, ClusterShape]:
    clusters = {}
    for name, box in layout.clusters.items():
        left, top = box.x - box.width / 2 + dx, box.y - box.height / 2 + dy
        if box.label_pos is not None:
            lx = box.label_pos[0] + dx - box.label_width / 2 + LABEL_PAD
            ly = box.label_pos[1] + dy + CLUSTER_SIZE * 0.35
        else:
            lx, ly = left + 6.0, top + 4.0 + CLUSTER_SIZE
        clusters[name] = ClusterShape(name, box.label, round(box.x + dx, 2),
                                      round(box.y + dy, 2), box.width, box.height, box.depth,
                                      round(lx, 2), round(ly, 2))
    return clusters


def _polylines(controls: Sequence[tuple[Point, ...]], tips: Sequence[Point | None]
               ) -> list[np.ndarray]:
    """`Route.polyline` of many routes (control points, arrow tip), the cubic pieces of all of
    them sampled in one array operation (the same operations, point for point, as
    `adviz.scene.curves.bezier_points`).

    Examples
    --------
    >>> line = ((0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0))
    >>> [bool(np.array_equal(a, Route(c, h).polyline)) for a, c, h in
    ...  zip(_polylines([line, line[:2]], [(1.0, -1.0), None]), [line, line[:2]],
    ...      [(1.0, -1.0), None])]
    [True, True]
    """
    shaped = [np.asarray(c, dtype=float).reshape(-1, 2) for c in controls]
    cubic = [len(p) >= 4 and not (len(p) - 1) % 3 for p in shaped]
    pieces = [p[:-1].reshape(-1, 3, 2) for p, ok in zip(shaped, cubic) if ok]
    if pieces:
        every = np.concatenate(pieces)
        ends = np.concatenate([p[3::3] for p, ok in zip(shaped, cubic) if ok])
        t = np.linspace(0.0, 1.0, SAMPLES_PER_SEGMENT + 1)[None, :, None]
        p0, c1, c2, p1 = every[:, None, 0], every[:, None, 1], every[:, None, 2], ends[:, None]
        sampled = ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * c1 + \
            3 * (1 - t) * t**2 * c2 + t**3 * p1
        per_route = np.split(sampled[:, 1:], np.cumsum([len(p) for p in pieces])[:-1])
    out: list[np.ndarray] = []
    k = 0
    for p, ok, tip in zip(shaped, cubic, tips):
        if ok:
            line = np.concatenate([p[:1], per_route[k].reshape(-1, 2)])
            k += 1
        else:
            line = p.copy()
        out.append(line if tip is None else np.vstack([line, np.asarray(tip, dtype=float)[None]]))
    return out


def _label_anchors(view: GraphView, layout: Layout,
                   unmet: list[tuple[str, str]] | None = None
                   ) -> dict[tuple[str, str], tuple[Point, float | None]]:
    """Every edge label's anchor in layout coordinates, against its own route (the labels
    that find no place meeting the distance conditions are added to ``unmet``)."""
    def shift(p: Point) -> Point:  # as `_edge_shape` puts the route in layout coordinates
        return (round(p[0], 2), round(p[1], 2))

    labelled = [key for key, route in layout.edges.items()
                if route.label is not None and view.edge_lines.get(key)]
    controls = [tuple(shift(p) for p in layout.edges[key].points) for key in labelled]
    heads = [layout.edges[key].head for key in labelled]
    tips = [shift(head) if head is not None and points else None
            for head, points in zip(heads, controls)]
    labels = {key: Label(view.edge_lines[key], route,
                         shift(layout.edges[key].label))  # type: ignore[arg-type]
              for key, route in zip(labelled, _polylines(controls, tips))}
    if not labels:
        return {}
    obstacles = [(b.x - b.width / 2, b.y - b.height / 2, b.x + b.width / 2, b.y + b.height / 2)
                 for b in layout.nodes.values()]
    obstacles += [(c.label_x, c.label_y - CLUSTER_SIZE,
                   c.label_x + text_width(c.label, CLUSTER_SIZE), c.label_y + CLUSTER_SIZE * 0.3)
                  for c in _clusters(layout, 0.0, 0.0).values()]
    bounds = (-LABEL_BLEED, -LABEL_BLEED, layout.width + LABEL_BLEED,
              layout.height + LABEL_BLEED)
    return place_labels(labels, obstacles=obstacles, bounds=bounds,
                        tb=layout.rankdir in ("TB", "BT"), unmet=unmet)


def _inside_legend(view: GraphView, nodes: dict[str, NodeShape],
                   edges: dict[tuple[str, str], EdgeShape], clusters: dict[str, ClusterShape],
                   area: tuple[float, float, float, float]) -> LegendBand | None:
    """A legend column in a corner of the drawing nothing else uses, or ``None``."""
    inner = column_width()
    rows = rows_needed(inner)
    boxes = [(n.x - n.width / 2, n.y - n.height / 2, n.x + n.width / 2, n.y + n.height / 2)
             for n in nodes.values()]
    boxes += [(c.x - c.width / 2, c.y - c.height / 2, c.x + c.width / 2, c.y + c.height / 2)
              for c in clusters.values()]
    points: list[Point] = []
    for key, shape in edges.items():
        lines = view.edge_lines.get(key, ())
        if shape.label is not None and lines:
            boxes.append(Block(lines, shape.label_left is not None).box(*shape.label))
        tip = shape.forward_head.tip if shape.forward_head is not None else None
        points += [(float(x), float(y)) for x, y in Route(shape.forward, tip).polyline]
    spot = free_spot(inner, rows * ROW_HEIGHT, area, boxes, points)
    if spot is None:
        return None
    return LegendBand(spot[0], spot[1], inner, rows)


def _build(trace: Trace, theme: Theme, view: GraphView, layout: Layout, notice: str,
           size: Any, titles: Sequence[str],
           unmet: list[tuple[str, str]] | None = None, legend: str | None = None) -> Figure:
    anchors = _label_anchors(view, layout, unmet)
    # Labels may reach a little beyond Graphviz's drawing: the frame grows to hold them.
    x0, y0, x1, y1 = 0.0, 0.0, layout.width, layout.height
    for key, (anchor, left) in anchors.items():
        bx0, by0, bx1, by1 = Block(view.edge_lines[key], left is not None).box(*anchor)
        x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
    drawing_width, _drawing_height = x1 - x0, y1 - y0
    # A legend right of the graph: a column of entries, one a row, beside the drawing.
    column = column_width() + 2 * LEGEND_GAP if legend == "right" else 0.0
    width = max(drawing_width + 2 * MARGIN + column, MIN_WIDTH)
    caption_width = width - 2 * MARGIN
    lines = max((len(wrap(t, caption_width)) for t in titles), default=1)
    notice_lines = tuple(wrap(notice, caption_width)) if notice else ()
    lines += len(notice_lines)
    dy = round(MARGIN + lines * TITLE_SIZE * LINE_SPACING + CAPTION_GAP - y0, 2)
    dx = round((width - column - drawing_width) / 2 - x0, 2)
    height = round(dy + y1 + MARGIN, 2)
    band_legend = None
    if legend == "right":
        inner = column - 2 * LEGEND_GAP
        band_legend = LegendBand(round(width - MARGIN - inner, 2), round(dy + y0, 2), inner,
                                 rows_needed(inner))
        height = max(height, round(band_legend.top + band_legend.height + MARGIN, 2))
    elif legend and legend != "inside":
        band_legend = LegendBand(MARGIN, round(dy + y1 + LEGEND_GAP, 2), caption_width,
                                 rows_needed(caption_width))
        height = round(band_legend.top + band_legend.height + MARGIN, 2)
    nodes = {n: NodeShape(n, round(b.x + dx, 2), round(b.y + dy, 2), b.width, b.height)
             for n, b in layout.nodes.items()}
    edges = _edge_shapes(layout.edges, dx, dy, anchors)
    clusters = _clusters(layout, dx, dy)
    if legend == "inside":
        band_legend = _inside_legend(view, nodes, edges, clusters,
                                     (MARGIN, dy + y0, width - MARGIN, dy + y1))
        if band_legend is None:  # no free corner: under the graph
            band_legend = LegendBand(MARGIN, round(dy + y1 + LEGEND_GAP, 2), caption_width,
                                     rows_needed(caption_width))
            height = round(band_legend.top + band_legend.height + MARGIN, 2)
    band = CaptionBand(MARGIN, MARGIN, caption_width, lines, notice_lines)
    return Figure(trace, theme, view, layout, notice, round(width, 2), height, dx, dy, band,
                  nodes, edges, clusters, size, legend=band_legend)
