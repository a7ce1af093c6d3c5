"""Scale benchmark: how layout, frames and pages grow with the graph (plain-Python MLPs).

The graphs are `adviz.examples.mlp` networks on one sample, every node drawn:

=======  ===============
nodes    sizes
=======  ===============
50       (2, 4, 1)
192      (2, 6, 6, 1)
498      (4, 10, 10, 1)
1,018    (6, 22, 8, 1)
1,970    (6, 20, 24, 1)
=======  ===============

(Other shapes of about 1,000 nodes, such as (4, 15, 16, 1), make the bundled
Graphviz fail to route an edge between clusters: "lost edge".)

For each graph and each cell, one fresh process (so no cache is shared) traces
the network, times three Graphviz layouts of it (`adviz.scene.layout.compute_layout`,
each on a fresh trace; their median is the reference: one layout's time moves by up
to a factor of 2 from run to run on a shared machine), traces it again and times the
cell on the new trace through the public API only, end to end (its own layout
included):

* ``frames``: ``adviz.save_frames(t, folder, phase="reverse", full=True)``, with
  the process's peak resident memory;
* ``player``: ``adviz.save(t, "x.html")``, with the file size;
* ``demo``: ``adviz.save(t, "demo.html", interactive=True, analytic=True)`` (the
  analytic panel derived with SymPy), with the file size;
* ``demo-plain``: the same with ``analytic=False``.

Each cell first runs once on a two-node graph, before the clock starts: the
imports it needs (NumPy, SymPy, the writers) are a one-off cost of the
process, kept outside the clock as they are for the layout reference.

Each time is printed with its ratio to the layout time of the same graph in
the same process, and in brackets the ratio of processor times, Graphviz's
included (``0.37 s = 4.1 L (3.9 L)``: on a machine shared with other jobs the
wall-clock ratio moves with their load, the processor-time ratio less). A
cell is stopped after ``--timeout`` seconds (``> 60 s``); once a cell is
stopped, the larger graphs skip it. The last rows give the growth exponents:
the slope of log(time) and log(size) against log(nodes) over the graphs
measured. Then the unrolled recurrent
network (`adviz.examples.rnn`, shared weights and bias feeding every step) is
laid out at 99 and 198 nodes, as a ratio to the 192-node MLP's layout in the
same process.

Run::

    python benchmarks/scale.py             # every size (takes minutes)
    python benchmarks/scale.py --quick     # 50 and 192 nodes
    python benchmarks/scale.py --sizes 50,498 --timeout 120
    python benchmarks/scale.py --sizes 1018 --cells demo,player --repeat 5

The tables measured before and after are in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES: dict[int, tuple[int, ...]] = {
    50: (2, 4, 1),
    192: (2, 6, 6, 1),
    498: (4, 10, 10, 1),
    1018: (6, 22, 8, 1),
    1970: (6, 20, 24, 1),
}
"""Node count to the `adviz.examples.mlp` layer sizes giving it."""

RNN_STEPS = {99: 11, 198: 22}
"""Node count to the steps of `adviz.examples.rnn` giving it."""

CELLS = ("frames", "player", "demo", "demo-plain")

LAYOUT_RUNS = 3
"""Layouts of the graph (each on a fresh trace) timed per process; ``L`` is their median."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _processor() -> float:
    """Processor time so far of this process and the Graphviz runs it waited for."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run_cell(cell: str, nodes: int) -> dict[str, Any]:
    """Inside the child process: the layout reference, then one cell, as a dict."""
    import adviz
    from adviz.examples import mlp, rnn
    from adviz.scene.layout import compute_layout

    def build() -> adviz.Trace:
        if cell == "rnn":
            return rnn(RNN_STEPS[nodes])
        return mlp(SIZES[nodes])

    compute_layout(adviz.trace("x * 2", x=1.0))  # warm up: imports, finding Graphviz
    timed = []
    for _ in range(LAYOUT_RUNS):  # the same layout's time moves by up to 2x between runs
        reference = mlp(SIZES[192]) if cell == "rnn" else build()
        start, used = time.perf_counter(), _processor()
        compute_layout(reference)
        timed.append((time.perf_counter() - start, _processor() - used))
    layout, layout_cpu = sorted(timed)[len(timed) // 2]
    trace = build()
    result: dict[str, Any] = {"layout": layout, "layout_cpu": layout_cpu,
                              "nodes": len(trace.graph)}
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder)
        actions: dict[str, Callable[[adviz.Trace, Path], Path | None]] = {
            "layout": lambda t, to: None,
            "rnn": lambda t, to: compute_layout(t) and None,
            "frames": lambda t, to: adviz.save_frames(t, to / "frames", phase="reverse",
                                                      full=True) and None,
            "player": lambda t, to: adviz.save(t, to / "player.html"),
            "demo": lambda t, to: adviz.save(t, to / "demo.html", interactive=True,
                                             analytic=True),
            "demo-plain": lambda t, to: adviz.save(t, to / "demo.html", interactive=True,
                                                   analytic=False),
        }
        # the cell once on a two-node graph before the clock: imports (SymPy, NumPy, the
        # writers) are a one-off cost of the process, outside the clock as for the layout
        warm = target / "warm-up"
        warm.mkdir()
        actions[cell](adviz.trace("x * 2", x=1.0), warm)
        start, used = time.perf_counter(), _processor()
        written = actions[cell](trace, target)
        result["time"] = time.perf_counter() - start
        result["cpu"] = _processor() - used
        if written is not None:
            result["bytes"] = written.stat().st_size
    result["peak_mb"] = _peak_mb()
    return result


def measure(cell: str, nodes: int, timeout: float) -> dict[str, Any] | None:
    """One cell in a fresh process; ``None`` when it took longer than ``timeout``."""
    command = [sys.executable, __file__, "--cell", cell, "--nodes", str(nodes)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout + 30)  # + tracing and layout
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the cell and the Graphviz it started
        process.communicate()
        return None
    if process.returncode != 0:
        last = [line for line in err.splitlines() if line.strip()][-1:] or ["?"]
        return {"error": last[0][:120]}
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return None if result["time"] > timeout else result


def _median_run(cell: str, nodes: int, timeout: float, repeat: int) -> dict[str, Any] | None:
    """The cell measured in ``repeat`` fresh processes: the run whose ratio to its own
    layout is the median (a shared machine's load moves both times from run to run)."""
    runs = []
    for _ in range(max(repeat, 1)):
        result = measure(cell, nodes, timeout)
        if result is None or "error" in result:
            return result
        runs.append(result)
    runs.sort(key=lambda r: r["time"] / r["layout"])
    return runs[len(runs) // 2]


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _size(value: int) -> str:
    return f"{value / 1e6:.1f} MB" if value >= 1e5 else f"{value / 1e3:.0f} kB"


def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) against log(x); ``None`` with fewer than two points."""
    points = [(math.log(x), math.log(y)) for x, y in points if y > 0]
    if len(points) < 2:
        return None
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help=f"node counts among {', '.join(map(str, SIZES))}")
    parser.add_argument("--quick", action="store_true", help="50 and 192 nodes only")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per cell")
    parser.add_argument("--cells", default=",".join(CELLS), help="cells to measure")
    parser.add_argument("--repeat", type=int, default=1,
                        help="processes per cell; the run with the median ratio is shown")
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    parser.add_argument("--nodes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(_run_cell(args.cell, args.nodes)))
        return
    sizes = [50, 192] if args.quick else [int(s) for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"no MLP of {unknown} nodes; choose among {', '.join(map(str, SIZES))}")
    cells = [c for c in args.cells.split(",") if c != "layout"]  # the reference, always measured
    stopped: set[str] = set()
    rows: dict[str, list[str]] = {"layout": []}
    growth: dict[str, list[tuple[float, float]]] = {}
    growth_size: dict[str, list[tuple[float, float]]] = {}
    for cell in cells:
        rows[cell] = []
    for nodes in sizes:
        layout_times = []
        for cell in cells:
            if cell in stopped:
                rows[cell].append("skipped")
                continue
            result = _median_run(cell, nodes, args.timeout, args.repeat)
            if result is None:
                stopped.add(cell)
                rows[cell].append(f"> {args.timeout:.0f} s")
                continue
            if "error" in result:
                rows[cell].append("failed")
                print(f"  {nodes} nodes, {cell}: {result['error']}", file=sys.stderr)
                continue
            layout_times.append(result["layout"])
            text = (f"{_seconds(result['time'])} = {result['time'] / result['layout']:.1f} L "
                    f"({result['cpu'] / result['layout_cpu']:.1f} L)")
            growth.setdefault(cell, []).append((nodes, result["time"]))
            if "bytes" in result:
                text += f", {_size(result['bytes'])}"
                growth_size.setdefault(cell, []).append((nodes, result["bytes"]))
            if cell == "frames":
                text += f", {result['peak_mb']:.0f} MB RSS"
            rows[cell].append(text)
            print(f"  {nodes} nodes, {cell}: {text}", file=sys.stderr, flush=True)
        if not layout_times:
            reference = measure("layout", nodes, args.timeout)
            layout_times.append(reference.get("layout", math.nan) if reference else math.nan)
        layout = sorted(layout_times)[len(layout_times) // 2]
        if math.isnan(layout):
            rows["layout"].append("failed")
            continue
        rows["layout"].append(_seconds(layout))
        growth.setdefault("layout", []).append((nodes, layout))
    width = 38
    print(f"{'nodes':<14}" + "".join(f"{n:>{width}}" for n in sizes))
    for name, values in rows.items():
        print(f"{name:<14}" + "".join(f"{v:>{width}}" for v in values))
    print("growth exponents (slope of log-log; L = the graph's layout time in the same process)")
    for name in rows:
        t = slope(growth.get(name, []))
        s = slope(growth_size.get(name, []))
        parts = [f"time {t:.2f}" if t is not None else "time -"]
        if name in growth_size:
            parts.append(f"size {s:.2f}" if s is not None else "size -")
        print(f"  {name:<12} " + ", ".join(parts))
    print("unrolled recurrent network (L = the 192-node MLP's layout in the same process)")
    for nodes in RNN_STEPS:
        result = measure("rnn", nodes, args.timeout)
        if result is None:
            print(f"  rnn {nodes} nodes: layout > {args.timeout:.0f} s")
        elif "error" in result:
            print(f"  rnn {nodes} nodes: layout failed: {result['error']}")
        else:
            print(f"  rnn {result['nodes']} nodes: layout {_seconds(result['time'])} "
                  f"= {result['time'] / result['layout']:.1f} L")


if __name__ == "__main__":
    main()
