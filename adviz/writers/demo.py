"""The ``demo`` writer: the interactive demonstration page (see `adviz.renderers.demo`).

`adviz.save` picks it for ``.html`` and ``.htm`` files when called with
``interactive=True``; without it those suffixes get the frame player. With
``view="network"`` the page draws a scoped network's neuron view
(`adviz.renderers.demo_network`) and still recomputes every number in the
browser: ``adviz.save(net, "net.html", interactive=True, view="network")``.
There, clicking a weight's edge focuses on its paths to the loss (``focus=``
opens the page so, on a weight or a node the view draws) and clicking a neuron
zooms into its scalar graph at the same stage.

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

from adviz.writers import Writer, register_writer, text_writer
from adviz.writers.options import (
    FOCUS,
    GRANULARITY,
    PROGRESS,
    RANKDIR,
    THEME,
    TITLE,
    VIEW,
    Option,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

DECLARED: tuple[Option, ...] = (
    THEME, RANKDIR, TITLE,
    Option("analytic", bool, None, "the SymPy panel (default: when SymPy is installed)"),
    FOCUS, VIEW, GRANULARITY,
    Option("zooms", bool, None, "view network: include each neuron's zoom, shown when its "
           "circle is clicked (default: when the network is small enough)"),
    PROGRESS,
)
"""The options of the demo writer (passed to `adviz.renderers.demo.demo_html`);
``view="network"`` draws a scoped network's neuron view (``granularity``: one reverse
stage per neuron or per layer), its numbers recomputed in the browser as the inputs move;
with it ``focus`` names a weight or a node the view draws."""

OPTIONS = tuple(option.name for option in DECLARED)
"""Names of the keyword options the demo writer accepts."""


def _page(trace: Trace, **options: Any) -> str:
    from adviz.core.tracing import one_output
    from adviz.renderers.demo import demo_html

    one_output(trace, "the demonstration page")

    return demo_html(trace, **options)


write_demo = text_writer("the interactive page", DECLARED, _page)
"""Render the interactive demonstration and write it atomically (options: `DECLARED`)."""

register_writer(Writer("demo", (".html", ".htm"), write_demo,
                       description="interactive page: inputs, both passes, gradient descent",
                       options=DECLARED, filename="demo.html", mime="text/html",
                       interactive=True))
