"""What a painter drew, as data: the common currency of the renderers' parity checks.

Every renderer can report, for one frame, a `Painted` record per element it
drew: the element (``"node:t1"``, ``"edge:t1->t2"``, ``"caption"``), its fill,
stroke and stroke width, the text of each line (in the scene's Unicode
notation, whatever notation the renderer typesets it in) and, for edges, which
way the arrowhead points. Two renderers paint the same frame alike when their
records are equal.

Examples
--------
>>> record = Painted("node:x1", "#eef7fc", "#4d4d4d", 1.2, ("x₁", "= 1"))
>>> record == Painted("node:x1", "#eef7fc", "#4d4d4d", 1.2, ("x₁", "= 1"))
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Painted:
    """One drawn element (see the module).

    Attributes
    ----------
    element
        ``"node:<id>"``, ``"edge:<parent>-><child>"`` or ``"caption"``.
    fill, stroke
        Colours as lower-case ``#rrggbb`` (``None`` when not drawn).
    width
        Stroke width in frame points, rounded to 2 decimals.
    texts
        The lines of text, in order.
    toward_parent
        Edges: whether the arrowhead points at the parent (gradient flowing
        back); ``None`` for other elements or an edge without an arrowhead.
    opacity
        Stroke opacity (edges that carried gradient earlier are faded).
    dash
        Nodes: the border's dash pattern in frame points (empty: solid).
    shape, corner
        Nodes: ``"box"`` (a rounded rectangle) or ``"circle"`` (the ellipse
        inscribed in the node's box: a circle when its sides are equal), and
        the corner radii ``(rx, ry)`` in frame points (a circle's: half its
        width and height); ``None`` when not recorded.
    """

    element: str
    fill: str | None
    stroke: str | None
    width: float | None
    texts: tuple[str, ...]
    toward_parent: bool | None = None
    opacity: float = 1.0
    dash: tuple[float, ...] = ()
    shape: str | None = None
    corner: tuple[float, float] | None = None


def colour(value: str | None) -> str | None:
    """A colour as records spell it: lower-case ``#rrggbb`` (``None`` stays ``None``).

    Examples
    --------
    >>> colour("#E69F00")
    '#e69f00'
    """
    return None if value is None else value.lower()


def dash_text(dash: object) -> str:
    """A dash pattern as SVG's ``stroke-dasharray`` writes it (``""``: solid).

    Examples
    --------
    >>> dash_text([4.0, 2.0])
    '4,2'
    """
    return ",".join(f"{float(v):g}" for v in dash) if isinstance(dash, (list, tuple)) else ""


def node_element(node: str) -> str:
    """The element name of a node."""
    return f"node:{node}"


def edge_element(parent: str, child: str) -> str:
    """The element name of an edge."""
    return f"edge:{parent}->{child}"
