"""Benchmark: the cost per frame of a GIF grows with what changes, not with the graph.

Renders the distinct frames of the reverse-pass animation (what a GIF
stores: ``tween`` travel frames per stage and one frame per stage held) at
1280x720 to RGBA pixels with `adviz.renderers.mpl.animation.Animator`, for the
seed example ``(x1 - x2)**2 + cos(x1 + x2)`` and for a plain-Python
multilayer perceptron of about 192 nodes (tanh units, one sample, squared
error; drawn whole, with the shortened labels of a large graph). It prints
the mean time per frame of each, their ratio (target: at most 3), and the
number of ``Text.draw`` calls for the first 60 frames of each.

Run: ``python benchmarks/redraw.py`` (``--frames N`` caps the frames timed
per graph; the default times them all).
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.text import Text

import adviz
from adviz.renderers.mpl.animation import Animator, frame_schedule

SIZE = "16:9"
DPI = 100.0
COUNTED = 60


def seed_trace() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def mlp_trace(sizes: tuple[int, ...] = (4, 5, 6, 1)) -> adviz.Trace:
    """A plain-Python perceptron (no scopes): tanh layers, squared error against 1."""
    names: list[str] = [f"x{i + 1}" for i in range(sizes[0])]
    values: dict[str, float] = {n: 0.1 * (i + 1) for i, n in enumerate(names)}
    for layer in range(1, len(sizes)):
        for j in range(sizes[layer]):
            for i in range(sizes[layer - 1]):
                name = f"w{layer}_{j}_{i}"
                names.append(name)
                values[name] = ((len(values) * 37) % 17 - 8.5) / 20
            names.append(f"b{layer}_{j}")
            values[f"b{layer}_{j}"] = ((len(values) * 23) % 11 - 5.5) / 20

    def f(*args: Any) -> Any:
        given = dict(zip(names, args))
        current = [given[f"x{i + 1}"] for i in range(sizes[0])]
        for layer in range(1, len(sizes)):
            following = []
            for j in range(sizes[layer]):
                total = given[f"b{layer}_{j}"]
                for i, v in enumerate(current):
                    total = total + given[f"w{layer}_{j}_{i}"] * v
                following.append(adviz.tanh(total))
            current = following
        return (current[0] - 1.0) ** 2

    f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return adviz.trace(f, **values)


def measure(trace: adviz.Trace, cap: int | None) -> tuple[float, int, int]:
    """Mean seconds per distinct frame, frames timed, ``Text.draw`` calls in the first 60."""
    frames = frame_schedule(trace, "reverse", hold=1)
    if cap is not None:
        frames = frames[:cap]
    animator = Animator(trace, "reverse", size=SIZE, dpi=DPI)
    animator(frames[0])
    animator.rgba()  # warm: layout, mathtext, the first full drawing
    calls = 0
    original = Text.draw

    def counting(self: Text, renderer: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, renderer)

    times = []
    Text.draw = counting  # type: ignore[method-assign]
    try:
        for k, frame in enumerate(frames):
            if k == COUNTED:
                Text.draw = original  # type: ignore[method-assign]
            start = time.perf_counter()
            animator(frame)
            animator.rgba()
            times.append(time.perf_counter() - start)
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return statistics.fmean(times), len(frames), calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=None,
                        help="frames timed per graph (default: every distinct frame)")
    args = parser.parse_args()
    results = {}
    for name, trace in (("seed", seed_trace()), ("mlp", mlp_trace())):
        mean, count, calls = measure(trace, args.frames)
        results[name] = mean
        print(f"{name:5s} {trace.graph.number_of_nodes():4d} nodes  {count:5d} frames  "
              f"{mean * 1e3:7.2f} ms/frame  Text.draw in {COUNTED} frames: {calls}")
    print(f"ratio mlp/seed per frame: {results['mlp'] / results['seed']:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
