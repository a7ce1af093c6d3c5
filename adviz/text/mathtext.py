"""Mathtext labels for the Matplotlib renderer, with a plain-text fallback.

The labels say what the SVG frames say (`adviz.text.labels`); formulas (node
formulas, partials, contributions) are typeset as Matplotlib mathtext from
the graph's LaTeX (``expr_latex``, ``partial_latex``), lines holding only
numbers stay plain text (as in the SVG frames, and cheaper to lay out).
Every label is checked once with Matplotlib's own mathtext parser; one
that does not parse (an op registered with LaTeX that mathtext lacks, a
node name with characters mathtext rejects) falls back to the unicode text
of `adviz.text.labels`, escaped so Matplotlib draws it literally. Drawing never fails on a label.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> node_title(t, "t1")
'$t_{1} = x_{1} - x_{2}$'
>>> partial_label(t, "t1", "t2")
'$\\\\partial t_{2}/\\\\partial t_{1} = 2 t_{1} = -2$'
>>> contribution_label(t, t.reverse_stages[2].contributions[0])
'$g_{t_{1}} {+}\\\\!\\\\!= 1 \\\\cdot (2 t_{1}) = -2$'
>>> math_or_text(r"\\textbackslash{}", "a $5")
'a \\\\$5'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from adviz.formatting import format_number, is_atomic, latex_name
from adviz.text import labels

if TYPE_CHECKING:
    from matplotlib.mathtext import MathTextParser

    from adviz.core.stages import Contribution
    from adviz.core.tracing import Trace

PLUS_EQUALS = r"{+}\!\!="
"""``+=`` in mathtext (mathtext has no ``\\mathrel``)."""


@lru_cache(maxsize=1)
def _parser() -> MathTextParser:
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("path")


@lru_cache(maxsize=8192)
def is_mathtext(tex: str) -> bool:
    """Whether ``$tex$`` parses as Matplotlib mathtext.

    Examples
    --------
    >>> is_mathtext(r"\\partial t_{2}"), is_mathtext(r"\\textbackslash{}")
    (True, False)
    """
    try:
        _parser().parse(f"${tex}$", 72)
    except (ValueError, RuntimeError, KeyError):
        return False
    return True


_LARGE_CACHE: Any = None

PARSE_CACHE_SIZE = 4096
"""Parsed mathtext labels kept while adviz draws (Matplotlib keeps 50)."""


@contextlib.contextmanager
def large_parse_cache() -> Iterator[None]:
    """Let Matplotlib keep up to `PARSE_CACHE_SIZE` parsed mathtext strings, for a while.

    Matplotlib caches the last 50 parsed mathtext strings; a frame of a large
    graph shows hundreds, so every redraw would parse them all again (about
    5x slower at 100 nodes). Inside this context Matplotlib's parser uses a
    larger cache (kept between uses); outside, Matplotlib is as it was.

    Examples
    --------
    >>> with large_parse_cache():
    ...     pass
    """
    from matplotlib.mathtext import MathTextParser

    global _LARGE_CACHE
    original = MathTextParser.__dict__.get("_parse_cached")
    wrapped = getattr(original, "__wrapped__", None)
    if original is None or wrapped is None:
        yield
        return
    if _LARGE_CACHE is None:
        _LARGE_CACHE = lru_cache(PARSE_CACHE_SIZE)(wrapped)
    parser: Any = MathTextParser
    parser._parse_cached = _LARGE_CACHE
    try:
        yield
    finally:
        parser._parse_cached = original


def escape_text(text: str) -> str:
    """Escape plain text so Matplotlib draws it literally (no math mode).

    Examples
    --------
    >>> escape_text("cost $5")
    'cost \\\\$5'
    """
    return text.replace("$", r"\$")


def math_or_text(tex: str, fallback: str) -> str:
    """``$tex$`` when it is valid mathtext, else the escaped plain ``fallback``."""
    return f"${tex}$" if is_mathtext(tex) else escape_text(fallback)


def _num(value: float, parens: bool = False) -> str:
    text = format_number(value)
    return f"({text})" if parens and text.startswith("-") else text


def name_label(node: str) -> str:
    """A node's name alone, ``$t_{1}$`` (shortened labels of large graphs).

    Examples
    --------
    >>> name_label("t1")
    '$t_{1}$'
    """
    return math_or_text(latex_name(node), labels.pretty_name(node))


def node_title(trace: Trace, node: str) -> str:
    """Line 0 of a node: name and formula, ``$t_{1} = x_{1} - x_{2}$`` (inputs: ``$x_{1}$``)."""
    data = trace.graph.nodes[node]
    tex = latex_name(node)
    if data.get("kind") == "op":
        tex = f"{tex} = {data.get('expr_latex', '')}"
    return math_or_text(tex, labels.node_formula(trace, node))


def value_line(value: float) -> str:
    """Line 1 of a node: its value, ``= −1`` (plain text: numbers need no mathtext).

    Examples
    --------
    >>> value_line(-1.0)
    '= −1'
    """
    return labels.value_line(value)


def adjoint_line(adjoint: float) -> str:
    """Line 2 of a node: its adjoint, ``g = −2``.

    Examples
    --------
    >>> adjoint_line(-2.0)
    'g = −2'
    """
    return labels.adjoint_line(adjoint)


def accumulation_lines(before: float, delta: float, after: float) -> tuple[str, str]:
    """Lines 2 and 3 of a node receiving a further contribution (a visible ``+=``).

    Examples
    --------
    >>> accumulation_lines(-2.0, -0.14112, -2.14112)
    ('g = −2 + (−0.14112)', '= −2.14112')
    """
    return labels.accumulation_lines(before, delta, after)


def partial_label(trace: Trace, parent: str, child: str) -> str:
    """An edge's partial: ``$\\partial t_{2}/\\partial t_{1} = 2 t_{1} = -2$``."""
    data = trace.graph.edges[parent, child]
    value = format_number(data["partial"])
    formula = data.get("partial_latex", "")
    tex = f"\\partial {latex_name(child)}/\\partial {latex_name(parent)} = {formula}"
    if data.get("partial_expr", "").strip() != value:
        tex = f"{tex} = {value}"
    return math_or_text(tex, labels.partial_label(trace, parent, child))


def contribution_label(trace: Trace, contribution: Contribution) -> str:
    """A reverse update on its edge: ``$g_{t_{1}} += 1 \\cdot (2 t_{1}) = -2$``."""
    c = contribution
    data = trace.graph.edges[c.parent, c.child]
    formula = data.get("partial_latex", "")
    if not is_atomic(data.get("partial_expr", "")):
        formula = f"({formula})"
    tex = (f"g_{{{latex_name(c.parent)}}} {PLUS_EQUALS} {_num(c.upstream, True)} \\cdot "
           f"{formula} = {_num(c.delta)}")
    return math_or_text(tex, labels.contribution_label(trace, c))


def pulse_label(value: float) -> str:
    """The number a moving pulse carries, ``−0.14112``.

    Examples
    --------
    >>> pulse_label(-0.141120008)
    '−0.14112'
    """
    return labels.pretty_number(value)


def line_mathtext(trace: Trace, element: str | tuple[str, str], text: str, role: str,
                  contribution: Contribution | None = None) -> str:
    """A frame's line of text (its Unicode ``text`` and ``role``) as Matplotlib text.

    The line says what it says in every renderer; here formulas are typeset
    as mathtext when the line is the formula of its element (a node's name
    and formula, an edge's partial or contribution) and everything else
    (numbers, collapsed scope boxes, shortened names) is drawn literally.

    Parameters
    ----------
    trace
        The `Trace` the frame shows.
    element
        The node id, or ``(parent, child)`` for an edge, the line belongs to
        (a collapsed scope's box or merged edge: its id in the view).
    text, role
        The line (`adviz.scene.content.Line`): Unicode text and role.
    contribution
        For a contribution line: the update it describes.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> line_mathtext(t, "t1", "t₁ = x₁ − x₂", "name")
    '$t_{1} = x_{1} - x_{2}$'
    >>> line_mathtext(t, ("t1", "t2"), "∂t₂/∂t₁ = 2t₁ = −2", "partial")
    '$\\\\partial t_{2}/\\\\partial t_{1} = 2 t_{1} = -2$'
    >>> line_mathtext(t, "t1", "= −1", "value")
    '= −1'
    >>> line_mathtext(t, "t1", "cost $5", "name")  # not the formula: drawn literally
    'cost \\\\$5'
    """
    graph = trace.graph
    if isinstance(element, tuple):
        if element in graph.edges:
            parent, child = element
            if role == "partial" and text == labels.partial_label(trace, parent, child):
                return partial_label(trace, parent, child)
            if (role == "contribution" and contribution is not None
                    and text == labels.contribution_label(trace, contribution)):
                return contribution_label(trace, contribution)
    elif role == "name" and element in graph.nodes:
        if text == labels.node_formula(trace, element):
            return node_title(trace, element)
        if text == labels.pretty_name(element):
            return name_label(element)
    return escape_text(text)
