"""The HTML player in a real headless browser (Debian's Chromium, driven by Playwright).

Run with ``pytest -m browser``. The ``browser`` fixture (tests/conftest.py)
finds Chromium; screenshots go to pytest's temporary folder, or to
``$ADVIZ_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
import adviz.examples
from adviz.renderers.player import player_fragment
from adviz.renderers.svg import painted, to_svg
from adviz.scene.picture import figure
from adviz.text.labels import stage_title
from tests.conftest import BrowserPage, page_opener, same_text

pytestmark = pytest.mark.browser

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ADVIZ_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Page(BrowserPage):
    """A loaded player page."""


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    yield from page_opener(browser, Page)


@pytest.fixture(scope="module")
def light(seed: adviz.Trace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("light") / "seed.html"
    adviz.save(seed, path)
    return path


def shown_svg(page: Any, root: str) -> str:
    """The player's frame as it is now, serialised from the browser's DOM."""
    return str(page.evaluate(
        "(root) => new XMLSerializer().serializeToString("
        "document.querySelector(root + ' .adviz-frame svg'))", root))


def states(svg: str) -> dict[str, str | None]:
    """The ``data-state`` of every node and edge group, by its title."""
    ns = "{http://www.w3.org/2000/svg}"
    out = {}
    for group in ET.fromstring(svg).iter(f"{ns}g"):
        title = group.find(f"{ns}title")
        if group.get("class") in ("node", "edge") and title is not None:
            out[f"{group.get('class')}:{title.text}"] = group.get("data-state")
    return out


def assert_same_drawing(page: Any, trace: adviz.Trace, phase: str, stage: int, root: str,
                        theme: str, **options: Any) -> None:
    """Every node and edge as in the frame file: state, fill, stroke, width, opacity,
    arrowhead direction and text lines; the caption as the frame file's caption."""
    reference = to_svg(trace, phase, stage, theme=theme, **options)
    expected = painted(reference)
    caption = expected.pop("caption")
    svg = shown_svg(page, root)
    shown = painted(svg)
    assert "caption" not in shown  # the page shows the caption as text instead
    assert shown.keys() == expected.keys()
    for key, record in expected.items():
        assert shown[key] == record, (phase, stage, key)
    assert states(svg) == states(reference)
    notice = len(figure(trace, theme=theme, **options).caption.notice)
    text = page.locator(root).locator(".adviz-caption").text_content()
    assert same_text(" ".join(caption.texts[:len(caption.texts) - notice]), text)


def assert_shows(page: Any, trace: adviz.Trace, phase: str, stage: int,
                 root: str = ".adviz-player", theme: str = "light", **options: Any) -> None:
    """Frame, caption, slider, counter and highlighted rows all show ``phase`` / ``stage``."""
    player = page.locator(root)
    assert (player.get_attribute("data-phase"), player.get_attribute("data-stage")) == (
        phase, str(stage))
    last = len(trace.stages(phase)) - 1
    assert same_text(stage_title(trace, phase, stage),
                     player.locator(".adviz-caption").text_content())
    assert_same_drawing(page, trace, phase, stage, root, theme, **options)
    slider = player.locator(".adviz-slider")
    assert (slider.input_value(), slider.get_attribute("max")) == (str(stage), str(last))
    assert player.locator(".adviz-counter").inner_text() == f"{stage} / {last}"
    current = player.locator("tr.adviz-current")
    expected = player.locator(f'tr[data-phase="{phase}"][data-stage="{stage}"]')
    assert current.count() == expected.count() >= 1
    for i in range(current.count()):
        row = current.nth(i)
        assert (row.get_attribute("data-phase"), row.get_attribute("data-stage")) == (
            phase, str(stage))
        assert row.get_attribute("aria-current") == "step"
    pressed = player.locator('.adviz-phases button[aria-pressed="true"]')
    if player.locator(".adviz-phases").count():
        assert pressed.count() == 1 and pressed.get_attribute("data-phase") == phase


def test_buttons_step_through_both_passes(open_page: Any, seed: adviz.Trace, light: Path) -> None:
    page = open_page(light).page
    assert_shows(page, seed, "forward", 0)
    assert page.locator(".adviz-prev").is_disabled()
    for stage in range(1, 6):
        page.click(".adviz-next")
        assert_shows(page, seed, "forward", stage)
    page.click(".adviz-next")
    assert_shows(page, seed, "reverse", 0)
    page.click(".adviz-prev")
    assert_shows(page, seed, "forward", 5)
    page.click(".adviz-next")
    for stage in range(1, 6):
        page.click(".adviz-next")
        assert_shows(page, seed, "reverse", stage)
    assert page.locator(".adviz-next").is_disabled()
    for stage in (4, 3):
        page.click(".adviz-prev")
        assert_shows(page, seed, "reverse", stage)
    assert same_text("Stage 3 of 5 — process parents of t₄: g_t₃ += g_t₄ · ∂t₄/∂t₃ = −0.14112",
                     page.text_content(".adviz-caption"))


def test_keyboard_arrows_and_space(open_page: Any, seed: adviz.Trace, light: Path) -> None:
    page = open_page(light).page
    page.keyboard.press("ArrowRight")
    assert_shows(page, seed, "forward", 1)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert_shows(page, seed, "forward", 3)
    page.keyboard.press("ArrowLeft")
    assert_shows(page, seed, "forward", 2)
    page.keyboard.press("End")
    assert_shows(page, seed, "forward", 5)
    page.keyboard.press("ArrowRight")
    assert_shows(page, seed, "reverse", 0)
    page.keyboard.press("ArrowLeft")
    assert_shows(page, seed, "forward", 5)
    page.keyboard.press("Home")
    assert_shows(page, seed, "forward", 0)
    # arrows also work after a button took the focus
    page.click(".adviz-next")
    page.keyboard.press("ArrowRight")
    assert_shows(page, seed, "forward", 2)
    # space plays and pauses (with the focus outside the buttons)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press(" ")
    assert page.get_attribute(".adviz-play", "aria-label") == "Pause"
    page.clock.run_for(1500)
    assert_shows(page, seed, "forward", 3)
    page.keyboard.press(" ")
    assert page.get_attribute(".adviz-play", "aria-label") == "Play"
    page.clock.run_for(5000)
    assert_shows(page, seed, "forward", 3)


def test_phase_switch_remembers_each_position(open_page: Any, seed: adviz.Trace,
                                              light: Path) -> None:
    page = open_page(light).page
    page.click(".adviz-next")
    page.click(".adviz-next")
    page.click('.adviz-phases button[data-phase="reverse"]')
    assert_shows(page, seed, "reverse", 0)
    for _ in range(3):
        page.click(".adviz-next")
    assert_shows(page, seed, "reverse", 3)
    page.click('.adviz-phases button[data-phase="forward"]')
    assert_shows(page, seed, "forward", 2)
    page.click('.adviz-phases button[data-phase="reverse"]')
    assert_shows(page, seed, "reverse", 3)


def test_slider_and_rows(open_page: Any, seed: adviz.Trace, light: Path) -> None:
    page = open_page(light).page
    page.locator(".adviz-slider").fill("4")
    assert_shows(page, seed, "forward", 4)
    page.click('tr[data-phase="reverse"][data-stage="2"]')
    assert_shows(page, seed, "reverse", 2)
    page.locator(".adviz-slider").fill("5")
    assert_shows(page, seed, "reverse", 5)
    page.locator(".adviz-slider").focus()
    page.keyboard.press("ArrowLeft")  # the slider's own key handling, one step
    assert_shows(page, seed, "reverse", 4)


def test_play_runs_to_the_end_and_stops(open_page: Any, seed: adviz.Trace, light: Path) -> None:
    page = open_page(light).page
    page.click(".adviz-play")
    assert page.inner_text(".adviz-play") == "Play" or page.get_attribute(
        ".adviz-play", "aria-label") == "Pause"
    page.clock.run_for(1500)
    assert_shows(page, seed, "forward", 1)
    page.clock.run_for(1500 * 12)
    assert_shows(page, seed, "reverse", 5)
    assert page.get_attribute(".adviz-play", "aria-label") == "Play"
    page.click(".adviz-play")  # from the end, play starts over
    assert_shows(page, seed, "forward", 0)
    page.click(".adviz-next")  # a manual step pauses
    assert page.get_attribute(".adviz-play", "aria-label") == "Play"
    assert_shows(page, seed, "forward", 1)


def test_screenshots_light_dark_wide_narrow(open_page: Any, seed: adviz.Trace, shots: Path,
                                            tmp_path: Path) -> None:
    dark = adviz.save(seed, tmp_path / "dark.html", theme="dark")
    light = adviz.save(seed, tmp_path / "light.html")
    tall = adviz.save(seed, tmp_path / "tall.html", rankdir="TB")
    cases = (("light", light, 1400, "stacked"), ("dark", dark, 1400, "stacked"),
             ("wide", light, 1800, "beside"), ("narrow", light, 560, "stacked"),
             ("tb", tall, 1400, "beside"))
    for name, path, width, arrangement in cases:
        page = open_page(path, width=width, height=900).page
        page.click('.adviz-phases button[data-phase="reverse"]')
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        theme = "dark" if name == "dark" else "light"
        if name == "tb":
            assert page.locator(".adviz-player.adviz-wide").count() == 0
        else:
            assert_shows(page, seed, "reverse", 3, theme=theme)
        target = shots / f"player-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        frame = page.locator(".adviz-frame").bounding_box()
        table = page.locator(".adviz-table").bounding_box()
        assert frame is not None and table is not None
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways page
        if arrangement == "stacked":  # the walkthrough below the graph
            assert table["y"] >= frame["y"] + frame["height"]
        else:  # the walkthrough beside the graph
            assert table["x"] >= frame["x"] + frame["width"]
            assert table["y"] < frame["y"] + frame["height"]
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.adviz-player')).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (theme == "light")


def test_hostile_names_run_no_script(open_page: Any, tmp_path: Path) -> None:
    def f(x1, x2):
        h = adviz.name((x1 - x2) ** 2, "<img src=x onerror=alert(1)>")
        return h + adviz.cos(x1 + x2)

    t = adviz.trace(f, x1=1.0, x2=2.0, output="<script>alert(2)</script>")
    path = adviz.save(t, tmp_path / "hostile.html", title="<script>alert(3)</script>")
    page = open_page(path).page
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    assert_shows(page, t, "reverse", 5)
    assert page.locator(".adviz-frame img, .adviz-frame script, .adviz-table img").count() == 0
    assert page.locator("script").count() == 2
    assert "<script>alert(3)</script>" in page.inner_text(".adviz-title")


def test_two_notebook_players_on_one_page(open_page: Any, seed: adviz.Trace,
                                          tmp_path: Path) -> None:
    other = adviz.trace("x * x", x=3)
    shutil.rmtree(tmp_path, ignore_errors=True)
    tmp_path.mkdir()
    path = tmp_path / "notebook.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        f"<div id='a'>{seed._repr_html_()}</div><div id='b'>{player_fragment(other, compact=True)}"
        "</div></body></html>", encoding="utf-8")
    page = open_page(path).page
    assert page.locator(".adviz-player[data-adviz-ready]").count() == 2
    page.click("#b .adviz-next")
    assert_shows(page, other, "forward", 1, "#b .adviz-player")
    assert_shows(page, seed, "forward", 0, "#a .adviz-player")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("ArrowRight")  # keys belong to a player only while it has the focus
    assert_shows(page, seed, "forward", 0, "#a .adviz-player")
    page.click("#a .adviz-caption")
    page.keyboard.press("ArrowRight")
    assert_shows(page, seed, "forward", 1, "#a .adviz-player")
    assert_shows(page, other, "forward", 1, "#b .adviz-player")


PARITY_CASES = {
    "seed": (lambda: adviz.trace(SEED, x1=1, x2=2), {}),
    "seed-tb-dark": (lambda: adviz.trace(SEED, x1=1, x2=2), {"rankdir": "TB", "theme": "dark"}),
    "network-collapsed": (lambda: adviz.examples.network(), {"collapse": ["hidden layer"]}),
    "rnn-copies": (lambda: adviz.examples.rnn(6), {"copies": True}),
}


@pytest.mark.parametrize("case", sorted(PARITY_CASES))
def test_every_stage_draws_what_the_frame_files_draw(open_page: Any, tmp_path: Path,
                                                     case: str) -> None:
    """Stepping forward, back, by slider and by keys reproduces every frame file's drawing."""
    make, options = PARITY_CASES[case]
    trace = make()
    theme = options.get("theme", "light")
    drawing = {k: v for k, v in options.items() if k != "theme"}
    path = adviz.save(trace, tmp_path / f"{case}.html", **options)
    page = open_page(path).page
    order = [(phase, k) for phase in ("forward", "reverse")
             for k in range(len(trace.stages(phase)))]
    assert_shows(page, trace, "forward", 0, theme=theme, **drawing)
    for phase, k in order[1:]:
        page.click(".adviz-next")
        assert_shows(page, trace, phase, k, theme=theme, **drawing)
    for phase, k in reversed(order[:-1]):
        page.click(".adviz-prev")
        assert_shows(page, trace, phase, k, theme=theme, **drawing)
    page.click('.adviz-phases button[data-phase="reverse"]')
    last = len(trace.reverse_stages) - 1
    for k in (last, 1, last // 2, 0, last - 1):
        page.locator(".adviz-slider").fill(str(k))
        assert_shows(page, trace, "reverse", k, theme=theme, **drawing)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("End")
    assert_shows(page, trace, "reverse", last, theme=theme, **drawing)
    page.keyboard.press("Home")
    assert_shows(page, trace, "reverse", 0, theme=theme, **drawing)
    page.keyboard.press("ArrowLeft")
    assert_shows(page, trace, "forward", len(trace.forward_stages) - 1, theme=theme, **drawing)


@pytest.mark.slow
def test_every_gallery_example_in_every_theme_and_collapse(
        open_page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's own painting (its script applying the embedded changes in Chromium)
    draws every stage of every gallery example as the frame files do, as drawn and with
    each scope collapsed; the themes take turns (each theme's whole style table is
    replayed for every case in tests/renderers/test_player.py)."""
    from tests.gallery_traces import gallery_traces

    checked = 0
    themes: list[str] = []
    with gallery_traces(monkeypatch) as traces:
        for trace in traces.values():
            scopes = sorted({s for node in trace.program.nodes for s in node.scope})
            for options in [{}, *({"collapse": [s]} for s in scopes)]:
                themes.append(("light", "dark", "print")[len(themes) % 3])
                for theme in themes[-1:]:
                    path = adviz.save(trace, tmp_path / f"{len(os.listdir(tmp_path))}.html",
                                      theme=theme, **options)
                    page = open_page(path).page
                    for phase in ("forward", "reverse"):
                        if phase == "reverse":
                            page.click('.adviz-phases button[data-phase="reverse"]')
                            page.keyboard.press("Home")
                        for k in range(len(trace.stages(phase))):
                            if k:
                                page.click(".adviz-next")
                            assert_same_drawing(page, trace, phase, k, ".adviz-player", theme,
                                                **options)
                            checked += 1
                    page.close()
    assert checked > 80 and len(set(themes)) == 3, checked


def _three(x1: float, x2: float) -> tuple[Any, Any, Any]:
    return (x1 - x2)**2 + adviz.cos(x1 + x2), x1 * x2, adviz.sin(x1)


def test_a_vector_trace_plays_the_sweep_of_every_output(open_page: Any, tmp_path: Path,
                                                        shots: Path) -> None:
    t = adviz.trace(_three, x1=1.0, x2=2.0)
    path = tmp_path / "vector.html"
    adviz.save(t, path)
    page = open_page(path).page
    player = page.locator(".adviz-player")
    page.keyboard.press("End")
    assert_same_drawing(page, t, "forward", len(t.forward_stages) - 1, ".adviz-player",
                        "light")
    for name in t.outputs:  # Next runs on from one output's sweep into the next one's
        count = len(t.reverse_stages_for(name))
        for stage in range(count):
            page.click(".adviz-next")
            assert player.get_attribute("data-phase") == f"reverse-{name}"
            assert player.get_attribute("data-stage") == str(stage)
            assert_same_drawing(page, t, "reverse", stage, ".adviz-player", "light",
                                output=name)
            rows = player.locator("tr.adviz-current")
            assert rows.count() >= 1
            assert rows.first.get_attribute("data-phase") == f"reverse-{name}"
        if name == "y2":
            page.screenshot(path=str(shots / "vector-y2.png"))
    assert page.locator(".adviz-next").is_disabled()
    page.click('.adviz-phases button[data-phase="reverse-y1"]')
    assert player.get_attribute("data-phase") == "reverse-y1"
    assert_same_drawing(page, t, "reverse", len(t.reverse_stages_for("y1")) - 1,
                        ".adviz-player", "light", output="y1")


@pytest.mark.parametrize(("seed_of", "options"), [
    ("x2", {}),
    ({"x1": 1.0, "x2": 1.0}, {"theme": "dark", "rankdir": "TB"}),
])
def test_forward_mode_stages_draw_what_the_frame_files_draw(
        open_page: Any, tmp_path: Path, seed_of: Any, options: dict[str, Any]) -> None:
    """A player of both modes: the page's script paints every forward-mode (tangent) stage as
    the tangent frame files do, then every reverse stage as the reverse frame files do."""
    trace = adviz.trace(SEED, x1=1, x2=2)
    theme = options.get("theme", "light")
    drawing = {k: v for k, v in options.items() if k != "theme"}
    path = adviz.save(trace, tmp_path / "modes.html", phase="modes", seed=seed_of, **options)
    page = open_page(path).page
    stages = len(trace.forward_stages)
    for k in range(stages):
        if k:
            page.click(".adviz-next")
        assert_same_drawing(page, trace, "tangent", k, ".adviz-player", theme,
                            seed=seed_of, **drawing)
    for k in range(len(trace.reverse_stages)):
        page.click(".adviz-next")
        assert_same_drawing(page, trace, "reverse", k, ".adviz-player", theme, **drawing)
    page.click('.adviz-phases button[data-phase="tangent"]')
    page.keyboard.press("End")
    shown = painted(shown_svg(page, ".adviz-player"))
    assert shown["edge:t4->y"].toward_parent is False
    assert any("ẏ = " in text for text in shown["node:y"].texts)
