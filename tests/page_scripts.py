"""A page's script elements as an HTML parser splits them (the WHATWG tokenizer's script states).

A script element's text ends at the first ``</script`` (followed by a space,
``/`` or ``>``) in "script data"; after ``<!--`` the parser is in the "escaped"
state, where ``<script`` starts a "double-escaped" part in which ``</script``
does not end the element. `split_scripts` follows these states, so a test sees
where a browser would end each script element, whatever text the data holds.
"""

from __future__ import annotations

import re

_START = re.compile(r"<script(?=[\s/>])[^>]*>", re.IGNORECASE)
_END = r"</script(?=[\s/>])"
_IN_DATA = re.compile(rf"{_END}|<!--", re.IGNORECASE)
_IN_ESCAPED = re.compile(rf"{_END}|<script(?=[\s/>])|-->", re.IGNORECASE)
_IN_DOUBLE = re.compile(rf"{_END}|-->", re.IGNORECASE)


def _script_end(page: str, start: int) -> int:
    """Where the script element whose text starts at ``start`` ends (its ``</script``)."""
    state, at = "data", start
    while True:
        pattern = {"data": _IN_DATA, "escaped": _IN_ESCAPED, "double": _IN_DOUBLE}[state]
        found = pattern.search(page, at)
        if found is None:
            raise AssertionError("a script element is never closed")
        token = found.group().lower()
        if token.startswith("</script"):
            if state != "double":
                return found.start()
            state = "escaped"
        elif token == "<!--":
            state = "escaped"
            at = found.end() - 2  # "<!-->" closes at once: its dashes count
            continue
        elif token == "-->":
            state = "data"
        else:  # <script inside an escaped part
            state = "double"
        at = found.end()


def split_scripts(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The page's markup with every script element's text removed, and each script
    element as ``(start tag, text)``, split where a browser splits them.

    Examples
    --------
    >>> markup, found = split_scripts('<p>a</p><script type="x">"<\\\\/script>"</script>b')
    >>> markup, found
    ('<p>a</p><script type="x"></script>b', [('<script type="x">', '"<\\\\/script>"')])
    >>> split_scripts("<script><!--<script></script>x</script>y")[1][0][1]  # not the first
    '<!--<script></script>x'
    """
    markup: list[str] = []
    found: list[tuple[str, str]] = []
    at = 0
    while (start := _START.search(page, at)) is not None:
        end = _script_end(page, start.end())
        markup.append(page[at:start.end()])
        found.append((start.group(), page[start.end():end]))
        at = end
    markup.append(page[at:])
    return "".join(markup), found
