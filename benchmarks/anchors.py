"""Edge-label placement against the Graphviz layout it follows, on MLPs drawn in full.

For each graph (`adviz.examples.mlp` on one sample, ``full=True``: every node
and every edge label drawn) and each direction, one process:

* times one Graphviz layout (`adviz.scene.layout.compute_layout`, the reference);
* times the placement of every edge label on that layout
  (`adviz.scene.anchors.place_labels`, as `adviz.scene.picture.figure` calls it,
  the routes read from the layout included: beyond
  `adviz.scene.anchors.ROUNDS_FROM` labels, in rounds scored together on the
  routes' segments; with ``--search``, by the search with repairs on every
  graph, as smaller graphs are placed);
* counts the labels the placement leaves where they miss the distance
  conditions (``unmet``: for a graph of at most `ROUNDS_FROM` labels `figure`
  then lays the graph out again with more room, which is timed too when it
  happens: ``roomy layout + placement``; with ``--search`` for every graph).

Each time is printed with its ratio to the layout of the same graph in the same
process (``1.2 s = 0.4 L``; in brackets, the ratio of processor times, Graphviz's
included, steadier on a shared machine), then the growth exponents: the slope of log(time)
against log(nodes) over the graphs measured.

Run::

    python benchmarks/anchors.py                 # 50 to about 1,150 nodes, LR and TB
    python benchmarks/anchors.py --sizes 50,192 --rankdir LR
    python benchmarks/anchors.py --search        # the search with repairs on every graph

The numbers measured are in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from typing import Any

SIZES: dict[str, tuple[int, ...]] = {
    "50": (2, 4, 1),
    "192": (2, 6, 6, 1),
    "538": (4, 10, 10, 1),
    "1150": (6, 22, 8, 1),
}
"""Node count (drawn in full) to the `adviz.examples.mlp` layer sizes giving it."""


def measure(sizes: tuple[int, ...], rankdir: str, search: bool = False) -> dict[str, Any]:
    """Layout and placement times of one graph, and the labels left unmet (``search``:
    the search with repairs whatever the graph's size)."""
    import adviz.examples
    from adviz.scene import anchors, picture
    from adviz.scene.layout import ROOMY_NODESEP, ROOMY_RANKSEP, compute_layout
    from adviz.scene.view import graph_view, view_options

    if search:
        anchors.ROUNDS_FROM = 10**9  # by the search, whatever the graph's size
    trace = adviz.examples.mlp(sizes)
    options = view_options(trace, None, True, None)
    view = graph_view(trace, options.collapse, options.compact, options.copies)
    keywords: dict[str, Any] = {"rankdir": rankdir, "collapse": view.collapse,
                                "compact": view.compact, "copies": tuple(view.copies)}
    start, cpu = time.perf_counter(), _cpu()
    layout = compute_layout(trace, **keywords)
    result: dict[str, Any] = {"nodes": len(view.nodes), "labels": len(view.edges),
                              "layout": time.perf_counter() - start, "layout cpu": _cpu() - cpu}
    unmet: list[tuple[str, str]] = []
    start, cpu = time.perf_counter(), _cpu()
    picture._label_anchors(view, layout, unmet)
    result["placement"] = time.perf_counter() - start
    result["placement cpu"] = _cpu() - cpu
    result["unmet"] = len(unmet)
    if unmet and result["labels"] <= anchors.ROUNDS_FROM:
        again: list[tuple[str, str]] = []
        start = time.perf_counter()
        roomy = compute_layout(trace, **keywords, ranksep=ROOMY_RANKSEP, nodesep=ROOMY_NODESEP)
        picture._label_anchors(view, roomy, again)
        result["roomy"] = time.perf_counter() - start
        result["roomy unmet"] = len(again)
    return result


def _cpu() -> float:
    """Processor time of this process and of the programs it ran (Graphviz): on a machine
    shared with other jobs, the ratio of two such times moves less than that of two
    wall-clock times."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) against log(x)."""
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="node counts, comma separated")
    parser.add_argument("--rankdir", default="LR,TB", help="directions, comma separated")
    parser.add_argument("--search", action="store_true",
                        help="the search with repairs on every graph, however large")
    args = parser.parse_args()
    for rankdir in args.rankdir.split(","):
        growth: dict[str, list[tuple[float, float]]] = {"layout": [], "placement": []}
        print(f"{rankdir}: nodes  labels  layout (L)  placement          (processor)  unmet  "
              "roomy layout + placement  unmet")
        for size in args.sizes.split(","):
            r = measure(SIZES[size], rankdir, args.search)
            growth["layout"].append((r["nodes"], r["layout"]))
            growth["placement"].append((r["nodes"], r["placement"]))
            roomy = (f"{r['roomy']:.2f} s = {r['roomy'] / r['layout']:.1f} L"
                     if "roomy" in r else "-")
            print(f"    {r['nodes']:>5}  {r['labels']:>6}  {r['layout']:>7.2f} s  "
                  f"{r['placement']:>6.2f} s = {r['placement'] / r['layout']:>4.1f} L  "
                  f"({r['placement cpu'] / r['layout cpu']:>4.1f} L)    "
                  f"{r['unmet']:>5}  {roomy:>24}  {r.get('roomy unmet', '-'):>5}", flush=True)
        exponents = {name: slope(points) for name, points in growth.items()}
        print("    growth exponents: " + ", ".join(
            f"{name} {value:.2f}" for name, value in exponents.items() if value is not None))


if __name__ == "__main__":
    main()
