"""Hypothesis strategies: random expression trees over the op table, kept inside each domain.

A tree is a tuple: ``("var", name)``, ``("const", value)`` or ``(op_name, child, ...)``.
Arguments of ops with a restricted domain are wrapped so the tree is defined
everywhere: ``log``, ``sqrt``, ``/`` and a traced ``**`` base get ``a*a + 0.5``,
``tan`` gets ``sin(a)``, ``exp`` gets ``tanh(a)``. The same tree renders as an
expression string, evaluates as a Python function (with adviz values, plain
floats or torch tensors), so every form can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

import adviz
from adviz.core.ops import OPS, Op

Tree = tuple[Any, ...]
NAMES = ("a", "b", "c")

UNARY = ("neg", "abs", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu")
BINARY = ("add", "sub", "mul", "div", "pow")


def _positive(tree: Tree) -> Tree:
    return ("add", ("mul", tree, tree), ("const", 0.5))


def _safe(op: str, children: list[Tree]) -> Tree:
    if op in ("log", "sqrt"):
        return (op, _positive(children[0]))
    if op == "tan":
        return (op, ("sin", children[0]))
    if op == "exp":
        return (op, ("tanh", children[0]))
    if op == "div":
        return (op, children[0], _positive(children[1]))
    if op == "pow":
        base, exponent = children
        if exponent[0] == "const":
            return (op, _positive(base), exponent)
        return (op, _positive(base), ("tanh", exponent))
    return (op, *children)


leaves = st.one_of(
    st.sampled_from(NAMES).map(lambda n: ("var", n)),
    st.sampled_from([0.5, 1.0, 2.0, 3.0, -1.5]).map(lambda v: ("const", v)),
)


def trees(max_leaves: int = 12) -> st.SearchStrategy[Tree]:
    """Random trees with at least one input, every op of the table available."""

    def extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
        unary = st.tuples(st.sampled_from(UNARY), children).map(
            lambda t: _safe(t[0], [t[1]]))
        binary = st.tuples(st.sampled_from(BINARY), children, children).map(
            lambda t: _safe(t[0], [t[1], t[2]]))
        return st.one_of(unary, binary)

    return st.recursive(leaves, extend, max_leaves=max_leaves).filter(uses_an_input)


def uses_an_input(tree: Tree) -> bool:
    if tree[0] == "var":
        return True
    if tree[0] == "const":
        return False
    return any(uses_an_input(child) for child in tree[1:])


points = st.fixed_dictionaries(
    {name: st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False) for name in NAMES}
).map(lambda point: {name: point[name] for name in NAMES})


def to_text(tree: Tree) -> str:
    """The tree as an expression string (fully parenthesised)."""
    kind = tree[0]
    if kind == "var":
        return str(tree[1])
    if kind == "const":
        return repr(tree[1]) if tree[1] >= 0 else f"({tree[1]!r})"
    op: Op = OPS[kind]
    args = [f"({to_text(child)})" for child in tree[1:]]
    if op.function:
        return f"{kind}({', '.join(args)})"
    symbols = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
    if kind == "neg":
        return f"-{args[0]}"
    return f"{args[0]} {symbols[kind]} {args[1]}"


def evaluate(tree: Tree, env: dict[str, Any], functions: dict[str, Callable[..., Any]]) -> Any:
    """Evaluate a tree with the given leaves and functions (recursive: trees are small)."""
    kind = tree[0]
    if kind == "var":
        return env[tree[1]]
    if kind == "const":
        return tree[1]
    args = [evaluate(child, env, functions) for child in tree[1:]]
    if kind == "add":
        return args[0] + args[1]
    if kind == "sub":
        return args[0] - args[1]
    if kind == "mul":
        return args[0] * args[1]
    if kind == "div":
        return args[0] / args[1]
    if kind == "pow":
        return args[0] ** args[1]
    if kind == "neg":
        return -args[0]
    return functions[kind](*args)


ADVIZ_FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: getattr(adviz, name) for name in UNARY if name != "neg"
}
MATH_FUNCTIONS: dict[str, Callable[..., Any]] = {name: OPS[name].forward for name in UNARY}


def python_function(tree: Tree) -> Callable[..., Any]:
    """The tree as a plain Python function of a, b, c using adviz's functions."""

    def f(a: Any, b: Any, c: Any) -> Any:
        return evaluate(tree, {"a": a, "b": b, "c": c}, ADVIZ_FUNCTIONS)

    return f


def plain_value(tree: Tree, point: dict[str, float]) -> float:
    return float(evaluate(tree, point, MATH_FUNCTIONS))


def central_difference(tree: Tree, point: dict[str, float], name: str, h: float) -> float:
    up = dict(point)
    down = dict(point)
    up[name] += h
    down[name] -= h
    return (plain_value(tree, up) - plain_value(tree, down)) / (2 * h)


def smooth_at(tree: Tree, point: dict[str, float], margin: float) -> bool:
    """False when an ``abs`` or ``relu`` argument is within ``margin`` of its kink."""
    kind = tree[0]
    if kind in ("var", "const"):
        return True
    if kind in ("abs", "relu"):
        inner = plain_value(tree[1], point)
        if abs(inner) < margin:
            return False
    return all(smooth_at(child, point, margin) for child in tree[1:]) and math.isfinite(
        plain_value(tree, point))


# Vector functions: several trees over the same inputs, each an output. With ``chain``, output
# k also adds half of output k - 1, so outputs share nodes (one is an ancestor of the next).
VectorCase = tuple[tuple[Tree, ...], bool]


def _not_an_input(tree: Tree) -> bool:
    return tree[0] != "var"


def vector_cases(max_outputs: int = 4, max_leaves: int = 8) -> st.SearchStrategy[VectorCase]:
    """Random vector functions: 1 to ``max_outputs`` trees (none a bare input) and a chain flag."""
    outputs = st.lists(trees(max_leaves).filter(_not_an_input), min_size=1,
                       max_size=max_outputs).map(tuple)
    return st.tuples(outputs, st.booleans())


def vector_evaluate(case: VectorCase, env: dict[str, Any],
                    functions: dict[str, Callable[..., Any]]) -> tuple[Any, ...]:
    """Every output of a vector case, with the given leaves and functions."""
    outputs, chain = case
    values: list[Any] = []
    for tree in outputs:
        value = evaluate(tree, env, functions)
        if chain and values:
            value = value + 0.5 * values[-1]
        values.append(value)
    return tuple(values)


def vector_function(case: VectorCase) -> Callable[..., Any]:
    """The case as a Python function of a, b, c returning a tuple (adviz's functions)."""

    def f(a: Any, b: Any, c: Any) -> Any:
        return vector_evaluate(case, {"a": a, "b": b, "c": c}, ADVIZ_FUNCTIONS)

    return f


def vector_plain(case: VectorCase, point: dict[str, float]) -> tuple[float, ...]:
    return tuple(float(v) for v in vector_evaluate(case, point, MATH_FUNCTIONS))


def torch_functions() -> dict[str, Callable[..., Any]]:
    """The unary functions of the trees on torch tensors (imports torch)."""
    import torch

    def tensor_function(name: str) -> Callable[..., Any]:
        function = getattr(torch, name)
        return lambda x: function(torch.as_tensor(x, dtype=torch.float64))

    return {name: tensor_function(name) for name in UNARY if name != "neg"}
