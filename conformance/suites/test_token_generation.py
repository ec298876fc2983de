"""docs/contract.md §1: exchanging a key and secret for a token (negative cases 1-3, 6-8, 15)."""

from __future__ import annotations

import pytest

from conformance.checks import token_claims, token_endpoint
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.profiles import Profile
from conformance.requirements import OAUTH

requirement = pytest.mark.requirement


def _wrong(secret: str) -> str:
    """A wrong secret of the same length, not derived from the real one (so an echo leaks nothing)."""
    return ("W" if not secret.startswith("W") else "V") * len(secret)


def _judged_by_the_tests(_: Exchange) -> None:
    """The module's one-fact tests judge these answers; the guard only proves they are not vacuous."""


@pytest.fixture(scope="module")
def wrong_secret_answer(target: TargetContext, api: CapillaryApi, profile: Profile) -> Exchange:
    primary = profile.clients["primary"]
    return target.negative_token_request(
        lambda: api.generate_token(primary.key, _wrong(primary.secret), label="wrong secret"), _judged_by_the_tests)


@pytest.fixture(scope="module")
def unknown_key_answer(target: TargetContext, api: CapillaryApi, profile: Profile) -> Exchange:
    primary = profile.clients["primary"]
    unknown_key = "Z" * len(primary.key) if primary.key != "Z" * len(primary.key) else "Y" * len(primary.key)
    return target.negative_token_request(
        lambda: api.generate_token(unknown_key, _wrong(primary.secret), label="unknown key"), _judged_by_the_tests)


@requirement("CAP-TOK-01")
def test_valid_credentials_yield_a_token(target: TargetContext, profile: Profile) -> None:
    issued = target.issue("primary", judge=True)
    token_endpoint.status_is_pinned(issued.exchange, profile.expect.get("token_ok"), "valid credentials")


@requirement("CAP-TOK-01", level="SHOULD", basis=f"seen only in the token/generate sample answer ({OAUTH})")
def test_token_answer_has_the_sample_shape(target: TargetContext) -> None:
    """`ttlSeconds` a JSON integer and `errors` null beside the token: the sample's shape (the run's token)."""
    token_endpoint.success_body_has_documented_shape(target.token("primary").exchange)


@requirement("CAP-TOK-01", level="SHOULD")
def test_issued_token_is_sent_with_no_store(target: TargetContext) -> None:
    """RFC 6749 §5.1 asks for Cache-Control: no-store (not in the documented contract: SHOULD-level)."""
    token_endpoint.response_has_no_store(target.token("primary").exchange)


@requirement("CAP-TOK-02")
def test_wrong_secret_is_rejected_with_320001_and_no_token(wrong_secret_answer: Exchange, profile: Profile) -> None:
    token_endpoint.credentials_were_rejected_with_320001(wrong_secret_answer)
    token_endpoint.no_token_was_issued(wrong_secret_answer)
    token_endpoint.status_is_pinned(wrong_secret_answer, profile.expect.get("invalid_credentials"), "bad credentials")


@requirement("CAP-TOK-02")
def test_unknown_key_is_rejected_with_320001_and_no_token(unknown_key_answer: Exchange) -> None:
    token_endpoint.credentials_were_rejected_with_320001(unknown_key_answer)
    token_endpoint.no_token_was_issued(unknown_key_answer)


@requirement("CAP-TOK-02")
@pytest.mark.requires("restricted")
def test_key_of_one_client_with_secret_of_another_is_rejected(target: TargetContext, api: CapillaryApi,
                                                              profile: Profile) -> None:
    primary, other = profile.clients["primary"], profile.clients["restricted"]

    def rejected(answer: Exchange) -> None:
        token_endpoint.credentials_were_rejected_with_320001(answer)
        token_endpoint.no_token_was_issued(answer)

    target.negative_token_request(lambda: api.generate_token(primary.key, other.secret, label="crossed"), rejected)


@requirement("CAP-TOK-03")
def test_credentials_error_says_invalid_client_key_and_secret(wrong_secret_answer: Exchange) -> None:
    token_endpoint.credentials_error_message_is_documented(wrong_secret_answer)


@requirement("CAP-TOK-04")
def test_unknown_key_and_wrong_secret_answer_alike(wrong_secret_answer: Exchange, unknown_key_answer: Exchange) -> None:
    token_endpoint.answers_are_indistinguishable(wrong_secret_answer, unknown_key_answer)


@requirement("CAP-TOK-05")
def test_every_call_mints_a_different_token(target: TargetContext) -> None:
    issued = [target.token("primary"), *(target.issue("primary", label=f"uniqueness {n}") for n in range(2))]
    token_claims.tokens_are_distinct([i.claims.get("jti") for i in issued], [i.token for i in issued])


@requirement("CAP-TOK-08")
@pytest.mark.requires("deactivated")
def test_deactivated_client_gets_no_token(target: TargetContext, api: CapillaryApi, profile: Profile) -> None:
    retired = profile.clients["deactivated"]

    def rejected(answer: Exchange) -> None:
        token_endpoint.no_token_was_issued(answer)
        token_endpoint.credentials_were_rejected_with_320001(answer)

    target.negative_token_request(lambda: api.generate_token(retired.key, retired.secret, label="deactivated"),
                                  rejected)


@requirement("CAP-TOK-09")
def test_wrong_secret_is_not_echoed(api: CapillaryApi, profile: Profile) -> None:
    primary = profile.clients["primary"]
    probe = _wrong(primary.secret) + "-echo-probe"
    answer = api.generate_token(primary.key, probe, label="echo probe")
    token_endpoint.secret_is_not_echoed(answer, probe)
    token_endpoint.no_token_was_issued(answer)


@requirement("CAP-TOK-09")
def test_valid_secret_is_not_echoed(target: TargetContext, profile: Profile) -> None:
    token_endpoint.secret_is_not_echoed(target.token("primary").exchange, profile.clients["primary"].secret)


def _near_misses(secret: str) -> list[tuple[str, str]]:
    swapped = secret.swapcase() if secret.swapcase() != secret else secret + "A"
    lookalike = secret.replace("a", "\u0430", 1) if "a" in secret else "\u0430" + secret[1:]
    return [
        ("case-changed", swapped),
        ("last-char-cut", secret[:-1]),
        ("char-appended", secret + "0"),
        ("leading-space", " " + secret),
        ("trailing-space", secret + " "),
        ("trailing-newline", secret + "\n"),
        ("unicode-lookalike", lookalike),
        ("embedded-nul", secret[:5] + "\x00" + secret[5:]),
        ("fullwidth", "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in secret)),
    ]


NEAR_MISS_IDS = [name for name, _ in _near_misses("placeholder-secret")]


@requirement("CAP-TOK-10")
@pytest.mark.parametrize("variant", NEAR_MISS_IDS)
def test_near_miss_secret_is_rejected(target: TargetContext, api: CapillaryApi, profile: Profile,
                                      variant: str) -> None:
    role = target.spread(NEAR_MISS_IDS.index(variant))  # near misses of several clients' secrets
    client = profile.clients[role]
    near_miss = dict(_near_misses(client.secret))[variant]

    def rejected(answer: Exchange) -> None:
        token_endpoint.no_token_was_issued(answer)
        token_endpoint.credentials_were_rejected_with_320001(answer)

    target.negative_token_request(
        lambda: api.generate_token(client.key, near_miss, label=f"near-miss secret ({variant}, {role})"), rejected,
        role)
