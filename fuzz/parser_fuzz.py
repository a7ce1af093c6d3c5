"""Coverage-guided fuzzing of the expression parser with atheris (libFuzzer).

Any input must either parse or raise `adviz.ExpressionError`; whatever parses
is traced with every name set to 0.5 and may only raise `adviz.AdvizError`.
A crash input found here belongs in tests/corpus/parser/ as a regression case.

Run::

    pip install atheris
    python fuzz/parser_fuzz.py -runs=100000 -max_len=256 tests/corpus/parser
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import adviz
    from adviz.core.expression import parse


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(256)
    try:
        expression = parse(text)
    except adviz.ExpressionError:
        return
    try:
        adviz.trace(text, {name: 0.5 for name in expression.names})
    except adviz.AdvizError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
