"""Animations of the forward and reverse pass, and their frame schedule.

The schedule is a pure function of the trace's stages, ``tween``, ``hold``
and ``fps``: for each stage, ``tween`` travel frames (a pulse moving along
each of the stage's edges: reverse, from the child back to its parents;
forward, from the parents into the evaluated node), then hold frames showing
the state after the stage so its caption can be read. Stage 0 (setting the
inputs, or ``g_y = 1``) has nothing to travel and only holds.
``phase="both"`` plays the forward pass, then the reverse pass.

``hold`` says how long each stage is shown, in one of three ways:

- ``None`` (the default): long enough to read its caption, `hold_seconds`
  (at least `MIN_HOLD` = 2.5 s, longer captions longer), and the last stage
  `FINAL_HOLD` times as long before the animation loops;
- a float: seconds per stage (``hold=3.0``), the last stage again
  `FINAL_HOLD` times as long;
- an int: frames per stage, every stage alike (``hold=12`` is 1.2 s at 10
  frames per second), as in earlier versions.

With an int ``hold`` a phase of ``S`` stages has ``S * hold + (S - 1) *
tween`` frames, and always ``S + (S - 1) * tween`` distinct ones (a GIF
stores each hold as one frame shown ``frames / fps`` seconds).

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> frames = frame_schedule(t, "reverse", tween=2, hold=3)
>>> len(frames), frame_count(t, "reverse", tween=2, hold=3)
(28, 28)
>>> [(f.stage, f.fraction, f.hold) for f in frames[:6]]
[(0, 1.0, True), (0, 1.0, True), (0, 1.0, True), (1, 0.0, False), (1, 0.5, False), (1, 1.0, True)]
>>> distinct_frame_count(t, "reverse", tween=2)
16
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from adviz.core.phases import PLAY_PHASES, check_seed, expand_phases
from adviz.errors import InputError
from adviz.renderers.mpl.artists import Scene, scene_figure
from adviz.renderers.mpl.canvas import new_figure
from adviz.renderers.mpl.redraw import Redraw
from adviz.scene.content import frame_count as stage_count
from adviz.scene.sizes import MIN_TEXT, Size, figure_size

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from matplotlib.animation import AbstractMovieWriter, FuncAnimation
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    from adviz.core.tracing import Trace
    from adviz.scene.layout import Layout
    from adviz.scene.style import Theme

PHASES = PLAY_PHASES
"""What an animation plays (`adviz.core.phases.PLAY_PHASES`)."""

DEFAULT_FPS = 10
"""Frames per second of animations."""

DEFAULT_TWEEN = 8
"""Travel frames per stage."""

DEFAULT_HOLD: float | None = None
"""How long each stage is held: ``None``, by its caption (`hold_seconds`)."""

MIN_HOLD = 2.5
"""Least seconds a stage is held by default."""

READING_RATE = 20.0
"""Caption characters read per second: a 100-character caption is held 5 s."""

FINAL_HOLD = 2
"""How many times longer the last stage is held (with ``hold`` in seconds or by default)."""

Hold = int | float | None
"""Frames (int), seconds (float) or ``None`` (by caption) per stage."""


def hold_seconds(caption: str) -> float:
    """Seconds to show a stage with this caption: `MIN_HOLD`, or longer for a long caption.

    Examples
    --------
    >>> hold_seconds("Stage 0 of 5 - initialise g_y = 1")
    2.5
    >>> hold_seconds("x" * 100)
    5.0
    """
    return round(max(MIN_HOLD, len(caption) / READING_RATE), 1)


def stage_holds(trace: Trace, phase: str = "reverse", *, hold: Hold = DEFAULT_HOLD,
                fps: float = DEFAULT_FPS, seed: Any = None) -> list[int]:
    """Hold frames of every stage the animation plays, in order (see the module docstring).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> stage_holds(t, "reverse", hold=3)
    [3, 3, 3, 3, 3, 3]
    >>> stage_holds(t, "reverse", hold=2.5)
    [25, 25, 25, 25, 25, 50]
    >>> min(stage_holds(t, "reverse")) >= 25
    True
    """
    _check_counts(0, hold)
    stages = [(p, k) for p in phases_of(phase) for k in range(stage_count(trace, p))]
    if isinstance(hold, int):
        return [hold] * len(stages)
    if not (isinstance(fps, (int, float)) and fps > 0):
        raise InputError(f"fps must be a positive number, not {fps!r}")
    if hold is None:
        seconds = [hold_seconds(title) for title in _titles(trace, stages, seed)]
    else:
        seconds = [float(hold)] * len(stages)
    if seconds:
        seconds[-1] *= FINAL_HOLD
    return [max(1, round(s * fps)) for s in seconds]


def _titles(trace: Trace, stages: list[tuple[str, int]], seed: Any) -> list[str]:
    """The caption of each stage played (forward mode's for the seed)."""
    from adviz.text.labels import stage_title, tangent_stage_title

    sweep = None
    if any(p == "tangent" for p, _ in stages):
        from adviz.core.forward import forward_mode

        sweep = forward_mode(trace, seed)
    return [tangent_stage_title(trace, sweep, k) if p == "tangent" and sweep is not None
            else stage_title(trace, p, k) for p, k in stages]


@dataclass(frozen=True)
class Frame:
    """One frame of an animation.

    Attributes
    ----------
    phase
        ``"forward"`` or ``"reverse"``.
    stage
        The stage shown (travelled toward, or completed).
    fraction
        How far the pulses have travelled, in [0, 1); 1.0 on hold frames.
    hold
        Whether the frame shows the state after the stage.
    """

    phase: str
    stage: int
    fraction: float
    hold: bool


def phases_of(phase: str) -> tuple[str, ...]:
    """The phases an animation of ``phase`` plays.

    Examples
    --------
    >>> phases_of("both")
    ('forward', 'reverse')
    """
    return expand_phases(phase, PLAY_PHASES, "an animation")


def _check_counts(tween: int, hold: Hold) -> None:
    if not isinstance(tween, int) or isinstance(tween, bool) or tween < 0:
        raise InputError(f"tween must be a whole number >= 0, not {tween!r}")
    if hold is None:
        return
    if isinstance(hold, bool) or not isinstance(hold, (int, float)):
        raise InputError(f"hold must be seconds (a float), frames (an int) or None, "
                         f"not {hold!r}")
    if isinstance(hold, int) and hold < 1:
        raise InputError("hold must be at least 1: each stage is shown at least once")
    if not 0 < hold <= 600:
        raise InputError(f"hold must be from 0.1 to 600 seconds, not {hold!r}")


def frame_schedule(
    trace: Trace, phase: str = "reverse", *, tween: int = DEFAULT_TWEEN,
    hold: Hold = DEFAULT_HOLD, fps: float = DEFAULT_FPS, seed: Any = None,
) -> tuple[Frame, ...]:
    """Every frame of an animation, in order (see the module docstring).

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"`` or ``"both"``.
    tween
        Travel frames per stage (0: jump from stage to stage).
    hold
        How long each completed stage is shown: ``None`` (by its caption),
        seconds (a float) or frames (an int, at least 1); see the module.
    fps
        Frames per second (turns seconds into frames).
    """
    _check_counts(tween, hold)
    holds = iter(stage_holds(trace, phase, hold=hold, fps=fps, seed=seed))
    frames: list[Frame] = []
    for ph in phases_of(phase):
        for stage in range(stage_count(trace, ph)):
            if stage > 0:
                frames += [Frame(ph, stage, i / tween, False) for i in range(tween)]
            frames += [Frame(ph, stage, 1.0, True)] * next(holds)
    return tuple(frames)


def travels(fig: Any, phase: str, stage: int) -> bool:
    """Whether something travels toward ``stage`` of a figure with its own stages: an edge
    that the stage sets carrying (gradient in the reverse pass, values forward).

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.picture import figure
    >>> fig = figure(adviz.examples.mlp((2, 2, 1)), view="network")
    >>> [travels(fig, "reverse", k) for k in range(fig.stage_count("reverse"))]
    [False, True, True, True, False, False]
    """
    if stage == 0:
        return False
    flow = "gradient" if phase == "reverse" else "forward"
    return any(view.state == flow for view in fig.frame(phase, stage).edges.values())


def figure_schedule(fig: Any, phase: str = "reverse", *, tween: int = 0,
                    hold: Hold = DEFAULT_HOLD, fps: float = DEFAULT_FPS) -> tuple[Frame, ...]:
    """Every frame of an animation of a figure with its own stages (the neuron view).

    Each stage of ``fig.stage_count(phase)`` is held (by its caption, as in
    `stage_holds`). Before a stage that sets edges carrying something
    (`travels`: a neuron passing its gradient back along its weights, a
    layer taking the values of the one before), ``tween`` frames show
    pulses travelling along those edges; a stage with no such edge (the
    inputs' in the reverse pass) is reached without them.

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.picture import figure
    >>> fig = figure(adviz.examples.mlp((2, 2, 1)), view="network")
    >>> frames = figure_schedule(fig, "reverse", hold=2)
    >>> len(frames) == 2 * fig.stage_count("reverse"), all(f.hold for f in frames)
    (True, True)
    >>> frames = figure_schedule(fig, "reverse", tween=4, hold=2)
    >>> len(frames) - 2 * fig.stage_count("reverse")  # 3 neurons: 4 frames before each
    12
    """
    _check_counts(tween, hold)
    stages = [(p, k) for p in phases_of(phase) for k in range(fig.stage_count(p))]
    if isinstance(hold, int):
        holds = [hold] * len(stages)
    else:
        if not (isinstance(fps, (int, float)) and fps > 0):
            raise InputError(f"fps must be a positive number, not {fps!r}")
        seconds = [hold_seconds(fig.frame(p, k).title) if hold is None else float(hold)
                   for p, k in stages]
        if seconds:
            seconds[-1] *= FINAL_HOLD
        holds = [max(1, round(s * fps)) for s in seconds]
    frames: list[Frame] = []
    for (ph, stage), count in zip(stages, holds, strict=True):
        if tween and travels(fig, ph, stage):
            frames += [Frame(ph, stage, i / tween, False) for i in range(tween)]
        frames += [Frame(ph, stage, 1.0, True)] * count
    return tuple(frames)


def frame_count(trace: Trace, phase: str = "reverse", *, tween: int = DEFAULT_TWEEN,
                hold: Hold = DEFAULT_HOLD, fps: float = DEFAULT_FPS, seed: Any = None) -> int:
    """Number of frames: the hold frames (`stage_holds`) and ``(stages - 1) * tween`` per phase."""
    _check_counts(tween, hold)
    return sum(stage_holds(trace, phase, hold=hold, fps=fps, seed=seed)) + sum(
        (stage_count(trace, p) - 1) * tween for p in phases_of(phase))


def distinct_frame_count(trace: Trace, phase: str = "reverse", *,
                         tween: int = DEFAULT_TWEEN) -> int:
    """Number of distinct consecutive frames (a GIF's frames): ``stages + (stages - 1) * tween``."""
    return sum(stage_count(trace, p) + (stage_count(trace, p) - 1) * tween
               for p in phases_of(phase))


class Animator:
    """A figure, its `Scene`, and the frame schedule: ``animator(frame)`` draws one frame.

    Parameters are those of `animate`.
    """

    def __init__(
        self,
        trace: Trace,
        phase: str = "reverse",
        *,
        tween: int = DEFAULT_TWEEN,
        hold: Hold = DEFAULT_HOLD,
        theme: str | Theme | None = "light",
        size: Size = None,
        dpi: float = 100.0,
        rankdir: str | None = None,
        transparent: bool = False,
        even: bool = False,
        layout: Layout | None = None,
        collapse: Iterable[str] | None = None,
        full: bool = False,
        copies: bool | None = None,
        min_text: float = MIN_TEXT,
        fps: float = DEFAULT_FPS,
        seed: Any = None,
        focus: str | None = None,
        zoom: str | None = None,
        legend: bool = True,
        view: str = "graph",
        granularity: str | None = None,
    ) -> None:
        from adviz.scene.sizes import even_size

        check_seed(phase, seed, "an animation")
        fig = scene_figure(trace, theme=theme, rankdir=rankdir, layout=layout,
                           collapse=collapse, full=full, size=size, copies=copies,
                           min_text=min_text, seed=seed, focus=focus, zoom=zoom, legend=legend,
                           view=view, granularity=granularity)
        if hasattr(fig, "stage_count"):
            # The neuron view has its own stages; pulses travel along the edges each sets.
            self.frames = figure_schedule(fig, phase, tween=tween, hold=hold, fps=fps)
        else:
            self.frames = frame_schedule(trace, phase, tween=tween, hold=hold, fps=fps,
                                         seed=seed)
        inches = figure_size(size, fig)
        if even:
            inches = even_size(inches, dpi)
        self.figure = new_figure(inches, dpi, None if transparent else fig.styles["background"])
        ax = self.figure.axes[0]
        self.scene = Scene(fig, ax)
        if transparent:
            ax.patch.set_visible(False)

        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.canvas = FigureCanvasAgg(self.figure)
        self.redraw = Redraw(self.scene)

    def __call__(self, frame: Frame) -> list[Artist]:
        """Restyle the scene for ``frame``; returns its artists (FuncAnimation's ``func``)."""
        return self.scene.show(frame.phase, frame.stage,
                               None if frame.hold else frame.fraction)

    def moving_artists(self) -> list[Artist]:
        """The artists that change within a stage: the trail, the pulses and their labels."""
        return self.scene.moving_artists()

    def rgba(self) -> tuple[memoryview, tuple[int, int]]:
        """The current frame as RGBA pixels, and its (width, height).

        Only what changed since the previous frame is drawn again
        (`adviz.renderers.mpl.redraw.Redraw`): the elements a stage restyles,
        and the pulses, drawn over a cached picture of the rest.
        """
        return self.redraw.rgba()


def animate(
    trace: Trace,
    phase: str = "reverse",
    *,
    fps: float = DEFAULT_FPS,
    tween: int = DEFAULT_TWEEN,
    hold: Hold = DEFAULT_HOLD,
    theme: str | Theme | None = "light",
    size: Size = None,
    dpi: float = 100.0,
    rankdir: str | None = None,
    transparent: bool = False,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    min_text: float = MIN_TEXT,
    repeat: bool = True,
    output: str | int | None = None,
    seed: Any = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = True,
    view: str = "graph",
    granularity: str | None = None,
    **kwargs: Any,
) -> FuncAnimation:
    """Animate the forward or reverse pass of a trace, or its forward-mode sweep.

    Reverse: at each stage the gradient travels as a pulse along each edge
    from the processed node back to its parents, then the parents' adjoints
    update; forward: values travel from the parents into each evaluated
    node; forward mode (``"tangent"``): each parent's tangent times the
    edge's partial travels into the node whose tangent the stage computes.
    Each stage is then held so its caption can be read. The artists
    are created once and restyled per frame.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"reverse"`` (default), ``"forward"``, ``"tangent"`` (forward mode),
        ``"both"`` (forward, then reverse) or ``"modes"`` (tangent, then reverse).
    fps
        Frames per second (the interval between frames is ``1000 / fps`` ms).
    tween
        Travel frames per stage.
    hold
        How long each completed stage is shown: ``None`` (default) long
        enough to read its caption (at least 2.5 s, the last stage twice as
        long), seconds as a float (``3.0``), or frames as an int (``12``);
        see `stage_holds`.
    theme
        ``"light"``, ``"dark"``, ``"print"`` or a `adviz.scene.style.Theme`.
    size
        The page filled (`adviz.scene.sizes.page_pixels`): ``"16:9"``
        (1280x720 pixels at ``dpi=100``), ``"4:3"``, ``"a4"``, ``"blog"`` (760
        pixels wide), ``"WxH"`` in pixels or ``(width, height)`` in inches;
        no text comes out smaller than ``min_text`` pixels at ``dpi=100``
        (`adviz.scene.picture.figure`). ``None``: a size fitted to the graph.
    dpi
        Dots per inch of saved frames.
    rankdir
        ``"LR"`` (inputs left), ``"TB"`` (inputs on top) or ``"auto"``;
        ``None`` (default): ``"auto"`` with a ``size``, else ``"LR"``.
    transparent
        No background behind the graph.
    collapse, full, copies
        What to draw of a large or scoped graph, as for the SVG frames
        (`adviz.scene.view.view_options`).
    min_text
        With ``size``: the least text height in pixels.
    repeat
        Loop when shown interactively.
    seed
        Forward mode: the seeded input's name or a dict of input name to
        tangent, as `adviz.forward_mode` takes it (default: the first input).
    focus, zoom
        As for `adviz.to_svg`: a node whose paths to the output stay in colour,
        a scope drawn open with the others collapsed.
    legend
        A legend of the colours under the graph (`adviz.scene.legend`; default on).
    view, granularity
        ``view="network"``: the neuron view of a scoped network
        (`adviz.scene.network`), one held frame group per stage of its own
        (per neuron, or per layer with ``granularity="layer"``), each reached
        by arrow pulses travelling along the weight edges it sets
        (`figure_schedule`).
    **kwargs
        Passed to `matplotlib.animation.FuncAnimation`.
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default the first. A trace with one
        output takes only its own.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Its ``frame_schedule`` attribute lists the frames (see `frame_schedule`).
        Save it with ``.save(path, writer=...)``, show it in a notebook with
        ``.to_jshtml()``; `adviz.save` writes GIF, WebP, APNG and MP4 files.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x + 1", x=3)
    >>> anim = adviz.animate(t, tween=2, hold=1, dpi=20)
    >>> len(anim.frame_schedule)  # 3 stages: 3 holds and 2 travels of 2 frames
    7
    >>> anim.to_jshtml().count("<img") >= 0  # in a notebook: HTML(anim.to_jshtml())
    True
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)

    from matplotlib.animation import FuncAnimation

    if not (isinstance(fps, (int, float)) and fps > 0):
        raise InputError(f"fps must be a positive number, not {fps!r}")
    animator = Animator(trace, phase, tween=tween, hold=hold, theme=theme, size=size, dpi=dpi,
                        rankdir=rankdir, transparent=transparent, collapse=collapse, full=full,
                        copies=copies, min_text=min_text, fps=fps, seed=seed, focus=focus,
                        zoom=zoom, legend=legend, view=view, granularity=granularity)
    frames = animator.frames
    anim = FuncAnimation(animator.figure, animator, frames=list(frames),
                         init_func=lambda: animator(frames[0]), interval=1000.0 / fps,
                         repeat=repeat, cache_frame_data=False, **kwargs)
    anim.frame_schedule = frames  # type: ignore[attr-defined]
    anim.animator = animator  # type: ignore[attr-defined]
    return anim


class FrameSource(Protocol):
    """What `write_frames` and the writers need of an animator.

    `Animator` is one; so is `adviz.renderers.mpl.descent.DescentAnimator`, whose
    frames are step numbers.
    """

    @property
    def figure(self) -> Figure:
        """The figure the frames are drawn on."""

    @property
    def frames(self) -> Sequence[Any]:
        """Every frame, in order (what ``animator(frame)`` takes)."""

    def __call__(self, frame: Any) -> list[Artist]:
        """Draw one frame; returns the artists."""

    def rgba(self) -> tuple[memoryview, tuple[int, int]]:
        """The current frame as RGBA pixels, and its (width, height)."""


def write_frames(animator: FrameSource, writer: AbstractMovieWriter, path: str | Path, *,
                 on_frame: Callable[[int], None] | None = None) -> int:
    """Run the frame loop: show each scheduled frame and hand it to ``writer``.

    Unlike ``FuncAnimation.save`` (a full redraw per frame), each frame is
    drawn with `Animator.rgba` semantics when the writer asks the animator
    for pixels; writers that call ``savefig`` themselves still work.

    Parameters
    ----------
    animator
        The `Animator` (or another `FrameSource`) whose frames are written.
    writer
        A `matplotlib.animation.AbstractMovieWriter`.
    path
        Output file handed to ``writer.setup``.
    on_frame
        Called with the frame number after each frame (progress bars).

    Returns
    -------
    int
        The number of frames written.

    Examples
    --------
    >>> import adviz
    >>> from matplotlib.animation import AbstractMovieWriter
    >>> class Count(AbstractMovieWriter):
    ...     n = 0
    ...     def setup(self, fig, outfile, dpi=None): super().setup(fig, outfile, dpi)
    ...     def grab_frame(self, **kw): Count.n += 1
    ...     def finish(self): pass
    >>> animator = Animator(adviz.trace("x * x + 1", x=3), tween=2, hold=1, dpi=20)
    >>> write_frames(animator, Count(fps=10), "unused.gif"), Count.n
    (7, 7)
    """
    with writer.saving(animator.figure, str(path), animator.figure.dpi):
        for number, frame in enumerate(animator.frames):
            animator(frame)
            writer.grab_frame()
            if on_frame is not None:
                on_frame(number)
    return len(animator.frames)
