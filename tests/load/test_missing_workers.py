"""Workers that never connect make the run invalid (exit 3), with real master and worker processes."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.outcome import ExitCode
from load.processes import LocustRun, run_locust

LOCUSTFILE = Path(__file__).with_name("never_connecting_workers.py")


def test_master_whose_workers_never_connect_is_an_invalid_run(tmp_path: Path, reference_target: str) -> None:
    run = LocustRun(locustfiles=[LOCUSTFILE], host=reference_target, report_dir=tmp_path, users=2, spawn_rate=2,
                    run_seconds=2, profile="reference", workers=2, workers_max_wait_seconds=3)
    assert run_locust(run) == ExitCode.INCOMPLETE
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["exit_code"] == ExitCode.INCOMPLETE
    assert "expected 2 workers" in json.dumps(summary)
    assert "never connects" in (tmp_path / "worker-0.log").read_text()
