"""The op table's functions as plain Python functions: ``adviz.cos(x)`` and friends.

Each works on traced values (the call is recorded) and on plain numbers.

Examples
--------
>>> from adviz.core.functions import cos, sigmoid
>>> cos(0.0), sigmoid(0.0)
(1.0, 0.5)
"""

from __future__ import annotations

from adviz.core.ops import OPS
from adviz.core.tracer import function_for

abs_ = function_for(OPS["abs"])
sin = function_for(OPS["sin"])
cos = function_for(OPS["cos"])
tan = function_for(OPS["tan"])
exp = function_for(OPS["exp"])
log = function_for(OPS["log"])
sqrt = function_for(OPS["sqrt"])
tanh = function_for(OPS["tanh"])
sigmoid = function_for(OPS["sigmoid"])
relu = function_for(OPS["relu"])

__all__ = ["abs_", "cos", "exp", "log", "relu", "sigmoid", "sin", "sqrt", "tan", "tanh"]
