"""PowerPoint decks: one slide per stage, the graph as native, editable shapes.

`pptx_bytes` paints a scene (`adviz.scene.picture.Figure`) made for a slide
page (``"16:9"`` or ``"4:3"``, `adviz.scene.sizes`) on one slide per stage of
the chosen passes, with python-pptx (the ``slides`` extra):

- each node is a rounded rectangle (named ``node <id>``) holding its lines
  of text, each edge an open freeform line following the SVG frame's route
  from the parent's border to the child's (``edge <parent>-><child>``, its
  curve sampled as line segments) with its arrowhead at the child, or at the
  parent while gradient flows back, and each edge label a text box
  (``label <parent>-><child>``); a teacher can move, recolour and retype
  every one;
- the caption is the slide's title, the notice (if any) a text box under it,
  and the stage's walkthrough row (`adviz.text.tables.text_rows`) the
  speaker notes;
- every slide has the same shapes, with the same names at the same places:
  only colours and texts change, so PowerPoint's Morph transition animates
  the flow from stage to stage;
- the legend of the pass (`adviz.scene.legend`, on by default) sits under
  the graph: swatches and text boxes named ``legend <kind> <key>``, the same
  on every slide of a pass.

Positions, sizes, colours and texts all come from the scene: the page's
pixels are laid on the slide (1280x720 pixels on a 13.33x7.5 inch slide).

Examples
--------
>>> import adviz, io
>>> from pptx import Presentation
>>> t = adviz.trace("x * x + 1", x=3)
>>> deck = Presentation(io.BytesIO(pptx_bytes(t, phase="reverse")))
>>> len(deck.slides), deck.slides[0].shapes.title.text
(3, 'Stage 0 of 2 — initialise g_y = 1')
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from adviz.core.phases import PLAY_PHASES, expand_phases
from adviz.errors import InputError, MissingDependencyError
from adviz.scene.layout import BOLD_FACTOR
from adviz.scene.picture import Figure, figure
from adviz.scene.sizes import MIN_TEXT
from adviz.scene.style import EDGE_SIZE, LINE_SPACING, TITLE_SIZE, Theme
from adviz.text.labels import text_width

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.scene.content import Line

SLIDES: dict[str, tuple[int, int]] = {"16:9": (12192000, 6858000), "4:3": (9144000, 6858000)}
"""Slide sizes in EMU (English Metric Units, 914400 per inch): PowerPoint's own."""

PHASES = PLAY_PHASES
"""The ``phase`` values of a deck (`adviz.core.phases.PLAY_PHASES`)."""

EMU_PER_POINT = 12700

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """Text as a slide can hold it: characters XML 1.0 forbids become U+FFFD.

    Examples
    --------
    >>> clean("a\\x00b")
    'a\\ufffdb'
    """
    return _XML_ILLEGAL.sub("\ufffd", text)


def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        return None
    return RGBColor.from_string(value.upper())


class _Slide:
    """Frame points to slide EMU for one figure on one slide size."""

    def __init__(self, fig: Figure, slide_size: tuple[int, int]) -> None:
        assert fig.page is not None
        self.fig = fig
        self.x0, self.y0, _, _ = fig.page.view_box(fig.width, fig.height)
        self.emu = slide_size[0] / fig.page.width * fig.page.scale  # EMU per frame point

    def x(self, value: float) -> int:
        return round((value - self.x0) * self.emu)

    def y(self, value: float) -> int:
        return round((value - self.y0) * self.emu)

    def length(self, value: float) -> int:
        return round(value * self.emu)

    def points(self, size: float) -> float:
        """A frame font size as slide points."""
        return round(size * self.emu / EMU_PER_POINT, 1)


def _lines(frame: Any, lines: Iterable[Line], fig: Figure, scale: _Slide,
           override: str | None, align: Any, bold_role: str | None = None) -> None:
    from pptx.util import Pt

    frame.clear()
    # Wrapped in a box as wide as the widest text (so LibreOffice keeps the box's left
    # edge, which it moves for unwrapped text); the estimate is generous, nothing breaks.
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    colours = fig.styles["text"]
    for k, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = clean(line.text)
        run.font.size = Pt(scale.points(line.size))
        run.font.name = fig.theme.font
        run.font.bold = line.role == bold_role
        rgb = _rgb(override or colours[line.role])
        if rgb is not None:
            run.font.color.rgb = rgb


def _arrow(connector: Any, at_parent: bool, drawn: bool = True) -> None:
    """An arrowhead at the connector's begin (the parent) or its end (the child);
    ``drawn=False``: none at either end (an edge of the neuron view without a head)."""
    from pptx.oxml.ns import qn

    at_parent = at_parent and drawn

    ln = connector.line._get_or_add_ln()
    for tag in ("a:headEnd", "a:tailEnd"):
        for old in ln.findall(qn(tag)):
            ln.remove(old)
    for tag, shown in (("a:headEnd", at_parent), ("a:tailEnd", drawn and not at_parent)):
        end = ln.makeelement(qn(tag), {"type": "triangle" if shown else "none"})
        ln.append(end)


def _route(slide: Any, scale: _Slide, points: tuple[tuple[float, float], ...],
           tip: tuple[float, float]) -> Any:
    """An open freeform line along an edge's route (its Bezier sampled), ending at ``tip``."""
    from adviz.scene.curves import Route

    line = [(scale.x(float(x)), scale.y(float(y))) for x, y in Route(points, tip).polyline]
    kept = [line[0]]
    for point in line[1:]:
        if point != kept[-1]:
            kept.append(point)
    builder = slide.shapes.build_freeform(kept[0][0], kept[0][1], scale=1.0)
    builder.add_line_segments(kept[1:], close=False)
    shape = builder.convert_to_shape()
    shape.fill.background()
    shape.shadow.inherit = False
    return shape


def _legend(slide: Any, fig: Figure, scale: _Slide, phase: str) -> None:
    """The legend of ``phase`` (`adviz.scene.legend`): swatches and text boxes."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Emu, Pt

    from adviz.scene.legend import LEGEND_SIZE, legend

    found = legend(fig, phase)
    if found is None:
        return
    for item in found.items:
        style = item.style
        name = clean(f"legend {item.kind} {item.key}")
        if item.kind == "node" and item.swatch is not None:
            x0, y0, x1, y1 = item.swatch
            outline = MSO_SHAPE.OVAL if style.get("shape") == "circle" else \
                MSO_SHAPE.ROUNDED_RECTANGLE  # a neuron's swatch is a circle
            box = slide.shapes.add_shape(outline, Emu(scale.x(x0)),
                                         Emu(scale.y(y0)), Emu(scale.length(x1 - x0)),
                                         Emu(scale.length(y1 - y0)))
            box.name = name
            box.shadow.inherit = False
            fill, stroke = _rgb(style["fill"]), _rgb(style["stroke"])
            if fill is not None:
                box.fill.solid()
                box.fill.fore_color.rgb = fill
            if stroke is not None:
                box.line.color.rgb = stroke
            box.line.width = Emu(scale.length(style["width"]))
        elif item.kind == "edge" and item.swatch is not None:
            x0, y0, x1, y1 = item.swatch
            mid = (y0 + y1) / 2
            line = _route(slide, scale, ((x0, mid), (x1 - 6.0, mid)), (x1, mid))
            line.name = name
            colour = _rgb(style["colour"])
            if colour is not None:
                line.line.color.rgb = colour
            line.line.width = Emu(scale.length(style["width"]))
            _opacity(line, style["opacity"])
            _arrow(line, False)
        _, top, right, bottom = item.box()
        text_left = item.text_x
        box = slide.shapes.add_textbox(Emu(scale.x(text_left)), Emu(scale.y(top)),
                                       Emu(scale.length((right - text_left) * 1.1)),
                                       Emu(scale.length(bottom - top)))
        box.name = clean(f"{name} text")
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = clean(item.label)
        run.font.size = Pt(scale.points(LEGEND_SIZE))
        run.font.name = fig.theme.font
        rgb = _rgb(item.colour)
        if rgb is not None:
            run.font.color.rgb = rgb


def _opacity(shape: Any, opacity: float) -> None:
    """A line's opacity (edges that carried gradient earlier are faded)."""
    if opacity >= 1.0:
        return
    from pptx.oxml.ns import qn

    colour = shape.line._get_or_add_ln().find(qn("a:solidFill"))
    found = None if colour is None else colour.find(qn("a:srgbClr"))
    if found is not None:
        alpha = found.makeelement(qn("a:alpha"), {"val": str(round(opacity * 100000))})
        found.append(alpha)


def _notes(trace: Trace) -> dict[tuple[str, int], str]:
    from adviz.text.tables import text_rows

    notes: dict[tuple[str, int], list[str]] = {}
    for row in text_rows(trace):
        text = "; ".join(u.plain() for u in row.updates)
        notes.setdefault((row.phase, row.stage), []).append(f"{row.step.plain()}: {text}")
    return {key: "\n".join(lines) for key, lines in notes.items()}


def _view_options(view: str, granularity: str | None) -> dict[str, Any]:
    """The `figure` options of ``view`` (none for the scalar view)."""
    if view in (None, "graph") and granularity is None:
        return {}
    return {"view": view, "granularity": granularity}


def pptx_bytes(
    trace: Trace,
    *,
    phase: str = "both",
    size: str = "16:9",
    theme: str | Theme = "light",
    rankdir: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    min_text: float = MIN_TEXT,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = True,
    view: str = "graph",
    granularity: str | None = None,
) -> bytes:
    """A deck with one slide per stage of ``phase``, as PPTX bytes.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"both"`` (default: the forward pass, then the reverse pass),
        ``"forward"`` or ``"reverse"``.
    size
        ``"16:9"`` (default, 1280x720 pixels on a 13.33x7.5 inch slide) or ``"4:3"``.
    theme, rankdir, collapse, full, copies, min_text
        As for `adviz.to_svg` with a ``size``: the graph is fitted to the
        slide with text at least ``min_text`` pixels high.
    focus, zoom
        As for `adviz.to_svg`: a node whose paths to the output stay in colour
        (the sum over them in the notice box), a scope drawn open.
    legend
        A legend of the colours under the graph (default on).
    view, granularity
        ``view="network"``: the neuron view of a scoped network
        (`adviz.scene.network`), one slide per stage of its own (per neuron, or
        per layer with ``granularity="layer"``), its caption in the notes.

    Raises
    ------
    MissingDependencyError
        python-pptx is not installed (``pip install 'adviz[slides]'``).
    InputError
        An unknown phase or size, or a graph too large for the slide.
    """
    try:
        from pptx import Presentation
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
        from pptx.util import Emu, Pt
    except ImportError as err:
        raise MissingDependencyError("PowerPoint decks need python-pptx: run "
                                     "pip install 'adviz[slides]'") from err
    if size not in SLIDES:
        raise InputError(f"unknown slide size {size!r} for pptx; use '16:9' or '4:3'")
    phases = expand_phases(phase, PHASES, "pptx")
    fig = figure(trace, theme=theme, rankdir=rankdir, collapse=collapse, full=full,
                 copies=copies, size=size, min_text=min_text, focus=focus, zoom=zoom, legend=legend,
                 **_view_options(view, granularity))
    scale = _Slide(fig, SLIDES[size])
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(SLIDES[size][0]), Emu(SLIDES[size][1])
    layout = deck.slide_layouts[5]  # title only
    background = _rgb(fig.styles["background"])
    # The walkthrough's rows are the scalar stages; the neuron view's own stages say their
    # caption instead.
    network = hasattr(fig, "stage_count")
    notes = {} if network else _notes(trace)
    band = fig.caption
    caption_lines = band.lines - len(band.notice)
    for name in phases:
        for content in fig.frames(name):
            slide = deck.slides.add_slide(layout)
            if background is not None:
                slide.background.fill.solid()
                slide.background.fill.fore_color.rgb = background
            title = slide.shapes.title
            title.name = "caption"
            title.left, title.top = Emu(scale.x(band.x)), Emu(scale.y(band.top))
            title.width = Emu(scale.length(band.width))
            title.height = Emu(scale.length(caption_lines * TITLE_SIZE * LINE_SPACING))
            frame = title.text_frame
            frame.word_wrap = True
            frame.vertical_anchor = MSO_ANCHOR.TOP
            frame.margin_left = frame.margin_right = frame.margin_top = 0
            frame.margin_bottom = 0
            frame.text = clean(content.title)
            for paragraph in frame.paragraphs:
                paragraph.alignment = PP_ALIGN.LEFT
                for run in paragraph.runs:
                    run.font.size = Pt(scale.points(TITLE_SIZE))
                    run.font.name = fig.theme.font
                    rgb = _rgb(fig.theme.text)
                    if rgb is not None:
                        run.font.color.rgb = rgb
            if band.notice:
                top = band.top + caption_lines * TITLE_SIZE * LINE_SPACING
                box = slide.shapes.add_textbox(
                    Emu(scale.x(band.x)), Emu(scale.y(top)), Emu(scale.length(band.width)),
                    Emu(scale.length(len(band.notice) * TITLE_SIZE * LINE_SPACING)))
                box.name = "notice"
                box.text_frame.text = clean(" ".join(band.notice))
                box.text_frame.margin_left = box.text_frame.margin_top = 0
                box.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
                muted = _rgb(fig.theme.muted_text)
                for run in box.text_frame.paragraphs[0].runs:
                    run.font.size = Pt(scale.points(TITLE_SIZE))
                    run.font.italic = True
                    if muted is not None:
                        run.font.color.rgb = muted
            for key, edge_view in content.edges.items():
                shape = fig.edges[key]
                style = fig.styles["edge"][edge_view.state]
                # The neuron view's weight edges have a head only where the gradient runs.
                head = shape.forward_head
                if not shape.forward or (head is None and not network):
                    continue
                connector = _route(slide, scale, shape.forward,
                                   head.tip if head is not None else shape.forward[-1])
                connector.name = clean(f"edge {key[0]}->{key[1]}")
                colour = _rgb(style["colour"])
                if colour is not None:
                    connector.line.color.rgb = colour
                connector.line.width = Emu(scale.length(style["width"]))
                _opacity(connector, style["opacity"])
                _arrow(connector, edge_view.toward_parent,
                       shape.reverse_head is not None if edge_view.toward_parent
                       else head is not None)
                reserved = fig.view.edge_lines.get(key, ())
                if reserved and shape.label is not None:
                    # The box holds the widest text any slide shows: the same box on every
                    # slide, the lines centred on the label's anchor as in the SVG frames.
                    widest = max(text_width(text, EDGE_SIZE) * BOLD_FACTOR for text in reserved)
                    height = len(reserved) * EDGE_SIZE * LINE_SPACING
                    left = shape.label_left if shape.label_left is not None else \
                        shape.label[0] - widest / 2
                    box = slide.shapes.add_textbox(
                        Emu(scale.x(left)), Emu(scale.y(shape.label[1] - height / 2)),
                        Emu(scale.length(widest)), Emu(scale.length(height)))
                    box.name = clean(f"label {key[0]}->{key[1]}")
                    background = _rgb(fig.styles["background"])
                    if network and edge_view.lines and background is not None:
                        box.fill.solid()  # a plate: the label reads over the other weights
                        box.fill.fore_color.rgb = background
                    box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
                    _lines(box.text_frame, edge_view.lines, fig, scale, style["text"],
                           PP_ALIGN.LEFT if shape.label_left is not None else PP_ALIGN.CENTER,
                           "contribution" if edge_view.state == "gradient" else None)
            for node_id, node_view in content.nodes.items():
                node = fig.nodes[node_id]
                style = fig.styles["node"][node_view.kind][node_view.state]
                circle = getattr(node, "shape", "box") == "circle"  # a neuron
                box = slide.shapes.add_shape(
                    MSO_SHAPE.OVAL if circle else MSO_SHAPE.ROUNDED_RECTANGLE,
                    Emu(scale.x(node.x - node.width / 2)),
                    Emu(scale.y(node.y - node.height / 2)), Emu(scale.length(node.width)),
                    Emu(scale.length(node.height)))
                box.name = clean(f"node {node_id}")
                if not circle:
                    box.adjustments[0] = min(0.5, 6.0 / min(node.width, node.height))
                box.shadow.inherit = False
                fill = _rgb(style["fill"])
                if fill is not None:
                    box.fill.solid()
                    box.fill.fore_color.rgb = fill
                else:
                    box.fill.background()
                stroke = _rgb(style["stroke"])
                if stroke is not None:
                    box.line.color.rgb = stroke
                box.line.width = Emu(scale.length(style["width"]))
                box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
                _lines(box.text_frame, node_view.lines, fig, scale, style["text"], PP_ALIGN.CENTER)
            _legend(slide, fig, scale, content.phase)
            slide.notes_slide.notes_text_frame.text = clean(
                notes.get((content.phase, content.index), content.title))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
