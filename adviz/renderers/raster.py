"""SVG to PNG with no system fonts or libraries (resvg, Matplotlib's DejaVu fonts).

`svg_to_png` renders an SVG frame with ``resvg-py`` at 72 dpi (SVG frames are
measured in points) and with the DejaVu Sans fonts that Matplotlib ships, so
the result does not depend on the fonts installed on the machine.

Examples
--------
>>> png = svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="20pt" height="10pt"/>')
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from adviz.errors import MissingDependencyError, RenderError

FONT_FAMILY = "DejaVu Sans"
_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
               "DejaVuSans-BoldOblique.ttf")


@functools.lru_cache(maxsize=1)
def font_files() -> tuple[str, ...]:
    """Paths of the DejaVu Sans fonts in Matplotlib's ``mpl-data/fonts/ttf``.

    Found without importing Matplotlib.

    Raises
    ------
    MissingDependencyError
        Matplotlib (which ships the fonts) is not installed.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("PNG frames need the DejaVu fonts that Matplotlib ships: "
                                     "run pip install matplotlib")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    files = tuple(str(folder / name) for name in _FONT_FILES if (folder / name).is_file())
    if not files:
        raise MissingDependencyError(f"no DejaVu Sans font found in {str(folder)!r}: "
                                     f"reinstall matplotlib")
    return files


def svg_to_png(svg: str, *, scale: float = 1.5, background: str | None = None) -> bytes:
    """Render SVG text to PNG bytes.

    Parameters
    ----------
    svg
        An SVG document (sizes in points or pixels).
    scale
        Pixels per point (1.5 gives 108 pixels per inch).
    background
        A CSS colour under the drawing; ``None`` keeps it transparent.

    Raises
    ------
    MissingDependencyError
        ``resvg-py`` is not installed.
    RenderError
        resvg cannot render the SVG.
    """
    try:
        import resvg_py
    except ImportError as err:
        raise MissingDependencyError("PNG frames need resvg-py: run pip install resvg-py") \
            from err
    try:
        data = resvg_py.svg_to_bytes(
            svg_string=svg, dpi=72.0, zoom=scale, background=background,
            skip_system_fonts=True, font_files=list(font_files()), font_family=FONT_FAMILY,
            sans_serif_family=FONT_FAMILY,
        )
    except ValueError as err:
        raise RenderError(f"cannot render the SVG frame as PNG: {err}") from err
    return bytes(data)
