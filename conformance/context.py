"""What a run knows about its target: the API, issued tokens, the server's clock, the vacuity guard.

Neutral (no pytest): the plugin wraps one TargetContext per session; tests and load tools could
use it directly.
"""

from __future__ import annotations

import email.utils
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance import protocol
from conformance.checks import predicates, resources, token_endpoint
from conformance.checks.failures import ConformanceFailure, VacuousNegative
from conformance.client import CapillaryApi
from conformance.exchange import Exchange
from conformance.profiles.model import Client, Profile
from conformance.redaction import Redactor
from conformance.tokens import MalformedToken, decode_unverified
from conformance.vacuity import RESOURCE_ACCEPTED, TOKEN_ISSUED, VacuityGuard, identity_of

# The roles whose clients may write customers: attacks that write spread over their keys.
WRITING_ROLES = ("primary", "fallback", "other_org")


class SetupError(Exception):
    """What a test needs cannot be had: the test is an *error* (could not complete), never a pass
    and never a failure of the requirement under test."""


class CredentialsRefused(SetupError):
    """The target refused the profile's own credentials with the documented 320001: the profile is wrong."""


class TokenUnavailable(SetupError):
    """The target answered the token request, but not with a usable token (CAP-TOK-01's business)."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    header: dict[str, Any]
    claims: dict[str, Any]
    ttl_seconds: Any
    exchange: Exchange
    received_at: float  # local wall clock when the answer arrived

    @property
    def exp(self) -> int:
        """The token's exp claim, or (for a token without one) its receipt time plus ttlSeconds."""
        exp = self.claims.get("exp")
        if isinstance(exp, int) and not isinstance(exp, bool):
            return exp
        return int(self.received_at + self.lifetime(60.0))

    def lifetime(self, default: float) -> float:
        ttl = self.ttl_seconds
        return float(ttl) if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl > 0 else default


@dataclass
class ServerClock:
    """Server time = local time + offset, measured from a fresh token's iat and the Date header."""

    offset: float = 0.0
    uncertainty: float = 1.0
    measured: bool = False

    def now(self) -> float:
        return time.time() + self.offset

    def observe(self, issued: IssuedToken, sent_at: float) -> None:
        # iat is truncated to whole seconds: the true mint time lies in [iat, iat + 1).
        midpoint = (sent_at + issued.received_at) / 2
        iat = issued.claims.get("iat")
        if isinstance(iat, int) and not isinstance(iat, bool):
            self.offset = iat + 0.5 - midpoint
            self.uncertainty = 0.5 + (issued.received_at - sent_at) / 2
        else:
            date = issued.exchange.response_header("Date")
            if date:
                self.offset = email.utils.parsedate_to_datetime(date).timestamp() + 0.5 - midpoint
                self.uncertainty = 0.5 + (issued.received_at - sent_at) / 2
        self.measured = True


def sleep_until_server_time(clock: ServerClock, moment: float, budget: float) -> None:
    """Wait for a moment on the server's clock. Time itself is the awaited condition here."""
    delay = moment - clock.now()
    if delay > budget:
        raise SetupError(f"waiting {delay:.1f} s exceeds the plan's budget of {budget:.0f} s")
    if delay > 0:
        time.sleep(delay)


class TargetContext:
    def __init__(self, profile: Profile, api: CapillaryApi, redactor: Redactor) -> None:
        self.profile, self.api, self.redactor = profile, api, redactor
        self.clock = ServerClock()
        self._cache: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()
        self.observed: dict[str, Any] = {}
        self._known: dict[tuple[str, str], str] = {}
        self.guard = VacuityGuard()
        # The run's one source of fresh mobiles (the tests' records and the controls'): a random run
        # prefix keeps runs apart, the counter keeps this run's records apart.
        self._serials = itertools.count(random.SystemRandom().randrange(10**4) * 10**5 + 1)

    def client(self, role: str) -> Client:
        client = self.profile.client(role)
        if client is None:
            raise SetupError(f"profile {self.profile.source}: no [clients.{role}]")
        return client

    def issue(self, role: str = "primary", label: str = "", *, judge: bool = False) -> IssuedToken:
        """A fresh token for a role; the token is registered with the redactor before anyone sees it.

        Anything that is not a token (HTML, a 5xx, `"accessToken": "notajwt"`) is the target failing
        CAP-TOK-01: with `judge=True` (the tests of token issuing) a ConformanceFailure, otherwise
        TokenUnavailable, so a test that merely needed a token is an error, not a false failure.
        """
        client = self.client(role)
        sent_at = time.time()
        exchange = self.api.generate_token(client.key, client.secret, label=label or f"generate token ({role})")
        if exchange.token_outcome is protocol.Outcome.REJECT_CRED:
            # A documented refusal of the profile's own credentials: the profile is wrong, not the target.
            raise CredentialsRefused(f"the target refused clients.{role} (key {client.key[:4]}…) with "
                                     f"{protocol.error_code(exchange.json)}: check clients.{role}.key and .secret")
        problem = predicates.token_issued_problem(exchange.status, exchange.json)
        if problem and not judge:
            raise TokenUnavailable(f"no token for clients.{role}: {problem}")
        token = token_endpoint.token_was_issued(exchange)  # judge=True: the CAP-TOK-01 failure itself
        self.redactor.add(token)
        try:
            decoded = decode_unverified(token)
        except MalformedToken as error:
            if judge:
                raise ConformanceFailure("token_decodes", "a JWT whose header and payload are JSON objects",
                                         str(error), exchange) from None
            raise TokenUnavailable(f"the {role} client's token does not decode: {error}") from None
        issued = IssuedToken(token, decoded.header, decoded.claims, protocol.ttl_seconds(exchange.json), exchange,
                             time.time())
        if not self.clock.measured:
            self.clock.observe(issued, sent_at)
            self.observed.update(kid=decoded.header.get("kid"), iss=decoded.claims.get("iss"),
                                 lifetime=issued.ttl_seconds, claims=sorted(decoded.claims))
        return issued

    def token(self, role: str = "primary", label: str = "") -> IssuedToken:
        """The run's token for a role (one per role per run, as a careful client reuses its token),
        renewed when less than a minute (or half its life) remains."""
        with self._lock:
            cached = self._cache.get(role)
            if cached is None or self.clock.now() > cached.exp - min(60.0, cached.lifetime(60.0) / 2):
                cached = self._cache[role] = self.issue(role, label)
            return cached

    def spread(self, index: int, roles: tuple[str, ...] = ("primary", "fallback", "other_org", "restricted")) -> str:
        """The role for case `index`, round-robin: rate limits are per API key, so attacks whose
        requests alternate between several clients' keys go at several keys' pace at once
        (each key waits only for its own previous request)."""
        present = [role for role in roles if role in self.profile.clients] or ["primary"]
        return present[index % len(present)]

    def fresh_mobile(self) -> str:
        return protocol.mobile_number(next(self._serials))

    def known_customer(self, role: str = "primary") -> str:
        """The mobile of a customer this role's org is known to hold, written once at first use:
        positive controls read a record that exists, so "found" is the answer they must get."""
        return self._known_record("customer", role, self.fresh_mobile, lambda token, mobile: self.api.customer_add(
            token, mobile, label=f"control record: customer ({role})"))

    def known_bill(self, role: str = "primary") -> str:
        """The number of a bill this role's org is known to hold (written once, like known_customer)."""
        return self._known_record("transaction", role, lambda: f"CTRL-{self.fresh_mobile()}",
                                  lambda token, number: self.api.transaction_add(
                                      token, number, self.known_customer(role), label=f"control record: bill ({role})"))

    def _known_record(self, entity: str, role: str, new_id: Callable[[], str],
                      write: Callable[[str, str], Exchange]) -> str:
        with self._lock:
            known = self._known.get((entity, role))
        if known is None:
            identifier = new_id()
            written = write(self.token(role).token, identifier)
            if protocol.classify_api_response(written.status, written.json) is not protocol.Outcome.ACCEPT:
                raise VacuousNegative(f"the control {entity} for {role} could not be written "
                                      f"(HTTP {written.status}): no positive control is possible")
            with self._lock:
                known = self._known.setdefault((entity, role), identifier)
        return known

    def calibrate_clock(self, role: str = "primary", spin_seconds: float = 1.6, attempts: int = 3) -> None:
        """Find the server's second boundary by watching `iat` tick over: offset to a few ms.

        Only for targets without a rate limit (the reference server, a lab): it costs up to a
        second of back-to-back token requests per attempt. Rate-limited targets keep the coarse
        estimate. A loaded machine can stretch one bracket; the next tick gets another try.
        """
        if self.profile.rate_limit_per_minute:
            return
        for _attempt in range(attempts):
            baseline, last_old_sent, _ = self._probe_iat(role)
            if baseline is None:
                return
            # The coarse estimate is good to ±0.5 s: wake 0.6 s early, then probe back to back.
            sleep_until_server_time(self.clock, baseline + 1 - 0.6, budget=2.0)
            deadline = time.monotonic() + spin_seconds
            while time.monotonic() < deadline:
                iat, sent, received = self._probe_iat(role)
                if iat is None:
                    return
                if iat > baseline:
                    if received - last_old_sent < 0.1:  # a tight bracket around the tick
                        self.clock.offset = iat - (last_old_sent + received) / 2
                        self.clock.uncertainty = (received - last_old_sent) / 2
                        return
                    break  # too wide to trust: try the next tick
                last_old_sent = sent

    def _probe_iat(self, role: str) -> tuple[int | None, float, float]:
        client = self.client(role)
        sent = time.time()
        exchange = self.api.generate_token(client.key, client.secret, label="clock calibration", record=False)
        received = time.time()
        token = protocol.access_token(exchange.json)
        if token is None:
            return None, sent, received
        self.redactor.add(token)
        try:
            iat = decode_unverified(token).claims.get("iat")
        except MalformedToken:
            return None, sent, received
        return (iat if isinstance(iat, int) else None), sent, received

    def negative(self, control: Callable[[str], Exchange], attack: Callable[[], Exchange],
                 check: Callable[[Exchange], None], role: str = "primary") -> Exchange:
        """Vacuity guard: control (untouched token) → attack → control; the verdict counts only
        when both controls are accepted (conformance/vacuity.py: shared between neighbours)."""
        return self.guard.frame(identity_of(role, control), lambda: control(self.token(role).token),
                                RESOURCE_ACCEPTED, attack, check)

    def negative_write(self, mobile: str, attack: Callable[[], Exchange], check: Callable[[Exchange], None],
                       role: str = "primary") -> Exchange:
        """A refused write of customer `mobile`: its controls read that very customer with the
        untouched token, so the control after the attack also proves nothing was stored."""
        def read_back(token: str) -> Exchange:
            return self.api.customer_get(token, mobile, label="positive control and side-effect read")

        return self.guard.frame(("read back", role), lambda: read_back(self.token(role).token), RESOURCE_ACCEPTED,
                                attack, check, resources.record_was_not_found)

    def negative_token_request(self, attack: Callable[[], Exchange], check: Callable[[Exchange], None],
                               role: str = "primary") -> Exchange:
        """Vacuity guard for the token endpoint: the role's real credentials mint a token right
        before and right after the attack (so a lockout or crash cannot pass for a refusal)."""
        return self.guard.frame(("token", role), lambda: self._token_control(role), TOKEN_ISSUED, attack, check)

    def _token_control(self, role: str) -> Exchange:
        client = self.client(role)
        exchange = self.api.generate_token(client.key, client.secret, label="positive control")
        token = protocol.access_token(exchange.json)
        if token is not None:
            self.redactor.add(token)
        return exchange
