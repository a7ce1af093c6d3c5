"""The traced value type and the errors raised while tracing."""

from __future__ import annotations

import pytest

import adviz
from adviz.core.tracer import Tape


@pytest.mark.parametrize(
    ("f", "point", "error", "message"),
    [
        (lambda x: adviz.log(x - 2), {"x": 1.0}, adviz.DomainError,
         r"t2 = log\(t1\): log is undefined at t1 = -1.0"),
        (lambda x: adviz.sqrt(x), {"x": -1.0}, adviz.DomainError, "sqrt is undefined at x = -1.0"),
        (lambda x: 1.0 / (x - 1), {"x": 1.0}, adviz.DomainError, "divides by zero at t1 = 0.0"),
        (lambda x: adviz.exp(x), {"x": 1000.0}, adviz.DomainError, "exp overflows"),
        (lambda x: x * 1e308 * 10, {"x": 1.0}, adviz.DomainError, "overflows to inf"),
        (lambda x, p: (x - 3) ** p, {"x": 1.0, "p": 2.0}, adviz.DomainError, "base >= 0"),
        (lambda x: (x, x), {"x": 1.0}, adviz.TraceError, "output 1 of <lambda> is the input 'x'"),
        (lambda x: {"y": x}, {"x": 1.0}, adviz.TraceError, "returned dict"),
        (lambda x: None, {"x": 1.0}, adviz.TraceError, "returned NoneType"),
        (lambda x: 3.0, {"x": 1.0}, adviz.TraceError, "constant 3.0"),
        (lambda x: 1 / 0, {"x": 1.0}, adviz.TraceError, "raised ZeroDivisionError"),
        (lambda x: x, {"x": "1"}, adviz.InputError, "must be a real number"),
        (lambda x: x, {"x": float("nan")}, adviz.InputError, "finite"),
        (lambda x: x, {"x": True}, adviz.InputError, "real number"),
        (lambda x: x, {}, adviz.InputError, "no value given for input 'x'"),
    ],
)
def test_bad_input_raises_a_clear_error(f, point, error, message) -> None:
    with pytest.raises(error, match=message) as info:
        adviz.trace(f, point)
    assert isinstance(info.value, adviz.AdvizError)


def test_string_domain_error_names_the_node() -> None:
    with pytest.raises(adviz.DomainError, match=r"t3 = log\(t2\): log is undefined at t2 = -1.0"):
        adviz.trace("log(x1 - x2 - 1)", x1=1.0, x2=1.0)


def test_values_of_a_finished_trace_cannot_be_reused() -> None:
    kept = []

    def f(x):
        kept.append(x)
        return x * 2.0

    adviz.trace(f, x=1.0)
    with pytest.raises(adviz.TraceError, match="finished trace"):
        kept[0] * 3.0


def test_values_of_two_traces_cannot_be_mixed() -> None:
    a = Tape().input("a", 1.0)
    b = Tape().input("b", 2.0)
    with pytest.raises(adviz.TraceError, match="different traces"):
        a - b


def test_comparisons_and_bool_follow_values() -> None:
    x = Tape().input("x", 2.0)
    assert x > 1 and x >= 2 and x < 3 and x <= 2 and x == 2.0 and x != 1
    assert bool(x) and not bool(x - 2.0)
    with pytest.raises(TypeError):
        x < "a"  # noqa: B015


def test_positional_only_and_keyword_only_parameters() -> None:
    def f(a, /, b, *, c):
        return a * b + c

    t = adviz.trace(f, a=2.0, b=3.0, c=1.0)
    assert t.grad == {"a": 3.0, "b": 2.0, "c": 1.0}


def test_functions_with_star_args_are_refused() -> None:
    with pytest.raises(adviz.TraceError, match=r"\*xs"):
        adviz.trace(lambda *xs: xs[0], x=1.0)


def test_name_errors() -> None:
    def dup(x):
        adviz.name(x * 2.0, "h")
        return adviz.name(x * 3.0, "h")

    with pytest.raises(adviz.TraceError, match="already used"):
        adviz.trace(dup, x=1.0)
    with pytest.raises(adviz.TraceError, match="input"):
        adviz.trace(lambda x: adviz.name(x, "z"), x=1.0)
    with pytest.raises(adviz.TraceError, match="traced values"):
        adviz.name("text", "z")


def test_scopes_group_nodes_and_nest() -> None:
    def f(x, w):
        with adviz.scope("layer"):
            with adviz.scope("neuron 1"):
                a = adviz.tanh(w * x)
            b = a * 2.0
        return a + b

    t = adviz.trace(f, x=1.0, w=0.5)
    scopes = dict(t.graph.nodes(data="scope"))
    assert scopes["t1"] == ("layer", "neuron 1") and scopes["t2"] == ("layer", "neuron 1")
    assert scopes["t3"] == ("layer",)
    assert scopes["y"] == () and scopes["x"] == ()


def test_scope_outside_a_trace_does_nothing() -> None:
    with adviz.scope("plain"):
        assert adviz.sin(0.0) == 0.0
