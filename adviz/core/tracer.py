"""The tracer: a value type that records every elementary operation on a tape.

The tape is a list of `Var` nodes in evaluation order. Each node holds its
value, its op and its arguments (parent nodes, or float constants folded into
the op), about 120 bytes per op in all. The hot operators are written out by
hand, and the NetworkX graph is built from the tape on demand, never used as
the working store.

Examples
--------
>>> tape = Tape()
>>> x = tape.input("x", 3.0)
>>> y = x * x + 1
>>> y.value, y.op.name, y.b, y.a.op.name, y.a.a is x
(10.0, 'add', 1.0, 'mul', True)
"""

from __future__ import annotations

import gc
import inspect
import math
import numbers
import os
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from adviz.core.ops import OPS, Op
from adviz.errors import DomainError, InputError, TraceError
from adviz.formatting import format_constant

Record = tuple[Any, ...]

_ARITHMETIC = (ValueError, ZeroDivisionError, OverflowError)

_UFUNC_OPS = {
    "add": "add", "subtract": "sub", "multiply": "mul", "divide": "div",
    "true_divide": "div", "power": "pow", "negative": "neg", "absolute": "abs",
    "fabs": "abs", "sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp",
    "log": "log", "sqrt": "sqrt", "tanh": "tanh",
}


class Tape(list["Var"]):
    """The nodes of one trace (`Var` objects), in evaluation order.

    An input node has ``op = None`` and its name in ``a``. An op node has its
    `Op` in ``op`` and its arguments in ``a`` and ``b``: a parent `Var` or a
    ``float`` constant each; ``b`` is `UNARY` for one argument, and `NARY`
    for three or more (``a`` then holds the tuple of arguments).

    Parameters
    ----------
    prefix
        Prefix of the provisional intermediate names used in error messages.
    """

    __slots__ = ("closed", "labels", "prefix", "scopes")

    def __init__(self, prefix: str = "t") -> None:
        super().__init__()
        self.labels: dict[int, str] = {}
        self.scopes: list[tuple[str, int, int]] = []
        self.prefix = prefix
        self.closed = False

    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def input(self, name: str, value: float) -> Var:
        """Add an input node (no op, its name in ``a``) and return its traced value."""
        return self.push(None, name, UNARY, value)

    def push(self, op: Op | None, a: Any, b: Any, value: float) -> Var:
        """Append a node with its op (``None`` for an input), arguments and value."""
        var = _new(Var)
        var.value = value
        var.op = op
        var.a = a
        var.b = b
        var.tape = self
        var.grad = None
        self.append(var)
        return var

    def finish(self) -> None:
        """Detach the nodes from the tape: later operations on them raise `TraceError`."""
        for var in self:
            var.tape = _FINISHED
        self.closed = True

    def position(self, var: Var) -> int:
        """Position of a node on the tape (a linear search: for error messages)."""
        for i in range(len(self) - 1, -1, -1):
            if self[i] is var:
                return i
        raise TraceError("the value is not on this tape")

    def provisional_name(self, var: Var) -> str:
        """A node's name as error messages show it while tracing."""
        if id(var) in self.labels:
            return self.labels[id(var)]
        if var.op is None:
            return str(var.a)
        position = self.position(var)
        ops_before = sum(1 for node in self[:position] if node.op is not None)
        return f"{self.prefix}{ops_before + 1}"

    def next_name(self) -> str:
        """The provisional name the next op node would get."""
        return f"{self.prefix}{sum(1 for node in self if node.op is not None) + 1}"

    def domain_error(self, op: Op, args: tuple[Any, ...], err: Exception) -> NoReturn:
        """Raise a `DomainError` naming the node being created and its arguments."""
        texts = [
            self.provisional_name(a) if isinstance(a, Var) else _const_text(a) for a in args
        ]
        where = ", ".join(
            f"{text} = {a.value!r}" for text, a in zip(texts, args) if isinstance(a, Var)
        )
        problem = "overflows" if isinstance(err, OverflowError) else "is undefined"
        if isinstance(err, ZeroDivisionError):
            problem = "divides by zero"
        raise DomainError(
            f"{self.next_name()} = {op.render(texts)}: {op.name} {problem} at {where}"
        ) from err


class _FinishedTape:
    """Stands in for the tape of a finished trace: recording into it is an error."""

    __slots__ = ()

    def append(self, var: object) -> None:
        raise TraceError(
            "this value belongs to a finished trace; trace the whole computation in one "
            "function call"
        )


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNARY = _Marker("UNARY")
"""``b`` of a node with one argument."""
NARY = _Marker("NARY")
"""``b`` of a node with three or more arguments (``a`` holds their tuple)."""
_FINISHED: Any = _FinishedTape()

_RECORDING: list[Tape] = []
"""Tapes being recorded, innermost last (`scope` groups nodes of the innermost)."""


class scope:
    """Group the nodes created inside a ``with`` block under a label.

    Renderers draw a scope as a labelled cluster, or as one box with
    ``collapse=[label]``. Scopes nest. Outside a trace (for example while
    the function runs on plain numbers) a scope does nothing.

    Parameters
    ----------
    label
        The group's label, e.g. ``"neuron 1"``.

    Examples
    --------
    >>> import adviz
    >>> def f(x, w):
    ...     with adviz.scope("neuron"):
    ...         h = adviz.tanh(w * x)
    ...     return h * h
    >>> t = adviz.trace(f, x=1.0, w=0.5)
    >>> {n: s for n, s in t.graph.nodes(data="scope") if s}
    {'t1': ('neuron',), 't2': ('neuron',)}
    """

    def __init__(self, label: str) -> None:
        from adviz.core.names import check_name

        self.label = check_name(label, "the scope label", TraceError)
        self._tape: Tape | None = None
        self._start = 0

    def __enter__(self) -> scope:
        if _RECORDING:
            self._tape = _RECORDING[-1]
            self._start = len(self._tape)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tape is not None:
            self._tape.scopes.append((self.label, self._start, len(self._tape)))
            self._tape = None


def _const_text(value: float) -> str:
    text = format_constant(value)
    return f"({text})" if text.startswith("-") else text


def as_constant(value: object) -> float | None:
    """A plain real number as a float, or ``None`` for anything else.

    Examples
    --------
    >>> as_constant(2), as_constant("2")
    (2.0, None)
    """
    if type(value) is float:
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    return None


class Var:
    """A traced scalar: behaves like a float and records what is done to it.

    Arithmetic operators, comparisons (which follow the forward values, so
    ``if x > 0:`` records the branch taken) and numpy ufuncs such as
    ``np.cos`` work on it; `math` functions do not, use ``adviz.cos`` etc.

    Attributes
    ----------
    value
        The forward value.
    op
        The `Op` that made it, or ``None`` for an input.
    a, b
        Its arguments (parent `Var` or float constant); see `Tape`.
    grad
        The adjoint after the reverse pass (``None`` where not reached).
    """

    __slots__ = ("a", "b", "grad", "op", "tape", "value")

    value: float
    op: Op | None
    a: Any
    b: Any
    tape: Tape
    grad: float | None

    def __repr__(self) -> str:
        tape = self.tape
        name = tape.provisional_name(self) if isinstance(tape, Tape) else "finished"
        return f"Var({name}={self.value!r})"

    def _binary(self, other: object, op: Op, reflected: bool) -> Var:
        tape = self.tape
        if type(other) is Var:
            if other.tape is not tape:
                raise TraceError("values from two different traces cannot be combined")
            a, b = (other, self) if reflected else (self, other)
            try:
                value = op.forward(a.value, b.value)
            except _ARITHMETIC as err:
                tape.domain_error(op, (a, b), err)
            return tape.push(op, a, b, value)
        c = as_constant(other)
        if c is None:
            return NotImplemented
        try:
            value = op.forward(c, self.value) if reflected else op.forward(self.value, c)
        except _ARITHMETIC as err:
            tape.domain_error(op, (c, self) if reflected else (self, c), err)
        if reflected:
            return tape.push(op, c, self, value)
        return tape.push(op, self, c, value)

    # The hot paths (+ and * with a float or a Var of the same trace) are written out.
    def __add__(self, other: object) -> Var:
        if type(other) is float:
            value = self.value + other
        elif type(other) is Var and other.tape is self.tape:
            value = self.value + other.value
        else:
            return self._binary(other, _ADD, False)
        var = _new(Var)
        var.value = value
        var.op = _ADD
        var.a = self
        var.b = other
        var.grad = None
        var.tape = tape = self.tape
        tape.append(var)
        return var

    def __radd__(self, other: object) -> Var:
        return self._binary(other, _ADD, True)

    def __sub__(self, other: object) -> Var:
        return self._binary(other, _SUB, False)

    def __rsub__(self, other: object) -> Var:
        return self._binary(other, _SUB, True)

    def __mul__(self, other: object) -> Var:
        if type(other) is float:
            value = self.value * other
        elif type(other) is Var and other.tape is self.tape:
            value = self.value * other.value
        else:
            return self._binary(other, _MUL, False)
        var = _new(Var)
        var.value = value
        var.op = _MUL
        var.a = self
        var.b = other
        var.grad = None
        var.tape = tape = self.tape
        tape.append(var)
        return var

    def __rmul__(self, other: object) -> Var:
        return self._binary(other, _MUL, True)

    def __truediv__(self, other: object) -> Var:
        return self._binary(other, _DIV, False)

    def __rtruediv__(self, other: object) -> Var:
        return self._binary(other, _DIV, True)

    def __pow__(self, other: object, modulo: object = None) -> Var:
        if modulo is not None:
            return NotImplemented
        if type(other) is Var and self.value < 0.0:
            _negative_base(self, other)
        return self._binary(other, _POW, False)

    def __rpow__(self, other: object) -> Var:
        c = as_constant(other)
        if c is not None and c < 0.0:
            _negative_base(c, self)
        return self._binary(other, _POW, True)

    def __neg__(self) -> Var:
        return self.tape.push(_NEG, self, UNARY, -self.value)

    def __pos__(self) -> Var:
        return self

    def __abs__(self) -> Var:
        return apply(OPS["abs"], self)  # type: ignore[no-any-return,unused-ignore]

    # Comparisons follow the forward values: control flow records the branch taken.
    def __lt__(self, other: object) -> bool:
        return self.value < _plain(other)

    def __le__(self, other: object) -> bool:
        return self.value <= _plain(other)

    def __gt__(self, other: object) -> bool:
        return self.value > _plain(other)

    def __ge__(self, other: object) -> bool:
        return self.value >= _plain(other)

    def __eq__(self, other: object) -> bool:
        c = _plain_or_none(other)
        return c is not None and self.value == c

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return self.value != 0.0

    def __float__(self) -> float:
        raise TraceError(
            "a traced value cannot be turned into a plain float: the operation would not be "
            "recorded. Functions of the math module (math.cos, math.exp, ...) do this; use "
            "adviz.cos, adviz.exp, ... instead"
        )

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = _UFUNC_OPS.get(getattr(ufunc, "__name__", ""))
        if method != "__call__" or kwargs or name is None:
            raise TraceError(
                f"numpy.{getattr(ufunc, '__name__', ufunc)} has no entry in adviz's op table; "
                f"use one of adviz's functions ({', '.join(sorted(set(_UFUNC_OPS.values())))})"
            )
        args = [a.item() if hasattr(a, "item") and not isinstance(a, Var) else a for a in inputs]
        return apply(OPS[name], *args)


_new = object.__new__


def _plain(other: object) -> float:
    value = _plain_or_none(other)
    if value is None:
        raise TypeError(f"cannot compare a traced value with {type(other).__name__}")
    return value


def _plain_or_none(other: object) -> float | None:
    if isinstance(other, Var):
        return other.value
    return as_constant(other)


def _negative_base(base: Var | float, exponent: Var) -> NoReturn:
    tape = exponent.tape
    base_text = tape.provisional_name(base) if isinstance(base, Var) else _const_text(base)
    value = base.value if isinstance(base, Var) else base
    raise DomainError(
        f"{tape.next_name()} = {base_text}**{tape.provisional_name(exponent)}: a traced "
        f"exponent needs a base >= 0 (the partial by the exponent is log(base)), but "
        f"{base_text} = {value!r}"
    )


_ADD, _SUB, _MUL, _DIV, _POW, _NEG = (OPS[n] for n in ("add", "sub", "mul", "div", "pow", "neg"))


def apply(op: Op, *args: object) -> Any:
    """Apply an op to traced values or plain numbers.

    With no traced argument this is plain evaluation and returns a float; a
    domain error raises `DomainError` either way.

    Examples
    --------
    >>> apply(OPS["cos"], 0.0)
    1.0
    """
    if len(args) != op.arity:
        raise TypeError(f"{op.name}() takes {op.arity} argument(s) ({len(args)} given)")
    tape: Tape | None = None
    values: list[float] = []
    slots: list[Var | float] = []
    for arg in args:
        if isinstance(arg, Var):
            if tape is None:
                tape = arg.tape
            elif arg.tape is not tape:
                raise TraceError("values from two different traces cannot be combined")
            values.append(arg.value)
            slots.append(arg)
        else:
            c = as_constant(arg)
            if c is None:
                raise TypeError(
                    f"{op.name}() takes numbers or traced values, not {type(arg).__name__}"
                )
            values.append(c)
            slots.append(c)
    try:
        value = float(op.forward(*values))
    except _ARITHMETIC as err:
        if tape is None:
            problem = "overflows" if isinstance(err, OverflowError) else "is undefined"
            at = ", ".join(repr(v) for v in values)
            raise DomainError(f"{op.name} {problem} at {at}") from err
        tape.domain_error(op, args, err)
    if tape is None:
        return value
    if op.name == "pow" and isinstance(slots[1], Var) and values[0] < 0.0:
        _negative_base(slots[0], slots[1])
    if op.arity == 1:
        return tape.push(op, slots[0], UNARY, value)
    if op.arity == 2:
        return tape.push(op, slots[0], slots[1], value)
    return tape.push(op, tuple(slots), NARY, value)


def function_for(op: Op) -> Callable[..., Any]:
    """The user-facing function of an op: works on traced values and plain numbers.

    Examples
    --------
    >>> function_for(OPS["exp"])(0.0)
    1.0
    """

    def function(*args: object) -> Any:
        return apply(OPS.get(op.name, op), *args)

    function.__name__ = op.name
    function.__qualname__ = op.name
    formula = op.render([chr(97 + k) for k in range(op.arity)])
    function.__doc__ = (
        f"{op.doc[:1].upper()}{op.doc[1:]}: ``{formula}``."
        "\n\nWorks on traced values (the call is recorded) and on plain numbers."
    )
    return function


def input_names(f: Callable[..., Any]) -> list[str]:
    """Parameter names of a traced function, in order (its inputs).

    Examples
    --------
    >>> input_names(lambda x1, x2: x1)
    ['x1', 'x2']
    """
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError) as err:
        raise TraceError(f"cannot read the parameters of {f!r}") from err
    names = []
    for p in parameters:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise TraceError(
                f"{_fname(f)} takes *{p.name}: adviz needs one named parameter per input"
            )
        names.append(p.name)
    return names


def defaults_of(f: Callable[..., Any]) -> dict[str, Any]:
    """Default values of a function's parameters (the point when none is given)."""
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not p.empty}


def _fname(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", type(f).__name__)


def check_value(name: str, value: object) -> float:
    """Validate one input value: a finite real number.

    Examples
    --------
    >>> check_value("x", 2)
    2.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(
            f"input {name!r} must be a real number, not {type(value).__name__} ({value!r:.40})"
        )
    try:
        number = float(value)
    except OverflowError:
        raise InputError(f"input {name!r} is too large for a float ({value!r:.40}...); inputs "
                         f"must be finite numbers") from None
    if not math.isfinite(number):
        raise InputError(f"input {name!r} is {number!r}: inputs must be finite numbers")
    return number


class _ExitCalled(BaseException):
    """``os._exit`` called by a traced function (it would end the process)."""


def guarded_call(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call user code that must return its result: ``sys.exit`` or ``os._exit`` inside it
    raise a `TraceError` instead of ending the process.

    Examples
    --------
    >>> import sys
    >>> try:
    ...     guarded_call(lambda: sys.exit(3))
    ... except TraceError as err:
    ...     print(str(err)[:36])
    <lambda> called sys.exit(3) while be
    """
    real_exit = os._exit

    def refuse_exit(code: int) -> NoReturn:
        raise _ExitCalled(f"os._exit({code!r})")

    os._exit = refuse_exit  # type: ignore[assignment]
    try:
        return f(*args, **kwargs)
    except SystemExit as err:
        raise TraceError(f"{_fname(f)} called sys.exit({err.code!r}) while being traced; "
                         f"a traced function must return its result") from None
    except _ExitCalled as err:
        raise TraceError(f"{_fname(f)} called {err} while being traced; a traced function "
                         f"must return its result") from None
    finally:
        os._exit = real_exit


def record(
    f: Callable[..., Any],
    inputs: Mapping[str, float],
    *,
    keyword_only: frozenset[str] = frozenset(),
    prefix: str = "t",
) -> tuple[Tape, Var]:
    """Run ``f`` on traced inputs and return the finished tape and the output node.

    The garbage collector is paused while recording: the tape holds no
    reference cycles, and collecting a young generation that only grows would
    cost more than the recording itself.

    Parameters
    ----------
    f
        The function; it receives one traced value per input.
    inputs
        Input name to value, in argument order (already validated).
    keyword_only
        Names passed by keyword instead of by position.
    prefix
        Prefix for provisional intermediate names in error messages.
    """
    tape, result = record_outputs(f, inputs, keyword_only=keyword_only, prefix=prefix,
                                  several=False)
    assert isinstance(result, Var)
    return tape, result


def record_outputs(
    f: Callable[..., Any],
    inputs: Mapping[str, float],
    *,
    keyword_only: frozenset[str] = frozenset(),
    prefix: str = "t",
    several: bool = True,
) -> tuple[Tape, Var | tuple[Var, ...]]:
    """Like `record`, but ``f`` may also return a tuple or list of traced values.

    Returns the tape and the output node, or the tuple of output nodes (in the
    order returned) when ``f`` returned a tuple or list and ``several`` is true.

    Raises
    ------
    TraceError
        An output that is a constant, an input itself, the same node as another
        output, or not a traced value; an empty tuple.

    Examples
    --------
    >>> tape, outs = record_outputs(lambda x: (x * x, x + 1.0), {"x": 3.0})
    >>> [out.value for out in outs]
    [9.0, 4.0]
    """
    collecting = gc.isenabled()
    gc.disable()
    tape = Tape(prefix)
    _RECORDING.append(tape)
    positional: list[Var] = []
    keywords: dict[str, Var] = {}
    add_input = tape.input
    for name, value in inputs.items():
        if name in keyword_only:
            keywords[name] = add_input(name, value)
        else:
            positional.append(add_input(name, value))
    try:
        result = guarded_call(f, *positional, **keywords)
    except (TraceError, DomainError, InputError):
        raise
    except RecursionError as err:
        raise TraceError(f"{_fname(f)} recursed too deeply while being traced") from err
    except Exception as err:
        raise TraceError(f"{_fname(f)} raised {type(err).__name__}: {err}") from err
    finally:
        _RECORDING.pop()
        if collecting:
            gc.enable()
    if several and isinstance(result, (tuple, list)):
        return tape, _outputs(f, tape, result)
    return tape, _output(f, tape, result)


def _output(f: Callable[..., Any], tape: Tape, result: Any) -> Var:
    if hasattr(result, "item") and not isinstance(result, Var):
        try:
            result = result.item()
        except (TypeError, ValueError):
            pass
    if isinstance(result, Var):
        if result.tape is not tape:
            raise TraceError(f"{_fname(f)} returned a value from another trace")
        return result
    if as_constant(result) is not None:
        raise TraceError(
            f"{_fname(f)} returned the constant {result!r}, which does not depend on its "
            "inputs: there is nothing to differentiate"
        )
    raise TraceError(
        f"{_fname(f)} must return one traced number (a scalar), "
        f"but it returned {type(result).__name__}: {result!r:.60}"
    )


def _outputs(f: Callable[..., Any], tape: Tape, result: tuple[Any, ...] | list[Any],
             ) -> tuple[Var, ...]:
    """The output nodes of a function returning several values, checked one by one."""
    if not result:
        raise TraceError(f"{_fname(f)} returned an empty {type(result).__name__}: there is "
                         f"nothing to differentiate")
    outputs: list[Var] = []
    seen: dict[int, int] = {}
    for k, value in enumerate(result, start=1):
        if hasattr(value, "item") and not isinstance(value, Var):
            try:
                value = value.item()
            except (TypeError, ValueError):
                pass
        if not isinstance(value, Var):
            what = (f"the constant {value!r}, which does not depend on the inputs"
                    if as_constant(value) is not None
                    else f"a {type(value).__name__} ({value!r:.40}), not a traced number")
            raise TraceError(f"output {k} of {_fname(f)} is {what}: each returned value must "
                             f"be computed from the inputs")
        if value.tape is not tape:
            raise TraceError(f"output {k} of {_fname(f)} is a value from another trace")
        if value.op is None:
            raise TraceError(f"output {k} of {_fname(f)} is the input {value.a!r} itself: "
                             f"return a value computed from it (for example 1 * {value.a})")
        if id(value) in seen:
            raise TraceError(f"outputs {seen[id(value)]} and {k} of {_fname(f)} are the same "
                             f"value: each output must be a node of its own (return it once)")
        seen[id(value)] = k
        outputs.append(value)
    return tuple(outputs)
