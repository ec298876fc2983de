"""Dogfooding: the load scenarios' own token handling (load/token_cache.py, single flight) passes the judge.

A short real Locust run (`python -m load run expiry_regeneration`: the short_lived client's 2 s tokens,
five users) goes through the judge, which expires the shared token under all users at once.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.judge.conftest import Judge

pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None,
                                reason="locust is not installed (pip install -e '.[load]')")

TOKEN_SCENARIOS = ("expire_on_call", "concurrent_498", "expire_after_exp", "short_lived")


def _locust(tmp_path: Path, *extra: str) -> list[str]:
    # The load CLI takes the target as an argument: the shell hands it the judge's URL.
    load = f'{sys.executable} -m load run expiry_regeneration --target "$CAP_BASE_URL" -t 3s ' \
           f'--report-dir {tmp_path / "load"} {" ".join(extra)}'
    return ["sh", "-c", load]


def test_load_token_cache_passes_the_judge_through_expiries_and_concurrent_498s(judge: Judge,
                                                                                 tmp_path: Path) -> None:
    scenarios = [arg for name in TOKEN_SCENARIOS for arg in ("--scenario", name)]
    run = judge("--strict", *scenarios, command=_locust(tmp_path))
    assert run.code == 0, run.done.stdout + run.done.stderr
    verdicts = run.verdicts()
    assert [verdicts[f"CAP-CLI-0{n}"] for n in (1, 2, 3, 4, 5, 6)] == ["pass"] * 6
    assert run.summary["judge"]["injected"]["expire_on_call"] >= 2  # several users met the one 498


def test_load_token_cache_never_resends_a_dead_token_after_a_failed_regeneration(judge: Judge,
                                                                                tmp_path: Path) -> None:
    run = judge("--strict", "--scenario", "expire_on_call", "--scenario", "token_5xx", "--scenario", "short_lived",
                command=_locust(tmp_path, "-u", "1"))
    assert run.verdicts()["CAP-CLI-03"] == "pass", run.done.stdout
