"""Ready-made traces for demonstrations: a small tanh network and a large graph.

`network` traces a fully connected network of tanh neurons (2-4-1 by
default) with squared-error loss, one ``adviz.scope`` per layer and per
neuron, so renderers draw each neuron as a cluster (or, collapsed, as one
box). `wide_graph` builds a graph of a chosen size whose depth stays small,
for testing how large graphs render.

Examples
--------
>>> t = network()
>>> len(t.graph), sorted({s[0] for _, s in t.graph.nodes(data="scope") if s})
(50, ['hidden layer', 'loss', 'output layer'])
>>> len(wide_graph(500).graph)
500
"""

from __future__ import annotations

import inspect
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
