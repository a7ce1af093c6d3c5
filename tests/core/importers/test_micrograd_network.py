"""`adviz.from_micrograd(..., model=...)`: a micrograd MLP imported as a network.

Every number is checked against micrograd itself: the parameters' ``data``, the
neurons' forward values, and the ``.grad`` micrograd's own backward pass gives.
"""

from __future__ import annotations

import math
import random

import pytest

import adviz

micrograd = pytest.importorskip("micrograd")
from micrograd import nn  # noqa: E402
from micrograd.engine import Value  # noqa: E402


def _unary(name: str, f, df):
    """A function as a micrograd fork adds it: its own _op and _backward."""

    def apply(v: Value) -> Value:
        out = Value(f(v.data), (v,), name)

        def _backward() -> None:
            v.grad += df(v.data) * out.grad

        out._backward = _backward
        return out

    return apply


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


FUNCTIONS = {
    "relu": lambda v: v.relu(),
    "tanh": _unary("tanh", math.tanh, lambda a: 1.0 - math.tanh(a) ** 2),
    "sigmoid": _unary("sigmoid", _sigmoid, lambda a: _sigmoid(a) * (1.0 - _sigmoid(a))),
}


class Activated(nn.Neuron):
    """micrograd's neuron with another activation (as forks and the lecture's code have)."""

    function = "relu"

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return FUNCTIONS[self.function](act) if self.nonlin else act


def _mlp(nin: int, nouts: list[int], function: str, seed: int) -> nn.MLP:
    random.seed(seed)
    model = nn.MLP(nin, nouts)
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.b = Value(random.uniform(-1, 1))  # micrograd starts biases at 0
            neuron.__class__ = type("Neuron", (Activated,), {"function": function})
    return model


def _forward(model, x) -> tuple[list[list[Value]], Value]:
    """The model applied layer by layer (as ``model(x)`` does), keeping each neuron's output."""
    outputs = []
    values = x
    for layer in model.layers:
        values = [neuron(values) for neuron in layer.neurons]
        outputs.append(values)
    loss = sum(((v - 1.0) ** 2 for v in values), Value(0.0))
    return outputs, loss


CASES = [
    (2, [4, 1], "relu"), (3, [2, 3, 1], "tanh"), (1, [1], "sigmoid"), (2, [3, 2], "sigmoid"),
    (2, [16, 16, 1], "tanh"), (4, [5, 1], "relu"),
]


@pytest.mark.parametrize(("nin", "nouts", "function"), CASES)
def test_the_network_is_recovered_exactly(nin, nouts, function, check_replay) -> None:
    model = _mlp(nin, nouts, function, seed=len(nouts) * 10 + nin)
    rng = random.Random(nin)
    x = [round(rng.uniform(-2, 2), 2) for _ in range(nin)]
    outputs, loss = _forward(model, x)
    t = adviz.from_micrograd(loss, model=model)
    loss.backward()
    net = t.network
    assert net.sizes == (nin, *nouts)
    assert net.inputs == tuple(f"x{i}" for i in range(1, nin + 1))
    assert net.loss == t.output
    nodes = t.graph.nodes
    for i, value in enumerate(x, start=1):
        assert nodes[f"x{i}"]["value"] == value
    previous = net.inputs
    for k, (layer, mine) in enumerate(zip(model.layers, net.layers), start=1):
        assert [n.index for n in mine.neurons] == list(range(1, len(layer.neurons) + 1))
        for j, (neuron, got) in enumerate(zip(layer.neurons, mine.neurons), start=1):
            assert (got.layer, got.index) == (k, j)
            assert [nodes[w]["value"] for w in got.weights] == [w.data for w in neuron.w]
            assert nodes[got.bias]["value"] == neuron.b.data
            assert got.inputs == previous
            last = k == len(model.layers)
            assert got.function == (None if last else function)
            out = outputs[k - 1][j - 1]
            assert nodes[got.activation]["value"] == pytest.approx(out.data, rel=1e-13,
                                                                   abs=1e-15)
            assert nodes[got.activation]["adjoint"] == pytest.approx(out.grad, rel=1e-12,
                                                                     abs=1e-15)
            for w, p in zip((*got.weights, got.bias), (*neuron.w, neuron.b)):
                assert t.grad[w] == pytest.approx(p.grad, rel=1e-12, abs=1e-15), w
            for node in got.nodes:
                assert nodes[node]["scope"] == (f"layer {k}", f"neuron {j}")
        previous = tuple(n.activation for n in mine.neurons)
    assert len(net.parameters) == len(model.parameters())
    assert t.value == pytest.approx(loss.data, rel=1e-13)
    check_replay(t)
    assert t.retrace(t.inputs).network.sizes == net.sizes  # the scopes survive a replay


def test_micrograds_own_mlp_on_values_with_a_minus_one() -> None:
    random.seed(5)
    model = nn.MLP(3, [4, 4, 1])
    x = [Value(2.0), Value(3.0), Value(-1.0)]  # the README's sample, as Values
    loss = (model(x) - 1.0) ** 2
    t = adviz.from_micrograd(loss, model=model)
    loss.backward()
    net = t.network
    assert net.sizes == (3, 4, 4, 1) and net.inputs == ("x1", "x2", "x3")
    assert t.graph.nodes["x3"]["value"] == -1.0  # an input, not micrograd's folded -1
    assert [n.function for n in net.neurons] == ["relu"] * 8 + [None]
    assert net.layers[2].neurons[0].pre == net.layers[2].neurons[0].activation == "z3_1"
    names = [w for n in net.neurons for w in (*n.weights, n.bias)]
    for name, p in zip(names, model.parameters()):
        assert t.grad[name] == pytest.approx(p.grad, rel=1e-12, abs=1e-15)
    assert {n: t.grad[n] for n in net.inputs} == pytest.approx(
        {f"x{i}": v.grad for i, v in enumerate(x, start=1)}, rel=1e-12, abs=1e-15)


def test_a_fork_without_nonlin_takes_an_activation_function() -> None:
    class Plain:
        def __init__(self, w, b):
            self.w, self.b = [Value(v) for v in w], Value(b)

        def __call__(self, x):
            return FUNCTIONS["tanh"](sum((wi * xi for wi, xi in zip(self.w, x)), self.b))

    class Layer:
        def __init__(self, neurons):
            self.neurons = neurons

    hidden = Layer([Plain([0.3, -0.2], 0.1), Plain([0.5, 0.4], -0.3)])
    out = Plain([0.7, -0.6], 0.2)
    model = type("Net", (), {"layers": [hidden, Layer([out])]})()
    h = [n([1.5, -0.5]) for n in hidden.neurons]
    y = out(h)
    loss = y * y  # a product on the output neuron's activation, outside it
    t = adviz.from_micrograd(loss, model=model)
    net = t.network
    assert [n.function for n in net.neurons] == ["tanh"] * 3
    assert net.layers[1].neurons[0].activation == "a2_1"
    loss.backward()
    assert t.graph.nodes["a2_1"]["value"] == pytest.approx(y.data, rel=1e-14)
    assert t.grad["w2_12"] == pytest.approx(out.w[1].grad, rel=1e-12)


def test_the_output_applied_to_the_model_stays_outside_it() -> None:
    model = _mlp(2, [2, 1], "tanh", seed=1)
    outputs, _ = _forward(model, [0.5, 0.25])
    loss = FUNCTIONS["tanh"](outputs[-1][0])  # nonlin=False: this tanh is the loss's own
    net = adviz.from_micrograd(loss, model=model).network
    last = net.layers[-1].neurons[0]
    assert last.function is None and last.activation == "z2_1" and net.loss == "y"


def test_the_model_as_inputs_too_keeps_its_names() -> None:
    model = _mlp(2, [3, 1], "relu", seed=2)
    _, loss = _forward(model, [1.0, -1.0])
    t = adviz.from_micrograd(loss, model, model=model)
    assert t.network.sizes == (2, 3, 1)
    assert list(t.grad)[:5] == ["x1", "x2", "w1_11", "w1_12", "b1_1"]


def test_without_the_model_the_graph_imports_as_before() -> None:
    model = _mlp(2, [3, 1], "relu", seed=3)
    _, loss = _forward(model, [1.0, 0.5])
    t = adviz.from_micrograd(loss)
    assert not any(scope for _, scope in t.graph.nodes(data="scope"))
    assert not any(n.startswith(("z", "a")) for n in t.graph)
    with pytest.raises(adviz.InputError, match="not a network"):
        _ = t.network
    assert adviz.from_micrograd(loss, model=model).value == t.value


def test_a_batch_is_refused_naming_the_fix() -> None:
    model = _mlp(2, [2, 1], "tanh", seed=4)
    loss = sum(((model(x) - 1.0) ** 2 for x in ([0.5, 1.0], [1.0, -0.5])), Value(0.0))
    with pytest.raises(adviz.InputError, match=r"2 times, not once.*one sample"):
        adviz.from_micrograd(loss, model=model)


def test_a_model_not_in_the_graph_or_not_a_model_is_refused() -> None:
    model = _mlp(2, [2, 1], "tanh", seed=5)
    _, loss = _forward(model, [0.5, 1.0])
    with pytest.raises(adviz.InputError, match="is not in this micrograd graph"):
        adviz.from_micrograd(loss, model=_mlp(2, [2, 1], "tanh", seed=5))
    with pytest.raises(adviz.InputError, match="model must be a micrograd MLP"):
        adviz.from_micrograd(loss, model=[1, 2])
