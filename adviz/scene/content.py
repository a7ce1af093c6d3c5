"""What one frame shows, independent of how it is drawn.

A `Frame` lists, for every node and every edge, its state (muted, active,
receiving gradient, ...) and its lines of text with their roles (name,
value, adjoint, partial, contribution). The SVG renderer and the Matplotlib
renderer draw the same `Frame` with the same `adviz.scene.layout.Layout`.

Node states
    ``"muted"`` (not reached yet), ``"active"`` (evaluated, forward; or
    processed, reverse), ``"receiving"`` (gets gradient in this stage),
    ``"done"``.
Edge states
    ``"muted"`` (child not evaluated yet), ``"forward"`` (into the node
    evaluated in this stage), ``"done"``, ``"gradient"`` (carries gradient in
    this stage, toward the parent), ``"passed"`` (carried gradient in an
    earlier stage), ``"pending"`` (not processed yet), ``"tangent"`` (forward
    mode: carries its parent's tangent times its partial to the child whose
    tangent this stage computes).

A forward-mode (``"tangent"``) frame shows every node's value from the start,
then its tangent (``ṫ₁ = 1``) from the stage that computes it; the edges into
that node show their partial and their product ``∂c/∂p · ṗ``.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> f = frame(t, "reverse", 2)
>>> f.nodes["t2"].state, f.nodes["t1"].state, f.nodes["x1"].state
('active', 'receiving', 'muted')
>>> [line.text for line in f.edges["t1", "t2"].lines]
['∂t₂/∂t₁ = 2t₁ = −2', 'g_t₁ += 1 · (2t₁) = −2']
>>> [line.text for line in frame(t, "reverse", 5).nodes["x1"].lines]
['x₁', '= 1', 'g = −2 + (−0.14112)', '= −2.14112']
>>> f = frame(t, "tangent", 2, seed="x1")
>>> [line.text for line in f.nodes["t2"].lines], f.edges["t1", "t2"].state
(['t₂ = t₁²', '= 1', 'ṫ₂ = −2'], 'tangent')
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from adviz.caching import per_trace
from adviz.core.forward import SeedKey, seed_key
from adviz.core.phases import STAGE_PHASES, SWEEPS, Phase, check_phase
from adviz.errors import InputError
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, NAME_SIZE
from adviz.text.labels import (
    accumulation_texts,
    adjoint_text,
    contribution_text,
    node_formula_text,
    partial_text,
    product_text,
    stage_title,
    tangent_stage_title,
    tangent_text,
    value_text,
)
from adviz.text.tokens import Text, Word

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, Seed, TangentStage
    from adviz.core.stages import Contribution, Stage
    from adviz.core.tracing import Trace

PHASES = STAGE_PHASES
"""What one frame shows (`adviz.core.phases.STAGE_PHASES`)."""


@dataclass(frozen=True)
class Line:
    """One line of text.

    Attributes
    ----------
    text
        The text (unescaped).
    role
        ``"name"``, ``"value"``, ``"adjoint"``, ``"partial"``, ``"contribution"`` or
        ``"tangent"``.
    size
        Font size in points.
    tokens
        The same text as tokens (`adviz.text.tokens.Text`), for renderers
        that typeset another notation (mathtext, LaTeX); ``None`` for plain
        words. Not compared: equal texts have equal tokens.
    """

    text: str
    role: str
    size: float
    tokens: Text | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, tokens: Text, role: str, size: float) -> Line:
        """A line from tokens (its text is their Unicode form)."""
        return cls(tokens.unicode(), role, size, tokens)

    def notation(self, name: str) -> str:
        """The line in a notation: ``"unicode"``, ``"mathtext"``, ``"latex"``, ``"html"``
        or ``"plain"``.

        Examples
        --------
        >>> Line("g = −2", "adjoint", 12.0).notation("latex")
        'g = $-$2'
        """
        tokens = self.tokens if self.tokens is not None else Text((Word(self.text),))
        return str(getattr(tokens, name)())


@dataclass(frozen=True)
class NodeView:
    """A node in one frame: its state, kind and lines of text.

    ``kind`` is ``"input"``, ``"const"``, ``"op"`` or ``"output"``; a collapsed
    scope's box (`adviz.scene.view.view_frame`) has kind ``"scope"``.
    """

    state: str
    kind: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class EdgeView:
    """An edge in one frame.

    Attributes
    ----------
    state
        See the module's documentation.
    lines
        Label lines (the partial, then the contribution once known).
    toward_parent
        Draw the arrowhead at the parent (gradient flowing back).
    """

    state: str
    lines: tuple[Line, ...]
    toward_parent: bool = False


@dataclass(frozen=True)
class Frame:
    """Everything one frame shows.

    Attributes
    ----------
    phase
        ``"forward"``, ``"reverse"`` or ``"summary"``.
    index
        Stage number (0 for the summary).
    title
        The caption (`adviz.text.labels.stage_title`).
    nodes, edges
        By node id and by ``(parent, child)``, in graph order.
    """

    phase: str
    index: int
    title: str
    nodes: Mapping[str, NodeView]
    edges: Mapping[tuple[str, str], EdgeView]


@dataclass(frozen=True)
class _Static:
    """The lines of a trace that do not change from frame to frame, computed once."""

    kinds: dict[str, str]
    names: dict[str, Line]
    values: dict[str, Line]
    partials: dict[tuple[str, str], Line]
    contributions: dict[tuple[str, str], Line]
    last: dict[tuple[str, str], Contribution]


@dataclass
class _Recording:
    """A phase's walk (`Walker`): the elements before its first stage, and the changes of
    the stages walked so far."""

    nodes: dict[str, NodeView] = field(default_factory=dict)
    edges: dict[tuple[str, str], EdgeView] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


_CHANGES: weakref.WeakKeyDictionary[Trace, dict[tuple[str, SeedKey], _Recording]] = \
    weakref.WeakKeyDictionary()
"""Per trace, phase and seed, its walk so far (`Walker`)."""


@per_trace
def _static(trace: Trace) -> _Static:
    graph = trace.graph
    outputs = set(trace.outputs)  # a vector trace draws every output as one
    kinds = {n: "output" if n in outputs else str(d["kind"]) for n, d in graph.nodes(data=True)}
    names = {n: Line.of(node_formula_text(trace, n), "name", NAME_SIZE) for n in graph.nodes}
    values = {n: Line.of(value_text(d["value"]), "value", LINE_SIZE)
              for n, d in graph.nodes(data=True)}
    partials = {(p, c): Line.of(partial_text(trace, p, c), "partial", EDGE_SIZE)
                for p, c in graph.edges}
    contributions: dict[tuple[str, str], Line] = {}
    last: dict[tuple[str, str], Contribution] = {}
    for stage in trace.reverse_stages:
        for c in stage.contributions:
            key = (c.parent, c.child)
            last[key] = c
            contributions[key] = Line.of(contribution_text(trace, c), "contribution", EDGE_SIZE)
    return _Static(kinds, names, values, partials, contributions, last)


def prepare_lines(trace: Trace) -> None:
    """Build the lines every walk of the trace starts from (cached per trace): names,
    values, partials and contributions.

    Examples
    --------
    >>> import adviz
    >>> prepare_lines(adviz.trace("x * x", x=3))
    """
    _static(trace)


def frame_count(trace: Trace, phase: str) -> int:
    """Number of frames of a phase (1 for ``"summary"``).

    Examples
    --------
    >>> import adviz
    >>> frame_count(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), "forward")
    6
    """
    name = check_phase(phase, STAGE_PHASES)
    if name == Phase.SUMMARY:
        return 1
    if name == Phase.TANGENT:  # stage k of forward mode concerns the node of forward stage k
        return len(trace.forward_stages)
    return len(trace.stages(name))


def frame(trace: Trace, phase: str, index: int = -1, seed: Seed = None) -> Frame:
    """The content of frame ``index`` of ``phase`` (the state after that stage).

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"``, ``"tangent"`` or ``"summary"``.
    index
        Stage number; negative numbers count from the end.
    seed
        ``"tangent"``: the seeded input (as `adviz.forward_mode` takes it).

    Raises
    ------
    InputError
        An unknown phase or a stage that does not exist.
    """
    count = frame_count(trace, phase)
    if not -count <= index < count:
        raise InputError(f"{phase} stage {index} does not exist: there are {count} stages "
                         f"(0 to {count - 1})")
    index %= count
    if phase == "summary":
        return _summary(trace)
    walker = Walker(trace, phase, seed)
    for _ in range(index + 1):
        walker.step()
    return walker.frame()


@dataclass(frozen=True)
class Change:
    """What one stage changes: the elements that differ from the frame before it.

    Attributes
    ----------
    phase, index, title
        As in `Frame`.
    nodes, edges
        The nodes and edges whose state or text differ from the previous
        frame (every element for stage 0), in graph order.
    """

    phase: str
    index: int
    title: str
    nodes: Mapping[str, NodeView]
    edges: Mapping[tuple[str, str], EdgeView]


class Walker:
    """Walks a phase stage by stage, keeping the current frame and what each stage changes.

    Each `step` costs the number of elements the stage changes (plus the
    caption), not the size of the graph, so a whole phase costs
    O(nodes + edges + changes).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> walker = Walker(t, "reverse")
    >>> len(walker.step().nodes)  # stage 0: every element
    7
    >>> sorted(walker.step().nodes)  # stage 1: t2 and t4 receive, y stays active
    ['t2', 't4']
    >>> walker.frame().nodes["t2"].state
    'receiving'
    """

    def __init__(self, trace: Trace, phase: str, seed: Seed = None,
                 sweep: ForwardSweep | None = None) -> None:
        phase = check_phase(phase, SWEEPS)
        self.trace = trace
        self.phase = phase
        self.sweep: ForwardSweep | None = None
        self._stages: tuple[Stage, ...] = ()
        self.stages: tuple[Stage, ...] | tuple[TangentStage, ...]
        if phase == Phase.TANGENT:
            if sweep is None:
                from adviz.core.forward import forward_mode

                sweep = forward_mode(trace, seed)
            self.sweep = sweep
            self.stages = sweep.stages
        else:
            self.stages = self._stages = trace.stages(phase)
        self.index = -1
        fixed = _static(trace)
        self._fixed = fixed
        graph = trace.graph
        key = (phase, seed_key(self.sweep.seed) if self.sweep is not None else ())
        self._recording = recording = _CHANGES.setdefault(trace, {}).setdefault(
            key, _Recording())
        # a phase walked to its end before is replayed: every view of it walks the same stages
        self._replay = len(recording.changes) == len(self.stages)
        self.nodes: dict[str, NodeView] = {}
        self.edges: dict[tuple[str, str], EdgeView] = {}
        if self._replay:
            self.nodes, self.edges = dict(recording.nodes), dict(recording.edges)
            return
        for node in graph.nodes:
            lines = (fixed.names[node],) if phase == "forward" else \
                (fixed.names[node], fixed.values[node])
            self.nodes[node] = NodeView("muted", fixed.kinds[node], lines)
        for key in graph.edges:
            self.edges[key] = EdgeView("muted", ()) if phase == "forward" else \
                EdgeView("pending", (fixed.partials[key],))
        self._products: dict[tuple[str, str], Line] = {}
        self._tangents: dict[str, Line] = {}
        if self.sweep is not None:
            self._products = {(t.parent, t.child): Line.of(product_text(trace, t), "tangent",
                                                           EDGE_SIZE)
                              for t in self.sweep.terms}
            self._tangents = {n: Line.of(tangent_text(v, n), "tangent", LINE_SIZE)
                              for n, v in self.sweep.tangents.items()}
        self._parents = {n: tuple(graph.predecessors(n)) for n in graph.nodes}
        self._hot_nodes: list[str] = []
        self._hot_edges: list[tuple[str, str]] = []
        self._received: set[str] = set()
        self._adjoints: dict[str, float] = {}
        if not recording.changes:
            recording.nodes, recording.edges = dict(self.nodes), dict(self.edges)

    def title(self) -> str:
        """The caption of the current stage."""
        if self.sweep is not None:
            return tangent_stage_title(self.trace, self.sweep, self.index)
        return stage_title(self.trace, self.phase, self.index)

    def frame(self) -> Frame:
        """The current frame (the state after the last `step`)."""
        return Frame(self.phase, self.index, self.title(),
                     MappingProxyType(dict(self.nodes)), MappingProxyType(dict(self.edges)))

    def step(self) -> Change:
        """Advance one stage; returns what it changed."""
        self.index += 1
        changes = self._recording.changes
        if self._replay:
            change = changes[self.index]
            self.nodes.update(change.nodes)
            self.edges.update(change.edges)
            return change
        change = self._step()
        if len(changes) == self.index:
            changes.append(change)
        return change

    def _step(self) -> Change:
        changed_nodes: dict[str, NodeView] = {}
        changed_edges: dict[tuple[str, str], EdgeView] = {}
        if self.index == 0:
            changed_nodes = self.nodes
            changed_edges = self.edges
        if self.sweep is not None:
            self._tangent(self.sweep.stages[self.index], changed_nodes, changed_edges)
        elif self.phase == "forward":
            self._forward(self._stages[self.index], changed_nodes, changed_edges)
        else:
            self._reverse(self._stages[self.index], changed_nodes, changed_edges)
        if self.index == 0:
            changed_nodes, changed_edges = dict(self.nodes), dict(self.edges)
        order = self._order
        return Change(self.phase, self.index, self.title(),
                      MappingProxyType(dict(sorted(changed_nodes.items(),
                                                   key=lambda kv: order[kv[0]]))),
                      MappingProxyType(changed_edges))

    @cached_property
    def _order(self) -> dict[str, int]:
        return {node: k for k, node in enumerate(self.trace.graph.nodes)}

    def _set_node(self, node: str, view: NodeView, out: dict[str, NodeView]) -> None:
        if self.nodes[node] != view:
            self.nodes[node] = view
            out[node] = view

    def _set_edge(self, key: tuple[str, str], view: EdgeView,
                  out: dict[tuple[str, str], EdgeView]) -> None:
        if self.edges[key] != view:
            self.edges[key] = view
            out[key] = view

    def _retire(self, now: Sequence[str], nodes: dict[str, NodeView],
                edges: dict[tuple[str, str], EdgeView]) -> list[str]:
        """A forward step: the last stage's nodes and edges become done; ``now`` becomes the
        stage's nodes (returned, each once)."""
        fixed = self._fixed
        for node in self._hot_nodes:
            self._set_node(node, NodeView("done", fixed.kinds[node], self.nodes[node].lines),
                           nodes)
        for key in self._hot_edges:
            self._set_edge(key, EdgeView("done", self.edges[key].lines), edges)
        self._hot_nodes = list(dict.fromkeys(now))
        self._hot_edges = []
        return self._hot_nodes

    def _forward(self, stage: Stage, nodes: dict[str, NodeView],
                 edges: dict[tuple[str, str], EdgeView]) -> None:
        fixed = self._fixed
        current = self._retire(stage.nodes, nodes, edges)
        for node in current:
            self._set_node(node, NodeView("active", fixed.kinds[node],
                                          (fixed.names[node], fixed.values[node])), nodes)
            for parent in self._parents[node]:
                key = (parent, node)
                self._hot_edges.append(key)
                self._set_edge(key, EdgeView("forward", (fixed.partials[key],)), edges)

    def _tangent(self, stage: TangentStage, nodes: dict[str, NodeView],
                 edges: dict[tuple[str, str], EdgeView]) -> None:
        """Forward mode: the stage's node gets its tangent, its in-edges their products."""
        fixed = self._fixed
        current = self._retire(stage.nodes, nodes, edges)
        for node in current:
            lines = (fixed.names[node], fixed.values[node], self._tangents[node])
            self._set_node(node, NodeView("active", fixed.kinds[node], lines), nodes)
            for parent in self._parents[node] if stage.node is not None else ():
                key = (parent, node)
                product = self._products.get(key)
                if product is None:  # from a constant: no tangent flows
                    continue
                self._hot_edges.append(key)
                self._set_edge(key, EdgeView("tangent", (fixed.partials[key], product)), edges)

    def _reverse(self, stage: Stage, nodes: dict[str, NodeView],
                 edges: dict[tuple[str, str], EdgeView]) -> None:
        fixed = self._fixed
        adjoints = self._adjoints
        if self.index == 0 and stage.node is not None:
            adjoints[stage.node] = 1.0
        current = {c.parent: c for c in stage.contributions} if self.index else {}
        active = stage.node if self.index == 0 or stage.contributions else None
        now = [(c.parent, c.child) for c in stage.contributions] if self.index else []
        for key in self._hot_edges:
            if key not in now:
                self._set_edge(key, EdgeView("passed", self.edges[key].lines, True), edges)
        for key in now:
            self._set_edge(key, EdgeView("gradient", (fixed.partials[key],
                                                      fixed.contributions[key]), True), edges)
        for node in self._hot_nodes:
            if node not in current and node != active:
                adjoint = Line.of(adjoint_text(adjoints[node]), "adjoint", LINE_SIZE)
                lines = (*self.nodes[node].lines[:2], adjoint)
                self._set_node(node, NodeView("done", fixed.kinds[node], lines), nodes)
        for c in stage.contributions if self.index else ():
            adjoints[c.parent] = c.after
        hot: list[str] = []
        for node, c in current.items():
            base = (fixed.names[node], fixed.values[node])
            if node in self._received:
                first, second = accumulation_texts(c.before, c.delta, c.after)
                lines = (*base, Line.of(first, "adjoint", LINE_SIZE),
                         Line.of(second, "adjoint", LINE_SIZE))
            else:
                lines = (*base, Line.of(adjoint_text(c.after), "adjoint", LINE_SIZE))
            self._set_node(node, NodeView("receiving", fixed.kinds[node], lines), nodes)
            hot.append(node)
        if active is not None and active not in current:
            lines = (fixed.names[active], fixed.values[active],
                     Line.of(adjoint_text(adjoints.get(active, 0.0)), "adjoint", LINE_SIZE))
            self._set_node(active, NodeView("active", fixed.kinds[active], lines), nodes)
            hot.append(active)
        self._received.update(current)
        self._hot_nodes = hot
        self._hot_edges = now
        if self.index == len(self.stages) - 1:  # inputs the output does not use: g = 0
            program = self.trace.program
            for i in program.inputs:
                node = program.nodes[i].id
                if node not in adjoints and node in self.nodes:
                    lines = (fixed.names[node], fixed.values[node],
                             Line.of(adjoint_text(0.0), "adjoint", LINE_SIZE))
                    self._set_node(node, NodeView("done", fixed.kinds[node], lines), nodes)


def _summary(trace: Trace) -> Frame:
    fixed = _static(trace)
    adjoints = trace.adjoints
    nodes = {}
    for node in trace.graph.nodes:
        lines = [fixed.names[node], fixed.values[node]]
        if node in adjoints:
            lines.append(Line.of(adjoint_text(adjoints[node]), "adjoint", LINE_SIZE))
        nodes[node] = NodeView("done", fixed.kinds[node], tuple(lines))
    edges = {}
    for key in trace.graph.edges:
        if key in fixed.contributions:
            edges[key] = EdgeView("done", (fixed.partials[key], fixed.contributions[key]))
        else:
            edges[key] = EdgeView("done", (fixed.partials[key],))
    return Frame("summary", 0, stage_title(trace, "summary", 0),
                 MappingProxyType(nodes), MappingProxyType(edges))
