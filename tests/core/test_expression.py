"""The safe expression parser: allow-list, positions, limits, never eval."""

from __future__ import annotations

import builtins

import pytest

import adviz
from adviz.core.expression import MAX_LENGTH, parse


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x +", "syntax error"),
        ("x.real", "attribute access"),
        ("__import__('os').system('echo hacked')", "attribute access"),
        ("x[0]", "subscripts"),
        ("(lambda: 1)()", "this call"),
        ("lambda x: x", "lambdas"),
        ("[x for x in y]", "comprehensions"),
        ("(y := x)", "assignment expressions"),
        ("f'{x}'", "f-strings"),
        ("cos(*x)", "starred"),
        ("cos(x=1)", "keyword arguments"),
        ("x < 1", "comparisons"),
        ("x and y", "boolean operators"),
        ("x if y else z", "conditional"),
        ("'text'", "not a real number"),
        ("x % 2", "operator Mod"),
        ("x // 2", "operator FloorDiv"),
        ("~x", "operator Invert"),
        ("open(x)", "unknown function 'open'"),
        ("add(x, x)", "unknown function 'add'"),
        ("cos(x, x)", "takes 1 argument"),
        ("", "empty"),
        ("True + x", "not a real number"),
        ("1j * x", "not a real number"),
    ],
)
def test_refused_syntax_names_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(adviz.ExpressionError, match=fragment) as info:
        parse(text)
    assert isinstance(info.value, ValueError)


def test_errors_name_the_position_and_the_allowed_functions() -> None:
    with pytest.raises(adviz.ExpressionError) as info:
        parse("x + y.real")
    message = str(info.value)
    assert "column 5" in message
    assert "cos" in message and "sigmoid" in message


def test_never_uses_eval_or_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    t = adviz.trace("sigmoid(w*x + b) ** 2", w=0.5, x=2.0, b=-1.0)
    assert t.value == pytest.approx(0.25)


def test_size_and_depth_limits() -> None:
    with pytest.raises(adviz.ExpressionError, match="characters"):
        parse("x+" * MAX_LENGTH + "x")
    with pytest.raises(adviz.ExpressionError, match="nested too deeply|syntax"):
        parse("(" * 10_000 + "x" + ")" * 10_000)
    with pytest.raises(adviz.ExpressionError):
        parse("-" * 50_000 + "x")
    with pytest.raises(adviz.ExpressionError, match="syntax nodes"):
        parse(_balanced_sum(14))


def _balanced_sum(depth: int) -> str:
    """A shallow but wide expression: 2**depth leaves summed as a balanced tree."""
    text = "x"
    for _ in range(depth):
        text = f"({text} + {text})"
    return text


def test_long_flat_sums_are_fine() -> None:
    names = {f"x{i}": float(i) for i in range(200)}
    t = adviz.trace(" + ".join(names), names)
    assert t.value == sum(names.values())
    assert set(t.grad.values()) == {1.0}


def test_huge_constants_overflow_cleanly() -> None:
    with pytest.raises(adviz.DomainError, match="overflows"):
        adviz.trace("9**9**9**9 * x", x=1.0)
    with pytest.raises(adviz.ExpressionError, match="too large"):
        parse("1" * 400 + " * x")


def test_constant_sub_expressions_fold() -> None:
    t = adviz.trace("2*3*x + cos(0)", x=1.0)
    assert [d for _, d in t.graph.nodes(data="expr")] == ["x", "6*x", "t1 + 1"]


def test_missing_and_unknown_values() -> None:
    with pytest.raises(adviz.InputError, match="no value given for input 'x2'"):
        adviz.trace("x1 + x2", x1=1.0)
    with pytest.raises(adviz.InputError, match="no input named 'x3'"):
        adviz.trace(lambda x1: x1, x1=1.0, x3=2.0)


def test_names_that_collide_with_function_names_are_inputs() -> None:
    t = adviz.trace("cos(cos) * exp", cos=0.0, exp=2.0)
    assert t.value == 2.0
    assert t.grad == pytest.approx({"cos": 0.0, "exp": 1.0})


def test_names_order_is_first_appearance() -> None:
    assert parse("b * a + cos(c) + a").names == ("b", "a", "c")
