"""Renderers: siblings that paint a scene and its changes (SVG, Matplotlib, TikZ, the
pages' JavaScript). None imports another; none defines a colour.
"""
