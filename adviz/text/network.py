"""The network view's text as tokens: neuron and weight lines, stage captions.

Captions speak the network's words (`adviz.core.network`): a reverse stage
names the neuron it finishes and the sums it makes ("neuron 2 of layer 1:
g_a = Σ_k w_k · g_z_k = ...; g_w_2i = x_i · g_z_2"), a forward stage the
layer it fills. Every number is the scalar trace's own (its values and its
adjoints); nothing is computed here but the text.

Examples
--------
>>> import adviz.examples
>>> t = adviz.examples.mlp((2, 2, 1))
>>> neuron = t.network.layers[0].neurons[1]
>>> neuron_caption(t, neuron).unicode().split(";")[0]
'neuron 2 of layer 1: g_a = Σₖ wₖ · g_zₖ = 0.54788'
>>> short(-0.0123456), short(12.345)
(-0.012, 12.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adviz.text.tokens import Name, Num, Op, Text, text

if TYPE_CHECKING:
    from adviz.core.network import Layer, Network, Neuron
    from adviz.core.tracing import Trace

DERIVATIVES = {"tanh": "tanh′(z) = 1 − a²", "sigmoid": "σ′(z) = a(1 − a)",
               "relu": "relu′(z) = [z > 0]"}
"""How a caption writes the derivative of each activation."""


def short(value: float) -> float:
    """A number rounded to two significant digits, for crowded columns.

    Examples
    --------
    >>> short(0.53123), short(-0.0004567), short(0.0)
    (0.53, -0.00046, 0.0)
    """
    return float(f"{value:.2g}")


def _source(neuron: Neuron, network: Network) -> str:
    """How a caption names the values a neuron reads: ``x`` (inputs) or ``a``."""
    return "x" if neuron.layer == 1 and network.inputs else "a"


def neuron_caption(trace: Trace, neuron: Neuron) -> Text:
    """The caption of the reverse stage that finishes ``neuron``.

    Its adjoint ``g_a`` (from the loss, or summed over the neurons it feeds),
    its pre-activation's ``g_z``, and the gradients of its weights and bias.
    """
    network = trace.network
    g = trace.adjoints
    last = neuron.layer == len(network.layers)
    parts: list[object] = [f"{neuron.name}: "]
    if last:
        parts += ["g_a = ∂", Name(network.loss, False), "/∂a", Op(" = "),
                  Num(g.get(neuron.activation, 0.0))]
    else:
        parts += ["g_a = Σₖ wₖ · g_zₖ", Op(" = "), Num(g.get(neuron.activation, 0.0))]
    if neuron.function is not None:
        derivative = DERIVATIVES.get(neuron.function, f"{neuron.function}′(z)")
        parts += ["; g_z = g_a · ", derivative, Op(" = "), Num(g.get(neuron.pre, 0.0))]
    x = _source(neuron, network)
    count = len(neuron.weights)
    plural = "s" if count != 1 else ""
    parts += [f"; g_w{neuron.index}ᵢ = {x}ᵢ · g_z{neuron.index} ({count} weight{plural})"]
    if neuron.bias is not None:
        parts += ["; g_b = g_z"]
    return text(*parts)  # type: ignore[arg-type]


def input_caption(trace: Trace, node: str) -> Text:
    """The caption of the reverse stage that finishes network input ``node``."""
    return text(Name(node, False), ": g = Σⱼ wⱼ · g_zⱼ", Op(" = "),
                Num(trace.adjoints.get(node, 0.0)))


def loss_caption(trace: Trace) -> Text:
    """The caption of the first reverse stage: the loss's own adjoint."""
    loss = trace.network.loss
    return text("loss ", Name(loss, False), ": g", Op(" = "), Num(1.0))


def layer_caption(trace: Trace, layer: Layer) -> Text:
    """The caption of a reverse stage that finishes a whole layer (``granularity="layer"``)."""
    network = trace.network
    weights = sum(len(n.weights) for n in layer.neurons)
    x = _source(layer.neurons[0], network)
    head = "g_a from the loss" if layer.index == len(network.layers) else "g_a = Σₖ wₖ · g_zₖ"
    return text(f"layer {layer.index} ({len(layer.neurons)} neurons): {head}; g_z = g_a · f′(z); "
                f"g_wⱼᵢ = {x}ᵢ · g_zⱼ ({weights} weights)")


def inputs_caption(trace: Trace) -> Text:
    """The caption of the last layer-granularity reverse stage: every network input."""
    g = trace.adjoints
    parts: list[object] = ["inputs: g = Σⱼ wⱼ · g_zⱼ"]
    for k, node in enumerate(trace.network.inputs):
        parts += [", " if k else ": ", Name(node, False), Op(" = "), Num(g.get(node, 0.0))]
    return text(*parts)  # type: ignore[arg-type]


def forward_caption(trace: Trace, column: int) -> Text:
    """The caption of forward stage ``column``: 0 sets the inputs, then one per layer, then
    the loss."""
    network = trace.network
    data = trace.graph.nodes
    if column == 0:
        parts: list[object] = ["inputs"]
        for k, node in enumerate(network.inputs):
            parts += [", " if k else ": ", Name(node, False), Op(" = "),
                      Num(data[node]["value"])]
        return text(*parts)  # type: ignore[arg-type]
    if column > len(network.layers):
        return text("loss ", Name(network.loss, False), Op(" = "),
                    Num(data[network.loss]["value"]))
    layer = network.layers[column - 1]
    neuron = layer.neurons[0]
    f = neuron.function or "identity"
    x = _source(neuron, network)
    bias = " + bⱼ" if neuron.bias is not None else ""
    parts = [f"layer {layer.index}: aⱼ = {f}(zⱼ), zⱼ = Σᵢ wⱼᵢ · {x}ᵢ{bias}"]
    if len(layer.neurons) <= 4:
        for k, n in enumerate(layer.neurons):
            parts += [": " if k == 0 else ", ", f"a{n.index}", Op(" = "),
                      Num(data[n.activation]["value"])]
    else:
        parts += [f" for {len(layer.neurons)} neurons"]
    return text(*parts)  # type: ignore[arg-type]


def stage_captions(trace: Trace, phase: str, granularity: str = "neuron") -> list[Text]:
    """The caption of every stage of the neuron view's ``phase``, in stage order.

    Forward: the inputs, each layer, the loss. Reverse: the loss, then each
    neuron (``granularity="layer"``: each layer), last layer first, then each
    input (or every input at once).

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> [c.plain()[:8] for c in stage_captions(t, "reverse")]
    ['loss y: ', 'neuron 1', 'neuron 1', 'neuron 2', 'x1: g = ', 'x2: g = ']
    >>> len(stage_captions(t, "reverse", "layer")), len(stage_captions(t, "forward"))
    (4, 4)
    """
    network = trace.network
    if phase == "forward":
        return [forward_caption(trace, k) for k in range(len(network.layers) + 2)]
    layered = granularity == "layer"
    texts = [loss_caption(trace)]
    for layer in reversed(network.layers):
        texts += [layer_caption(trace, layer)] if layered else \
            [neuron_caption(trace, neuron) for neuron in layer.neurons]
    texts += [inputs_caption(trace)] if layered else \
        [input_caption(trace, node) for node in network.inputs]
    return texts


def summary_caption(trace: Trace) -> Text:
    """The summary frame's caption."""
    network = trace.network
    return text(f"network {'-'.join(str(s) for s in network.sizes)}: loss ",
                Name(network.loss, False), Op(" = "),
                Num(trace.graph.nodes[network.loss]["value"]),
                "; every neuron's activation and adjoint, every weight's gradient")
