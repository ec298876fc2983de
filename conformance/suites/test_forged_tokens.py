"""docs/contract.md CAP-USE-02: forged, tampered and malformed tokens get 401, no data, no side effect.

negative cases 20-35 and 39-42, built by `conformance.forge` from one fresh valid token,
deterministically from the run's seed; case 38 (reference targets only) mints with the server's
own key. Each attack is a write, framed by positive controls with the untouched token, and
followed by a read proving nothing was stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks import resources
from conformance.client import CapillaryApi
from conformance.context import WRITING_ROLES, TargetContext
from conformance.forge import (
    FORGERY_IDS,
    Forgery,
    claims_variants_for_case_38,
    forge_all,
    mint_with_private_key,
    recipe_for,
    requires_public_key,
)
from conformance.profiles import Profile
from conformance.tokens import b64url_decode, b64url_encode

requirement = pytest.mark.requirement


# Rate limits are per API key: the attacks of different ATTACKS cases are forged from the tokens
# of different clients that may write customers (WRITING_ROLES), so their requests count on
# different keys and a rate-limited run is paced by the busiest key, not by one key carrying every attack.
ATTACK_CASES = sorted({recipe_for(fid).case for fid in FORGERY_IDS})


@pytest.fixture(scope="module")
def forgeries(target: TargetContext, seed: int, public_key: Any) -> Callable[[str], dict[str, Forgery]]:
    """The forgeries built from one role's token, made once per role when first asked for."""
    made: dict[str, dict[str, Forgery]] = {}

    def of(role: str) -> dict[str, Forgery]:
        if role not in made:
            made[role] = {f.id: f for f in forge_all(target.token(role).token, seed=seed, public_key=public_key)}
        return made[role]

    return of


def attack_with(target: TargetContext, api: CapillaryApi, token: str, mobile: str, label: str,
                role: str = "primary") -> None:
    """A write with the attack token: refused, framed by reads of that customer (nothing stored)."""
    target.negative_write(mobile, lambda: api.customer_add(token, mobile, label=label),
                          resources.token_was_rejected_as_invalid, role)


# Forgeries no HTTP client can put in a header (RFC 9110 field values exclude CR/LF): they cannot
# reach a server, so they are not sent (README: "Attack cases not run").
NOT_SENDABLE = {"embedded-newline"}


# Not forgeries: the same decoded bytes in a non-canonical encoding. Accepting them lets no altered
# token through, so refusing is recommended (RFC 7515 base64url has no padding), not required.
NONCANONICAL = {"padding-equals"}
_NONCANONICAL_BASIS = ("undocumented: '=' padding on a segment decodes to the genuine token's bytes "
                       "(negative case 20); RFC 7515 recommends refusing it")


def _params() -> list[Any]:
    params = []
    for fid in FORGERY_IDS:
        if fid in NOT_SENDABLE:
            continue
        marks: list[Any] = [pytest.mark.requires("public_key")] if requires_public_key(fid) else []
        if fid in NONCANONICAL:
            marks.append(requirement("CAP-USE-02", level="SHOULD", basis=_NONCANONICAL_BASIS,
                                     pinned_by="noncanonical_tokens"))
        params.append(pytest.param(fid, marks=marks, id=fid))
    return params


@requirement("CAP-USE-02")
@pytest.mark.parametrize("forgery_id", _params())
def test_forged_token_is_rejected(target: TargetContext, api: CapillaryApi, profile: Profile,
                                  forgeries: Callable[[str], dict[str, Forgery]], unique_mobile: Callable[[], str],
                                  forgery_id: str) -> None:
    role = target.spread(ATTACK_CASES.index(recipe_for(forgery_id).case), WRITING_ROLES)
    forgery = forgeries(role)[forgery_id]
    attack_with(target, api, forgery.token, unique_mobile(), f"forged token: {forgery.id} (case {forgery.case})",
                role)


@pytest.fixture(scope="module")
def signing_key(profile: Profile) -> Any:
    assert profile.signing_key_file is not None
    return load_pem_private_key(profile.signing_key_file.read_bytes(), password=None)


CASE_38_IDS = [variant_id for variant_id, _claims, _expects in claims_variants_for_case_38(
    {"iss": "x", "exp": 2, "iat": 1, "jti": "j", "sub": "s", "client_id": 1, "org_id": 1, "token_use": "t"}, 1)]


@requirement("CAP-USE-02")
@pytest.mark.reference_only
@pytest.mark.requires("mint_tokens")
@pytest.mark.parametrize("variant_id", CASE_38_IDS)
def test_minted_token_with_bad_time_claims_is_judged_correctly(target: TargetContext, api: CapillaryApi,
                                                               signing_key: Any, unique_mobile: Callable[[], str],
                                                               variant_id: str) -> None:
    """negative case 38: a correctly signed token whose time claims are wrong."""
    role = target.spread(CASE_38_IDS.index(variant_id), WRITING_ROLES)
    base = target.token(role)
    variants = {v: (claims, expects) for v, claims, expects in
                claims_variants_for_case_38(dict(base.claims), int(target.clock.now()))}
    claims, expects = variants[variant_id]
    token = mint_with_private_key(signing_key, str(base.header.get("kid", "")), claims)
    target.redactor.add(token)
    mobile = unique_mobile()
    if expects == "accept":
        resources.call_was_accepted(api.customer_get(token, mobile, label=f"minted: {variant_id}"))
    else:
        attack_with(target, api, token, mobile, f"minted: {variant_id}", role)


def _without(claims: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k != name}


# Correctly signed tokens whose claims are wrong: only a server that checks claims rejects them.
# Each edit takes the valid claims and another org's id.
CLAIM_EDITS: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
    "iss-wrong": lambda c, _: {**c, "iss": "NotCapillary"},
    "token-use-refresh": lambda c, _: {**c, "token_use": "token_refresh"},
    "org-id-of-another-org": lambda c, other_org: {**c, "org_id": other_org},
    "sub-of-another-client": lambda c, _: {**c, "sub": "someone_else"},
    "client-id-unknown": lambda c, _: {**c, "client_id": 987654321},
    "org-id-as-string": lambda c, _: {**c, "org_id": str(c["org_id"])},
    "jti-missing": lambda c, _: _without(c, "jti"),
    "token-use-missing": lambda c, _: _without(c, "token_use"),
}
MINTED_CLAIM_IDS = list(CLAIM_EDITS)


@requirement("CAP-USE-02")
@pytest.mark.reference_only
@pytest.mark.requires("mint_tokens")
@pytest.mark.parametrize("variant_id", MINTED_CLAIM_IDS)
def test_correctly_signed_token_with_wrong_claims_is_rejected(target: TargetContext, api: CapillaryApi,
                                                              profile: Profile, signing_key: Any,
                                                              unique_mobile: Callable[[], str],
                                                              variant_id: str) -> None:
    """Catches servers that verify the signature but then trust the claims (iss, token_use, org, client)."""
    role = target.spread(MINTED_CLAIM_IDS.index(variant_id), WRITING_ROLES)
    base = target.token(role)
    own_org = profile.clients[role].org_id
    other_org = next((c.org_id for c in profile.clients.values() if c.org_id != own_org), own_org + 1)
    claims = CLAIM_EDITS[variant_id](dict(base.claims), other_org)
    token = mint_with_private_key(signing_key, str(base.header.get("kid", "")), claims)
    target.redactor.add(token)
    attack_with(target, api, token, unique_mobile(), f"minted with wrong claims: {variant_id}", role)


@requirement("CAP-USE-02")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_change_to_the_decoded_bytes_is_rejected(target: TargetContext, api: CapillaryApi,
                                                     data: st.DataObject) -> None:
    """idea D13 of the negative-case catalogue/case 21: mutate *decoded* bytes of one segment, re-encode canonically."""
    token = target.token().token
    segments = token.split(".")
    index = data.draw(st.integers(0, 2), label="segment")
    raw = bytearray(b64url_decode(segments[index]))
    if raw:
        position = data.draw(st.integers(0, len(raw) - 1), label="byte")
        raw[position] ^= data.draw(st.integers(1, 255), label="xor")
    else:  # an empty segment (a target's token with no signature): any byte is a change
        raw.append(data.draw(st.integers(0, 255), label="byte"))
    segments[index] = b64url_encode(bytes(raw))
    answer = api.customer_get(".".join(segments), target.known_customer(), label="mutated token")
    resources.token_was_rejected_as_invalid(answer)
