"""The judge's reverse proxy: an ASGI app on uvicorn that records, injects, or forwards with httpx.

No HTTP parsing of our own: uvicorn parses what the client sends, httpx speaks to the target.
Each exchange is recorded once its answer has been handed back, with the time it arrived, the
time it was answered, the client's connection, and the scenario when the judge answered itself
(such requests never reach the target).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http.cookiejar
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpx
import uvicorn

from conformance.exchange import Exchange
from conformance.judge.scenarios import Injection, Injector
from conformance.judge.trace import Entry, Kind, Trace, kind_of, sent_token

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# Hop-by-hop headers (RFC 9110 section 7.6.1) and the ones each side computes for itself.
_NOT_FORWARDED = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                            "trailer", "transfer-encoding", "upgrade", "host", "content-length"})


def forwarding_client(*, timeout: float, verify: bool | str = True) -> httpx.AsyncClient:
    """The judge's client towards the target: it adds nothing the integration did not send.

    httpx's defaults (Accept, Accept-Encoding, Connection, User-Agent) are dropped, and no cookie
    is kept: a Set-Cookie answered to one request must not ride on another. httpx still writes
    Host and, for a body, Content-Length, which the proxy never forwards from the client.
    """
    client = httpx.AsyncClient(timeout=timeout, verify=verify, trust_env=False, follow_redirects=False,
                               limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                               cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])))
    client.headers.clear()
    return client


class Recorder:
    """The trace as it grows; ids follow arrival order, times are seconds since the judge started."""

    def __init__(self) -> None:
        self._zero = time.monotonic()
        self.wall_at_zero = time.time()
        self._ids = itertools.count(1)
        self.entries: list[Entry] = []

    def now(self) -> float:
        return time.monotonic() - self._zero

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    def trace(self) -> Trace:
        return Trace(tuple(sorted(self.entries, key=lambda e: e.id)), self.wall_at_zero)


class JudgeApp:
    def __init__(self, target: str, injector: Injector, recorder: Recorder, http: httpx.AsyncClient) -> None:
        self.target, self.injector, self.recorder, self.http = target.rstrip("/"), injector, recorder, http
        self.base_url = ""  # the judge's own URL: the caller sets it from `serving` (recorded URLs use it)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started, exchange_id = self.recorder.now(), self.recorder.next_id()
        body = await _read_body(receive)
        method, path = scope["method"], scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        injection = self._decide(path, headers)
        forward_error = None
        if injection is not None:
            if injection.answer_at is not None:
                # A concurrent 498: hold every call of the dying token until the window closes.
                await asyncio.sleep(max(0.0, injection.answer_at - time.monotonic()))
            status, answer_headers, answer = injection.status, _with_date(injection.headers), injection.body
        else:
            status, answer_headers, answer, forward_error = await self._forward(method, path, query, headers, body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer_headers]
                    + [(b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})
        client = scope.get("client") or ("?", 0)
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        exchange = Exchange(method, url, headers, body, status, tuple(answer_headers), answer,
                            self.recorder.now() - started, id=exchange_id)
        self.recorder.add(Entry(exchange, started, self.recorder.now(), f"{client[0]}:{client[1]}",
                                injection.scenario.value if injection else None, forward_error))

    def _decide(self, path: str, headers: tuple[tuple[str, str], ...]) -> Injection | None:
        kind = kind_of(path)
        if kind is Kind.TOKEN:
            return self.injector.on_token_request()
        if kind is Kind.API:
            return self.injector.on_api_call(path, sent_token(headers))
        return None

    async def _forward(self, method: str, path: str, query: str, headers: tuple[tuple[str, str], ...],
                       body: bytes) -> tuple[int, list[tuple[str, str]], bytes, str | None]:
        # identity: the trace must hold readable bodies, and the client gets exactly what is recorded.
        sent = [(k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED and k.lower() != "accept-encoding"]
        sent.append(("accept-encoding", "identity"))
        url = f"{self.target}{path}" + (f"?{query}" if query else "")
        try:
            response = await self.http.request(method, url, headers=sent, content=body)
        except httpx.HTTPError as error:
            reason = f"target unreachable: {type(error).__name__}: {error}".strip().rstrip(":")
            return 502, [("content-type", "application/json")], json.dumps({"judge": reason}).encode(), reason
        kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _NOT_FORWARDED
                and k.lower() != "content-encoding"]
        return response.status_code, kept, response.content, None


def _with_date(headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [*headers, ("date", email.utils.formatdate(usegmt=True))]


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect: the client went away mid-body
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class _Server(uvicorn.Server):
    """uvicorn.Server that reports readiness and leaves signals to the judge (which owns the run)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one); IPv6 for a host with a colon."""
    return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                                reuse_port=False)


@contextlib.asynccontextmanager
async def serving(app: Any, sock: socket.socket) -> AsyncIterator[str]:
    """Serve an ASGI app on the bound socket; yields its base URL (the caller hands it to a JudgeApp), stops on exit."""
    config = uvicorn.Config(app, http="httptools", ws="none", lifespan="off", interface="asgi3", log_level="warning",
                            access_log=False, server_header=False, date_header=False, backlog=2048,
                            timeout_keep_alive=30, timeout_graceful_shutdown=3)
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(server.ready.wait())
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:  # the server stopped before it was ready: re-raise why
        ready.cancel()
        task.result()
        raise OSError("the judge's server stopped during start-up")
    host, port = sock.getsockname()[:2]
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    try:
        yield url
    finally:
        server.should_exit = True
        await task
