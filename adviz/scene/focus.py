"""Focus and zoom: one node's paths to the output in full colour, one scope drawn open.

``focus="w1_22"`` keeps every path from the focused node to the output in
full colour and draws the rest in the ``"unfocused"`` state of the style table
(`adviz.scene.style.NodeState`), in every stage; the caption band adds the
sum over those paths, ``g_w1_22 = Σ over 1 path = ...``
(`adviz.text.focus.focus_text`). A collapsed scope holding part of a path
(or the focused node) stays in colour, and so do the merged edges that carry
it: the paths are drawn through the boxes.

``zoom="neuron 2"`` (a scope label, or a path such as ``"layer 1/neuron 2"``)
draws that scope's scalar graph open and every other scope as one box
(`zoom_collapse` gives the labels to collapse). A collapsed scope's own leaves
(inputs that feed only that box, such as another neuron's weights and bias) are
drawn inside its box (``absorb_leaves=True`` of
`adviz.scene.collapse.collapsed_view`), so a zoom grows with the zoomed scope,
not with the whole graph.

Both are resolved here, once, in the scene: renderers paint the states and
the notice line they are given.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> f = focus_of(t, "t1")
>>> sorted(f.nodes), sorted(f.edges)
(['t1', 't2', 'y'], [('t1', 't2'), ('t2', 'y')])
>>> f.line
'g_t₁ = Σ over 1 path = −2'
>>> resolve_node(t, "t5")
Traceback (most recent call last):
...
adviz.errors.InputError: cannot focus on 't5': it is not a node of this trace (close: 't4', ...
"""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from adviz.core.pathsum import DEFAULT_LIMIT, Path, parent_lists, paths_from, walk_paths
from adviz.errors import InputError
from adviz.scene.content import Change, EdgeView, Frame, NodeView
from adviz.text.focus import focus_text, focus_total_text
from adviz.text.tokens import Text, pretty_name

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.scene.picture import Figure
    from adviz.scene.view import GraphView

UNFOCUSED = "unfocused"
"""The state of an element off the focused paths (`adviz.scene.style.NodeState`)."""


def resolve_node(trace: Trace, name: str) -> str:
    """The node id a ``focus`` names: a node id (``"w1_22"``) or its printed name (``"t₁"``).

    Raises
    ------
    InputError
        No such node (the message names it and the closest node ids).
    """
    if not isinstance(name, str):
        raise InputError(f"focus must be a node id (a str), not {name!r}")
    if name in trace.program.index:
        return name
    ids = [node.id for node in trace.program.nodes]
    pretty = {pretty_name(node): node for node in ids}
    if name in pretty:
        return pretty[name]
    close = difflib.get_close_matches(name, ids, n=3, cutoff=0.5)
    hint = f" (close: {', '.join(repr(c) for c in close)})" if close else ""
    raise InputError(f"cannot focus on {name!r}: it is not a node of this trace{hint}; "
                     f"use a node id such as {ids[0]!r}")


@dataclass(frozen=True)
class Focus:
    """A node's paths to the output in the trace's graph.

    Attributes
    ----------
    node
        The focused node's id.
    nodes, edges
        The nodes and ``(parent, child)`` edges on at least one path from
        ``node`` to the output (``node`` itself always).
    count
        The number of paths.
    paths
        The paths (`adviz.core.pathsum.Path`), when there are at most
        `adviz.core.pathsum.DEFAULT_LIMIT`; else empty.
    text
        The caption (`adviz.text.focus.focus_text`).
    """

    node: str
    nodes: frozenset[str]
    edges: frozenset[tuple[str, str]]
    count: int
    paths: tuple[Path, ...]
    text: Text

    @property
    def line(self) -> str:
        """The caption in Unicode."""
        return self.text.unicode()


_FOCI: weakref.WeakKeyDictionary[Trace, dict[str, Focus]] = weakref.WeakKeyDictionary()


def _one_output(trace: Trace, output: str | int | None) -> int | None:
    """The program position of the output a focus sums its paths to: ``None`` for a trace
    with one output; on a trace with several, the one ``output`` chooses (else refused)."""
    from adviz.core.tracing import one_output
    from adviz.errors import TraceError

    if not getattr(trace, "vector", False):
        return None
    from adviz.core.sweep import OutputSweep

    if isinstance(trace, OutputSweep) and output is None:
        return trace.output_position(trace.output)
    if output is None:
        try:
            one_output(trace, "focus")
        except TraceError as err:
            names = trace.outputs
            raise TraceError(f"{err}; or choose it with output={names[0]!r}") from None
    return trace.output_position(output)


def _paths_to(trace: Trace, start: int, target: int, limit: int) -> tuple[Path, ...]:
    """Every path from node ``start`` to node ``target`` (at most ``limit``), in the order
    `adviz.core.pathsum.paths_from` lists them, with their products of partials."""
    return tuple(walk_paths(trace, start, target, limit + 1))


def focus_of(trace: Trace, name: str, output: str | int | None = None) -> Focus:
    """The `Focus` of the node ``name`` names (`resolve_node`), computed once per trace.

    An edge is on a path exactly when its parent is reachable from the node
    and the output is reachable from its child. On a trace with several
    outputs the paths lead to the one ``output`` chooses (an id such as
    ``"y2"`` or a number, 1 for the first); without it such a trace is refused.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
    >>> focus_of(t, "a", output="y2").line
    'g_a = Σ over 1 path = −0.41615'
    """
    node = resolve_node(trace, name)
    position = _one_output(trace, output)
    key = node if position is None else f"{node}\0{position}"
    found = _FOCI.get(trace, {}).get(key)
    if found is not None:
        return found
    program = trace.program
    parents = parent_lists(trace)
    start = program.index[node]
    count = len(program.nodes)
    below = [False] * count  # reachable from the focused node
    below[start] = True
    ways = [0] * count  # paths from the focused node
    ways[start] = 1
    for i in range(start + 1, count):
        for p in parents[i]:
            if below[p]:
                below[i] = True
                ways[i] += ways[p]
    target = program.output if position is None else position
    above = [False] * count  # reaches the output
    above[target] = True
    for i in range(target, -1, -1):
        if above[i]:
            for p in parents[i]:
                above[p] = True
    on = {program.nodes[i].id for i in range(count) if below[i] and above[i]}
    on.add(node)
    nodes = program.nodes
    edges = frozenset((nodes[p].id, nodes[i].id) for i in range(start + 1, count)
                      if below[i] and above[i] for p in parents[i] if below[p])
    total = ways[target]
    if total <= DEFAULT_LIMIT:
        listed = tuple(paths_from(trace, node)) if position is None else \
            _paths_to(trace, start, target, DEFAULT_LIMIT)
        caption = focus_text(node, [p.product for p in listed])
    else:  # too many to list: the count and the adjoint they sum to
        listed = ()
        if position is None:
            adjoint = float(trace.graph.nodes[node]["adjoint"] or 0.0)
        else:
            from adviz.core.sweep import output_sweep

            adjoint = float(output_sweep(trace, nodes[position].id).adjoints.get(node, 0.0))
        caption = focus_total_text(node, total, adjoint)
    result = Focus(node, frozenset(on), edges, total, listed, caption)
    _FOCI.setdefault(trace, {})[key] = result
    return result


@dataclass(frozen=True)
class DrawnFocus:
    """A `Focus` as drawn in a view: the drawn nodes and edges kept in colour.

    Attributes
    ----------
    focus
        The focus in the trace's graph.
    nodes, edges
        Drawn node ids (boxes holding a path count) and drawn edges (merged
        edges carrying a path count) kept in colour.
    """

    focus: Focus
    nodes: frozenset[str]
    edges: frozenset[tuple[str, str]]

    def node_view(self, node: str, view: NodeView) -> NodeView:
        """A node's view with the focus applied."""
        if node in self.nodes or view.state == UNFOCUSED:
            return view
        return NodeView(UNFOCUSED, view.kind, view.lines)

    def edge_view(self, key: tuple[str, str], view: EdgeView) -> EdgeView:
        """An edge's view with the focus applied."""
        if key in self.edges or view.state == UNFOCUSED:
            return view
        return EdgeView(UNFOCUSED, view.lines, view.toward_parent)

    def frame(self, content: Frame) -> Frame:
        """A frame with every element off the paths unfocused."""
        return Frame(content.phase, content.index, content.title,
                     MappingProxyType({n: self.node_view(n, v)
                                       for n, v in content.nodes.items()}),
                     MappingProxyType({e: self.edge_view(e, v)
                                       for e, v in content.edges.items()}))

    def change(self, change: Change, shown: dict[str, object]) -> Change:
        """A stage's change with the focus applied, without the elements whose focused view
        did not change (``shown`` keeps the last view of each element)."""
        nodes = {}
        for node, view in change.nodes.items():
            drawn = self.node_view(node, view)
            if change.index == 0 or shown.get(node) != drawn:
                nodes[node] = shown[node] = drawn
        edges = {}
        for key, edge in change.edges.items():
            drawn_edge = self.edge_view(key, edge)
            name = f"{key[0]}\0{key[1]}"
            if change.index == 0 or shown.get(name) != drawn_edge:
                edges[key] = drawn_edge
                shown[name] = drawn_edge
        return Change(change.phase, change.index, change.title, MappingProxyType(nodes),
                      MappingProxyType(edges))


def drawn_focus(focus: Focus, view: GraphView) -> DrawnFocus:
    """Where a focus is drawn in ``view``: boxes that hold a node of a path, merged edges
    that carry an edge of one, and the copies of a leaf whose edge is on one.

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.view import graph_view
    >>> def f(x, w):
    ...     with adviz.scope("neuron"):
    ...         h = adviz.tanh(w * x)
    ...     return h * x
    >>> t = adviz.trace(f, x=1.0, w=0.5)
    >>> drawn = drawn_focus(focus_of(t, "w"), graph_view(t, ["neuron"]))
    >>> sorted(drawn.nodes), sorted(drawn.edges)
    (['[neuron]', 'w', 'y'], [('[neuron]', 'y'), ('w', '[neuron]')])
    """
    collapsed = view.collapsed
    owner: Mapping[str, str] = collapsed.owner if collapsed is not None else {}
    nodes = {owner.get(n, n) for n in focus.nodes}
    if collapsed is not None:
        edges = {key for key, merged in collapsed.edges.items()
                 if any(e in focus.edges for e in merged.edges)}
    else:
        edges = {e for e in view.edges if e in focus.edges}
    if view.copies:
        moved = view.copy_edges
        edges = {moved.get(e, e) for e in edges}
        originals = view.originals
        nodes |= {copy for copy in originals if any(e[0] == copy for e in edges)}
    return DrawnFocus(focus, frozenset(nodes), frozenset(edges))


# ---------------------------------------------------------------- zoom

def scope_paths(trace: Trace) -> tuple[tuple[str, ...], ...]:
    """Every scope of a trace as its path of labels (outermost first), in order of first
    appearance, enclosing scopes before the scopes inside them.

    Examples
    --------
    >>> import adviz.examples
    >>> scope_paths(adviz.examples.mlp((1, 2, 1)))[:3]
    (('layer 1',), ('layer 1', 'neuron 1'), ('layer 1', 'neuron 2'))
    """
    seen: dict[tuple[str, ...], None] = {}
    for node in trace.program.nodes:
        for depth in range(1, len(node.scope) + 1):
            seen.setdefault(node.scope[:depth], None)
    return tuple(seen)


def resolve_scope(trace: Trace, zoom: str) -> tuple[str, ...]:
    """The scope path a ``zoom`` names: a label (``"neuron 2"``) or the end of a path
    (``"layer 1/neuron 2"``).

    Raises
    ------
    InputError
        No scope or several scopes match (the message lists them).

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 2, 1))
    >>> resolve_scope(t, "layer 2/neuron 1")
    ('layer 2', 'neuron 1')
    >>> resolve_scope(t, "neuron 1")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: zoom 'neuron 1' is ambiguous: it names 3 scopes ('layer 1/neuron 1',...
    """
    if not isinstance(zoom, str) or not zoom.strip():
        raise InputError(f"zoom must be a scope label such as 'neuron 2', not {zoom!r}")
    parts = tuple(part.strip() for part in zoom.strip().strip("/").split("/"))
    scopes = scope_paths(trace)
    found = [path for path in scopes if path[-len(parts):] == parts and len(path) >= len(parts)]
    if len(found) == 1:
        return found[0]
    named = ", ".join(repr("/".join(p)) for p in (found or scopes)[:12])
    if found:
        raise InputError(f"zoom {zoom!r} is ambiguous: it names {len(found)} scopes ({named}); "
                         f"give its path, such as {'/'.join(found[0])!r}")
    labels = sorted({"/".join(p) for p in scopes})
    close = difflib.get_close_matches(zoom, labels, n=3, cutoff=0.5)
    hint = f"close: {', '.join(repr(c) for c in close)}" if close else f"scopes: {named or 'none'}"
    raise InputError(f"cannot zoom into {zoom!r}: it is not a scope of this trace ({hint})")


def zoom_collapse(trace: Trace, zoom: str) -> tuple[str, ...]:
    """The scope labels to collapse so that only the scope ``zoom`` names (and the scopes
    enclosing it) is drawn open: every sibling of the zoomed scope and of each scope
    enclosing it. A zoom draws each of these boxes with its own leaves inside it
    (the inputs that feed only that box: `focused_figure`).

    Raises
    ------
    InputError
        An unknown or ambiguous scope (`resolve_scope`), or a sibling scope with
        the same label as a scope on the zoomed path (collapsing by label would
        hide the zoomed scope too).

    Examples
    --------
    >>> import adviz.examples
    >>> zoom_collapse(adviz.examples.mlp((2, 3, 1)), "neuron 2")
    ('neuron 1', 'neuron 3', 'layer 2', 'loss')
    """
    path = resolve_scope(trace, zoom)
    labels: dict[str, None] = {}
    for scope in scope_paths(trace):
        depth = len(scope) - 1
        if depth < len(path) and scope[:depth] == path[:depth] and scope[depth] != path[depth]:
            if scope[depth] in path:
                raise InputError(f"cannot zoom into {'/'.join(path)!r}: the scope "
                                 f"{'/'.join(scope)!r} has a label of the zoomed path, so "
                                 f"collapsing it by label would hide the zoomed scope; "
                                 f"rename one of them")
            labels.setdefault(scope[depth], None)
    return tuple(labels)


def members(trace: Trace, path: tuple[str, ...]) -> tuple[str, ...]:
    """The nodes created inside the scope ``path`` (at any depth), in evaluation order.

    Examples
    --------
    >>> import adviz.examples
    >>> members(adviz.examples.mlp((2, 2, 1)), ("layer 1", "neuron 2"))
    ('t4', 't5', 't6', 'z1_2', 'a1_2')
    """
    return tuple(n.id for n in trace.program.nodes if n.scope[:len(path)] == path)


# ---------------------------------------------------------------- the figure

def focused_figure(trace: Trace, focus: str | None, zoom: str | None, *,
                   collapse: Iterable[str] | None = None, size: Any = None,
                   extra_titles: Sequence[str] = (), **options: Any) -> Figure:
    """`adviz.scene.picture.figure` with a ``focus`` and/or a ``zoom`` (see the module).

    With ``zoom``, the scopes of `zoom_collapse` are boxes and a box's own
    leaves (inputs, never the output, all of whose children it holds: another
    neuron's weights and bias) are drawn inside it, its members
    (``absorb_leaves=True``, `adviz.scene.collapse.collapsed_view`); inputs that
    feed an open node or two boxes stay drawn.

    The figure is the one without focus (cached), drawn again on the same view
    and layout with the focus caption in its caption band and the focus applied
    to every frame; it is kept with the figure it is made from.

    Raises
    ------
    InputError
        An unknown focused node or zoomed scope, or ``zoom`` with ``collapse``.
    TraceError
        ``focus`` on a trace with several outputs and no ``output`` chosen.
    """
    from adviz.scene import picture
    from adviz.scene.sizes import fit_scale, page_pixels

    if zoom is not None:
        if collapse is not None:
            raise InputError("zoom= chooses the scopes drawn as boxes: leave out collapse= "
                             "(or zoom=)")
        collapse = zoom_collapse(trace, zoom)
        options["absorb_leaves"] = True  # the boxes' own leaves are drawn inside them
    chosen = focus_of(trace, focus, options.get("output")) if focus is not None else None
    base = picture.figure(trace, collapse=collapse, size=size, extra_titles=extra_titles,
                          **options)
    if chosen is None:
        return base
    key = f"focus:{chosen.node}"
    found = base.cache.get(key)
    if found is not None:
        return cast("Figure", found)
    notice = "; ".join(part for part in (chosen.line, base.notice) if part)
    sweep = base.cache.get("sweep")
    drawn = base.trace  # a trace with several outputs: the chosen output's sweep
    titles = [*picture._titles(drawn, sweep), *extra_titles]
    built = picture._build(drawn, base.theme, base.view, base.layout, notice, base.size, titles)
    built.seed = base.seed
    if sweep is not None:
        built.cache["sweep"] = sweep
    if base.page is not None:
        page = page_pixels(base.size)
        pixels = fit_scale(built.width, built.height, page) * picture.smallest_text(built)
        built.page = picture.page_of(built, base.size, page, pixels, base.page.min_text)
    built.focus = drawn_focus(chosen, base.view)
    base.cache[key] = built
    return built
