"""adviz: reverse-mode automatic differentiation, made visible.

Trace a scalar function written in plain Python (or a safe expression string)
into a computational graph with forward values, local partials and adjoints,
and walk through the forward pass and reverse accumulation stage by stage.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> {name: round(g, 5) for name, g in t.grad.items()}
{'x1': -2.14112, 'x2': 1.85888}
"""

from adviz.check import GradCheck, check_grad
from adviz.errors import (
    AdvizError,
    DomainError,
    ExpressionError,
    InputError,
    MissingDependencyError,
    OpError,
    RenderError,
    TraceError,
)
from adviz.functions import cos, exp, log, relu, sigmoid, sin, sqrt, tan, tanh
from adviz.functions import abs_ as abs  # noqa: A004  (adviz.abs mirrors the op name)
from adviz.ops import OPS, Op, register_op, unregister_op
from adviz.stages import Contribution, Stage, State
from adviz.trace import Trace, name, trace
from adviz.walkthrough import walkthrough

__version__ = "0.1.0"

__all__ = [
    "AdvizError", "Contribution", "DomainError", "ExpressionError", "GradCheck", "InputError",
    "MissingDependencyError", "OPS", "Op", "OpError", "RenderError", "Stage", "State", "Trace",
    "TraceError", "abs", "check_grad", "cos", "exp", "log", "name", "register_op", "relu",
    "sigmoid", "sin", "sqrt", "tan", "tanh", "trace", "unregister_op", "walkthrough",
]
