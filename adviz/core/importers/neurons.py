"""Layer and neuron scopes for an imported network whose model is known.

A framework's model says which parameters belong to which neuron (micrograd's
``nn.MLP``: ``layers[k].neurons[j].w`` and ``.b``; PyTorch's ``nn.Linear``:
row ``j`` of ``weight`` and ``bias[j]``). `scope_network` finds, in a
`ScalarGraph`, the steps each neuron computes from them (the product of each
weight with the value it reads, the sums adding them to the bias, and the
activation applied to the total), moves each neuron's steps together, layer
by layer, and scopes them ``("layer k", "neuron j")`` as `adviz.scope`
blocks would, so the imported trace is a network (`adviz.Trace.network`).
The weighted sum is named ``z{k}_{j}`` and the activation ``a{k}_{j}``, as
`adviz.examples.mlp` names them.

Examples
--------
>>> from adviz.core.importers.common import ScalarGraph
>>> g = ScalarGraph({"x": 0.5, "w": 2.0, "b": 0.1})
>>> z = g.add("add", 2, g.add("mul", 1, 0))
>>> _ = g.add("pow", g.add("tanh", z), 2.0)
>>> net, moved = scope_network(g, [[NeuronSpec(weights=(1,), bias=2, activation=True)]])
>>> [(s.op.name, s.label) for s in net.steps], net.scopes
([('mul', None), ('add', 'z1_1'), ('tanh', 'a1_1'), ('pow', None)], \
[('neuron 1', 0, 3), ('layer 1', 0, 3)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adviz.core.importers.common import ScalarGraph, Step
from adviz.errors import InputError

ACTIVATIONS = frozenset({"tanh", "relu", "sigmoid"})
"""Ops taken for a neuron's activation when the model does not say whether it has one."""


@dataclass(frozen=True)
class NeuronSpec:
    """What the model says about one neuron, as positions in a `ScalarGraph`.

    Attributes
    ----------
    weights
        The input position of each incoming weight, in the order of the values
        they multiply.
    bias
        The input position of the bias, or ``None``.
    activation
        ``True``: the one-argument op applied to the neuron's total is its
        activation; ``False``: the neuron has none (the total leaves it);
        ``None``: unknown, an op of `ACTIVATIONS` applied to the total is taken.
    """

    weights: tuple[int, ...]
    bias: int | None = None
    activation: bool | None = None


def scope_network(graph: ScalarGraph, layers: Sequence[Sequence[NeuronSpec]],
                  what: str = "model") -> tuple[ScalarGraph, dict[int, int]]:
    """The graph with each neuron's steps together and scoped, layer by layer.

    Parameters
    ----------
    graph
        The imported steps.
    layers
        Per layer, first to last, its neurons in order.
    what
        How messages name the model (``"the micrograd model"``).

    Returns
    -------
    graph : ScalarGraph
        The same computation (the same steps, reordered; positions of the
        inputs unchanged) with ``scopes`` and the names ``z{k}_{j}``,
        ``a{k}_{j}`` on steps that had none.
    moved : dict
        The new position of each step's old position.

    Raises
    ------
    InputError
        A weight is not multiplied exactly once (the model was applied to
        several samples, or not at all), a neuron's sum does not add all its
        weighted inputs and its bias, or a neuron reads a value computed after it.
    """
    n_inputs = len(graph.inputs)
    steps = graph.steps
    owner: dict[int, tuple[int, int, str]] = {}  # input position -> (layer, neuron, role)
    flat: list[tuple[int, int, NeuronSpec]] = []
    for k, layer in enumerate(layers):
        for j, spec in enumerate(layer):
            flat.append((k, j, spec))
            for w in spec.weights:
                owner[w] = (k, j, "w")
            if spec.bias is not None:
                owner[spec.bias] = (k, j, "b")
    index = {(k, j): g for g, (k, j, _) in enumerate(flat)}
    member: dict[int, int] = {}  # position -> neuron (its index in flat)
    count: dict[int, int] = {}  # position of a member -> weighted inputs and bias it adds up
    products: dict[int, int] = {}  # weight -> how many products it is in
    total: list[int | None] = [None] * len(flat)  # the complete sum of each neuron
    active: list[int | None] = [None] * len(flat)
    needed = [len(spec.weights) + (spec.bias is not None) for _, _, spec in flat]
    for s, step in enumerate(steps):
        position = n_inputs + s
        name = step.op.name
        args = step.args
        refs = [a for a in args if type(a) is int]
        if name == "mul" and len(args) == 2 and len(refs) == 2:
            roles = [owner.get(a) for a in refs]
            weights = [r for r in roles if r is not None and r[2] == "w"]
            if len(weights) == 1:
                g = index[weights[0][:2]]
                other = refs[1] if roles[0] is weights[0] else refs[0]
                mine = owner.get(other)
                if mine is None or index[mine[:2]] != g:
                    member[position] = g
                    count[position] = 1
                    weight = refs[0] if other == refs[1] else refs[1]
                    products[weight] = products.get(weight, 0) + 1
                continue
        if name == "add" and len(args) == 2 and refs:
            groups = set()
            adds = 0
            for a in refs:
                if a in member:
                    groups.add(member[a])
                    adds += count[a]
                elif a in owner and owner[a][2] == "b":
                    groups.add(index[owner[a][:2]])
                    adds += 1
                else:
                    groups.add(-1)
            if len(groups) == 1 and -1 not in groups:
                (g,) = groups
                if total[g] is None and (len(refs) == 2 or adds < needed[g]):
                    member[position] = g
                    count[position] = adds
                    if adds == needed[g]:
                        total[g] = position
                continue
        if len(args) == 1 and refs and refs[0] in member:
            g = member[refs[0]]
            rule = flat[g][2].activation
            if total[g] == refs[0] and active[g] is None and (
                    rule is True or (rule is None and name in ACTIVATIONS)):
                member[position] = g
                active[g] = position
    names = list(graph.inputs)
    for g, (k, j, spec) in enumerate(flat):
        label = f"neuron {j + 1} of layer {k + 1}"
        for w in spec.weights:
            times = products.get(w, 0)
            if times != 1:
                raise InputError(
                    f"{what}: the weight {names[w]} of {label} is multiplied {times} times, "
                    f"not once; trace the model on one sample, or import without model=")
        if total[g] is None:
            raise InputError(f"{what}: {label} does not add all its weighted inputs and its "
                             f"bias in one sum; import without model=")
    return _reorder(graph, flat, member, total, active, what)


def _reorder(graph: ScalarGraph, flat: list[tuple[int, int, NeuronSpec]],
             member: dict[int, int], total: list[int | None], active: list[int | None],
             what: str) -> tuple[ScalarGraph, dict[int, int]]:
    """Move each neuron's steps together (a stable sort by layer, then neuron)."""
    n_inputs = len(graph.inputs)
    steps = graph.steps
    rank: dict[int, int] = {}  # position -> 2k + 2 for a neuron of layer k, odd in between
    keys: list[tuple[int, int, int]] = []
    for s, step in enumerate(steps):
        position = n_inputs + s
        g = member.get(position)
        if g is not None:
            r = 2 * flat[g][0] + 2
            keys.append((r, flat[g][1], s))
        else:
            r = 1
            for a in step.args:
                if type(a) is int and a >= n_inputs:
                    r = max(r, rank[a] + 1 if rank[a] % 2 == 0 else rank[a])
            keys.append((r, 0, s))
        rank[position] = r
    order = sorted(range(len(steps)), key=keys.__getitem__)
    new_position = {n_inputs + s: n_inputs + t for t, s in enumerate(order)}
    names = set(graph.inputs) | {step.label for step in steps if step.label is not None}
    labels: dict[int, str] = {}
    for g, (k, j, _) in enumerate(flat):
        pre, act = total[g], active[g]
        for spot, stem in ((pre, "z"), (act, "a")):
            name = f"{stem}{k + 1}_{j + 1}"
            if spot is not None and spot != graph.root and name not in names \
                    and steps[spot - n_inputs].label is None:
                labels[spot] = name
                names.add(name)
    moved: list[Step] = []
    for t, s in enumerate(order):
        step = steps[s]
        args = tuple(new_position.get(a, a) if type(a) is int else a for a in step.args)
        for a in args:
            if type(a) is int and a >= n_inputs + t:
                raise InputError(f"{what}: a neuron reads a value computed after it; "
                                 f"import without model=")
        moved.append(Step(step.op, args, labels.get(n_inputs + s, step.label)))
    scopes: list[tuple[str, int, int]] = []
    start: dict[int, list[int]] = {g: [] for g in range(len(flat))}
    for t, s in enumerate(order):
        g = member.get(n_inputs + s)
        if g is not None:
            start[g].append(t)
    layer_span: dict[int, list[int]] = {}
    for g, (k, j, _) in enumerate(flat):
        spots = start[g]
        scopes.append((f"neuron {j + 1}", spots[0], spots[-1] + 1))
        span = layer_span.setdefault(k, [spots[0], spots[-1] + 1])
        span[0], span[1] = min(span[0], spots[0]), max(span[1], spots[-1] + 1)
        if g + 1 == len(flat) or flat[g + 1][0] != k:
            scopes.append((f"layer {k + 1}", span[0], span[1]))
    output = None if graph.output is None else new_position.get(graph.output, graph.output)
    return ScalarGraph(dict(graph.inputs), moved, output, scopes), new_position
