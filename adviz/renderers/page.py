"""What the two pages (the player and the demonstration) embed about a figure, as JSON data.

A page shows one SVG document, painted once (the base), and changes it in
the browser. What its script needs to do so is plain data taken from the
`adviz.scene.picture.Figure`, computed once:

- the style table (`Figure.styles`), so the script picks no colour or width;
- every node's kind and centre, and every edge's two routes (forward: the
  arrowhead at the child; reverse: at the parent) as SVG path data and
  arrowhead polygons, its label anchor and, in top-to-bottom layouts, where
  left-aligned label lines start;
- the sizes the script needs to place text lines (`SIZES`), so it computes
  line centres and baselines like `adviz.scene.picture.line_centres` and
  `adviz.scene.picture.baseline`.

It also holds what both pages share: their assets, the JSON embedding and
the script hashes of their Content-Security-Policy.

Examples
--------
>>> import adviz
>>> from adviz.scene.picture import figure
>>> fig = figure(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
>>> data = scene_data(fig)
>>> data["nodes"][0][:2], len(data["edges"])
(['x1', 'input'], 8)
>>> data["edges"][0][2].startswith("M"), data["styles"]["edge"]["gradient"]["width"]
(True, 2.6)
"""

from __future__ import annotations

import base64
import contextlib
import gc
import hashlib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from adviz.formatting import finite_json
from adviz.scene.style import LINE_SPACING, TITLE_SIZE

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.scene.content import Line
    from adviz.scene.picture import Arrow, Figure

Point = tuple[float, float]

SIZES = {"spacing": LINE_SPACING, "baseline": 0.35}
"""Line height (a multiple of the font size) and the baseline's offset below a line's
centre (a multiple of the font size), as in `adviz.scene.picture`."""

_JSON_ESCAPES = (("</", "<\\/"), ("<!", "\\u003c!"), ("\u2028", "\\u2028"),
                 ("\u2029", "\\u2029"))
"""What `json_for_script` rewrites: the only texts that can end a script element or
change how it is read (an end tag, a comment opening) and the line separators, each
as a JSON escape of the same characters."""


@cache
def asset(name: str) -> str:
    """The text of a file of ``adviz/assets`` (a page's script or style sheet)."""
    return (resources.files("adviz") / "assets" / name).read_text(encoding="utf-8")


def source_hash(text: str) -> str:
    """The CSP source expression (``'sha256-...'``) that allows one inline script.

    Examples
    --------
    >>> source_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a page is built (then as it was).

    A large page builds millions of objects that reference counting frees; the
    collector's full passes over them cost about a tenth of the page's time (0.9 s
    of 7.7 s for a 1,018-node demonstration page). Cycles made meanwhile are
    collected once it resumes.

    Examples
    --------
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def packed_json(data: Any) -> str:
    """``data`` as JSON compressed with zlib (deflate) in base64: what a page holds when
    its data repeats itself (a neuron's zooms), inflated once by its script
    (``DecompressionStream("deflate")``, `unpacked_json` here).

    Examples
    --------
    >>> unpacked_json(packed_json({"svg": "<svg/>" * 100}))["svg"][:12]
    '<svg/><svg/>'
    """
    import zlib

    return base64.b64encode(zlib.compress(_dumps(data).encode("utf-8"), 9)).decode("ascii")


def unpacked_json(pack: str) -> Any:
    """The data a `packed_json` text holds."""
    import zlib

    return json.loads(zlib.decompress(base64.b64decode(pack)))


def json_for_script(data: Any) -> str:
    """Serialise ``data`` as JSON that is safe inside an HTML ``<script>`` element.

    Keys are sorted (same input, same bytes). An HTML parser ends a script
    element only at ``</`` followed by ``script``, and reads it differently
    after ``<!--``; so ``</`` is written ``<\\/`` and ``<!`` is written
    ``\\u003c!`` (both JSON escapes of the same characters), and the line
    separators U+2028/U+2029, which end a line in older JavaScript, as
    ``\\u`` escapes. Every other character, markup included, is written as
    it is: text in the data can neither end the element nor open a comment,
    and a page's MathML costs no more bytes than it has. Numbers that are
    not finite become ``null``.

    Examples
    --------
    >>> text = json_for_script({"name": "</script><!--<b>&", "x": float("nan")})
    >>> print(text)
    {"name":"<\\/script>\\u003c!--<b>&","x":null}
    >>> json.loads(text)["name"]
    '</script><!--<b>&'
    """
    try:  # a walk over the data only when a number is not finite (rare: `sqrt` at 0)
        text = _dumps(data)
    except ValueError:
        text = _dumps(finite_json(data))  # NaN, inf: null
    for char, escaped in _JSON_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def default_title(trace: Trace) -> str:
    """A page's heading: output, formula (or function name) and the point (at most
    `adviz.text.tables.TITLE_INPUTS` of its inputs).

    Examples
    --------
    >>> import adviz
    >>> default_title(adviz.trace("x * x", x=3))
    'y = x * x at x = 3'
    """
    from adviz.text.tables import TITLE_INPUTS, title_text

    return title_text(trace, TITLE_INPUTS).plain()


def _f(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def path_data(points: tuple[Point, ...]) -> str:
    """A route's control points as SVG path data (``M`` then cubic ``C`` segments).

    Examples
    --------
    >>> path_data(((0.0, 0.0), (1.0, 0.0), (2.0, 1.0), (3.0, 1.0)))
    'M0.00,0.00C1.00,0.00 2.00,1.00 3.00,1.00'
    """
    if not points:
        return ""
    head, rest = points[0], points[1:]
    return f"M{_f(head[0])},{_f(head[1])}C" + " ".join(f"{_f(x)},{_f(y)}" for x, y in rest)


def polygon_points(arrow: Arrow | None) -> str | None:
    """An arrowhead as the ``points`` of a closed SVG polygon (tip first and last)."""
    if arrow is None:
        return None
    corners = (*arrow.corners(), arrow.tip)
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)


def crop(fig: Figure) -> float:
    """Where the graph starts below the caption band: a page shows the caption as text.

    The band's lowest line (the longest caption, then the notice) ends above
    this height, so a page cuts every frame there alike.
    """
    baselines = fig.caption.baselines()
    return round(baselines[-1] + 0.3 * TITLE_SIZE, 2) if baselines else 0.0


class LineTable:
    """Distinct text lines, each stored once: ``[role, size, text]``, referred to by number.

    Examples
    --------
    >>> from adviz.scene.content import Line
    >>> table = LineTable()
    >>> table.refs((Line("x₁", "name", 14.0), Line("= 1", "value", 12.0)))
    [0, 1]
    >>> table.refs((Line("x₁", "name", 14.0),)), table.rows
    ([0], [['name', 14.0, 'x₁'], ['value', 12.0, '= 1']])
    """

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self._index: dict[Line, int] = {}

    def refs(self, lines: tuple[Line, ...]) -> list[int]:
        """The numbers of ``lines`` (added when new)."""
        out = []
        for line in lines:
            number = self._index.get(line)
            if number is None:
                number = self._index[line] = len(self.rows)
                self.rows.append([line.role, line.size, line.text])
            out.append(number)
        return out


def as_columns(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Records sharing their keys, written once: ``{"keys": [...], "rows": [[...], ...]}``.

    A page's records (one per node or edge) would otherwise repeat every key
    in every record; the pages' scripts turn them back into records when
    they load (``rows`` in the scripts).

    Examples
    --------
    >>> as_columns([{"id": "x", "value": 1.0}, {"id": "y", "value": 2.0}])
    {'keys': ['id', 'value'], 'rows': [['x', 1.0], ['y', 2.0]]}
    """
    keys = sorted(records[0]) if records else []
    if any(sorted(record) != keys for record in records):
        raise ValueError("records with different keys cannot share them")
    return {"keys": keys, "rows": [[record[key] for key in keys] for record in records]}


def scene_data(fig: Figure, kinds: dict[str, str] | None = None) -> dict[str, Any]:
    """The figure as the pages' scripts read it (see the module).

    ``kinds`` gives each node's kind (`adviz.scene.content.NodeView.kind`) when
    the caller has a frame at hand; by default they are read from the summary frame.

    Returns
    -------
    dict
        ``nodes``: ``[id, kind, x, y]`` per drawn node (view order);
        ``edges``: ``[parent, child, forward path, forward head, reverse path,
        reverse head, label x, label y, label left]`` per drawn edge;
        ``styles``: the style table; ``sizes``: `SIZES`; ``crop``: `crop`;
        ``width``, ``height``: the frame size in points.
    """
    if kinds is None:
        kinds = {node: view.kind for node, view in fig.frame("summary").nodes.items()}
    nodes = []
    for node in fig.view.nodes:
        shape = fig.nodes[node]
        nodes.append([node, kinds.get(node, ""), shape.x, shape.y])
    edges = []
    for key in fig.view.edges:
        edge = fig.edges[key]
        label = edge.label
        edges.append([
            edge.parent, edge.child,
            path_data(edge.forward), polygon_points(edge.forward_head),
            path_data(edge.reverse), polygon_points(edge.reverse_head),
            None if label is None else label[0], None if label is None else label[1],
            edge.label_left,
        ])
    return {"nodes": nodes, "edges": edges, "styles": fig.styles, "sizes": SIZES,
            "crop": crop(fig), "width": fig.width, "height": fig.height}


def html_document(title: str, csp: str, dark: bool, css: str, body: str) -> str:
    """A whole page: strict script policy, colour scheme, inline style, then ``body``.

    ``title`` is escaped already; ``csp`` is the Content-Security-Policy.

    Examples
    --------
    >>> page = html_document("t", "default-src 'none'", False, "p{}", "<p>hi</p>\\n")
    >>> page.startswith("<!DOCTYPE html>"), page.endswith("</html>\\n")
    (True, True)
    """
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="color-scheme" content="{"dark" if dark else "light"}">\n'
        '<meta name="generator" content="adviz">\n'
        f"<title>{title}</title>\n"
        f"<style>html,body{{margin:0;background:{'#151618' if dark else '#ffffff'}}}\n"
        f"{css}</style>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )
