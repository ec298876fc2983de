"""SPEC.md §3: expiry (498) and the documented regeneration (ATTACKS.md cases 36, 37).

All timing is against the *server's* clock (calibrated from `iat` ticks, or from `iat` and the
Date header on rate-limited targets). A lifetime longer than the plan's budget is SKIPPED with
the reason, never passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from conformance.checks import resources
from conformance.client import CapillaryApi
from conformance.context import IssuedToken, SetupError, TargetContext, sleep_until_server_time
from conformance.exchange import Exchange
from conformance.plugin.options import Plan
from conformance.profiles import Profile

requirement = pytest.mark.requirement
JUST_BEFORE = 0.35  # seconds before exp (server clock) for the "still valid" half of the pair
JUST_AFTER = 0.2  # seconds after exp: inside the second where `now == exp` for integer clocks


@dataclass(frozen=True)
class BoundaryPair:
    token: IssuedToken
    before: Exchange
    after: Exchange
    after_write: Exchange
    mobile: str


@pytest.fixture(scope="module")
def boundary(target: TargetContext, api: CapillaryApi, profile: Profile, plan: Plan,
             unique_mobile: Callable[[], str]) -> BoundaryPair:
    client = profile.client("short_lived")
    if client is None:
        pytest.skip(f"profile {profile.source.name} has no [clients.short_lived] role: expiry needs a short-lived "
                    "client (or give target.expired_token for the 498 check alone)")
    if client.expiry_seconds > plan.expiry_budget_seconds:
        pytest.skip(f"the short_lived client's expiry ({client.expiry_seconds} s) exceeds the {plan.name} plan's "
                    f"expiry budget ({plan.expiry_budget_seconds:.0f} s)")
    target.calibrate_clock("short_lived")
    margin = target.clock.uncertainty
    if margin > JUST_AFTER and not profile.rate_limit_per_minute:
        pytest.skip(f"server clock known only to ±{margin:.2f} s: the boundary pair needs ±{JUST_AFTER} s")
    issued = target.issue("short_lived", label="short-lived token")
    mobile = unique_mobile()

    def read(label: str) -> Exchange:
        return api.customer_get(issued.token, mobile, label=label)

    try:
        sleep_until_server_time(target.clock, issued.exp - JUST_BEFORE - margin, plan.expiry_budget_seconds)
        before = read("just before exp")
        sleep_until_server_time(target.clock, issued.exp + JUST_AFTER + margin, plan.expiry_budget_seconds)
        after = read("just after exp")
        after_write = api.customer_add(issued.token, mobile, label="write with expired token")
    except SetupError as error:
        pytest.skip(str(error))
    return BoundaryPair(issued, before, after, after_write, mobile)


@requirement("CAP-USE-03")
def test_token_just_before_exp_is_accepted(boundary: BoundaryPair) -> None:
    resources.call_was_accepted(boundary.before)


@requirement("CAP-USE-03")
def test_token_just_after_exp_gets_498(boundary: BoundaryPair) -> None:
    resources.token_was_rejected_as_expired(boundary.after)


@requirement("CAP-USE-03")
def test_write_with_expired_token_gets_498_and_stores_nothing(boundary: BoundaryPair, target: TargetContext,
                                                              api: CapillaryApi) -> None:
    resources.token_was_rejected_as_expired(boundary.after_write)
    resources.record_was_not_found(api.customer_get(target.token().token, boundary.mobile, label="side-effect read"))


@requirement("CAP-USE-03")
def test_expired_token_status_matches_the_profile(boundary: BoundaryPair, profile: Profile) -> None:
    from conformance.checks.token_endpoint import status_is_pinned

    status_is_pinned(boundary.after, profile.expect.get("expired_token"), "an expired token")


@requirement("CAP-USE-04")
def test_expired_message_names_the_tokens_exp(boundary: BoundaryPair) -> None:
    resources.expired_message_names_exp(boundary.after, boundary.token.exp)


@requirement("CAP-USE-05")
def test_regenerated_token_succeeds_after_498(boundary: BoundaryPair, target: TargetContext,
                                              api: CapillaryApi) -> None:
    resources.token_was_rejected_as_expired(boundary.after)
    renewed = target.issue("short_lived", label="regenerate after 498")
    resources.call_was_accepted(api.customer_get(renewed.token, boundary.mobile, label="retry with new token"))


@requirement("CAP-USE-03")
@pytest.mark.requires("expired_token")
def test_profiles_expired_token_gets_498(api: CapillaryApi, profile: Profile,
                                         unique_mobile: Callable[[], str]) -> None:
    assert profile.expired_token is not None
    resources.token_was_rejected_as_expired(api.customer_get(profile.expired_token, unique_mobile(),
                                                             label="profile's expired token"))
