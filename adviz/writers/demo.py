"""The ``demo`` writer: the interactive demonstration page (see `adviz.renderers.demo`).

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

from typing import TYPE_CHECKING, Any

from adviz.writers import Writer, _always, register_writer, text_writer

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

OPTIONS = ("theme", "rankdir", "title", "analytic")
"""Keyword options the demo writer accepts (passed to `adviz.renderers.demo.demo_html`)."""


def _page(trace: Trace, **options: Any) -> str:
    from adviz.renderers.demo import demo_html

    return demo_html(trace, **options)


write_demo = text_writer("the interactive page", OPTIONS, _page)
"""Render the interactive demonstration and write it atomically (options: `OPTIONS`)."""

register_writer(Writer("demo", (".html", ".htm"), write_demo, _always,
                       description="interactive demonstration: both passes, checks and "
                                   "gradient descent in the browser"))
