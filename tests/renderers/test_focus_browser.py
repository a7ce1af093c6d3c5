"""Focus in the player, in headless Chromium: clicking a node mutes everything off its paths
to the output (the same states as the focused frames) and shows the sum over the paths;
clicking it again or Escape clears it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
import adviz.examples
from adviz.scene.focus import focus_of
from adviz.scene.picture import figure
from tests.conftest import BrowserPage, page_opener
from tests.renderers.test_player_browser import shown_svg, states

pytestmark = pytest.mark.browser

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


class Page(BrowserPage):
    """A loaded player page."""


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    yield from page_opener(browser, Page)


def _expected(trace: adviz.Trace, focus: str | None, phase: str, stage: int,
              **options: Any) -> dict[str, str | None]:
    """Every element's state in the frame file of that focus (``None``: no focus)."""
    content = figure(trace, focus=focus, **options).frame(phase, stage)
    out: dict[str, str | None] = {f"node:{n}": v.state for n, v in content.nodes.items()}
    out.update({f"edge:{p}->{c}": v.state for (p, c), v in content.edges.items()})
    return out


def _click_node(page: Any, node: str) -> None:
    page.locator("g.node", has=page.locator(f"title:text-is('{node}')")).first.click()


def _state(page: Any) -> tuple[str, str]:
    player = page.locator(".adviz-player")
    return str(player.get_attribute("data-phase")), str(player.get_attribute("data-stage"))


def test_clicking_a_node_focuses_its_paths(open_page: Any, tmp_path: Path) -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    path = tmp_path / "seed.html"
    adviz.save(t, path)
    page = open_page(path).page
    focus_line = page.locator(".adviz-focus")
    assert focus_line.is_hidden()
    for _ in range(8):
        page.click(".adviz-next")
    phase, stage = _state(page)
    _click_node(page, "x1")
    shown = states(shown_svg(page, ".adviz-player"))
    assert shown == _expected(t, "x1", phase, int(stage))
    highlighted = {k for k, v in shown.items() if k.startswith("edge:") and v != "unfocused"}
    on_paths = {f"edge:{a}->{b}" for p in adviz.paths(t, "x1") for a, b in zip(p.nodes,
                                                                              p.nodes[1:])}
    assert highlighted == on_paths
    assert focus_line.inner_text() == focus_of(t, "x1").line
    # stepping keeps the focus
    page.click(".adviz-next")
    phase, stage = _state(page)
    assert states(shown_svg(page, ".adviz-player")) == _expected(t, "x1", phase, int(stage))
    # another node moves it; the same node again clears it
    _click_node(page, "t3")
    assert states(shown_svg(page, ".adviz-player")) == _expected(t, "t3", phase, int(stage))
    assert focus_line.inner_text() == focus_of(t, "t3").line
    _click_node(page, "t3")
    assert states(shown_svg(page, ".adviz-player")) == _expected(t, None, phase, int(stage))
    assert focus_line.is_hidden()
    # Escape clears it too
    _click_node(page, "x2")
    assert "unfocused" in states(shown_svg(page, ".adviz-player")).values()
    page.keyboard.press("Escape")
    assert states(shown_svg(page, ".adviz-player")) == _expected(t, None, phase, int(stage))


def test_a_page_written_with_focus_opens_focused_through_the_boxes(open_page: Any,
                                                                  tmp_path: Path) -> None:
    net = adviz.examples.mlp((2, 4, 1))
    path = tmp_path / "net.html"
    adviz.save(net, path, focus="w1_22")
    page = open_page(path).page
    assert page.locator(".adviz-player").get_attribute("data-focus") == "w1_22"
    assert page.locator(".adviz-focus").inner_text() == focus_of(net, "w1_22").line
    phase, stage = _state(page)
    shown = states(shown_svg(page, ".adviz-player"))
    assert shown == _expected(net, "w1_22", phase, int(stage))
    assert shown["node:[neuron 2]"] != "unfocused" and shown["node:[neuron 1]"] == "unfocused"
    page.keyboard.press("End")
    phase, stage = _state(page)
    assert states(shown_svg(page, ".adviz-player")) == _expected(net, "w1_22", phase, int(stage))


def test_the_demo_page_focuses_and_sums_the_paths_at_every_point(browser: Any,
                                                                  tmp_path: Path) -> None:
    from tests.renderers.test_demo_page_browser import Page as DemoPage

    t = adviz.trace(SEED, x1=1, x2=2)
    path = tmp_path / "demo.html"
    adviz.save(t, path, interactive=True, analytic=False, focus="x1")
    opened = DemoPage(browser, path)
    try:
        page = opened.page
        line = page.locator(".adviz-focus")
        assert page.locator(".adviz-demo").get_attribute("data-focus") == "x1"
        assert line.inner_text() == focus_of(t, "x1").line
        shown = {k: v[0] for k, v in opened.frame_texts().items()}
        assert shown == _expected(t, "x1", "forward", 0, collapse=(), full=True, copies=False)
        page.locator("#adviz-in-0").fill("1.5")  # the sum follows the inputs
        moved = t.retrace({"x1": 1.5, "x2": 2.0})
        assert line.inner_text() == focus_of(moved, "x1").line
        _click_node(page, "t3")
        assert line.inner_text() == focus_of(moved, "t3").line
        assert page.locator(".adviz-demo").get_attribute("data-focus") == "t3"
        _click_node(page, "t3")
        assert line.is_hidden()
        assert "unfocused" not in {v[0] for v in opened.frame_texts().values()}
        _click_node(page, "x2")
        assert "unfocused" in {v[0] for v in opened.frame_texts().values()}
        page.keyboard.press("Escape")
        assert line.is_hidden()
        assert opened.errors == [] and opened.dialogs == []
    finally:
        opened.close()


def test_clicking_a_box_opens_its_zoomed_page_and_escape_returns(open_page: Any,
                                                                 tmp_path: Path) -> None:
    from adviz.writers.zoom import save_zoom_pages, zoomable

    net = adviz.examples.mlp((2, 4, 1))
    paths = save_zoom_pages(net, tmp_path)
    scopes = zoomable(net)
    assert len(paths) == len(scopes) + 1
    page = open_page(paths[0]).page
    _click_node(page, "[neuron 2]")
    target = paths[1 + scopes.index(("layer 1", "neuron 2"))]
    page.wait_for_url(target.as_uri())
    page.wait_for_selector(".adviz-player[data-adviz-ready]", state="attached")
    drawn = set(states(shown_svg(page, ".adviz-player")))
    inside = {f"node:{n}" for n in ("t4", "t5", "t6", "z1_2", "a1_2")}
    assert inside <= drawn and "node:[neuron 1]" in drawn and "node:t1" not in drawn
    assert {k for k in drawn if k.startswith("node:")} == {
        f"node:{n}" for n in figure(net, zoom="layer 1/neuron 2").view.nodes}
    page.keyboard.press("Escape")
    page.wait_for_url(paths[0].as_uri())
