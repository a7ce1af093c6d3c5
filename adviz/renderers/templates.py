"""Page templates: texts of `adviz.text` with holes for the numbers a page's script computes.

The demonstration page recomputes numbers in the browser but builds no text:
every label, caption and walkthrough row is made once, as tokens
(`adviz.text.labels`, `adviz.text.tables`), and shipped as a template
(`adviz.text.tokens.Text.template`) whose holes name the quantity each
number shows. In a page template a piece is literal text, a hole or a
fragment number. A hole is ``[quantity, index, parens]``:

- ``quantity`` is ``"value"`` or ``"adjoint"`` (of node number ``index``:
  its value, its final adjoint) or ``"partial"``, ``"upstream"``,
  ``"delta"``, ``"before"`` or ``"after"`` (of edge number ``index``: its
  local partial and its contribution in the reverse pass);
- ``index`` is ``None`` for a text shown on any node or edge (a node's value
  line, say): the script gives the number of the element it draws;
- ``parens`` is 1 when a negative number is put in parentheses.

A fragment number ``k`` (an integer piece) stands for the page's ``k``-th
shared MathML fragment (`adviz.text.mathml.Fragment`): the markup of a name,
an adjoint, a part of a partial, a formula or an operator, or the markup
around them (``<math>``, a caption's spans), which the MathML texts
(captions, the walkthrough's cells) repeat thousands of times in a large
graph. A template
is made with the fragment itself in place (a string, so it fills as it is);
`intern_fragments` writes each distinct one once in the page's list
(``data["fragments"]``, the most used first) and puts its number in every
template that shows it.

The script writes a number as `adviz.text.tokens.pretty_number` does
(Unicode minus) in labels and captions, as `adviz.formatting.format_number`
does in plain texts and the walkthrough, and expands each fragment number
(`fill` here is what it does).

Examples
--------
>>> import adviz
>>> from adviz.text.labels import partial_text, stage_text, value_text
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> slots = Slots(t)
>>> page_template(value_text(0.0), slots)
['= ', ['value', None, 0]]
>>> page_template(partial_text(t, "t1", "t2"), slots)
['∂t₂/∂t₁ = 2t₁ = ', ['partial', 4, 0]]
>>> fill(['∂t₂/∂t₁ = 2t₁ = ', ['partial', 4, 0]], lambda q, i: -2.0)
'∂t₂/∂t₁ = 2t₁ = −2'
>>> data = {"caption": caption_template(stage_text(t, "reverse", 1), slots)}
>>> fragments = intern_fragments(data)
>>> fragments[:3]
['</span>', '<mi mathvariant="normal">∂</mi>', '<span class="adviz-part">']
>>> data["caption"][:8]
[12, 2, 'Stage 1 of 5 — process parents of ', 3, 4, 5, ':', 0]
>>> from adviz.text.mathml import caption_html
>>> fill(data["caption"], lambda q, i: 1.0, "mathml", fragments) == caption_html(
...     stage_text(t, "reverse", 1))
True
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from adviz.errors import RenderError
from adviz.text.mathml import Fragment
from adviz.text.tokens import Text, num_key, number_text

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

NODE_QUANTITIES = ("value", "adjoint")
"""Quantities of a node a template can show."""

EDGE_QUANTITIES = ("partial", "upstream", "delta", "before", "after")
"""Quantities of an edge a template can show (its partial and its contribution)."""

PageTemplate = list[Any]


class Slots:
    """Where the page finds each number: keys (`adviz.text.tokens.num_key`) to holes.

    Nodes are numbered in tape order, edges in the order of ``trace.graph.edges``
    (the page's numbering).
    """

    def __init__(self, trace: Trace) -> None:
        self.edges: dict[tuple[str, str], int] = {}
        for number, (parent, child) in enumerate(trace.graph.edges):
            self.edges[parent, child] = number
        table: dict[str, tuple[str, int | None]] = {}
        for quantity in NODE_QUANTITIES + EDGE_QUANTITIES:
            table[num_key(quantity)] = (quantity, None)
        for i, node in enumerate(trace.program.nodes):
            for quantity in NODE_QUANTITIES:
                table[num_key(quantity, node.id)] = (quantity, i)
        for (parent, child), number in self.edges.items():
            for quantity in EDGE_QUANTITIES:
                table[num_key(quantity, parent, child)] = (quantity, number)
        self._table = table

    def __getitem__(self, key: str | None) -> tuple[str, int | None]:
        found = self._table.get(key) if key is not None else None
        if found is None:
            raise RenderError(f"a page text shows a number ({key!r}) the page does not compute")
        return found


def page_template(text: Text, slots: Slots, notation: str = "unicode", *,
                  escape: bool = False) -> PageTemplate:
    """A text as a page template (see the module).

    Parameters
    ----------
    text
        Tokens whose numbers carry keys.
    slots
        The page's numbering of nodes and edges.
    notation
        ``"unicode"`` (labels and captions), ``"plain"`` (plain captions) or
        ``"mathml"`` (the walkthrough's cells: HTML with MathML, escaped already;
        the page writes each number as MathML, ``<mn>``; long names, adjoints,
        partials and formulas are fragments in place, see the module).
    escape
        Escape the literal text for HTML (the walkthrough's HTML format is its
        plain text, escaped; numbers need no escaping).

    Raises
    ------
    RenderError
        A number of the text has no key, or one the page does not compute.
    """
    if notation == "mathml":  # with its shared fragments (see the module)
        from adviz.text.mathml import mathml_pieces

        return _holes(mathml_pieces(text), slots)
    out: PageTemplate = []
    for piece in text.template(notation):
        if isinstance(piece, str):
            out.append(html.escape(piece) if escape else piece)
        else:
            quantity, index = slots[piece.key]
            out.append([quantity, index, int(piece.parens)])
    return out


def caption_template(text: Text, slots: Slots) -> PageTemplate:
    """A caption as a page template in HTML: its terms as spans that wrap only between each
    other, its math as MathML, its numbers as holes, its long names, adjoints, partials and
    formulas as fragments in place (`adviz.text.mathml.caption_pieces`).

    Examples
    --------
    >>> import adviz
    >>> from adviz.text.labels import stage_text
    >>> t = adviz.trace("x * x", x=3)
    >>> caption_template(stage_text(t, "reverse", 0), Slots(t))[2:]
    ['Stage 0 of 1 — initialise ', '<math>', '<msub><mi>g</mi><mi>y</mi></msub>', '<mo>=</mo>', \
['adjoint', 1, 0], '</math>', '</span>', '</span>']
    """
    from adviz.text.mathml import caption_pieces

    return _holes(caption_pieces(text), slots)


def _holes(pieces: list[Any], slots: Slots) -> PageTemplate:
    """Pieces as a page template: plain strings merged, each `Fragment` a piece of its own
    (the page interns it, `intern_fragments`), each hole found in ``slots``."""
    out: PageTemplate = []
    for piece in pieces:
        if isinstance(piece, str):
            if type(piece) is str and out and type(out[-1]) is str:
                out[-1] += piece
            else:
                out.append(piece)
        else:
            quantity, index = slots[piece.key]
            out.append([quantity, index, int(piece.parens)])
    return out


def intern_fragments(data: Any) -> list[str]:
    """Replace, in every template of ``data``, each `Fragment` by its number in the list
    returned: each distinct fragment once, the most used first (then in order of first
    use), so the numbers a page repeats most are the shortest.

    ``data`` is a page's JSON-able data (dicts and lists), changed in place; a
    template is any list in it.

    Examples
    --------
    >>> name, grad = Fragment("<mi>alpha1</mi><mi>x</mi>"), Fragment("<mi>g</mi>")
    >>> data = {"a": ["<math>", name, ["value", 0, 0], "</math>"], "b": [[grad, name]]}
    >>> intern_fragments(data), data
    (['<mi>alpha1</mi><mi>x</mi>', '<mi>g</mi>'], \
{'a': ['<math>', 0, ['value', 0, 0], '</math>'], 'b': [[1, 0]]})
    """
    places: list[tuple[list[Any], int]] = []
    counts: dict[str, int] = {}
    stack = [data]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            stack.extend(v for v in reversed(item.values()) if type(v) is list or type(v) is dict)
            continue
        k = -1
        for piece in item:
            k += 1
            kind = type(piece)
            if kind is Fragment:
                places.append((item, k))
                counts[piece] = counts.get(piece, 0) + 1
            elif kind is list or kind is dict:
                stack.append(piece)
    first = {piece: k for k, piece in enumerate(counts)}  # dicts keep insertion order
    fragments = sorted(counts, key=lambda piece: (-counts[piece], first[piece]))
    number = {piece: k for k, piece in enumerate(fragments)}
    for item, k in places:
        if type(item[k]) is Fragment:  # a list reached twice is numbered once
            item[k] = number[item[k]]
    return [str(piece) for piece in fragments]


def fill(template: PageTemplate, number: Callable[[str, int | None], float],
         notation: str = "unicode", fragments: Sequence[str] = ()) -> str:
    """The text of a page template, given the number of each hole and the page's shared
    fragments (what the script does).

    Examples
    --------
    >>> fill(["g = ", ["before", None, 0], " + ", ["delta", None, 1]],
    ...      lambda quantity, index: {"before": 2.0, "delta": -1.0}[quantity])
    'g = 2 + (−1)'
    >>> fill(["<math>", 0, "<mo>=</mo>", ["value", 0, 0], "</math>"], lambda q, i: 3.0,
    ...      "mathml", ["<mi>x</mi>"])
    '<math><mi>x</mi><mo>=</mo><mn>3</mn></math>'
    """
    return "".join(
        piece if isinstance(piece, str) else
        fragments[piece] if isinstance(piece, int) else
        number_text(number(piece[0], piece[1]), notation, bool(piece[2]))
        for piece in template)
