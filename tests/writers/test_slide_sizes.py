"""Pictures made for a page read at that page's size: measured from the files written.

For the seed, a single neuron and a 2-2-1 network at ``size="16:9"`` and
``size="blog"``, with and without the legend: every SVG frame is the page's
pixel size, its smallest text is at least 14 px (font size times pixels per
unit, read from the SVG), no text box overlaps another or crosses a node's
border, the legend's swatches overlap no node, edge or text but their own,
and nothing lies outside the page; the PDF, read back with poppler's ``pdftotext -bbox``, has
no word smaller than 14 px at the page's pixel size (Matplotlib's indices and
exponents: 70% of that per level), none outside the page, and only embedded TrueType fonts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

import adviz
from adviz.errors import InputError
from adviz.examples import network
from adviz.scene.layout import BOLD_FACTOR
from adviz.scene.sizes import MIN_TEXT, page_pixels
from adviz.text.labels import text_width

NS = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]

TRACES = {
    "seed": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2),
    "neuron": lambda: network((2, 1)),
    "2-2-1": lambda: network((2, 2, 1)),
}


def _texts(root: ET.Element) -> Iterator[tuple[Box, float, ET.Element | None]]:
    """Every text's box (estimated from its font size and DejaVu advance widths), its size,
    and the node rectangle of the group it belongs to (``None`` outside nodes)."""
    def walk(element: ET.Element, anchor: str, rect: ET.Element | None) -> Iterator[
            tuple[Box, float, ET.Element | None]]:
        anchor = element.get("text-anchor", anchor)
        if element.get("class") == "node":
            rect = element.find(f"{NS}rect")
        for child in element:
            if child.tag == f"{NS}text":
                size = float(child.get("font-size", "14"))
                text = "".join(child.itertext())
                width = text_width(text, size) * (
                    BOLD_FACTOR if child.get("font-weight") == "bold" else 1.0)
                x, y = float(child.get("x", "0")), float(child.get("y", "0"))
                left = x - width / 2 if child.get("text-anchor", anchor) == "middle" else x
                yield (left, y - 0.76 * size, left + width, y + 0.24 * size), size, rect
            else:
                yield from walk(child, anchor, rect)

    yield from walk(root, "start", None)


def _rect(element: ET.Element) -> Box:
    x, y = float(element.get("x", "0")), float(element.get("y", "0"))
    return x, y, x + float(element.get("width", "0")), y + float(element.get("height", "0"))


def _overlap(a: Box, b: Box, slack: float = 0.5) -> bool:
    return (a[0] < b[2] - slack and b[0] < a[2] - slack
            and a[1] < b[3] - slack and b[1] < a[3] - slack)


def _inside(a: Box, b: Box, slack: float = 0.5) -> bool:
    return (a[0] >= b[0] - slack and a[1] >= b[1] - slack
            and a[2] <= b[2] + slack and a[3] <= b[3] + slack)


def check_frame(svg: str, size: str) -> float:
    """Check one SVG frame made for ``size``; return its smallest text in pixels."""
    root = ET.fromstring(svg)
    width_px = float(root.get("width", "").removesuffix("px"))
    height_px = float(root.get("height", "").removesuffix("px"))
    vx, vy, vw, vh = (float(v) for v in root.get("viewBox", "").split())
    page_width, page_height = page_pixels(size)
    assert width_px == page_width
    if page_height is not None:
        assert height_px == page_height
    scale = width_px / vw
    assert height_px / vh == pytest.approx(scale, rel=1e-3)  # no distortion
    page: Box = (vx, vy, vx + vw, vy + vh)
    texts = list(_texts(root))
    nodes = [_rect(g.find(f"{NS}rect")) for g in root.iter(f"{NS}g")  # type: ignore[arg-type]
             if g.get("class") == "node"]
    smallest = min(size_ * scale for _, size_, _ in texts)
    for box, _, own in texts:
        assert _inside(box, page), box
        for rect in nodes:
            if own is not None and rect == _rect(own):
                assert _inside(box, rect), (box, rect)
            else:
                assert not _overlap(box, rect), (box, rect)
    for i, (a, _, _) in enumerate(texts):
        for b, _, _ in texts[i + 1:]:
            assert not _overlap(a, b, slack=1.0), (a, b)
    for rect in nodes:
        assert _inside(rect, page)
    _check_legend(root, page, nodes)
    return smallest


def _curve(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of cubic Beziers ("M x,y C x,y x,y x,y ...") or lines."""
    values = [tuple(float(v) for v in p.split(","))
              for p in re.findall(r"-?[\d.]+,-?[\d.]+", d)]
    if "C" not in d:
        return [(float(x), float(y)) for x, y in values]
    out: list[tuple[float, float]] = []
    for k in range(0, len(values) - 3, 3):
        p0, p1, p2, p3 = values[k:k + 4]
        for j in range(21):
            t = j / 20
            u = 1 - t
            out.append(tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * e
                             for a, b, c, e in zip(p0, p1, p2, p3, strict=True)))  # type: ignore[misc]
    return out


def _check_legend(root: ET.Element, page: Box, nodes: list[Box]) -> None:
    """The legend's swatches and texts lie on the page, clear of every node, scope box, edge
    route and text of the graph and the caption."""
    legend = next((g for g in root.iter(f"{NS}g") if g.get("class") == "legend"), None)
    if legend is None:
        return
    boxes: list[Box] = [box for box, _, _ in _texts(legend)]
    for item in legend.iter(f"{NS}g"):
        boxes += [_rect(rect) for rect in item.findall(f"{NS}rect")]
        for path in item.findall(f"{NS}path"):
            xs, ys = zip(*_curve(path.get("d", "")), strict=True)
            boxes.append((min(xs), min(ys) - 3.0, max(xs) + 6.0, max(ys) + 3.0))
    assert boxes
    clusters = [_rect(r) for g in root.iter(f"{NS}g") if g.get("class") == "cluster"
                for r in g.findall(f"{NS}rect")]
    routes = [point for g in root.iter(f"{NS}g") if g.get("class") == "edge"
              for path in g.findall(f"{NS}path") for point in _curve(path.get("d", ""))]
    own = set(boxes)
    others = [box for box, _, _ in _texts(root) if box not in own]
    assert others
    for box in boxes:
        assert _inside(box, page), box
        for rect in (*nodes, *clusters, *others):
            assert not _overlap(box, rect), (box, rect)
        assert not any(box[0] < x < box[2] and box[1] < y < box[3] for x, y in routes), box


@pytest.mark.parametrize("legend", [False, True])
@pytest.mark.parametrize("size", ["16:9", "blog"])
@pytest.mark.parametrize("name", list(TRACES))
def test_every_frame_reads_on_the_page(name: str, size: str, legend: bool,
                                       tmp_path: Path) -> None:
    trace = TRACES[name]()
    paths = adviz.save_frames(trace, tmp_path, size=size, legend=legend)
    assert all(('class="legend"' in p.read_text(encoding="utf-8")) == legend for p in paths)
    assert len(paths) == len(trace.stages("forward")) + len(trace.stages("reverse"))
    smallest = min(check_frame(p.read_text(encoding="utf-8"), size) for p in paths)
    assert smallest >= MIN_TEXT


def test_a_column_too_narrow_refuses_rather_than_shrinks(tmp_path: Path) -> None:
    # 28 nodes in a 300 px column: even collapsed, shortened and with the inputs stacked the
    # text would be under 14 px, so the picture is refused and nothing is written.
    with pytest.raises(InputError, match="below the 14 px minimum"):
        adviz.save_frames(TRACES["2-2-1"](), tmp_path / "out", size="300x2000")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_png_frames_are_the_page_size(tmp_path: Path) -> None:
    pytest.importorskip("resvg_py")
    trace = TRACES["seed"]()
    paths = adviz.save_frames(trace, tmp_path, phase="reverse", fmt="png", size="16:9")
    header = paths[0].read_bytes()[16:24]
    assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (1280, 720)


def _dejavu_extent() -> float:
    """Height of a pdftotext word box per point of font size (ascent - descent of the font)."""
    from matplotlib import font_manager, ft2font

    font = ft2font.FT2Font(font_manager.findfont("DejaVu Sans"))
    return (font.ascender - font.descender) / font.units_per_EM


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                    reason="poppler-utils are not installed")
@pytest.mark.parametrize(("name", "size"), [
    ("seed", "16:9"), ("neuron", "16:9"),
    *(pytest.param(name, size, marks=pytest.mark.slow)  # a page per stage: seconds each
      for name, size in [("seed", "blog"), ("neuron", "blog"), ("2-2-1", "16:9"),
                         ("2-2-1", "blog")]),
])
def test_pdf_pages_read_back_at_slide_size(name: str, size: str, tmp_path: Path) -> None:
    trace = TRACES[name]()
    target = adviz.save(trace, tmp_path / "slides.pdf", phase="both", size=size,
                        progress=False)
    html = subprocess.run(["pdftotext", "-bbox", str(target), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    assert len(pages) == len(trace.stages("forward")) + len(trace.stages("reverse"))
    extent = _dejavu_extent()
    page_width, page_height = page_pixels(size)
    for width, height, body in pages:
        px = page_width / float(width)
        if page_height is not None:
            assert float(height) * px == pytest.approx(page_height, abs=1.0)
        words = [(*(float(v) for v in m[:4]), m[4]) for m in re.findall(
            r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<',
            body)]
        assert words
        previous, level = None, 0
        for x0, y0, x1, y1, text in words:
            size = (y1 - y0) * px / extent
            # Matplotlib sets an index or exponent (t1, t1**2) as a script: a separate,
            # smaller word touching the one before, 70% of its size (Matplotlib's mathtext);
            # the index of an index (the 1 of g_t1) is a script of a script. Words are held
            # to the minimum, scripts to 70% of it per level.
            touching = previous is not None and abs(x0 - previous[2]) < 1.0
            before = previous[3] - previous[1] if previous is not None else 0.0
            if touching and y1 - y0 < before - 0.5:
                level += 1  # a script of the word before
            elif not (touching and level and abs(y1 - y0 - before) <= 0.5):
                level = 0  # else: t6**2, an exponent after an index, same level
            assert size >= 0.7 ** level * MIN_TEXT - 0.5, (text, size)
            assert 0 <= x0 and x1 <= float(width) and 0 <= y0 and y1 <= float(height)
            previous = (x0, y0, x1, y1)
    fonts = subprocess.run(["pdffonts", str(target)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts and all("TrueType" in line and "Type 3" not in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)  # embedded
