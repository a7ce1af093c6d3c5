"""Layout of an unrolled recurrent network: Graphviz options against linked copies.

`adviz.examples.rnn` shares its weights ``w``, ``u`` and bias ``b`` across every
time step. Each shared leaf feeds nodes far apart in depth, so Graphviz's dot
draws long edges as chains of virtual nodes (about 12,000 at 198 nodes) and
spends its time in crossing minimisation and in positioning those chains;
with one scope per step, the bundled engine also fails outright between 15
and 25 steps ("trouble in init_rank", "lost edge").

For ``--steps`` (default 11 and 22: 99 and 198 nodes), with and without the
per-step scopes, this runs the bundled Graphviz on the layout's DOT source:

* ``default``: the graph attributes without the crossing bound;
* ``mclimit=0.3``: what `adviz.scene.layout.view_source` now adds when a node
  feeds nodes far apart in depth;
* ``copies``: the shared leaves drawn once per use (one copy of ``w`` beside
  each step it feeds: `adviz.scene.view.shared_leaves`, what
  ``figure(..., copies=None)`` chooses for this graph), the layout's own DOT
  source with those copies;
* ``figure``: the whole scene as every picture builds it by default with
  ``full=True`` (view, copies, layout and geometry), timed in process.

Times are medians of ``--repeats`` runs, printed with their ratio to the
layout of the 192-node MLP (`adviz.examples.mlp`) in the same process; a run
over ``--timeout`` seconds is stopped.

Run::

    python benchmarks/rnn_layout.py
    python benchmarks/rnn_layout.py --steps 11,16,22 --repeats 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import time

from adviz.examples import mlp, rnn
from adviz.scene.graphviz import find_engine
from adviz.scene.layout import dot_source
from adviz.scene.picture import figure
from adviz.scene.view import graph_view, shared_leaves


def run(source: str, timeout: float) -> float | str:
    """Seconds for one ``-Tjson0`` layout, or why it did not finish."""
    start = time.perf_counter()
    try:
        done = subprocess.run([find_engine(None), "-Tjson0"], input=source, text=True,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    if done.returncode:
        return "fails"
    return time.perf_counter() - start


def median(source: str, repeats: int, timeout: float) -> float | str:
    results = [run(source, timeout) for _ in range(repeats)]
    failures = [r for r in results if isinstance(r, str)]
    return failures[0] if failures else statistics.median(r for r in results
                                                           if isinstance(r, float))


def without_bound(source: str) -> str:
    return re.sub(r" mclimit=[\d.]+", "", source)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="11,22")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    run(dot_source(mlp((2, 4, 1))), args.timeout)  # warm up
    reference = median(dot_source(mlp((2, 6, 6, 1))), max(args.repeats, 3), args.timeout)
    assert isinstance(reference, float)
    print(f"192-node MLP layout (L): {reference:.3f} s")
    print(f"{'graph':<22}{'default':>18}{'mclimit=0.3':>18}{'copies':>18}{'figure':>18}")
    for steps in (int(s) for s in args.steps.split(",")):
        for scopes in (True, False):
            trace = rnn(steps, scopes=scopes)
            source = dot_source(trace)
            if "mclimit" not in source:
                source = source.replace("margin=0 ", "margin=0 mclimit=0.3 ", 1)
            leaves = shared_leaves(graph_view(trace))
            copied = dot_source(trace, copies=leaves)
            cells = []
            for variant in (without_bound(source), source, copied):
                value = median(variant, args.repeats, args.timeout)
                cells.append(value if isinstance(value, str)
                             else f"{value:.2f} s = {value / reference:.1f} L")
            start = time.perf_counter()
            fig = figure(trace, full=True)
            took = time.perf_counter() - start
            assert set(fig.view.copies) == set(leaves)
            cells.append(f"{took:.2f} s = {took / reference:.1f} L")
            name = f"rnn {len(trace.graph)} {'scoped' if scopes else 'plain'}"
            print(f"{name:<22}" + "".join(f"{c:>18}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
