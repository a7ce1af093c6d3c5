"""trace(): the seed walkthrough, options, input handling and bad input."""

from __future__ import annotations

import math

import pytest

import adviz
from tests.conftest import SEED_EXPRESSION, SEED_GRAD, SEED_VALUES, seed_function


def test_seed_nodes_formulas_and_values(seed_trace: adviz.Trace) -> None:
    g = seed_trace.graph
    assert list(g.nodes) == ["x1", "x2", "t1", "t2", "t3", "t4", "y"]
    assert [g.nodes[n]["expr"] for n in ["t1", "t2", "t3", "t4", "y"]] == [
        "x1 - x2", "t1**2", "x1 + x2", "cos(t3)", "t2 + t4"]
    for name, value in SEED_VALUES.items():
        assert g.nodes[name]["value"] == pytest.approx(value, abs=1e-12)
    assert seed_trace.value == pytest.approx(SEED_VALUES["y"])
    assert round(seed_trace.value, 5) == 0.01001


def test_seed_final_gradients_to_five_decimals(seed_trace: adviz.Trace) -> None:
    assert seed_trace.grad == pytest.approx(SEED_GRAD, abs=1e-12)
    assert {k: round(v, 5) for k, v in seed_trace.grad.items()} == {
        "x1": -2.14112, "x2": 1.85888}


def test_seed_reverse_rows_in_order(seed_trace: adviz.Trace) -> None:
    stages = seed_trace.reverse_stages
    assert len(stages) == 6
    assert stages[0].caption == "g_y = 1"
    rows = [[(c.parent, c.child) for c in s.contributions] for s in stages[1:]]
    assert rows == [
        [("t2", "y"), ("t4", "y")],
        [("t1", "t2")],
        [("t3", "t4")],
        [("x1", "t1"), ("x2", "t1")],
        [("x1", "t3"), ("x2", "t3")],
    ]
    sin3 = math.sin(3.0)
    deltas = [c.delta for s in stages[1:] for c in s.contributions]
    assert deltas == pytest.approx([1, 1, -2, -sin3, -2, 2, -sin3, -sin3])
    x1_row = stages[5].contributions[0]
    assert x1_row.before == pytest.approx(-2.0)
    assert x1_row.after == pytest.approx(-2.0 - sin3)
    assert x1_row.upstream == pytest.approx(-sin3)


def test_seed_captions(seed_trace: adviz.Trace) -> None:
    captions = [s.caption for s in seed_trace.reverse_stages]
    assert captions[2] == "g_t1 += g_t2 * dt2/dt1 = 1 * (2*t1) = -2"
    assert captions[3] == "g_t3 += g_t4 * dt4/dt3 = 1 * (-sin(t3)) = -0.14112"
    assert "g_x2 += g_t1 * dt1/dx2 = -2 * (-1) = 2" in captions[4]
    assert "g_x1 += g_t3 * dt3/dx1 = -0.14112 * 1 = -0.14112" in captions[5]


def test_seed_forward_stages(seed_trace: adviz.Trace) -> None:
    stages = seed_trace.forward_stages
    assert len(stages) == 6
    assert stages[0].node is None and stages[0].nodes == ("x1", "x2")
    assert [s.node for s in stages[1:]] == ["t1", "t2", "t3", "t4", "y"]
    assert stages[4].caption == "t4 = cos(t3) = -0.98999"


def test_function_and_string_forms_give_the_same_graph() -> None:
    a = adviz.trace(seed_function, x1=1.0, x2=2.0).graph
    b = adviz.trace(SEED_EXPRESSION, x1=1.0, x2=2.0).graph
    assert list(a.nodes(data="expr")) == list(b.nodes(data="expr"))
    assert list(a.edges(data="partial_expr")) == list(b.edges(data="partial_expr"))
    assert b.graph["expression"] == SEED_EXPRESSION and a.graph["expression"] is None


@pytest.mark.parametrize("order", ["seed", "tape"])
def test_fan_out_with_uneven_depth(order: str) -> None:
    def f(x):
        u = x + 1
        return u + 2 * u

    t = adviz.trace(f, x=0.5, order=order)
    assert t.grad["x"] == 3.0
    assert t.adjoints["x"] == 3.0
    processed = [s.node for s in t.reverse_stages[1:]]
    assert processed.index("t2") < processed.index("t1")  # u only after all its children


def test_breadth_first_order_would_be_wrong_here() -> None:
    """Kahn's order waits for every child: u's row sees its full adjoint 3."""
    t = adviz.trace("(x + 1) + 2*(x + 1)", x=0.5)
    rows = {s.node: s for s in t.reverse_stages[1:]}
    # two separate u nodes in the string form; the function form shares u
    assert t.grad["x"] == 3.0
    shared = adviz.trace(lambda x: (lambda u: u + 2 * u)(x + 1), x=0.5)
    u_row = next(s for s in shared.reverse_stages if s.node == "t1")
    assert u_row.contributions[0].upstream == 3.0
    assert rows


def test_tape_order_processes_in_reverse_evaluation_order(seed_trace: adviz.Trace) -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2, order="tape")
    assert [s.node for s in t.reverse_stages[1:]] == ["y", "t4", "t3", "t2", "t1"]
    assert t.adjoints == pytest.approx(seed_trace.adjoints)


def test_edge_granularity_has_one_stage_per_contribution() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2, granularity="edge")
    assert len(t.reverse_stages) == 1 + 8
    assert all(len(s.contributions) == 1 for s in t.reverse_stages[1:])
    assert t.reverse_stages[-1].caption.startswith("g_x2 += g_t3")


def test_repeated_argument_x_times_x() -> None:
    t = adviz.trace(lambda x: x * x, x=3.0)
    assert t.grad["x"] == 6.0
    assert t.graph.nodes["y"]["args"] == ("x", "x")
    edge = t.graph.edges["x", "y"]
    assert edge["partial"] == 6.0
    assert edge["partial_expr"] == "2*x"
    assert len(t.reverse_stages[1].contributions) == 1


def test_reflected_operators() -> None:
    t = adviz.trace(lambda x: 1 + x - (10.0 / x) + 2**x - (3 - x) * (2 * x), x=2.0)
    ln2 = math.log(2.0)
    expected = 1 + 10.0 / 4 + 4 * ln2 - (-(2 * 2.0) + (3 - 2.0) * 2)
    assert t.grad["x"] == pytest.approx(expected)
    exprs = [d for _, d in t.graph.nodes(data="expr")]
    assert "1 + x" in exprs and "10/x" in exprs and "2**x" in exprs


def test_constant_and_traced_exponents() -> None:
    t = adviz.trace(lambda x, p: x**p + x**3, x=2.0, p=1.5)
    assert t.grad["x"] == pytest.approx(1.5 * 2.0**0.5 + 12.0)
    assert t.grad["p"] == pytest.approx(2.0**1.5 * math.log(2.0))


def test_control_flow_records_the_branch_taken() -> None:
    def f(x):
        if x > 0:
            return adviz.sin(x)
        return x * x

    assert adviz.trace(f, x=1.0).graph.nodes["y"]["op"] == "sin"
    assert adviz.trace(f, x=-1.0).graph.nodes["y"]["op"] == "mul"


def test_math_functions_raise_a_type_error_naming_adviz() -> None:
    with pytest.raises(TypeError, match="adviz.cos"):
        adviz.trace(lambda x: math.cos(x), x=1.0)


def test_numpy_ufuncs_dispatch_to_the_op_table() -> None:
    np = pytest.importorskip("numpy")
    t = adviz.trace(lambda x: np.cos(x) * np.exp(x), x=0.5)
    expected = (math.cos(0.5) - math.sin(0.5)) * math.exp(0.5)
    assert t.grad["x"] == pytest.approx(expected)
    assert [t.graph.nodes[n]["op"] for n in t.graph if n != "x"] == ["cos", "exp", "mul"]


def test_output_prefix_and_named_sub_expressions() -> None:
    def f(x, w, b):
        z = adviz.name(w * x + b, "z")
        return adviz.tanh(z)

    t = adviz.trace(f, x=1.0, w=0.5, b=0.1, output="a", prefix="v")
    assert list(t.graph) == ["x", "w", "b", "v1", "z", "a"]
    assert t.graph.nodes["a"]["expr"] == "tanh(z)"


def test_output_name_avoids_an_input_called_y() -> None:
    t = adviz.trace(lambda x, y: x * y, x=2.0, y=3.0)
    assert t.output == "f"
    assert t.grad == {"x": 3.0, "y": 2.0}


def test_show_constants_makes_constant_nodes() -> None:
    t = adviz.trace(lambda x: 3.0 * x + 2.0, x=1.0, show_constants=True)
    kinds = dict(t.graph.nodes(data="kind"))
    assert [n for n, k in kinds.items() if k == "const"] == ["c1", "c2"]
    assert t.graph.nodes["c1"]["value"] == 3.0
    assert t.adjoints["c1"] == 1.0  # d(3x + 2)/d(3) = x = 1
    assert t.grad == {"x": 3.0}


def test_inputs_as_positional_values_dict_and_defaults() -> None:
    def f(order, output=2.0):
        return order * output

    assert adviz.trace(f, {"order": 3.0}).grad == {"order": 2.0, "output": 3.0}
    assert adviz.trace(f, 3.0, 4.0).value == 12.0
    assert adviz.trace("a*b", 2, 5).grad == {"a": 5.0, "b": 2.0}


def test_unused_input_gets_gradient_zero() -> None:
    t = adviz.trace(lambda x, z: adviz.sin(x), x=0.0, z=5.0)
    assert t.grad == {"x": 1.0, "z": 0.0}
    assert t.graph.nodes["z"]["adjoint"] == 0.0
    assert adviz.trace("sin(x)", x=0.0, z=1.0).grad == {"x": 1.0, "z": 0.0}


def test_dead_code_is_pruned_and_names_stay_contiguous() -> None:
    def f(x):
        unused = adviz.exp(x)  # noqa: F841
        return adviz.sin(x) * 2.0

    t = adviz.trace(f, x=0.0)
    assert list(t.graph) == ["x", "t1", "y"]


@pytest.mark.slow
def test_a_chain_of_a_million_ops_has_no_recursion_error() -> None:
    def chain(x):
        for _ in range(500_000):
            x = x * 1.0000001 + 1e-9
        return x

    t = adviz.trace(chain, x=1.0)
    assert t.grad["x"] == pytest.approx(1.0000001**500_000, rel=1e-9)
    deep = adviz.trace(lambda x: _deep(x, 20_000), x=0.1)
    assert len(deep.reverse_stages) == 20_001
    assert deep.adjoints["x"] == pytest.approx(deep.grad["x"])


def _deep(x, n):
    for _ in range(n):
        x = adviz.sin(x)
    return x


def test_retrace_and_evaluate() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1.0, x2=2.0)
    assert t.evaluate({"x1": 1.0, "x2": 2.0}) == pytest.approx(t.value)
    assert t.retrace({"x1": 0.0, "x2": 0.0}).grad == pytest.approx({"x1": 0.0, "x2": 0.0})


def test_name_passes_plain_numbers_through() -> None:
    def f(x):
        return adviz.name(x * 2.0, "h") + 1.0

    assert f(3.0) == 7.0
    assert adviz.check_grad(f, x=3.0).ok
