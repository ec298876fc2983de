"""Every CAP-CLI check proven both ways on hand-made traces: it fails on the fault, passes without it,
and says not-run (never pass) when the trace cannot show the requirement."""

from __future__ import annotations

from urllib.parse import quote

from conformance.judge import checks
from conformance.judge.checks import JudgeSettings
from conformance.redaction import LabelledSecret, spellings
from tests.judge.traces import KEY, SECRET, TraceBuilder

SETTINGS = JudgeSettings(secrets=(LabelledSecret("client secret of role 'primary'", SECRET),))


def run(check: checks.Check, builder: TraceBuilder, settings: JudgeSettings = SETTINGS) -> checks.Finding:
    return check(builder.trace(), settings)


# --- CAP-CLI-01 -----------------------------------------------------------------------------
def test_token_request_by_get_fails_cap_cli_01() -> None:
    b = TraceBuilder()
    b.token(0.0, method="GET")
    finding = run(checks.token_requests_are_documented, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (1,))
    assert "method GET" in finding.message


def test_token_request_with_a_form_body_fails_cap_cli_01() -> None:
    b = TraceBuilder()
    b.token(0.0)
    b.token(1.0, body=f"key={KEY}&secret={SECRET}".encode())
    finding = run(checks.token_requests_are_documented, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (2,))


def test_documented_token_requests_pass_cap_cli_01_and_none_is_not_run() -> None:
    b = TraceBuilder()
    b.token(0.0)
    assert run(checks.token_requests_are_documented, b).outcome == "pass"
    assert run(checks.token_requests_are_documented, TraceBuilder()).outcome == "not-run"


# --- CAP-CLI-02 -----------------------------------------------------------------------------
def test_call_without_the_token_header_fails_cap_cli_02() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token)
    b.call(0.2, None, headers={"Authorization": f"Bearer {token}"})
    finding = run(checks.calls_carry_an_issued_token, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (3,))


def test_call_with_a_token_never_issued_here_fails_cap_cli_02() -> None:
    b = TraceBuilder()
    b.token(0.0)
    b.call(0.1, "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2ln")
    assert run(checks.calls_carry_an_issued_token, b).outcome == "fail"


def test_calls_with_issued_tokens_pass_cap_cli_02() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token)
    assert run(checks.calls_carry_an_issued_token, b).outcome == "pass"


# --- CAP-CLI-03 -----------------------------------------------------------------------------
def test_expired_token_sent_again_fails_cap_cli_03_naming_both_exchanges() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, code=498)
    b.call(0.2, token, code=498)
    finding = run(checks.expired_token_is_never_sent_again, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (2, 3))


def test_calls_already_in_flight_at_the_498_and_a_regeneration_pass_cap_cli_03() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, code=498, duration=0.3)  # answered at 0.4
    b.call(0.2, token, code=498, connection="127.0.0.1:1001", duration=0.2)  # left before that answer
    fresh = b.token(0.45)
    b.call(0.5, fresh)
    assert run(checks.expired_token_is_never_sent_again, b).outcome == "pass"


def test_no_498_in_the_trace_leaves_cap_cli_03_not_run() -> None:
    b = TraceBuilder()
    b.call(0.1, b.token(0.0))
    assert run(checks.expired_token_is_never_sent_again, b).outcome == "not-run"


# --- CAP-CLI-04 -----------------------------------------------------------------------------
def test_secret_in_the_query_string_fails_cap_cli_04() -> None:
    b = TraceBuilder()
    sent = quote(SECRET)  # '+' and '=' percent-encoded, '/' kept: none of the raw spellings
    assert sent != SECRET and sent not in spellings(SECRET)
    b.token(0.0, url=f"/v3/oauth/token/generate?key={KEY}&secret={sent}")
    finding = run(checks.secret_appears_only_in_the_token_body, b)
    assert finding.outcome == "fail" and "the URL" in finding.message and SECRET not in finding.message
    assert "percent-encoded" in finding.message and sent not in finding.message


def test_secret_in_a_log_header_fails_cap_cli_04() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, headers={"X-Client-Log": f"secret={SECRET}"})
    finding = run(checks.secret_appears_only_in_the_token_body, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (2,))
    assert "x-client-log" in finding.message.lower()


def test_secret_in_the_body_of_an_api_call_fails_cap_cli_04() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, method="POST", body=f'{{"note": "{SECRET}"}}'.encode())
    assert run(checks.secret_appears_only_in_the_token_body, b).outcome == "fail"


def test_secret_only_in_token_request_bodies_passes_cap_cli_04() -> None:
    b = TraceBuilder()
    b.call(0.1, b.token(0.0))
    assert run(checks.secret_appears_only_in_the_token_body, b).outcome == "pass"


# --- CAP-CLI-05 -----------------------------------------------------------------------------
def test_token_per_call_fails_cap_cli_05() -> None:
    b = TraceBuilder()
    for n in range(3):
        b.call(n + 0.1, b.token(float(n)))
    finding = run(checks.tokens_are_reused, b)
    assert finding.outcome == "fail" and finding.exchanges == (1, 3, 5)


def test_renewal_in_the_last_half_of_a_life_and_after_a_498_pass_cap_cli_05() -> None:
    b = TraceBuilder()
    first = b.token(0.0, lifetime=10)
    b.call(0.1, first, code=498)
    second = b.token(0.2, lifetime=10)  # after the 498
    b.call(0.3, second)
    b.call(6.5, b.token(6.0, lifetime=10))  # 4.2 s of 10 left: proactive refresh
    assert run(checks.tokens_are_reused, b).outcome == "pass"


def test_two_processes_may_each_hold_a_token_under_cap_cli_05() -> None:
    b = TraceBuilder()
    b.token(0.0)
    b.token(0.1)
    assert run(checks.tokens_are_reused, b).outcome == "fail"
    assert run(checks.tokens_are_reused, b, JudgeSettings(processes=2)).outcome == "pass"


# --- CAP-CLI-06 -----------------------------------------------------------------------------
def _three_workers_meet_a_498(b: TraceBuilder) -> str | None:
    token = b.token(0.0)
    for worker in range(3):
        b.call(0.1, token, code=498, connection=f"127.0.0.1:{1000 + worker}", duration=0.3)
    return token


def test_each_worker_regenerating_after_one_498_fails_cap_cli_06() -> None:
    b = TraceBuilder()
    _three_workers_meet_a_498(b)
    for worker in range(3):
        b.token(0.41 + worker * 0.001)
    finding = run(checks.workers_regenerate_once_per_expiry, b)
    assert finding.outcome == "fail" and "3 regenerations" in finding.message
    assert run(checks.tokens_are_reused, b).outcome == "pass"  # a herd is CAP-CLI-06's to judge, once


def test_a_proactive_renewal_soon_after_a_settled_498_is_no_herd_under_cap_cli_06() -> None:
    b = TraceBuilder()
    _three_workers_meet_a_498(b)
    fresh = b.token(0.41, lifetime=2)
    b.call(0.45, fresh)
    b.token(1.3, lifetime=2)  # renewed within a second of the 498, after the new token worked
    assert run(checks.workers_regenerate_once_per_expiry, b).outcome == "pass"


def test_single_flight_and_a_retried_5xx_pass_cap_cli_06() -> None:
    b = TraceBuilder()
    _three_workers_meet_a_498(b)
    b.token(0.41, status=503)
    b.token(0.52)
    assert run(checks.workers_regenerate_once_per_expiry, b).outcome == "pass"
    assert run(checks.workers_regenerate_once_per_expiry, TraceBuilder()).outcome == "not-run"


# --- CAP-CLI-07 -----------------------------------------------------------------------------
def test_retry_on_the_same_connection_inside_retry_after_fails_cap_cli_07() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, code=429, retry_after=1)
    b.call(0.11, token)
    finding = run(checks.retry_after_is_honoured, b)
    assert (finding.outcome, finding.exchanges) == ("fail", (2, 3))


def test_another_connection_after_the_grace_inside_retry_after_fails_cap_cli_07() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, code=429, retry_after=1)
    b.call(0.5, token, connection="127.0.0.1:2000")
    assert run(checks.retry_after_is_honoured, b).outcome == "fail"


def test_waiting_out_retry_after_passes_cap_cli_07_even_with_a_call_already_on_its_way() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.call(0.1, token, code=429, retry_after=1)
    b.call(0.11, token, connection="127.0.0.1:2000")  # another worker's call, sent before it could know
    b.call(1.2, token)
    assert run(checks.retry_after_is_honoured, b).outcome == "pass"


def test_throttling_without_retry_after_leaves_cap_cli_07_not_run() -> None:
    b = TraceBuilder()
    b.call(0.1, b.token(0.0), code=429)
    assert run(checks.retry_after_is_honoured, b).outcome == "not-run"


# --- CAP-CLI-08 -----------------------------------------------------------------------------
def test_more_than_four_refused_attempts_in_a_row_fail_cap_cli_08() -> None:
    b = TraceBuilder()
    for n in range(6):
        b.token(n * 0.5, status=401)
    finding = run(checks.refused_generation_backs_off, b)
    assert finding.outcome == "fail" and "6 refused" in finding.message


def test_retries_of_a_refusal_without_growing_waits_fail_cap_cli_08() -> None:
    b = TraceBuilder()
    for at in (0.0, 0.8, 1.0):  # waits 0.795 then 0.195: shrinking
        b.token(at, status=401)
    assert run(checks.refused_generation_backs_off, b).outcome == "fail"


def test_three_retries_with_growing_waits_pass_cap_cli_08() -> None:
    b = TraceBuilder()
    for at in (0.0, 0.21, 0.62, 1.43):
        b.token(at, status=401)
    assert run(checks.refused_generation_backs_off, b).outcome == "pass"
    assert run(checks.refused_generation_backs_off, TraceBuilder()).outcome == "not-run"


# --- CAP-CLI-09 / 10 ------------------------------------------------------------------------
def test_write_without_the_declared_till_fails_cap_cli_09() -> None:
    b = TraceBuilder()
    token = b.token(0.0)
    b.write(0.1, token, {"X-CAP-API-ATTRIBUTION-TILL-CODE": "till.a"})
    b.write(0.2, token)
    finding = run(checks.writes_carry_the_till, b, JudgeSettings(declared_till="till.a"))
    assert (finding.outcome, finding.exchanges) == ("fail", (3,))


def test_the_entity_form_carries_the_declared_till_under_cap_cli_09() -> None:
    b = TraceBuilder()
    b.write(0.1, b.token(0.0), {"X-CAP-API-ATTRIBUTION-ENTITY-TYPE": "TILL_CODE",
                                "X-CAP-API-ATTRIBUTION-ENTITY-CODE": "till.a"})
    assert run(checks.writes_carry_the_till, b, JudgeSettings(declared_till="till.a")).outcome == "pass"


def test_without_a_declared_till_cap_cli_09_is_an_observation_and_without_writes_skipped() -> None:
    b = TraceBuilder()
    b.write(0.1, b.token(0.0))
    finding = run(checks.writes_carry_the_till, b)
    assert finding.outcome == "observation" and finding.message.startswith("0 of 1 writes")
    assert run(checks.writes_carry_the_till, TraceBuilder()).outcome == "skipped"


def test_proactive_renewals_are_observed_under_cap_cli_10() -> None:
    b = TraceBuilder()
    b.token(0.0, lifetime=10)
    b.token(8.0, lifetime=10)
    finding = run(checks.tokens_are_renewed_before_exp, b)
    assert finding.outcome == "observation" and finding.message.startswith("1 of 1 renewals were proactive")
