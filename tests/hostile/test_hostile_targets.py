"""Hostile and broken targets: the right exit code, one clear cause, a summary.json, bounded
time and memory, never a traceback (issue 12's done-when, asserted on real loopback servers).

Each run is the real command (`python -m conformance.cli`, the gate plan, the reference
profile's 10 s timeout) against a throwaway server from servers.py. Memory is the suite
process's own peak, read from `os.wait4` for that child alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.servers import hostile_target

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 60
MEGABYTES = 300


@dataclass
class Run:
    code: int
    output: str
    seconds: float
    peak_mb: float
    summary: dict[str, Any]

    def lines_after_the_verdict(self) -> list[str]:
        lines = [line for line in self.output.splitlines() if line.strip()]
        verdicts = [i for i, line in enumerate(lines) if line.startswith("verdict: ")]
        return lines[verdicts[-1] + 1:] if verdicts else ["(no verdict line)"]


def run_suite_against(url: str, tmp_path: Path) -> Run:
    log = tmp_path / "output.txt"
    started = time.monotonic()
    with log.open("w") as out:
        child = subprocess.Popen([sys.executable, "-m", "conformance.cli", f"--target={url}", "--plan=gate",
                                  "--seed=1", f"--reports-dir={tmp_path / 'reports'}"],
                                 cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        # A bound on the bound: a hung suite is killed (and the time assertion then fails).
        killer = threading.Timer(3 * SECONDS, child.kill)
        killer.start()
        _, status, usage = os.wait4(child.pid, 0)
        killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    summary_path = tmp_path / "reports" / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return Run(child.returncode, log.read_text(), time.monotonic() - started, usage.ru_maxrss / 1024, summary)


CASES = [
    # (behaviour, exit code, a line the cause must be stated in, what the summary must say)
    pytest.param("html-everywhere", 1, "CAP-TOK-01 MUST · token_was_issued", "CAP-TOK-01", id="html-everywhere"),
    pytest.param("garbage-token", 1, "not a compact JWS", "CAP-TOK-01", id="garbage-token"),
    pytest.param("500-everywhere", 1, "CAP-TOK-01 MUST · token_was_issued", "CAP-TOK-01", id="500-everywhere"),
    pytest.param("accept-everything", 1, "CAP-TOK-02 MUST", "CAP-TOK-02", id="accept-everything"),
    pytest.param("huge-bodies", 1, "CAP-USE-01 MUST", "CAP-USE-01", id="huge-bodies"),
    pytest.param("hang-on-token", 3, "target did not answer POST /v3/oauth/token/generate within 10 s", None,
                 id="hang-on-token"),
    pytest.param("hang-on-api-only", 3, "the target stopped answering", None, id="hang-on-api-only"),
    pytest.param("reset", 3, "target broke off POST /v3/oauth/token/generate", None, id="reset"),
    pytest.param("close-without-answer", 3, "target broke off POST /v3/oauth/token/generate", None,
                 id="close-without-answer"),
    pytest.param("non-http-bytes", 3, "target broke off POST /v3/oauth/token/generate", None, id="non-http-bytes"),
]


@pytest.mark.parametrize(("behaviour", "code", "cause", "failing"), CASES)
def test_a_hostile_target_gets_a_clean_verdict(behaviour: str, code: int, cause: str, failing: str | None,
                                               tmp_path: Path) -> None:
    with hostile_target(behaviour) as url:
        run = run_suite_against(url, tmp_path)
    assert run.code == code, run.output[-3000:]
    assert run.seconds < SECONDS, f"took {run.seconds:.0f} s"
    assert run.peak_mb < MEGABYTES, f"peak {run.peak_mb:.0f} MB"
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output, run.output[-3000:]
    assert "_pytest.outcomes.Exit" not in run.output
    assert cause in run.output, run.output[-3000:]
    assert run.lines_after_the_verdict() == [], "the verdict line is the last line"
    assert run.summary.get("exit_code") == code, "every run writes summary.json"
    if failing:
        assert run.summary["requirements"][failing]["verdict"] == "fail"
    else:  # incomplete: the cause is stated once, not once per test
        assert run.output.count(cause) == 1, run.output[-3000:]
