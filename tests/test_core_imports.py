"""The core (ops, tracer, graph, stages) needs only networkx: no drawing library is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLOCKER = """
import sys
for name in ("graphviz", "matplotlib", "PIL", "resvg_py", "tqdm", "sympy", "numpy", "click"):
    sys.modules[name] = None  # any import of these now fails
import adviz
t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
assert round(t.grad["x1"], 5) == -2.14112
assert len(t.graph) == 7 and len(t.reverse_stages) == 6
print(adviz.walkthrough(t, "markdown")[:10])
print(sorted(m for m in ("graphviz", "matplotlib", "PIL") if sys.modules.get(m)))
"""


def test_import_and_trace_without_drawing_libraries() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")
