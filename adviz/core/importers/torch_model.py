"""`from_torch(..., model=...)`: the ``nn.Linear`` layers of a model as a network's neurons.

Given the module that computed the output on one sample, each output element
of its ``k``-th ``nn.Linear`` (in the order the forward pass applied them) is
neuron ``j`` of layer ``k``: its weights are row ``j`` of the layer's
``weight`` (named ``w{k}_{j}{i}``), its bias ``bias[j]`` (``b{k}_{j}``). The
sample's values become inputs ``x1, x2, ...`` (a tensor that does not require
grad is otherwise a constant of the first matrix product). The tensors are
unrolled into scalar nodes (as ``expand=True`` does) and scoped by
`adviz.core.importers.neurons.scope_network`. In an ``nn.Sequential``, a
``Tanh``, ``ReLU`` or ``Sigmoid`` right after a ``Linear`` is its neurons'
activation; in another module, a ``tanh``, ``relu`` or ``sigmoid`` applied to a
neuron's sum is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adviz.core.importers.common import ImportedTrace
from adviz.core.importers.neurons import NeuronSpec, scope_network
from adviz.errors import InputError

MODEL_EXPAND_LIMIT = 4096
"""With ``model=``, tensors of at most this many elements are unrolled into scalar nodes."""

_PRODUCTS = {"AddmmBackward0": 2, "MmBackward0": 1}
"""The matrix products ``nn.Linear`` records, and where the transposed weight is."""
_SAMPLE = {"AddmmBackward0": 1, "MmBackward0": 0}
"""Where the values a matrix product multiplies are."""


@dataclass
class Layer:
    """One ``nn.Linear`` as it was applied: its function, leaves and sizes."""

    number: int
    fn: Any
    weight: Any
    bias: Any
    fan_in: int
    fan_out: int
    activation: bool | None


@dataclass
class Plan:
    """How the scalar graph of a model's output names, orders and scopes its inputs.

    Attributes
    ----------
    layers
        The ``nn.Linear`` layers in the order the forward pass applied them.
    sample
        ``(id of the first matrix product's function, argument)`` when the sample
        is a constant there (it becomes the inputs ``x1, x2, ...``), else ``None``.
    sample_leaf
        The leaf holding the sample, when it requires grad.
    """

    layers: list[Layer]
    sample: tuple[int, int] | None = None
    sample_leaf: Any = None
    _elements: dict[int, Callable[[tuple[int, ...]], tuple[str, tuple[int, ...]]]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        sizes = [self.layers[0].fan_in] + [layer.fan_out for layer in self.layers]
        sep = "_" if max(sizes) >= 10 else ""
        for layer in self.layers:
            self._elements[id(layer.weight)] = functools.partial(_weight, layer.number, sep)
            if layer.bias is not None:
                self._elements[id(layer.bias)] = functools.partial(_bias, layer.number,
                                                                   layer.fan_in)
        if self.sample_leaf is not None:
            shape = tuple(self.sample_leaf.variable.shape)

            def sample(index: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
                flat = 0
                for i, n in zip(index, shape):
                    flat = flat * n + i
                return f"x{flat + 1}", (0, 0, flat)

            self._elements[id(self.sample_leaf)] = sample

    def element(self, leaf: Any, index: tuple[int, ...]) -> tuple[str, tuple[int, ...]] | None:
        """The name and order key of a leaf's element, or ``None`` for a leaf not planned."""
        known = self._elements.get(id(leaf))
        return None if known is None else known(tuple(index))

    def specs(self, names: list[str]) -> list[list[NeuronSpec]]:
        """Each neuron's weights and bias as input positions (``names``: the inputs)."""
        position = {name: i for i, name in enumerate(names)}
        sizes = [self.layers[0].fan_in] + [layer.fan_out for layer in self.layers]
        sep = "_" if max(sizes) >= 10 else ""
        return [[NeuronSpec(
            tuple(position[f"w{layer.number}_{j}{sep}{i}"]
                  for i in range(1, layer.fan_in + 1)),
            None if layer.bias is None else position[f"b{layer.number}_{j}"],
            layer.activation) for j in range(1, layer.fan_out + 1)]
            for layer in self.layers]


def _weight(k: int, sep: str, index: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    return f"w{k}_{index[0] + 1}{sep}{index[1] + 1}", (k, index[0], index[1])


def _bias(k: int, fan_in: int, index: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    return f"b{k}_{index[0] + 1}", (k, index[0], fan_in)


def plan(torch: Any, walk: Any, model: Any) -> Plan:
    """Find each ``nn.Linear`` of ``model`` in the walked graph.

    Raises
    ------
    InputError
        ``model`` is not a module with ``nn.Linear`` layers, or one of them is not
        applied exactly once, to one sample, in this graph.
    """
    from adviz.core.importers.torch_graph import _REARRANGE, _name

    if not isinstance(model, torch.nn.Module):
        raise InputError(f"model must be a torch.nn.Module, not {type(model).__name__}")
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if not linears:
        raise InputError(f"model has no nn.Linear layer ({type(model).__name__}); import "
                         "without model=")
    leaf_of = {id(leaf.variable): leaf for leaf in walk.leaves}
    uses: dict[int, list[Any]] = {}
    for fn in walk.ops:
        slot = _PRODUCTS.get(_name(fn))
        if slot is None:
            continue
        t = walk.nexts[id(fn)][slot][0]
        if t is not None and _name(t) == "TBackward0":
            w = walk.nexts[id(t)][0][0]
            if w is not None and _name(w) == "AccumulateGrad":
                uses.setdefault(id(w), []).append(fn)
    children = list(model) if isinstance(model, torch.nn.Sequential) else None
    activations = (torch.nn.Tanh, torch.nn.ReLU, torch.nn.Sigmoid)
    found = []
    for number, linear in enumerate(linears, start=1):
        what = f"the model's Linear layer {number} ({linear})"
        leaf = leaf_of.get(id(linear.weight))
        if leaf is None:
            raise InputError(f"{what} is not in this graph (its weight must require grad); "
                             "pass the model that computed the output")
        fns = uses.get(id(leaf), [])
        if len(fns) != 1:
            raise InputError(f"{what} is applied {len(fns)} times in this graph, not once: "
                             "trace the model on one sample, or import without model=")
        fn = fns[0]
        shape = tuple(walk.values[id(fn)].shape)
        if len(shape) != 2 or shape[0] != 1:
            raise InputError(f"{what} is applied to {shape[0]} samples at once; trace the "
                             "model on one sample (a batch of 1), or import without model=")
        bias = None
        if linear.bias is not None:
            bias = leaf_of.get(id(linear.bias))
            first = walk.nexts[id(fn)][0][0] if _name(fn) == "AddmmBackward0" else None
            if bias is None or first is not bias:
                raise InputError(f"{what}: its bias is not added by its matrix product in "
                                 "this graph; import without model=")
        activation = None
        if children is not None:
            at = next((k for k, c in enumerate(children) if c is linear), None)
            if at is not None:
                after = children[at + 1] if at + 1 < len(children) else None
                activation = isinstance(after, activations)
        found.append((fn._sequence_nr(), linear, fn, leaf, bias, activation))
    found.sort(key=lambda f: f[0])
    layers = [Layer(k, fn, leaf, bias, linear.in_features, linear.out_features, activation)
              for k, (_, linear, fn, leaf, bias, activation) in enumerate(found, start=1)]
    first = layers[0].fn
    slot = _SAMPLE[_name(first)]
    source = walk.nexts[id(first)][slot][0]
    sample = sample_leaf = None
    if source is None:
        sample = (id(first), slot)
    else:
        while source is not None and _name(source) in _REARRANGE:
            source = walk.nexts[id(source)][0][0]
        if source is not None and _name(source) == "AccumulateGrad" and \
                not any(source is layer.weight or source is layer.bias for layer in layers):
            sample_leaf = source
    return Plan(layers, sample, sample_leaf)


def network_trace(torch: Any, walk: Any, model: Any, what: str, order: str | None,
                  granularity: str, output_name: str | None, prefix: str) -> ImportedTrace:
    """The scalar trace of a walked graph with the model's layers and neurons scoped."""
    from adviz.core.importers.torch_graph import _name, _scalar_graph

    found = plan(torch, walk, model)
    big = [walk.leaf_names[id(f)] for f in walk.leaves
           if walk.values[id(f)].numel() > MODEL_EXPAND_LIMIT]
    big += [_name(f) for f in walk.ops if walk.values[id(f)].numel() > MODEL_EXPAND_LIMIT]
    if big:
        raise InputError(f"model= unrolls tensors of at most {MODEL_EXPAND_LIMIT} elements into "
                         f"scalar nodes; {big[0]} has more: import without model=")
    graph, steps = _scalar_graph(walk, order == "recorded", found)
    graph, moved = scope_network(graph, found.specs(list(graph.inputs)), "the PyTorch model")
    recorded = None if steps is None else [moved.get(s, s) for s in steps]
    return graph.trace(what, order=order or "seed", granularity=granularity,
                       output=output_name, prefix=prefix, recorded=recorded,
                       framework="torch")
