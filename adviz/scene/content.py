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
    earlier stage), ``"pending"`` (not processed yet).

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> f = frame(t, "reverse", 2)
>>> f.nodes["t2"].state, f.nodes["t1"].state, f.nodes["x1"].state
('active', 'receiving', 'muted')
>>> [line.text for line in f.edges["t1", "t2"].lines]
['∂t₂/∂t₁ = 2t₁ = −2', 'g_t1 += 1 · (2t₁) = −2']
>>> [line.text for line in frame(t, "reverse", 5).nodes["x1"].lines]
['x₁', '= 1', 'g = −2 + (−0.14112)', '= −2.14112']
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from adviz.errors import InputError
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, NAME_SIZE
from adviz.text.labels import (
    accumulation_lines,
    adjoint_line,
    contribution_label,
    node_formula,
    partial_label,
    stage_title,
    value_line,
)

if TYPE_CHECKING:
    from adviz.core.stages import Contribution
    from adviz.core.tracing import Trace

PHASES = ("forward", "reverse", "summary")


@dataclass(frozen=True)
class Line:
    """One line of text.

    Attributes
    ----------
    text
        The text (unescaped).
    role
        ``"name"``, ``"value"``, ``"adjoint"``, ``"partial"`` or ``"contribution"``.
    size
        Font size in points.
    """

    text: str
    role: str
    size: float


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


_STATIC: weakref.WeakKeyDictionary[Trace, _Static] = weakref.WeakKeyDictionary()


def _static(trace: Trace) -> _Static:
    cached = _STATIC.get(trace)
    if cached is not None:
        return cached
    graph = trace.graph
    output = trace.output
    kinds = {n: "output" if n == output else str(d["kind"]) for n, d in graph.nodes(data=True)}
    names = {n: Line(node_formula(trace, n), "name", NAME_SIZE) for n in graph.nodes}
    values = {n: Line(value_line(d["value"]), "value", LINE_SIZE)
              for n, d in graph.nodes(data=True)}
    partials = {(p, c): Line(partial_label(trace, p, c), "partial", EDGE_SIZE)
                for p, c in graph.edges}
    contributions: dict[tuple[str, str], Line] = {}
    last: dict[tuple[str, str], Contribution] = {}
    for stage in trace.reverse_stages:
        for c in stage.contributions:
            key = (c.parent, c.child)
            last[key] = c
            contributions[key] = Line(contribution_label(trace, c), "contribution", EDGE_SIZE)
    result = _Static(kinds, names, values, partials, contributions, last)
    _STATIC[trace] = result
    return result


def frame_count(trace: Trace, phase: str) -> int:
    """Number of frames of a phase (1 for ``"summary"``).

    Examples
    --------
    >>> import adviz
    >>> frame_count(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), "forward")
    6
    """
    if phase == "summary":
        return 1
    if phase not in PHASES:
        raise InputError(f"unknown phase {phase!r}; use 'forward', 'reverse' or 'summary'")
    return len(trace.stages(phase))


def frame(trace: Trace, phase: str, index: int = -1) -> Frame:
    """The content of frame ``index`` of ``phase`` (the state after that stage).

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"`` or ``"summary"``.
    index
        Stage number; negative numbers count from the end.

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
    if phase == "forward":
        return _forward(trace, index)
    if phase == "reverse":
        return _reverse(trace, index)
    return _summary(trace)


def _forward(trace: Trace, index: int) -> Frame:
    fixed = _static(trace)
    state = trace.state("forward", index)
    current = set(state.stage.nodes)
    known = state.values
    nodes = {}
    for node in trace.graph.nodes:
        if node in known:
            status = "active" if node in current else "done"
            lines: tuple[Line, ...] = (fixed.names[node], fixed.values[node])
        else:
            status, lines = "muted", (fixed.names[node],)
        nodes[node] = NodeView(status, fixed.kinds[node], lines)
    edges = {}
    for key in trace.graph.edges:
        child = key[1]
        if child not in known:
            edges[key] = EdgeView("muted", ())
        else:
            edges[key] = EdgeView("forward" if child in current else "done",
                                  (fixed.partials[key],))
    return Frame("forward", index, stage_title(trace, "forward", index),
                 MappingProxyType(nodes), MappingProxyType(edges))


def _reverse(trace: Trace, index: int) -> Frame:
    fixed = _static(trace)
    stages = trace.reverse_stages
    state = trace.state("reverse", index)
    stage = state.stage
    received_before: set[str] = set()
    passed: set[tuple[str, str]] = set()
    for earlier in stages[1:index]:
        for c in earlier.contributions:
            received_before.add(c.parent)
            passed.add((c.parent, c.child))
    current = {c.parent: c for c in stage.contributions} if index else {}
    active = stage.node if index == 0 or stage.contributions else None
    adjoints = state.adjoints
    nodes = {}
    for node in trace.graph.nodes:
        lines = [fixed.names[node], fixed.values[node]]
        if node in current:
            status = "receiving"
            c = current[node]
            if node in received_before:
                first, second = accumulation_lines(c.before, c.delta, c.after)
                lines += [Line(first, "adjoint", LINE_SIZE), Line(second, "adjoint", LINE_SIZE)]
            else:
                lines.append(Line(adjoint_line(c.after), "adjoint", LINE_SIZE))
        elif node in adjoints:
            status = "active" if node == active else "done"
            lines.append(Line(adjoint_line(adjoints[node]), "adjoint", LINE_SIZE))
        else:
            status = "muted"
        nodes[node] = NodeView(status, fixed.kinds[node], tuple(lines))
    now = {(c.parent, c.child) for c in stage.contributions} if index else set()
    edges = {}
    for key in trace.graph.edges:
        partial = fixed.partials[key]
        if key in now:
            edges[key] = EdgeView("gradient", (partial, fixed.contributions[key]), True)
        elif key in passed:
            edges[key] = EdgeView("passed", (partial, fixed.contributions[key]), True)
        else:
            edges[key] = EdgeView("pending", (partial,))
    return Frame("reverse", index, stage_title(trace, "reverse", index),
                 MappingProxyType(nodes), MappingProxyType(edges))


def _summary(trace: Trace) -> Frame:
    fixed = _static(trace)
    adjoints = trace.adjoints
    nodes = {}
    for node in trace.graph.nodes:
        lines = [fixed.names[node], fixed.values[node]]
        if node in adjoints:
            lines.append(Line(adjoint_line(adjoints[node]), "adjoint", LINE_SIZE))
        nodes[node] = NodeView("done", fixed.kinds[node], tuple(lines))
    edges = {}
    for key in trace.graph.edges:
        if key in fixed.contributions:
            edges[key] = EdgeView("done", (fixed.partials[key], fixed.contributions[key]))
        else:
            edges[key] = EdgeView("done", (fixed.partials[key],))
    return Frame("summary", 0, stage_title(trace, "summary", 0),
                 MappingProxyType(nodes), MappingProxyType(edges))
