"""An adviz writer plugin: the computational graph in Graphviz's DOT language.

Installed with an entry point in the group ``adviz.writers``, it adds the
format ``dot`` (files ``.dot`` and ``.gv``) to ``adviz.save``, the command
line's ``--format`` and the Sphinx directive's ``:output:``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adviz.writers import Writer
from adviz.writers.files import atomic_write_text
from adviz.writers.options import RANKDIR, Option


def to_dot(trace: Any, *, rankdir: str = "LR", values: bool = True) -> str:
    """The graph of a trace as DOT text: one node per value, one edge per argument."""
    lines = ["digraph adviz {", f"  rankdir={rankdir};"]
    for node, data in trace.graph.nodes(data=True):
        label = str(data["expr"])
        if values:
            label += f"\n= {data['value']:.6g}"
        lines.append(f"  {json.dumps(node)} [label={json.dumps(label)}];")
    for parent, child in trace.graph.edges:
        lines.append(f"  {json.dumps(parent)} -> {json.dumps(child)};")
    return "\n".join([*lines, "}"]) + "\n"


def write_dot(trace: Any, path: Path, **options: Any) -> None:
    """Write the DOT file atomically; ``options`` were checked by ``adviz.save``."""
    atomic_write_text(path, to_dot(trace, **options))


writer = Writer(
    "dot",
    (".dot", ".gv"),
    write_dot,
    description="the graph in Graphviz's DOT language",
    options=(RANKDIR, Option("values", bool, True, "forward values in the node labels")),
    filename="graph.dot",
    mime="text/vnd.graphviz",
)
