"""Size of the player page of a trace with several outputs, against what it shows.

The page embeds the base SVG once and, per stage, what the stage changes; a
trace with m outputs plays the forward pass and m reverse sweeps. This prints,
for ``adviz.examples.many_outputs(2, m)``, the page's bytes per element of the
graph and change it embeds: it stays bounded (falls) as m grows, where a page
holding every frame whole would grow with stages x nodes.

Then the same for phase ``"tangents"`` (one forward-mode sweep per input) against
``"reverse"`` on ``adviz.examples.mlp((2, 16, 16, 1))`` (982 nodes, 339 inputs): the
bytes of the page's data and base drawing per change. Every sweep walks the whole
graph, so the full page of 339 sweeps takes long to build; it is measured on its first
``SWEEPS`` sweeps (each sweep adds the same kind of changes: the bytes per further
change are what a longer page has too) and its full size extrapolated from them;
``--full`` builds the whole page as well (minutes).

Run: ``PYTHONPATH=. python benchmarks/vector_player.py [--full]``
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from adviz.examples import many_outputs, mlp
from adviz.renderers.page import json_for_script
from adviz.renderers.player import _player_data, player_html

SWEEPS = 4
"""Sweeps of the MLP's ``"tangents"`` page measured (of 339)."""


def main() -> None:
    for m in (2, 4, 8, 16):
        t = many_outputs(2, m)
        page = player_html(t)
        found = re.search(r'class="adviz-data">(.*?)</script>', page, re.S)
        assert found is not None
        data = json.loads(found.group(1))
        changes = sum(len(s[0]) + len(s[1]) for p in data["phases"] for s in p["stages"])
        stages = sum(len(p["stages"]) for p in data["phases"])
        nodes, edges = len(t.graph), t.graph.number_of_edges()
        print(f"m={m:2d} nodes={nodes:3d} edges={edges:3d} parts={len(data['phases']):2d} "
              f"stages={stages:4d} changes={changes:5d} page={len(page):7d} B "
              f"bytes/(nodes+edges+changes)={len(page) / (nodes + edges + changes):.0f} "
              f"stages*nodes={stages * nodes}")


def _measure(fig: Any, names: tuple[str, ...], played: Any = None) -> tuple[int, int, int]:
    """Bytes of a page's data and base drawing, its changes and its stages."""
    data, svg = _player_data(fig, names, played)
    changes = sum(len(s[0]) + len(s[1]) for p in data["phases"] for s in p["stages"])
    stages = sum(len(p["stages"]) for p in data["phases"])
    return len(json_for_script(data)) + len(svg), changes, stages


def tangents_against_reverse(full: bool = False) -> None:
    from adviz.scene.picture import figure
    from adviz.scene.tangents import input_parts, tangents_figure

    t = mlp((2, 16, 16, 1))
    nodes, edges = len(t.graph), t.graph.number_of_edges()
    inputs = len(t.graph.graph["inputs"])
    start = time.perf_counter()
    size, changes, stages = _measure(figure(t), ("reverse",))
    took = time.perf_counter() - start
    print(f"mlp(2,16,16,1) nodes={nodes} edges={edges} inputs={inputs}")
    print(f"  reverse:  stages={stages:6d} changes={changes:7d} bytes={size:9d} "
          f"bytes/change={size / changes:6.1f} bytes/(nodes+edges+changes)="
          f"{size / (nodes + edges + changes):5.1f} built in {took:.1f} s")
    fig = tangents_figure(t)
    parts = input_parts(fig)
    measured = []
    for count in (SWEEPS // 2, SWEEPS):
        start = time.perf_counter()
        played = [(p.key, p, "tangent", p.label) for p in parts[:count]]
        size, changes, stages = _measure(fig, ("tangents",), played)
        took = time.perf_counter() - start
        measured.append((size, changes, took))
        print(f"  tangents, first {count} of {inputs} sweeps: stages={stages:6d} "
              f"changes={changes:7d} bytes={size:9d} bytes/change={size / changes:6.1f} "
              f"bytes/(nodes+edges+changes)={size / (nodes + edges + changes):5.1f} "
              f"built in {took:.1f} s")
    (size2, changes2, took2), (size4, changes4, took4) = measured
    marginal = (size4 - size2) / (changes4 - changes2)
    per_sweep = (took4 - took2) / (SWEEPS - SWEEPS // 2)
    rest = inputs - SWEEPS
    print(f"  tangents: {marginal:.1f} bytes per further change; all {inputs} sweeps "
          f"(extrapolated): changes~{changes4 + rest * (changes4 - changes2) // 2} "
          f"bytes~{size4 + rest * (size4 - size2) // 2} build~{per_sweep * inputs / 60:.0f} min")
    if full:
        start = time.perf_counter()
        page = player_html(t, phase="tangents")
        found = re.search(r'class="adviz-data">(.*?)</script>', page, re.S)
        assert found is not None
        data = json.loads(found.group(1))
        changes = sum(len(s[0]) + len(s[1]) for p in data["phases"] for s in p["stages"])
        print(f"  tangents, the whole page: parts={len(data['phases'])} changes={changes} "
              f"page={len(page)} B bytes/change={len(page) / changes:.1f} "
              f"built in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    import sys

    main()
    tangents_against_reverse(full="--full" in sys.argv)
