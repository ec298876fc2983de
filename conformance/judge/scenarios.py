"""What the judge does to a client: the scenario catalogue, the seeded schedule, the injector.

Every scenario is scheduled by call count (the Nth API call or token request, drawn from the
seed) or by time (a token's `exp`), so one seed replays the same run. An injected answer is
the judge's own: it is recorded as injected and the request never reaches the target.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import json
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance import protocol
from conformance.tokens import unverified_claims

# The docs print 498 times in India Standard Time (`2019-12-02T12:31:15.000+0530`): so does the judge.
_IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
# A run sees few tokens; the cache of their exp is emptied past this many (a client minting per call).
MAX_CACHED_EXPS = 1024


class Scenario(enum.Enum):
    EXPIRE_ON_CALL = "expire_on_call"
    CONCURRENT_498 = "concurrent_498"
    EXPIRE_AFTER_EXP = "expire_after_exp"
    SHORT_LIVED = "short_lived"
    THROTTLE = "throttle"
    TOKEN_5XX = "token_5xx"  # noqa: S105 - a scenario name, not a password
    DEACTIVATE = "deactivate"


DESCRIPTIONS: dict[Scenario, str] = {
    Scenario.EXPIRE_ON_CALL: "the token of the Nth API call (N from the seed, 3-5) is expired by the judge: that "
    "call and every later call carrying it get 498 with the documented body ('Token expired at <time>')",
    Scenario.CONCURRENT_498: "a dying token's calls are held for 0.3 s and answered 498 together, so the workers "
    "of a multi-threaded client meet the expiry at the same instant (herd or single flight)",
    Scenario.EXPIRE_AFTER_EXP: "any call carrying a token past its exp gets 498 from the judge, whatever the "
    "target's leeway (the first call after a token's exp)",
    Scenario.SHORT_LIVED: "the client gets the profile's short_lived credentials (2 s tokens on the reference "
    "server), so its tokens expire during the run",
    Scenario.THROTTLE: "one API call (3-5 calls after the 498) gets HTTP 429 with body code 517 and "
    "Retry-After: 1",
    Scenario.TOKEN_5XX: "the 2nd token request (the first regeneration) gets HTTP 503 from the judge",
    Scenario.DEACTIVATE: "from the first API call at least 4-6 calls after the 429 and 3 s after the client's "
    "first request, the client is deactivated: calls get 401 Unauthorized, token requests 320001, until the end "
    "of the run",
}


def parse_scenarios(names: Iterable[str]) -> frozenset[Scenario]:
    """`all` (default), `none`, or scenario names; a typo fails with the closest name."""
    chosen: set[Scenario] = set()
    known = [s.value for s in Scenario]
    for name in names or ["all"]:
        if name == "all":
            chosen.update(Scenario)
        elif name != "none":
            try:
                chosen.add(Scenario(name))
            except ValueError:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known: all, none, {', '.join(known)}"
                raise ValueError(f"unknown scenario {name!r} ({hint})") from None
    return frozenset(chosen)


@dataclass(frozen=True)
class Schedule:
    scenarios: frozenset[Scenario]
    seed: int
    expire_on_call: int
    throttle_on_call: int
    deactivate_on_call: int
    token_5xx_on_request: int
    retry_after_seconds: int = 1
    barrier_seconds: float = 0.3
    # Late enough for a 2 s token to expire (or be renewed) once before the client loses its key.
    deactivate_after_seconds: float = 3.0

    @classmethod
    def from_seed(cls, seed: int, scenarios: frozenset[Scenario]) -> Schedule:
        rng = random.Random(seed)
        expire = rng.randint(3, 5)
        throttle = expire + rng.randint(3, 5)
        return cls(scenarios, seed, expire_on_call=expire, throttle_on_call=throttle,
                   deactivate_on_call=throttle + rng.randint(4, 6), token_5xx_on_request=2)

    def __contains__(self, scenario: Scenario) -> bool:
        return scenario in self.scenarios

    def as_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "scenarios": sorted(s.value for s in self.scenarios),
                "expire_on_call": self.expire_on_call, "throttle_on_call": self.throttle_on_call,
                "deactivate_on_call": self.deactivate_on_call, "token_5xx_on_request": self.token_5xx_on_request,
                "retry_after_seconds": self.retry_after_seconds, "barrier_seconds": self.barrier_seconds,
                "deactivate_after_seconds": self.deactivate_after_seconds}


@dataclass(frozen=True)
class Injection:
    """An answer the judge gives itself; `answer_at` (monotonic) holds it for a concurrent 498."""

    scenario: Scenario
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)
    answer_at: float | None = None


def _member(path: str) -> str:
    """`/v1.1/customer/add` → `customers`: the v1.1 envelope names its entity list."""
    parts = [p for p in path.split("/") if p]
    return f"{parts[1]}s" if len(parts) > 1 else "response"


def _v11(path: str, code: int, message: str) -> bytes:
    body = {"response": {"status": {"success": False, "code": code, "message": message}, _member(path): None}}
    return json.dumps(body).encode()


@dataclass(frozen=True)
class Death:
    """A token the judge expired: when its held calls are answered, the exp it names, and why."""

    answer_at: float
    expired_at: float
    scenario: Scenario


@dataclass
class Injector:
    """Decides, per request and in arrival order, whether the judge answers instead of the target.

    Single-threaded by construction: the proxy calls it from its event loop between awaits.
    """

    schedule: Schedule
    statuses: Mapping[str, int] = field(default_factory=dict)  # the profile's [expect] HTTP statuses
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    api_calls: int = 0
    token_requests: int = 0
    deactivated: bool = False
    throttled: bool = False
    expired_on_call: bool = False
    first_request_at: float | None = None
    dead: dict[str, Death] = field(default_factory=dict)
    exps: dict[str, float | None] = field(default_factory=dict)  # each token's exp, decoded once

    def _arrived(self) -> float:
        now = self.clock()
        if self.first_request_at is None:
            self.first_request_at = now
        return now - self.first_request_at

    def on_token_request(self) -> Injection | None:
        self.token_requests += 1
        self._arrived()
        if self.deactivated:
            body = {"data": None, "errors": [{"status": False, "code": protocol.INVALID_CREDENTIALS_CODE,
                                              "message": protocol.INVALID_CREDENTIALS_MESSAGE}]}
            return Injection(Scenario.DEACTIVATE, self.statuses.get("invalid_credentials", 401),
                             json.dumps(body).encode())
        if Scenario.TOKEN_5XX in self.schedule and self.token_requests == self.schedule.token_5xx_on_request:
            body = {"data": None, "errors": [{"status": False, "code": 503,
                                              "message": "Service temporarily unavailable"}]}
            return Injection(Scenario.TOKEN_5XX, 503, json.dumps(body).encode())
        return None

    def on_api_call(self, path: str, token: str | None) -> Injection | None:
        self.api_calls += 1
        n, elapsed = self.api_calls, self._arrived()
        if self.deactivated or (Scenario.DEACTIVATE in self.schedule and n >= self.schedule.deactivate_on_call
                                and elapsed >= self.schedule.deactivate_after_seconds):
            self.deactivated = True
            return Injection(Scenario.DEACTIVATE, self.statuses.get("invalid_token", 401),
                             _v11(path, protocol.UNAUTHORIZED_CODE, protocol.UNAUTHORIZED_MESSAGE))
        if token in self.dead:
            return self._expired(path, self.dead[token])
        if token and not self.expired_on_call and Scenario.EXPIRE_ON_CALL in self.schedule \
                and n >= self.schedule.expire_on_call:
            self.expired_on_call = True
            return self._expire(path, token, Scenario.EXPIRE_ON_CALL, self.wall())
        exp = self._exp_of(token) if token and Scenario.EXPIRE_AFTER_EXP in self.schedule else None
        if token and exp is not None and self.wall() >= exp:
            return self._expire(path, token, Scenario.EXPIRE_AFTER_EXP, exp)
        if not self.throttled and Scenario.THROTTLE in self.schedule and n >= self.schedule.throttle_on_call:
            self.throttled = True
            headers = (("content-type", "application/json"),
                       ("retry-after", str(self.schedule.retry_after_seconds)))
            return Injection(Scenario.THROTTLE, 429, _v11(path, protocol.RATE_LIMIT_CODE, "Rate limit exceeded"),
                             headers)
        return None

    def _exp_of(self, token: str) -> float | None:
        """The token's exp (wall clock), decoded on its first call only; None when it names none."""
        if token not in self.exps:
            if len(self.exps) >= MAX_CACHED_EXPS:
                self.exps.clear()
            exp = unverified_claims(token).get("exp")
            self.exps[token] = float(exp) if isinstance(exp, int | float) else None
        return self.exps[token]

    def _expire(self, path: str, token: str, scenario: Scenario, expired_at: float) -> Injection:
        hold = self.schedule.barrier_seconds if Scenario.CONCURRENT_498 in self.schedule else 0.0
        self.dead[token] = Death(self.clock() + hold, expired_at, scenario)
        return self._expired(path, self.dead[token])

    def _expired(self, path: str, death: Death) -> Injection:
        when = dt.datetime.fromtimestamp(death.expired_at, _IST).strftime("%Y-%m-%dT%H:%M:%S.000%z")
        body = _v11(path, protocol.EXPIRED_CODE, f"{protocol.EXPIRED_MESSAGE_PREFIX}{when}")
        held = death.answer_at if death.answer_at > self.clock() else None
        return Injection(death.scenario, self.statuses.get("expired_token", protocol.EXPIRED_CODE), body,
                         answer_at=held)


def markdown_table() -> str:
    """The scenario catalogue as the README's table."""
    return "\n".join(["| scenario | what the judge does |", "|---|---|",
                      *(f"| `{s.value}` | {text} |" for s, text in DESCRIPTIONS.items())])
