"""The ``adviz`` Sphinx directive: a tiny project built in a temporary folder."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("sphinx")

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from adviz.faces.sphinx import parse_at

CONF = 'extensions = ["adviz.faces.sphinx"]\nproject = "t"\nhtml_theme = "basic"\n'


def build(tmp_path: Path, body: str, builder: str = "html", extra_conf: str = "",
          pages: dict[str, str] | None = None, parallel: int = 0) -> tuple[Path, str]:
    """Build a project (index.rst holds ``body``); return the output folder and warnings."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF + extra_conf, encoding="utf-8")
    (src / "index.rst").write_text("Test\n====\n\n" + textwrap.dedent(body), encoding="utf-8")
    for name, text in (pages or {}).items():
        (src / f"{name}.rst").write_text(f"{name}\n{'=' * len(name)}\n\n{text}",
                                         encoding="utf-8")
    out = tmp_path / "out"
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), builder,
                     status=None, warning=warnings, freshenv=True, parallel=parallel)
        app.build()
    return out, warnings.getvalue()


SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def test_player_is_embedded_inline(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, f"""
        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :caption: The seed example.
           :name: seed-figure

        See :ref:`seed-figure`.
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('class="adviz-player') == 1
    assert 'class="adviz-data"' in page
    assert "g_t₃ +=" in page  # the seed's notation: the name as subscript
    assert "The seed example." in page
    assert 'id="seed-figure"' in page


def test_gif_and_svg_are_written_and_referenced(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, """
        .. adviz:: x * x + 1
           :at: x=3
           :output: gif
           :tween: 0
           :dpi: 30

        .. adviz:: (x1 - x2)**2 + cos(x1 + x2)
           :at: x1=1 x2=2
           :output: svg
           :stage: 3
           :theme: dark
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img class="adviz-picture[^"]*" src="([^"]+)"', page)
    assert [Path(s).suffix for s in sources] == [".gif", ".svg"]
    for source in sources:
        assert source.startswith("_images/adviz/")
        assert (out / source).stat().st_size > 0
    gif, svg = (out / s for s in sources)
    assert gif.read_bytes().startswith(b"GIF8")
    text = svg.read_text(encoding="utf-8")
    assert "Stage 3 of 5" in text and "g_t₃ +=" in text
    assert gif.stat().st_mode & 0o044 == 0o044  # readable by a web server


def test_frames_are_a_sequence_of_images(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, f"""
        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: frames
           :phase: reverse
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'src="(_images/adviz/[^"]+\.svg)"', page)
    assert [Path(s).name for s in sources] == [f"reverse-{k:03d}.svg" for k in range(6)]
    assert all((out / s).is_file() for s in sources)
    assert "reverse stage 0: g_y = 1" in page  # each frame's alt text
    assert "adviz-sphinx.css" in page
    assert (out / "_static" / "adviz-sphinx.css").is_file()


def test_forward_mode_frames_and_svg(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, f"""
        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: frames
           :phase: tangent
           :seed: x2

        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: svg
           :phase: tangent
           :seed: x1=1, x2=1
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'src="(_images/adviz/[^"]+\.svg)"', page)
    assert [Path(s).name for s in sources[:6]] == [f"tangent-{k:03d}.svg" for k in range(6)]
    assert "tangent stage 5: y_dot = " in page  # each frame's alt text
    last = (out / sources[5]).read_text(encoding="utf-8")
    assert "forward mode, seed ẋ₁ = 0, ẋ₂ = 1" in last and "ẏ = 1.85888" in last
    both = (out / sources[6]).read_text(encoding="utf-8")
    assert "ẏ = −0.28224" in both  # the sum of the two gradient components


def test_focus_option_draws_the_paths_and_their_sum(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, f"""
        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: svg
           :focus: x1
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    (source,) = re.findall(r'src="(_images/adviz/[^"]+\.svg)"', page)
    svg = (out / source).read_text(encoding="utf-8")
    assert "g_x₁ = Σ over 2 paths = −2 + (−0.14112) = −2.14112" in svg
    assert 'data-state="unfocused"' in svg


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (".. adviz:: x +\n   :at: x=1\n", "adviz directive: 'x +'"),
        (".. adviz:: x * y\n   :at: x=1\n", "no value for y: write :at: x=1, y=..."),
        (".. adviz:: x * x\n   :at: x=one\n", "value 'one' of x is not a number"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: svg\n   :stage: 9\n",
         ":stage: 9 does not exist"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: svg\n   :phase: both\n",
         ":phase: both does not go with :output: svg"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: svg\n   :fps: 3\n",
         ":fps: does not apply to :output: svg (it takes: :stage:, :size:, :legend:)"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: svg\n   :seed: x\n",
         "seed does not apply to phase 'reverse' of :output: svg"),
        (".. adviz:: x * x\n   :at: x=1\n   :phase: tangent\n   :seed: z\n",
         "the seed names 'z', which this trace has no input of"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: svg\n   :focus: z\n",
         "cannot focus on 'z'"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: svg\n   :zoom: neuron 2\n",
         "cannot zoom into 'neuron 2'"),
        (".. adviz:: x * x\n   :at: x=1\n   :stage: 1\n   :dpi: 50\n",
         ":stage:, :dpi: do not apply to :output: player (it takes: none of these)"),
        (".. adviz:: x * x\n   :at: x=1\n   :phase: tangents\n   :seed: x\n",
         "seed does not apply to phase 'tangents' of :output: player: it seeds every input"),
        (".. adviz:: x * x\n   :at: x=1\n   :output: gif\n   :phase: tangents\n",
         ":phase: tangents does not go with :output: gif"),
        (".. adviz:: x * x\n   :function: m:f\n", "give an expression or :function:, not "
                                                    "both"),
        (".. adviz::\n   :at: x=1\n", "give an expression (x1 * x2) or :function:"),
        (".. adviz::\n   :function: no_such_module_t17:f\n",
         "cannot import no_such_module_t17"),
    ],
)
def test_bad_directive_is_a_warning_with_file_and_line(tmp_path: Path, body: str,
                                                       message: str) -> None:
    out, warnings = build(tmp_path, "Some text.\n\n" + body)
    assert re.search(r"index\.rst:\d+: WARNING: ", warnings), warnings
    assert message in warnings
    assert "Traceback" not in warnings
    assert (out / "index.html").is_file()


def test_bad_option_value_is_a_docutils_error(tmp_path: Path) -> None:
    _, warnings = build(tmp_path, ".. adviz:: x * x\n   :at: x=1\n   :output: movie\n")
    assert re.search(r"index\.rst:\d+: ERROR: .*movie", warnings, re.S), warnings


def test_text_builder_gets_the_walkthrough(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, f".. adviz:: {SEED}\n   :at: x1=1, x2=2\n", builder="text")
    assert warnings == ""
    text = (out / "index.txt").read_text(encoding="utf-8")
    assert "Process parents of t2, i.e. t1" in text


def test_default_output_from_configuration(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, ".. adviz:: x * x\n   :at: x=3\n",
                          extra_conf='adviz_default_output = "svg"\n')
    assert warnings == ""
    assert re.search(r'src="_images/adviz/adviz-[0-9a-f]+\.svg"',
                     (out / "index.html").read_text(encoding="utf-8"))


def test_parallel_build(tmp_path: Path) -> None:
    pages = {f"page{k}": f".. adviz:: x * x + {k}\n   :at: x=2\n   :output: svg\n"
             for k in range(4)}
    toctree = ".. toctree::\n\n" + "".join(f"   {name}\n" for name in pages)
    out, warnings = build(tmp_path, toctree, pages=pages, parallel=2)
    assert "parallel" not in warnings.lower() and "WARNING" not in warnings, warnings
    for name in pages:
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        source = re.search(r'src="(_images/adviz/[^"]+\.svg)"', page)
        assert source and (out / source.group(1)).is_file()


def test_parse_at() -> None:
    assert parse_at(" x1=1,x2=2 ,") == {"x1": 1.0, "x2": 2.0}
    assert parse_at("") == {}
    with pytest.raises(ValueError, match="twice"):
        parse_at("x=1, x=2")
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_at("x1")


def test_outputs_come_from_the_format_registry() -> None:
    import adviz
    from adviz.core.phases import PLAYER_PHASES
    from adviz.faces.sphinx import OUTPUTS, THEMES, AdvizDirective
    from adviz.writers import writers

    formats = {name for name, w in writers().items() if w.trace}
    assert set(OUTPUTS) == formats | {"player", "frames"}
    for name in formats:
        kind = OUTPUTS[name]
        assert kind.writer == name
        assert kind.phases == (writers()[name].phases or ("both",))
    assert OUTPUTS["player"].writer == "html" and OUTPUTS["frames"].writer == "svg"
    assert OUTPUTS["player"].phases == PLAYER_PHASES == OUTPUTS["frames"].phases
    assert THEMES == tuple(adviz.THEMES)
    assert AdvizDirective.option_spec["output"]("pdf") == "pdf"
    with pytest.raises(ValueError, match="choose from"):
        AdvizDirective.option_spec["output"]("bmp")


def test_any_format_is_embedded(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, f"""
        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: markdown

        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: png
           :stage: 2
           :rankdir: TB
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    folder = out / "_images" / "adviz"
    markdown, = folder.glob("*.md")
    png, = folder.glob("*.png")
    assert "dy/dx1" in markdown.read_text(encoding="utf-8")
    assert f'href="_images/adviz/{markdown.name}"' in page
    assert f'<img class="adviz-picture adviz-png" src="_images/adviz/{png.name}"' in page


def test_output_node_takes_the_expression_s_own_output_only(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, """
        .. adviz:: x * x
           :at: x=3
           :output: svg
           :output-node: y

        .. adviz:: x * x
           :at: x=3
           :output: svg
           :output-node: y2
        """)
    assert "output='y2' does not apply to this trace: its only output is 'y'" in warnings
    assert re.search(r"index\.rst:\d+: WARNING: ", warnings), warnings
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('class="adviz-picture adviz-svg"') == 1


def test_size_fills_a_slide_page(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, """
        .. adviz:: (x1 - x2)**2 + cos(x1 + x2)
           :at: x1=1 x2=2
           :output: svg
           :size: 16:9

        .. adviz:: x * x + 1
           :at: x=3
           :output: frames
           :phase: reverse
           :size: blog

        .. adviz:: x * x
           :at: x=3
           :output: player
           :size: 16:9

        .. adviz:: x * x
           :at: x=3
           :output: svg
           :size: huge
        """)
    page = (out / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img class="adviz-picture[^"]*" src="([^"]+)"', page)
    sources += re.findall(r'<img[^>]* src="(_images/adviz/[^"]+/reverse-000.svg)"', page)
    svg = (out / sources[0]).read_text(encoding="utf-8")
    assert 'width="1280.00px" height="720.00px"' in svg
    frame = (out / sources[-1]).read_text(encoding="utf-8")
    assert 'width="760.00px"' in frame
    assert ":size: do not apply to :output: player" in warnings.replace("does", "do")
    assert "unknown size 'huge'" in warnings


FUNCTIONS = """\
import adviz


def polar(r, a=0.5):
    return r * adviz.cos(a), r * adviz.sin(a)
"""


def test_a_function_by_import_path_or_file(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """``:function:`` draws a Python function (here returning two outputs, so
    ``:output-node: y2`` draws y2's sweep), by import path or by file (from the page)."""
    import math

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "shapes_t17.py").write_text(FUNCTIONS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    out, warnings = build(tmp_path, """
        .. adviz::
           :function: shapes_t17:polar
           :at: r=2
           :output: svg
           :phase: reverse
           :output-node: y2

        .. adviz::
           :function: ../lib/shapes_t17.py:polar
           :at: r=2, a=0.25
           :phase: tangents

        .. adviz::
           :function: shapes_t17:polar
           :at: r=2
           :output: frames
           :phase: tangents
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    svg_source = re.search(r'src="(_images/adviz/adviz-[0-9a-f]+\.svg)"', page)
    assert svg_source is not None
    svg = (out / svg_source.group(1)).read_text(encoding="utf-8")
    assert "Reverse sweep for y2" in svg
    assert f"g = {2 * math.cos(0.5):.5f}" in svg  # dy2/da = r cos(a), y2's Jacobian row
    assert 'alt="shapes_t17:polar at r = 2, a = 0.5: reverse pass"' in page
    # the player of one forward sweep per input, from the file (a path from the page)
    assert re.findall(r'"name":"(tangent-\w+)"', page) == ["tangent-r", "tangent-a"]
    assert f"= {math.cos(0.25):.5f}" in page  # the first sweep's y1 tangent: dy1/dr
    frames = re.findall(r'src="(_images/adviz/adviz-[0-9a-f]+/[^"]+\.svg)"', page)
    assert [Path(f).name for f in frames] == [f"tangent-r-{k:03d}.svg" for k in range(5)] + [
        f"tangent-a-{k:03d}.svg" for k in range(6)]
    assert "gradient from the forward sweeps" in page  # the last frame's alt text
    assert "tangent-a stage 2: " in page
