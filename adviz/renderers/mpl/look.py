"""What one Matplotlib frame shows: `adviz.scene.content` content, styled, in mathtext.

`frame_look` takes the renderer-neutral content of a frame
(`adviz.scene.content.frame`: every node's and edge's state and lines) and turns it
into a `Look`: colours and line widths per state (the SVG frames' table),
and each line typeset as mathtext (`adviz.text.mathtext`). Frames in
between stages (``travelling=True``) show the state before a stage with its
node highlighted and list the edges a pulse travels along (`Moving`).

Examples
--------
>>> import adviz
>>> from adviz.scene.style import get_theme
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> look = frame_look(t, get_theme("light"), "reverse", 2)
>>> look.nodes["t2"].fill == get_theme("light").active_fill
True
>>> look.nodes["t1"].lines[2], look.edges["t1", "t2"].head
('g = −2', 'reverse')
>>> [(m.parent, m.child) for m in frame_look(t, get_theme(), "reverse", 5, True).moving]
[('x1', 't3'), ('x2', 't3')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from adviz.scene.content import EdgeView, NodeView, frame
from adviz.scene.view import graph_view, view_frame
from adviz.text import mathtext as mt
from adviz.text.labels import stage_title

if TYPE_CHECKING:
    from adviz.core.stages import Contribution
    from adviz.core.tracing import Trace
    from adviz.scene.style import Theme


@dataclass(frozen=True)
class NodeLook:
    """Style and text lines of one node in one frame."""

    fill: str
    stroke: str
    linewidth: float
    lines: tuple[str, ...]
    colors: tuple[str, ...]
    sizes: tuple[float, ...]


@dataclass(frozen=True)
class EdgeLook:
    """Style and label of one edge in one frame.

    ``head`` is ``"forward"`` (arrowhead at the child), ``"reverse"``
    (arrowhead at the parent: the gradient flows back) or ``None``.
    """

    color: str
    linewidth: float
    alpha: float
    head: str | None
    lines: tuple[str, ...]
    colors: tuple[str, ...]
    sizes: tuple[float, ...]
    bold: tuple[bool, ...]
    zorder: float


@dataclass(frozen=True)
class Moving:
    """A pulse: the edge it travels along, its direction and the number it carries."""

    parent: str
    child: str
    backward: bool
    label: str


@dataclass(frozen=True)
class Look:
    """Everything one frame shows."""

    nodes: Mapping[str, NodeLook]
    edges: Mapping[tuple[str, str], EdgeLook]
    caption: str
    moving: tuple[Moving, ...]
    color: str


def node_style(state: str, kind: str, theme: Theme) -> tuple[str, str, float, str | None]:
    """Fill, stroke, stroke width and text override of a node state (as in the SVG frames).

    Examples
    --------
    >>> from adviz.scene.style import get_theme
    >>> theme = get_theme("light")
    >>> node_style("receiving", "op", theme)[1:3] == (theme.gradient, 2.4)
    True
    """
    base = {"input": theme.input_fill, "output": theme.output_fill}.get(kind, theme.node_fill)
    if state == "muted":
        return theme.muted_fill, theme.muted_stroke, 1.0, theme.muted_text
    if state == "active":
        return theme.active_fill, theme.active_stroke, 2.4, None
    if state == "receiving":
        return base, theme.gradient, 2.4, None
    return base, theme.node_stroke, 1.2, None


def edge_style(state: str, theme: Theme) -> tuple[str, float, float]:
    """Colour, width and opacity of an edge state (as in the SVG frames).

    Examples
    --------
    >>> from adviz.scene.style import get_theme
    >>> theme = get_theme("light")
    >>> edge_style("gradient", theme) == (theme.gradient, 2.6, 1.0)
    True
    """
    return {
        "muted": (theme.muted_edge, 1.0, 1.0),
        "forward": (theme.forward, 2.2, 1.0),
        "gradient": (theme.gradient, 2.6, 1.0),
        "passed": (theme.gradient, 1.3, 0.6),
    }.get(state, (theme.edge, 1.2, 1.0))


_ORDER = {"muted": 1.0, "pending": 1.0, "done": 2.0, "passed": 2.0, "forward": 3.0,
          "gradient": 3.0}


def _role_color(role: str, theme: Theme) -> str:
    if role == "value":
        return theme.forward
    if role in ("adjoint", "contribution"):
        return theme.gradient
    return theme.text


def frame_look(
    trace: Trace, theme: Theme, phase: str, stage: int, travelling: bool = False,
    collapse: tuple[str, ...] = (), compact: bool = False,
) -> Look:
    """The look of frame ``stage`` of ``phase`` (or of the travel toward it).

    Parameters
    ----------
    trace
        A `Trace`.
    theme
        A `adviz.scene.style.Theme`.
    phase
        ``"forward"`` or ``"reverse"``.
    stage
        Stage index (negative counts from the end).
    travelling
        ``False``: the state after the stage. ``True``: the state before it,
        with the stage's node highlighted and its edges listed in ``moving``
        (stage 0 never travels).
    collapse, compact
        The view drawn (`adviz.scene.view.view_options`): scopes collapsed into
        boxes, shortened labels for large graphs.
    """
    n = len(trace.stages(phase))
    index = stage % n if -n <= stage < n else stage
    return _frame_look(trace, theme, phase, index, travelling and index > 0, tuple(collapse),
                       compact)


def _contributions(trace: Trace, upto: int) -> dict[tuple[str, str], Contribution]:
    return {(c.parent, c.child): c for s in trace.reverse_stages[1:upto + 1]
            for c in s.contributions}


@lru_cache(maxsize=128)
def _frame_look(trace: Trace, theme: Theme, phase: str, stage: int, travelling: bool,
                collapse: tuple[str, ...], compact: bool) -> Look:
    current = trace.stages(phase)[stage]
    content = frame(trace, phase, stage - 1 if travelling else stage)
    if collapse or compact:
        content = view_frame(trace, graph_view(trace, collapse, compact), content)
    node_views: dict[str, NodeView] = dict(content.nodes)
    edge_views: dict[tuple[str, str], EdgeView] = dict(content.edges)
    moving: list[Moving] = []
    if travelling:
        for node, view in node_views.items():
            if view.state in ("active", "receiving"):
                node_views[node] = replace(view, state="done")
        if current.node in node_views:
            node_views[current.node] = replace(node_views[current.node], state="active")
        for key, ev in edge_views.items():
            if ev.state == "gradient":
                edge_views[key] = replace(ev, state="passed")
            elif ev.state == "forward":
                edge_views[key] = replace(ev, state="done")
        if phase == "reverse":
            moving = [Moving(c.parent, c.child, True, mt.pulse_label(c.delta))
                      for c in current.contributions if (c.parent, c.child) in edge_views]
        else:
            graph = trace.graph
            moving = [Moving(p, current.node, False, mt.pulse_label(graph.nodes[p]["value"]))
                      for p in graph.predecessors(current.node)
                      if (p, current.node) in edge_views] if current.node else []
    shown = stage - 1 if travelling else stage
    contributions = _contributions(trace, shown) if phase == "reverse" else {}

    nodes = {}
    for node, view in node_views.items():
        fill, stroke, width, override = node_style(view.state, view.kind, theme)
        roles = [line.role for line in view.lines]
        texts: list[str] = []
        plain = node not in trace.graph or view.kind == "scope"
        for k, line in enumerate(view.lines):
            if line.role == "name" and not plain and k == 0:
                texts.append(mt.name_label(node) if compact else mt.node_title(trace, node))
            else:
                texts.append(mt.escape_text(line.text))
        colors = tuple(override or _role_color(r, theme) for r in roles)
        nodes[node] = NodeLook(fill, stroke, width, tuple(texts), colors,
                               tuple(line.size for line in view.lines))

    edges = {}
    for key, ev in edge_views.items():
        color, width, alpha = edge_style(ev.state, theme)
        texts = []
        for line in ev.lines:
            if line.role == "contribution" and key in contributions:
                texts.append(mt.contribution_label(trace, contributions[key]))
            elif line.role == "partial" and key in trace.graph.edges:
                texts.append(mt.partial_label(trace, *key))
            else:
                texts.append(mt.escape_text(line.text))
        override = theme.muted_text if ev.state == "muted" else None
        edges[key] = EdgeLook(
            color, width, alpha, "reverse" if ev.toward_parent else "forward", tuple(texts),
            tuple(override or _role_color(line.role, theme) for line in ev.lines),
            tuple(line.size for line in ev.lines),
            tuple(ev.state == "gradient" and line.role == "contribution" for line in ev.lines),
            _ORDER.get(ev.state, 2.0))
    flow = theme.gradient if phase == "reverse" else theme.forward
    return Look(nodes, edges, stage_title(trace, phase, stage), tuple(moving), flow)
