"""`import adviz` loads none of the frameworks the importers read."""

from __future__ import annotations

import subprocess
import sys


def test_import_adviz_loads_no_framework() -> None:
    code = ("import sys, adviz; adviz.trace('x * x', x=1.0); "
            "print(sorted(m for m in ('torch', 'jax', 'micrograd', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout)
    assert not {"torch", "jax", "micrograd"} & set(loaded), loaded


def test_importers_are_public_and_lazy() -> None:
    code = ("import sys, adviz; f = adviz.from_micrograd; "
            "print('micrograd' in sys.modules, f.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "adviz.core.importers.micrograd_graph"]
