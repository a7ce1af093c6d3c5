"""Colour themes and text sizes shared by every renderer.

A `Theme` is a frozen set of named colours and a font. The three built-in
themes (``"light"``, the default, ``"dark"`` and ``"print"``) take their accent
colours from the Okabe–Ito palette, which stays distinguishable with the
common forms of colour blindness: values and forward flow in blue, adjoints
and gradient flow in vermillion (a darker shade of it on white, so that small
text keeps a WCAG contrast of at least 4.5; orange on the dark background),
forward-mode tangents in bluish green (darker on white and lighter on the dark
background, for the same reason).

This module imports neither Graphviz nor Matplotlib, so every renderer can
use it.

Examples
--------
>>> get_theme("dark").background
'#1e1f22'
>>> get_theme(None) is THEMES["light"]
True
>>> get_theme("neon")
Traceback (most recent call last):
...
adviz.errors.InputError: unknown theme 'neon'; use one of 'light', 'dark', 'print' or a Theme
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from adviz.errors import InputError

OKABE_ITO = MappingProxyType({
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
})
"""The Okabe–Ito colour-blind-safe palette, by name."""

DARK_VERMILLION = "#B34A00"
"""Okabe–Ito vermillion, darkened for a contrast of 4.5 or more on light fills."""

DARK_BLUISH_GREEN = "#00795A"
"""Okabe–Ito bluish green, darkened for a contrast of 4.5 or more on light fills."""

LIGHT_BLUISH_GREEN = "#2DC295"
"""Okabe–Ito bluish green, lightened for a contrast of 4.5 or more on dark fills."""

FONT_FAMILY = "Helvetica"
"""Font the layout is measured for (Graphviz's metrics agree with what it draws)."""

NAME_SIZE = 14.0
"""Font size (points) of a node's first line: its name and formula."""

LINE_SIZE = 12.0
"""Font size (points) of a node's value and adjoint lines."""

EDGE_SIZE = 11.0
"""Font size (points) of edge labels (partials and contributions)."""

TITLE_SIZE = 14.0
"""Font size (points) of a frame's caption."""

CLUSTER_SIZE = 12.0
"""Font size (points) of a scope cluster's label."""

LINE_SPACING = 1.3
"""Line height as a multiple of the font size."""


@dataclass(frozen=True)
class Theme:
    """Named colours (CSS hex strings) and the font of a rendering.

    Attributes
    ----------
    name
        The theme's name.
    background, text, muted_text
        Canvas, ordinary text, and quieter text (labels of edges not reached yet,
        notices); every text colour keeps a WCAG contrast of at least 4.5 on every fill
        it is drawn on.
    node_fill, node_stroke
        An ordinary node.
    input_fill, output_fill
        Fill of the input nodes and of the output node.
    active_fill, active_stroke
        The node a stage evaluates (forward) or processes (reverse).
    muted_fill, muted_stroke
        Nodes not reached yet.
    edge, muted_edge
        Ordinary edges and edges not reached yet.
    forward
        Colour of values and of forward flow.
    gradient
        Colour of adjoints and of gradient flow.
    font
        Font family name.
    cluster_fill, cluster_stroke
        The box around a scope's nodes (a cluster); nested clusters are drawn
        over their parents, so the fill darkens with depth when translucent.
    scope_fill
        A collapsed scope's box.
    tangent
        Colour of forward-mode tangents and of the edges carrying them.
    """

    name: str
    background: str
    text: str
    muted_text: str
    node_fill: str
    node_stroke: str
    input_fill: str
    output_fill: str
    active_fill: str
    active_stroke: str
    muted_fill: str
    muted_stroke: str
    edge: str
    muted_edge: str
    forward: str
    gradient: str
    font: str = FONT_FAMILY
    cluster_fill: str = "#f7f7fa"
    cluster_stroke: str = "#9a9aae"
    scope_fill: str = "#f1f1f7"
    tangent: str = DARK_BLUISH_GREEN

    def css_font(self) -> str:
        """The font as a CSS ``font-family`` list with fallbacks.

        Examples
        --------
        >>> THEMES["light"].css_font()
        "Helvetica,Arial,'DejaVu Sans',sans-serif"
        """
        fallbacks = ["Arial", "'DejaVu Sans'", "sans-serif"]
        return ",".join([self.font] + [f for f in fallbacks if f.strip("'") != self.font])


LIGHT = Theme(
    name="light",
    background="#ffffff",
    text="#1a1a1a",
    muted_text="#6b6b6b",
    node_fill="#ffffff",
    node_stroke="#4d4d4d",
    input_fill="#eef7fc",
    output_fill="#e9f6f1",
    active_fill="#fdf3dc",
    active_stroke=OKABE_ITO["orange"],
    muted_fill="#f5f5f5",
    muted_stroke="#cfcfcf",
    edge="#5c5c5c",
    muted_edge="#d0d0d0",
    forward=OKABE_ITO["blue"],
    gradient=DARK_VERMILLION,
)

DARK = Theme(
    name="dark",
    background="#1e1f22",
    text="#ececec",
    muted_text="#9a9ea6",
    node_fill="#2b2d31",
    node_stroke="#b4b7bd",
    input_fill="#1c3344",
    output_fill="#173a30",
    active_fill="#4a3b14",
    active_stroke=OKABE_ITO["yellow"],
    muted_fill="#232428",
    muted_stroke="#44464c",
    edge="#a9acb2",
    muted_edge="#44464c",
    forward=OKABE_ITO["sky_blue"],
    gradient=OKABE_ITO["orange"],
    cluster_fill="#26282d",
    cluster_stroke="#6f7380",
    scope_fill="#30323a",
    tangent=LIGHT_BLUISH_GREEN,
)

PRINT = Theme(
    name="print",
    background="#ffffff",
    text="#000000",
    muted_text="#6b6b6b",
    node_fill="#ffffff",
    node_stroke="#000000",
    input_fill="#ffffff",
    output_fill="#ffffff",
    active_fill="#f2f2f2",
    active_stroke="#000000",
    muted_fill="#ffffff",
    muted_stroke="#b3b3b3",
    edge="#000000",
    muted_edge="#b3b3b3",
    forward=OKABE_ITO["blue"],
    gradient=DARK_VERMILLION,
    cluster_fill="#ffffff",
    cluster_stroke="#000000",
    scope_fill="#f2f2f2",
    tangent=DARK_BLUISH_GREEN,
)

THEMES: MappingProxyType[str, Theme] = MappingProxyType(
    {"light": LIGHT, "dark": DARK, "print": PRINT}
)
"""The built-in themes by name; ``"light"`` is the default."""


def get_theme(theme: str | Theme | None = None) -> Theme:
    """A theme by name, or the given `Theme` unchanged (``None`` means ``"light"``).

    Raises
    ------
    InputError
        An unknown theme name (the message lists the known ones).

    Examples
    --------
    >>> get_theme("print").forward
    '#0072B2'
    """
    if theme is None:
        return LIGHT
    if isinstance(theme, Theme):
        return theme
    if isinstance(theme, str) and theme in THEMES:
        return THEMES[theme]
    known = ", ".join(repr(n) for n in THEMES)
    raise InputError(f"unknown theme {theme!r}; use one of {known} or a Theme")


# ---------------------------------------------------------------- vocabulary and style table

class NodeState(StrEnum):
    """What a node is doing in a frame."""

    MUTED = "muted"
    """Not reached yet (forward: not evaluated; reverse: no gradient yet)."""
    ACTIVE = "active"
    """Evaluated in this stage (forward) or processed in this stage (reverse)."""
    RECEIVING = "receiving"
    """Gets gradient in this stage."""
    DONE = "done"
    """Reached in an earlier stage."""
    UNFOCUSED = "unfocused"
    """Off every path from the focused node to the output (``focus=``): muted whatever
    the stage does to it, its text in the muted text colour (still readable)."""


class EdgeState(StrEnum):
    """What an edge is doing in a frame."""

    MUTED = "muted"
    """Its child is not evaluated yet (forward)."""
    FORWARD = "forward"
    """Feeds the node evaluated in this stage."""
    DONE = "done"
    """Fed its child in an earlier stage (forward), or everything is known (summary)."""
    GRADIENT = "gradient"
    """Carries gradient toward its parent in this stage."""
    PASSED = "passed"
    """Carried gradient in an earlier stage."""
    PENDING = "pending"
    """Has not carried gradient yet (reverse), or a tangent (forward mode)."""
    TANGENT = "tangent"
    """Carries its parent's tangent, times its partial, to its child in this stage
    (forward mode; the arrowhead at the child)."""
    UNFOCUSED = "unfocused"
    """Off every path from the focused node to the output (``focus=``): thin, muted,
    drawn under the others."""


class Role(StrEnum):
    """What a line of text says; its colour follows from it."""

    NAME = "name"
    VALUE = "value"
    ADJOINT = "adjoint"
    PARTIAL = "partial"
    CONTRIBUTION = "contribution"
    TANGENT = "tangent"
    """A forward-mode tangent (``ẋ₁ = 1``) or the product an edge adds to one."""


class NodeKind(StrEnum):
    """The kinds of drawn node."""

    INPUT = "input"
    CONST = "const"
    OP = "op"
    OUTPUT = "output"
    SCOPE = "scope"
    """A collapsed scope's box."""
    COPY = "copy"
    """A shared leaf drawn again beside one of the nodes it feeds (`adviz.scene.view`):
    filled like an input, its border dashed (`COPY_DASH`)."""


COPY_DASH = (4.0, 2.0)
"""Dash pattern (points on, points off) of a copy's border."""


@dataclass(frozen=True)
class NodeStyle:
    """How a node box is painted.

    Attributes
    ----------
    fill, stroke
        Colours (CSS hex).
    width
        Border width in points.
    text
        Colour of every line of text when the state overrides the roles'
        colours (muted nodes), else ``None``.
    dash
        Dash pattern of the border (points on, points off, ...); empty: solid.
    """

    fill: str
    stroke: str
    width: float
    text: str | None
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class EdgeStyle:
    """How an edge is painted.

    Attributes
    ----------
    colour
        Stroke and arrowhead colour.
    width
        Stroke width in points.
    opacity
        Stroke and arrowhead opacity.
    text
        Colour of every label line when the state overrides the roles' colours.
    layer
        Drawing order among edges: higher is drawn later (on top).
    bold
        The role of the label line drawn bold (what the edge carries in this
        stage), else ``None``.
    """

    colour: str
    width: float
    opacity: float
    text: str | None
    layer: float
    bold: str | None = None


def node_style(theme: Theme, kind: str, state: str) -> NodeStyle:
    """The one style of a node of ``kind`` in ``state``.

    Examples
    --------
    >>> node_style(LIGHT, "scope", "done").fill == LIGHT.scope_fill
    True
    >>> node_style(LIGHT, "op", "receiving").stroke == LIGHT.gradient
    True
    >>> node_style(LIGHT, "copy", "done").dash
    (4.0, 2.0)
    """
    kind = NodeKind(kind)
    base = {NodeKind.INPUT: theme.input_fill, NodeKind.OUTPUT: theme.output_fill,
            NodeKind.SCOPE: theme.scope_fill, NodeKind.COPY: theme.input_fill
            }.get(kind, theme.node_fill)
    dash = COPY_DASH if kind is NodeKind.COPY else ()
    state = NodeState(state)
    if state is NodeState.UNFOCUSED:
        # Off the focused paths: the box fades into the background, its numbers stay
        # readable in the muted text colour.
        return NodeStyle(theme.background, theme.muted_stroke, 1.0, theme.muted_text, dash)
    if state is NodeState.MUTED:
        # Muted is the box, never the numbers: a value known before the node is reached
        # (every value during the reverse pass) keeps its colour and its contrast.
        return NodeStyle(theme.muted_fill, theme.muted_stroke, 1.0, None, dash)
    if state is NodeState.ACTIVE:
        return NodeStyle(theme.active_fill, theme.active_stroke, 2.4, None, dash)
    if state is NodeState.RECEIVING:
        return NodeStyle(base, theme.gradient, 2.4, None, dash)
    return NodeStyle(base, theme.node_stroke, 1.2, None, dash)


def edge_style(theme: Theme, state: str) -> EdgeStyle:
    """The one style of an edge in ``state``.

    Examples
    --------
    >>> edge_style(LIGHT, "gradient").colour == LIGHT.gradient
    True
    >>> edge_style(LIGHT, "passed").opacity
    0.6
    >>> edge_style(LIGHT, "tangent").colour == LIGHT.tangent
    True
    """
    state = EdgeState(state)
    if state is EdgeState.UNFOCUSED:
        return EdgeStyle(theme.muted_edge, 0.8, 1.0, theme.muted_text, 0.5)
    if state is EdgeState.MUTED:
        return EdgeStyle(theme.muted_edge, 1.0, 1.0, theme.muted_text, 1.0)
    if state is EdgeState.FORWARD:
        return EdgeStyle(theme.forward, 2.2, 1.0, None, 3.0)
    if state is EdgeState.GRADIENT:
        return EdgeStyle(theme.gradient, 2.6, 1.0, None, 3.0, Role.CONTRIBUTION.value)
    if state is EdgeState.TANGENT:
        return EdgeStyle(theme.tangent, 2.6, 1.0, None, 3.0, Role.TANGENT.value)
    if state is EdgeState.PASSED:
        return EdgeStyle(theme.gradient, 1.3, 0.6, None, 2.0)
    return EdgeStyle(theme.edge, 1.2, 1.0, None, 1.0 if state is EdgeState.PENDING else 2.0)


def role_colour(theme: Theme, role: str) -> str:
    """The colour of a line of text by its role: values blue, adjoints vermillion, tangents
    bluish green.

    Examples
    --------
    >>> role_colour(LIGHT, "value") == LIGHT.forward
    True
    """
    role = Role(role)
    if role is Role.VALUE:
        return theme.forward
    if role in (Role.ADJOINT, Role.CONTRIBUTION):
        return theme.gradient
    if role is Role.TANGENT:
        return theme.tangent
    return theme.text


def _plain(style: dict[str, Any]) -> dict[str, Any]:
    """A style as JSON keeps it (tuples as lists), so the table survives a round trip."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in style.items()}


def style_table(theme: Theme) -> dict[str, Any]:
    """Every resolved style of a theme as plain data (JSON for the pages' scripts).

    Keys: ``"node"`` (kind -> state -> fill, stroke, width, text, dash), ``"edge"``
    (state -> colour, width, opacity, text, layer), ``"text"`` (role -> colour),
    and the theme's ``"background"``, ``"font"``, ``"cluster"`` and ``"caption"`` colours.

    Examples
    --------
    >>> table = style_table(LIGHT)
    >>> table["node"]["scope"]["done"]["fill"] == LIGHT.scope_fill
    True
    >>> sorted(table["edge"])
    ['done', 'forward', 'gradient', 'muted', 'passed', 'pending', 'tangent', 'unfocused']
    """
    return {
        "theme": theme.name,
        "background": theme.background,
        "font": theme.css_font(),
        "caption": theme.text,
        "notice": theme.muted_text,
        "cluster": {"fill": theme.cluster_fill, "stroke": theme.cluster_stroke,
                    "text": theme.text},
        "node": {kind.value: {state.value: _plain(asdict(node_style(theme, kind, state)))
                              for state in NodeState} for kind in NodeKind},
        "edge": {state.value: asdict(edge_style(theme, state)) for state in EdgeState},
        "text": {role.value: role_colour(theme, role) for role in Role},
    }
