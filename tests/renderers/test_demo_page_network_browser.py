"""The demonstration page's neuron view in a real headless browser (Debian's Chromium).

At every neuron-level stage the page's neurons, weight edges and caption must
equal the Python neuron view (`adviz.scene.network.network_figure`) of the
trace at the page's point; moving an input's slider recomputes them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
import adviz.examples
from adviz.formatting import format_number
from adviz.renderers.demo import demo_html
from adviz.scene.network import network_figure
from tests.conftest import BrowserPage, page_opener, same_text
from tests.renderers.test_demo_page_network import expected

pytestmark = pytest.mark.browser


class Page(BrowserPage):
    def __init__(self, browser: Any, path: Path, **options: Any) -> None:
        super().__init__(browser, path, width=1500, height=1000,
                         ready=".adviz-demo[data-adviz-ready]")

    def call(self, method: str, *args: Any) -> Any:
        return self.page.evaluate(f"(args) => window.adviz.{method}(...args)", list(args))

    def shown(self) -> dict[str, Any]:
        """Per drawn neuron and edge: its state (and an edge's arrowhead at the parent) and
        its lines of text."""
        return self.page.evaluate("""() => {
            const out = {};
            document.querySelectorAll(".adviz-frame g.node, .adviz-frame g.edge").forEach(g => {
                const title = g.querySelector("title").textContent;
                const texts = Array.from(g.querySelectorAll("text")).map(t => t.textContent);
                const state = g.getAttribute("data-state");
                out[g.getAttribute("class") + ":" + title] = g.classList.contains("node")
                    ? [state, texts] : [state, null, texts];
            });
            return out;
        }""")

    def edge_order(self) -> list[str]:
        return self.page.evaluate("""() => Array.from(
            document.querySelectorAll(".adviz-frame g.edge title")).map(t => t.textContent)""")


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Page]]:
    yield from page_opener(browser, Page)


def network_page(open_page: Callable[..., Page], tmp_path: Path, t: adviz.Trace,
                 **options: Any) -> Page:
    """The neuron-view demo page of ``t`` (no analytic panel), opened in Chromium."""
    path = tmp_path / "net.html"
    path.write_text(demo_html(t, view="network", analytic=False, **options), encoding="utf-8")
    return open_page(path)


def assert_stages_equal_python(page: Page, traced: adviz.Trace, at: adviz.Trace,
                               granularity: str, buttons: bool) -> None:
    """Stage by stage (with the Step button, or the script's ``next``), the page equals the
    neuron view of ``at`` kept in the layout of ``traced``."""
    fig = network_figure(at, granularity=granularity)
    step = page.page.locator(".adviz-step")
    page.call("reset")
    for phase in ("forward", "reverse"):
        assert page.call("stages", phase) == [fig.frame(phase, k).title
                                              for k in range(fig.stage_count(phase))]
        for k in range(fig.stage_count(phase)):
            if (phase, k) != ("forward", 0):
                if buttons:
                    step.click()
                else:
                    page.call("next")
            state = page.call("state")
            assert (state["phase"], state["stage"]) == (phase, k)
            frame = fig.frame(phase, k)
            assert state["caption"] == frame.title
            assert same_text(frame.title, page.page.locator(".adviz-caption").text_content())
            want = expected(traced, at, phase, k, granularity)
            for key, value in want.items():  # the arrowhead is checked in Python
                if key.startswith("edge:"):
                    want[key] = [value[0], None, value[2]]
            assert page.shown() == want, (phase, k)
            states = {f"{p}->{c}": v.state for (p, c), v in frame.edges.items()}
            order = [states[key] for key in page.edge_order()]
            assert order == [v.state for v in frame.edges.values()]  # highlighted on top
    assert step.is_disabled()  # the last stage
    assert {k: format_number(v) for k, v in page.call("gradient").items()} == \
        {k: format_number(v) for k, v in at.grad.items()}


@pytest.mark.parametrize(("sizes", "granularity"), [((2, 4, 1), "neuron"),
                                                    ((2, 8, 1), "layer")])
def test_neuron_view_equals_python_and_follows_the_sliders(
        sizes: tuple[int, ...], granularity: str, open_page: Callable[..., Page],
        tmp_path: Path) -> None:
    t = adviz.examples.mlp(sizes)
    page = network_page(open_page, tmp_path, t, granularity=granularity)
    assert page.call("state")["view"] == "network"
    assert_stages_equal_python(page, t, t, granularity, buttons=True)
    slider = page.page.locator('.adviz-input input[type="range"]').first
    assert page.page.locator(".adviz-input-name").first.inner_text() == "x₁"
    for value in ("-0.85", "2.6"):  # within the slider (the traced x1 = 0.97 ± 2)
        slider.fill(value)
        point = page.call("state")["inputs"]
        assert point == {**t.inputs, "x1": float(value)}
        at = t.retrace(point)
        assert_stages_equal_python(page, t, at, granularity, buttons=False)


def test_play_buttons_and_walkthrough_rows(open_page: Callable[..., Page],
                                           tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 2, 1))
    page = network_page(open_page, tmp_path, t)
    p = page.page
    p.clock.pause_at(p.evaluate("() => Date.now()") + 1000)  # timers run only when told
    fig = network_figure(t)
    forward, reverse = fig.stage_count("forward"), fig.stage_count("reverse")
    p.locator(".adviz-run-forward").click()
    p.clock.run_for(700 * (forward - 1) + 100)
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("forward", forward - 1)
    p.locator(".adviz-run-backward").click()
    p.clock.run_for(700 * 2 + 100)
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("reverse", 2)
    current = p.locator(".adviz-table tr.adviz-current")
    assert current.count() > 0
    assert {current.nth(k).get_attribute("data-stage") for k in range(current.count())} == {"2"}
    p.clock.run_for(700 * reverse)
    assert page.call("state")["stage"] == reverse - 1
    assert p.locator(".adviz-table tr.adviz-pending").count() == 0
    p.locator('.adviz-table tr[data-phase="forward"][data-stage="1"]').first.click()
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("forward", 1)
    p.locator(".adviz-reset").click()
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("forward", 0)
    page.call("descend", 0.1, 3)  # gradient descent still runs both passes at each step
    history = page.call("history")
    assert len(history) == 4
    assert format_number(history[-1]["value"]) == format_number(
        t.retrace(history[-1]["inputs"]).graph.nodes["y"]["value"])
    assert p.locator(".adviz-verdict").inner_text().endswith("(they agree).")


# ---------------------------------------------------------------- focus

def focused_states(trace: adviz.Trace, focus: str, phase: str, stage: int) -> dict[str, str]:
    """Each drawn element's state in Python's neuron view focused on ``focus``."""
    frame = network_figure(trace, focus=focus).frame(phase, stage)
    out = {f"node:{n}": v.state for n, v in frame.nodes.items()}
    out.update({f"edge:{p}->{c}": v.state for (p, c), v in frame.edges.items()})
    return out


def assert_focus_equals_python(page: Page, at: adviz.Trace, focus: str) -> None:
    """At a few stages of both passes the page's states equal Python's focused frames, its
    focus line Python's caption and its root names the focused node."""
    from adviz.scene.focus import focus_of

    fig = network_figure(at)
    stages = [("forward", 0), ("forward", fig.stage_count("forward") - 1), ("reverse", 0),
              ("reverse", 2), ("reverse", fig.stage_count("reverse") - 1)]
    for phase, k in stages:
        page.call("show", phase, k)
        states = {key: value[0] for key, value in page.shown().items()}
        assert states == focused_states(at, focus, phase, k), (phase, k)
        assert "unfocused" in states.values()
        line = page.page.locator(".adviz-focus")
        assert line.is_visible()
        assert same_text(focus_of(at, focus).line, line.text_content())
        assert page.page.locator(".adviz-demo").get_attribute("data-focus") == focus


def test_clicking_a_weight_focuses_on_its_paths(open_page: Callable[..., Page],
                                                 tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    page = network_page(open_page, tmp_path, t)
    page.page.locator(".adviz-frame g.edge:has(> title:text-is('x2->a1_2')) path"
                      ).first.dispatch_event("click")
    assert_focus_equals_python(page, t, "w1_22")
    # another weight, deeper in the network, moves the focus there
    page.page.locator(".adviz-frame g.edge:has(> title:text-is('a1_3->a2_1')) path"
                      ).first.dispatch_event("click")
    assert_focus_equals_python(page, t, "w2_13")
    # the numbers follow the sliders: the focus line sums the paths at the new point
    slider = page.page.locator('.adviz-input input[type="range"]').first
    slider.fill("-0.85")
    at = t.retrace(page.call("state")["inputs"])
    assert_focus_equals_python(page, at, "w2_13")
    # clicking the focused weight again clears the focus; so does Escape
    page.page.locator(".adviz-frame g.edge:has(> title:text-is('a1_3->a2_1')) path"
                      ).first.dispatch_event("click")
    assert page.page.locator(".adviz-focus").is_hidden()
    assert "unfocused" not in {value[0] for value in page.shown().values()}
    page.page.locator(".adviz-frame g.edge:has(> title:text-is('x1->a1_1')) path"
                      ).first.dispatch_event("click")
    assert page.page.locator(".adviz-demo").get_attribute("data-focus") == "w1_11"
    page.page.keyboard.press("Escape")
    assert page.page.locator(".adviz-demo").get_attribute("data-focus") == ""
    assert page.page.locator(".adviz-focus").is_hidden()
    page.call("show", "reverse", 2)
    assert page.shown() == {key: [v[0], None, v[2]] if key.startswith("edge:") else v
                            for key, v in expected(t, at, "reverse", 2, "neuron").items()}


def test_opens_in_focus(open_page: Callable[..., Page], tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    page = network_page(open_page, tmp_path, t, focus="a1_2")
    assert_focus_equals_python(page, t, "a1_2")


# ---------------------------------------------------------------- zoom

def zoom_frame(trace: adviz.Trace, scope: str, phase: str, stage: int) -> dict[str, Any]:
    """Python's zoom figure frame as the page's ``shown`` reads it (no arrowheads)."""
    from adviz.scene.network import zoom_figure

    frame = zoom_figure(trace, scope).frame(phase, stage)
    out: dict[str, Any] = {f"node:{n}": [v.state, [line.text for line in v.lines]]
                           for n, v in frame.nodes.items()}
    out.update({f"edge:{p}->{c}": [v.state, None, [line.text for line in v.lines]]
                for (p, c), v in frame.edges.items()})
    return out


def zoom_routes(traced: adviz.Trace, at: adviz.Trace, scope: str, phase: str, stage: int
                ) -> dict[str, str]:
    """Each edge's route in Python's zoom frame at the page's point (``at``), forward or back
    toward its parent, in the traced point's layout (which the page keeps)."""
    from adviz.renderers.page import path_data
    from adviz.scene.network import zoom_figure

    fig = zoom_figure(traced, scope)
    frame = zoom_figure(at, scope).frame(phase, stage)
    return {f"{p}->{c}": path_data(fig.edges[p, c].reverse if v.toward_parent
                                   else fig.edges[p, c].forward)
            for (p, c), v in frame.edges.items()}


def assert_zoom_equals_python(page: Page, traced: adviz.Trace, at: adviz.Trace,
                              scope: str) -> None:
    fig = network_figure(at)
    stages = [("forward", 0), ("forward", 1), ("forward", fig.stage_count("forward") - 1),
              ("reverse", 0), ("reverse", 1), ("reverse", 2), ("reverse", 3),
              ("reverse", fig.stage_count("reverse") - 1)]
    for phase, k in stages:
        page.call("show", phase, k)
        assert page.call("state")["zoom"] == scope
        assert page.shown() == zoom_frame(at, scope, phase, k), (phase, k)
        assert page.page.evaluate("""() => Object.fromEntries(Array.from(
            document.querySelectorAll(".adviz-frame g.edge")).map(g => [
                g.querySelector("title").textContent,
                g.querySelector("path").getAttribute("d")]))""") == \
            zoom_routes(traced, at, scope, phase, k)
        assert same_text(fig.frame(phase, k).title,
                         page.page.locator(".adviz-caption").text_content())


def test_clicking_a_neuron_zooms_into_its_scalar_graph(open_page: Callable[..., Page],
                                                        tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    path = tmp_path / "net.html"
    path.write_text(demo_html(t, view="network", analytic=False), encoding="utf-8")
    page = open_page(path)
    p = page.page
    p.wait_for_selector(".adviz-demo[data-adviz-zooms-ready]", state="attached")
    back = p.locator(".adviz-zoom-back")
    assert back.is_hidden()
    page.call("show", "reverse", 3)
    p.locator(".adviz-frame g.node:has(> title:text-is('a1_2'))").first.click()
    assert back.is_visible()
    state = page.call("state")
    assert (state["phase"], state["stage"], state["zoom"]) == ("reverse", 3, "layer 1/neuron 2")
    assert page.shown() == zoom_frame(t, "layer 1/neuron 2", "reverse", 3)
    assert_zoom_equals_python(page, t, t, "layer 1/neuron 2")
    # the sliders keep working while zoomed
    p.locator('.adviz-input input[type="range"]').first.fill("-0.85")
    at = t.retrace(page.call("state")["inputs"])
    assert_zoom_equals_python(page, t, at, "layer 1/neuron 2")
    # back returns to the neuron view at the same stage
    page.call("show", "reverse", 2)
    back.click()
    state = page.call("state")
    assert (state["phase"], state["stage"], state["zoom"]) == ("reverse", 2, None)
    assert back.is_hidden()
    want = expected(t, at, "reverse", 2, "neuron")
    assert page.shown() == {key: [v[0], None, v[2]] if key.startswith("edge:") else v
                            for key, v in want.items()}
    # another neuron, in the last layer; Escape leaves it
    p.locator(".adviz-frame g.node:has(> title:text-is('a2_1'))").first.click()
    assert page.call("state")["zoom"] == "layer 2/neuron 1"
    assert_zoom_equals_python(page, t, at, "layer 2/neuron 1")
    p.keyboard.press("Escape")
    state = page.call("state")
    assert state["zoom"] is None and p.locator(".adviz-frame svg").count() == 1
    assert page.shown() == {key: [v[0], None, v[2]] if key.startswith("edge:") else v
                            for key, v in expected(t, at, state["phase"], state["stage"],
                                                   "neuron").items()}
