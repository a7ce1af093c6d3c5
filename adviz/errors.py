"""The exception hierarchy: every error adviz raises on purpose is an `AdvizError`.

Each subclass also derives from the built-in exception a Python user would
expect (`ValueError`, `TypeError`), so ``except ValueError`` keeps working.

Examples
--------
>>> import adviz
>>> try:
...     adviz.trace("x +", x=1)
... except adviz.AdvizError as err:
...     print(type(err).__name__)
ExpressionError
"""

from __future__ import annotations


class AdvizError(Exception):
    """Base class of every error raised by adviz."""


class ExpressionError(AdvizError, ValueError):
    """An expression string that adviz refuses to parse.

    Raised for syntax errors, names or functions that are not allowed,
    attribute access, subscripts, lambdas, comprehensions, keyword arguments
    and expressions over the size or depth limits.
    """


class InputError(AdvizError, TypeError, ValueError):
    """A missing, unknown or non-numeric input value."""


class TraceError(AdvizError, TypeError):
    """The traced function did something adviz cannot record.

    Examples: it returned a tuple, ``None`` or a constant, it raised, or it
    passed a traced value to a function of the `math` module.
    """


class DomainError(AdvizError, ValueError):
    """An operation evaluated outside its domain (``log(-1)``, ``1/0``, overflow)."""


class OpError(AdvizError, ValueError):
    """A custom operation that cannot be registered as given."""


class RenderError(AdvizError, RuntimeError):
    """A renderer or writer could not produce its output."""


class MissingDependencyError(AdvizError, ImportError):
    """An optional dependency (an extra of adviz) is not installed."""
