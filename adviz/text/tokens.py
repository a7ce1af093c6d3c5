r"""Text as tokens, with one serialiser per notation.

Every label and caption adviz shows is built once, as a `Text`: a tuple of
tokens (words, node names, numbers, operators, adjoints ``g_n``, partials
``∂c/∂p``, formulas). Each renderer then asks for its notation:

- `Text.unicode`: SVG, PNG and pages (``t₁ = x₁ − x₂``),
- `Text.mathtext`: Matplotlib (``$t_{1} = x_{1} - x_{2}$``, mixed with text),
- `Text.latex`: TikZ, Beamer and walkthroughs (math runs in ``$...$``),
- `Text.html`: HTML with math runs in ``<span class="math">`` (escaped, Unicode symbols),
- `Text.mathml`: pages' captions and tables (math runs as MathML, ``<msub>``, see
  `adviz.text.mathml`),
- `Text.plain`: screen readers, the command line (``t1 = x1 - x2``).

Every notation but plain text writes the seed's notation: names with
subscripts (``t₁``, ``t_{1}``), adjoints ``g`` with the node's name as
subscript (``g_t₁``, ``g_{t_{1}}``), partials ``∂t₄/∂t₃``. Plain text keeps
ASCII (``g_t1``, ``dt4/dt3``) for terminals, screen readers and the stage
records (``Stage.caption``).

A number may carry a key naming the quantity it shows (``"value:t1"``,
``"delta:t1->t2"``, see `num_key`); `Text.template` writes a text in one
notation with a `Hole` for each number, which `fill` fills with other
numbers: a page that recomputes numbers fills templates and builds no text.

Examples
--------
>>> text = Text((Grad("t1"), Op(" += "), Num(1.0), Op(" · "), Num(-2.0, parens=True)))
>>> text.unicode()
'g_t₁ += 1 · (−2)'
>>> text.latex()
'$g_{t_{1}} \\mathrel{+}= 1 \\cdot (-2)$'
>>> text.plain()
'g_t1 += 1 * (-2)'
>>> Text((Word("evaluate "), Name("t1"), Op(" = "), Num(-1.0))).latex()
'evaluate $t_{1} = -1$'
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from adviz.formatting import escape_latex, format_number, latex_name, split_name

MINUS = "\u2212"
DOT = "\u00b7"
PARTIAL = "\u2202"
TANGENT_DOT = "\u0307"
"""The combining dot above of a tangent (``ẋ``)."""

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
    "ᵢ": "$_{i}$", "ⱼ": "$_{j}$", "ₖ": "$_{k}$", "′": "$'$", "²": "$^{2}$",
}
_JOINED_SCRIPTS = re.compile(r"(?<!\\)\}\$\$_\{")
_ADJACENT_MATH = re.compile(r"(?<!\\)\$\$")

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
    "→": ("→", r"\to", "->"),
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


def joined_math(latex: str) -> str:
    r"""LaTeX with neighbouring formulas joined: ``w$_{j}$$_{i}$`` becomes ``w$_{ji}$``.

    Index letters written in words (``wⱼᵢ``, ``Σₖ``) come out of `Text.latex`
    as one small formula each; joined, they read as one subscript.

    Examples
    --------
    >>> joined_math(text("wⱼᵢ = Σₖ").latex())
    'w$_{ji}$ = $\\Sigma _{k}$'
    """
    return _ADJACENT_MATH.sub(" ", _JOINED_SCRIPTS.sub("", latex))


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
    """A number; ``parens`` puts a negative one in parentheses (``"tex"``: in LaTeX only).

    ``key`` names the quantity the number shows (see `num_key`); it is not
    compared, and only `Text.template` reads it.
    """

    value: float
    parens: bool | str = False
    key: str | None = field(default=None, compare=False)
    math = True

    def wraps(self, notation: str) -> bool:
        """Whether a negative number is put in parentheses in ``notation``."""
        return bool(self.parens) if notation == "latex" else self.parens is True

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

    def unicode(self) -> str:
        return _op_forms(self.text)[0]

    def latex(self) -> str:
        return _op_forms(self.text)[1]

    def plain(self) -> str:
        return _op_forms(self.text)[2]


@functools.lru_cache(maxsize=256)
def _op_forms(op: str) -> tuple[str, str, str]:
    """An operator, with its spacing, in Unicode, LaTeX and plain text (few distinct ones)."""
    core = op.strip()
    if not core:
        return op, op.replace("  ", " "), op
    start = op[:len(op) - len(op.lstrip())]
    end = op[len(op.rstrip()):]
    unicode, latex, plain = _OPS.get(core, (core, core, core))
    if latex[:1] == "\\" and latex[-1:].isalpha():
        latex += " "  # \cdot before a letter
    return (f"{start}{unicode}{end}", f"{start}{latex}{end}".replace("  ", " "),
            f"{start}{plain}{end}")


@dataclass(frozen=True)
class Grad:
    """An adjoint ``g_n``: ``g_t₁`` in Unicode (``subscripts=False`` keeps ``g_t1``),
    ``g_{t_{1}}`` in LaTeX, ``g_t1`` in plain text.

    Examples
    --------
    >>> Grad("t1").unicode(), Grad("t1").latex(), Grad("t1").plain()
    ('g_t₁', 'g_{t_{1}}', 'g_t1')
    """

    id: str
    subscripts: bool = True
    math = True

    def unicode(self) -> str:
        return f"g_{pretty_name(self.id) if self.subscripts else self.id}"

    def latex(self) -> str:
        return f"g_{{{tex_name(self.id)}}}"

    def plain(self) -> str:
        return f"g_{self.id}"


@dataclass(frozen=True)
class Tangent:
    r"""A forward-mode tangent ``ẋ₁`` (``x1_dot`` in plain text), a dot over the name's
    first letter (``subscripts=False`` keeps ``ẋ1`` in Unicode).

    Examples
    --------
    >>> t = Tangent("x1")
    >>> t.latex(), t.plain(), ascii(t.unicode()), ascii(Tangent("alpha2").unicode())
    ('\\dot{x}_{1}', 'x1_dot', "'\\u1e8b\\u2081'", "'\\u03b1\\u0307\\u2082'")
    """

    id: str
    subscripts: bool = True
    math = True

    def unicode(self) -> str:
        name = pretty_name(self.id) if self.subscripts else self.id
        return unicodedata.normalize("NFC", name[:1] + TANGENT_DOT + name[1:])

    def latex(self) -> str:
        base, digits = split_name(self.id)
        head = f"\\dot{{{tex_name(base)}}}"
        return f"{head}_{{{digits}}}" if digits else head

    def plain(self) -> str:
        return f"{self.id}_dot"


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


Token = Word | Name | Num | Op | Grad | Tangent | Partial | Formula


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

    def mathml(self) -> str:
        """HTML with each run of math tokens as a MathML ``<math>`` element (see
        `adviz.text.mathml`): what browsers typeset natively, with no script."""
        from adviz.text.mathml import mathml

        return mathml(self)

    def html(self) -> str:
        """HTML: escaped, math runs in ``<span class="math">`` (Unicode symbols)."""
        out = []
        for math, run in self._runs():
            body = html.escape("".join(t.unicode() for t in run))
            out.append(f'<span class="math">{body}</span>' if math else body)
        return "".join(out)

    def template(self, notation: str = "unicode") -> Template:
        r"""The text in ``notation`` with a `Hole` for each number (see `fill`).

        Parameters
        ----------
        notation
            ``"unicode"``, ``"plain"``, ``"html"``, ``"latex"`` or ``"mathml"``:
            what `Text.unicode`, `Text.plain`, `Text.html`, `Text.latex` or
            `Text.mathml` writes.

        Returns
        -------
        list
            Literal strings (adjacent ones joined) and holes, in order.

        Examples
        --------
        >>> line = text(Name("g"), Op(" = "), Num(2.0, key="before:"), Op(" + "),
        ...             Num(-1.0, parens=True, key="delta:"))
        >>> line.template()
        ['g = ', Hole(key='before:', parens=False), ' + ', Hole(key='delta:', parens=True)]
        >>> fill(line.template("latex"), {"before:": -2.0, "delta:": 0.5}, "latex")
        '$g = -2 + 0.5$'
        """
        if notation not in TEMPLATE_NOTATIONS:
            raise ValueError(f"no templates in notation {notation!r}; use one of "
                             f"{', '.join(TEMPLATE_NOTATIONS)}")
        pieces: list[str | Hole] = []
        if notation == "mathml":
            from adviz.text.mathml import mathml_pieces

            return _joined(mathml_pieces(self))
        if notation in ("unicode", "plain"):
            out: list[str | Hole] = []
            buffer: list[str] = []
            for token in self.tokens:
                if isinstance(token, Num):
                    if buffer:
                        out.append("".join(buffer))
                        buffer = []
                    out.append(Hole(token.key, token.parens is True))
                else:
                    buffer.append(token.unicode() if notation == "unicode" else token.plain())
            if buffer:
                out.append("".join(buffer))
            return [p for p in out if p != ""]
        if notation == "html":
            for math, run in self._runs():
                body = [_hole(t, notation) if isinstance(t, Num) else html.escape(t.unicode())
                        for t in run]
                pieces += ['<span class="math">', *body, "</span>"] if math else body
        else:
            for math, run in self._runs():
                if not math:
                    pieces.append("".join(t.latex() for t in run))
                    continue
                if not any(isinstance(t, Num) for t in run):
                    pieces.append(Text(tuple(run)).latex())
                    continue
                body = _joined([_hole(t, notation) if isinstance(t, Num) else t.latex()
                                for t in run])
                lead = trail = ""
                if isinstance(body[0], str):
                    lead = body[0][:len(body[0]) - len(body[0].lstrip())]
                    body[0] = body[0].lstrip()
                if isinstance(body[-1], str):
                    trail = body[-1][len(body[-1].rstrip()):]
                    body[-1] = body[-1].rstrip()
                pieces += [f"{lead}$", *body, f"${trail}"]
        return _joined(pieces)


@dataclass(frozen=True)
class Hole:
    """Where a template shows a number: the number's key, and whether a negative one is
    put in parentheses (in the template's notation)."""

    key: str | None
    parens: bool


Template = list[str | Hole]

TEMPLATE_NOTATIONS = ("unicode", "plain", "html", "latex", "mathml")
"""The notations `Text.template` writes."""

def _mathml_number(value: float) -> str:
    return f"<mn>{pretty_number(value)}</mn>"


_NUMBER_FORMS: dict[str, Callable[[float], str]] = {
    "unicode": pretty_number, "html": pretty_number, "plain": format_number, "latex": tex_number,
    "mathml": _mathml_number,
}


def _hole(token: Num, notation: str) -> Hole:
    return Hole(token.key, token.wraps(notation))


def _joined(pieces: list[str | Hole]) -> list[str | Hole]:
    out: list[str | Hole] = []
    run: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            run.append(piece)
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(piece)
    if run:
        out.append("".join(run))
    return [p for p in out if p != ""]


def number_text(value: float, notation: str, parens: bool = False) -> str:
    r"""A number as a template's hole in ``notation`` shows it.

    Examples
    --------
    >>> number_text(-2.0, "unicode", True), number_text(-2.0, "plain")
    ('(−2)', '-2')
    >>> number_text(1e-7, "latex")
    '1\\times 10^{-7}'
    >>> number_text(-2.0, "mathml", True)
    '<mo stretchy="false">(</mo><mn>−2</mn><mo stretchy="false">)</mo>'
    """
    out = _NUMBER_FORMS[notation](value)
    if notation == "mathml":
        wrap = parens and MINUS in out[:5]
        return f'<mo stretchy="false">(</mo>{out}<mo stretchy="false">)</mo>' if wrap else out
    return f"({out})" if parens and out[:1] in ("-", MINUS) else out


def fill(template: Template, numbers: Mapping[str | None, float] | Callable[[str | None], float],
         notation: str = "unicode") -> str:
    """The text of a template (`Text.template`) showing other numbers.

    Parameters
    ----------
    template
        Pieces from `Text.template`.
    numbers
        The number of each hole's key (a mapping or a function of the key).
    notation
        The notation the template was written in.

    Examples
    --------
    >>> line = text(Op("= "), Num(1.0, key=num_key("value", "t1")))
    >>> fill(line.template(), {"value:t1": -0.5})
    '= −0.5'
    """
    number = numbers if callable(numbers) else numbers.__getitem__
    return "".join(p if isinstance(p, str) else number_text(number(p.key), notation, p.parens)
                   for p in template)


def num_key(quantity: str, *ids: str) -> str:
    r"""The key of a number: what it is (``"value"``, ``"adjoint"``, ``"partial"``, ...) and of
    which node, or edge ``parent->child``; without ids, the quantity of whatever node or edge
    the text is shown on.

    Ids are escaped (``\`` and ``>`` get a backslash) so that a key names one quantity.

    Examples
    --------
    >>> num_key("value", "t1"), num_key("delta", "t1", "t2"), num_key("before")
    ('value:t1', 'delta:t1->t2', 'before:')
    >>> num_key("partial", "a->b", "c") == num_key("partial", "a", "b->c")
    False
    """
    return quantity + ":" + "->".join(i.replace("\\", "\\\\").replace(">", "\\>")
                                      for i in ids)


def text(*tokens: Token | str) -> Text:
    """A `Text` from tokens; plain strings become `Word`.

    Examples
    --------
    >>> text("Stage ", Num(1.0)).unicode()
    'Stage 1'
    """
    return Text(tuple(Word(t) if isinstance(t, str) else t for t in tokens))


def split_lines(line: Text, lines: Sequence[str]) -> list[Text] | None:
    """A text cut into the lines its Unicode form was wrapped into, as tokens per line.

    ``lines`` are pieces of ``line.unicode()`` in order, cut at spaces and
    stripped (as `adviz.scene.picture.wrap` cuts captions). A word or operator
    cut in two becomes two; ``None`` when a cut falls inside another token
    (a name, a number, a formula), which cannot be cut.

    Examples
    --------
    >>> caption = text("Stage 1: ", Grad("a"), Op(" += "), Num(1.0), "; ", Grad("b"),
    ...                Op(" = "), Num(2.0))
    >>> [t.latex() for t in split_lines(caption, ["Stage 1: g_a += 1;", "g_b = 2"])]
    ['Stage 1: $g_{a} \\\\mathrel{+}= 1$;', '$g_{b} = 2$']
    >>> split_lines(text(Name("alpha1")), ["α", "₁"]) is None
    True
    """
    full = line.unicode()
    spans: list[tuple[int, int, Token]] = []
    position = 0
    for token in line.tokens:
        width = len(token.unicode())
        spans.append((position, position + width, token))
        position += width
    out: list[Text] = []
    cursor = 0
    for piece in lines:
        start = full.find(piece, cursor)
        if start < 0:
            return None
        end = cursor = start + len(piece)
        tokens: list[Token] = []
        for a, b, token in spans:
            if b <= start or a >= end:
                continue
            if start <= a and b <= end:
                tokens.append(token)
                continue
            if not isinstance(token, (Word, Op)) or len(token.text) != b - a:
                return None
            part = token.text[max(start, a) - a:min(end, b) - a]
            tokens.append(type(token)(part))
        cut = Text(tuple(tokens))
        if cut.unicode().strip() != piece:
            return None
        out.append(cut)
    return out
