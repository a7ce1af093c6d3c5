"""The neuron view: a network drawn as teachers draw it (``view="network"``).

Inputs and neurons are circles in columns (inputs left, the loss right), each
weight the edge between the value it multiplies and its neuron
(`adviz.core.network`). A neuron shows its activation and, once the reverse
pass has finished it, its adjoint; a column of more than `ROOMY` neurons
shows both as short numbers in an oval (no name, no bias), so a 16-neuron
layer fits a slide. A weight's edge shows ``w`` and, once known, its
gradient: on every edge when every label finds a free place, otherwise only
on the edges of the one neuron a stage works on.

Stages follow the network, not its scalar nodes: forward, the inputs, then
one stage per layer, then the loss; reverse, the loss, then one stage per
neuron (last layer first; ``granularity="layer"``: one per layer), then one
per input. Every number shown is the scalar trace's own.

`network_figure` builds a `NetworkFigure`: a `adviz.scene.picture.Figure`
whose nodes, edges, layout and frames are the network's, so every renderer
paints it as it paints the scalar view. The layout is computed once and
nothing moves between frames.

Examples
--------
>>> import adviz.examples
>>> fig = network_figure(adviz.examples.mlp((2, 3, 1)))
>>> fig.view.nodes
('x1', 'x2', 'a1_1', 'a1_2', 'a1_3', 'a2_1', 'y')
>>> fig.nodes["a1_1"].shape, fig.nodes["x1"].x < fig.nodes["a1_1"].x < fig.nodes["y"].x
('circle', True)
>>> [len(list(fig.frames(p))) for p in ("forward", "reverse")]
[4, 7]
>>> fig.frame("reverse", 1).title.split(":")[0]
'neuron 1 of layer 2'
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from adviz.core.network import Network, Neuron, network
from adviz.errors import InputError
from adviz.scene.content import Change, EdgeView, Frame, Line, NodeView
from adviz.scene.layout import EdgeRoute, Layout, NodeBox
from adviz.scene.legend import (
    CLEARANCE,
    ENTRY_GAP,
    LEGEND_GAP,
    NETWORK_ENTRIES,
    ROW_HEIGHT,
    LegendBand,
    check_place,
    column_width,
    crosses,
    free_spot,
    rows_needed,
)
from adviz.scene.picture import (
    ARROW_LENGTH,
    CAPTION_GAP,
    MARGIN,
    MIN_WIDTH,
    Arrow,
    CaptionBand,
    EdgeShape,
    Figure,
    NodeShape,
    page_of,
    wrap,
)
from adviz.scene.sizes import fit_scale, larger_size, page_pixels
from adviz.scene.style import LINE_SPACING, TITLE_SIZE, Theme, get_theme
from adviz.scene.view import GraphView
from adviz.text.labels import adjoint_text, text_width, value_text
from adviz.text.network import forward_caption, short, stage_captions, summary_caption
from adviz.text.tokens import Name, Num, Op, text

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

Point = tuple[float, float]

VIEWS = ("graph", "network")
"""What a picture draws: the scalar graph (default) or the neuron view."""

GRANULARITIES = ("neuron", "layer")
"""Reverse stages of the neuron view: one per neuron, or one per layer."""

NET_SIZE = 12.0
"""Size (points) of every text on the neuron view's circles and edges."""

NETWORK_MIN_TEXT = 12.0
"""The least text height (pixels) the neuron view keeps on a page by default."""

ROOMY = 6
"""Columns with at most this many neurons show names, values, biases and adjoints."""

NODE_GAP = 5.0
"""Least space (points) between two circles of a column."""

MIN_COLUMN_GAP = 150.0
"""Least space (points) between two columns."""

LABEL_GAP = 2.0
"""Least space (points) between an edge label and anything else."""

PLATE_PAD = 1.5
"""Space (points) a label's plate reaches beyond its text (less than `LABEL_GAP`, so plates
never touch another label)."""

_LINE = NET_SIZE * LINE_SPACING


# ---------------------------------------------------------------- checks

def check_view(view: str, granularity: str | None = None) -> str:
    """``view`` when it is one of `VIEWS` (and ``granularity`` fits it).

    Examples
    --------
    >>> check_view("network", "layer")
    'network'
    >>> check_view("graph", "layer")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: granularity='layer' applies to view='network' only
    """
    if view not in VIEWS:
        raise InputError(f"unknown view {view!r}; use 'graph' (every scalar node) or "
                         f"'network' (neurons in columns)")
    if granularity is not None:
        if view != "network":
            raise InputError(f"granularity={granularity!r} applies to view='network' only")
        if granularity not in GRANULARITIES:
            raise InputError(f"unknown granularity {granularity!r} for view='network'; use "
                             f"'neuron' (one reverse stage per neuron) or 'layer'")
    return view


# ---------------------------------------------------------------- what is drawn

@dataclass(frozen=True)
class Column:
    """One column of the neuron view: its node ids and whether it is roomy (full lines)."""

    nodes: tuple[str, ...]
    roomy: bool


@dataclass(frozen=True)
class NetworkLines:
    """Every line a node or edge of the neuron view can show (built once).

    Attributes
    ----------
    names, values, biases, adjoints
        Node id -> its line (no entry: the node never shows one).
    weights, gradients
        Edge -> its ``w`` line and its ``g_w`` line (weights only).
    """

    names: dict[str, Line]
    values: dict[str, Line]
    biases: dict[str, Line]
    adjoints: dict[str, Line]
    weights: dict[tuple[str, str], Line]
    gradients: dict[tuple[str, str], Line]


def _columns(net: Network) -> list[Column]:
    columns = [Column(net.inputs, True)]
    for layer in net.layers:
        nodes = tuple(n.activation for n in layer.neurons)
        columns.append(Column(nodes, len(nodes) <= ROOMY))
    columns.append(Column((net.loss,), True))
    return columns


def _edges(net: Network) -> dict[tuple[str, str], str | None]:
    """Drawn edge -> the weight it stands for (``None``: into the loss)."""
    edges: dict[tuple[str, str], str | None] = {}
    for neuron in net.neurons:
        for weight, value in zip(neuron.weights, neuron.inputs):
            edges[(value, neuron.activation)] = weight
    for neuron in net.layers[-1].neurons:
        edges[(neuron.activation, net.loss)] = None
    return edges


def _lines(trace: Trace, net: Network, columns: Sequence[Column],
           edges: dict[tuple[str, str], str | None]) -> NetworkLines:
    data = trace.graph.nodes
    g = trace.adjoints
    names: dict[str, Line] = {}
    values: dict[str, Line] = {}
    biases: dict[str, Line] = {}
    adjoints: dict[str, Line] = {}
    neuron_of = {n.activation: n for n in net.neurons}
    for column in columns:
        for node in column.nodes:
            value = float(data[node]["value"])
            adjoint = float(g.get(node, 0.0))
            if column.roomy:
                names[node] = Line.of(text(Name(node)), "name", NET_SIZE)
                values[node] = Line.of(value_text(value), "value", NET_SIZE)
                adjoints[node] = Line.of(adjoint_text(adjoint), "adjoint", NET_SIZE)
                neuron = neuron_of.get(node)
                if neuron is not None and neuron.bias is not None:
                    bias = float(data[neuron.bias]["value"])
                    biases[node] = Line.of(text(Name(neuron.bias), Op(" = "), Num(bias)),
                                           "value", NET_SIZE)
            else:
                values[node] = Line.of(text(Num(short(value))), "value", NET_SIZE)
                adjoints[node] = Line.of(text(Op("g "), Num(short(adjoint))), "adjoint",
                                         NET_SIZE)
    weights: dict[tuple[str, str], Line] = {}
    gradients: dict[tuple[str, str], Line] = {}
    for key, weight in edges.items():
        if weight is None:
            continue
        w, gw = float(data[weight]["value"]), float(g.get(weight, 0.0))
        weights[key] = Line.of(text(Name(weight), Op(" = "), Num(w)), "partial", NET_SIZE)
        gradients[key] = Line.of(text(Name("g"), Op(" = "), Num(gw)), "contribution", NET_SIZE)
    return NetworkLines(names, values, biases, adjoints, weights, gradients)


# ---------------------------------------------------------------- geometry

def _node_lines(node: str, lines: NetworkLines) -> tuple[Line, ...]:
    """Every line a node can show at once (the widest frame)."""
    found = (lines.names.get(node), lines.values.get(node), lines.biases.get(node),
             lines.adjoints.get(node))
    return tuple(line for line in found if line is not None)


def _circle(block: Sequence[Line]) -> tuple[float, float]:
    """Width and height of the smallest circle holding ``block`` (each line's glyphs:
    its width, 0.84 of its size high, centred on its line).

    Examples
    --------
    >>> _circle((Line("x", "name", 12.0), Line("= 1", "value", 12.0)))
    (37.49, 37.49)
    """
    count = max(len(block), 1)
    centres = [(k - (count - 1) / 2) * _LINE for k in range(count)]
    r = max((math.hypot(text_width(line.text, line.size) / 2, abs(y) + 0.42 * line.size)
             for line, y in zip(block, centres)), default=8.0) + 2.0
    return round(2 * r, 2), round(2 * r, 2)


def _oval(block: Sequence[Line]) -> tuple[float, float]:
    """Width and height of the circle (an oval when the text is wide) holding ``block``.

    Every line's glyphs (its width, 0.8 of its size high, centred on its line)
    lie inside the ellipse; it is a circle whenever the text allows one.

    Examples
    --------
    >>> _oval((Line("x", "name", 12.0),))
    (19.6, 19.6)
    """
    count = max(len(block), 1)
    b = count * _LINE / 2 + 2.0
    a = 0.0
    centres = [(k - (count - 1) / 2) * _LINE for k in range(count)]
    for line, y in zip(block, centres):
        reach = min((abs(y) + 0.42 * line.size) / b, 0.97)
        half = text_width(line.text, line.size) / 2 + 1.5
        a = max(a, half / math.sqrt(1.0 - reach ** 2))
    a = max(a, b)
    return round(2 * a, 2), round(2 * b, 2)


def _border(centre: Point, size: tuple[float, float], toward: Point) -> Point:
    """Where the segment from an oval's centre toward ``toward`` meets its border."""
    (cx, cy), (w, h) = centre, size
    dx, dy = toward[0] - cx, toward[1] - cy
    scale = 1.0 / math.sqrt((dx / (w / 2)) ** 2 + (dy / (h / 2)) ** 2)
    return (cx + dx * scale, cy + dy * scale)


def _straight(p: Point, q: Point) -> tuple[Point, Point, Point, Point]:
    """A straight segment as one cubic Bezier."""
    return (p, (p[0] + (q[0] - p[0]) / 3, p[1] + (q[1] - p[1]) / 3),
            (p[0] + 2 * (q[0] - p[0]) / 3, p[1] + 2 * (q[1] - p[1]) / 3), q)


Rect = tuple[float, float, float, float]


def _block(lines: Sequence[Line], centre: Point) -> Rect:
    width = max(text_width(line.text, line.size) for line in lines)
    height = len(lines) * _LINE
    return (centre[0] - width / 2, centre[1] - height / 2,
            centre[0] + width / 2, centre[1] + height / 2)


def _overlap(a: Rect, b: Rect, gap: float = LABEL_GAP) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


FRACTIONS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8, 0.14, 0.86)
"""Where along its edge a label may sit, most wanted first (all labels shown)."""

NEAR_PARENT = (0.27, 0.22, 0.32, 0.18, 0.37, 0.42, 0.14, 0.48, 0.55)
"""The same when only one neuron's edges are labelled: they fan out near their parents."""


def _place(groups: Sequence[Sequence[tuple[str, str]]],
           blocks: Mapping[tuple[str, str], tuple[Line, ...]],
           ends: dict[tuple[str, str], tuple[Point, Point]],
           nodes: Sequence[Rect], fractions: Sequence[float], clear: bool = False
           ) -> tuple[dict[tuple[str, str], Point], list[tuple[str, str]]]:
    """Label centres along the edges, no two of a group and no label and node overlapping
    (greedy, in edge order; with ``clear``, no label crossed by another edge of its group);
    the edges whose label found no place are returned too."""
    anchors: dict[tuple[str, str], Point] = {}
    missed: list[tuple[str, str]] = []
    for group in groups:
        placed: list[Rect] = []
        for key in group:
            (x0, y0), (x1, y1) = ends[key]
            length = math.dist((x0, y0), (x1, y1)) or 1.0
            nx, ny = (y0 - y1) / length, (x1 - x0) / length  # the normal, upward first
            if ny > 0:
                nx, ny = -nx, -ny
            box = _block(blocks[key], (0.0, 0.0))
            # Beside the edge, never on it: the block's reach along the normal, plus a gap.
            off = abs(nx) * box[2] + abs(ny) * box[3] + LABEL_GAP + 1.0
            for t, side in ((t, side) for t in fractions for side in (1.0, -1.0)):
                centre = (round(x0 + (x1 - x0) * t + side * nx * off, 2),
                          round(y0 + (y1 - y0) * t + side * ny * off, 2))
                rect = _block(blocks[key], centre)
                if any(_overlap(rect, r) for r in placed) or \
                        any(_overlap(rect, r) for r in nodes) or \
                        (clear and any(crosses(rect, *ends[other])
                                      for other in group if other != key)):
                    continue
                anchors[key] = centre
                placed.append(rect)
                break
            else:
                missed.append(key)
    return anchors, missed


# ---------------------------------------------------------------- the figure

@dataclass(eq=False)
class NetworkFigure(Figure):
    """The neuron view of a network: a `Figure` whose frames are the network's stages.

    Attributes
    ----------
    network
        The `adviz.core.network.Network` drawn.
    granularity
        ``"neuron"`` (one reverse stage per neuron) or ``"layer"``.
    labelled
        Whether every weight edge carries its labels (there is room for all);
        otherwise only the edges of the one neuron a stage works on do.
    columns
        The columns, inputs first, the loss last.
    weights
        Drawn edge -> the weight it stands for (``None``: an edge into the loss).
    hovers
        Drawn node id or edge -> the text shown on hovering it: its values at
        full precision (`hover_texts`), one per element, the same in every frame.
    """

    network: Any = None
    granularity: str = "neuron"
    labelled: bool = True
    columns: tuple[Column, ...] = ()
    weights: dict[tuple[str, str], str | None] = field(default_factory=dict)
    lines: Any = None
    hovers: dict[Any, str] = field(default_factory=dict)

    def plate(self, key: tuple[str, str], texts: Sequence[tuple[str, float]]) -> Rect | None:
        """The plate behind an edge's label: a box of the background colour under its lines
        (``texts``: each line's text and size), drawn over the edges beneath, so a label
        reads over the mesh of other weights; ``None`` without a label or lines.

        Examples
        --------
        >>> import adviz.examples
        >>> fig = network_figure(adviz.examples.mlp((2, 2, 1)))
        >>> x0, y0, x1, y1 = fig.plate(("x1", "a1_1"), [("w1_11 = 0.69", NET_SIZE)])
        >>> x0 < fig.edges["x1", "a1_1"].label[0] < x1
        True
        """
        shape = self.edges[key]
        if shape.label is None or not texts:
            return None
        width = max(text_width(text, size) for text, size in texts)
        height = sum(size * LINE_SPACING for _, size in texts)
        cx, cy = shape.label
        return (round(cx - width / 2 - PLATE_PAD, 2), round(cy - height / 2 - PLATE_PAD, 2),
                round(cx + width / 2 + PLATE_PAD, 2), round(cy + height / 2 + PLATE_PAD, 2))

    def frame(self, phase: str, index: int = -1) -> Frame:
        """The frame of ``phase`` after stage ``index``."""
        frames = self._frames(phase)
        if not -len(frames) <= index < len(frames):
            raise InputError(f"{phase} stage {index} does not exist: there are {len(frames)} "
                             f"stages (0 to {len(frames) - 1})")
        return frames[index]

    def frames(self, phase: str) -> Iterator[Frame]:
        """Every frame of ``phase`` in stage order."""
        yield from self._frames(phase)

    def changes(self, phase: str) -> Iterator[Change]:
        """What each stage changes: every element at stage 0, then the differences."""
        yield from _diff(iter(self._frames(phase)))

    def stage_count(self, phase: str) -> int:
        """Number of stages of ``phase`` in this view."""
        return len(self._frames(phase))

    def _frames(self, phase: str) -> tuple[Frame, ...]:
        name = f"network-frames:{phase}"
        found = self.cache.get(name)
        if found is None:
            built = _build_frames(self, phase)
            focus = self.focus
            found = self.cache[name] = tuple(built if focus is None
                                             else (focus.frame(f) for f in built))
        return tuple(found)


# ---------------------------------------------------------------- stages

@dataclass(frozen=True)
class _Step:
    """One reverse stage: the nodes it finishes and the edges that carry its gradient."""

    title: str
    finished: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    group: bool  # whether its edges are one neuron's (labelled when labels are sparse)


def reverse_steps(trace: Trace, granularity: str = "neuron") -> list[_Step]:
    """The reverse stages of the neuron view (see the module).

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> [s.finished for s in reverse_steps(t)]
    [('y',), ('a2_1',), ('a1_1',), ('a1_2',), ('x1',), ('x2',)]
    >>> len(reverse_steps(t, "layer"))
    4
    """
    net = trace.network
    titles = iter(t.unicode() for t in stage_captions(trace, "reverse", granularity))
    steps = [_Step(next(titles), (net.loss,),
                   tuple((n.activation, net.loss) for n in net.layers[-1].neurons), False)]

    def into(neuron: Neuron) -> tuple[tuple[str, str], ...]:
        return tuple((value, neuron.activation) for value in neuron.inputs)

    for layer in reversed(net.layers):
        if granularity == "layer":
            edges = tuple(e for n in layer.neurons for e in into(n))
            steps.append(_Step(next(titles), tuple(n.activation for n in layer.neurons), edges,
                               len(layer.neurons) == 1))
            continue
        for neuron in layer.neurons:
            steps.append(_Step(next(titles), (neuron.activation,), into(neuron), True))
    if granularity == "layer":
        steps.append(_Step(next(titles), net.inputs, (), False))
    else:
        steps += [_Step(next(titles), (x,), (), False) for x in net.inputs]
    return steps


def _kind(fig: NetworkFigure, node: str) -> str:
    net = fig.network
    if node == net.loss:
        return "output"
    return "input" if node in net.inputs else "op"


def _ordered(edges: dict[tuple[str, str], EdgeView]) -> MappingProxyType[Any, EdgeView]:
    """Edges with the highlighted ones last, so they are painted over the thin rest."""
    rank = {"muted": 0, "pending": 0, "done": 1, "passed": 2, "forward": 3, "gradient": 3}
    order = sorted(edges, key=lambda key: rank.get(edges[key].state, 0))
    return MappingProxyType({key: edges[key] for key in order})


def _edge_lines(fig: NetworkFigure, key: tuple[str, str], gradient: bool,
                shown: bool) -> tuple[Line, ...]:
    lines = fig.lines
    if key not in lines.weights or fig.edges[key].label is None:
        return ()
    if not fig.labelled and not shown:
        return ()
    if gradient:
        return (lines.weights[key], lines.gradients[key])
    return (lines.weights[key],)


def _node(fig: NetworkFigure, node: str, state: str, value: bool, adjoint: bool) -> NodeView:
    lines = fig.lines
    found = [lines.names.get(node)]
    if value:
        found += [lines.values.get(node), lines.biases.get(node)]
    if adjoint:
        found.append(lines.adjoints.get(node))
    return NodeView(state, _kind(fig, node), tuple(line for line in found if line is not None))


def _build_frames(fig: NetworkFigure, phase: str) -> Iterator[Frame]:
    trace, net = fig.trace, fig.network
    nodes = fig.view.nodes
    if phase == "summary":
        views = {n: _node(fig, n, "done", True, True) for n in nodes}
        edges = {key: EdgeView("done", _edge_lines(fig, key, True, False))
                 for key in fig.view.edges}
        yield Frame("summary", 0, summary_caption(trace).unicode(), MappingProxyType(views),
                    _ordered(edges))
        return
    if phase == "forward":
        yield from _forward_frames(fig)
        return
    if phase != "reverse":
        raise InputError(f"view='network' draws the phases 'forward', 'reverse' and "
                         f"'summary', not {phase!r}; use view='graph' for forward mode")
    finished: set[str] = set()
    passed: set[tuple[str, str]] = set()
    for index, step in enumerate(reverse_steps(trace, fig.granularity)):
        now = set(step.edges)
        receiving = {parent for parent, _ in step.edges} - finished - set(step.finished)
        finished.update(step.finished)
        views = {}
        for n in nodes:
            if n in step.finished:
                state = "active"
            elif n in receiving:
                state = "receiving"
            elif n in finished:
                state = "done"
            else:
                state = "muted"
            views[n] = _node(fig, n, state, True, n in finished)
        edges = {}
        for key in fig.view.edges:
            if key in now:
                edges[key] = EdgeView("gradient", _edge_lines(fig, key, True, step.group), True)
            elif key in passed:
                edges[key] = EdgeView("passed", _edge_lines(fig, key, True, False))
            else:
                edges[key] = EdgeView("pending", _edge_lines(fig, key, False, False))
        passed |= now
        yield Frame("reverse", index, step.title, MappingProxyType(views), _ordered(edges))
    del net


def _forward_frames(fig: NetworkFigure) -> Iterator[Frame]:
    trace = fig.trace
    computed: set[str] = set()
    columns = fig.columns
    into: dict[str, list[tuple[str, str]]] = {}
    for key in fig.view.edges:
        into.setdefault(key[1], []).append(key)
    done_edges: set[tuple[str, str]] = set()
    for index, column in enumerate(columns):
        current = set(column.nodes)
        computed |= current
        now = {key for node in column.nodes for key in into.get(node, ())}
        views = {}
        for n in fig.view.nodes:
            state = "active" if n in current else "done" if n in computed else "muted"
            views[n] = _node(fig, n, state, n in computed, False)
        single = len(column.nodes) == 1
        edges = {}
        for key in fig.view.edges:
            if key in now:
                edges[key] = EdgeView("forward", _edge_lines(fig, key, False, single))
            elif key in done_edges:
                edges[key] = EdgeView("done", _edge_lines(fig, key, False, False))
            else:
                edges[key] = EdgeView("muted", ())
        done_edges |= now
        yield Frame("forward", index, forward_caption(trace, index).unicode(),
                    MappingProxyType(views), _ordered(edges))


# ---------------------------------------------------------------- building

_NETWORK_FIGURES: weakref.WeakKeyDictionary[Trace, dict[tuple[Any, ...], Figure]] = \
    weakref.WeakKeyDictionary()


def network_figure(trace: Trace, *, theme: str | Theme | None = "light",
                   granularity: str | None = None, size: Any = None,
                   min_text: float | None = None, focus: str | None = None,
                   zoom: str | None = None, output: str | int | None = None,
                   legend: bool | str = False) -> NetworkFigure | NetworkZoomFigure:
    """The neuron view of a network trace (built once per trace and options).

    Parameters
    ----------
    trace
        A network `Trace` (`adviz.core.network.network`).
    theme
        A theme name or `adviz.scene.style.Theme`.
    granularity
        ``"neuron"`` (default: one reverse stage per neuron) or ``"layer"``.
    size
        The page the picture fills (as `adviz.scene.picture.figure` takes it).
    min_text
        With ``size``: the least text height in pixels (default
        `NETWORK_MIN_TEXT`, 12).
    focus
        A node (any node of the trace: a weight, a bias, a neuron's inner node,
        an input) whose paths to the loss stay in full colour, the rest
        ``"unfocused"`` (`network_focus` says which circles and edges hold
        them); the caption band adds the sum over the paths.
    zoom
        A scope (``"neuron 2"``, ``"layer 1/neuron 2"``): its scalar graph drawn
        open, the rest of the network collapsed around it, at the neuron
        view's stages (`NetworkZoomFigure`).
    output
        Refused: a network has one output, its loss.
    legend
        A legend of the colours (`adviz.scene.legend`, the neuron view's
        entries): ``True`` (or ``"inside"``) puts it in a corner of the
        drawing that no neuron, edge or label uses, or, when no corner is
        free, in a corner made beside the loss or under the network (the one
        that keeps the text larger on the page); ``"below"`` or ``"right"``
        put it there; ``False`` (default): none.

    Raises
    ------
    InputError
        The trace is not a network, an unknown granularity, an unknown focused
        node or zoomed scope, an ``output``, or a page too small for the text to
        reach ``min_text``.
    """
    granularity = granularity or "neuron"
    check_view("network", granularity)
    if output is not None:
        raise InputError(f"output={output!r} does not apply to view='network': a network "
                         f"has one output, its loss; leave out output=")
    if zoom is not None:
        return zoom_figure(trace, zoom, theme=theme, granularity=granularity, size=size,
                           min_text=min_text, focus=focus, legend=legend)
    resolved = get_theme(theme)
    least = NETWORK_MIN_TEXT if min_text is None else float(min_text)
    chosen = None
    if focus is not None:
        from adviz.scene.focus import focus_of

        chosen = focus_of(trace, focus)
    place = check_place(legend)
    if legend is True:
        place = "inside"
    key = (resolved, granularity, size if not isinstance(size, list) else tuple(size), least,
           None if chosen is None else chosen.node, place)
    cached = _NETWORK_FIGURES.get(trace, {}).get(key)
    if cached is not None:
        return cast("NetworkFigure", cached)
    page = page_pixels(size) if size is not None else None
    fig = _build(trace, resolved, granularity, "" if chosen is None else chosen.line, place, page)
    if chosen is not None:
        fig.focus = network_focus(fig, chosen)
    if size is not None:
        assert page is not None
        scale = fit_scale(fig.width, fig.height, page)
        pixels = min(NET_SIZE, TITLE_SIZE) * scale
        enforce = isinstance(size, str)
        if enforce and pixels < least - 1e-9:
            raise InputError(
                f"at size {size!r} the neuron view's smallest text would be {pixels:.1f} px "
                f"high, below the {least:g} px minimum; use a larger size (such as "
                f"{larger_size(page, pixels, least, fig.height / fig.width)}) or pass "
                f"min_text={math.floor(pixels * 10) / 10:g}")
        fig.size = size
        fig.page = page_of(fig, size, page, pixels, least if enforce else 0.0)
    _NETWORK_FIGURES.setdefault(trace, {})[key] = fig
    return fig


def _legend_band(place: str | None, width: float, height: float, area: Rect,
                 obstacles: Sequence[Rect], segments: Sequence[tuple[Point, Point]],
                 page: tuple[float, float | None] | None
                 ) -> tuple[LegendBand | None, float, float]:
    """Where the neuron view's legend goes, and the frame's width and height with it.

    ``area`` is the drawing (neurons, edges, labels; the caption above it). A
    legend ``"inside"`` takes a corner of it that keeps `CLEARANCE` from every
    circle, label block (``obstacles``) and edge (``segments``), as a column
    or, if only that fits, in two columns; when no corner is free, the frame
    grows by the least that frees one: to the right, beside the loss (the
    last column holds one circle), or downward, a band under the network,
    whichever keeps the larger scale on ``page`` (the smaller frame without one).
    """
    if place is None:
        return None, width, height
    column = column_width(NETWORK_ENTRIES)
    tall = rows_needed(column, NETWORK_ENTRIES) * ROW_HEIGHT
    x0, y0, x1, y1 = area

    def below() -> tuple[LegendBand, float, float]:
        inner = width - 2 * MARGIN
        band = LegendBand(MARGIN, round(y1 + LEGEND_GAP, 2), inner,
                          rows_needed(inner, NETWORK_ENTRIES))
        return band, width, round(band.top + band.height + MARGIN, 2)

    def right() -> tuple[LegendBand, float, float]:
        # The least growth that frees a right-hand corner, then the whole column beside it.
        bottom = max(y1, y0 + tall)
        for step in range(0, 11):
            grown = (column + 2 * CLEARANCE) * step / 10
            spot = free_spot(column, tall, (x0, y0, x1 + grown, bottom), obstacles, (),
                             segments)
            if spot is not None:
                break
        assert spot is not None  # at full growth the column is right of everything
        band = LegendBand(spot[0], spot[1], column, rows_needed(column, NETWORK_ENTRIES))
        return (band, round(max(width, spot[0] + column + MARGIN), 2),
                round(max(height, bottom + MARGIN), 2))

    if place == "below":
        return below()
    if place == "right":
        return right()
    for inner in (column, 2 * column + ENTRY_GAP):
        count = rows_needed(inner, NETWORK_ENTRIES)
        spot = free_spot(inner, count * ROW_HEIGHT, area, obstacles, (), segments)
        if spot is not None:
            return LegendBand(spot[0], spot[1], inner, count), width, height
    options = [right(), below()]
    if page is not None:
        return max(options, key=lambda o: fit_scale(o[1], o[2], page))
    return min(options, key=lambda o: o[1] * o[2])


def _build(trace: Trace, theme: Theme, granularity: str, notice: str = "",
           legend: str | None = None, page: tuple[float, float | None] | None = None
           ) -> NetworkFigure:
    net = network(trace)
    columns = _columns(net)
    edges = _edges(net)
    lines = _lines(trace, net, columns, edges)
    sizes = {node: (_circle if column.roomy else _oval)(_node_lines(node, lines))
             for column in columns for node in column.nodes}
    # Columns: evenly spaced in height around the tallest one.
    pitch = [max(sizes[n][1] for n in c.nodes) + NODE_GAP for c in columns]
    tallest = max(len(c.nodes) * p for c, p in zip(columns, pitch))
    widest_label = max((text_width(line.text, NET_SIZE) for line in
                        (*lines.weights.values(), *lines.gradients.values())), default=0.0)
    gap = max(MIN_COLUMN_GAP, widest_label + 60.0)
    x = 0.0
    centres: dict[str, Point] = {}
    for column in columns:
        width = max(sizes[n][0] for n in column.nodes)
        x += width / 2
        step = tallest / len(column.nodes)
        for k, node in enumerate(column.nodes):
            centres[node] = (round(x, 2), round(step * (k + 0.5), 2))
        x += width / 2 + gap
    drawing_width = x - gap
    # Edges: straight, between the borders; the arrowhead (gradient) at the parent.
    ends: dict[tuple[str, str], tuple[Point, Point]] = {}
    for parent, child in edges:
        p0 = _border(centres[parent], sizes[parent], centres[child])
        p3 = _border(centres[child], sizes[child], centres[parent])
        ends[(parent, child)] = (p0, p3)
    node_rects = [(cx - sizes[n][0] / 2, cy - sizes[n][1] / 2, cx + sizes[n][0] / 2,
                   cy + sizes[n][1] / 2) for n, (cx, cy) in centres.items()]
    labelled_keys = [key for key, w in edges.items() if w is not None]
    full_blocks = {key: (lines.weights[key], lines.gradients[key]) for key in labelled_keys}
    anchors, missed = _place([labelled_keys], full_blocks, ends, node_rects, FRACTIONS)
    labelled = not missed
    if not labelled:  # one neuron's edges at a time
        groups: dict[str, list[tuple[str, str]]] = {}
        for key in labelled_keys:
            groups.setdefault(key[1], []).append(key)
        anchors, _ = _place(list(groups.values()), full_blocks, ends, node_rects, NEAR_PARENT,
                            clear=True)
    titles = [t.unicode() for t in stage_captions(trace, "forward")]
    titles += [s.title for s in reverse_steps(trace, granularity)]
    titles.append(summary_caption(trace).unicode())
    width = max(drawing_width + 2 * MARGIN, MIN_WIDTH)
    caption_width = width - 2 * MARGIN
    count = max(len(wrap(t, caption_width)) for t in titles)
    notice_lines = tuple(wrap(notice, caption_width)) if notice else ()
    count += len(notice_lines)
    dy = round(MARGIN + count * TITLE_SIZE * LINE_SPACING + CAPTION_GAP, 2)
    dx = round((width - drawing_width) / 2, 2)
    height = round(dy + tallest + MARGIN, 2)
    shapes = {n: NodeShape(n, round(cx + dx, 2), round(cy + dy, 2), sizes[n][0], sizes[n][1],
                           "circle") for n, (cx, cy) in centres.items()}
    boxes = {n: NodeBox(n, cx, cy, sizes[n][0], sizes[n][1]) for n, (cx, cy) in centres.items()}
    edge_shapes: dict[tuple[str, str], EdgeShape] = {}
    routes: dict[tuple[str, str], EdgeRoute] = {}
    for key, (p0, p3) in ends.items():
        length = math.dist(p0, p3) or 1.0
        ux, uy = (p3[0] - p0[0]) / length, (p3[1] - p0[1]) / length
        q0 = (p0[0] + ux * ARROW_LENGTH, p0[1] + uy * ARROW_LENGTH)

        def shift(p: Point) -> Point:
            return (round(p[0] + dx, 2), round(p[1] + dy, 2))

        forward = tuple(shift(p) for p in _straight(p0, p3))
        reverse = tuple(shift(p) for p in _straight(q0, p3))
        anchor = anchors.get(key)
        label = shift(anchor) if anchor is not None else None
        edge_shapes[key] = EdgeShape(key[0], key[1], forward, None, reverse,
                                     Arrow(shift(p0), shift(q0)), label)
        routes[key] = EdgeRoute(key[0], key[1], _straight(p0, p3), None, anchor)
    layout = Layout(round(drawing_width, 2), round(tallest, 2), "LR", MappingProxyType(boxes),
                    MappingProxyType(routes))
    node_lines = {n: tuple(line.text for line in _node_lines(n, lines)) for n in centres}
    edge_lines = {key: tuple(line.text for line in full_blocks[key])
                  if key in full_blocks and key in anchors else () for key in edges}
    view = GraphView(tuple(centres), MappingProxyType(node_lines), tuple(edges),
                     MappingProxyType(edge_lines), MappingProxyType({}), None, False)
    band = CaptionBand(MARGIN, MARGIN, caption_width, count, notice_lines)
    # The legend: in a corner nothing else uses (every label any frame shows is an obstacle).
    obstacles = [(s.x - s.width / 2, s.y - s.height / 2, s.x + s.width / 2, s.y + s.height / 2)
                 for s in shapes.values()]
    obstacles += [_block(full_blocks[key], shape.label) for key, shape in edge_shapes.items()
                  if shape.label is not None and key in full_blocks]
    segments = [(shape.forward[0], shape.forward[-1]) for shape in edge_shapes.values()]
    area = (MARGIN, dy, round(width - MARGIN, 2), round(dy + tallest, 2))
    key_band, width, height = _legend_band(legend, round(width, 2), height, area, obstacles,
                                           segments, page)
    return NetworkFigure(trace, theme, view, layout, notice, round(width, 2), height, dx, dy,
                         band, shapes, edge_shapes, {}, legend=key_band, network=net,
                         granularity=granularity, labelled=labelled, columns=tuple(columns),
                         weights=edges, lines=lines, hovers=hover_texts(trace, net, edges))


# ---------------------------------------------------------------- hover texts

def _number(value: Any) -> str:
    from adviz.formatting import format_constant

    return format_constant(float(value))


def hover_texts(trace: Trace, net: Network, edges: Mapping[tuple[str, str], str | None]
                ) -> dict[Any, str]:
    """What hovering each circle and edge of the neuron view shows: its values and adjoints
    at full precision (the shortest text that reads back as the same float), one line each.

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> texts = hover_texts(t, t.network, {("x2", "a1_2"): "w1_22"})
    >>> print(texts[("x2", "a1_2")])
    w1_22 = 0.02 (x2 → a1_2)
    g_w1_22 = 0.42122694599546573
    >>> print(texts["a1_2"].splitlines()[0])
    neuron 2 of layer 1
    """
    data = trace.graph.nodes
    g = trace.adjoints

    def pair(node: str) -> list[str]:
        return [f"{node} = {_number(data[node]['value'])}",
                f"g_{node} = {_number(g.get(node, 0.0))}"]

    out: dict[Any, str] = {}
    for x in net.inputs:
        out[x] = "\n".join(["input", *pair(x)])
    for neuron in net.neurons:
        lines = [neuron.name, *pair(neuron.activation)]
        if neuron.pre != neuron.activation:
            lines += pair(neuron.pre)
        if neuron.bias is not None:
            lines += pair(neuron.bias)
        out[neuron.activation] = "\n".join(lines)
    out[net.loss] = "\n".join(["loss", *pair(net.loss)])
    for (parent, child), weight in edges.items():
        if weight is None:
            out[(parent, child)] = "\n".join([f"{parent} → {child}", *pair(parent)])
        else:
            w, gw = pair(weight)
            out[(parent, child)] = f"{w} ({parent} → {child})\n{gw}"
    return out


# ---------------------------------------------------------------- focus

def holders(trace: Trace, net: Network) -> dict[str, str | tuple[str, str]]:
    """The element of the neuron view holding each scalar node: a weight's edge (the value
    it multiplies -> its neuron), a neuron's circle (its activation's id) for every node
    of its scope and its bias, an input's circle, and the loss's circle for the nodes
    after the last layer.

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> held = holders(t, t.network)
    >>> held["w1_22"], held["b1_2"], held["z1_2"], held["x1"], held["y"]
    (('x2', 'a1_2'), 'a1_2', 'a1_2', 'x1', 'y')
    """
    held: dict[str, str | tuple[str, str]] = {x: x for x in net.inputs}
    for neuron in net.neurons:
        for node in neuron.nodes:
            held[node] = neuron.activation
        if neuron.bias is not None:
            held[neuron.bias] = neuron.activation
        for weight, value in zip(neuron.weights, neuron.inputs):
            held[weight] = (value, neuron.activation)
    data = trace.graph.nodes
    for each in trace.program.nodes:
        if each.id not in held and data[each.id]["kind"] == "op":
            held[each.id] = net.loss
    return held


def network_focus(fig: NetworkFigure, focus: Any) -> Any:
    """Where a focus (`adviz.scene.focus.Focus`) is drawn in the neuron view: the circles
    and edges holding a node or an edge of its paths (`holders`), as a
    `adviz.scene.focus.DrawnFocus`.

    A weight's edge is kept in colour when a path runs through the product it
    stands for (from the weight or from the value it multiplies), an edge
    between two circles when a path leaves the one for the other.

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.focus import focus_of
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> drawn = network_focus(network_figure(t), focus_of(t, "w1_22"))
    >>> sorted(drawn.nodes), sorted(drawn.edges)
    (['a1_2', 'a2_1', 'y'], [('a1_2', 'a2_1'), ('a2_1', 'y'), ('x2', 'a1_2')])
    """
    from adviz.scene.focus import DrawnFocus

    held = holders(fig.trace, fig.network)
    drawn = set(fig.view.edges)
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for node in focus.nodes:
        where = held.get(node)
        if isinstance(where, tuple):
            edges.add(where)
        elif where is not None:
            nodes.add(where)
    for parent, child in focus.edges:
        above, below = held.get(parent), held.get(child)
        if isinstance(above, tuple):
            edges.add(above)
        elif isinstance(above, str) and isinstance(below, str) and above != below:
            edges.add((above, below))
    return DrawnFocus(focus, frozenset(nodes), frozenset(edges & drawn))


# ---------------------------------------------------------------- zoom

def _diff(frames: Iterator[Frame]) -> Iterator[Change]:
    """What each frame changes: every element at the first, then the differences."""
    before: Frame | None = None
    for now in frames:
        if before is None:
            nodes, edges = dict(now.nodes), dict(now.edges)
        else:
            nodes = {n: v for n, v in now.nodes.items() if before.nodes.get(n) != v}
            edges = {e: v for e, v in now.edges.items() if before.edges.get(e) != v}
        yield Change(now.phase, now.index, now.title, MappingProxyType(nodes),
                     MappingProxyType(edges))
        before = now


def _mapped(covered: Sequence[Sequence[str]], index: Mapping[str, int],
            inside: Sequence[str]) -> tuple[int, ...]:
    out: list[int] = []
    done: set[str] = set()
    upper = 0
    for nodes in covered:
        done.update(nodes)
        before = out[-1] if out else 0
        upper = max([upper, *(index[n] for n in nodes if n in index)])
        cap = [index[n] - 1 for n in inside if n not in done and n in index]
        out.append(max(before, min([upper, *cap])))
    return tuple(out)


def stage_map(trace: Trace, granularity: str = "neuron", scope: Sequence[str] = ()
              ) -> dict[str, tuple[int, ...]]:
    """The scalar stage at the same point of the pass as each stage of the neuron view.

    Each neuron view stage covers scalar nodes: forward, the inputs nothing,
    a layer every node of its neurons, the loss every node after the last
    layer; reverse, the loss stage every node after the last layer, a neuron
    every node of its scope (a layer: of its neurons'), an input nothing. Its
    scalar stage is the one after which every node it and the stages before
    it cover has been evaluated (forward) or has sent its gradient to its
    parents (reverse), and never earlier than the stage before it.

    The scalar pass does not finish the neurons of a layer one at a time (its
    queue interleaves them), so with ``scope`` (the zoomed scope's path) a
    stage is moved back to just before the first node of the scope that a
    later stage covers: the zoomed scope changes exactly at the stages that
    cover it. Summary: the summary.

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> mapped = stage_map(t)
    >>> mapped["forward"], len(t.forward_stages) - 1
    ((0, 10, 15, 17), 17)
    >>> mapped["reverse"], len(t.reverse_stages) - 1
    ((2, 7, 17, 17, 17, 17), 17)
    >>> stage_map(t, scope=("layer 1", "neuron 2"))["reverse"]
    (2, 7, 7, 17, 17, 17)
    """
    net = network(trace)
    evaluated = {s.node: s.index for s in trace.forward_stages if s.node is not None}
    processed = {s.node: s.index for s in trace.reverse_stages if s.node is not None}
    owner = {n.activation: n for n in net.neurons}
    after = [n for n, where in holders(trace, net).items() if where == net.loss]
    inside = [n.id for n in trace.program.nodes if tuple(n.scope[:len(scope)]) == tuple(scope)
              ] if scope else []
    forward: list[list[str]] = [[]]
    forward += [[n for neuron in layer.neurons for n in neuron.nodes] for layer in net.layers]
    forward.append(after)
    reverse: list[list[str]] = []
    for step in reverse_steps(trace, granularity):
        covered: list[str] = []
        for node in step.finished:
            if node == net.loss:
                covered += after
            elif node in owner:
                covered += owner[node].nodes
        reverse.append(covered)
    return {"forward": _mapped(forward, evaluated, inside),
            "reverse": _mapped(reverse, processed, inside), "summary": (0,)}


@dataclass(eq=False)
class NetworkZoomFigure(Figure):
    """One scope of a network drawn as its scalar graph, at the neuron view's stages.

    The figure is the scalar view zoomed into the scope
    (`adviz.scene.focus.focused_figure`: that scope open, every other scope a
    box), its frames the neuron view's: stage ``k`` shows the scalar graph at
    the scalar stage `stage_map` gives, with the neuron view's caption.

    Attributes
    ----------
    scalar
        The zoomed scalar figure without focus, walked for the frames.
    scope
        The zoomed scope's path (``("layer 1", "neuron 2")``).
    stages
        Phase -> the scalar stage of each of the neuron view's stages.
    titles
        Phase -> the neuron view's caption of each stage.
    """

    scalar: Any = None
    scope: tuple[str, ...] = ()
    stages: dict[str, tuple[int, ...]] = field(default_factory=dict)
    titles: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def _wanted(self, phase: str) -> tuple[int, ...]:
        wanted = self.stages.get(phase)
        if wanted is None:
            raise InputError(f"phase={phase!r} does not apply to view='network': it draws the "
                             f"phases 'forward', 'reverse' and 'summary'; use view='graph' "
                             f"for forward mode")
        return wanted

    def stage_count(self, phase: str) -> int:
        """Number of stages of ``phase`` (the neuron view's)."""
        return len(self._wanted(phase))

    def frame(self, phase: str, index: int = -1) -> Frame:
        """The frame of ``phase`` after the neuron view's stage ``index``."""
        count = self.stage_count(phase)
        if not -count <= index < count:
            raise InputError(f"{phase} stage {index} does not exist: there are {count} "
                             f"stages (0 to {count - 1})")
        target = index % count
        for k, content in enumerate(self.frames(phase)):
            if k == target:
                return content
        raise AssertionError("unreachable")  # pragma: no cover

    def frames(self, phase: str) -> Iterator[Frame]:
        """Every frame of ``phase``, one per stage of the neuron view."""
        wanted, titles = self._wanted(phase), self.titles[phase]
        if phase == "summary":
            scalar = [self.scalar.frame("summary")]
        else:
            scalar = self.scalar.frames(phase)
        k = 0
        for index, content in enumerate(scalar):
            while k < len(wanted) and (wanted[k] == index or phase == "summary"):
                shown = Frame(phase, k, titles[k], content.nodes, content.edges)
                yield shown if self.focus is None else self.focus.frame(shown)
                k += 1
            if k == len(wanted):
                return

    def changes(self, phase: str) -> Iterator[Change]:
        """What each of the neuron view's stages changes (every element at stage 0)."""
        yield from _diff(self.frames(phase))


def zoom_figure(trace: Trace, zoom: str, *, theme: str | Theme | None = "light",
                granularity: str = "neuron", size: Any = None, min_text: float | None = None,
                focus: str | None = None, legend: bool | str = False) -> NetworkZoomFigure:
    """The `NetworkZoomFigure` of the scope ``zoom`` names (built once per options).

    Raises
    ------
    InputError
        The trace is not a network, or an unknown or ambiguous scope or focused node.

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> fig = zoom_figure(t, "layer 1/neuron 2")
    >>> sorted(n for n in fig.view.nodes if n.startswith("["))
    ['[layer 2]', '[loss]', '[neuron 1]']
    >>> fig.stage_count("reverse") == network_figure(t).stage_count("reverse")
    True
    """
    from adviz.scene.focus import focused_figure, resolve_scope

    net = network(trace)
    scope = resolve_scope(trace, zoom)
    resolved = get_theme(theme)
    least = NETWORK_MIN_TEXT if min_text is None else float(min_text)
    key = ("zoom", scope, resolved, granularity, size if not isinstance(size, list)
           else tuple(size), least, focus, legend)
    cached = _NETWORK_FIGURES.get(trace, {}).get(key)
    if cached is not None:
        return cast("NetworkZoomFigure", cached)
    titles = {
        "forward": tuple(forward_caption(trace, k).unicode()
                         for k in range(len(net.layers) + 2)),
        "reverse": tuple(s.title for s in reverse_steps(trace, granularity)),
        "summary": (summary_caption(trace).unicode(),),
    }
    extra = [t for phase in titles.values() for t in phase]
    options: dict[str, Any] = {"theme": resolved, "size": size, "extra_titles": extra,
                               "legend": legend}
    if size is not None:
        options["min_text"] = least
    path = "/".join(scope)
    shown = focused_figure(trace, focus, path, **options)
    scalar = focused_figure(trace, None, path, **options) if focus is not None else shown
    values = {f.name: getattr(shown, f.name) for f in fields(Figure)}
    values.update(cache={k: v for k, v in shown.cache.items() if k == "sweep"}, _styles={})
    fig = NetworkZoomFigure(**values, scalar=scalar, scope=scope,
                            stages=stage_map(trace, granularity, scope), titles=titles)
    _NETWORK_FIGURES.setdefault(trace, {})[key] = fig
    return fig
