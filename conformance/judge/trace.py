"""The recorded trace of one judged client, and the token facts every check derives from it.

Pure: entries are built by the proxy (or by a test), facts are computed from them. Times are
seconds since the run started on the judge's monotonic clock; a token's `exp` (wall clock) is
placed on the same axis through `wall_at_zero`.
"""

from __future__ import annotations

import email.utils
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from conformance import protocol
from conformance.exchange import Exchange
from conformance.tokens import unverified_claims

# Paths a client may fetch that are neither the token endpoint nor an API call.
NON_API_PREFIXES = ("/.well-known/", "/openapi.json", "/favicon.ico")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Kind(enum.Enum):
    TOKEN = "token"  # noqa: S105 - a kind of exchange, not a password
    API = "api"
    OTHER = "other"


def kind_of(path: str) -> Kind:
    if path.rstrip("/") == protocol.TOKEN_GENERATE_PATH:
        return Kind.TOKEN
    if path.startswith(NON_API_PREFIXES):
        return Kind.OTHER
    return Kind.API


def sent_token(headers: Iterable[tuple[str, str]]) -> str | None:
    """The token a request carries in X-CAP-API-OAUTH-TOKEN (the first one, stripped); None if none or blank."""
    value = next((v for k, v in headers if k.lower() == protocol.TOKEN_HEADER.lower()), None)
    return (value.strip() or None) if value is not None else None


@dataclass(frozen=True)
class Entry:
    """One exchange as the judge saw it: what the client sent and what it got back, and when."""

    exchange: Exchange
    started: float  # the request reached the judge
    finished: float  # the answer was handed back to the client
    connection: str  # the client's end of the TCP connection ("host:port")
    injected: str | None = None  # the scenario that answered instead of the target (never forwarded)
    forward_error: str | None = None  # the target could not be reached: the judge answered 502

    @property
    def id(self) -> int:
        return self.exchange.id

    @cached_property
    def path(self) -> str:
        return urlsplit(self.exchange.url).path

    @cached_property
    def kind(self) -> Kind:
        return kind_of(self.path)

    @property
    def is_write(self) -> bool:
        return self.kind is Kind.API and self.exchange.method.upper() in WRITE_METHODS

    @property
    def sent_token(self) -> str | None:
        return sent_token(self.exchange.request_headers)

    @cached_property
    def request_json(self) -> Any:
        return protocol.parse_json(self.exchange.request_body.decode("utf-8", errors="replace"))

    @property
    def key(self) -> str | None:
        """The client key of a token request (from its JSON body), if it sent one."""
        body = self.request_json
        key = body.get("key") if isinstance(body, dict) else None
        return key if isinstance(key, str) else None

    @property
    def issued_token(self) -> str | None:
        return protocol.access_token(self.exchange.json) if self.kind is Kind.TOKEN else None

    @property
    def expired(self) -> bool:
        """The answer was a 498: the token this call carried is dead."""
        return self.kind is Kind.API and self.exchange.api_outcome is protocol.Outcome.REJECT_EXPIRED

    @property
    def unauthorized(self) -> bool:
        return self.kind is Kind.API and self.exchange.api_outcome is protocol.Outcome.REJECT_TOKEN

    @property
    def refused_generation(self) -> bool:
        """A token request refused for its credentials (320001; a deactivated client gets the same)."""
        return self.kind is Kind.TOKEN and self.exchange.token_outcome is protocol.Outcome.REJECT_CRED

    @property
    def throttled(self) -> bool:
        """HTTP 429, or body code 517 at request, item or v3 error level (conformance.protocol decides)."""
        return protocol.is_throttled(self.exchange.status, self.exchange.json)

    def retry_after(self, wall_at_zero: float) -> float | None:
        """Seconds the answer asked the client to wait (delta-seconds or an HTTP-date), if any."""
        value = (self.exchange.response_header("Retry-After") or "").strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp() if value else None
        except (TypeError, ValueError):
            return None
        return None if when is None else max(0.0, when - (wall_at_zero + self.finished))


@dataclass(frozen=True)
class TokenFacts:
    """What the trace shows about one issued token."""

    value: str
    key: str | None
    issued_by: int  # id of the token request that obtained it
    issued_at: float  # when the client got it
    expires_at: float | None  # its exp on the run's time axis (None: not a decodable JWT)
    lifetime: float | None  # exp - iat, else ttlSeconds
    died_at: float | None = None  # the first 498 answered for it
    died_by: int | None = None
    rejected_at: float | None = None  # the first 401 answered for it (a deactivated client's token)

    def live_at(self, moment: float) -> bool:
        """Issued, not yet answered 498 or 401, not past exp."""
        ended = min((t for t in (self.died_at, self.rejected_at, self.expires_at) if t is not None), default=None)
        return self.issued_at <= moment and (ended is None or moment < ended)

    def in_renewal_window(self, moment: float) -> bool:
        """In the last half of its life: renewing now is proactive refresh, not waste (CAP-CLI-05/10)."""
        if self.expires_at is None or not self.lifetime:
            return False
        return self.expires_at - moment <= self.lifetime / 2


@dataclass(frozen=True)
class Trace:
    entries: tuple[Entry, ...]
    wall_at_zero: float

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def token_requests(self) -> list[Entry]:
        return [e for e in self.entries if e.kind is Kind.TOKEN]

    @property
    def api_calls(self) -> list[Entry]:
        return [e for e in self.entries if e.kind is Kind.API]

    @cached_property
    def tokens(self) -> dict[str, TokenFacts]:
        """Every token the client obtained through the judge, with its issue, expiry and death."""
        found: dict[str, TokenFacts] = {}
        for entry in sorted(self.token_requests, key=lambda e: e.finished):
            token = entry.issued_token
            if token is None or token in found:
                continue
            claims = unverified_claims(token)
            exp, iat = claims.get("exp"), claims.get("iat")
            expires_at = float(exp) - self.wall_at_zero if isinstance(exp, int | float) else None
            ttl = protocol.ttl_seconds(entry.exchange.json)
            lifetime = (float(exp - iat) if isinstance(exp, int | float) and isinstance(iat, int | float)
                        else float(ttl) if isinstance(ttl, int | float) else None)
            found[token] = TokenFacts(token, entry.key, entry.id, entry.finished, expires_at, lifetime)
        for call in sorted(self.api_calls, key=lambda e: e.finished):
            facts = found.get(call.sent_token or "")
            if facts is not None and call.expired and facts.died_at is None:
                found[facts.value] = replace(facts, died_at=call.finished, died_by=call.id)
            elif facts is not None and call.unauthorized and facts.rejected_at is None:
                found[facts.value] = replace(facts, rejected_at=call.finished)
        return found

    def deaths(self) -> list[TokenFacts]:
        """Tokens that got a 498, in the order they died."""
        return sorted((t for t in self.tokens.values() if t.died_at is not None), key=lambda t: t.died_at or 0.0)
