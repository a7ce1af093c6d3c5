"""`from_jax`: a JAX function, read from its jaxpr, as a `Trace`.

`jax.make_jaxpr` gives the function's primitives in evaluation order; each
becomes one node on adviz's op table (adviz computes the values and the
local partials), literals and closed-over scalars become constants, and
calls (``jit``/``pjit``, ``custom_jvp_call``, ``custom_vjp_call``,
``closed_call``) are inlined.

====================================  ===================================
JAX primitive                         adviz op
====================================  ===================================
``add``, ``sub``, ``mul``, ``div``,   the op of the same name
``neg``, ``sin``, ``cos``, ``tan``,
``exp``, ``log``, ``sqrt``, ``tanh``,
``abs``, ``pow``
``integer_pow``                       ``pow`` with the constant exponent
``square``                            ``pow`` with exponent 2
``rsqrt``                             ``pow`` with exponent -0.5
``logistic``                          ``sigmoid``
``max`` with a literal 0              ``relu``
``convert_element_type``, ``copy``    no node (the value passes through)
a custom op's name                    that op (after `adviz.register_op`)
====================================  ===================================

Any other primitive raises `OpError` naming it. Arguments and the result
must be scalars.

Examples
--------
>>> from adviz.core.importers.jax_graph import PRIMITIVES
>>> PRIMITIVES["logistic"], PRIMITIVES["integer_pow"]
('sigmoid', 'pow')
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from adviz.core.importers.common import ImportedTrace, ScalarGraph, check_options, require
from adviz.core.ops import OPS
from adviz.core.tracer import check_value
from adviz.errors import InputError, OpError, TraceError

PRIMITIVES = {
    "add": "add", "sub": "sub", "mul": "mul", "div": "div", "neg": "neg", "sin": "sin",
    "cos": "cos", "tan": "tan", "exp": "exp", "log": "log", "sqrt": "sqrt", "tanh": "tanh",
    "abs": "abs", "pow": "pow", "integer_pow": "pow", "square": "pow", "rsqrt": "pow",
    "logistic": "sigmoid", "max": "relu",
}
"""JAX primitive -> op of the table."""

_PASS = {"convert_element_type", "copy", "copy_p", "reduce_precision", "optimization_barrier"}
_CALLS = ("jaxpr", "call_jaxpr", "fun_jaxpr")


def _is_literal(atom: Any) -> bool:
    return type(atom).__name__ == "Literal"


def _scalar(value: Any, what: str) -> float:
    import numpy as np

    array = np.asarray(value)
    if array.shape != ():
        raise InputError(f"from_jax works on scalars; {what} has shape {array.shape}")
    return float(array)


class _Reader:
    def __init__(self, graph: ScalarGraph) -> None:
        self.graph = graph

    def run(self, jaxpr: Any, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
        env: dict[Any, Any] = {}
        for var, value in zip(jaxpr.constvars, consts):
            env[var] = _scalar(value, "a closed-over constant")
        for var, value in zip(jaxpr.invars, args):
            env[var] = value

        def read(atom: Any) -> Any:
            if _is_literal(atom):
                return _scalar(atom.val, "a literal")
            return env[atom]

        for eqn in jaxpr.eqns:
            name = eqn.primitive.name
            ins = [read(a) for a in eqn.invars]
            outs = self.equation(name, eqn, ins)
            for var, value in zip(eqn.outvars, outs):
                env[var] = value
        return [read(a) for a in jaxpr.outvars]

    def equation(self, name: str, eqn: Any, ins: list[Any]) -> list[Any]:
        params = eqn.params
        for key in _CALLS:
            if key in params:
                inner = params[key]
                jaxpr = getattr(inner, "jaxpr", inner)
                consts = getattr(inner, "consts", ())
                return self.run(jaxpr, consts, ins)
        for var in eqn.outvars:
            if tuple(getattr(var.aval, "shape", ())) != ():
                raise InputError(f"from_jax works on scalars; the primitive {name!r} makes an "
                                 f"array of shape {var.aval.shape}")
        if name in _PASS:
            return [ins[0]]
        emit = self.emit
        if name == "integer_pow":
            return [emit("pow", ins[0], float(params["y"]))]
        if name == "square":
            return [emit("pow", ins[0], 2.0)]
        if name == "rsqrt":
            return [emit("pow", ins[0], -0.5)]
        if name == "max":
            zeros = [k for k, v in enumerate(ins) if type(v) is float and v == 0.0]
            if len(ins) == 2 and zeros:
                return [emit("relu", ins[1 - zeros[0]])]
            raise OpError("the JAX primitive 'max' is mapped only as max(x, 0) (relu)")
        op = PRIMITIVES.get(name, name)
        if op not in OPS or OPS[op].arity != len(ins):
            raise OpError(f"the JAX primitive {name!r} has no entry in adviz's op table; "
                          f"register it with adviz.register_op({name!r}, forward, partials)")
        return [emit(op, *ins)]

    def emit(self, op: str, *args: Any) -> Any:
        if all(type(a) is float for a in args):
            return float(OPS[op].forward(*args))
        return self.graph.add(op, *args)


def _names(f: Callable[..., Any], count: int, names: Sequence[str] | None) -> list[str]:
    if names is not None:
        names = list(names)
        if len(names) != count or len(set(names)) != count:
            raise InputError(f"names must give {count} different names, one per argument")
        return names
    try:
        parameters = [p.name for p in inspect.signature(f).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    if len(parameters) >= count:
        return parameters[:count]
    return [f"x{k + 1}" for k in range(count)]


def from_jax(
    f: Callable[..., Any],
    *args: float,
    names: Sequence[str] | None = None,
    order: str = "seed",
    granularity: str = "node",
    output: str | None = None,
    prefix: str = "t",
    show_constants: bool = False,
) -> ImportedTrace:
    """Trace a scalar JAX function through its jaxpr.

    Parameters
    ----------
    f
        A function of scalars returning a scalar, written with ``jax.numpy``.
    *args
        The point: one number per argument.
    names
        The inputs' names (default: ``f``'s parameter names, else
        ``x1, x2, ...``).
    order, granularity, output, prefix, show_constants
        As for `adviz.trace`.

    Returns
    -------
    ImportedTrace
        Its adjoints equal ``jax.grad``'s (enable ``jax_enable_x64`` for
        float64 agreement).

    Raises
    ------
    OpError
        A primitive adviz cannot map (named in the message).
    MissingDependencyError
        JAX is not installed (``pip install 'adviz[jax]'``).

    Examples
    --------
    >>> import jax.numpy as jnp, adviz
    >>> t = adviz.from_jax(lambda x1, x2: (x1 - x2)**2 + jnp.cos(x1 + x2), 1.0, 2.0)
    >>> list(t.graph), {k: round(v, 5) for k, v in t.grad.items()}
    (['x1', 'x2', 't1', 't2', 't3', 't4', 'y'], {'x1': -2.14112, 'x2': 1.85888})
    """
    jax = require("jax", "jax")
    check_options(order, granularity, output, prefix, False)
    if not callable(f):
        raise InputError(f"from_jax takes a function, not {type(f).__name__}")
    labels = _names(f, len(args), names)
    point = {n: check_value(n, a) for n, a in zip(labels, args)}
    try:
        closed = jax.make_jaxpr(f)(*point.values())
    except (TraceError, InputError, OpError):
        raise
    except Exception as err:
        raise TraceError(f"jax.make_jaxpr failed on {getattr(f, '__name__', 'f')}: "
                         f"{type(err).__name__}: {err}") from err
    graph = ScalarGraph(point)
    outs = _Reader(graph).run(closed.jaxpr, closed.consts, list(range(len(point))))
    if len(outs) != 1:
        raise TraceError(f"from_jax needs one scalar result, not {len(outs)}")
    if type(outs[0]) is not int:
        raise TraceError("the function's result does not depend on its arguments: there is "
                         "nothing to differentiate")
    graph.output = outs[0]
    return graph.trace(getattr(f, "__name__", "jax function"), order=order,
                       granularity=granularity, output=output, prefix=prefix,
                       show_constants=show_constants, framework="jax")
