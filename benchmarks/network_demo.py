"""Neuron-view demo page benchmark: what the zooms into each neuron cost the page.

For `adviz.examples.mlp` networks (default 2-4-1 and micrograd's 2-16-16-1),
it measures in one process, on fresh traces (nothing cached):

* ``view``: `adviz.renderers.demo_network.network_data` (the neuron view's data
  and base SVG): the reference time;
* ``page``: `adviz.renderers.demo.demo_html` with ``view="network"``, the whole
  page (the neuron view, every neuron's zoom, the walkthrough), its time as a
  ratio to ``view`` and its size;
* the zooms: the total size of every neuron's zoom figure as the page embeds
  it (base SVG and data as JSON, before packing), the size of the pack holding
  them and the page's size without the pack;
* with ``--player``, the player's zoom pages
  (`adviz.writers.zoom.save_zoom_pages` with ``view="network"``): their time as a
  ratio to ``view``, their number and their total and largest sizes.

Run::

    python benchmarks/network_demo.py
    python benchmarks/network_demo.py --sizes 2-16-16-1 --player
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time

import adviz.examples
from adviz.renderers.demo import demo_html
from adviz.renderers.demo_network import network_data, unpack
from adviz.writers.zoom import save_zoom_pages


def measure(sizes: tuple[int, ...]) -> dict[str, float]:
    start = time.perf_counter()
    network_data(adviz.examples.mlp(sizes))
    view = time.perf_counter() - start
    start = time.perf_counter()
    page = demo_html(adviz.examples.mlp(sizes), view="network", analytic=False, zooms=True)
    took = time.perf_counter() - start
    found = re.search(r'"pack":"([^"]*)"', page)
    pack = found.group(1) if found else ""
    zooms = unpack(pack) if pack else []
    total = sum(len(json.dumps(z, ensure_ascii=False).encode()) for z in zooms)
    return {"view s": view, "page s": took, "page/view": took / view,
            "page MB": len(page.encode()) / 1e6,
            "without pack MB": (len(page.encode()) - len(pack)) / 1e6,
            "zooms": len(zooms), "zoom figures MB": total / 1e6, "pack MB": len(pack) / 1e6,
            "pack/zoom figures": len(pack) / total if total else 0.0}


def player(sizes: tuple[int, ...]) -> dict[str, float]:
    start = time.perf_counter()
    network_data(adviz.examples.mlp(sizes))
    view = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths = save_zoom_pages(adviz.examples.mlp(sizes), folder, view="network")
        took = time.perf_counter() - start
        written = [p.stat().st_size for p in paths]
    return {"zoom pages s": took, "zoom pages/view": took / view, "pages": len(paths),
            "all pages MB": sum(written) / 1e6, "largest zoom page MB": max(written[1:]) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["2-4-1", "2-16-16-1"],
                        help="layer sizes such as 2-16-16-1")
    parser.add_argument("--player", action="store_true",
                        help="also the player's zoom pages of each network")
    args = parser.parse_args()
    demo_html(adviz.examples.mlp((2, 1, 1)), view="network", analytic=False)  # imports, caches
    for text in args.sizes:
        sizes = tuple(int(n) for n in text.split("-"))
        row = measure(sizes)
        print(text, "  ".join(f"{k} {v:.3g}" for k, v in row.items()), flush=True)
        if args.player:
            row = player(sizes)
            print(text, "player", "  ".join(f"{k} {v:.3g}" for k, v in row.items()),
                  flush=True)


if __name__ == "__main__":
    main()
