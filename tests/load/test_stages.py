"""Stage tables of the load shape: parsing, the default ramp/plateau/spike, and lookup by time."""

from __future__ import annotations

import pytest

from load.stages import (
    Stage,
    StageError,
    parse_duration,
    parse_stages,
    peak_users,
    ramp_plateau_spike,
    stage_at,
    stages_for_run,
)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("10s", 10), ("1m30s", 90), ("2h", 7200), ("2.5s", 2.5)])
def test_durations_use_locusts_run_time_syntax(text, seconds):
    assert parse_duration(text) == seconds


def test_an_explicit_table_is_parsed_in_order():
    assert parse_stages("5s:10:5, 10s:10:10,12s:30:50") == (
        Stage(5, 10, 5.0), Stage(10, 10, 10.0), Stage(12, 30, 50.0),
    )


@pytest.mark.parametrize(
    "text", ["", "5s:10", "5s:ten:5", "5s:10:5,4s:10:5", "5s:10:0", "soon:1:1"],
    ids=["empty", "two-fields", "users-not-int", "time-goes-back", "zero-rate", "bad-duration"],
)
def test_a_bad_table_is_refused(text):
    with pytest.raises(StageError):
        parse_stages(text)


def test_the_default_table_ramps_plateaus_spikes_and_settles_within_the_run():
    stages = ramp_plateau_spike(10, 4)

    assert [(s.until_seconds, s.users) for s in stages] == [(3, 4), (7, 4), (8, 8), (10, 4)]
    assert peak_users(stages) == 8


def test_the_stage_in_force_follows_elapsed_time_and_ends_with_the_table():
    stages = ramp_plateau_spike(10, 4)

    assert stage_at(stages, 0).users == 4
    assert stage_at(stages, 7.5).users == 8
    assert stage_at(stages, 9.9).users == 4
    assert stage_at(stages, 10) is None


def test_a_run_without_a_table_needs_a_run_time_to_scale_the_default():
    with pytest.raises(StageError, match="--run-time"):
        stages_for_run("", None, 5)
    assert stages_for_run("3s:2:2", None, None) == (Stage(3, 2, 2.0),)
