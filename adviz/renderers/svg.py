"""SVG frames drawn from the stored layout, in Graphviz's SVG structure.

No Graphviz run per frame: `render_frame` writes the SVG itself from the
cached `adviz.scene.layout.Layout` and the frame's content (`adviz.scene.content.frame`).
Like Graphviz's output, each node is a ``<g class="node">`` whose ``<title>``
is the node id and each edge a ``<g class="edge">`` whose ``<title>`` is
``parent->child``; element ids are ``node1, node2, ...`` and ``edge1, ...``
in graph order, and a ``data-state`` attribute carries the node's or edge's
state. Every frame of a trace has the same size and ``viewBox`` (the caption
area is sized for the longest caption of any frame), and the same input gives
the same bytes.

Examples
--------
>>> import adviz
>>> import xml.etree.ElementTree as ET
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> svg = to_svg(t, "reverse", 3)
>>> root = ET.fromstring(svg)
>>> ns = {"s": "http://www.w3.org/2000/svg"}
>>> sorted(g.find("s:title", ns).text for g in root.iter("{http://www.w3.org/2000/svg}g")
...        if g.get("class") == "edge")[:3]
['t1->t2', 't2->y', 't3->t4']
>>> "g_t3 += 1 · (−sin(t₃)) = −0.14112" in svg
True
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from adviz.scene.content import EdgeView, Frame, Line, NodeView, frame, frame_count
from adviz.scene.layout import (
    LABEL_PAD,
    ClusterBox,
    EdgeRoute,
    Layout,
    NodeBox,
    compute_layout,
    label_size,
)
from adviz.scene.style import CLUSTER_SIZE, LINE_SIZE, LINE_SPACING, TITLE_SIZE, Theme, get_theme
from adviz.scene.view import graph_view, view_frame, view_options
from adviz.text.labels import stage_title, text_width

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

MARGIN = 14.0
"""Space (points) around the drawing."""

MIN_WIDTH = 420.0
"""Smallest frame width (points), so short graphs still have room for the caption."""

ARROW_LENGTH = 8.0
ARROW_HALF_WIDTH = 3.2

Point = tuple[float, float]


def _esc(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&#39;"})


def _f(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


@dataclass(frozen=True)
class Geometry:
    """Size of a trace's frames and where the graph and caption go.

    Attributes
    ----------
    width, height
        Frame size in points (also the ``viewBox``).
    dx, dy
        Offset of the layout's origin in the frame.
    caption_width
        Width available to the caption.
    caption_lines
        Number of caption lines reserved.
    """

    width: float
    height: float
    dx: float
    dy: float
    caption_width: float
    caption_lines: int


def wrap(text: str, width: float, size: float = TITLE_SIZE) -> list[str]:
    """Break a caption into lines no wider than ``width`` (at spaces).

    Examples
    --------
    >>> wrap("a b c", 1000.0)
    ['a b c']
    >>> wrap("alpha beta gamma", 40.0)
    ['alpha', 'beta', 'gamma']
    """
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


_GEOMETRY: weakref.WeakKeyDictionary[
    Trace, dict[tuple[float, float, str, tuple[str, ...]], Geometry]] = \
    weakref.WeakKeyDictionary()


def geometry(trace: Trace, layout: Layout, notice: str = "",
             extra_titles: Sequence[str] = ()) -> Geometry:
    """The frame geometry shared by every frame (forward, reverse, summary) of a trace.

    ``notice`` is a further caption line shown in every frame (the large-graph
    notice of `adviz.scene.view.view_options`); ``extra_titles`` are captions of
    other frames drawn with this geometry (the path frames of `adviz.path_frames`).
    """
    per_trace = _GEOMETRY.setdefault(trace, {})
    key = (layout.width, layout.height, notice, tuple(extra_titles))
    if key in per_trace:
        return per_trace[key]
    width = max(layout.width + 2 * MARGIN, MIN_WIDTH)
    caption_width = width - 2 * MARGIN
    titles = [stage_title(trace, phase, k) for phase in ("forward", "reverse")
              for k in range(frame_count(trace, phase))]
    titles.append(stage_title(trace, "summary", 0))
    titles += list(extra_titles)
    lines = max(len(wrap(t, caption_width)) for t in titles)
    if notice:
        lines += len(wrap(notice, caption_width))
    caption_height = lines * TITLE_SIZE * LINE_SPACING + 10.0
    dy = MARGIN + caption_height
    result = Geometry(round(width, 2), round(dy + layout.height + MARGIN, 2),
                      round((width - layout.width) / 2, 2), round(dy, 2),
                      caption_width, lines)
    per_trace[key] = result
    return result


# ---------------------------------------------------------------- geometry helpers

def _bezier(p: tuple[Point, Point, Point, Point], t: float) -> Point:
    s = 1 - t
    return (s**3 * p[0][0] + 3 * s * s * t * p[1][0] + 3 * s * t * t * p[2][0] + t**3 * p[3][0],
            s**3 * p[0][1] + 3 * s * s * t * p[1][1] + 3 * s * t * t * p[2][1] + t**3 * p[3][1])


def _split_tail(p: tuple[Point, Point, Point, Point], t: float) -> tuple[Point, ...]:
    """The part of a cubic Bezier from parameter ``t`` to its end (de Casteljau)."""
    def lerp(a: Point, b: Point) -> Point:
        return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)

    ab, bc, cd = lerp(p[0], p[1]), lerp(p[1], p[2]), lerp(p[2], p[3])
    abc, bcd = lerp(ab, bc), lerp(bc, cd)
    return (lerp(abc, bcd), bcd, cd, p[3])


def _trim_start(points: tuple[Point, ...], length: float) -> tuple[Point, ...]:
    """Shorten a spline at its start by about ``length`` (straight-line distance)."""
    if len(points) < 4:
        return points
    first = (points[0], points[1], points[2], points[3])
    start = points[0]
    if math.dist(start, first[3]) <= length:
        return points
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if math.dist(start, _bezier(first, mid)) < length:
            lo = mid
        else:
            hi = mid
    return _split_tail(first, hi) + points[4:]


def _arrow(tip: Point, base: Point) -> str:
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm * ARROW_HALF_WIDTH, dx / norm * ARROW_HALF_WIDTH
    corners = [tip, (base[0] + nx, base[1] + ny), (base[0] - nx, base[1] - ny), tip]
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)


def _path(points: tuple[Point, ...]) -> str:
    if not points:
        return ""
    head, rest = points[0], points[1:]
    return f"M{_f(head[0])},{_f(head[1])}C" + " ".join(f"{_f(x)},{_f(y)}" for x, y in rest)


# ---------------------------------------------------------------- drawing

@dataclass(frozen=True)
class _Style:
    fill: str
    stroke: str
    width: float
    text: str | None  # overrides every line's colour (muted)


def _node_style(state: str, kind: str, theme: Theme) -> _Style:
    base = {"input": theme.input_fill, "output": theme.output_fill,
            "scope": theme.scope_fill}.get(kind, theme.node_fill)
    if state == "muted":
        return _Style(theme.muted_fill, theme.muted_stroke, 1.0, theme.muted_text)
    if state == "active":
        return _Style(theme.active_fill, theme.active_stroke, 2.4, None)
    if state == "receiving":
        return _Style(base, theme.gradient, 2.4, None)
    return _Style(base, theme.node_stroke, 1.2, None)


def _line_colour(line: Line, theme: Theme) -> str:
    if line.role == "value":
        return theme.forward
    if line.role in ("adjoint", "contribution"):
        return theme.gradient
    return theme.text


def _text_block(lines: tuple[Line, ...], cx: float, cy: float, theme: Theme,
                override: str | None, out: list[str], bold_role: str | None = None,
                font: str = "", left: float | None = None) -> None:
    """Lines centred on ``(cx, cy)``, or starting at ``left`` when given."""
    anchor = "middle" if left is None else "start"
    x = cx if left is None else left
    total = sum(line.size * LINE_SPACING for line in lines)
    y = cy - total / 2
    for line in lines:
        height = line.size * LINE_SPACING
        baseline = y + height / 2 + line.size * 0.35
        colour = override or _line_colour(line, theme)
        weight = ' font-weight="bold"' if line.role == bold_role else ""
        out.append(f'<text text-anchor="{anchor}" x="{_f(x)}" y="{_f(baseline)}" '
                   f'font-family="{font}" font-size="{_f(line.size)}"'
                   f'{weight} fill="{colour}">{_esc(line.text)}</text>')
        y += height


def _draw_node(number: int, box: NodeBox, view_state: str, kind: str,
               lines: tuple[Line, ...], node_id: str, g: Geometry, theme: Theme,
               out: list[str]) -> None:
    style = _node_style(view_state, kind, theme)
    x, y = box.x + g.dx, box.y + g.dy
    out.append(f'<g id="node{number}" class="node" data-state="{view_state}">')
    out.append(f"<title>{_esc(node_id)}</title>")
    out.append(f'<rect x="{_f(x - box.width / 2)}" y="{_f(y - box.height / 2)}" '
               f'width="{_f(box.width)}" height="{_f(box.height)}" rx="6" ry="6" '
               f'fill="{style.fill}" stroke="{style.stroke}" stroke-width="{_f(style.width)}"/>')
    _text_block(lines, x, y, theme, style.text, out, font=_esc(theme.css_font()))
    out.append("</g>")


def _draw_cluster(number: int, name: str, box: ClusterBox, g: Geometry, theme: Theme,
                  out: list[str]) -> None:
    """A scope's cluster: a rounded box and its label at the top left (Graphviz's structure)."""
    left, top = box.x - box.width / 2 + g.dx, box.y - box.height / 2 + g.dy
    out.append(f'<g id="clust{number}" class="cluster" data-depth="{box.depth}">')
    out.append(f"<title>{_esc(name)}</title>")
    out.append(f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(box.width)}" '
               f'height="{_f(box.height)}" rx="8" ry="8" fill="{theme.cluster_fill}" '
               f'fill-opacity="0.9" stroke="{theme.cluster_stroke}" stroke-width="1" '
               f'stroke-dasharray="5,3"/>')
    if box.label_pos is not None:
        lx = box.label_pos[0] - box.label_width / 2 + LABEL_PAD + g.dx
        baseline = box.label_pos[1] + g.dy + CLUSTER_SIZE * 0.35
    else:
        lx, baseline = left + 6, top + 4 + CLUSTER_SIZE
    out.append(f'<text text-anchor="start" x="{_f(lx)}" y="{_f(baseline)}" '
               f'font-family="{_esc(theme.css_font())}" font-size="{_f(CLUSTER_SIZE)}" '
               f'font-style="italic" fill="{theme.text}">{_esc(box.label)}</text>')
    out.append("</g>")


def _draw_edge(number: int, route: EdgeRoute, view_state: str, toward_parent: bool,
               lines: tuple[Line, ...], g: Geometry, theme: Theme, out: list[str],
               label_width: float | None = None) -> None:
    """Draw an edge; with ``label_width`` its label starts at the left of its box.

    Top-to-bottom layouts put an edge's label box to the right of the edge,
    so the label is left-aligned there to stay next to its edge.
    """
    def shift(p: Point) -> Point:
        return (p[0] + g.dx, p[1] + g.dy)

    points = tuple(shift(p) for p in route.points)
    head = shift(route.head) if route.head is not None else None
    colour, width, opacity = {
        "muted": (theme.muted_edge, 1.0, 1.0),
        "forward": (theme.forward, 2.2, 1.0),
        "gradient": (theme.gradient, 2.6, 1.0),
        "passed": (theme.gradient, 1.3, 0.6),
    }.get(view_state, (theme.edge, 1.2, 1.0))
    alpha = "" if opacity == 1.0 else f' stroke-opacity="{opacity}" fill-opacity="{opacity}"'
    out.append(f'<g id="edge{number}" class="edge" data-state="{view_state}">')
    out.append(f"<title>{_esc(route.parent)}-&gt;{_esc(route.child)}</title>")
    if toward_parent and points:
        if head is not None:
            (lx, ly), (hx, hy) = points[-1], head
            third = ((hx - lx) / 3, (hy - ly) / 3)
            points = (*points, (lx + third[0], ly + third[1]),
                      (lx + 2 * third[0], ly + 2 * third[1]), head)
        tip: Point | None = points[0]
        points = _trim_start(points, ARROW_LENGTH)
        base: Point | None = points[0]
    elif head is not None and points:
        tip, base = head, points[-1]
    else:
        tip = base = None
    out.append(f'<path fill="none" stroke="{colour}" stroke-width="{_f(width)}"{alpha} '
               f'd="{_path(points)}"/>')
    if tip is not None and base is not None:
        out.append(f'<polygon fill="{colour}" stroke="{colour}" stroke-width="1"{alpha} '
                   f'points="{_arrow(tip, base)}"/>')
    if lines and route.label is not None:
        override = theme.muted_text if view_state == "muted" else None
        lx, ly = shift(route.label)
        bold = "contribution" if view_state == "gradient" else None
        left = None if label_width is None else lx - label_width / 2 + LABEL_PAD
        _text_block(lines, lx, ly, theme, override, out, bold_role=bold,
                    font=_esc(theme.css_font()), left=left)
    out.append("</g>")


class _Painter:
    """Draws frames of one trace with one layout and theme, reusing drawn elements.

    A node or edge drawn in the same state with the same text in an earlier
    frame is not drawn again: its SVG fragment is reused, so a sequence of
    frames costs little more than the elements that change.
    """

    def __init__(self, trace: Trace, layout: Layout, theme: Theme, notice: str = "",
                 extra_titles: tuple[str, ...] = ()) -> None:
        self.layout = layout
        self.theme = theme
        self.notice = notice
        self.geometry = geometry(trace, layout, notice, extra_titles)
        self.output = trace.output
        self.label_widths: dict[tuple[str, str], float] = {}
        if layout.rankdir in ("TB", "BT"):
            view = graph_view(trace, layout.collapse, layout.compact)
            self.label_widths = {edge: label_size(lines)[0]
                                 for edge, lines in view.edge_lines.items() if lines}
        out: list[str] = []
        for number, (name, box) in enumerate(layout.clusters.items(), start=1):
            _draw_cluster(number, name, box, self.geometry, theme, out)
        self.clusters = "\n".join(out)
        self.nodes: dict[tuple[int, str, NodeView], str] = {}
        self.edges: dict[tuple[int, tuple[str, str], EdgeView], str] = {}

    def node(self, number: int, node_id: str, view: NodeView) -> str:
        key = (number, node_id, view)
        cached = self.nodes.get(key)
        if cached is None:
            out: list[str] = []
            _draw_node(number, self.layout.nodes[node_id], view.state, view.kind, view.lines,
                       node_id, self.geometry, self.theme, out)
            cached = self.nodes[key] = "\n".join(out)
        return cached

    def edge(self, number: int, edge: tuple[str, str], view: EdgeView) -> str:
        key = (number, edge, view)
        cached = self.edges.get(key)
        if cached is None:
            out: list[str] = []
            width = self.label_widths.get(edge)
            _draw_edge(number, self.layout.edges[edge], view.state, view.toward_parent,
                       view.lines, self.geometry, self.theme, out, width)
            cached = self.edges[key] = "\n".join(out)
        return cached

    def frame(self, content: Frame, panel: Sequence[Line] = ()) -> str:
        g, theme = self.geometry, self.theme
        font = _esc(theme.css_font())
        panel_lines = [(piece, line) for line in panel
                       for piece in wrap(line.text, g.caption_width, line.size)]
        panel_height = sum(line.size * LINE_SPACING for _, line in panel_lines)
        outer = replace(g, height=round(g.height + panel_height + (8.0 if panel else 0.0), 2))
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(outer.width)}pt" '
            f'height="{_f(outer.height)}pt" '
            f'viewBox="0.00 0.00 {_f(outer.width)} {_f(outer.height)}">',
            f'<g id="graph0" class="graph" data-phase="{content.phase}" '
            f'data-stage="{content.index}">',
            f"<title>{_esc(self.output)}</title>",
            f'<rect x="0" y="0" width="{_f(outer.width)}" height="{_f(outer.height)}" '
            f'fill="{theme.background}" stroke="none"/>',
            '<g class="caption">',
        ]
        caption = wrap(content.title, g.caption_width)
        notice = wrap(self.notice, g.caption_width) if self.notice else []
        for k, text in enumerate(caption + notice):
            baseline = MARGIN + TITLE_SIZE * LINE_SPACING * k + TITLE_SIZE
            extra = ' font-style="italic" class="notice"' if k >= len(caption) else ""
            colour = theme.muted_text if k >= len(caption) else theme.text
            out.append(f'<text x="{_f(MARGIN)}" y="{_f(baseline)}" font-family="{font}" '
                       f'font-size="{_f(TITLE_SIZE)}"{extra} fill="{colour}">{_esc(text)}</text>')
        out.append("</g>")
        if self.clusters:
            out.append(self.clusters)
        for number, (edge, view) in enumerate(content.edges.items(), start=1):
            out.append(self.edge(number, edge, view))
        for number, (node_id, node) in enumerate(content.nodes.items(), start=1):
            out.append(self.node(number, node_id, node))
        if panel_lines:
            out.append('<g class="panel">')
            y = g.height - MARGIN + 8.0
            for text, line in panel_lines:
                height = line.size * LINE_SPACING
                baseline = y + height / 2 + line.size * 0.35
                weight = ' font-weight="bold"' if line.role == "name" else ""
                out.append(f'<text x="{_f(MARGIN)}" y="{_f(baseline)}" font-family="{font}" '
                           f'font-size="{_f(line.size)}"{weight} '
                           f'fill="{_line_colour(line, theme)}">{_esc(text)}</text>')
                y += height
            out.append("</g>")
        out.append("</g>")
        out.append("</svg>")
        return "\n".join(out) + "\n"


_PAINTERS: weakref.WeakKeyDictionary[
    Trace, dict[tuple[int, Theme, str, tuple[str, ...]], _Painter]] = \
    weakref.WeakKeyDictionary()


def _painter(trace: Trace, layout: Layout, theme: Theme, notice: str = "",
             extra_titles: tuple[str, ...] = ()) -> _Painter:
    per_trace = _PAINTERS.setdefault(trace, {})
    key = (id(layout), theme, notice, extra_titles)
    painter = per_trace.get(key)
    if painter is None or painter.layout is not layout:
        painter = per_trace[key] = _Painter(trace, layout, theme, notice, extra_titles)
    return painter


def render_frame(trace: Trace, content: Frame, layout: Layout, theme: Theme, *,
                 notice: str = "", extra_titles: Sequence[str] = (),
                 panel: Sequence[Line] = ()) -> str:
    """Draw one frame's content with a stored layout; returns the SVG text.

    Elements unchanged since an earlier frame of the same trace, layout and
    theme are reused rather than drawn again.

    Parameters
    ----------
    trace, content, layout, theme
        The trace, what the frame shows (`adviz.scene.content.frame`, or
        `adviz.scene.view.view_frame` for a collapsed or compact layout), the
        stored layout and the colours.
    notice
        A further caption line (the large-graph notice).
    extra_titles
        Captions of other frames sharing this geometry (reserves caption lines).
    panel
        Lines drawn below the graph (the analytic gradient).
    """
    painter = _painter(trace, layout, theme, notice, tuple(extra_titles))
    return painter.frame(content, panel)


def analytic_panel(trace: Trace) -> tuple[Line, ...]:
    """Lines comparing the analytic gradient (SymPy) with the reverse-mode numbers.

    Raises
    ------
    MissingDependencyError
        SymPy is not installed (``pip install 'adviz[symbolic]'``).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [line.text for line in analytic_panel(t)][1]
    '∂y/∂x₁ = 2x₁ − 2x₂ − sin(x₁ + x₂) = −2.14112 — reverse mode: g_x1 = −2.14112 ✓'
    """
    from adviz.core.symbolic import symbolic_gradient
    from adviz.text.labels import DASH, PARTIAL, pretty_name, pretty_number

    gradients = symbolic_gradient(trace)
    lines = [Line("Analytic gradient (SymPy) beside reverse mode", "name", LINE_SIZE)]
    out = pretty_name(trace.output)
    for name, g in gradients.items():
        value = "?" if g.value is None else pretty_number(g.value)
        agree = g.value is not None and math.isclose(g.value, g.reverse, rel_tol=1e-9,
                                                     abs_tol=1e-12)
        mark = " ✓" if agree else ""
        lines.append(Line(f"{PARTIAL}{out}/{PARTIAL}{pretty_name(name)} = "
                          f"{pretty_formula(g.text)} = {value} {DASH} reverse mode: g_{name} = "
                          f"{pretty_number(g.reverse)}{mark}", "adjoint", LINE_SIZE))
    return tuple(lines)


def pretty_formula(text: str) -> str:
    """A SymPy formula (``sstr``) for display: subscripts, ``²``, ``·`` and ``−``.

    Examples
    --------
    >>> pretty_formula("2*x1 - 2*x2 - sin(x1 + x2)")
    '2x₁ − 2x₂ − sin(x₁ + x₂)'
    >>> pretty_formula("-2*(1 - tanh(w*x)**2)*x**(-1)")
    '−2(1 − tanh(w·x)²)·x^(−1)'
    """
    import re

    from adviz.text.labels import MINUS, pretty_name

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        following = match.string[match.end():match.end() + 1]
        return word if following == "(" else pretty_name(word)

    def power(match: re.Match[str]) -> str:
        exponent = match.group(1)
        return "²" if exponent == "2" else "^" + exponent

    result = re.sub(r"\*\*(\(-?[\d.]+\)|[\d.]+)", power, text)
    result = re.sub(r"(?<![\w.^])(\d+(?:\.\d+)?)\*(?=[A-Za-z(])", r"\1", result)
    result = result.replace("*", "·").replace("-", MINUS)
    return re.sub(r"[A-Za-z_]\w*", name, result)


def to_svg(
    trace: Trace,
    phase: str = "reverse",
    stage: int = -1,
    *,
    theme: str | Theme = "light",
    rankdir: str = "LR",
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    analytic: bool = False,
) -> str:
    """One frame as SVG text.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"`` (default) or ``"summary"`` (all values
        and final adjoints; ``stage`` is ignored).
    stage
        Stage number; the default ``-1`` is the last one.
    theme
        ``"light"`` (default), ``"dark"``, ``"print"`` or a `adviz.scene.style.Theme`.
    rankdir
        ``"LR"`` (inputs left, output right) or ``"TB"``.
    engine
        Graphviz program for the (cached) layout; see `adviz.scene.graphviz`.
    collapse
        Scope labels (``with adviz.scope(label):``) to draw as one box with
        the summed gradient crossing its border (`adviz.scene.collapse`). ``None``
        (default) collapses the outermost scopes of a large graph only.
    full
        Draw a graph with more than `adviz.scene.view.LARGE_GRAPH` nodes with every
        label; by default such graphs get shortened labels and a notice in
        the caption.
    analytic
        Add a panel with the analytic gradient (SymPy) beside the reverse-mode
        numbers; raises `MissingDependencyError` without ``adviz[symbolic]``.

    Returns
    -------
    str
        A standalone SVG document (UTF-8 text).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> svg = adviz.to_svg(t, "summary", theme="dark")
    >>> "g = −2.14112" in svg and "#1e1f22" in svg
    True
    """
    resolved = get_theme(theme)
    panel = analytic_panel(trace) if analytic else ()
    options = view_options(trace, collapse, full)
    layout = compute_layout(trace, rankdir=rankdir, engine=engine, collapse=options.collapse,
                            compact=options.compact)
    view = graph_view(trace, options.collapse, options.compact)
    content = view_frame(trace, view, frame(trace, phase, stage))
    return render_frame(trace, content, layout, resolved, notice=options.notice, panel=panel)


def iter_svg_frames(
    trace: Trace,
    phase: str,
    *,
    theme: str | Theme = "light",
    rankdir: str = "LR",
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
) -> Iterator[str]:
    """Every frame of a phase as SVG text, in stage order (one layout for all).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> len(list(iter_svg_frames(t, "forward")))
    6
    """
    resolved = get_theme(theme)
    options = view_options(trace, collapse, full)
    layout = compute_layout(trace, rankdir=rankdir, engine=engine, collapse=options.collapse,
                            compact=options.compact)
    view = graph_view(trace, options.collapse, options.compact)
    for index in range(frame_count(trace, phase)):
        content = view_frame(trace, view, frame(trace, phase, index))
        yield render_frame(trace, content, layout, resolved, notice=options.notice)
