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


def name_label(node: str) -> str:
    """A node's name alone, ``$t_{1}$`` (shortened labels of large graphs).

    Examples
    --------
    >>> name_label("t1")
    '$t_{1}$'
    """
    from adviz.text.tokens import Name, text

    return text(Name(node)).mathtext()


def node_title(trace: Trace, node: str) -> str:
    """Line 0 of a node: name and formula, ``$t_{1} = x_{1} - x_{2}$`` (inputs: ``$x_{1}$``)."""
    from adviz.text.labels import node_formula_text

    return node_formula_text(trace, node).mathtext()


def adjoint_line(adjoint: float) -> str:
    """Line 2 of a node: its adjoint, ``$g = -2$``.

    Examples
    --------
    >>> adjoint_line(-2.0)
    '$g = -2$'
    """
    return labels.adjoint_text(adjoint).mathtext()


def partial_label(trace: Trace, parent: str, child: str) -> str:
    """An edge's partial: ``$\\partial t_{2}/\\partial t_{1} = 2 t_{1} = -2$``."""
    return labels.partial_text(trace, parent, child).mathtext()


def contribution_label(trace: Trace, contribution: Contribution) -> str:
    """A reverse update on its edge: ``$g_{t_{1}} {+}\\!\\!= 1 \\cdot (2 t_{1}) = -2$``."""
    return labels.contribution_text(trace, contribution).mathtext()


def pulse_label(value: float) -> str:
    """The number a moving pulse carries, ``−0.14112``.

    Examples
    --------
    >>> pulse_label(-0.141120008)
    '−0.14112'
    """
    return labels.pretty_number(value)
