"""The ``svg`` writer: one frame (a stage of a pass, or the summary) as an SVG file.

Examples
--------
>>> import adviz, tempfile, pathlib
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "stage.svg", phase="reverse", stage=3)
>>> "Stage 3 of 5" in path.read_text(encoding="utf-8")
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.core.phases import STAGE_PHASES
from adviz.renderers.svg import to_svg
from adviz.writers import Writer, register_writer
from adviz.writers.files import atomic_write_text
from adviz.writers.options import (
    COLLAPSE,
    COPIES,
    ENGINE,
    FOCUS,
    FULL,
    GRANULARITY,
    LEGEND,
    MIN_TEXT,
    OUTPUT,
    PICTURE_RANKDIR,
    SEED,
    SIZE,
    STAGE,
    THEME,
    VIEW,
    ZOOM,
    Option,
    phase_option,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def write_svg(
    trace: Trace, path: Path, *, phase: str = "reverse", stage: int = -1, **options: Any
) -> None:
    """Write one frame; the options are `adviz.to_svg`'s (`OPTIONS`)."""
    atomic_write_text(path, to_svg(trace, phase, stage, **options))


OPTIONS: tuple[Option, ...] = (
    phase_option(STAGE_PHASES, "reverse"), STAGE, THEME, PICTURE_RANKDIR, ENGINE, COLLAPSE, FULL,
    COPIES, SEED,
    Option("analytic", bool, False, "the SymPy gradient beside the numbers (summary only)"),
    SIZE, MIN_TEXT,
    OUTPUT, VIEW, GRANULARITY, FOCUS, ZOOM, LEGEND,
)
"""The options of the svg writer (`adviz.to_svg`'s)."""

register_writer(Writer("svg", (".svg",), write_svg,
                       description="one stage as SVG; in adviz render, every stage (frames/)",
                       options=OPTIONS, filename="{phase}.svg", mime="image/svg+xml",
                       frame=lambda svg, scale: svg.encode("utf-8"), default=True))
