r"""MathML: the seed's notation as browsers typeset it, natively (no script, no network).

`mathml` writes a `adviz.text.tokens.Text` as HTML in which every run of math
tokens is one ``<math>`` element: names with ``<msub>`` (``t₁`` is
``<msub><mi>t</mi><mn>1</mn></msub>``), adjoints ``g`` with the node's name as
subscript, partials ``∂t₄/∂t₃``, formulas from their Unicode form (names,
numbers, operators, ``²`` and ``^`` as ``<msup>``), numbers in ``<mn>``. Words
stay HTML text. Everything taken from a name is escaped.

`caption_html` writes a caption as terms that wrap only between each other
(`caption_pieces`: each term a ``<span class="adviz-term">``, its running sum a
``<span class="adviz-part">`` of its own), as `adviz.scene.picture.wrap`
breaks captions in pictures; `mathml_pieces` and `caption_pieces` give the same
with a `adviz.text.tokens.Hole` for each number, for pages that fill in numbers,
and the markup of each name, adjoint, formula and operator (each part of a
partial), and the markup around them, as a `Fragment`: a string, so joined
pieces are the same markup, that a page may write once and refer to wherever
it repeats (`adviz.renderers.templates`).

Examples
--------
>>> from adviz.text.tokens import Grad, Num, Op, Partial, text
>>> markup = text("then ", Grad("t3"), Op(" = "), Num(-0.141120008)).mathml()
>>> markup[:27], markup[27:77]
('then <math><msub><mi>g</mi>', '<msub><mi>t</mi><mn>3</mn></msub></msub><mo>=</mo>')
>>> text(Partial("y", "t2")).mathml().count("<msub>")
1
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from adviz.formatting import split_name
from adviz.text.tokens import (
    _GREEK,
    MINUS,
    PARTIAL,
    Formula,
    Grad,
    Hole,
    Name,
    Num,
    Op,
    Partial,
    Tangent,
    Text,
    Token,
    Word,
    number_text,
)

_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FROM_SUB = str.maketrans(_SUBSCRIPTS, "0123456789")
_FROM_SUPER = str.maketrans(_SUPERSCRIPTS, "0123456789")

# Pieces of a formula's Unicode form: a number, a name with subscript digits,
# superscript digits, a caret exponent, or any other character (an operator).
_LEXEME = re.compile(
    r"(?P<number>\d+(?:\.\d*)?(?:e[−+-]?\d+)?)"
    rf"|(?P<name>[^\W\d_{_SUBSCRIPTS}{_SUPERSCRIPTS}][^\W{_SUBSCRIPTS}{_SUPERSCRIPTS}]*)"
    rf"(?P<sub>[{_SUBSCRIPTS}]+)?"
    rf"|(?P<super>[{_SUPERSCRIPTS}]+)"
    r"|\^(?P<caret>\([^()]*\)|−?[\d.]+|\w+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)

PARTIAL_MATHML = f'<mi mathvariant="normal">{PARTIAL}</mi>'
"""The ``∂`` of a partial (upright, as the seed's fractions set it)."""

FRAGMENT_MIN = 8
"""Shortest markup given as a `Fragment` (a shorter one costs about as much as a
reference to it)."""


class Fragment(str):
    """Markup that repeats across a page's texts: a token's MathML (a name, an adjoint,
    a formula, an operator; a partial gives one for each of its parts: ``∂``, the two
    names, the slash) or the markup around tokens (``<math>``, ``</math>``, a caption's
    spans). A string, marked so that a page can write it once and refer to it by number
    (`adviz.renderers.templates`); joined, the pieces are the same markup.

    Examples
    --------
    >>> from adviz.text.tokens import Grad, Op, text
    >>> pieces = mathml_pieces(text(Grad("t12"), Op(" = ")))
    >>> pieces
    ['<math>', '<msub><mi>g</mi><msub><mi>t</mi><mn>12</mn></msub></msub>', '<mo>=</mo>', \
'</math>']
    >>> [type(p).__name__ for p in pieces]
    ['Fragment', 'Fragment', 'Fragment', 'Fragment']
    >>> "".join(pieces) == text(Grad("t12"), Op(" = ")).mathml()
    True
    """

    __slots__ = ()



def _mi(text: str) -> str:
    return f"<mi>{html.escape(text)}</mi>"


def name_mathml(name: str) -> str:
    """A node's name: ``t1`` as ``<msub><mi>t</mi><mn>1</mn></msub>``, Greek names as letters.

    Examples
    --------
    >>> name_mathml("x1"), name_mathml("alpha"), name_mathml("w_3")
    ('<msub><mi>x</mi><mn>1</mn></msub>', '<mi>α</mi>', '<msub><mi>w</mi><mn>3</mn></msub>')
    >>> name_mathml("<b>")
    '<mi>&lt;b&gt;</mi>'
    """
    base, digits = split_name(name)
    if not digits:
        match = re.fullmatch(r"(.*[^\W\d_])_(\d+)", name)  # w_3 -> w₃ (as pretty_name)
        if match:
            base, digits = match.groups()
    head = _mi(_GREEK.get(base, base))
    return f"<msub>{head}<mn>{digits}</mn></msub>" if digits else head


def formula_mathml(formula: str) -> str:
    """A formula from its Unicode form (`adviz.text.labels`): ``2t₁``, ``x₁ − x₂``, ``t₁²``.

    Examples
    --------
    >>> formula_mathml("2t₁")
    '<mn>2</mn><msub><mi>t</mi><mn>1</mn></msub>'
    >>> formula_mathml("−sin(t₃)").replace(' stretchy="false"', "")
    '<mo form="prefix">−</mo><mi>sin</mi><mo>(</mo><msub><mi>t</mi><mn>3</mn></msub><mo>)</mo>'
    >>> formula_mathml("t₁²")
    '<msup><msub><mi>t</mi><mn>1</mn></msub><mn>2</mn></msup>'
    >>> formula_mathml("x^3")
    '<msup><mi>x</mi><mn>3</mn></msup>'
    """
    out: list[str] = []
    for match in _LEXEME.finditer(formula):
        kind = match.lastgroup
        if kind == "number":
            out.append(f"<mn>{match.group('number')}</mn>")
        elif kind in ("name", "sub"):
            head = _mi(match.group("name"))
            sub = match.group("sub")
            out.append(f"<msub>{head}<mn>{sub.translate(_FROM_SUB)}</mn></msub>" if sub
                       else head)
        elif kind in ("super", "caret"):
            exponent = match.group("super")
            body = f"<mn>{exponent.translate(_FROM_SUPER)}</mn>" if exponent else \
                formula_mathml(match.group("caret"))
            if body.count("<m") - body.count("<mn>") - body.count("<mi>") > 0 or \
                    body.count("<") > 2:
                body = f"<mrow>{body}</mrow>"
            base = out.pop() if out else "<mrow></mrow>"
            out.append(f"<msup>{base}{body}</msup>")
        elif kind == "other":
            symbol = match.group("other")
            if symbol in ("−", "-") and (not out or out[-1].endswith(">(</mo>")):
                out.append('<mo form="prefix">−</mo>')  # a sign, not a subtraction
            else:
                out.append(mo(symbol))
    return "".join(out)


def mo(symbol: str) -> str:
    """An operator: parentheses keep their size (``stretchy="false"``: they would grow
    around a subscript), a slash has no space around it.

    Examples
    --------
    >>> mo("("), mo("/"), mo("<")
    ('<mo stretchy="false">(</mo>', '<mo lspace="0" rspace="0">/</mo>', '<mo>&lt;</mo>')
    """
    if symbol in "()[]" and symbol:
        return f'<mo stretchy="false">{symbol}</mo>'
    if symbol == "/":
        return '<mo lspace="0" rspace="0">/</mo>'
    return f"<mo>{html.escape(symbol)}</mo>"


def _op(text: str) -> str:
    core = text.strip()
    if not core:
        return ""
    return mo({"-": MINUS, "Σ": "∑"}.get(core, core))


def token_mathml(token: Token) -> str:
    """One token (not a number) as MathML content (inside a ``<math>`` element).

    Examples
    --------
    >>> token_mathml(Grad("y")), token_mathml(Op(" += "))
    ('<msub><mi>g</mi><mi>y</mi></msub>', '<mo>+=</mo>')
    >>> token_mathml(Tangent("x1"))
    '<msub><mover accent="true"><mi>x</mi><mo>˙</mo></mover><mn>1</mn></msub>'
    """
    if isinstance(token, Name):
        return name_mathml(token.id)
    if isinstance(token, Grad):
        return f"<msub><mi>g</mi>{name_mathml(token.id)}</msub>"
    if isinstance(token, Partial):
        return (f"{PARTIAL_MATHML}{name_mathml(token.child)}{mo('/')}{PARTIAL_MATHML}"
                f"{name_mathml(token.parent)}")
    if isinstance(token, Tangent):
        name = name_mathml(token.id)
        if name.startswith("<msub>"):
            head, digits = name[len("<msub>"):-len("</msub>")].split("</mi>", 1)
            return (f'<msub><mover accent="true">{head}</mi><mo>˙</mo></mover>{digits}'
                    "</msub>")
        return f'<mover accent="true">{name}<mo>˙</mo></mover>'
    if isinstance(token, Op):
        return _op(token.text)
    if isinstance(token, Formula):
        return formula_mathml(token.text)
    if isinstance(token, Word):
        return f"<mtext>{html.escape(token.text)}</mtext>"
    if isinstance(token, Num):
        return number_text(token.value, "mathml", token.wraps("mathml"))
    raise TypeError(f"not a token: {token!r}")


@lru_cache(maxsize=8192)
def token_pieces(token: Token) -> tuple[str, ...]:
    """One token (not a number) as MathML pieces: `token_mathml` cut where a page shares
    its parts, each part of at least `FRAGMENT_MIN` characters a `Fragment`.

    A partial is cut into its parts (``∂``, the child's name, ``/``, ``∂``, the
    parent's name), which repeat far more often than the partial; any other token
    is one piece. Tokens are values (frozen), so the pieces of the last few thousand
    are kept: a page writes each name and operator thousands of times.

    Examples
    --------
    >>> "".join(token_pieces(Partial("t12", "x1"))) == token_mathml(Partial("t12", "x1"))
    True
    >>> [type(p).__name__ for p in token_pieces(Partial("y", "t12"))]
    ['Fragment', 'Fragment', 'Fragment', 'Fragment', 'Fragment']
    """
    if isinstance(token, Partial):
        parts = [PARTIAL_MATHML, name_mathml(token.child), mo("/"), PARTIAL_MATHML,
                 name_mathml(token.parent)]
    else:
        parts = [token_mathml(token)]
    return tuple(Fragment(p) if len(p) >= FRAGMENT_MIN else p for p in parts)


def _runs(tokens: Sequence[Token]) -> list[tuple[bool, list[Token]]]:
    return list(Text(tuple(tokens))._runs())


def mathml_pieces(text: Text | Sequence[Token], holes: bool = True) -> list[str | Hole]:
    """A text as HTML with MathML math runs, a `Hole` for each number (``holes``) or the
    number written out; each run's ``<math>`` and ``</math>`` and each token's shared
    parts (`token_pieces`) are `Fragment` s, words plain strings."""
    tokens = text.tokens if isinstance(text, Text) else tuple(text)
    out: list[str | Hole] = []
    for math, run in _runs(tokens):
        if not math:
            out.append(html.escape("".join(t.unicode() for t in run)))
            continue
        out.append(Fragment("<math>"))
        for token in run:
            if holes and isinstance(token, Num):
                out.append(Hole(token.key, token.wraps("mathml")))
                continue
            out += token_pieces(token)
        out.append(Fragment("</math>"))
    return out


def mathml(text: Text) -> str:
    """A text as HTML with each math run a ``<math>`` element (see the module)."""
    return "".join(p for p in mathml_pieces(text, holes=False) if isinstance(p, str))


# ------------------------------------------------------------------ captions

def _split_word(tokens: list[Token], pattern: str) -> list[list[Token]]:
    """Tokens cut after each ``pattern`` inside a word (the pattern stays with the left)."""
    groups: list[list[Token]] = [[]]
    for token in tokens:
        if isinstance(token, Word) and pattern in token.text:
            pieces = token.text.split(pattern)
            for k, piece in enumerate(pieces):
                last = k == len(pieces) - 1
                word = piece if last else piece + pattern.rstrip()
                if word:
                    groups[-1].append(Word(word))
                if not last:
                    groups.append([])
            continue
        groups[-1].append(token)
    return [g for g in groups if g]


def caption_terms(text: Text) -> list[list[list[Token]]]:
    """A caption's terms, each as its parts: the head (up to the first ``": "``), then
    each update (between ``"; "``), an update cut before its running sum (``" → "``).

    Examples
    --------
    >>> from adviz.text.tokens import Grad, Num, Op, text
    >>> caption = text("Stage 1: ", Grad("a"), Op(" += "), Num(1.0), "; ", Grad("b"),
    ...                Op(" += "), Num(2.0), Op(" → "), Grad("b"), Op(" = "), Num(3.0))
    >>> [[Text(tuple(p)).unicode() for p in term] for term in caption_terms(caption)]
    [['Stage 1:'], ['g_a += 1;'], ['g_b += 2', '→ g_b = 3']]
    """
    tokens = list(text.tokens)
    head: list[Token] = []
    rest = tokens
    for k, token in enumerate(tokens):
        if isinstance(token, Word) and ": " in token.text:
            before, after = token.text.split(": ", 1)
            head = [*tokens[:k], Word(before + ":")]
            rest = ([Word(after)] if after else []) + tokens[k + 1:]
            break
    terms = ([head] if head else []) + _split_word(rest, "; ")
    out = []
    for term in terms:
        parts: list[list[Token]] = [[]]
        for token in term:
            if isinstance(token, Op) and token.text.strip() == "→" and parts[-1]:
                parts.append([])
            parts[-1].append(token)
        out.append([_trimmed(p) for p in parts if _trimmed(p)])
    return [t for t in out if t]


def _trimmed(tokens: list[Token]) -> list[Token]:
    """Tokens without the spaces that start and end them."""
    out = list(tokens)
    while out and isinstance(out[0], (Word, Op)) and not out[0].text.strip():
        out.pop(0)
    while out and isinstance(out[-1], (Word, Op)) and not out[-1].text.rstrip():
        out.pop()
    if out and isinstance(out[0], (Word, Op)):
        out[0] = type(out[0])(out[0].text.lstrip())
    if out and isinstance(out[-1], (Word, Op)):
        out[-1] = type(out[-1])(out[-1].text.rstrip())
    return out


TERM_CLASS = "adviz-term"
"""Class of a caption's term: a box that wraps inside only when wider than the line."""

PART_CLASS = "adviz-part"
"""Class of a part of a term (an update, its running sum): never broken."""


def caption_pieces(text: Text, holes: bool = True) -> list[str | Hole]:
    """A caption as HTML terms with MathML (see the module), a `Hole` for each number, its
    spans and math as `Fragment` s (`mathml_pieces`)."""
    out: list[str | Hole] = []
    for k, term in enumerate(caption_terms(text)):
        out.append(Fragment((" " if k else "") + f'<span class="{TERM_CLASS}">'))
        for j, part in enumerate(term):
            out.append(Fragment((" " if j else "") + f'<span class="{PART_CLASS}">'))
            out += mathml_pieces(part, holes)
            out.append(Fragment("</span>"))
        out.append(Fragment("</span>"))
    return out


def caption_html(text: Text) -> str:
    """A caption as HTML: terms that wrap only between each other, math as MathML.

    Examples
    --------
    >>> from adviz.text.tokens import Grad, Num, Op, text
    >>> print(caption_html(text("Stage 0: initialise ", Grad("y"), Op(" = "), Num(1.0))))
    <span class="adviz-term"><span class="adviz-part">Stage 0:</span></span> \
<span class="adviz-term"><span class="adviz-part">initialise <math><msub><mi>g</mi><mi>y</mi>\
</msub><mo>=</mo><mn>1</mn></math></span></span>
    """
    return "".join(p for p in caption_pieces(text, holes=False) if isinstance(p, str))


def mathml_text(markup: str) -> str:
    """What a browser gives as the text content of ``markup`` (tags dropped, unescaped).

    Examples
    --------
    >>> mathml_text('<math><msub><mi>t</mi><mn>1</mn></msub><mo>&lt;</mo></math>')
    't1<'
    """
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


__all__ = ["FRAGMENT_MIN", "Fragment", "caption_html", "caption_pieces", "caption_terms",
           "formula_mathml", "mathml", "mathml_pieces", "mathml_text", "mo", "name_mathml",
           "token_mathml", "token_pieces"]
