"""Text writers: the walkthrough as Markdown, LaTeX or plain text, and the graph as JSON.

Examples
--------
>>> import adviz, json, tempfile, pathlib
>>> t = adviz.trace("x * x", x=3)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "graph.json")
>>> sorted(json.loads(path.read_text())["graph"])
['expression', 'inputs', 'output']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from adviz.formatting import finite_json, json_value
from adviz.text.tables import walkthrough
from adviz.writers import Writer, register_writer
from adviz.writers.files import atomic_write_text
from adviz.writers.options import OUTPUT

if TYPE_CHECKING:
    from adviz.core.tracing import Trace


def graph_json(trace: Trace) -> str:
    """The graph as NetworkX node-link JSON (deterministic key order).

    The output is strict JSON (RFC 8259, what ``JSON.parse`` accepts): a
    number that is not finite (a ``nan`` or ``inf`` partial or adjoint, such
    as the partial of ``sqrt`` at 0) is written as ``null``; the value in
    the trace's graph is unchanged. Tensor nodes' arrays are nested lists.
    """
    data = finite_json(nx.node_link_data(trace.graph, edges="edges"))
    return json.dumps(data, indent=1, sort_keys=True, allow_nan=False,
                      default=lambda value: finite_json(json_value(value))) + "\n"


def _walkthrough_writer(fmt: str) -> Any:
    def write(trace: Trace, path: Path) -> None:
        atomic_write_text(path, walkthrough(trace, fmt))

    return write


def _write_json(trace: Trace, path: Path) -> None:
    atomic_write_text(path, graph_json(trace))


register_writer(Writer("markdown", (".md", ".markdown"), _walkthrough_writer("markdown"),
                       description="walkthrough table in Markdown", options=(OUTPUT,),
                       filename="walkthrough.md", mime="text/markdown", default=True))
register_writer(Writer("text", (".txt",), _walkthrough_writer("text"),
                       description="walkthrough as plain text", options=(OUTPUT,),
                       filename="walkthrough.txt", mime="text/plain"))
register_writer(Writer("json", (".json",), _write_json,
                       description="the graph as NetworkX node-link JSON",
                       filename="graph.json", mime="application/json", default=True))
