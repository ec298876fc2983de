"""Faulty clients that waste or fight over tokens are caught by the requirement they break (--strict)."""

from __future__ import annotations

from pathlib import Path

from tests.judge.faulty import judged


def test_client_that_asks_for_a_token_per_call_is_caught_by_cap_cli_05(tmp_path: Path) -> None:
    assert judged("token_per_call", tmp_path).failing_requirements == ["CAP-CLI-05"]


def test_client_whose_threads_herd_on_a_498_is_caught_by_cap_cli_06(tmp_path: Path) -> None:
    # Without single flight the herd repeats on the refused generations too (CAP-CLI-08).
    assert "CAP-CLI-06" in judged("herd", tmp_path).failing_requirements


def test_client_that_retries_a_refused_generation_without_end_is_caught_by_cap_cli_08(tmp_path: Path) -> None:
    assert judged("unbounded_retries", tmp_path).failing_requirements == ["CAP-CLI-08"]
