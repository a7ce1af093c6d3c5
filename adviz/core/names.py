"""Node names: validated once, when a trace is made.

Every name that ends up as a node id or a scope label (input names, the
output name, the intermediate prefix, `adviz.name` labels, `adviz.scope`
labels) passes through `check_name`:

* it is NFKC-normalised, as Python normalises identifiers (so ``𝐱`` and
  ``x`` are the same name, in a function's parameters and in ``--at``);
* control characters (newlines, tabs, escape, ...), lone surrogates,
  unassigned code points and non-characters (``U+FFFE``) and the
  bidirectional overrides are refused with an `InputError` (a
  `TraceError` for labels given inside a traced function);
* it has at most `MAX_NAME_LENGTH` characters.

Writers escape whatever else a name contains (Markdown, JSON, SVG, LaTeX,
DOT). Names that look alike but differ (Cyrillic ``х`` and Latin ``x``) are
allowed, with a warning from `warn_confusable`.

Examples
--------
>>> check_name("θ1")
'θ1'
>>> check_name("𝐱")
'x'
>>> check_name("a\\nb")
Traceback (most recent call last):
...
adviz.errors.InputError: the name 'a\\nb' contains the control character U+000A; \
names may not contain control characters, surrogates or non-characters
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Iterable

from adviz.errors import AdvizError, InputError

MAX_NAME_LENGTH = 200
"""Longest node name or scope label, in characters."""

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Letters of other scripts that look like Latin ones (the common cases of
# Unicode's confusables list); `skeleton` maps them to the Latin letter.
_CONFUSABLE = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "ı": "i",
})


class ConfusableNameWarning(UserWarning):
    """Two names of one trace look alike but are different strings."""


def _bad_character(text: str) -> str | None:
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Cn") or char in _BIDI:
            return char
    return None


def check_name(name: object, what: str = "the name",
               error: type[AdvizError] = InputError) -> str:
    """Validate and NFKC-normalise one name; return the normalised name.

    Parameters
    ----------
    name
        The name as given.
    what
        How the message calls it (``"the scope label"``).
    error
        The exception class raised (an `AdvizError` subclass).
    """
    if not isinstance(name, str) or not name:
        raise error(f"{what} must be a non-empty string, not {name!r:.60}")
    if len(name) > MAX_NAME_LENGTH:
        raise error(f"{what} {name[:40]!r}... has {len(name):,} characters; the limit is "
                    f"{MAX_NAME_LENGTH}")
    bad = _bad_character(name)
    if bad is None:
        normal = unicodedata.normalize("NFKC", name)
        bad = _bad_character(normal)
    if bad is not None:
        kind = "surrogate" if unicodedata.category(bad) == "Cs" else (
            "non-character" if unicodedata.category(bad) == "Cn" else "control character")
        shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
        raise error(f"{what} {shown!r:.80} contains the {kind} U+{ord(bad):04X}; names may not "
                    f"contain control characters, surrogates or non-characters")
    if not normal.strip():
        raise error(f"{what} {name!r} is blank")
    return normal


def skeleton(name: str) -> str:
    """What a name looks like: other scripts' look-alike letters mapped to Latin.

    Examples
    --------
    >>> skeleton("х1") == skeleton("x1")  # Cyrillic and Latin x
    True
    """
    return unicodedata.normalize("NFKC", name).translate(_CONFUSABLE)


def warn_confusable(names: Iterable[str]) -> None:
    """Warn (`ConfusableNameWarning`) when two different names look alike."""
    seen: dict[str, str] = {}
    for name in names:
        key = skeleton(name)
        other = seen.setdefault(key, name)
        if other != name:
            codes = " ".join(f"U+{ord(c):04X}" for c in name)
            warnings.warn(f"the names {other!r} and {name!r} look alike but differ ({codes}); "
                          f"rename one of them", ConfusableNameWarning, stacklevel=3)
            return
