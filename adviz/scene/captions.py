"""The caption of a figure's frame as tokens, for renderers that typeset it (mathtext, MathML).

A frame carries its caption as Unicode text (`adviz.scene.content.Frame.title`);
`frame_caption` finds the tokens it was written from
(`adviz.text.labels.caption_text`), so a renderer can write the same caption
in its own notation, or ``None`` for a title of another kind (a descent
step's, say), which a renderer shows as plain text.

Examples
--------
>>> import adviz
>>> from adviz.scene.picture import figure
>>> fig = figure(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
>>> frame = fig.frame("reverse", 3)
>>> frame_caption(fig, "reverse", 3, frame.title).latex()  # doctest: +NORMALIZE_WHITESPACE
'Stage 3 of 5 --- process parents of $t_{4}$:
 $g_{t_{3}} \\\\mathrel{+}= g_{t_{4}} \\\\cdot \\\\partial t_{4}/\\\\partial t_{3} = -0.14112$'
>>> frame_caption(fig, "reverse", 3, "another title") is None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adviz.text.labels import caption_text

if TYPE_CHECKING:
    from adviz.scene.picture import Figure
    from adviz.text.tokens import Text


def frame_caption(fig: Figure, phase: str | None, index: int, title: str) -> Text | None:
    """The tokens of the caption ``title`` of stage ``index`` of ``phase`` (see the module)."""
    if phase not in ("forward", "reverse", "summary", "tangent"):
        return None
    try:
        tokens = caption_text(fig.trace, phase, index,
                              fig.sweep if phase == "tangent" else None)
    except Exception:  # a frame this figure's trace does not caption itself
        return None
    return tokens if tokens.unicode() == title else None
