"""Build recorded traces by hand for the checks' self-tests: exchanges as the proxy would record them."""

from __future__ import annotations

import itertools
import json
from typing import Any

from conformance import protocol
from conformance.exchange import Exchange
from conformance.judge.trace import Entry, Trace
from conformance.tokens import b64url_encode

WALL_AT_ZERO = 1_800_000_000.0
# '+', '/' and '=' change under percent-encoding: a secret in a URL is found however it was spelt.
KEY, SECRET = "JudgeTestKey0000000000000", "judge+test/secret=0123456789abcdefghijklm"
BASE = "http://127.0.0.1:9"


def _b64(data: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(data).encode())


class TraceBuilder:
    """Exchanges in the order they are added; times are seconds on the run's axis."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._ids = itertools.count(1)
        self._jti = itertools.count(1)

    def add(self, method: str, url: str, headers: dict[str, str], body: bytes, status: int, answer: Any, *,
            at: float, duration: float = 0.005, connection: str = "127.0.0.1:1000", injected: str | None = None,
            answer_headers: tuple[tuple[str, str], ...] = ()) -> Entry:
        raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        exchange = Exchange(method, BASE + url, tuple(headers.items()), body, status,
                            (("content-type", "application/json"), *answer_headers), raw, duration,
                            id=next(self._ids))
        entry = Entry(exchange, at, at + duration, connection, injected)
        self.entries.append(entry)
        return entry

    def token(self, at: float, *, lifetime: int = 10, key: str = KEY, secret: str = SECRET, method: str = "POST",
              body: bytes | None = None, url: str = protocol.TOKEN_GENERATE_PATH, status: int = 200,
              headers: dict[str, str] | None = None) -> str | None:
        """A token request; 200 issues a token (returned), 401 is a 320001 refusal, 5xx a failure."""
        sent = body if body is not None else json.dumps({"key": key, "secret": secret}).encode()
        if status != 200:
            code = protocol.INVALID_CREDENTIALS_CODE if status == 401 else status
            self.add(method, url, headers or {}, sent, status, {"data": None, "errors": [{"code": code}]}, at=at)
            return None
        iat = int(WALL_AT_ZERO + at)
        token = ".".join([_b64({"alg": "RS256", "kid": "k1"}),
                          _b64({"exp": iat + lifetime, "iat": iat, "jti": str(next(self._jti))}), "c2lnbmF0dXJl"])
        self.add(method, url, headers or {}, sent, 200, {"data": {"accessToken": token, "ttlSeconds": lifetime},
                                                         "errors": None}, at=at)
        return token

    def call(self, at: float, token: str | None, *, code: int = 200, method: str = "GET",
             path: str = "/v1.1/customer/get?mobile=9000000001&format=json", headers: dict[str, str] | None = None,
             body: bytes = b"", connection: str = "127.0.0.1:1000", duration: float = 0.005,
             retry_after: int | None = None) -> Entry:
        sent = {protocol.TOKEN_HEADER: token} if token else {}
        status = 429 if code in (429, 517) else code
        answer = {"response": {"status": {"success": code == 200, "code": code, "message": "m"}}}
        extra = (("retry-after", str(retry_after)),) if retry_after is not None else ()
        return self.add(method, path, {**sent, **(headers or {})}, body, status, answer, at=at, duration=duration,
                        connection=connection, answer_headers=extra)

    def write(self, at: float, token: str | None, headers: dict[str, str] | None = None) -> Entry:
        return self.call(at, token, method="POST", path="/v1.1/customer/add?format=json", headers=headers,
                         body=b'{"root": {"customer": [{"mobile": "9000000001"}]}}')

    def trace(self) -> Trace:
        return Trace(tuple(self.entries), WALL_AT_ZERO)
