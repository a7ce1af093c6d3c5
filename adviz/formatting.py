"""Fixed number formatting shared by captions, walkthroughs and renderers.

Numbers are shown the way the seed page shows them: integers without a decimal
point, other values rounded to five decimals (``-0.14112``), very small or very
large magnitudes with five significant digits. The output depends only on the
value, so frames and documents are byte-stable.

Examples
--------
>>> format_number(-2.0), format_number(0.0100075), format_number(-0.141120008)
('-2', '0.01001', '-0.14112')
>>> format_number(1.5e-7), format_number(float("nan"))
('1.5e-07', 'nan')
>>> format_constant(1.0001), format_constant(2.0)
('1.0001', '2')
"""

from __future__ import annotations

import math
from typing import Any


def format_number(value: float) -> str:
    """Format a computed value for display (5 decimals, no trailing zeros).

    Arrays (the values of tensor nodes) are shown by `format_array`.
    """
    if type(value) is not float and not isinstance(value, (int, float)):
        return format_array(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude == 0.0:
        return "0"
    if magnitude < 1e-3 or magnitude >= 1e6:
        text = f"{value:.5g}"
    else:
        text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text


MATRIX_LIMIT = 8
"""Arrays with at most this many rows and columns are shown element by element."""


def format_array(value: object) -> str:
    """Format an array: every element up to 8×8, else its shape and min/mean/max.

    Rows are separated by ``;``. Anything that is not an array (such as the
    vector-Jacobian product on a tensor edge) is shown as its text.

    Examples
    --------
    >>> import numpy as np
    >>> format_array(np.array([[1.0, -0.5], [0.25, 2.0]])), format_array(np.array([3.0, 4.0]))
    ('[1, -0.5; 0.25, 2]', '[3, 4]')
    >>> format_array(np.arange(100.0).reshape(10, 10))
    '10×10: min 0, mean 49.5, max 99'
    >>> format_array(np.array(2.5))
    '2.5'
    """
    shape = getattr(value, "shape", None)
    if shape is None or not hasattr(value, "tolist"):
        return str(value)
    shape = tuple(shape)
    if not shape:
        return format_number(float(value.tolist()))  # type: ignore[attr-defined,unused-ignore]
    if len(shape) <= 2 and all(0 < n <= MATRIX_LIMIT for n in shape):
        rows = value.tolist() if len(shape) == 2 else [value.tolist()]  # type: ignore[attr-defined,unused-ignore]
        return "[" + "; ".join(", ".join(format_number(float(x)) for x in row)
                               for row in rows) + "]"
    flat = [float(x) for x in value.reshape(-1).tolist()]  # type: ignore[attr-defined]
    size = "×".join(str(n) for n in shape)
    if not flat:
        return f"{size}: empty"
    return (f"{size}: min {format_number(min(flat))}, mean {format_number(sum(flat) / len(flat))}"
            f", max {format_number(max(flat))}")


def json_value(value: object) -> object:
    """A JSON form of what tensor nodes hold: arrays as nested lists, anything else as text.

    Examples
    --------
    >>> import numpy as np
    >>> json_value(np.array([[1.0, 2.0]])), json_value(np.float64(0.5))
    ([[1.0, 2.0]], 0.5)
    """
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def format_constant(value: float) -> str:
    """Format a constant of the user's formula exactly (shortest round-trip form)."""
    if type(value) is not float and not isinstance(value, (int, float)):
        return format_array(value)
    if math.isfinite(value) and value == int(value) and magnitude_ok(value):
        return str(int(value))
    return repr(value)


def magnitude_ok(value: float) -> bool:
    """Whether an integral float prints exactly as an integer (below 1e16)."""
    return abs(value) < 1e16


_GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
    "tau upsilon phi chi psi omega".split()
)
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}",
    "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "~": r"\~{}",
}


def escape_latex(text: str) -> str:
    """Escape LaTeX's special characters in free text.

    Examples
    --------
    >>> escape_latex("a_b & 100%")
    'a\\\\_b \\\\& 100\\\\%'
    """
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


def split_name(name: str) -> tuple[str, str]:
    """Split a node name into its base and a trailing number (the subscript).

    Examples
    --------
    >>> split_name("x1"), split_name("t12"), split_name("loss"), split_name("42")
    (('x', '1'), ('t', '12'), ('loss', ''), ('42', ''))
    """
    stem = name.rstrip("0123456789")
    if stem and stem != name and (stem[-1].isalpha()):
        return stem, name[len(stem):]
    return name, ""


def latex_name(name: str) -> str:
    """A node name as LaTeX math: ``x1`` -> ``x_{1}``, ``alpha`` -> ``\\alpha``.

    Examples
    --------
    >>> latex_name("x1"), latex_name("loss"), latex_name("w_1")
    ('x_{1}', '\\\\mathrm{loss}', '\\\\mathrm{w\\\\_1}')
    """
    base, sub = split_name(name)
    if base in _GREEK:
        head = "\\" + base
    elif len(base) == 1 and base.isascii() and base.isalpha():
        head = base
    else:
        head = "\\mathrm{" + escape_latex(base) + "}"
    return f"{head}_{{{sub}}}" if sub else head


def is_atomic(text: str) -> bool:
    """Whether a formula needs no parentheses when multiplied.

    Examples
    --------
    >>> [is_atomic(t) for t in ["t1", "2", "(-1)", "cos(t3)", "-sin(t3)", "2*t1"]]
    [True, True, True, True, False, False]
    """
    if not text:
        return True
    if text.isidentifier():
        return True
    try:
        return float(text) >= 0 and not text.startswith(("-", "+"))
    except ValueError:
        pass
    head = text.split("(", 1)[0]
    if text.endswith(")") and (head == "" or head.isidentifier()):
        depth = 0
        for position, ch in enumerate(text[len(head):]):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and position != len(text) - len(head) - 1:
                return False
        return depth == 0
    return False


def parenthesize(text: str) -> str:
    """Wrap a formula in parentheses unless it is atomic.

    Examples
    --------
    >>> parenthesize("2*t1"), parenthesize("1")
    ('(2*t1)', '1')
    """
    return text if is_atomic(text) else f"({text})"


def finite_json(data: Any) -> Any:
    """``data`` with every non-finite float (NaN, infinities) replaced by ``None``.

    Examples
    --------
    >>> finite_json({"a": [1.0, float("nan")], "b": (float("inf"),)})
    {'a': [1.0, None], 'b': [None]}
    """
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_json(value) for value in data]
    return data
