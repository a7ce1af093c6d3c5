"""The analytic gradient, derived from the graph with SymPy (the ``symbolic`` extra).

The seed page checks reverse mode against the gradient derived by hand. This
module derives it from the traced graph: each node's formula is rebuilt as a
SymPy expression of the inputs, differentiated, simplified and evaluated at the
traced point, so it can be set beside the reverse-mode numbers.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> g = adviz.symbolic_gradient(t)
>>> g["x1"].text, round(g["x1"].value, 5), round(g["x1"].reverse, 5)
('2*x1 - 2*x2 - sin(x1 + x2)', -2.14112, -2.14112)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adviz.errors import MissingDependencyError, RenderError
from adviz.formatting import format_number

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


@dataclass(frozen=True)
class SymbolicGradient:
    """One input's analytic partial derivative.

    Attributes
    ----------
    input
        The input's name.
    formula
        The simplified SymPy expression of dy/d(input).
    text, latex
        The formula as plain text and as LaTeX.
    value
        The formula evaluated at the traced point (``None`` when it contains
        a custom op SymPy cannot evaluate).
    reverse
        The reverse-mode gradient, for comparison.
    """

    input: str
    formula: Any
    text: str
    latex: str
    value: float | None
    reverse: float

    def __str__(self) -> str:
        value = "?" if self.value is None else format_number(self.value)
        return (f"d/d{self.input} = {self.text} = {value} "
                f"(reverse mode: {format_number(self.reverse)})")


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise MissingDependencyError(
            "the analytic gradient needs SymPy: pip install 'adviz[symbolic]'"
        ) from None
    return sympy


def _forms(sp: Any) -> dict[str, Callable[..., Any]]:
    return {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
        "neg": lambda a: -a,
        "abs": sp.Abs,
        "sin": sp.sin,
        "cos": sp.cos,
        "tan": sp.tan,
        "exp": sp.exp,
        "log": sp.log,
        "sqrt": sp.sqrt,
        "tanh": sp.tanh,
        "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
        "relu": lambda a: sp.Max(a, 0),
    }


def _number(sp: Any, value: float) -> Any:
    return sp.Integer(int(value)) if value == int(value) else sp.Float(value)


def output_expression(trace: Trace) -> tuple[Any, dict[str, Any]]:
    """The output as a SymPy expression of the input symbols, and the symbols by name."""
    sp = _sympy()
    forms = _forms(sp)
    program = trace.program
    symbols = {program.nodes[i].id: sp.Symbol(program.nodes[i].id, real=True)
               for i in program.inputs}
    exprs: list[Any] = []
    for node in program.nodes:
        if node.kind == "input":
            exprs.append(symbols[node.id])
        elif node.kind == "const":
            exprs.append(_number(sp, node.value))
        else:
            assert node.op is not None
            args = [exprs[s] if type(s) is int else _number(sp, s) for s in node.slots]
            form = forms.get(node.op.name) or sp.Function(node.op.name)
            exprs.append(form(*args))
    return exprs[program.output], symbols


SIMPLIFY_LIMIT = 12
"""Largest derivative (in SymPy operations) given to the slow, thorough ``simplify``."""


def _simplify(sp: Any, expr: Any) -> Any:
    """Simplify thoroughly when small; larger formulas get the cheap, bounded tidy-up."""
    if sp.count_ops(expr) <= SIMPLIFY_LIMIT:
        return sp.simplify(expr)
    return sp.factor_terms(expr)


def symbolic_gradient(trace: Trace) -> dict[str, SymbolicGradient]:
    """Derive, simplify and evaluate dy/d(input) for every input.

    Small formulas go through SymPy's ``simplify``; larger ones (over
    `SIMPLIFY_LIMIT` operations, where ``simplify`` can take minutes) are only
    tidied with ``factor_terms``.

    Parameters
    ----------
    trace
        A `Trace`.

    Returns
    -------
    dict
        Input name to `SymbolicGradient`, in argument order.

    Raises
    ------
    MissingDependencyError
        When SymPy (``pip install 'adviz[symbolic]'``) is not installed.
    RenderError
        When the formula is nested too deeply for SymPy (its recursion limit).
    """
    sp = _sympy()
    try:
        return _gradients(sp, trace)
    except RecursionError:
        raise RenderError(
            f"the formula of {trace.output} is nested too deeply for SymPy "
            f"({len(trace.program.nodes)} nodes); draw it without the analytic gradient"
        ) from None


def _gradients(sp: Any, trace: Trace) -> dict[str, SymbolicGradient]:
    y, symbols = output_expression(trace)
    point = {symbols[name]: _number(sp, value) for name, value in trace.inputs.items()}
    result = {}
    for name, symbol in symbols.items():
        formula = _simplify(sp, sp.diff(y, symbol))
        try:
            value: float | None = float(formula.subs(point).evalf())
        except (TypeError, ValueError, RecursionError, AttributeError):
            value = None  # a custom op has no SymPy form: the formula keeps it undefined
        result[name] = SymbolicGradient(
            name, formula, sp.sstr(formula), sp.latex(formula), value, trace.grad[name]
        )
    return result
