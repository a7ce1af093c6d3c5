"""One output's reverse sweep of a vector trace, as a trace of its own; one forward-mode
sweep per input.

A trace with several outputs (``adviz.trace`` of a function returning a
tuple) has one reverse pass per output. `output_sweep` gives the same trace
seen through one of them: the same graph, program and forward stages (so a
picture lays the graph out once, with every output drawn as one), but its
``output``, ``value``, ``grad``, reverse stages and adjoints are those of the
chosen output. Nodes that output does not depend on receive no adjoint (an
input it does not depend on ends with 0, its entry of the Jacobian row).

Examples
--------
>>> import adviz
>>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
>>> y2 = output_sweep(t, "y2")
>>> y2.output, y2.outputs, list(y2.graph) == list(t.graph)
('y2', ('y1', 'y2'), True)
>>> round(y2.value, 5), round(y2.grad["a"], 5), y2.grad["b"], sorted(y2.adjoints)
(0.9093, -0.41615, 0.0, ['a', 'b', 'y2'])
>>> output_sweep(t, 2) is y2, output_sweep(t, None).output
(True, 'y1')

Forward mode goes the other way: one sweep per input (`input_sweeps`), each
giving every output's derivative along that input, a column of the Jacobian:

>>> [dict(s.derivatives) for s in input_sweeps(t)]
[{'y1': 3.0, 'y2': -0.4161468365471424}, {'y1': 2.0, 'y2': 0.0}]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adviz.core.stages import final_adjoints
from adviz.core.tracing import Trace
from adviz.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

    from adviz.core.forward import ForwardSweep
    from adviz.core.program import Program
    from adviz.core.stages import Stage

_SWEEPS = "_output_sweeps"
"""Where a vector trace keeps its sweeps (on itself: they refer back to it, so a weak
mapping from the trace to them would keep it alive)."""


class OutputSweep(Trace):
    """A vector trace seen through one output's reverse pass (build it with `output_sweep`).

    Attributes
    ----------
    base
        The vector trace.
    """

    def __init__(self, base: Trace, output: str) -> None:
        self.__dict__.update({k: v for k, v in base.__dict__.items()
                              if k not in ("reverse_stages", "adjoints", "graph", "program",
                                           "forward_stages", "jacobian", _SWEEPS,
                                           "_output_scenes")})
        self.base = base
        self._chosen = output
        self._position = base.output_position(output)
        self.value = float(base.value[base.outputs.index(output)])

    @property
    def program(self) -> Program:
        """The vector trace's program (every output)."""
        return self.base.program

    @property
    def graph(self) -> nx.DiGraph:
        """The vector trace's graph (every output; its ``adjoint`` attributes are the first
        output's)."""
        return self.base.graph

    @property
    def forward_stages(self) -> tuple[Stage, ...]:
        """The forward stages, shared by every output."""
        return self.base.forward_stages

    @property
    def jacobian(self) -> dict[str, dict[str, float]]:
        """The vector trace's Jacobian."""
        return self.base.jacobian

    @property
    def reverse_stages(self) -> tuple[Stage, ...]:
        """The chosen output's reverse stages (`Trace.reverse_stages_for`)."""
        return self.base.reverse_stages_for(self._chosen)

    @property
    def adjoints(self) -> dict[str, float]:
        """Final adjoints of the chosen output's reverse pass (only the nodes it reaches)."""
        cached = self.__dict__.get("_adjoints")
        if cached is None:
            program = self.base.program.for_output(self._position)
            cached = self.__dict__["_adjoints"] = final_adjoints(program, self.reverse_stages)
        return dict(cached)

    @property
    def output(self) -> str:
        """The chosen output's id."""
        return self._chosen

    @property
    def grad(self) -> dict[str, Any]:
        """The chosen output's row of the Jacobian: input name -> d(output)/d(input)."""
        return dict(self.base.jacobian[self._chosen])

    @grad.setter
    def grad(self, value: dict[str, Any]) -> None:
        raise AttributeError("the gradient of one output's sweep is its Jacobian row")

    def stages(self, phase: str) -> tuple[Stage, ...]:
        """The stages of ``"forward"`` or of the chosen output's ``"reverse"`` pass."""
        return self.reverse_stages if phase == "reverse" else self.base.stages(phase)

    def reverse_stages_for(self, output: str | int) -> tuple[Stage, ...]:
        """As for the vector trace."""
        return self.base.reverse_stages_for(output)

    def pick(self, output: str | int) -> Trace:
        """As for the vector trace."""
        return self.base.pick(output)

    def __repr__(self) -> str:
        return f"<reverse sweep for {self._chosen} of {self.base!r}>"


def output_sweep(trace: Trace, output: str | int | None = None) -> Trace:
    """A trace seen through the reverse pass of one of its outputs (cached).

    Parameters
    ----------
    trace
        A `Trace` (a sweep is taken of its vector trace).
    output
        An output's id (``"y2"``) or number (1 for the first); ``None``: the
        first output.

    Returns
    -------
    Trace
        ``trace`` itself when it has one output (``output`` must then name it),
        else the `OutputSweep` of the chosen output.

    Raises
    ------
    InputError
        ``output`` is not an output of ``trace`` (the message lists them).
    """
    base = trace.base if isinstance(trace, OutputSweep) else trace
    if not base.vector:
        check_output(base, output)
        return base
    if output is None and isinstance(trace, OutputSweep):
        return trace
    position = base.output_position(output)
    name = base.program.nodes[position].id
    sweeps: dict[str, OutputSweep] = base.__dict__.setdefault(_SWEEPS, {})
    sweep = sweeps.get(name)
    if sweep is None:
        sweep = sweeps[name] = OutputSweep(base, name)
    return sweep


def check_output(trace: Trace, output: str | int | None, where: str = "this trace") -> None:
    """Raise `InputError` when ``output`` is given and is not an output of ``trace``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> check_output(t, "y"), check_output(t, 1), check_output(t, None)
    (None, None, None)
    >>> check_output(t, "y2")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: output='y2' does not apply to this trace: its only output is 'y'
    """
    if output is None:
        return
    if isinstance(trace, OutputSweep) or trace.vector:
        trace.output_position(output)
        return
    if output == trace.output or output == 1:
        return
    raise InputError(f"output={output!r} does not apply to {where}: its only output is "
                     f"{trace.output!r}")


def sweeps(trace: Trace) -> tuple[Trace, ...]:
    """One trace per output: its reverse sweep (a scalar trace: itself).

    Examples
    --------
    >>> import adviz
    >>> [s.output for s in sweeps(adviz.trace(lambda a: (a * a, a + 1.0), a=1.0))]
    ['y1', 'y2']
    """
    base = trace.base if isinstance(trace, OutputSweep) else trace
    return tuple(output_sweep(base, name) for name in base.outputs)


def input_sweeps(trace: Trace) -> tuple[ForwardSweep, ...]:
    """One forward-mode sweep per input, in argument order, each seeded with that input's unit
    vector (`adviz.forward_mode`): sweep ``k``'s output tangents are d(output)/d(input k), the
    gradient's ``k``-th component (with several outputs, the Jacobian's ``k``-th column).

    Raises
    ------
    InputError
        A trace of tensors, or one without inputs (forward mode sweeps scalar nodes).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [(s.seeded, round(s.derivative, 5)) for s in input_sweeps(t)]
    [(('x1',), -2.14112), (('x2',), 1.85888)]
    """
    from adviz.core.forward import forward_mode

    base = trace.base if isinstance(trace, OutputSweep) else trace
    names = tuple(base.graph.graph["inputs"])
    if not names:
        raise InputError("this trace has no inputs: forward mode has nothing to seed")
    return tuple(forward_mode(trace, name) for name in names)
