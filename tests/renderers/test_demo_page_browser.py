"""The interactive demonstration in a real headless browser (Debian's Chromium, via Playwright).

The page recomputes both passes in JavaScript; these tests set its inputs to
random points and compare, stage by stage, what it shows with the Python
trace at the same point: values, adjoints, captions, frame texts and stage
titles, as printed (`adviz.formatting.format_number`). Run with
``pytest -m browser``; screenshots go to pytest's temporary folder, or to
``$ADVIZ_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.core.stages import reverse_order
from adviz.formatting import format_number
from adviz.renderers.demo import demo_html
from adviz.renderers.svg import painted, to_svg
from adviz.scene.content import frame
from adviz.text.labels import stage_title
from adviz.text.tables import text_rows
from tests.conftest import BrowserPage, page_opener, same_text

pytestmark = pytest.mark.browser

HOSTILE = "<script>alert(1)</script>"


# ---------------------------------------------------------------- the examples

def seed_function(x1, x2):
    return (x1 - x2) ** 2 + adviz.cos(x1 + x2)


def neuron(x1, x2, w1, w2, b):
    return adviz.tanh(w1 * x1 + w2 * x2 + b)


def fan_out(x):
    u = adviz.name(x + 1, "u")
    return u + 2 * u


def logistic_loss(w, b, x=1.5, target=1.0):
    p = adviz.name(adviz.sigmoid(w * x + b), "p")
    return -(target * adviz.log(p) + (1 - target) * adviz.log(1 - p))


def network(x1, x2, w11, w12, w21, w22, b1, b2, v1, v2, c):
    with adviz.scope("layer 1"):
        h1 = adviz.name(adviz.tanh(w11 * x1 + w12 * x2 + b1), "h1")
        h2 = adviz.name(adviz.tanh(w21 * x1 + w22 * x2 + b2), "h2")
    with adviz.scope("layer 2"):
        return v1 * h1 + v2 * h2 + c


NETWORK = dict(x1=1.0, x2=-1.0, w11=0.5, w12=-0.3, w21=0.8, w22=0.1, b1=0.0, b2=0.1,
               v1=1.2, v2=-0.7, c=0.05)

def unused_input(x1: Any, x2: Any, x3: Any) -> Any:
    """The seed with a third input the output does not use (its gradient is 0)."""
    return (x1 - x2)**2 + adviz.cos(x1 + x2)


EXAMPLES: dict[str, Callable[[], adviz.Trace]] = {
    "seed-string": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2),
    "seed-function": lambda: adviz.trace(seed_function, x1=1.0, x2=2.0),
    "seed-tape-edges": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2,
                                           order="tape", granularity="edge"),
    "neuron": lambda: adviz.trace(neuron, x1=2.0, x2=-1.0, w1=-0.5, w2=0.8, b=0.3),
    "neuron-string": lambda: adviz.trace("tanh(w1*x1 + w2*x2 + b)", x1=2.0, x2=-1.0,
                                         w1=-0.5, w2=0.8, b=0.3),
    "fan-out": lambda: adviz.trace(fan_out, x=1.0),
    "fan-out-string": lambda: adviz.trace("(x + 1) + 2*(x + 1)", x=1.0),
    "logistic": lambda: adviz.trace(logistic_loss, w=0.4, b=-0.2, output="L"),
    "logistic-string": lambda: adviz.trace("log(1 + exp(-y*(w*x + b)))", w=0.4, b=-0.2,
                                           x=1.5, y=1.0),
    "network": lambda: adviz.trace(network, **NETWORK),
    "network-tb": lambda: adviz.trace(network, **NETWORK),
    "unused-input": lambda: adviz.trace(unused_input, x1=1.0, x2=2.0, x3=5.0),
}
RANKDIR = {"network-tb": "TB"}
POINTS = 3


# ---------------------------------------------------------------- page driver

@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ADVIZ_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("demo-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Page(BrowserPage):
    """A loaded demonstration page, waited for until its script is ready."""

    def __init__(self, browser: Any, path: Path, *, width: int = 1500, height: int = 1000,
                 ready: str = ".adviz-demo[data-adviz-ready]"):
        super().__init__(browser, path, width=width, height=height, ready=ready)

    def call(self, method: str, *args: Any) -> Any:
        return self.page.evaluate(f"(args) => window.adviz.{method}(...args)", list(args))

    def frame_texts(self) -> dict[str, Any]:
        """Per node and edge of the shown graph: its state and its lines of text."""
        return self.page.evaluate("""() => {
            const out = {};
            document.querySelectorAll(".adviz-frame g.node, .adviz-frame g.edge").forEach(g => {
                const title = g.querySelector("title").textContent;
                out[g.getAttribute("class") + ":" + title] = [g.getAttribute("data-state"),
                    Array.from(g.querySelectorAll("text")).map(t => t.textContent)];
            });
            return out;
        }""")



@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Page]]:
    yield from page_opener(browser, Page)


_PAGES: dict[str, tuple[adviz.Trace, Path]] = {}


def example(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[adviz.Trace, Path]:
    if name not in _PAGES:
        t = EXAMPLES[name]()
        path = tmp_path_factory.mktemp("demo") / f"{name}.html"
        path.write_text(demo_html(t, rankdir=RANKDIR.get(name, "LR")), encoding="utf-8")
        _PAGES[name] = (t, path)
    return _PAGES[name]


def expected_texts(t: adviz.Trace, phase: str, stage: int) -> dict[str, Any]:
    content = frame(t, phase, stage)
    out = {f"node:{n}": [v.state, [line.text for line in v.lines]]
           for n, v in content.nodes.items()}
    out.update({f"edge:{p}->{c}": [v.state, [line.text for line in v.lines]]
                for (p, c), v in content.edges.items()})
    return out


def formatted(values: dict[str, float]) -> dict[str, str]:
    return {k: format_number(v) for k, v in values.items()}


def random_point(t: adviz.Trace, rng: random.Random) -> dict[str, float]:
    return {k: round(v + rng.uniform(-1.0, 1.0), 6) for k, v in t.inputs.items()}


def assert_same_as_python(page: Page, t: adviz.Trace) -> None:
    """Stage by stage, the page equals the Python trace ``t`` (at the page's point)."""
    state = page.call("reset")
    assert state["inputs"] == t.inputs
    for phase in ("forward", "reverse"):
        stages = t.stages(phase)
        assert page.call("stages", phase) == [s.caption for s in stages]
        assert page.call("titles", phase) == [stage_title(t, phase, k)
                                              for k in range(len(stages))]
        for k, stage in enumerate(stages):
            if (phase, k) != ("forward", 0):
                state = page.call("next")
            assert (state["phase"], state["stage"]) == (phase, k)
            assert state["caption"] == stage.caption
            expected = t.state(phase, k)
            assert formatted(state["values"]) == formatted(dict(expected.values))
            assert formatted(state["adjoints"]) == formatted(dict(expected.adjoints))
            assert same_text(stage_title(t, phase, k),
                             page.page.locator(".adviz-caption").text_content())
            assert page.frame_texts() == expected_texts(t, phase, k)
    assert page.call("next")["stage"] == len(t.reverse_stages) - 1  # stays at the end
    assert formatted(page.call("gradient")) == formatted(t.grad)


def assert_table_matches(page: Page, t: adviz.Trace) -> None:
    """After both passes, the walkthrough table holds Python's rows at the same point."""
    page.call("backward")
    shown = page.page.evaluate("""() => Array.from(
        document.querySelectorAll(".adviz-table tr")).map(r => r.innerText.split("\\t"))""")
    probe = page.page.evaluate("""(html) => {
        const div = document.createElement("div");
        div.style.position = "absolute"; div.className = "adviz-table";
        div.innerHTML = html; document.querySelector(".adviz-demo").appendChild(div);
        const rows = Array.from(div.querySelectorAll("tr")).map(r => r.innerText.split("\\t"));
        div.remove();
        return rows;
    }""", adviz.walkthrough(t, "html"))
    assert shown == probe
    caption = page.page.locator(".adviz-table caption").inner_text()
    # the point is MathML (x₁ = 1); its text matches the plain walkthrough's heading
    assert same_text(adviz.walkthrough(t).splitlines()[0],
                     caption.replace("\n", "").replace("\u2212", "-"))


# ---------------------------------------------------------------- tests

def test_the_script_builds_the_walkthrough_table(open_page: Callable[..., Page],
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    """The page carries no static table: once loaded, the script has built every row of
    Python's walkthrough, the first stage's reached and the reverse rows pending."""
    t, path = example("seed-string", tmp_path_factory)
    assert "<tr" not in path.read_text(encoding="utf-8")
    page = open_page(path)
    rows = page.page.evaluate("""() => Array.from(document.querySelectorAll(
        ".adviz-table table.adviz-walkthrough tbody tr")).map(r => [
        r.getAttribute("data-phase"), r.getAttribute("data-stage"),
        r.classList.contains("adviz-pending")])""")
    expected = [[row.phase, str(row.stage), not (row.phase, row.stage) == ("forward", 0)]
                for row in text_rows(t)]
    finals = [[None, None, True] for _ in t.inputs]
    assert rows == expected + finals
    assert page.page.locator(".adviz-table caption").count() == 1


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_stages_equal_python_at_random_points(
    name: str, open_page: Callable[..., Page], tmp_path_factory: pytest.TempPathFactory
) -> None:
    t, path = example(name, tmp_path_factory)
    page = open_page(path)
    program = t.program
    assert page.call("order") == [program.nodes[i].id for i in reverse_order(program, t.order)]
    assert_same_as_python(page, t)  # the traced point
    assert_table_matches(page, t)
    rng = random.Random(f"adviz-demo-{name}")
    for _ in range(POINTS):
        point = random_point(t, rng)
        page.call("set", point)
        at = t.retrace(point)
        assert_same_as_python(page, at)
        assert_table_matches(page, at)


@pytest.mark.parametrize("name", ["seed-string", "network", "network-tb", "seed-tape-edges",
                                  "unused-input"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_frames_are_the_python_frames_at_the_traced_point(
    name: str, theme: str, open_page: Callable[..., Page],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every node and edge of every stage: what the SVG frame file draws (as records), in
    the same markup."""
    t = EXAMPLES[name]()
    rankdir = RANKDIR.get(name, "LR")
    path = tmp_path_factory.mktemp("frames") / f"{name}-{theme}.html"
    path.write_text(demo_html(t, theme=theme, rankdir=rankdir, analytic=False), encoding="utf-8")
    page = open_page(path)
    page.call("reset")
    for phase in ("forward", "reverse"):
        for k in range(len(t.stages(phase))):
            if (phase, k) != ("forward", 0):
                page.call("next")
            reference = to_svg(t, phase, k, theme=theme, rankdir=rankdir, collapse=(), full=True)
            differences = page.page.evaluate(r"""(svg) => {
                const probe = document.createElement("div");
                probe.innerHTML = svg;
                const shown = document.querySelector(".adviz-frame svg");
                const bad = [];
                const norm = (text) => text.replace(/>\s+</g, "><");
                probe.querySelectorAll("g.node, g.edge").forEach(g => {
                    const mine = shown.querySelector("#" + g.id);
                    if (!mine || norm(mine.outerHTML) !== norm(g.outerHTML)) {
                        bad.push([g.id, mine ? mine.outerHTML : null, g.outerHTML]);
                    }
                });
                return bad;
            }""", reference)
            assert differences == [], (phase, k, differences[:1])
            shown = painted(page.page.evaluate(
                "() => new XMLSerializer().serializeToString("
                "document.querySelector('.adviz-frame svg'))"))
            expected = painted(reference)
            expected.pop("caption")
            assert shown == expected, (phase, k)


def test_number_format_is_python_s(open_page: Callable[..., Page],
                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    _, path = example("seed-string", tmp_path_factory)
    page = open_page(path)
    rng = random.Random(7)
    values = [0.0, -0.0, 1.0, -2.0, 0.0100075, -0.141120008, 1.5e-7, -1.5e-7, 0.015625,
              -0.015625, 0.046875, 2.5, 1234450.0, 1234550.0, 1234565.0, 999999.999995,
              999999.999994, 0.00099999, 0.000999996, 0.0001234567, 1e-3, 1e6, 1e21, 1e300,
              5e-324, 2.0**-1074 * 3, 1.7976931348623157e308, 123456789012345680000.0,
              0.5e-5, 0.000015, math.pi, -math.e, 1 / 3, 2 / 3, 1e-5 * 0.5]
    values += [rng.uniform(-10, 10) for _ in range(300)]
    values += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 12) for _ in range(300)]
    values += [k / 64 for k in range(-200, 200)] + [k / 128 + 1000 for k in range(200)]
    shown = page.page.evaluate("(vs) => vs.map(v => window.adviz.format(v))", values)
    assert shown == [format_number(v) for v in values]
    specials = page.page.evaluate(
        "() => [NaN, Infinity, -Infinity].map(v => window.adviz.format(v))")
    assert specials == ["nan", "inf", "-inf"]


@pytest.mark.parametrize("name", ["seed-function", "network", "logistic"])
def test_a_descent_step_moves_the_inputs_by_minus_lr_gradient(
    name: str, open_page: Callable[..., Page], tmp_path_factory: pytest.TempPathFactory
) -> None:
    t, path = example(name, tmp_path_factory)
    page = open_page(path)
    before = page.call("backward")
    grad = page.call("gradient")
    lr = 0.05
    after = page.call("descend", lr, 1)
    assert after["inputs"] == {k: v - lr * grad[k] for k, v in before["inputs"].items()}
    assert (after["phase"], after["stage"]) == ("reverse", len(t.reverse_stages) - 1)
    moved = t.retrace(after["inputs"])
    assert formatted(page.call("gradient")) == formatted(moved.grad)
    assert after["caption"] == moved.reverse_stages[-1].caption
    # n steps: the same as Python's gradient descent from the same start
    page.call("set", t.inputs)
    page.call("descend", lr, 5)
    run = adviz.descent(t.function, t.inputs, lr=lr, steps=5, tol=0.0)
    history = page.call("history")
    assert len(history) == len(run.inputs) == 6
    for shown, inputs, value in zip(history, run.inputs, run.values):
        assert shown["inputs"] == pytest.approx(inputs, rel=1e-12, abs=1e-12)
        assert format_number(shown["value"]) == format_number(value)
    # the plot shows one point per step
    assert page.page.locator(".adviz-sparkline .adviz-plot-dot").count() == 6
    assert page.page.locator(".adviz-contour").count() == (1 if len(t.inputs) == 2 else 0)


def test_descent_buttons_and_contour(open_page: Callable[..., Page],
                                     tmp_path_factory: pytest.TempPathFactory) -> None:
    t, path = example("seed-string", tmp_path_factory)
    page = open_page(path)
    page.page.locator(".adviz-lr").fill("0.1")
    page.page.locator(".adviz-take-step").click()
    state = page.call("state")
    expected = {k: v - 0.1 * t.grad[k] for k, v in t.inputs.items()}
    assert state["inputs"] == pytest.approx(expected, rel=1e-15)
    page.page.locator(".adviz-steps").fill("4")
    page.page.locator(".adviz-run-steps").click()
    assert len(page.call("history")) == 6
    contour = page.page.locator(".adviz-contour")
    assert contour.count() == 1
    assert contour.locator(".adviz-path").get_attribute("points").count(",") == 6
    assert contour.locator("rect").count() > 1000


def test_buttons_step_through_both_passes(open_page: Callable[..., Page],
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    t, path = example("seed-string", tmp_path_factory)
    page = open_page(path)
    p = page.page
    p.clock.pause_at(p.evaluate("() => Date.now()") + 1000)  # timers run only when told
    root = p.locator(".adviz-demo")
    assert (root.get_attribute("data-phase"), root.get_attribute("data-stage")) == ("forward", "0")
    p.locator(".adviz-step").click()
    assert page.call("state")["stage"] == 1
    p.locator(".adviz-run-forward").click()  # plays the rest of the forward pass
    assert page.call("state")["stage"] == 1
    assert p.locator(".adviz-run-forward").inner_text() == "Pause"
    p.clock.run_for(700 * 4 + 100)
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("forward", 5)
    p.locator(".adviz-run-backward").click()
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("reverse", 0)
    p.clock.run_for(700 * 2 + 100)
    assert page.call("state")["stage"] == 2
    current = p.locator(".adviz-table tr.adviz-current")
    assert current.get_attribute("data-phase") == "reverse"
    assert current.get_attribute("data-stage") == "2"
    p.locator(".adviz-run-backward").click()  # pauses
    p.clock.run_for(3000)
    assert page.call("state")["stage"] == 2
    p.keyboard.press("ArrowRight")
    assert page.call("state")["stage"] == 3
    p.keyboard.press("ArrowLeft")
    assert page.call("state")["stage"] == 2
    page.call("reset")
    page.call("next")
    back = page.call("prev")
    assert (back["phase"], back["stage"]) == ("forward", 0)
    page.call("backward")
    for _ in range(len(t.reverse_stages)):
        page.call("prev")
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("forward", 5)
    p.locator(".adviz-reset").click()
    assert (page.call("state")["phase"], page.call("state")["stage"]) == ("forward", 0)
    assert p.locator(".adviz-step").is_enabled()
    page.call("backward")
    assert p.locator(".adviz-step").is_disabled()


def test_inputs_fields_and_sliders(open_page: Callable[..., Page],
                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    t, path = example("seed-function", tmp_path_factory)
    page = open_page(path)
    p = page.page
    page.call("backward")
    note = p.locator(".adviz-branch-note")
    assert note.is_hidden()
    p.locator("#adviz-in-0").fill("1.5")
    state = page.call("state")
    assert state["inputs"] == {"x1": 1.5, "x2": 2.0}
    assert (state["phase"], state["stage"]) == ("reverse", 5)  # the shown stage stays
    assert formatted(page.call("gradient")) == formatted(t.retrace({"x1": 1.5, "x2": 2.0}).grad)
    assert note.is_visible() and "recorded branch" in note.inner_text()
    slider = p.locator('.adviz-input input[type="range"]').nth(1)
    slider.fill("0.5")
    assert page.call("state")["inputs"]["x2"] == 0.5
    assert p.locator("#adviz-in-1").input_value() == "0.5"
    assert p.locator("h1.adviz-title").inner_text().endswith("at x1 = 1.5, x2 = 0.5")
    p.locator(".adviz-reset-inputs").click()
    assert page.call("state")["inputs"] == t.inputs
    assert note.is_hidden()


@pytest.mark.parametrize("name", ["seed-string", "network", "seed-tape-edges"])
def test_table_and_captions_follow_the_sliders(
    name: str, open_page: Callable[..., Page], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Moving the sliders: the walkthrough table holds the rows of a new trace at the new point,
    and the captions and titles are that trace's."""
    t, path = example(name, tmp_path_factory)
    page = open_page(path)
    sliders = page.page.locator('.adviz-input input[type="range"]')
    rng = random.Random(f"sliders-{name}")
    for _ in range(2):
        for k in range(min(sliders.count(), 3)):
            low, high = (float(sliders.nth(k).get_attribute(a)) for a in ("min", "max"))
            sliders.nth(k).fill(str(round(rng.uniform(low, high), 2)))
        point = page.call("state")["inputs"]
        assert point != t.inputs
        function = t.expression if t.expression is not None else t.function
        at = adviz.trace(function, **point, order=t.order, granularity=t.granularity)
        assert_table_matches(page, at)
        for phase in ("forward", "reverse"):
            assert page.call("stages", phase) == [s.caption for s in at.stages(phase)]
            assert page.call("titles", phase) == [stage_title(at, phase, k)
                                                  for k in range(len(at.stages(phase)))]


def test_check_panel(open_page: Callable[..., Page],
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    pytest.importorskip("sympy")
    t, path = example("seed-string", tmp_path_factory)
    page = open_page(path)
    rows = page.page.locator(".adviz-check-table tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).locator("td")
    assert first.nth(0).inner_text() == format_number(t.grad["x1"])
    assert first.nth(1).inner_text() == format_number(adviz.check_grad(t).numeric["x1"])
    assert first.nth(2).inner_text() == "2*x1 - 2*x2 - sin(x1 + x2)"
    assert first.nth(3).inner_text() == format_number(t.grad["x1"])
    page.call("set", {"x1": 0.25, "x2": -1.0})
    moved = t.retrace({"x1": 0.25, "x2": -1.0})
    first = page.page.locator(".adviz-check-table tbody tr").nth(0).locator("td")
    assert first.nth(3).inner_text() == format_number(moved.grad["x1"])
    assert "they agree" in page.page.locator(".adviz-verdict").inner_text()


def test_domain_errors_are_shown(open_page: Callable[..., Page],
                                 tmp_path: Path) -> None:
    t = adviz.trace("log(x) + x", x=1.0)
    path = tmp_path / "log.html"
    path.write_text(demo_html(t, analytic=False), encoding="utf-8")
    page = open_page(path)
    state = page.call("set", {"x": -1.0})
    page.call("backward")
    assert format_number(page.call("forward")["values"]["t1"]) == "nan"
    note = page.page.locator(".adviz-branch-note")
    assert note.is_visible() and "outside the domain of log" in note.inner_text()
    assert state["inputs"] == {"x": -1.0}


def same_geometry(now: list, before: list) -> bool:
    """Node ids, attributes and user-space boxes exactly; on-screen boxes within 0.01 px."""
    exact = [(n, t, attrs, bbox) for n, t, attrs, _, bbox in now]
    assert exact == [(n, t, attrs, bbox) for n, t, attrs, _, bbox in before]
    for (_, _, _, screen, _), (_, _, _, old, _) in zip(now, before):
        assert screen == pytest.approx(old, abs=0.01)
    return True


def test_node_coordinates_do_not_move(open_page: Callable[..., Page],
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    t, path = example("network", tmp_path_factory)
    page = open_page(path)
    geometry = """() => Array.from(document.querySelectorAll(".adviz-frame g.node")).map(g => {
        const r = g.querySelector("rect"), b = r.getBoundingClientRect(), bb = r.getBBox();
        const s = g.ownerSVGElement.getBoundingClientRect();
        return [g.querySelector("title").textContent, g.getAttribute("transform"),
                ["x", "y", "width", "height"].map(a => r.getAttribute(a)),
                [b.x - s.x, b.y - s.y, b.width, b.height], [bb.x, bb.y, bb.width, bb.height]];
    })"""
    svg_box = "() => document.querySelector('.adviz-frame svg').getAttribute('viewBox')"
    before, box = page.page.evaluate(geometry), page.page.evaluate(svg_box)
    page.call("backward")
    rng = random.Random(3)
    for _ in range(3):
        page.call("set", {k: v * 40 * rng.uniform(-1, 1) for k, v in t.inputs.items()})
        page.call("backward")
        assert same_geometry(page.page.evaluate(geometry), before)
        assert page.page.evaluate(svg_box) == box
    page.call("descend", 0.5, 10)
    assert same_geometry(page.page.evaluate(geometry), before)


def test_hostile_node_name(open_page: Callable[..., Page], tmp_path: Path) -> None:
    def f(x):
        return adviz.name(x * 2, HOSTILE) + 1

    t = adviz.trace(f, x=1.0)
    path = tmp_path / "hostile.html"
    path.write_text(demo_html(t, title=HOSTILE), encoding="utf-8")
    page = open_page(path)
    state = page.call("backward")
    assert HOSTILE in state["values"] and state["adjoints"][HOSTILE] == 1.0
    assert page.page.locator("h1.adviz-title").inner_text() == HOSTILE
    assert page.page.locator("script").count() == 3
    texts = page.frame_texts()
    assert f"node:{HOSTILE}" in texts
    page.page.locator(".adviz-take-step").click()
    assert page.dialogs == []


def test_fallback_notice_in_the_browser(open_page: Callable[..., Page], tmp_path: Path) -> None:
    twice = adviz.register_op("twice", lambda a: 2 * a, lambda a: 2.0, replace=True)
    try:
        t = adviz.trace(lambda x: twice(x) * x, x=1.5)
        path = tmp_path / "fallback.html"
        path.write_text(demo_html(t), encoding="utf-8")
    finally:
        adviz.unregister_op("twice")
    page = open_page(path, ready=".adviz-player[data-adviz-ready]")
    notice = page.page.locator(".adviz-demo-notice")
    assert notice.is_visible() and "twice" in notice.inner_text()
    assert page.page.locator(".adviz-player[data-adviz-ready]").count() == 1
    assert page.page.evaluate("() => typeof window.adviz") == "undefined"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots(theme: str, open_page: Callable[..., Page], shots: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in ("seed-string", "network"):
        t = EXAMPLES[name]()
        path = tmp_path_factory.mktemp("shots") / f"{name}-{theme}.html"
        path.write_text(demo_html(t, theme=theme), encoding="utf-8")
        page = open_page(path)
        page.call("forward")
        for _ in range(3):
            page.call("next")
        page.call("descend", 0.1, 8)
        page.call("reset")
        for _ in range(len(t.forward_stages) + 2):
            page.call("next")
        page.page.screenshot(path=str(shots / f"demo-{name}-{theme}.png"), full_page=True)
        small = open_page(path, width=420, height=900)
        small.call("backward")
        small.page.screenshot(path=str(shots / f"demo-{name}-{theme}-narrow.png"), full_page=True)
        assert (shots / f"demo-{name}-{theme}.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["seed-string", "neuron"])
def test_the_whole_graph_is_in_view_at_1280_by_800_after_every_button(
    name: str, open_page: Callable[..., Page], tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On a projector's 1280x800 the graph scales to its panel: no part of it is scrolled
    out of the panel or the window, whichever button was pressed."""
    _, path = example(name, tmp_path_factory)
    page = open_page(path, width=1280, height=800)
    p = page.page
    measure = """() => {
        const svg = document.querySelector(".adviz-frame svg").getBoundingClientRect();
        const frame = document.querySelector(".adviz-frame");
        return {left: svg.left, right: svg.right, top: svg.top + window.scrollY,
                bottom: svg.bottom + window.scrollY,
                overflow: frame.scrollWidth - frame.clientWidth,
                width: window.innerWidth, height: window.innerHeight};
    }"""
    presses = [None, ".adviz-step", ".adviz-run-forward", ".adviz-run-backward", ".adviz-reset",
               ".adviz-run-backward"]
    for press in presses:
        if press is not None:
            p.locator(press).click()
            p.clock.run_for(700 * 12)
        box = p.evaluate(measure)
        assert box["overflow"] <= 1, (press, box)
        assert 0 <= box["left"] and box["right"] <= box["width"], (press, box)
        assert 0 <= box["top"] and box["bottom"] <= box["height"], (press, box)
