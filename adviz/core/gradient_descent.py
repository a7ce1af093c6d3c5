"""Gradient descent on a traced function: the seed page's closing experiment.

"Update the input variables in the direction of the negative gradient and
observe how the output changes." `descent` does exactly that, one full trace
(forward and reverse pass) per step, and records the trajectory.

Examples
--------
>>> import adviz
>>> run = adviz.descent("(x - 3)**2 + (y + 1)**2", {"x": 0.0, "y": 0.0}, lr=0.25, steps=50)
>>> run.reason, round(run.inputs[-1]["x"], 4), round(run.inputs[-1]["y"], 4)
('converged', 3.0, -1.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from adviz.core.tracing import Function, Trace, one_output, trace
from adviz.errors import DomainError, InputError
from adviz.formatting import format_number

REASONS = ("steps done", "converged", "diverged")

MAX_STEPS = 10_000
"""Most steps of one run (each step is a trace; a run is kept in memory)."""


@dataclass(frozen=True)
class Descent:
    """The trajectory of a gradient-descent run.

    Attributes
    ----------
    inputs
        Input values at each step, the start first.
    values
        The function's value at each step.
    grads
        The gradient at each step.
    reason
        Why it stopped: ``"steps done"``, ``"converged"`` (the gradient's norm
        fell below the tolerance) or ``"diverged"`` (the value or the inputs
        blew up, or left the function's domain).
    lr
        The learning rate.
    message
        One line explaining ``reason``.
    """

    function: Function = field(repr=False)
    inputs: tuple[dict[str, float], ...]
    values: tuple[float, ...]
    grads: tuple[dict[str, float], ...]
    reason: str
    lr: float
    message: str = ""

    def __len__(self) -> int:
        return len(self.values)

    def trace(self, step: int = -1) -> Trace:
        """The full trace at one step (for rendering its graph)."""
        return trace(self.function, dict(self.inputs[step]))

    def table(self) -> str:
        """The trajectory as a plain-text table.

        Examples
        --------
        >>> import adviz
        >>> print(adviz.descent("x**2", {"x": 1.0}, lr=0.25, steps=2).table())
        step x    f      df/dx
           0 1    1      2
           1 0.5  0.25   1
           2 0.25 0.0625 0.5
        stopped: steps done (2 steps of lr = 0.25)
        """
        names = list(self.inputs[0])
        header = ["step", *names, "f", *[f"df/d{n}" for n in names]]
        rows = [
            [str(k), *[format_number(x[n]) for n in names], format_number(v),
             *[format_number(g[n]) for n in names]]
            for k, (x, v, g) in enumerate(zip(self.inputs, self.values, self.grads))
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = []
        for row in [header, *rows]:
            lines.append(" ".join(
                cell.rjust(widths[0]) if i == 0 else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip())
        lines.append(f"stopped: {self.message}")
        return "\n".join(lines)


def descent(
    f: Function,
    start: Mapping[str, float],
    lr: float = 0.1,
    steps: int = 20,
    *,
    tol: float = 1e-8,
    blowup: float = 1e6,
) -> Descent:
    """Run gradient descent ``x <- x - lr * grad f(x)`` from ``start``.

    Parameters
    ----------
    f
        A function or an expression string.
    start
        Input values to start from (all inputs of ``f``).
    lr
        Learning rate (step size), positive.
    steps
        Most steps to take (at most `MAX_STEPS`).
    tol
        Stop as ``"converged"`` when the gradient's Euclidean norm is below it.
    blowup
        Stop as ``"diverged"`` when the value moves more than ``blowup`` times
        ``1 + |f(start)|`` away from the start value, or an input grows
        beyond ``blowup * (1 + max |start|)``.

    Returns
    -------
    Descent
    """
    if not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise InputError(f"the learning rate must be a positive number, not {lr!r}")
    if not isinstance(steps, int) or isinstance(steps, bool) or not 0 <= steps <= MAX_STEPS:
        raise InputError(f"steps must be a whole number from 0 to {MAX_STEPS:,}, not {steps!r}")
    if not isinstance(start, Mapping) or not start:
        raise InputError("start must be a dict of input values, e.g. {'x': 1.0}")
    point = dict(start)
    inputs: list[dict[str, float]] = []
    values: list[float] = []
    grads: list[dict[str, float]] = []
    reason, message = "steps done", f"steps done ({steps} steps of lr = {format_number(lr)})"
    scale = 1.0 + max(abs(float(v)) for v in point.values())
    for step in range(steps + 1):
        try:
            t = trace(f, point)
        except (DomainError, InputError) as err:
            if step == 0:
                raise
            reason, message = "diverged", f"diverged at step {step}: {err}"
            break
        one_output(t, "gradient descent")
        inputs.append(dict(t.inputs))
        values.append(t.value)
        grads.append(dict(t.grad))
        norm = math.sqrt(sum(g * g for g in t.grad.values()))
        if not math.isfinite(norm) or abs(t.value - values[0]) > blowup * (1 + abs(values[0])):
            reason, message = "diverged", (
                f"diverged at step {step}: f = {format_number(t.value)} (lr = "
                f"{format_number(lr)} is too large for this function)")
            break
        if norm < tol:
            reason, message = "converged", (
                f"converged at step {step}: |grad| = {norm:.2e} < {tol:.0e}")
            break
        if step == steps:
            break
        point = {name: value - lr * t.grad[name] for name, value in t.inputs.items()}
        if any(abs(v) > blowup * scale for v in point.values()):
            reason, message = "diverged", (
                f"diverged after step {step}: the inputs grow beyond {blowup * scale:.3g}")
            break
    return Descent(f, tuple(inputs), tuple(values), tuple(grads), reason, float(lr), message)

