"""Faulty clients that mishandle a 498 or a 429 are caught by the requirement they break."""

from __future__ import annotations

from pathlib import Path

from tests.judge.faulty import judged


def test_client_that_ignores_498_is_caught_by_cap_cli_03(tmp_path: Path) -> None:
    row = judged("ignores_498", tmp_path)
    assert (row.exit_code, row.failing_requirements) == (1, ["CAP-CLI-03"])


def test_client_that_retries_a_498_in_a_tight_loop_with_the_dead_token_is_caught_by_cap_cli_03(
        tmp_path: Path) -> None:
    assert judged("tight_498_loop", tmp_path).failing_requirements == ["CAP-CLI-03"]


def test_client_that_ignores_retry_after_is_caught_by_cap_cli_07(tmp_path: Path) -> None:
    assert judged("ignores_retry_after", tmp_path).failing_requirements == ["CAP-CLI-07"]
