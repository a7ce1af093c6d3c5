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

from typing import TYPE_CHECKING

from adviz.core.checks import GradCheck, check_grad
from adviz.core.cost import Cost, Count, cost
from adviz.core.forward import (
    ForwardSweep,
    TangentStage,
    TangentTerm,
    forward_gradient,
    forward_mode,
)
from adviz.core.functions import abs_ as abs
from adviz.core.functions import cos, exp, log, relu, sigmoid, sin, sqrt, tan, tanh
from adviz.core.gradient_descent import Descent, descent
from adviz.core.jacobian import jacobian
from adviz.core.network import Network, network
from adviz.core.ops import OPS, Op, register_op, unregister_op
from adviz.core.pathsum import Path, count_paths, paths
from adviz.core.stages import Contribution, Stage, State
from adviz.core.symbolic import SymbolicGradient, symbolic_gradient
from adviz.core.tracer import scope
from adviz.core.tracing import Trace, name, trace
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
from adviz.faces import notebook as _notebook  # noqa: F401 (installs the notebook display)
from adviz.scene.style import THEMES, Theme, get_theme
from adviz.text.tables import walkthrough

if TYPE_CHECKING:
    from adviz.core.importers.jax_graph import from_jax
    from adviz.core.importers.micrograd_graph import from_micrograd
    from adviz.core.importers.torch_graph import from_torch
    from adviz.faces.widget import widget
    from adviz.renderers.path_svg import path_frames
    from adviz.renderers.plotting import animate, animate_descent, draw
    from adviz.renderers.svg import to_svg
    from adviz.renderers.tikz import to_beamer, to_tikz
    from adviz.scene.collapse import CollapsedView, collapsed_view
    from adviz.writers import save
    from adviz.writers.frames import save_frames

__version__ = "0.1.0"

_LAZY = {
    "from_micrograd": "adviz.core.importers.micrograd_graph",
    "from_torch": "adviz.core.importers.torch_graph",
    "from_jax": "adviz.core.importers.jax_graph",
    "path_frames": "adviz.renderers.path_svg",
    "animate": "adviz.renderers.plotting",
    "animate_descent": "adviz.renderers.plotting",
    "draw": "adviz.renderers.plotting",
    "to_svg": "adviz.renderers.svg",
    "to_beamer": "adviz.renderers.tikz",
    "to_tikz": "adviz.renderers.tikz",
    "CollapsedView": "adviz.scene.collapse",
    "collapsed_view": "adviz.scene.collapse",
    "save": "adviz.writers",
    "save_frames": "adviz.writers.frames",
    "widget": "adviz.faces.widget",
}
"""Public names whose modules load on first use: ``import adviz`` and tracing need
neither Graphviz nor a renderer, and never a framework."""


def __getattr__(name: str) -> object:
    """Load a public name of `_LAZY` on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'adviz' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "OPS",
    "THEMES",
    "AdvizError",
    "CollapsedView",
    "Contribution",
    "Cost",
    "Count",
    "Descent",
    "DomainError",
    "ExpressionError",
    "ForwardSweep",
    "GradCheck",
    "InputError",
    "MissingDependencyError",
    "Network",
    "Op",
    "OpError",
    "Path",
    "RenderError",
    "Stage",
    "State",
    "SymbolicGradient",
    "TangentStage",
    "TangentTerm",
    "Theme",
    "Trace",
    "TraceError",
    "abs",
    "animate",
    "animate_descent",
    "check_grad",
    "collapsed_view",
    "cos",
    "cost",
    "count_paths",
    "descent",
    "draw",
    "exp",
    "forward_gradient",
    "forward_mode",
    "from_jax",
    "from_micrograd",
    "from_torch",
    "get_theme",
    "jacobian",
    "log",
    "name",
    "network",
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
    "widget",
]
