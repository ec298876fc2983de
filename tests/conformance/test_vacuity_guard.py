"""The vacuity guard: a negative verdict counts only when the positive controls around it pass."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance import protocol
from conformance.checks import resources
from conformance.checks.failures import ConformanceFailure, VacuousNegative
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.profiles import load_profile
from conformance.redaction import Redactor
from tests.unit.token_support import mint

PROFILE = load_profile("reference").with_base_url("http://testserver")
GOOD = mint(rsa.generate_private_key(public_exponent=65537, key_size=2048))


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


def test_a_refused_token_control_is_described_as_a_token_answer() -> None:
    """The token endpoint's control refused with 320001 reads "reject-credentials", not a resource
    outcome ("reject-token" is what the v1.1 classification makes of a 401 envelope)."""
    answers = iter([{"data": {"accessToken": GOOD, "ttlSeconds": 3600}, "errors": None}])

    def handle(request: httpx.Request) -> httpx.Response:
        body = next(answers, {"data": None, "errors": [{"code": 320001, "message": "Invalid client key and secret"}]})
        return httpx.Response(401 if body["data"] is None else 200, json=body)

    api = CapillaryApi(PROFILE, http=httpx.Client(base_url=PROFILE.base_url, transport=httpx.MockTransport(handle)))
    target = TargetContext(PROFILE, api, Redactor())
    with pytest.raises(VacuousNegative) as refused:
        target.negative_token_request(lambda: api.generate_token("k", "wrong-secret"), lambda answer: None)
    message = str(refused.value)
    assert "before the attack" not in message  # the first control got its token
    assert f"{protocol.Outcome.REJECT_CRED.value}, HTTP 401" in message, message
    assert protocol.Outcome.REJECT_TOKEN.value not in message, message


def test_the_run_has_one_source_of_fresh_mobiles_for_tests_and_controls() -> None:
    """unique_mobile (the tests') is the target's fresh_mobile (the controls'): one counter, no two
    generators whose random prefixes could meet."""
    from conformance.plugin.fixtures import unique_mobile

    target = target_answering(locked_after=None)
    fresh = unique_mobile.__wrapped__(target)  # the fixture's function, called as pytest would
    drawn = [fresh() for _ in range(500)] + [target.known_customer()] + [target.fresh_mobile() for _ in range(500)]
    assert len(set(drawn)) == len(drawn)
    assert all(m.startswith("919") and len(m) == 12 and m.isdigit() for m in drawn)
