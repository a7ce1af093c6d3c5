"""The structure of a traced network, recovered from its scopes alone."""

from __future__ import annotations

import itertools

import pytest

import adviz
import adviz.examples
from adviz.core.network import network


@pytest.mark.parametrize(("sizes", "activation"), [
    ((2, 3, 1), "tanh"), ((3, 4, 2), "relu"), ((2, 16, 16, 1), "sigmoid"), ((1, 1), "tanh"),
    ((4, 2, 3, 1), "relu"),
])
def test_mlp_structure_is_recovered_exactly(sizes: tuple[int, ...], activation: str) -> None:
    t = adviz.examples.mlp(sizes, activation)
    net = t.network
    assert net.sizes == sizes
    assert net.inputs == tuple(f"x{i}" for i in range(1, sizes[0] + 1))
    assert net.loss == t.output
    sep = "_" if max(sizes) >= 10 else ""
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
        got = net.layers[layer - 1]
        assert got.index == layer and got.label == f"layer {layer}"
        previous = net.inputs if layer == 1 else tuple(f"a{layer - 1}_{i}"
                                                       for i in range(1, fan_in + 1))
        for j, neuron in enumerate(got.neurons, start=1):
            assert (neuron.layer, neuron.index) == (layer, j)
            assert neuron.pre == f"z{layer}_{j}"
            assert neuron.activation == f"a{layer}_{j}"
            assert neuron.function == activation
            assert neuron.bias == f"b{layer}_{j}"
            assert neuron.weights == tuple(f"w{layer}_{j}{sep}{i}" for i in range(1, fan_in + 1))
            assert neuron.inputs == previous
            for node in neuron.nodes:
                assert t.graph.nodes[node]["scope"] == ("layer " + str(layer), f"neuron {j}")
        assert len(got.neurons) == fan_out
    assert set(net.parameters) == set(t.graph.graph["inputs"]) - set(net.inputs)


def test_a_users_own_scoped_code_is_a_network() -> None:
    def f(u, v, p, q, r, s, c1, c2, k1, k2, d):  # type: ignore[no-untyped-def]
        hidden = []
        with adviz.scope("hidden"):
            for label, (w1, w2, b) in (("h1", (p, q, c1)), ("h2", (r, s, c2))):
                with adviz.scope(label):
                    hidden.append(adviz.sigmoid(u * w1 + v * w2 + b))
        with adviz.scope("out"):
            with adviz.scope("o"):
                o = k1 * hidden[0] + k2 * hidden[1] + d
        return (o - 0.5) ** 2

    t = adviz.trace(f, u=0.3, v=-0.2, p=0.1, q=0.4, r=-0.5, s=0.2, c1=0.0, c2=0.1, k1=0.7,
                    k2=-0.3, d=0.05)
    net = network(t)
    assert net.inputs == ("u", "v") and net.sizes == (2, 2, 1)
    first, second = net.layers
    assert [n.weights for n in first.neurons] == [("p", "q"), ("r", "s")]
    assert [n.bias for n in first.neurons] == ["c1", "c2"]
    assert [n.function for n in first.neurons] == ["sigmoid", "sigmoid"]
    out = second.neurons[0]
    assert out.weights == ("k1", "k2") and out.bias == "d" and out.function is None
    assert out.inputs == tuple(n.activation for n in first.neurons)
    assert out.activation == out.pre


def test_the_example_network_with_named_layers() -> None:
    net = adviz.examples.network().network
    assert net.sizes == (2, 4, 1)
    assert [layer.label for layer in net.layers] == ["hidden layer", "output layer"]
    assert net.layers[1].neurons[0].weights == ("w2_11", "w2_12", "w2_13", "w2_14")


@pytest.mark.parametrize("source", ["(x1 - x2)**2 + cos(x1 + x2)", "x * x"])
def test_a_trace_without_neuron_scopes_is_not_a_network(source: str) -> None:
    t = adviz.trace(source, x1=1.0, x2=2.0) if "x1" in source else adviz.trace(source, x=3.0)
    with pytest.raises(adviz.InputError, match="not a network.*view=\"graph\""):
        _ = t.network


def test_a_scope_whose_value_leaves_twice_is_refused() -> None:
    def f(x, w):  # type: ignore[no-untyped-def]
        with adviz.scope("layer"):
            with adviz.scope("neuron"):
                a = w * x
                b = adviz.tanh(a)
        return a + b

    with pytest.raises(adviz.InputError, match="leaves it through 2 nodes"):
        network(adviz.trace(f, x=1.0, w=2.0))
