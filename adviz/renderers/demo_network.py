"""The neuron view on the demonstration page: numbers recomputed in the browser.

With ``view="network"`` the demonstration page (`adviz.renderers.demo`) draws
the network's neuron view (`adviz.scene.network.network_figure`) instead of
its scalar graph. The page still computes every scalar node's value and
adjoint in JavaScript at any point of the sliders; this module gives it the
rest as data, built once:

- the base SVG (forward stage 0, painted whole) and each element's geometry
  and the style table (`adviz.renderers.page.scene_data`);
- per stage, what changes, as the player embeds it: ``[node number, state,
  line, ...]`` and ``[edge number, state, toward parent, line, ...]``, stage 0
  of each phase listing every element;
- every line a neuron or weight edge shows, and every stage caption (in
  Unicode and as HTML with MathML), as templates
  (`adviz.renderers.templates`) whose holes name the number they show:
  ``[quantity, node, parens, short]`` with ``quantity`` ``"value"`` or
  ``"adjoint"`` of scalar node number ``node`` (tape order), and ``short`` 1
  when the number is rounded to two significant digits first
  (`adviz.text.network.short`, the crowded columns).

Each number's hole is found from the tokens of `adviz.scene.network`'s lines
and `adviz.text.network`'s captions, and checked against the trace: a text
whose numbers are not the quantities named here cannot be recomputed, and
raises `RenderError` instead of showing stale numbers.

Clicking a weight's edge focuses on it: ``focus`` (`focus_targets`) names
the scalar node each circle and edge stands for; the page finds the drawn
paths with the player's path finder (``paths.js``) and sums them with the
scalar page's focus templates. Clicking a neuron shows its zoom
(`zoom_data`, packed by `zooms`): the zoom figure's base SVG, its changes and
its lines as templates, painted by the same painter, its numbers taken from
the state after the scalar stage each neuron-view stage maps to.

Examples
--------
>>> import adviz.examples
>>> t = adviz.examples.mlp((2, 2, 1))
>>> data, svg, fig = network_data(t)
>>> svg.startswith("<svg"), len(data["phases"]["reverse"]["stages"])
(True, 6)
>>> data["lines"][1]
['value', 12.0, ['= ', ['value', 0, 0, 0]]]
>>> data["phases"]["reverse"]["titles"][0]
['loss y: g = ', ['adjoint', 27, 0, 0]]
"""

from __future__ import annotations

import math
from dataclasses import replace
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING, Any

from adviz.errors import RenderError
from adviz.text.tokens import Hole, Num, Text, num_key, pretty_number

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.renderers.templates import Slots
    from adviz.scene.content import Frame, Line
    from adviz.scene.network import NetworkFigure

PHASES = ("forward", "reverse")
"""The phases the page steps through."""

Key = tuple[str, str, bool]
"""What a number shows: ``(quantity, node id, short)``."""


class _Keys:
    """Gives the numbers of texts their holes, checking each against the trace."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.index = trace.program.index
        self.holes: dict[str, list[Any]] = {}

    def expected(self, quantity: str, node: str, short: bool) -> float:
        from adviz.text.network import short as two_digits

        if quantity == "value":
            value = float(self.trace.graph.nodes[node]["value"])
        else:
            value = float(self.trace.adjoints.get(node, 0.0))
        return two_digits(value) if short else value

    def keyed(self, text: Text, keys: list[Key], what: str, optional: bool = False) -> Text:
        """``text`` with its numbers keyed by ``keys`` (in order); ``optional``: a text
        that shows none of them is accepted too."""
        numbers = [k for k, token in enumerate(text.tokens) if isinstance(token, Num)]
        if not (len(numbers) == len(keys) or (optional and not numbers)):
            raise RenderError(f"{what} shows {len(numbers)} numbers where the page computes "
                              f"{len(keys)}: the page cannot recompute {text.unicode()!r}")
        tokens = list(text.tokens)
        for position, (quantity, node, short) in zip(numbers, keys):
            token = tokens[position]
            assert isinstance(token, Num)
            expected = self.expected(quantity, node, short)
            if not (token.value == expected or (math.isnan(token.value)
                                                and math.isnan(expected))):
                raise RenderError(f"{what} shows {token.value!r} where the page computes "
                                  f"the {quantity} of {node} ({expected!r})")
            key = num_key(("short " if short else "") + quantity, node)
            self.holes[key] = [quantity, self.index[node], short]
            tokens[position] = replace(token, key=key)
        return Text(tuple(tokens))

    def template(self, pieces: list[Any]) -> list[Any]:
        """Pieces (strings and `Hole` s) as a page template, plain strings merged; a shared
        MathML fragment (`adviz.text.mathml.Fragment`) stays a piece of its own, for the
        page to write once (`adviz.renderers.templates.intern_fragments`)."""
        out: list[Any] = []
        for piece in pieces:
            if isinstance(piece, Hole):
                quantity, node, short = self.holes[piece.key or ""]
                out.append([quantity, node, int(piece.parens), int(short)])
            elif type(piece) is str and out and type(out[-1]) is str:
                out[-1] += piece
            else:
                out.append(piece)
        return out


class _Lines:
    """Every line the figure's frames show, as numbered templates ``[role, size, template]``."""

    def __init__(self, fig: NetworkFigure, keys: _Keys) -> None:
        self.fig, self.keys = fig, keys
        self.rows: list[list[Any]] = []
        self._numbers: dict[tuple[Any, ...], int] = {}
        roomy = {n: column.roomy for column in fig.columns for n in column.nodes}
        net, lines = fig.network, fig.lines
        bias = {n.activation: n.bias for n in net.neurons}
        self.node_lines: dict[str, list[tuple[Line, list[Key]]]] = {}
        for node in fig.view.nodes:
            short = not roomy.get(node, True)
            found = [(lines.names.get(node), []),
                     (lines.values.get(node), [("value", node, short)]),
                     (lines.biases.get(node), [("value", bias.get(node) or "", False)]),
                     (lines.adjoints.get(node), [("adjoint", node, short)])]
            self.node_lines[node] = [(line, k) for line, k in found if line is not None]
        self.edge_lines: dict[tuple[str, str], list[tuple[Line, list[Key]]]] = {}
        for edge, weight in fig.weights.items():
            found = [] if weight is None else [
                (lines.weights.get(edge), [("value", weight, False)]),
                (lines.gradients.get(edge), [("adjoint", weight, False)])]
            self.edge_lines[edge] = [(line, k) for line, k in found if line is not None]

    def refs(self, element: Any, shown: tuple[Line, ...],
             known: list[tuple[Line, list[Key]]]) -> list[int]:
        out = []
        for line in shown:
            match = next((k for k, (candidate, _) in enumerate(known) if candidate is line),
                         None)
            if match is None:
                match = next((k for k, (candidate, _) in enumerate(known)
                              if candidate == line), None)
            if match is None or line.tokens is None:
                raise RenderError(f"the neuron view shows {line.text!r} on {element!r}, a line "
                                  f"the page cannot recompute")
            number = self._numbers.get((element, match))
            if number is None:
                keys = known[match][1]
                tokens = self.keys.keyed(line.tokens, keys, f"the line {line.text!r}")
                template = self.keys.template(list(tokens.template("unicode")))
                number = self._numbers[(element, match)] = len(self.rows)
                self.rows.append([line.role, line.size, template])
            out.append(number)
        return out


def _captions(fig: NetworkFigure, keys: _Keys) -> dict[str, Text]:
    """Every caption the figure's stages can show (Unicode form to its keyed tokens)."""
    from adviz.scene.network import reverse_steps
    from adviz.text.network import (
        forward_caption,
        input_caption,
        inputs_caption,
        layer_caption,
        loss_caption,
        neuron_caption,
    )

    trace, net = fig.trace, fig.network
    found: list[tuple[Text, list[Key], bool]] = []
    last = len(fig.columns) - 1
    for k in range(len(fig.columns)):
        if k == 0:
            numbers = [("value", x, False) for x in net.inputs]
        elif k == last:
            numbers = [("value", net.loss, False)]
        else:
            numbers = [("value", n.activation, False) for n in net.layers[k - 1].neurons]
        found.append((forward_caption(trace, k), numbers, 0 < k < last))
    found.append((loss_caption(trace), [("adjoint", net.loss, False)], False))
    for neuron in net.neurons:
        numbers = [("adjoint", neuron.activation, False)]
        if neuron.function is not None:
            numbers.append(("adjoint", neuron.pre, False))
        found.append((neuron_caption(trace, neuron), numbers, False))
    for layer in net.layers:
        found.append((layer_caption(trace, layer), [], False))
    for x in net.inputs:
        found.append((input_caption(trace, x), [("adjoint", x, False)], False))
    found.append((inputs_caption(trace), [("adjoint", x, False) for x in net.inputs], False))
    shown = {step.title for step in reverse_steps(trace, fig.granularity)}
    shown |= {fig.frame("forward", k).title for k in range(fig.stage_count("forward"))}
    out: dict[str, Text] = {}
    for tokens, numbers, optional in found:
        title = tokens.unicode()
        if title in shown and title not in out:
            out[title] = keys.keyed(tokens, numbers, f"the caption {title!r}", optional)
    return out


def edge_ranks(frames: list[Frame]) -> dict[str, int]:
    """The order the figure paints edge states in (highlighted edges over the thin rest),
    read from its frames: an edge of a higher rank is painted later.

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.network import network_figure
    >>> fig = network_figure(adviz.examples.mlp((2, 2, 1)))
    >>> ranks = edge_ranks(list(fig.frames("reverse")))
    >>> ranks["pending"] < ranks["passed"] < ranks["gradient"]
    True
    """
    after: dict[str, set[str]] = {}
    for frame in frames:
        seen: list[str] = []
        for view in frame.edges.values():
            after.setdefault(view.state, set())
            if seen and seen[-1] != view.state:
                after[view.state].add(seen[-1])
            seen.append(view.state)
    order = list(TopologicalSorter({s: sorted(p) for s, p in sorted(after.items())})
                 .static_order())
    return {state: k for k, state in enumerate(order)}


def network_data(trace: Trace, *, theme: str = "light",
                 granularity: str | None = None) -> tuple[dict[str, Any], str, NetworkFigure]:
    """The neuron view as the page's script reads it, its base SVG and its figure.

    Parameters
    ----------
    trace
        A network trace (`adviz.core.network.network`).
    theme, granularity
        As for `adviz.scene.network.network_figure`.

    Returns
    -------
    tuple
        ``(data, svg, figure)``. ``data`` holds ``scene`` (geometry and style
        table, `adviz.renderers.page.scene_data`), ``lines`` (``[role, size,
        template]``), ``states`` (state names), ``ranks`` (edge state to paint
        order), ``granularity`` and per phase ``stages`` (the changes of
        each stage), ``titles`` (captions as Unicode templates) and
        ``captions`` (as HTML with MathML); see the module.

    Raises
    ------
    InputError
        The trace is not a network, or an unknown granularity.
    RenderError
        A text of the view shows a number the page does not compute.
    """
    from adviz.renderers.page import scene_data
    from adviz.renderers.svg import paint
    from adviz.scene.network import NetworkFigure, network_figure
    from adviz.text.mathml import caption_pieces

    fig = network_figure(trace, theme=theme, granularity=granularity)
    assert isinstance(fig, NetworkFigure)  # no zoom: the neuron view itself
    keys = _Keys(trace)
    lines = _Lines(fig, keys)
    captions = _captions(fig, keys)
    node_number = {node: k for k, node in enumerate(fig.view.nodes)}
    edge_number = {edge: k for k, edge in enumerate(fig.view.edges)}
    states: dict[str, int] = {}
    phases: dict[str, Any] = {}
    frames: list[Frame] = []
    for phase in PHASES:
        stages: list[Any] = []
        titles: list[Any] = []
        markup: list[Any] = []
        for change in fig.changes(phase):
            tokens = captions.get(change.title)
            if tokens is None:
                raise RenderError(f"the page cannot recompute the caption {change.title!r}")
            titles.append(keys.template(list(tokens.template("unicode"))))
            markup.append(keys.template(caption_pieces(tokens)))
            nodes = [[node_number[n], states.setdefault(v.state, len(states)),
                      *lines.refs(n, v.lines, lines.node_lines[n])]
                     for n, v in change.nodes.items()]
            edges = [[edge_number[e], states.setdefault(v.state, len(states)),
                      int(v.toward_parent), *lines.refs(e, v.lines, lines.edge_lines[e])]
                     for e, v in change.edges.items()]
            stages.append([sorted(nodes), sorted(edges)])
        frames += fig.frames(phase)
        phases[phase] = {"stages": stages, "titles": titles, "captions": markup}
    base = fig.frame("forward", 0)
    svg = paint(fig, base)
    kinds = {node: view.kind for node, view in base.nodes.items()}
    data = {"scene": scene_data(fig, kinds), "lines": lines.rows, "states": list(states),
            "ranks": edge_ranks(frames), "granularity": fig.granularity, "phases": phases,
            "focus": focus_targets(fig)}
    return data, svg[svg.index("<svg"):], fig


def focus_targets(fig: NetworkFigure) -> dict[str, list[int]]:
    """The scalar node each drawn element takes the focus on when clicked: per circle its
    node (an input, a neuron's activation, the loss), per edge its weight (``-1``: an
    edge into the loss, which stands for no weight), as tape numbers.

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.network import network_figure
    >>> t = adviz.examples.mlp((2, 1, 1))
    >>> targets = focus_targets(network_figure(t))
    >>> [t.program.nodes[k].id for k in targets["nodes"]], targets["edges"][-1]
    (['x1', 'x2', 'a1_1', 'a2_1', 'y'], -1)
    >>> [t.program.nodes[k].id for k in targets["edges"][:2]]
    ['w1_11', 'w1_12']
    """
    index = fig.trace.program.index
    return {"nodes": [index[node] for node in fig.view.nodes],
            "edges": [-1 if (weight := fig.weights.get(edge)) is None else index[weight]
                      for edge in fig.view.edges]}


def focus_start(net: dict[str, Any], trace: Trace, focus: str) -> int:
    """The drawn element a page of the neuron view opens in focus on (`network_data`'s
    numbering: circles, then edges), for ``focus`` naming a node the view draws or a
    weight.

    Raises
    ------
    InputError
        ``focus`` names no node of the trace, or one the neuron view does not draw
        (a bias, a neuron's inner node).

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 1, 1))
    >>> net = network_data(t)[0]
    >>> focus_start(net, t, "a1_1"), focus_start(net, t, "w1_12")
    (2, 6)
    >>> focus_start(net, t, "b1_1")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: focus='b1_1' does not apply to the demo page's neuron view: it ...
    """
    from adviz.errors import InputError
    from adviz.scene.focus import resolve_node

    node = trace.program.index[resolve_node(trace, focus)]
    targets = net["focus"]
    found = [*targets["nodes"], *targets["edges"]]
    if node not in found:
        raise InputError(f"focus={focus!r} does not apply to the demo page's neuron view: it "
                         f"draws no circle or weight edge for it; focus a weight (such as "
                         f"{trace.program.nodes[found[len(targets['nodes'])]].id!r}) or a "
                         f"neuron's activation, or use view='graph'")
    return found.index(node)


def table_stages(trace: Trace, fig: NetworkFigure) -> dict[str, list[int]]:
    """Per phase, the neuron-view stage that reaches each scalar stage (walkthrough row).

    Forward, a node is reached with its layer's column (the loss's part with
    the last); reverse, a node's parents get their gradient at the stage that
    finishes its neuron (the loss's part at stage 0).

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.network import network_figure
    >>> t = adviz.examples.mlp((2, 1, 1))
    >>> stages = table_stages(t, network_figure(t))
    >>> stages["forward"][0], stages["forward"][-1], stages["reverse"][0]
    (0, 3, 0)
    """
    from adviz.scene.network import reverse_steps

    net = fig.network
    last = len(fig.columns) - 1
    forward: list[int] = []
    for stage in trace.forward_stages:
        neuron = None if stage.node is None else net.neuron_of(stage.node)
        forward.append(0 if stage.node is None else neuron.layer if neuron is not None
                       else last)
    finishing: dict[str, int] = {}
    for k, step in enumerate(reverse_steps(trace, fig.granularity)):
        for node in step.finished:
            finishing.setdefault(node, k)
    reverse: list[int] = []
    for stage in trace.reverse_stages:
        neuron = None if stage.node is None else net.neuron_of(stage.node)
        reverse.append(0 if neuron is None else finishing.get(neuron.activation, 0))
    return {"forward": forward, "reverse": reverse}


def page_data(trace: Trace, *, theme: str = "light", title: str | None = None,
              analytic: bool | None = None, granularity: str | None = None
              ) -> tuple[dict[str, Any], str, dict[str, str], NetworkFigure]:
    """The demonstration's data for the neuron view (``view="network"``).

    What `adviz.renderers.demo.demo_data` gives the scalar picture's page,
    without the scalar picture (its layout is neither needed nor drawn, and
    a network of a thousand scalar nodes lays out as neurons only): the tape
    the script recomputes, the texts of the run (plain captions, result,
    walkthrough, its rows tagged ``at`` with the neuron-view stage that reaches
    them, `table_stages`), the inputs and the analytic panel, plus
    ``network`` (`network_data`).

    Returns
    -------
    tuple
        ``(data, svg, analytic_code, figure)``: the data, the neuron view's
        base SVG, the analytic gradient's JavaScript forms by input name and
        the `adviz.scene.network.NetworkFigure`.

    Examples
    --------
    >>> import adviz.examples
    >>> data, svg, code, fig = page_data(adviz.examples.mlp((2, 1, 1)), analytic=False)
    >>> data["nodes"][0], data["edges"][0]["positions"], data["table"]["rows"][-1]["at"]
    ({'id': 'x1', 'kind': 'input', 'op': None, 'slots': [], 'value': -0.19, 'pretty': 'x₁'}, [1], 2)
    """
    from adviz.renderers.demo import (
        DEFAULT_LR,
        DEFAULT_STEPS,
        FD_STEP,
        STAGE_INTERVAL_MS,
        _stage_texts,
        _table_texts,
        analytic_panel,
        page_inputs,
    )
    from adviz.renderers.page import default_title
    from adviz.renderers.templates import Slots, page_template
    from adviz.text.labels import pretty_name, result_text
    from adviz.text.tables import point_text

    net, svg, fig = network_data(trace, theme=theme, granularity=granularity)
    program = trace.program
    nodes = program.nodes
    slots = Slots(trace)
    node_data = [{"id": node.id, "kind": node.kind,
                  "op": node.op.name if node.op is not None else None,
                  "slots": [{"p": s} if type(s) is int else {"c": float(s)} for s in node.slots],
                  "value": node.value, "pretty": pretty_name(node.id)} for node in nodes]
    into: list[list[int]] = [[] for _ in nodes]
    edges: list[dict[str, Any] | None] = [None] * len(slots.edges)
    for i, node in enumerate(nodes):
        for edge in program.edges_into(i):
            number = slots.edges[nodes[edge.parent].id, node.id]
            into[i].append(number)
            edges[number] = {"parent": edge.parent, "child": i, "positions": [
                k for k, s in enumerate(node.slots) if type(s) is int and s == edge.parent]}
    inputs = page_inputs(trace)
    code, analytic_data = analytic_panel(trace, analytic)
    table = _table_texts(trace, slots)
    at = table_stages(trace, fig)
    table["rows"] = [{**row, "at": at[row["phase"]][row["stage"]]} for row in table["rows"]]
    data = {
        "title": title,
        "defaultTitle": default_title(trace),
        "tracedPoint": point_text(trace).plain(),
        "result": page_template(result_text(trace), slots, "plain"),
        "fromFunction": trace.expression is None,
        "nodes": node_data,
        "edges": edges,
        "into": into,
        "inputs": inputs,
        "output": program.output,
        "order": trace.order,
        "granularity": trace.granularity,
        "captions": _stage_texts(trace, slots)["captions"],  # the run's, for its notes
        "table": table,
        "dark": fig.theme.name == "dark",
        "analytic": analytic_data,
        "fdStep": FD_STEP,
        "lr": DEFAULT_LR,
        "steps": DEFAULT_STEPS,
        "interval": STAGE_INTERVAL_MS,
        "network": net,
    }
    return data, svg, code, fig


# ---------------------------------------------------------------- zoom

class _Running:
    """The trace's reverse pass walked forward: every node's running adjoint and the running
    sums over sets of edges (a collapsed box's gradient in and out, a merged edge's
    contributions, `adviz.scene.view`) after each scalar reverse stage."""

    def __init__(self, trace: Trace, sets: list[tuple[tuple[str, str], ...]]) -> None:
        self.stages = trace.reverse_stages
        self.at = 0
        self.adjoints: dict[str, float] = {trace.graph.graph["output"]: 1.0}
        self.of: dict[tuple[str, str], list[int]] = {}
        for j, edges in enumerate(sets):
            for edge in edges:
                self.of.setdefault(edge, []).append(j)
        self.totals = [0.0] * len(sets)

    def advance(self, stage: int) -> None:
        while self.at < stage:
            self.at += 1
            for c in self.stages[self.at].contributions:
                self.adjoints[c.parent] = c.after
                for j in self.of.get((c.parent, c.child), ()):
                    self.totals[j] += c.delta


class _ZoomLines:
    """A zoom figure's lines as numbered templates ``[role, size, template]`` whose holes are
    ``[quantity, index, parens]``: a node's ``value`` or ``adjoint`` (its running adjoint
    at the stage shown), an edge's ``partial``, ``upstream``, ``delta``, ``before`` or
    ``after``, or ``sum`` number ``index`` of the zoom's sums (running, over the edges
    it lists). Each number is checked against the trace at the stage it is shown."""

    def __init__(self, fig: Any, slots: Any) -> None:
        self.fig, self.slots = fig, slots
        trace = fig.trace
        self.index = trace.program.index
        self.graph = trace.graph
        self.edge_list = list(slots.edges)
        self.contributions = {(c.parent, c.child): c for stage in trace.reverse_stages
                              for c in stage.contributions}
        collapsed = fig.view.collapsed
        self.merged = {key: edge.edges for key, edge in
                       (collapsed.edges.items() if collapsed is not None else ())
                       if edge.merged}
        sets: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        for key, edges in self.merged.items():
            sets["edge", f"{key[0]}->{key[1]}"] = edges
        for box in collapsed.boxes if collapsed is not None else ():
            sets["in", box] = tuple(e for key, edges in self.merged.items()
                                    if key[0] == box for e in edges)
            sets["out", box] = tuple(e for key, edges in self.merged.items()
                                     if key[1] == box for e in edges)
        self.set_names = list(sets)
        self.running = _Running(trace, list(sets.values()))
        self.sets = list(sets.values())
        self.used: dict[int, int] = {}
        self.rows: list[list[Any]] = []
        self._numbers: dict[str, int] = {}

    def _expected(self, quantity: str, index: int, phase: str) -> float | None:
        if quantity == "sum":
            return self.running.totals[index]
        if quantity in ("value", "adjoint"):
            node = self.fig.trace.program.nodes[index].id
            if quantity == "value":
                return float(self.graph.nodes[node]["value"])
            return self.running.adjoints.get(node, 0.0) if phase == "reverse" else None
        parent, child = self.edge_list[index]
        if quantity == "partial":
            return float(self.graph.edges[parent, child]["partial"])
        c = self.contributions.get((parent, child))
        return None if c is None else float(getattr(c, quantity))

    def _hole(self, key: str | None, element: Any, line: Line, box_sum: str | None
              ) -> tuple[str, int]:
        if key is None:  # a collapsed box's flow or a merged edge's sum: no key, by place
            if box_sum is None:
                raise RenderError(f"the zoom shows {line.text!r} on {element!r}, a number "
                                  f"the page cannot recompute")
            name = element if box_sum != "edge" else f"{element[0]}->{element[1]}"
            return "sum", self.set_names.index((box_sum, name))
        quantity, index = self.slots[key]
        if index is None and isinstance(element, str) and quantity not in ("value", "adjoint"):
            # a node receiving: the contribution it gets at the stage shown
            stage = self.fig.trace.reverse_stages[self.running.at]
            found = [c for c in stage.contributions if c.parent == element]
            if len(found) != 1:
                raise RenderError(f"the zoom shows {line.text!r} on {element!r}, a number "
                                  f"the page cannot recompute")
            index = self.slots.edges[found[0].parent, found[0].child]
        elif index is None:  # the element's own quantity
            index = self.index[element] if isinstance(element, str) \
                else self.slots.edges[element]
        return quantity, index

    def _template(self, element: Any, line: Line, box_sum: str | None, phase: str
                  ) -> list[Any]:
        if line.tokens is None:
            return [line.text]
        numbers = iter(t for t in line.tokens.tokens if isinstance(t, Num))
        template: list[Any] = []
        for piece in line.tokens.template("unicode"):
            if not isinstance(piece, Hole):
                if template and isinstance(template[-1], str):
                    template[-1] += piece
                else:
                    template.append(piece)
                continue
            token = next(numbers)
            quantity, index = self._hole(piece.key, element, line, box_sum)
            expected = self._expected(quantity, index, phase)
            if expected is None or not (token.value == expected or (
                    math.isnan(token.value) and math.isnan(expected)) or (
                    # a box's running sum whose printed form a stage leaves as it was keeps
                    # its line (`adviz.scene.view`): the page prints the same text
                    quantity == "sum" and pretty_number(token.value) == pretty_number(expected))):
                raise RenderError(f"the zoom shows {token.value!r} in {line.text!r} where "
                                  f"the page computes {expected!r}")
            if quantity == "sum":  # numbered among the sums the page uses
                index = self.used.setdefault(index, len(self.used))
            template.append([quantity, index, int(piece.parens)])
        return template

    def refs(self, element: Any, lines: tuple[Line, ...], kind: str, phase: str
             ) -> list[int]:
        """The numbers of an element's lines (each checked, added to ``rows`` once)."""
        out = []
        flows = iter(("in", "out"))
        for line in lines:
            box_sum = None
            if kind == "scope" and line.role == "adjoint":
                box_sum = next(flows, None)
            elif isinstance(element, tuple) and element in self.merged:
                box_sum = "edge"
            row = [line.role, line.size, self._template(element, line, box_sum, phase)]
            text = repr(row)
            number = self._numbers.get(text)
            if number is None:
                number = self._numbers[text] = len(self.rows)
                self.rows.append(row)
            out.append(number)
        return out


def zoom_data(trace: Trace, scope: tuple[str, ...], *, theme: str = "light",
              granularity: str | None = None, slots: Slots | None = None
              ) -> tuple[dict[str, Any], str]:
    """One neuron's zoom (`adviz.scene.network.zoom_figure`: its scalar graph, the rest of
    the network collapsed) as the page's script reads it, and its base SVG.

    The data has the shape of `network_data`'s (``scene`` without the style table,
    an edge's forward path ``None`` when the base SVG draws it, ``lines``, ``states``,
    per phase ``stages``; no ``ranks``: a scalar figure paints
    its edges in the view's order) plus ``map``: per phase
    the scalar stage each of the neuron view's stages shows
    (`adviz.scene.network.stage_map`), and ``sums``: the scalar edge numbers each
    ``sum`` hole adds up (their contributions so far). The page computes a stage's
    numbers from the state after that scalar stage, so the lines keep following the
    sliders. ``slots``: the trace's numbering (`adviz.renderers.templates.Slots`), made
    once for all the zooms of a page.

    Examples
    --------
    >>> import adviz.examples
    >>> t = adviz.examples.mlp((2, 2, 1))
    >>> data, svg = zoom_data(t, ("layer 1", "neuron 2"))
    >>> data["map"]["reverse"], svg.startswith("<svg")
    ([2, 7, 7, 17, 17, 17], True)
    >>> [n[0] for n in data["scene"]["nodes"]][-3:]
    ['[layer 2]', '[loss]', 'y']
    """
    from adviz.renderers.page import scene_data
    from adviz.renderers.svg import paint
    from adviz.renderers.templates import Slots
    from adviz.scene.network import zoom_figure

    fig = zoom_figure(trace, "/".join(scope), theme=theme, granularity=granularity or "neuron")
    lines = _ZoomLines(fig, slots or Slots(trace))
    node_number = {node: k for k, node in enumerate(fig.view.nodes)}
    edge_number = {edge: k for k, edge in enumerate(fig.view.edges)}
    states: dict[str, int] = {}
    phases: dict[str, Any] = {}
    last = len(trace.reverse_stages) - 1
    for phase in PHASES:
        stages: list[Any] = []
        for k, change in enumerate(fig.changes(phase)):
            lines.running.advance(fig.stages[phase][k] if phase == "reverse" else last)
            nodes = [[node_number[n], states.setdefault(v.state, len(states)),
                      *lines.refs(n, v.lines, v.kind, phase)]
                     for n, v in change.nodes.items()]
            edges = [[edge_number[e], states.setdefault(v.state, len(states)),
                      int(v.toward_parent), *lines.refs(e, v.lines, "", phase)]
                     for e, v in change.edges.items()]
            stages.append([sorted(nodes), sorted(edges)])
        if phase == "forward":  # the reverse pass's sums start again from stage 0
            lines.running = _Running(trace, lines.sets)
        phases[phase] = {"stages": stages}
    base = fig.frame("forward", 0)
    svg = paint(fig, base)
    kinds = {node: view.kind for node, view in base.nodes.items()}
    scene = scene_data(fig, kinds)
    del scene["styles"]  # the neuron view's: one theme
    for edge in scene["edges"]:  # a forward route the base SVG draws is read from there
        if edge[2] and f'd="{edge[2]}"' in svg:
            edge[2] = None
    edge_of = lines.slots.edges
    sums: list[list[int]] = [[] for _ in lines.used]
    for j, used in lines.used.items():
        sums[used] = sorted(edge_of[e] for e in lines.sets[j])
    data = {"scene": scene, "lines": lines.rows, "states": list(states), "phases": phases,
            "map": {phase: list(fig.stages[phase]) for phase in PHASES}, "sums": sums}
    return data, svg[svg.index("<svg"):]


ZOOM_BUDGET = 40_000
"""The largest `zoom_cost` for which the demonstration page includes its neurons' zooms
by default: each zoom walks every scalar stage, so together they cost about the number
of neurons times the number of scalar nodes (2-4-1: 250, about a second; micrograd's
2-16-16-1: 32,406, about 13 s on a 2-core machine, against 1.4 s without them)."""

ZOOM_PROGRESS = 8
"""From this many zooms on, a page written from a terminal shows a progress bar
while they are made."""


def zoom_cost(trace: Trace) -> int:
    """The work of every neuron's zoom, as the number of neurons times scalar nodes.

    Examples
    --------
    >>> import adviz.examples
    >>> zoom_cost(adviz.examples.mlp((2, 4, 1)))
    250
    """
    from adviz.core.network import network

    return len(list(network(trace).neurons)) * len(trace.program.nodes)


def zooms(trace: Trace, fig: NetworkFigure, *, theme: str = "light",
          granularity: str | None = None, progress: bool | None = None) -> dict[str, Any]:
    """Every neuron's zoom (`zoom_data`) for the page, packed: ``zooms`` lists per zoom its
    ``scope`` (its path, ``"layer 1/neuron 2"``), ``node`` (its circle's number in
    the neuron view) and ``size`` (the least width and height it is shown at, as CSS
    lengths, as the page's own picture); ``pack`` holds the zooms' data, each with its base SVG as
    ``svg``, as JSON compressed with zlib (deflate) in base64, which the page inflates
    once when it opens (a zoom figure's text repeats itself: the pack is about a tenth
    of its size).
    ``progress``: a bar on standard error while they are made (`adviz.progress.progress_bar`;
    ``None``: on a terminal, from `ZOOM_PROGRESS` zooms on).

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.network import network_figure
    >>> t = adviz.examples.mlp((2, 1, 1))
    >>> packed = zooms(t, network_figure(t))
    >>> [(z["node"], z["scope"]) for z in packed["zooms"]]
    [(2, 'layer 1/neuron 1'), (3, 'layer 2/neuron 1')]
    >>> [z["svg"][:4] for z in unpack(packed["pack"])]
    ['<svg', '<svg']
    """
    from adviz.progress import progress_bar
    from adviz.renderers.demo import _frame_size
    from adviz.renderers.page import packed_json
    from adviz.renderers.templates import Slots

    numbers = {node: k for k, node in enumerate(fig.view.nodes)}
    index: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    slots = Slots(trace)
    drawn = [n for n in fig.network.neurons if n.activation in numbers]
    with progress_bar(len(drawn), progress, "zooms", "neuron", least=ZOOM_PROGRESS) as bar:
        for neuron in drawn:
            data, svg = zoom_data(trace, tuple(neuron.scope), theme=theme,
                                  granularity=granularity, slots=slots)
            found.append({**data, "svg": svg})
            scene = data["scene"]
            least = _frame_size(scene["width"], scene["height"] - scene["crop"])
            index.append({"node": numbers[neuron.activation], "scope": "/".join(neuron.scope),
                          "size": list(least)})
            bar.update(1)
    return {"zooms": index, "pack": packed_json(found)}


def unpack(pack: str) -> list[dict[str, Any]]:
    """The zooms' data a `zooms` pack holds (what the page's script inflates)."""
    from adviz.renderers.page import unpacked_json

    found: list[dict[str, Any]] = unpacked_json(pack)
    return found
