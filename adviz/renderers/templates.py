"""Page templates: texts of `adviz.text` with holes for the numbers a page's script computes.

The demonstration page recomputes numbers in the browser but builds no text:
every label, caption and walkthrough row is made once, as tokens
(`adviz.text.labels`, `adviz.text.tables`), and shipped as a template
(`adviz.text.tokens.Text.template`) whose holes name the quantity each
number shows. In a page template a piece is either literal text or a hole
``[quantity, index, parens]``:

- ``quantity`` is ``"value"`` or ``"adjoint"`` (of node number ``index``:
  its value, its final adjoint) or ``"partial"``, ``"upstream"``,
  ``"delta"``, ``"before"`` or ``"after"`` (of edge number ``index``: its
  local partial and its contribution in the reverse pass);
- ``index`` is ``None`` for a text shown on any node or edge (a node's value
  line, say): the script gives the number of the element it draws;
- ``parens`` is 1 when a negative number is put in parentheses.

The script writes a number as `adviz.text.tokens.pretty_number` does
(Unicode minus) in labels and captions, as `adviz.formatting.format_number`
does in plain texts and the walkthrough (`fill` here is what it does).

Examples
--------
>>> import adviz
>>> from adviz.text.labels import partial_text, value_text
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> slots = Slots(t)
>>> page_template(value_text(0.0), slots)
['= ', ['value', None, 0]]
>>> page_template(partial_text(t, "t1", "t2"), slots)
['∂t₂/∂t₁ = 2t₁ = ', ['partial', 4, 0]]
>>> fill(['∂t₂/∂t₁ = 2t₁ = ', ['partial', 4, 0]], lambda q, i: -2.0)
'∂t₂/∂t₁ = 2t₁ = −2'
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from adviz.errors import RenderError
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
        the page writes each number as MathML, ``<mn>``).
    escape
        Escape the literal text for HTML (the walkthrough's HTML format is its
        plain text, escaped; numbers need no escaping).

    Raises
    ------
    RenderError
        A number of the text has no key, or one the page does not compute.
    """
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
    other, its math as MathML, its numbers as holes (`adviz.text.mathml.caption_pieces`).

    Examples
    --------
    >>> import adviz
    >>> from adviz.text.labels import stage_text
    >>> t = adviz.trace("x * x", x=3)
    >>> caption_template(stage_text(t, "reverse", 0), Slots(t))[1:]
    [['adjoint', 1, 0], '</math></span></span>']
    """
    from adviz.text.mathml import caption_pieces

    return _holes(caption_pieces(text), slots)


def _holes(pieces: list[Any], slots: Slots) -> PageTemplate:
    out: PageTemplate = []
    for piece in pieces:
        if isinstance(piece, str):
            if out and isinstance(out[-1], str):
                out[-1] += piece
            else:
                out.append(piece)
        else:
            quantity, index = slots[piece.key]
            out.append([quantity, index, int(piece.parens)])
    return out


def fill(template: PageTemplate, number: Callable[[str, int | None], float],
         notation: str = "unicode") -> str:
    """The text of a page template, given the number of each hole (what the script does).

    Examples
    --------
    >>> fill(["g = ", ["before", None, 0], " + ", ["delta", None, 1]],
    ...      lambda quantity, index: {"before": 2.0, "delta": -1.0}[quantity])
    'g = 2 + (−1)'
    """
    return "".join(
        piece if isinstance(piece, str) else
        number_text(number(piece[0], piece[1]), notation, bool(piece[2]))
        for piece in template)
