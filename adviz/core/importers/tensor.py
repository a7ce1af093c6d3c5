"""Tensor nodes: one node per framework function, values and adjoints as NumPy arrays.

A tensor graph is a `Program` whose node values are NumPy arrays (a 0-d
result stays a float) and whose edges carry a `VJP` instead of a float
partial: multiplying the child's adjoint by it (``g_child * partial``, as the
reverse stages do for scalars) applies the vector-Jacobian product the
framework applies, and its text is the formula (``"g_t1 · w2"``). The
reverse stages, the graph, the state of every frame work unchanged on it.

Examples
--------
>>> import numpy as np
>>> v = VJP(lambda g: 2.0 * g, "2·g_y", (2,))
>>> 3.0 * v
array([6., 6.])
>>> str(v + 0)
'2·g_y'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adviz.core.ops import Op
from adviz.core.program import Node, Program
from adviz.core.stages import final_adjoints
from adviz.core.tracing import Trace
from adviz.errors import TraceError


def as_value(array: Any) -> Any:
    """A node value: a float for one number of 0 dimensions, else a float64 NumPy array."""
    import numpy as np

    result = np.array(array, dtype=np.float64)
    return float(result) if result.ndim == 0 else result


class VJP:
    """A vector-Jacobian product on a tensor edge: ``g_child * vjp`` is the contribution.

    Parameters
    ----------
    apply
        Maps the child's adjoint (an array of the child's shape) to the
        contribution to the parent's adjoint (the parent's shape).
    text
        The formula, e.g. ``"g_t1 · w2"``.
    shape
        The child's shape (a float adjoint is broadcast to it).
    """

    __array_ufunc__ = None  # NumPy defers ``array * vjp`` to `__rmul__`

    def __init__(self, apply: Callable[[Any], Any], text: str, shape: Sequence[int]) -> None:
        self.apply = apply
        self.text = text
        self.shape = tuple(shape)

    def __rmul__(self, upstream: Any) -> Any:
        import numpy as np

        g = np.broadcast_to(np.asarray(upstream, dtype=np.float64), self.shape).copy()
        return as_value(self.apply(g))

    __mul__ = __rmul__

    def __add__(self, other: Any) -> VJP:
        if isinstance(other, (int, float)) and other == 0:
            return self
        if not isinstance(other, VJP):
            return NotImplemented
        first, second = self.apply, other.apply
        return VJP(lambda g: first(g) + second(g), f"{self.text} + {other.text}", self.shape)

    __radd__ = __add__

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"VJP({self.text!r})"


def tensor_op(name: str, expr: str, vjp_texts: Sequence[str],
              vjps: Callable[..., tuple[Any, ...]]) -> Op:
    """An op for one tensor node: its formula, and per argument its VJP text and function.

    The templates are ``str.format`` strings over the argument names; the
    VJP texts may also use ``{g}`` for the child's adjoint, filled in before.
    """
    arity = len(vjp_texts)

    def forward(*args: Any) -> float:
        raise TraceError(f"the tensor op {name!r} is evaluated by its framework, not by adviz")

    return Op(
        name=name, arity=arity, forward=forward, partials=vjps, symbol=name,
        expr=expr, latex=expr.replace("·", r" \cdot ").replace("ᵀ", "^{{T}}"),
        partial_exprs=tuple(vjp_texts),
        partial_latex=tuple(t.replace("·", r" \cdot ").replace("ᵀ", "^{{T}}") for t in vjp_texts),
        function=True, doc=f"tensor op {name}",
    )


class TensorTrace(Trace):
    """A `Trace` whose nodes are tensors: one node per function the framework recorded.

    Values and adjoints are NumPy arrays (0-d ones are floats), each node has
    a ``shape``, each edge's partial is a `VJP`. ``grad`` maps each leaf to
    its adjoint: an array of the leaf's shape.

    Attributes
    ----------
    framework
        The framework the graph came from.
    recorded_order
        Node ids in the order the framework's backward pass processed them.
    """

    def __init__(self, program: Program, inputs: dict[str, Any], *, what: str, order: str,
                 granularity: str, framework: str) -> None:
        def function(*args: Any) -> Any:
            raise TraceError(f"the {what} is a tensor graph: import it again at another point")

        function.__name__ = what
        self.function = function
        self.tape = None  # type: ignore[assignment]
        self.output_node = None  # type: ignore[assignment]
        self.inputs = inputs
        self.order = order
        self.granularity = granularity
        self.prefix = "t"
        self.show_constants = True
        self._output_name = program.nodes[program.output].id
        self.framework = framework
        self.__dict__["program"] = program
        self.value = program.nodes[program.output].value
        adjoints = final_adjoints(program, self.reverse_stages)
        self.grad = {program.nodes[i].id: adjoints[program.nodes[i].id] for i in program.inputs}

    def __repr__(self) -> str:
        return (f"<TensorTrace {getattr(self.function, '__name__', 'graph')}: "
                f"value={self.value!r}, "
                f"{len(self.program.nodes)} nodes>")

    @property
    def recorded_order(self) -> list[str] | None:
        """Node ids in the order the framework's backward pass processed them."""
        recorded = self.program.recorded
        return None if recorded is None else [self.program.nodes[i].id for i in recorded]

    def retrace(self, inputs: Any) -> Trace:
        """Not available: a tensor graph is fixed at the point it was recorded."""
        raise TraceError("a tensor graph is fixed at its recorded point; build the framework's "
                         "computation again at the new point and import it again")

    def evaluate(self, inputs: Any) -> float:
        """Not available (see `retrace`)."""
        return self.retrace(inputs)  # type: ignore[return-value]


def build_program(nodes: list[Node], inputs: list[int], output: int,
                  recorded: Sequence[int] | None) -> Program:
    """A tensor `Program`; the recorded order is kept when it covers every op node once."""
    program = Program(tuple(nodes), tuple(inputs), output)
    if recorded is not None:
        ops = sorted(i for i, n in enumerate(nodes) if n.kind == "op")
        if sorted(recorded) == ops:
            program = Program(tuple(nodes), tuple(inputs), output, tuple(recorded))
    return program
