"""The op table: every elementary operation adviz knows, in one place.

Each `Op` carries its forward function, its local partial derivatives, its
symbol, the node formula and the partial formulas as plain text and LaTeX, and
the same forward function and partials in JavaScript for the interactive page.
Adding an op means adding one `Op` here, or calling `register_op` at run time;
the tracer, the expression parser, the graph, the stages, the checks and the
renderers all read this table and need no other change.

Templates are ``str.format`` strings over the argument texts (``"{0} - {1}"``)
or callables taking the list of argument texts.

Non-differentiable points follow one convention, the one PyTorch's autograd
uses: at a kink the partial is the subgradient of smallest magnitude
(``abs`` and ``relu`` have partial 0 at 0), and where the slope is unbounded
the partial is the one-sided limit (``sqrt`` and ``x**p`` with ``0 < p < 1``
have partial ``+inf`` at 0).

Examples
--------
>>> OPS["cos"].forward(0.0)
1.0
>>> OPS["mul"].partials(3.0, 4.0)
(4.0, 3.0)
>>> OPS["pow"].render_partial(0, ["t1", "2"])
'2*t1'
"""

from __future__ import annotations

import inspect
import keyword
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from adviz.errors import OpError
from adviz.formatting import format_number

Template = str | Callable[[Sequence[str]], str]
"""A formula template: a ``str.format`` string over argument texts, or a callable."""


@dataclass(frozen=True)
class Op:
    """One elementary operation of the op table.

    Parameters
    ----------
    name
        Identifier used in the graph (``node["op"]``) and, for functions, in
        expression strings (``cos(x)``).
    arity
        Number of arguments.
    forward
        Computes the value from float arguments. It raises `ValueError`,
        `ZeroDivisionError` or `OverflowError` outside its domain.
    partials
        Returns the tuple of partial derivatives with respect to each argument.
    symbol
        Short display symbol (``"+"``, ``"cos"``).
    expr, latex
        Node formula in terms of the argument texts, as plain text and LaTeX.
    partial_exprs, partial_latex
        One formula per argument for d(op)/d(argument).
    js_forward, js_partials
        The forward function and the partials as JavaScript expressions over
        ``a`` and ``b`` (``None`` when the op has no JavaScript form).
    function
        Whether the op is called by name (``cos(x)``) rather than written as an
        operator (``x + y``).
    """

    name: str
    arity: int
    forward: Callable[..., float]
    partials: Callable[..., tuple[float, ...]]
    symbol: str
    expr: Template
    latex: Template
    partial_exprs: tuple[Template, ...]
    partial_latex: tuple[Template, ...]
    js_forward: str | None = None
    js_partials: tuple[str, ...] | None = None
    function: bool = True
    doc: str = field(default="", compare=False)

    def render(self, args: Sequence[str], latex: bool = False) -> str:
        """Node formula for the given argument texts."""
        return _fill(self.latex if latex else self.expr, args)

    def render_partial(self, position: int, args: Sequence[str], latex: bool = False) -> str:
        """Formula of d(op)/d(argument ``position``) for the given argument texts."""
        templates = self.partial_latex if latex else self.partial_exprs
        return _fill(templates[position], args)


def _fill(template: Template, args: Sequence[str]) -> str:
    if callable(template):
        return template(args)
    return template.format(*args)


def _is_number_text(text: str) -> bool:
    try:
        float(text.strip("()"))
    except ValueError:
        return False
    return True


def _pow_base_partial_in(args: Sequence[str], latex: bool) -> str:
    """d(a**b)/da as a formula, simplified when the exponent is a number."""
    base, exponent = args
    times = " " if latex else "*"

    def power(reduced: str) -> str:
        if latex:
            return f"{base}^{{{reduced}}}"
        return f"{base}**({reduced})" if not _is_number_text(reduced) or reduced.startswith(
            "-") else f"{base}**{reduced}"

    if _is_number_text(exponent):
        n = float(exponent.strip("()"))
        if n - 1 == 0:
            return "1"
        if n - 1 == 1:
            return f"{exponent}{times}{base}"
        return f"{exponent}{times}{power(format_number(n - 1))}"
    return f"{exponent}{times}{power(f'{exponent} - 1')}"


def _pow_base_partial(args: Sequence[str]) -> str:
    return _pow_base_partial_in(args, latex=False)


def _pow_base_partial_latex(args: Sequence[str]) -> str:
    return _pow_base_partial_in(args, latex=True)


def _pow_forward(a: float, b: float) -> float:
    return math.pow(a, b)


def _pow_partials(a: float, b: float) -> tuple[float, float]:
    if a == 0.0:
        if b == 0.0 or b > 1.0:
            d_base = 0.0
        elif b == 1.0:
            d_base = 1.0
        else:
            d_base = math.inf
    else:
        d_base = b * math.pow(a, b - 1.0)
    if a > 0.0:
        d_exponent = math.pow(a, b) * math.log(a)
    elif a == 0.0 and b > 0.0:
        d_exponent = 0.0
    else:
        d_exponent = math.nan
    return d_base, d_exponent


def _div_partials(a: float, b: float) -> tuple[float, float]:
    return 1.0 / b, -a / (b * b)


def _sign(a: float) -> float:
    return 1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)


def _sigmoid(a: float) -> float:
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_partials(a: float) -> tuple[float]:
    s = _sigmoid(a)
    return (s * (1.0 - s),)


def _sqrt_partials(a: float) -> tuple[float]:
    return (math.inf if a == 0.0 else 0.5 / math.sqrt(a),)


def _tan_partials(a: float) -> tuple[float]:
    t = math.tan(a)
    return (1.0 + t * t,)


def _tanh_partials(a: float) -> tuple[float]:
    t = math.tanh(a)
    return (1.0 - t * t,)


def _unary(
    name: str,
    forward: Callable[[float], float],
    partial: Callable[[float], tuple[float]],
    partial_text: str,
    latex: str,
    partial_latex: str,
    js_forward: str,
    js_partial: str,
    doc: str,
) -> Op:
    return Op(
        name=name,
        arity=1,
        forward=forward,
        partials=partial,
        symbol=name,
        expr=name + "({0})",
        latex=latex,
        partial_exprs=(partial_text,),
        partial_latex=(partial_latex,),
        js_forward=js_forward,
        js_partials=(js_partial,),
        doc=doc,
    )


_BUILTIN: tuple[Op, ...] = (
    Op("add", 2, lambda a, b: a + b, lambda a, b: (1.0, 1.0), "+", "{0} + {1}",
       "{0} + {1}", ("1", "1"), ("1", "1"), "a + b", ("1", "1"), function=False,
       doc="addition a + b"),
    Op("sub", 2, lambda a, b: a - b, lambda a, b: (1.0, -1.0), "-", "{0} - {1}",
       "{0} - {1}", ("1", "-1"), ("1", "-1"), "a - b", ("1", "-1"), function=False,
       doc="subtraction a - b"),
    Op("mul", 2, lambda a, b: a * b, lambda a, b: (b, a), "*", "{0}*{1}",
       r"{0} \cdot {1}", ("{1}", "{0}"), ("{1}", "{0}"), "a * b", ("b", "a"),
       function=False, doc="multiplication a * b"),
    Op("div", 2, lambda a, b: a / b, _div_partials, "/", "{0}/{1}",
       r"\frac{{{0}}}{{{1}}}", ("1/{1}", "-{0}/{1}**2"),
       (r"\frac{{1}}{{{1}}}", r"-\frac{{{0}}}{{{1}^{{2}}}}"), "a / b",
       ("1 / b", "-a / (b * b)"), function=False, doc="division a / b"),
    Op("pow", 2, _pow_forward, _pow_partials, "**", "{0}**{1}", "{{{0}}}^{{{1}}}",
       (_pow_base_partial, "{0}**{1}*log({0})"),
       (_pow_base_partial_latex, r"{0}^{{{1}}} \log {0}"), "Math.pow(a, b)",
       ("b === 1 ? 1 : (a === 0 ? (b === 0 || b > 1 ? 0 : Infinity) : b * Math.pow(a, b - 1))",
        "a > 0 ? Math.pow(a, b) * Math.log(a) : (a === 0 && b > 0 ? 0 : NaN)"),
       function=False, doc="power a ** b"),
    Op("neg", 1, lambda a: -a, lambda a: (-1.0,), "-", "-{0}", "-{0}", ("-1",),
       ("-1",), "-a", ("-1",), function=False, doc="negation -a"),
    _unary("abs", math.fabs, lambda a: (_sign(a),), "sign({0})", r"\left|{0}\right|",
           r"\operatorname{{sign}}({0})", "Math.abs(a)", "Math.sign(a)",
           "absolute value abs(a) (partial 0 at 0)"),
    _unary("sin", math.sin, lambda a: (math.cos(a),), "cos({0})", r"\sin({0})",
           r"\cos({0})", "Math.sin(a)", "Math.cos(a)", "sine"),
    _unary("cos", math.cos, lambda a: (-math.sin(a),), "-sin({0})", r"\cos({0})",
           r"-\sin({0})", "Math.cos(a)", "-Math.sin(a)", "cosine"),
    _unary("tan", math.tan, _tan_partials, "1 + tan({0})**2", r"\tan({0})",
           r"1 + \tan^{{2}}({0})", "Math.tan(a)", "1 + Math.tan(a) * Math.tan(a)", "tangent"),
    _unary("exp", math.exp, lambda a: (math.exp(a),), "exp({0})", r"\exp({0})",
           r"\exp({0})", "Math.exp(a)", "Math.exp(a)", "exponential"),
    _unary("log", math.log, lambda a: (1.0 / a,), "1/{0}", r"\log({0})",
           r"\frac{{1}}{{{0}}}", "Math.log(a)", "1 / a", "natural logarithm"),
    _unary("sqrt", math.sqrt, _sqrt_partials, "1/(2*sqrt({0}))", r"\sqrt{{{0}}}",
           r"\frac{{1}}{{2\sqrt{{{0}}}}}", "Math.sqrt(a)",
           "a === 0 ? Infinity : 0.5 / Math.sqrt(a)", "square root (partial +inf at 0)"),
    _unary("tanh", math.tanh, _tanh_partials, "1 - tanh({0})**2", r"\tanh({0})",
           r"1 - \tanh^{{2}}({0})", "Math.tanh(a)", "1 - Math.tanh(a) * Math.tanh(a)",
           "hyperbolic tangent"),
    _unary("sigmoid", _sigmoid, _sigmoid_partials, "sigmoid({0})*(1 - sigmoid({0}))",
           r"\sigma({0})", r"\sigma({0})\,(1 - \sigma({0}))",
           "a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))",
           "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))"
           " * (1 - (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))))",
           "logistic sigmoid 1/(1 + exp(-a))"),
    _unary("relu", lambda a: a if a > 0.0 else 0.0, lambda a: (1.0 if a > 0.0 else 0.0,),
           "[{0} > 0]", r"\operatorname{{relu}}({0})", r"[{0} > 0]",
           "a > 0 ? a : 0", "a > 0 ? 1 : 0", "rectified linear unit max(a, 0) (partial 0 at 0)"),
)

OPS: dict[str, Op] = {op.name: op for op in _BUILTIN}
"""The op table, by name. Read it; change it only through `register_op`."""

BUILTIN_NAMES: frozenset[str] = frozenset(OPS)


def functions() -> list[str]:
    """Names of the ops callable by name, e.g. in expression strings.

    Examples
    --------
    >>> "cos" in functions() and "add" not in functions()
    True
    """
    return sorted(name for name, op in OPS.items() if op.function)


def _arity_of(forward: Callable[..., float]) -> int:
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError) as err:
        raise OpError("cannot read the forward function's signature: pass arity=") from err
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        raise OpError("the forward function takes *args: pass arity=")
    return sum(1 for p in parameters if p.kind in positional and p.default is p.empty)


def _normalised_partials(
    name: str, arity: int, partials: Callable[..., object]
) -> Callable[..., tuple[float, ...]]:
    def checked(*args: float) -> tuple[float, ...]:
        result = partials(*args)
        values: tuple[object, ...]
        if isinstance(result, (tuple, list)):
            values = tuple(result)
        else:
            values = (result,)
        if len(values) != arity:
            raise OpError(
                f"partials of {name!r} returned {len(values)} value(s) for {arity} argument(s)"
            )
        return tuple(float(v) for v in values)  # type: ignore[arg-type]

    return checked


def register_op(
    name: str,
    forward: Callable[..., float],
    partials: Callable[..., object],
    *,
    arity: int | None = None,
    expr: Template | None = None,
    latex: Template | None = None,
    partial_exprs: Sequence[Template] | None = None,
    partial_latex: Sequence[Template] | None = None,
    js_forward: str | None = None,
    js_partials: Sequence[str] | None = None,
    replace: bool = False,
) -> Callable[..., object]:
    """Add a custom op to the table and return the function that applies it.

    After registration the op works everywhere: in traced Python functions
    (through the returned function), in expression strings (by ``name``), in
    the graph, the stages, the walkthrough and the gradient checks.

    Parameters
    ----------
    name
        A Python identifier, not already in the table (unless ``replace``).
    forward
        ``forward(a, b, ...) -> float`` on plain floats.
    partials
        ``partials(a, b, ...)`` returning one float per argument (a single
        float is accepted for unary ops).
    arity
        Number of arguments; read from ``forward``'s signature when omitted.
    expr, latex
        Node formula templates; default ``name(a, b)``.
    partial_exprs, partial_latex
        Partial formula templates, one per argument; default ``name'(a)``
        for unary ops and ``D1 name(a, b)`` style otherwise.
    js_forward, js_partials
        JavaScript expressions over ``a``, ``b``, ``c``, ... for the
        interactive page; without them that page falls back to the player.
        They are code that runs when the page opens: each must be a single
        expression over the arguments with numbers, operators, ``? :`` and
        ``Math.*`` functions only (`adviz.core.jsexpr.check_js`); anything
        else (statements, other names or calls, strings) raises `OpError`.
    replace
        Allow replacing an existing custom op of the same name.

    Raises
    ------
    OpError
        A bad name, arity or partial count; a template that cannot be filled
        with ``arity`` arguments (such as a stray ``{`` in a LaTeX template:
        write ``{{``); JavaScript forms that are not a single allowed
        expression.

    Returns
    -------
    callable
        ``f(*args)`` applying the op to traced values or plain numbers.

    Examples
    --------
    >>> import math, adviz
    >>> softplus = adviz.register_op(
    ...     "softplus", lambda a: math.log1p(math.exp(a)),
    ...     lambda a: 1 / (1 + math.exp(-a)), replace=True)
    >>> t = adviz.trace(lambda x: softplus(2 * x), x=0.0)
    >>> round(t.grad["x"], 6)
    1.0
    >>> adviz.unregister_op("softplus")
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise OpError(f"op name {name!r} must be a Python identifier")
    if name in BUILTIN_NAMES:
        raise OpError(f"{name!r} is a built-in op and cannot be replaced")
    if name in OPS and not replace:
        raise OpError(f"op {name!r} is already registered: pass replace=True to redefine it")
    if not callable(forward) or not callable(partials):
        raise OpError("forward and partials must be callables")
    n = _arity_of(forward) if arity is None else int(arity)
    if n < 1:
        raise OpError(f"op {name!r} must take at least one argument")
    letters = ", ".join("{" + str(k) + "}" for k in range(n))
    default_partials = (
        (name + "'({0})",) if n == 1 else tuple(f"D{k + 1}{name}({letters})" for k in range(n))
    )
    default_partials_latex = (
        (name + "'({0})",)
        if n == 1
        else tuple(
            "\\partial_{{" + str(k + 1) + "}}\\operatorname{{" + name + "}}(" + letters + ")"
            for k in range(n)
        )
    )
    texts = tuple(partial_exprs) if partial_exprs is not None else default_partials
    latexes = tuple(partial_latex) if partial_latex is not None else default_partials_latex
    if len(texts) != n or len(latexes) != n:
        raise OpError(f"op {name!r}: give one partial formula per argument ({n})")
    if js_partials is not None and len(js_partials) != n:
        raise OpError(f"op {name!r}: give one JavaScript partial per argument ({n})")
    from adviz.core.jsexpr import check_js

    for code in [*([js_forward] if js_forward is not None else []), *(js_partials or [])]:
        check_js(code, n)
    for what, template in [("expr", expr), ("latex", latex),
                           *[("partial_exprs", t) for t in texts],
                           *[("partial_latex", t) for t in latexes]]:
        if template is not None:
            _check_template(name, what, template, n)
    op = Op(
        name=name,
        arity=n,
        forward=forward,
        partials=_normalised_partials(name, n, partials),
        symbol=name,
        expr=expr if expr is not None else f"{name}({letters})",
        latex=latex if latex is not None else "\\operatorname{{" + name + "}}(" + letters + ")",
        partial_exprs=texts,
        partial_latex=latexes,
        js_forward=js_forward,
        js_partials=tuple(js_partials) if js_partials is not None else None,
        doc=getattr(forward, "__doc__", None) or f"custom op {name}",
    )
    OPS[name] = op
    from adviz.core.tracer import function_for

    return function_for(op)


def _check_template(name: str, what: str, template: object, arity: int) -> None:
    """Render a template once with placeholder arguments; `OpError` when it cannot render."""
    args = [f"a{k}" for k in range(arity)]
    try:
        if isinstance(template, str):
            text = template.format(*args)
        elif callable(template):
            text = template(args)
        else:
            raise TypeError(f"a template must be a string or a callable, not "
                            f"{type(template).__name__}")
        if not isinstance(text, str):
            raise TypeError(f"it returned {type(text).__name__}, not a string")
    except Exception as err:
        hint = " (write a literal brace as {{ or }})" if isinstance(template, str) else ""
        raise OpError(f"op {name!r}: the {what} template {template!r:.60} cannot be filled with "
                      f"{arity} argument(s): {type(err).__name__}: {err}{hint}") from None


def unregister_op(name: str) -> None:
    """Remove a custom op from the table (built-in ops stay).

    Examples
    --------
    >>> import adviz
    >>> _ = adviz.register_op("twice", lambda a: 2 * a, lambda a: 2.0, replace=True)
    >>> adviz.unregister_op("twice")
    >>> "twice" in OPS
    False
    """
    if name in BUILTIN_NAMES:
        raise OpError(f"{name!r} is a built-in op and cannot be removed")
    if OPS.pop(name, None) is None:
        raise OpError(f"no custom op named {name!r}")
