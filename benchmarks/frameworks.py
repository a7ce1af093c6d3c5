"""Importer benchmark: reading a 1e4-node framework graph, against tracing it with adviz.

Workload: ``x = x*1.0001 + 0.1`` chained N/2 times (N recorded ops), built in
micrograd and in PyTorch (0-d float64 tensors). For each framework the time
of ``adviz.from_micrograd`` (reading the existing graph into a `Trace`,
including adviz's reverse pass) and of ``adviz.from_torch`` on the function
(running it on tensors while recording, then reading the graph) is compared
with ``adviz.trace`` of the same function, measured interleaved in the same
process; the medians and their ratio are printed. The target is a ratio
within 3.

Run::

    python benchmarks/frameworks.py             # N = 1e4
    python benchmarks/frameworks.py --n 2e4 --repeats 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import adviz


def chain(x: Any, steps: int) -> Any:
    for _ in range(steps):
        x = x * 1.0001 + 0.1
    return x


def timed(f: Callable[[], Any]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e4)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    steps = int(args.n) // 2
    sys.setrecursionlimit(max(10000, 4 * steps))
    rows = []
    reference = []
    contenders: dict[str, list[float]] = {}
    try:
        from micrograd.engine import Value

        def micrograd_case() -> Callable[[], Any]:
            x = Value(0.5)
            root = chain(x, steps)
            return lambda: adviz.from_micrograd(root, {"x": x})

        contenders["micrograd"] = []
    except ImportError:
        micrograd_case = None  # type: ignore[assignment]
    try:
        import torch  # noqa: F401

        def torch_case() -> Callable[[], Any]:
            # The function form: PyTorch keeps no copy of the added constants, so the
            # values are recorded while the chain runs (that run is part of the time).
            return lambda: adviz.from_torch(lambda x: chain(x, steps), {"x": 0.5})

        contenders["torch"] = []
    except ImportError:
        torch_case = None  # type: ignore[assignment]
    for _ in range(args.repeats):
        reference.append(timed(lambda: adviz.trace(lambda x: chain(x, steps), x=0.5).grad))
        if micrograd_case is not None:
            contenders["micrograd"].append(timed(micrograd_case()))
        if torch_case is not None:
            contenders["torch"].append(timed(torch_case()))
    base = statistics.median(reference)
    rows.append(("adviz.trace", base))
    for name, times in contenders.items():
        rows.append((f"from_{name}", statistics.median(times)))
    print(f"N = {2 * steps} recorded ops, median of {args.repeats}")
    for name, seconds in rows:
        print(f"  {name:16s} {seconds * 1e3:9.1f} ms   {seconds / base:5.2f}x adviz.trace")


if __name__ == "__main__":
    main()
