"""Safe output: escaping for every format, atomic files, interrupted renders, no stray writes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import adviz
from adviz.faces.cli import main

HOSTILE = "<script>alert(1)</script>"
FORMULA_CHARS = 'a&b "q" 100% {x}_1 \\'


def hostile_trace() -> adviz.Trace:
    def f(x, w):
        h = adviz.name(w * x, HOSTILE)
        k = adviz.name(adviz.sin(h), FORMULA_CHARS)
        return k * 2.0

    return adviz.trace(f, x=1.0, w=0.5)


@pytest.mark.parametrize("phase", ["forward", "reverse", "summary"])
def test_svg_frames_escape_names(phase: str) -> None:
    svg = adviz.to_svg(hostile_trace(), phase, -1 if phase != "summary" else 0)
    assert "<script" not in svg
    root = ET.fromstring(svg)  # well-formed despite &, quotes and brackets in names
    titles = [el.text for el in root.iter() if el.tag.endswith("title")]
    assert HOSTILE in titles


def test_player_escapes_names(tmp_path: Path) -> None:
    path = adviz.save(hostile_trace(), tmp_path / "page.html")
    page = path.read_text()
    assert "<script>alert(1)</script>" not in page
    import re

    addresses = set(re.findall(r"https?://[^\s\"'<>)\\]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex", "text"])
def test_walkthroughs_escape_names(fmt: str) -> None:
    out = adviz.walkthrough(hostile_trace(), fmt)
    if fmt in ("markdown", "html"):
        assert "<script>" not in out
    if fmt == "latex":
        assert "\\{x\\}\\_1" in out and "100\\%" in out and "\\textbackslash{}" in out


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_interrupted_frame_render_leaves_previous_output(tmp_path: Path, monkeypatch,
                                                         error: BaseException) -> None:
    t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    adviz.save_frames(t, tmp_path, phase="reverse")
    before = _files(tmp_path)
    import adviz.writers.frames as sequence

    calls = {"n": 0}
    original = sequence.render_frame

    def faulty(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(sequence, "render_frame", faulty)
    other = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=0.5, x2=3)
    with pytest.raises(type(error)):
        adviz.save_frames(other, tmp_path, phase="reverse")
    assert calls["n"] >= 3, "the fault was never injected"
    assert _files(tmp_path) == before


@pytest.mark.parametrize("suffix", [".gif", ".pdf", ".html", ".md", ".json"])
def test_a_failing_writer_leaves_the_previous_file(tmp_path: Path, monkeypatch,
                                                   suffix: str) -> None:
    t = adviz.trace("x * x", x=2.0)
    target = tmp_path / f"out{suffix}"
    adviz.save(t, target)
    before = target.read_bytes()
    import adviz.writers.files as fileio

    def fail(handle_path, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        adviz.save(adviz.trace("x * x * x", x=3.0), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_cli_writes_only_under_its_output_folder(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "model.py"
    source.write_text(
        "import adviz\n\n"
        "def f(x=1.0):\n"
        "    h = adviz.name(x * 2.0, '../../escaped')\n"
        "    return adviz.name(adviz.sin(h), '/tmp/abs') * 3.0\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["render", f"{source}:f", "-o", "out", "-q"])
    assert result.exit_code == 0, result.output
    outside = [p for p in tmp_path.rglob("*")
               if p.is_file() and "out" not in p.relative_to(tmp_path).parts and p != source
               and "__pycache__" not in p.parts]
    assert outside == []
    assert (work / "out" / "index.html").exists()


@pytest.mark.parametrize("hostile", [
    "</script><script>alert(1)</script>", "</SCRIPT >", "</script/", "<!--<script>",
    "<!-->", "<!-- -->", "\\</script>", "<\\/script>", "\u2028\u2029", "a<b && c>d"])
def test_embedded_data_cannot_end_its_script_element(hostile: str) -> None:
    from adviz.renderers.page import json_for_script
    from tests.page_scripts import split_scripts

    page = (f'<script type="application/json">{json_for_script({hostile: [hostile]})}'
            "</script><p>after</p>")
    markup, found = split_scripts(page)
    assert markup == '<script type="application/json"></script><p>after</p>'
    assert len(found) == 1
    assert json.loads(found[0][1]) == {hostile: [hostile]}


@pytest.mark.parametrize("name", [HOSTILE, "<!--<script>", "</script><!--"])
def test_demo_page_data_keeps_a_hostile_name_inside(name: str) -> None:
    from adviz.renderers.demo import demo_html
    from tests.page_scripts import split_scripts

    def f(x):
        return adviz.name(x * 2.0, name) + 1.0

    markup, found = split_scripts(demo_html(adviz.trace(f, x=1.0), analytic=False))
    assert len(found) == 3 and name not in markup
    data = json.loads(found[0][1])
    assert name in data["nodes"]["rows"][1]
