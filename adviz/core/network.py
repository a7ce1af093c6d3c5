"""A traced network's structure: its layers, their neurons, the loss.

A trace is a *network* when its nodes carry layer and neuron membership:
every node computed inside a neuron sits in a scope nested in its layer's
scope (``with adviz.scope("layer 1"): ... with adviz.scope("neuron 3"):``, as
`adviz.examples.mlp` and `adviz.examples.network` trace them). `network`
recovers, from the scopes and the graph alone,

- the layers, in evaluation order (a layer is the scope holding neuron scopes),
- each neuron: its activation (the one node whose value leaves the neuron),
  its pre-activation (the weighted sum the activation is applied to), its
  bias, its incoming weights (leaves multiplied by the values it reads) and
  those values (the network's inputs or earlier neurons' activations),
- the network's inputs (the leaves the first layer's weights multiply) and
  the loss (the trace's output).

Nothing here depends on names: a user's own scoped code is read the same
way as the examples.

Examples
--------
>>> import adviz.examples
>>> net = network(adviz.examples.mlp((2, 3, 1)))
>>> net.inputs, net.sizes, net.loss
(('x1', 'x2'), (2, 3, 1), 'y')
>>> n = net.layers[0].neurons[1]
>>> n.pre, n.activation, n.bias, n.weights, n.inputs, n.function
('z1_2', 'a1_2', 'b1_2', ('w1_21', 'w1_22'), ('x1', 'x2'), 'tanh')
>>> net.neuron_of("t4").activation
'a1_2'
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

SUMS = ("add", "sub")
"""Ops that add a bias to a neuron's weighted inputs."""


@dataclass(frozen=True)
class Neuron:
    """One neuron of a traced network.

    Attributes
    ----------
    layer, index
        Its layer's number and its own within the layer (both from 1).
    scope
        Its scope path (``("layer 1", "neuron 2")``).
    pre
        The pre-activation node (the weighted sum plus bias, ``z``).
    activation
        The node whose value leaves the neuron (``a``); equal to ``pre`` for a
        neuron without an activation function.
    function
        The activation's op name (``"tanh"``, ``"relu"``, ``"sigmoid"``), or
        ``None`` when ``activation == pre``.
    bias
        The bias leaf, or ``None``.
    weights
        Incoming weight leaves, one per value read, in argument order.
    inputs
        The values the weights multiply: network inputs or activations of
        earlier neurons, matching ``weights``.
    nodes
        Every node of the neuron's scope, in evaluation order.
    products
        The product node of each weight (``weights[k] * inputs[k]``).
    """

    layer: int
    index: int
    scope: tuple[str, ...]
    pre: str
    activation: str
    function: str | None
    bias: str | None
    weights: tuple[str, ...]
    inputs: tuple[str, ...]
    nodes: tuple[str, ...]
    products: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How captions name it: ``"neuron 2 of layer 1"``."""
        return f"neuron {self.index} of layer {self.layer}"


@dataclass(frozen=True)
class Layer:
    """One layer: its number (from 1), its scope label and its neurons in order."""

    index: int
    label: str
    neurons: tuple[Neuron, ...]


@dataclass(frozen=True)
class Network:
    """The structure of a traced network (see the module).

    Attributes
    ----------
    inputs
        The network's inputs (leaves), in argument order.
    layers
        Its layers, first to last.
    loss
        The output node (the loss).
    """

    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    loss: str
    _owner: dict[str, Neuron] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Inputs, then neurons per layer: ``(2, 16, 16, 1)``."""
        return (len(self.inputs), *(len(layer.neurons) for layer in self.layers))

    @property
    def neurons(self) -> Iterator[Neuron]:
        """Every neuron, layer by layer."""
        for layer in self.layers:
            yield from layer.neurons

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every weight and bias leaf, neuron by neuron."""
        out: list[str] = []
        for neuron in self.neurons:
            out += neuron.weights
            if neuron.bias is not None:
                out.append(neuron.bias)
        return tuple(out)

    def neuron_of(self, node: str) -> Neuron | None:
        """The neuron a node belongs to (its scope's, or the one a weight or bias feeds)."""
        if not self._owner:
            for neuron in self.neurons:
                for member in (*neuron.nodes, *neuron.weights,
                               *(() if neuron.bias is None else (neuron.bias,))):
                    self._owner[member] = neuron
        return self._owner.get(node)


_NETWORKS: weakref.WeakKeyDictionary[Trace, Network] = weakref.WeakKeyDictionary()


def network(trace: Trace) -> Network:
    """The layers, neurons and loss of a scoped network (cached per trace).

    Parameters
    ----------
    trace
        A `Trace` whose neurons were traced in nested scopes (a layer's
        scope holding one scope per neuron).

    Returns
    -------
    Network

    Raises
    ------
    InputError
        The trace is not a network: no node sits in a neuron scope nested in a
        layer scope, a neuron's value leaves it through more than one node, or
        a neuron reads a value that is neither a network input nor an earlier
        neuron's activation (the message names the neuron and says how to scope it).

    Examples
    --------
    >>> import adviz
    >>> def f(x, w, b):
    ...     with adviz.scope("layer 1"):
    ...         with adviz.scope("neuron 1"):
    ...             a = adviz.relu(w * x + b)
    ...     return (a - 1) ** 2
    >>> net = network(adviz.trace(f, x=2.0, w=0.5, b=0.1))
    >>> [(n.weights, n.inputs, n.bias, n.function) for n in net.neurons]
    [(('w',), ('x',), 'b', 'relu')]
    >>> network(adviz.trace("x * x", x=3.0))
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: this trace is not a network: no node sits in a neuron scope \
inside a layer scope; trace each neuron inside `with adviz.scope("neuron j"):` nested in \
`with adviz.scope("layer k"):` (as adviz.examples.mlp does), or draw it with view="graph"
    """
    found = _NETWORKS.get(trace)
    if found is None:
        found = _NETWORKS[trace] = _recover(trace)
    return found


def _fail(reason: str) -> InputError:
    return InputError(
        f"this trace is not a network: {reason}; trace each neuron inside "
        f'`with adviz.scope("neuron j"):` nested in `with adviz.scope("layer k"):` (as '
        f'adviz.examples.mlp does), or draw it with view="graph"')


def _recover(trace: Trace) -> Network:
    graph = trace.graph
    data = graph.nodes
    # Neurons: nodes grouped by their scope path when it is nested (layer, neuron).
    members: dict[tuple[str, ...], list[str]] = {}
    for node, scope in graph.nodes(data="scope"):
        if scope and len(scope) >= 2:
            members.setdefault(tuple(scope), []).append(node)
    if not members:
        raise _fail("no node sits in a neuron scope inside a layer scope")
    layer_paths: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in members:
        layer_paths.setdefault(path[:-1], []).append(path)
    leaves = [n for n in graph.nodes if data[n]["kind"] != "op"]
    scope_of = {n: tuple(data[n].get("scope") or ()) for n in graph.nodes}
    activation_of: dict[tuple[str, ...], str] = {}
    for path, nodes in members.items():
        inside = set(nodes)
        leaving = [n for n in nodes if any(c not in inside for c in graph.successors(n))
                   or n == trace.output]
        label = " / ".join(path)
        if len(leaving) != 1:
            what = "no node" if not leaving else f"{len(leaving)} nodes ({', '.join(leaving)})"
            raise _fail(f"the value of scope {label!r} leaves it through {what}, not one")
        activation_of[path] = leaving[0]
    activations = {a: p for p, a in activation_of.items()}
    # Leaves read by exactly one neuron are its parameters; the others are data.
    readers: dict[str, set[tuple[str, ...]]] = {leaf: set() for leaf in leaves}
    outside: set[str] = set()
    for leaf in leaves:
        for child in graph.successors(leaf):
            path = scope_of[child]
            if path in members:
                readers[leaf].add(path)
            else:
                outside.add(leaf)
    weight_slot = _weight_slot(graph, members, activations, readers)
    neurons_of: dict[tuple[str, ...], Neuron] = {}
    ordered_layers = list(layer_paths)
    inputs_seen: dict[str, None] = {}
    for number, layer_path in enumerate(ordered_layers, start=1):
        for k, path in enumerate(layer_paths[layer_path], start=1):
            neuron = _neuron(trace, path, members[path], activation_of[path], number, k,
                             activations, readers, outside, weight_slot)
            for value in neuron.inputs:
                if value not in activations:
                    inputs_seen[value] = None
                elif activations[value] not in neurons_of:
                    raise _fail(f"{neuron.name} reads {value!r} from a later neuron")
            neurons_of[path] = neuron
    order = {name: k for k, name in enumerate(graph.graph["inputs"])}
    inputs = tuple(sorted(inputs_seen, key=lambda n: order.get(n, len(order))))
    layers = tuple(Layer(number, layer_path[-1],
                         tuple(neurons_of[p] for p in layer_paths[layer_path]))
                   for number, layer_path in enumerate(ordered_layers, start=1))
    return Network(inputs, layers, trace.output)


def _weight_slot(graph: Any, members: dict[tuple[str, ...], list[str]],
                 activations: dict[str, tuple[str, ...]],
                 readers: dict[str, set[tuple[str, ...]]]) -> int:
    """The argument position of the weight in a neuron's products, learned from the
    products whose roles are plain (a leaf times an activation, or a private leaf times a
    shared one); 0 when none is."""
    for nodes in members.values():
        for node in nodes:
            args = graph.nodes[node]["args"]
            if graph.nodes[node]["op"] != "mul" or len(args) != 2:
                continue
            private = [len(readers.get(a, ())) == 1 and graph.nodes[a]["kind"] != "op"
                       for a in args]
            data = [a in activations or len(readers.get(a, ())) > 1 for a in args]
            if private[0] and data[1] and not data[0]:
                return 0
            if private[1] and data[0] and not data[1]:
                return 1
    return 0


def _neuron(trace: Trace, path: tuple[str, ...], nodes: list[str], activation: str,
            layer: int, index: int, activations: dict[str, tuple[str, ...]],
            readers: dict[str, set[tuple[str, ...]]], outside: set[str],
            weight_slot: int) -> Neuron:
    graph = trace.graph
    data = graph.nodes
    inside = set(nodes)
    name = f"neuron {index} of layer {layer} ({' / '.join(path)})"
    weights: list[str] = []
    values: list[str] = []
    products: list[str] = []
    bias: str | None = None
    for node in nodes:
        args = data[node]["args"]
        outer = [a for a in args if a not in inside]
        if not outer:
            continue
        if data[node]["op"] == "mul" and len(args) == 2 and len(outer) == 2:
            weight, value = args[weight_slot], args[1 - weight_slot]
            if weight in activations or len(readers.get(weight, ())) != 1:
                weight, value = value, weight
            weights.append(weight)
            values.append(value)
            products.append(node)
            continue
        for a in outer:
            if a in activations or data[a]["kind"] == "op":
                raise _fail(f"{name} reads {a!r} other than through a weight")
            if len(readers.get(a, ())) == 1 and a not in outside and bias is None \
                    and data[node]["op"] in SUMS:
                bias = a
            else:
                raise _fail(f"{name} reads {a!r} other than through a weight or a bias")
    if not weights:
        raise _fail(f"{name} has no weighted input (a product of a weight and a value)")
    pre, function = _pre_activation(trace, nodes, activation, products, bias)
    return Neuron(layer, index, path, pre, activation, function, bias, tuple(weights),
                  tuple(values), tuple(nodes), tuple(products))


def _pre_activation(trace: Trace, nodes: list[str], activation: str,
                    products: list[str], bias: str | None) -> tuple[str, str | None]:
    """The node summing every weighted input (and the bias), and the activation's op."""
    graph = trace.graph
    inside = set(nodes)
    needed = set(products) | ({bias} if bias is not None else set())
    below: dict[str, set[str]] = {}
    for node in nodes:  # evaluation order: parents first
        reach: set[str] = set()
        for parent in graph.nodes[node]["args"]:
            if parent in inside:
                reach |= below[parent] | {parent}
            elif parent == bias:
                reach.add(parent)
        below[node] = reach
    pre = next((n for n in nodes if needed <= below[n] | {n}), activation)
    if pre == activation:
        return pre, None
    op = graph.nodes[activation]["op"]
    return pre, str(op) if op is not None else None
