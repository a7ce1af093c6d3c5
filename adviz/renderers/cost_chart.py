"""The cost chart: one bar per method, its ratio to one evaluation printed on it.

Matplotlib is imported here, on first use: the counting of `adviz.core.cost`
needs none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adviz.core.cost import LABELS, outputs_text, ratio_text, subject

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from adviz.core.cost import Cost

LOG_SPREAD = 50
"""The default count axis is logarithmic when the largest count is this many times the
smallest."""


def cost_figure(cost: Cost, ax: Axes | None = None, *, log: bool | None = None) -> Figure:
    """Draw `Cost.figure` (see there).

    Examples
    --------
    >>> import adviz
    >>> fig = adviz.cost(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)).figure()
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['×1', '×5.8', '×11.6', '×5.6']
    """
    if ax is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(6.4, 3.6), layout="constrained")
        ax = figure.add_subplot()
    else:
        figure = ax.figure  # type: ignore[assignment]
    methods = list(cost.counts)
    totals = [cost.counts[m].total for m in methods]
    positive = [t for t in totals if t > 0]
    if log is None:
        log = bool(positive) and max(positive) >= LOG_SPREAD * min(positive)
    x = range(len(methods))
    bars = ax.bar(x, totals, color=[f"C{k}" for k in range(len(methods))])
    if log:
        ax.set_yscale("log")
    for bar, method in zip(bars, methods):
        ax.annotate(f"×{ratio_text(cost.ratio(method))}",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom")
    ax.set_xticks(list(x), [LABELS[m] for m in methods])
    ax.set_ylabel("operations" + (" (log scale)" if log else ""))
    top = max(positive, default=1)
    ax.set_ylim(top=top * (4 if log else 1.15))
    what = subject(cost)
    several = outputs_text(cost)
    separator = "\n" if several else ", "  # a Jacobian's title takes two lines
    ax.set_title(f"{what[:1].upper()}{what[1:]}: {cost.inputs} input"
                 f"{'' if cost.inputs == 1 else 's'}{several}"
                 f"{separator}one evaluation = {cost.function} ops")
    return figure
