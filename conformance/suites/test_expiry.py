"""docs/contract.md §3: expiry (498) and the documented regeneration (negative cases 36, 37).

All timing is against the *server's* clock (calibrated from `iat` ticks, or from `iat` and the
Date header on rate-limited targets). A lifetime longer than the plan's budget is SKIPPED with
the reason, never passed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import resources
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.expiry import BoundaryPair, NotMeasurable, measure_boundary
from conformance.plugin.options import Plan
from conformance.plugin.session import ConformanceRun
from conformance.profiles import Profile

requirement = pytest.mark.requirement


@pytest.fixture(scope="module")
def boundary(conformance_run: ConformanceRun, target: TargetContext, plan: Plan,
             unique_mobile: Callable[[], str], request: pytest.FixtureRequest) -> BoundaryPair:
    """The pair from the plugin's expiry lane (started at preflight), else measured here."""
    try:
        if conformance_run.expiry_lane is not None:
            pair = conformance_run.expiry_lane.result(timeout=plan.expiry_budget_seconds + 30)
        else:
            pair = measure_boundary(target, plan.expiry_budget_seconds, plan.name, unique_mobile())
    except NotMeasurable as reason:
        pytest.skip(str(reason))
    conformance_run.adopt_exchanges(pair.exchange_ids)
    return pair


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
@pytest.mark.requires("expired_status")  # skipped, never passed, where the profile pins no status
def test_expired_token_status_matches_the_profile(boundary: BoundaryPair, profile: Profile) -> None:
    from conformance.checks.token_endpoint import status_is_pinned

    status_is_pinned(boundary.after, profile.expect["expired_token"], "an expired token")


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
