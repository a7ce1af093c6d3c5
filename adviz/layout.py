"""One Graphviz layout per graph, reused by every frame and every renderer.

`compute_layout` runs Graphviz once (``-Tjson0``) on a DOT graph whose nodes
are fixed-size boxes and whose edge labels are fixed-size HTML tables, sized
for the widest text any frame shows (`adviz.labels.reserved_node_lines`), so
no frame ever needs another layout. Graphviz never sees the labels' text
(it has no width metric for subscripts and other non-ASCII characters): it
only sees their sizes, estimated by `adviz.labels.text_width`.

All coordinates are points in SVG orientation: origin at the top left of
the drawing, y growing downward.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> layout = compute_layout(t)
>>> layout.nodes["x1"].x < layout.nodes["t1"].x < layout.nodes["y"].x
True
>>> compute_layout(t) is layout
True
>>> tb = compute_layout(t, rankdir="TB")
>>> tb.nodes["x1"].y < tb.nodes["y"].y
True
"""

from __future__ import annotations

import json
import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError, RenderError
from adviz.graphviz_engine import find_engine, run_graphviz
from adviz.labels import reserved_edge_lines, reserved_node_lines, text_width
from adviz.style import EDGE_SIZE, LINE_SIZE, LINE_SPACING, NAME_SIZE

if TYPE_CHECKING:
    from adviz.trace import Trace

RANKDIRS = ("LR", "TB", "RL", "BT")

NODE_PAD_X = 10.0
"""Horizontal space (points) between a node's border and its widest line."""

NODE_PAD_Y = 6.0
"""Vertical space (points) above the first and below the last line of a node."""

LABEL_PAD = 3.0
"""Space (points) reserved around an edge label."""

BOLD_FACTOR = 1.12
"""How much wider bold text is than regular text, at most (DejaVu Sans Bold)."""


@dataclass(frozen=True)
class NodeBox:
    """A node's box.

    Attributes
    ----------
    id
        Node id.
    x, y
        Centre, in points (SVG coordinates: origin top left, y downward).
    width, height
        Size in points.
    """

    id: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class EdgeRoute:
    """The route of one edge, parent -> child.

    Attributes
    ----------
    parent, child
        Node ids.
    points
        Graphviz spline: cubic Bezier control points ``p0, c1, c2, p1, (c1, c2,
        p2), ...`` in SVG coordinates, from the parent's border to the base of
        the arrowhead at the child.
    head
        Tip of the arrowhead at the child (``None`` without one).
    label
        Centre of the edge label (``None`` without one).
    """

    parent: str
    child: str
    points: tuple[tuple[float, float], ...]
    head: tuple[float, float] | None
    label: tuple[float, float] | None


@dataclass(frozen=True)
class Layout:
    """Positions and sizes of every node and edge of a graph.

    Attributes
    ----------
    width, height
        Size of the drawing in points.
    rankdir
        ``"LR"`` (inputs left, output right) or ``"TB"`` (inputs on top), ...
    nodes
        Node id -> `NodeBox`.
    edges
        ``(parent, child)`` -> `EdgeRoute`.
    """

    width: float
    height: float
    rankdir: str
    nodes: Mapping[str, NodeBox]
    edges: Mapping[tuple[str, str], EdgeRoute]


def line_sizes(count: int) -> tuple[float, ...]:
    """Font sizes of a node's lines: the name line, then value and adjoint lines.

    Examples
    --------
    >>> line_sizes(3)
    (14.0, 12.0, 12.0)
    """
    return (NAME_SIZE,) + (LINE_SIZE,) * (count - 1) if count else ()


def node_size(lines: tuple[str, ...]) -> tuple[float, float]:
    """Width and height (points) of a node box holding ``lines``.

    Examples
    --------
    >>> node_size(("x₁", "= 1", "g = −2"))
    (63.0, 61.4)
    """
    sizes = line_sizes(len(lines))
    width = max((text_width(t, s) for t, s in zip(lines, sizes)), default=0.0)
    height = sum(s * LINE_SPACING for s in sizes)
    return round(max(width + 2 * NODE_PAD_X, 36.0), 2), round(height + 2 * NODE_PAD_Y, 2)


def label_size(lines: tuple[str, ...]) -> tuple[float, float]:
    """Width and height (points) reserved for an edge label of ``lines``.

    Examples
    --------
    >>> label_size(("∂t₂/∂t₁ = 2t₁ = −2",))
    (103.0, 21.0)
    """
    # Lines after the first may be drawn bold (the contribution of the current stage).
    width = max((text_width(t, EDGE_SIZE) * (1.0 if k == 0 else BOLD_FACTOR)
                 for k, t in enumerate(lines)), default=0.0)
    height = len(lines) * EDGE_SIZE * LINE_SPACING
    return float(math.ceil(width + 2 * LABEL_PAD)), float(math.ceil(height + 2 * LABEL_PAD))


def layout_source(trace: Trace, rankdir: str = "LR") -> str:
    """The DOT source given to Graphviz: fixed-size boxes and fixed-size label tables.

    Nodes are named ``n0, n1, ...`` in evaluation order, so no user text
    reaches Graphviz.

    Examples
    --------
    >>> import adviz
    >>> source = layout_source(adviz.trace("x * 2", x=1))
    >>> "rankdir=LR" in source, "n0 -> n1 [label=<<TABLE" in source
    (True, True)
    """
    import graphviz

    program = trace.program
    node_lines = reserved_node_lines(trace)
    edge_lines = reserved_edge_lines(trace)
    dot = graphviz.Digraph("adviz")
    dot.attr("graph", rankdir=rankdir, nodesep="0.3", ranksep="0.35", margin="0",
             pad="0", splines="spline")
    dot.attr("node", shape="box", fixedsize="true", label="", margin="0")
    dot.attr("edge", arrowsize="0.8")
    ids = {node.id: f"n{i}" for i, node in enumerate(program.nodes)}
    for i, node in enumerate(program.nodes):
        width, height = node_size(node_lines[node.id])
        dot.node(f"n{i}", width=f"{width / 72:.4f}", height=f"{height / 72:.4f}")
    for (parent, child), lines in edge_lines.items():
        w, h = label_size(lines)
        table = (f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
                 f'<TD FIXEDSIZE="TRUE" WIDTH="{w:.0f}" HEIGHT="{h:.0f}"></TD></TR></TABLE>>')
        dot.edge(ids[parent], ids[child], label=table)
    return dot.source


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")
    return float(x), float(y)


def _parse(data: dict[str, Any], trace: Trace, rankdir: str) -> Layout:
    program = trace.program
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))

    def flip(p: tuple[float, float]) -> tuple[float, float]:
        return round(p[0] - x0, 2), round(y1 - p[1], 2)

    names: dict[int, str] = {}
    nodes: dict[str, NodeBox] = {}
    for obj in data.get("objects", []):
        name = obj["name"]
        if not name.startswith("n"):
            continue
        node_id = program.nodes[int(name[1:])].id
        names[obj["_gvid"]] = node_id
        x, y = flip(_point(obj["pos"]))
        nodes[node_id] = NodeBox(node_id, x, y, round(float(obj["width"]) * 72, 2),
                                 round(float(obj["height"]) * 72, 2))
    edges: dict[tuple[str, str], EdgeRoute] = {}
    for edge in data.get("edges", []):
        parent, child = names[edge["tail"]], names[edge["head"]]
        head = None
        points = []
        for part in edge["pos"].split():
            if part.startswith("e,"):
                head = flip(_point(part[2:]))
            elif part.startswith("s,"):
                continue
            else:
                points.append(flip(_point(part)))
        label = flip(_point(edge["lp"])) if "lp" in edge else None
        edges[parent, child] = EdgeRoute(parent, child, tuple(points), head, label)
    ordered_nodes = {n.id: nodes[n.id] for n in program.nodes}
    ordered_edges = {key: edges[key] for key in trace.graph.edges}
    return Layout(round(x1 - x0, 2), round(y1 - y0, 2), rankdir,
                  MappingProxyType(ordered_nodes), MappingProxyType(ordered_edges))


_CACHE: weakref.WeakKeyDictionary[Trace, dict[tuple[str, str], Layout]] = \
    weakref.WeakKeyDictionary()


def compute_layout(trace: Trace, *, rankdir: str = "LR", engine: str | None = None) -> Layout:
    """The layout of a trace's graph, computed once with Graphviz and cached.

    Parameters
    ----------
    trace
        A `Trace`.
    rankdir
        ``"LR"`` (default: inputs left, output right) or ``"TB"`` (inputs on
        top); ``"RL"`` and ``"BT"`` also work.
    engine
        Graphviz program: ``"pure"``, ``"system"``, a path, or ``None`` (see
        `adviz.graphviz_engine.find_engine`).

    Returns
    -------
    Layout
        The same object for the same trace and options.

    Raises
    ------
    InputError
        An unknown ``rankdir``.
    RenderError
        Graphviz is missing or fails.
    """
    if rankdir not in RANKDIRS:
        raise InputError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    key = (rankdir, find_engine(engine))
    per_trace = _CACHE.setdefault(trace, {})
    cached = per_trace.get(key)
    if cached is not None:
        return cached
    output = run_graphviz(layout_source(trace, rankdir), ["-Tjson0"], engine=key[1])
    try:
        layout = _parse(json.loads(output), trace, rankdir)
    except (ValueError, KeyError, IndexError) as err:
        raise RenderError(f"cannot read Graphviz's layout output: {err!r}") from err
    per_trace[key] = layout
    return layout
