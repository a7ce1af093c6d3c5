"""The analytic panel: the SymPy gradient beside the reverse-mode numbers, as lines of text.

It is drawn below the graph of a summary or reverse frame (``analytic=True``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from adviz.scene.content import Line
from adviz.scene.style import LINE_SIZE
from adviz.text.labels import DASH, pretty_formula
from adviz.text.tokens import PARTIAL, pretty_name, pretty_number

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def analytic_panel(trace: Trace) -> tuple[Line, ...]:
    """Lines comparing the analytic gradient (SymPy) with the reverse-mode numbers.

    Raises
    ------
    MissingDependencyError
        SymPy is not installed (``pip install 'adviz[symbolic]'``).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [line.text for line in analytic_panel(t)][1]
    '∂y/∂x₁ = 2x₁ − 2x₂ − sin(x₁ + x₂) = −2.14112 — reverse mode: g_x₁ = −2.14112 ✓'
    """
    from adviz.core.symbolic import symbolic_gradient

    gradients = symbolic_gradient(trace)
    lines = [Line("Analytic gradient (SymPy) beside reverse mode", "name", LINE_SIZE)]
    out = pretty_name(trace.output)
    for name, g in gradients.items():
        value = "?" if g.value is None else pretty_number(g.value)
        agree = g.value is not None and math.isclose(g.value, g.reverse, rel_tol=1e-9,
                                                     abs_tol=1e-12)
        mark = " ✓" if agree else ""
        shown = pretty_name(name)
        lines.append(Line(f"{PARTIAL}{out}/{PARTIAL}{shown} = "
                          f"{pretty_formula(g.text)} = {value} {DASH} reverse mode: g_{shown} = "
                          f"{pretty_number(g.reverse)}{mark}", "adjoint", LINE_SIZE))
    return tuple(lines)
