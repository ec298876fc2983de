"""The one HTTP client factory and the Capillary API as methods that return Exchanges.

Everything the suite sends goes through `CapillaryApi.send`: pacing for rate-limited clusters,
throttle retries (reported as throttling, never as a verdict), recording for evidence, and the
bounded, typed transport of conformance/transport.py (one `TargetError` line per failure, a
breaker that ends the run when the target stops answering).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance import protocol, transport
from conformance.exchange import Exchange
from conformance.pacing import KeyedPacer, bucket_of, claims_of
from conformance.profiles.model import Profile
from conformance.transport import TargetError

Headers = Mapping[str, str] | list[tuple[str, str]]
THROTTLE_RETRIES = 4
TRUNCATED_EVIDENCE_BYTES = 64 * 1024


def build_http_client(profile: Profile, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The only place an httpx client is made: TLS, timeouts and transport come from the profile."""
    verify: bool | str = str(profile.ca_bundle) if profile.ca_bundle else profile.verify_tls
    return httpx.Client(
        base_url=profile.base_url,
        timeout=profile.timeout_seconds,
        verify=verify,
        transport=transport,
        # A conformance client must see exactly what the server answers.
        follow_redirects=False,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        # The docs list `Accept: application/json` as a required header of every call.
        headers={"Accept": "application/json"},
    )


@dataclass
class Stats:
    requests: int = 0
    throttled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, *, throttled: bool) -> None:
        with self.lock:
            self.requests += 1
            self.throttled += int(throttled)


def basic_authorization(till: str, password: str) -> str:
    """`Basic base64("<till>:" + md5_hex(password))`, the documented v1.1 form."""
    digest = hashlib.md5(password.encode()).hexdigest()  # noqa: S324 - the documented protocol, not our choice
    return "Basic " + base64.b64encode(f"{till}:{digest}".encode()).decode()


class CapillaryApi:
    def __init__(
        self,
        profile: Profile,
        http: httpx.Client | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.profile = profile
        self.http = http or build_http_client(profile)
        self.on_exchange = on_exchange
        self.pacer = KeyedPacer(profile.rate_limit_per_minute, profile.rate_limit_global_per_minute)
        self.client_keys: dict[int, str] = {}  # client_id → API key, learned from issued tokens
        self.stats = Stats()
        self.breaker = transport.Breaker()

    def close(self) -> None:
        self.http.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Headers | None = None,
        content: bytes | None = None,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        label: str = "",
        record: bool = True,
    ) -> Exchange:
        if json_body is not None:
            content = json.dumps(json_body).encode()
            headers = [*_pairs(headers), ("Content-Type", "application/json")]
        bucket = bucket_of(path, _pairs(headers), content, self.client_keys)
        for attempt in range(THROTTLE_RETRIES + 1):
            self.pacer.wait_turn(bucket)
            started = time.perf_counter()
            self.breaker.check()
            try:
                answer = transport.exchange(self.http, method, path, headers=_pairs(headers), content=content,
                                            params=params, max_bytes=self.profile.max_response_bytes,
                                            base_url=self.profile.base_url, timeout=self.profile.timeout_seconds)
            except TargetError as error:
                self.breaker.failed(error, _side(path))
                raise
            self.breaker.succeeded(_side(path))
            exchange = _snapshot(answer, time.perf_counter() - started, label, bucket)
            throttled = protocol.is_throttled(exchange.status, exchange.json)  # parsed once: Exchange.json caches
            self.stats.count(throttled=throttled)
            if throttled and attempt < THROTTLE_RETRIES:
                time.sleep(_retry_after(answer.response, attempt))  # the server asked us to wait
                continue
            if self.on_exchange and record:
                self.on_exchange(exchange)
            return exchange
        raise AssertionError("unreachable: the loop returns on its last attempt")  # pragma: no cover

    # --- token endpoint -------------------------------------------------------------------
    def generate_token(self, key: str, secret: str, label: str = "generate token", record: bool = True) -> Exchange:
        exchange = self.send("POST", protocol.TOKEN_GENERATE_PATH, json_body=protocol.token_request_body(key, secret),
                             label=label, record=record)
        self._learn_client_key(exchange, key)
        return exchange

    def _learn_client_key(self, exchange: Exchange, key: str) -> None:
        """Calls with this token count on `key` (a token without a client_key claim names only its client_id)."""
        token = protocol.access_token(exchange.json)
        client_id = claims_of(token).get("client_id") if token else None
        if isinstance(client_id, int) and not isinstance(client_id, bool):
            self.client_keys[client_id] = key

    def token_request(
        self, content: bytes, *, method: str = "POST", headers: Headers | None = None,
        params: Mapping[str, str] | None = None, label: str = "token request",
    ) -> Exchange:
        """A raw request to the token endpoint (malformed bodies, wrong methods, odd headers)."""
        return self.send(method, protocol.TOKEN_GENERATE_PATH, content=content, headers=headers, params=params,
                         label=label)

    # --- resources ------------------------------------------------------------------------
    def token_headers(self, token: str | None, extra: Headers | None = None) -> list[tuple[str, str]]:
        pairs = [(protocol.TOKEN_HEADER, token)] if token is not None else []
        return pairs + _pairs(extra)

    def customer_add(self, token: str | None, mobile: str, *, headers: Headers | None = None,
                     body: Any = None, label: str = "customer add") -> Exchange:
        return self.send("POST", protocol.CUSTOMER_ADD_PATH, headers=self.token_headers(token, headers),
                         json_body=body if body is not None else protocol.customer_add_body(mobile),
                         params={"format": "json"}, label=label)

    def customer_get(self, token: str | None, mobile: str, *, headers: Headers | None = None,
                     label: str = "customer get") -> Exchange:
        return self.send("GET", protocol.CUSTOMER_GET_PATH, headers=self.token_headers(token, headers),
                         params={"mobile": mobile, "format": "json"}, label=label)

    def transaction_add(self, token: str | None, number: str, mobile: str, *,
                        headers: Headers | None = None, label: str = "transaction add") -> Exchange:
        return self.send("POST", protocol.TRANSACTION_ADD_PATH, headers=self.token_headers(token, headers),
                         json_body=protocol.transaction_add_body(number, mobile),
                         params={"format": "json"}, label=label)

    def transaction_get(self, token: str | None, number: str, *, headers: Headers | None = None,
                        label: str = "transaction get") -> Exchange:
        return self.send("GET", protocol.TRANSACTION_GET_PATH, headers=self.token_headers(token, headers),
                         params={"number": number, "format": "json"}, label=label)

    def fetch(self, url_or_path: str, label: str = "fetch") -> Exchange:
        return self.send("GET", url_or_path, label=label)


def _side(path: str) -> str:
    """Which side of the target a request is on, for the breaker: the token endpoint or the APIs."""
    return "token" if path.startswith(protocol.TOKEN_GENERATE_PATH) else "resources"


def _pairs(headers: Headers | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


def _snapshot(answer: transport.Answer, elapsed: float, label: str, bucket: str) -> Exchange:
    response = answer.response
    request = response.request
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=tuple((k, v) for k, v in request.headers.multi_items()),
        request_body=request.content,
        status=response.status_code,
        response_headers=tuple((k, v) for k, v in response.headers.multi_items()),
        # A truncated answer proves nothing; its head is kept as evidence, not megabytes of it.
        response_body=answer.body[:TRUNCATED_EVIDENCE_BYTES] if answer.truncated else answer.body,
        truncated=answer.truncated,
        elapsed_seconds=elapsed,
        label=label,
        bucket=bucket,
    )


def _retry_after(response: httpx.Response, attempt: int) -> float:
    header = str(response.headers.get("Retry-After", ""))
    if header.isdigit():
        return min(float(header), 60.0)
    return min(0.5 * 2.0**attempt, 8.0)


