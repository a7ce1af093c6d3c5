"""Focus and zoom in the pages: what they add, as ratios to the page without them.

For MLPs of several sizes (their neurons collapsed, as the player draws them):

- focus data (each drawn node's focus caption, `adviz.renderers.player.focus_data`):
  its time on a fresh trace against building the whole player page (which includes it)
  in the same process, and the page's bytes
  with it against the page's bytes without it (a size);
- zoom pages (`adviz.writers.zoom.save_zoom_pages`): the bytes of every page together
  against the bytes of the one page of the whole graph (a size: the pages are as many as
  the scopes plus one, each O(nodes + edges + changes)).

Run: ``python benchmarks/focus_pages.py [--sizes 2-4-1,2-8-8-1] [--zoom-sizes 2-4-1]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import adviz.examples
from adviz.renderers.player import focus_data, player_fragment
from adviz.scene.picture import figure
from adviz.writers.zoom import save_zoom_pages


def _sizes(text: str) -> list[tuple[int, ...]]:
    return [tuple(int(n) for n in item.split("-")) for item in text.split(",") if item]


def focus_cost(sizes: tuple[int, ...]) -> dict[str, object]:
    net = adviz.examples.mlp(sizes)
    start = time.perf_counter()
    page = player_fragment(net)
    page_time = time.perf_counter() - start
    fig = figure(adviz.examples.mlp(sizes))  # a fresh trace: nothing of it cached yet
    start = time.perf_counter()
    data = focus_data(fig)
    focus_time = time.perf_counter() - start
    added = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    size = len(page.encode("utf-8"))
    return {"mlp": "-".join(map(str, sizes)), "nodes": len(net.program.nodes),
            "drawn": len(fig.view.nodes), "focus / page time": round(focus_time / page_time, 3),
            "page bytes": size, "focus bytes / page bytes": round(added / size, 3)}


def zoom_size(sizes: tuple[int, ...]) -> dict[str, object]:
    net = adviz.examples.mlp(sizes)
    with tempfile.TemporaryDirectory() as folder:
        paths = save_zoom_pages(net, folder)
        sizes_written = [p.stat().st_size for p in paths]
    return {"mlp": "-".join(map(str, sizes)), "pages": len(paths),
            "all pages / whole-graph page": round(sum(sizes_written) / sizes_written[0], 2),
            "largest zoomed page / whole-graph page": round(max(sizes_written[1:])
                                                            / sizes_written[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2-4-1,2-8-8-1")
    parser.add_argument("--zoom-sizes", default="2-4-1")
    args = parser.parse_args()
    for sizes in _sizes(args.sizes):
        print(focus_cost(sizes))
    for sizes in _sizes(args.zoom_sizes):
        print(zoom_size(sizes))


if __name__ == "__main__":
    main()
