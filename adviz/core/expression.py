"""The safe expression parser: Python's `ast` against an allow-list, never `eval`.

An expression string may contain numbers, input names, the operators
``+ - * / **`` (binary and unary), parentheses and calls of the functions in
the op table with positional arguments. Everything else (attributes,
subscripts, lambdas, comprehensions, keyword arguments, strings, ...) raises
`ExpressionError` naming the position. The tree is evaluated by an explicit
stack, so deep nesting cannot exhaust Python's recursion limit.

Examples
--------
>>> expr = parse("(x1 - x2)**2 + cos(x1 + x2)")
>>> expr.names
('x1', 'x2')
>>> round(expr.evaluate({"x1": 1.0, "x2": 2.0}), 5)
0.01001
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adviz.core.ops import OPS, functions
from adviz.core.tracer import apply
from adviz.errors import DomainError, ExpressionError

MAX_LENGTH = 100_000
"""Longest expression string accepted, in characters."""

PARSE_RECURSION_LIMIT = 12_000
"""Recursion limit while Python builds the syntax tree (flat sums up to `MAX_NODES`)."""

MAX_NODES = 20_000
"""Most syntax-tree nodes accepted in one expression."""

_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_UNARY = {ast.USub: "neg", ast.UAdd: None}

_REFUSED = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Lambda: "lambdas are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.NamedExpr: "assignment expressions (:=) are",
    ast.JoinedStr: "f-strings are",
    ast.Starred: "starred arguments are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "boolean operators are",
    ast.IfExp: "conditional expressions are",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
}


def _where(node: ast.AST) -> str:
    line = getattr(node, "lineno", 1)
    column = getattr(node, "col_offset", 0) + 1
    return f"line {line}, column {column}" if line != 1 else f"column {column}"


def _allowed() -> str:
    return "numbers, input names, + - * / ** and the functions " + ", ".join(functions())


@dataclass(frozen=True)
class Expression:
    """A parsed, validated expression string.

    Attributes
    ----------
    text
        The source text.
    names
        Input names in order of first appearance.
    """

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Evaluate with traced values or plain numbers bound to the names."""
        return evaluate(self.tree, env)

    def __call__(self, **env: Any) -> Any:
        return self.evaluate(env)


def parse(text: str) -> Expression:
    """Parse and validate an expression string.

    Parameters
    ----------
    text
        For example ``"(x1 - x2)**2 + cos(x1 + x2)"``.

    Raises
    ------
    ExpressionError
        On a syntax error, anything outside the allow-list, or an expression
        over `MAX_LENGTH` characters or `MAX_NODES` nodes.

    Examples
    --------
    >>> parse("x.__class__")
    Traceback (most recent call last):
    ...
    adviz.errors.ExpressionError: attribute access is not allowed (column 1 of 'x.__class__'); \
allowed: numbers, input names, + - * / ** and the functions abs, cos, ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression has {len(text):,} characters; the limit is {MAX_LENGTH:,}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        code = ord(text[err.start])
        raise ExpressionError(f"the expression contains a lone surrogate (U+{code:04X}) at "
                              f"column {err.start + 1}: it is not valid text") from None
    limit = sys.getrecursionlimit()
    try:
        # Python's AST construction counts against the recursion limit: a flat sum of a
        # few thousand terms is a left-nested chain. The parser's own stack limit still
        # refuses deep parentheses; MAX_NODES bounds everything else.
        sys.setrecursionlimit(max(limit, PARSE_RECURSION_LIMIT))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. "1in": reported as an error
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        where = f"column {err.offset}" if err.offset else "the end"
        raise ExpressionError(f"syntax error at {where} of {_short(text)}: {err.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression {_short(text)} is nested too deeply to parse"
        ) from None
    finally:
        sys.setrecursionlimit(limit)
    if isinstance(tree.body, ast.Tuple):
        raise ExpressionError(
            f"an expression string has one output, and {_short(text)} lists "
            f"{len(tree.body.elts)}: for several outputs, trace a Python function that returns "
            f"a tuple (adviz.trace(lambda ...: (..., ...), ...))"
        )
    names: dict[str, None] = {}
    count = 0
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(
                f"the expression has more than {MAX_NODES:,} syntax nodes; split it into a "
                "Python function instead"
            )
        stack.extend(reversed(_check(node, text, names)))
    return Expression(text, tree, tuple(names))


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _check(node: ast.AST, text: str, names: dict[str, None]) -> list[ast.AST]:
    """Validate one node; return its children to visit (left to right)."""
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(
                f"the operator {type(node.op).__name__} is not allowed ({_where(node)} of "
                f"{_short(text)}); allowed: {_allowed()}"
            )
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise ExpressionError(
                f"the operator {type(node.op).__name__} is not allowed ({_where(node)} of "
                f"{_short(text)}); allowed: {_allowed()}"
            )
        return [node.operand]
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(
                f"the constant {value!r:.40} is not a real number ({_where(node)} of "
                f"{_short(text)}); allowed: {_allowed()}"
            )
        try:
            float(value)
        except OverflowError:
            raise ExpressionError(
                f"the constant at {_where(node)} of {_short(text)} is too large for a float"
            ) from None
        return []
    if isinstance(node, ast.Name):
        names.setdefault(node.id, None)
        return []
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name):
            what = "attribute access" if isinstance(func, ast.Attribute) else "this call"
            raise ExpressionError(
                f"{what} is not allowed ({_where(func)} of {_short(text)}); allowed: {_allowed()}"
            )
        op = OPS.get(func.id)
        if op is None or not op.function:
            raise ExpressionError(
                f"unknown function {func.id!r} ({_where(func)} of {_short(text)}); "
                f"allowed: {_allowed()}"
            )
        if node.keywords:
            raise ExpressionError(
                f"keyword arguments are not allowed ({_where(node.keywords[0])} of "
                f"{_short(text)}): call {func.id}() with positional arguments"
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise ExpressionError(
                    f"starred arguments are not allowed ({_where(arg)} of {_short(text)})"
                )
        if len(node.args) != op.arity:
            raise ExpressionError(
                f"{func.id}() takes {op.arity} argument(s), {len(node.args)} given "
                f"({_where(node)} of {_short(text)})"
            )
        return list(node.args)
    what = _REFUSED.get(type(node), f"{type(node).__name__} syntax is")
    raise ExpressionError(
        f"{what} not allowed ({_where(node)} of "
        f"{_short(text)}); allowed: {_allowed()}"
    )


def evaluate(tree: ast.Expression, env: Mapping[str, Any]) -> Any:
    """Evaluate a validated tree with an explicit stack (no recursion).

    Constants are evaluated as floats, so constant sub-expressions fold into
    plain numbers and only operations on inputs are recorded.
    """
    results: list[Any] = []
    work: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while work:
        node, ready = work.pop()
        if isinstance(node, ast.Constant):
            results.append(float(node.value))  # type: ignore[arg-type]
            continue
        if isinstance(node, ast.Name):
            if node.id not in env:
                raise ExpressionError(f"no value given for {node.id!r} ({_where(node)})")
            results.append(env[node.id])
            continue
        if not ready:
            work.append((node, True))
            children = _children(node)
            work.extend((child, False) for child in reversed(children))
            continue
        if isinstance(node, ast.BinOp):
            right = results.pop()
            left = results.pop()
            results.append(_binary(_BINARY[type(node.op)], left, right))
        elif isinstance(node, ast.UnaryOp):
            operand = results.pop()
            results.append(-operand if isinstance(node.op, ast.USub) else operand)
        elif isinstance(node, ast.Call):
            n = len(node.args)
            args = results[len(results) - n :]
            del results[len(results) - n :]
            assert isinstance(node.func, ast.Name)
            results.append(apply(OPS[node.func.id], *args))
    return results[-1]


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _binary(name: str, left: Any, right: Any) -> Any:
    try:
        if name == "add":
            return left + right
        if name == "sub":
            return left - right
        if name == "mul":
            return left * right
        if name == "div":
            return left / right
        if isinstance(left, float) and isinstance(right, float):
            return apply(OPS["pow"], left, right)
        return left**right
    except (ZeroDivisionError, OverflowError, ValueError) as err:
        if isinstance(err, DomainError):
            raise
        raise DomainError(f"{name} of constants fails: {left!r} and {right!r}: {err}") from None
