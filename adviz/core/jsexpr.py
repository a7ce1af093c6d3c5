"""Validation of the JavaScript forms of custom ops (``register_op(js_forward=...)``).

The interactive page runs an op's JavaScript forms as code. `check_js`
accepts only a single arithmetic expression over the op's arguments
(``a``, ``b``, ...): numbers, ``Infinity``, ``NaN``, the operators
``+ - * / % **``, comparisons, ``&& || !``, the conditional ``? :``,
parentheses, and calls of ``Math`` functions (``Math.exp(a)``) and ``Math``
constants (``Math.PI``). No statements, assignments, strings, other names,
property accesses or calls can pass, so no other code can run in the page.

Examples
--------
>>> check_js("a > 0 ? Math.pow(a, b) : -a", 2)
'a > 0 ? Math.pow(a, b) : -a'
>>> check_js("fetch(a)", 1)
Traceback (most recent call last):
...
adviz.errors.OpError: the JavaScript 'fetch(a)' is not allowed: unknown name 'fetch'; \
use a single expression over a with numbers, operators and Math.* functions
"""

from __future__ import annotations

import re

from adviz.errors import OpError

LETTERS = "abcdefghijklmnopqrstuvwxyz"
"""Argument names of an op's JavaScript forms, in argument order."""

MAX_JS_LENGTH = 2_000
"""Longest JavaScript form, in characters."""

MAX_JS_DEPTH = 50
"""Deepest nesting of parentheses and unary operators in a JavaScript form."""

MATH_FUNCTIONS = frozenset({
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil",
    "cos", "cosh", "exp", "expm1", "floor", "fround", "hypot", "log", "log10", "log1p", "log2",
    "max", "min", "pow", "round", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
})
MATH_CONSTANTS = frozenset({"E", "LN10", "LN2", "LOG10E", "LOG2E", "PI", "SQRT1_2", "SQRT2"})

_TOKEN = re.compile(r"""
    (?P<space>[ \t\n]+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||\*\*|[-+*/%<>!?:(),.])
""", re.VERBOSE)

_BINARY = [("||",), ("&&",), ("===", "!==", "==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
           ("*", "/", "%")]


class _Refused(Exception):
    pass


class _Parser:
    def __init__(self, code: str, names: frozenset[str]) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(code):
            match = _TOKEN.match(code, position)
            if match is None:
                raise _Refused(f"unexpected character {code[position]!r}")
            kind = match.lastgroup or ""
            if kind != "space":
                self.tokens.append((kind, match.group()))
            position = match.end()
        self.names = names
        self.k = 0
        self.depth = 0

    def peek(self) -> str:
        return self.tokens[self.k][1] if self.k < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.k >= len(self.tokens):
            raise _Refused("unexpected end")
        token = self.tokens[self.k]
        if expected is not None and token[1] != expected:
            raise _Refused(f"expected {expected!r}, found {token[1]!r}")
        self.k += 1
        return token

    def expression(self) -> None:
        self.depth += 1
        if self.depth > MAX_JS_DEPTH:
            raise _Refused("nested too deeply")
        self.binary(0)
        if self.peek() == "?":
            self.take()
            self.expression()
            self.take(":")
            self.expression()
        self.depth -= 1

    def binary(self, level: int) -> None:
        if level == len(_BINARY):
            self.unary()
            return
        self.binary(level + 1)
        while self.peek() in _BINARY[level] and self.peek():
            self.take()
            self.binary(level + 1)

    def unary(self) -> None:
        if self.peek() in ("-", "+", "!"):
            self.take()
            self.depth += 1
            if self.depth > MAX_JS_DEPTH:
                raise _Refused("nested too deeply")
            self.unary()
            self.depth -= 1
            return
        self.primary()
        if self.peek() == "**":
            self.take()
            self.unary()

    def primary(self) -> None:
        kind, text = self.take()
        if kind == "number":
            return
        if text == "(":
            self.expression()
            self.take(")")
            return
        if kind != "name":
            raise _Refused(f"unexpected {text!r}")
        if text in self.names or text in ("Infinity", "NaN"):
            if self.peek() in ("(", "."):
                raise _Refused(f"{text!r} cannot be called or have properties")
            return
        if text != "Math":
            raise _Refused(f"unknown name {text!r}")
        self.take(".")
        member = self.take()[1]
        if member in MATH_CONSTANTS:
            return
        if member not in MATH_FUNCTIONS:
            raise _Refused(f"Math.{member} is not an allowed Math function")
        self.take("(")
        if self.peek() != ")":
            self.expression()
            while self.peek() == ",":
                self.take()
                self.expression()
        self.take(")")


def check_js(code: object, arity: int) -> str:
    """Check that ``code`` is one allowed JavaScript expression over the first ``arity`` letters.

    Parameters
    ----------
    code
        The JavaScript form.
    arity
        Number of arguments: the names ``a``, ``b``, ... it may use.

    Returns
    -------
    str
        ``code`` unchanged.

    Raises
    ------
    OpError
        When it is not a string, is too long, or is anything but one such
        expression.
    """
    if not isinstance(code, str) or not code.strip():
        raise OpError(f"a JavaScript form must be a non-empty string, not {code!r:.60}")
    if arity > len(LETTERS):
        raise OpError(f"JavaScript forms support at most {len(LETTERS)} arguments")
    args = LETTERS[:arity]
    names = frozenset(args)
    try:
        if len(code) > MAX_JS_LENGTH:
            raise _Refused(f"longer than {MAX_JS_LENGTH} characters")
        parser = _Parser(code, names)
        parser.expression()
        if parser.k != len(parser.tokens):
            raise _Refused(f"unexpected {parser.peek()!r} after the expression")
    except _Refused as err:
        raise OpError(f"the JavaScript {code!r:.80} is not allowed: {err}; use a single "
                      f"expression over {', '.join(args)} with numbers, operators and Math.* "
                      f"functions") from None
    return code
