"""Issue 4's always-green property: the suite catches every reference-server fault.

Runs `fixtures.kill_matrix` for real: one reference server per fault (two at a time), the
conformance suite (gate plan, `--strict`, the tests of the violated requirements) against it,
plus one full run against the unfaulted server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixtures import kill_matrix


def test_every_fault_is_caught_and_the_clean_server_passes() -> None:
    matrix = kill_matrix.build(jobs=2, plan="gate")
    assert matrix["unfaulted"]["exit_code"] == 0, matrix["unfaulted"]
    assert len(matrix["faults"]) >= 25
    problems = [f"{row['fault']}: exit {row['exit_code']}, failing requirements {row['failing_requirements']}, "
                f"violates {row['violates']}" for row in matrix["faults"] if not row["caught"]]
    assert problems == []
    assert matrix["must_requirements_without_fault"] == []


def test_a_fault_that_breaks_nothing_the_suite_checks_would_be_reported_uncaught() -> None:
    """The matrix's own judgement can fail: a row whose failures miss the violated ids is not caught."""
    row = kill_matrix.Row("f", "d", ["CAP-USE-03"], exit_code=1, failing_requirements=["CAP-TOK-01"])
    assert not row.caught
    assert not kill_matrix.Row("f", "d", ["CAP-USE-03"], exit_code=0, failing_requirements=["CAP-USE-03"]).caught
    assert kill_matrix.Row("f", "d", ["CAP-USE-03"], exit_code=1, failing_requirements=["CAP-USE-03"]).caught


def _stub_runs(monkeypatch: pytest.MonkeyPatch, failing_requirements: list[str]) -> None:
    """The suite's runs, stubbed: the clean server passes; a faulted one fails tests tagged so."""
    def run_against(faults: list[str], plan: str, directory: Path, requirements: tuple[str, ...] = (),
                    budget: int | None = None) -> tuple[int, dict[str, Any] | None, str]:
        if not faults:
            return 0, {"counts": {"pass": 1}, "tests": []}, ""
        tests = [{"nodeid": "conformance/suites/test_x.py::test_y", "verdict": "fail",
                  "requirements": failing_requirements}]
        return 1, {"tests": tests}, ""

    monkeypatch.setattr(kill_matrix, "run_against", run_against)


def test_one_caught_fault_exits_0_and_must_coverage_is_the_whole_catalogues(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`--fault NAME` is the README's proof of a new fault: exit 0 when caught. Coverage of every
    MUST is a property of the whole catalogue, not of the one fault selected."""
    _stub_runs(monkeypatch, ["CAP-USE-02"])
    matrix = kill_matrix.build(jobs=1, plan="gate", only=["alg-none-accepted"])
    assert [row["fault"] for row in matrix["faults"]] == ["alg-none-accepted"]
    assert matrix["must_requirements_without_fault"] == []
    assert kill_matrix.main(["--fault", "alg-none-accepted"]) == 0
    _stub_runs(monkeypatch, ["CAP-TOK-01"])  # fails, but not for the requirement the fault violates
    assert kill_matrix.main(["--fault", "alg-none-accepted"]) == 1
    assert "**NO**" in capsys.readouterr().out


def test_the_readme_proof_command_exits_0_for_a_caught_fault(capsys: pytest.CaptureFixture[str]) -> None:
    """For real: one faulted server and the unfaulted one, the suite against each."""
    assert kill_matrix.main(["--fault", "alg-none-accepted"]) == 0
    assert "| `alg-none-accepted` |" in capsys.readouterr().out
