"""Themes by their historical module name; they live in `adviz.scene.style`."""

from adviz.scene.style import THEMES, Theme, get_theme

__all__ = ["THEMES", "Theme", "get_theme"]
