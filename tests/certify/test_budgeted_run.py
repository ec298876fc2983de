"""A certification run under a request budget (a rate-limited target's default, or --request-budget):
the tests the plan leaves out are "not-run" in summary.json, which its schema accepts, and
summary.html shows them as not run, never as passes. Before the schema knew "not-run", the summary
step failed its schema check and such a run exited 2."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from conformance.certify.schema_check import certification_summary_schema, validation_errors

from .conftest import run_certify

BUDGET = 60  # requests per key: far below the gate plan's needs, so many tests are left out


def test_a_budgeted_run_passes_its_summary_step_and_shows_the_tests_it_left_out(tmp_path: Path):
    done = run_certify("run", "--plan", "gate", "--request-budget", str(BUDGET), "--no-load",
                       "--reports-root", str(tmp_path / "out"))

    [bundle] = [p for p in (tmp_path / "out").iterdir() if p.name != "keys"]
    summary = json.loads((bundle / "summary.json").read_text(encoding="utf-8"))
    assert "summary      passed     exit 0" in done.stderr, done.stderr[-3000:]
    assert "does not match its schema" not in done.stderr
    assert validation_errors(summary, certification_summary_schema()) == []
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1].startswith("VERDICT: CONFORMANT")

    left_out = [test for row in summary["requirements"].values() for test in row["tests"]
                if test["verdict"] == "not-run"]
    assert left_out, "the budget left no test out: the run proves nothing about not-run"
    assert {test["message"] for test in left_out} == {"not run (budget)"}
    assert summary["counts"]["not-run"] == len({test["nodeid"] for test in left_out})
    assert summary["counts"].get("pass", 0) > 0

    page = (bundle / "summary.html").read_text(encoding="utf-8")
    name = left_out[0]["nodeid"].rpartition("::")[2]
    assert f'<span class="v warn">not-run</span> <code>{escape(name)}</code>' in page
    assert '<div class="msg">not run (budget)</div>' in page
