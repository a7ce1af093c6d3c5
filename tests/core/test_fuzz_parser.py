"""Fuzzing the expression parser: any text either parses or raises ExpressionError.

Hypothesis feeds arbitrary Unicode text and "token soup" built from Python's
operators, keywords and adviz's function names. Whatever parses is then traced
with every name set to a number: the only exceptions allowed are adviz's own.
Inputs that once failed are kept in tests/corpus/parser/ and replayed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adviz
from adviz.core.expression import parse

CORPUS = Path(__file__).parents[1] / "corpus" / "parser"
FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    "x", "y", "z1", "1", "0", "2.5", "1e308", "9", "-", "+", "*", "/", "**", "%", "//", "@",
    "(", ")", "[", "]", "{", "}", ",", ".", ":", ":=", "=", "==", "<", "lambda", "if", "else",
    "for", "in", "not", "and", "or", "await", "yield", "'s'", 'f"{x}"', "b'x'", "...", "None",
    "True", "cos", "sin(", "exp(", "log(", "sqrt(", "__import__", "__class__", "os", "system",
    "\\", "\n", " ", "\t", "#", ";", "0x1f", "1_000", "1j", "∂", "α",
]


def check(text: str) -> None:
    """The property: parse and trace raise nothing but adviz's errors."""
    try:
        expression = parse(text)
    except adviz.ExpressionError:
        return
    point = {name: 0.5 for name in expression.names}
    try:
        adviz.trace(text, point)
    except adviz.AdvizError:
        pass


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_token_soup(tokens: list[str]) -> None:
    check(" ".join(tokens))
    check("".join(tokens))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_corpus(path: Path) -> None:
    check(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_atheris_finds_no_crash(tmp_path: Path) -> None:
    """Run the libFuzzer harness for a bounded number of inputs, where atheris installs."""
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")
    import subprocess
    import sys

    harness = Path(__file__).parents[2] / "fuzz" / "parser_fuzz.py"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in CORPUS.glob("*.txt"):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    result = subprocess.run(
        # A fixed seed: the same 20,000 inputs on every run, so a failure reproduces.
        # libFuzzer's RSS limit is off: it reads getrusage, which inherits this
        # (large) test process's peak across exec; the harness bounds its own
        # address space instead.
        [sys.executable, str(harness), "-runs=20000", "-max_len=256", "-seed=1", "-rss_limit_mb=0",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, check=False, timeout=600,
    )
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert result.returncode == 0 and not crashes, result.stderr[-2000:]
