"""docs/contract.md CAP-TOK-07: malformed token requests never yield a token nor a 5xx (negative cases 4, 5, 9-12).

Vectors are data (`conformance/vectors/token_requests.json`); Hypothesis adds generated bodies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks import token_endpoint
from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi, basic_authorization
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.profiles import Profile
from conformance.tokens import decode_unverified

requirement = pytest.mark.requirement
VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "token_requests.json").read_text(encoding="utf-8")
)["vectors"]
REFUSED = [v for v in VECTORS if v.get("kind") != "duplicate"]
DUPLICATES = [v for v in VECTORS if v.get("kind") == "duplicate"]


def send_vector(api: CapillaryApi, profile: Profile, vector: dict[str, Any], role: str = "primary") -> Exchange:
    primary = profile.clients[role]  # the client whose credentials the vector mangles
    other = profile.clients["restricted" if role != "restricted" else "primary"]
    if "body_hex" in vector:
        content = bytes.fromhex(vector["body_hex"])
    else:
        text = vector["body"]
        for name, value in (("{key}", primary.key), ("{secret}", primary.secret), ("{other_key}", other.key),
                            ("{long}", "k" * 100_000), ("{mb}", "x" * 1_048_576)):
            text = text.replace(name, value)
        content = text.encode()
    headers = [("Content-Type", vector.get("content_type", "application/json"))]
    params = {"key": primary.key, "secret": primary.secret} if vector.get("query") else None
    if vector.get("basic"):
        headers.append(("Authorization", basic_authorization(primary.key, primary.secret)))
    return api.token_request(content, method=vector.get("method", "POST"), headers=headers, params=params,
                             label=f"malformed token request ({vector['id']})")


@requirement("CAP-TOK-07")
@pytest.mark.parametrize("vector", REFUSED, ids=[v["id"] for v in REFUSED])
def test_malformed_token_request_is_refused_without_token(target: TargetContext, api: CapillaryApi,
                                                          profile: Profile, vector: dict[str, Any]) -> None:
    role = target.spread(REFUSED.index(vector))  # the vectors mangle several clients' credentials

    def refused_without_echo(answer: Exchange) -> None:
        token_endpoint.request_was_refused_without_token(answer)
        token_endpoint.secret_is_not_echoed(answer, profile.clients[role].secret)

    answer = target.negative_token_request(lambda: send_vector(api, profile, vector, role), refused_without_echo,
                                           role)
    pinned = {"method-": "wrong_method", "oversized-": "body_too_large"}
    what = next((key for prefix, key in pinned.items() if vector["id"].startswith(prefix)), None)
    if what:
        token_endpoint.status_is_pinned(answer, profile.expect.get(what), vector["id"])


@requirement("CAP-TOK-07")
@pytest.mark.parametrize("vector", DUPLICATES, ids=[v["id"] for v in DUPLICATES])
def test_duplicate_members_never_authenticate_one_client_as_another(target: TargetContext, api: CapillaryApi,
                                                                    profile: Profile, vector: dict[str, Any]) -> None:
    """Refusal is preferred; a token, if any, must belong to the client whose key and secret both match."""
    answer = send_vector(api, profile, vector)
    token_endpoint.never_a_server_error(answer)
    token = answer.json.get("data", {}).get("accessToken") if isinstance(answer.json, dict) and isinstance(
        answer.json.get("data"), dict) else None
    if token:
        target.redactor.add(token)
        claims = decode_unverified(token).claims
        expected = target.token().claims.get("client_id")
        if claims.get("client_id") != expected:
            raise ConformanceFailure("duplicate_members_never_cross_clients", f"client_id {expected} or no token",
                                     f"client_id {claims.get('client_id')}", answer)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@requirement("CAP-TOK-07", "CAP-TOK-02")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(key=json_values, secret=json_values, extra=st.dictionaries(st.text(max_size=8), json_values, max_size=2))
def test_generated_bodies_never_yield_a_token_for_wrong_credentials(api: CapillaryApi, profile: Profile,
                                                                     key: Any, secret: Any,
                                                                     extra: dict[str, Any]) -> None:
    primary = profile.clients["primary"]
    if key == primary.key and secret == primary.secret:
        return  # the one right answer; Hypothesis does not find it by chance
    body = {**extra, "key": key, "secret": secret}
    answer = api.token_request(json.dumps(body).encode(), headers=[("Content-Type", "application/json")],
                               label="generated token request")
    token_endpoint.never_a_server_error(answer)
    token_endpoint.no_token_was_issued(answer)


@requirement("CAP-TOK-07")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.binary(max_size=256))
def test_arbitrary_bytes_never_yield_a_token_nor_a_5xx(api: CapillaryApi, raw: bytes) -> None:
    answer = api.token_request(raw, headers=[("Content-Type", "application/json")], label="arbitrary bytes")
    token_endpoint.never_a_server_error(answer)
    token_endpoint.no_token_was_issued(answer)
