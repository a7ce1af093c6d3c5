"""Third-party writers through the entry-point group ``adviz.writers``.

The plugin is the example of the how-to page (docs/howto/plugin/adviz_dot.py),
installed here by answering the entry-point lookup with its entry point.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from click.testing import CliRunner

import adviz
import adviz.writers as registry
from adviz.errors import InputError
from adviz.faces.cli import all_formats, main
from adviz.writers import ENTRY_POINT_GROUP, PluginWarning, save, writers

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "howto" / "plugin"
SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def _install(monkeypatch: pytest.MonkeyPatch, *points: tuple[str, str]) -> list[int]:
    """Answer the entry-point lookup with ``points``; count the lookups."""
    writers()  # the built-in writers first
    builtin = {name: w for name, w in registry._REGISTRY.items() if name in registry._BUILTIN}
    monkeypatch.setattr(registry, "_REGISTRY", builtin)
    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.syspath_prepend(str(EXAMPLE))
    calls: list[int] = []

    def entry_points() -> list[EntryPoint]:
        calls.append(1)
        return [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in points]

    monkeypatch.setattr(registry, "_entry_points", entry_points)
    return calls


@pytest.fixture
def dot(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    yield _install(monkeypatch, ("dot", "adviz_dot:writer"))


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


def test_loaded_lazily_once(dot: list[int]) -> None:
    assert dot == []
    assert "dot" in writers()
    writers()
    assert dot == [1]


def test_save_writes_the_plugin_format(dot: list[int], seed: adviz.Trace,
                                       tmp_path: Path) -> None:
    text = save(seed, tmp_path / "g.gv").read_text(encoding="utf-8")
    assert text.startswith("digraph adviz {") and "rankdir=LR;" in text
    assert text.count(" -> ") == seed.graph.number_of_edges()
    assert f"= {seed.value:.6g}" in text
    bare = save(seed, tmp_path / "g.dot", values=False, rankdir="TB").read_text()
    assert "rankdir=TB;" in bare and f"= {seed.value:.6g}" not in bare
    with pytest.raises(InputError, match=r"^'theme' does not apply to dot \(it takes: "
                                         r"rankdir, values\)$"):
        save(seed, tmp_path / "h.dot", theme="dark")
    with pytest.raises(InputError, match="values must be True or False"):
        save(seed, tmp_path / "h.dot", values="no")
    assert not (tmp_path / "h.dot").exists()


def test_the_command_line_lists_and_writes_it(dot: list[int], tmp_path: Path) -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    assert "dot       the graph in Graphviz's DOT language" in top.output
    render_help = runner.invoke(main, ["render", "--help"]).output
    assert "dot" in " ".join(render_help.split()).split("Known:")[1].split(".")[0]
    assert "dot" in all_formats()
    result = runner.invoke(main, ["render", "x * x", "--at", "x=3", "--format", "dot,md",
                                  "-q", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "graph.dot", "walkthrough.md"]
    assert "digraph" in (tmp_path / "graph.dot").read_text()
    bad = runner.invoke(main, ["render", "x", "--at", "x=1", "--format", "bmp"])
    assert bad.exit_code == 2 and "dot" in bad.output.split("choose from")[1]


def test_the_sphinx_directive_takes_it(dot: list[int], tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    from adviz.faces.sphinx import OUTPUTS, _output_choice
    from tests.faces.test_sphinxext import build

    assert "dot" in OUTPUTS and _output_choice("dot") == "dot"
    assert OUTPUTS["dot"].writer == "dot" and OUTPUTS["dot"].phases == ("both",)
    out, warnings = build(tmp_path, f"""
        .. adviz:: {SEED}
           :at: x1=1, x2=2
           :output: dot
           :rankdir: TB
        """)
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    files = list((out / "_images" / "adviz").glob("*.dot"))
    assert len(files) == 1 and f'href="_images/adviz/{files[0].name}"' in page
    assert "rankdir=TB;" in files[0].read_text()


@pytest.mark.parametrize(("value", "reason"), [
    ("adviz_no_such_module:writer", "ModuleNotFoundError"),
    ("adviz_dot:to_dot", "TypeError"),  # a function that needs arguments
    ("adviz_dot:EXAMPLE_MISSING", "AttributeError"),
])
def test_a_broken_plugin_is_a_warning(monkeypatch: pytest.MonkeyPatch, value: str,
                                      reason: str) -> None:
    _install(monkeypatch, ("broken", value), ("dot", "adviz_dot:writer"))
    with pytest.warns(PluginWarning, match=rf"'broken' \({value}\) was not loaded: {reason}"):
        names = writers()
    assert "broken" not in names and list(names)[-1] == "dot"
    assert set(names) - {"dot"} == registry._BUILTIN


def test_a_plugin_cannot_replace_a_builtin(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    module = tmp_path / "adviz_fake_gif.py"
    module.write_text(textwrap.dedent("""
        from adviz.writers import Writer
        writer = Writer("gif", (".gif",), lambda trace, path: None)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    _install(monkeypatch, ("gif", "adviz_fake_gif:writer"))
    with pytest.warns(PluginWarning, match="already registered"):
        gif = writers()["gif"]
    assert gif.write.__module__ == "adviz.writers.animation"


def test_a_factory_function_gives_the_writer(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    module = tmp_path / "adviz_factory.py"
    module.write_text(textwrap.dedent("""
        from adviz.writers import Writer
        def make():
            return Writer("made", (".made",), lambda trace, path: path.write_text("made"))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    _install(monkeypatch, ("made", "adviz_factory:make"))
    assert writers()["made"].suffixes == (".made",)
