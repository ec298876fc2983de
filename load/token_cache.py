"""A per-process, per-credential token cache with single-flight regeneration.

Why it exists: a token shared by every user of a process expires for all of them at the same
instant. Without coordination ("naive"), every caller that sees the 498 regenerates: a herd on
the token endpoint, whose RSA signing is the expensive part of the server. With single-flight,
the first caller regenerates under a lock and the others, finding a newer version than the one
that failed, reuse it: one generation per expiry per process.

No locust import here: the module is unit-tested with plain threads. Under Locust, gevent has
monkey-patched `threading` before any lock is made, so the same lock yields greenlets instead
of blocking the process (the lock factory is looked up at construction time for that reason).
"""

from __future__ import annotations

import enum
import itertools
import random
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

R = TypeVar("R")


class TokenMode(enum.Enum):
    """How users of one process share tokens."""

    SINGLE_FLIGHT = "single_flight"  # one token per credential and process; lock + version check
    NAIVE = "naive"  # one token per credential and process; no coordination (for comparison)
    PER_USER = "per_user"  # one token per user: no sharing, so no contention, but herds at expiry


class GenerationReason(enum.Enum):
    INITIAL = "initial"  # the cache had no token yet
    REGENERATION = "regeneration"  # a call got 498 with the cached token
    REFRESH = "refresh"  # proactive: the token was within `margin` (+ jitter) of its exp


class TokenUnavailable(Exception):
    """The token endpoint gave no usable token; the caller's request is not sent."""


@dataclass(frozen=True)
class IssuedToken:
    """What a generator returns: the token and its `exp` claim (None if the token is opaque)."""

    value: str
    expires_at: float | None


@dataclass(frozen=True)
class CachedToken:
    value: str
    version: int
    expires_at: float | None
    # Tokens of one credential that expire in the same second share a key: the herd accounting
    # counts regenerations per key, so N per-user tokens expiring together count as a herd of N.
    expiry_key: str
    refresh_at: float | None

    def __repr__(self) -> str:  # a token must never reach a log or a report through repr()
        return f"CachedToken(version={self.version}, expiry_key={self.expiry_key!r})"


class TokenEvents(Protocol):
    """What the cache reports; the Locust side turns it into metrics and REGEN samples."""

    def token_generated(self, reason: GenerationReason, replaced: CachedToken | None) -> None: ...

    def expired_token_seen(self, token: CachedToken) -> None: ...

    def expired_token_leaked(self, token: CachedToken) -> None: ...

    def expiry_recovered(self, label: str, seconds: float, succeeded: bool) -> None: ...


class IgnoreTokenEvents:
    def token_generated(self, reason: GenerationReason, replaced: CachedToken | None) -> None:
        pass

    def expired_token_seen(self, token: CachedToken) -> None:
        pass

    def expired_token_leaked(self, token: CachedToken) -> None:
        pass

    def expiry_recovered(self, label: str, seconds: float, succeeded: bool) -> None:
        pass


Generate = Callable[[], IssuedToken]


def new_lock() -> AbstractContextManager[bool]:
    # `threading.Lock` is resolved now, not at import: after gevent's patching it is a gevent lock.
    return threading.Lock()


class TokenCache:
    """One credential's token for one process (or one user, in per-user mode).

    `coordinated=False` is the naive mode: no lock and no version check, so every caller that
    sees a 498 regenerates. `refresh_margin` > 0 renews a token that many seconds before `exp`
    (off by default, so runs exercise the 498 path); `jitter` > 0 renews a further random
    0..jitter seconds early, which spreads the renewals of per-user tokens minted together.
    """

    def __init__(
        self,
        name: str,
        *,
        coordinated: bool = True,
        refresh_margin: float = 0.0,
        jitter: float = 0.0,
        events: TokenEvents | None = None,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.perf_counter,
        random_fraction: Callable[[], float] = random.random,
        lock_factory: Callable[[], AbstractContextManager[bool]] = new_lock,
    ) -> None:
        self.name = name
        self.coordinated = coordinated
        self.refresh_margin = refresh_margin
        self.jitter = jitter
        self.events: TokenEvents = events or IgnoreTokenEvents()
        self._clock, self._timer, self._random_fraction = clock, timer, random_fraction
        self._lock = lock_factory()
        self._versions = itertools.count(1)
        self._token: CachedToken | None = None
        self._dead: CachedToken | None = None  # the expired token a failed regeneration dropped

    @property
    def current_version(self) -> int:
        return self._token.version if self._token else 0

    def token(self, generate: Generate) -> CachedToken:
        """The cached token; generates the first one, or a renewal when proactive refresh is due."""
        cached = self._token
        if cached is not None and not self._refresh_due(cached):
            return cached
        if not self.coordinated:
            return self._store(generate, self._reason_for_renewing(cached), cached or self._dead)
        with self._lock:
            # Re-read under the lock: another caller may have generated while we waited.
            cached = self._token
            if cached is not None and not self._refresh_due(cached):
                return cached
            return self._store(generate, self._reason_for_renewing(cached), cached or self._dead)

    def _reason_for_renewing(self, cached: CachedToken | None) -> GenerationReason:
        if cached is None:
            return GenerationReason.INITIAL if self._dead is None else GenerationReason.REGENERATION
        return GenerationReason.REFRESH

    def replace_expired(self, expired: CachedToken, generate: Generate) -> CachedToken:
        """A fresh token after `expired` got a 498: single-flight unless the cache is naive."""
        if not self.coordinated:
            return self._regenerate(generate, expired)
        with self._lock:
            cached = self._token
            if cached is not None and cached.version != expired.version:
                return cached  # someone regenerated while we waited: reuse their token
            return self._regenerate(generate, expired)

    def _regenerate(self, generate: Generate, expired: CachedToken) -> CachedToken:
        try:
            return self._store(generate, GenerationReason.REGENERATION, expired)
        except TokenUnavailable:
            # The target said this token is expired: never send it again (CAP-CLI-03), even when
            # the new one could not be had. The next caller generates afresh.
            if self._token is not None and self._token.version == expired.version:
                self._token, self._dead = None, expired
            raise

    def call(self, generate: Generate, send: Callable[[str], R], is_expired: Callable[[R], bool],
             label: str = "") -> R:
        """Send with the cached token; on 498, exactly one regenerate-and-retry.

        A 401 (or anything else that is not "expired") is returned as it is: an invalid token is
        not cured by a new one, and regenerating on 401 would hide a broken server. A second 498
        after the retry is "leaked" to the caller and reported as such. `label` names the
        operation in the recovery report (the REGEN sample).
        """
        token = self.token(generate)
        response = send(token.value)
        if not is_expired(response):
            return response
        self.events.expired_token_seen(token)
        started = self._timer()
        try:
            fresh = self.replace_expired(token, generate)
        except TokenUnavailable:
            self.events.expiry_recovered(label, self._timer() - started, succeeded=False)
            raise
        response = send(fresh.value)
        leaked = is_expired(response)
        if leaked:
            self.events.expired_token_leaked(fresh)
        self.events.expiry_recovered(label, self._timer() - started, succeeded=not leaked)
        return response

    def _refresh_due(self, token: CachedToken) -> bool:
        return token.refresh_at is not None and self._clock() >= token.refresh_at

    def _store(self, generate: Generate, reason: GenerationReason, replaced: CachedToken | None) -> CachedToken:
        issued = generate()  # raises TokenUnavailable; the old token stays for the next caller
        version = next(self._versions)
        cached = CachedToken(
            value=issued.value,
            version=version,
            expires_at=issued.expires_at,
            expiry_key=self._expiry_key(issued, version),
            refresh_at=self._refresh_at(issued),
        )
        self._token, self._dead = cached, None
        self.events.token_generated(reason, replaced)
        return cached

    def _expiry_key(self, issued: IssuedToken, version: int) -> str:
        if issued.expires_at is None:
            return f"{self.name}#v{version}"
        return f"{self.name}@{int(issued.expires_at)}"

    def _refresh_at(self, issued: IssuedToken) -> float | None:
        if issued.expires_at is None or (self.refresh_margin <= 0 and self.jitter <= 0):
            return None
        return issued.expires_at - self.refresh_margin - self.jitter * self._random_fraction()


class TokenCaches:
    """The process's caches, one per credential (shared modes) or handed out per user."""

    def __init__(self, mode: TokenMode, *, refresh_margin: float = 0.0, jitter: float = 0.0,
                 events: TokenEvents | None = None) -> None:
        self.mode, self.refresh_margin, self.jitter = mode, refresh_margin, jitter
        self.events = events
        self._shared: dict[str, TokenCache] = {}
        self._lock = new_lock()

    def for_user(self, credential: str) -> TokenCache:
        """The cache a new user should use for `credential` (its own one in per-user mode)."""
        if self.mode is TokenMode.PER_USER:
            return self._new(credential)
        with self._lock:
            if credential not in self._shared:
                self._shared[credential] = self._new(credential)
            return self._shared[credential]

    def _new(self, credential: str) -> TokenCache:
        return TokenCache(
            credential,
            coordinated=self.mode is not TokenMode.NAIVE,
            refresh_margin=self.refresh_margin,
            jitter=self.jitter,
            events=self.events,
        )
