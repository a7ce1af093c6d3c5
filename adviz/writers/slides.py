"""The ``pptx`` writer: a PowerPoint deck, one slide per stage (`adviz.renderers.pptx`).

Needs python-pptx (``pip install 'adviz[slides]'``). The deck is rendered in
memory and written atomically (`adviz.writers.files.atomic_write_bytes`).

Examples
--------
>>> import adviz, tempfile, pathlib
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "lecture.pptx")
>>> path.read_bytes()[:2]
b'PK'
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.core.phases import PLAY_PHASES
from adviz.writers import Writer, register_writer
from adviz.writers.files import atomic_write_bytes
from adviz.writers.options import (
    COLLAPSE,
    COPIES,
    FOCUS,
    FULL,
    GRANULARITY,
    LEGEND_ON,
    MIN_TEXT,
    OUTPUT,
    PICTURE_RANKDIR,
    SIZE,
    THEME,
    VIEW,
    ZOOM,
    Option,
    phase_option,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def pptx_available() -> bool:
    """Whether python-pptx (the ``slides`` extra) is installed."""
    try:
        import pptx  # noqa: F401
    except ImportError:
        return False
    return True


def write_pptx(trace: Trace, path: Path, **options: Any) -> None:
    """Write the deck; the options are `adviz.renderers.pptx.pptx_bytes`'s (`OPTIONS`)."""
    from adviz.renderers.pptx import pptx_bytes

    atomic_write_bytes(path, pptx_bytes(trace, **options))


OPTIONS: tuple[Option, ...] = (
    phase_option(PLAY_PHASES, "both"),
    replace(SIZE, type=str, default="16:9", choices=("16:9", "4:3"),
            help="slide size: '16:9' (13.33x7.5 in) or '4:3' (10x7.5 in)"),
    THEME, PICTURE_RANKDIR, COLLAPSE, FULL, COPIES, MIN_TEXT, OUTPUT, FOCUS, ZOOM, LEGEND_ON,
    VIEW, GRANULARITY,
)
"""The options of the pptx writer."""

register_writer(Writer("pptx", (".pptx",), write_pptx, available=pptx_available, extra="slides",
                       description="PowerPoint deck: one slide per stage, editable shapes, "
                                   "walkthrough in the notes (needs the slides extra)",
                       options=OPTIONS, filename="slides.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml."
                            "presentation"))
