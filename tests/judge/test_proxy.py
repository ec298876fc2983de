"""The proxy over real loopback HTTP: what it forwards reaches the target unchanged and is recorded;
what it injects is recorded as injected and never reaches the target; a dead target is a 502."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
from typing import Any

import httpx

from conformance.judge.proxy import JudgeApp, Recorder, bind, forwarding_client, serving
from conformance.judge.scenarios import Injector, Scenario, Schedule

OK = json.dumps({"response": {"status": {"success": True, "code": 200, "message": "SUCCESS"}}}).encode()


class RecordingTarget:
    """A stand-in target (ASGI on uvicorn): answers 200 with a cookie and remembers every request that reached it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        self.seen.append((scope["method"], scope["path"], {k.decode(): v.decode() for k, v in scope["headers"]}, body))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"set-cookie", b"route=node-1; Path=/")]})
        await send({"type": "http.response.body", "body": OK})


async def _client_session(judge_url: str, calls: int) -> list[int]:
    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    async with httpx.AsyncClient(base_url=judge_url, trust_env=False, cookies=no_cookies) as client:
        client.headers.clear()  # the integration sends only what each call names (and Host, Content-Length)
        statuses = [(await client.post("/v3/oauth/token/generate", json={"key": "k", "secret": "s"},
                                       headers={"User-Agent": "partner-pos/1.0"})).status_code]
        for n in range(calls):
            response = await client.get(f"/v1.1/customer/get?mobile={n}&format=json",
                                        headers={"X-CAP-API-OAUTH-TOKEN": "tok-a", "Accept-Encoding": "gzip"})
            statuses.append(response.status_code)
    return statuses


async def _judge(target_url: str, schedule: Schedule, calls: int) -> tuple[Recorder, list[int]]:
    recorder = Recorder()
    async with forwarding_client(timeout=10) as http:
        app = JudgeApp(target_url, Injector(schedule), recorder, http)
        async with serving(app, bind("127.0.0.1", 0)) as judge_url:
            app.base_url = judge_url
            statuses = await _client_session(judge_url, calls)
    return recorder, statuses


async def _judge_in_front_of_a_target(schedule: Schedule, calls: int) -> tuple[RecordingTarget, Recorder, list[int]]:
    target = RecordingTarget()
    async with serving(target, bind("127.0.0.1", 0)) as target_url:
        recorder, statuses = await _judge(target_url, schedule, calls)
    return target, recorder, statuses


def test_injected_answers_are_recorded_as_injected_and_never_reach_the_target() -> None:
    schedule = Schedule.from_seed(5, frozenset({Scenario.EXPIRE_ON_CALL}))
    calls = schedule.expire_on_call + 2
    target, recorder, statuses = asyncio.run(_judge_in_front_of_a_target(schedule, calls))
    trace = recorder.trace()
    injected = [e for e in trace if e.injected]
    assert [e.injected for e in injected] == ["expire_on_call"] * 3  # the Nth call and the two after it
    assert statuses.count(498) == 3 and all(e.exchange.status == 498 for e in injected)
    forwarded = [e for e in trace if not e.injected]
    assert len(target.seen) == len(forwarded) == len(trace) - 3  # the target saw exactly the forwarded ones
    assert [path for _, path, _, _ in target.seen].count("/v1.1/customer/get") == schedule.expire_on_call - 1


def test_forwarded_requests_reach_the_target_unchanged_and_answers_are_recorded() -> None:
    target, recorder, _ = asyncio.run(_judge_in_front_of_a_target(Schedule.from_seed(0, frozenset()), 1))
    method, path, token_headers, body = target.seen[0]
    assert (method, path, json.loads(body)) == ("POST", "/v3/oauth/token/generate", {"key": "k", "secret": "s"})
    assert token_headers["user-agent"] == "partner-pos/1.0"  # the client's own, forwarded as sent
    _, _, call_headers, _ = target.seen[1]
    assert call_headers["x-cap-api-oauth-token"] == "tok-a"
    assert call_headers["accept-encoding"] == "identity"  # so the trace holds readable bodies
    # Nothing of the judge's own: no httpx defaults, and no cookie the target set on an earlier answer.
    assert not {"user-agent", "accept", "connection", "cookie"} & set(call_headers), call_headers
    assert set(call_headers) <= {"host", "content-length", "x-cap-api-oauth-token", "accept-encoding"}
    entries = recorder.trace().entries
    assert [e.id for e in entries] == [1, 2] and entries[1].exchange.response_body == OK
    assert entries[1].exchange.url.startswith("http://127.0.0.1:")  # the judge's URL, set by the caller
    assert {k.lower() for k, _ in entries[1].exchange.request_headers} == {"host", "x-cap-api-oauth-token",
                                                                            "accept-encoding"}  # what it sent
    assert entries[1].started <= entries[1].finished and entries[1].connection.startswith("127.0.0.1:")


def test_an_unreachable_target_is_answered_502_and_recorded_as_a_forward_error() -> None:
    recorder, statuses = asyncio.run(_judge("http://127.0.0.1:9", Schedule.from_seed(0, frozenset()), 0))
    assert statuses == [502]
    entry = recorder.trace().entries[0]
    assert entry.forward_error is not None and entry.forward_error.startswith("target unreachable")
