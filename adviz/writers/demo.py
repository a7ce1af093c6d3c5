"""The ``demo`` writer: the interactive demonstration page (see `adviz.demo_page`).

`adviz.save` picks it for ``.html`` and ``.htm`` files when called with
``interactive=True``; without it those suffixes get the frame player.

Examples
--------
>>> import adviz, tempfile, pathlib
>>> t = adviz.trace("x * x", x=3)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "demo.html", interactive=True,
...                   analytic=False)
>>> 'class="adviz-demo' in path.read_text(encoding="utf-8")
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

OPTIONS = ("theme", "rankdir", "title", "analytic")
"""Keyword options the demo writer accepts (passed to `adviz.demo_page.demo_html`)."""


def write_demo(trace: Trace, path: Path, **options: Any) -> None:
    """Render the interactive demonstration and write it to ``path`` atomically.

    Parameters
    ----------
    trace
        A `Trace`.
    path
        Target file (``.html`` or ``.htm``).
    **options
        ``theme``, ``rankdir``, ``title``, ``analytic`` (see
        `adviz.demo_page.demo_html`).

    Raises
    ------
    InputError
        An option the page does not know.
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError(f"the interactive page does not take the option(s) "
                         f"{', '.join(unknown)}; it takes {', '.join(OPTIONS)}")
    from adviz.demo_page import demo_html

    atomic_write_text(path, demo_html(trace, **options))


register_writer(Writer("demo", (".html", ".htm"), write_demo, _always,
                       description="interactive demonstration: both passes, checks and "
                                   "gradient descent in the browser"))
