"""Text templates: the label and caption texts of `adviz.text.labels` with holes for numbers.

The demonstration page recomputes numbers in the browser but does not build
text: it fills templates made here, once, from the texts `adviz.text.labels`
writes. A template is a list of pieces: a string is literal text, an integer
``k`` is number ``k`` written as `adviz.text.labels.pretty_number` writes it,
and ``[k]`` is number ``k`` likewise, in parentheses when it is negative.

`probe` makes a template of a text function of numbers alone by calling it
with sentinel numbers; `locate` makes one of a text already written for a
trace, given the numbers it shows (each written after ``" = "``). Both check
that filling the template gives the text back.

Examples
--------
>>> from adviz.text.labels import accumulation_lines, value_line
>>> probe(lambda v: (value_line(v),), 1)
[['= ', 0]]
>>> first, second = probe(lambda b, d, a: accumulation_lines(b, d, a), 3)
>>> first, fill(first, [-2.0, -0.14112, -2.14112])
(['g = ', 0, ' + ', [1]], 'g = −2 + (−0.14112)')
>>> locate("Stage 2 of 5 — evaluate t2 = t1² = 1", [1.0])
['Stage 2 of 5 — evaluate t2 = t1² = ', 0]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from adviz.errors import RenderError
from adviz.text.labels import MINUS, pretty_number

Template = list[Any]

_SENTINELS = (8642.13579, 7531.24681, 6420.97531, 5319.86421, 4208.75319, 3197.64208)


def fill(template: Template, numbers: Sequence[float] | Mapping[int, float]) -> str:
    """The text of a template with its numbers (what the page's script does).

    Examples
    --------
    >>> fill(["g = ", 0, " + ", [1]], [2.0, -1.0])
    'g = 2 + (−1)'
    """
    out = []
    for piece in template:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, int):
            out.append(pretty_number(numbers[piece]))
        else:
            text = pretty_number(numbers[piece[0]])
            out.append(f"({text})" if text.startswith(MINUS) else text)
    return "".join(out)


def probe(render: Callable[..., Sequence[str]], count: int) -> list[Template]:
    """Templates of the texts ``render(*numbers)`` writes for ``count`` numbers.

    Raises
    ------
    RenderError
        The texts do not show the numbers in a way a template can hold.
    """
    if count > len(_SENTINELS):
        raise RenderError(f"a text template holds at most {len(_SENTINELS)} numbers")
    numbers = _SENTINELS[:count]
    negative = [-n for n in numbers]
    texts, negative_texts = render(*numbers), render(*negative)
    tokens, pattern = _sentinel_tokens(count)
    result = []
    for text, negative_text in zip(texts, negative_texts, strict=True):
        template: Template = []
        position = 0
        for match in pattern.finditer(text) if pattern is not None else ():
            if match.start() > position:
                template.append(text[position:match.start()])
            k = tokens[match.group(0)]
            bracketed = f"({pretty_number(negative[k])})" in negative_text
            template.append([k] if bracketed else k)
            position = match.end()
        if position < len(text):
            template.append(text[position:])
        if fill(template, numbers) != text or fill(template, negative) != negative_text:
            raise RenderError(f"the text {text!r} cannot be made a template")
        result.append(template)
    return result


@cache
def _sentinel_tokens(count: int) -> tuple[dict[str, int], re.Pattern[str] | None]:
    tokens = {pretty_number(n): k for k, n in enumerate(_SENTINELS[:count])}
    pattern = re.compile("|".join(re.escape(t) for t in tokens)) if tokens else None
    return tokens, pattern


def locate(text: str, numbers: Sequence[float], slots: Sequence[int] | None = None) -> Template:
    """The template of ``text``, which shows ``numbers`` in order, each after ``" = "``.

    Each number is the last ``" = <number>"`` before the next one that ends
    the text or is followed by ``,`` or ``;``. ``slots`` numbers the holes
    (default ``0, 1, ...``).

    Examples
    --------
    >>> locate("set the inputs: x1 = 1, x21 = 1", [1.0, 1.0], [4, 7])
    ['set the inputs: x1 = ', 4, ', x21 = ', 7]
    >>> locate("∂y/∂x = 2x = 6", [6.0])
    ['∂y/∂x = 2x = ', 0]

    Raises
    ------
    RenderError
        A number is not where it should be.
    """
    slots = list(range(len(numbers))) if slots is None else list(slots)
    pieces: Template = []
    end = len(text)
    for number, slot in zip(reversed(numbers), reversed(slots), strict=True):
        token = " = " + pretty_number(number)
        found = text.rfind(token, 0, end)
        while found >= 0 and text[found + len(token):end][:1] not in ("", ",", ";"):
            found = text.rfind(token, 0, found + len(token) - 1)
        if found < 0:
            raise RenderError(f"the text {text!r} does not show {pretty_number(number)} where "
                              "a template needs it")
        tail = text[found + len(token):end]
        pieces[:0] = [slot, tail] if tail else [slot]
        end = found + 3
    pieces[:0] = [text[:end]]
    if fill(pieces, dict(zip(slots, numbers, strict=True))) != text:
        raise RenderError(f"the text {text!r} cannot be made a template")
    return pieces
