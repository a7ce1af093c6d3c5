"""The artists of one trace on one Axes, created once and restyled per frame.

A `Scene` draws a trace with the stored layout (`adviz.scene.layout.compute_layout`)
and the SVG frames' geometry (`adviz.renderers.svg.geometry`: the same frame
size, caption band and offsets) on a Matplotlib `Axes`: a rounded box and
four text slots per node, a ``CURVE4`` path, two arrowheads and two label
slots per edge, the caption lines, and one trail line, one pulse marker and a
few pulse labels for what moves between stages. `Scene.show` copies a frame's
`adviz.renderers.mpl.look.Look` onto those artists; nothing is created or removed after
construction, which is what makes animation frames cheap.

Coordinates are the SVG frame's points (origin top left, y down): the Axes
has an inverted y axis and equal scaling, and every font size and line width
is multiplied by `Scene.scale` (figure points per frame point).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from matplotlib.figure import Figure
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> ax = Figure(figsize=(8, 4.5)).add_axes((0, 0, 1, 1))
>>> scene = Scene(t, ax)
>>> _ = scene.show("reverse", 5, fraction=0.5)
>>> len(scene.pulses.get_xdata())
2
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from adviz.renderers.mpl.look import Look, frame_look
from adviz.scene.curves import Route, arrowhead, ease
from adviz.scene.figure import ARROW_HALF_WIDTH, ARROW_LENGTH, MARGIN, figure, wrap
from adviz.scene.style import CLUSTER_SIZE, EDGE_SIZE, LINE_SPACING, TITLE_SIZE, get_theme
from adviz.scene.view import view_options
from adviz.text import mathtext as mt

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon
    from matplotlib.text import Text

    from adviz.core.tracing import Trace
    from adviz.scene.layout import Layout
    from adviz.scene.style import Theme

PULSE_SIZE = 11.0
"""Diameter of a pulse, in frame points."""

TRAIL_WIDTH = 3.4
"""Width of the trail a pulse leaves on its edge, in frame points."""

CORNER = 6.0
"""Corner radius of node boxes (as in the SVG frames)."""

FALLBACK_FONT = "DejaVu Sans"


def font_family(theme: Theme) -> str:
    """The theme's font if Matplotlib has it, else DejaVu Sans (shipped with Matplotlib).

    Examples
    --------
    >>> from adviz.scene.style import get_theme
    >>> font_family(get_theme("light")) in ("Helvetica", "DejaVu Sans")
    True
    """
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties

    try:
        font_manager.findfont(FontProperties(family=theme.font), fallback_to_default=False)
    except ValueError:
        return FALLBACK_FONT
    return theme.font


class Scene:
    """All artists of a trace on an Axes (see the module docstring).

    Parameters
    ----------
    trace
        A `Trace`.
    ax
        The Axes to draw on; its limits and facecolor are set, its axis hidden.
    theme
        A theme name or `adviz.scene.style.Theme`.
    rankdir
        ``"LR"`` (inputs left, y right) or ``"TB"``.
    layout
        A precomputed layout; by default `adviz.scene.layout.compute_layout`.
    caption
        Show the stage caption above the graph.
    collapse, full
        What to draw of a large or scoped graph, as for the SVG frames
        (`adviz.scene.view.view_options`): scope labels to collapse into boxes
        (``None``: decide by size), or ``full=True`` for every node and label.
    """

    def __init__(
        self,
        trace: Trace,
        ax: Axes,
        *,
        theme: str | Theme | None = "light",
        rankdir: str = "LR",
        layout: Layout | None = None,
        caption: bool = True,
        collapse: Iterable[str] | None = None,
        full: bool = False,
    ) -> None:
        options = view_options(trace, collapse, full)
        if layout is None:
            from adviz.scene.layout import compute_layout

            layout = compute_layout(trace, rankdir=rankdir, collapse=options.collapse,
                                    compact=options.compact)
        self.collapse = tuple(layout.collapse)
        self.compact = bool(layout.compact)
        self.notice = options.notice if (self.collapse, self.compact) == (
            options.collapse, options.compact) else ""
        self.trace = trace
        self.ax = ax
        self.theme = get_theme(theme)
        self.layout = layout
        from adviz.scene.view import graph_view

        self.fig = figure(trace, theme=theme, view=graph_view(trace, self.collapse, self.compact),
                          layout=layout, notice=self.notice)
        self.geometry = self.fig
        self.font = font_family(self.theme)
        dx, dy = self.geometry.dx, self.geometry.dy

        def shift(p: tuple[float, float]) -> tuple[float, float]:
            return (p[0] + dx, p[1] + dy)

        self.routes = {
            key: Route([shift(p) for p in e.points], None if e.head is None else shift(e.head))
            for key, e in layout.edges.items()
        }
        self._labels = {key: shift(e.label) if e.label is not None else
                        self.routes[key].point_at(0.5) for key, e in layout.edges.items()}
        self._centres = {node: shift((b.x, b.y)) for node, b in layout.nodes.items()}
        self._shift = shift
        self._last: tuple[str, int, bool] | None = None
        self._fit()
        self._build(caption)

    def _fit(self) -> None:
        g, ax = self.geometry, self.ax
        dpi = ax.get_figure(root=True).dpi  # type: ignore[union-attr]
        aw, ah = ax.bbox.width * 72.0 / dpi, ax.bbox.height * 72.0 / dpi
        self.scale = min(aw / g.width, ah / g.height)
        hw, hh = aw / self.scale / 2, ah / self.scale / 2
        ax.set_xlim(g.width / 2 - hw, g.width / 2 + hw)
        ax.set_ylim(g.height / 2 + hh, g.height / 2 - hh)
        ax.set_axis_off()
        ax.set_facecolor(self.theme.background)

    def _text(self, x: float, y: float, size: float, **kw: Any) -> Text:
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        return self.ax.text(x, y, "", fontsize=size * self.scale, family=self.font, **kw)

    def _build(self, caption: bool) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon
        from matplotlib.path import Path

        ax, s, theme = self.ax, self.scale, self.theme
        self._build_clusters()
        self.edge_lines: dict[tuple[str, str], PathPatch] = {}
        self._paths: dict[tuple[str, str], tuple[Path, Path]] = {}
        self.heads: dict[tuple[str, str], tuple[Polygon | None, Polygon]] = {}
        self.edge_texts: dict[tuple[str, str], tuple[Text, ...]] = {}
        for key, route in self.routes.items():
            forward_path = route.path()
            backward_path = forward_path
            codes = np.asarray(forward_path.codes)
            if route.head is not None and forward_path.codes is not None:
                backward_path = Path(np.vstack([forward_path.vertices, [route.head]]),
                                     np.append(codes, Path.LINETO))
            self._paths[key] = (forward_path, backward_path)
            line = PathPatch(forward_path, fill=False, lw=s, capstyle="butt", zorder=1)
            ax.add_patch(line)
            fwd = None
            if route.head is not None:
                fwd = Polygon(arrowhead(route.head, route.points[-1], 2 * ARROW_HALF_WIDTH),
                              closed=True, lw=0.5 * s, zorder=1.5)
                ax.add_patch(fwd)
            rev = Polygon(route.reverse_head_polygon(ARROW_LENGTH, 2 * ARROW_HALF_WIDTH),
                          closed=True, lw=0.5 * s, zorder=1.5)
            ax.add_patch(rev)
            self.edge_lines[key] = line
            self.heads[key] = (fwd, rev)
            x, y = self._labels[key]
            self.edge_texts[key] = tuple(self._text(x, y, EDGE_SIZE, zorder=6)
                                         for _ in range(2))
        self.node_boxes: dict[str, FancyBboxPatch] = {}
        self.node_texts: dict[str, tuple[Text, ...]] = {}
        for node, nb in self.layout.nodes.items():
            x, y = self._centres[node]
            patch = FancyBboxPatch((x - nb.width / 2, y - nb.height / 2), nb.width, nb.height,
                                   boxstyle=f"round,pad=0,rounding_size={CORNER}", lw=s,
                                   zorder=4)
            ax.add_patch(patch)
            self.node_boxes[node] = patch
            self.node_texts[node] = tuple(self._text(x, y, EDGE_SIZE, zorder=5)
                                          for _ in range(4))
        # The moving artists are above everything else, so drawing them last over a
        # cached background (Animator.rgba) gives the same pixels as a full redraw.
        self.trail: Line2D = Line2D([], [], lw=TRAIL_WIDTH * s, solid_capstyle="butt",
                                    zorder=10)
        ax.add_line(self.trail)
        self.pulses: Line2D = Line2D([], [], ls="none", marker="o", ms=PULSE_SIZE * s,
                                     mew=1.6 * s, mec=theme.background, zorder=11)
        ax.add_line(self.pulses)
        graph = self.trace.graph
        count = max((max(graph.in_degree(n), graph.out_degree(n)) for n in graph), default=0)
        bbox = {"boxstyle": "round,pad=0.15", "fc": theme.background, "ec": "none",
                "alpha": 0.9}
        self.pulse_texts = [self._text(0.0, 0.0, EDGE_SIZE, zorder=12, bbox=dict(bbox),
                                       fontweight="bold", visible=False)
                            for _ in range(count)]
        self.captions: list[Text] = []
        if caption:
            notice = wrap(self.notice, self.fig.caption.width) if self.notice else []
            lines = self.fig.caption.lines - len(notice)
            for k in range(self.fig.caption.lines):
                baseline = MARGIN + TITLE_SIZE * LINE_SPACING * k + TITLE_SIZE
                text = self._text(MARGIN, baseline, TITLE_SIZE, ha="left", va="baseline",
                                  color=theme.text, zorder=9)
                if k >= lines:
                    text.set_text(notice[k - lines])
                    text.set_color(theme.muted_text)
                    text.set_fontstyle("italic")
                self.captions.append(text)
            self._caption_lines = lines

    def _build_clusters(self) -> None:
        """Scope boxes (dashed, rounded) with their labels, as in the SVG frames."""
        from matplotlib.patches import FancyBboxPatch

        theme, s = self.theme, self.scale
        for box in self.layout.clusters.values():
            x, y = self._shift((box.x - box.width / 2, box.y - box.height / 2))
            patch = FancyBboxPatch((x, y), box.width, box.height,
                                   boxstyle="round,pad=0,rounding_size=8", lw=s,
                                   ls=(0, (5, 3)), zorder=0.5, alpha=0.9,
                                   facecolor=theme.cluster_fill,
                                   edgecolor=theme.cluster_stroke)
            self.ax.add_patch(patch)
            if box.label_pos is not None:
                lx, ly = self._shift(box.label_pos)
                lx -= box.label_width / 2 - 3.0
            else:
                lx, ly = x + 6, y + 4 + CLUSTER_SIZE / 2
            self._text(lx, ly, CLUSTER_SIZE, ha="left", fontstyle="italic",
                       color=theme.text, zorder=0.6).set_text(mt.escape_text(box.label))

    def artists(self) -> list[Artist]:
        """Every artist of the scene."""
        out: list[Artist] = [self.trail, self.pulses, *self.pulse_texts, *self.captions]
        for key in self.routes:
            fwd, rev = self.heads[key]
            out += [self.edge_lines[key], rev, *self.edge_texts[key]]
            if fwd is not None:
                out.append(fwd)
        for node in self.node_boxes:
            out += [self.node_boxes[node], *self.node_texts[node]]
        return out

    @property
    def state_key(self) -> tuple[str, int, bool] | None:
        """What the static artists show now: ``(phase, stage, travelling)``."""
        return self._last

    def show(self, phase: str, stage: int, fraction: float | None = None) -> list[Artist]:
        """Show the state after ``stage``, or (``fraction`` in [0, 1)) the travel toward it.

        Returns every artist of the scene.
        """
        n = len(self.trace.stages(phase))
        stage = stage % n if -n <= stage < n else stage
        travelling = fraction is not None and fraction < 1.0 and stage > 0
        look = frame_look(self.trace, self.theme, phase, stage, travelling, self.collapse,
                          self.compact)
        key = (phase, stage, travelling)
        if key != self._last:
            self._apply(look)
            self._last = key
        self._move(look, ease(fraction) if travelling and fraction is not None else None)
        return self.artists()

    def _lines(self, texts: tuple[Text, ...], x: float, y: float, lines: tuple[str, ...],
               colors: tuple[str, ...], sizes: tuple[float, ...],
               bold: tuple[bool, ...] | None = None) -> None:
        total = sum(size * LINE_SPACING for size in sizes)
        top = y - total / 2
        for k, text in enumerate(texts):
            if k >= len(lines) or not lines[k]:
                text.set_visible(False)
                continue
            height = sizes[k] * LINE_SPACING
            text.set_visible(True)
            text.set_text(lines[k])
            text.set_color(colors[k])
            text.set_fontsize(sizes[k] * self.scale)
            text.set_fontweight("bold" if bold and bold[k] else "normal")
            text.set_position((x, top + height / 2))
            top += height

    def _apply(self, look: Look) -> None:
        s = self.scale
        for key, el in look.edges.items():
            if key not in self.edge_lines:
                continue
            line = self.edge_lines[key]
            line.set_path(self._paths[key][el.head == "reverse"])
            line.set_edgecolor(el.color)
            line.set_alpha(el.alpha)
            line.set_linewidth(el.linewidth * s)
            line.set_zorder(el.zorder)
            fwd, rev = self.heads[key]
            for head, visible in ((fwd, el.head == "forward"), (rev, el.head == "reverse")):
                if head is not None:
                    head.set_facecolor(el.color)
                    head.set_edgecolor(el.color)
                    head.set_alpha(el.alpha)
                    head.set_visible(visible)
                    head.set_zorder(el.zorder + 0.5)
            x, y = self._labels[key]
            self._lines(self.edge_texts[key], x, y, el.lines, el.colors, el.sizes, el.bold)
        for node, nl in look.nodes.items():
            if node not in self.node_boxes:
                continue
            box = self.node_boxes[node]
            box.set_facecolor(nl.fill)
            box.set_edgecolor(nl.stroke)
            box.set_linewidth(nl.linewidth * s)
            x, y = self._centres[node]
            self._lines(self.node_texts[node], x, y, nl.lines, nl.colors, nl.sizes)
        if self.captions:
            lines = wrap(look.caption, self.fig.caption.width)
            for k, text in enumerate(self.captions[:self._caption_lines]):
                text.set_text(lines[k] if k < len(lines) else "")
        self.trail.set_color(look.color)
        self.pulses.set_markerfacecolor(look.color)
        for text in self.pulse_texts:
            text.set_color(look.color)

    def _move(self, look: Look, eased: float | None) -> None:
        if eased is None or not look.moving:
            self.trail.set_data([], [])
            self.pulses.set_data([], [])
            for text in self.pulse_texts:
                text.set_visible(False)
            return
        xs: list[float] = []
        ys: list[float] = []
        pieces = []
        for k, m in enumerate(look.moving):
            route = self.routes[m.parent, m.child]
            at = 1.0 - eased if m.backward else eased
            piece = route.piece(at, 1.0) if m.backward else route.piece(0.0, at)
            pieces += [piece, np.array([[np.nan, np.nan]])]
            x, y = route.point_at(at)
            xs.append(x)
            ys.append(y)
            if k < len(self.pulse_texts):
                text = self.pulse_texts[k]
                below = self._labels[m.parent, m.child][1] < y
                offset = (PULSE_SIZE / 2 + EDGE_SIZE * 0.8) * (1 if below else -1)
                text.set_position((x, y + offset))
                text.set_text(m.label)
                text.set_visible(True)
        for text in self.pulse_texts[len(look.moving):]:
            text.set_visible(False)
        trail = np.vstack(pieces)
        self.trail.set_data(trail[:, 0], trail[:, 1])
        self.pulses.set_data(xs, ys)
