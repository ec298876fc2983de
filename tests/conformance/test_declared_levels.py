"""A level a profile declares is known at collection, so the request budget's planner keeps it.

The till header forms a profile lists, and a declared `invalid_entity_type`, make their tests
MUSTs; the planner keeps every MUST class (and leaves SHOULDs out) before the first request, so
a level decided only while the test runs would let a declared MUST go as "not run (budget)".
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from conformance.profiles import load_profile
from conformance.profiles.behaviour import Behaviour
from conformance.profiles.loader import PROFILES_DIR
from conformance.suites.test_till_attribution import TILL_FORMS, form_headers, form_level
from tests.support import run_suite

REFERENCE = load_profile("reference")


def levels(marks: list[Any]) -> list[str]:
    return [str(mark.kwargs["level"]) for mark in marks]


def test_the_forms_a_profile_lists_are_musts_and_the_others_keep_the_catalogue_level() -> None:
    assert {form: levels(form_level(form, REFERENCE)) for form in TILL_FORMS} == {form: ["MUST"] for form in TILL_FORMS}
    silent = replace(REFERENCE, behaviour=Behaviour())  # reads only target.till_header (TILL-CODE)
    assert {form: levels(form_level(form, silent)) for form in TILL_FORMS} == {
        "till-code-header": ["MUST"], "entity-type-and-code": [], "entity-code-alone": [],
        "seed-header-name": ["OBSERVATION"]}


def test_each_form_names_the_till_in_its_own_headers() -> None:
    assert form_headers("till-code-header", "t1") == [("X-CAP-API-ATTRIBUTION-TILL-CODE", "t1")]
    assert form_headers("entity-type-and-code", "t1") == [("X-CAP-API-ATTRIBUTION-ENTITY-TYPE", "TILL_CODE"),
                                                          ("X-CAP-API-ATTRIBUTION-ENTITY-CODE", "t1")]
    assert form_headers("entity-code-alone", "t1") == [("X-CAP-API-ATTRIBUTION-ENTITY-CODE", "t1")]
    assert form_headers("seed-header-name", "t1") == [("X-CAP-API-ATTRIBUTION-TILL", "t1")]


def budgeted_rows(reports: Path, *args: str) -> dict[str, tuple[str, str]]:
    """CAP-TILL-04's tests under a budget of one request per key: only MUSTs can be planned in."""
    run = run_suite(reports, "--plan=gate", "--seed=1", "--requirement=CAP-TILL-04", "--request-budget=1", *args)
    assert run.exit_code == 0, run.output[-3000:]
    return {t["nodeid"].split("::", 1)[1]: (t["level"], t["verdict"]) for t in (run.summary or {})["tests"]}


FORM_TEST = "test_other_till_header_forms_override_the_default[{}]"
ENTITY_TYPE_TEST = "test_unrecognised_entity_type_is_taken_as_a_till_code"


def test_declared_musts_are_run_under_a_budget_that_leaves_every_should_out(tmp_path: Path) -> None:
    rows = budgeted_rows(tmp_path / "declared")
    declared = [*(FORM_TEST.format(form) for form in TILL_FORMS), ENTITY_TYPE_TEST]
    assert {name: rows.get(name) for name in declared} == {name: ("MUST", "pass") for name in declared}
    # The same tests where the profile declares nothing: the budget leaves the SHOULDs out.
    silent = tmp_path / "silent.toml"
    text = (PROFILES_DIR / "reference.toml").read_text()
    head, tail = text.split("[behaviour]\n", 1)
    silent.write_text((head + tail.split("\n\n", 1)[1]).replace('cwd = "../.."', f'cwd = "{PROFILES_DIR.parents[1]}"'))
    rows = budgeted_rows(tmp_path / "silent", f"--profile={silent}")
    assert rows[FORM_TEST.format("till-code-header")] == ("MUST", "pass")  # target.till_header itself
    assert rows[FORM_TEST.format("entity-type-and-code")] == ("SHOULD", "not-run")
    assert rows[FORM_TEST.format("seed-header-name")] == ("SHOULD", "not-run")  # an observation's row
    assert rows[ENTITY_TYPE_TEST][1] == "not-run"
