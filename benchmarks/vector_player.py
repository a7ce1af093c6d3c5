"""Size of the player page of a trace with several outputs, against what it shows.

The page embeds the base SVG once and, per stage, what the stage changes; a
trace with m outputs plays the forward pass and m reverse sweeps. This prints,
for ``adviz.examples.many_outputs(2, m)``, the page's bytes per element of the
graph and change it embeds: it stays bounded (falls) as m grows, where a page
holding every frame whole would grow with stages x nodes.

Run: ``PYTHONPATH=. python benchmarks/vector_player.py``
"""

from __future__ import annotations

import json
import re

from adviz.examples import many_outputs
from adviz.renderers.player import player_html


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


if __name__ == "__main__":
    main()
