"""Coverage-guided fuzzing of the expression parser with atheris (libFuzzer).

Any input must either parse or raise `adviz.ExpressionError`; whatever parses
is traced with every name set to 0.5 and may only raise `adviz.AdvizError`.
A crash input found here belongs in tests/corpus/parser/ as a regression case.

Run::

    pip install atheris
    python fuzz/parser_fuzz.py -runs=100000 -max_len=256 -rss_limit_mb=0 tests/corpus/parser

Memory is bounded by the address-space limit set below (an input that needs
more raises MemoryError, which libFuzzer reports as a crash), not by
libFuzzer's ``-rss_limit_mb``: that one reads ``getrusage``, whose peak on
Linux carries over from the parent process across ``exec``, so a harness
started from a large process is reported out of memory before its first input.
"""

from __future__ import annotations

import resource
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


ADDRESS_SPACE_LIMIT = 4 * 1024**3


def limit_address_space(limit: int = ADDRESS_SPACE_LIMIT) -> None:
    """Lower this process's address-space limit to ``limit`` bytes (never raise it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    limit_address_space()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
