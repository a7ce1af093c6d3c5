"""The ``html`` writer: the self-contained player page (see `adviz.player`).

Examples
--------
>>> import adviz, tempfile, pathlib
>>> t = adviz.trace("x * x", x=3)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "page.html")
>>> path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError
from adviz.fileio import atomic_write_text
from adviz.writers import Writer, _always, register_writer

if TYPE_CHECKING:
    from adviz.trace import Trace

OPTIONS = ("theme", "rankdir", "phase", "title")
"""Keyword options the html writer accepts (passed to `adviz.player.player_html`)."""


def write_html(trace: Trace, path: Path, **options: Any) -> None:
    """Render the player and write it to ``path`` atomically.

    Parameters
    ----------
    trace
        A `Trace`.
    path
        Target file (``.html`` or ``.htm``).
    **options
        ``theme``, ``rankdir``, ``phase``, ``title`` (see
        `adviz.player.player_html`).

    Raises
    ------
    InputError
        An option the player does not know.
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError(f"the html format does not take the option(s) {', '.join(unknown)}; "
                         f"it takes {', '.join(OPTIONS)}")
    from adviz.player import player_html

    atomic_write_text(path, player_html(trace, **options))


register_writer(Writer("html", (".html", ".htm"), write_html, _always,
                       description="self-contained HTML player of the forward and reverse pass"))
