"""summary.json validates against schemas/certification-summary.schema.json (and the checker bites)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.certify.schema_check import validation_errors

from .conftest import ROOT
from .test_summary_page import certification_summary

SCHEMA: dict[str, Any] = json.loads((ROOT / "schemas" / "certification-summary.schema.json").read_text())


def test_the_real_gate_summary_validates(gate_bundle: Path):
    summary = json.loads((gate_bundle / "summary.json").read_text(encoding="utf-8"))

    assert validation_errors(summary, SCHEMA) == []


def test_a_summary_of_a_run_that_never_started_validates():
    assert validation_errors(certification_summary(conformance={}), SCHEMA) == []


@pytest.mark.parametrize(("path", "value", "problem"), [
    (("verdict",), "passed-ish", "is not one of"),
    (("exit_code",), "0", "expected integer"),
    (("requirements", "CAP-TOK-01", "verdict"), "maybe", "is not one of"),
    (("observed", "kid"), 7, "expected string or null"),
    (("suite", "lockfiles", "package-lock.json"), "not-a-hash", "does not match"),
])
def test_the_checker_rejects_a_wrong_value(path: tuple[str, ...], value: Any, problem: str):
    summary = certification_summary()
    target = summary
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    assert any(problem in error for error in validation_errors(summary, SCHEMA))


def test_the_checker_rejects_an_unknown_requirement_id_and_a_missing_member():
    summary = certification_summary()
    summary["requirements"]["CAP-NOPE"] = summary["requirements"]["CAP-TOK-01"]
    del summary["seed"]

    errors = validation_errors(summary, SCHEMA)

    assert "$.requirements: unexpected member 'CAP-NOPE'" in errors
    assert "$: missing required member 'seed'" in errors


def test_the_checker_refuses_keywords_it_does_not_implement():
    assert validation_errors({}, {"oneOf": []}) == ["$: schema keyword(s) ['oneOf'] not supported by this checker"]
