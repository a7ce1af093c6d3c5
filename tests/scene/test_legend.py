"""The legend: made once in the scene, the entries a phase shows, painted alike everywhere."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest

import adviz
from adviz.errors import InputError
from adviz.examples import network
from adviz.scene.legend import ENTRIES, check_place, free_spot, legend
from adviz.scene.picture import figure

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def test_entries_follow_what_the_phase_shows(seed: adviz.Trace) -> None:
    fig = figure(seed, legend=True)
    keys = {phase: {(i.kind, i.key) for i in legend(fig, phase).items}  # type: ignore[union-attr]
            for phase in ("forward", "reverse", "tangent", "summary")}
    assert ("text", "adjoint") in keys["reverse"] and ("text", "adjoint") not in keys["forward"]
    assert ("edge", "gradient") in keys["reverse"] and ("edge", "forward") in keys["forward"]
    assert ("text", "tangent") in keys["tangent"] and ("edge", "tangent") in keys["tangent"]
    assert not any(key == "tangent" for _, key in keys["reverse"] | keys["forward"])
    # Only states some frame of the phase has: the summary has no muted or active node.
    assert keys["summary"] == {("text", "value"), ("text", "adjoint")}
    for phase, found in keys.items():
        assert found <= {(kind, str(key)) for kind, key, _ in ENTRIES[phase]}


def test_styles_come_from_the_one_style_table(seed: adviz.Trace) -> None:
    fig = figure(seed, theme="dark", legend=True)
    found = legend(fig, "reverse")
    assert found is not None
    for item in found.items:
        if item.kind == "node":
            style = fig.styles["node"]["op"][item.key]
            assert (item.style["fill"], item.style["stroke"]) == (style["fill"], style["stroke"])
        elif item.kind == "edge":
            assert item.style["colour"] == fig.styles["edge"][item.key]["colour"]
            assert item.style["opacity"] == fig.styles["edge"][item.key]["opacity"]
        else:
            assert item.colour == fig.styles["text"][item.key]


def test_a_legend_is_room_in_the_frame(seed: adviz.Trace) -> None:
    plain, below = figure(seed), figure(seed, legend="below")
    right = figure(seed, legend="right")
    assert plain.legend is None and legend(plain, "reverse") is None
    assert below.height > plain.height and below.width == plain.width
    assert right.width > plain.width
    assert below.legend is not None and below.legend.top > max(
        n.y + n.height / 2 for n in below.nodes.values())
    assert right.legend is not None and right.legend.x > max(
        n.x + n.width / 2 for n in right.nodes.values())
    for fig in (below, right):
        found = legend(fig, "reverse")
        assert found is not None
        x0, y0, x1, y1 = fig.legend.box()  # type: ignore[union-attr]
        for item in found.items:
            left, top, r, bottom = item.box()
            assert x0 - 0.5 <= left and r <= x1 + 0.5 and y0 - 0.5 <= top and bottom <= y1 + 0.5
    with pytest.raises(InputError, match="legend must be"):
        figure(seed, legend="left")
    assert check_place(None) is None


def test_inside_uses_a_free_corner_or_goes_below() -> None:
    fig = figure(network((2, 2, 1)), size="16:9", legend=True)
    assert fig.page is not None and fig.page.smallest >= 14.0
    assert fig.legend is not None
    assert free_spot(5.0, 5.0, (0.0, 0.0, 4.0, 4.0), [], []) is None


def _svg_entries(svg: str) -> set[tuple[str, str, str, str]]:
    root = ET.fromstring(svg)
    out = set()
    for item in root.iter(f"{NS}g"):
        if item.get("class") != "legend-item":
            continue
        text = item.find(f"{NS}text")
        assert text is not None
        shape = item.find(f"{NS}rect")
        stroke = shape.get("stroke") if shape is not None else (
            item.find(f"{NS}path").get("stroke") if item.find(f"{NS}path") is not None  # type: ignore[union-attr]
            else text.get("fill"))
        out.add((item.get("data-kind", ""), "".join(text.itertext()),
                 (text.get("fill") or "").lower(), (stroke or "").lower()))
    return out


@pytest.mark.parametrize("phase", ["forward", "reverse"])
def test_every_painter_paints_the_same_legend(seed: adviz.Trace, phase: str) -> None:
    pytest.importorskip("pptx")
    from matplotlib.colors import to_hex
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.text import Text
    from pptx import Presentation

    from adviz.renderers.mpl.stage import still
    from adviz.renderers.pptx import pptx_bytes
    from adviz.renderers.tikz import to_beamer

    fig = figure(seed, size="16:9", legend=True)
    found = legend(fig, phase)
    assert found is not None and found.items
    expected = set()
    for item in found.items:
        stroke = item.style.get("stroke", item.style.get("colour", item.colour))
        expected.add((item.kind, item.label, item.colour.lower(), stroke.lower()))

    svg = adviz.to_svg(seed, phase, 1, size="16:9", legend=True)
    assert _svg_entries(svg) == expected

    _, scene = still(seed, size="16:9", dpi=20, legend=True)
    scene.show(phase, 1)
    texts = [a for a in scene.legend_artists if isinstance(a, Text)]
    assert sorted(t.get_text() for t in texts) == sorted(i.label for i in found.items)
    assert {to_hex(t.get_color()) for t in texts} == {i.colour.lower() for i in found.items}
    swatches = {to_hex(a.get_edgecolor()) for a in scene.legend_artists
                if isinstance(a, FancyBboxPatch)}
    swatches |= {to_hex(a.get_color()) for a in scene.legend_artists if isinstance(a, Line2D)}
    assert swatches == {e[3] for e in expected if e[0] != "text"}

    tex = to_beamer(seed, phase, standalone=False, legend=True)
    first = tex.split("\\only<2>")[0]
    labels = re.findall(r"\\node\[anchor=base west, inner sep=0pt, text=adviz([0-9A-F]{6}), "
                        r"[^\]]*\] at \([^)]*\) \{([^}]*)\};", first)
    assert {(label, "#" + colour.lower()) for colour, label in labels} == {
        (i.label, i.colour.lower()) for i in found.items}

    deck = Presentation(io.BytesIO(pptx_bytes(seed, phase=phase)))
    slide = deck.slides[1]
    names = {shape.name: shape for shape in slide.shapes}
    for item in found.items:
        box = names[f"legend {item.kind} {item.key} text"]
        run = box.text_frame.paragraphs[0].runs[0]
        assert run.text == item.label
        assert "#" + str(run.font.color.rgb).lower() == item.colour.lower()
        if item.kind == "node":
            assert "#" + str(names[f"legend node {item.key}"].line.color.rgb).lower() == \
                item.style["stroke"].lower()
