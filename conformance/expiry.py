"""The expiry boundary pair, measured on the server's clock, in a lane of its own.

One short-lived token is used just before `exp` (must be accepted) and just after it (must get
498). The waits cost the token's lifetime, so the plugin starts this measurement in a background
thread right after preflight ("expiry lane", idea D5 of the negative-case catalogue): by the time the expiry tests run,
the evidence is usually ready. Neutral: no pytest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from conformance.context import IssuedToken, SetupError, TargetContext, sleep_until_server_time
from conformance.exchange import Exchange

JUST_BEFORE = 0.35  # seconds before exp (server clock) for the "still valid" half of the pair
JUST_AFTER = 0.2  # seconds after exp: inside the second where `now == exp` for integer clocks


class NotMeasurable(Exception):
    """The pair cannot be measured on this target within the plan; str() is the skip reason."""


@dataclass(frozen=True)
class BoundaryPair:
    token: IssuedToken
    before: Exchange
    after: Exchange
    after_write: Exchange
    mobile: str
    exchange_ids: tuple[int, ...] = field(default=())


def measure_boundary(target: TargetContext, budget_seconds: float, plan_name: str, mobile: str) -> BoundaryPair:
    profile = target.profile
    client = profile.client("short_lived")
    if client is None:
        raise NotMeasurable(f"profile {profile.source.name} has no [clients.short_lived] role: expiry needs a "
                            "short-lived client (or give target.expired_token for the 498 check alone)")
    if client.expiry_seconds > budget_seconds:
        raise NotMeasurable(f"the short_lived client's expiry ({client.expiry_seconds} s) exceeds the {plan_name} "
                            f"plan's expiry budget ({budget_seconds:.0f} s)")
    target.calibrate_clock("short_lived")
    margin = target.clock.uncertainty
    if margin > JUST_AFTER and not profile.rate_limit_per_minute:
        raise NotMeasurable(f"server clock known only to ±{margin:.2f} s: the boundary pair needs ±{JUST_AFTER} s")
    issued = target.issue("short_lived", label="short-lived token")
    api = target.api
    try:
        sleep_until_server_time(target.clock, issued.exp - JUST_BEFORE - margin, budget_seconds)
        before = api.customer_get(issued.token, mobile, label="just before exp")
        sleep_until_server_time(target.clock, issued.exp + JUST_AFTER + margin, budget_seconds)
        after = api.customer_get(issued.token, mobile, label="just after exp")
        after_write = api.customer_add(issued.token, mobile, label="write with expired token")
    except SetupError as error:
        raise NotMeasurable(str(error)) from None
    ids = (issued.exchange.id, before.id, after.id, after_write.id)
    return BoundaryPair(issued, before, after, after_write, mobile, ids)


class ExpiryLane:
    """Runs `measure_boundary` in a daemon thread; `result()` waits for it and re-raises its error."""

    def __init__(self, target: TargetContext, budget_seconds: float, plan_name: str) -> None:
        self._outcome: BoundaryPair | BaseException | None = None
        mobile = target.fresh_mobile()
        self._thread = threading.Thread(target=self._run, args=(target, budget_seconds, plan_name, mobile),
                                        name="expiry-lane", daemon=True)
        self._thread.start()

    def _run(self, target: TargetContext, budget_seconds: float, plan_name: str, mobile: str) -> None:
        try:
            self._outcome = measure_boundary(target, budget_seconds, plan_name, mobile)
        except BaseException as error:  # handed to the test that asks, which reports it
            self._outcome = error

    def result(self, timeout: float) -> BoundaryPair:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise NotMeasurable(f"the expiry lane did not finish within {timeout:.0f} s")
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        if self._outcome is None:
            raise NotMeasurable("the expiry lane ended without a result")
        return self._outcome
