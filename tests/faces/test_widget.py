"""The notebook widget's state, in Python (no browser): `adviz.widget`.

Every number the widget shows is checked against `adviz.trace` at the same
point (a separate trace, and central finite differences for the gradient);
its descent against `adviz.descent`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

import adviz
from adviz.errors import InputError, MissingDependencyError, RenderError

pytest.importorskip("anywidget", reason="the widget needs the notebook extra")

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def branchy(x1: Any, x2: Any) -> Any:
    if x1 > 2:
        return x1 * x2
    return (x1 - x2) ** 2 + adviz.cos(x1 + x2)


def _fd(f: Any, point: dict[str, float], name: str, h: float = 1e-6) -> float:
    up, down = dict(point), dict(point)
    up[name] += h
    down[name] -= h
    return (adviz.trace(f, up).value - adviz.trace(f, down).value) / (2 * h)


def test_it_opens_at_the_traced_point() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    t = adviz.trace(SEED, x1=1, x2=2)
    assert w.inputs == {"x1": 1.0, "x2": 2.0}
    assert (w.phase, w.stage) == ("forward", 0)
    assert w.values == {"x1": 1.0, "x2": 2.0}
    assert w.adjoints == {}
    assert w.caption == t.forward_stages[0].caption
    assert w.history == []


@pytest.mark.parametrize("point", [{"x1": 0.5, "x2": 2.0}, {"x1": -1.25, "x2": 0.75},
                                   {"x1": 3.0, "x2": -2.5}])
def test_setting_inputs_recomputes_values_and_adjoints(point: dict[str, float]) -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    w.show("reverse", -1)
    w.inputs = point
    t = adviz.trace(SEED, **point)
    assert w.inputs == point
    assert w.values == {node.id: node.value for node in t.program.nodes}
    assert w.adjoints == pytest.approx(dict(t.adjoints))
    for name in point:  # and the gradient is the function's own (finite differences)
        assert w.adjoints[name] == pytest.approx(_fd(SEED, point, name), rel=1e-6, abs=1e-6)
    assert w.caption == t.reverse_stages[-1].caption


def test_inputs_may_be_set_in_part() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    w.inputs = {"x1": 0.5}
    assert w.inputs == {"x1": 0.5, "x2": 2.0}
    assert w.trace.value == pytest.approx((0.5 - 2) ** 2 + math.cos(2.5))


def test_bad_inputs_are_refused_with_the_names() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    with pytest.raises(InputError, match="no input named 'x3'; the inputs are x1, x2"):
        w.inputs = {"x3": 1.0}
    with pytest.raises(InputError, match="must be a finite number"):
        w.inputs = {"x1": math.nan}
    assert w.inputs == {"x1": 1.0, "x2": 2.0}


def test_every_stage_shows_what_the_trace_knows_after_it() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    t = adviz.trace(SEED, x1=1, x2=2)
    seen = []
    w.observe(lambda change: seen.append(change["new"]), "stage")
    shown = [(w.phase, w.stage)]
    while not (w.phase == "reverse" and w.stage == len(t.reverse_stages) - 1):
        w.step()
        shown.append((w.phase, w.stage))
        state = t.state(w.phase, w.stage)
        assert w.values == dict(state.values)
        assert w.adjoints == dict(state.adjoints)
        assert w.caption == state.stage.caption
    assert shown == [("forward", k) for k in range(len(t.forward_stages))] + \
        [("reverse", k) for k in range(len(t.reverse_stages))]
    assert seen  # observers hear the stage move
    w.step()  # at the end it stays
    assert (w.phase, w.stage) == shown[-1]


def test_stage_and_phase_are_checked() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    w.stage = 3
    assert w.caption == adviz.trace(SEED, x1=1, x2=2).forward_stages[3].caption
    with pytest.raises(InputError, match="forward stage 9 does not exist"):
        w.stage = 9
    with pytest.raises(InputError, match="unknown phase 'sideways'"):
        w.phase = "sideways"
    assert (w.phase, w.stage) == ("forward", 3)


def test_descend_matches_adviz_descent() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    run = w.descend(0.1, 5)
    reference = adviz.descent(SEED, {"x1": 1.0, "x2": 2.0}, lr=0.1, steps=5)
    assert [s["inputs"] for s in w.history] == list(reference.inputs)
    assert [s["value"] for s in w.history] == list(reference.values)
    assert run.inputs == reference.inputs
    assert w.inputs == reference.inputs[-1]
    assert (w.phase, w.stage) == ("reverse", len(w.trace.reverse_stages) - 1)
    assert w.adjoints["x1"] == pytest.approx(reference.grads[-1]["x1"])
    w.descend(0.1, 3)  # the run goes on from where it stopped
    longer = adviz.descent(SEED, {"x1": 1.0, "x2": 2.0}, lr=0.1, steps=8)
    assert [s["inputs"] for s in w.history] == list(longer.inputs)
    w.inputs = {"x1": 0.0}  # moving the inputs starts a new history
    assert w.history == []


def test_the_page_asks_python_to_descend() -> None:
    w = adviz.widget(SEED, x1=1, x2=2, analytic=False)
    w._on_message(w, {"type": "descend", "lr": 0.1, "n": 2}, [])
    assert len(w.history) == 3
    w._on_message(w, {"type": "descend", "lr": -1, "n": 2}, [])
    assert w.caption.startswith("descent stopped: the learning rate must be a positive")


def test_a_new_branch_rebuilds_the_page_from_a_new_trace() -> None:
    w = adviz.widget(branchy, x1=1.0, x2=2.0, analytic=False)
    key = w._page["key"]
    ranges = [(i["min"], i["max"]) for i in w._page["data"]["inputs"]]
    w.inputs = {"x1": 1.5}  # the same branch: the same page
    assert w._page["key"] == key
    w.show("reverse", -1)
    w.inputs = {"x1": 2.5}  # the other branch: traced again, a new page
    assert w._page["key"] != key
    nodes = w._page["data"]["nodes"]
    ids = [row[nodes["keys"].index("id")] for row in nodes["rows"]]
    assert ids == ["x1", "x2", "y"]
    assert w.values == {"x1": 2.5, "x2": 2.0, "y": 5.0}
    assert w.adjoints == {"y": 1.0, "x1": 2.0, "x2": 2.5}  # d(x1*x2): x2 and x1
    assert (w.phase, w.stage) == ("reverse", 1)  # clamped to the shorter pass
    # the sliders keep the first trace's ranges; the page knows it traces again
    assert [(i["min"], i["max"]) for i in w._page["data"]["inputs"]] == ranges
    assert w._page["data"]["live"] is True
    assert json.loads(json.dumps(w._page))  # plain JSON for the page


def test_inputs_outside_the_domain_say_so() -> None:
    w = adviz.widget("log(x)", x=1.0, analytic=False)
    w.inputs = {"x": -1.0}
    assert w.caption.startswith("cannot trace at these inputs:")
    assert w.values == {}


def test_a_trace_is_taken_alone_and_options_reach_the_trace() -> None:
    t = adviz.trace(SEED, x1=1, x2=2, granularity="edge")
    w = adviz.widget(t, analytic=False)
    assert w.stages("reverse") == len(t.reverse_stages)
    with pytest.raises(InputError, match="takes a Trace alone"):
        adviz.widget(t, x1=2.0)
    w = adviz.widget(SEED, x1=1, x2=2, order="tape", analytic=False)
    assert w.trace.order == "tape"


def test_an_op_without_javascript_is_refused() -> None:
    twice = adviz.register_op("twice_w", lambda a: 2 * a, lambda a: 2.0, replace=True)
    try:
        with pytest.raises(RenderError, match="twice_w has none"):
            adviz.widget(lambda x: twice(x) + 1, x=1.0)
    finally:
        adviz.unregister_op("twice_w")


def test_the_widget_loads_the_page_script_and_its_style() -> None:
    from adviz.faces.widget import widget_class
    from adviz.renderers.demo import demo_script
    from adviz.renderers.page import asset

    cls = widget_class()
    assert cls._esm.startswith(demo_script())  # one code path with the exported page
    assert "export default" in cls._esm and "advizDemo.mount" in cls._esm
    assert cls._css.startswith(asset("demo.css"))
    # nothing fetched: the only address is the SVG namespace
    assert set(re.findall(r"https?://[^\s\"']+", cls._esm)) == {"http://www.w3.org/2000/svg"}
    assert "import(" not in cls._esm and "import " not in cls._esm


def test_without_anywidget_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from adviz.faces import widget as module

    module.widget_class.cache_clear()
    monkeypatch.setitem(sys.modules, "anywidget", None)
    try:
        with pytest.raises(MissingDependencyError, match=r"adviz\[notebook\]"):
            adviz.widget(SEED, x1=1, x2=2)
    finally:
        module.widget_class.cache_clear()
