"""Each check fails on the deviation it names and passes on the documented answer.

Exchanges come from real httpx requests over `httpx.MockTransport` (no monkeypatching), so the
checks see exactly what a live server's answer would give them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from conformance import protocol
from conformance.checks import resources, token_claims, token_endpoint
from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi
from conformance.exchange import Exchange
from conformance.profiles import load_profile
from conformance.transport import TargetUnreachable

PROFILE = load_profile("reference").with_base_url("http://testserver")


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Exchange:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=content, headers=headers or {}))
    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=transport))
    return api.customer_get("token", "919999999999")


TOKEN_OK = {"data": {"accessToken": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "ttlSeconds": 3600}, "errors": None}
BAD_CREDS = {"data": None, "errors": [{"status": False, "code": 320001, "message": "Invalid client key and secret"}]}


def v11(code: int | str, message: str = "", entity: str = "customers", items: Any = None) -> dict[str, Any]:
    return {"response": {"status": {"success": code == 200, "code": code, "message": message}, entity: items}}


def stored(code: int = 1000, till: str = "t1") -> dict[str, Any]:
    item = {"mobile": "1", "item_status": {"code": code}, "registered_till": {"code": till, "name": till}}
    return v11(200, "SUCCESS", items={"customer": [item]})


CASES: list[tuple[str, Callable[[Exchange], Any], Exchange, Exchange]] = [
    ("token_was_issued", token_endpoint.token_was_issued, answer(200, TOKEN_OK), answer(401, BAD_CREDS)),
    ("success_body_shape", token_endpoint.success_body_has_documented_shape, answer(200, TOKEN_OK),
     answer(200, {"data": {"accessToken": "eyJx.e30.c2ln", "ttlSeconds": "3600"}, "errors": None})),
    ("no_token", token_endpoint.no_token_was_issued, answer(401, BAD_CREDS),
     answer(401, {**BAD_CREDS, "debug": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"})),
    ("rejected_320001", token_endpoint.credentials_were_rejected_with_320001, answer(401, BAD_CREDS),
     answer(401, {"data": None, "errors": [{"code": 401}]})),
    ("message", token_endpoint.credentials_error_message_is_documented, answer(401, BAD_CREDS),
     answer(401, {"data": None, "errors": [{"code": 320001, "message": "Unknown key"}]})),
    ("refused_malformed", token_endpoint.request_was_refused_without_token, answer(400, {"errors": []}),
     answer(500, b"<html>Internal Server Error</html>")),
    ("accepted", resources.call_was_accepted, answer(200, stored()), answer(401, v11(401, "Unauthorized"))),
    ("invalid_token", resources.token_was_rejected_as_invalid, answer(401, v11(401, "Unauthorized")),
     answer(200, stored())),
    ("invalid_token_with_data", resources.token_was_rejected_as_invalid, answer(200, v11("401", "Unauthorized")),
     answer(401, {"response": {"status": {"code": 401}, "customers": {"customer": [{"mobile": "1"}]}}})),
    ("expired", resources.token_was_rejected_as_expired, answer(200, v11("498", "Token expired at x")),
     answer(401, v11(401, "Unauthorized"))),
    ("denied", resources.access_was_denied, answer(200, {"errors": [{"status": False, "code": 4000}]}),
     answer(200, stored())),
    ("stored", resources.write_was_stored, answer(200, stored()), answer(200, stored(code=91021))),
    ("not_found", resources.record_was_not_found, answer(200, stored(code=1012)), answer(200, stored())),
    ("request_id", resources.has_request_id, answer(200, stored(), {"X-Cap-Requestid": "r1"}), answer(200, stored())),
    ("till_refused", resources.till_was_refused_as_invalid, answer(200, stored(code=91021)), answer(200, stored())),
    ("till_refused_91020", resources.till_was_refused_as_invalid, answer(500, stored(code=91020)),
     answer(200, stored(code=1007))),
    ("till_refused_request_level", resources.till_was_refused_as_invalid, answer(400, v11(91021, "Invalid till")),
     answer(400, v11(400, "bad input"))),
    ("found", resources.record_was_found, answer(200, stored()), answer(500, stored(code=1012))),
    ("not_found_all_failed_500", resources.record_was_not_found, answer(500, v11(500, "All requests failed",
     items={"customer": [{"item_status": {"code": 1012}}]})), answer(500, stored())),
    ("not_found_request_level", resources.record_was_not_found, answer(200, v11(500, "Unable to retrieve")),
     answer(401, v11(401, "Unauthorized"))),
    ("method_refused", resources.method_was_refused, answer(200, v11(405, "Incorrect HTTP Method")),
     answer(200, stored())),
    ("no_crash", resources.never_a_server_error, answer(500, v11(500, "All failed", items={"customer": [
        {"item_status": {"code": 91021}}]})), answer(500, b"<html>Internal Server Error</html>")),
    ("html_is_not_acceptance", resources.call_was_accepted, answer(200, stored()), answer(200, b"<html>ok</html>")),
]


@pytest.mark.parametrize(("name", "check", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_check_passes_on_the_contract_and_fails_on_the_deviation(name: str, check: Callable[[Exchange], Any],
                                                                 good: Exchange, bad: Exchange) -> None:
    check(good)
    with pytest.raises(ConformanceFailure) as caught:
        check(bad)
    assert caught.value.exchange is bad or caught.value.exchange is None or name == "no_token"


def test_attribution_check_names_the_wrong_till() -> None:
    resources.record_is_attributed_to(answer(200, stored(till="t1")), "t1")
    with pytest.raises(ConformanceFailure, match=r"registered_till 't1'.*'t2'"):
        resources.record_is_attributed_to(answer(200, stored(till="t2")), "t1")


def test_expired_message_must_name_exp_in_any_zone() -> None:
    exp = 1575271275  # 2019-12-02T12:51:15+05:30 ... computed below
    import datetime as dt

    local = dt.datetime.fromtimestamp(exp, dt.timezone(dt.timedelta(hours=5, minutes=30)))
    text = f"Token expired at {local:%Y-%m-%dT%H:%M:%S}.000+0530"
    resources.expired_message_names_exp(answer(498, v11(498, text)), exp)
    with pytest.raises(ConformanceFailure, match="the token's exp"):
        resources.expired_message_names_exp(answer(498, v11(498, text)), exp + 60)
    with pytest.raises(ConformanceFailure, match="Token expired at"):
        resources.expired_message_names_exp(answer(498, v11(498, "expired")), exp)


def test_claim_checks_fail_on_wrong_types_and_values() -> None:
    good = {"iss": "Capillary", "exp": 20, "iat": 10, "jti": "j", "sub": "s", "client_id": 1, "org_id": 2,
            "token_use": "token_access"}
    token_claims.required_claims_have_documented_types(good)
    token_claims.ttl_seconds_matches_exp_minus_iat(10, good)
    for broken in ({**good, "org_id": "2"}, {**good, "exp": True}, {k: v for k, v in good.items() if k != "jti"}):
        with pytest.raises(ConformanceFailure):
            token_claims.required_claims_have_documented_types(broken)
    with pytest.raises(ConformanceFailure):
        token_claims.ttl_seconds_matches_exp_minus_iat(600, good)
    with pytest.raises(ConformanceFailure):
        token_claims.ttl_seconds_is_clients_expiry(7200, 7200, 3600)
    with pytest.raises(ConformanceFailure):
        token_claims.header_alg_is_rs256_with_kid({"alg": "none", "kid": "k1"})
    with pytest.raises(ConformanceFailure):
        token_claims.tokens_are_distinct(["a", "a"], ["t1", "t2"])


def test_secret_echo_check_never_repeats_the_secret() -> None:
    echoed = answer(401, {"errors": [{"code": 320001, "message": "bad secret hunter2-secret"}]})
    with pytest.raises(ConformanceFailure) as caught:
        token_endpoint.secret_is_not_echoed(echoed, "hunter2-secret")
    assert "hunter2-secret" not in str(caught.value)


def test_classification_reads_body_codes_as_strings_or_numbers() -> None:
    assert protocol.classify_api_response(200, v11("498")) is protocol.Outcome.REJECT_EXPIRED
    assert protocol.classify_api_response(200, v11(498)) is protocol.Outcome.REJECT_EXPIRED
    assert protocol.classify_api_response(429, None) is protocol.Outcome.THROTTLED
    assert protocol.classify_api_response(503, {"errors": [{"code": 4001}]}) is protocol.Outcome.UNAVAILABLE


def test_throttled_answers_are_retried_and_counted_not_judged() -> None:
    replies = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json=stored())])
    transport = httpx.MockTransport(lambda request: next(replies))
    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=transport))
    exchange = api.customer_get("t", "1")
    assert exchange.status == 200 and api.stats.throttled == 1 and api.stats.requests == 2


def test_connection_refused_is_one_clear_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=httpx.MockTransport(refuse)))
    with pytest.raises(TargetUnreachable, match=r"^target unreachable: http://testserver \(connection refused\)$"):
        api.generate_token("k", "s")


def test_jwks_hygiene_fails_on_private_parts_short_keys_and_duplicate_kids() -> None:
    import base64

    def n_of(bits: int) -> str:
        return base64.urlsafe_b64encode((1 << (bits - 1)).to_bytes(bits // 8, "big")).decode().rstrip("=")

    good = {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": n_of(2048), "e": "AQAB"}
    token_claims.jwks_is_hygienic({"keys": [good]})
    for bad in ({"keys": [{**good, "d": "secret"}]}, {"keys": [{**good, "n": n_of(1024)}]},
                {"keys": [good, good]}, {"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]},
                {"keys": [{**good, "use": "enc"}]}, {"keys": []}, ["not", "an", "object"]):
        with pytest.raises(ConformanceFailure):
            token_claims.jwks_is_hygienic(bad)
