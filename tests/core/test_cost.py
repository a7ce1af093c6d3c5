"""Operation counts: by hand on the seed example, against the operations the sweeps record and
perform, and the reverse-mode bound on every gallery example and on growing networks."""

from __future__ import annotations

from typing import ClassVar

import pytest

import adviz
from adviz.core.cost import REVERSE_RATIO_BOUND
from adviz.core.forward import _plan, _sweep
from tests.conftest import SEED_EXPRESSION


def _seed() -> adviz.Trace:
    return adviz.trace(SEED_EXPRESSION, x1=1, x2=2)


def test_seed_example_by_hand() -> None:
    # 5 ops (t1, t2, t3, t4, y) and 8 edges: x1->t1, x2->t1, t1->t2, x1->t3, x2->t3,
    # t3->t4, t2->y, t4->y; n = 2 inputs.
    c = adviz.cost(_seed())
    assert (c.inputs, c.ops, c.edges, c.tangent_edges) == (2, 5, 8, 8)
    assert c.function == 5
    assert c.reverse == 5 + 3 * 8
    assert c.forward_sweep == 5 + 3 * 8
    assert c.forward == 2 * (5 + 3 * 8)
    assert c.finite_differences == 2 * 2 * 5 + 4 * 2
    assert c.ratio("reverse") == pytest.approx(29 / 5)
    r = c.counts["reverse"]
    assert (r.runs, r.evaluations, r.partials, r.multiplications, r.additions) == (1, 5, 8, 8, 8)
    assert int(r) == r.total == 29
    with pytest.raises(adviz.InputError, match="finite_differences"):
        c.ratio("symbolic")


def _staged_reverse_operations(t: adviz.Trace) -> int:
    """What the forward and reverse stages record: one evaluation per forward stage after
    stage 0, and per contribution one partial, one multiplication and one addition."""
    evaluations = len(t.forward_stages) - 1
    contributions = sum(len(s.contributions) for s in t.reverse_stages)
    return evaluations + 3 * contributions


def _staged_forward_operations(t: adviz.Trace) -> int:
    total = 0
    for name in t.inputs:
        sweep = adviz.forward_mode(t, name)
        total += (len(sweep.stages) - 1) + 3 * len(sweep.terms)
    return total


@pytest.fixture(scope="module")
def examples() -> dict[str, adviz.Trace]:
    from adviz.examples import mlp, network, rnn

    return {
        "seed": _seed(),
        "constants shown": adviz.trace(SEED_EXPRESSION, x1=1, x2=2, show_constants=True),
        "x*x": adviz.trace("x * x + sin(x)", x=0.5),
        "network": network(),
        "mlp": mlp((2, 3, 3, 1), "sigmoid", "cross_entropy"),
        "rnn": rnn(5),
    }


def test_counts_are_the_operations_the_stages_record(examples) -> None:
    for name, t in examples.items():
        c = adviz.cost(t)
        assert c.reverse == _staged_reverse_operations(t), name
        assert c.forward == _staged_forward_operations(t), name
        assert c.forward == c.inputs * c.forward_sweep, name


class Counting:
    """A number that counts the multiplications and additions done with it."""

    log: ClassVar[dict[str, int]] = {"mul": 0, "add": 0}

    def __init__(self, value: float) -> None:
        self.value = value

    def __rmul__(self, other: float) -> Counting:
        Counting.log["mul"] += 1
        return Counting(other * self.value)

    def __radd__(self, other: float) -> Counting:
        Counting.log["add"] += 1
        return Counting(other + self.value)

    def __add__(self, other: Counting) -> Counting:
        Counting.log["add"] += 1
        return Counting(self.value + other.value)


def test_a_sweep_performs_what_is_counted(examples) -> None:
    for name, t in examples.items():
        c = adviz.cost(t)
        plan = _plan(t)
        for k in range(c.inputs):
            Counting.log = {"mul": 0, "add": 0}
            seed = [Counting(1.0 if j == k else 0.0) for j in range(c.inputs)]
            tangents = _sweep(plan, seed)  # type: ignore[arg-type]
            assert Counting.log == {"mul": c.tangent_edges, "add": c.tangent_edges}, name
            output = tangents[plan.output]
            assert getattr(output, "value", output) == pytest.approx(
                list(adviz.forward_gradient(t).values())[k]), name


def test_finite_differences_evaluate_twice_per_input(monkeypatch) -> None:
    t = adviz.trace("a * b + sin(c)", a=1.0, b=2.0, c=0.5)
    calls = []
    evaluate = adviz.Trace.evaluate
    monkeypatch.setattr(adviz.Trace, "evaluate",
                        lambda self, point: calls.append(point) or evaluate(self, point))
    adviz.check_grad(t)
    c = adviz.cost(t)
    assert len(calls) == c.counts["finite_differences"].runs == 2 * c.inputs
    assert c.counts["finite_differences"].evaluations == len(calls) * c.function


def test_reverse_ratio_is_bounded_on_every_gallery_example(monkeypatch) -> None:
    from tests.gallery_traces import gallery_traces

    with gallery_traces(monkeypatch) as traces:
        assert len(traces) >= 7
        for name, t in traces.items():
            c = adviz.cost(t)
            assert 1.0 < c.ratio("reverse") <= REVERSE_RATIO_BOUND, name
            assert c.forward == c.inputs * c.reverse, name


def test_forward_over_reverse_grows_with_the_network() -> None:
    from adviz.examples import mlp

    sizes = [(2, 1), (2, 2, 1), (2, 4, 4, 1), (2, 8, 8, 1), (2, 16, 16, 1)]
    costs = [adviz.cost(mlp(s)) for s in sizes]
    inputs = [c.inputs for c in costs]
    assert inputs == sorted(inputs) and len(set(inputs)) == len(inputs)
    for c in costs:
        assert c.ratio("reverse") <= REVERSE_RATIO_BOUND
        assert c.forward / c.reverse == c.inputs
        assert c.finite_differences > c.reverse or c.inputs < 4
    assert costs[-1].forward / costs[-1].reverse == 339  # 2 + 16*3 + 16*17 + 17 parameters


def test_table() -> None:
    c = adviz.cost(_seed())
    lines = c.table().splitlines()
    assert lines[0] == "Cost of the gradient of y: 2 inputs, 5 ops, 8 edges"
    assert lines[1].split() == ["method", "runs", "evals", "partials", "mul", "add", "total",
                                "×", "f"]
    assert lines[3].split() == ["reverse", "mode", "1", "5", "8", "8", "8", "29", "5.8"]
    assert lines[4].split() == ["forward", "mode", "2", "10", "16", "16", "16", "58", "11.6"]
    assert lines[5].split() == ["finite", "differences", "4", "20", "0", "2", "6", "28", "5.6"]
    markdown = c.table("markdown")
    assert "| reverse mode | 1 | 5 | 8 | 8 | 8 | 29 | 5.8 |" in markdown
    with pytest.raises(adviz.InputError, match="markdown"):
        c.table("rtf")
    with pytest.raises(adviz.InputError, match="Trace"):
        adviz.cost("x * x")  # type: ignore[arg-type]


def test_figure_bars_and_labels() -> None:
    from adviz.examples import mlp

    c = adviz.cost(_seed())
    figure = c.figure()
    ax = figure.axes[0]
    assert [round(p.get_height()) for p in ax.patches] == [5, 29, 58, 28]
    assert [t.get_text() for t in ax.texts] == ["×1", "×5.8", "×11.6", "×5.6"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "function", "reverse mode", "forward mode", "finite differences"]
    assert ax.get_yscale() == "linear"
    big = adviz.cost(mlp((2, 8, 8, 1)))
    from matplotlib.figure import Figure

    mine = Figure()
    axes = mine.subplots(1, 2)
    assert big.figure(axes[1]) is mine
    assert axes[1].get_yscale() == "log"
    assert axes[1].texts[2].get_text() == f"×{round(big.forward / big.function)}"
