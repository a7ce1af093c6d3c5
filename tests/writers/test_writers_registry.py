"""The format registry: what each writer declares, and how `save` checks options against it."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.core.phases import ALL_PHASES
from adviz.errors import AdvizError, InputError
from adviz.writers import Writer, format_named, register_writer, save, writer_for, writers
from adviz.writers.options import Option, check_options

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


@pytest.fixture(scope="module")
def run() -> adviz.Descent:
    return adviz.descent("(x - 1)**2", {"x": 3.0}, lr=0.25, steps=2)


def test_every_writer_declares_itself() -> None:
    all_writers = writers()
    assert {"svg", "png", "gif", "webp", "apng", "mp4", "pdf", "html", "demo", "tex",
            "markdown", "text", "json"} <= set(all_writers)
    for name, writer in all_writers.items():
        assert writer.name == name
        assert writer.suffixes and all(s.startswith(".") for s in writer.suffixes), name
        names = [o.name for o in writer.options]
        assert len(names) == len(set(names)), name
        assert set(writer.phases) <= set(ALL_PHASES), name
        assert Path(writer.file_name()).suffix in writer.suffixes, name
        assert writer.description and "/" in writer.mime, name
        assert writer.descent == bool(writer.descent_options), name
        for option in writer.options + writer.descent_options:
            assert option.help, (name, option.name)
            if option.default is not None:  # the default passes its own check
                assert option.check(option.default, name) == option.default


def _signature_defaults(function: Any) -> dict[str, Any]:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


@pytest.mark.parametrize(("fmt", "function"), [
    ("svg", "adviz.renderers.svg:to_svg"),
    ("html", "adviz.renderers.player:player_html"),
    ("demo", "adviz.renderers.demo:demo_html"),
    ("tex", "adviz.renderers.tikz:to_beamer"),
    ("gif", "adviz.renderers.mpl.animation:Animator"),
    ("pdf", "adviz.renderers.mpl.animation:Animator"),
    ("png", "adviz.renderers.mpl.animation:Animator"),
])
def test_declared_defaults_are_the_renderers(fmt: str, function: str) -> None:
    import importlib

    module, _, attr = function.partition(":")
    defaults = _signature_defaults(getattr(importlib.import_module(module), attr))
    declared = {o.name: o.default for o in writers()[fmt].options}
    shared = set(declared) & set(defaults)
    assert shared, fmt
    for name in shared:
        assert declared[name] == defaults[name], (fmt, name)


def test_animation_timing_defaults_are_the_animators() -> None:
    from adviz.renderers.mpl import animation, descent

    gif = writers()["gif"]
    assert gif.option("fps").default == animation.DEFAULT_FPS  # type: ignore[union-attr]
    assert gif.option("tween").default == animation.DEFAULT_TWEEN  # type: ignore[union-attr]
    assert gif.option("hold").default == animation.DEFAULT_HOLD  # type: ignore[union-attr]
    assert gif.option("fps", descent=True).default == descent.DEFAULT_FPS  # type: ignore[union-attr]
    assert gif.option("hold", descent=True).default == descent.DEFAULT_HOLD  # type: ignore[union-attr]


def test_theme_choices_are_the_themes() -> None:
    for writer in writers().values():
        option = writer.option("theme")
        if option is not None:
            assert option.allowed() == tuple(adviz.THEMES)


@pytest.mark.parametrize("fmt", ["svg", "png", "gif", "pdf", "html", "demo", "tex", "markdown",
                                 "json"])
def test_unknown_option_names_the_format_and_its_options(
        seed: adviz.Trace, tmp_path: Path, fmt: str) -> None:
    writer = writers()[fmt]
    takes = ", ".join(o.name for o in writer.options) or "no options"
    with pytest.raises(InputError) as info:
        save(seed, tmp_path / f"x{writer.suffixes[0]}", interactive=writer.interactive,
             colour="red")
    assert str(info.value) == f"'colour' does not apply to {fmt} (it takes: {takes})"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("file", "options", "message"), [
    ("x.gif", {"fps": "fast"}, "fps must be a number from 0.1 to 60, not 'fast'"),
    ("x.gif", {"fps": -2}, "fps must be a number from 0.1 to 60, not -2"),
    ("x.gif", {"dpi": True}, "dpi must be a number from 10 to 600, not True"),
    ("x.gif", {"tween": 1.5}, "tween must be an integer from 0 to 60, not 1.5"),
    ("x.gif", {"hold": 0}, "hold must be a number from 0.1 to 600, not 0"),
    ("x.gif", {"tween": 61}, "tween must be an integer from 0 to 60, not 61"),
    ("x.gif", {"theme": "neon"}, "unknown theme 'neon' for gif; use 'light', 'dark', 'print'"),
    ("x.gif", {"phase": "summary"},
     "phase 'summary' does not apply to gif (it takes: 'forward', 'reverse', 'tangent', "
     "'both', 'modes')"),
    ("x.gif", {"phase": "sideways"}, "unknown phase 'sideways' for gif; use 'forward', "),
    ("x.png", {"phase": "both"}, "phase 'both' does not apply to png (it takes: 'forward', "),
    ("x.svg", {"stage": "3"}, "stage must be an integer, not '3'"),
    ("x.svg", {"rankdir": "RL"}, "unknown rankdir 'RL' for svg; use 'LR', 'TB'"),
    ("x.svg", {"collapse": "neuron"}, "collapse must be a list or tuple or set or frozenset"),
    ("x.tex", {"standalone": "yes"}, "standalone must be True or False, not 'yes'"),
    ("x.html", {"fps": 3}, "'fps' does not apply to html (it takes: theme, rankdir, phase, "
                           "title, engine, collapse, full, copies, seed, output, view, "
                           "granularity, focus, zoom)"),
    ("x.md", {"theme": "dark"}, "'theme' does not apply to markdown (it takes: output)"),
    ("x.gif", {"a": 1, "b": 2}, "'a', 'b' do not apply to gif"),
])
def test_wrong_options_are_refused_before_rendering(
        seed: adviz.Trace, tmp_path: Path, file: str, options: dict[str, Any],
        message: str) -> None:
    with pytest.raises(InputError) as info:
        save(seed, tmp_path / file, **options)
    assert str(info.value).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_a_phase_member_is_a_phase(seed: adviz.Trace, tmp_path: Path) -> None:
    from adviz.core.phases import Phase

    path = save(seed, tmp_path / "f.svg", phase=Phase.FORWARD, stage=1)
    assert "Stage 1 of" in path.read_text(encoding="utf-8")


def test_descent_runs_take_their_own_options(run: adviz.Descent, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^'phase' does not apply to gif of a gradient-descent "
                                         r"run \(it takes: fps, hold, "):
        save(run, tmp_path / "r.gif", phase="forward")
    with pytest.raises(InputError, match="cannot be saved as html"):
        save(run, tmp_path / "r.html")
    assert list(tmp_path.iterdir()) == []


def test_interactive_applies_to_html_only(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"interactive=True does not apply to gif .*\.html"):
        save(seed, tmp_path / "x.gif", interactive=True)
    assert writer_for("x.html", interactive=True).name == "demo"
    assert writer_for("x.html").name == "html"


def test_save_refuses_what_is_not_a_trace(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not str"):
        save("x * x", tmp_path / "x.svg")  # type: ignore[arg-type]


def test_format_named_takes_names_and_suffixes() -> None:
    assert format_named("md").name == "markdown"
    assert format_named("GIF").name == "gif"
    assert format_named("htm").name == "html"
    with pytest.raises(InputError, match="unknown format 'bmp'; use one of apng, demo, gif, "):
        format_named("bmp")


def test_register_writer_checks_the_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    import adviz.writers as registry

    monkeypatch.setattr(registry, "_REGISTRY", dict(writers()))

    def write(trace: adviz.Trace, path: Path) -> None:
        path.write_text("x")

    with pytest.raises(AdvizError, match="already registered"):
        register_writer(Writer("gif", (".gif2",), write))
    with pytest.raises(AdvizError, match="lower case"):
        register_writer(Writer("Bad Name", (".x",), write))
    with pytest.raises(AdvizError, match="start with a dot"):
        register_writer(Writer("fine", ("x",), write))
    with pytest.raises(AdvizError, match="takes an adviz.writers.Writer"):
        register_writer("gif")  # type: ignore[arg-type]
    register_writer(Writer("fine", (".fine",), write))
    assert writer_for("a.fine").name == "fine"


def test_option_checks() -> None:
    number = Option("x", float, 1.0, "a number", minimum=0, exclusive=True)
    assert number.check(2, "f") == 2  # an int is a number
    with pytest.raises(InputError, match="x must be a positive number, not False"):
        number.check(False, "f")
    optional = Option("y", int, None, "maybe")
    assert optional.check(None, "f") is None
    assert check_options("f", (number,), {}) == {}


def test_format_overrides_the_suffix(seed: adviz.Trace, tmp_path: Path) -> None:
    page = save(seed, tmp_path / "page.html", format="demo", analytic=False)
    assert 'class="adviz-demo' in page.read_text(encoding="utf-8")
    notes = save(seed, tmp_path / "notes.txt", format="md")
    assert notes.read_text(encoding="utf-8") == adviz.walkthrough(seed, "markdown")
    with pytest.raises(InputError, match="unknown format 'bmp'"):
        save(seed, tmp_path / "x.bmp", format="bmp")
