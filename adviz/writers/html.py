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

from adviz.writers import Writer, _always, register_writer, text_writer

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

OPTIONS = ("theme", "rankdir", "phase", "title", "engine", "collapse", "full")
"""Keyword options the html writer accepts (passed to `adviz.renderers.player.player_html`)."""


def _player(trace: Trace, **options: Any) -> str:
    from adviz.renderers.player import player_html

    return player_html(trace, **options)


write_html = text_writer("the html format", OPTIONS, _player)
"""Render the player and write it atomically (options: `OPTIONS`)."""

register_writer(Writer("html", (".html", ".htm"), write_html, _always,
                       description="self-contained HTML player of the forward and reverse pass"))
