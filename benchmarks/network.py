"""The neuron view of micrograd's demo network against one Graphviz layout of that view.

For `adviz.examples.mlp` ``(2, 16, 16, 1)`` on one sample (982 scalar nodes;
its neuron view has 36 circles and 288 edges), one process times

* the reference ``L``: one Graphviz layout of the neuron view's graph
  (`adviz.scene.layout.view_layout` of the figure's view, as the scalar view
  lays out its graphs);
* the neuron view: recovering the network, its column layout, the label
  placement and the geometry (`adviz.scene.network.network_figure`), then
  every frame at neuron granularity (forward, reverse, summary) painted as SVG
  (`adviz.renderers.svg.paint`) on a 1280x720 page.

Each is the best of ``--repeat`` runs, on a fresh trace each time (its graph and
adjoints computed before the clock starts, as both sides need them); the
result is printed with its ratio to ``L`` (target: at most 3).

Run::

    python benchmarks/network.py
    python benchmarks/network.py --sizes 2-16-16-1,2-8-8-1 --repeat 5

The numbers measured are in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import time

import adviz.examples
from adviz.renderers.svg import paint
from adviz.scene.layout import view_layout
from adviz.scene.network import network_figure


def _fresh(sizes: tuple[int, ...]) -> adviz.Trace:
    t = adviz.examples.mlp(sizes)
    _ = t.graph, t.adjoints  # both sides read them
    return t


def measure(sizes: tuple[int, ...], repeat: int) -> tuple[float, float, int]:
    """Best Graphviz layout time, best neuron-view time (layout and every frame), frames."""
    reference = []
    ours = []
    frames = 0
    for _ in range(repeat):
        t = _fresh(sizes)
        view = network_figure(t).view  # what Graphviz lays out (built outside the clock)
        start = time.perf_counter()
        view_layout(view, rankdir="LR")
        reference.append(time.perf_counter() - start)
        t = _fresh(sizes)
        start = time.perf_counter()
        fig = network_figure(t, size="16:9")
        frames = 0
        for phase in ("forward", "reverse", "summary"):
            for content in fig.frames(phase):
                paint(fig, content)
                frames += 1
        ours.append(time.perf_counter() - start)
    return min(reference), min(ours), frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2-16-16-1",
                        help="comma-separated layer sizes, e.g. 2-16-16-1,2-8-8-1")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| network | scalar nodes | Graphviz layout L | neuron view: layout + frames | ratio |")
    print("|---|---|---|---|---|")
    for spec in args.sizes.split(","):
        sizes = tuple(int(n) for n in spec.split("-"))
        nodes = len(adviz.examples.mlp(sizes).graph)
        layout, view, frames = measure(sizes, args.repeat)
        print(f"| {spec} | {nodes:,} | {layout * 1e3:.0f} ms | {view * 1e3:.0f} ms "
              f"({frames} frames) | {view / layout:.2f} L |")


if __name__ == "__main__":
    main()
