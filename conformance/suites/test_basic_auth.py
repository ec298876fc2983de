"""docs/contract.md §5: basic authentication with till credentials, coexisting with OAuth."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import resources
from conformance.client import CapillaryApi, basic_authorization
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.profiles import Profile

requirement = pytest.mark.requirement


def _credentials(profile: Profile) -> tuple[str, str]:
    assert profile.basic is not None and profile.basic.credentials is not None
    return profile.basic.credentials.till, profile.basic.credentials.password


@requirement("CAP-BASIC-01")
@pytest.mark.requires("basic")
def test_correct_till_credentials_are_accepted_and_attributed(api: CapillaryApi, profile: Profile,
                                                              unique_mobile: Callable[[], str]) -> None:
    assert profile.basic is not None
    if not profile.basic.enabled:
        pytest.skip(f"profile {profile.source.name}: basic.enabled is false for this org")
    till, password = _credentials(profile)
    auth = [("Authorization", basic_authorization(till, password))]
    mobile = unique_mobile()
    resources.write_was_stored(api.customer_add(None, mobile, headers=auth, label="basic auth write"))
    resources.record_is_attributed_to(api.customer_get(None, mobile, headers=auth, label="basic auth read"), till)


@requirement("CAP-BASIC-02")
@pytest.mark.requires("basic")
@pytest.mark.parametrize("variant", ["wrong-password", "plain-password-not-md5", "unknown-till", "malformed-header"])
def test_wrong_till_credentials_are_rejected_with_401(api: CapillaryApi, profile: Profile, target: TargetContext,
                                                      unique_mobile: Callable[[], str], variant: str) -> None:
    till, password = _credentials(profile)
    import base64

    header = {
        "wrong-password": basic_authorization(till, password + "x"),
        "plain-password-not-md5": "Basic " + base64.b64encode(f"{till}:{password}".encode()).decode(),
        "unknown-till": basic_authorization(profile.tills.unknown, password),
        "malformed-header": "Basic !!!not-base64!!!",
    }[variant]
    mobile = unique_mobile()

    def control(_token: str) -> Exchange:
        good = [("Authorization", basic_authorization(till, password))]
        return api.customer_get(None, target.known_customer(), headers=good, label="positive control (basic auth)")

    def attack() -> Exchange:
        return api.customer_add(None, mobile, headers=[("Authorization", header)], label=f"basic: {variant}")

    if profile.basic is not None and profile.basic.enabled:
        target.negative(control, attack, resources.basic_auth_was_rejected)
    else:
        resources.basic_auth_was_rejected(attack())
    resources.record_was_not_found(api.customer_get(target.token().token, mobile, label="side-effect read"))


@requirement("CAP-BASIC-03")
@pytest.mark.requires("basic_disabled")
def test_correct_till_credentials_are_rejected_when_basic_auth_is_disabled(
        api: CapillaryApi, profile: Profile, unique_mobile: Callable[[], str]) -> None:
    assert profile.basic is not None and profile.basic.disabled is not None
    disabled = profile.basic.disabled
    auth = [("Authorization", basic_authorization(disabled.till, disabled.password))]
    resources.basic_auth_was_rejected(api.customer_add(None, unique_mobile(), headers=auth,
                                                       label="basic auth, disabled org"))
    resources.basic_auth_was_rejected(api.customer_get(None, unique_mobile(), headers=auth,
                                                       label="basic auth read, disabled org"))
