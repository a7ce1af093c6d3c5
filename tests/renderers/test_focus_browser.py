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


# ---------------------------------------------------------------- the neuron view

def _click_edge(page: Any, parent: str, child: str) -> None:
    """Click a drawn edge on its line, a third of the way from its parent (its labels let
    the pointer through)."""
    group = page.locator("g.edge", has=page.locator(f"title:text-is('{parent}->{child}')"))
    point = group.first.locator("path").first.evaluate(
        "(p) => { const m = p.getScreenCTM(), q = p.getPointAtLength(p.getTotalLength() / 3);"
        " return [m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]; }")
    page.mouse.click(point[0], point[1])


def test_clicking_a_weight_in_the_neuron_view_focuses_its_paths(open_page: Any,
                                                                 tmp_path: Path) -> None:
    net = adviz.examples.mlp((2, 4, 1))
    path = tmp_path / "net.html"
    adviz.save(net, path, view="network")
    page = open_page(path).page
    page.keyboard.press("End")
    phase, stage = _state(page)
    line = page.locator(".adviz-focus")
    assert line.is_hidden()
    _click_edge(page, "x2", "a1_2")  # the edge of w1_22
    shown = states(shown_svg(page, ".adviz-player"))
    assert shown == _expected(net, "w1_22", phase, int(stage), view="network")
    kept = {k for k, v in shown.items() if v != "unfocused"}
    assert kept == {"edge:x2->a1_2", "node:a1_2", "edge:a1_2->a2_1", "node:a2_1",
                    "edge:a2_1->y", "node:y"}
    assert line.inner_text() == focus_of(net, "w1_22").line
    assert page.locator(".adviz-player").get_attribute("data-focus") == "w1_22"
    # a neuron takes the focus too; Escape clears it
    _click_node(page, "a1_3")
    assert states(shown_svg(page, ".adviz-player")) == _expected(net, "a1_3", phase,
                                                                 int(stage), view="network")
    assert line.inner_text() == focus_of(net, "a1_3").line
    page.keyboard.press("Escape")
    assert states(shown_svg(page, ".adviz-player")) == _expected(net, None, phase, int(stage),
                                                                 view="network")
    assert line.is_hidden()


def test_the_neuron_view_opens_focused_and_keeps_its_hover_values(open_page: Any,
                                                                   tmp_path: Path) -> None:
    net = adviz.examples.mlp((2, 4, 1))
    path = tmp_path / "net.html"
    adviz.save(net, path, view="network", focus="b1_2")  # a bias: held by its neuron
    page = open_page(path).page
    assert page.locator(".adviz-focus").inner_text() == focus_of(net, "b1_2").line
    for _ in range(3):
        page.click(".adviz-next")
        phase, stage = _state(page)
        assert states(shown_svg(page, ".adviz-player")) == _expected(
            net, "b1_2", phase, int(stage), view="network")
    # every circle and weight edge keeps its full values on hover, stage after stage
    svg = shown_svg(page, ".adviz-player")
    hovers = [str(t).split("\n")[0] for t in page.evaluate(
        "() => Array.from(document.querySelectorAll('.adviz-frame g > rect > title, "
        ".adviz-frame g > path > title')).map(t => t.textContent)")]
    assert len(hovers) == 8 + 12 + 1  # circles, weight edges, the edge into the loss
    w = net.graph.nodes["w1_22"]["value"]
    assert f"w1_22 = {w!r} (x2 → a1_2)" in hovers
    assert 'pointer-events="none"' in svg


def test_clicking_a_neuron_opens_its_zoomed_page_and_escape_returns(open_page: Any,
                                                                     tmp_path: Path) -> None:
    from adviz.writers.zoom import save_zoom_pages

    net = adviz.examples.mlp((2, 4, 1))
    paths = save_zoom_pages(net, tmp_path, view="network")
    assert len(paths) == 1 + 5  # the neuron view, then one page per neuron
    page = open_page(paths[0]).page
    for _ in range(6):
        page.click(".adviz-next")
    _click_node(page, "a1_2")
    page.wait_for_url(paths[2].as_uri())
    page.wait_for_selector(".adviz-player[data-adviz-ready]", state="attached")
    drawn = {k for k in states(shown_svg(page, ".adviz-player")) if k.startswith("node:")}
    zoomed = figure(net, view="network", zoom="layer 1/neuron 2")
    assert drawn == {f"node:{n}" for n in zoomed.view.nodes}
    assert {"node:t4", "node:t5", "node:t6", "node:z1_2", "node:a1_2",
            "node:[neuron 1]"} <= drawn
    # the zoomed page plays the neuron view's stages
    assert page.locator(".adviz-counter").inner_text() == f"0 / {zoomed.stage_count('forward') - 1}"
    page.keyboard.press("Escape")
    page.wait_for_url(paths[0].as_uri())
