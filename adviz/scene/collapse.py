"""Collapsed scopes: a scope drawn as one box, with its summed adjoint flows.

`collapsed_view` is a pure function of a trace and some scope labels. Every
node of a collapsed scope (created inside ``with adviz.scope(label):``, at
any depth) is replaced by one `ScopeBox`; edges that enter or leave the box
are merged per outside node into one `MergedEdge`, whose contribution is the
sum of the underlying edges' contributions (``g_child * d child / d parent``);
edges inside the box disappear. Inputs and the output are never hidden, so
their adjoints (the gradient) are the trace's; with ``absorb_leaves=True`` an
input that feeds only one box (a weight that only that neuron reads) is drawn
inside it, one of its members.

Examples
--------
>>> import adviz
>>> def f(x, w):
...     with adviz.scope("neuron"):
...         h = adviz.tanh(w * x)
...     return h * h
>>> t = adviz.trace(f, x=1.0, w=0.5)
>>> view = collapsed_view(t, ["neuron"])
>>> view.nodes
('x', 'w', '[neuron]', 'y')
>>> [(e.parent, e.child, e.edges) for e in view.edges.values()][:2]
[('x', '[neuron]', (('x', 't1'),)), ('w', '[neuron]', (('w', 't1'),))]
>>> round(view.edges["[neuron]", "y"].contribution, 5) == round(t.graph.edges["t2", "y"][
...     "contribution"], 5)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from adviz.errors import InputError

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


@dataclass(frozen=True)
class ScopeBox:
    """A collapsed scope.

    Attributes
    ----------
    id
        The box's id in the collapsed view (``"[label]"``, made unique).
    scope
        The scope path, outermost label first (the node attribute ``scope``
        up to and including the collapsed label).
    label
        The collapsed scope's own label.
    members
        The hidden nodes, in evaluation order.
    """

    id: str
    scope: tuple[str, ...]
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class MergedEdge:
    """Edges of the trace between the same two drawn nodes, merged into one.

    Attributes
    ----------
    parent, child
        Ids of the drawn nodes (a node id or a `ScopeBox` id).
    edges
        The underlying ``(parent, child)`` edges of the trace, in graph order.
    contribution
        Sum of the underlying edges' contributions ``g_child * partial``
        (``None`` when the reverse pass reached none of them).
    """

    parent: str
    child: str
    edges: tuple[tuple[str, str], ...]
    contribution: float | None

    @property
    def merged(self) -> bool:
        """Whether this stands for something other than one plain edge."""
        return len(self.edges) != 1 or self.edges[0] != (self.parent, self.child)


@dataclass(frozen=True)
class CollapsedView:
    """A trace's graph with some scopes collapsed into boxes.

    Attributes
    ----------
    nodes
        Drawn node ids in evaluation order (a box takes its first member's place).
    boxes
        Box id -> `ScopeBox`.
    owner
        Every node of the trace -> the drawn node standing for it (itself or a box).
    edges
        ``(parent, child)`` of drawn nodes -> `MergedEdge`, in graph order.
    scopes
        Drawn node -> the scope path it is drawn inside (a box: its enclosing scopes).
    """

    nodes: tuple[str, ...]
    boxes: Mapping[str, ScopeBox]
    owner: Mapping[str, str]
    edges: Mapping[tuple[str, str], MergedEdge]
    scopes: Mapping[str, tuple[str, ...]]

    def inflow(self, box: str) -> float:
        """Gradient arriving at a box from outside: the sum over edges leaving it (data flow).

        Examples
        --------
        >>> import adviz
        >>> def f(x):
        ...     with adviz.scope("twice"):
        ...         u = x * 2
        ...     return u + x
        >>> view = collapsed_view(adviz.trace(f, x=1.0), ["twice"])
        >>> view.inflow("[twice]"), view.outflow("[twice]")
        (1.0, 2.0)
        """
        return sum(e.contribution or 0.0 for e in self.edges.values() if e.parent == box)

    def outflow(self, box: str) -> float:
        """Gradient a box passes to outside nodes: the sum over edges entering it."""
        return sum(e.contribution or 0.0 for e in self.edges.values() if e.child == box)


def scope_labels(trace: Trace) -> tuple[str, ...]:
    """Every scope label of a trace, outermost first, in order of first appearance.

    Examples
    --------
    >>> import adviz
    >>> def f(x):
    ...     with adviz.scope("layer"):
    ...         with adviz.scope("neuron"):
    ...             x = adviz.tanh(x)
    ...     return x * 2
    >>> scope_labels(adviz.trace(f, x=1.0))
    ('layer', 'neuron')
    """
    seen: dict[str, None] = {}
    for node in trace.program.nodes:
        for label in node.scope:
            seen.setdefault(label, None)
    return tuple(seen)


def collapsed_view(trace: Trace, collapse: Iterable[str], *,
                   absorb_leaves: bool = False) -> CollapsedView:
    """Collapse the scopes named in ``collapse`` into one box each.

    Parameters
    ----------
    trace
        A `Trace`.
    collapse
        Scope labels. A label names every scope with that label, at any
        depth; a scope inside a collapsed one is collapsed with it. The
        same label under two different enclosing scopes gives two boxes.
    absorb_leaves
        Draw an input (never the output) all of whose children lie in one and
        the same box inside that box, as one of its members: its edges are then
        inside the box, and the box's flows and merged edges count only the
        edges that cross its border. An input feeding a drawn node or two
        boxes stays drawn. ``False`` (default): every input is drawn.

    Returns
    -------
    CollapsedView

    Raises
    ------
    InputError
        A label that is not a scope of the trace (the message lists them).

    Examples
    --------
    >>> import adviz
    >>> def f(x, w, b):
    ...     with adviz.scope("neuron"):
    ...         h = adviz.tanh(w * x + b)
    ...     return h * x
    >>> t = adviz.trace(f, x=1.0, w=0.5, b=0.1)
    >>> view = collapsed_view(t, ["neuron"], absorb_leaves=True)
    >>> view.nodes, view.boxes["[neuron]"].members[:2]
    (('x', '[neuron]', 'y'), ('w', 'b'))
    """
    wanted = tuple(dict.fromkeys(collapse))
    known = scope_labels(trace)
    for label in wanted:
        if label not in known:
            listed = ", ".join(repr(k) for k in known) or "none"
            raise InputError(f"cannot collapse {label!r}: it is not a scope of this trace "
                             f"(scopes: {listed})")
    program = trace.program
    graph = trace.graph
    keep = {program.nodes[i].id for i in program.inputs} | {trace.output}
    used = {node.id for node in program.nodes}
    box_of_path: dict[tuple[str, ...], str] = {}
    members: dict[str, list[str]] = {}
    paths: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    order: list[str] = []
    scopes: dict[str, tuple[str, ...]] = {}
    for node in program.nodes:
        cut = next((k for k, label in enumerate(node.scope) if label in wanted), None)
        if cut is None or node.id in keep:
            owner[node.id] = node.id
            order.append(node.id)
            scopes[node.id] = node.scope
            continue
        path = node.scope[:cut + 1]
        box = box_of_path.get(path)
        if box is None:
            box = f"[{path[-1]}]"
            suffix = 2
            while box in used:
                box = f"[{path[-1]}] ({suffix})"
                suffix += 1
            used.add(box)
            box_of_path[path] = box
            members[box] = []
            paths[box] = path
            order.append(box)
            scopes[box] = path[:-1]
        members[box].append(node.id)
        owner[node.id] = box
    if absorb_leaves and members:
        position = program.index
        absorbed: set[str] = set()
        for i in program.inputs:
            leaf = program.nodes[i].id
            if leaf == trace.output:
                continue
            owners = {owner[child] for child in graph.successors(leaf)}
            if len(owners) != 1:
                continue
            (box,) = owners
            if box not in members:
                continue
            owner[leaf] = box
            members[box].append(leaf)
            absorbed.add(leaf)
            del scopes[leaf]
        order = [node for node in order if node not in absorbed]
        for held in members.values():
            held.sort(key=position.__getitem__)
    grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for parent, child in graph.edges:
        key = (owner[parent], owner[child])
        if key[0] == key[1]:
            continue
        grouped.setdefault(key, []).append((parent, child))
    edges = {}
    for key, underlying in grouped.items():
        values = [graph.edges[e]["contribution"] for e in underlying]
        known_values = [v for v in values if v is not None]
        total = sum(known_values) if known_values else None
        edges[key] = MergedEdge(key[0], key[1], tuple(underlying), total)
    boxes = {b: ScopeBox(b, paths[b], paths[b][-1], tuple(members[b])) for b in members}
    return CollapsedView(tuple(order), MappingProxyType(boxes), MappingProxyType(owner),
                         MappingProxyType(edges), MappingProxyType(scopes))
