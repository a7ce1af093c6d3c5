"""Forward mode's whole gradient on one figure: one tangent sweep per input, then the gradient.

Phase ``"tangents"`` plays forward mode as it computes a gradient: sweep
``k`` seeds input ``k`` alone (``ẋₖ = 1``, every other input 0) and pushes
tangents to the output, whose tangent is then ∂y/∂xₖ; the sweeps are played
one after another on one figure (`tangents_figure`: one layout, room
reserved for every sweep's captions), each a part of its own (`InputSweep`),
and the last part ends with one more stage whose caption assembles the
gradient from the sweeps' output tangents (with several outputs: the
Jacobian, one column per sweep). Each stage's caption says which sweep it
belongs to and which input is seeded.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> parts = input_parts(tangents_figure(t))
>>> [(p.key, p.label) for p in parts]
[('tangent-x1', 'Sweep 1: ẋ₁ = 1'), ('tangent-x2', 'Sweep 2: ẋ₂ = 1')]
>>> print([c.title for c in parts[1].changes()][3])  # doctest: +NORMALIZE_WHITESPACE
Forward sweep 2 of 2, seed ẋ₂ = 1: stage 3 of 5 —
ṫ₃ = ẋ₁ · ∂t₃/∂x₁ + ẋ₂ · ∂t₃/∂x₂ = 0 · 1 + 1 · 1 = 1
>>> print(parts[1].gradient)  # doctest: +NORMALIZE_WHITESPACE
After 2 forward sweeps: ∇y = (∂y/∂x₁, ∂y/∂x₂) =
(ẏ of sweep 1, ẏ of sweep 2) = (−2.14112, 1.85888)
>>> len(list(parts[0].frames())), len(list(parts[1].frames()))  # the gradient: one more
(6, 7)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adviz.core.forward import forward_jacobian, forward_mode
from adviz.core.phases import Phase
from adviz.scene.content import Change, Frame
from adviz.scene.view import ViewWalker
from adviz.text.labels import DASH, reserved_sweeps, seed_caption_text, tangent_stage_title
from adviz.text.tokens import Name, Num, Partial, Tangent, text

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep
    from adviz.core.tracing import Trace
    from adviz.scene.picture import Figure

LISTED = 6
"""A gradient caption lists at most this many components (then ``…`` and the last)."""

COLUMNS = 4
"""A Jacobian caption lists at most this many columns (then ``…`` and the last)."""


def _u(*tokens: Any) -> str:
    return text(*tokens).unicode()


def _listed(items: Sequence[str], limit: int) -> str:
    """Items joined by commas, the middle ones left out (``…``) beyond ``limit``."""
    if len(items) > limit:
        items = [*items[:limit - 1], "…", items[-1]]
    return ", ".join(items)


def _tuple(items: Sequence[str], limit: int = LISTED) -> str:
    return f"({_listed(items, limit)})" if len(items) != 1 else items[0]


def _outputs(trace: Trace) -> tuple[str, ...]:
    graph = trace.graph.graph
    return tuple(graph.get("outputs", (graph["output"],)))


def gradient_caption(trace: Trace, jacobian: dict[str, dict[str, float]] | None = None) -> str:
    """The caption after the last sweep: the gradient (or Jacobian) read off the sweeps.

    ``jacobian`` is output -> input -> derivative as forward mode finds it
    (`adviz.core.forward.forward_jacobian`, computed when not given).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=0.0, b=3.0)
    >>> print(gradient_caption(t))
    After 2 forward sweeps, one Jacobian column each: ∂(y₁, y₂)/∂a = (ẏ₁, ẏ₂) of sweep 1 = \
(3, 1); ∂(y₁, y₂)/∂b = (ẏ₁, ẏ₂) of sweep 2 = (0, 0)
    """
    jacobian = forward_jacobian(trace) if jacobian is None else jacobian
    inputs = list(trace.graph.graph["inputs"])
    outputs = _outputs(trace)
    count = len(inputs)
    head = f"After {count} forward sweep{'s' if count != 1 else ''}"
    if len(outputs) == 1:
        out = outputs[0]
        partials = _tuple([_u(Partial(out, x)) for x in inputs])
        read = _tuple([f"{_u(Tangent(out))} of sweep {k}" for k in range(1, count + 1)])
        values = _tuple([_u(Num(jacobian[out][x])) for x in inputs])
        return f"{head}: ∇{_u(Name(out))} = {partials} = {read} = {values}"
    names = _tuple([_u(Name(o)) for o in outputs])
    dots = _tuple([_u(Tangent(o)) for o in outputs])
    columns = []
    for k, x in enumerate(inputs, start=1):
        values = _tuple([_u(Num(jacobian[o][x])) for o in outputs])
        columns.append(f"∂{names}/∂{_u(Name(x))} = {dots} of sweep {k} = {values}")
    if len(columns) > COLUMNS:
        columns = [*columns[:COLUMNS - 1], "…", columns[-1]]
    return f"{head}, one Jacobian column each: {'; '.join(columns)}"


def sweep_title(trace: Trace, sweep: ForwardSweep, index: int, number: int, count: int,
                original: str | None = None, seed_text: str | None = None) -> str:
    """The caption of stage ``index`` of sweep ``number`` (of ``count``): which sweep, which
    input it seeds, then the stage's sum (`adviz.text.labels.tangent_stage_title`, or
    ``original`` when already made; ``seed_text``: the sweep's seed caption, when made).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x1 * x2", x1=3, x2=4)
    >>> sweep_title(t, adviz.forward_mode(t, "x2"), 0, 2, 2)
    'Forward sweep 2 of 2, seed ẋ₂ = 1: stage 0 of 1 (every other input 0)'
    """
    if original is None:
        original = tangent_stage_title(trace, sweep, index)
    if seed_text is None:
        seed_text = seed_caption_text(sweep).unicode()
    last = len(sweep.stages) - 1
    head = f"Stage {index} of {last} {DASH} {seed_text}"
    rest = original[len(head):] if original.startswith(head) else f": {original}"
    seeded = sweep.seeded[0] if sweep.seeded else ""
    lead = (f"Forward sweep {number} of {count}, seed {_u(Tangent(seeded))} = 1: "
            f"stage {index} of {last}")
    if rest.startswith(": "):
        return f"{lead} {DASH} {rest[2:]}"
    return f"{lead} (every other input 0)" if count > 1 else lead


@dataclass(frozen=True)
class InputSweep:
    """One input's forward-mode sweep drawn on a figure: a part of phase ``"tangents"``.

    Attributes
    ----------
    fig
        The figure (`tangents_figure`) every sweep is drawn on.
    input
        The seeded input.
    number, count
        Which sweep this is (from 1) and how many there are.
    gradient
        The last sweep's closing caption (`gradient_caption`); ``None`` for the others.
    """

    fig: Figure
    input: str
    number: int
    count: int
    gradient: str | None = None

    @property
    def key(self) -> str:
        """The part's name in a page (``"tangent-x2"``)."""
        return f"{Phase.TANGENT.value}-{self.input}"

    @property
    def label(self) -> str:
        """The part's button text (``"Sweep 2: ẋ₂ = 1"``)."""
        return f"Sweep {self.number}: {_u(Tangent(self.input))} = 1"

    @property
    def sweep(self) -> ForwardSweep:
        """The sweep (computed when asked: a page walks each sweep once)."""
        return forward_mode(self.fig.trace, self.input)

    def _title(self, sweep: ForwardSweep, index: int, original: str, seed_text: str) -> str:
        return sweep_title(self.fig.trace, sweep, index, self.number, self.count, original,
                           seed_text)

    def changes(self, phase: str = Phase.TANGENT.value) -> Iterator[Change]:
        """What each stage changes (every element at stage 0), then, after the last sweep,
        the gradient stage, which changes nothing but the caption."""
        sweep = self.sweep
        seed_text = seed_caption_text(sweep).unicode()
        walker = ViewWalker(self.fig.trace, self.fig.view, Phase.TANGENT.value, sweep=sweep)
        for index in range(len(sweep.stages)):
            change = walker.step()
            yield replace(change, title=self._title(sweep, index, change.title, seed_text))
        if self.gradient is not None:
            yield Change(Phase.TANGENT.value, len(sweep.stages), self.gradient,
                         MappingProxyType({}), MappingProxyType({}))

    def frames(self, phase: str = Phase.TANGENT.value) -> Iterator[Frame]:
        """Every frame of the sweep, each built from the one before, then (after the last
        sweep) the final state again under the gradient caption."""
        sweep = self.sweep
        seed_text = seed_caption_text(sweep).unicode()
        walker = ViewWalker(self.fig.trace, self.fig.view, Phase.TANGENT.value, sweep=sweep)
        frame: Frame | None = None
        for index in range(len(sweep.stages)):
            title = walker.step().title
            frame = replace(walker.frame(), title=self._title(sweep, index, title, seed_text))
            yield frame
        if self.gradient is not None and frame is not None:
            yield replace(frame, index=len(sweep.stages), title=self.gradient)


def input_parts(fig: Figure) -> tuple[InputSweep, ...]:
    """The parts of phase ``"tangents"`` on ``fig``: one sweep per input, in argument order,
    the last closing with the gradient (`gradient_caption`)."""
    trace = fig.trace
    inputs = tuple(trace.graph.graph["inputs"])
    if not inputs:
        from adviz.errors import InputError

        raise InputError("this trace has no inputs: forward mode has nothing to seed")
    closing = gradient_caption(trace)
    return tuple(InputSweep(fig, name, k, len(inputs), closing if k == len(inputs) else None)
                 for k, name in enumerate(inputs, start=1))


def reserved_titles(trace: Trace) -> list[str]:
    """The captions the figure of phase ``"tangents"`` reserves room for: every stage of the
    sweeps `adviz.text.labels.reserved_sweeps` reserves text for (every input's on a small
    trace, the first input's on a large one), and the gradient's."""
    sweeps = reserved_sweeps(trace)
    inputs = list(trace.graph.graph["inputs"])
    count = len(inputs)
    titles = [sweep_title(trace, s, k, inputs.index(s.seeded[0]) + 1, count)
              for s in sweeps if s.seeded for k in range(len(s.stages))]
    titles.append(gradient_caption(trace))
    return titles


def tangents_figure(trace: Trace, **options: Any) -> Figure:
    """The figure every sweep of phase ``"tangents"`` is drawn on: `adviz.scene.picture.figure`
    with ``options``, its caption band holding every sweep's captions (`reserved_titles`).

    Raises
    ------
    InputError
        A trace forward mode cannot sweep (of tensors, or without inputs), or a bad
        picture option.
    """
    from adviz.scene.picture import figure

    for name in ("seed", "extra_titles"):
        options.pop(name, None)
    forward_mode(trace)  # a trace of tensors: the error says why, before any layout
    return figure(trace, extra_titles=tuple(reserved_titles(trace)), **options)


__all__ = ["InputSweep", "gradient_caption", "input_parts", "reserved_titles", "sweep_title",
           "tangents_figure"]
