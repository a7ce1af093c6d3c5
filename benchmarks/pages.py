"""Page benchmark: size and write time of the player and the demonstration page.

For plain-Python multilayer perceptrons on one sample (tanh neurons, squared
error, every weight and bias an input, no scopes) of about 50, 192, 500 and
1,000 nodes, drawn whole (``full=True``), it measures in one process:

* ``layout``: `adviz.scene.layout.compute_layout` of the graph as the pages
  draw it (every node and label), on a fresh trace (nothing cached);
* ``player``: `adviz.renderers.player.player_html` on another fresh trace of
  the same graph (its own layout included), and the page's size;
* ``demo``: `adviz.renderers.demo.demo_html` likewise (its own layout
  included), without the analytic panel unless ``--analytic`` is given (the
  SymPy panel's cost is measured separately).

Times are the best of ``--repeats`` runs and are printed as ratios to the
layout time of the same graph. The targets at about 1,000 nodes: each page
at most 3 MB and written in at most twice the layout time.

Run::

    python benchmarks/pages.py
    python benchmarks/pages.py --sizes 50 192 --repeats 3 --analytic
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import adviz
from adviz.renderers.demo import demo_html
from adviz.renderers.player import player_html
from adviz.scene.layout import compute_layout

SHAPES = {50: (2, 4, 1), 192: (3, 6, 5, 1), 500: (5, 10, 9, 1), 1000: (7, 14, 14, 1)}
"""Layer sizes (inputs first) of the network used for each nominal size."""


def mlp(sizes: tuple[int, ...]) -> adviz.Trace:
    """A tanh network with a squared-error loss, traced at one sample."""
    values: dict[str, float] = {f"x{i + 1}": 0.1 * (i + 1) for i in range(sizes[0])}
    k = 0
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
        for j in range(fan_out):
            for i in range(fan_in):
                k += 1
                values[f"w{layer}_{j}_{i}"] = ((k * 37) % 17 - 8.5) / 10
            values[f"b{layer}_{j}"] = ((k * 23) % 11 - 5.5) / 10
    names = list(values)

    def network(*args: float) -> Any:
        v = dict(zip(names, args, strict=True))
        h: list[Any] = [v[f"x{i + 1}"] for i in range(sizes[0])]
        for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
            out = []
            for j in range(fan_out):
                total = v[f"b{layer}_{j}"]
                for i in range(fan_in):
                    total = total + v[f"w{layer}_{j}_{i}"] * h[i]
                out.append(adviz.tanh(total))
            h = out
        return (h[0] - 1.0) ** 2

    network.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return adviz.trace(network, values)


def best(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The shortest of ``repeats`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(nominal: int, repeats: int, analytic: bool) -> dict[str, Any]:
    shape = SHAPES[nominal]
    nodes = len(mlp(shape).graph)
    layout, _ = best(lambda: compute_layout(mlp(shape)), repeats)
    player, page = best(lambda: player_html(mlp(shape), full=True), repeats)
    demo, demo_page = best(lambda: demo_html(mlp(shape), analytic=analytic), repeats)
    return {"nodes": nodes, "layout": layout, "player": player,
            "player_mb": len(page.encode("utf-8")) / 1e6, "demo": demo,
            "demo_mb": len(demo_page.encode("utf-8")) / 1e6}


def exponent(rows: list[dict[str, Any]], key: str) -> float:
    """Growth exponent between the smallest and the largest graph."""
    a, b = rows[0], rows[-1]
    return math.log(b[key] / a[key]) / math.log(b["nodes"] / a["nodes"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(SHAPES),
                        choices=sorted(SHAPES))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--analytic", action="store_true",
                        help="include the demonstration page's analytic panel (SymPy)")
    options = parser.parse_args()
    rows = []
    print(f"{'nodes':>6} {'layout':>8} | {'player':>8} {'x layout':>8} {'MB':>6} | "
          f"{'demo':>8} {'x layout':>8} {'MB':>6}")
    for nominal in options.sizes:
        row = measure(nominal, options.repeats, options.analytic)
        rows.append(row)
        print(f"{row['nodes']:>6} {row['layout']:>7.3f}s | {row['player']:>7.3f}s "
              f"{row['player'] / row['layout']:>8.2f} {row['player_mb']:>6.2f} | "
              f"{row['demo']:>7.3f}s {row['demo'] / row['layout']:>8.2f} "
              f"{row['demo_mb']:>6.2f}", flush=True)
    if len(rows) > 1:
        print("growth exponents (smallest to largest): "
              f"player time {exponent(rows, 'player'):.2f}, size "
              f"{exponent(rows, 'player_mb'):.2f}; demo time {exponent(rows, 'demo'):.2f}, "
              f"size {exponent(rows, 'demo_mb'):.2f}; layout {exponent(rows, 'layout'):.2f}")


if __name__ == "__main__":
    main()
