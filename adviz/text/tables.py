"""The walkthrough: forward values, reverse accumulation rows and final gradients.

The rows follow the seed page ("Process parents of t2, i.e. t1: g_t1 += ...").
One row model, four formats: plain text, Markdown, LaTeX and HTML, each
escaped for its format. The rows, the title and the final gradients are
tokens (`text_rows`, `title_text`, `final_texts`; `adviz.text.tokens.Text`)
whose plain form is what the text and HTML formats show, so a page can take
them as templates and fill in the numbers of another point.

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
from adviz.errors import InputError
from adviz.formatting import (
    escape_latex,
    format_number,
    is_atomic,
    latex_name,
    parenthesize,
)
from adviz.text.labels import seed_contribution_text, stage_caption_text
from adviz.text.tokens import Grad, Name, Num, Op, Partial, Text, num_key, text

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

FORMATS = ("text", "markdown", "latex", "html")


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


def _names(ids: tuple[str, ...]) -> str:
    return ids[0] if len(ids) == 1 else "(" + ", ".join(ids) + ")"


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
                    Name(name, False), Op(" = "), Num(node.value, key=num_key("value", name))),)))
        else:
            result.append(TextRow("forward", stage.index, text("Evaluate"),
                                  (stage_caption_text(trace, "forward", stage.index),)))
    for stage in trace.reverse_stages:
        if stage.index == 0:
            result.append(TextRow("reverse", 0, text("Initialise"),
                                  (stage_caption_text(trace, "reverse", 0),)))
            continue
        parents = tuple(c.parent for c in stage.contributions)
        step = f"Process parents of {stage.node}, i.e. {_names(parents)}"
        if trace.granularity == "edge":
            step = f"Process parent {parents[0]} of {stage.node}"
        updates = tuple(
            seed_contribution_text(trace, c, parenthesize(_PRODUCT.sub(" ", c.partial_expr)))
            for c in stage.contributions)
        result.append(TextRow("reverse", stage.index, text(step), updates))
    return result


def title_text(trace: Trace) -> Text:
    """The walkthrough's title as tokens: ``y = <formula> at x1 = 1, x2 = 2``.

    Examples
    --------
    >>> import adviz
    >>> title_text(adviz.trace("x * x", x=3)).plain()
    'y = x * x at x = 3'
    """
    what = trace.expression or getattr(trace.function, "__name__", "f")
    return text(f"{trace.output} = {what} at ") + point_text(trace)


def point_text(trace: Trace) -> Text:
    """The traced point as tokens: ``x1 = 1, x2 = 2``.

    Examples
    --------
    >>> import adviz
    >>> point_text(adviz.trace("x1 - x2", x1=1, x2=0.5)).plain()
    'x1 = 1, x2 = 0.5'
    """
    parts: list[Name | Op | Num | str] = []
    for k, (name, value) in enumerate(trace.inputs.items()):
        parts += [", "] if k else []
        parts += [Name(name, False), Op(" = "), Num(value, key=num_key("value", name))]
    return text(*parts)


def final_texts(trace: Trace) -> list[tuple[Text, Text]]:
    """The final gradients as tokens: per input, ``dy/dx1`` and ``g_x1 = -2.14112``.

    Examples
    --------
    >>> import adviz
    >>> [(a.plain(), b.plain()) for a, b in final_texts(adviz.trace("x * x", x=3))]
    [('dy/dx', 'g_x = 6')]
    """
    return [(text(Partial(trace.output, name, subscripts=False)),
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


def walkthrough(trace: Trace, fmt: str = "text", *, analytic: bool = False) -> str:
    """The seed page's walkthrough for a trace.

    Parameters
    ----------
    trace
        A `Trace`.
    fmt
        ``"text"``, ``"markdown"``, ``"latex"`` or ``"html"``.
    analytic
        Append the analytic gradient derived with SymPy beside the
        reverse-mode numbers (needs ``pip install 'adviz[symbolic]'``).

    Returns
    -------
    str
        Forward values, the reverse accumulation rows in stage order and the
        final gradients, escaped for ``fmt``.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown walkthrough format {fmt!r}; use one of {', '.join(FORMATS)}")
    table = rows(trace)
    output = trace.output
    finals = [(name, format_number(g)) for name, g in trace.grad.items()]
    title = title_text(trace).plain()
    if fmt in ("text", "html"):
        lines = [(a.plain(), b.plain()) for a, b in final_texts(trace)]
        body = (_text if fmt == "text" else _html)(title, table, lines)
    else:
        body = (_markdown if fmt == "markdown" else _latex)(title, table, output, finals)
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


def _html(title: str, table: list[Row], finals: list[tuple[str, str]]) -> str:
    esc = html.escape
    lines = [f'<table class="adviz-walkthrough"><caption>{esc(title)}</caption>',
             '<tbody class="adviz-forward">']
    lines += [
        f'<tr data-phase="forward" data-stage="{r.stage}"><td>{r.stage}</td>'
        f"<td>{esc(r.step)}</td><td>{esc(r.updates[0])}</td></tr>"
        for r in table if r.phase == "forward"
    ]
    lines.append('</tbody><tbody class="adviz-reverse">')
    lines += [
        f'<tr data-phase="reverse" data-stage="{r.stage}"><td>{r.stage}</td>'
        f"<td>{esc(r.step)}</td><td>{'<br>'.join(esc(u) for u in r.updates)}</td></tr>"
        for r in table if r.phase == "reverse"
    ]
    lines.append('</tbody><tbody class="adviz-final">')
    lines += [
        f"<tr><td></td><td>{esc(name)}</td><td>{esc(value)}</td></tr>" for name, value in finals
    ]
    lines.append("</tbody></table>")
    return "\n".join(lines) + "\n"
