"""Results computed once per trace.

A `Trace` does not change once made, so what depends on the trace alone (the
widest text of each node, a sweep's stages) is kept with it, weakly: the cache
of a trace goes when the trace does.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def per_trace(function: Callable[[Any], T]) -> Callable[[Any], T]:
    """Cache a function of a trace alone, per trace.

    Examples
    --------
    >>> import adviz
    >>> calls = []
    >>> @per_trace
    ... def size(trace):
    ...     calls.append(1)
    ...     return len(trace.graph)
    >>> t = adviz.trace("x * x", x=3)
    >>> size(t), size(t), len(calls)
    (2, 2, 1)
    """
    cache: weakref.WeakKeyDictionary[Any, T] = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def cached(trace: Any) -> T:
        try:
            return cache[trace]
        except KeyError:
            value = cache[trace] = function(trace)
            return value

    return cached
