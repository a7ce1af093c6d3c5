"""What a gradient costs, counted: one evaluation, reverse mode, forward mode, finite differences.

The counts are exact counts of the operations of the staged sweeps adviz
runs (the ones its stages, tables and pictures show), on the trace's graph:
``F`` op nodes (the ops the output depends on) and ``E`` edges (a parent an
op uses twice, as in ``x*x``, is one edge). What counts as one operation:

- evaluating one op node (``+`` and ``cos`` alike);
- one local partial ``dc/dp``: one per edge, whatever the op (the partial of
  ``a + b`` counts as much as that of ``cos(a)``);
- one multiplication, one addition (a subtraction counts as an addition, a
  division as a multiplication).

Per method (``n`` inputs):

- **function**: one evaluation, ``F``.
- **reverse**: one forward pass (``F``), then one reverse sweep: per edge one
  partial, one multiplication ``g_c * dc/dp`` and one addition into the
  parent's running sum, which starts at 0: ``F + 3E``.
- **forward**: ``n`` sweeps, each seeded with one input; a sweep evaluates
  the function alongside its tangents (``F``) and per edge takes one partial,
  one multiplication ``dc/dp * p_dot`` and one addition into the child's
  running sum: ``n * (F + 3E)``. (Edges from constants shown as nodes,
  ``show_constants=True``, carry no tangent and are not counted here.)
- **finite differences** (central): ``2n`` evaluations, and per input two
  perturbed values ``x ± h``, one difference and one division: ``2nF + 4n``.

So reverse / function is ``1 + 3E/F``, at most ``1 + 3k`` when no op has more
than ``k`` parents: `REVERSE_RATIO_BOUND` (7) for the built-in ops, which take
one or two arguments, whatever the number of inputs; forward / reverse is
``n``.

A function with ``m`` outputs (a tuple returned: `adviz.jacobian`) has a
Jacobian instead of a gradient, and the counts are those of the whole Jacobian:

- **function**: ``F``, the ops of all the outputs.
- **reverse**: one forward pass and one reverse sweep per output, each over
  the ``E_k`` edges into the ops output ``k`` depends on (the sweep of
  `Trace.reverse_stages_for`): ``F + 3(E_1 + ... + E_m)``, at most
  ``F + 3mE``: ``m`` sweeps.
- **forward**: still ``n`` sweeps, ``n * (F + 3E)``: each sweep carries the
  tangents to every output at once.
- **finite differences**: ``2n`` evaluations, per input two perturbed
  values, and per input and output one difference and one division:
  ``2nF + 2n + 2nm``.

So with few inputs and many outputs that share their computation, forward
mode is the cheaper one (`adviz.examples.many_outputs`).

Examples
--------
>>> import adviz
>>> c = adviz.cost(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
>>> c.function, c.reverse, c.forward, c.finite_differences
(5, 29, 58, 28)
>>> c.ratio("reverse"), c.ratio("forward")
(5.8, 11.6)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from adviz.core.tracing import Trace

LABELS = {
    "function": "function",
    "reverse": "reverse mode",
    "forward": "forward mode",
    "finite_differences": "finite differences",
}
"""Each method a `Cost` counts, by key, and its name in tables and figures."""

METHODS = tuple(LABELS)
"""The methods a `Cost` counts, in the order its table and figure show them."""

REVERSE_RATIO_BOUND = 7
"""reverse / function <= 1 + 3k when no op has more than k parents: 7 for every built-in
op (one or two arguments)."""


@dataclass(frozen=True)
class Count:
    """The operations one method performs (see the module for what counts).

    Attributes
    ----------
    method
        ``"function"``, ``"reverse"``, ``"forward"`` or ``"finite_differences"``.
    runs
        Evaluations or sweeps: 1, 1, ``n``, ``2n`` (``m`` outputs: 1, ``m``,
        ``n``, ``2n``; reverse mode's one forward pass is not counted as a run).
    evaluations
        Op nodes evaluated.
    partials
        Local partials taken.
    multiplications, additions
        Arithmetic on derivatives (and, for finite differences, on inputs
        and values).
    """

    method: str
    runs: int
    evaluations: int
    partials: int
    multiplications: int
    additions: int

    @property
    def total(self) -> int:
        """Every operation of the method."""
        return self.evaluations + self.partials + self.multiplications + self.additions

    def __int__(self) -> int:
        return self.total


@dataclass(frozen=True)
class Cost:
    """Operation counts of one evaluation and of three ways to the gradient (see `cost`).

    Attributes
    ----------
    output
        The output node's id (several outputs: the first one's).
    inputs
        ``n``, the number of inputs.
    ops
        ``F``, the op nodes of the graph.
    edges
        ``E``, the edges of the graph.
    tangent_edges
        The edges a forward sweep takes a term for (all but those from
        constants shown as nodes).
    counts
        Each method's `Count`, by method (`METHODS`).
    outputs
        The output node ids, in the order the function returned them.
    reverse_sweeps
        The operations of each output's reverse sweep (``3 E_k``), by output in
        the same order: ``reverse == ops + sum(reverse_sweeps)``.
    """

    output: str
    inputs: int
    ops: int
    edges: int
    tangent_edges: int
    counts: Mapping[str, Count]
    outputs: tuple[str, ...] = ()
    reverse_sweeps: tuple[int, ...] = ()

    @property
    def function(self) -> int:
        """Operations of one evaluation of the function."""
        return self.counts["function"].total

    @property
    def reverse(self) -> int:
        """Operations of the gradient by reverse mode (one forward pass, one reverse sweep;
        ``m`` outputs: one reverse sweep per output)."""
        return self.counts["reverse"].total

    @property
    def forward(self) -> int:
        """Operations of the gradient by forward mode (``n`` sweeps)."""
        return self.counts["forward"].total

    @property
    def forward_sweep(self) -> int:
        """Operations of one forward-mode sweep (``forward == inputs * forward_sweep``)."""
        return self.ops + 3 * self.tangent_edges

    @property
    def finite_differences(self) -> int:
        """Operations of the gradient by central finite differences (``2n`` evaluations)."""
        return self.counts["finite_differences"].total

    def ratio(self, method: str) -> float:
        """A method's operations per operation of one evaluation (``nan`` with no ops).

        Examples
        --------
        >>> import adviz
        >>> adviz.cost(adviz.trace("sin(x) * x", x=1.0)).ratio("reverse")
        5.5
        """
        if method not in self.counts:
            raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
        return self.counts[method].total / self.function if self.function else float("nan")

    def table(self, fmt: str = "text") -> str:
        """The counts as a table, ``"text"`` (aligned columns) or ``"markdown"``.

        Examples
        --------
        >>> import adviz
        >>> print(adviz.cost(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)).table())
        Cost of the gradient of y: 2 inputs, 5 ops, 8 edges
        method              runs  evals  partials  mul  add  total   × f
        function               1      5         0    0    0      5     1
        reverse mode           1      5         8    8    8     29   5.8
        forward mode           2     10        16   16   16     58  11.6
        finite differences     4     20         0    2    6     28   5.6
        """
        if fmt not in ("text", "markdown"):
            raise InputError(f"unknown cost table format {fmt!r}; use 'text' or 'markdown'")
        head = ["method", "runs", "evals", "partials", "mul", "add", "total", "× f"]
        rows = [[LABELS[m], str(c.runs), str(c.evaluations), str(c.partials),
                 str(c.multiplications), str(c.additions), str(c.total),
                 ratio_text(self.ratio(m))] for m, c in self.counts.items()]
        title = (f"Cost of the {subject(self)}: {self.inputs} input"
                 f"{'' if self.inputs == 1 else 's'}{outputs_text(self)}, {self.ops} ops, "
                 f"{self.edges} edges")
        if fmt == "markdown":
            lines = [f"**{title}**", "", "| " + " | ".join(head) + " |",
                     "|---|" + "---:|" * (len(head) - 1)]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            return "\n".join(lines) + "\n"
        widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
        lines = [title]
        for row in [head, *rows]:
            cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines) + "\n"

    def figure(self, ax: Axes | None = None, *, log: bool | None = None) -> Figure:
        """A bar chart of the counts, one bar per method, its ratio to one evaluation on it.

        Parameters
        ----------
        ax
            Matplotlib axes to draw in (default: a new figure's).
        log
            A logarithmic count axis; default: when the largest count is at
            least 50 times the smallest.

        Returns
        -------
        matplotlib.figure.Figure
            The figure of the axes.
        """
        from adviz.renderers.cost_chart import cost_figure

        return cost_figure(self, ax, log=log)


def subject(cost: Cost) -> str:
    """What a cost is the cost of: ``"gradient of y"``, or ``"Jacobian of y1, ..., y8"``.

    Examples
    --------
    >>> import adviz
    >>> subject(adviz.cost(adviz.trace(lambda a: (a * a, a + 1.0, a * 3.0), a=1.0)))
    'Jacobian of y1, y2, y3'
    """
    if len(cost.outputs) <= 1:
        return f"gradient of {cost.output}"
    names = cost.outputs if len(cost.outputs) <= 3 else (cost.outputs[0], "...",
                                                          cost.outputs[-1])
    return f"Jacobian of {', '.join(names)}"


def outputs_text(cost: Cost) -> str:
    """``", 8 outputs"`` for several outputs, else nothing."""
    return f", {len(cost.outputs)} outputs" if len(cost.outputs) > 1 else ""


def ratio_text(ratio: float) -> str:
    """A ratio as tables and charts show it: one decimal below 100, none above.

    Examples
    --------
    >>> ratio_text(5.8), ratio_text(1.0), ratio_text(674.0), ratio_text(float("nan"))
    ('5.8', '1', '674', '-')
    """
    if ratio != ratio:
        return "-"
    text = f"{ratio:.1f}" if ratio < 100 else f"{ratio:.0f}"
    return text[:-2] if text.endswith(".0") else text


def cost(trace: Trace) -> Cost:
    """Count the operations of one evaluation and of the gradient by each method.

    Parameters
    ----------
    trace
        A `Trace`.

    Returns
    -------
    Cost
        With ``.function``, ``.reverse``, ``.forward`` and
        ``.finite_differences`` (operation counts), ``.table()`` and
        ``.figure()``.

    Examples
    --------
    >>> from adviz.examples import mlp
    >>> small, large = mlp((2, 2, 1)), mlp((2, 8, 8, 1))
    >>> [round(cost(t).ratio("reverse"), 2) for t in (small, large)]
    [6.12, 6.71]
    >>> [cost(t).forward // cost(t).reverse for t in (small, large)]
    [11, 107]
    """
    from adviz.core.tracing import Trace

    if not isinstance(trace, Trace):
        raise InputError(f"cost() takes a Trace (adviz.trace(...)), not {type(trace).__name__}")
    graph = trace.graph
    n = len(graph.graph["inputs"])
    ops = sum(1 for _, kind in graph.nodes(data="kind") if kind == "op")
    edges = graph.number_of_edges()
    kinds = graph.nodes(data="kind")
    tangent = sum(1 for parent, _ in graph.edges if kinds[parent] != "const")
    outputs = tuple(graph.graph.get("outputs", (graph.graph["output"],)))
    m = len(outputs)
    swept = _edges_per_output(trace) if m > 1 else (edges,)
    reverse = sum(swept)
    counts: dict[str, Any] = {
        "function": Count("function", 1, ops, 0, 0, 0),
        "reverse": Count("reverse", m, ops, reverse, reverse, reverse),
        "forward": Count("forward", n, n * ops, n * tangent, n * tangent, n * tangent),
        "finite_differences": Count("finite_differences", 2 * n, 2 * n * ops, 0, n * m,
                                    2 * n + n * m),
    }
    return Cost(graph.graph["output"], n, ops, edges, tangent, MappingProxyType(counts),
                outputs, tuple(3 * e for e in swept))


def _edges_per_output(trace: Trace) -> tuple[int, ...]:
    """``E_k`` for each output: the edges into the op nodes output ``k`` depends on."""
    program = trace.program
    result = []
    for position in program.output_positions:
        live = program.for_output(position).live
        assert live is not None
        result.append(sum(len(program.parents(i)) for i, node in enumerate(program.nodes)
                          if live[i] and node.kind == "op"))
    return tuple(result)
