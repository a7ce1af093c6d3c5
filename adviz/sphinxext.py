"""The Sphinx extension's public name: ``extensions = ["adviz.sphinxext"]``.

The directive itself lives in `adviz.faces.sphinx`.
"""

from adviz.faces.sphinx import AdvizDirective, setup

__all__ = ["AdvizDirective", "setup"]
