"""The phases: which part of the computation a picture, a page or a file shows.

A *phase* names what is drawn: the ``forward`` pass, the ``reverse`` pass,
the ``tangent`` sweep of forward-mode differentiation (tangents pushed from a
seeded input, `adviz.forward_mode`), or the ``summary`` (every value and
adjoint at once). Options that show several of them also accept ``both``
(the forward pass, then the reverse pass), ``modes`` (forward mode, then
reverse mode: the tangent sweep, then the reverse pass), ``tangents`` (forward
mode's whole gradient: one tangent sweep per input, each seeded with that
input's unit vector, one after another, then the gradient read off their
output tangents) and, for frame sequences, ``paths`` (the chain-rule paths of
one input, then their sum).
Every module that takes a ``phase`` reads its vocabulary from here.

Examples
--------
>>> Phase.FORWARD == "forward"
True
>>> expand_phases("both")
('forward', 'reverse')
>>> expand_phases("modes")
('tangent', 'reverse')
>>> check_phase("sideways", PASSES, "an animation")
Traceback (most recent call last):
...
adviz.errors.InputError: unknown phase 'sideways' for an animation; use 'forward', 'reverse'
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Literal

from adviz.errors import InputError


class Phase(enum.StrEnum):
    """Every phase name adviz knows; members compare equal to their strings."""

    FORWARD = "forward"
    """The forward pass: one stage per node, values computed."""
    REVERSE = "reverse"
    """The reverse pass: one stage per node, adjoints accumulated."""
    SUMMARY = "summary"
    """One picture with every value and every adjoint."""
    BOTH = "both"
    """The forward pass, then the reverse pass."""
    PATHS = "paths"
    """The chain-rule paths of one input, one at a time, then their sum."""
    TANGENT = "tangent"
    """Forward mode: one stage per node, tangents pushed from the seeded input
    (`adviz.forward_mode`); stage ``k`` concerns the node of forward stage ``k``."""
    MODES = "modes"
    """Forward mode, then reverse mode: the tangent sweep, then the reverse pass."""
    TANGENTS = "tangents"
    """Forward mode's gradient: one tangent sweep per input, each seeded with that input's
    unit vector, one after another (`adviz.core.sweep.input_sweeps`), then the gradient
    (or, with several outputs, the Jacobian) assembled from their output tangents."""


PhaseName = Literal["forward", "reverse", "summary", "both", "paths", "tangent", "modes",
                    "tangents"]
"""The phase names as a type (for annotations)."""

PASSES: tuple[str, ...] = (Phase.FORWARD.value, Phase.REVERSE.value)
"""The two passes of reverse-mode differentiation, each a sequence of stages."""

SWEEPS: tuple[str, ...] = (*PASSES, Phase.TANGENT.value)
"""Every phase that is a sequence of stages: the two passes and the forward-mode sweep."""

SEEDED: tuple[str, ...] = (Phase.TANGENT.value,)
"""The phases that take a ``seed`` (which input's tangent is 1, `adviz.forward_mode`)."""

STAGE_PHASES: tuple[str, ...] = (*SWEEPS, Phase.SUMMARY.value)
"""What one frame shows: a stage of a sweep, or the summary."""

PLAY_PHASES: tuple[str, ...] = (*SWEEPS, Phase.BOTH.value, Phase.MODES.value)
"""What an animation, a player or slides play: one sweep, both passes, or both modes."""

PER_INPUT: tuple[str, ...] = (Phase.TANGENTS.value,)
"""The phases played as one forward-mode sweep per input (each seeds every input itself, so
takes no ``seed``)."""

PLAYER_PHASES: tuple[str, ...] = (*PLAY_PHASES, *PER_INPUT)
"""What the HTML player plays: `PLAY_PHASES` and one forward-mode sweep per input."""

FRAME_PHASES: tuple[str, ...] = (*PLAYER_PHASES, Phase.SUMMARY.value, Phase.PATHS.value)
"""What a sequence of frame files holds (`adviz.save_frames`)."""

ALL_PHASES: tuple[str, ...] = tuple(p.value for p in Phase)
"""Every phase name, in the order of `Phase`."""


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(str(n)) for n in names)


def check_phase(phase: object, allowed: Iterable[str] = ALL_PHASES, where: str = "") -> str:
    """Return ``phase`` as a plain string when it is one of ``allowed``.

    Parameters
    ----------
    phase
        The value given (a string or a `Phase`).
    allowed
        The phases the caller takes.
    where
        What takes them, for the message (``"png"``, ``"the player"``).

    Raises
    ------
    InputError
        ``phase`` is not a phase name (``unknown phase``), or one that
        ``where`` does not take (``phase 'x' does not apply to <where>
        (it takes: ...)``).

    Examples
    --------
    >>> check_phase(Phase.REVERSE, PASSES)
    'reverse'
    >>> check_phase("both", PASSES, "png")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: phase 'both' does not apply to png (it takes: 'forward', 'reverse')
    """
    names = tuple(str(a) for a in allowed)
    if not isinstance(phase, str):
        raise InputError(f"phase must be a string such as 'reverse', not {phase!r}")
    if phase in names:
        return str(phase)  # a Phase member becomes its plain string
    if phase not in ALL_PHASES:
        target = f" for {where}" if where else ""
        raise InputError(f"unknown phase {phase!r}{target}; use {_quoted(names)}")
    target = where or "this output"
    raise InputError(f"phase {phase!r} does not apply to {target} (it takes: {_quoted(names)})")


def expand_phases(phase: object, allowed: Iterable[str] = FRAME_PHASES,
                  where: str = "") -> tuple[str, ...]:
    """The single phases a (possibly multi-phase) option means, in drawing order.

    ``"both"`` is ``("forward", "reverse")``, ``"modes"`` is ``("tangent", "reverse")``;
    any other phase (``"tangents"`` too: its sweeps are the parts of one phase) is itself.

    Raises
    ------
    InputError
        ``phase`` is not one of ``allowed`` (see `check_phase`).

    Examples
    --------
    >>> expand_phases("reverse")
    ('reverse',)
    >>> expand_phases(Phase.BOTH, PLAY_PHASES)
    ('forward', 'reverse')
    """
    name = check_phase(phase, allowed, where)
    if name == Phase.BOTH:
        return PASSES
    if name == Phase.MODES:
        return (Phase.TANGENT.value, Phase.REVERSE.value)
    return (name,)


def seeded(phase: object) -> bool:
    """Whether a (possibly multi-phase) option shows a forward-mode sweep, so takes a seed.

    Examples
    --------
    >>> seeded("modes"), seeded("both"), seeded("tangent")
    (True, False, True)
    """
    return isinstance(phase, str) and phase in ALL_PHASES and any(
        p in SEEDED for p in expand_phases(phase, ALL_PHASES))


def check_seed(phase: object, seed: object, where: str = "") -> None:
    """Refuse a ``seed`` given with a phase that shows no forward-mode sweep, or that seeds
    every input itself (``"tangents"``).

    Raises
    ------
    InputError
        ``seed`` is not ``None`` and ``phase`` is not seeded (`seeded`) or is one of
        `PER_INPUT`.

    Examples
    --------
    >>> check_seed("tangent", "x1")
    >>> check_seed("tangents", "x1")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: seed does not apply to phase 'tangents': it seeds every input in \
turn; use phase 'tangent' for one seed
    >>> check_seed("reverse", "x1", "png")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: seed does not apply to phase 'reverse' of png: it seeds \
forward mode (phase 'tangent' or 'modes')
    """
    target = f" of {where}" if where else ""
    if seed is not None and phase in PER_INPUT:
        raise InputError(f"seed does not apply to phase {phase!r}{target}: it seeds every input "
                         f"in turn; use phase 'tangent' for one seed")
    if seed is None or seeded(phase):
        return
    raise InputError(f"seed does not apply to phase {phase!r}{target}: it seeds forward mode "
                     f"(phase 'tangent' or 'modes')")


__all__ = ["ALL_PHASES", "FRAME_PHASES", "PASSES", "PER_INPUT", "PLAYER_PHASES", "PLAY_PHASES",
           "SEEDED", "STAGE_PHASES", "SWEEPS", "Phase", "PhaseName", "check_phase", "check_seed",
           "expand_phases", "seeded"]
