"""Figure sizes: slide presets, sizes fitted to a layout, even pixel sizes for video.

Examples
--------
>>> SIZES["16:9"], SIZES["4:3"]
((12.8, 7.2), (10.24, 7.68))
>>> figure_size("16:9")
(12.8, 7.2)
>>> pixel_size((12.8, 7.2), 100)
(1280, 720)
>>> even_size((6.01, 3.37), 100)
(6.02, 3.38)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from adviz.errors import InputError

if TYPE_CHECKING:
    from adviz.scene.picture import Figure as SceneFigure

Size = str | tuple[float, float] | None

SIZES: dict[str, tuple[float, float]] = {
    "16:9": (12.8, 7.2),
    "4:3": (10.24, 7.68),
    "16:10": (12.8, 8.0),
    "square": (8.0, 8.0),
}
"""Size presets in inches: at ``dpi=100``, 1280x720 (16:9), 1024x768 (4:3), ..."""

MAX_WIDTH = 16.0
"""Widest automatic figure, in inches (a larger layout is scaled down)."""

MIN_WIDTH = 6.0
"""Narrowest automatic figure, in inches."""


def figure_size(size: Size, fig: SceneFigure | None = None) -> tuple[float, float]:
    """Width and height in inches for a ``size`` option.

    Parameters
    ----------
    size
        A preset name (`SIZES`), ``(width, height)`` in inches, or ``None`` for
        the scene's frame size (one frame point per figure point, scaled into
        `MIN_WIDTH` .. `MAX_WIDTH`).
    fig
        The scene (`adviz.scene.picture.Figure`) the size is fitted to when
        ``size`` is ``None`` (without one: the 16:9 preset).

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.picture import figure
    >>> figure_size(None, figure(adviz.trace("x * x", x=3)))
    (6.0, 2.0)
    """
    if size is None:
        if fig is None:
            return SIZES["16:9"]
        width, height = fig.width, fig.height
        zoom = min(max(MIN_WIDTH * 72.0 / width, 1.0), MAX_WIDTH * 72.0 / width)
        return round(width * zoom / 72.0, 2), round(height * zoom / 72.0, 2)
    if isinstance(size, str):
        if size in SIZES:
            return SIZES[size]
        known = ", ".join(repr(k) for k in SIZES)
        raise InputError(f"unknown size {size!r}; use one of {known} or (width, height) in "
                         f"inches")
    try:
        width, height = (float(v) for v in size)
    except (TypeError, ValueError):
        raise InputError(f"size must be a preset name or (width, height) in inches, not "
                         f"{size!r}") from None
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        raise InputError(f"size must be positive and finite, not {size!r}")
    return width, height


def pixel_size(inches: tuple[float, float], dpi: float) -> tuple[int, int]:
    """Pixel size of a figure (rounded as Matplotlib's Agg canvas does)."""
    return round(inches[0] * dpi), round(inches[1] * dpi)


def even_size(inches: tuple[float, float], dpi: float) -> tuple[float, float]:
    """The nearest size whose pixel width and height are even (H.264 with yuv420p needs it)."""
    w, h = pixel_size(inches, dpi)
    w, h = w + w % 2, h + h % 2
    return w / dpi, h / dpi
