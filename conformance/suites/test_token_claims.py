"""docs/contract.md §2: the issued token's form, claims, lifetime and signature (negative case 1)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import token_claims
from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi
from conformance.context import IssuedToken, TargetContext
from conformance.profiles import Profile
from conformance.requirements import SAMPLE_TOKEN
from conformance.tokens import verify_rs256

requirement = pytest.mark.requirement


@pytest.fixture(scope="module")
def issued(target: TargetContext) -> IssuedToken:
    return target.token("primary")  # the run's token: every claim check reads the same one


@requirement("CAP-JWT-01")
def test_token_is_a_compact_jws(issued: IssuedToken) -> None:
    token_claims.is_compact_jws(issued.token, issued.exchange)


@requirement("CAP-JWT-01", level="SHOULD", basis=SAMPLE_TOKEN, pinned_by="sample_token_shape")
def test_token_header_is_rs256_with_a_kid(issued: IssuedToken) -> None:
    token_claims.header_alg_is_rs256_with_kid(issued.header, issued.exchange)


@requirement("CAP-JWT-02", pinned_by="sample_token_shape")
def test_documented_claims_are_present_with_their_types(issued: IssuedToken) -> None:
    token_claims.required_claims_have_documented_types(issued.claims, issued.exchange)


@requirement("CAP-JWT-02", pinned_by="sample_token_shape")
def test_token_use_is_token_access(issued: IssuedToken) -> None:
    token_claims.token_use_is_access(issued.claims, issued.exchange)


@requirement("CAP-JWT-02", pinned_by="sample_token_shape")
def test_issuer_is_the_profiles_issuer(issued: IssuedToken, profile: Profile) -> None:
    token_claims.issuer_is(issued.claims, profile.issuer, issued.exchange)


@requirement("CAP-JWT-02", pinned_by="sample_token_shape")
def test_token_names_the_clients_org(issued: IssuedToken, profile: Profile) -> None:
    token_claims.claims_name_the_client(issued.claims, profile.clients["primary"].org_id, issued.exchange)


@requirement("CAP-JWT-03", pinned_by="sample_token_shape")
def test_iat_is_the_servers_time(target: TargetContext) -> None:
    """iat is compared with the server's own clock (its Date header), not ours."""
    fresh = target.token("primary")  # its own answer's Date header is the clock it is compared with
    date = fresh.exchange.response_header("Date")
    if not date:
        pytest.skip("the target sends no Date header: iat cannot be compared with its clock")
    import email.utils

    server_now = email.utils.parsedate_to_datetime(date).timestamp()
    # Date has one-second resolution and iat is truncated: two seconds is the exact-clock bound.
    token_claims.iat_is_server_now(fresh.claims, server_now + 0.5, 2.0, fresh.exchange)


@requirement("CAP-JWT-03", pinned_by="sample_token_shape")
def test_exp_is_after_iat(issued: IssuedToken) -> None:
    token_claims.exp_is_after_iat(issued.claims, issued.exchange)


@requirement("CAP-TOK-06")
def test_ttl_seconds_equals_exp_minus_iat(issued: IssuedToken) -> None:
    """Where the token carries exp and iat (as the docs' samples do), they agree with ttlSeconds."""
    _needs_exp_and_iat(issued)
    token_claims.ttl_seconds_matches_exp_minus_iat(issued.ttl_seconds, issued.claims, issued.exchange)


@requirement("CAP-TOK-06")
@pytest.mark.parametrize("role", ["primary", "short_lived"])
def test_ttl_seconds_is_the_clients_configured_expiry(target: TargetContext, profile: Profile, role: str) -> None:
    if role not in profile.clients:
        pytest.skip(f"profile {profile.source.name} has no [clients.{role}] role")
    fresh = target.token(role) if role == "primary" else target.issue(role, label=f"token for ttl ({role})")
    if "exp" in fresh.claims and "iat" in fresh.claims:
        token_claims.ttl_seconds_matches_exp_minus_iat(fresh.ttl_seconds, fresh.claims, fresh.exchange)
    token_claims.ttl_seconds_is_clients_expiry(fresh.ttl_seconds, profile.clients[role].expiry_seconds,
                                               profile.max_token_expiry_seconds, fresh.exchange)


def _needs_exp_and_iat(issued: IssuedToken) -> None:
    missing = [name for name in ("exp", "iat") if name not in issued.claims]
    if missing:
        pytest.skip(f"the token carries no {' or '.join(missing)} claim (only the docs' samples show them)")


@requirement("CAP-JWT-04")
@pytest.mark.requires("public_key")
def test_signature_verifies_with_the_published_key(issued: IssuedToken, public_key: Any) -> None:
    try:
        verify_rs256(issued.token, public_key)
    except Exception as error:  # any pyjwt refusal is the failure we report
        raise ConformanceFailure("signature_verifies_with_public_key", "a valid RS256 signature",
                                 type(error).__name__, issued.exchange) from None


@requirement("CAP-JWT-04")
@pytest.mark.requires("jwks_url")
def test_published_jwks_holds_only_public_signing_keys(api: CapillaryApi, profile: Profile) -> None:
    """negative case 51 (only where a JWKS is published; Capillary publishes none)."""
    exchange = api.fetch(profile.public_key_url or "", label="JWKS")
    token_claims.jwks_is_hygienic(exchange.json, exchange)
