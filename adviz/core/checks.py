"""Gradient checks: reverse mode against central finite differences.

The finite differences evaluate the function in plain floats (only the ops'
forward functions run), so they do not share the partials they check.

Examples
--------
>>> import adviz
>>> result = adviz.check_grad("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> result.ok, result.max_rel_error < 1e-7
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from adviz.core.tracing import Function, Trace, one_output, trace
from adviz.errors import DomainError, InputError
from adviz.formatting import format_number


@dataclass(frozen=True)
class GradCheck:
    """Result of `check_grad`.

    Attributes
    ----------
    reverse
        Reverse-mode gradient by input name.
    numeric
        Central finite-difference gradient by input name.
    rel_errors
        ``|reverse - numeric| / max(|reverse|, |numeric|, 1)`` by input name.
    max_rel_error
        The largest of ``rel_errors``.
    tolerance
        The bound ``ok`` was decided with.
    """

    reverse: dict[str, float]
    numeric: dict[str, float]
    rel_errors: dict[str, float]
    max_rel_error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """Whether every relative error is within the tolerance."""
        return self.max_rel_error <= self.tolerance

    def __str__(self) -> str:
        lines = [f"{'input':>10}  {'reverse mode':>14}  {'finite diff.':>14}  {'rel. error':>10}"]
        for name in self.reverse:
            lines.append(
                f"{name:>10}  {format_number(self.reverse[name]):>14}  "
                f"{format_number(self.numeric[name]):>14}  {self.rel_errors[name]:>10.2e}"
            )
        verdict = "OK" if self.ok else "MISMATCH"
        lines.append(f"largest relative error {self.max_rel_error:.2e} "
                     f"(tolerance {self.tolerance:.0e}): {verdict}")
        return "\n".join(lines)


def check_grad(
    f: Function | Trace,
    /,
    *values: Any,
    step: float = 1e-6,
    tolerance: float = 1e-5,
    **inputs: Any,
) -> GradCheck:
    """Compare the reverse-mode gradient with central finite differences.

    Parameters
    ----------
    f
        A function, an expression string or an existing `Trace`.
    *values, **inputs
        The point, as for `adviz.trace` (not needed for a `Trace`).
    step
        Relative step ``h = step * max(1, |x|)`` of the central difference.
    tolerance
        Largest relative error counted as agreement.

    Returns
    -------
    GradCheck

    Raises
    ------
    InputError
        A step that is not a finite number > 0, or a tolerance that is not a
        finite number >= 0.
    """
    for what, number, low in (("step", step, "> 0"), ("tolerance", tolerance, ">= 0")):
        ok = isinstance(number, (int, float)) and not isinstance(number, bool) and \
            math.isfinite(number) and (number > 0 if what == "step" else number >= 0)
        if not ok:
            raise InputError(f"the {what} must be a finite number {low}, not {number!r}")
    t = f if isinstance(f, Trace) else trace(f, *values, **inputs)
    one_output(t, "check_grad")
    numeric = {}
    for name, x in t.inputs.items():
        h = step * max(1.0, abs(x))
        try:
            up = t.evaluate({**t.inputs, name: x + h})
            down = t.evaluate({**t.inputs, name: x - h})
        except DomainError as err:
            raise DomainError(
                f"finite differences step outside the domain around {name} = {x!r}: {err}"
            ) from err
        numeric[name] = (up - down) / (2.0 * h)
    errors = {
        name: abs(t.grad[name] - numeric[name])
        / max(abs(t.grad[name]), abs(numeric[name]), 1.0)
        for name in t.grad
    }
    return GradCheck(dict(t.grad), numeric, errors, max(errors.values(), default=0.0), tolerance)
