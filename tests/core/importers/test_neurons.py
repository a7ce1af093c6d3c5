"""`scope_network`: a model's neurons found among imported steps and scoped."""

from __future__ import annotations

import pytest

import adviz
from adviz.core.importers.common import ScalarGraph
from adviz.core.importers.neurons import NeuronSpec, scope_network


def _two_outputs() -> tuple[ScalarGraph, list[list[NeuronSpec]]]:
    """One layer of two neurons on x; the loss reads the first before the second exists."""
    g = ScalarGraph({"x": 0.5, "u": 2.0, "c": 0.1, "v": -1.0, "d": 0.3})
    first = g.add("tanh", g.add("add", 2, g.add("mul", 1, 0)))
    square = g.add("pow", first, 2.0)  # a loss term computed between the two neurons
    second = g.add("add", 4, g.add("mul", 3, 0))
    g.add("add", square, g.add("mul", second, second))
    return g, [[NeuronSpec((1,), 2, True), NeuronSpec((3,), 4, False)]]


def test_neurons_are_moved_together_and_the_loss_after_them() -> None:
    g, layers = _two_outputs()
    scoped, moved = scope_network(g, layers)
    assert [s.op.name for s in scoped.steps] == ["mul", "add", "tanh", "mul", "add", "pow",
                                                 "mul", "add"]
    assert scoped.scopes == [("neuron 1", 0, 3), ("neuron 2", 3, 5), ("layer 1", 0, 5)]
    assert [s.label for s in scoped.steps] == [None, "z1_1", "a1_1", None, "z1_2", None,
                                               None, None]
    assert moved[5 + 3] == 5 + 5  # the pow moved after the second neuron
    before = g.trace("graph")
    after = scoped.trace("graph")
    assert after.value == before.value and after.grad == before.grad
    net = after.network
    assert [(n.weights, n.bias, n.function) for n in net.neurons] == [
        (("u",), "c", "tanh"), (("v",), "d", None)]
    assert all(not s for n, s in after.graph.nodes(data="scope")
               if n not in {m for neuron in net.neurons for m in neuron.nodes})


def test_a_weight_multiplied_twice_is_refused() -> None:
    g = ScalarGraph({"x": 0.5, "y": 1.5, "w": 2.0})
    g.add("add", g.add("mul", 2, 0), g.add("mul", 2, 1))
    with pytest.raises(adviz.InputError, match="weight w of neuron 1 of layer 1 is multiplied 2 "
                                               "times.*one sample"):
        scope_network(g, [[NeuronSpec((2,), None, None)]])


def test_a_name_in_use_is_left_alone() -> None:
    g = ScalarGraph({"x": 0.5, "w": 2.0, "z1_1": 0.1})
    g.add("sin", g.add("add", g.add("mul", 1, 0), 2))
    g.add("pow", 4, 2.0)
    scoped, _ = scope_network(g, [[NeuronSpec((1,), 2, None)]])
    assert [s.label for s in scoped.steps] == [None, None, None, None]  # sin: no activation
