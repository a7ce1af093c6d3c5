"""Engine benchmark: adviz's trace + reverse pass against plain floats, micrograd and PyTorch.

Two workloads of N recorded operations each:

* ``dot``: a dot product of two vectors of length N/2 (summed as a balanced
  tree, so every engine can run it) followed by ``tanh``;
* ``chain``: ``x = x*1.0001 + 0.1`` repeated N/2 times.

For every N the contenders run interleaved in one process (repeats rounds of
plain, adviz, micrograd, torch), and the medians are printed with ratios
against plain float evaluation of the same workload, measured in the same
rounds. micrograd runs as users run it, with the garbage collector on.
micrograd and PyTorch are optional (skipped when not installed); at large N
micrograd is skipped on the chain, whose recursive topological sort fails past
about 1,000 levels.

Run::

    python benchmarks/engine.py              # N = 1e3 .. 1e6
    python benchmarks/engine.py --max-n 1e5 --repeats 5

Memory: bytes held per recorded op by a finished trace (tracemalloc).
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import adviz
from adviz.core.engine import backward
from adviz.core.tracer import record

Timing = dict[str, list[float]]


def _dot_inputs(n: int) -> dict[str, float]:
    half = max(n // 2, 1)
    return {f"v{i}": math.sin(i) * 0.01 for i in range(2 * half)}


def pairwise_sum(terms: list[Any]) -> Any:
    """Sum as a balanced tree (depth log2 N, so recursive engines can run it)."""
    while len(terms) > 1:
        paired = [a + b for a, b in zip(terms[0::2], terms[1::2])]
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    return terms[0]


def dot_generic(values: list[Any], tanh: Callable[[Any], Any]) -> Any:
    half = len(values) // 2
    return tanh(pairwise_sum([a * b for a, b in zip(values[:half], values[half:])]))


def dot_plain(values: list[float]) -> float:
    return float(dot_generic(values, math.tanh))


def chain_generic(x: Any, steps: int) -> Any:
    for _ in range(steps):
        x = x * 1.0001 + 0.1
    return x


def _time(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_adviz_dot(values: list[float]) -> tuple[float, float]:
    names = {f"v{i}": v for i, v in enumerate(values)}

    def f(*xs: Any) -> Any:
        return dot_generic(list(xs), adviz.tanh)

    start = time.perf_counter()
    tape, out = record(f, names)
    tape.finish()
    middle = time.perf_counter()
    backward(tape, out)
    return middle - start, time.perf_counter() - middle


def run_adviz_chain(steps: int) -> tuple[float, float]:
    start = time.perf_counter()
    tape, out = record(lambda x: chain_generic(x, steps), {"x": 0.5})
    tape.finish()
    middle = time.perf_counter()
    backward(tape, out)
    return middle - start, time.perf_counter() - middle


def run_micrograd(workload: str, values: list[float], steps: int) -> tuple[float, float] | None:
    try:
        from micrograd.engine import Value
    except ImportError:
        return None
    start = time.perf_counter()
    if workload == "dot":
        # micrograd has no tanh: relu stands in for the final one-op activation.
        out = dot_generic([Value(v) for v in values], lambda s: s.relu())
    else:
        out = chain_generic(Value(0.5), steps)
    middle = time.perf_counter()
    out.backward()
    return middle - start, time.perf_counter() - middle


def run_torch(workload: str, values: list[float], steps: int) -> tuple[float, float] | None:
    try:
        import torch
    except ImportError:
        return None
    start = time.perf_counter()
    if workload == "dot":
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
        out = dot_generic(leaves, torch.tanh)
    else:
        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        out = chain_generic(x, steps)
    middle = time.perf_counter()
    out.backward()
    return middle - start, time.perf_counter() - middle


def bytes_per_op(n: int) -> float:
    """Memory a finished trace of the chain holds per recorded op."""
    gc.collect()
    tracemalloc.start()
    t = adviz.trace(lambda x: chain_generic(x, n // 2), x=0.5)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del t
    return held / n


def bench(n: int, repeats: int, with_micrograd: bool, with_torch: bool) -> dict[str, Timing]:
    values = list(_dot_inputs(n).values())
    steps = n // 2
    results: dict[str, Timing] = {}
    for workload in ("dot", "chain"):
        timing: Timing = {}
        for _ in range(repeats):
            if workload == "dot":
                timing.setdefault("plain", []).append(_time(lambda: dot_plain(values)))
                fwd, bwd = run_adviz_dot(values)
            else:
                timing.setdefault("plain", []).append(
                    _time(lambda: chain_generic(0.5, steps)))
                fwd, bwd = run_adviz_chain(steps)
            timing.setdefault("adviz trace", []).append(fwd)
            timing.setdefault("adviz reverse", []).append(bwd)
            timing.setdefault("adviz total", []).append(fwd + bwd)
            skip_micrograd = workload == "chain" and 2 * steps > 900
            if with_micrograd and not skip_micrograd:
                got = run_micrograd(workload, values, steps)
                if got is not None:
                    timing.setdefault("micrograd total", []).append(sum(got))
            if with_torch:
                got = run_torch(workload, values, steps)
                if got is not None:
                    timing.setdefault("torch total", []).append(sum(got))
        results[workload] = timing
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-micrograd", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args(argv)
    sizes = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max_n]
    print(f"python {sys.version.split()[0]}, medians of {args.repeats} interleaved rounds")
    header = f"{'N':>9} {'workload':>8} {'contender':>16} {'median ms':>11} {'x plain':>9}"
    print(header)
    print("-" * len(header))
    for n in sizes:
        repeats = args.repeats if n < 1_000_000 else max(3, args.repeats // 2)
        results = bench(n, repeats, not args.no_micrograd, not args.no_torch)
        for workload, timing in results.items():
            plain = statistics.median(timing["plain"])
            for contender, samples in timing.items():
                median = statistics.median(samples)
                print(f"{n:>9,} {workload:>8} {contender:>16} {median * 1e3:>11.2f} "
                      f"{median / plain:>9.1f}")
            total = statistics.median(timing["adviz total"])
            for other in ("micrograd total", "torch total"):
                if other in timing:
                    ratio = statistics.median(timing[other]) / total
                    versus = "vs " + other.split()[0]
                    print(f"{'':>9} {workload:>8} {'adviz speed-up':>16} {versus:>11} "
                          f"{ratio:>9.1f}")
    n_mem = min(int(args.max_n), 100_000)
    held = bytes_per_op(n_mem)
    print(f"memory held by a finished trace: {held:.0f} bytes per op (N = {n_mem:,})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
