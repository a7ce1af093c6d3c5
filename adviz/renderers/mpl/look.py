"""What a Matplotlib frame shows, as plain data: a figure's frames, styled, in mathtext.

Everything comes from the scene (`adviz.scene.picture.Figure`): the state and
lines of each element from its frames and changes (`Figure.changes`), every
colour, width and opacity from its style table (`Figure.styles`). This module
only turns a `adviz.scene.content.Line` into what Matplotlib draws
(its tokens as mathtext: `adviz.scene.content.Line.notation`) and works out the
frames in between two
stages of an animation, where pulses travel along the stage's edges.

`Looks` (one per figure, kept in ``fig.cache``) styles elements and keeps the
changes of each phase; a `Playhead` (one per Axes) walks them: moving from a
stage to the next costs the elements that change, and a frame between two
stages (``travelling``) is the frame before plus the stage's changes, except
that the nodes the pulses travel to still show what they showed before, and
the edges they travel along have no arrowhead until the pulse arrives.

Examples
--------
>>> import adviz
>>> from adviz.scene.picture import figure
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> fig = figure(t)
>>> looks = Looks.of(fig)
>>> view = fig.frame("reverse", 2).nodes["t1"]
>>> [line.unicode for line in looks.node("t1", view).lines]
['t₁ = x₁ − x₂', '= −1', 'g = −2']
>>> looks.node("t1", view).lines[0].text
'$t_{1} = x_{1} - x_{2}$'
>>> head = Playhead(looks)
>>> step = head.goto("reverse", 5, travelling=True)
>>> [(m.parent, m.child, m.label) for m in step.moving]
[('x1', 't3', '−0.14112'), ('x2', 't3', '−0.14112')]
>>> step.edges["x1", "t3"].arrow is None  # no arrowhead until the pulse arrives
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from adviz.scene.captions import frame_caption
from adviz.scene.content import Change, EdgeView, Line, NodeView, frame_count
from adviz.text import mathtext as mt
from adviz.text.tokens import Text, split_lines

if TYPE_CHECKING:
    from collections.abc import Iterator

    from adviz.scene.picture import Arrow, Figure

Point = tuple[float, float]


@dataclass(frozen=True)
class TextLook:
    """One line of text as drawn.

    Attributes
    ----------
    text
        What Matplotlib draws (mathtext or escaped plain text).
    unicode
        The line's text in the scene's Unicode notation (what every renderer says).
    colour
        Text colour.
    size
        Font size in frame points.
    bold
        Bold (the contribution an edge carries in this stage).
    """

    text: str
    unicode: str
    colour: str
    size: float
    bold: bool = False


@dataclass(frozen=True)
class NodeLook:
    """Fill, stroke, stroke width (frame points), lines and border dashes (points) of a node
    box."""

    fill: str
    stroke: str
    width: float
    lines: tuple[TextLook, ...]
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class EdgeLook:
    """How an edge is drawn.

    Attributes
    ----------
    colour, width, opacity, layer
        From the style table (``layer``: higher is drawn on top).
    route
        The route's control points.
    arrow
        The arrowhead drawn, or ``None``.
    toward_parent
        Whether ``route`` is the reverse route (gradient flowing back).
    lines
        The label's lines.
    """

    colour: str
    width: float
    opacity: float
    layer: float
    route: tuple[Point, ...]
    arrow: Arrow | None
    toward_parent: bool
    lines: tuple[TextLook, ...]


@dataclass(frozen=True)
class Moving:
    """A pulse: the edge it travels along, its direction and the number it carries."""

    parent: str
    child: str
    backward: bool
    label: str


@dataclass(frozen=True)
class Step:
    """What changes when a `Playhead` moves (see `Playhead.goto`).

    Attributes
    ----------
    nodes, edges
        The looks of the elements that may differ from the previous position
        (every element when ``full``).
    caption
        The caption's lines (wrapped), each as drawn (mathtext, or escaped plain text)
        and in Unicode (what every renderer says).
    moving
        The pulses of a frame between two stages.
    colour
        The pulses' colour (forward or gradient flow).
    full
        Whether every element is listed (first frame, or a jump backward).
    """

    nodes: dict[str, NodeLook]
    edges: dict[tuple[str, str], EdgeLook]
    caption: tuple[tuple[str, str], ...]
    moving: tuple[Moving, ...]
    colour: str
    full: bool


class Looks:
    """Styles the elements of one figure and keeps the changes of its phases.

    Use `Looks.of`, which keeps one per figure (in ``fig.cache``). Looks are
    cached by element and view, so an element shown in the same state again
    costs a dictionary lookup.
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.styles = fig.styles
        self._nodes: dict[tuple[str, NodeView], NodeLook] = {}
        self._edges: dict[tuple[tuple[str, str], EdgeView, bool, str], EdgeLook] = {}
        self._texts: dict[tuple[str, str], str] = {}
        self._captions: dict[tuple[str, str | None, int], tuple[tuple[str, str], ...]] = {}
        self._changes: dict[str, list[Change]] = {}
        self._walks: dict[str, Iterator[Change]] = {}

    @staticmethod
    def of(fig: Figure) -> Looks:
        """The figure's `Looks` (made once, kept with the figure)."""
        found = fig.cache.get("mpl.looks")
        if found is None:
            found = fig.cache["mpl.looks"] = Looks(fig)
        return found

    # ------------------------------------------------------------ stages

    def count(self, phase: str) -> int:
        """Number of stages of ``phase`` (the figure's own stages in the neuron view)."""
        own = getattr(self.fig, "stage_count", None)
        if own is not None:
            return int(own(phase))
        return frame_count(self.fig.trace, phase)

    def change(self, phase: str, index: int) -> Change:
        """What stage ``index`` of ``phase`` changes (the phase is walked once, as needed)."""
        done = self._changes.setdefault(phase, [])
        if len(done) <= index:
            walk = self._walks.get(phase)
            if walk is None:
                walk = self._walks[phase] = self.fig.changes(phase)
            while len(done) <= index:
                done.append(next(walk))
        return done[index]

    # ------------------------------------------------------------ text

    def text(self, line: Line) -> str:
        """What Matplotlib draws for a line: its tokens as mathtext (cached by text and role)."""
        key = (line.text, line.role)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = line.notation("mathtext")
        return found

    # ------------------------------------------------------------ elements

    def node(self, node: str, view: NodeView) -> NodeLook:
        """The look of a node in a state."""
        key = (node, view)
        found = self._nodes.get(key)
        if found is not None:
            return found
        style = self.styles["node"][view.kind][view.state]
        colours = self.styles["text"]
        lines = tuple(TextLook(self.text(line), line.text,
                               style["text"] or colours[line.role], line.size)
                      for line in view.lines)
        found = self._nodes[key] = NodeLook(style["fill"], style["stroke"], style["width"], lines,
                                            tuple(float(v) for v in style["dash"]))
        return found

    def edge(self, key: tuple[str, str], view: EdgeView, moving: bool = False,
             phase: str = "reverse") -> EdgeLook:
        """The look of an edge in a state.

        ``moving``: a pulse travels along it (the frames between two stages):
        no arrowhead, and in the reverse pass the reverse route, so nothing
        points into the node being processed.
        """
        cache_key = (key, view, moving, phase)
        found = self._edges.get(cache_key)
        if found is not None:
            return found
        shape = self.fig.edges[key]
        style = self.styles["edge"][view.state]
        toward = view.toward_parent or (moving and phase == "reverse")
        route, arrow = shape.route(toward)
        if moving:
            arrow = None
        lines: tuple[TextLook, ...] = ()
        if shape.label is not None:
            colours = self.styles["text"]
            lines = tuple(TextLook(self.text(line), line.text,
                                   style["text"] or colours[line.role], line.size,
                                   line.role == style["bold"])
                          for line in view.lines)
        found = self._edges[cache_key] = EdgeLook(style["colour"], style["width"],
                                                  style["opacity"], style["layer"], route, arrow,
                                                  toward, lines)
        return found

    def caption(self, title: str, phase: str | None = None, index: int = 0
                ) -> tuple[tuple[str, str], ...]:
        """The caption lines of a frame (wrapped to the band), then the notice: each as
        drawn and in Unicode.

        The caption of stage ``index`` of ``phase`` is typeset from its tokens
        (`adviz.text.labels.stage_text`), line by line as the band wraps it; a
        line that cannot be cut from the tokens, and any other title, is drawn as
        plain text.
        """
        key = (title, phase, index)
        found = self._captions.get(key)
        if found is not None:
            return found
        lines = self.fig.caption_lines(title)
        tokens = self._caption_tokens(title, phase, index)
        cut = split_lines(tokens, lines) if tokens is not None else None
        drawn = [t.mathtext().strip() for t in cut] if cut is not None else \
            [mt.escape_text(line) for line in lines]
        notice = [(mt.escape_text(line), line) for line in self.fig.caption.notice]
        found = self._captions[key] = (*zip(drawn, lines), *notice)
        return found

    def _caption_tokens(self, title: str, phase: str | None, index: int) -> Text | None:
        return frame_caption(self.fig, phase, index, title)

    # ------------------------------------------------------------ pulses

    def pulse_label(self, phase: str, index: int, key: tuple[str, str]) -> str:
        """The number a pulse carries along ``key`` toward stage ``index`` (none in the neuron
        view, whose edge labels carry the numbers)."""
        if hasattr(self.fig, "stage_count"):
            return ""
        trace = self.fig.trace
        collapsed = self.fig.view.collapsed
        underlying = [key]
        if collapsed is not None and key in collapsed.edges and collapsed.edges[key].merged:
            underlying = list(collapsed.edges[key].edges)
        if phase == "reverse":
            deltas = {(c.parent, c.child): c.delta
                      for c in trace.reverse_stages[index].contributions}
            found = [deltas[e] for e in underlying if e in deltas]
            return mt.pulse_label(sum(found)) if found else ""
        if phase == "tangent":  # forward mode: the product the edge adds to the child's tangent
            products = {(t.parent, t.child): t.product
                        for t in self.fig.sweep.stages[index].contributions}
            found = [products[e] for e in underlying if e in products]
            return mt.pulse_label(sum(found)) if found else ""
        parents = {p for p, _ in underlying}
        if len(parents) == 1:
            (parent,) = parents
            if parent in trace.graph.nodes:
                return mt.pulse_label(trace.graph.nodes[parent]["value"])
        return ""


_HOT = ("active", "receiving")

_FLOW = {"reverse": "gradient", "forward": "forward", "tangent": "tangent"}
"""The edge state of what travels in the frames between two stages of each phase."""


class Playhead:
    """Where one drawing is in a figure's stages; `goto` says what changes.

    The frame shown is kept as the elements' views; moving to a later stage
    applies the changes in between, moving back (or to another phase) starts
    again from the phase's first stage.
    """

    def __init__(self, looks: Looks) -> None:
        self.looks = looks
        self.phase: str | None = None
        self.index = -1
        self.nodes: dict[str, NodeView] = {}
        self.edges: dict[tuple[str, str], EdgeView] = {}
        self._overlay_nodes: set[str] = set()
        self._overlay_edges: set[tuple[str, str]] = set()

    def goto(self, phase: str, stage: int, travelling: bool = False) -> Step:
        """Move to the state after ``stage`` or, ``travelling``, to the travel toward it.

        Returns the looks of every element that may differ from the previous
        position (the caller compares them with what it shows).
        """
        looks = self.looks
        target = stage - 1 if travelling else stage
        full = phase != self.phase or target < self.index
        touched_nodes: set[str] = set()
        touched_edges: set[tuple[str, str]] = set()
        if full:
            self.phase, self.index = phase, -1
            self.nodes, self.edges = {}, {}
        while self.index < target:
            self.index += 1
            change = looks.change(phase, self.index)
            self.nodes.update(change.nodes)
            self.edges.update(change.edges)
            if not full:
                touched_nodes.update(change.nodes)
                touched_edges.update(change.edges)
        current = looks.change(phase, stage)
        nodes: dict[str, NodeView] = {}
        edges: dict[tuple[str, str], EdgeView] = {}
        moving_keys: list[tuple[str, str]] = []
        flow = _FLOW.get(phase, "forward")
        if travelling:
            for key, edge_view in current.edges.items():
                if edge_view.state == flow:
                    moving_keys.append(key)
                else:
                    edges[key] = edge_view
            for node, node_view in current.nodes.items():
                before = self.nodes[node]
                if phase == "reverse" and node_view.state == "receiving":
                    nodes[node] = replace(before, state="done") if before.state in _HOT \
                        else before
                elif phase == "forward" and node_view.state == "active":
                    nodes[node] = replace(before, state="active")
                elif phase == "tangent" and node_view.state == "active" and \
                        current.index > 0:  # its tangent is not known until the pulses arrive
                    nodes[node] = replace(before, state="active")
                else:
                    nodes[node] = node_view
        node_ids = set(self.nodes) if full else \
            touched_nodes | self._overlay_nodes | set(nodes)
        edge_ids = set(self.edges) if full else \
            touched_edges | self._overlay_edges | set(edges) | set(moving_keys)
        self._overlay_nodes = set(nodes)
        self._overlay_edges = set(edges) | set(moving_keys)
        moving_set = set(moving_keys)
        node_looks = {n: looks.node(n, nodes.get(n) or self.nodes[n]) for n in node_ids}
        edge_looks = {e: looks.edge(e, edges.get(e) or self.edges[e], e in moving_set, phase)
                      for e in edge_ids}
        moving = tuple(Moving(p, c, phase == "reverse", looks.pulse_label(phase, stage, (p, c)))
                       for p, c in moving_keys)
        colour = looks.styles["edge"][flow]["colour"]
        return Step(node_looks, edge_looks, looks.caption(current.title, phase, stage), moving,
                    colour, full)

    def show(self, nodes: dict[str, NodeView], edges: dict[tuple[str, str], EdgeView],
             title: str) -> Step:
        """Move to a frame given whole (a settled descent step); every element is listed."""
        looks = self.looks
        self.phase, self.index = None, -1
        self._overlay_nodes, self._overlay_edges = set(), set()
        colour = looks.styles["edge"]["gradient"]["colour"]
        return Step({n: looks.node(n, v) for n, v in nodes.items()},
                    {e: looks.edge(e, v) for e, v in edges.items()},
                    looks.caption(title), (), colour, True)
