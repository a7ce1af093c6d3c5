"""Frame benchmark: one stored layout for every frame against one Graphviz run per frame.

Two graphs, measured side by side in one process:

* ``seed``: the seed page's example ``(x1 - x2)**2 + cos(x1 + x2)`` (7 nodes);
* ``random-200``: a random computation with about 200 nodes (a fixed seed, so
  every run measures the same graph).

For each graph it measures (medians of ``--repeats`` runs):

* ``layout``: one `adviz.scene.layout.compute_layout` call (Graphviz ``-Tjson0``,
  cache cleared before each run);
* ``frames``: every SVG frame of both passes from the stored layout, and the
  reverse frames alone;
* ``naive``: one full Graphviz run per reverse frame: DOT source carrying the
  frame's labels and colours, rendered with ``graphviz-pure -Tsvg``. On the
  large graph a sample of frames (``--naive-sample``, spread over the pass)
  is run and the median per-frame time is multiplied by the number of frames;
  ``--naive-sample 0`` runs them all.

Run::

    python benchmarks/frames.py
    python benchmarks/frames.py --repeats 7 --naive-sample 0
"""

from __future__ import annotations

import argparse
import inspect
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import adviz
from adviz.renderers import svg as render_module
from adviz.renderers.svg import iter_svg_frames
from adviz.scene import content as frame_module
from adviz.scene import layout as layout_module
from adviz.scene.content import frame, frame_count
from adviz.scene.graphviz import run_graphviz
from adviz.scene.layout import compute_layout
from adviz.scene.style import get_theme
from adviz.text import labels as labels_module


def random_trace(size: int, seed: int = 3, width: int = 10) -> adviz.Trace:
    """A random layered computation of about ``size`` nodes (``width`` per layer).

    Each node combines one or two random nodes of the layer before it (add, sub,
    tanh of a product, sin, cos); the output sums the last layer. Nodes that do
    not reach the output are pruned by the tracer.
    """
    layers = max(1, size // width - 1)
    while True:
        trace = _layered(seed, width, layers)
        if trace.graph.number_of_nodes() >= size:
            return trace
        layers += 1


def _layered(seed: int, width: int, layers: int) -> adviz.Trace:
    rng = random.Random(seed)
    names = [f"x{k}" for k in range(1, width + 1)]
    inputs = {name: round(rng.uniform(-1, 1), 3) for name in names}

    def f(*xs: Any) -> Any:
        layer = list(xs)
        for _ in range(layers):
            nxt = []
            for _ in range(width):
                a, b = rng.sample(layer, 2)
                op = rng.choice(["add", "sub", "mul", "sin", "cos"])
                if op == "add":
                    nxt.append(a + b)
                elif op == "sub":
                    nxt.append(a - b)
                elif op == "mul":
                    nxt.append(adviz.tanh(a * b))
                else:
                    nxt.append(getattr(adviz, op)(a))
            layer = nxt
        total = layer[0]
        for node in layer[1:]:
            total = total + node
        return total

    f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return adviz.trace(f, **inputs)


def naive_source(trace: adviz.Trace, phase: str, index: int, rankdir: str = "LR") -> str:
    """Full DOT of one frame, with its labels and colours: what a per-frame render needs."""
    import graphviz

    theme = get_theme("light")
    content = frame(trace, phase, index)
    dot = graphviz.Digraph("adviz")
    dot.attr("graph", rankdir=rankdir, label=content.title, labelloc="t")
    dot.attr("node", shape="box", style="rounded,filled", fontname="Helvetica")
    dot.attr("edge", fontname="Helvetica", fontsize="11")
    for node, view in content.nodes.items():
        muted = view.state == "muted"
        dot.node(node, label="\n".join(line.text for line in view.lines),
                 fillcolor=theme.muted_fill if muted else theme.node_fill,
                 color=theme.active_stroke if view.state == "active" else theme.node_stroke)
    for (parent, child), view in content.edges.items():
        colour = theme.gradient if view.state == "gradient" else theme.edge
        dot.edge(parent, child, label="\n".join(line.text for line in view.lines),
                 color=colour, dir="back" if view.toward_parent else "forward")
    return dot.source


def median_time(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name: str, trace: adviz.Trace, repeats: int, sample: int) -> dict[str, float]:
    def layout_once() -> None:
        layout_module._CACHE.pop(trace, None)
        compute_layout(trace)

    layout_time = median_time(layout_once, repeats)
    compute_layout(trace)  # stored for the frame runs

    def cold() -> None:  # forget every cached text and drawn element, keep the layout
        for cache in (render_module._PAINTERS, render_module._GEOMETRY, frame_module._STATIC,
                      labels_module._CACHE):
            cache.pop(trace, None)

    def frames(phases: tuple[str, ...]) -> Callable[[], None]:
        def run() -> None:
            cold()
            for phase in phases:
                list(iter_svg_frames(trace, phase))
        return run

    n_forward, n_reverse = frame_count(trace, "forward"), frame_count(trace, "reverse")
    both = median_time(frames(("forward", "reverse")), repeats)
    reverse = median_time(frames(("reverse",)), repeats)
    indices = list(range(n_reverse))
    if sample and sample < n_reverse:
        step = n_reverse / sample
        indices = [int(k * step) for k in range(sample)]
    per_frame = []
    for index in indices:
        start = time.perf_counter()
        run_graphviz(naive_source(trace, "reverse", index), ["-Tsvg"])
        per_frame.append(time.perf_counter() - start)
    naive = statistics.median(per_frame) * n_reverse
    return {
        "nodes": trace.graph.number_of_nodes(), "frames": n_forward + n_reverse,
        "reverse_frames": n_reverse, "layout": layout_time, "both": both, "reverse": reverse,
        "naive": naive, "naive_frames_run": len(indices),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--naive-sample", type=int, default=25,
                        help="reverse frames run the naive way on the large graph (0: all)")
    args = parser.parse_args(argv)
    graphs = [
        ("seed", adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), 0),
        (f"random-{args.size}", random_trace(args.size), args.naive_sample),
    ]
    rows = [(name, measure(name, t, args.repeats, sample)) for name, t, sample in graphs]
    print(f"{'graph':<12}{'nodes':>6}{'frames':>8}{'layout':>10}{'all frames':>12}"
          f"{'reverse':>10}{'naive rev':>11}{'frames/layout':>15}{'naive/ours':>12}")
    for name, r in rows:
        print(f"{name:<12}{r['nodes']:>6.0f}{r['frames']:>8.0f}{r['layout'] * 1e3:>8.1f}ms"
              f"{r['both'] * 1e3:>10.1f}ms{r['reverse'] * 1e3:>8.1f}ms"
              f"{r['naive'] * 1e3:>9.0f}ms{r['both'] / r['layout']:>15.2f}"
              f"{r['naive'] / r['reverse']:>11.1f}x")
    seed, large = rows[0][1], rows[1][1]
    print()
    print(f"seed: all {seed['frames']:.0f} frames after layout take "
          f"{seed['both'] / seed['layout']:.2f} of one layout call (target < 1)")
    print(f"{rows[1][0]}: reverse frames {large['naive'] / large['reverse']:.1f}x faster than "
          f"one Graphviz run per frame (target >= 5x; naive extrapolated from "
          f"{large['naive_frames_run']:.0f} of {large['reverse_frames']:.0f} frames)")


if __name__ == "__main__":
    main()
