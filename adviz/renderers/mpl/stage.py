"""`draw`: one stage of a trace on a Matplotlib Axes.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> ax = adviz.draw(t, "reverse", 2)
>>> "$g = -2$" in [text.get_text() for text in ax.texts if text.get_visible()]
True
>>> import matplotlib.pyplot as plt; plt.close(ax.figure)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from adviz.core.phases import SWEEPS, check_phase, check_seed
from adviz.errors import InputError
from adviz.renderers.mpl.artists import Scene, scene_figure
from adviz.scene.content import frame_count
from adviz.scene.sizes import MIN_TEXT, Size, figure_size

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from adviz.core.tracing import Trace
    from adviz.scene.style import Theme


def draw(
    trace: Trace,
    phase: str = "reverse",
    stage: int = -1,
    ax: Axes | None = None,
    *,
    theme: str | Theme | None = "light",
    rankdir: str = "LR",
    size: Size = None,
    caption: bool = True,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    output: str | int | None = None,
    seed: Any = None,
    focus: str | None = None,
    zoom: str | None = None,
) -> Axes:
    """Draw the state after one stage of the forward or reverse pass.

    The drawing uses the same stored layout as the SVG frames (node
    positions, edge routes) and says the same things in mathtext: each node
    its formula, value and adjoint, each edge its local partial and, once
    the reverse pass has used it, its contribution. Reverse stages highlight
    the processed node and draw the edges to its parents in the gradient
    colour with arrowheads toward the parents; nodes not reached yet are
    muted.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"reverse"`` (default), ``"forward"`` or ``"tangent"`` (forward mode).
    stage
        Stage index; negative counts from the end (default: the last).
    ax
        Axes to draw on; a new figure sized to the graph when ``None``.
    theme
        ``"light"``, ``"dark"``, ``"print"`` or a `adviz.scene.style.Theme`.
    rankdir
        ``"LR"`` (inputs left) or ``"TB"`` (inputs on top).
    size
        Size of the new figure (only when ``ax`` is ``None``): ``"16:9"``,
        ``"4:3"``, ``(width, height)`` in inches, or ``None`` to fit the graph.
    caption
        Show the stage's caption above the graph.
    collapse, full, copies
        What to draw of a large or scoped graph, as for the SVG frames
        (`adviz.scene.view.view_options`): scopes to collapse (``None``: decide by
        size), ``full=True`` for every node and label, shared leaves drawn once
        per use.
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default the first. A trace with one
        output takes only its own.
    seed
        Forward mode: the seeded input (as `adviz.forward_mode` takes it).
    focus, zoom
        As for `adviz.to_svg`: a node whose paths to the output stay in colour,
        a scope drawn open with the others collapsed.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)
    phase = check_phase(phase, SWEEPS, "draw (one stage of a pass)")
    check_seed(phase, seed, "draw")
    n = frame_count(trace, phase)
    if not -n <= stage < n:
        raise InputError(f"{phase} stage {stage} does not exist: there are {n} stages "
                         f"(0 to {n - 1})")
    fig = scene_figure(trace, theme=theme, rankdir=rankdir, collapse=collapse, full=full,
                       copies=copies, seed=seed, focus=focus, zoom=zoom)
    if ax is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=figure_size(size, fig))
        figure.patch.set_facecolor(fig.styles["background"])
        ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    scene = Scene(fig, ax, caption=caption)
    scene.show(phase, stage % n)
    return ax


def still(
    trace: Trace,
    *,
    theme: str | Theme | None = "light",
    rankdir: str | None = None,
    size: Size = None,
    dpi: float = 100.0,
    transparent: bool = False,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    min_text: float = MIN_TEXT,
    seed: Any = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = False,
    view: str = "graph",
    granularity: str | None = None,
) -> tuple[MplFigure, Scene]:
    """A figure (not managed by pyplot) and the `Scene` on it, for still images and pages.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> figure, scene = still(t, size="16:9", dpi=20)
    >>> _ = scene.show("reverse", 3)
    >>> figure.get_size_inches().tolist()
    [12.8, 7.2]
    """
    from adviz.renderers.mpl.canvas import new_figure

    fig = scene_figure(trace, theme=theme, rankdir=rankdir, collapse=collapse, full=full,
                       size=size, copies=copies, min_text=min_text, seed=seed,
                       focus=focus, zoom=zoom, legend=legend, view=view,
                       granularity=granularity)
    figure = new_figure(figure_size(size, fig), dpi,
                        None if transparent else fig.styles["background"])
    scene = Scene(fig, figure.axes[0])
    if transparent:
        figure.axes[0].patch.set_visible(False)
    return figure, scene
