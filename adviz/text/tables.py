"""The walkthrough: forward values, reverse accumulation rows and final gradients.

The rows follow the seed page ("Process parents of t2, i.e. t1: g_t1 += ...").
One row model, four formats: plain text, Markdown, LaTeX and HTML, each
escaped for its format. The rows, the title and the final gradients are
tokens (`text_rows`, `title_text`, `final_texts`; `adviz.text.tokens.Text`)
whose plain form is what the text and HTML formats show, so a page can take
them as templates and fill in the numbers of another point.

With ``mode="forward"`` or ``mode="both"`` the walkthrough is a trace table
instead (`trace_table`): one row per node in evaluation order, its primal
value, its tangent for one seed (forward mode, `adviz.forward_mode`) and, for
``"both"``, its adjoint, each cell a `Text` (`trace_rows`).

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> print(adviz.walkthrough(t).splitlines()[14])
  Process parents of t2, i.e. t1: g_t1 += g_t2 * dt2/dt1 = 1 * (2 t1) = -2
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adviz.core.stages import Contribution
from adviz.core.tracing import one_output
from adviz.errors import InputError
from adviz.formatting import (
    escape_latex,
    format_number,
    is_atomic,
    latex_name,
    parenthesize,
)
from adviz.text.labels import (
    node_formula_text,
    partial_factor,
    seed_contribution_text,
    stage_caption_text,
)
from adviz.text.tokens import Grad, Name, Num, Op, Partial, Tangent, Text, Token, num_key, text

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, Seed, TangentTerm
    from adviz.core.tracing import Trace

FORMATS = ("text", "markdown", "latex", "html")

MODES = ("reverse", "forward", "both")
"""What a walkthrough shows: ``"reverse"``, the forward values and the reverse
accumulation rows; ``"forward"``, the primal and tangent columns of forward mode;
``"both"``, the primal, tangent and adjoint columns side by side."""


@dataclass(frozen=True)
class Row:
    """One line of the walkthrough, independent of the output format."""

    phase: str
    stage: int
    step: str
    updates: tuple[str, ...]
    updates_latex: tuple[str, ...]


@dataclass(frozen=True)
class TextRow:
    """One line of the walkthrough as tokens; the plain forms are the `Row`'s texts."""

    phase: str
    stage: int
    step: Text
    updates: tuple[Text, ...]


_PRODUCT = re.compile(r"(?<!\*)\*(?!\*)")


def _wrap(partial_latex: str, contribution: Contribution) -> str:
    if is_atomic(contribution.partial_expr):
        return partial_latex
    return f"\\left({partial_latex}\\right)"


def _names(ids: tuple[str, ...]) -> list[Token | str]:
    """Parents as the rows name them: ``t1`` or ``(x1, x2)``, each a `Name`."""
    if len(ids) == 1:
        return [Name(ids[0])]
    out: list[Token | str] = ["("]
    for k, name in enumerate(ids):
        out += [", "] if k else []
        out.append(Name(name))
    return [*out, ")"]


def text_rows(trace: Trace) -> list[TextRow]:
    """The walkthrough's rows as tokens: forward stages, then reverse stages.

    Each number's key names the value or contribution it shows
    (`adviz.text.tokens.num_key`).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> row = text_rows(t)[-1]
    >>> row.step.plain(), row.updates[0].plain()
    ('Process parents of t3, i.e. (x1, x2)', 'g_x1 += g_t3 * dt3/dx1 = -0.14112 * 1 = -0.14112')
    >>> [str(h.key) for h in row.updates[0].template("plain") if not isinstance(h, str)]
    ['upstream:x1->t3', 'delta:x1->t3']
    """
    program = trace.program
    nodes = program.nodes
    result = []
    for stage in trace.forward_stages:
        if stage.node is None:
            for name in stage.nodes:
                node = nodes[program.index[name]]
                step = "Inputs" if node.kind == "input" else "Constants"
                result.append(TextRow("forward", 0, text(step), (text(
                    Name(name), Op(" = "), Num(node.value, key=num_key("value", name))),)))
        else:
            result.append(TextRow("forward", stage.index, text("Evaluate"),
                                  (stage_caption_text(trace, "forward", stage.index),)))
    for stage in trace.reverse_stages:
        if stage.index == 0:
            result.append(TextRow("reverse", 0, text("Initialise"),
                                  (stage_caption_text(trace, "reverse", 0),)))
            continue
        parents = tuple(c.parent for c in stage.contributions)
        does = text("Process parents of ", Name(str(stage.node)), ", i.e. ", *_names(parents))
        if trace.granularity == "edge":
            does = text("Process parent ", Name(parents[0]), " of ", Name(str(stage.node)))
        updates = tuple(
            seed_contribution_text(trace, c, parenthesize(_PRODUCT.sub(" ", c.partial_expr)))
            for c in stage.contributions)
        result.append(TextRow("reverse", stage.index, does, updates))
    return result


def title_text(trace: Trace, limit: int | None = None) -> Text:
    """The walkthrough's title as tokens: ``y = <formula> at x1 = 1, x2 = 2`` (with ``limit``,
    at most that many inputs: `point_text`).

    Examples
    --------
    >>> import adviz
    >>> title_text(adviz.trace("x * x", x=3)).plain()
    'y = x * x at x = 3'
    """
    what = trace.expression or getattr(trace.function, "__name__", "f")
    head = trace.output
    if getattr(trace, "vector", False) and getattr(trace, "base", None) is None:
        head = f"({', '.join(trace.outputs)})"  # every output (one output's sweep: its own)
    return text(f"{head} = {what} at ") + point_text(trace, limit)


TITLE_INPUTS = 6
"""A page's heading names this many inputs at most, then says how many there are (a
network's weights and biases are inputs too: micrograd's 2-16-16-1 network has 337)."""


def point_text(trace: Trace, limit: int | None = None) -> Text:
    """The traced point as tokens: ``x1 = 1, x2 = 2``; with ``limit``, at most that many
    inputs, then how many there are.

    Examples
    --------
    >>> import adviz
    >>> point_text(adviz.trace("x1 - x2", x1=1, x2=0.5)).plain()
    'x1 = 1, x2 = 0.5'
    >>> point_text(adviz.trace("a + b + c", a=1, b=2, c=3), limit=2).plain()
    'a = 1, b = 2, … (3 inputs)'
    """
    parts: list[Name | Op | Num | str] = []
    items = list(trace.inputs.items())
    for k, (name, value) in enumerate(items[:limit]):
        parts += [", "] if k else []
        parts += [Name(name), Op(" = "), Num(value, key=num_key("value", name))]
    if limit is not None and len(items) > limit:
        parts.append(f"{', ' if parts else ''}… ({len(items)} inputs)")
    return text(*parts)


def final_texts(trace: Trace) -> list[tuple[Text, Text]]:
    """The final gradients as tokens: per input, ``dy/dx1`` and ``g_x1 = -2.14112``.

    Examples
    --------
    >>> import adviz
    >>> [(a.plain(), b.plain()) for a, b in final_texts(adviz.trace("x * x", x=3))]
    [('dy/dx', 'g_x = 6')]
    """
    return [(text(Partial(trace.output, name)),
             text(Grad(name), Op(" = "), Num(g, key=num_key("adjoint", name))))
            for name, g in trace.grad.items()]


def rows(trace: Trace) -> list[Row]:
    """The walkthrough's rows: forward stages, then reverse stages."""
    program = trace.program
    nodes = program.nodes
    result = []
    tokens = iter(text_rows(trace))
    for stage in trace.forward_stages:
        if stage.node is None:
            for name in stage.nodes:
                row = next(tokens)
                value = format_number(nodes[program.index[name]].value)
                result.append(Row("forward", 0, row.step.plain(), (row.updates[0].plain(),),
                                  (f"{latex_name(name)} = {value}",)))
        else:
            row = next(tokens)
            i = program.index[stage.node]
            value = format_number(nodes[i].value)
            result.append(Row("forward", stage.index, row.step.plain(),
                              (row.updates[0].plain(),),
                              (f"{latex_name(stage.node)} = {program.expr(i, latex=True)} = "
                               f"{value}",)))
    edges = {
        (nodes[e.parent].id, nodes[e.child].id): e
        for i in range(len(nodes))
        for e in program.edges_into(i)
    }
    for stage in trace.reverse_stages:
        row = next(tokens)
        step, updates = row.step.plain(), tuple(u.plain() for u in row.updates)
        if stage.index == 0:
            out = latex_name(stage.node or "")
            result.append(Row("reverse", 0, step, updates, (f"g_{{{out}}} = 1",)))
            continue
        latexes = []
        for c in stage.contributions:
            p, ch = latex_name(c.parent), latex_name(c.child)
            partial = edges[(c.parent, c.child)].partial_latex
            latexes.append(
                f"g_{{{p}}} \\mathrel{{+}}= g_{{{ch}}} \\cdot \\frac{{\\partial {ch}}}"
                f"{{\\partial {p}}} = {format_number(c.upstream)} \\cdot {_wrap(partial, c)} = "
                f"{format_number(c.delta)}"
            )
        result.append(Row("reverse", stage.index, step, updates, tuple(latexes)))
    return result


def walkthrough(trace: Trace, fmt: str = "text", *, analytic: bool = False,
                mode: str = "reverse", seed: Seed = None) -> str:
    """The seed page's walkthrough for a trace, or its forward-mode trace table.

    Parameters
    ----------
    trace
        A `Trace`.
    fmt
        ``"text"``, ``"markdown"``, ``"latex"`` or ``"html"``.
    analytic
        Append the analytic gradient derived with SymPy beside the
        reverse-mode numbers (needs ``pip install 'adviz[symbolic]'``).
    mode
        ``"reverse"`` (the seed page's rows), ``"forward"`` (one row per node:
        primal and tangent) or ``"both"`` (primal, tangent and adjoint: the
        three-column trace table of the textbooks).
    seed
        The tangent seed of ``"forward"`` and ``"both"``, as `adviz.forward_mode`
        takes it (default: the first input's unit vector).

    Returns
    -------
    str
        ``"reverse"``: forward values, the reverse accumulation rows in stage
        order and the final gradients (a trace with several outputs: one such
        table per output, its reverse sweep; `adviz.core.sweep.output_sweep`
        gives one output's alone); otherwise the trace table, its seed and
        the directional derivative (and, for ``"both"``, the gradient); escaped
        for ``fmt``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("log(x1) + x1*x2 - sin(x2)", x1=2, x2=5)
    >>> table = adviz.walkthrough(t, mode="forward").splitlines()
    >>> print(table[1])
    Tangent seed: x1_dot = 1, x2_dot = 0
    >>> print(table[8].split(" | ")[0].rstrip())
    t3 = t1 + t2 = 10.69315
    >>> print(table[8].split(" | ")[1])
    t3_dot = t1_dot * dt3/dt1 + t2_dot * dt3/dt2 = 0.5 * 1 + 5 * 1 = 5.5
    >>> print(table[-1])
    Directional derivative: y_dot = dy/dx1 = 5.5
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown walkthrough format {fmt!r}; use one of {', '.join(FORMATS)}")
    if mode not in MODES:
        raise InputError(f"unknown walkthrough mode {mode!r}; use one of {', '.join(MODES)}")
    if getattr(trace, "vector", False) and (mode != "reverse" or analytic):
        one_output(trace, f"the {mode} walkthrough" + (" with analytic=True" if analytic else ""))
    if getattr(trace, "vector", False) and getattr(trace, "base", None) is None:
        # several outputs: one table per output's reverse sweep (adviz.core.sweep)
        from adviz.core.sweep import sweeps

        return "\n".join(walkthrough(s, fmt, seed=seed) for s in sweeps(trace))
    if mode != "reverse":
        body = trace_table(trace, fmt, mode=mode, seed=seed)
        return body + _analytic(trace, fmt) if analytic else body
    if seed is not None:
        raise InputError("seed= sets the tangents of mode='forward' or mode='both'; the "
                         "reverse walkthrough has none: leave seed out or pass a mode")
    output = trace.output
    finals = [(name, format_number(g)) for name, g in trace.grad.items()]
    title = title_text(trace).plain()
    if fmt == "html":  # from the rows' tokens: the plain and LaTeX `rows` are not needed
        body = _html(title_text(trace), text_rows(trace), final_texts(trace))
    elif fmt == "text":
        lines = [(a.plain(), b.plain()) for a, b in final_texts(trace)]
        body = _text(title, rows(trace), lines)
    else:
        body = (_markdown if fmt == "markdown" else _latex)(title, rows(trace), output, finals)
    return body + _analytic(trace, fmt) if analytic else body


def _analytic(trace: Trace, fmt: str) -> str:
    from adviz.core.symbolic import symbolic_gradient

    out = trace.output
    grads = symbolic_gradient(trace).values()

    def value(g: object) -> str:
        v = getattr(g, "value", None)
        return "?" if v is None else format_number(v)

    if fmt == "text":
        lines = ["", "Analytic gradient (derived from the graph with SymPy):"]
        lines += [f"  d{out}/d{g.input} = {g.text} = {value(g)}   "
                  f"(reverse mode: {format_number(g.reverse)})" for g in grads]
        return "\n".join(lines) + "\n"
    if fmt == "markdown":
        lines = ["", "| input | analytic gradient | value | reverse mode |", "|---|---|---:|---:|"]
        lines += [f"| {_md(g.input)} | {_md(g.text)} | {value(g)} | {format_number(g.reverse)} |"
                  for g in grads]
        return "\n".join(lines) + "\n"
    if fmt == "latex":
        lines = [r"\begin{tabular}{ll}", r"\multicolumn{2}{l}{Analytic gradient} \\ \hline"]
        lines += [f"$\\frac{{\\partial {latex_name(out)}}}{{\\partial {latex_name(g.input)}}}$ & "
                  f"${g.latex} = {value(g)}$ (reverse mode ${format_number(g.reverse)}$) \\\\"
                  for g in grads]
        lines.append(r"\end{tabular}")
        return "\n".join(lines) + "\n"
    esc = html.escape
    lines = ['<table class="adviz-analytic"><caption>Analytic gradient</caption>']
    lines += [f"<tr><td>{esc(f'd{out}/d{g.input}')}</td><td>{esc(g.text)}</td>"
              f"<td>{value(g)}</td><td>{format_number(g.reverse)}</td></tr>" for g in grads]
    lines.append("</table>")
    return "\n".join(lines) + "\n"


def _text(title: str, table: list[Row], finals: list[tuple[str, str]]) -> str:
    lines = [title, "", "Forward values:"]
    for row in table:
        if row.phase == "forward":
            lines.append(f"  {row.updates[0]}")
    lines += ["", "Reverse accumulation:"]
    for row in table:
        if row.phase == "reverse":
            lines.append(f"  {row.step}: {', '.join(row.updates)}")
    lines += ["", "Final gradients:"]
    lines += [f"  {name} = {value}" for name, value in finals]
    return "\n".join(lines) + "\n"


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|~"} | {
    "<": "&lt;", ">": "&gt;", "&": "&amp;"})


def _md(text: str) -> str:
    r"""Escape Markdown syntax; line breaks and other control characters become spaces.

    Examples
    --------
    >>> print(_md("(x\n# heading | *y*)"))
    (x # heading \| \*y\*)
    """
    flat = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return flat.translate(_MD_SPECIAL)


def _markdown(title: str, table: list[Row], output: str, finals: list[tuple[str, str]]) -> str:
    lines = [f"**{_md(title)}**", "", "| stage | forward values |", "|---:|---|"]
    lines += [f"| {r.stage} | {_md(r.updates[0])} |" for r in table if r.phase == "forward"]
    lines += ["", "| stage | reverse accumulation | updates |", "|---:|---|---|"]
    lines += [
        f"| {r.stage} | {_md(r.step)} | {'<br>'.join(_md(u) for u in r.updates)} |"
        for r in table if r.phase == "reverse"
    ]
    lines += ["", "| input | gradient |", "|---|---:|"]
    lines += [f"| {_md(f'd{output}/d{n} = g_{n}')} | {v} |" for n, v in finals]
    return "\n".join(lines) + "\n"


def _latex(title: str, table: list[Row], output: str, finals: list[tuple[str, str]]) -> str:
    lines = [
        f"% {escape_latex(title)}".replace("\n", " "),
        r"\begin{tabular}{rl}",
        r"\multicolumn{2}{l}{Forward values} \\ \hline",
    ]
    lines += [f"{r.stage} & ${r.updates_latex[0]}$ \\\\" for r in table if r.phase == "forward"]
    lines += [r"\multicolumn{2}{l}{Reverse accumulation} \\ \hline"]
    for r in table:
        if r.phase == "reverse":
            body = r" \\ & ".join(f"${u}$" for u in r.updates_latex)
            lines.append(f"{r.stage} & {escape_latex(r.step)}: \\\\ & {body} \\\\")
    lines += [r"\multicolumn{2}{l}{Final gradients} \\ \hline"]
    out = latex_name(output)
    lines += [
        f"& $\\frac{{\\partial {out}}}{{\\partial {latex_name(n)}}} = g_{{{latex_name(n)}}} "
        f"= {v}$ \\\\"
        for n, v in finals
    ]
    lines.append(r"\end{tabular}")
    return "\n".join(lines) + "\n"


def _html(title: Text, table: list[TextRow], finals: list[tuple[Text, Text]]) -> str:
    """The walkthrough as an HTML table whose formulas are MathML (`Text.mathml`)."""
    lines = [f'<table class="adviz-walkthrough"><caption>{title.mathml()}</caption>',
             '<tbody class="adviz-forward">']
    lines += [
        f'<tr data-phase="forward" data-stage="{r.stage}"><td>{r.stage}</td>'
        f"<td>{r.step.mathml()}</td><td>{r.updates[0].mathml()}</td></tr>"
        for r in table if r.phase == "forward"
    ]
    lines.append('</tbody><tbody class="adviz-reverse">')
    lines += [
        f'<tr data-phase="reverse" data-stage="{r.stage}"><td>{r.stage}</td>'
        f"<td>{r.step.mathml()}</td><td>{'<br>'.join(u.mathml() for u in r.updates)}</td></tr>"
        for r in table if r.phase == "reverse"
    ]
    lines.append('</tbody><tbody class="adviz-final">')
    lines += [
        f"<tr><td></td><td>{name.mathml()}</td><td>{value.mathml()}</td></tr>"
        for name, value in finals
    ]
    lines.append("</tbody></table>")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ trace tables


@dataclass(frozen=True)
class TraceRow:
    """One node's row of a trace table, as tokens: primal, tangent and adjoint."""

    node: str
    primal: Text
    tangent: Text
    adjoint: Text


def _sum(terms: list[tuple[Token, Token, float, Token]]
         ) -> tuple[list[Token | str], list[Token | str]]:
    """``a · ∂c/∂p + ...`` and ``1 · (2 t1) + ...``: the symbols and numbers of a sum of
    products, negative numbers after the first term in parentheses."""
    symbols: list[Token | str] = []
    numbers: list[Token | str] = []
    for k, (factor, partial, number, formula) in enumerate(terms):
        if k:
            symbols.append(Op(" + "))
            numbers.append(Op(" + "))
        symbols += [factor, Op(" · "), partial]
        numbers += [Num(number, parens=k > 0), Op(" · "), formula]
    return symbols, numbers


def _factor(trace: Trace, parent: str, child: str) -> Token:
    expr = trace.graph.edges[parent, child]["partial_expr"]
    return partial_factor(trace, parent, child, parenthesize(_PRODUCT.sub(" ", expr)))


def trace_rows(trace: Trace, sweep: ForwardSweep) -> list[TraceRow]:
    """The rows of the trace table, one per node in evaluation order, as tokens.

    The primal cell evaluates the node, the tangent cell sums ``p_dot · ∂c/∂p``
    over the node's parents (forward mode, top down), the adjoint cell sums
    ``g_c · ∂c/∂p`` over its children (reverse mode, bottom up).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> row = trace_rows(t, adviz.forward_mode(t, "x2"))[0]
    >>> row.primal.plain(), row.tangent.plain()
    ('x1 = 1', 'x1_dot = 0')
    >>> row.adjoint.plain()
    'g_x1 = g_t1 * dt1/dx1 + g_t3 * dt3/dx1 = -2 * 1 + (-0.14112) * 1 = -2.14112'
    """
    program = trace.program
    nodes = program.nodes
    adjoints = trace.adjoints
    output = trace.output
    by_child: dict[str, list[TangentTerm]] = {}
    for term in sweep.terms:
        by_child.setdefault(term.child, []).append(term)
    result = []
    for i, node in enumerate(nodes):
        n = node.id
        value = Num(node.value, key=num_key("value", n))
        if node.kind == "op":
            primal = node_formula_text(trace, n) + text(Op(" = "), value)
        else:
            primal = text(Name(n), Op(" = "), value)
        tangent_value = Num(sweep.tangents[n], key=num_key("tangent", n))
        terms = by_child.get(n, [])
        if terms:
            symbols, numbers = _sum([
                (Tangent(t.parent), Partial(n, t.parent),
                 t.tangent, _factor(trace, t.parent, n)) for t in terms])
            tangent = text(Tangent(n), Op(" = "), *symbols, Op(" = "), *numbers,
                           Op(" = "), tangent_value)
        else:
            tangent = text(Tangent(n), Op(" = "), tangent_value)
        adjoint_value = Num(adjoints.get(n, 0.0), key=num_key("adjoint", n))
        children = [nodes[c].id for c in program.children[i]]
        if n == output or not children:
            adjoint = text(Grad(n), Op(" = "), adjoint_value)
        else:
            symbols, numbers = _sum([
                (Grad(c), Partial(c, n), adjoints.get(c, 0.0), _factor(trace, n, c))
                for c in children])
            adjoint = text(Grad(n), Op(" = "), *symbols, Op(" = "), *numbers, Op(" = "),
                           adjoint_value)
        result.append(TraceRow(n, primal, tangent, adjoint))
    return result


def seed_text(sweep: ForwardSweep) -> Text:
    """The seed line of a trace table: ``Tangent seed: x1_dot = 1, x2_dot = 0``.

    Examples
    --------
    >>> import adviz
    >>> seed_text(adviz.forward_mode(adviz.trace("a * b", a=1, b=2), "b")).plain()
    'Tangent seed: a_dot = 0, b_dot = 1'
    """
    parts: list[Token | str] = ["Tangent seed: "]
    for k, (name, value) in enumerate(sweep.seed.items()):
        parts += [", "] if k else []
        parts += [Tangent(name), Op(" = "), Num(value, key=num_key("tangent", name))]
    return text(*parts)


def derivative_text(sweep: ForwardSweep) -> Text:
    """The output's tangent (every output's, with several): ``Directional derivative: y_dot =
    dy/dx1 = -2.14112`` (the partial is named when the seed is one input's unit vector).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("a * b", a=1, b=2)
    >>> derivative_text(adviz.forward_mode(t, {"a": 1, "b": 1})).plain()
    'Directional derivative: y_dot = 3'
    >>> v = adviz.trace(lambda a, b: (a * b, a + b), a=1, b=2)
    >>> derivative_text(adviz.forward_mode(v, "b")).plain()
    'Directional derivatives: y1_dot = dy1/db = 1, y2_dot = dy2/db = 1'
    """
    outputs = dict(sweep.derivatives) or {sweep.output: sweep.derivative}
    parts: list[Token | str] = [f"Directional derivative{'s' if len(outputs) > 1 else ''}: "]
    seeded = sweep.seeded
    for k, (out, value) in enumerate(outputs.items()):
        parts += [", "] if k else []
        parts += [Tangent(out), Op(" = ")]
        if len(seeded) == 1 and sweep.seed[seeded[0]] == 1.0:
            parts += [Partial(out, seeded[0]), Op(" = ")]
        parts.append(Num(value, key=num_key("tangent", out)))
    return text(*parts)


def gradient_text(trace: Trace) -> Text:
    """The gradient line of a trace table: ``Gradient (one reverse sweep): g_x1 = ...``.

    Examples
    --------
    >>> import adviz
    >>> gradient_text(adviz.trace("a * b", a=1, b=2)).plain()
    'Gradient (one reverse sweep): g_a = 2, g_b = 1'
    """
    parts: list[Token | str] = ["Gradient (one reverse sweep): "]
    for k, (name, g) in enumerate(trace.grad.items()):
        parts += [", "] if k else []
        parts += [Grad(name), Op(" = "), Num(g, key=num_key("adjoint", name))]
    return text(*parts)


def trace_table(trace: Trace, fmt: str = "text", *, mode: str = "both",
                seed: Seed = None) -> str:
    """The forward-mode trace table: primal and tangent columns, and with ``mode="both"``
    the adjoint column (see `walkthrough`, which calls it for those modes).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> print(trace_table(t, "markdown"))
    **y = x \\* x at x = 3**
    <BLANKLINE>
    Tangent seed: x\\_dot = 1
    <BLANKLINE>
    | primal (top down) | tangent (top down) | adjoint (bottom up) |
    |---|---|---|
    | x = 3 | x\\_dot = 1 | g\\_x = g\\_y \\* dy/dx = 1 \\* (2 x) = 6 |
    | y = x\\*x = 9 | y\\_dot = x\\_dot \\* dy/dx = 1 \\* (2 x) = 6 | g\\_y = 1 |
    <BLANKLINE>
    Directional derivative: y\\_dot = dy/dx = 6
    <BLANKLINE>
    Gradient (one reverse sweep): g\\_x = 6
    <BLANKLINE>
    """
    from adviz.core.forward import forward_mode

    if fmt not in FORMATS:
        raise InputError(f"unknown walkthrough format {fmt!r}; use one of {', '.join(FORMATS)}")
    if mode not in ("forward", "both"):
        raise InputError(f"a trace table's mode is 'forward' or 'both', not {mode!r}")
    sweep = forward_mode(trace, seed)
    table = trace_rows(trace, sweep)
    head = [text("primal (top down)"), text("tangent (top down)")]
    rows = [[r.primal, r.tangent] for r in table]
    notes = [derivative_text(sweep)]
    if mode == "both":
        head.append(text("adjoint (bottom up)"))
        for cells, r in zip(rows, table):
            cells.append(r.adjoint)
        notes.append(gradient_text(trace))
    title = title_text(trace)
    lead = seed_text(sweep)
    if fmt == "text":
        return _table_text(title, lead, head, rows, notes)
    if fmt == "markdown":
        return _table_markdown(title, lead, head, rows, notes)
    if fmt == "latex":
        return _table_latex(title, lead, head, rows, notes)
    return _table_html(title, lead, head, rows, notes)


def _table_text(title: Text, lead: Text, head: list[Text], rows: list[list[Text]],
                notes: list[Text]) -> str:
    grid = [[c.plain() for c in row] for row in [head, *rows]]
    widths = [max(len(row[k]) for row in grid) for k in range(len(head) - 1)]
    lines = [title.plain(), lead.plain(), ""]
    for row in grid:
        cells = [c.ljust(w) for c, w in zip(row, widths)] + [row[-1]]
        lines.append(" | ".join(cells).rstrip())
    lines += [""] + [n.plain() for n in notes]
    return "\n".join(lines) + "\n"


def _table_markdown(title: Text, lead: Text, head: list[Text], rows: list[list[Text]],
                    notes: list[Text]) -> str:
    def line(cells: list[Text]) -> str:
        return "| " + " | ".join(_md(c.plain()) for c in cells) + " |"

    lines = [f"**{_md(title.plain())}**", "", _md(lead.plain()), "", line(head),
             "|" + "---|" * len(head)]
    lines += [line(row) for row in rows]
    for note in notes:
        lines += ["", _md(note.plain())]
    return "\n".join(lines) + "\n"


def _table_latex(title: Text, lead: Text, head: list[Text], rows: list[list[Text]],
                 notes: list[Text]) -> str:
    span = f"\\multicolumn{{{len(head)}}}{{l}}"
    lines = [f"% {escape_latex(title.plain())}".replace("\n", " "),
             f"\\begin{{tabular}}{{{'l' * len(head)}}}",
             f"{span}{{{lead.latex()}}} \\\\",
             " & ".join(h.latex() for h in head) + " \\\\ \\hline"]
    lines += [" & ".join(c.latex() for c in row) + " \\\\" for row in rows]
    lines.append("\\hline")
    lines += [f"{span}{{{n.latex()}}} \\\\" for n in notes]
    lines.append("\\end{tabular}")
    return "\n".join(lines) + "\n"


def _table_html(title: Text, lead: Text, head: list[Text], rows: list[list[Text]],
                notes: list[Text]) -> str:
    esc = html.escape
    span = len(head)
    lines = [f'<table class="adviz-walkthrough adviz-trace-table"><caption>'
             f"{esc(title.plain())}</caption>",
             f'<thead><tr><td colspan="{span}">{lead.mathml()}</td></tr>',
             "<tr>" + "".join(f"<th>{esc(h.plain())}</th>" for h in head) + "</tr></thead>",
             "<tbody>"]
    lines += ["<tr>" + "".join(f"<td>{c.mathml()}</td>" for c in row) + "</tr>"
              for row in rows]
    lines.append("</tbody><tfoot>")
    lines += [f'<tr><td colspan="{span}">{n.mathml()}</td></tr>' for n in notes]
    lines.append("</tfoot></table>")
    return "\n".join(lines) + "\n"
