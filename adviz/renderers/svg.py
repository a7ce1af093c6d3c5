"""SVG frames drawn from the stored layout, in Graphviz's SVG structure.

No Graphviz run per frame: `render_frame` writes the SVG itself from the
cached `adviz.scene.layout.Layout` and the frame's content (`adviz.scene.content.frame`).
Like Graphviz's output, each node is a ``<g class="node">`` whose ``<title>``
is the node id and each edge a ``<g class="edge">`` whose ``<title>`` is
``parent->child``; element ids are ``node1, node2, ...`` and ``edge1, ...``
in graph order, and a ``data-state`` attribute carries the node's or edge's
state. Every frame of a trace has the same size and ``viewBox`` (the caption
area is sized for the longest caption of any frame), and the same input gives
the same bytes.

Examples
--------
>>> import adviz
>>> import xml.etree.ElementTree as ET
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> svg = to_svg(t, "reverse", 3)
>>> root = ET.fromstring(svg)
>>> ns = {"s": "http://www.w3.org/2000/svg"}
>>> sorted(g.find("s:title", ns).text for g in root.iter("{http://www.w3.org/2000/svg}g")
...        if g.get("class") == "edge")[:3]
['t1->t2', 't2->y', 't3->t4']
>>> "g_t₃ += 1 · (−sin(t₃)) = −0.14112" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from adviz.core.phases import check_seed
from adviz.scene.content import EdgeView, Frame, Line, NodeView
from adviz.scene.painted import Painted, colour, dash_text
from adviz.scene.picture import (
    Arrow,
    ClusterShape,
    EdgeShape,
    Figure,
    NodeShape,
    figure,
    line_centres,
)
from adviz.scene.picture import baseline as text_baseline
from adviz.scene.sizes import MIN_TEXT, Size
from adviz.scene.style import CLUSTER_SIZE, LINE_SPACING, TITLE_SIZE, Theme

if TYPE_CHECKING:
    from adviz.core.forward import Seed
    from adviz.core.tracing import Trace

Point = tuple[float, float]


def _esc(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&#39;"})


def _f(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _points(arrow: Arrow) -> str:
    corners = (*arrow.corners(), arrow.tip)
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)


def _hover(text: str | None, tag: str) -> str:
    """The end of a shape's ``tag``: ``/>``, or its hover text as a ``<title>`` child.

    Examples
    --------
    >>> _hover(None, "rect"), _hover("a = 0.5", "rect")
    ('/>', '><title>a = 0.5</title></rect>')
    """
    return "/>" if text is None else f"><title>{_esc(text)}</title></{tag}>"


def _path(points: tuple[Point, ...]) -> str:
    if not points:
        return ""
    head, rest = points[0], points[1:]
    return f"M{_f(head[0])},{_f(head[1])}C" + " ".join(f"{_f(x)},{_f(y)}" for x, y in rest)


class SvgPainter:
    """Paints frames of one `Figure` as SVG, reusing the fragments of unchanged elements.

    A node or edge drawn in the same state with the same text in an earlier
    frame is not drawn again: its SVG fragment is reused, so a sequence of
    frames costs little more than the elements that change.
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.font = _esc(fig.theme.css_font())
        self.output = fig.trace.output
        self.number = {n: k for k, n in enumerate(fig.view.nodes, start=1)}
        self.edge_number = {e: k for k, e in enumerate(fig.view.edges, start=1)}
        out: list[str] = []
        for number, shape in enumerate(fig.clusters.values(), start=1):
            self._cluster(number, shape, out)
        self.clusters = "\n".join(out)
        self.nodes: dict[tuple[str, NodeView], str] = {}
        self.edges: dict[tuple[tuple[str, str], EdgeView], str] = {}
        self.hovers: dict[Any, str] = getattr(fig, "hovers", None) or {}

    # ------------------------------------------------------------ elements

    def _text_block(self, lines: tuple[Line, ...], cx: float, cy: float, override: str | None,
                    out: list[str], bold_role: str | None = None,
                    left: float | None = None, through: bool = False) -> None:
        """Lines centred on ``(cx, cy)`` (or from ``left``); the group sets the anchor and the
        root the font, so each line carries only its position, size and colour (``through``:
        the pointer passes through them to the shape whose hover text they cover)."""
        events = ' pointer-events="none"' if through else ""
        styles = self.fig.styles["text"]
        x = _f(cx if left is None else left)
        for line, centre in zip(lines, line_centres(cy, [line.size for line in lines])):
            colour = override or styles[line.role]
            weight = ' font-weight="bold"' if line.role == bold_role else ""
            out.append(f'<text x="{x}" y="{_f(text_baseline(centre, line.size))}" '
                       f'font-size="{_f(line.size)}"{weight} fill="{colour}"{events}>'
                       f"{_esc(line.text)}</text>")

    def _cluster(self, number: int, shape: ClusterShape, out: list[str]) -> None:
        theme = self.fig.theme
        left, top = shape.x - shape.width / 2, shape.y - shape.height / 2
        out.append(f'<g id="clust{number}" class="cluster" data-depth="{shape.depth}">')
        out.append(f"<title>{_esc(shape.name)}</title>")
        out.append(f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(shape.width)}" '
                   f'height="{_f(shape.height)}" rx="8" ry="8" fill="{theme.cluster_fill}" '
                   f'fill-opacity="0.9" stroke="{theme.cluster_stroke}" stroke-width="1" '
                   f'stroke-dasharray="5,3"/>')
        out.append(f'<text text-anchor="start" x="{_f(shape.label_x)}" '
                   f'y="{_f(shape.label_y)}" '
                   f'font-size="{_f(CLUSTER_SIZE)}" font-style="italic" '
                   f'fill="{theme.text}">{_esc(shape.label)}</text>')
        out.append("</g>")

    def node(self, node_id: str, view: NodeView) -> str:
        """The SVG fragment of a node in a state (cached)."""
        key = (node_id, view)
        cached = self.nodes.get(key)
        if cached is not None:
            return cached
        shape: NodeShape = self.fig.nodes[node_id]
        style = self.fig.styles["node"][view.kind][view.state]
        dash = dash_text(style["dash"])
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        hover = self.hovers.get(node_id)
        out = [f'<g id="node{self.number[node_id]}" class="node" data-state="{view.state}" '
               f'text-anchor="middle">',
               f"<title>{_esc(node_id)}</title>",
               f'<rect x="{_f(shape.x - shape.width / 2)}" y="{_f(shape.y - shape.height / 2)}" '
               f'width="{_f(shape.width)}" height="{_f(shape.height)}" '
               f'rx="{shape.corner[0]:g}" ry="{shape.corner[1]:g}" '
               f'fill="{style["fill"]}" stroke="{style["stroke"]}" '
               f'stroke-width="{_f(style["width"])}"{dashed}{_hover(hover, "rect")}']
        self._text_block(view.lines, shape.x, shape.y, style["text"], out,
                         through=hover is not None)
        out.append("</g>")
        cached = self.nodes[key] = "\n".join(out)
        return cached

    def edge(self, key: tuple[str, str], view: EdgeView) -> str:
        """The SVG fragment of an edge in a state (cached)."""
        cache_key = (key, view)
        cached = self.edges.get(cache_key)
        if cached is not None:
            return cached
        shape: EdgeShape = self.fig.edges[key]
        style = self.fig.styles["edge"][view.state]
        colour, opacity = style["colour"], style["opacity"]
        alpha = "" if opacity == 1.0 else f' stroke-opacity="{opacity}" fill-opacity="{opacity}"'
        points, arrow = shape.route(view.toward_parent)
        hover = self.hovers.get(key)
        anchor = "middle" if shape.label_left is None else "start"
        out = [f'<g id="edge{self.edge_number[key]}" class="edge" data-state="{view.state}" '
               f'text-anchor="{anchor}">',
               f"<title>{_esc(shape.parent)}-&gt;{_esc(shape.child)}</title>",
               f'<path fill="none" stroke="{colour}" stroke-width="{_f(style["width"])}"{alpha} '
               f'd="{_path(points)}"{_hover(hover, "path")}']
        if arrow is not None:
            out.append(f'<polygon fill="{colour}" stroke="{colour}" stroke-width="1"{alpha} '
                       f'points="{_points(arrow)}"/>')
        plate = getattr(self.fig, "plate", None)  # the neuron view: labels on plates
        box = plate(key, [(line.text, line.size) for line in view.lines]) \
            if plate is not None and view.lines else None
        if box is not None:
            # Its colour as a style property, which outranks the fill and stroke attributes
            # a page's script may set on an element's shapes.
            out.append(f'<rect class="plate" x="{_f(box[0])}" y="{_f(box[1])}" '
                       f'width="{_f(box[2] - box[0])}" height="{_f(box[3] - box[1])}" rx="3" '
                       f'ry="3" style="fill:{self.fig.styles["background"]};stroke:none"/>')
        if view.lines and shape.label is not None:
            bold = style["bold"]
            self._text_block(view.lines, shape.label[0], shape.label[1], style["text"], out,
                             bold_role=bold, left=shape.label_left, through=hover is not None)
        out.append("</g>")
        cached = self.edges[cache_key] = "\n".join(out)
        return cached

    def _legend(self, phase: str, out: list[str]) -> None:
        """The legend of ``phase`` (`adviz.scene.legend`), when the figure has one."""
        from adviz.scene.legend import LEGEND_SIZE, legend

        found = legend(self.fig, phase)
        if found is None:
            return
        out.append('<g class="legend" text-anchor="start">')
        for item in found.items:
            out.append(f'<g class="legend-item" data-kind="{item.kind}" '
                       f'data-key="{_esc(item.key)}">')
            style = item.style
            if item.kind == "node" and item.swatch is not None:
                x0, y0, x1, y1 = item.swatch
                # A neuron's swatch is a circle: the rectangle rounded by half its sides.
                rx, ry = ((x1 - x0) / 2, (y1 - y0) / 2) if style.get("shape") == "circle" \
                    else (3.0, 3.0)
                out.append(f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" '
                           f'height="{_f(y1 - y0)}" rx="{rx:g}" ry="{ry:g}" '
                           f'fill="{style["fill"]}" '
                           f'stroke="{style["stroke"]}" stroke-width="{_f(style["width"])}"/>')
            elif item.kind == "edge" and item.swatch is not None:
                x0, y0, x1, y1 = item.swatch
                mid = (y0 + y1) / 2
                opacity = style["opacity"]
                alpha = "" if opacity == 1.0 else \
                    f' stroke-opacity="{opacity}" fill-opacity="{opacity}"'
                arrow = Arrow((x1, mid), (x1 - 6.0, mid))
                out.append(f'<path fill="none" stroke="{style["colour"]}" '
                           f'stroke-width="{_f(style["width"])}"{alpha} '
                           f'd="M{_f(x0)},{_f(mid)}L{_f(x1 - 6.0)},{_f(mid)}"/>')
                out.append(f'<polygon fill="{style["colour"]}" stroke="{style["colour"]}" '
                           f'stroke-width="1"{alpha} points="{_points(arrow)}"/>')
            out.append(f'<text x="{_f(item.text_x)}" y="{_f(item.baseline)}" '
                       f'font-size="{_f(LEGEND_SIZE)}" fill="{item.colour}">'
                       f'{_esc(item.label)}</text>')
            out.append("</g>")
        out.append("</g>")

    # ------------------------------------------------------------ frames

    def frame(self, content: Frame, panel: Sequence[Line] = ()) -> str:
        """One whole frame as a standalone SVG document."""
        fig, theme = self.fig, self.fig.theme
        styles = fig.styles["text"]
        font = self.font
        panel_lines = [(piece, line) for line in panel
                       for piece in fig.caption_lines(line.text) if True]
        panel_height = sum(line.size * LINE_SPACING for _, line in panel_lines)
        width = fig.width
        height = round(fig.height + panel_height + (8.0 if panel else 0.0), 2)
        if fig.page is None:
            size = f'width="{_f(width)}pt" height="{_f(height)}pt"'
            box = (0.0, 0.0, width, height)
            backdrop = f'x="0" y="0" width="{_f(width)}" height="{_f(height)}"'
        else:
            # A page: its pixel size, the frame centred in it at the page's scale.
            page_height = fig.page.height if fig.page.fixed else height * fig.page.scale
            size = f'width="{_f(fig.page.width)}px" height="{_f(page_height)}px"'
            x, y, w, _ = fig.page.view_box(width, height)
            box = (x, y if fig.page.fixed else 0.0, w, page_height / fig.page.scale)
            backdrop = (f'x="{_f(box[0])}" y="{_f(box[1])}" width="{_f(box[2])}" '
                        f'height="{_f(box[3])}"')
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" {size} '
            f'viewBox="{" ".join(_f(v) for v in box)}">',
            f'<g id="graph0" class="graph" data-phase="{content.phase}" '
            f'data-stage="{content.index}" font-family="{font}">',
            f"<title>{_esc(self.output)}</title>",
            f'<rect {backdrop} fill="{theme.background}" stroke="none"/>',
            '<g class="caption">',
        ]
        band = fig.caption
        caption = fig.caption_lines(content.title)
        for k, (text, line_base) in enumerate(zip(caption + list(band.notice),
                                                  band.baselines(), strict=False)):
            notice = k >= len(caption)
            extra = ' font-style="italic" class="notice"' if notice else ""
            colour = theme.muted_text if notice else theme.text
            out.append(f'<text x="{_f(band.x)}" y="{_f(line_base)}" '
                       f'font-size="{_f(TITLE_SIZE)}"{extra} fill="{colour}">{_esc(text)}</text>')
        out.append("</g>")
        if self.clusters:
            out.append(self.clusters)
        for key, view in content.edges.items():
            out.append(self.edge(key, view))
        for node_id, node in content.nodes.items():
            out.append(self.node(node_id, node))
        self._legend(content.phase, out)
        if panel_lines:
            out.append('<g class="panel">')
            y = fig.height - band.x + 8.0
            for text, line in panel_lines:
                line_height = line.size * LINE_SPACING
                weight = ' font-weight="bold"' if line.role == "name" else ""
                out.append(f'<text x="{_f(band.x)}" '
                           f'y="{_f(text_baseline(y + line_height / 2, line.size))}" '
                           f'font-size="{_f(line.size)}"{weight} '
                           f'fill="{styles[line.role]}">{_esc(text)}</text>')
                y += line_height
            out.append("</g>")
        out.append("</g>")
        out.append("</svg>")
        return "\n".join(out) + "\n"


def painter(fig: Figure) -> SvgPainter:
    """The figure's SVG painter (one per figure, kept with it)."""
    found = fig.cache.get("svg")
    if found is None:
        found = fig.cache["svg"] = SvgPainter(fig)
    return found


def paint(fig: Figure, content: Frame, panel: Sequence[Line] = ()) -> str:
    """One frame of a figure as SVG text (``panel``: lines drawn below the graph)."""
    return painter(fig).frame(content, panel)


def to_svg(
    trace: Trace,
    phase: str = "reverse",
    stage: int = -1,
    *,
    theme: str | Theme = "light",
    rankdir: str | None = None,
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    analytic: bool = False,
    copies: bool | None = None,
    output: str | int | None = None,
    size: Size = None,
    min_text: float = MIN_TEXT,
    seed: Seed = None,
    view: str = "graph",
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = False,
) -> str:
    """One frame as SVG text.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"`` (default), ``"tangent"`` (forward mode:
        tangents pushed from the ``seed``) or ``"summary"`` (all values and
        final adjoints; ``stage`` is ignored).
    stage
        Stage number; the default ``-1`` is the last one.
    theme
        ``"light"`` (default), ``"dark"``, ``"print"`` or a `adviz.scene.style.Theme`.
    rankdir
        ``"LR"`` (inputs left, output right), ``"TB"`` or ``"auto"``; ``None``
        (default): ``"auto"`` with a ``size``, else ``"LR"``.
    engine
        Graphviz program for the (cached) layout; see `adviz.scene.graphviz`.
    collapse
        Scope labels (``with adviz.scope(label):``) to draw as one box with
        the summed gradient crossing its border (`adviz.scene.collapse`). ``None``
        (default) collapses the outermost scopes of a large graph only.
    full
        Draw a graph with more than `adviz.scene.view.LARGE_GRAPH` nodes with every
        label; by default such graphs get shortened labels and a notice in
        the caption.
    analytic
        Add a panel with the analytic gradient (SymPy) beside the reverse-mode
        numbers; raises `MissingDependencyError` without ``adviz[symbolic]``.
    copies
        Draw a shared leaf once per use, a dashed copy beside each node it
        feeds: ``None`` (default) when its consumers lie far apart (the shared
        weights of an unrolled recurrent network), ``True`` for every leaf
        feeding two or more nodes, ``False`` never (`adviz.scene.view`).
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default the first. A trace with one
        output takes only its own.
    size
        The page the frame fills: ``"16:9"`` (1280x720 pixels), ``"4:3"``,
        ``"a4"``, ``"blog"`` (760 pixels wide), ``"WxH"`` in pixels, or
        ``(width, height)`` in inches (`adviz.scene.sizes.page_pixels`). The
        SVG is then that many pixels, the frame centred and scaled in it, and
        no text smaller than ``min_text`` pixels (`adviz.scene.picture.figure`
        says how). ``None`` (default): the natural size, in points.
    min_text
        With ``size``: the least text height in pixels.
    seed
        Phase ``"tangent"`` (forward mode): the seeded input's name, or a dict
        of input name to tangent, as `adviz.forward_mode` takes it (default:
        the first input).
    view
        ``"graph"`` (default): every scalar node; ``"network"``: a scoped
        network's neurons as circles in columns (`adviz.scene.network`).
    granularity
        ``view="network"``: ``"neuron"`` (default, one reverse stage per
        neuron) or ``"layer"``.
    focus
        A node (its id, such as ``"w1_22"``) whose paths to the output stay in
        full colour, the rest muted; the caption adds the sum over those paths
        (`adviz.scene.focus`).
    zoom
        A scope (``"neuron 2"`` or ``"layer 1/neuron 2"``) drawn open, every
        other scope collapsed into a box around it.
    legend
        Draw a legend of the colours under the graph (`adviz.scene.legend`);
        off by default for SVG frames.

    Returns
    -------
    str
        A standalone SVG document (UTF-8 text).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> svg = adviz.to_svg(t, "summary", theme="dark")
    >>> "g = −2.14112" in svg and "#1e1f22" in svg
    True
    >>> "ẏ = 1.85888" in adviz.to_svg(t, "tangent", seed="x2")
    True
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)

    from adviz.scene.panel import analytic_panel

    check_seed(phase, seed, "to_svg")
    panel = analytic_panel(trace) if analytic else ()
    fig = figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=collapse,
                 full=full, copies=copies, size=size, min_text=min_text, seed=seed,
                 focus=focus, zoom=zoom, **view_choice(view, granularity), legend=legend)
    return paint(fig, fig.frame(phase, stage), panel)


def view_choice(view: str | None, granularity: str | None) -> dict[str, Any]:
    """The `figure` options of ``view`` (none for the default scalar view).

    Examples
    --------
    >>> view_choice("graph", None), view_choice("network", None)
    ({}, {'view': 'network', 'granularity': None})
    """
    if view in (None, "graph") and granularity is None:
        return {}
    return {"view": view, "granularity": granularity}


def iter_svg_frames(
    trace: Trace,
    phase: str,
    *,
    theme: str | Theme = "light",
    rankdir: str | None = None,
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    size: Size = None,
    min_text: float = MIN_TEXT,
    seed: Seed = None,
    view: str = "graph",
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = False,
) -> Iterator[str]:
    """Every frame of a phase as SVG text, in stage order (one layout for all).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> len(list(iter_svg_frames(t, "forward")))
    6

    The options are `to_svg`'s.
    """
    check_seed(phase, seed, "iter_svg_frames")
    fig = figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=collapse,
                 full=full, copies=copies, size=size, min_text=min_text, seed=seed,
                 focus=focus, zoom=zoom, **view_choice(view, granularity), legend=legend)
    svg = painter(fig)
    for content in fig.frames(phase):
        yield svg.frame(content)


def painted(svg: str) -> dict[str, Painted]:
    """What an SVG frame drew, element by element (see `adviz.scene.painted`).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> records = painted(to_svg(t, "reverse", 2))
    >>> records["node:t1"].texts
    ('t₁ = x₁ − x₂', '= −1', 'g = −2')
    >>> records["edge:t1->t2"].toward_parent
    True
    """
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg)
    out: dict[str, Painted] = {}
    for group in root.iter(f"{ns}g"):
        kind = group.get("class")
        title = group.find(f"{ns}title")
        texts = tuple("".join(t.itertext()) for t in group.findall(f"{ns}text"))
        if kind == "caption":
            out["caption"] = Painted("caption", None, None, None, texts)
        if kind not in ("node", "edge") or title is None or title.text is None:
            continue
        if kind == "node":
            rect = group.find(f"{ns}rect")
            assert rect is not None
            rx, ry = (round(float(rect.get(k, "0")), 2) for k in ("rx", "ry"))
            round_ = (abs(2 * rx - float(rect.get("width", "0"))) < 0.02
                      and abs(2 * ry - float(rect.get("height", "0"))) < 0.02)
            out[f"node:{title.text}"] = Painted(
                f"node:{title.text}", colour(rect.get("fill")), colour(rect.get("stroke")),
                round(float(rect.get("stroke-width", "1")), 2), texts,
                dash=tuple(float(v) for v in rect.get("stroke-dasharray", "").split(",") if v),
                shape="circle" if round_ else "box", corner=(rx, ry))
            continue
        path = group.find(f"{ns}path")
        head = group.find(f"{ns}polygon")
        assert path is not None
        parent, child = title.text.split("->", 1)
        toward: bool | None = None
        if head is not None:
            tip = tuple(float(v) for v in head.get("points", "").split()[0].split(","))
            start = path.get("d", "M0,0")[1:].split("C")[0]
            begin = tuple(float(v) for v in start.split(","))
            toward = math.dist(tip, begin) < math.dist(tip, _path_end(path.get("d", "")))
        opacity = path.get("stroke-opacity")
        stroke = path.get("stroke")
        out[f"edge:{parent}->{child}"] = Painted(
            f"edge:{parent}->{child}", None, colour(stroke),
            round(float(path.get("stroke-width", "1")), 2), texts, toward,
            1.0 if opacity is None else float(opacity))
    return out


def _path_end(d: str) -> tuple[float, float]:
    last = d.replace("C", " ").split()[-1]
    x, y = last.split(",")
    return float(x), float(y)
