"""The text a frame shows, shared by every renderer, and how wide it is.

Names get unicode subscripts (``t1`` -> ``t₁``, ``alpha2`` -> ``α₂``),
formulas get mathematical operators (``x1 - x2`` -> ``x₁ − x₂``, ``t1**2`` ->
``t₁²``, ``2*t1`` -> ``2t₁``, other products with ``·``), numbers get the
unicode minus sign. Node names are free text: formulas are rebuilt from the
op table with a placeholder per argument, so only the op's own operators are
rewritten, never characters of a name.

`text_width` estimates the width of a string from DejaVu Sans advance widths
(wider than Helvetica, so labels fit whichever of the two draws them);
`reserved_node_lines` and `reserved_edge_lines` list the widest text any
frame shows, for the layout.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> node_formula(t, "t1"), node_formula(t, "t2"), node_formula(t, "t4")
('t₁ = x₁ − x₂', 't₂ = t₁²', 't₄ = cos(t₃)')
>>> partial_label(t, "t1", "t2")
'∂t₂/∂t₁ = 2t₁ = −2'
>>> contribution_label(t, t.reverse_stages[2].contributions[0])
'g_t₁ += 1 · (2t₁) = −2'
>>> stage_title(t, "reverse", 3)
'Stage 3 of 5 — process parents of t₄: g_t₃ += g_t₄ · ∂t₄/∂t₃ = −0.14112'
"""

from __future__ import annotations

import functools
import re
import unicodedata
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adviz.caching import per_trace
from adviz.errors import InputError
from adviz.formatting import format_constant, is_atomic, parenthesize
from adviz.scene.style import EDGE_SIZE, LINE_SIZE
from adviz.text.tokens import (
    DOT,
    MINUS,
    Formula,
    Grad,
    Name,
    Num,
    Op,
    Partial,
    Tangent,
    Text,
    num_key,
    pretty_name,
    pretty_number,
    text,
)

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, TangentTerm
    from adviz.core.program import Program
    from adviz.core.stages import Contribution
    from adviz.core.tracing import Trace

DASH = "\u2014"

# Placeholders for arguments while an op's template is rewritten (private use area).
_FIRST_TOKEN = 0xE000
_TOKEN = "[\ue000-\uf8ff]"
_NUMBER = r"(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"


def _pretty_operators(text: str, simple: Sequence[bool] = ()) -> str:
    """Rewrite the operators of a template filled with placeholders.

    ``simple[k]`` says whether argument ``k``'s name is a plain identifier,
    which a number may be written next to (``2t₁``) without a ``·``.
    """
    def power(match: re.Match[str]) -> str:
        exponent = match.group(1)
        return "²" if exponent == "2" else "^" + exponent

    def product(match: re.Match[str]) -> str:
        number, following = match.group(1), match.group(2)
        if following.isascii() or simple[ord(following) - _FIRST_TOKEN]:
            return number + following
        return match.group(0)

    text = re.sub(r"\*\*(\(-?" + _NUMBER + r"\)|" + _NUMBER + "|" + _TOKEN + r"|\([^()]*\))",
                  power, text)
    text = re.sub(r"(?<![\w.])(" + _NUMBER + r")\*(" + _TOKEN + r"|[A-Za-z(])", product, text)
    text = text.replace("*", DOT)
    return text.replace("-", MINUS)


def _atomic(text: str) -> bool:
    return is_atomic(re.sub(_TOKEN, "a", text))


def _const_text(value: float) -> str:
    text = format_constant(value)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class _Texts:
    """Display texts of one trace, computed once."""

    formula: dict[str, str]
    formula_plain: dict[str, str]
    partial: dict[tuple[str, str], tuple[str, bool]]


_CACHE: weakref.WeakKeyDictionary[Trace, _Texts] = weakref.WeakKeyDictionary()


def _render(
    program: Program,
    i: int,
    fill: Callable[[list[str]], str],
    name: Callable[[str], str],
) -> tuple[str, bool]:
    """Fill a template with placeholders, rewrite it, then put the names in."""
    node = program.nodes[i]
    args: list[str] = []
    names: list[str] = []
    for slot in node.slots:
        if type(slot) is int:
            args.append(chr(_FIRST_TOKEN + len(names)))
            names.append(name(program.nodes[slot].id))
        else:
            args.append(_const_text(slot))
    if len(names) > 0x18FF:  # more arguments than placeholders: no rewriting
        raise ValueError("too many arguments")
    raw = fill(args)
    atomic = _atomic(raw)
    text = _pretty_operators(raw, [bool(re.fullmatch(r"[^\W\d]\w*", n)) for n in names])
    text = re.sub(_TOKEN, lambda m: names[ord(m.group(0)) - _FIRST_TOKEN], text)
    return text, atomic


def _combine(texts: list[tuple[str, bool]], raw: list[str]) -> tuple[str, bool]:
    if len(texts) == 1:
        return texts[0]
    if all(t == raw[0] for t in raw):
        body = texts[0][0] if texts[0][1] else f"({texts[0][0]})"
        return f"{len(texts)}{body}" if body[:1].isalpha() or body[:1] == "(" else \
            f"{len(texts)}{DOT}{body}", False
    return " + ".join(t for t, _ in texts), False


def _texts(trace: Trace) -> _Texts:
    cached = _CACHE.get(trace)
    if cached is not None:
        return cached
    program = trace.program
    formula: dict[str, str] = {}
    formula_plain: dict[str, str] = {}
    partial: dict[tuple[str, str], tuple[str, bool]] = {}
    for i, node in enumerate(program.nodes):
        op = node.op
        if op is None:
            continue
        for style, target in ((pretty_name, formula), (str, formula_plain)):
            try:
                target[node.id] = _render(program, i, op.render, style)[0]
            except Exception:  # a custom template that cannot take placeholders
                target[node.id] = program.expr(i)
        for edge in program.edges_into(i):
            positions = [k for k, s in enumerate(node.slots) if type(s) is int and s == edge.parent]
            key = (program.nodes[edge.parent].id, node.id)
            try:
                parts = [_render(program, i, functools.partial(op.render_partial, k),
                                 pretty_name) for k in positions]
                raw = [_render(program, i, functools.partial(op.render_partial, k), str)[0]
                       for k in positions]
                partial[key] = _combine(parts, raw)
            except Exception:
                partial[key] = (edge.partial_expr, is_atomic(edge.partial_expr))
    texts = _Texts(formula, formula_plain, partial)
    _CACHE[trace] = texts
    return texts


def node_formula_text(trace: Trace, node: str, *, subscripts: bool = True) -> Text:
    """A node's name and formula as tokens (see `node_formula`)."""
    texts = _texts(trace)
    table = texts.formula if subscripts else texts.formula_plain
    name = Name(node, subscripts)
    program = trace.program
    record = program.nodes[program.index[node]]
    if node not in table:
        if record.kind == "const":
            return text(name, Op(" = "), Num(record.value, key=num_key("value", node)))
        return text(name)
    i = program.index[node]
    return text(name, Op(" = "), Formula(table[node], program.expr(i, latex=True),
                                         program.expr(i)))


def node_formula(trace: Trace, node: str, *, subscripts: bool = True) -> str:
    """A node's name and formula: ``"t₁ = x₁ − x₂"``; an input's name alone.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda x: 3 * x**3 - x / 2, x=1)
    >>> node_formula(t, "t1"), node_formula(t, "t2"), node_formula(t, "t3")
    ('t₁ = x^3', 't₂ = 3t₁', 't₃ = x/2')
    >>> node_formula(t, "x"), node_formula(t, "t1", subscripts=False)
    ('x', 't1 = x^3')
    """
    return node_formula_text(trace, node, subscripts=subscripts).unicode()


def _ids(*ids: str | None) -> tuple[str, ...]:
    return tuple(i for i in ids if i is not None)


def value_text(value: float, node: str | None = None) -> Text:
    """The value line of a node as tokens: ``= −1`` (its number keyed ``value:<node>``)."""
    return text(Op("= "), Num(value, key=num_key("value", *_ids(node))))


def value_line(value: float) -> str:
    """The value line of a node: ``"= −1"``.

    Examples
    --------
    >>> value_line(-1.0)
    '= −1'
    """
    return value_text(value).unicode()


def adjoint_text(adjoint: float, node: str | None = None) -> Text:
    """The adjoint line of a node as tokens: ``g = −2`` (its number keyed ``adjoint:<node>``)."""
    return text(Name("g"), Op(" = "), Num(adjoint, key=num_key("adjoint", *_ids(node))))


def adjoint_line(adjoint: float) -> str:
    """The adjoint line of a node: ``"g = −2"``.

    Examples
    --------
    >>> adjoint_line(-2.0)
    'g = −2'
    """
    return adjoint_text(adjoint).unicode()


def accumulation_texts(before: float, delta: float, after: float,
                       edge: tuple[str, str] | None = None) -> tuple[Text, Text]:
    """The two adjoint lines of a node receiving a further contribution, as tokens.

    The numbers are keyed ``before:``, ``delta:`` and ``after:``, followed by the
    contribution's edge when given.
    """
    ids = edge or ()
    return (text(Name("g"), Op(" = "), Num(before, key=num_key("before", *ids)), Op(" + "),
                 Num(delta, parens=True, key=num_key("delta", *ids))),
            text(Op("= "), Num(after, key=num_key("after", *ids))))


def accumulation_lines(before: float, delta: float, after: float) -> tuple[str, str]:
    """The two adjoint lines of a node receiving a further contribution.

    Examples
    --------
    >>> accumulation_lines(-2.0, -0.14112, -2.14112)
    ('g = −2 + (−0.14112)', '= −2.14112')
    >>> accumulation_lines(2.0, 1.0, 3.0)
    ('g = 2 + 1', '= 3')
    """
    first, second = accumulation_texts(before, delta, after)
    return first.unicode(), second.unicode()


def partial_formula(trace: Trace, parent: str, child: str) -> str:
    """The local partial d child / d parent as a formula: ``"2t₁"``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda x: x * x, x=3)
    >>> partial_formula(t, "x", "y")
    '2x'
    """
    return _texts(trace).partial[(parent, child)][0]


def _partial_token(trace: Trace, parent: str, child: str, atomic_parens: bool) -> Formula:
    formula, atomic = _texts(trace).partial[(parent, child)]
    data = trace.graph.edges[parent, child]
    tex, ascii_form = data["partial_latex"], data["partial_expr"]
    if atomic_parens and not atomic:
        formula = f"({formula})"
    if atomic_parens and not is_atomic(ascii_form):
        tex, ascii_form = f"({tex})", f"({ascii_form})"
    return Formula(formula, tex, ascii_form)


def partial_factor(trace: Trace, parent: str, child: str, partial_ascii: str) -> Formula:
    """An edge's local partial as a factor of a product, in parentheses unless atomic, with
    ``partial_ascii`` as its plain form (the seed page writes ``(2 t1)``).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> token = partial_factor(t, "t3", "t4", "(-sin(t3))")
    >>> token.unicode(), token.plain()
    ('(−sin(t₃))', '(-sin(t3))')
    """
    token = _partial_token(trace, parent, child, True)
    return Formula(token.text, token.tex, partial_ascii)


def partial_text(trace: Trace, parent: str, child: str) -> Text:
    """An edge's local partial as tokens (see `partial_label`)."""
    token = _partial_token(trace, parent, child, False)
    value = trace.graph.edges[parent, child]["partial"]
    head = text(Partial(child, parent), Op(" = "), token)
    if token.text == pretty_number(value):
        return head
    return head + text(Op(" = "), Num(value, key=num_key("partial", parent, child)))


def partial_label(trace: Trace, parent: str, child: str) -> str:
    """An edge's local partial, formula and value: ``"∂t₂/∂t₁ = 2t₁ = −2"``.

    The value is left out when the formula is that number already.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x1 - x2", x1=1, x2=2)
    >>> partial_label(t, "x2", "y")
    '∂y/∂x₂ = −1'
    """
    return partial_text(trace, parent, child).unicode()


def contribution_text(trace: Trace, contribution: Contribution) -> Text:
    """A contribution as an edge label, as tokens (see `contribution_label`)."""
    c = contribution
    return text(Grad(c.parent), Op(" += "),
                Num(c.upstream, parens="tex", key=num_key("upstream", c.parent, c.child)),
                Op(" · "), _partial_token(trace, c.parent, c.child, True), Op(" = "),
                Num(c.delta, key=num_key("delta", c.parent, c.child)))


def contribution_label(trace: Trace, contribution: Contribution) -> str:
    """A contribution as an edge label: ``"g_t1 += 1 · (2t₁) = −2"``."""
    return contribution_text(trace, contribution).unicode()


def _contribution_caption(c: Contribution) -> Text:
    """A contribution in a caption; where the parent accumulates, its running sum follows:
    ``g_x₁ += g_t₃ · ∂t₃/∂x₁ = −0.14112 → g_x₁ = −2 + (−0.14112) = −2.14112``."""
    edge = (c.parent, c.child)
    tokens: list[Any] = [Grad(c.parent), Op(" += "), Grad(c.child), Op(" · "),
                         Partial(c.child, c.parent), Op(" = "),
                         Num(c.delta, key=num_key("delta", *edge))]
    if c.accumulates:
        tokens += [Op(" → "), Grad(c.parent), Op(" = "),
                   Num(c.before, key=num_key("before", *edge)), Op(" + "),
                   Num(c.delta, parens=True, key=num_key("delta", *edge)), Op(" = "),
                   Num(c.after, key=num_key("after", *edge))]
    return text(*tokens)


def tangent_text(tangent: float, node: str) -> Text:
    """The tangent line of a node as tokens: ``ṫ₁ = 1`` (its number keyed ``tangent:<node>``).

    Examples
    --------
    >>> tangent_text(-2.0, "t2").unicode(), tangent_text(1.0, "x1").plain()
    ('ṫ₂ = −2', 'x1_dot = 1')
    """
    return text(Tangent(node), Op(" = "), Num(tangent, key=num_key("tangent", node)))


def product_text(trace: Trace, term: TangentTerm) -> Text:
    """The product an edge adds to its child's tangent in forward mode, as tokens:
    ``ṫ₂ += 1 · (2t₁) = −2``, the parent's tangent times the edge's partial (the
    mirror of a reverse-mode contribution; numbers keyed ``tangent:`` and ``product:``).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> product_text(t, adviz.forward_mode(t).terms[2]).unicode()
    'ṫ₂ += 1 · (2t₁) = −2'
    """
    edge = (term.parent, term.child)
    return text(Tangent(term.child), Op(" += "),
                Num(term.tangent, parens="tex", key=num_key("tangent", term.parent)),
                Op(" · "), _partial_token(trace, term.parent, term.child, True), Op(" = "),
                Num(term.product, key=num_key("product", *edge)))


SEED_LISTED = 4
"""Seeds of traces with more inputs than this name only the seeded inputs in captions."""


def seed_caption_text(sweep: ForwardSweep) -> Text:
    """Which input a forward-mode sweep seeds, as tokens: ``forward mode, seed ẋ₁ = 1, ẋ₂ = 0``.

    With more than `SEED_LISTED` inputs only the inputs seeded with a
    non-zero tangent are named, then ``(others 0)``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> seed_caption_text(adviz.forward_mode(t, "x2")).unicode()
    'forward mode, seed ẋ₁ = 0, ẋ₂ = 1'
    """
    items = list(sweep.seed.items())
    others = len(items) > SEED_LISTED
    if others:
        items = [(n, v) for n, v in items if v != 0.0]
    parts: list[Any] = ["forward mode, seed "]
    for k, (name, value) in enumerate(items):
        parts += [", "] if k else []
        parts += [Tangent(name), Op(" = "), Num(value, key=num_key("tangent", name))]
    if others:
        parts.append(" (others 0)" if items else "0 everywhere")
    return text(*parts)


def tangent_stage_text(trace: Trace, sweep: ForwardSweep, index: int) -> Text:
    """The caption of a forward-mode (tangent) frame as tokens: the seed, then the stage's sum.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> sweep = adviz.forward_mode(t, "x1")
    >>> tangent_stage_text(t, sweep, 0).unicode()
    'Stage 0 of 5 — forward mode, seed ẋ₁ = 1, ẋ₂ = 0'
    >>> print(tangent_stage_text(t, sweep, 1).unicode())  # doctest: +NORMALIZE_WHITESPACE
    Stage 1 of 5 — forward mode, seed ẋ₁ = 1, ẋ₂ = 0:
    ṫ₁ = ẋ₁ · ∂t₁/∂x₁ + ẋ₂ · ∂t₁/∂x₂ = 1 · 1 + 0 · (−1) = 1
    """
    stages = sweep.stages
    stage = stages[index]
    head = text(f"Stage {stage.index} of {len(stages) - 1} {DASH} ") + seed_caption_text(sweep)
    if stage.node is None:
        return head
    node = stage.node
    value = Num(sweep.tangents[node], key=num_key("tangent", node))
    if not stage.contributions:
        return head + text(": ", Tangent(node), Op(" = "), value)
    symbols: list[Any] = []
    numbers: list[Any] = []
    for k, term in enumerate(stage.contributions):
        if k:
            symbols.append(Op(" + "))
            numbers.append(Op(" + "))
        symbols += [Tangent(term.parent), Op(" · "), Partial(node, term.parent)]
        numbers += [Num(term.tangent, parens=k > 0, key=num_key("tangent", term.parent)),
                    Op(" · "), Num(term.partial, parens=True,
                                   key=num_key("partial", term.parent, node))]
    return head + text(": ", Tangent(node), Op(" = "), *symbols, Op(" = "), *numbers, Op(" = "),
                       value)


def tangent_stage_title(trace: Trace, sweep: ForwardSweep, index: int) -> str:
    """The caption of a forward-mode frame (see `tangent_stage_text`; cached per sweep and
    stage)."""
    per_trace = _TANGENT_TITLES.setdefault(trace, {})
    entry = per_trace.get(id(sweep))
    if entry is None or entry[0] is not sweep:  # the sweep is held: its id stays its own
        entry = per_trace[id(sweep)] = (sweep, {})
    titles = entry[1]
    if index not in titles:
        titles[index] = tangent_stage_text(trace, sweep, index).unicode()
    return titles[index]


_TANGENT_TITLES: weakref.WeakKeyDictionary[
    Trace, dict[int, tuple[ForwardSweep, dict[int, str]]]] = weakref.WeakKeyDictionary()


RESERVED_SWEEPS = 20_000
"""Room is reserved for the forward-mode sweep of every input's unit seed while inputs times
edges stay within this many; beyond, for the first input's sweep only (the default seed)."""


@per_trace
def reserved_sweeps(trace: Trace) -> list[ForwardSweep]:
    """The forward-mode sweeps whose text the layout reserves room for (cached per trace).

    One per input, each seeded with that input alone, when the trace is small
    enough (`RESERVED_SWEEPS`); else the default seed's only.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [dict(s.seed) for s in reserved_sweeps(t)]
    [{'x1': 1.0, 'x2': 0.0}, {'x1': 0.0, 'x2': 1.0}]
    """
    from adviz.core.forward import forward_mode

    inputs = list(trace.graph.graph["inputs"])
    try:
        if len(inputs) * max(trace.graph.number_of_edges(), 1) > RESERVED_SWEEPS:
            inputs = inputs[:1]
        sweeps = [forward_mode(trace, name) for name in inputs]
    except InputError:  # a trace of tensors has no forward mode
        sweeps = []
    return sweeps


def stage_text(trace: Trace, phase: str, index: int) -> Text:
    r"""The caption of a frame as tokens (see `stage_title`); built here, once, for every notation.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> print(stage_text(t, "reverse", 3).latex())  # doctest: +NORMALIZE_WHITESPACE
    Stage 3 of 5 --- process parents of $t_{4}$:
    $g_{t_{3}} \mathrel{+}= g_{t_{4}} \cdot \partial t_{4}/\partial t_{3} = -0.14112$
    """
    key = (phase, 0 if phase == "summary" else index)
    cached = _STAGE_TEXTS.setdefault(trace, {})
    if key not in cached:
        cached[key] = _stage_text(trace, phase, index)
    return cached[key]


_STAGE_TEXTS: weakref.WeakKeyDictionary[Trace, dict[tuple[str, int], Text]] = \
    weakref.WeakKeyDictionary()
_STAGE_TITLES: weakref.WeakKeyDictionary[Trace, dict[tuple[str, int], str]] = \
    weakref.WeakKeyDictionary()


def _stage_text(trace: Trace, phase: str, index: int) -> Text:
    if phase == "summary":
        return summary_text(trace)
    if phase == "tangent":  # forward mode along the first input (`tangent_stage_text`)
        from adviz.core.forward import forward_mode

        return tangent_stage_text(trace, forward_mode(trace), index)
    stages = trace.stages(phase)
    stage = stages[index]
    head = f"Stage {stage.index} of {len(stages) - 1} {DASH} "
    program = trace.program
    if phase == "forward":
        if stage.node is None:
            parts: list[Any] = [f"{head}set the inputs: "]
            for k, n in enumerate(stage.nodes):
                if k:
                    parts.append(", ")
                parts += [Name(n), Op(" = "),
                          Num(program.nodes[program.index[n]].value, key=num_key("value", n))]
            return text(*parts)
        value = program.nodes[program.index[stage.node]].value
        return text(f"{head}evaluate ") + node_formula_text(trace, stage.node) + text(
            Op(" = "), Num(value, key=num_key("value", stage.node)))
    if getattr(trace, "vector", False):  # one output's sweep of several: say which
        head = f"Reverse sweep for {trace.output}: {head}"
    if stage.index == 0:
        return text(f"{head}initialise ", Grad(str(stage.node)), Op(" = "),
                    Num(1.0, key=num_key("adjoint", str(stage.node))))
    lead = text(f"{head}process parents of ", Name(str(stage.node)), ": ")
    if not stage.contributions:
        return lead + text("none")
    tokens: list[Any] = list(lead.tokens)
    for k, c in enumerate(stage.contributions):
        tokens += ["; "] if k else []
        tokens += _contribution_caption(c).tokens
    note = order_note(trace, stage.index)
    return text(*tokens, *([note] if note else []))


def caption_text(trace: Trace, phase: str, index: int, sweep: ForwardSweep | None = None
                 ) -> Text:
    """The caption of a frame as tokens, forward-mode frames for ``sweep`` (default: the first
    input's): `tangent_stage_text` for ``"tangent"``, else `stage_text`.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> caption_text(t, "tangent", 0, adviz.forward_mode(t, "x2")).unicode()
    'Stage 0 of 5 — forward mode, seed ẋ₁ = 0, ẋ₂ = 1'
    """
    if phase == "tangent" and sweep is not None:
        return tangent_stage_text(trace, sweep, index)
    return stage_text(trace, phase, index)


def seed_contribution_text(trace: Trace, c: Contribution, partial_ascii: str) -> Text:
    """A contribution as the seed page's rows write it, as tokens:
    ``g_t1 += g_t2 * dt2/dt1 = 1 * (2*t1) = -2`` in plain text, with ``partial_ascii`` (the
    partial's formula, in parentheses unless atomic) as the plain form of the partial."""
    token = _partial_token(trace, c.parent, c.child, True)
    partial = Formula(token.text, token.tex, partial_ascii)
    if not isinstance(c.partial, (int, float)):  # a tensor edge: its vector-Jacobian product
        return text(Grad(c.parent), Op(" += "), partial, Op(" = "),
                    Num(c.delta, key=num_key("delta", c.parent, c.child)))
    return text(Grad(c.parent), Op(" += "), Grad(c.child), Op(" · "),
                Partial(c.child, c.parent), Op(" = "),
                Num(c.upstream, key=num_key("upstream", c.parent, c.child)), Op(" · "),
                partial, Op(" = "), Num(c.delta, key=num_key("delta", c.parent, c.child)))


def stage_caption_text(trace: Trace, phase: str, index: int) -> Text:
    """A stage's short caption, ``Stage.caption`` of `adviz.core.stages`, as tokens.

    Its plain form is that caption exactly; the keys of its numbers say which
    values and contributions it shows.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> stage_caption_text(t, "forward", 1).plain() == t.forward_stages[1].caption
    True
    >>> stage_caption_text(t, "reverse", 2).plain()
    'g_t1 += g_t2 * dt2/dt1 = 1 * (2*t1) = -2'
    """
    stage = trace.stages(phase)[index]
    program = trace.program
    if phase == "forward":
        if stage.node is None:
            parts: list[Any] = []
            for n in stage.nodes:
                value = program.nodes[program.index[n]].value
                parts += [", "] if parts else []
                parts += [Name(n), Op(" = "), Num(value, key=num_key("value", n))]
            return text(*parts)
        value = program.nodes[program.index[stage.node]].value
        return node_formula_text(trace, stage.node) + text(
            Op(" = "), Num(value, key=num_key("value", stage.node)))
    if stage.index == 0:
        return text(Grad(str(stage.node)), Op(" = "),
                    Num(1.0, key=num_key("adjoint", str(stage.node))))
    tokens: list[Any] = []
    for k, c in enumerate(stage.contributions):
        partial = parenthesize(c.partial_expr) if isinstance(c.partial, (int, float)) \
            else c.partial_expr
        tokens += ["; "] if k else []
        tokens += seed_contribution_text(trace, c, partial).tokens
    return text(*tokens)


def stage_title(trace: Trace, phase: str, index: int) -> str:
    """The caption of a frame: which stage, and what it does.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"``, ``"tangent"`` (forward mode seeded with the
        first input; `tangent_stage_title` takes any sweep) or ``"summary"``
        (``index`` is then ignored).
    index
        Stage number; negative numbers count from the end.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> stage_title(t, "forward", 0)
    'Stage 0 of 5 — set the inputs: x₁ = 1, x₂ = 2'
    >>> stage_title(t, "forward", 2)
    'Stage 2 of 5 — evaluate t₂ = t₁² = 1'
    >>> stage_title(t, "reverse", 0)
    'Stage 0 of 5 — initialise g_y = 1'
    >>> stage_title(t, "reverse", 1)
    'Stage 1 of 5 — process parents of y: g_t₂ += g_y · ∂y/∂t₂ = 1; g_t₄ += g_y · ∂y/∂t₄ = 1'
    """
    key = (phase, 0 if phase == "summary" else index)
    cached = _STAGE_TITLES.setdefault(trace, {})
    if key not in cached:
        cached[key] = stage_text(trace, phase, index).unicode()
    return cached[key]


def result_text(trace: Trace) -> Text:
    """The output and its value as tokens: ``y = 0.01001``.

    Examples
    --------
    >>> import adviz
    >>> result_text(adviz.trace("x * x", x=3)).plain()
    'y = 9'
    """
    return text(Name(trace.output), Op(" = "),
                Num(trace.value, key=num_key("value", trace.output)))


def summary_text(trace: Trace) -> Text:
    """The caption of the summary figure as tokens (see `summary_title`)."""
    out = trace.output
    parts: list[Any] = [f"Result {DASH} ", *result_text(trace).tokens, "; "]
    for k, (name, g) in enumerate(trace.grad.items()):
        if k:
            parts.append(", ")
        parts += [Partial(out, name), Op(" = "),
                  Num(g, key=num_key("adjoint", name))]
    return text(*parts)


def order_note(trace: Trace, index: int) -> str:
    """Where a recorded backward order differs from Kahn's: which node Kahn's order processes.

    Traces imported from a framework can follow the order its backward pass
    ran (``order="recorded"``); a stage whose node differs from the one
    Kahn's order processes at that stage says so.

    Examples
    --------
    >>> import adviz
    >>> order_note(adviz.trace("x * x", x=1.0), 1)
    ''
    """
    if trace.order != "recorded" or index < 1:
        return ""
    from adviz.core.stages import reverse_order

    kahn = reverse_order(trace.program, "seed")
    stage = trace.reverse_stages[index]
    if trace.granularity != "node" or index - 1 >= len(kahn):
        return ""
    expected = trace.program.nodes[kahn[index - 1]].id
    return "" if expected == stage.node else f" (Kahn's order: {expected})"


def summary_title(trace: Trace) -> str:
    """The caption of the summary figure: the value and the gradient.

    Examples
    --------
    >>> import adviz
    >>> summary_title(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
    'Result — y = 0.01001; ∂y/∂x₁ = −2.14112, ∂y/∂x₂ = 1.85888'
    """
    return summary_text(trace).unicode()


# DejaVu Sans advance widths in 1/1000 em: ASCII 32..126, then a few symbols.
_ASCII_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)
_SYMBOL_WIDTHS = {
    **dict.fromkeys("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹", 401),
    "−": 838, "·": 318, "∂": 517, "—": 1000, "→": 838, "←": 838, "≈": 838, "…": 1000,
    "′": 227, "×": 838, "÷": 838, "∇": 669, "≤": 838, "≥": 838, "≠": 838, "±": 838,
    "α": 659, "β": 638, "γ": 592, "δ": 612, "ε": 541, "ζ": 544, "η": 634, "θ": 612,
    "ι": 338, "κ": 589, "λ": 592, "μ": 636, "ν": 559, "ξ": 558, "ο": 612, "π": 602,
    "ρ": 635, "ς": 587, "σ": 634, "τ": 602, "υ": 579, "φ": 660, "χ": 578, "ψ": 660,
    "ω": 837,
}


def _char_width(ch: str) -> int:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII_WIDTHS[code - 32]
    known = _SYMBOL_WIDTHS.get(ch)
    if known is not None:
        return known
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    return 760


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float) -> float:
    """Estimated width in points of ``text`` drawn at ``size`` points.

    Uses DejaVu Sans advance widths, which are at least Helvetica's, and a
    generous width for characters outside the table.

    Examples
    --------
    >>> text_width("x", 10.0), text_width("x₁", 10.0)
    (5.92, 9.93)
    """
    return round(sum(map(_WIDTH_OF.__getitem__, text)) * size / 1000.0, 2)


class _Widths(dict[str, int]):
    """Each character's advance width, found once (`_char_width`)."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = _char_width(ch)
        return width


_WIDTH_OF = _Widths()


def widest(texts: Sequence[str], size: float) -> str:
    """The widest of some texts (the first one on ties; ``""`` when empty).

    Examples
    --------
    >>> widest(["g = 1", "g = −2.14112"], 12.0)
    'g = −2.14112'
    """
    best, best_width = "", -1.0
    for candidate in texts:
        width = text_width(candidate, size)
        if width > best_width:
            best, best_width = candidate, width
    return best


@per_trace
def reserved_node_lines(trace: Trace) -> Mapping[str, tuple[str, ...]]:
    """For each node, the widest text any frame shows on each of its lines (cached per trace).

    Line 0 is the name and formula, line 1 the value, line 2 the adjoint (or,
    in forward mode, the tangent); nodes with several children have a line 3
    for the running sum.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> reserved_node_lines(t)["x1"]
    ('x₁', '= 1', 'g = −2 + (−0.14112)', '= −2.14112')
    """
    program = trace.program
    adjoint_texts: dict[str, list[str]] = {n.id: [] for n in program.nodes}
    sums: dict[str, list[str]] = {n.id: [] for n in program.nodes}
    adjoint_texts[trace.output].append(adjoint_line(1.0))
    received: set[str] = set()
    for stage in trace.reverse_stages:
        for c in stage.contributions:
            if c.parent in received:
                first, second = accumulation_lines(c.before, c.delta, c.after)
                adjoint_texts[c.parent].append(first)
                sums[c.parent].append(second)
            received.add(c.parent)
            adjoint_texts[c.parent].append(adjoint_line(c.after))
    for name, g in trace.adjoints.items():
        adjoint_texts[name].append(adjoint_line(g))
    for sweep in reserved_sweeps(trace):  # forward mode shows a tangent on the same line
        for name, tangent in sweep.tangents.items():
            adjoint_texts[name].append(tangent_text(tangent, name).unicode())
    result = {}
    for node in program.nodes:
        lines = [node_formula(trace, node.id), value_line(node.value),
                 widest(adjoint_texts[node.id], LINE_SIZE) or adjoint_line(0.0)]
        extra = widest(sums[node.id], LINE_SIZE)
        if extra:
            lines.append(extra)
        result[node.id] = tuple(lines)
    return MappingProxyType(result)


@per_trace
def reserved_edge_lines(trace: Trace) -> Mapping[tuple[str, str], tuple[str, ...]]:
    """For each edge, its two label lines: the partial and the widest second line, a
    contribution (reverse mode) or a product (forward mode, `reserved_sweeps`); cached per
    trace.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> reserved_edge_lines(t)["t3", "t4"]
    ('∂t₄/∂t₃ = −sin(t₃) = −0.14112', 'g_t₃ += 1 · (−sin(t₃)) = −0.14112')
    """
    contributions: dict[tuple[str, str], list[str]] = {}
    for stage in trace.reverse_stages:
        for c in stage.contributions:
            contributions.setdefault((c.parent, c.child), []).append(contribution_label(trace, c))
    for sweep in reserved_sweeps(trace):  # forward mode shows a product on the same line
        for term in sweep.terms:
            contributions.setdefault((term.parent, term.child), []).append(
                product_text(trace, term).unicode())
    result = {}
    for parent, child in trace.graph.edges:
        lines = [partial_label(trace, parent, child)]
        extra = widest(contributions.get((parent, child), []), EDGE_SIZE)
        if extra:
            lines.append(extra)
        result[parent, child] = tuple(lines)
    return MappingProxyType(result)


def pretty_formula(text: str) -> str:
    """A SymPy formula (``sstr``) for display: subscripts, ``²``, ``·`` and ``−``.

    Examples
    --------
    >>> pretty_formula("2*x1 - 2*x2 - sin(x1 + x2)")
    '2x₁ − 2x₂ − sin(x₁ + x₂)'
    >>> pretty_formula("-2*(1 - tanh(w*x)**2)*x**(-1)")
    '−2(1 − tanh(w·x)²)·x^(−1)'
    """
    import re

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        following = match.string[match.end():match.end() + 1]
        return word if following == "(" else pretty_name(word)

    def power(match: re.Match[str]) -> str:
        exponent = match.group(1)
        return "²" if exponent == "2" else "^" + exponent

    result = re.sub(r"\*\*(\(-?[\d.]+\)|[\d.]+)", power, text)
    result = re.sub(r"(?<![\w.^])(\d+(?:\.\d+)?)\*(?=[A-Za-z(])", r"\1", result)
    result = result.replace("*", "·").replace("-", MINUS)
    return re.sub(r"[A-Za-z_]\w*", name, result)
