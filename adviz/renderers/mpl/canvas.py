"""Matplotlib figures for the renderer: one full-size Axes, the theme's background.

Examples
--------
>>> fig = new_figure((4.0, 2.0), 50.0, "#ffffff")
>>> len(fig.axes), fig.get_size_inches().tolist()
(1, [4.0, 2.0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def new_figure(inches: tuple[float, float], dpi: float, background: str | None) -> Figure:
    """A figure (not managed by pyplot) with one full-size Axes.

    ``background`` ``None`` makes the figure transparent.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=inches, dpi=dpi)
    if background is None:
        fig.patch.set_alpha(0.0)
    else:
        fig.patch.set_facecolor(background)
    fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig
