"""PowerPoint decks: one slide per stage, the same shapes in the same places, the SVG's texts."""

from __future__ import annotations

import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

import adviz
from adviz.errors import InputError
from adviz.examples import network
from adviz.renderers.svg import painted
from adviz.scene.sizes import MIN_TEXT
from adviz.text.labels import stage_title

pptx = pytest.importorskip("pptx")


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def _deck(path: Path) -> object:
    from pptx import Presentation

    return Presentation(str(path))


def _named(slide: object) -> dict[str, object]:
    return {shape.name: shape for shape in slide.shapes}  # type: ignore[attr-defined]


def test_one_slide_per_stage_with_the_caption_as_title(seed: adviz.Trace,
                                                         tmp_path: Path) -> None:
    path = adviz.save(seed, tmp_path / "lecture.pptx")
    deck = _deck(path)
    stages = [(p, k) for p in ("forward", "reverse") for k in range(len(seed.stages(p)))]
    slides = list(deck.slides)  # type: ignore[attr-defined]
    assert len(slides) == len(stages)
    for slide, (phase, k) in zip(slides, stages, strict=True):
        assert slide.shapes.title.text == stage_title(seed, phase, k)
    assert len(list(_deck(adviz.save(seed, tmp_path / "r.pptx", phase="reverse")).slides)) \
        == len(seed.stages("reverse"))


def test_shapes_keep_their_names_and_places_on_every_slide(seed: adviz.Trace,
                                                             tmp_path: Path) -> None:
    deck = _deck(adviz.save(seed, tmp_path / "lecture.pptx"))
    layouts = [{name: (s.left, s.top, s.width, s.height) for name, s in _named(slide).items()}
               for slide in deck.slides]  # type: ignore[attr-defined]
    graph = [{k: v for k, v in layout.items() if not k.startswith("legend ")}
             for layout in layouts]
    assert all(layout == graph[0] for layout in graph)
    # The legend names what its pass shows: the same on every slide of a pass.
    forward = len(seed.stages("forward"))
    for passed in (layouts[:forward], layouts[forward:]):
        legends = [{k: v for k, v in layout.items() if k.startswith("legend ")}
                   for layout in passed]
        assert legends[0] and all(found == legends[0] for found in legends)
    assert "legend edge gradient" in layouts[-1] and "legend edge gradient" not in layouts[0]
    names = set(layouts[0])
    assert {f"node {n}" for n in seed.graph} <= names
    assert {f"edge {p}->{c}" for p, c in seed.graph.edges} <= names


def test_texts_are_the_svg_frames_texts(seed: adviz.Trace, tmp_path: Path) -> None:
    deck = _deck(adviz.save(seed, tmp_path / "lecture.pptx", phase="reverse"))
    for k, slide in enumerate(deck.slides):  # type: ignore[attr-defined]
        drawn = painted(adviz.to_svg(seed, "reverse", k, size="16:9"))
        shapes = _named(slide)
        for node in seed.graph:
            text = shapes[f"node {node}"].text_frame.text  # type: ignore[attr-defined]
            assert tuple(text.split("\n")) == drawn[f"node:{node}"].texts
        for parent, child in seed.graph.edges:
            texts = drawn[f"edge:{parent}->{child}"].texts
            label = shapes.get(f"label {parent}->{child}")
            got = tuple(label.text_frame.text.split("\n")) if label is not None else ()  # type: ignore[attr-defined]
            assert got == texts


def test_speaker_notes_hold_the_walkthrough_row(seed: adviz.Trace, tmp_path: Path) -> None:
    deck = _deck(adviz.save(seed, tmp_path / "lecture.pptx", phase="reverse"))
    notes = [s.notes_slide.notes_text_frame.text for s in deck.slides]  # type: ignore[attr-defined]
    rows = adviz.walkthrough(seed)
    assert notes[3] == ("Process parents of t4, i.e. t3: "
                        "g_t3 += g_t4 * dt4/dt3 = 1 * (-sin(t3)) = -0.14112")
    for note in notes:
        step, _, updates = note.partition(": ")
        assert step in rows and all(u in rows for u in updates.split("; "))


@pytest.mark.parametrize(("name", "size"), [
    ("neuron", "4:3"), ("seed", "16:9"), ("neuron", "16:9"),
    pytest.param("2-2-1", "16:9", marks=pytest.mark.slow),  # 36 slides
])
def test_text_reads_on_the_slide(name: str, size: str, seed: adviz.Trace,
                                 tmp_path: Path) -> None:
    trace = {"seed": seed, "neuron": network((2, 1)), "2-2-1": network((2, 2, 1))}[name]
    deck = _deck(adviz.save(trace, tmp_path / "n.pptx", size=size))
    width = deck.slide_width  # type: ignore[attr-defined]
    pixels = {"16:9": 1280, "4:3": 1024}[size] / width  # page pixels per EMU
    for slide in list(deck.slides)[::4]:  # type: ignore[attr-defined]
        # Nodes, labels and the legend's entries: no two overlap (a node's text is inside it).
        boxes = {shape.name: (shape.left, shape.top, shape.left + shape.width,
                              shape.top + shape.height)
                 for shape in slide.shapes
                 if shape.name.startswith(("node ", "label ", "legend "))
                 and not shape.name.startswith("legend edge ")}
        names = sorted(boxes)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                (a0, a1, a2, a3), (b0, b1, b2, b3) = boxes[a], boxes[b]
                assert not (a0 < b2 and b0 < a2 and a1 < b3 and b1 < a3), (a, b)
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= width
            assert 0 <= shape.top and shape.top + shape.height <= deck.slide_height  # type: ignore[attr-defined]
            if not shape.has_text_frame:
                continue
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    assert run.font.size * pixels >= MIN_TEXT - 0.1


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    def f(a: float, b: float) -> float:
        return adviz.name(a * b, "<b>&x") + a  # type: ignore[no-any-return]

    t = adviz.trace(f, a=2.0, b=3.0)
    deck = _deck(adviz.save(t, tmp_path / "h.pptx", phase="forward"))
    texts = [shape.text_frame.text for slide in deck.slides  # type: ignore[attr-defined]
             for shape in slide.shapes if shape.has_text_frame]
    assert any("<b>&x" in text for text in texts)


def test_a_wrong_slide_size_writes_nothing(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="size"):
        adviz.save(seed, tmp_path / "x.pptx", size="blog")
    assert list(tmp_path.iterdir()) == []


def test_the_registry_offers_pptx() -> None:
    from adviz.writers import format_named, writer_for

    assert writer_for("lecture.pptx").name == "pptx"
    assert format_named("pptx").extra == "slides"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice Impress and poppler-utils: run .ci/install-office.sh")
def test_libreoffice_opens_and_renders_the_deck(seed: adviz.Trace, tmp_path: Path) -> None:
    path = adviz.save(seed, tmp_path / "lecture.pptx")
    home = tmp_path / "home"  # a profile of its own: no clash with another running office
    subprocess.run(["soffice", f"-env:UserInstallation=file://{home}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "lecture.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert text.count("Stage ") == 12
    assert "−0.14112" in text and "initialise" in text
    subprocess.run(["pdftoppm", "-r", "40", "-f", "10", "-l", "10", "-png", str(pdf),
                    str(tmp_path / "slide")], check=True, timeout=120)
    from PIL import Image

    (png,) = tmp_path.glob("slide*.png")
    with Image.open(png) as im:
        assert im.width > im.height
        colours = im.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 20  # shapes and text, not a blank page


def _freeform_points(shape: object) -> list[tuple[float, float]]:
    """A freeform's vertices in slide EMU, read from its custom geometry."""
    from pptx.oxml.ns import qn

    element = shape._element  # type: ignore[attr-defined]
    path = element.find(f".//{qn('a:path')}")
    assert path is not None, "an edge is a freeform line"
    sx = shape.width / max(int(path.get("w")), 1)  # type: ignore[attr-defined]
    sy = shape.height / max(int(path.get("h")), 1)  # type: ignore[attr-defined]
    return [(shape.left + int(pt.get("x")) * sx,  # type: ignore[attr-defined]
             shape.top + int(pt.get("y")) * sy)  # type: ignore[attr-defined]
            for pt in path.iter(qn("a:pt"))]


def _crosses(a: tuple[float, float], b: tuple[float, float],
             box: tuple[float, float, float, float]) -> bool:
    """Whether the segment a-b passes through the inside of ``box`` (sampled finely)."""
    x0, y0, x1, y1 = box
    for k in range(41):
        t = k / 40
        x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False


@pytest.mark.parametrize("name", ["seed", "neuron"])
def test_edges_follow_their_routes_and_cross_no_label(name: str, seed: adviz.Trace,
                                                       tmp_path: Path) -> None:
    trace = seed if name == "seed" else network((2, 1))
    deck = _deck(adviz.save(trace, tmp_path / "lecture.pptx", phase="reverse"))
    slide = list(deck.slides)[-1]  # type: ignore[attr-defined]
    shapes = _named(slide)
    edges = {n: _freeform_points(s) for n, s in shapes.items() if n.startswith("edge ")}
    assert edges and all(len(points) > 2 for points in edges.values())  # curves, not lines
    # Shrunk by a point each side: the reserved box is as wide as the widest text.
    pad = 12700
    labels = {n: (s.left + pad, s.top + pad, s.left + s.width - pad,  # type: ignore[attr-defined]
                  s.top + s.height - pad)  # type: ignore[attr-defined]
              for n, s in shapes.items() if n.startswith("label ")}
    assert labels
    for edge, points in edges.items():
        for label, box in labels.items():
            assert not any(_crosses(a, b, box) for a, b in pairwise(points)), \
                (edge, label)
    # Each route ends on the SVG frame's arrow tip at the child (the same scene geometry).
    from adviz.scene.picture import figure

    fig = figure(trace, size="16:9", legend=True)
    x0, y0, _, _ = fig.page.view_box(fig.width, fig.height)  # type: ignore[union-attr]
    emu = deck.slide_width / fig.page.width * fig.page.scale  # type: ignore[attr-defined,union-attr]
    for (parent, child), shape in fig.edges.items():
        assert shape.forward_head is not None
        tip = shape.forward_head.tip
        end = edges[f"edge {parent}->{child}"][-1]
        assert end == pytest.approx(((tip[0] - x0) * emu, (tip[1] - y0) * emu), abs=2 * emu)
