"""Progress bars for long renders: one tqdm bar on standard error.

Every writer that takes a ``progress`` option (frames, animations, the
demonstration page's zooms) shows its bar through `progress_bar`.
"""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(total: int, enabled: bool | None, label: str, unit: str = "frame",
                 least: int = 0) -> Any:
    """A tqdm bar of ``total`` steps on standard error, closed by ``close()`` or ``with``.

    Parameters
    ----------
    total
        The number of steps.
    enabled
        ``True`` shows the bar, ``False`` hides it, ``None`` shows it when
        standard error is a terminal and there are at least ``least`` steps.
    label, unit
        What the bar says it counts.
    least
        With ``enabled=None``: fewer steps than this show no bar (they take
        too little time to watch).

    Examples
    --------
    >>> bar = progress_bar(3, None, "frames")  # no terminal here: hidden
    >>> bar.disable, bar.total
    (True, 3)
    >>> bar.close()
    """
    from tqdm.auto import tqdm

    if enabled is None:
        enabled = total >= least and sys.stderr.isatty()
    return tqdm(total=total, disable=not enabled, desc=label, unit=unit, leave=False)
