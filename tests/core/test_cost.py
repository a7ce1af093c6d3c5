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


# Several outputs: m reverse sweeps, still n forward sweeps.


def _vector_examples() -> dict[str, adviz.Trace]:
    from adviz.examples import many_outputs

    def shared(a, b):  # every output needs the whole trunk: equal reverse sweeps
        trunk = adviz.tanh(a * b + adviz.sin(a - b))
        return trunk * 2.0, trunk * 3.0, trunk * 4.0

    def chained(a, b):
        u = a * b
        return u, adviz.sin(u) + a

    return {
        "shared": adviz.trace(shared, a=0.3, b=0.7),
        "chained": adviz.trace(chained, a=0.5, b=2.0),
        "chained, constants shown": adviz.trace(chained, a=0.5, b=2.0, show_constants=True),
        "many outputs 2-5": many_outputs(2, 5),
        "many outputs 4-3": many_outputs(4, 3),
    }


def test_vector_counts_are_the_operations_the_sweeps_record() -> None:
    for name, t in _vector_examples().items():
        c = adviz.cost(t)
        m = len(t.outputs)
        assert c.outputs == t.outputs and c.counts["reverse"].runs == m, name
        # One forward pass, then per output the contributions its reverse stages record.
        per_output = [3 * sum(len(s.contributions) for s in t.reverse_stages_for(y))
                      for y in t.outputs]
        assert c.reverse_sweeps == tuple(per_output), name
        assert c.reverse == (len(t.forward_stages) - 1) + sum(per_output), name
        # n forward sweeps, each carrying the tangents of every output.
        assert c.forward == _staged_forward_operations(t) == c.inputs * c.forward_sweep, name
        fd = c.counts["finite_differences"]
        n = c.inputs
        assert (fd.runs, fd.evaluations, fd.multiplications, fd.additions) == (
            2 * n, 2 * n * c.ops, n * m, 2 * n + n * m), name


def test_shared_trunk_costs_m_equal_reverse_sweeps() -> None:
    t = _vector_examples()["shared"]
    c = adviz.cost(t)
    # trunk: a*b, a-b, sin, +, tanh (5 ops, 8 edges); each output adds one op and one edge.
    assert (c.ops, c.edges) == (8, 11)
    assert c.reverse_sweeps == (3 * 9,) * 3
    assert c.reverse == c.ops + 3 * c.reverse_sweeps[0]
    assert c.forward == 2 * (8 + 3 * 11)


def test_forward_mode_wins_with_few_inputs_and_many_outputs() -> None:
    from adviz.examples import many_outputs

    wide = adviz.cost(many_outputs(2, 16))
    tall = adviz.cost(many_outputs(16, 1))
    assert (wide.inputs, len(wide.outputs), tall.inputs, len(tall.outputs)) == (2, 16, 16, 1)
    assert wide.forward < wide.reverse
    assert tall.reverse < tall.forward
    # More outputs: reverse mode's sweeps grow, forward mode's stay two.
    costs = [adviz.cost(many_outputs(2, m)) for m in (1, 2, 4, 8, 16)]
    assert all(c.counts["forward"].runs == 2 for c in costs)
    ratios = [c.reverse / c.forward for c in costs]
    assert ratios == sorted(ratios) and ratios[0] < 1 < ratios[-1]


def test_vector_table_and_figure() -> None:
    from adviz.examples import many_outputs

    c = adviz.cost(many_outputs(2, 16))
    lines = c.table().splitlines()
    assert lines[0] == (f"Cost of the Jacobian of y1, ..., y16: 2 inputs, 16 outputs, "
                        f"{c.ops} ops, {c.edges} edges")
    assert lines[3].split()[:3] == ["reverse", "mode", "16"]
    assert lines[4].split()[:3] == ["forward", "mode", "2"]
    ax = c.figure().axes[0]
    assert ax.get_title() == (f"Jacobian of y1, ..., y16: 2 inputs, 16 outputs\n"
                              f"one evaluation = {c.function} ops")
    assert [round(p.get_height()) for p in ax.patches] == [
        c.function, c.reverse, c.forward, c.finite_differences]
