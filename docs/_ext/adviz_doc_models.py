"""Functions the documentation's ``adviz`` directives draw by import path (``:function:``).

``docs/conf.py`` puts this folder on ``sys.path``, so a page names them as
``adviz_doc_models:polar``, as a project names its own ``package.module:function``.
"""

from __future__ import annotations

from typing import Any

import adviz


def polar(r: Any, a: Any) -> tuple[Any, Any]:
    """The point at distance ``r`` and angle ``a``: two outputs, ``y1 = r cos a`` and
    ``y2 = r sin a``."""
    return r * adviz.cos(a), r * adviz.sin(a)
