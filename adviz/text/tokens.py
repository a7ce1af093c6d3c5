r"""Text as tokens, with one serialiser per notation.

Every label and caption adviz shows is built once, as a `Text`: a tuple of
tokens (words, node names, numbers, operators, adjoints ``g_n``, partials
``∂c/∂p``, formulas). Each renderer then asks for its notation:

- `Text.unicode`: SVG, PNG and pages (``t₁ = x₁ − x₂``),
- `Text.mathtext`: Matplotlib (``$t_{1} = x_{1} - x_{2}$``, mixed with text),
- `Text.latex`: TikZ, Beamer and walkthroughs (math runs in ``$...$``),
- `Text.html`: pages' tables (math runs in ``<span class="math">``, escaped),
- `Text.plain`: screen readers, the command line (``t1 = x1 - x2``).

Examples
--------
>>> text = Text((Grad("t1"), Op(" += "), Num(1.0), Op(" · "), Num(-2.0, parens=True)))
>>> text.unicode()
'g_t1 += 1 · (−2)'
>>> text.latex()
'$g_{t_{1}} \\mathrel{+}= 1 \\cdot (-2)$'
>>> text.plain()
'g_t1 += 1 * (-2)'
>>> Text((Word("evaluate "), Name("t1"), Op(" = "), Num(-1.0))).latex()
'evaluate $t_{1} = -1$'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from adviz.formatting import escape_latex, format_number, latex_name, split_name

MINUS = "\u2212"
DOT = "\u00b7"
PARTIAL = "\u2202"

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}
_TEXT_ONLY = {
    r"\textbackslash{}": r"\mbox{\textbackslash}",
    r"\~{}": r"\mbox{\textasciitilde}",
    r"\^{}": r"\mbox{\textasciicircum}",
}

# Symbols that may appear in plain words, for LaTeX's text mode.
_WORD_SYMBOLS = {
    MINUS: "$-$", DOT: "$\\cdot$", PARTIAL: "$\\partial$", "Σ": "$\\Sigma$", "→": "$\\to$",
    "✓": "$\\checkmark$", **{d: f"$_{{{k}}}$" for k, d in enumerate("₀₁₂₃₄₅₆₇₈₉")},
}

# Operators: (unicode, latex, plain).
_OPS = {
    "=": ("=", "=", "="),
    "+=": ("+=", r"\mathrel{+}=", "+="),
    "+": ("+", "+", "+"),
    "-": (MINUS, "-", "-"),
    "·": (DOT, r"\cdot", "*"),
    "/": ("/", "/", "/"),
    "(": ("(", "(", "("),
    ")": (")", ")", ")"),
    "Σ": ("Σ", r"\Sigma", "sum"),
}


def pretty_name(name: str) -> str:
    """A node name for display: trailing digits as subscripts, Greek names as letters.

    Examples
    --------
    >>> pretty_name("x1"), pretty_name("t12"), pretty_name("alpha2"), pretty_name("w_3")
    ('x₁', 't₁₂', 'α₂', 'w₃')
    """
    base, digits = split_name(name)
    if not digits:
        match = re.fullmatch(r"(.*[^\W\d_])_(\d+)", name)  # w_1 -> w₁
        if match:
            base, digits = match.groups()
    return _GREEK.get(base, base) + digits.translate(_SUB)


def pretty_number(value: float) -> str:
    """A value for display: `adviz.formatting.format_number` with the unicode minus.

    Examples
    --------
    >>> pretty_number(-0.141120008), pretty_number(2.0), pretty_number(-1.5e-7)
    ('−0.14112', '2', '−1.5e−07')
    """
    return format_number(value).replace("-", MINUS)


def math_safe(latex: str) -> str:
    r"""Make escaped user text valid inside math mode (text-only commands in an ``\mbox``).

    Examples
    --------
    >>> math_safe(r"\mathrm{a\textbackslash{}b}")
    '\\mathrm{a\\mbox{\\textbackslash}b}'
    """
    for old, new in _TEXT_ONLY.items():
        latex = latex.replace(old, new)
    return latex


def tex_name(name: str) -> str:
    r"""A node name as math-mode LaTeX.

    Examples
    --------
    >>> tex_name("x1"), tex_name("a_b & 100% {x}")
    ('x_{1}', '\\mathrm{a\\_b \\& 100\\% \\{x\\}}')
    """
    return math_safe(latex_name(name))


def tex_number(value: float) -> str:
    """A number for math mode.

    Examples
    --------
    >>> tex_number(-0.141120008), tex_number(1.5e-7)
    ('-0.14112', '1.5\\\\times 10^{-7}')
    """
    text = format_number(value)
    match = re.fullmatch(r"(-?[\d.]+)e([-+])(\d+)", text)
    if match:
        mantissa, sign, exponent = match.groups()
        return f"{mantissa}\\times 10^{{{'-' if sign == '-' else ''}{int(exponent)}}}"
    if text in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[text]
    return text


# ---------------------------------------------------------------- tokens

@dataclass(frozen=True)
class Word:
    """Plain words (text mode in LaTeX), spaces included."""

    text: str
    math = False

    def unicode(self) -> str:
        return self.text

    def latex(self) -> str:
        out = escape_latex(self.text).replace(" — ", " --- ").replace("—", "---")
        for char, tex in _WORD_SYMBOLS.items():
            out = out.replace(char, tex)
        return out

    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class Name:
    """A node's name: ``t₁`` (``subscripts=False`` keeps ``t1`` in Unicode)."""

    id: str
    subscripts: bool = True
    math = True

    def unicode(self) -> str:
        return pretty_name(self.id) if self.subscripts else self.id

    def latex(self) -> str:
        return tex_name(self.id)

    def plain(self) -> str:
        return self.id


@dataclass(frozen=True)
class Num:
    """A number; ``parens`` puts a negative one in parentheses (``"tex"``: in LaTeX only)."""

    value: float
    parens: bool | str = False
    math = True

    def _wrap(self, text: str, negative: bool) -> str:
        return f"({text})" if self.parens is True and negative else text

    def unicode(self) -> str:
        text = pretty_number(self.value)
        return self._wrap(text, text.startswith(MINUS))

    def latex(self) -> str:
        text = tex_number(self.value)
        wrap = bool(self.parens) and text.startswith("-")
        return f"({text})" if wrap else text

    def plain(self) -> str:
        text = format_number(self.value)
        return self._wrap(text, text.startswith("-"))


@dataclass(frozen=True)
class Op:
    """An operator with the spacing around it, e.g. ``Op(" += ")``."""

    text: str
    math = True

    def _forms(self) -> tuple[str, str, str]:
        core = self.text.strip()
        return _OPS.get(core, (core, core, core))

    def _spaced(self, form: str) -> str:
        core = self.text.strip()
        start = self.text[:len(self.text) - len(self.text.lstrip())]
        end = self.text[len(self.text.rstrip()):]
        return f"{start}{form}{end}" if core else self.text

    def unicode(self) -> str:
        return self._spaced(self._forms()[0])

    def latex(self) -> str:
        form = self._forms()[1]
        if form[:1] == "\\" and form[-1:].isalpha():
            form += " "  # \cdot before a letter
        return self._spaced(form).replace("  ", " ")

    def plain(self) -> str:
        return self._spaced(self._forms()[2])


@dataclass(frozen=True)
class Grad:
    """An adjoint ``g_n``."""

    id: str
    math = True

    def unicode(self) -> str:
        return f"g_{self.id}"

    def latex(self) -> str:
        return f"g_{{{tex_name(self.id)}}}"

    def plain(self) -> str:
        return f"g_{self.id}"


@dataclass(frozen=True)
class Partial:
    """A partial derivative ``∂child/∂parent``."""

    child: str
    parent: str
    subscripts: bool = True
    math = True

    def unicode(self) -> str:
        name = pretty_name if self.subscripts else str
        return f"{PARTIAL}{name(self.child)}/{PARTIAL}{name(self.parent)}"

    def latex(self) -> str:
        return f"\\partial {tex_name(self.child)}/\\partial {tex_name(self.parent)}"

    def plain(self) -> str:
        return f"d{self.child}/d{self.parent}"


@dataclass(frozen=True)
class Formula:
    """A formula given in each notation (from the op table's templates)."""

    text: str
    tex: str
    ascii: str
    math = True

    def unicode(self) -> str:
        return self.text

    def latex(self) -> str:
        return math_safe(self.tex)

    def plain(self) -> str:
        return self.ascii


Token = Word | Name | Num | Op | Grad | Partial | Formula


@dataclass(frozen=True)
class Text:
    """A label or caption as tokens (see the module)."""

    tokens: tuple[Token, ...]

    def __add__(self, other: Text) -> Text:
        return Text(self.tokens + other.tokens)

    def unicode(self) -> str:
        """For SVG, PNG and pages."""
        return "".join(t.unicode() for t in self.tokens)

    def plain(self) -> str:
        """ASCII-ish text for screen readers and terminals."""
        return "".join(t.plain() for t in self.tokens)

    def _runs(self) -> Iterable[tuple[bool, list[Token]]]:
        run: list[Token] = []
        math = None
        for token in self.tokens:
            if token.math != math and run:
                yield bool(math), run
                run = []
            math = token.math
            run.append(token)
        if run:
            yield bool(math), run

    def latex(self) -> str:
        """LaTeX: words in text mode, each run of math tokens in ``$...$``."""
        out = []
        for math, run in self._runs():
            if not math:
                out.append("".join(t.latex() for t in run))
                continue
            body = "".join(t.latex() for t in run)
            lead = body[:len(body) - len(body.lstrip())]
            trail = body[len(body.rstrip()):]
            out.append(f"{lead}${body.strip()}${trail}")
        return "".join(out)

    def mathtext(self) -> str:
        r"""Matplotlib mathtext: like `latex`, with ``+=`` spelt for mathtext.

        Text that Matplotlib cannot parse falls back to the Unicode form
        (escaped), so a label never fails to draw.
        """
        from adviz.text.mathtext import escape_text, is_mathtext

        out = []
        for math, run in self._runs():
            if not math:
                out.append(escape_text("".join(t.unicode() for t in run)))
                continue
            body = "".join(t.latex() for t in run).replace(r"\mathrel{+}=", r"{+}\!\!=")
            lead = body[:len(body) - len(body.lstrip())]
            trail = body[len(body.rstrip()):]
            core = body.strip()
            if is_mathtext(core):
                out.append(f"{lead}${core}${trail}")
            else:
                out.append(escape_text("".join(t.unicode() for t in run)))
        return "".join(out)

    def html(self) -> str:
        """HTML: escaped, math runs in ``<span class="math">`` (Unicode symbols)."""
        out = []
        for math, run in self._runs():
            body = html.escape("".join(t.unicode() for t in run))
            out.append(f'<span class="math">{body}</span>' if math else body)
        return "".join(out)


def text(*tokens: Token | str) -> Text:
    """A `Text` from tokens; plain strings become `Word`.

    Examples
    --------
    >>> text("Stage ", Num(1.0)).unicode()
    'Stage 1'
    """
    return Text(tuple(Word(t) if isinstance(t, str) else t for t in tokens))
