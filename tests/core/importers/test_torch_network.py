"""`adviz.from_torch(..., model=...)`: ``nn.Linear`` stacks imported as networks.

Every number is checked against PyTorch itself: the layers' ``weight`` and
``bias``, the forward values of each layer, and the gradients PyTorch's own
backward pass gives (``.grad``, and ``retain_grad`` on the activations).
"""

from __future__ import annotations

import itertools

import pytest

import adviz

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

F64 = torch.float64
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def _model(sizes: tuple[int, ...], function: str, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    modules: list[nn.Module] = []
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        modules.append(nn.Linear(fan_in, fan_out))
        if k < len(sizes) - 2:
            modules.append(ACTIVATIONS[function]())
    return nn.Sequential(*modules).to(F64)


def _forward(model: nn.Sequential, x):
    """The model applied module by module (as ``model(x)`` does), keeping each layer's output
    (the activation's, or the Linear's for the last layer) with ``retain_grad``."""
    outputs = []
    h = x
    modules = list(model)
    for k, module in enumerate(modules):
        h = module(h)
        last = k == len(modules) - 1
        if not isinstance(module, nn.Linear) or last:
            h.retain_grad()
            outputs.append(h)
    return outputs, h


CASES = [
    ((2, 4, 1), "tanh", (2,)), ((3, 5, 2), "relu", (1, 3)), ((2, 16, 16, 1), "sigmoid", (2,)),
    ((1, 1), "tanh", (1,)), ((4, 2, 3, 1), "relu", (4,)), ((2, 3, 1), "sigmoid", (1, 2)),
]


@pytest.mark.parametrize(("sizes", "function", "shape"), CASES)
def test_the_network_is_recovered_exactly(sizes, function, shape, check_replay) -> None:
    model = _model(sizes, function, seed=sum(sizes))
    x = torch.linspace(-1.5, 1.0, sizes[0], dtype=F64).reshape(shape)
    outputs, out = _forward(model, x)
    loss = ((out - 0.5) ** 2).sum()
    t = adviz.from_torch(loss, model=model)
    loss.backward()
    net = t.network
    assert net.sizes == sizes
    assert net.inputs == tuple(f"x{i}" for i in range(1, sizes[0] + 1))
    nodes = t.graph.nodes
    assert [nodes[n]["value"] for n in net.inputs] == x.reshape(-1).tolist()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    previous = net.inputs
    for k, (linear, layer) in enumerate(zip(linears, net.layers), start=1):
        assert len(layer.neurons) == linear.out_features
        activation = outputs[k - 1].reshape(-1)
        for j, neuron in enumerate(layer.neurons):
            assert (neuron.layer, neuron.index) == (k, j + 1)
            assert [nodes[w]["value"] for w in neuron.weights] == linear.weight[j].tolist()
            assert nodes[neuron.bias]["value"] == linear.bias[j].item()
            assert neuron.inputs == previous
            assert neuron.function == (None if k == len(linears) else function)
            assert nodes[neuron.activation]["value"] == pytest.approx(
                activation[j].item(), rel=1e-12, abs=1e-15)
            assert nodes[neuron.activation]["adjoint"] == pytest.approx(
                outputs[k - 1].grad.reshape(-1)[j].item(), rel=1e-10, abs=1e-14)
            grads = [t.grad[w] for w in neuron.weights]
            assert grads == pytest.approx(linear.weight.grad[j].tolist(), rel=1e-10, abs=1e-14)
            assert t.grad[neuron.bias] == pytest.approx(linear.bias.grad[j].item(), rel=1e-10,
                                                        abs=1e-14)
            for node in neuron.nodes:
                assert nodes[node]["scope"] == (f"layer {k}", f"neuron {j + 1}")
        previous = tuple(n.activation for n in layer.neurons)
    assert t.value == pytest.approx(loss.item(), rel=1e-12)
    check_replay(t)


def test_a_sample_that_requires_grad_and_the_mse_loss() -> None:
    model = _model((3, 4, 2), "tanh", seed=1)
    x = torch.tensor([0.2, -0.7, 1.1], dtype=F64, requires_grad=True)
    loss = nn.functional.mse_loss(model(x), torch.tensor([1.0, -1.0], dtype=F64))
    t = adviz.from_torch(loss, model=model, order="recorded")
    loss.backward()
    net = t.network
    assert net.sizes == (3, 4, 2) and net.inputs == ("x1", "x2", "x3")
    assert [t.grad[n] for n in net.inputs] == pytest.approx(x.grad.tolist(), rel=1e-10)
    assert t.recorded_order is not None and len(t.recorded_order) == len(
        [n for n, kind in t.graph.nodes(data="kind") if kind == "op"])


def test_a_module_of_its_own_takes_the_activation_functions() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.output = nn.Linear(3, 1)  # registered first, applied last
            self.hidden = nn.Linear(2, 3)

        def forward(self, x):
            return self.output(torch.sigmoid(self.hidden(x)))

    torch.manual_seed(2)
    model = Net().to(F64)
    loss = (model(torch.tensor([0.3, -0.4], dtype=F64)) ** 2).sum()
    net = adviz.from_torch(loss, model=model).network
    assert net.sizes == (2, 3, 1)
    assert [n.function for n in net.neurons] == ["sigmoid"] * 3 + [None]
    assert net.layers[0].neurons[0].weights == ("w1_11", "w1_12")


def test_without_the_model_the_graph_imports_as_before() -> None:
    model = _model((2, 3, 1), "tanh", seed=3)
    loss = ((model(torch.tensor([0.5, 1.0], dtype=F64)) - 1.0) ** 2).sum()
    t = adviz.from_torch(loss, model)
    assert type(t).__name__ == "TensorTrace"  # tensor nodes, as ever
    assert adviz.from_torch(loss, model=model).value == pytest.approx(t.value, rel=1e-12)


def test_a_batch_is_refused_naming_the_fix() -> None:
    model = _model((2, 3, 1), "relu", seed=4)
    loss = model(torch.ones(5, 2, dtype=F64)).sum()
    with pytest.raises(adviz.InputError, match=r"5 samples at once.*one sample"):
        adviz.from_torch(loss, model=model)


def test_a_model_not_in_the_graph_is_refused() -> None:
    model = _model((2, 3, 1), "relu", seed=5)
    loss = model(torch.ones(2, dtype=F64)).sum()
    with pytest.raises(adviz.InputError, match="is not in this graph"):
        adviz.from_torch(loss, model=_model((2, 3, 1), "relu", seed=5))
    with pytest.raises(adviz.InputError, match="no nn.Linear"):
        adviz.from_torch(loss, model=nn.Tanh())
    with pytest.raises(adviz.InputError, match="torch.nn.Module"):
        adviz.from_torch(loss, model="mlp")
