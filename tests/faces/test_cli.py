"""The adviz command, end to end in temporary folders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import adviz
from adviz.faces.cli import main
from adviz.writers.files import MANIFEST

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_table_prints_the_walkthrough() -> None:
    code, out = run("table", SEED, "--at", "x1=1", "--at", "x2=2")
    assert code == 0
    row = "Process parents of t4, i.e. t3: g_t3 += g_t4 * dt4/dt3 = 1 * (-sin(t3)) = -0.14112"
    assert row in out
    assert "dy/dx1 = g_x1 = -2.14112" in out


def test_check_compares_with_finite_differences() -> None:
    code, out = run("check", "sigmoid(w*x + b)", "--at", "w=0.5", "--at", "x=2", "--at", "b=-1")
    assert code == 0 and "OK" in out


def test_descent_prints_the_trajectory() -> None:
    code, out = run("descent", "(x - 1)**2", "--at", "x=3", "--lr", "0.25", "--steps", "4")
    assert code == 0
    assert out.splitlines()[2].split()[:2] == ["1", "2"]  # x: 3 - 0.25 * 4 = 2
    assert "stopped: steps done" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["table", "x +", "--at", "x=1"], 1, "syntax error"),
        (["table", "x + y", "--at", "x=1"], 1, "no value given for input 'y'"),
        (["table", "x", "--at", "x=abc"], 2, "not a number"),
        (["table", "x", "--at", "x"], 2, "NAME=VALUE"),
        (["table", "__import__('os').system('true')"], 1, "attribute access"),
        (["render", "x*x", "--at", "x=1", "--format", "bmp"], 2, "unknown format bmp"),
        (["nonsense"], 2, "No such command"),
    ],
)
def test_errors_are_one_line_with_exit_codes(args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback() -> None:
    result = CliRunner().invoke(main, ["--debug", "table", "log(x)", "--at", "x=-1"])
    assert result.exit_code == 1
    assert "log is undefined" in result.output


def test_function_from_a_file_with_defaults(tmp_path: Path) -> None:
    source = tmp_path / "model.py"
    source.write_text("import adviz\n\ndef loss(w=0.5, x=2.0):\n    return adviz.tanh(w * x)\n")
    code, out = run("table", f"{source}:loss")
    assert code == 0 and "y = tanh(t1)" in out
    code, out = run("table", f"{source}:missing")
    assert code == 1 and "no function named 'missing'" in out


def test_every_command_has_help_with_examples() -> None:
    for command in ["render", "demo", "table", "check", "descent"]:
        code, out = run(command, "--help")
        assert code == 0 and "Example" in out, command


def test_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "adviz", "table", "x*x", "--at", "x=3"],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert result.returncode == 0, result.stderr
    assert "dy/dx = g_x = 6" in result.stdout


def test_render_writes_the_default_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "-o", str(out), "-q")
    assert code == 0, text
    frames = sorted(p.name for p in (out / "frames").iterdir())
    assert frames == [f"forward-{i:03d}.svg" for i in range(6)] + [
        f"reverse-{i:03d}.svg" for i in range(6)]
    for name in ["reverse.gif", "index.html", "walkthrough.md", "graph.json"]:
        assert (out / name).stat().st_size > 0, name
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST) == sorted(
        ["frames", "reverse.gif", "index.html", "walkthrough.md", "graph.json"])


def test_render_subset_of_formats(tmp_path: Path) -> None:
    code, _ = run("render", "x*x", "--at", "x=2", "-o", str(tmp_path), "--format", "md,json")
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST)
    assert names == ["graph.json", "walkthrough.md"]


def test_render_forward_mode_with_a_seed(tmp_path: Path) -> None:
    code, out = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "--phase", "tangent",
                    "--seed", "x2", "--format", "svg,tex,html", "-o", str(tmp_path / "out"))
    assert code == 0, out
    frames = sorted(p.name for p in (tmp_path / "out" / "frames").iterdir())
    assert frames == [f"tangent-{k:03d}.svg" for k in range(6)]
    last = (tmp_path / "out" / "frames" / frames[-1]).read_text(encoding="utf-8")
    assert "forward mode, seed ẋ₁ = 0, ẋ₂ = 1" in last and "ẏ = 1.85888" in last
    slides = (tmp_path / "out" / "slides.tex").read_text(encoding="utf-8")
    assert slides.count("\\only<") == 6 and "\\dot{x}_{2} = 1" in slides
    player = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'data-phase="tangent"' in player


@pytest.mark.parametrize(("args", "message"), [
    (["--seed", "x1"], "--seed applies to --phase tangent or modes"),
    (["--phase", "tangent", "--seed", "x1=one"], "'one' (for x1) is not a number"),
    (["--phase", "tangent", "--seed", "z"], "the seed names 'z'"),
])
def test_render_refuses_a_bad_seed(tmp_path: Path, args: list[str], message: str) -> None:
    code, out = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "--format", "svg",
                    "-o", str(tmp_path / "out"), *args)
    assert code != 0 and message in out, out
    assert not (tmp_path / "out").exists()


def test_demo_renders_the_seed_example(tmp_path: Path) -> None:
    code, out = run("demo", "-o", str(tmp_path / "demo"))
    assert code == 0, out
    assert (tmp_path / "demo" / "index.html").exists()
    assert "dy/dx2 = g_x2 = 1.85888" in out


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out = run("render", "x*x", "--at", "x=1", "-o", str(blocker / "out"), "--format", "md")
    assert code == 1
    assert "cannot create the folder" in out


@pytest.mark.slow
def test_gallery_renders_every_example(tmp_path: Path) -> None:
    code, out = run("gallery", "-o", str(tmp_path / "g"))
    assert code == 0, out
    folders = sorted(p.name for p in (tmp_path / "g").iterdir())
    scripts = sorted(Path(__file__).parents[2].joinpath("gallery").glob("plot_*.py"))
    assert len(folders) == len(scripts)
    assert all(any((tmp_path / "g" / f).iterdir()) for f in folders)


def test_gallery_without_scripts(tmp_path: Path) -> None:
    code, out = run("gallery", "--source", str(tmp_path), "-o", str(tmp_path / "o"))
    assert code == 1 and "no gallery scripts" in out


def test_demo_interactive_writes_the_demonstration_page(tmp_path: Path) -> None:
    code, out = run("demo", "--interactive", "-q", "--format", "md", "-o", str(tmp_path))
    assert code == 0, out
    page = (tmp_path / "demo.html").read_text()
    assert "window.adviz" in page and 'class="adviz-data"' in page
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST)
    assert names == ["demo.html", "walkthrough.md"]


def test_format_choices_and_help_come_from_the_registry() -> None:
    from adviz.faces.cli import all_formats, default_formats
    from adviz.writers import writers

    registered = writers()
    assert all_formats() == tuple(registered)
    assert default_formats() == tuple(n for n, w in registered.items() if w.default)
    text = " ".join(run("render", "--help")[1].split())
    for name in registered:
        assert f" {name}," in text or f" {name} (" in text, name
    top = run("--help")[1]
    for writer in registered.values():
        assert f"{writer.name:<9} {writer.description}" in top


def test_phase_and_theme_choices_are_the_shared_ones() -> None:
    import adviz
    from adviz.core.phases import PLAYER_PHASES
    from adviz.faces.cli import render

    params = {p.name: p for p in render.params}
    assert tuple(params["phase"].type.choices) == PLAYER_PHASES  # type: ignore[attr-defined]
    assert list(params["theme"].type.choices) == list(adviz.THEMES)  # type: ignore[attr-defined]


def test_options_go_to_the_formats_that_take_them(tmp_path: Path) -> None:
    code, out = run("render", "x*x", "--at", "x=2", "-o", str(tmp_path), "-q",
                    "--format", "tex,md,html,demo", "--phase", "forward")
    assert code == 0, out
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST)
    assert written == ["demo.html", "index.html", "slides.tex", "walkthrough.md"]
    assert 'class="adviz-demo' in (tmp_path / "demo.html").read_text(encoding="utf-8")
    import adviz

    slides = (tmp_path / "slides.tex").read_text(encoding="utf-8")
    assert slides == adviz.to_beamer(adviz.trace("x*x", x=2), "forward")
    code, out = run("render", "x*x", "--at", "x=2", "-o", str(tmp_path / "b"),
                    "--format", "md,json", "--fps", "5")
    assert code == 1 and "--fps does not apply to markdown, json" in out
    assert not (tmp_path / "b").exists()


def test_descent_output_formats_and_options_come_from_the_registry(tmp_path: Path) -> None:
    from adviz.writers import writers

    suffixes = [s for w in writers().values() if w.descent for s in w.suffixes]
    help_text = " ".join(run("descent", "--help")[1].split())
    assert ", ".join(suffixes) in help_text
    code, out = run("descent", "(x - 1)**2", "--at", "x=3", "--steps", "1", "-q",
                    "-o", str(tmp_path / "run.pdf"), "--fps", "3")
    assert code == 1 and "--fps does not apply to pdf" in out
    code, out = run("descent", "(x - 1)**2", "--at", "x=3", "-o", str(tmp_path / "run.svg"))
    assert code == 2 and ", ".join(suffixes) in " ".join(out.split())
    assert [p for p in tmp_path.iterdir() if p.name != MANIFEST] == []


def test_render_takes_the_output_node_of_a_vector_function(tmp_path: Path) -> None:
    source = tmp_path / "polar.py"
    source.write_text("import adviz\n\ndef polar(r=2.0, a=0.5):\n"
                      "    return r * adviz.cos(a), r * adviz.sin(a)\n")
    out = tmp_path / "out"
    code, text = run("render", f"{source}:polar", "--format", "svg,markdown",
                     "--phase", "reverse", "--output-node", "y2", "-o", str(out), "-q")
    assert code == 0, text
    frames = sorted((out / "frames").glob("reverse-*.svg"))
    assert frames and "Reverse sweep for y2" in frames[-1].read_text(encoding="utf-8")
    assert "g\\_y1 = 1" not in (out / "walkthrough.md").read_text(encoding="utf-8")
    code, text = run("render", f"{source}:polar", "--format", "svg", "--output-node", "y5",
                     "-o", str(tmp_path / "bad"), "-q")
    assert code == 1 and "'y5' is not an output of this trace" in text
    assert not (tmp_path / "bad").exists()
    code, text = run("render", "--help")
    assert "--output-node" in text


def test_size_fills_the_page_in_every_picture_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "(x1 - x2)**2 + cos(x1 + x2)", "--at", "x1=1",
                                       "--at", "x2=2", "--format", "svg,pdf,html", "--size",
                                       "16:9", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = (out / "frames" / "reverse-003.svg").read_text(encoding="utf-8")
    assert 'width="1280.00px" height="720.00px"' in frame
    assert b"/MediaBox [ 0 0 921.6 518.4 ]" in (out / "reverse.pdf").read_bytes()  # 12.8x7.2 in
    assert (out / "index.html").is_file()  # the player takes no size: drawn as usual


def test_a_size_too_small_is_refused_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "x * y + sin(x)", "--at", "x=1", "--at",
                                       "y=2", "--format", "svg", "--size", "200x100", "-q",
                                       "-o", str(out)])
    assert result.exit_code == 1
    assert "min_text" in result.output and not out.exists()
    bad = CliRunner().invoke(main, ["render", "x * y", "--at", "x=1", "--at", "y=2",
                                    "--size", "huge", "-o", str(out)])
    assert bad.exit_code == 1 and "unknown size 'huge'" in bad.output


def test_hold_sets_the_seconds_of_each_stage(tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "x * y", "--at", "x=1", "--at", "y=2",
                                       "--format", "gif", "--hold", "3", "--phase", "reverse",
                                       "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out / "reverse.gif") as im:
        im.seek(0)
        assert im.info["duration"] == 3000  # the first stage: held, no travel before it
        im.seek(im.n_frames - 1)
        assert im.info["duration"] == 6000  # the last: twice as long


def test_format_plus_pptx_writes_a_deck_of_both_passes(tmp_path: Path) -> None:
    pytest.importorskip("pptx")
    from pptx import Presentation

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "x * y", "--at", "x=1", "--at", "y=2",
                                       "--format", "svg,pptx", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    deck = Presentation(str(out / "slides.pptx"))
    assert len(deck.slides) == len(list((out / "frames").glob("*.svg")))


def test_format_plus_pdf_writes_both_passes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "x * y", "--at", "x=1", "--at", "y=2",
                                       "--format", "pdf", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    t = adviz.trace("x * y", x=1, y=2)
    for phase in ("forward", "reverse"):
        pages = re.findall(rb"/Count (\d+)", (out / f"{phase}.pdf").read_bytes())
        assert pages == [str(len(t.stages(phase))).encode()]
    assert (out / "forward.pdf").read_bytes() != (out / "reverse.pdf").read_bytes()


def test_render_one_forward_sweep_per_input(tmp_path: Path) -> None:
    """--phase tangents: the player has a part per input, the frames a sequence per input,
    the last frame the gradient; a one-file format shows the first input's sweep."""
    out = tmp_path / "out"
    code, text = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "--phase", "tangents",
                     "--format", "html,svg,tex", "-o", str(out), "-q")
    assert code == 0, text
    player = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'"name":"(tangent-x\d)"', player) == ["tangent-x1", "tangent-x2"]
    frames = sorted(p.name for p in (out / "frames").iterdir())
    assert frames == [f"tangent-x1-{k:03d}.svg" for k in range(6)] + [
        f"tangent-x2-{k:03d}.svg" for k in range(7)]
    last = (out / "frames" / frames[-1]).read_text(encoding="utf-8")
    assert "(−2.14112, 1.85888)" in last
    slides = (out / "slides.tex").read_text(encoding="utf-8")
    assert slides.count("\\only<") == 6  # the Beamer slides: forward mode, first input
    code, text = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "--phase", "tangents",
                     "--seed", "x1", "--format", "html", "-o", str(tmp_path / "bad"))
    assert code != 0 and "--seed applies to --phase tangent or modes" in text
    assert not (tmp_path / "bad").exists()


def test_render_a_function_by_its_import_path(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg_t17"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shapes.py").write_text("import adviz\n\ndef polar(r=2.0, a=0.5):\n"
                                       "    return r * adviz.cos(a), r * adviz.sin(a)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "out"
    code, text = run("render", "pkg_t17.shapes:polar", "--at", "a=0.25", "--format", "html",
                     "--phase", "tangents", "-o", str(out), "-q")
    assert code == 0, text
    player = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'"name":"(tangent-\w+)"', player) == ["tangent-r", "tangent-a"]
    import math
    assert f"= {math.cos(0.25):.5f}" in player  # dy1/dr, the first sweep's y1 tangent
    code, text = run("table", "pkg_t17.nothing:polar")
    assert code == 1 and "cannot import pkg_t17.nothing" in text
    code, text = run("table", "pkg_t17.shapes:square")
    assert code == 1 and "pkg_t17.shapes has no function named 'square'" in text


def test_render_with_focus_mutes_what_is_off_the_paths(tmp_path: Path) -> None:
    code, out = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "--focus", "t1",
                    "--format", "svg,html", "-o", str(tmp_path / "out"))
    assert code == 0, out
    last = (tmp_path / "out" / "frames" / "reverse-005.svg").read_text(encoding="utf-8")
    assert "g_t₁ = Σ over 1 path = −2" in last
    assert 'data-state="unfocused"' in last
    player = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '"focus"' in player


@pytest.mark.parametrize(("args", "message"), [
    (["--focus", "t9"], "cannot focus on 't9'"),
    (["--zoom", "neuron 2"], "cannot zoom into 'neuron 2'"),
])
def test_render_refuses_a_bad_focus_or_zoom(tmp_path: Path, args: list[str],
                                             message: str) -> None:
    code, out = run("render", SEED, "--at", "x1=1", "--at", "x2=2", "--format", "svg",
                    "-o", str(tmp_path / "out"), *args)
    assert code != 0 and message in out, out
    assert not (tmp_path / "out").exists()


def test_legend_flag_reaches_frames_and_animations(tmp_path: Path) -> None:
    from adviz.faces.cli import render_outputs

    t = adviz.trace("x1 * x2", x1=3, x2=4)
    frames = render_outputs(t, tmp_path / "on", ("svg",), phase="reverse", quiet=True,
                            legend=True)
    assert frames and all('class="legend"' in p.read_text(encoding="utf-8") for p in frames)
    plain = render_outputs(t, tmp_path / "off", ("svg",), phase="reverse", quiet=True)
    assert not any('class="legend"' in p.read_text(encoding="utf-8") for p in plain)
    result = CliRunner().invoke(main, ["render", "x1 * x2", "--at", "x1=3", "--at", "x2=4",
                                       "--format", "svg", "--legend", "-q",
                                       "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert 'class="legend"' in (tmp_path / "cli" / "frames" / "reverse-000.svg").read_text(
        encoding="utf-8")
