"""Ready-made traces for demonstrations: networks and a large graph.

`network` traces a fully connected network of tanh neurons (2-4-1 by
default) with squared-error loss, one ``adviz.scope`` per layer and per
neuron, so renderers draw each neuron as a cluster (or, collapsed, as one
box). `mlp` does the same for any layer sizes, activation and loss, with
seeded random weights: the graphs of every size the benchmarks measure.
`rnn` unrolls a recurrent network whose weights and bias are shared by every
time step (backpropagation through time). `many_outputs` returns every state
of a recurrence: a function with several outputs, whose Jacobian forward mode
gets more cheaply than reverse mode. `wide_graph` builds a graph of a
chosen size whose depth stays small, for testing how large graphs render.

Examples
--------
>>> t = network()
>>> len(t.graph), sorted({s[0] for _, s in t.graph.nodes(data="scope") if s})
(50, ['hidden layer', 'loss', 'output layer'])
>>> len(wide_graph(500).graph)
500
>>> len(mlp((2, 6, 6, 1)).graph), len(rnn(11).graph)
(192, 99)
"""

from __future__ import annotations

import contextlib
import inspect
import random
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def _named(f: Callable[..., Any], names: Sequence[str]) -> Callable[..., Any]:
    """Give a ``*args`` function one named parameter per input (what `adviz.trace` reads)."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, kind) for name in names])
    return f


def _weights(sizes: Sequence[int]) -> dict[str, float]:
    values: dict[str, float] = {}
    k = 0
    for layer, (fan_in, fan_out) in enumerate(pairwise(sizes), start=1):
        for j in range(1, fan_out + 1):
            for i in range(1, fan_in + 1):
                k += 1
                values[f"w{layer}_{j}{i}"] = round(((k * 37) % 17 - 8.5) / 10, 2)
            k += 1
            values[f"b{layer}_{j}"] = round(((k * 23) % 11 - 5.5) / 10, 2)
    return values


def network(sizes: Sequence[int] = (2, 4, 1), x: Sequence[float] = (0.5, -1.0),
            target: float = 1.0) -> Trace:
    """A network of tanh neurons with a squared-error loss, one scope per layer and neuron.

    Parameters
    ----------
    sizes
        Neurons per layer, inputs first (``(2, 4, 1)``: 2 inputs, 4 hidden
        neurons, 1 output neuron).
    x
        The inputs' values (``x1, x2, ...``); the weights (``w1_21`` is layer
        1's weight from input 1 to neuron 2) and biases (``b1_2``) are inputs
        too, with fixed deterministic values.
    target
        The value the loss compares the output with.

    Returns
    -------
    Trace
        ``y = (out - target)**2``.

    Examples
    --------
    >>> t = network((1, 1, 1), x=(0.5,))
    >>> [n for n, s in t.graph.nodes(data="scope") if s == ("hidden layer", "neuron 1")]
    ['t1', 't2', 't3']
    """
    import adviz

    if len(x) != sizes[0]:
        raise adviz.InputError(f"x needs {sizes[0]} values, one per input, not {len(x)}")
    params = _weights(sizes)
    inputs = {f"x{i + 1}": float(v) for i, v in enumerate(x)}
    names = [*inputs, *params]

    def f(*args: Any) -> Any:
        values = dict(zip(names, args))
        layer_values = [values[f"x{i + 1}"] for i in range(sizes[0])]
        count = len(sizes) - 1
        for layer in range(1, count + 1):
            label = "output layer" if layer == count else (
                "hidden layer" if count == 2 else f"hidden layer {layer}")
            following = []
            with adviz.scope(label):
                for j in range(1, sizes[layer] + 1):
                    with adviz.scope(f"neuron {j}" if layer < count else "output neuron"):
                        total = values[f"b{layer}_{j}"]
                        for i, v in enumerate(layer_values, start=1):
                            total = total + values[f"w{layer}_{j}{i}"] * v
                        following.append(adviz.tanh(total))
            layer_values = following
        with adviz.scope("loss"):
            loss = (layer_values[0] - target) ** 2
        return loss

    return adviz.trace(_named(f, names), {**inputs, **params})


def wide_graph(nodes: int = 500, width: int = 20) -> Trace:
    """A graph of exactly ``nodes`` nodes in layers of about ``width`` (shallow, for speed).

    Each node of a layer combines two nodes of the previous layer with an
    alternating op, and the last layer is summed up; the depth grows like
    ``nodes / width``, so Graphviz lays it out quickly.

    Examples
    --------
    >>> t = wide_graph(80, width=10)
    >>> len(t.graph), t.graph.graph["inputs"][:2]
    (80, ('x1', 'x2'))
    """
    import adviz

    if nodes < 2 * width + 2:
        raise adviz.InputError(f"wide_graph needs at least {2 * width + 2} nodes for width "
                               f"{width}, not {nodes}")
    # inputs: width; ops per layer: width; final sum: width - 1 adds.
    ops_left = nodes - width - (width - 1)

    names = [f"x{i + 1}" for i in range(width)]
    state = {"budget": ops_left}

    def g(*xs: Any) -> Any:
        layer = list(xs)
        step = 0
        while True:
            # one node per op: a + b, a * b and a - b alternate
            new = []
            for k in range(width):
                if state["budget"] <= 0:
                    break
                a, b = layer[k], layer[(k + 1 + step) % width]
                kind = (k + step) % 3
                new.append(a + b if kind == 0 else a * b if kind == 1 else a - b)
                state["budget"] -= 1
            layer = new + layer[len(new):]
            step += 1
            if state["budget"] <= 0:
                break
        total = layer[0]
        for v in layer[1:]:
            total = total + v
        return total

    return adviz.trace(_named(g, names), {n: 0.1 * (i % 7) - 0.3 for i, n in enumerate(names)})


ACTIVATIONS = ("tanh", "relu", "sigmoid")
"""Activations `mlp` accepts."""

LOSSES = ("mse", "hinge", "cross_entropy")
"""Losses `mlp` accepts."""


def _pick(value: float) -> float:
    return round(value, 2)


def mlp_parameter_names(sizes: Sequence[int]) -> list[str]:
    """The names of an `mlp`'s weights and biases, in argument order.

    ``w{layer}_{row}{col}`` is layer ``layer``'s weight from input ``col`` to
    neuron ``row``, ``b{layer}_{row}`` its bias; when a layer has 10 or more
    neurons the row and column are separated (``w1_12_3``) so names stay unique.

    Examples
    --------
    >>> mlp_parameter_names((2, 1, 1))
    ['w1_11', 'w1_12', 'b1_1', 'w2_11', 'b2_1']
    >>> mlp_parameter_names((10, 1))[-2:]
    ['w1_1_10', 'b1_1']
    """
    sep = "_" if max(sizes) >= 10 else ""
    names: list[str] = []
    for layer, (fan_in, fan_out) in enumerate(pairwise(sizes), start=1):
        for j in range(1, fan_out + 1):
            names.extend(f"w{layer}_{j}{sep}{i}" for i in range(1, fan_in + 1))
            names.append(f"b{layer}_{j}")
    return names


def mlp(sizes: Sequence[int] = (2, 4, 1), activation: str = "tanh", loss: str = "mse", *,
        x: Sequence[float] | None = None, target: float | Sequence[float] | None = None,
        seed: int = 0) -> Trace:
    """A fully connected network on one sample, every neuron in its own scope.

    Each layer ``k`` is traced inside ``adviz.scope("layer k")`` and each of its
    neurons inside ``adviz.scope("neuron j")``; the neuron's weighted sum is
    named ``z{k}_{j}`` and its activation ``a{k}_{j}``, the last layer's
    activations are the outputs. Weights and biases are inputs of the trace
    (named as in `mlp_parameter_names`) drawn from ``random.Random(seed)``
    and rounded to two decimals, so the same call gives the same graph.

    Parameters
    ----------
    sizes
        Neurons per layer, inputs first: ``(2, 6, 6, 1)`` has 2 inputs, two
        hidden layers of 6 and one output (192 nodes).
    activation
        ``"tanh"``, ``"relu"`` or ``"sigmoid"``, applied by every neuron.
    loss
        ``"mse"``: the mean of ``(a - target)**2`` over the outputs (just
        ``(a - target)**2`` for one output); ``"hinge"``: ``relu(1 - target * a)``
        (one output, target ±1); ``"cross_entropy"``: ``-(t log p + (1 - t)
        log(1 - p))`` with ``p = sigmoid(a)`` for one output, else the softmax
        cross-entropy ``log(sum(exp(a))) - sum(t * a)`` (targets summing to 1).
    x
        The sample (``x1, x2, ...``); default: drawn from the same generator.
    target
        The target (one number, or one per output); default 1 for ``"mse"`` and
        ``"hinge"``, the first class for ``"cross_entropy"``.
    seed
        Seed of the generator of the weights and of the default sample.

    Returns
    -------
    Trace
        Output ``y``, the loss.

    Raises
    ------
    InputError
        Fewer than two layer sizes, a size below 1, an unknown activation or
        loss, or a sample or target of the wrong length.

    Examples
    --------
    >>> t = mlp((2, 2, 1))
    >>> len(t.graph), t.graph.nodes["a1_2"]["scope"]
    (28, ('layer 1', 'neuron 2'))
    >>> t.graph.graph["inputs"][:5]
    ('x1', 'x2', 'w1_11', 'w1_12', 'b1_1')
    >>> mlp((2, 2, 1)).grad == t.grad
    True
    >>> round(mlp((1, 1), "relu", "hinge", x=(0.5,), target=1.0).value, 4) >= 0
    True
    """
    import adviz

    sizes = tuple(sizes)
    if len(sizes) < 2 or any(not isinstance(n, int) or n < 1 for n in sizes):
        raise adviz.InputError(f"sizes needs at least two positive integers, not {sizes!r}")
    if activation not in ACTIVATIONS:
        raise adviz.InputError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                               f"not {activation!r}")
    if loss not in LOSSES:
        raise adviz.InputError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
    outputs = sizes[-1]
    if loss == "hinge" and outputs != 1:
        raise adviz.InputError(f"the hinge loss needs one output, not {outputs}: "
                               f"end sizes with 1")
    rng = random.Random(seed)
    params = {name: _pick(rng.uniform(-1.0, 1.0)) for name in mlp_parameter_names(sizes)}
    sample = [_pick(rng.uniform(-1.0, 1.0)) for _ in range(sizes[0])] if x is None else list(x)
    if len(sample) != sizes[0]:
        raise adviz.InputError(f"x needs {sizes[0]} values, one per input, not {len(sample)}")
    if target is None:
        targets = [1.0] + [0.0] * (outputs - 1) if loss == "cross_entropy" and outputs > 1 \
            else [1.0] * outputs
    elif isinstance(target, int | float):
        targets = [float(target)] * outputs
    else:
        targets = [float(v) for v in target]
    if len(targets) != outputs:
        raise adviz.InputError(f"target needs {outputs} values, one per output, "
                               f"not {len(targets)}")
    act = {"tanh": adviz.tanh, "relu": adviz.relu, "sigmoid": adviz.sigmoid}[activation]
    inputs = {f"x{i + 1}": float(v) for i, v in enumerate(sample)}
    names = [*inputs, *params]
    weight_names = mlp_parameter_names(sizes)

    def f(*args: Any) -> Any:
        values = dict(zip(names, args))
        layer_values = [values[f"x{i + 1}"] for i in range(sizes[0])]
        position = 0
        for layer in range(1, len(sizes)):
            following = []
            with adviz.scope(f"layer {layer}"):
                for j in range(1, sizes[layer] + 1):
                    with adviz.scope(f"neuron {j}"):
                        weights = weight_names[position:position + len(layer_values)]
                        bias = weight_names[position + len(layer_values)]
                        position += len(layer_values) + 1
                        total = values[bias]
                        for w, v in zip(weights, layer_values):
                            total = total + values[w] * v
                        adviz.name(total, f"z{layer}_{j}")
                        following.append(adviz.name(act(total), f"a{layer}_{j}"))
            layer_values = following
        with adviz.scope("loss"):
            return _loss(adviz, loss, layer_values, targets)

    return adviz.trace(_named(f, names), {**inputs, **params})


def _loss(adviz: Any, loss: str, outs: list[Any], targets: list[float]) -> Any:
    if loss == "hinge":
        return adviz.relu(1.0 - targets[0] * outs[0])
    if loss == "cross_entropy":
        if len(outs) == 1:
            p = adviz.sigmoid(outs[0])
            t = targets[0]
            return -(t * adviz.log(p) + (1.0 - t) * adviz.log(1.0 - p))
        total = adviz.exp(outs[0])
        for a in outs[1:]:
            total = total + adviz.exp(a)
        result = adviz.log(total)
        for a, t in zip(outs, targets):
            if t:
                result = result - t * a
        return result
    total = (outs[0] - targets[0]) ** 2
    for a, t in zip(outs[1:], targets[1:]):
        total = total + (a - t) ** 2
    return total / len(outs) if len(outs) > 1 else total


def rnn(steps: int = 11, *, seed: int = 0, scopes: bool = True) -> Trace:
    """A recurrent network unrolled over ``steps`` time steps (backpropagation through time).

    One hidden unit ``h_t = tanh(w * h_{t-1} + u * x_t + b)`` with ``h_0 = 0``
    and a squared error against a target at every step, summed into the loss.
    The weights ``w``, ``u`` and the bias ``b`` are shared: each feeds every
    step, so their gradients sum a contribution from each step. The inputs
    ``x1, x2, ...`` and targets come from ``random.Random(seed)``. Each step is
    traced inside ``adviz.scope("step t")``; its state is named ``h{t}``.
    The graph has ``9 * steps`` nodes (99 at 11 steps, 198 at 22).

    Parameters
    ----------
    steps
        Number of time steps (at least 1).
    seed
        Seed of the generator of the sample, targets and parameters.
    scopes
        Trace each step inside ``adviz.scope("step t")`` (drawn as a box around
        the step); ``False`` gives the same graph without the boxes.

    Returns
    -------
    Trace
        Output ``y``, the summed loss.

    Raises
    ------
    InputError
        ``steps`` below 1.

    Examples
    --------
    >>> t = rnn(3)
    >>> len(t.graph), t.graph.graph["inputs"]
    (27, ('w', 'u', 'b', 'x1', 'x2', 'x3'))
    >>> sorted(t.graph.successors("w"))  # w multiplies h1 and h2 (h0 = 0)
    ['t13', 't6']
    """
    import adviz

    if not isinstance(steps, int) or steps < 1:
        raise adviz.InputError(f"steps must be a positive integer, not {steps!r}")
    rng = random.Random(seed)
    params = {"w": _pick(rng.uniform(-1.0, 1.0)), "u": _pick(rng.uniform(-1.0, 1.0)),
              "b": _pick(rng.uniform(-0.5, 0.5))}
    xs = {f"x{t}": _pick(rng.uniform(-1.0, 1.0)) for t in range(1, steps + 1)}
    targets = [_pick(rng.uniform(0.1, 0.9)) for _ in range(steps)]
    names = [*params, *xs]

    def f(*args: Any) -> Any:
        values = dict(zip(names, args))
        w, u, b = values["w"], values["u"], values["b"]
        h = None
        loss = None
        for t in range(1, steps + 1):
            with adviz.scope(f"step {t}") if scopes else contextlib.nullcontext():
                z = u * values[f"x{t}"]
                if h is not None:
                    z = w * h + z
                h = adviz.name(adviz.tanh(z + b), f"h{t}")
                term = (h - targets[t - 1]) ** 2
                loss = term if loss is None else loss + term
        return loss

    return adviz.trace(_named(f, names), {**params, **xs})


def many_outputs(n_inputs: int = 2, n_outputs: int = 8) -> Trace:
    """A function of ``n_inputs`` inputs with ``n_outputs`` outputs: a recurrence, every state
    an output.

    A first state mixes the inputs, ``h0 = tanh(c1 * x1 + ... + cn * xn)``, and
    each step ``h_k = tanh(1.5 * h_{k-1} + 0.1)`` is output ``y_k`` (the states
    of a simulation, sampled at every step). Every output depends on every
    input, and each output's computation contains the previous one's: a
    reverse sweep per output walks back through all the steps before it, one
    forward sweep per input carries the tangents to every output at once.
    With few inputs and many outputs forward mode is the cheaper way to the
    Jacobian; with many inputs and one output, reverse mode (`adviz.cost`).

    Parameters
    ----------
    n_inputs, n_outputs
        ``n`` and ``m`` (at least 1 each). The graph has ``n`` inputs and
        ``2n + 3m`` op nodes.

    Returns
    -------
    Trace
        Inputs ``x1, ..., xn``, outputs ``y1, ..., ym``: a vector trace (one
        output, ``m = 1``, still gives a tuple of one value and ``y1``).

    Raises
    ------
    InputError
        ``n_inputs`` or ``n_outputs`` below 1.

    Examples
    --------
    >>> t = many_outputs(2, 3)
    >>> t.graph.graph["inputs"], t.outputs
    (('x1', 'x2'), ('y1', 'y2', 'y3'))
    >>> from adviz import cost
    >>> c = cost(t)
    >>> c.reverse_sweeps, c.forward_sweep, c.reverse, c.forward
    ((24, 33, 42), 55, 112, 110)
    """
    import adviz

    for what, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise adviz.InputError(f"{what} must be a positive integer, not {value!r}")
    names = [f"x{i}" for i in range(1, n_inputs + 1)]
    weights = [round(0.9 - 0.4 * ((i * 7) % 5) / 4, 2) for i in range(n_inputs)]

    def f(*xs: Any) -> Any:
        total = weights[0] * xs[0]
        for w, x in zip(weights[1:], xs[1:]):
            total = total + w * x
        h = adviz.tanh(total)
        states = []
        for _ in range(n_outputs):
            h = adviz.tanh(1.5 * h + 0.1)
            states.append(h)
        return tuple(states)

    return adviz.trace(_named(f, names),
                       {n: round(0.3 * ((i * 5) % 7) / 6 - 0.1, 2) for i, n in enumerate(names)})
