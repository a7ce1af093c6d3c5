"""The analytic gradient, derived from the graph with SymPy (the ``symbolic`` extra).

The seed page checks reverse mode against the gradient derived by hand. This
module derives it from the traced graph: each node's formula is rebuilt once as a
SymPy expression of the inputs, the derivatives are built by the chain rule on
the graph (each node's adjoint formula once), simplified when small and
evaluated at the traced point, so they can be set beside the reverse-mode
numbers. The cost follows the size of the formulas, not the number of inputs
times the size of the output's formula.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> g = adviz.symbolic_gradient(t)
>>> g["x1"].text, round(g["x1"].value, 5), round(g["x1"].reverse, 5)
('2*x1 - 2*x2 - sin(x1 + x2)', -2.14112, -2.14112)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
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
        The formula as plain text and as LaTeX (printed when first read: a
        large formula costs its printing only when it is shown).
    value
        The formula evaluated at the traced point (``None`` when it contains
        a custom op SymPy cannot evaluate).
    reverse
        The reverse-mode gradient, for comparison.
    """

    input: str
    formula: Any
    value: float | None
    reverse: float
    _printers: dict[str | None, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        """The formula as plain text (SymPy's ``sstr``)."""
        order = print_order(self.formula)
        printer = self._printers.get(order)
        if printer is None:  # shared by the derivatives of one output (`symbolic_gradient`)
            from sympy.printing.str import StrPrinter

            printer = self._printers[order] = memoised(StrPrinter)({"order": order})
        return str(printer.doprint(self.formula))

    @cached_property
    def latex(self) -> str:
        """The formula as LaTeX."""
        return str(_sympy().latex(self.formula))

    def __str__(self) -> str:
        value = "?" if self.value is None else format_number(self.value)
        return (f"d/d{self.input} = {self.text} = {value} "
                f"(reverse mode: {format_number(self.reverse)})")


@functools.cache
def memoised(printer: type) -> type:
    """A SymPy printer class that prints each distinct subexpression once per instance.

    Derivatives built by the chain rule share their subexpressions (within one
    formula and between the formulas of one output); SymPy's printers walk the
    whole expression tree, printing a shared subtree again at each use. The
    printer returned keeps what it printed for each subexpression below the
    top one and writes it again where the subexpression comes back, so the
    cost of printing follows the number of distinct subexpressions, and the
    text is what ``printer`` writes. A subexpression is kept only when
    printing it recorded nothing besides its text (a code printer notes
    unsupported functions and number constants, then declares them above the
    code), and the top one never is (a number is written in full precision at
    the top only).

    Examples
    --------
    >>> import sympy
    >>> from sympy.printing.str import StrPrinter
    >>> x = sympy.Symbol("x")
    >>> p = memoised(StrPrinter)({"order": None})
    >>> e = sympy.sin(x + 1) * sympy.cos(sympy.sin(x + 1)) + 0.5
    >>> p.doprint(e) == sympy.sstr(e), p.doprint(e)
    (True, 'sin(x + 1)*cos(sin(x + 1)) + 0.5')
    """
    from sympy.core.basic import Basic

    class Memoised(printer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._printed: dict[Any, str] = {}

        def _notes(self) -> tuple[int, int]:
            return (len(getattr(self, "_not_supported", ())),
                    len(getattr(self, "_number_symbols", ())))

        def _print(self, expr: Any, **kwargs: Any) -> str:
            if kwargs or self._print_level == 0 or not isinstance(expr, Basic):
                return str(super()._print(expr, **kwargs))
            found = self._printed.get(expr)
            if found is not None:
                return found
            notes = self._notes()
            text = super()._print(expr)
            if self._notes() == notes:
                self._printed[expr] = text
            return str(text)

    Memoised.__name__ = Memoised.__qualname__ = f"Memoised{printer.__name__}"
    return Memoised


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


def _expressions(sp: Any, trace: Trace) -> tuple[list[Any], dict[str, Any]]:
    """Every node's SymPy expression of the input symbols (built once, bottom-up)."""
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
    return exprs, symbols


def output_expression(trace: Trace) -> tuple[Any, dict[str, Any]]:
    """The output as a SymPy expression of the input symbols, and the symbols by name."""
    exprs, symbols = _expressions(_sympy(), trace)
    return exprs[trace.program.output], symbols


def _local_partials(sp: Any, form: Callable[..., Any], args: list[Any],
                    slots: list[bool], cache: dict[Any, list[Any]], key: Any) -> list[Any]:
    """d(node)/d(argument k) for the arguments that are nodes, as expressions of the inputs.

    The op's partials are differentiated once per op (over placeholder symbols,
    cached under ``key``) and the arguments' expressions put in with
    ``xreplace``, which does not walk into them: the cost is the size of the
    op's own formula, whatever the size of its arguments.
    """
    dummies = [sp.Dummy(f"a{k}") for k in range(len(args))]
    if key not in cache:
        local = form(*[d if is_node else a for d, a, is_node in zip(dummies, args, slots)])
        cache[key] = [dummies, [sp.diff(local, d) if is_node else None
                                for d, is_node in zip(dummies, slots)]]
    dummies, partials = cache[key]
    mapping = {d: a for d, a in zip(dummies, args)}
    result: list[Any] = []
    for partial in partials:
        if partial is None:
            result.append(None)
        elif partial.has(sp.Derivative) and not all(a.is_Symbol for a in args):
            # a custom op: keep "the derivative of f at its argument" unevaluated
            result.append(sp.Subs(partial, tuple(dummies), tuple(args)))
        else:
            result.append(partial.xreplace(mapping))
    return result


def gradient_expressions(trace: Trace) -> tuple[dict[str, Any], dict[str, Any]]:
    """dy/d(input) for every input as SymPy expressions, by the chain rule on the graph.

    One sweep over the graph in reverse evaluation order, as reverse mode
    itself: each node's adjoint expression is built once, from its children's
    adjoints times the op's local partial derivative, and shared by every
    input below it. The work is proportional to the size of the graph plus
    the size of the formulas, not to the number of inputs times the size of
    the output's expression tree.

    Returns
    -------
    tuple
        Input name to its derivative (unsimplified), and input name to its symbol.

    Examples
    --------
    >>> import adviz
    >>> grads, _ = gradient_expressions(adviz.trace("x * sin(x)", x=1))
    >>> grads["x"]
    x*cos(x) + sin(x)
    """
    sp = _sympy()
    forms = _forms(sp)
    exprs, symbols = _expressions(sp, trace)
    program = trace.program
    terms: dict[int, list[Any]] = {program.output: [sp.Integer(1)]}
    cache: dict[Any, list[Any]] = {}
    for index in range(len(program.nodes) - 1, -1, -1):
        node = program.nodes[index]
        if index not in terms or node.kind != "op":
            continue
        adjoint = sp.Add(*terms[index])
        assert node.op is not None
        slots = [type(s) is int for s in node.slots]
        args = [exprs[int(s)] if is_node else _number(sp, s)
                for s, is_node in zip(node.slots, slots)]
        form = forms.get(node.op.name) or sp.Function(node.op.name)
        key = (node.op.name, tuple(None if is_node else a for a, is_node in zip(args, slots)))
        for slot, partial in zip(node.slots, _local_partials(sp, form, args, slots, cache, key)):
            if partial is not None and partial != 0:
                terms.setdefault(int(slot), []).append(adjoint * partial)
    grads = {}
    for i in program.inputs:
        name = program.nodes[i].id
        grads[name] = sp.Add(*terms.get(i, []))
    return grads, symbols


SIMPLIFY_LIMIT = 12
"""Largest derivative (in SymPy operations) given to the slow, thorough ``simplify``."""

TIDY_LIMIT = 200
"""Largest derivative (in SymPy operations) tidied with ``factor_terms``; larger ones are kept
as derived (their tidy-up would cost more than the rest of the derivation)."""


def formula_size(expr: Any, limit: int, sizes: dict[Any, int] | None = None) -> int:
    """The number of nodes of a formula's expression tree, counted up to ``limit + 1``.

    The count stops past ``limit``, so asking whether a formula is small costs
    at most ``limit`` steps however large it is. With ``sizes`` (a dict kept
    between calls, see `tree_size`) every distinct subexpression is counted
    once, so asking about many formulas that share subexpressions (the
    derivatives of one output) costs one pass over what they share.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> formula_size(x * sympy.sin(x), 100), formula_size(x * sympy.sin(x), 2)
    (4, 3)
    >>> formula_size(x * sympy.sin(x), 2, {})
    3
    """
    if sizes is not None:
        return min(tree_size(expr, sizes), limit + 1)
    count = 0
    stack = [expr]
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        stack.extend(node.args)
    return count


def tree_size(expr: Any, sizes: dict[Any, int]) -> int:
    """The number of nodes of a formula's expression tree (a shared subtree counted at
    each of its uses), each distinct subexpression's count worked out once and kept in
    ``sizes``.

    The cost is the number of distinct subexpressions not yet in ``sizes``, however
    large the tree: a formula built by the chain rule shares its subtrees, so its tree
    can be exponentially larger than the expression itself.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> e = sympy.sin(x) * sympy.cos(sympy.sin(x))
    >>> tree_size(e, {})
    6
    """
    found = sizes.get(expr)
    if found is not None:
        return found
    stack: list[tuple[Any, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in sizes:
            continue
        if ready:
            sizes[node] = 1 + sum(sizes[arg] for arg in node.args)
            continue
        stack.append((node, True))
        stack.extend((arg, False) for arg in node.args if arg not in sizes)
    return sizes[expr]


SORT_LIMIT = 200
"""Largest formula (nodes of its expression tree) printed with its terms sorted."""


def print_order(expr: Any, sizes: dict[Any, int] | None = None) -> str | None:
    """The printers' ``order`` setting for a formula: sorted terms (``None``) when small.

    Sorting the terms of every sum costs more than printing them (each sort
    key walks the whole term), so formulas over `SORT_LIMIT` nodes print their
    terms in SymPy's own order (``"none"``): printing stays linear in their size.
    ``sizes``: as for `formula_size`.

    Examples
    --------
    >>> import sympy
    >>> print_order(sympy.Symbol("x") + 1)
    >>> print_order(sum(sympy.symbols("a:300")))
    'none'
    """
    return None if formula_size(expr, SORT_LIMIT, sizes) <= SORT_LIMIT else "none"


def _simplify(sp: Any, expr: Any, sizes: dict[Any, int] | None = None) -> Any:
    """Simplify thoroughly when small, tidy when medium-sized, keep as derived when large
    (``sizes``: as for `formula_size`)."""
    # A tree of n nodes has more than n / 3 operations: count them only when that can be few.
    if formula_size(expr, 3 * TIDY_LIMIT, sizes) > 3 * TIDY_LIMIT:
        return expr
    ops = sp.count_ops(expr)
    if ops <= SIMPLIFY_LIMIT:
        return sp.simplify(expr)
    if ops <= TIDY_LIMIT:
        return sp.factor_terms(expr)
    return expr


_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "log": math.log,
    "tanh": math.tanh, "Abs": abs, "Max": max, "Min": min,
}


def evaluate(expr: Any, point: dict[Any, float],
             cache: dict[Any, float] | None = None) -> float | None:
    """A SymPy expression's value at ``point`` (symbol to float), in one pass over its DAG.

    Each distinct subexpression is evaluated once (shared subtrees are not
    walked again), with the `math` functions where they apply and SymPy's own
    numeric evaluation of the single function call otherwise. ``None`` when the
    value is not a real number (a custom op with no SymPy form, a complex result).
    Formulas that share subexpressions (the derivatives of one output) share
    their values through ``cache``, a dict kept between calls at one point.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> evaluate(x**2 + sympy.cos(x), {x: 0.0})
    1.0
    >>> evaluate(sympy.Function("f")(x), {x: 0.0}) is None
    True
    """
    import sympy as sp

    values: dict[Any, float] = {} if cache is None else cache
    stack: list[tuple[Any, bool]] = [(expr, False)]
    try:
        while stack:
            node, ready = stack.pop()
            if node in values:
                continue
            if node.is_Symbol:
                values[node] = float(point[node])
                continue
            if node.is_Number or node.is_NumberSymbol:
                values[node] = float(node)
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((arg, False) for arg in node.args if arg not in values)
                continue
            args = [values[arg] for arg in node.args]
            if node.is_Add:
                values[node] = math.fsum(args)
            elif node.is_Mul:
                values[node] = math.prod(args)
            elif node.is_Pow:
                value = args[0] ** args[1]
                if isinstance(value, complex):
                    return None
                values[node] = value
            elif node.func.__name__ in _MATH:
                values[node] = float(_MATH[node.func.__name__](*args))
            else:
                values[node] = float(node.func(*(sp.Float(a) for a in args)).evalf())
    except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError,
            AttributeError, RecursionError):
        return None
    value = values[expr]
    return value if math.isfinite(value) else None


def symbolic_gradient(trace: Trace) -> dict[str, SymbolicGradient]:
    """Derive, simplify and evaluate dy/d(input) for every input.

    The derivatives come from one chain-rule sweep over the graph
    (`gradient_expressions`). Small formulas go through SymPy's ``simplify``;
    larger ones (over `SIMPLIFY_LIMIT` operations, where ``simplify`` can take
    minutes) are only tidied with ``factor_terms``, and past `TIDY_LIMIT` kept
    as derived. Values are computed in one pass over each formula (`evaluate`).

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
    from adviz.core.tracing import one_output

    one_output(trace, "the symbolic gradient")
    sp = _sympy()
    try:
        return _gradients(sp, trace)
    except RecursionError:
        raise RenderError(
            f"the formula of {trace.output} is nested too deeply for SymPy "
            f"({len(trace.program.nodes)} nodes); draw it without the analytic gradient"
        ) from None


def _gradients(sp: Any, trace: Trace) -> dict[str, SymbolicGradient]:
    derivatives, symbols = gradient_expressions(trace)
    point = {symbols[name]: float(value) for name, value in trace.inputs.items()}
    result = {}
    values: dict[Any, float] = {}
    sizes: dict[Any, int] = {}  # the derivatives share subexpressions: each counted once
    printers: dict[str | None, Any] = {}  # ... and printed once (`memoised`)
    for name in symbols:
        formula = _simplify(sp, derivatives[name], sizes)
        result[name] = SymbolicGradient(
            name, formula, evaluate(formula, point, values), trace.grad[name], printers
        )
    return result
