"""What is drawn: the plain graph, or a view with collapsed scopes and shortened labels.

A `GraphView` lists the drawn nodes (trace nodes and collapsed scope boxes,
see `adviz.scene.collapse`), the drawn edges, the scope each drawn node sits in (a
cluster) and the widest text any frame shows on each node and edge line, so
`adviz.scene.layout.compute_layout` can reserve room once. `view_frame` turns a
frame of the trace (`adviz.scene.content.frame`) into a frame of the view.

Large graphs (more than `LARGE_GRAPH` nodes) are drawn compactly unless
``full=True``: scopes are collapsed (when there are any), nodes show their
name, value and adjoint only (no formula, no running sums) and edges no
labels; the caption says so (`view_options`).

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> view = graph_view(t, compact=True)
>>> view.node_lines["t1"], view.edge_lines["t1", "t2"]
(('t₁', '= −1', 'ṫ₁ = −1'), ())
>>> view_options(t)
ViewOptions(collapse=(), compact=False, notice='', copies=())
"""

from __future__ import annotations

import functools
import math
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from adviz.caching import per_trace
from adviz.errors import InputError
from adviz.scene.collapse import CollapsedView, collapsed_view
from adviz.scene.content import Change, EdgeView, Frame, Line, NodeView, Walker
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, NAME_SIZE
from adviz.text.labels import (
    adjoint_line,
    pretty_name,
    reserved_edge_lines,
    reserved_node_lines,
    reserved_sweeps,
    tangent_text,
    value_line,
    widest,
)
from adviz.text.tokens import Name, Num, Op, Text, text

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, Seed
    from adviz.core.tracing import Trace

LARGE_GRAPH = 40
"""Graphs with more nodes than this are large: drawn with collapsed scopes and, when
still larger, shortened labels, unless ``full=True``. At about 40 nodes with full labels
(formulas, partials and contributions on every edge) a frame is already several
screens wide."""

COPY_SPREAD = 6
"""A leaf whose consumers' depths (longest path from a leaf) differ by more than this
many ranks is drawn once per use by default (``copies=None``): its edges would otherwise
cross the whole drawing. Inputs feeding one layer (a network's inputs, the seed's
``x1``) stay single."""

SIGMA = "\u03a3"


@dataclass(frozen=True)
class ViewOptions:
    """How a trace is drawn.

    Attributes
    ----------
    collapse
        Scope labels drawn as one box each.
    compact
        Shortened labels (name, value and adjoint or tangent; no edge labels).
    notice
        A line for the caption saying what was shortened (``""`` when nothing).
    copies
        Leaves drawn once per use (`shared_leaves`).
    """

    collapse: tuple[str, ...]
    compact: bool
    notice: str
    copies: tuple[str, ...] = ()


def _auto_collapse(trace: Trace) -> tuple[str, ...]:
    """The innermost scope level whose collapsing brings the graph down to `LARGE_GRAPH`.

    Falls back to the outermost scopes when no level is enough.
    """
    paths = list(dict.fromkeys(n.scope for n in trace.program.nodes if n.scope))
    if not paths:
        return ()
    deepest = max(len(p) for p in paths)
    labels: tuple[str, ...] = ()
    for depth in range(deepest, 0, -1):
        labels = tuple(dict.fromkeys(p[depth - 1] for p in paths if len(p) >= depth))
        if len(collapsed_view(trace, labels).nodes) <= LARGE_GRAPH:
            return labels
    return labels


def view_options(trace: Trace, collapse: Iterable[str] | None = None,
                 full: bool = False, copies: bool | None = None, *,
                 absorb_leaves: bool = False) -> ViewOptions:
    """Decide what to collapse and whether to shorten labels.

    A graph with more than `LARGE_GRAPH` nodes is large. Unless ``full`` is
    true, its scopes are collapsed, the innermost level first (each neuron
    of a network before each layer), choosing the least collapsing that
    brings the drawing to `LARGE_GRAPH` nodes or fewer; if the drawing still
    has more, labels are shortened too. The notice says what was done.

    Parameters
    ----------
    trace
        A `Trace`.
    collapse
        Scope labels to collapse; ``None`` (default) decides as above for a
        large graph and collapses nothing otherwise; ``[]`` collapses nothing.
    full
        Draw a large graph with every node and label (no notice).
    copies
        Draw shared leaves once per use (`shared_leaves`): ``None`` (default)
        for leaves whose consumers lie more than `COPY_SPREAD` ranks apart,
        ``True`` for every leaf feeding two or more drawn nodes, ``False``
        never. Decided on the drawn graph, after collapsing scopes: a leaf
        feeding several collapsed boxes gets one copy per box.
    absorb_leaves
        Draw inputs that feed only one collapsed box inside it (`graph_view`).

    Examples
    --------
    >>> import adviz
    >>> def f(x):
    ...     for k in range(30):
    ...         with adviz.scope(f"step {k}"):
    ...             x = adviz.sin(x) + x
    ...     return x
    >>> t = adviz.trace(f, x=1.0)
    >>> options = view_options(t)
    >>> options.compact, len(options.collapse)
    (False, 30)
    >>> options.notice
    'large graph: 61 nodes, 30 scopes collapsed; pass full=True to draw every node'
    >>> view_options(t, full=True)
    ViewOptions(collapse=(), compact=False, notice='', copies=())
    >>> view_options(t, collapse=[]).notice
    'large graph: 61 nodes, labels shortened; pass full=True for all labels'
    >>> view_options(t, full=True, copies=True).copies
    ('x',)
    """
    if copies not in (None, True, False):
        raise InputError(f"copies must be True, False or None (decide), not {copies!r}")
    chosen, compact, notice = _shortening(trace, collapse, full, absorb_leaves)
    if copies is False:
        return ViewOptions(chosen, compact, notice)
    leaves = shared_leaves(graph_view(trace, chosen, compact, absorb_leaves=absorb_leaves),
                           every=copies is True)
    return ViewOptions(chosen, compact, notice, leaves)


def _shortening(trace: Trace, collapse: Iterable[str] | None, full: bool,
                absorb_leaves: bool = False) -> tuple[tuple[str, ...], bool, str]:
    count = len(trace.program.nodes)
    large = count > LARGE_GRAPH and not full
    if collapse is not None:
        chosen = tuple(dict.fromkeys(collapse))
    elif large:
        chosen = _auto_collapse(trace)
    else:
        chosen = ()
    if not large:
        return chosen, False, ""
    drawn = len(collapsed_view(trace, chosen, absorb_leaves=absorb_leaves).nodes) if chosen \
        else count
    compact = drawn > LARGE_GRAPH
    parts = [f"large graph: {count} nodes"]
    if chosen:
        parts.append(f"{len(chosen)} scope{'s' if len(chosen) != 1 else ''} collapsed")
    if compact:
        parts.append("labels shortened; pass full=True for all labels")
        return chosen, True, ", ".join(parts)
    return chosen, False, ", ".join(parts) + "; pass full=True to draw every node"


@dataclass(frozen=True)
class GraphView:
    """The drawn graph of a trace.

    Attributes
    ----------
    nodes
        Drawn node ids in evaluation order.
    node_lines
        Drawn node -> the widest text any frame shows on each of its lines.
    edges
        Drawn ``(parent, child)`` edges in graph order.
    edge_lines
        Drawn edge -> the widest text of each label line (empty: no label).
    scopes
        Drawn node -> the scope path it sits in (clusters), outermost first.
    collapsed
        The `adviz.scene.collapse.CollapsedView` when scopes are collapsed, else ``None``.
    compact
        Whether labels are shortened.
    collapse
        The scope labels asked to be collapsed.
    copies
        Original leaf -> its copies (drawn node ids ``"<leaf>@<consumer>"``), one
        per drawn node it feeds, in edge order; empty without copies.
    copy_edges
        Edge of the graph before copying ``(leaf, consumer)`` -> the drawn edge
        ``(copy, consumer)`` that replaces it.
    absorb_leaves
        Whether inputs feeding only one box are drawn inside it
        (`adviz.scene.collapse.collapsed_view`).
    """

    nodes: tuple[str, ...]
    node_lines: Mapping[str, tuple[str, ...]]
    edges: tuple[tuple[str, str], ...]
    edge_lines: Mapping[tuple[str, str], tuple[str, ...]]
    scopes: Mapping[str, tuple[str, ...]]
    collapsed: CollapsedView | None
    compact: bool
    collapse: tuple[str, ...] = ()
    copies: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    copy_edges: Mapping[tuple[str, str], tuple[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))
    absorb_leaves: bool = False

    @property
    def originals(self) -> dict[str, str]:
        """Copy -> the leaf it copies."""
        return {copy: leaf for leaf, copies in self.copies.items() for copy in copies}


@dataclass(frozen=True)
class _Flows:
    """Running sums of a collapsed view after each reverse stage."""

    edges: tuple[dict[tuple[str, str], float], ...]
    inflow: tuple[dict[str, float], ...]
    outflow: tuple[dict[str, float], ...]


_VIEWS: weakref.WeakKeyDictionary[
    Trace, dict[tuple[tuple[str, ...], bool, tuple[str, ...], bool], GraphView]] = \
    weakref.WeakKeyDictionary()
_FLOWS: weakref.WeakKeyDictionary[Trace, dict[tuple[tuple[str, ...], bool], _Flows]] = \
    weakref.WeakKeyDictionary()


def sum_text(total: float) -> Text:
    """The label of a merged edge as tokens (see `sum_line`)."""
    return text(Op("Σ "), Name("g"), Op(" = "), Num(total))


def sum_line(total: float) -> str:
    """The label of a merged edge: ``"Σ g = −0.5"``.

    Examples
    --------
    >>> sum_line(-0.5)
    'Σ g = −0.5'
    """
    return sum_text(total).unicode()


def flow_texts(inflow: float, outflow: float) -> tuple[Text, Text]:
    """The adjoint lines of a collapsed box as tokens (see `flow_lines`)."""
    return (text(Op("Σ "), Name("g"), " in ", Op("= "), Num(inflow)),
            text(Op("Σ "), Name("g"), " out ", Op("= "), Num(outflow)))


def flow_lines(inflow: float, outflow: float) -> tuple[str, str]:
    """The adjoint lines of a collapsed box: gradient in and gradient out.

    Examples
    --------
    >>> flow_lines(1.0, -2.5)
    ('Σ g in = 1', 'Σ g out = −2.5')
    """
    first, second = flow_texts(inflow, outflow)
    return first.unicode(), second.unicode()


def count_line(count: int) -> str:
    """The second line of a collapsed box.

    Examples
    --------
    >>> count_line(3)
    '3 nodes hidden'
    """
    return f"{count} node{'s' if count != 1 else ''} hidden"


def _flows(trace: Trace, view: CollapsedView, key: tuple[tuple[str, ...], bool]) -> _Flows:
    per_trace = _FLOWS.setdefault(trace, {})
    cached = per_trace.get(key)
    if cached is not None:
        return cached
    merged_of: dict[tuple[str, str], tuple[str, str]] = {}
    for edge_key, edge in view.edges.items():
        if edge.merged:
            for underlying in edge.edges:
                merged_of[underlying] = edge_key
    running: dict[tuple[str, str], float] = {}
    inflow = dict.fromkeys(view.boxes, 0.0)
    outflow = dict.fromkeys(view.boxes, 0.0)
    edges, ins, outs = [], [], []
    for stage in trace.reverse_stages:
        for c in stage.contributions:
            target = merged_of.get((c.parent, c.child))
            if target is None:
                continue
            running[target] = running.get(target, 0.0) + c.delta
            if target[0] in inflow:
                inflow[target[0]] += c.delta
            if target[1] in outflow:
                outflow[target[1]] += c.delta
        edges.append(dict(running))
        ins.append(dict(inflow))
        outs.append(dict(outflow))
    result = _Flows(tuple(edges), tuple(ins), tuple(outs))
    per_trace[key] = result
    return result


@per_trace
def _compact_node_lines(trace: Trace) -> Mapping[str, tuple[str, ...]]:
    adjoints: dict[str, list[str]] = {n.id: [] for n in trace.program.nodes}
    for stage in trace.reverse_stages:
        for c in stage.contributions:
            adjoints[c.parent].append(adjoint_line(c.after))
    for name, g in trace.adjoints.items():
        adjoints[name].append(adjoint_line(g))
    for sweep in reserved_sweeps(trace):  # forward mode shows a tangent on the same line
        for name, tangent in sweep.tangents.items():
            adjoints[name].append(tangent_text(tangent, name).unicode())
    return MappingProxyType({n.id: (pretty_name(n.id), value_line(n.value),
                                    widest(adjoints[n.id], LINE_SIZE) or adjoint_line(0.0))
                             for n in trace.program.nodes})


def depths(view: GraphView) -> dict[str, int]:
    """Each drawn node's depth: the longest path to it from a node without parents.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> depths(graph_view(t))["y"]
    3
    """
    position = {node: i for i, node in enumerate(view.nodes)}
    depth = dict.fromkeys(view.nodes, 0)
    for parent, child in sorted(view.edges, key=lambda e: position[e[1]]):
        depth[child] = max(depth[child], depth[parent] + 1)
    return depth


def heights(view: GraphView) -> dict[str, int]:
    """Each drawn node's height: the longest path from it to a node without children.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> heights(graph_view(t))["x1"]
    3
    """
    position = {node: i for i, node in enumerate(view.nodes)}
    height = dict.fromkeys(view.nodes, 0)
    for parent, child in sorted(view.edges, key=lambda e: -position[e[0]]):
        height[parent] = max(height[parent], height[child] + 1)
    return height


def shared_leaves(view: GraphView, every: bool = False) -> tuple[str, ...]:
    """The leaves of a drawn graph to draw once per use (see the module).

    A leaf (a drawn node without parents that is not a collapsed scope's box)
    qualifies when it feeds two or more drawn nodes whose depths (`depths`) or
    heights (`heights`) differ by more than `COPY_SPREAD` (Graphviz ranks a node
    between the two, so either spread makes a long edge), or, with ``every``,
    whenever it feeds two or more drawn nodes.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> shared_leaves(graph_view(t)), shared_leaves(graph_view(t), every=True)
    ((), ('x1', 'x2'))
    >>> from adviz.examples import rnn
    >>> shared_leaves(graph_view(rnn(6)))
    ('w', 'u', 'b')
    """
    depth, height = depths(view), heights(view)
    boxes = view.collapsed.boxes if view.collapsed is not None else {}
    children: dict[str, list[str]] = {}
    has_parent: set[str] = set()
    for parent, child in view.edges:
        children.setdefault(parent, []).append(child)
        has_parent.add(child)
    chosen = []
    for node in view.nodes:
        fed = children.get(node, [])
        if node in has_parent or node in boxes or len(fed) < 2:
            continue
        spread = max(max(d[c] for c in fed) - min(d[c] for c in fed) for d in (depth, height))
        if every or spread > COPY_SPREAD:
            chosen.append(node)
    return tuple(chosen)


def _copy_id(leaf: str, consumer: str, taken: set[str]) -> str:
    name = f"{leaf}@{consumer}"
    while name in taken:
        name += "'"
    taken.add(name)
    return name


def _with_copies(base: GraphView, leaves: tuple[str, ...]) -> GraphView:
    """``base`` with each of ``leaves`` drawn once per use (see the module)."""
    taken = set(base.nodes)
    copies: dict[str, list[str]] = {}
    copy_edges: dict[tuple[str, str], tuple[str, str]] = {}
    before: dict[str, list[str]] = {}
    consumer_of: dict[str, str] = {}
    chosen = set(leaves)
    for edge in base.edges:
        leaf, consumer = edge
        if leaf in chosen:
            copy = _copy_id(leaf, consumer, taken)
            copies.setdefault(leaf, []).append(copy)
            copy_edges[edge] = (copy, consumer)
            before.setdefault(consumer, []).append(copy)
            consumer_of[copy] = consumer
    originals = {copy: leaf for leaf, made in copies.items() for copy in made}
    nodes = tuple(n for node in base.nodes for n in (*before.get(node, ()), node))
    node_lines = dict(base.node_lines)
    scopes = dict(base.scopes)
    for copy, leaf in originals.items():
        node_lines[copy] = base.node_lines[leaf]
        scopes[copy] = base.scopes.get(consumer_of[copy], ())
    edges = tuple(copy_edges.get(e, e) for e in base.edges)
    edge_lines = {copy_edges.get(e, e): lines for e, lines in base.edge_lines.items()}
    return GraphView(nodes, MappingProxyType(node_lines), edges, MappingProxyType(edge_lines),
                     MappingProxyType(scopes), base.collapsed, base.compact, base.collapse,
                     MappingProxyType({leaf: tuple(made) for leaf, made in copies.items()}),
                     MappingProxyType(copy_edges), base.absorb_leaves)


def graph_view(trace: Trace, collapse: Sequence[str] = (), compact: bool = False,
               copies: Sequence[str] = (), *, absorb_leaves: bool = False) -> GraphView:
    """The drawn graph for some collapsed scopes, label style and copied leaves (cached per
    trace).

    ``copies`` are drawn leaves to draw once per use (`shared_leaves`).
    ``absorb_leaves``: inputs feeding only one collapsed box are drawn inside it
    (`adviz.scene.collapse.collapsed_view`); no effect without ``collapse``.

    Examples
    --------
    >>> import adviz
    >>> def f(x):
    ...     with adviz.scope("double"):
    ...         u = 2 * x
    ...     return u * u
    >>> view = graph_view(adviz.trace(f, x=3.0), ["double"])
    >>> view.nodes, view.node_lines["[double]"]
    (('x', '[double]', 'y'), ('double', '1 node hidden', 'Σ g in = 12', 'Σ g out = 24'))
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> graph_view(t, copies=["x1"]).nodes
    ('x1', 'x2', 'x1@t1', 't1', 't2', 'x1@t3', 't3', 't4', 'y')
    """
    labels = tuple(dict.fromkeys(collapse))
    key = (labels, bool(compact), tuple(dict.fromkeys(copies)), bool(absorb_leaves) and
           bool(labels))
    per_trace = _VIEWS.setdefault(trace, {})
    cached = per_trace.get(key)
    if cached is not None:
        return cached
    if key[2]:
        base = graph_view(trace, key[0], key[1], absorb_leaves=key[3])
        unknown = [leaf for leaf in key[2] if leaf not in shared_leaves(base, every=True)]
        if unknown:
            raise InputError(f"cannot draw {unknown[0]!r} once per use: only a drawn node "
                             f"without parents that feeds two or more nodes can be copied")
        view = per_trace[key] = _with_copies(base, key[2])
        return view
    base_nodes = _compact_node_lines(trace) if compact else reserved_node_lines(trace)
    base_edges = reserved_edge_lines(trace)
    if not key[0]:
        nodes = tuple(n.id for n in trace.program.nodes)
        edge_lines = {e: () if compact else lines for e, lines in base_edges.items()}
        view = GraphView(nodes, MappingProxyType(dict(base_nodes)), tuple(trace.graph.edges),
                         MappingProxyType(edge_lines),
                         MappingProxyType({n.id: n.scope for n in trace.program.nodes}),
                         None, bool(compact))
        per_trace[key] = view
        return view
    collapsed = collapsed_view(trace, key[0], absorb_leaves=key[3])
    flows = _flows(trace, collapsed, (key[0], key[3]))
    node_lines: dict[str, tuple[str, ...]] = {}
    for node in collapsed.nodes:
        box = collapsed.boxes.get(node)
        if box is None:
            node_lines[node] = base_nodes[node]
            continue
        # each distinct running sum once (most stages leave a box's sums as they were)
        ins = [flow_texts(v, 0.0)[0].unicode()
               for v in dict.fromkeys(step[node] for step in flows.inflow)]
        outs = [flow_texts(0.0, v)[1].unicode()
                for v in dict.fromkeys(step[node] for step in flows.outflow)]
        node_lines[node] = (box.label, count_line(len(box.members)),
                            widest(ins, LINE_SIZE), widest(outs, LINE_SIZE))
    merged_lines: dict[tuple[str, str], tuple[str, ...]] = {}
    for edge_key, edge in collapsed.edges.items():
        if compact:
            merged_lines[edge_key] = ()
        elif not edge.merged:
            merged_lines[edge_key] = base_edges[edge_key]
        else:
            sums = [sum_line(v) for v in dict.fromkeys(step[edge_key] for step in flows.edges
                                                       if edge_key in step)]
            merged_lines[edge_key] = (widest(sums, EDGE_SIZE),) if sums else ()
    view = GraphView(collapsed.nodes, MappingProxyType(node_lines), tuple(collapsed.edges),
                     MappingProxyType(merged_lines), collapsed.scopes, collapsed, bool(compact),
                     key[0], absorb_leaves=key[3])
    per_trace[key] = view
    return view


def _compact_node(node: str, view: NodeView) -> NodeView:
    lines: list[Line] = []
    adjoints = [line for line in view.lines if line.role == "adjoint"]
    for line in view.lines:
        if line.role == "name":
            lines.append(Line.of(text(Name(node)), "name", line.size))
        elif line.role != "adjoint":
            lines.append(line)
    if len(adjoints) == 2:  # "g = a + b", "= c" -> "g = c"
        second = adjoints[1].tokens or text(adjoints[1].text)
        rest = second.tokens
        if rest and isinstance(rest[0], Op) and rest[0].text.strip() == "=":
            rest = rest[1:]  # the "= " that continued the running sum
        lines.append(Line.of(text(Name("g"), Op(" = "), *rest), "adjoint", adjoints[1].size))
    else:
        lines += adjoints
    return NodeView(view.state, view.kind, tuple(lines))


_NODE_RANK = {"active": 3, "receiving": 2, "done": 1, "muted": 0}
_EDGE_RANK = {"gradient": 4, "tangent": 3, "forward": 3, "passed": 2, "done": 1, "pending": 0,
              "muted": 0}


def _box_state(counts: Mapping[str, int], members: Sequence[str],
               nodes: Mapping[str, NodeView]) -> str:
    """A box's state from how many of its members are in each state: the busiest, and
    "done" rather than "muted" once any member has been reached."""
    present = [s for s, n in counts.items() if n]
    if all(s in _NODE_RANK for s in present):  # O(states), not O(members)
        state = max(present, key=_NODE_RANK.__getitem__)
    else:  # a state without a rank: the first of the least busy, in member order
        state = max((nodes[m].state for m in members), key=lambda s: _NODE_RANK.get(s, 0))
    if state == "muted" and len(present) > 1:
        state = "done"
    return state


def _box_view(node: str, members: Sequence[str], label: str, nodes: Mapping[str, NodeView],
              flows: _Flows, step: int, reverse: bool,
              counts: Mapping[str, int] | None = None) -> NodeView:
    if counts is None:
        counts = Counter(nodes[m].state for m in members)
    state = _box_state(counts, members, nodes)
    box_lines = [Line(label, "name", NAME_SIZE), Line(count_line(len(members)), "name", LINE_SIZE)]
    if reverse and state != "muted":
        inflow, outflow = flows.inflow[step][node], flows.outflow[step][node]
        box_lines += _flow_box_lines(inflow, outflow, math.copysign(1.0, inflow),
                                     math.copysign(1.0, outflow))
    return NodeView(state, "scope", tuple(box_lines))


@functools.lru_cache(maxsize=4096)
def _flow_box_lines(inflow: float, outflow: float, *signs: float) -> tuple[Line, Line]:
    """A box's two flow lines (most stages leave a box's sums as they were; the signs keep
    −0 apart from 0 in the cache)."""
    first, second = flow_texts(inflow, outflow)
    return Line.of(first, "adjoint", LINE_SIZE), Line.of(second, "adjoint", LINE_SIZE)


@functools.lru_cache(maxsize=4096)
def _sum_edge_line(total: float, sign: float) -> Line:
    return Line.of(sum_text(total), "contribution", EDGE_SIZE)


def _merged_view(key: tuple[str, str], underlying: Sequence[tuple[str, str]],
                 edges: Mapping[tuple[str, str], EdgeView], flows: _Flows, step: int,
                 phase: str, compact: bool,
                 counts: Mapping[tuple[str, bool], int] | None = None) -> EdgeView:
    if counts is None:
        counts = Counter((edges[e].state, edges[e].toward_parent) for e in underlying)
    state, toward_parent = _merged_state(underlying, edges, counts)
    lines: tuple[Line, ...] = ()
    shown = phase == "summary" or any(n for (s, _), n in counts.items()
                                      if s in ("gradient", "passed"))
    if shown and not compact and key in flows.edges[step]:
        total = flows.edges[step][key]
        lines = (_sum_edge_line(total, math.copysign(1.0, total)),)
    return EdgeView(state, lines, toward_parent)


def _merged_state(underlying: Sequence[tuple[str, str]],
                  edges: Mapping[tuple[str, str], EdgeView],
                  counts: Mapping[tuple[str, bool], int]) -> tuple[str, bool]:
    """A merged edge's state and direction: its busiest underlying edge's (the first of
    them, in order, when they differ), found from how many are in each state when that
    decides it."""
    present = [pair for pair, n in counts.items() if n]
    if all(state in _EDGE_RANK for state, _ in present):
        top = max(_EDGE_RANK[state] for state, _ in present)
        busiest = [pair for pair in present if _EDGE_RANK[pair[0]] == top]
        if len(busiest) == 1:
            return busiest[0]
    best = max((edges[e] for e in underlying), key=lambda v: _EDGE_RANK.get(v.state, 0))
    return best.state, best.toward_parent


def _step_of(trace: Trace, phase: str, index: int) -> int:
    return index if phase == "reverse" else len(trace.reverse_stages) - 1


def view_frame(trace: Trace, view: GraphView, content: Frame) -> Frame:
    """A frame of the trace as a frame of ``view`` (collapsed boxes, shortened labels).

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.content import frame
    >>> def f(x):
    ...     with adviz.scope("double"):
    ...         u = 2 * x
    ...     return u * u
    >>> t = adviz.trace(f, x=3.0)
    >>> shown = view_frame(t, graph_view(t, ["double"]), frame(t, "reverse", 2))
    >>> [line.text for line in shown.nodes["[double]"].lines]
    ['double', '1 node hidden', 'Σ g in = 12', 'Σ g out = 24']
    >>> [line.text for line in shown.edges["x", "[double]"].lines]
    ['Σ g = 24']
    """
    shown = _base_frame(trace, view, content)
    if not view.copies:
        return shown
    nodes, edges = _mirror(view, shown.nodes, shown.edges)
    return Frame(content.phase, content.index, content.title,
                 MappingProxyType({n: nodes[n] for n in view.nodes}),
                 MappingProxyType({e: edges[e] for e in view.edges}))


def copy_view(original: NodeView) -> NodeView:
    """What a copy of a leaf shows: its original's state and lines, drawn as a copy.

    Examples
    --------
    >>> copy_view(NodeView("done", "input", ())).kind
    'copy'
    """
    return NodeView(original.state, "copy", original.lines)


def _mirror(view: GraphView, nodes: Mapping[str, NodeView],
            edges: Mapping[tuple[str, str], EdgeView]
            ) -> tuple[dict[str, NodeView], dict[tuple[str, str], EdgeView]]:
    """Nodes and edges of the view before copying, as drawn with copies: each copied leaf's
    view repeated on its copies (O(copies) per changed leaf), its edges leaving from them."""
    out_nodes = dict(nodes)
    for node, node_view in nodes.items():
        made = view.copies.get(node)
        if made:
            shown = copy_view(node_view)
            out_nodes.update(dict.fromkeys(made, shown))
    moved = view.copy_edges
    out_edges = {moved.get(key, key): edge_view for key, edge_view in edges.items()}
    return out_nodes, out_edges


def _base_frame(trace: Trace, view: GraphView, content: Frame) -> Frame:
    if view.collapsed is None and not view.compact:
        return content
    nodes = dict(content.nodes)
    edges = dict(content.edges)
    if view.compact:
        nodes = {n: _compact_node(n, v) for n, v in nodes.items()}
        edges = {e: EdgeView(v.state, (), v.toward_parent) for e, v in edges.items()}
    collapsed = view.collapsed
    if collapsed is None:
        return Frame(content.phase, content.index, content.title,
                     MappingProxyType(nodes), MappingProxyType(edges))
    flows = _flows(trace, collapsed, (view.collapse, view.absorb_leaves))
    step = _step_of(trace, content.phase, content.index)
    reverse = content.phase in ("reverse", "summary")
    out_nodes: dict[str, NodeView] = {}
    for node in collapsed.nodes:
        box = collapsed.boxes.get(node)
        out_nodes[node] = nodes[node] if box is None else _box_view(
            node, box.members, box.label, nodes, flows, step, reverse)
    out_edges: dict[tuple[str, str], EdgeView] = {}
    for key, edge in collapsed.edges.items():
        out_edges[key] = edges[key] if not edge.merged else _merged_view(
            key, edge.edges, edges, flows, step, content.phase, view.compact)
    return Frame(content.phase, content.index, content.title,
                 MappingProxyType(out_nodes), MappingProxyType(out_edges))


class ViewWalker:
    """Walks a phase of a view stage by stage: `adviz.scene.content.Walker` for what is drawn.

    `step` returns the drawn elements a stage changes (collapsed boxes and
    merged edges are recomputed only when one of their members changes), so
    walking a whole phase costs O(nodes + edges + changes).

    Examples
    --------
    >>> import adviz
    >>> def f(x):
    ...     with adviz.scope("double"):
    ...         u = 2 * x
    ...     return u * u
    >>> t = adviz.trace(f, x=3.0)
    >>> walker = ViewWalker(t, graph_view(t, ["double"]), "reverse")
    >>> [sorted(walker.step().nodes) for _ in range(3)][1:]
    [['[double]'], ['[double]', 'x', 'y']]
    """

    def __init__(self, trace: Trace, view: GraphView, phase: str, seed: Seed = None,
                 sweep: ForwardSweep | None = None) -> None:
        self.trace = trace
        self.view = view
        self.phase = phase
        self.walker = Walker(trace, phase, seed, sweep)
        self.nodes: dict[str, NodeView] = {}
        self.edges: dict[tuple[str, str], EdgeView] = {}
        collapsed = view.collapsed
        self._box_of: dict[str, str] = {}
        self._merged_of: dict[tuple[str, str], tuple[str, str]] = {}
        self._counts: dict[str, Counter[str]] = {}  # per box, its members per state
        self._member_state: dict[str, str] = {}
        self._edge_counts: dict[tuple[str, str], Counter[tuple[str, bool]]] = {}  # merged edges
        self._edge_state: dict[tuple[str, str], tuple[str, bool]] = {}
        if collapsed is not None:
            for box_id, box in collapsed.boxes.items():
                self._counts[box_id] = Counter(self.walker.nodes[m].state for m in box.members)
                for member in box.members:
                    self._box_of[member] = box_id
                    self._member_state[member] = self.walker.nodes[member].state
            for key, edge in collapsed.edges.items():
                if edge.merged:
                    self._edge_counts[key] = Counter(
                        (self.walker.edges[e].state, self.walker.edges[e].toward_parent)
                        for e in edge.edges)
                    for underlying in edge.edges:
                        self._merged_of[underlying] = key
                        self._edge_state[underlying] = (self.walker.edges[underlying].state,
                                                        self.walker.edges[underlying].toward_parent)
            self._flows = _flows(trace, collapsed, (view.collapse, view.absorb_leaves))

    @property
    def index(self) -> int:
        """The stage shown now."""
        return self.walker.index

    def frame(self) -> Frame:
        """The current frame of the view."""
        return Frame(self.phase, self.index, self.walker.title(),
                     MappingProxyType(dict(self.nodes)), MappingProxyType(dict(self.edges)))

    def step(self) -> Change:
        """Advance one stage; returns the drawn elements it changed."""
        change = self.walker.step()
        view = self.view
        if view.collapsed is None and not view.compact:
            if not view.copies:
                self.nodes.update(change.nodes)
                self.edges.update(change.edges)
                return change
            return self._record(change, *_mirror(view, change.nodes, change.edges))
        full_nodes, full_edges = self.walker.nodes, self.walker.edges
        nodes: dict[str, NodeView] = {}
        edges: dict[tuple[str, str], EdgeView] = {}
        boxes: dict[str, None] = {}
        merged: dict[tuple[str, str], None] = {}
        for node, node_view in change.nodes.items():
            box = self._box_of.get(node)
            if box is not None:
                boxes[box] = None
                counts = self._counts[box]
                counts[self._member_state[node]] -= 1
                counts[node_view.state] += 1
                self._member_state[node] = node_view.state
            else:
                nodes[node] = _compact_node(node, node_view) if view.compact else node_view
        for key, edge_view in change.edges.items():
            target = self._merged_of.get(key)
            if target is not None:
                merged[target] = None
                counted = self._edge_counts[target]
                counted[self._edge_state[key]] -= 1
                now = self._edge_state[key] = (edge_view.state, edge_view.toward_parent)
                counted[now] += 1
                boxes.update(dict.fromkeys(n for n in target if n in view.collapsed.boxes)
                             if view.collapsed is not None else {})
            elif key in (view.collapsed.edges if view.collapsed is not None else full_edges):
                nodes_only = EdgeView(edge_view.state, (), edge_view.toward_parent)
                edges[key] = nodes_only if view.compact else edge_view
        collapsed = view.collapsed
        if collapsed is not None:
            flows = self._flows
            step = _step_of(self.trace, self.phase, self.index)
            reverse = self.phase == "reverse"
            source = full_nodes  # a box reads its members' states, which compacting keeps
            for box_id in boxes:
                scope_box = collapsed.boxes[box_id]
                nodes[box_id] = _box_view(box_id, scope_box.members, scope_box.label, source,
                                          flows, step, reverse, self._counts[box_id])
            for key in merged:
                edges[key] = _merged_view(key, collapsed.edges[key].edges, full_edges, flows,
                                          step, self.phase, view.compact,
                                          self._edge_counts[key])
        if view.copies:
            nodes, edges = _mirror(view, nodes, edges)
        return self._record(change, nodes, edges)

    def _record(self, change: Change, nodes: dict[str, NodeView],
                edges: dict[tuple[str, str], EdgeView]) -> Change:
        """Keep the drawn elements that differ from the current frame (all of them, in
        drawing order, at stage 0) and return them as the stage's change."""
        view = self.view
        if self.index > 0:
            nodes = {n: v for n, v in nodes.items() if self.nodes.get(n) != v}
            edges = {e: v for e, v in edges.items() if self.edges.get(e) != v}
        else:
            nodes = {n: nodes[n] for n in view.nodes if n in nodes}
            edges = {e: edges[e] for e in view.edges if e in edges}
        self.nodes.update(nodes)
        self.edges.update(edges)
        return Change(change.phase, change.index, change.title, MappingProxyType(nodes),
                      MappingProxyType(edges))
