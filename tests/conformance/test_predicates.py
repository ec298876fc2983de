"""One strictness: the suite's checks and the load scenarios judge token answers with the same predicates."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import predicates
from load import token_checks

JWS = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjIwLCJpYXQiOjEwfQ.c2ln"  # exp 20, iat 10
GOOD = {"data": {"accessToken": JWS, "ttlSeconds": 10}, "errors": None}
REFUSED = {"data": None, "errors": [{"status": False, "code": 320001, "message": "Invalid client key and secret"}]}


@pytest.mark.parametrize(("body", "problem"), [
    pytest.param({"data": {"accessToken": "notajwt", "ttlSeconds": 10}}, "not a compact JWS", id="not-a-jwt"),
    pytest.param({"data": {"accessToken": JWS, "ttlSeconds": "10"}}, "not a JSON integer", id="ttl-as-string"),
    pytest.param({"data": {"accessToken": JWS, "ttlSeconds": 10}, "errors": [{"code": 1}]}, "errors is not null",
                 id="errors-beside-a-token"),
    pytest.param(REFUSED, "expected a token", id="a-refusal"),
])
def test_a_malformed_token_answer_is_the_same_problem_for_the_suite_and_for_load(body: dict[str, Any],
                                                                                   problem: str) -> None:
    suite = predicates.token_issued_problem(200, body) or predicates.success_shape_problem(200, body)
    assert suite is not None and problem in suite
    assert token_checks.issued_token_problem(200, body) == suite


def test_a_well_formed_token_answer_passes_both() -> None:
    assert predicates.token_issued_problem(200, GOOD) is None and predicates.success_shape_problem(200, GOOD) is None
    assert token_checks.issued_token_problem(200, GOOD) is None
    assert "exp - iat" in (token_checks.issued_token_problem(200, {**GOOD, "data": {**GOOD["data"], "ttlSeconds": 9}})
                           or "")


@pytest.mark.parametrize(("body", "ok"), [
    pytest.param(REFUSED, True, id="documented-320001"),
    pytest.param({"data": None, "errors": [{"code": 401}]}, False, id="other-code"),
    pytest.param({**REFUSED, "data": {}}, False, id="data-not-null"),
    pytest.param({**REFUSED, "hint": JWS}, False, id="a-token-hidden-in-the-refusal"),
])
def test_credential_refusals_are_judged_alike(body: dict[str, Any], ok: bool) -> None:
    assert (predicates.credentials_rejected_problem(401, body) is None) is ok
    assert token_checks.rejected_credentials_problem(401, body) == predicates.credentials_rejected_problem(401, body)
