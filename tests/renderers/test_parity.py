"""Parity: every renderer paints the same elements with the same style and text.

For every stage of every gallery example, in every theme, with and without
collapsed scopes, the records of what the SVG frames draw (read back from the
SVG) equal what the TikZ pictures draw. The Matplotlib and page renderers
are compared with the same SVG records in their own tests.
"""

from __future__ import annotations

import pytest

import adviz
import adviz.examples
from adviz.renderers import tikz
from adviz.renderers.svg import paint
from adviz.renderers.svg import painted as svg_painted
from adviz.scene.picture import figure
from tests.gallery_traces import gallery_traces

THEMES = ("light", "dark", "print")


def _scopes(t: adviz.Trace) -> list[str]:
    return sorted({label for node in t.program.nodes for label in node.scope})


def _views(t: adviz.Trace) -> list[dict[str, object]]:
    views: list[dict[str, object]] = [{}, {"full": True}]
    views += [{"collapse": [label]} for label in _scopes(t)]
    return views


def _elements(records: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in records.items() if k != "caption"}


def test_gallery_examples_are_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    with gallery_traces(monkeypatch) as traces:
        assert len({k.split(":")[0] for k in traces}) >= 6
        assert any(_scopes(t) for t in traces.values()), "no scoped example in the gallery"


@pytest.mark.parametrize("theme", THEMES)
def test_svg_and_tikz_paint_the_same(monkeypatch: pytest.MonkeyPatch, theme: str) -> None:
    checked = 0
    with gallery_traces(monkeypatch) as traces:
        for name, t in traces.items():
            for options in _views(t):
                fig = figure(t, theme=theme, **options)  # type: ignore[arg-type]
                for phase in ("forward", "reverse", "tangent", "summary"):
                    for content in fig.frames(phase):
                        expected = _elements(svg_painted(paint(fig, content)))
                        got = tikz.painted(fig, content)
                        assert got == expected, (name, options, phase, content.index)
                        checked += 1
    assert checked > 100


@pytest.mark.parametrize("theme", THEMES)
def test_tangent_stages_of_every_seed_paint_the_same(monkeypatch: pytest.MonkeyPatch,
                                                     theme: str) -> None:
    """Forward mode seeded with each input in turn (and two inputs at once): SVG and TikZ
    paint every tangent stage alike, in the tangent colour, arrowheads toward the child."""
    checked = 0
    with gallery_traces(monkeypatch) as traces:
        for name, t in traces.items():
            inputs = list(t.graph.graph["inputs"])
            seeds: list[object] = [*inputs[:3], dict.fromkeys(inputs[:2], 1.0)]
            for seed in seeds:
                fig = figure(t, theme=theme, seed=seed)  # type: ignore[arg-type]
                tangent = fig.styles["edge"]["tangent"]["colour"].lower()
                for content in fig.frames("tangent"):
                    expected = svg_painted(paint(fig, content))
                    assert expected["caption"].texts[0].startswith(
                        f"Stage {content.index} of "), (name, seed)
                    got = tikz.painted(fig, content)
                    assert got == _elements(expected), (name, seed, content.index)
                    for key, view in content.edges.items():
                        if view.state == "tangent":
                            record = expected[f"edge:{key[0]}->{key[1]}"]
                            assert record.stroke == tangent and record.toward_parent is False
                            checked += 1
    assert checked > 50


def test_collapsed_scope_colours_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """A collapsed scope's box has the scope colour in every renderer (not a plain node's)."""
    t = adviz.examples.network()
    fig = figure(t)  # a large graph: its neurons are collapsed by default
    content = fig.frame("reverse", -1)
    boxes = [n for n, v in content.nodes.items() if v.kind == "scope" and v.state == "done"]
    assert len(boxes) >= 4
    for box in boxes:
        record = svg_painted(paint(fig, content))[f"node:{box}"]
        assert record.fill == fig.theme.scope_fill.lower()
        assert tikz.painted(fig, content)[f"node:{box}"] == record


def test_tikz_collapses_scopes() -> None:
    t = adviz.examples.network()
    picture = tikz.to_tikz(t, collapse=["neuron 1"])
    assert "neuron 1" in picture and "nodes hidden" in picture
    full = tikz.to_tikz(t, full=True)
    assert picture.count("\\node[advizbox") < full.count("\\node[advizbox")


@pytest.mark.parametrize("output", ["y1", "y2", "y3"])
def test_svg_and_tikz_paint_each_sweep_of_a_vector_trace_the_same(output: str) -> None:
    def f(x1: float, x2: float) -> tuple[float, float, float]:
        return (x1 - x2)**2 + adviz.cos(x1 + x2), x1 * x2, adviz.sin(x1)

    fig = figure(adviz.trace(f, x1=1.0, x2=2.0), output=output)
    checked = 0
    for phase in ("forward", "reverse", "summary"):
        for content in fig.frames(phase):
            expected = _elements(svg_painted(paint(fig, content)))
            assert tikz.painted(fig, content) == expected, (output, phase, content.index)
            checked += 1
    assert checked >= 8 + 2 + 1


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("granularity", ["neuron", "layer"])
def test_svg_and_tikz_paint_the_neuron_view_the_same(theme: str, granularity: str) -> None:
    """The neuron view (circles in columns, weights as edges) is painted alike, at every
    stage, for a roomy network (every label) and a dense one (one neuron's labels)."""
    checked = 0
    for t in (adviz.examples.mlp((2, 4, 1)), adviz.examples.mlp((2, 8, 8, 1), "sigmoid")):
        fig = figure(t, theme=theme, view="network", granularity=granularity)
        for phase in ("forward", "reverse", "summary"):
            for content in fig.frames(phase):
                expected = _elements(svg_painted(paint(fig, content)))
                assert tikz.painted(fig, content) == expected, (phase, content.index)
                checked += 1
    assert checked >= 20


@pytest.mark.parametrize("theme", THEMES)
def test_focus_and_zoom_paint_the_same_in_svg_and_tikz(theme: str) -> None:
    """A focus (muted elements off its paths) and a zoom (one scope open, the others boxes):
    SVG and TikZ paint every stage alike, the unfocused elements in the style table's
    unfocused colours."""
    t = adviz.examples.mlp((2, 4, 1))
    checked = 0
    for options in ({"focus": "w1_22"}, {"focus": "a1_3", "full": True},
                    {"zoom": "neuron 2", "focus": "w1_21"}):
        fig = figure(t, theme=theme, **options)  # type: ignore[arg-type]
        unfocused = fig.styles["edge"]["unfocused"]["colour"].lower()
        for phase in ("forward", "reverse", "summary"):
            for content in fig.frames(phase):
                expected = _elements(svg_painted(paint(fig, content)))
                assert tikz.painted(fig, content) == expected, (options, phase)
                for key, view in content.edges.items():
                    if view.state == "unfocused":
                        assert expected[f"edge:{key[0]}->{key[1]}"].stroke == unfocused
                        checked += 1
    assert checked > 100


@pytest.mark.parametrize("theme", THEMES)
def test_svg_and_tikz_paint_the_focused_neuron_view_the_same(theme: str) -> None:
    """The neuron view in focus (a weight, a neuron's inner node) and zoomed into a neuron:
    every stage painted alike, the elements off the paths in the unfocused style."""
    t = adviz.examples.mlp((2, 3, 1))
    checked = 0
    for options in ({"focus": "w1_22"}, {"focus": "z1_3"},
                    {"zoom": "neuron 2", "focus": "w1_21"}):
        fig = figure(t, theme=theme, view="network", **options)  # type: ignore[arg-type]
        muted = fig.styles["edge"]["unfocused"]["colour"].lower()
        for phase in ("forward", "reverse", "summary"):
            for content in fig.frames(phase):
                records = svg_painted(paint(fig, content))
                assert tikz.painted(fig, content) == _elements(records), (options, phase)
                unfocused = [k for k, v in content.edges.items() if v.state == "unfocused"]
                assert unfocused and all(
                    records[f"edge:{a}->{b}"].stroke == muted for a, b in unfocused)
                checked += 1
    assert checked > 30


def _svg_legend(svg: str) -> set[tuple[str, str, str, str, str]]:
    """Each legend entry of an SVG frame: kind, label, text colour, swatch colour, outline
    (``"circle"`` when the swatch rectangle is rounded by half its sides)."""
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    out = set()
    for item in ET.fromstring(svg).iter(f"{ns}g"):
        if item.get("class") != "legend-item":
            continue
        text = item.find(f"{ns}text")
        rect, path = item.find(f"{ns}rect"), item.find(f"{ns}path")
        assert text is not None
        outline, stroke = "", text.get("fill", "")
        if rect is not None:
            round_ = float(rect.get("rx", "0")) * 2 == pytest.approx(float(rect.get("width", "0")))
            outline, stroke = ("circle" if round_ else "box"), rect.get("stroke", "")
        elif path is not None:
            stroke = path.get("stroke", "")
        out.add((item.get("data-kind", ""), "".join(text.itertext()),
                 text.get("fill", "").lower(), stroke.lower(), outline))
    return out


@pytest.mark.parametrize("phase", ["forward", "reverse"])
def test_the_neuron_view_legend_is_painted_alike_by_every_painter(phase: str) -> None:
    """``legend=True`` in the neuron view: the scene's entries (neurons as circle swatches,
    weight edges, value and gradient colours) painted by SVG, Matplotlib, TikZ and PowerPoint
    with the same labels, colours and outlines; without it, no legend."""
    pytest.importorskip("pptx")
    import io
    import re

    from matplotlib.colors import to_hex
    from matplotlib.lines import Line2D
    from matplotlib.patches import Ellipse
    from matplotlib.text import Text
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE

    from adviz.renderers.mpl.stage import still
    from adviz.renderers.pptx import pptx_bytes
    from adviz.renderers.tikz import to_beamer
    from adviz.scene.legend import NETWORK_ENTRIES, legend

    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, view="network", size="16:9", legend=True)
    found = legend(fig, phase)
    assert found is not None and found.items
    labels = {label for _, _, label in NETWORK_ENTRIES[phase]}
    assert {i.label for i in found.items} <= labels
    assert {i.kind for i in found.items} == {"text", "node", "edge"}
    expected = {(i.kind, i.label, i.colour.lower(),
                 i.style.get("stroke", i.style.get("colour", i.colour)).lower(),
                 "circle" if i.kind == "node" else "") for i in found.items}

    svg = adviz.to_svg(t, phase, 1, view="network", size="16:9", legend=True)
    assert _svg_legend(svg) == expected
    plain = adviz.to_svg(t, phase, 1, view="network", size="16:9")
    assert 'class="legend"' in svg and 'class="legend"' not in plain

    _, scene = still(t, size="16:9", dpi=20, legend=True, view="network")
    scene.show(phase, 1)
    texts = [a for a in scene.legend_artists if isinstance(a, Text)]
    assert sorted(x.get_text() for x in texts) == sorted(i.label for i in found.items)
    assert {to_hex(x.get_color()) for x in texts} == {i.colour.lower() for i in found.items}
    circles = [a for a in scene.legend_artists if isinstance(a, Ellipse)]
    assert {to_hex(a.get_edgecolor()) for a in circles} == {
        e[3] for e in expected if e[0] == "node"}
    assert len(circles) == sum(1 for i in found.items if i.kind == "node")
    assert {to_hex(a.get_color()) for a in scene.legend_artists if isinstance(a, Line2D)} == {
        e[3] for e in expected if e[0] == "edge"}

    tex = to_beamer(t, phase, standalone=False, legend=True, view="network")
    first = tex.split("\\only<2>")[0]
    found_tex = re.findall(r"\\node\[anchor=base west, inner sep=0pt, text=adviz([0-9A-F]{6}), "
                           r"[^\]]*\] at \([^)]*\) \{([^}]*)\};", first)
    assert {(label, "#" + colour.lower()) for colour, label in found_tex} == {
        (i.label, i.colour.lower()) for i in found.items}
    assert first.count("circle [radius=") == sum(1 for i in found.items if i.kind == "node")

    deck = Presentation(io.BytesIO(pptx_bytes(t, phase=phase, view="network")))
    names = {shape.name: shape for shape in deck.slides[1].shapes}
    for item in found.items:
        run = names[f"legend {item.kind} {item.key} text"].text_frame.paragraphs[0].runs[0]
        assert run.text == item.label
        assert "#" + str(run.font.color.rgb).lower() == item.colour.lower()
        if item.kind == "node":
            swatch = names[f"legend node {item.key}"]
            assert swatch.auto_shape_type == MSO_SHAPE.OVAL
            assert "#" + str(swatch.line.color.rgb).lower() == item.style["stroke"].lower()
