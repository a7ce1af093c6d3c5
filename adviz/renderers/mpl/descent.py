"""Gradient-descent animations: the graph at each step beside the path on f.

Each frame shows one step of a `adviz.core.gradient_descent.Descent` in two
panels side by side:

- left, the computational graph at that step: the values and the adjoints
  after the reverse pass of the step's trace, drawn by the same renderer as
  the other animations (`adviz.renderers.mpl.artists.Scene`); the artists are created
  once and restyled per step;
- right, where the step is on f: for two inputs the contour plot of f
  (evaluated once on a grid around the whole trajectory, points outside the
  domain masked) with the path so far, the current point and the arrow of
  the next step ``-lr * grad``; for one input the curve of f with the same
  marks; for more inputs the value of f per step.

With ``surface=True`` (two inputs) a third panel shows the surface of f in
3D, with the path on it, turning a little from step to step.

A title line says ``Step k of n — f = …, |grad| = …, lr = …``; the last
frame adds why the run stopped (`Descent.message`).

The graph is drawn compactly by default (each node its name, value and
adjoint; no edge labels), so that it stays readable beside the plot;
``full=True`` adds the formulas, the local partials and the contributions.

Every step traces the function again. As long as its control flow does not
change, each step has the same nodes and edges, so one layout serves every
step: it reserves for each label the widest text any step shows
(`merged_view`), so node positions stay put and every step's numbers fit. A
step whose graph differs gets its own layout, and its frames say so.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import adviz
>>> run = adviz.descent("(x1 - x2)**2 + cos(x1 + x2)", {"x1": 1, "x2": 2}, lr=0.1, steps=3)
>>> animator = DescentAnimator(run, dpi=30, size=(8, 4))
>>> animator.kind, len(animator.frames), sorted(set(animator.frames))
('contour', 14, [0, 1, 2, 3])
>>> _ = animator.show(1)
>>> animator.title.get_text()
'Step 1 of 3 — f = −0.63358, |grad| = 1.70458, lr = 0.1'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from adviz.core.gradient_descent import Descent
from adviz.errors import AdvizError, InputError
from adviz.renderers.mpl.artists import Scene, font_family
from adviz.scene.content import EdgeView, Frame
from adviz.scene.picture import MARGIN, figure
from adviz.scene.picture import Figure as SceneFigure
from adviz.scene.sizes import Size, even_size, figure_size
from adviz.scene.view import GraphView
from adviz.text.labels import pretty_name, pretty_number
from adviz.text.mathtext import large_parse_cache

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

    from adviz.core.tracing import Trace
    from adviz.scene.layout import Layout
    from adviz.scene.style import Theme

DEFAULT_FPS = 4
"""Frames per second of descent animations."""

DEFAULT_HOLD = 2
"""Frames each step is shown (half a second at the default frame rate)."""

FINAL_HOLD = 4
"""The last step is shown this many times longer than the others."""

DEFAULT_GRID = 61
"""Grid points per axis of the contour plot (and ten times as many for a curve)."""

PLOT_MARGIN = 0.3
"""Space around the trajectory in the right panel, as a fraction of its extent."""

MIN_ARROW = 9.0
"""Arrows shorter than this (points) are not drawn: they would hide under the current point."""

ARROW_HEAD = 16.0
"""Size of the arrow's head (points); shorter arrows get smaller heads."""

MAX_LISTED_INPUTS = 6
"""Inputs listed by name in the subtitle; more are summarised."""

KINDS = ("curve", "contour", "values")
"""What the right panel shows: f over one input, contours over two, f per step."""

HINTS = {
    "contour": "left: the graph at this step (values, adjoints g)    right: the path so far "
               "on the contours of f; arrow: the next step −lr · grad",
    "curve": "left: the graph at this step (values, adjoints g)    right: the path so far on "
             "f; arrow: the next step −lr · grad",
    "values": "left: the graph at this step (values, adjoints g)    right: f at each step so "
              "far",
}
"""The third title line of every frame but the last, by `panel_kind`."""


def descent_schedule(length: int, hold: int = DEFAULT_HOLD) -> tuple[int, ...]:
    """The step shown by each frame: every step ``hold`` times, the last `FINAL_HOLD` times longer.

    Parameters
    ----------
    length
        Number of steps recorded (``len(run)``: the start and each step taken).
    hold
        Frames per step (at least 1).

    Examples
    --------
    >>> descent_schedule(3, hold=2)
    (0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2)
    """
    if not isinstance(hold, int) or isinstance(hold, bool) or hold < 1:
        raise InputError(f"hold must be a whole number >= 1, not {hold!r}")
    frames = [k for k in range(length) for _ in range(hold)]
    frames += [length - 1] * (hold * (FINAL_HOLD - 1))
    return tuple(frames)


def panel_kind(run: Descent) -> str:
    """``"curve"`` (one input), ``"contour"`` (two) or ``"values"`` (more).

    Examples
    --------
    >>> import adviz
    >>> panel_kind(adviz.descent("x*y*z", {"x": 1, "y": 1, "z": 1}, steps=1))
    'values'
    """
    count = len(run.inputs[0])
    return KINDS[min(count, 3) - 1]


def plot_box(points: Sequence[Sequence[float]], margin: float = PLOT_MARGIN
             ) -> list[tuple[float, float]]:
    """Axis ranges around ``points`` (one row per point), with ``margin`` on each side.

    Every range gets the same width (the widest extent plus the margins), so
    that a contour plot with equal axis scales shows the gradient at right
    angles to the level curves; a single point gets a range of width 2.

    Examples
    --------
    >>> plot_box([(0.0, 0.0), (2.0, 1.0)], margin=0.25)
    [(-0.5, 2.5), (-1.0, 2.0)]
    >>> plot_box([(3.0,)])
    [(2.0, 4.0)]
    """
    data = np.asarray(points, dtype=float)
    data = data[np.all(np.isfinite(data), axis=1)]
    lo, hi = data.min(axis=0), data.max(axis=0)
    centre = (lo + hi) / 2
    extent = float((hi - lo).max())
    if extent <= 1e-9 * (1.0 + float(np.abs(centre).max())):
        extent = 2.0 / (1 + 2 * margin)
    half = extent * (1 + 2 * margin) / 2
    return [(float(c - half), float(c + half)) for c in centre]


def evaluate_grid(trace: Trace, names: Sequence[str], axes: Sequence[np.ndarray]) -> np.ndarray:
    """f on the grid spanned by ``axes`` (one 1-D array per input), in plain floats.

    Points where f is undefined (outside its domain, overflow) are ``nan``.
    The result has shape ``(len(axes[1]), len(axes[0]))`` for two inputs
    (rows follow the second input, as `matplotlib.axes.Axes.contour` wants).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("log(x)", x=1.0)
    >>> evaluate_grid(t, ["x"], [np.array([-1.0, 1.0])]).tolist()
    [nan, 0.0]
    """
    mesh = np.meshgrid(*axes, indexing="xy")
    values = np.full(mesh[0].shape, np.nan)
    flat = [m.ravel() for m in mesh]
    out = values.ravel()
    for k in range(out.size):
        point = {name: float(coords[k]) for name, coords in zip(names, flat)}
        try:
            value = trace.evaluate(point)
        except (AdvizError, ArithmeticError, ValueError, TypeError):
            continue
        if math.isfinite(value):
            out[k] = value
    return out.reshape(mesh[0].shape)


def contour_levels(values: np.ndarray, count: int = 12) -> np.ndarray:
    """Round-numbered levels for a contour plot of ``values`` (``nan`` ignored).

    About ``count`` levels from the smallest value up to the 97th
    percentile, so a few huge values (a function that explodes at the edge
    of the plot) do not squash every level into one band; ``[]`` when f is
    constant or undefined everywhere.

    Examples
    --------
    >>> contour_levels(np.array([0.0, 1.0, 2.0, np.nan]), count=4).tolist()
    [0.0, 0.5, 1.0, 1.5]
    >>> contour_levels(np.array([1.0, 1.0])).tolist()
    []
    """
    from matplotlib.ticker import MaxNLocator

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([])
    lo, hi = float(finite.min()), float(np.percentile(finite, 97))
    if not hi > lo:
        hi = float(finite.max())
    if not (hi > lo and math.isfinite(hi - lo)):
        return np.array([])
    ticks = np.asarray(MaxNLocator(nbins=count).tick_values(lo, hi), dtype=float)
    levels = ticks[(ticks >= lo) & (ticks <= hi)]
    return levels if levels.size >= 2 else np.array([lo, hi])


def value_range(values: Sequence[float]) -> tuple[float, float]:
    """A y range showing every value, with a little room above and below.

    Examples
    --------
    >>> value_range([1.0, 3.0])
    (0.9, 3.1)
    >>> value_range([2.0])
    (1.0, 3.0)
    """
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    lo, hi = min(finite), max(finite)
    pad = (hi - lo) * 0.05 if hi > lo else max(1.0, abs(lo) * 0.1)
    return lo - pad, hi + pad


def _structure(trace: Trace) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    graph = trace.graph
    return tuple(sorted(graph.nodes)), tuple(sorted(graph.edges))


def _widest_lines(lines: Sequence[tuple[str, ...]], sizes: Callable[[int], Sequence[float]]
                  ) -> tuple[str, ...]:
    """Line by line, the widest text of several versions of one label."""
    from adviz.text.labels import widest

    count = max(len(version) for version in lines)
    size = sizes(count)
    return tuple(widest([v[k] for v in lines if k < len(v)], size[k]) for k in range(count))


def merged_view(traces: Sequence[Trace], compact: bool) -> GraphView:
    """The drawn graph of traces with the same nodes and edges, sized for the widest text.

    Each node and edge label reserves, line by line, the widest text any of
    the traces shows there, so one layout fits every step of a descent.

    Examples
    --------
    >>> import adviz
    >>> a, b = adviz.trace("x * x", x=1.0), adviz.trace("x * x", x=-12.5)
    >>> merged_view([a, b], compact=True).node_lines["x"]
    ('x', '= −12.5', 'g = −25')
    """
    from adviz.scene.layout import line_sizes
    from adviz.scene.style import EDGE_SIZE
    from adviz.scene.view import graph_view

    views = [graph_view(t, (), compact) for t in traces]
    first = views[0]
    nodes = {n: _widest_lines([v.node_lines[n] for v in views], line_sizes)
             for n in first.nodes}
    edges = {e: _widest_lines([v.edge_lines[e] for v in views], lambda k: [EDGE_SIZE] * k)
             if first.edge_lines[e] else () for e in first.edges}
    return GraphView(first.nodes, MappingProxyType(nodes), first.edges,
                     MappingProxyType(edges), first.scopes, None, bool(compact))


def settled(fig: SceneFigure) -> Frame:
    """The final state of a figure's reverse pass without the last stage's highlight.

    Every node is drawn as done with its value and adjoint (the summary
    frame), every edge as a path the gradient has passed along (arrowheads
    toward the parents).
    """
    summary = fig.frame("summary")
    edges = {key: EdgeView("passed", view.lines, True) for key, view in summary.edges.items()}
    return Frame("summary", 0, summary.title, summary.nodes, MappingProxyType(edges))


def _mix(color: str, other: str, amount: float) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    a, b = np.array(to_rgb(color)), np.array(to_rgb(other))
    r, g, bl = a * amount + b * (1 - amount)
    return float(r), float(g), float(bl)


def _colormap(theme: Theme) -> Colormap:
    """Low values tinted with the theme's value colour, high values the background."""
    from matplotlib.colors import LinearSegmentedColormap

    low = _mix(theme.forward, theme.background, 0.42)
    mid = _mix(theme.forward, theme.background, 0.14)
    colors: list[Any] = [low, mid, theme.background]
    cmap = LinearSegmentedColormap.from_list(f"adviz-{theme.name}", colors)
    return cmap.with_extremes(over=theme.background, under=low, bad=theme.muted_fill)


class StepScene(Scene):
    """A `Scene` without the caption band, that paints another step's figure on request.

    The figures shown must have the geometry of the first one (same view and layout).
    """

    def _fit(self) -> None:
        g, ax = self.fig, self.ax
        dpi = ax.get_figure(root=True).dpi  # type: ignore[union-attr]
        aw, ah = ax.bbox.width * 72.0 / dpi, ax.bbox.height * 72.0 / dpi
        top = g.dy - MARGIN
        height = g.height - top
        self.scale = min(aw / g.width, ah / height)
        hw, hh = aw / self.scale / 2, ah / self.scale / 2
        cx, cy = g.width / 2, top + height / 2
        ax.set_xlim(cx - hw, cx + hw)
        ax.set_ylim(cy + hh, cy - hh)
        ax.set_axis_off()
        ax.set_facecolor(g.styles["background"])

    def show_settled(self, fig: SceneFigure) -> list[Artist]:
        """Show ``fig`` (a step's figure, same geometry) after its reverse pass, `settled`."""
        self.use_figure(fig)
        return self.show_frame(settled(fig))


class DescentAnimator:
    """The two-panel figure of a descent run: ``animator.show(step)`` draws one step.

    Parameters are those of `animate_descent`; ``even`` rounds the pixel size
    to even numbers (H.264 video), ``grid`` is the number of grid points per
    axis of the contour plot (`DEFAULT_GRID`).

    Attributes
    ----------
    frames
        The step each frame shows (`descent_schedule`).
    kind
        What the right panel shows (`panel_kind`).
    figure, graph_ax, plot_ax
        The figure and its two panels.
    traces
        The trace of each step.
    layouts
        The layout used for each step.
    changed
        For each step, whether its graph differs from step 0's.
    arrow_ends
        Tail and tip of the arrow of the next step ``-lr * grad`` in the
        right panel's data coordinates, ``None`` when no arrow is drawn.
    surface_ax
        The 3D panel of the surface of f (``surface=True``), else ``None``.
    """

    def __init__(
        self,
        run: Descent,
        *,
        hold: int = DEFAULT_HOLD,
        theme: str | Theme | None = "light",
        size: Size = None,
        dpi: float = 100.0,
        rankdir: str = "LR",
        transparent: bool = False,
        even: bool = False,
        grid: int = DEFAULT_GRID,
        full: bool = False,
        surface: bool = False,
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from adviz.scene.style import get_theme

        if not isinstance(run, Descent):
            raise InputError(f"animate_descent needs the result of adviz.descent, not "
                             f"{type(run).__name__}")
        if not isinstance(dpi, (int, float)) or isinstance(dpi, bool) or not dpi > 0:
            raise InputError(f"dpi must be a positive number, not {dpi!r}")
        if not isinstance(grid, int) or isinstance(grid, bool) or grid < 3:
            raise InputError(f"grid must be a whole number >= 3, not {grid!r}")
        self.run = run
        self.frames = descent_schedule(len(run), hold)
        self.theme = get_theme(theme)
        self.rankdir = rankdir
        self.transparent = bool(transparent)
        self.grid = grid
        self.full = bool(full)
        self.names = list(run.inputs[0])
        self.kind = panel_kind(run)
        if surface and self.kind != "contour":
            raise InputError(f"surface=True draws f over two inputs; this run has "
                             f"{len(self.names)} ({', '.join(self.names)})")
        self.traces = tuple(run.trace(k) for k in range(len(run)))
        self.views: list[GraphView] = []
        self.layouts, self.changed = self._layouts()
        self._figures: dict[int, SceneFigure] = {}
        inches = figure_size(size)
        if even:
            inches = even_size(inches, float(dpi))
        self.figure = Figure(figsize=inches, dpi=float(dpi))
        if self.transparent:
            self.figure.patch.set_alpha(0.0)
        else:
            self.figure.patch.set_facecolor(self.theme.background)
        self.font = font_family(self.theme)
        self.graph_ax, self.plot_ax = self._panels(inches)
        self.surface_ax: Any = self._surface_panel(inches) if surface else None
        self.canvas = FigureCanvasAgg(self.figure)
        self._titles()
        self.scene: StepScene | None = None
        self._scene_layout: Layout | None = None
        self.step: int | None = None
        self._drawn: int | None = None
        self._build_plot()

    # ------------------------------------------------------------------ setup

    def _layouts(self) -> tuple[list[Layout], list[bool]]:
        """For each step, the layout of its graph structure (shared by the steps that have it)."""
        from adviz.scene.layout import view_layout

        groups: dict[Any, list[int]] = {}
        for k, t in enumerate(self.traces):
            groups.setdefault(_structure(t), []).append(k)
        layouts: list[Layout | None] = [None] * len(self.traces)
        views: list[GraphView | None] = [None] * len(self.traces)
        for steps in groups.values():
            view = merged_view([self.traces[k] for k in steps], compact=not self.full)
            layout = view_layout(view, rankdir=self.rankdir)
            for k in steps:
                layouts[k] = layout
                views[k] = view
        self.views = [view for view in views if view is not None]
        first = _structure(self.traces[0])
        changed = [_structure(t) != first for t in self.traces]
        return [layout for layout in layouts if layout is not None], changed

    def _panels(self, inches: tuple[float, float]) -> tuple[Axes, Axes]:
        w, h = inches
        top = min(0.95, 0.22 * h)  # the title band, in inches
        graph_w = 0.58 * w
        graph = self.figure.add_axes((0.08 / w, 0.08 / h, (graph_w - 0.16) / w,
                                      (h - top - 0.16) / h))
        left, right, bottom = graph_w + 0.75, 0.3, 0.95
        plot = self.figure.add_axes((left / w, bottom / h, max(w - left - right, 0.5) / w,
                                     max(h - top - bottom - 0.25, 0.5) / h))
        if self.transparent:
            graph.patch.set_visible(False)
            plot.patch.set_visible(False)
        return graph, plot

    def _surface_panel(self, inches: tuple[float, float]) -> Any:
        """Halve the right panel: the contour plot left, the 3D surface right."""
        w, h = inches
        box = self.plot_ax.get_position()
        half = box.width / 2
        self.plot_ax.set_position((box.x0, box.y0, half - 0.1 / w, box.height))
        ax = self.figure.add_axes((box.x0 + half + 0.1 / w, box.y0 - 0.3 / h, half,
                                   box.height + 0.45 / h), projection="3d")
        if self.transparent:
            ax.patch.set_visible(False)
        return ax

    def _titles(self) -> None:
        w, h = self.figure.get_size_inches()
        theme, fig = self.theme, self.figure
        x = 0.2 / w

        def line(y: float, size: float, color: str, **kw: Any) -> Any:
            return fig.text(x, 1 - y / h, "", fontsize=size, color=color, family=self.font,
                            ha="left", va="top", parse_math=False, **kw)

        self.title = line(0.14, 15, theme.text, fontweight="bold")
        self.subtitle = line(0.46, 11, theme.text)
        self.status = line(0.7, 11, theme.muted_text)

    def _style_axes(self, ax: Axes) -> None:
        theme = self.theme
        if not self.transparent:
            ax.set_facecolor(theme.background)
        for spine in ax.spines.values():
            spine.set_color(theme.muted_text)
        ax.tick_params(colors=theme.text, labelsize=9)
        for label in (ax.xaxis.label, ax.yaxis.label):
            label.set_color(theme.text)
            label.set_fontsize(11)
            label.set_fontfamily(self.font)

    def _build_plot(self) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyArrowPatch

        ax, theme, run = self.plot_ax, self.theme, self.run
        self._style_axes(ax)
        self.surface: Any = None
        self.contours: Any = None
        self.undefined: Any = None
        self.curve: Line2D | None = None
        names = [pretty_name(n) for n in self.names]
        if self.kind == "contour":
            self._draw_contours()
            ax.set_xlabel(names[0])
            ax.set_ylabel(names[1], rotation=0, labelpad=12)
        elif self.kind == "curve":
            self._draw_curve()
            ax.set_xlabel(names[0])
            ax.set_ylabel("f", rotation=0, labelpad=10)
        else:
            n = len(run) - 1
            ax.set_xlim(-0.5 - 0.02 * n, n + 0.5 + 0.02 * n)
            lo, hi = value_range(run.values)
            ax.set_ylim(lo, hi)
            if max(abs(lo), abs(hi)) > 1e4 * (1 + float(np.median(np.abs(run.values)))):
                ax.set_yscale("symlog", linthresh=max(1e-3, float(np.median(
                    np.abs(run.values)))))
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("step")
            ax.set_ylabel("f", rotation=0, labelpad=10)
            ax.grid(True, color=theme.muted_edge, lw=0.6)
            ax.set_axisbelow(True)
        self.path = Line2D([], [], color=theme.text, lw=1.5, marker="o", ms=3.5,
                           mfc=theme.text, mec=theme.text, zorder=5, label="path so far")
        ax.add_line(self.path)
        self.start = Line2D([], [], ls="none", marker="s", ms=7, mfc="none",
                            mec=theme.text, mew=1.4, zorder=5, label="start")
        ax.add_line(self.start)
        highlight = theme.active_stroke if theme.active_stroke != theme.text else theme.forward
        self.current = Line2D([], [], ls="none", marker="o", ms=10, mfc=highlight,
                              mec=theme.text, mew=1.2, zorder=7, label="this step")
        ax.add_line(self.current)
        self.arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=ARROW_HEAD,
                                     color=theme.gradient, lw=2.2, zorder=6,
                                     shrinkA=0, shrinkB=0, visible=False)
        ax.add_patch(self.arrow)
        self.arrow_ends: tuple[tuple[float, float], tuple[float, float]] | None = None
        handles: list[Artist] = [self.path, self.start, self.current]
        if self.kind != "values":
            handles.append(Line2D([], [], color=theme.gradient, lw=2.2, marker=">", ms=7,
                                  label="next step −lr · grad"))
        if self.undefined is not None:
            from matplotlib.patches import Patch

            handles.append(Patch(facecolor=theme.muted_fill, edgecolor=theme.muted_text,
                                 hatch="///", label="f undefined"))
        legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1),
                           ncol=len(handles) if len(handles) <= 4 else 3, frameon=False,
                           handlelength=1.6, columnspacing=1.2,
                           prop={"family": self.font, "size": 9})
        for text in legend.get_texts():
            text.set_color(theme.text)

    def _trajectory_points(self) -> list[tuple[float, ...]]:
        run = self.run
        points = [tuple(x[n] for n in self.names) for x in run.inputs]
        if run.reason != "diverged":
            last, grad = run.inputs[-1], run.grads[-1]
            points.append(tuple(last[n] - run.lr * grad[n] for n in self.names))
        return points

    def _draw_contours(self) -> None:
        ax, theme = self.plot_ax, self.theme
        (x0, x1), (y0, y1) = plot_box(self._trajectory_points())
        xs, ys = np.linspace(x0, x1, self.grid), np.linspace(y0, y1, self.grid)
        z = evaluate_grid(self.traces[0], self.names, [xs, ys])
        if self.surface_ax is not None:
            self._draw_surface(xs, ys, z)
        levels = contour_levels(z)
        masked = np.ma.masked_invalid(z)
        if len(levels) >= 2:
            cmap = _colormap(theme)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                self.surface = ax.contourf(xs, ys, masked, levels=levels, cmap=cmap,
                                           extend="both", zorder=0)
                self.contours = ax.contour(xs, ys, masked, levels=levels,
                                           colors=[_mix(theme.text, theme.background, 0.35)],
                                           linewidths=0.6, negative_linestyles="solid",
                                           zorder=1)
                labels = ax.clabel(self.contours, self.contours.levels[::2], fontsize=8,
                                   fmt=pretty_number, inline_spacing=3)
                for label in labels:
                    label.set_color(_mix(theme.text, theme.background, 0.7))
        if np.isnan(z).any():  # outside the domain: hatched
            from matplotlib import rc_context

            with rc_context({"hatch.color": theme.muted_text, "hatch.linewidth": 0.8}):
                self.undefined = ax.contourf(xs, ys, np.isnan(z).astype(float),
                                             levels=[0.5, 1.5], colors=[theme.muted_fill],
                                             hatches=["///"], zorder=0.5)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")

    def _draw_surface(self, xs: np.ndarray, ys: np.ndarray, z: np.ndarray) -> None:
        """The surface of f (Matplotlib 3D), the path drawn on it per step."""
        ax, theme = self.surface_ax, self.theme
        gx, gy = np.meshgrid(xs, ys)
        finite = z[np.isfinite(z)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        values = [v for v in self.run.values if math.isfinite(v)]
        lo, hi = min([lo, *values]), max([hi, *values])
        count = min(self.grid, 41)
        ax.plot_surface(gx, gy, np.ma.masked_invalid(z), cmap=_colormap(theme), vmin=lo,
                        vmax=hi, rcount=count, ccount=count, linewidth=0.2,
                        edgecolor=_mix(theme.text, theme.background, 0.15), alpha=0.85,
                        antialiased=True, zorder=1)
        ax.set_zlim(lo, hi if hi > lo else lo + 1.0)
        names = [pretty_name(n) for n in self.names]
        ax.set_xlabel(names[0], labelpad=-2)
        ax.set_ylabel(names[1], labelpad=-2)
        ax.set_zlabel("f", labelpad=-2)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.label.set_color(theme.text)
            axis.label.set_fontfamily(self.font)
            axis.set_pane_color((*_mix(theme.text, theme.background, 0.04), 1.0))
        ax.tick_params(colors=theme.text, labelsize=7, pad=0)
        if not self.transparent:
            ax.set_facecolor(theme.background)
        highlight = theme.active_stroke if theme.active_stroke != theme.text else theme.forward
        (self.path3d,) = ax.plot([], [], [], color=theme.gradient, lw=2.0, marker="o", ms=3,
                                 zorder=5)
        (self.current3d,) = ax.plot([], [], [], ls="none", marker="o", ms=8, mfc=highlight,
                                    mec=theme.text, zorder=6)

    def _draw_curve(self) -> None:
        ax, theme, run = self.plot_ax, self.theme, self.run
        ((x0, x1),) = plot_box(self._trajectory_points())
        xs = np.linspace(x0, x1, 10 * self.grid)
        fs = evaluate_grid(self.traces[0], self.names, [xs])
        (self.curve,) = ax.plot(xs, fs, color=theme.forward, lw=1.8, zorder=2)
        values = [v for v in run.values if math.isfinite(v)]
        finite = fs[np.isfinite(fs)]
        lo, hi = min(values), max(values)
        span = hi - lo if hi > lo else max(1.0, abs(hi))
        if finite.size:
            lo = max(min(lo, float(finite.min())), lo - 2 * span)
            hi = min(max(hi, float(finite.max())), hi + 2 * span)
        ax.set_xlim(x0, x1)
        ax.set_ylim(*value_range([lo, hi]))
        ax.grid(True, color=theme.muted_edge, lw=0.6)
        ax.set_axisbelow(True)

    # ------------------------------------------------------------------ frames

    def _show_graph(self, step: int) -> None:
        layout = self.layouts[step]
        if self.scene is None or layout is not self._scene_layout:
            self.graph_ax.cla()
            self.scene = StepScene(self._figure(step), self.graph_ax, caption=False)
            if self.transparent:
                self.graph_ax.patch.set_visible(False)
            self._scene_layout = layout
        self.scene.show_settled(self._figure(step))

    def _figure(self, step: int) -> SceneFigure:
        """The scene of a step: its trace with the step's shared view and layout."""
        found = self._figures.get(step)
        if found is None:
            found = self._figures[step] = figure(self.traces[step], theme=self.theme,
                                                 view=self.views[step],
                                                 layout=self.layouts[step])
        return found

    def _show_plot(self, step: int) -> None:
        run = self.run
        if self.kind == "values":
            xs: list[float] = list(range(step + 1))
            ys = list(run.values[:step + 1])
        else:
            xs = [x[self.names[0]] for x in run.inputs[:step + 1]]
            ys = ([x[self.names[1]] for x in run.inputs[:step + 1]] if self.kind == "contour"
                  else list(run.values[:step + 1]))
        self.path.set_data(xs, ys)
        self.start.set_data(xs[:1], ys[:1])
        self.current.set_data(xs[-1:], ys[-1:])
        if self.surface_ax is not None:
            zs = list(run.values[:step + 1])
            self.path3d.set_data_3d(xs, ys, zs)
            self.current3d.set_data_3d(xs[-1:], ys[-1:], zs[-1:])
            turn = 30.0 * step / max(len(run) - 1, 1)  # a slow turn shows the shape
            self.surface_ax.view_init(elev=32.0, azim=-60.0 + turn)
        if self.kind == "values":
            return
        grad = run.grads[step]
        dx = -run.lr * grad[self.names[0]]
        dy = -run.lr * grad[self.names[1]] if self.kind == "contour" else 0.0
        tip = (xs[-1] + dx, ys[-1] + dy)
        ax = self.plot_ax
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        box = ax.get_position(original=False)
        width, height = self.figure.get_size_inches() * 72.0 * (box.width, box.height)
        length = math.hypot(dx / (x1 - x0) * width,
                            dy / (y1 - y0) * height if self.kind == "contour" else 0.0)
        visible = math.isfinite(tip[0]) and math.isfinite(tip[1]) and length > MIN_ARROW
        self.arrow_ends = ((xs[-1], ys[-1]), tip) if visible else None
        if visible:
            self.arrow.set_positions((xs[-1], ys[-1]), tip)
            self.arrow.set_mutation_scale(min(ARROW_HEAD, max(ARROW_HEAD / 3, 0.6 * length)))
        self.arrow.set_visible(visible)

    def _show_titles(self, step: int) -> None:
        run = self.run
        grad = run.grads[step]
        norm = math.sqrt(sum(g * g for g in grad.values()))
        self.title.set_text(
            f"Step {step} of {len(run) - 1} — f = {pretty_number(run.values[step])}, "
            f"|grad| = {pretty_number(norm)}, lr = {pretty_number(run.lr)}")
        note = "   (the graph differs from step 0's here: its own layout)" \
            if self.changed[step] else ""
        self.subtitle.set_text(self._point_text(run.inputs[step], note))
        if step == len(run) - 1:
            self.status.set_text(f"Stopped: {run.message}")
            self.status.set_color(self.theme.gradient if run.reason == "diverged"
                                  else self.theme.text)
            self.status.set_fontweight("bold")
        else:
            self.status.set_text(HINTS[self.kind])
            self.status.set_color(self.theme.muted_text)
            self.status.set_fontweight("normal")

    def _point_text(self, point: dict[str, float], note: str) -> str:
        """``at x1 = …, x2 = …``: as many inputs as fit the figure's width, then a count."""
        from adviz.text.labels import text_width

        room = self.figure.get_size_inches()[0] * 72.0 - 30.0 - text_width(note, 11.0)
        items = [f"{pretty_name(n)} = {pretty_number(point[n])}" for n in self.names]
        count = len(items)
        while count > 1:
            rest = len(items) - count
            more = f", … ({rest} more inputs)" if rest else ""
            if count <= MAX_LISTED_INPUTS and text_width(
                    "at " + ", ".join(items[:count]) + more, 11.0) <= room:
                break
            count -= 1
        rest = len(items) - count
        more = f", … ({rest} more inputs)" if rest else ""
        return "at " + ", ".join(items[:count]) + more + note

    def show(self, step: int) -> list[Artist]:
        """Show step ``step`` (negative counts from the end); returns the changed artists."""
        n = len(self.run)
        if not -n <= step < n:
            raise InputError(f"step {step} does not exist: the run has {n} steps (0 to {n - 1})")
        step %= n
        if step != self.step:
            self._show_graph(step)
            self._show_plot(step)
            self._show_titles(step)
            self.step = step
        return self.artists()

    def __call__(self, frame: int) -> list[Artist]:
        """`show` the step ``frame`` (FuncAnimation's ``func``: frames are step numbers)."""
        return self.show(frame)

    def artists(self) -> list[Artist]:
        """The artists that change from step to step."""
        out: list[Artist] = [self.title, self.subtitle, self.status, self.path, self.start,
                             self.current, self.arrow]
        if self.surface_ax is not None:
            out += [self.path3d, self.current3d]
        if self.scene is not None:
            out += self.scene.artists()
        return out

    def rgba(self) -> tuple[memoryview, tuple[int, int]]:
        """The current frame as RGBA pixels, and its (width, height).

        A step is drawn once: the frames that hold it reuse the pixels.
        """
        if self._drawn is None or self._drawn != self.step:
            with large_parse_cache():
                self.canvas.draw()
            self._drawn = self.step
        return self.canvas.buffer_rgba(), self.canvas.get_width_height()


def animate_descent(
    run: Descent,
    *,
    fps: float = DEFAULT_FPS,
    hold: int = DEFAULT_HOLD,
    theme: str | Theme | None = "light",
    size: Size = None,
    dpi: float = 100.0,
    rankdir: str = "LR",
    transparent: bool = False,
    full: bool = False,
    repeat: bool = True,
    surface: bool = False,
    **kwargs: Any,
) -> FuncAnimation:
    """Animate a gradient-descent run: the graph at each step beside the path on f.

    Parameters
    ----------
    run
        The result of `adviz.descent`.
    fps
        Frames per second.
    hold
        Frames each step is shown; the last step is shown `FINAL_HOLD` times
        longer.
    theme
        ``"light"``, ``"dark"``, ``"print"`` or a `adviz.scene.style.Theme`.
    size
        ``"16:9"`` (the default), ``"4:3"``, ... (see `adviz.scene.sizes.SIZES`)
        or ``(width, height)`` in inches.
    dpi
        Dots per inch of saved frames.
    rankdir
        ``"LR"`` (inputs left) or ``"TB"`` (inputs on top) for the graph.
    transparent
        No background.
    full
        Draw every label of the graph: node formulas, local partials and
        contributions (a wide figure, e.g. ``size=(18, 6)``, keeps them
        readable); by default each node shows its name, value and adjoint.
    repeat
        Loop when shown interactively.
    surface
        Two inputs: the surface of f in 3D beside the contour plot, with the
        path on it (`InputError` for other runs).
    **kwargs
        Passed to `matplotlib.animation.FuncAnimation`.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Its frames are step numbers; its ``animator`` attribute is the
        `DescentAnimator`. `adviz.save` writes a run as GIF, WebP, APNG, MP4,
        PDF (one page per step) or PNG (the last step).

    Examples
    --------
    >>> import adviz
    >>> run = adviz.descent("x**2", {"x": 1.0}, lr=0.25, steps=2)
    >>> anim = adviz.animate_descent(run, dpi=20, size=(6, 3), hold=1)
    >>> anim.animator.kind, anim.animator.frames
    ('curve', (0, 1, 2, 2, 2, 2))
    >>> "<img" in anim.to_jshtml()  # in a notebook: HTML(anim.to_jshtml())
    True
    """
    from matplotlib.animation import FuncAnimation

    if not (isinstance(fps, (int, float)) and not isinstance(fps, bool) and fps > 0):
        raise InputError(f"fps must be a positive number, not {fps!r}")
    animator = DescentAnimator(run, hold=hold, theme=theme, size=size, dpi=dpi,
                               rankdir=rankdir, transparent=transparent, full=full,
                               surface=surface)
    frames = animator.frames
    init: Callable[[], list[Artist]] = lambda: animator.show(frames[0])  # noqa: E731
    anim = FuncAnimation(animator.figure, animator, frames=list(frames), init_func=init,
                         interval=1000.0 / fps, repeat=repeat, cache_frame_data=False,
                         **kwargs)
    anim.animator = animator  # type: ignore[attr-defined]
    return anim
