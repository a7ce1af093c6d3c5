"""The notebook display of a trace: installed into the core when ``adviz`` is imported.

Jupyter shows a `adviz.core.tracing.Trace` through its ``_repr_html_`` (the
compact player, `adviz.renderers.player.notebook_html`) and ``_repr_svg_``
(the summary figure). The core only looks the display up
(`adviz.core.tracing.DISPLAYS`); this module, on the rendering side, installs it.
This display is static; the live one, synchronised with Python, is `adviz.widget`
(`adviz.faces.widget`).

Examples
--------
>>> import adviz
>>> t = adviz.trace("x * x", x=3)
>>> t._repr_html_().startswith('<div class="adviz-player')
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adviz.core.tracing import set_display

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def notebook_html(trace: Trace) -> str:
    """The compact player, or the summary figure for a long trace."""
    from adviz.renderers.player import notebook_html as player

    return player(trace)


def notebook_svg(trace: Trace) -> str:
    """The summary figure: every value and final adjoint."""
    from adviz.renderers.player import notebook_svg as summary

    return summary(trace)


def install() -> None:
    """Install the notebook display (done on ``import adviz``)."""
    set_display("html", notebook_html)
    set_display("svg", notebook_svg)


install()
