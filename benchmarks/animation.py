"""Benchmark: animation frames, adviz's frame loop against a naive redraw per frame.

Two graphs, side by side in one process: the seed example
(``(x1 - x2)**2 + cos(x1 + x2)``) and a random graph of about 100 nodes.
For each, the same frames of the reverse-pass animation (same count, same
figure size) are rendered to RGBA pixels two ways:

- adviz: `adviz.renderers.mpl.animation.Animator` (artists created once, restyled per
  stage; the static part of a stage drawn once, pulses drawn over it);
- naive: clear the Axes and redraw everything with ``networkx.draw`` (nodes,
  edges, the same labels, edge labels, caption) at every frame.

Graphs over `adviz.scene.view.LARGE_GRAPH` nodes are drawn with shortened labels by
both (as the SVG frames are).

It prints the median time per frame of each, their ratio (target: adviz at
least 2x faster), and the end-to-end time of ``adviz.save(..., "x.gif")``.

Run: ``python benchmarks/animation.py`` (``--frames N`` caps the frames of
the large graph, ``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import inspect
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import adviz
from adviz.renderers.mpl.animation import Animator, Frame, frame_schedule
from adviz.scene.layout import compute_layout
from adviz.scene.style import get_theme
from adviz.scene.view import view_options
from adviz.text import mathtext as mt
from adviz.text.labels import stage_title
from adviz.writers import save

SIZE = "16:9"
DPI = 100.0


def seed_trace() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def random_trace(ops: int = 95, inputs: int = 5, seed: int = 0) -> adviz.Trace:
    """A random computation of about ``ops + inputs`` nodes (every node used)."""
    rng = random.Random(seed)
    names = [f"x{i + 1}" for i in range(inputs)]

    def f(*xs: Any) -> Any:
        nodes = list(xs)
        unused = set(range(len(nodes)))
        for _ in range(ops - 1):
            window = list(range(max(0, len(nodes) - 12), len(nodes)))
            a = rng.choice(window)
            kind = rng.choice(["add", "mul", "sub", "sin", "tanh", "add", "mul"])
            if kind in ("sin", "tanh"):
                value = adviz.sin(nodes[a]) if kind == "sin" else adviz.tanh(nodes[a])
                unused.discard(a)
            else:
                b = rng.choice(window)
                value = {"add": nodes[a] + nodes[b], "mul": nodes[a] * nodes[b],
                         "sub": nodes[a] - nodes[b]}[kind]
                unused.discard(a)
                unused.discard(b)
            unused.add(len(nodes))
            nodes.append(value)
        total = nodes[-1]
        for k in sorted(unused - {len(nodes) - 1}):
            total = total + nodes[k]
        return total

    f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    point = {n: rng.uniform(-1.0, 1.0) for n in names}
    return adviz.trace(f, **point)


def time_frames(render: Callable[[Frame], Any], frames: tuple[Frame, ...]) -> list[float]:
    times = []
    for frame in frames:
        start = time.perf_counter()
        render(frame)
        times.append(time.perf_counter() - start)
    return times


def adviz_renderer(trace: adviz.Trace, frames: tuple[Frame, ...]) -> Callable[[Frame], Any]:
    animator = Animator(trace, "reverse", size=SIZE, dpi=DPI)

    def render(frame: Frame) -> Any:
        animator(frame)
        return bytes(animator.rgba()[0])

    return render


def naive_renderer(trace: adviz.Trace) -> Callable[[Frame], Any]:
    """Redraw the whole graph with networkx.draw at every frame (same labels, same size)."""
    from adviz.scene.sizes import SIZES

    theme = get_theme("light")
    options = view_options(trace)  # the same view as adviz draws: compact labels when large
    layout = compute_layout(trace, collapse=options.collapse, compact=options.compact)
    graph = trace.graph
    pos = {n: (b.x, -b.y) for n, b in layout.nodes.items()}
    fig = Figure(figsize=SIZES[SIZE], dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    titles = {n: mt.name_label(n) if options.compact else mt.node_title(trace, n)
              for n in graph}
    partials = {} if options.compact else {e: mt.partial_label(trace, *e) for e in graph.edges}

    def render(frame: Frame) -> Any:
        state = trace.state("reverse", frame.stage if frame.hold else max(frame.stage - 1, 0))
        ax.clear()
        ax.set_axis_off()
        colors = [theme.active_fill if n == state.stage.node else
                  theme.node_fill if n in state.adjoints else theme.muted_fill for n in graph]
        adjoints = {n: mt.adjoint_line(g) for n, g in state.adjoints.items()}
        edge_colors = [theme.gradient if c == state.stage.node else theme.edge
                       for _, c in graph.edges]
        nx.draw(graph, pos, ax=ax, node_color=colors, edge_color=edge_colors, labels=titles,
                node_shape="s", node_size=900, font_size=7)
        nx.draw_networkx_labels(graph, {n: (x, y - 12) for n, (x, y) in pos.items()},
                                labels=adjoints, ax=ax, font_size=6)
        if partials:
            nx.draw_networkx_edge_labels(graph, pos, edge_labels=partials, ax=ax, font_size=6)
        if not frame.hold:
            for c in state.stage.contributions:
                (x0, y0), (x1, y1) = pos[c.child], pos[c.parent]
                ax.plot([x0 + (x1 - x0) * frame.fraction], [y0 + (y1 - y0) * frame.fraction],
                        "o", color=theme.gradient)
        ax.set_title(stage_title(trace, "reverse", frame.stage), fontsize=9)
        canvas.draw()
        return bytes(canvas.buffer_rgba())

    return render


def bench(name: str, trace: adviz.Trace, frames: tuple[Frame, ...], gif: bool) -> None:
    ours = adviz_renderer(trace, frames)
    naive = naive_renderer(trace)
    ours(frames[0])
    naive(frames[0])  # warm both (layout, mathtext parsing)
    t_ours = time_frames(ours, frames)
    t_naive = time_frames(naive, frames)
    m_ours, m_naive = statistics.median(t_ours), statistics.median(t_naive)
    mean_ours, mean_naive = statistics.fmean(t_ours), statistics.fmean(t_naive)
    print(f"{name}: {trace.graph.number_of_nodes()} nodes, {len(frames)} frames, "
          f"{SIZE} at {DPI:.0f} dpi")
    print(f"  adviz  median {m_ours * 1e3:8.2f} ms/frame  mean {mean_ours * 1e3:8.2f} ms/frame")
    print(f"  naive  median {m_naive * 1e3:8.2f} ms/frame  mean {mean_naive * 1e3:8.2f} ms/frame")
    print(f"  ratio  median {m_naive / m_ours:6.1f}x  mean {mean_naive / mean_ours:6.1f}x "
          f"(target >= 2x)")
    if gif:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            save(trace, Path(folder) / "x.gif", size=SIZE, dpi=DPI, progress=False)
            total = time.perf_counter() - start
        count = len(frame_schedule(trace, "reverse"))
        print(f"  adviz.save GIF end to end: {total:.2f} s for {count} frames "
              f"({total / count * 1e3:.1f} ms/frame, Pillow encoding included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=120,
                        help="frames of the large graph's animation to time (default 120)")
    parser.add_argument("--quick", action="store_true", help="fewer frames, no GIF")
    args = parser.parse_args()
    cap = 40 if args.quick else args.frames
    seed = seed_trace()
    seed_frames = frame_schedule(seed, "reverse")
    bench("seed example", seed, seed_frames[:cap] if args.quick else seed_frames,
          gif=not args.quick)
    big = random_trace()
    bench("random graph", big, frame_schedule(big, "reverse")[:cap], gif=False)


if __name__ == "__main__":
    main()
