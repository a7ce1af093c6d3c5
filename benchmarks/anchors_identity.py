"""Edge-label placements of large graphs, saved once and compared bit for bit later.

A change meant to make `adviz.scene.anchors.place_labels` faster without moving any
label is checked with this script: run it with ``--save`` on the code before the
change, then with ``--check`` on the code after it. Every anchor (and the x where a
left-aligned label starts, and the labels reported unmet) must be equal, float for
float; the first differences are printed otherwise and the exit status is 1.

The graphs are `adviz.examples.mlp` networks on one sample, drawn in full (every node
and every edge label), of about 200 to 1,150 nodes, in both directions; their labels
are placed as `adviz.scene.picture.figure` places them (the routes, obstacles and
bounds read from one Graphviz layout). Variants of the same inputs, with Graphviz's
label positions moved by a seeded random offset and the drawing's bounds shrunk, reach
the paths a clean layout seldom takes (labels left unmet, placed by the fallback).

With ``--reference``, an earlier version of ``adviz/scene/anchors.py`` (a copy of the
file, e.g. ``git show <commit>:adviz/scene/anchors.py > /tmp/anchors_before.py``) places
the same labels in the same process: its placements are compared with this version's,
and both are timed (processor time, the best of ``--repeat`` runs taken in turn), with
the ratio of the two.

Run::

    python benchmarks/anchors_identity.py --save /tmp/anchors-before.json
    python benchmarks/anchors_identity.py --check /tmp/anchors-before.json
    python benchmarks/anchors_identity.py --check /tmp/anchors-before.json --sizes 192,538
    python benchmarks/anchors_identity.py --reference /tmp/anchors_before.py --sizes 1150

The file holds the placements only, not the inputs: the layout is computed again each
run (Graphviz is deterministic for the same graph).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

SIZES: dict[str, tuple[int, ...]] = {
    "192": (2, 6, 6, 1),
    "538": (4, 10, 10, 1),
    "655": (3, 16, 8, 1),
    "969": (5, 20, 8, 1),
    "1150": (6, 22, 8, 1),
}
"""Node count (drawn in full) to the `adviz.examples.mlp` layer sizes giving it; the
1,150-node drawing is the 1,018-node graph of ``benchmarks/scale.py`` drawn in full."""


def inputs(sizes: tuple[int, ...], rankdir: str) -> dict[str, Any]:
    """The arguments `adviz.scene.picture.figure` gives `place_labels` for one graph."""
    import adviz.examples
    from adviz.scene import picture
    from adviz.scene.layout import compute_layout
    from adviz.scene.view import graph_view, view_options

    trace = adviz.examples.mlp(sizes)
    options = view_options(trace, None, True, None)
    view = graph_view(trace, options.collapse, options.compact, options.copies)
    layout = compute_layout(trace, rankdir=rankdir, collapse=view.collapse,
                            compact=view.compact, copies=tuple(view.copies))
    caught: dict[str, Any] = {}
    original = picture.place_labels

    def catch(labels: Any, **keywords: Any) -> Any:
        caught.update(keywords, labels=labels)
        return {}

    picture.place_labels = catch
    try:
        picture._label_anchors(view, layout)
    finally:
        picture.place_labels = original
    return caught


def variants(name: str, given: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The inputs as given, then moved about (seeded): Graphviz's label positions
    shifted at random, and the bounds shrunk so that labels near the border have less
    room."""
    yield name, given
    rng = random.Random(name)
    moved = {key: replace(label, start=(label.start[0] + rng.uniform(-30.0, 30.0),
                                        label.start[1] + rng.uniform(-30.0, 30.0)))
             for key, label in given["labels"].items()}
    yield f"{name} moved", {**given, "labels": moved}
    x0, y0, x1, y1 = given["bounds"]
    inset = 0.03 * min(x1 - x0, y1 - y0)
    yield f"{name} tight", {**given, "bounds": (x0 + inset, y0 + inset, x1 - inset, y1 - inset)}


def load_reference(path: str) -> Any:
    """An earlier version of ``adviz/scene/anchors.py``, loaded from a copy of the file
    as a module of its own."""
    spec = importlib.util.spec_from_file_location("anchors_reference", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python file; give a copy of adviz/scene/anchors.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def placements(given: dict[str, Any], module: Any = None) -> tuple[dict[str, Any], float]:
    """Every label's placement (by ``module``'s ``place_labels``, this version's by
    default), as JSON-ready lists keyed by ``parent -> child``, the labels reported
    unmet, and the processor time of the placement."""
    if module is None:
        from adviz.scene import anchors as module

    place_labels = module.place_labels
    if module.Label is not given["labels"] and given["labels"]:
        given = {**given, "labels": {key: module.Label(label.lines, label.route, label.start)
                                     for key, label in given["labels"].items()}}
    unmet: list[tuple[str, str]] = []
    start = time.process_time()
    found = place_labels(given["labels"], obstacles=given["obstacles"],
                         bounds=given["bounds"], tb=given["tb"], unmet=unmet)
    used = time.process_time() - start
    out = {f"{a} -> {b}": [x, y, left] for (a, b), ((x, y), left) in found.items()}
    return {"anchors": out, "unmet": sorted(f"{a} -> {b}" for a, b in unmet)}, used


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two placements of the same graph (empty: identical)."""
    out = []
    if list(before["anchors"]) != list(after["anchors"]):
        out.append("not the same labels, or not in the same order")
    for key, old in before["anchors"].items():
        new = after["anchors"].get(key)
        if new != old:
            out.append(f"{key}: {old} before, {new} now")
    if before["unmet"] != after["unmet"]:
        out.append(f"unmet: {before['unmet']} before, {after['unmet']} now")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", metavar="FILE", help="write the placements to FILE")
    action.add_argument("--check", metavar="FILE", help="compare with the placements in FILE")
    action.add_argument("--reference", metavar="FILE",
                        help="compare with, and time against, the anchors.py copied to FILE")
    parser.add_argument("--repeat", type=int, default=3,
                        help="with --reference: runs of each version, the best kept")
    parser.add_argument("--sizes", default=",".join(SIZES), help="node counts, comma separated")
    parser.add_argument("--rankdir", default="LR,TB", help="directions, comma separated")
    args = parser.parse_args()
    saved = json.loads(open(args.check).read()) if args.check else {}
    reference = load_reference(args.reference) if args.reference else None
    results: dict[str, Any] = {}
    failed = 0
    totals = [0.0, 0.0]
    for size in args.sizes.split(","):
        for rankdir in args.rankdir.split(","):
            for name, given in variants(f"{size} {rankdir}", inputs(SIZES[size], rankdir)):
                result, used = placements(given)
                results[name] = result
                verdict = ""
                if reference is not None:
                    before, then = placements(given, reference)
                    for _ in range(args.repeat - 1):
                        used = min(used, placements(given)[1])
                        then = min(then, placements(given, reference)[1])
                    totals[0] += then
                    totals[1] += used
                    found = differences(before, result)
                    failed += bool(found)
                    verdict = (f"reference {then:6.2f} s = {then / used:4.2f} x  " +
                               ("identical" if not found else f"{len(found)} differences:\n"
                                "      " + "\n      ".join(found[:10])))
                elif args.check:
                    if name not in saved:
                        verdict = "not in the saved file"
                        failed += 1
                    else:
                        found = differences(saved[name], result)
                        failed += bool(found)
                        verdict = "identical" if not found else \
                            f"{len(found)} differences:\n      " + "\n      ".join(found[:10])
                print(f"{name:>16}: {len(result['anchors']):>5} labels, "
                      f"{len(result['unmet']):>3} unmet, {used:6.2f} s  {verdict}", flush=True)
    if args.save:
        with open(args.save, "w") as out:
            json.dump(results, out)
    if reference is not None:
        print(f"in all: {totals[1]:.2f} s, the reference {totals[0]:.2f} s = "
              f"{totals[0] / max(totals[1], 1e-9):.2f} x")
    if args.check or reference is not None:
        print("all identical" if not failed else f"{failed} graphs differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
