"""Colour themes and text sizes shared by every renderer.

A `Theme` is a frozen set of named colours and a font. The three built-in
themes (``"light"``, the default, ``"dark"`` and ``"print"``) take their accent
colours from the Okabe–Ito palette, which stays distinguishable with the
common forms of colour blindness: values and forward flow in blue, adjoints
and gradient flow in vermillion (a darker shade of it on white, so that small
text keeps a WCAG contrast of at least 4.5; orange on the dark background).

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

from dataclasses import dataclass
from types import MappingProxyType

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
        Canvas, ordinary text, and text of nodes not reached yet.
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
    scope_fill: str = "#eeeef6"

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
    muted_text="#a3a3a3",
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
    muted_text="#6f7278",
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
)

PRINT = Theme(
    name="print",
    background="#ffffff",
    text="#000000",
    muted_text="#8c8c8c",
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
