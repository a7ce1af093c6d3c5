"""Figure sizes: slide presets, pages a picture is fitted into, even pixel sizes for video.

A ``size`` names a page: a preset of `PAGES` (``"16:9"`` is 1280x720 pixels,
``"4:3"`` 1024x768, ``"a4"`` 794x1123, ``"blog"`` a 760 pixel wide column
whose height follows the drawing), ``"WxH"`` in pixels (``"1920x1080"``), or
``(width, height)`` in inches (at `PAGE_DPI` pixels per inch). A picture made
for a page is scaled to fill it (`fit_scale`), and its smallest text is then
at least `MIN_TEXT` pixels high at the page's pixel size
(`adviz.scene.picture.figure` chooses the orientation and, when needed,
collapses scopes or shortens labels to get there).

Examples
--------
>>> SIZES["16:9"], SIZES["4:3"]
((12.8, 7.2), (10.24, 7.68))
>>> figure_size("16:9")
(12.8, 7.2)
>>> page_pixels("blog"), page_pixels("1920x1080"), page_pixels((8, 4.5))
((760.0, None), (1920.0, 1080.0), (800.0, 450.0))
>>> fit_scale(640.0, 200.0, (1280.0, 720.0))
2.0
>>> pixel_size((12.8, 7.2), 100)
(1280, 720)
>>> even_size((6.01, 3.37), 100)
(6.02, 3.38)
"""

from __future__ import annotations

import math
import re
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

PAGE_DPI = 100.0
"""Pixels per inch of a page: a page of 1280x720 pixels is a 12.8x7.2 inch figure."""

PAGES: dict[str, tuple[float, float | None]] = {
    **{name: (w * PAGE_DPI, h * PAGE_DPI) for name, (w, h) in SIZES.items()},
    "a4": (794.0, 1123.0),
    "blog": (760.0, None),
}
"""Page presets in pixels; a height of ``None`` follows the drawing (a blog column).
``"a4"`` is an A4 sheet upright at 96 pixels per inch."""

MIN_TEXT = 14.0
"""Least height (pixels at the page's pixel size) of any text of a picture made for a page."""

BLOG_ASPECT = 9 / 16
"""Height per width of a ``"blog"`` figure made without a drawing to follow."""

_WXH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×]\s*(\d+(?:\.\d+)?)\s*$")

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
        page_width, page_height = page_pixels(size)
        if page_height is None:
            page_height = page_width * (BLOG_ASPECT if fig is None else fig.height / fig.width)
        return round(page_width / PAGE_DPI, 2), round(page_height / PAGE_DPI, 2)
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


def page_pixels(size: Size) -> tuple[float, float | None]:
    """The page a ``size`` names, in pixels: ``(width, height)``, height ``None`` for a column.

    Parameters
    ----------
    size
        A preset of `PAGES`, ``"WxH"`` in pixels, or ``(width, height)`` in
        inches (`PAGE_DPI` pixels each).

    Raises
    ------
    InputError
        An unknown preset, or a size that is not positive.

    Examples
    --------
    >>> page_pixels("16:9"), page_pixels("a4")
    ((1280.0, 720.0), (794.0, 1123.0))
    >>> page_pixels("0x10")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: size '0x10' must be 16 to 20000 pixels each way
    """
    if isinstance(size, str):
        if size in PAGES:
            return PAGES[size]
        match = _WXH.match(size)
        if match is None:
            known = ", ".join(repr(k) for k in PAGES)
            raise InputError(f"unknown size {size!r}; use one of {known}, 'WxH' in pixels "
                             f"(such as '1920x1080') or (width, height) in inches")
        width, height = float(match.group(1)), float(match.group(2))
        if not (16 <= width <= 20000 and 16 <= height <= 20000):
            raise InputError(f"size {size!r} must be 16 to 20000 pixels each way")
        return width, height
    width, height = figure_size(size)
    return width * PAGE_DPI, height * PAGE_DPI


SCREENS = ((1280, 720), (1920, 1080), (2560, 1440), (3840, 2160), (7680, 4320))
"""Common screen sizes in pixels, the larger sizes an error suggests."""


def larger_size(page: tuple[float, float | None], pixels: float, least: float,
                aspect: float) -> str:
    """A size to suggest when text ``pixels`` high on ``page`` misses ``least``, for a
    drawing of height / width ``aspect``: the smallest of `SCREENS` on which that
    drawing's text reaches it (text grows with the page), else that page exactly, as
    ``'WxH'``. A column (no height) is matched by a page as wide as the column must be,
    as high as the drawing then is.

    Examples
    --------
    >>> larger_size((1280.0, 720.0), 9.6, 14.0, 0.5)
    "'1920x1080'"
    >>> larger_size((760.0, None), 10.0, 14.0, 0.5)  # a column 1,064 px wide: 532 high
    "'1280x720'"
    >>> larger_size((760.0, None), 10.0, 14.0, 2.0)  # 2,128 px high
    "'3840x2160'"
    >>> larger_size((3840.0, 2160.0), 1.0, 14.0, 0.5)
    "'53760x30240'"
    """
    factor = least / max(pixels, 1e-9)
    width = page[0] * factor
    height = page[1] * factor if page[1] is not None else width * aspect
    for w, h in SCREENS:
        if w >= width - 1e-6 and h >= height - 1e-6:
            return f"'{w}x{h}'"
    return f"'{math.ceil(width - 1e-6)}x{math.ceil(height - 1e-6)}'"


def fit_scale(width: float, height: float, page: tuple[float, float | None]) -> float:
    """Pixels per frame point of a ``width`` x ``height`` drawing filling ``page``.

    Examples
    --------
    >>> fit_scale(760.0, 2000.0, (760.0, None))
    1.0
    """
    page_width, page_height = page
    scale = page_width / width
    return scale if page_height is None else min(scale, page_height / height)
