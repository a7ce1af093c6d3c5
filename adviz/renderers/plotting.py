"""`draw`, `animate` and `animate_descent` without importing Matplotlib until they are called.

`import adviz` must work with only NetworkX installed, so the package
exports these thin functions; the work is done by `adviz.renderers.mpl` (imported on
first call).

Examples
--------
>>> import sys, adviz
>>> callable(adviz.draw) and callable(adviz.animate) and callable(adviz.animate_descent)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes

    from adviz.core.gradient_descent import Descent
    from adviz.core.tracing import Trace


def draw(trace: Trace, phase: str = "reverse", stage: int = -1, ax: Axes | None = None,
         **options: Any) -> Axes:
    """Draw one stage of a trace on a Matplotlib Axes (see `adviz.renderers.mpl.stage.draw`).

    Options: ``theme``, ``rankdir``, ``size``, ``caption``, ``output`` (a trace with several
    outputs: whose reverse sweep).
    """
    from adviz.renderers.mpl.stage import draw as draw_

    return draw_(trace, phase, stage, ax, **options)


def animate(trace: Trace, phase: str = "reverse", **options: Any) -> FuncAnimation:
    """Animate the forward or reverse pass (see `adviz.renderers.mpl.animation.animate`).

    Options: ``fps``, ``tween``, ``hold``, ``theme``, ``size``, ``dpi``,
    ``rankdir``, ``transparent``, ``repeat``.
    """
    from adviz.renderers.mpl.animation import animate as animate_

    return animate_(trace, phase, **options)


def animate_descent(run: Descent, **options: Any) -> FuncAnimation:
    """Animate a gradient-descent run (see `adviz.renderers.mpl.descent.animate_descent`).

    Each frame shows one step: the graph with its values and adjoints
    beside the path on f (contours for two inputs, the curve for one, f per
    step for more). Options: ``fps``, ``hold``, ``theme``, ``size``,
    ``dpi``, ``rankdir``, ``transparent``, ``full``, ``repeat``. Save it
    with ``adviz.save(run, "descent.gif")``.
    """
    from adviz.renderers.mpl.descent import animate_descent as animate_descent_

    return animate_descent_(run, **options)
