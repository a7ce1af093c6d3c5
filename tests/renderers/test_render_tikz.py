"""TikZ pictures and Beamer slides: structure always, compiled when pdflatex is present."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import adviz
import adviz.examples
from adviz.errors import InputError
from adviz.renderers.tikz import CM_PER_POINT, stage_caption, to_beamer, to_tikz
from adviz.scene.content import frame_count
from adviz.text.tokens import math_safe
from adviz.writers import writer_for

HOSTILE = "a_b & 100% {x}"
BACKSLASH = "\\"


def hostile_trace() -> adviz.Trace:
    def f(a):
        u = adviz.name(a * 2, HOSTILE)
        v = adviz.name(a + 1, BACKSLASH)
        w = adviz.name(adviz.sin(a), "~^#$")
        return u + v * w

    return adviz.trace(f, a=1.0)


def scoped_trace() -> adviz.Trace:
    def f(x1, x2):
        with adviz.scope("difference & squared"):
            a = (x1 - x2) ** 2
        return a + adviz.cos(x1 + x2)

    return adviz.trace(f, x1=1.0, x2=2.0)


def balanced(text: str) -> bool:
    """Braces balance, ignoring escaped ones (``\\{``, ``\\}``)."""
    depth = 0
    for match in re.finditer(r"\\.|[{}]", text, re.S):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def overlays(text: str) -> list[int]:
    return [int(k) for k in re.findall(r"\\only<(\d+)>", text)]


@pytest.mark.parametrize("phase", ["reverse", "forward", "both"])
def test_one_overlay_per_stage(seed_trace: adviz.Trace, phase: str) -> None:
    tex = to_beamer(seed_trace, phase)
    count = sum(frame_count(seed_trace, p)
                for p in (("forward", "reverse") if phase == "both" else (phase,)))
    assert overlays(tex) == list(range(1, count + 1))
    assert tex.count("\\begin{tikzpicture}") == count
    assert balanced(tex)
    assert tex.count("\\begin{frame}[fragile]") == tex.count("\\end{frame}") == 1


def test_standalone_document_and_fragment(seed_trace: adviz.Trace) -> None:
    full = to_beamer(seed_trace)
    assert full.startswith("\\RequirePackage{fix-cm}\n\\documentclass[aspectratio=169]{beamer}")
    assert "\\documentclass[aspectratio=43]{beamer}" in to_beamer(seed_trace, aspect="4:3")
    assert "\\usepackage{tikz}" in full and full.rstrip().endswith("\\end{document}")
    fragment = to_beamer(seed_trace, standalone=False)
    assert fragment.startswith("\\begin{frame}") and "\\documentclass" not in fragment
    assert fragment in full


def test_nodes_sit_at_the_scene_positions(seed_trace: adviz.Trace) -> None:
    from adviz.scene.picture import figure

    fig = figure(seed_trace)
    picture = to_tikz(seed_trace, "summary")
    for node, box in fig.nodes.items():
        at = f"at ({box.x * CM_PER_POINT:.3f},{-box.y * CM_PER_POINT:.3f})"
        assert at in picture, node
    assert picture.count(".. controls") >= len(fig.edges)
    assert "$t_{1} = x_{1} - x_{2}$" in picture
    assert "\\partial t_{2}/\\partial t_{1} = 2 t_{1} = -2" in picture


def test_reverse_stage_shows_the_contribution(seed_trace: adviz.Trace) -> None:
    picture = to_tikz(seed_trace, "reverse", 3)
    assert "g_{t_{3}} \\mathrel{+}= 1 \\cdot (-\\sin(t_{3})) = -0.14112" in picture
    assert stage_caption(seed_trace, "reverse", 3).startswith(
        "Stage 3 of 5 --- process parents")


def test_gradient_arrowheads_point_at_the_parent(seed_trace: adviz.Trace) -> None:
    import math
    import re

    from adviz.scene.picture import figure

    fig = figure(seed_trace)
    picture = to_tikz(seed_trace, "reverse", 3)
    tip = re.search(r"\\fill\[advizB34A00\] \(([-\d.]+),([-\d.]+)\)", picture)
    assert tip is not None, "no gradient-coloured arrowhead"
    x, y = float(tip.group(1)) / CM_PER_POINT, -float(tip.group(2)) / CM_PER_POINT
    parent, child = fig.nodes["t3"], fig.nodes["t4"]
    assert math.dist((x, y), (parent.x, parent.y)) < math.dist((x, y), (child.x, child.y))


def test_hostile_names_are_escaped() -> None:
    tex = to_beamer(hostile_trace(), "both", title=HOSTILE + " " + BACKSLASH)
    assert balanced(tex)
    assert "\\mathrm{a\\_b \\& 100\\% \\{x\\}}" in tex
    assert "\\mbox{\\textbackslash}" in tex
    assert "\\begin{frame}[fragile]{a\\_b \\& 100\\% \\{x\\} \\textbackslash{}}" in tex
    body = tex.split("\\begin{document}", 1)[1]
    # no raw special character from a name reaches LaTeX
    for raw in ("a_b", " & 100", "100%"):
        assert raw not in body
    assert math_safe("\\~{}") == "\\mbox{\\textasciitilde}"


def test_clusters_are_drawn() -> None:
    tex = to_beamer(scoped_trace(), collapse=[])  # to fit the frame: not collapsed
    assert tex.count("\\draw[advizcluster]") == frame_count(scoped_trace(), "reverse")
    assert "difference \\& squared" in tex


def test_unknown_phase_is_an_input_error(seed_trace: adviz.Trace) -> None:
    with pytest.raises(InputError, match="both"):
        to_beamer(seed_trace, "sideways")


def test_save_picks_the_tex_writer(seed_trace: adviz.Trace, tmp_path: Path) -> None:
    assert writer_for("slides.tex").name == "tex"
    path = adviz.save(seed_trace, tmp_path / "slides.tex", phase="both", standalone=False)
    assert path.read_text(encoding="utf-8") == to_beamer(seed_trace, "both", standalone=False)


def test_themes_set_the_colours(seed_trace: adviz.Trace) -> None:
    light, dark = to_beamer(seed_trace), to_beamer(seed_trace, theme="dark")
    assert "\\definecolor{advizbackground}{HTML}{1E1F22}" in dark
    assert "background canvas" in dark and "background canvas" not in light
    assert "\\definecolor{advizforward}{HTML}{0072B2}" in light


def test_same_input_same_bytes() -> None:
    a = to_beamer(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), "both")
    b = to_beamer(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), "both")
    assert a == b


PDFLATEX = shutil.which("pdflatex")


@pytest.mark.slow
@pytest.mark.skipif(PDFLATEX is None and not os.environ.get("CI"),
                    reason="pdflatex is not on PATH (install TeX Live: bash .ci/install-tex.sh)")
@pytest.mark.parametrize("case", ["seed", "hostile", "scoped", "dark", "collapsed"])
def test_compiles_with_pdflatex(case: str, tmp_path: Path) -> None:
    trace = {"seed": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2),
             "collapsed": adviz.examples.network,
             "hostile": hostile_trace, "scoped": scoped_trace, "dark": scoped_trace}[case]()
    source = tmp_path / "slides.tex"
    adviz.save(trace, source, phase="both", title=f"{HOSTILE} {BACKSLASH}",
               theme="dark" if case == "dark" else "light")
    result = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False)
    log = (tmp_path / "slides.log").read_text(encoding="latin-1", errors="replace") \
        if (tmp_path / "slides.log").exists() else result.stdout
    assert result.returncode == 0, log[-3000:]
    pages = re.search(r"Output written on slides\.pdf \((\d+) pages?", result.stdout)
    assert pages is not None
    assert int(pages.group(1)) == sum(frame_count(trace, p) for p in ("forward", "reverse"))


def test_the_title_is_the_expression_as_math() -> None:
    seed_trace = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    head = to_beamer(seed_trace, standalone=False).splitlines()[0]
    assert head == ("\\begin{frame}[fragile]{$y = \\left(x_{1} - x_{2}\\right)^{2} + "
                    "\\cos\\left(x_{1} + x_{2}\\right)$}")
    assert "**" not in head
    assert "{Mine \\& yours}" in to_beamer(seed_trace, title="Mine & yours", standalone=False)


def test_the_picture_is_sized_for_the_frame(seed_trace: adviz.Trace) -> None:
    from adviz.renderers.tikz import BEAMER_ROOM, beamer_figure

    fig = beamer_figure(seed_trace)
    assert fig.page is not None
    width, height = BEAMER_ROOM["16:9"]
    assert fig.width * fig.page.scale <= width + 0.5
    assert fig.height * fig.page.scale <= height + 0.5
    assert fig.page.smallest >= 8.0
    assert f"scale={fig.page.scale:.4f}, transform shape" in to_beamer(seed_trace)
    with pytest.raises(InputError, match="does not fit a 16:9 Beamer frame"):
        to_beamer(adviz.examples.network((2, 2, 1)), split=False)
    split = to_beamer(adviz.examples.network((2, 2, 1)))
    assert split.count("\\clip") == split.count("\\begin{tikzpicture}")
    assert "each step shows the part around it" in split


def _chars(pdf: Path) -> list[tuple[int, float, float, float, float, float, str]]:
    """Every character of a PDF: page, font size, x, baseline y, page width and height."""
    xml = subprocess.run(["mutool", "draw", "-F", "stext", "-o", "-", str(pdf)], check=True,
                         capture_output=True, text=True).stdout
    out = []
    for number, (width, height, body) in enumerate(re.findall(
            r'<page id="[^"]*" width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S)):
        for size, chars in re.findall(r'<font name="[^"]*" size="([\d.]+)">(.*?)</font>', body,
                                      re.S):
            for x, y, c in re.findall(r'x="([\d.-]+)" y="([\d.-]+)" [^>]*c="([^"]*)"', chars):
                out.append((number, float(size), float(x), float(y), float(width),
                            float(height), c))
    return out


@pytest.mark.slow
@pytest.mark.skipif(PDFLATEX is None or shutil.which("mutool") is None,
                    reason="pdflatex and mutool: run bash .ci/install-tex.sh")
@pytest.mark.parametrize("case", ["seed", "neuron", "2-2-1"])
def test_beamer_text_is_at_least_8_pt(case: str, tmp_path: Path) -> None:
    trace = {"seed": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2),
             "neuron": lambda: adviz.examples.network((2, 1)),
             "2-2-1": lambda: adviz.examples.network((2, 2, 1))}[case]()
    source = adviz.save(trace, tmp_path / "slides.tex", phase="both")
    subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", source.name],
                   cwd=tmp_path, capture_output=True, timeout=300, check=True)
    chars = [c for c in _chars(tmp_path / "slides.pdf") if c[6].strip()]
    pages = {c[0] for c in chars}
    assert len(pages) == sum(frame_count(trace, p) for p in ("forward", "reverse"))
    for page in pages:
        shown = [c for c in chars if c[0] == page
                 and 0 <= c[2] <= c[4] and 0 <= c[3] <= c[5]]  # on the page (not clipped off)
        assert any(c[6] == "S" for c in shown)  # the caption: "Stage k of n"
        # A line's characters at its main size are at least 8 pt; smaller ones are scripts
        # (indices, exponents) set off its baseline: TeX sets a script at 70% of its text and
        # a script of a script (the 1 of g_{t_1}) at about half, 45% in bold sans.
        by_line: dict[float, list[tuple[float, float]]] = {}
        for _, size, x, y, *_ in shown:
            by_line.setdefault(round(y), []).append((size, x))
        for y, line in by_line.items():
            largest = max(size for size, _ in line)
            nearby = [s for yy, ln in by_line.items() if abs(yy - y) <= largest
                      for s, _ in ln]
            assert max(nearby) >= 8.0 - 0.05, (page, y, line)
            for size, _ in line:
                assert size >= 0.45 * 8.0 - 0.05, (page, y, size)
