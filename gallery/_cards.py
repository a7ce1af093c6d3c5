"""The picture on an example's gallery card.

A gallery card is small: about 210 pixels across on a wide page. A whole
graph with its labels shrunk to that width is unreadable, so a card shows
the stage that tells the example's story as the graph's shape (boxes and
edges coloured by the stage, the processed node highlighted, the gradient's
edges in its colour), the nodes' names when they fit in their boxes, and the
story written above and below in type that stays readable on the card. Each
example draws its card as its last figure (``sphinx_gallery_thumbnail_number
= -1`` picks it).
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

import adviz
from adviz.text.labels import pretty_name

CARD_INCHES = 4.0
"""Width and height of a card figure, in inches (400 x 400 pixels at 100 dpi)."""

TITLE_POINTS = 16.0
"""Size of the card's headline, in points."""

TEXT_POINTS = 15.0
"""Size of the card's other lines, in points."""

NAME_POINTS = (15.0, 13.0)
"""Sizes tried for the node names, in points: the largest at which every name fits
in its box (none fitting: no names). 13 points are 9.6 pixels on a card 213 pixels
wide."""

LINE_STEP = 0.08
"""Distance between two lines of text below the graph (fraction of the card's height)."""

INK = "#1f2328"
"""Colour of the card's text."""


def card(trace: adviz.Trace, phase: str, stage: int, title: str, lines: list[str],
         **options: Any) -> Figure:
    """Draw a card: ``title`` on top, the graph after ``stage`` of ``phase``, ``lines`` below.

    ``options`` go to `adviz.draw` (``rankdir``, ``theme``, ...). The graph's
    own labels are left out (they are drawn at a size for the full page, not
    for a card); each node shows its name instead when every name fits in its
    box (`NAME_POINTS`).
    """
    fig = plt.figure(figsize=(CARD_INCHES, CARD_INCHES))
    bottom = 0.04 + LINE_STEP * len(lines)
    graph = fig.add_axes((0.03, bottom, 0.94, 0.84 - bottom))
    adviz.draw(trace, phase, stage, ax=graph, caption=False, **options)
    for text in graph.texts:
        text.set_visible(False)
    fig.patch.set_facecolor(graph.get_facecolor())
    _names(fig, graph)
    fig.text(0.5, 0.92, title, ha="center", va="center", fontsize=TITLE_POINTS,
             fontweight="bold", color=INK)
    top = bottom - 0.5 * LINE_STEP - 0.01
    for k, line in enumerate(lines):
        fig.text(0.5, top - k * LINE_STEP, line, ha="center", va="center",
                 fontsize=TEXT_POINTS, color=INK)
    return fig


def _names(fig: Figure, graph: Any) -> None:
    """Write each node's name in its box, at the largest of `NAME_POINTS` where all fit."""
    for points in NAME_POINTS:
        if _try_names(fig, graph, points):
            return


def _try_names(fig: Figure, graph: Any, points: float) -> bool:
    boxes = graph.adviz_scene.node_boxes
    renderer = fig.canvas.get_renderer()
    labels = []
    for node, patch in boxes.items():
        box = patch.get_window_extent(renderer)
        text = graph.text(0.0, 0.0, pretty_name(node), fontsize=points, color=INK,
                          ha="center", va="center", zorder=10)
        labels.append(text)
        size = text.get_window_extent(renderer)
        if size.width > box.width - 4 or size.height > box.height - 2:
            for label in labels:
                label.remove()
            return False
        centre = graph.transData.inverted().transform(((box.x0 + box.x1) / 2,
                                                       (box.y0 + box.y1) / 2))
        text.set_position(centre)
    return True


def signed(value: float) -> str:
    """A number as written on a card: five decimals and a true minus sign.

    Examples
    --------
    >>> signed(-2.141120008)
    '\u22122.14112'
    """
    return f"{value:.5f}".replace("-", "\u2212")
