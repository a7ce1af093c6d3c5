"""The artists of one figure on one Axes, created once and restyled per frame.

A `Scene` paints a scene (`adviz.scene.picture.Figure`) on a Matplotlib
`Axes`: a rounded box and its text slots per node, a ``CURVE4`` path, one
arrowhead and the label's text slots per edge, the scope boxes, the caption
lines, and one trail line, one pulse marker and a few pulse labels for what
moves between stages. In the neuron view (`adviz.scene.network`) a pulse is
an arrow instead: a short bright segment and its head, pointing the way the
quantity flows (into the next layer forward, back toward the inputs in the
reverse pass), without a number (the edges' labels carry them), and each
edge label sits on a plate of the background colour (`NetworkFigure.plate`).
Every position comes from the figure's geometry (node boxes, both routes and
arrowheads of each edge, label anchors, the caption band), every colour and
width from its style table, every text from its frames. `Scene.show` restyles
only the elements whose look differs from what they show
(`adviz.renderers.mpl.look.Playhead`), and records which artists it touched,
so an animation redraws only those (`adviz.renderers.mpl.redraw`).

Coordinates are the figure's frame points (origin top left, y down): the
Axes has an inverted y axis and equal scaling, and every font size and line
width is multiplied by `Scene.scale` (figure points per frame point).

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

from adviz.errors import InputError
from adviz.renderers.mpl.look import (
    EdgeLook,
    Looks,
    Moving,
    NodeLook,
    Playhead,
    Step,
    TextLook,
)
from adviz.scene.curves import Route, arrowhead, ease
from adviz.scene.picture import Figure as SceneFigure
from adviz.scene.picture import baseline, figure, line_centres
from adviz.scene.sizes import MIN_TEXT
from adviz.scene.style import CLUSTER_SIZE, EDGE_SIZE, TITLE_SIZE
from adviz.text import mathtext as mt

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.collections import PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Ellipse, FancyBboxPatch, PathPatch, Polygon
    from matplotlib.path import Path
    from matplotlib.text import Text

    from adviz.core.tracing import Trace
    from adviz.scene.content import Frame
    from adviz.scene.layout import Layout
    from adviz.scene.style import Theme

PULSE_SIZE = 11.0
"""Diameter of a pulse, in frame points."""

ARROW_PULSE = 26.0
"""Length of an arrow pulse (the neuron view's), head included, in frame points."""

ARROW_PULSE_HEAD = (13.0, 6.0)
"""Length and half width of an arrow pulse's head, in frame points."""

TRAIL_WIDTH = 3.4
"""Width of the trail a pulse leaves on its edge, in frame points."""

CORNER = 6.0
"""Corner radius of node boxes (as in the SVG frames)."""

CLUSTER_CORNER = 8.0
"""Corner radius of scope boxes."""

HEAD_STROKE = 1.0
"""Outline width of arrowheads, in frame points."""

FALLBACK_FONT = "DejaVu Sans"

Z_CLUSTER, Z_EDGE, Z_EDGE_TEXT, Z_NODE, Z_NODE_TEXT, Z_CAPTION = 0.5, 1.0, 3.5, 4.0, 5.0, 9.0
Z_TRAIL, Z_PULSE, Z_PULSE_TEXT = 10.0, 11.0, 12.0


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


def scene_figure(
    trace: Trace,
    *,
    theme: str | Theme | None = "light",
    rankdir: str | None = None,
    engine: str | None = None,
    layout: Layout | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    size: Any = None,
    copies: bool | None = None,
    min_text: float = MIN_TEXT,
    seed: Any = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = False,
    view: str | None = None,
    granularity: str | None = None,
) -> SceneFigure:
    """The scene of a trace for Matplotlib options (``layout``: one made by other means;
    ``seed``: the seeded input of forward mode; ``focus``, ``zoom``: as for
    `adviz.to_svg`, without ``layout``; ``legend``: a legend of the colours;
    ``view="network"``: the neuron view, `adviz.scene.network`, whose stages are its own)."""
    if layout is None:
        picked: dict[str, Any] = {} if view in (None, "graph") and granularity is None else \
            {"view": view, "granularity": granularity}
        return figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=collapse,
                      full=full, size=size, copies=copies, min_text=min_text, seed=seed,
                      focus=focus, zoom=zoom, legend=legend, **picked)
    if focus is not None or zoom is not None:
        raise InputError("focus= and zoom= apply to a figure laid out by adviz, not to a "
                         "given layout")
    from adviz.scene.view import graph_view, view_options

    options = view_options(trace, collapse, full, copies)
    chosen = (tuple(layout.collapse), bool(layout.compact))
    notice = options.notice if chosen == (options.collapse, options.compact) else ""
    scalar = graph_view(trace, *chosen, tuple(layout.copies))
    return figure(trace, theme=theme, view=scalar, layout=layout,
                  notice=notice, size=size, seed=seed, legend=legend)


def _path(points: tuple[tuple[float, float], ...]) -> Path:
    return Route(points).path()


class Scene:
    """All artists of a figure on an Axes (see the module docstring).

    Parameters
    ----------
    source
        A scene (`adviz.scene.picture.Figure`), or a `Trace` drawn with the
        options below.
    ax
        The Axes to draw on; its limits and facecolor are set, its axis hidden.
    theme, rankdir, engine, layout, collapse, full, copies
        With a trace: the picture options (`adviz.scene.picture.figure`);
        ``layout`` a precomputed layout.
    caption
        Show the stage caption above the graph.
    """

    def __init__(
        self,
        source: SceneFigure | Trace,
        ax: Axes,
        *,
        theme: str | Theme | None = "light",
        rankdir: str | None = None,
        engine: str | None = None,
        layout: Layout | None = None,
        caption: bool = True,
        collapse: Iterable[str] | None = None,
        full: bool = False,
        copies: bool | None = None,
    ) -> None:
        fig = source if isinstance(source, SceneFigure) else scene_figure(
            source, theme=theme, rankdir=rankdir, engine=engine, layout=layout,
            collapse=collapse, full=full, copies=copies)
        self.fig = fig
        self.trace = fig.trace
        self.ax = ax
        self.theme = fig.theme
        self.collapse = tuple(fig.view.collapse)
        self.compact = bool(fig.view.compact)
        self.notice = fig.notice
        self.looks = Looks.of(fig)
        self.playhead = Playhead(self.looks)
        self.font = font_family(self.theme)
        self._last: tuple[str, int, bool] | None = None
        self.touched: list[Artist] = []
        """Artists restyled since the caller last cleared this list."""
        self.unicode: dict[Text, str] = {}
        """What each visible text artist says, in the scene's Unicode notation."""
        self._node_looks: dict[str, NodeLook] = {}
        self._edge_looks: dict[tuple[str, str], EdgeLook] = {}
        self._moving: tuple[Moving, ...] = ()
        self._flow: str | None = None
        self._static: list[Artist] | None = None
        self.arrow_pulses = hasattr(fig, "stage_count")
        """Whether pulses are arrows (the neuron view) rather than dots with a trail."""
        self.legend_artists: list[Artist] = []
        self._legend_phase: str | None = None
        self._fit()
        self._build(caption)
        ax.adviz_scene = self  # type: ignore[attr-defined]  # for painted(ax)

    # ------------------------------------------------------------ construction

    def _fit(self) -> None:
        fig, ax = self.fig, self.ax
        dpi = ax.get_figure(root=True).dpi  # type: ignore[union-attr]
        aw, ah = ax.bbox.width * 72.0 / dpi, ax.bbox.height * 72.0 / dpi
        self.scale = min(aw / fig.width, ah / fig.height)
        hw, hh = aw / self.scale / 2, ah / self.scale / 2
        ax.set_xlim(fig.width / 2 - hw, fig.width / 2 + hw)
        ax.set_ylim(fig.height / 2 + hh, fig.height / 2 - hh)
        ax.set_axis_off()
        ax.set_facecolor(self.fig.styles["background"])

    def _text(self, x: float, y: float, size: float, zorder: float, **kw: Any) -> Text:
        from adviz.renderers.mpl.scripts import script_text

        kw.setdefault("ha", "center")
        kw.setdefault("va", "baseline")
        # Subscripts at the size of adviz.renderers.mpl.scripts, not Matplotlib's 70 %.
        text: Text = script_text()(x, y, "", fontsize=size * self.scale, family=self.font,
                                   zorder=zorder, transform=self.ax.transData, clip_on=False,
                                   **kw)
        self.ax.add_artist(text)
        text.set_visible(False)
        return text

    def _build(self, caption: bool) -> None:
        from matplotlib.collections import PolyCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import Ellipse, FancyBboxPatch, PathPatch, Polygon

        fig, ax, s = self.fig, self.ax, self.scale
        styles = fig.styles
        self._build_clusters()
        self.edge_lines: dict[tuple[str, str], PathPatch] = {}
        self.heads: dict[tuple[str, str], Polygon] = {}
        self.edge_texts: dict[tuple[str, str], list[Text]] = {}
        self.plates: dict[tuple[str, str], FancyBboxPatch] = {}
        self._plate = getattr(fig, "plate", None)
        self._paths: dict[tuple[tuple[float, float], ...], Path] = {}
        for key in fig.view.edges:
            shape = fig.edges[key]
            line = PathPatch(self._route_path(shape.forward), fill=False, lw=s,
                             capstyle="butt", zorder=Z_EDGE)
            ax.add_patch(line)
            head = Polygon(np.zeros((3, 2)), closed=True, lw=HEAD_STROKE * s, zorder=Z_EDGE,
                           visible=False)
            ax.add_patch(head)
            self.edge_lines[key] = line
            self.heads[key] = head
            slots = len(fig.view.edge_lines.get(key, ())) if shape.label is not None else 0
            self.edge_texts[key] = [self._edge_text(key) for _ in range(slots)]
            if slots and self._plate is not None:  # the neuron view: labels on plates
                plate = FancyBboxPatch((0.0, 0.0), 1.0, 1.0, boxstyle="round,pad=0,rounding_size=3",
                                       lw=0, facecolor=styles["background"], edgecolor="none",
                                       zorder=Z_EDGE, visible=False)
                ax.add_patch(plate)
                self.plates[key] = plate
        self.node_boxes: dict[str, FancyBboxPatch | Ellipse] = {}
        self.node_texts: dict[str, list[Text]] = {}
        for node in fig.view.nodes:
            box = fig.nodes[node]
            patch: FancyBboxPatch | Ellipse
            if box.shape == "circle":  # a neuron: the ellipse inscribed in its box, as in SVG
                patch = Ellipse((box.x, box.y), box.width, box.height, lw=s, zorder=Z_NODE)
            else:
                patch = FancyBboxPatch((box.x - box.width / 2, box.y - box.height / 2),
                                       box.width, box.height,
                                       boxstyle=f"round,pad=0,rounding_size={CORNER}", lw=s,
                                       zorder=Z_NODE)
            ax.add_patch(patch)
            self.node_boxes[node] = patch
            slots = max(len(fig.view.node_lines.get(node, ())), 1)
            self.node_texts[node] = [self._text(box.x, box.y, EDGE_SIZE, Z_NODE_TEXT)
                                     for _ in range(slots)]
        self.captions: list[Text] = []
        if caption:
            band = fig.caption
            for line_base in band.baselines():
                self.captions.append(self._text(band.x, line_base, TITLE_SIZE, Z_CAPTION,
                                                ha="left", color=styles["caption"]))
        # What moves between stages is drawn above everything else, so it can be drawn
        # over a cached picture of the rest (adviz.renderers.mpl.redraw).
        self.trail: Line2D = Line2D([], [], lw=TRAIL_WIDTH * s, solid_capstyle="butt",
                                    zorder=Z_TRAIL)
        ax.add_line(self.trail)
        self.pulses: Line2D = Line2D([], [], ls="none", marker="o", ms=PULSE_SIZE * s,
                                     mew=1.6 * s, mec=styles["background"], zorder=Z_PULSE)
        ax.add_line(self.pulses)
        self.pulse_heads: PolyCollection = PolyCollection([], closed=True, lw=HEAD_STROKE * s,
                                                          zorder=Z_PULSE)
        ax.add_collection(self.pulse_heads, autolim=False)
        graph = self.trace.graph
        count = max((max(graph.in_degree(n), graph.out_degree(n)) for n in graph), default=0)
        bbox = {"boxstyle": "round,pad=0.15", "fc": styles["background"], "ec": "none",
                "alpha": 0.9}
        self.pulse_texts = [self._text(0.0, 0.0, EDGE_SIZE, Z_PULSE_TEXT, va="center",
                                       bbox=dict(bbox), fontweight="bold")
                            for _ in range(count)]
        self._routes: dict[tuple[tuple[str, str], bool], Route] = {}

    def _edge_text(self, key: tuple[str, str]) -> Text:
        shape = self.fig.edges[key]
        assert shape.label is not None
        left = shape.label_left
        return self._text(shape.label[0] if left is None else left, shape.label[1], EDGE_SIZE,
                          Z_EDGE_TEXT, ha="center" if left is None else "left")

    def _route_path(self, points: tuple[tuple[float, float], ...]) -> Path:
        found = self._paths.get(points)
        if found is None:
            found = self._paths[points] = _path(points)
        return found

    def _build_clusters(self) -> None:
        """Scope boxes (dashed, rounded) with their labels."""
        from matplotlib.patches import FancyBboxPatch

        style, s = self.fig.styles["cluster"], self.scale
        self.cluster_boxes: dict[str, FancyBboxPatch] = {}
        self.cluster_texts: list[Text] = []
        for name, box in self.fig.clusters.items():
            patch = FancyBboxPatch((box.x - box.width / 2, box.y - box.height / 2), box.width,
                                   box.height,
                                   boxstyle=f"round,pad=0,rounding_size={CLUSTER_CORNER}",
                                   lw=s, ls=(0, (5, 3)), zorder=Z_CLUSTER, alpha=0.9,
                                   facecolor=style["fill"], edgecolor=style["stroke"])
            self.ax.add_patch(patch)
            self.cluster_boxes[name] = patch
            label = self._text(box.label_x, box.label_y, CLUSTER_SIZE, Z_CLUSTER + 0.1,
                               ha="left", fontstyle="italic", color=style["text"])
            label.set_text(mt.escape_text(box.label))
            label.set_visible(True)
            self.cluster_texts.append(label)

    # ------------------------------------------------------------ what is drawn

    def static_artists(self) -> list[Artist]:
        """Every artist but the moving ones, in the Axes' drawing order (ties by insertion)."""
        if self._static is None:
            own: set[Artist] = {*self.captions, *self.cluster_boxes.values(),
                                *self.cluster_texts, *self.legend_artists}
            own.update(self.plates.values())
            for key, line in self.edge_lines.items():
                own.update((line, self.heads[key], *self.edge_texts[key]))
            for node, box in self.node_boxes.items():
                own.update((box, *self.node_texts[node]))
            self._static = [a for a in self.ax.get_children() if a in own]
        return list(self._static)

    def moving_artists(self) -> list[Artist]:
        """The artists that change within a stage: the trail, the pulses (dots or arrowheads)
        and their labels."""
        return [self.trail, self.pulses, self.pulse_heads, *self.pulse_texts]

    def artists(self) -> list[Artist]:
        """Every artist of the scene."""
        return [*self.static_artists(), *self.moving_artists()]

    @property
    def state_key(self) -> tuple[str, int, bool] | None:
        """What the static artists show now: ``(phase, stage, travelling)``."""
        return self._last

    # ------------------------------------------------------------ showing frames

    def show(self, phase: str, stage: int, fraction: float | None = None) -> list[Artist]:
        """Show the state after ``stage``, or (``fraction`` in [0, 1)) the travel toward it.

        Only the elements whose look changes are restyled. Returns every
        artist of the scene.
        """
        n = self.looks.count(phase)
        stage = stage % n if -n <= stage < n else stage
        travelling = fraction is not None and fraction < 1.0 and stage > 0
        key = (phase, stage, travelling)
        if phase != self._legend_phase:
            self._legend(phase)
        if key != self._last:
            self.apply(self.playhead.goto(phase, stage, travelling))
            self._last = key
        self._move(ease(fraction) if travelling and fraction is not None else None)
        return self.artists()

    def show_frame(self, content: Frame) -> list[Artist]:
        """Show a whole frame (not one of the figure's stages: a settled descent step)."""
        self.apply(self.playhead.show(dict(content.nodes), dict(content.edges), content.title))
        self._last = None
        self._move(None)
        return self.artists()

    def use_figure(self, fig: SceneFigure) -> None:
        """Paint another figure with the same geometry (another step of a descent) from now on."""
        self.fig = fig
        self.trace = fig.trace
        self.looks = Looks.of(fig)
        self.playhead = Playhead(self.looks)
        self._last = None

    def apply(self, step: Step) -> None:
        """Restyle the elements of a `Step` whose look differs from what they show."""
        shown_nodes, shown_edges = self._node_looks, self._edge_looks
        for key, look in step.edges.items():
            if shown_edges.get(key) is not look and key in self.edge_lines:
                self._paint_edge(key, look)
                shown_edges[key] = look
        for node, node_look in step.nodes.items():
            if shown_nodes.get(node) is not node_look and node in self.node_boxes:
                self._paint_node(node, node_look)
                shown_nodes[node] = node_look
        if self.captions:
            self._caption(step.caption)
        self._moving = step.moving
        if self._flow != step.colour:
            self._flow = step.colour
            self.trail.set_color(step.colour)
            self.pulses.set_markerfacecolor(step.colour)
            self.pulse_heads.set_facecolor(step.colour)
            self.pulse_heads.set_edgecolor(step.colour)
            for text in self.pulse_texts:
                text.set_color(step.colour)

    def _legend(self, phase: str) -> None:
        """Draw the legend of ``phase`` (`adviz.scene.legend`) in place of the one shown."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Ellipse, FancyBboxPatch, Polygon

        from adviz.scene.legend import LEGEND_SIZE, legend
        from adviz.scene.picture import Arrow

        self._legend_phase = phase
        found = legend(self.fig, phase)
        if found is None and not self.legend_artists:
            return
        for artist in self.legend_artists:
            artist.remove()
        self.touched.extend(self.legend_artists)
        self.legend_artists = []
        self._static = None
        if found is None:
            return
        s = self.scale
        for item in found.items:
            style = item.style
            if item.kind == "node" and item.swatch is not None:
                x0, y0, x1, y1 = item.swatch
                patch: FancyBboxPatch | Ellipse
                if style.get("shape") == "circle":  # a neuron
                    patch = Ellipse(((x0 + x1) / 2, (y0 + y1) / 2), x1 - x0, y1 - y0,
                                    lw=style["width"] * s, facecolor=style["fill"],
                                    edgecolor=style["stroke"], zorder=Z_CAPTION)
                else:
                    patch = FancyBboxPatch((x0, y0), x1 - x0, y1 - y0,
                                           boxstyle="round,pad=0,rounding_size=3",
                                           lw=style["width"] * s, facecolor=style["fill"],
                                           edgecolor=style["stroke"], zorder=Z_CAPTION)
                self.ax.add_patch(patch)
                self.legend_artists.append(patch)
            elif item.kind == "edge" and item.swatch is not None:
                x0, y0, x1, y1 = item.swatch
                mid = (y0 + y1) / 2
                line = Line2D([x0, x1 - 6.0], [mid, mid], lw=style["width"] * s,
                              color=style["colour"], alpha=style["opacity"],
                              solid_capstyle="butt", zorder=Z_CAPTION)
                self.ax.add_line(line)
                head = Polygon(Arrow((x1, mid), (x1 - 6.0, mid)).corners(), closed=True,
                               lw=HEAD_STROKE * s, facecolor=style["colour"],
                               edgecolor=style["colour"], alpha=style["opacity"],
                               zorder=Z_CAPTION)
                self.ax.add_patch(head)
                self.legend_artists += [line, head]
            text = self._text(item.text_x, item.baseline, LEGEND_SIZE, Z_CAPTION, ha="left",
                              color=item.colour)
            text.set_text(mt.escape_text(item.label))
            text.set_visible(True)
            self.unicode[text] = item.label
            self.legend_artists.append(text)
        self.touched.extend(self.legend_artists)

    def _lines(self, slots: list[Text], lines: tuple[TextLook, ...], centre: float,
               make: Any) -> None:
        while len(slots) < len(lines):
            slots.append(make())
            self._static = None
        centres = line_centres(centre, [line.size for line in lines])
        for k, text in enumerate(slots):
            if k >= len(lines):
                if text.get_visible():
                    text.set_visible(False)
                    self.unicode.pop(text, None)
                    self.touched.append(text)
                continue
            line = lines[k]
            self.touched.append(text)
            text.set_visible(True)
            text.set_text(line.text)
            text.set_color(line.colour)
            text.set_fontsize(line.size * self.scale)
            text.set_fontweight("bold" if line.bold else "normal")
            text.set_y(baseline(centres[k], line.size))
            self.unicode[text] = line.unicode

    def _paint_node(self, node: str, look: NodeLook) -> None:
        box = self.node_boxes[node]
        box.set_facecolor(look.fill)
        box.set_edgecolor(look.stroke)
        box.set_linewidth(look.width * self.scale)
        # Matplotlib scales dashes by the line width: divide, so they measure look.dash points.
        box.set_linestyle((0, tuple(v / look.width for v in look.dash)) if look.dash else "-")
        self.touched.append(box)
        shape = self.fig.nodes[node]
        self._lines(self.node_texts[node], look.lines, shape.y,
                    lambda: self._text(shape.x, shape.y, EDGE_SIZE, Z_NODE_TEXT))

    def _paint_edge(self, key: tuple[str, str], look: EdgeLook) -> None:
        s = self.scale
        line, head = self.edge_lines[key], self.heads[key]
        z = Z_EDGE + 0.1 * look.layer
        line.set_path(self._route_path(look.route))
        line.set_edgecolor(look.colour)
        line.set_alpha(None if look.opacity == 1.0 else look.opacity)
        line.set_linewidth(look.width * s)
        line.set_zorder(z)
        self.touched += [line, head]
        if look.arrow is None:
            head.set_visible(False)
        else:
            head.set_xy(np.asarray(look.arrow.corners(), dtype=float))
            head.set_facecolor(look.colour)
            head.set_edgecolor(look.colour)
            head.set_alpha(None if look.opacity == 1.0 else look.opacity)
            head.set_zorder(z + 0.05)
            head.set_visible(True)
        shape = self.fig.edges[key]
        if shape.label is not None:
            self._lines(self.edge_texts[key], look.lines, shape.label[1],
                        lambda: self._edge_text(key))
        plate = self.plates.get(key)
        if plate is not None and self._plate is not None:
            box = self._plate(key, [(line.unicode, line.size) for line in look.lines])
            if box is None:
                plate.set_visible(False)
            else:
                plate.set_bounds(box[0], box[1], box[2] - box[0], box[3] - box[1])
                # Just over its own edge, as in the SVG frames: a plate hides the edges drawn
                # before (the thin mesh), never a highlighted one drawn over it.
                plate.set_zorder(z + 0.04)
                plate.set_visible(True)
            self.touched.append(plate)

    def _caption(self, lines: tuple[tuple[str, str], ...]) -> None:
        notice = len(lines) - len(self.fig.caption.notice)
        styles = self.fig.styles
        for k, text in enumerate(self.captions):
            drawn, value = lines[k] if k < len(lines) else ("", "")
            if text.get_text() == drawn and text.get_visible() == bool(value):
                continue
            self.touched.append(text)
            text.set_text(drawn)
            text.set_visible(bool(value))
            text.set_color(styles["notice"] if k >= notice else styles["caption"])
            text.set_fontstyle("italic" if k >= notice else "normal")
            if value:
                self.unicode[text] = value
            else:
                self.unicode.pop(text, None)

    def route(self, parent: str, child: str, backward: bool) -> Route:
        """The route a pulse travels: child to parent along the reverse route, or forward."""
        key = ((parent, child), backward)
        found = self._routes.get(key)
        if found is None:
            shape = self.fig.edges[parent, child]
            if backward and shape.reverse_head is not None:
                found = Route(tuple(reversed(shape.reverse)), shape.reverse_head.tip)
            else:
                head = shape.forward_head.tip if shape.forward_head is not None else None
                found = Route(shape.forward, head)
            self._routes[key] = found
        return found

    def _move(self, eased: float | None) -> None:
        moving = self._moving
        if eased is None or not moving:
            self.trail.set_data([], [])
            self.pulses.set_data([], [])
            self.pulse_heads.set_verts([])
            for text in self.pulse_texts:
                text.set_visible(False)
            return
        if self.arrow_pulses:
            self._move_arrows(eased)
            return
        xs: list[float] = []
        ys: list[float] = []
        pieces = []
        for k, m in enumerate(moving):
            route = self.route(m.parent, m.child, m.backward)
            pieces += [route.piece(0.0, eased), np.array([[np.nan, np.nan]])]
            x, y = route.point_at(eased)
            xs.append(x)
            ys.append(y)
            if k < len(self.pulse_texts):
                text = self.pulse_texts[k]
                anchor = self.fig.edges[m.parent, m.child].label
                below = anchor is not None and anchor[1] < y
                offset = (PULSE_SIZE / 2 + EDGE_SIZE * 0.8) * (1 if below else -1)
                text.set_position((x, y + offset))
                text.set_text(m.label)
                text.set_visible(bool(m.label))
        for text in self.pulse_texts[len(moving):]:
            text.set_visible(False)
        trail = np.vstack(pieces)
        self.trail.set_data(trail[:, 0], trail[:, 1])
        self.pulses.set_data(xs, ys)

    def _move_arrows(self, eased: float) -> None:
        """Arrow pulses at ``eased`` of their routes: a short segment ending in a head whose
        tip leads, each travelling the way its quantity flows."""
        pieces = []
        heads = []
        length, half = ARROW_PULSE_HEAD
        for m in self._moving:
            route = self.route(m.parent, m.child, m.backward)
            total = route.length or 1.0
            # The arrow enters at the route's start and its tip stops on the arrowhead's tip.
            tip = min(ARROW_PULSE / total + eased * (1.0 - ARROW_PULSE / total), 1.0)
            base = max(tip - length / total, 0.0)
            tail = max(tip - ARROW_PULSE / total, 0.0)
            pieces += [route.piece(tail, base), np.array([[np.nan, np.nan]])]
            heads.append(arrowhead(route.point_at(tip), route.point_at(base), 2 * half))
        trail = np.vstack(pieces)
        self.trail.set_data(trail[:, 0], trail[:, 1])
        self.pulses.set_data([], [])
        self.pulse_heads.set_verts(heads)
        for text in self.pulse_texts:
            text.set_visible(False)
