"""`adviz.from_torch`: PyTorch graphs, checked against PyTorch's own gradients and order."""

from __future__ import annotations

import inspect
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings

import adviz
from tests.strategies import evaluate, points, smooth_at, trees

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

F64 = torch.float64


def _function(name: str):
    function = getattr(torch, name)
    return lambda x: function(torch.as_tensor(x, dtype=F64))


FUNCTIONS = {name: _function(name) for name in
             ("abs", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu")}


def leaf(value: float):
    return torch.tensor(value, dtype=F64, requires_grad=True)


def test_seed_example_gives_the_seed_table(check_seed_table) -> None:
    x1, x2 = leaf(1.0), leaf(2.0)
    y = (x1 - x2) ** 2 + torch.cos(x1 + x2)
    t = adviz.from_torch(y, inputs={"x1": x1, "x2": x2})
    check_seed_table(t)
    expected = torch.autograd.grad(y, [x1, x2], retain_graph=True)
    assert [t.grad["x1"], t.grad["x2"]] == [float(g) for g in expected]


def test_recorded_order_is_pytorchs() -> None:
    x1, x2 = leaf(1.0), leaf(2.0)
    y = (x1 - x2) ** 2 + torch.cos(x1 + x2)
    t = adviz.from_torch(y, {"x1": x1, "x2": x2}, order="recorded")
    assert [s.node for s in t.reverse_stages][1:] == t.recorded_order
    assert [t.graph.nodes[n]["op"] for n in t.recorded_order] == _executed_ops(y)
    assert t.grad == adviz.from_torch(y, {"x1": x1, "x2": x2}).grad


def test_scalar_graph_runs_a_backward_pass_only_for_the_recorded_order() -> None:
    x1, x2 = leaf(1.0), leaf(2.0)
    passes = []
    x1.register_hook(lambda g: passes.append(float(g)))
    y = (x1 - x2)**2 + torch.cos(x1 + x2)
    t = adviz.from_torch(y, {"x1": x1, "x2": x2})
    assert passes == [] and t.recorded_order is None
    assert [s.node for s in t.reverse_stages] == ["y", "y", "t2", "t4", "t1", "t3"]  # Kahn's
    recorded = adviz.from_torch(y, {"x1": x1, "x2": x2}, order="recorded")
    assert len(passes) == 1 and recorded.recorded_order == ["y", "t4", "t3", "t2", "t1"]
    assert x1.grad is None  # the pass left the user's .grad alone


def test_rsub_with_alpha_scales_the_subtracted_operand() -> None:
    x, z = leaf(0.5), leaf(2.0)
    y = torch.rsub(x, z, alpha=3.0) * x  # (z - 3x) * x
    expected = [float(g) for g in torch.autograd.grad(y, [x, z], retain_graph=True)]
    for t in (adviz.from_torch(y, {"x": x, "z": z}),
              adviz.from_torch(lambda x, z: torch.rsub(x, z, alpha=3.0) * x,
                               {"x": 0.5, "z": 2.0})):
        assert t.value == pytest.approx(y.item(), rel=1e-15)
        assert [t.grad["x"], t.grad["z"]] == pytest.approx(expected, rel=1e-15)
    w = torch.tensor([0.5, -1.0], dtype=F64, requires_grad=True)
    v = (torch.rsub(w, 2.0, alpha=3.0) ** 2).sum()
    t = adviz.from_torch(v, {"w": w}, expand=True)
    g = torch.autograd.grad(v, [w])[0]
    assert [t.grad["w_1"], t.grad["w_2"]] == pytest.approx(g.tolist(), rel=1e-15)


def test_other_dtypes_and_in_place_operations_take_the_general_path() -> None:
    x = torch.tensor(0.5, dtype=torch.float32, requires_grad=True)
    y = torch.sin(x) * x + 0.25
    t = adviz.from_torch(y, {"x": x})
    (g,) = torch.autograd.grad(y, [x])
    assert t.grad["x"] == pytest.approx(float(g), rel=1e-6)

    def f(x):
        h = x * 2.0
        h += 1.0  # in place: the value recorded for x * 2 is the one before
        return h * x

    t = adviz.from_torch(f, {"x": 0.5})
    assert (t.value, t.grad["x"]) == pytest.approx((1.0, 3.0), rel=1e-15)  # 2x^2 + x


_NAMES = {"AddBackward0": "add", "SubBackward0": "sub", "PowBackward0": "pow",
          "CosBackward0": "cos"}


def _executed_ops(y) -> list[str]:
    """The op of each function PyTorch's backward runs, in its order (hooks of this test)."""
    seen, stack, order = set(), [y.grad_fn], []
    handles = []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen or type(fn).__name__ == "AccumulateGrad":
            continue
        seen.add(id(fn))
        handles.append(fn.register_prehook(
            lambda g, fn=fn: order.append(_NAMES[type(fn).__name__])))
        stack.extend(f for f, _ in fn.next_functions)
    y.backward(retain_graph=True)
    for h in handles:
        h.remove()
    return order


def test_constant_pytorch_did_not_keep_asks_for_the_function() -> None:
    x = leaf(0.5)
    with pytest.raises(adviz.TraceError, match=r"from_torch\(f, inputs"):
        adviz.from_torch((x + 2) + x * x)
    t = adviz.from_torch(lambda x: (x + 0.2) + x * x, {"x": 0.5})
    assert t.graph.nodes["t1"]["expr"] == "x + 0.2"
    assert t.grad["x"] == pytest.approx(2.0)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tree=trees(), point=points)
def test_random_expressions_match_autograd(tree, point, check_replay) -> None:
    assume(smooth_at(tree, point, margin=1e-9))
    leaves = {n: leaf(v) for n, v in point.items()}
    out = evaluate(tree, leaves, FUNCTIONS)
    assume(isinstance(out, torch.Tensor) and out.grad_fn is not None)
    grads = torch.autograd.grad(out, list(leaves.values()), allow_unused=True,
                                retain_graph=True)
    expected = {n: 0.0 if g is None else float(g) for n, g in zip(leaves, grads)}

    def f(a, b, c):
        return evaluate(tree, {"a": a, "b": b, "c": c}, FUNCTIONS)

    recorded = adviz.from_torch(f, point)
    for name, g in recorded.grad.items():
        assert g == pytest.approx(expected[name], rel=1e-12, abs=1e-12)
    check_replay(recorded)
    try:
        from_output = adviz.from_torch(out, leaves)
    except adviz.TraceError as err:
        assert "keeps no copy" in str(err) or "recompute" in str(err)
        return
    for name, g in from_output.grad.items():
        assert g == pytest.approx(expected[name], rel=1e-12, abs=1e-12)
    check_replay(from_output)


def _network():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    x = torch.tensor([[0.5, -1.0]], dtype=F64)
    target = torch.tensor([[1.0]], dtype=F64)
    return model, nn.functional.mse_loss(model(x), target)


def test_tensor_graph_adjoints_equal_grad() -> None:
    model, loss = _network()
    t = adviz.from_torch(loss, inputs=model)
    loss.backward(retain_graph=True)
    for name, p in model.named_parameters():
        assert t.grad[name].shape == tuple(p.shape)
        assert t.grad[name] == pytest.approx(p.grad.numpy(), rel=1e-12, abs=1e-15)
        assert t.graph.nodes[name]["shape"] == tuple(p.shape)
    assert [t.graph.nodes[n]["op"] for n in t.graph if t.graph.nodes[n]["kind"] == "op"] == [
        "t", "addmm", "tanh", "t", "addmm", "mseloss"]
    assert isinstance(t.graph.nodes["y"]["value"], float)


def test_tensor_graph_follows_pytorchs_executed_order() -> None:
    model, loss = _network()
    t = adviz.from_torch(loss, inputs=model)
    executed: list[str] = []
    seen, stack, handles = set(), [loss.grad_fn], []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen or type(fn).__name__ == "AccumulateGrad":
            continue
        seen.add(id(fn))
        handles.append(fn.register_prehook(lambda g, fn=fn: executed.append(
            type(fn).__name__.removesuffix("Backward0").lower())))
        stack.extend(f for f, _ in fn.next_functions)
    loss.backward(retain_graph=True)
    for h in handles:
        h.remove()
    assert t.order == "recorded"
    assert [s.node for s in t.reverse_stages][1:] == t.recorded_order
    assert [t.graph.nodes[n]["op"] for n in t.recorded_order] == executed
    # Kahn's order differs here (t3 before t4), and the caption says so.
    from adviz.text.labels import stage_title

    assert t.recorded_order[2:4] == ["t4", "t3"]
    assert "(Kahn's order: t3)" in stage_title(t, "reverse", 3)


def test_expand_matches_the_network_written_for_adviz() -> None:
    model, loss = _network()
    names = {"w1": model[0].weight, "b1": model[0].bias, "w2": model[2].weight,
             "b2": model[2].bias}
    t = adviz.from_torch(loss, names, expand=True)
    point = {}
    for name, p in names.items():
        values = p.detach().numpy()
        for index in [(j, i) for j in range(values.shape[0]) for i in range(values.shape[1])] \
                if values.ndim == 2 else [(j,) for j in range(values.shape[0])]:
            point[name + "_" + "".join(str(k + 1) for k in index)] = float(values[index])

    def by_hand(*args):
        p = dict(zip(point, args))
        sums = []
        for j in range(1, 5):
            total = p[f"b1_{j}"]
            total = total + p[f"w1_{j}1"] * 0.5
            total = total + p[f"w1_{j}2"] * -1.0
            sums.append(total)
        hidden = [adviz.tanh(s) for s in sums]
        out = p["b2_1"]
        for k in range(1, 5):
            out = out + p[f"w2_1{k}"] * hidden[k - 1]
        return (out - 1.0) ** 2

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    by_hand.__signature__ = inspect.Signature([inspect.Parameter(n, kind) for n in point])
    reference = adviz.trace(by_hand, point)
    assert list(t.graph) == list(reference.graph)
    for n in t.graph:
        assert t.graph.nodes[n]["expr"] == reference.graph.nodes[n]["expr"]
    assert t.grad == pytest.approx(reference.grad, rel=1e-12)
    loss.backward(retain_graph=True)
    assert t.grad["w1_21"] == pytest.approx(float(model[0].weight.grad[1, 0]), rel=1e-12)


def test_expand_refuses_large_tensors() -> None:
    w = torch.ones(9, 9, dtype=F64, requires_grad=True)
    with pytest.raises(adviz.InputError, match="at most 64"):
        adviz.from_torch((w * w).sum(), {"w": w}, expand=True)


def test_freed_graph_says_how_to_keep_it() -> None:
    x = leaf(0.5)
    y = torch.sin(x) * x * 1.5  # the 1.5 is kept only in the saved values backward() frees
    y.backward()
    with pytest.raises(adviz.TraceError, match="retain_graph=True"):
        adviz.from_torch(y)


def test_freed_graph_that_needs_no_saved_value_still_imports() -> None:
    x = leaf(0.5)
    y = torch.sin(x) * x
    y.backward()
    t = adviz.from_torch(y, {"x": x})
    assert t.grad["x"] == pytest.approx(float(x.grad), rel=1e-15)
    with pytest.raises(adviz.TraceError, match="retain_graph=True"):
        adviz.from_torch(y, order="recorded")  # recording the order needs a backward pass


def test_missing_torch_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(adviz.MissingDependencyError, match=r"adviz\[torch\]"):
        adviz.from_torch(object())
