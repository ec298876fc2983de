"""The vacuity guard: a negative verdict counts only when the positive controls around it pass."""

from __future__ import annotations

import json

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance import protocol
from conformance.checks import resources
from conformance.checks.failures import ConformanceFailure, VacuousNegative
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.profiles import load_profile
from conformance.redaction import Redactor

PROFILE = load_profile("reference").with_base_url("http://testserver")
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLAIMS = {"iss": "Capillary", "exp": 4102444800, "iat": 1700000000, "jti": "j" * 22, "sub": "pos_gateway",
          "client_id": 21, "org_id": 1115, "token_use": "token_access"}
GOOD = jwt.encode(CLAIMS, KEY, algorithm="RS256", headers={"kid": "k1"})


def target_answering(locked_after: int | None) -> TargetContext:
    """A fake target that issues tokens, refuses the attack with 401, and locks everyone out
    after `locked_after` resource calls (a lockout the attack caused)."""
    calls = {"resource": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == protocol.TOKEN_GENERATE_PATH:
            return httpx.Response(200, json={"data": {"accessToken": GOOD, "ttlSeconds": 3600}, "errors": None})
        calls["resource"] += 1
        token = request.headers.get(protocol.TOKEN_HEADER)
        locked = locked_after is not None and calls["resource"] > locked_after
        if token == GOOD and not locked:
            return httpx.Response(200, json={"response": {"status": {"code": 200}, "customers": {"customer": []}}})
        return httpx.Response(401, content=json.dumps({"response": {"status": {"code": 401}}}))

    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=httpx.MockTransport(handle)))
    return TargetContext(PROFILE, api, Redactor())



def test_refusal_framed_by_accepted_controls_counts() -> None:
    target = target_answering(locked_after=None)
    control = lambda token: target.api.customer_get(token, "1")  # noqa: E731
    refused = target.negative(control, lambda: target.api.customer_get("forged", "1"),
                              resources.token_was_rejected_as_invalid)
    assert refused.api_outcome is protocol.Outcome.REJECT_TOKEN


def test_refusal_after_which_the_control_fails_is_not_a_verdict() -> None:
    target = target_answering(locked_after=1)  # the control before passes, then the target locks out
    control = lambda token: target.api.customer_get(token, "1")  # noqa: E731
    with pytest.raises(VacuousNegative, match="after the attack"):
        target.negative(control, lambda: target.api.customer_get("forged", "1"),
                        resources.token_was_rejected_as_invalid)


def test_a_target_that_refuses_everything_cannot_pass_a_negative_test() -> None:
    target = target_answering(locked_after=0)
    control = lambda token: target.api.customer_get(token, "1")  # noqa: E731
    with pytest.raises(VacuousNegative, match="before the attack"):
        target.negative(control, lambda: target.api.customer_get("forged", "1"),
                        resources.token_was_rejected_as_invalid)


def test_the_check_still_judges_the_attack() -> None:
    target = target_answering(locked_after=None)
    control = lambda token: target.api.customer_get(token, "1")  # noqa: E731
    with pytest.raises(ConformanceFailure):
        target.negative(control, lambda: target.api.customer_get(GOOD, "1"), resources.token_was_rejected_as_invalid)


def control_of(target: TargetContext):  # one helper line: every control it makes shares an identity
    return lambda token: target.api.customer_get(token, "1", label="positive control")


def attack_on(target: TargetContext):
    return lambda: target.api.customer_get("forged", "1", label="attack")


def labels(target: TargetContext) -> list[str]:
    return [e.label for e in target.api_exchanges]  # type: ignore[attr-defined]


def recording(target: TargetContext) -> TargetContext:
    target.api_exchanges = []  # type: ignore[attr-defined]
    target.api.on_exchange = target.api_exchanges.append  # type: ignore[attr-defined]
    return target


def test_consecutive_attacks_share_controls_between_neighbours() -> None:
    target = recording(target_answering(locked_after=None))
    control = control_of(target)
    for _ in range(3):
        target.negative(control, attack_on(target), resources.token_was_rejected_as_invalid)
    assert [label for label in labels(target) if label != "generate token (primary)"] == [
        "positive control", "attack", "positive control", "attack", "positive control", "attack",
        "positive control"]  # N + 1 controls for N attacks
    assert target.guard.controls_shared == 2


def test_a_failing_control_between_two_attacks_errors_both_neighbours() -> None:
    # Resource calls: 1 control (ok), 2 attack, 3 control (locked out), then nothing may be sent.
    target = recording(target_answering(locked_after=2))
    control = control_of(target)
    with pytest.raises(VacuousNegative, match="after the attack"):
        target.negative(control, attack_on(target), resources.token_was_rejected_as_invalid)
    with pytest.raises(VacuousNegative, match="shared with the previous test"):
        target.negative(control, attack_on(target), resources.token_was_rejected_as_invalid)
    assert labels(target).count("attack") == 1  # the second attack was never sent


def test_controls_of_another_endpoint_or_role_are_not_shared() -> None:
    target = recording(target_answering(locked_after=None))
    target.negative(control_of(target), attack_on(target), resources.token_was_rejected_as_invalid)
    target.negative(lambda token: target.api.customer_get(token, "2", label="positive control"),
                    attack_on(target), resources.token_was_rejected_as_invalid)
    assert target.guard.controls_shared == 0
