"""The ``html`` writer: the self-contained player page (see `adviz.renderers.player`).

Examples
--------
>>> import adviz, tempfile, pathlib
>>> t = adviz.trace("x * x", x=3)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "page.html")
>>> path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adviz.core.phases import PLAYER_PHASES
from adviz.writers import Writer, register_writer, text_writer
from adviz.writers.options import (
    COLLAPSE,
    COPIES,
    ENGINE,
    FOCUS,
    FULL,
    GRANULARITY,
    OUTPUT,
    RANKDIR,
    SEED,
    THEME,
    TITLE,
    VIEW,
    ZOOM,
    Option,
    phase_option,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

DECLARED: tuple[Option, ...] = (THEME, RANKDIR, phase_option(PLAYER_PHASES, "both"), TITLE,
                                ENGINE, COLLAPSE, FULL, COPIES, SEED,
                                OUTPUT, VIEW, GRANULARITY, FOCUS, ZOOM)
"""The options of the html writer (passed to `adviz.renderers.player.player_html`)."""

OPTIONS = tuple(option.name for option in DECLARED)
"""Names of the keyword options the html writer accepts."""


def _player(trace: Trace, **options: Any) -> str:
    from adviz.renderers.player import player_html

    return player_html(trace, **options)


write_html = text_writer("html", DECLARED, _player)
"""Render the player and write it atomically (options: `DECLARED`)."""

register_writer(Writer("html", (".html", ".htm"), write_html,
                       description="self-contained HTML player of the forward and reverse pass",
                       options=DECLARED, filename="index.html", mime="text/html",
                       default=True))
