"""The connection layer's limits, over real sockets on loopback: head size and field count (431)
and the request deadline (a half-sent request is cut off). Every wait is bounded by a deadline and
ends on a condition (an answer, or the server closing); nothing sleeps in place of awaiting one.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.reference_server.connection import MAX_HEAD_BYTES, MAX_HEADER_FIELDS, REQUEST_DEADLINE_SECONDS

from .helpers import CUSTOMER_ADD, CUSTOMER_GET, TOKEN_HEADER, TOKEN_PATH, TRANSACTION_GET, unique_mobile

Fields = list[tuple[str, str]]
ANSWER_WAIT = 10.0  # an answer that is due now, on loopback
CLOSE_SLACK = 3.0  # how late after the deadline a cut-off may land on a busy 2-core machine


def parsed_size(target: str, fields: Fields) -> int:
    """What the limit counts: the request target plus each field's name, value and ': ' CRLF."""
    return len(target) + sum(len(name) + len(value) + 4 for name, value in fields)


def request_head(method: str, target: str, fields: Fields) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in fields)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def padded_to(size: int, target: str, fields: Fields) -> Fields:
    """`fields` plus one X-Pad field, so that the head counts exactly `size` bytes."""
    value = "a" * (size - parsed_size(target, [*fields, ("X-Pad", "")]))
    return [*fields, ("X-Pad", value)]


class Answer:
    def __init__(self, head: bytes, body: bytes) -> None:
        status_line, *lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split(" ")[1])
        self.headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines if line)}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    async with asyncio.timeout(ANSWER_WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
        answer = Answer(head[:-4], b"")
        answer.body = await reader.readexactly(int(answer.headers["content-length"]))
        return answer


async def closed_by_server(reader: asyncio.StreamReader, within: float) -> bytes:
    """Everything the server still sends until it closes the connection (EOF or reset)."""
    received = b""
    async with asyncio.timeout(within):
        try:
            while chunk := await reader.read(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


async def exchange(base_url: str, raw: bytes, then_closed: bool = True) -> Answer:
    """Send `raw` on a fresh connection and read the answer (and, for a refusal, the close)."""
    address = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(raw)
        answer = await read_answer(reader)
        if then_closed:
            assert await closed_by_server(reader, ANSWER_WAIT) == b""
        return answer
    finally:
        writer.close()


def ask(base_url: str, raw: bytes, then_closed: bool = True) -> Answer:
    return asyncio.run(exchange(base_url, raw, then_closed))


@pytest.fixture
def auth(token: Callable[[str], str]) -> Fields:
    return [("Host", "reference"), (TOKEN_HEADER, token("pos_gateway"))]


# -- head size and field count -------------------------------------------------------------
def test_a_head_of_exactly_the_limit_is_served_and_one_byte_more_is_431(base_url: str, auth: Fields) -> None:
    target = CUSTOMER_GET + "?mobile=1"
    at_limit = padded_to(MAX_HEAD_BYTES, target, auth)
    assert parsed_size(target, at_limit) == MAX_HEAD_BYTES
    served = ask(base_url, request_head("GET", target, at_limit), then_closed=False)
    assert served.status == 200, served.body

    over = padded_to(MAX_HEAD_BYTES + 1, target, auth)
    refused = ask(base_url, request_head("GET", target, over))
    assert refused.status == 431
    assert refused.json() == {"response": {"status": {"success": False, "code": 431, "message": (
        f"Request head larger than {MAX_HEAD_BYTES} bytes or with more than {MAX_HEADER_FIELDS} header fields")},
        "customers": None}}
    assert refused.headers["content-type"] == "application/json"
    assert refused.headers["x-cap-requestid"]
    assert refused.headers["connection"] == "close"


def test_exactly_the_field_limit_is_served_and_one_field_more_is_431(base_url: str, auth: Fields) -> None:
    target = CUSTOMER_GET + "?mobile=1"
    padding = [(f"X-Pad-{i}", "1") for i in range(MAX_HEADER_FIELDS - len(auth))]
    assert ask(base_url, request_head("GET", target, [*auth, *padding]), then_closed=False).status == 200
    refused = ask(base_url, request_head("GET", target, [*auth, *padding, ("X-One-More", "1")]))
    assert refused.status == 431
    assert refused.json()["response"]["status"]["code"] == 431


@pytest.mark.parametrize(("path", "envelope"), [
    (TOKEN_PATH, "v3"), (TRANSACTION_GET, "transactions"), ("/no/such/path", "v3"), ("/openapi.json", "v3")])
def test_the_431_comes_in_the_route_familys_envelope(base_url: str, path: str, envelope: str) -> None:
    fields = [("Host", "reference"), *((f"X-Pad-{i}", "1") for i in range(MAX_HEADER_FIELDS + 1))]
    refused = ask(base_url, request_head("POST" if path == TOKEN_PATH else "GET", path, fields))
    assert refused.status == 431
    body = refused.json()
    if envelope == "v3":
        assert body["data"] is None and body["errors"][0]["code"] == 431
    else:
        assert body["response"][envelope] is None and body["response"]["status"]["code"] == 431
    if path == TOKEN_PATH:
        assert refused.headers["cache-control"] == "no-store"


def test_a_refused_write_does_no_work(base_url: str, auth: Fields) -> None:
    """The 431 comes before routing, authentication and the body: nothing is stored."""
    mobile = unique_mobile()
    body = json.dumps({"root": {"customer": [{"mobile": mobile}]}}).encode()
    fields = [*auth, ("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    padding = [(f"X-Pad-{i}", "1") for i in range(MAX_HEADER_FIELDS + 1 - len(fields))]
    assert ask(base_url, request_head("POST", CUSTOMER_ADD, [*fields, *padding]) + body).status == 431
    found = httpx.get(base_url + CUSTOMER_GET, params={"mobile": mobile}, headers=dict(auth[1:]), timeout=10)
    assert found.json()["response"]["customers"]["customer"][0]["item_status"]["code"] == 1012


@pytest.mark.parametrize("what", ["one 1 MiB field", "20,000 fields"])
def test_the_issues_hostile_heads_are_431_and_the_server_serves_on(base_url: str, auth: Fields, what: str) -> None:
    if what == "one 1 MiB field":
        raw = request_head("GET", CUSTOMER_GET + "?mobile=1", [*auth, ("X-Huge", "a" * (1 << 20))])
    else:
        raw = request_head("GET", CUSTOMER_GET + "?mobile=1", [*auth, *((f"X-{i}", "1") for i in range(20_000))])
    started = time.monotonic()
    assert ask(base_url, raw).status == 431
    assert time.monotonic() - started < ANSWER_WAIT
    after = httpx.get(base_url + CUSTOMER_GET, params={"mobile": "1"}, headers=dict(auth[1:]), timeout=10)
    assert after.status_code == 200


# -- the request deadline ------------------------------------------------------------------
async def cut_off_after(base_url: str, first: bytes, trickle: bytes) -> tuple[float, bytes]:
    """Send `first`, then `trickle` every half second (a slowloris keeps the line busy), until the
    server closes the connection: (seconds from connecting to the close, what it sent)."""
    address = urlsplit(base_url)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(address.hostname, address.port)

    async def keep_trickling() -> None:
        writer.write(first)
        for _ in range(int(4 * REQUEST_DEADLINE_SECONDS)):  # bounded: twice the deadline at most
            await asyncio.sleep(0.5)
            if writer.is_closing() or reader.at_eof():
                return
            try:
                writer.write(trickle)
                await writer.drain()
            except ConnectionError:
                return

    feeder = asyncio.create_task(keep_trickling())
    try:
        received = await closed_by_server(reader, REQUEST_DEADLINE_SECONDS + CLOSE_SLACK)
        return time.monotonic() - started, received
    finally:
        feeder.cancel()
        writer.close()


async def slow_but_in_time(base_url: str, token: str) -> list[int]:
    """Two requests on one connection, each trickled over ~6 s: the second ends ~12 s after the
    connection opened, past the deadline, but within its own. Both must be answered."""
    address = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    statuses = []
    try:
        for _ in range(2):
            raw = request_head("GET", CUSTOMER_GET + "?mobile=1", [("Host", "reference"), (TOKEN_HEADER, token)])
            step = len(raw) // 12 + 1  # 12 pieces, half a second apart
            pieces = [raw[i:i + step] for i in range(0, len(raw), step)]
            for piece in pieces:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.5)
            statuses.append((await read_answer(reader)).status)
    finally:
        writer.close()
    return statuses


def test_half_sent_requests_are_cut_off_at_the_deadline(base_url: str, token: Callable[[str], str]) -> None:
    async def all_at_once() -> tuple[Any, ...]:
        return await asyncio.gather(
            cut_off_after(base_url, b"GET /v1.1/customer/get?mobile=1 HTTP/1.1\r\nHost: reference\r\nX-Slow: ", b"a"),
            cut_off_after(base_url, b"POST /v3/oauth/token/generate HTTP/1.1\r\nHost: reference\r\n"
                                    b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{", b" "),
            cut_off_after(base_url, b"", b""),  # connects and says nothing
            slow_but_in_time(base_url, token("pos_gateway")),
        )

    trickled_head, short_body, silent, in_time = asyncio.run(all_at_once())
    for seconds, received in (trickled_head, short_body, silent):
        assert received == b"", "a cut-off request gets no answer"
        assert REQUEST_DEADLINE_SECONDS - 0.5 <= seconds <= REQUEST_DEADLINE_SECONDS + CLOSE_SLACK, seconds
    assert in_time == [200, 200], "the deadline is per request, from its first byte"
