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
                            check=False, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]")


CORE_ALONE = """
import importlib.util, sys, types
spec = importlib.util.find_spec("adviz")
package = types.ModuleType("adviz")  # the package without its __init__: the core on its own
package.__path__ = list(spec.submodule_search_locations)
package.__spec__ = spec
sys.modules["adviz"] = package
import adviz.core.tracing as tracing
t = tracing.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
assert round(t.grad["x1"], 5) == -2.14112
assert t._repr_html_() is None and t._repr_svg_() is None  # no display installed yet
above = sorted(m for m in sys.modules
               if m.split(".")[:2] in (["adviz", "renderers"], ["adviz", "scene"],
                                       ["adviz", "text"], ["adviz", "faces"]))
print(above)
import adviz.faces.notebook
print(t._repr_html_()[:26])
"""


def test_core_imports_no_renderer_scene_or_text() -> None:
    """The core computes traces alone; the notebook display is installed from above it."""
    result = subprocess.run([sys.executable, "-c", CORE_ALONE], capture_output=True, text=True,
                            check=False, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    above, display = result.stdout.strip().splitlines()
    assert above == "[]"
    assert display == '<div class="adviz-player a'
