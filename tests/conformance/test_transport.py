"""The transport never trusts the target: bounded answers, one typed line per failure, a breaker."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from conformance.client import CapillaryApi
from conformance.profiles import load_profile
from conformance.transport import Breaker, TargetBrokeOff, TargetGone, TargetTimedOut, TargetUnreachable

PROFILE = replace(load_profile("reference").with_base_url("http://testserver"), max_response_bytes=1024)


def api_answering(handler: httpx.MockTransport) -> CapillaryApi:
    return CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=handler))


def test_an_answer_longer_than_the_cap_is_cut_recorded_as_truncated_and_never_parsed() -> None:
    huge = b'{"response": {"status": {"code": 200}}, "pad": "' + b"x" * 100_000 + b'"}'
    exchange = api_answering(httpx.MockTransport(lambda r: httpx.Response(200, content=huge))).customer_get("t", "1")
    assert exchange.truncated and len(exchange.response_body) == 1024
    assert exchange.json is None  # a cut answer proves nothing: not an accept
    assert exchange.redacted(__import__("conformance.redaction").redaction.Redactor())["response"]["truncated"]
    small = api_answering(httpx.MockTransport(lambda r: httpx.Response(200, json={"a": 1}))).customer_get("t", "1")
    assert not small.truncated and small.json == {"a": 1}


@pytest.mark.parametrize(("error", "kind", "line"), [
    (httpx.ConnectError("[Errno 111] Connection refused"), TargetUnreachable,
     r"^target unreachable: http://testserver \(connection refused\)$"),
    (httpx.ReadTimeout("timed out"), TargetTimedOut, r"^target did not answer GET /v1.1/customer/get within 10 s"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), TargetBrokeOff,
     r"^target broke off GET /v1.1/customer/get \(http://testserver\): Server disconnected"),
    (httpx.ReadError("[Errno 104] Connection reset by peer"), TargetBrokeOff, r"Connection reset by peer$"),
])
def test_every_transport_failure_is_one_typed_line(error: Exception, kind: type, line: str) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise type(error)(str(error), request=request)

    with pytest.raises(kind, match=line):
        api_answering(httpx.MockTransport(fail)).customer_get("t", "1")


def test_the_breaker_opens_after_failures_in_a_row_and_then_fails_at_once() -> None:
    calls = []

    def reset(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)

    api = api_answering(httpx.MockTransport(reset))
    for _ in range(3):
        with pytest.raises(TargetBrokeOff):
            api.customer_get("t", "1")
    with pytest.raises(TargetGone, match="3 failures in a row"):
        api.customer_get("t", "1")
    assert len(calls) == 3  # the fourth never reached the wire
    assert "3 failures in a row" in api.breaker.reason


def test_a_success_between_failures_keeps_the_breaker_closed_and_failures_in_a_row_open_it() -> None:
    breaker = Breaker(failures=2)
    breaker.failed(TargetTimedOut("a"))
    breaker.succeeded()
    breaker.failed(TargetTimedOut("b"))
    breaker.check()  # not two in a row
    breaker.failed(TargetTimedOut("c"))
    with pytest.raises(TargetGone, match="2 failures in a row, the last: c"):
        breaker.check()
