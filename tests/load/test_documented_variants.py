"""Load judges answers as the docs mean them, like the suite: a server that mirrors v1.1 body
codes in its HTTP status (all-failed reads as HTTP 500) and spells codes as strings is healthy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.profiles import Profile, running_target
from tests.load.conftest import run_load


@pytest.fixture(scope="module")
def mirroring_target(reference_profile: Profile) -> Iterator[str]:
    variants = ["--variant", "status-mirror-500", "--variant", "string-codes"]
    with running_target(reference_profile, variants) as live:
        yield live.base_url


def test_steady_calls_pass_against_a_server_that_mirrors_body_codes_in_http_statuses(
        mirroring_target: str, tmp_path: Path) -> None:
    result = run_load(tmp_path / "report", "steady_calls", "-u", "3", "-t", "3s", "--target", mirroring_target)
    assert result.exit_code == 0, result.output[-3000:]
    for operation in ("customer.add", "customer.get", "transaction.add", "transaction.get"):
        row = result.operation(operation)
        assert row["requests"] > 0 and row["failures"] == 0, (operation, row)
