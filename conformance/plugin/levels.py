"""Which level a test's failure carries, and on what basis (docs/contract.md, "How a rule gets its level").

Resolution, strongest first: a level the test set while running (`judged_as`, for choices that
depend on the profile, e.g. whether the target reads a header form), a `pinned_by` behaviour
the profile declares (then MUST), the marker's `level=`, the requirement's own level.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance.profiles import Profile
from conformance.requirements import REQUIREMENTS, Level


@dataclass(frozen=True)
class Judgement:
    requirement: str
    level: Level
    basis: str


JUDGED_AS = pytest.StashKey[Judgement]()


def requirement_ids(item: pytest.Item) -> list[str]:
    seen: list[str] = []
    for marker in item.iter_markers("requirement"):
        seen += [rid for rid in marker.args if rid not in seen]
    return seen


def recorded_level(level: Level) -> Level:
    """The level a test's row in the results carries: an observation is never a verdict, so its row
    counts as SHOULD (it can never make a run incomplete or fail it without --strict)."""
    return Level.SHOULD if level is Level.OBSERVATION else level


def judgement(item: pytest.Item, profile: Profile | None) -> Judgement:
    """The level and basis this test is judged at (markers closest first: a parametrised case's
    own `requirement` mark wins over its function's)."""
    override = item.stash.get(JUDGED_AS, None)
    if override is not None:
        return override
    markers = list(item.iter_markers("requirement"))
    rid = requirement_ids(item)[0]
    requirement = REQUIREMENTS[rid]
    kwargs: dict[str, object] = {}
    for marker in reversed(markers):  # farthest first, so the closest mark's keywords win
        kwargs.update(marker.kwargs)
    level = Level(str(kwargs["level"])) if kwargs.get("level") else requirement.level
    basis = str(kwargs.get("basis") or requirement.basis)
    pinned_by = kwargs.get("pinned_by")
    if pinned_by and profile is not None and profile.behaviour.declares(str(pinned_by)):
        level = Level.MUST
        basis = f"declared by the profile ([behaviour] {pinned_by}); otherwise: {basis}"
    return Judgement(rid, level, basis)
