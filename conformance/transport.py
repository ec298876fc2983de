"""The wire under the client: bounded reads, one typed error per way a target can fail, a breaker.

A conformance suite is pointed at servers that misbehave, so nothing here trusts the target:
an answer is read up to `max_response_bytes` and then cut (recorded as truncated, never a pass);
every transport failure (refused, reset, closed, garbage, TLS, timeout) becomes one `TargetError`
whose str() is the single line a user sees; and after a few failures in a row the breaker opens
and every further request fails at once with `TargetGone`, so a dead or hanging target ends the
run as incomplete in seconds, not hours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

CONSECUTIVE_FAILURES = 3


class TargetError(Exception):
    """The target failed below HTTP; str() is the one line the user sees."""


class TargetUnreachable(TargetError):
    """Nothing answers at the target URL (refused, no route, no such host)."""


class TargetTimedOut(TargetError):
    """The target accepted the request but did not answer within the profile's timeout."""


class TargetBrokeOff(TargetError):
    """The connection was reset or closed, or what came back was not HTTP."""


class TargetGone(TargetError):
    """The breaker is open: the target stopped answering."""


@dataclass
class Answer:
    response: httpx.Response
    body: bytes
    truncated: bool


class Breaker:
    """Opens after CONSECUTIVE_FAILURES transport failures in a row on one side of the target (the
    token endpoint, or the resources). The sides count apart: a target whose resources hang while
    its token endpoint answers must not have the failures forgiven by each token request in between."""

    def __init__(self, failures: int = CONSECUTIVE_FAILURES) -> None:
        self.limit = failures
        self.reason = ""
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            if self.reason:
                raise TargetGone(f"stopped: {self.reason}")

    def succeeded(self, side: str = "") -> None:
        with self._lock:
            self._failures[side] = 0

    def failed(self, error: TargetError, side: str = "") -> None:
        with self._lock:
            count = self._failures[side] = self._failures.get(side, 0) + 1
            if count >= self.limit and not self.reason:
                self.reason = f"{count} failures in a row, the last: {error}"


def exchange(http: httpx.Client, method: str, path: str, *, headers: Sequence[tuple[str, str]],
             content: bytes | None, params: Mapping[str, str] | None, max_bytes: int,
             base_url: str, timeout: float) -> Answer:
    """One request; the decoded body read up to `max_bytes` (then the connection is dropped)."""
    request = http.build_request(method, path, headers=list(headers), content=content, params=params)
    # The timeout bounds each read; this bounds the whole answer (a target may trickle bytes forever).
    deadline = time.monotonic() + 2 * timeout
    try:
        response = http.send(request, stream=True)
        try:
            body, truncated = _read_bounded(response, max_bytes, deadline)
        finally:
            response.close()
    except httpx.ConnectError as error:
        raise TargetUnreachable(f"target unreachable: {base_url} ({_reason(error)})") from None
    except httpx.TimeoutException:
        raise TargetTimedOut(f"target did not answer {method} {path} within {timeout:g} s ({base_url})") from None
    except (httpx.TransportError, httpx.DecodingError) as error:
        raise TargetBrokeOff(f"target broke off {method} {path} ({base_url}): {_reason(error)}") from None
    return Answer(response, body, truncated)


def _read_bounded(response: httpx.Response, max_bytes: int, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the answer kept coming past the time allowed", request=response.request)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if "refused" in text.lower():
        return "connection refused"
    first = text.splitlines()[0]
    return first if len(first) <= 160 else first[:160] + "…"
