"""Running the judge as a partner would: a process, a fresh bundle directory, a throwaway signing key."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.profiles import load_profile, running_target
from fixtures.client_matrix import DEFAULT_SEED, JUDGE_TIMEOUT_SECONDS, failing_requirements, judge_command, signing_key

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class JudgedRun:
    done: subprocess.CompletedProcess[str]
    bundle: Path

    @property
    def code(self) -> int:
        return self.done.returncode

    @property
    def summary(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.bundle / "summary.json").read_text(encoding="utf-8"))
        return loaded

    def verdicts(self) -> dict[str, str]:
        return {rid: row["verdict"] for rid, row in self.summary["requirements"].items()}

    def failing(self) -> list[str]:
        return failing_requirements(self.summary)


Judge = Callable[..., JudgedRun]


@pytest.fixture
def judge(tmp_path: Path) -> Judge:
    """judge(*judge_args, command=[...]) runs `python -m conformance.cli client …` and returns the run."""
    runs = iter(range(1, 100))
    key = signing_key(tmp_path)

    def run(*args: str, command: list[str], seed: int = DEFAULT_SEED, entry: str = "conformance.cli") -> JudgedRun:
        bundle = tmp_path / f"bundle-{next(runs)}"
        done = subprocess.run(judge_command(bundle, key, *args, seed=seed, entry=entry, client=command),
                              cwd=ROOT, capture_output=True, text=True, timeout=JUDGE_TIMEOUT_SECONDS, check=False)
        return JudgedRun(done, bundle)

    return run


@pytest.fixture(scope="module")
def separate_reference_server() -> Iterator[str]:
    """A reference server launched on its own, as a remote target would be: the judge only gets its URL."""
    with running_target(load_profile("reference")) as target:
        yield target.base_url
