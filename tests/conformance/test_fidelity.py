"""The protocol is judged by the documented bodies, at any HTTP status (docs/contract.md §3, "How a level is chosen").

Each case is an answer a correct server built from the public docs may give: the suite must
classify it as the docs mean it, and still refuse the undocumented or hostile form beside it.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import protocol
from conformance.profiles import ProfileError, load_profile
from conformance.profiles.behaviour import Behaviour

Outcome = protocol.Outcome


def v11(code: Any, items: list[dict[str, Any]] | None = None, wrapped: bool = True) -> dict[str, Any]:
    envelope = {"status": {"success": "false", "code": code, "message": "m"},
                "customers": {"customer": items} if items is not None else None}
    return {"response": envelope} if wrapped else envelope


NOT_FOUND = [{"mobile": "1", "item_status": {"code": 1012}}]
V3_REFUSAL = {"data": None, "errors": [{"status": False, "code": 320001, "message": "Invalid client key and secret"}]}


@pytest.mark.parametrize(("status", "body", "expected"), [
    pytest.param(200, v11(500, NOT_FOUND), Outcome.ACCEPT, id="all-failed-at-200"),
    pytest.param(500, v11(500, NOT_FOUND), Outcome.ACCEPT, id="all-failed-mirrored-as-500"),
    pytest.param(400, v11(500, NOT_FOUND), Outcome.ACCEPT, id="all-failed-as-400"),
    pytest.param(500, v11(500), Outcome.SERVER_ERROR, id="request-500-without-items-at-500"),
    pytest.param(200, v11("498"), Outcome.REJECT_EXPIRED, id="498-as-string-at-200"),
    pytest.param(498, v11(498), Outcome.REJECT_EXPIRED, id="498-mirrored"),
    pytest.param(200, v11(401), Outcome.REJECT_TOKEN, id="401-in-body-at-200"),
    pytest.param(200, v11(403), Outcome.REJECT_AUTHZ, id="403-in-body-at-200"),
    pytest.param(200, v11(405), Outcome.REJECT_REQ, id="405-incorrect-method-at-200"),
    pytest.param(400, v11(91021), Outcome.REJECT_REQ, id="request-level-invalid-till"),
    pytest.param(200, v11(200, [{"item_status": {"code": 1000}}], wrapped=False), Outcome.ACCEPT,
                 id="customer-get-sample-without-response-wrapper"),
    pytest.param(200, v11(517), Outcome.THROTTLED, id="517-rate-limit-in-body"),
    pytest.param(429, b"", Outcome.THROTTLED, id="429"),
    pytest.param(500, "<html>boom</html>", Outcome.SERVER_ERROR, id="bare-500"),
    pytest.param(200, "<html>ok</html>", Outcome.UNRECOGNISED, id="html-200-is-not-acceptance"),
])
def test_resource_answers_are_judged_by_their_envelope_at_any_status(status: int, body: Any,
                                                                     expected: Outcome) -> None:
    parsed = body if isinstance(body, dict) else None
    assert protocol.classify_api_response(status, parsed) is expected


@pytest.mark.parametrize(("status", "body", "expected"), [
    pytest.param(401, V3_REFUSAL, Outcome.REJECT_CRED, id="320001-at-401"),
    pytest.param(200, V3_REFUSAL, Outcome.REJECT_CRED, id="320001-at-200"),
    pytest.param(400, V3_REFUSAL, Outcome.REJECT_CRED, id="320001-at-400"),
    pytest.param(500, {"data": None, "errors": [{"code": 400}]}, Outcome.REJECT_REQ, id="envelope-at-500"),
    pytest.param(500, None, Outcome.SERVER_ERROR, id="bare-500-is-a-crash"),
    pytest.param(500, {"data": None, "errors": [{"code": 500, "message": "Internal server error"}]},
                 Outcome.SERVER_ERROR, id="an-envelope-that-reports-a-crash-is-a-crash"),
    pytest.param(200, {"data": None, "errors": [{"code": 517}]}, Outcome.THROTTLED, id="517"),
    pytest.param(500, {"data": {"accessToken": "a.b.c"}}, Outcome.UNRECOGNISED, id="token-at-500-is-not-issued"),
])
def test_token_answers_are_judged_by_the_v3_envelope_at_any_status(status: int, body: Any,
                                                                   expected: Outcome) -> None:
    assert protocol.classify_token_response(status, body) is expected


def test_the_documented_transaction_body_carries_number_not_bill_number() -> None:
    bill = protocol.transaction_add_body("BILL99", protocol.mobile_number(7))["root"]["transaction"][0]
    assert bill["number"] == "BILL99" and "bill_number" not in bill
    assert bill["type"] == "regular" and isinstance(bill["amount"], float) and bill["billing_time"]


def test_test_mobiles_carry_a_country_code_and_a_mobile_prefix() -> None:
    assert protocol.mobile_number(12) == "919000000012"
    assert all(len(protocol.mobile_number(n)) == 12 for n in (0, 10**9 - 1, 10**12))


def test_the_entity_form_names_a_till_with_a_type_and_a_code() -> None:
    assert protocol.till_header_pairs(protocol.ENTITY_CODE_HEADER, "t1") == [
        (protocol.ENTITY_TYPE_HEADER, "TILL_CODE"), (protocol.ENTITY_CODE_HEADER, "t1")]
    assert protocol.till_header_pairs(protocol.TILL_CODE_HEADER, "t1") == [(protocol.TILL_CODE_HEADER, "t1")]


def test_a_profiles_behaviour_table_is_read_and_checked(tmp_path: Any) -> None:
    reference = load_profile("reference")
    assert reference.behaviour.sample_token_shape and reference.behaviour.declares("duplicate_token_headers")
    assert reference.till_headers[0] == reference.till_header and protocol.ENTITY_CODE_HEADER in reference.till_headers
    assert not Behaviour().declares("sample_token_shape")
    text = (reference.source.read_text().replace("invalid_entity_type = \"till_code\"",
                                                 "invalid_entity_type = \"maybe\""))
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('cwd = "../.."', f'cwd = "{reference.source.parents[2]}"'))
    with pytest.raises(ProfileError, match=r"behaviour.invalid_entity_type: 'maybe' is not one of"):
        load_profile(str(broken))
    broken.write_text(text.replace("invalid_entity_type = \"maybe\"", "sample_token_shap = true"))
    with pytest.raises(ProfileError, match="did you mean 'sample_token_shape'"):
        load_profile(str(broken))


def test_the_suite_sends_transactions_as_documented_and_never_bill_number() -> None:
    import json

    import httpx

    from conformance.client import CapillaryApi, build_http_client

    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    profile = load_profile("reference").with_base_url("http://testserver")
    api = CapillaryApi(profile, http=build_http_client(profile, transport=httpx.MockTransport(record)))
    api.transaction_add("t", "BILL-1", protocol.mobile_number(1))
    bill = json.loads(sent[0].content)["root"]["transaction"][0]
    assert bill["number"] == "BILL-1" and "bill_number" not in bill
    assert sent[0].headers["Accept"] == "application/json"
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for package in ("conformance", "load") for p in (root / package).rglob("*.py")
                 if "bill_number" in p.read_text()]
    assert offenders == []
