"""Details of the CAP-CLI checks that hand-made traces pin down: what counts as throttled, what a
documented token request holds, and which layer of a request a secret is found in."""

from __future__ import annotations

import base64
import json

from conformance import protocol
from conformance.judge import checks
from conformance.judge.checks import JudgeSettings
from conformance.tokens import b64url_encode
from tests.judge.test_checks import SETTINGS, run
from tests.judge.traces import KEY, SECRET, TraceBuilder


def _items_answer(code: int) -> dict[str, object]:
    """A v1.1 customer/add answer whose one item got `code` (517: that item was rate limited)."""
    item = {"mobile": "9000000001", "item_status": {"success": code == 1000, "code": code, "message": "m"}}
    return {"response": {"status": {"success": code == 1000, "code": 200 if code == 1000 else 500, "message": "m"},
                         "customers": {"customer": [item]}}}


def _write_answered(b: TraceBuilder, token: str, code: int) -> None:
    b.add("POST", "/v1.1/customer/add?format=json", {protocol.TOKEN_HEADER: token}, b"{}", 200,
          _items_answer(code), at=0.1, answer_headers=(("retry-after", "1"),))


def test_an_answer_whose_items_got_517_is_throttled_and_judged_under_cap_cli_07() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    assert token is not None
    _write_answered(b, token, protocol.RATE_LIMIT_CODE)  # HTTP 200, request-level 500, item-level 517
    b.call(0.11, token)  # on the same connection, inside Retry-After
    assert b.trace().entries[1].throttled
    finding = run(checks.retry_after_is_honoured, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (2, 3))


def test_an_answer_whose_items_succeeded_is_not_throttled() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    assert token is not None
    _write_answered(b, token, protocol.ITEM_SUCCESS)
    b.call(0.11, token)
    assert not b.trace().entries[1].throttled
    assert run(checks.retry_after_is_honoured, b).outcome == "not-run"


def test_a_token_request_with_members_besides_key_and_secret_fails_cap_cli_01() -> None:
    b = TraceBuilder()
    b.token(0.0)
    b.token(1.0, body=json.dumps({"key": KEY, "secret": SECRET, "grant_type": "client_credentials"}).encode())
    finding = run(checks.token_requests_are_documented, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (2,))
    assert "members besides key and secret: 'grant_type'" in finding.message


def test_a_full_token_in_the_token_header_is_no_secret_under_cap_cli_04() -> None:
    b = TraceBuilder()
    b.token(0.0)
    signed = ".".join([b64url_encode(b'{"alg":"RS256"}'), b64url_encode(b'{"exp":1}'), "s" * 64])
    b.call(0.1, signed)  # a signed JWT, which the leak scan of an artifact would count
    assert run(checks.secret_appears_only_in_the_token_body, b).outcome == "pass"


def test_a_secret_inside_base64_basic_credentials_fails_cap_cli_04() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    b.call(0.1, token, headers={"Authorization": f"Basic {basic}"})
    finding = run(checks.secret_appears_only_in_the_token_body, b, SETTINGS)
    assert (finding.outcome, finding.exchanges) == ("fail", (2,))
    assert "inside base64 in header Authorization" in finding.message and basic not in finding.message


def test_a_herd_counts_no_more_new_tokens_than_calls_that_got_the_498_against_the_processes() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    for worker in range(2):  # two calls get the 498 ...
        b.call(0.1, token, code=498, connection=f"127.0.0.1:{1000 + worker}")
    for n in range(3):  # ... and three new tokens follow within the second: two of them count
        b.token(0.2 + n * 0.01)
    one_process = run(checks.workers_regenerate_once_per_expiry, b)
    assert one_process.outcome == "fail" and "2 regenerations" in one_process.message
    two_processes = JudgeSettings(secrets=SETTINGS.secrets, processes=2)
    assert run(checks.workers_regenerate_once_per_expiry, b, two_processes).outcome == "pass"
