"""The phase vocabulary: one definition, used by the writers and the faces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from adviz.core.phases import (
    ALL_PHASES,
    FRAME_PHASES,
    PASSES,
    PER_INPUT,
    PLAY_PHASES,
    PLAYER_PHASES,
    SEEDED,
    STAGE_PHASES,
    SWEEPS,
    Phase,
    check_phase,
    check_seed,
    expand_phases,
    seeded,
)
from adviz.errors import InputError

PACKAGE = Path(__file__).resolve().parents[2] / "adviz"


def test_members_are_the_phase_strings() -> None:
    assert [p.value for p in Phase] == ["forward", "reverse", "summary", "both", "paths",
                                        "tangent", "modes", "tangents"]
    assert ALL_PHASES == tuple(p.value for p in Phase)
    assert Phase("reverse") is Phase.REVERSE and Phase.REVERSE == "reverse"


def test_subsets() -> None:
    assert PASSES == ("forward", "reverse")
    assert SWEEPS == ("forward", "reverse", "tangent")
    assert set(STAGE_PHASES) == {"forward", "reverse", "tangent", "summary"}
    assert set(PLAY_PHASES) == {"forward", "reverse", "tangent", "both", "modes"}
    assert SEEDED == ("tangent",)
    assert set(FRAME_PHASES) == set(ALL_PHASES)
    assert PER_INPUT == ("tangents",)
    assert PLAYER_PHASES == (*PLAY_PHASES, "tangents")
    assert "tangents" not in PLAY_PHASES  # slides, animations and TikZ do not play it


@pytest.mark.parametrize("phase", list(Phase))
def test_expand(phase: Phase) -> None:
    expanded = expand_phases(phase)
    wanted = {"both": PASSES, "modes": ("tangent", "reverse")}.get(phase, (phase.value,))
    assert expanded == wanted
    assert all(type(p) is str for p in expanded)


def test_check_messages() -> None:
    assert check_phase(Phase.SUMMARY, STAGE_PHASES) == "summary"
    with pytest.raises(InputError, match=r"^unknown phase 'sideways' for png; use 'forward'"):
        check_phase("sideways", PASSES, "png")
    with pytest.raises(InputError, match=r"^phase 'both' does not apply to png \(it takes: "
                                         r"'forward', 'reverse'\)$"):
        check_phase("both", PASSES, "png")
    with pytest.raises(InputError, match="must be a string"):
        check_phase(3, PASSES)


def test_seeded_phases_take_a_seed_and_others_refuse_it() -> None:
    assert [p for p in ALL_PHASES if seeded(p)] == ["tangent", "modes"]
    check_seed("modes", {"x1": 1.0})
    check_seed("reverse", None)
    with pytest.raises(InputError, match=r"^seed does not apply to phase 'both' of gif: it "
                                         r"seeds forward mode"):
        check_seed("both", "x1", "gif")
    check_seed("tangents", None)
    with pytest.raises(InputError, match=r"^seed does not apply to phase 'tangents' of the "
                                         r"player: it seeds every input in turn"):
        check_seed("tangents", {"x1": 1.0}, "the player")


def test_writers_and_faces_define_no_phase_list_of_their_own() -> None:
    """Only adviz/core/phases.py spells a collection of phase names in these layers."""
    offenders = []
    for folder in ("writers", "faces", "core"):
        for path in (PACKAGE / folder).rglob("*.py"):
            if path.name == "phases.py" and folder == "core":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                    names = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                    if len([n for n in names if n in ALL_PHASES]) >= 2:
                        offenders.append(f"{path.name}:{node.lineno} {names}")
    assert offenders == []
