"""Stage tables for load shapes: ramp, plateau, spike (pure; `load/shapes.py` runs them in Locust).

A stage holds until `until_seconds` after the start (cumulative, as in Locust's own stages
example), with `users` users spawned or stopped at `spawn_rate` per second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+(?:\.\d+)?)s?)?$")


class StageError(ValueError):
    """A stage table that cannot be run; str() says which part and how to write it."""


@dataclass(frozen=True)
class Stage:
    until_seconds: float
    users: int
    spawn_rate: float


def parse_duration(text: str) -> float:
    """`90`, `90s`, `1m30s`, `2h` -> seconds (Locust's `--run-time` syntax)."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise StageError(f"{text!r} is not a duration (write e.g. 10s, 1m30s or 90)")
    return int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + float(match["s"] or 0)


def parse_stages(text: str) -> tuple[Stage, ...]:
    """`"3s:5:5,6s:5:5,7s:15:50,10s:5:50"` -> stages (until:users:spawn_rate, comma separated)."""
    stages = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        fields = part.split(":")
        if len(fields) != 3:
            raise StageError(f"stage {part!r}: expected UNTIL:USERS:SPAWN_RATE, e.g. 10s:20:5")
        try:
            stage = Stage(parse_duration(fields[0]), int(fields[1]), float(fields[2]))
        except ValueError as error:
            raise StageError(f"stage {part!r}: {error}") from None
        stages.append(stage)
    return checked(tuple(stages))


def checked(stages: tuple[Stage, ...]) -> tuple[Stage, ...]:
    if not stages:
        raise StageError("the stage table is empty")
    previous = 0.0
    for stage in stages:
        if stage.until_seconds <= previous:
            raise StageError(f"stage ending at {stage.until_seconds:g}s does not come after {previous:g}s")
        if stage.users < 0 or stage.spawn_rate <= 0:
            raise StageError(f"stage ending at {stage.until_seconds:g}s: users must be >= 0 and spawn rate > 0")
        previous = stage.until_seconds
    return stages


def ramp_plateau_spike(run_seconds: float, users: int) -> tuple[Stage, ...]:
    """The default table, scaled to the run: ramp 30%, plateau 40%, spike to 2x for 10%, settle 20%."""
    users = max(users, 1)
    ramp_end, plateau_end, spike_end = run_seconds * 0.3, run_seconds * 0.7, run_seconds * 0.8
    return checked((
        Stage(ramp_end, users, max(users / max(ramp_end, 0.1), 1.0)),
        Stage(plateau_end, users, float(users)),
        # A spike arrives at once: spawn the extra users within a second.
        Stage(spike_end, users * 2, float(users * 2)),
        Stage(run_seconds, users, float(users * 2)),
    ))


def stage_at(stages: tuple[Stage, ...], elapsed_seconds: float) -> Stage | None:
    """The stage in force after `elapsed_seconds`; None once the table is over (the test stops)."""
    for stage in stages:
        if elapsed_seconds < stage.until_seconds:
            return stage
    return None


def peak_users(stages: tuple[Stage, ...]) -> int:
    return max(stage.users for stage in stages)


def stages_for_run(stages_text: str, run_seconds: float | None, users: int | None) -> tuple[Stage, ...]:
    """An explicit `--stages` table, else ramp/plateau/spike scaled to `--run-time` and `--users`."""
    if stages_text:
        return parse_stages(stages_text)
    if not run_seconds:
        raise StageError("a stages shape needs --run-time (to scale the default table) or --stages")
    return ramp_plateau_spike(run_seconds, users or 1)
