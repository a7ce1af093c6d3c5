"""One Graphviz layout per graph, reused by every frame and every renderer.

`compute_layout` runs Graphviz once (``-Tjson0``) on a DOT graph whose nodes
are fixed-size boxes and whose edge labels are fixed-size HTML tables, sized
for the widest text any frame shows (`adviz.text.labels.reserved_node_lines`), so
no frame ever needs another layout. Graphviz never sees the labels' text
(it has no width metric for subscripts and other non-ASCII characters): it
only sees their sizes, estimated by `adviz.text.labels.text_width`.

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

Nodes created inside ``with adviz.scope(label):`` sit in a labelled cluster:

>>> def f(x):
...     with adviz.scope("square"):
...         u = x * x
...     return u + 1
>>> scoped = compute_layout(adviz.trace(f, x=2.0))
>>> [(c.label, c.depth) for c in scoped.clusters.values()]
[('square', 0)]
"""

from __future__ import annotations

import json
import math
import threading
import weakref
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError, RenderError
from adviz.scene.graphviz import find_engine, run_layout
from adviz.scene.style import CLUSTER_SIZE, EDGE_SIZE, LINE_SIZE, LINE_SPACING, NAME_SIZE
from adviz.scene.view import GraphView, depths, graph_view
from adviz.text.labels import text_width

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

RANKDIRS = ("LR", "TB", "RL", "BT")

NODE_PAD_X = 10.0
"""Horizontal space (points) between a node's border and its widest line."""

NODE_PAD_Y = 6.0
"""Vertical space (points) above the first and below the last line of a node."""

LABEL_PAD = 3.0
"""Space (points) reserved around an edge label."""

BOLD_FACTOR = 1.12
"""How much wider bold text is than regular text, at most (DejaVu Sans Bold)."""

RANKSEP = 0.35
"""Least space (inches) Graphviz keeps between ranks."""

NODESEP = 0.3
"""Least space (inches) Graphviz keeps between the nodes of a rank."""

ROOMY_RANKSEP = 0.8
"""`RANKSEP` of the second layout made when edge labels find no place against their own
routes (`adviz.scene.picture.figure`): wider gaps spread the routes crossing between ranks."""

ROOMY_NODESEP = 0.6
"""`NODESEP` of that second layout: wider gaps between the labels stacked in one rank."""



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
class ClusterBox:
    """The box of a scope (a Graphviz cluster) around its nodes.

    Attributes
    ----------
    label
        The scope's own label (``"neuron 1"``).
    x, y
        Centre, in points (SVG coordinates).
    width, height
        Size in points.
    depth
        Nesting depth: 0 for an outermost scope.
    scope
        The full scope path, outermost label first.
    label_pos
        Centre of the space reserved for the label (top left of the box).
    label_width
        Width reserved for the label.
    """

    label: str
    x: float
    y: float
    width: float
    height: float
    depth: int
    scope: tuple[str, ...] = ()
    label_pos: tuple[float, float] | None = None
    label_width: float = 0.0


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
    clusters
        Cluster name (``"cluster_0"``, ...) -> `ClusterBox`, outer clusters
        before the clusters inside them; empty without scopes.
    collapse
        Scope labels drawn as one box (their box ids are nodes, see
        `adviz.scene.collapse`).
    compact
        Whether the sizes are for shortened labels (`adviz.scene.view`).
    copies
        Leaves drawn once per use (`adviz.scene.view.shared_leaves`).
    """

    width: float
    height: float
    rankdir: str
    nodes: Mapping[str, NodeBox]
    edges: Mapping[tuple[str, str], EdgeRoute]
    clusters: Mapping[str, ClusterBox] = field(default_factory=dict)
    collapse: tuple[str, ...] = ()
    compact: bool = False
    copies: tuple[str, ...] = ()


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


def layout_source(trace: Trace, rankdir: str = "LR", *, collapse: Iterable[str] = (),
                  compact: bool = False, copies: Iterable[str] = ()) -> str:
    """The DOT source given to Graphviz: fixed-size boxes and fixed-size label tables.

    Nodes are named ``n0, n1, ...`` in drawing order, so no user text
    reaches Graphviz's layout: the labels of edges and of scope clusters
    are empty tables of the reserved size (a cluster's label is kept in its
    ``tooltip``). Each scope is a ``subgraph cluster_k``; nested scopes nest.

    Examples
    --------
    >>> import adviz
    >>> source = layout_source(adviz.trace("x * 2", x=1))
    >>> "rankdir=LR" in source, "n0 -> n1 [label=<<TABLE" in source
    (True, True)
    """
    return dot_source(trace, rankdir, collapse=collapse, compact=compact, copies=copies)


def _table(width: float, height: float) -> str:
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
            f'<TD FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height:.0f}"></TD></TR></TABLE>>')


def cluster_label_size(label: str) -> tuple[float, float]:
    """Width and height (points) reserved for a cluster's label.

    Examples
    --------
    >>> cluster_label_size("neuron 1")
    (60.0, 22.0)
    """
    return (float(math.ceil(text_width(label, CLUSTER_SIZE) + 2 * LABEL_PAD)),
            float(math.ceil(CLUSTER_SIZE * LINE_SPACING + 2 * LABEL_PAD)))


def cluster_paths(view: GraphView) -> list[tuple[str, ...]]:
    """Every scope path with a cluster, in order of first appearance, outer before inner."""
    seen: dict[tuple[str, ...], None] = {}
    for node in view.nodes:
        path = view.scopes.get(node, ())
        for k in range(1, len(path) + 1):
            seen.setdefault(path[:k], None)
    return list(seen)


def dot_source(trace: Trace, rankdir: str = "LR", *, collapse: Iterable[str] = (),
               compact: bool = False, copies: Iterable[str] = ()) -> str:
    """The DOT source of the layout, with one ``subgraph cluster_k`` per scope.

    Parameters
    ----------
    trace
        A `Trace`.
    rankdir
        Graphviz's ``rankdir``.
    collapse
        Scope labels drawn as one box (`adviz.scene.collapse`).
    compact
        Sizes for shortened labels (`adviz.scene.view`).
    copies
        Leaves drawn once per use (`adviz.scene.view.shared_leaves`).

    Examples
    --------
    >>> import adviz
    >>> def f(x):
    ...     with adviz.scope("outer"):
    ...         with adviz.scope("inner"):
    ...             u = adviz.sin(x)
    ...         v = u * 2
    ...     return v + x
    >>> source = dot_source(adviz.trace(f, x=1.0))
    >>> source.count("subgraph cluster_"), "tooltip=outer" in source
    (2, True)
    """
    return view_source(graph_view(trace, tuple(collapse), compact, tuple(copies)), rankdir)


def view_source(view: GraphView, rankdir: str = "LR", *, ranksep: float = RANKSEP,
                nodesep: float = NODESEP, fold: int = 0) -> str:
    """The DOT source of the layout of a drawn graph (see `dot_source`); ``ranksep``:
    the least space (inches) between ranks, ``nodesep`` between nodes of a rank;
    ``fold``: stack the sources (nodes fed by none) in rows of at most that many, each
    row one rank below the one before (invisible edges); 0 leaves them as they fall."""
    import graphviz

    dot = graphviz.Digraph("adviz")
    # A node feeding nodes far apart in depth (a shared weight of an unrolled recurrent
    # network) makes crossing minimisation run long and, with scopes, fail ("trouble in
    # init_rank"); bounding it (mclimit) avoids both. Other graphs keep the full search.
    depth = depths(view)
    children: dict[str, list[str]] = {}
    for parent, child in view.edges:
        children.setdefault(parent, []).append(child)
    spread = sum(max(depth[c] for c in cs) - min(depth[c] for c in cs) for cs in children.values())
    bound = {"mclimit": "0.3"} if spread > max(16, len(view.nodes) // 4) else {}
    dot.attr("graph", rankdir=rankdir, nodesep=f"{nodesep:g}", ranksep=f"{ranksep:g}", margin="0",
             pad="0", splines="spline", **bound)
    dot.attr("node", shape="box", fixedsize="true", label="", margin="0")
    dot.attr("edge", arrowsize="0.8")
    ids = {node: f"n{i}" for i, node in enumerate(view.nodes)}
    names = {path: f"cluster_{k}" for k, path in enumerate(cluster_paths(view))}
    items: dict[tuple[str, ...], list[tuple[str, ...] | str]] = {(): []}
    for node in view.nodes:
        path = view.scopes.get(node, ())
        for k in range(1, len(path) + 1):
            if path[:k] not in items:
                items[path[:k]] = []
                items[path[:k - 1]].append(path[:k])
        items[path].append(node)
    inner_edges: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for parent, child in view.edges:
        a, b = view.scopes.get(parent, ()), view.scopes.get(child, ())
        common = 0
        while common < min(len(a), len(b)) and a[common] == b[common]:
            common += 1
        inner_edges.setdefault(a[:common], []).append((parent, child))

    def fill(target: Any, path: tuple[str, ...]) -> None:
        for item in items[path]:
            if isinstance(item, str):
                width, height = node_size(view.node_lines[item])
                target.node(ids[item], width=f"{width / 72:.4f}", height=f"{height / 72:.4f}")
            else:
                sub = graphviz.Digraph(name=names[item])
                w, h = cluster_label_size(item[-1])
                sub.attr("graph", label=_table(w, h), labeljust="l", labelloc="t",
                         tooltip=item[-1].replace("\\", "\\\\"), margin="8")
                fill(sub, item)
                target.subgraph(sub)
        for parent, child in inner_edges.get(path, []):
            lines = view.edge_lines[parent, child]
            if lines:
                target.edge(ids[parent], ids[child], label=_table(*label_size(lines)))
            else:
                target.edge(ids[parent], ids[child])

    fill(dot, ())
    if fold > 0:
        fed = {child for _, child in view.edges}
        sources = [node for node in view.nodes if node not in fed]
        rows = [sources[k:k + fold] for k in range(0, len(sources), fold)]
        for above, below in pairwise(rows):
            for k, node in enumerate(below):
                dot.edge(ids[above[min(k, len(above) - 1)]], ids[node], style="invis")
    return dot.source


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")
    return float(x), float(y)


def _parse(data: dict[str, Any], view: GraphView, rankdir: str) -> Layout:
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))

    def flip(p: tuple[float, float]) -> tuple[float, float]:
        return round(p[0] - x0, 2), round(y1 - p[1], 2)

    names: dict[int, str] = {}
    nodes: dict[str, NodeBox] = {}
    found: dict[int, ClusterBox] = {}
    paths = cluster_paths(view)
    for obj in data.get("objects", []):
        name = obj["name"]
        if name.startswith("cluster_"):
            number = int(name[len("cluster_"):])
            path = paths[number]
            cx0, cy0, cx1, cy1 = (float(v) for v in obj["bb"].split(","))
            left, top = flip((cx0, cy1))
            right, bottom = flip((cx1, cy0))
            label_pos = flip(_point(obj["lp"])) if "lp" in obj else None
            found[number] = ClusterBox(
                path[-1], round((left + right) / 2, 2), round((top + bottom) / 2, 2),
                round(right - left, 2), round(bottom - top, 2), len(path) - 1, path,
                label_pos, cluster_label_size(path[-1])[0])
            continue
        if not name.startswith("n"):
            continue
        node_id = view.nodes[int(name[1:])]
        names[obj["_gvid"]] = node_id
        x, y = flip(_point(obj["pos"]))
        nodes[node_id] = NodeBox(node_id, x, y, round(float(obj["width"]) * 72, 2),
                                 round(float(obj["height"]) * 72, 2))
    edges: dict[tuple[str, str], EdgeRoute] = {}
    for edge in data.get("edges", []):
        if edge.get("style") == "invis":  # rows of stacked sources (``fold``)
            continue
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
    ordered_nodes = {n: nodes[n] for n in view.nodes}
    ordered_edges = {key: edges[key] for key in view.edges}
    clusters = {f"cluster_{k}": found[k] for k in sorted(found)}
    return Layout(round(x1 - x0, 2), round(y1 - y0, 2), rankdir,
                  MappingProxyType(ordered_nodes), MappingProxyType(ordered_edges),
                  MappingProxyType(clusters), view.collapse, view.compact, tuple(view.copies))


_CACHE: weakref.WeakKeyDictionary[
    Trace, dict[tuple[Any, ...], Layout]] = \
    weakref.WeakKeyDictionary()


def compute_layout(trace: Trace, *, rankdir: str = "LR", engine: str | None = None,
                   collapse: Iterable[str] = (), compact: bool = False,
                   copies: Iterable[str] = (), ranksep: float = RANKSEP,
                   nodesep: float = NODESEP, fold: int = 0,
                   absorb_leaves: bool = False) -> Layout:
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
        `adviz.scene.graphviz.find_engine`).
    collapse
        Scope labels to draw as one box each (`adviz.scene.collapse`); the box ids
        are then nodes of the layout instead of the scopes' nodes.
    compact
        Reserve sizes for shortened labels (`adviz.scene.view`): no edge labels.
    copies
        Leaves drawn once per use (`adviz.scene.view.shared_leaves`): their copies are
        nodes of the layout, each beside the node it feeds.
    ranksep, nodesep
        Least space (inches) between ranks and between the nodes of a rank
        (`RANKSEP`, `NODESEP`; `ROOMY_RANKSEP` and `ROOMY_NODESEP` spread the routes
        for their labels).
    fold
        Stack the sources in rows of at most ``fold`` nodes (`view_source`): a
        narrower top-to-bottom drawing of a graph with many inputs; 0 (default)
        leaves them in the ranks Graphviz gives them.
    absorb_leaves
        Inputs feeding only one collapsed box are drawn inside it
        (`adviz.scene.view.graph_view`).

    Returns
    -------
    Layout
        The same object for the same trace and options.

    Raises
    ------
    InputError
        An unknown ``rankdir`` or scope label.
    RenderError
        Graphviz is missing or fails.
    """
    per_trace, key, view, program = _layout_key(trace, rankdir, engine, collapse, compact,
                                                copies, ranksep, nodesep, fold, absorb_leaves)
    cached = per_trace.get(key)
    if cached is not None:
        return cached
    started = _STARTED.get(trace, {}).pop(key, None)
    if started is not None:  # `start_layout` ran Graphviz already
        output = started.result()
    else:
        output = run_layout(view_source(view, rankdir, ranksep=ranksep, nodesep=nodesep,
                                        fold=int(fold)), engine=program)
    try:
        layout = _parse(json.loads(output), view, rankdir)
    except (ValueError, KeyError, IndexError) as err:
        raise RenderError(f"cannot read Graphviz's layout output: {err!r}") from err
    per_trace[key] = layout
    return layout


def start_layout(trace: Trace, *, rankdir: str = "LR", engine: str | None = None,
                 collapse: Iterable[str] = (), compact: bool = False,
                 copies: Iterable[str] = (), ranksep: float = RANKSEP,
                 nodesep: float = NODESEP, fold: int = 0,
                 absorb_leaves: bool = False) -> None:
    """Start Graphviz on the layout `compute_layout` gives for the same options, and return
    while it runs: `compute_layout` then waits for that run instead of starting its own.

    The DOT source is written here, in the caller's thread; Graphviz runs in its own
    process, waited for in a thread that holds no lock Python code needs. A caller with
    other work (a page's texts) does it meanwhile, on a second core. Nothing happens
    when the layout is cached or already started; a run nobody asks for is dropped with
    its trace.

    Parameters
    ----------
    trace, rankdir, engine, collapse, compact, copies, ranksep, nodesep, fold, absorb_leaves
        As for `compute_layout`.

    Raises
    ------
    InputError
        As `compute_layout`. Graphviz's own errors are raised by `compute_layout`.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> start_layout(t)
    >>> compute_layout(t).nodes["y"].width > 0
    True
    """
    per_trace, key, view, program = _layout_key(trace, rankdir, engine, collapse, compact,
                                                copies, ranksep, nodesep, fold, absorb_leaves)
    started = _STARTED.setdefault(trace, {})
    if key in per_trace or key in started:
        return
    source = view_source(view, rankdir, ranksep=ranksep, nodesep=nodesep, fold=int(fold))
    running: Future[bytes] = Future()

    def wait() -> None:
        try:
            running.set_result(run_layout(source, engine=program))
        except BaseException as err:  # given to whoever asks for the layout
            running.set_exception(err)

    started[key] = running
    threading.Thread(target=wait, name="adviz-graphviz", daemon=True).start()


def _layout_key(trace: Trace, rankdir: str, engine: str | None, collapse: Iterable[str],
                compact: bool, copies: Iterable[str], ranksep: float, nodesep: float,
                fold: int, absorb_leaves: bool
                ) -> tuple[dict[tuple[Any, ...], Layout], tuple[Any, ...], GraphView, str]:
    """The trace's cached layouts, the options' key among them, the drawn graph and the
    Graphviz program (`compute_layout`'s options checked)."""
    if rankdir not in RANKDIRS:
        raise InputError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    if isinstance(collapse, str):
        collapse = (collapse,)
    labels = tuple(dict.fromkeys(collapse))
    leaves = tuple(dict.fromkeys(copies))
    program = find_engine(engine)
    key = (rankdir, program, labels, bool(compact), leaves, float(ranksep),
           float(nodesep)) + ((int(fold),) if fold else ()) + \
        (("absorb",) if absorb_leaves and labels else ())
    view = graph_view(trace, labels, bool(compact), leaves, absorb_leaves=absorb_leaves)
    return _CACHE.setdefault(trace, {}), key, view, program


_STARTED: weakref.WeakKeyDictionary[Trace, dict[tuple[Any, ...], Future[bytes]]] = \
    weakref.WeakKeyDictionary()
"""Per trace, Graphviz runs `start_layout` began that no `compute_layout` took yet."""


def view_layout(view: GraphView, *, rankdir: str = "LR", engine: str | None = None) -> Layout:
    """The layout of a drawn graph given as a `adviz.scene.view.GraphView` (not cached).

    For sizes reserved by other means than one trace's frames: a gradient-descent
    animation lays out its steps once with, for each node and edge, the widest
    text any step shows (`adviz.renderers.mpl.descent`).

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.view import graph_view
    >>> t = adviz.trace("x * 2", x=1)
    >>> view_layout(graph_view(t)) == compute_layout(t)
    True
    """
    if rankdir not in RANKDIRS:
        raise InputError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    output = run_layout(view_source(view, rankdir), engine=find_engine(engine))
    try:
        return _parse(json.loads(output), view, rankdir)
    except (ValueError, KeyError, IndexError) as err:
        raise RenderError(f"cannot read Graphviz's layout output: {err!r}") from err
