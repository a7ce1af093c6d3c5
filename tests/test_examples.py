"""The example networks: shapes, names, scopes, and gradients against finite differences."""

from __future__ import annotations

import math
import re
from itertools import pairwise
from typing import Any

import pytest

import adviz
from adviz.examples import mlp, mlp_parameter_names, rnn
from adviz.scene.layout import compute_layout, dot_source


def _central_differences(trace: adviz.Trace, h: float = 1e-6) -> dict[str, float]:
    """dy/d(input) by central differences, running the traced function on plain floats."""
    f = trace.function
    point = dict(trace.inputs)
    result = {}
    for name in point:
        up = dict(point, **{name: point[name] + h})
        down = dict(point, **{name: point[name] - h})
        result[name] = (f(*up.values()) - f(*down.values())) / (2 * h)
    return result


def _assert_gradient_matches(trace: adviz.Trace) -> None:
    reference = _central_differences(trace)
    for name, value in reference.items():
        assert trace.grad[name] == pytest.approx(value, rel=1e-5, abs=1e-7), name


@pytest.mark.parametrize("sizes", [(2, 4, 1), (2, 6, 6, 1), (4, 10, 10, 1)])
def test_mlp_node_counts_match_the_benchmark_sizes(sizes: tuple[int, ...]) -> None:
    expected = sizes[0] + sum(n * (3 * m + 2) for m, n in pairwise(sizes)) + 2
    assert len(mlp(sizes).graph) == expected


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("loss", ["mse", "hinge", "cross_entropy"])
def test_mlp_gradient_matches_central_differences(activation: str, loss: str) -> None:
    _assert_gradient_matches(mlp((3, 3, 1), activation, loss, seed=4))


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_mlp_with_several_outputs(loss: str) -> None:
    t = mlp((2, 3, 2), "sigmoid", loss, seed=1)
    _assert_gradient_matches(t)
    outputs = [t.graph.nodes[f"a2_{j}"]["value"] for j in (1, 2)]
    if loss == "mse":  # targets default to 1: the mean of the squared errors
        expected = sum((a - 1.0) ** 2 for a in outputs) / 2
    else:  # first class: log-sum-exp minus the first output
        expected = math.log(sum(math.exp(a) for a in outputs)) - outputs[0]
    assert t.value == pytest.approx(expected)


def test_mlp_names_scopes_and_determinism() -> None:
    t = mlp((2, 2, 1))
    inputs = t.graph.graph["inputs"]
    assert list(inputs) == ["x1", "x2", *mlp_parameter_names((2, 2, 1))]
    assert "w1_21" in inputs and "b2_1" in inputs
    assert t.graph.nodes["z1_2"]["scope"] == ("layer 1", "neuron 2")
    assert t.graph.nodes["a2_1"]["scope"] == ("layer 2", "neuron 1")
    assert t.graph.nodes["y"]["scope"] == ("loss",)
    assert t.graph.nodes["a1_1"]["expr"] == "tanh(z1_1)"
    assert mlp((2, 2, 1)).inputs == t.inputs
    assert mlp((2, 2, 1), seed=1).inputs != t.inputs
    big = mlp_parameter_names((12, 1))
    assert len(set(big)) == len(big) and "w1_1_12" in big


@pytest.mark.parametrize("call, message", [
    (lambda: mlp((3,)), "sizes"),
    (lambda: mlp((2, 0, 1)), "sizes"),
    (lambda: mlp((2, 1), "softsign"), "activation"),
    (lambda: mlp((2, 1), loss="l1"), "loss"),
    (lambda: mlp((2, 2), loss="hinge"), "hinge"),
    (lambda: mlp((2, 1), x=(1.0,)), "x needs 2"),
    (lambda: mlp((2, 2), target=(1.0,)), "target needs 2"),
    (lambda: rnn(0), "steps"),
])
def test_bad_arguments_are_input_errors(call: Any, message: str) -> None:
    with pytest.raises(adviz.InputError, match=message):
        call()


@pytest.mark.parametrize("steps", [1, 2, 5])
def test_rnn_gradient_matches_central_differences(steps: int) -> None:
    t = rnn(steps)
    assert len(t.graph) == 9 * steps
    _assert_gradient_matches(t)


def test_rnn_shares_its_weights_across_steps() -> None:
    t = rnn(6)
    assert t.graph.out_degree("u") == 6  # u * x_t at every step
    assert t.graph.out_degree("w") == 5  # w * h_{t-1} from step 2 (h_0 = 0)
    assert t.graph.out_degree("b") == 6
    # backpropagation through time: w's gradient sums one contribution per step
    contributions = [c for s in t.stages("reverse") for c in s.contributions if c.parent == "w"]
    assert len(contributions) == 5
    assert math.fsum(c.delta for c in contributions) == pytest.approx(t.grad["w"])
    assert t.graph.nodes["h3"]["scope"] == ("step 3",)
    assert not rnn(2, scopes=False).graph.nodes["h2"].get("scope")


def _node_boxes(svg: str) -> dict[str, tuple[str, ...]]:
    boxes = {}
    for match in re.finditer(r'<g[^>]*class="node"[^>]*>\s*<title>([^<]*)</title>\s*<rect([^>]*)',
                             svg):
        attrs = dict(re.findall(r'(?<![\w-])(\w+)="([^"]*)"', match.group(2)))
        boxes[match.group(1)] = tuple(attrs.get(k, "") for k in ("x", "y", "width", "height"))
    return boxes


def test_rnn_of_200_nodes_lays_out_with_fixed_positions_in_every_frame() -> None:
    t = rnn(22)
    assert len(t.graph) == 198
    assert "mclimit" in dot_source(t)  # shared weights: crossing minimisation is bounded
    layout = compute_layout(t)
    assert set(layout.nodes) == set(t.graph)
    frames = list(adviz.renderers.svg.iter_svg_frames(t, "reverse"))
    assert len(frames) > 100
    first = _node_boxes(frames[0])
    assert len(first) > 20
    for svg in frames[1:]:
        assert _node_boxes(svg) == first


def test_graphs_without_shared_far_apart_uses_keep_the_full_crossing_search() -> None:
    assert "mclimit" not in dot_source(mlp((2, 6, 6, 1)))
    assert "mclimit" not in dot_source(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))


@pytest.mark.parametrize(("n", "m"), [(1, 1), (2, 5), (5, 2)])
def test_many_outputs_jacobian_matches_central_differences(n: int, m: int) -> None:
    from adviz.examples import many_outputs

    t = many_outputs(n, m)
    assert t.graph.graph["inputs"] == tuple(f"x{i}" for i in range(1, n + 1))
    assert t.outputs == tuple(f"y{k}" for k in range(1, m + 1))
    assert sum(1 for _, kind in t.graph.nodes(data="kind") if kind == "op") == 2 * n + 3 * m
    h = 1e-6
    for name, x in t.inputs.items():
        up = t.evaluate({**t.inputs, name: x + h})
        down = t.evaluate({**t.inputs, name: x - h})
        for k, output in enumerate(t.outputs):
            numeric = (up[k] - down[k]) / (2 * h)
            assert t.jacobian[output][name] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
            assert t.jacobian[output][name] != 0.0  # every output depends on every input
    with pytest.raises(adviz.InputError, match="n_outputs must be a positive integer"):
        many_outputs(2, 0)
