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
from adviz.collapse import CollapsedView, collapsed_view
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
from adviz.functions import abs_ as abs
from adviz.functions import cos, exp, log, relu, sigmoid, sin, sqrt, tan, tanh
from adviz.gradient_descent import Descent, descent
from adviz.ops import OPS, Op, register_op, unregister_op
from adviz.path_figures import path_frames
from adviz.pathsum import Path, count_paths, paths
from adviz.plotting import animate, animate_descent, draw
from adviz.render_svg import to_svg
from adviz.render_tikz import to_beamer, to_tikz
from adviz.sequence import save_frames
from adviz.stages import Contribution, Stage, State
from adviz.symbolic import SymbolicGradient, symbolic_gradient
from adviz.trace import Trace, name, trace
from adviz.tracer import scope
from adviz.walkthrough import walkthrough
from adviz.writers import save

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "AdvizError",
    "CollapsedView",
    "Contribution",
    "Descent",
    "DomainError",
    "ExpressionError",
    "GradCheck",
    "InputError",
    "MissingDependencyError",
    "Op",
    "OpError",
    "Path",
    "RenderError",
    "Stage",
    "State",
    "SymbolicGradient",
    "Trace",
    "TraceError",
    "abs",
    "animate",
    "animate_descent",
    "check_grad",
    "collapsed_view",
    "cos",
    "count_paths",
    "descent",
    "draw",
    "exp",
    "log",
    "name",
    "path_frames",
    "paths",
    "register_op",
    "relu",
    "save",
    "save_frames",
    "scope",
    "sigmoid",
    "sin",
    "sqrt",
    "symbolic_gradient",
    "tan",
    "tanh",
    "to_beamer",
    "to_svg",
    "to_tikz",
    "trace",
    "unregister_op",
    "walkthrough",
]
