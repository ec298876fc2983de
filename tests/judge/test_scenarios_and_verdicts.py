"""The schedule is a pure function of the seed; the injector answers as documented, in arrival order;
findings become verdicts and exit codes with the server side's meaning."""

from __future__ import annotations

import json

import pytest

from conformance import protocol
from conformance.judge import scenarios
from conformance.judge.checks import Finding
from conformance.judge.scenarios import Injector, Scenario, Schedule, parse_scenarios
from conformance.judge.verdicts import exit_code, incomplete_reasons, requirement_rows
from conformance.tokens import b64url_encode, unverified_claims

ALL = parse_scenarios([])


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_seed_gives_one_schedule_and_seeds_differ() -> None:
    assert Schedule.from_seed(7, ALL) == Schedule.from_seed(7, ALL)
    assert len({Schedule.from_seed(seed, ALL) for seed in range(20)}) > 1


def test_a_misspelt_scenario_is_refused_with_the_closest_name() -> None:
    with pytest.raises(ValueError, match="did you mean 'expire_on_call'"):
        parse_scenarios(["expire_on_cal"])
    assert parse_scenarios(["none"]) == frozenset()


def test_the_token_of_the_nth_call_is_expired_with_the_documented_body_and_stays_dead() -> None:
    schedule = Schedule.from_seed(1, frozenset({Scenario.EXPIRE_ON_CALL}))
    injector = Injector(schedule, wall=lambda: 1_767_225_600.0)
    answers = [injector.on_api_call("/v1.1/customer/get", "tok-a") for _ in range(schedule.expire_on_call)]
    assert answers[:-1] == [None] * (schedule.expire_on_call - 1)
    expired = answers[-1]
    assert expired is not None and expired.status == 498 and expired.scenario is Scenario.EXPIRE_ON_CALL
    body = json.loads(expired.body)
    assert protocol.status_code(body) == 498
    assert protocol.status_message(body) == "Token expired at 2026-01-01T05:30:00.000+0530"
    assert injector.on_api_call("/v1.1/customer/get", "tok-a") is not None  # every later call with it
    assert injector.on_api_call("/v1.1/customer/get", "tok-b") is None  # a fresh token is not touched


def test_concurrent_498s_are_held_until_the_window_closes() -> None:
    clock = FakeClock()
    schedule = Schedule.from_seed(1, frozenset({Scenario.EXPIRE_ON_CALL, Scenario.CONCURRENT_498}))
    injector = Injector(schedule, clock=clock)
    for _ in range(schedule.expire_on_call - 1):
        injector.on_api_call("/v1.1/customer/get", "tok-a")
    first = injector.on_api_call("/v1.1/customer/get", "tok-a")
    clock.now += 0.1
    second = injector.on_api_call("/v1.1/customer/get", "tok-a")
    assert first is not None and second is not None
    assert first.answer_at == second.answer_at == pytest.approx(100.0 + schedule.barrier_seconds)
    clock.now += 1.0
    late = injector.on_api_call("/v1.1/customer/get", "tok-a")
    assert late is not None and late.answer_at is None


def test_throttle_5xx_and_deactivation_follow_the_schedule() -> None:
    clock = FakeClock()
    schedule = Schedule.from_seed(3, frozenset({Scenario.THROTTLE, Scenario.TOKEN_5XX, Scenario.DEACTIVATE}))
    injector = Injector(schedule, statuses={"invalid_credentials": 401}, clock=clock)
    assert injector.on_token_request() is None
    failed = injector.on_token_request()
    assert failed is not None and failed.status == 503
    answers = [injector.on_api_call("/v1.1/customer/add", "t") for _ in range(schedule.deactivate_on_call)]
    throttled = answers[schedule.throttle_on_call - 1]
    assert throttled is not None and throttled.status == 429 and ("retry-after", "1") in throttled.headers
    assert protocol.status_code(json.loads(throttled.body)) == 517
    assert answers[-1] is None  # the Nth call came too soon: deactivation also waits for its time
    clock.now += schedule.deactivate_after_seconds
    cut_off = injector.on_api_call("/v1.1/customer/add", "t")
    refused = injector.on_token_request()
    assert cut_off is not None and cut_off.status == 401 and cut_off.scenario is Scenario.DEACTIVATE
    assert refused is not None and protocol.error_code(json.loads(refused.body)) == 320001


def _token(exp: float) -> str:
    return ".".join([b64url_encode(b'{"alg":"RS256"}'), b64url_encode(json.dumps({"exp": exp}).encode()), "c2ln"])


def test_a_call_after_its_tokens_exp_gets_498_and_each_tokens_exp_is_decoded_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    monkeypatch.setattr(scenarios, "unverified_claims",
                        lambda token: decoded.append(token) or unverified_claims(token))
    wall = FakeClock()
    injector = Injector(Schedule.from_seed(1, frozenset({Scenario.EXPIRE_AFTER_EXP})), wall=wall)
    token = _token(exp=wall.now + 1)
    assert injector.on_api_call("/v1.1/customer/get", token) is None
    assert injector.exps == {token: wall.now + 1}
    wall.now += 1
    expired = injector.on_api_call("/v1.1/customer/get", token)
    assert expired is not None and expired.status == 498 and expired.scenario is Scenario.EXPIRE_AFTER_EXP
    assert decoded == [token]  # two calls, one decoding
    assert injector.on_api_call("/v1.1/customer/get", "not-a-jwt") is None and injector.exps["not-a-jwt"] is None
    for n in range(scenarios.MAX_CACHED_EXPS + 5):  # a client minting a token per call cannot grow it unbounded
        injector.on_api_call("/v1.1/customer/get", _token(exp=wall.now + 100 + n))
    assert 0 < len(injector.exps) <= scenarios.MAX_CACHED_EXPS


def _rows(*findings: Finding, till: bool = False) -> dict[str, dict[str, object]]:
    return requirement_rows(findings, till_declared=till)


PASSING = [Finding(f"CAP-CLI-0{n}", "c", "pass", "ok") for n in range(1, 10)]


def test_a_should_failure_is_a_warning_that_fails_only_under_strict() -> None:
    rows = _rows(*PASSING[:4], Finding("CAP-CLI-05", "c", "fail", "storm"), *PASSING[5:])
    assert rows["CAP-CLI-05"]["verdict"] == "warning"
    assert exit_code(rows, strict=False, incomplete=[]) == 0
    assert exit_code(rows, strict=True, incomplete=[]) == 1


def test_a_must_failure_exits_1_even_when_the_run_is_also_incomplete() -> None:
    rows = _rows(Finding("CAP-CLI-03", "c", "fail", "resent"), *PASSING[3:])
    assert exit_code(rows, strict=False, incomplete=["the target could not be reached"]) == 1


def test_an_unjudged_must_requirement_or_an_empty_trace_is_incomplete_never_a_pass() -> None:
    rows = _rows(*PASSING[:2], Finding("CAP-CLI-03", "c", "not-run", "no 498"), *PASSING[3:])
    reasons = incomplete_reasons(rows, requests=12, forward_errors=0)
    assert reasons == ["CAP-CLI-03 (MUST) could not be judged: no 498"]
    assert exit_code(rows, strict=False, incomplete=reasons) == 3
    assert incomplete_reasons(_rows(), requests=0, forward_errors=0) == ["the client never called the judge"]
    nothing = incomplete_reasons(_rows(), requests=0, forward_errors=0)  # every MUST unjudged, no call
    assert exit_code(_rows(), strict=False, incomplete=nothing) == 3


def test_cap_cli_09_is_must_only_where_the_till_is_declared() -> None:
    failing = Finding("CAP-CLI-09", "c", "fail", "no till")
    assert _rows(failing, till=True)["CAP-CLI-09"]["verdict"] == "fail"
    assert _rows(Finding("CAP-CLI-09", "c", "observation", "2 of 3"))["CAP-CLI-09"]["level"] == "observation"
