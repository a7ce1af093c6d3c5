"""Zoom pages: the player of a scoped graph, and one player zoomed into each scope.

`save_zoom_pages` writes ``zoom-000.html`` (the whole graph, its scopes
collapsed as the player does) and ``zoom-NNN.html`` for each scope (that
scope drawn open, every other scope a box: ``zoom=``), all at once into one
folder. Clicking a collapsed scope's box opens its page; Escape returns to the
whole graph. With ``view="network"`` the first page is the neuron view and
there is one page per neuron (its scalar graph, the rest of the network
collapsed around it, at the neuron view's stages: `adviz.scene.network`):
clicking a neuron's circle opens its page, Escape returns to the neuron view.
Each page embeds its own scene once and its stages as changes, so
each stays O(nodes + edges + changes); the set grows with the number of scopes.

Examples
--------
>>> import tempfile, adviz, adviz.examples
>>> paths = save_zoom_pages(adviz.examples.mlp((1, 2, 1)), tempfile.mkdtemp())
>>> len(paths), paths[0].name, paths[-1].name  # the whole graph, then 6 scopes
(7, 'zoom-000.html', 'zoom-006.html')
>>> len(save_zoom_pages(adviz.examples.mlp((1, 2, 1)), tempfile.mkdtemp(), view="network"))
4
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError
from adviz.writers.files import replace_sequence, sequence_name

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def zoomable(trace: Trace, view: str = "graph") -> list[tuple[str, ...]]:
    """The scopes a page can zoom into: every scope whose zoom draws it open
    (`adviz.scene.focus.zoom_collapse` accepts it), outermost first; in the neuron view
    (``view="network"``), every neuron's scope, layer by layer."""
    from adviz.scene.focus import scope_paths, zoom_collapse

    if view == "network":
        from adviz.core.network import network

        return [n.scope for n in network(trace).neurons]
    out = []
    for path in scope_paths(trace):
        try:
            zoom_collapse(trace, "/".join(path))
        except InputError:
            continue
        out.append(path)
    return out


def save_zoom_pages(trace: Trace, folder: str | os.PathLike[str], **options: Any
                    ) -> list[Path]:
    """Write the whole graph's player and one zoomed player per scope into ``folder``.

    Parameters
    ----------
    trace
        A `Trace` with scopes (``adviz.scope``).
    folder
        Where the pages go (replaced as a set: all new pages or the old ones).
    **options
        As for `adviz.renderers.player.player_html` (not ``zoom``); with
        ``view="network"`` the first page is the neuron view and the others one
        per neuron.

    Returns
    -------
    list of Path
        ``zoom-000.html`` (the whole graph), then one page per scope in
        `zoomable` order.

    Raises
    ------
    InputError
        A trace without scopes, or a ``zoom`` option.
    """
    from adviz.renderers.player import player_html

    if "zoom" in options:
        raise InputError("save_zoom_pages writes a page per scope: leave out zoom=")
    scopes = zoomable(trace, str(options.get("view") or "graph"))
    if not scopes:
        raise InputError("this trace has no scopes to zoom into; trace with adviz.scope(...)")
    links = {"": sequence_name("zoom", 0, ".html")}
    links.update({"/".join(path): sequence_name("zoom", k + 1, ".html")
                  for k, path in enumerate(scopes)})

    def pages() -> Iterator[bytes]:
        yield player_html(trace, zoom_links=links, **options).encode("utf-8")
        for path in scopes:
            yield player_html(trace, zoom="/".join(path), zoom_links=links,
                              **options).encode("utf-8")

    return replace_sequence(folder, "zoom", ".html", pages())
