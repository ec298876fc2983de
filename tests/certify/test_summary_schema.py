"""summary.json validates against schemas/certification-summary.schema.json (jsonschema), and the check bites."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.certify.schema_check import certification_summary_schema, validation_errors

from .conftest import conformance_summary
from .test_summary_page import certification_summary

SCHEMA: dict[str, Any] = certification_summary_schema()


def test_the_real_gate_summary_validates(gate_bundle: Path):
    summary = json.loads((gate_bundle / "summary.json").read_text(encoding="utf-8"))

    assert validation_errors(summary, SCHEMA) == []


def test_a_summary_of_a_run_that_never_started_validates():
    assert validation_errors(certification_summary(conformance={}), SCHEMA) == []


@pytest.mark.parametrize(("path", "value", "problem"), [
    (("verdict",), "passed-ish", "$.verdict: 'passed-ish' is not one of"),
    (("exit_code",), "0", "$.exit_code: '0' is not of type 'integer'"),
    (("requirements", "CAP-TOK-01", "verdict"), "maybe", "$.requirements['CAP-TOK-01'].verdict: 'maybe' is not one of"),
    (("observed", "kid"), 7, "$.observed.kid: 7 is not of type 'string', 'null'"),
    (("suite", "lockfiles", "package-lock.json"), "not-a-hash", "'not-a-hash' does not match"),
    (("requirements", "CAP-TOK-01", "basis"), 7, "$.requirements['CAP-TOK-01'].basis: 7 is not of type 'string'"),
    (("requirements", "CAP-TOK-01", "tests", 0, "verdict"), "not run",
     "$.requirements['CAP-TOK-01'].tests[0].verdict: 'not run' is not one of"),
])
def test_the_check_rejects_a_wrong_value(path: tuple[str | int, ...], value: Any, problem: str):
    summary = certification_summary()
    target: Any = summary
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    assert any(problem in error for error in validation_errors(summary, SCHEMA))


def test_the_check_rejects_an_unknown_requirement_id_and_a_missing_member():
    summary = certification_summary()
    summary["requirements"]["CAP-NOPE"] = summary["requirements"]["CAP-TOK-01"]
    del summary["seed"]

    errors = validation_errors(summary, SCHEMA)

    assert any(e.startswith("$.requirements: 'CAP-NOPE' does not match any of the regexes") for e in errors), errors
    assert "$: 'seed' is a required property" in errors


def test_requirement_basis_and_observations_are_optional_and_validate_when_present():
    with_them = conformance_summary(observations=[{"test": "conformance/suites/test_x.py::test_y",
                                                   "requirement": "CAP-TOK-01", "what": "HTTP status of a bad secret",
                                                   "observed": "401"}])
    with_them["requirements"]["CAP-TOK-01"]["basis"] = "https://docs.capillarytech.com/reference/oauth"
    summary = certification_summary(with_them)

    assert summary["requirements"]["CAP-TOK-01"]["basis"] == "https://docs.capillarytech.com/reference/oauth"
    assert summary["observations"][0]["observed"] == "401"
    assert validation_errors(summary, SCHEMA) == []
    assert "basis" not in certification_summary()["requirements"]["CAP-TOK-01"]


def test_an_invalid_schema_is_reported_instead_of_silently_passing_everything():
    errors = validation_errors({}, {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "no-such-type"})

    assert errors and errors[0].startswith("the schema itself is invalid")


@pytest.mark.parametrize("verdict", ["pass", "fail", "warning", "skipped", "error", "xfail", "not-run"])
def test_every_test_verdict_the_suite_records_validates(verdict: str):
    """"not-run" is what the request budget records for a test it leaves out (conformance/plugin/budget.py)."""
    conformance = conformance_summary()
    conformance["requirements"]["CAP-TOK-01"]["tests"][0]["verdict"] = verdict

    assert validation_errors(certification_summary(conformance), SCHEMA) == []
