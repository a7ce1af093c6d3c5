"""What a Matplotlib drawing shows, read back from its artists as `Painted` records.

`painted` looks at the artists of a `adviz.renderers.mpl.artists.Scene` as
they are now, not at what was asked of them: the face and edge colours of
each box and path, their line widths converted back to frame points, the
text each visible text artist was set from (in the scene's Unicode notation,
whatever mathtext draws for it), the opacity of each edge, and the
direction of each visible arrowhead worked out from the triangle's geometry
(its tip nearer the parent's box: it points toward the parent).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> ax = adviz.draw(t, "reverse", 2)
>>> records = painted(ax)
>>> records["node:t1"].texts
('t₁ = x₁ − x₂', '= −1', 'g = −2')
>>> records["edge:t1->t2"].toward_parent
True
>>> import matplotlib.pyplot as plt; plt.close(ax.figure)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from adviz.errors import InputError
from adviz.renderers.mpl.artists import Scene
from adviz.scene.painted import Painted, edge_element, node_element

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Patch, Polygon
    from matplotlib.text import Text

Point = tuple[float, float]


def _hex(colour: Any) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour, keep_alpha=False).lower()


def _box(patch: Patch) -> tuple[float, float, float, float]:
    from matplotlib.patches import Ellipse

    if isinstance(patch, Ellipse):
        cx, cy = (float(v) for v in patch.get_center())  # type: ignore[attr-defined]
        w, h = float(patch.get_width()), float(patch.get_height())
        return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
    x0, y0 = patch.get_x(), patch.get_y()  # type: ignore[attr-defined]
    return x0, y0, x0 + patch.get_width(), y0 + patch.get_height()  # type: ignore[attr-defined]


def _outline(patch: Patch) -> tuple[str, tuple[float, float]]:
    """The kind of a node's outline and its corner radii in frame points, read from the patch:
    an ellipse is ``"circle"`` (radii: half its width and height), a rounded box ``"box"``."""
    from matplotlib.patches import Ellipse

    if isinstance(patch, Ellipse):
        return "circle", (round(patch.get_width() / 2, 2), round(patch.get_height() / 2, 2))
    radius = round(float(patch.get_boxstyle().rounding_size), 2)  # type: ignore[attr-defined]
    return "box", (radius, radius)


def box_distance(point: Point, box: tuple[float, float, float, float]) -> float:
    """Distance from a point to a rectangle ``(x0, y0, x1, y1)`` (0 inside).

    Examples
    --------
    >>> box_distance((5.0, 0.0), (0.0, 0.0, 2.0, 2.0))
    3.0
    """
    x, y = point
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return math.hypot(dx, dy)


def arrow_tip(polygon: Polygon) -> Point:
    """The tip of an arrowhead triangle: the corner opposite its shortest side.

    Examples
    --------
    >>> from matplotlib.patches import Polygon
    >>> arrow_tip(Polygon([(10.0, 0.0), (2.0, 3.2), (2.0, -3.2)]))
    (10.0, 0.0)
    """
    xy = np.asarray(polygon.get_xy(), dtype=float)[:3]
    sides = [math.dist(xy[(k + 1) % 3], xy[(k + 2) % 3]) for k in range(3)]
    k = int(np.argmin(sides))
    return float(xy[k][0]), float(xy[k][1])


def _texts(scene: Scene, texts: list[Text]) -> tuple[str, ...]:
    return tuple(scene.unicode.get(t, t.get_text()) for t in texts if t.get_visible())


def _scene_of(source: Scene | Axes) -> Scene:
    if isinstance(source, Scene):
        return source
    found = getattr(source, "adviz_scene", None)
    if not isinstance(found, Scene):
        raise InputError("painted needs a Scene or an Axes drawn by adviz (adviz.draw, "
                         "adviz.animate)")
    return found


def painted(source: Scene | Axes) -> dict[str, Painted]:
    """What a Matplotlib drawing of a frame shows, element by element.

    Parameters
    ----------
    source
        A `adviz.renderers.mpl.artists.Scene`, or an Axes it draws on (what
        `adviz.draw` returns).

    Returns
    -------
    dict
        ``"node:<id>"``, ``"edge:<parent>-><child>"`` and ``"caption"`` ->
        `adviz.scene.painted.Painted` (as `adviz.renderers.svg.painted` reads
        an SVG frame).
    """
    scene = _scene_of(source)
    s = scene.scale
    out: dict[str, Painted] = {}
    if scene.captions:
        out["caption"] = Painted("caption", None, None, None, _texts(scene, scene.captions))
    boxes = {node: _box(patch) for node, patch in scene.node_boxes.items()}
    for key, line in scene.edge_lines.items():
        head = scene.heads[key]
        toward: bool | None = None
        if head.get_visible():
            tip = arrow_tip(head)
            toward = box_distance(tip, boxes[key[0]]) < box_distance(tip, boxes[key[1]])
        alpha = line.get_alpha()
        name = edge_element(*key)
        out[name] = Painted(name, None, _hex(line.get_edgecolor()),
                            round(float(line.get_linewidth()) / s, 2),
                            _texts(scene, scene.edge_texts[key]), toward,
                            1.0 if alpha is None else round(float(alpha), 4))
    for node, patch in scene.node_boxes.items():
        name = node_element(node)
        width = float(patch.get_linewidth()) / s
        style = patch.get_linestyle()
        dash = tuple(round(v * width, 2) for v in style[1]) if isinstance(style, tuple) else ()
        shape, corner = _outline(patch)
        out[name] = Painted(name, _hex(patch.get_facecolor()), _hex(patch.get_edgecolor()),
                            round(width, 2), _texts(scene, scene.node_texts[node]), dash=dash,
                            shape=shape, corner=corner)
    return out
