"""negative cases 34 (payload half), 35 and 38-42: claims a verifier must check, not just decode.

The forged tokens keep the original header and signature (never re-signed): a server that
accepts one decodes claims without verifying them. Case 38 needs the server's own key, so it is
not a forgery here but a list of claim sets for `mint_with_private_key`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from conformance.forge.headers import with_duplicate_member
from conformance.forge.recipe import REMOVED, ForgeryInputs, Recipe, edited
from conformance.protocol import Outcome
from conformance.tokens import b64url_decode, b64url_encode

EXTENSION_SECONDS = 30 * 24 * 3600  # "exp extended": far past any TTL the contract allows (CAP-TOK-06)
# Common verifier leeways are 0-60 s; 120 s in the future is beyond any of them.
BEYOND_LEEWAY_SECONDS = 120
WIDENED_SCOPES = json.dumps(["*"])


def different_value(value: Any) -> Any:
    """A value of the same JSON type that differs from `value` (an absent claim becomes 1)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return f"{value}-forged"
    if value is None:
        return 1
    return "forged"


def _extended_exp(claims: Mapping[str, Any]) -> int:
    exp = claims.get("exp")
    return (exp if isinstance(exp, int) else 0) + EXTENSION_SECONDS


def _widened_scopes(claims: Mapping[str, Any]) -> str:
    # `scopes` is a JSON-encoded string (docs/contract.md section 2); a wildcard is the widest guess.
    return WIDENED_SCOPES if claims.get("scopes") != WIDENED_SCOPES else json.dumps(["*", "admin"])


def _case_changed(value: Any) -> str:
    text = str(value)
    return text.lower() if text.lower() != text else text.upper()


# A claim's new value, computed from the valid token's claims.
ClaimValue = Callable[[Mapping[str, Any]], Any]


def _changed(claim: str) -> ClaimValue:
    return lambda claims: different_value(claims.get(claim))


def _duplicate_claim(claim: str, value: ClaimValue) -> Recipe:
    def build(inputs: ForgeryInputs) -> str:
        duplicate = value(inputs.valid.claims)
        payload_text = with_duplicate_member(b64url_decode(inputs.payload_segment), claim, duplicate)
        return f"{inputs.header_segment}.{b64url_encode(payload_text)}.{inputs.signature_segment}"

    return Recipe(
        f"duplicate-{claim.replace('_', '-')}-in-payload",
        34,
        f"Payload text has {claim} twice, the original first, a changed value last; original signature kept",
        build,
    )


def _claims_changed(forgery_id: str, case: int, description: str, **changes: ClaimValue | Any) -> Recipe:
    """Original header and signature over claims with `changes` (callables get the valid claims)."""

    def build(inputs: ForgeryInputs) -> str:
        claims = inputs.valid.claims
        resolved = {name: change(claims) if callable(change) else change for name, change in changes.items()}
        return inputs.with_claims(inputs.claims_with(**resolved))

    return Recipe(forgery_id, case, f"{description}, original signature kept", build)


_REQUIRED_ONE_AT_A_TIME = ("client_id", "org_id", "sub", "jti", "token_use")

RECIPES: tuple[Recipe, ...] = (
    _duplicate_claim("exp", _extended_exp),
    _duplicate_claim("org_id", _changed("org_id")),
    _duplicate_claim("sub", _changed("sub")),
    _claims_changed("tamper-sub", 35, "sub changed", sub=_changed("sub")),
    _claims_changed("tamper-client-id", 35, "client_id changed", client_id=_changed("client_id")),
    _claims_changed("tamper-org-id", 35, "org_id changed (another tenant)", org_id=_changed("org_id")),
    _claims_changed("tamper-token-use", 35, "token_use changed", token_use=_changed("token_use")),
    _claims_changed("tamper-exp-extended", 35, "exp moved 30 days later", exp=_extended_exp),
    _claims_changed("tamper-default-till", 35, "default_till changed", default_till=_changed("default_till")),
    _claims_changed("tamper-scopes", 35, 'scopes widened to ["*"]', scopes=_widened_scopes),
    _claims_changed("iss-wrong", 39, 'iss "conformance-suite-issuer"', iss="conformance-suite-issuer"),
    _claims_changed("iss-missing", 39, "No iss claim", iss=REMOVED),
    _claims_changed("iss-lowercase", 39, "iss in another letter case", iss=lambda claims: _case_changed(claims["iss"])),
    _claims_changed("iss-trailing-space", 39, "iss with a trailing space", iss=lambda claims: f"{claims.get('iss')} "),
    *(
        _claims_changed(f"missing-{claim.replace('_', '-')}", 40, f"No {claim} claim", **{claim: REMOVED})
        for claim in _REQUIRED_ONE_AT_A_TIME
    ),
    _claims_changed("org-id-as-string", 41, "org_id as a JSON string", org_id=lambda claims: str(claims.get("org_id"))),
    _claims_changed("client-id-as-array", 41, "client_id as a one-element array",
                    client_id=lambda claims: [claims.get("client_id")]),
    _claims_changed("client-id-as-object", 41, 'client_id as {"id": client_id}',
                    client_id=lambda claims: {"id": claims.get("client_id")}),
    _claims_changed("org-id-null", 41, "org_id null", org_id=None),
    _claims_changed("sub-as-array", 41, "sub as a one-element array", sub=lambda claims: [claims.get("sub")]),
    # Claim values, not passwords: S106 flags any argument whose name contains "token".
    _claims_changed("token-use-refresh", 42, 'token_use "token_refresh"', token_use="token_refresh"),  # noqa: S106
    _claims_changed("token-use-id", 42, 'token_use "token_id"', token_use="token_id"),  # noqa: S106
)


def claims_variants_for_case_38(base_claims: Mapping[str, Any], now: int) -> list[tuple[str, dict[str, Any], str]]:
    """(id, claims, expected outcome) to mint with the server's key: time claims, judged at `now`.

    `now` is the *server's* clock (measured by the suite). Every variant gets `iat = now`, the
    base token's lifetime, and its own jti (so a server with replay protection does not reject the
    accepting variants for the wrong reason); then one time claim is broken.

    Not included: `exp` far in the future (> 2038). A token carrying the server's own valid
    signature is one the server issued; the contract has no rule that a verifier must re-check
    `exp - iat` against the client's TTL, so rejecting it cannot be justified as a MUST.
    `exp` as a float is valid NumericDate in RFC 7519 but docs/contract.md CAP-JWT-02 fixes int.
    """
    exp, iat = base_claims.get("exp"), base_claims.get("iat")
    lifetime = exp - iat if isinstance(exp, int) and isinstance(iat, int) and exp > iat else 3600
    fresh = edited(base_claims, iat=now, exp=now + lifetime)
    later = now + BEYOND_LEEWAY_SECONDS
    reject, accept = Outcome.REJECT_TOKEN.value, Outcome.ACCEPT.value
    variants: list[tuple[str, dict[str, Any], str]] = [
        ("exp-missing", edited(fresh, exp=REMOVED), reject),
        ("exp-string", edited(fresh, exp=str(now + lifetime)), reject),
        ("exp-float", edited(fresh, exp=now + lifetime + 0.5), reject),
        ("exp-negative", edited(fresh, exp=-1), reject),
        ("exp-zero", edited(fresh, exp=0), reject),
        ("exp-null", edited(fresh, exp=None), reject),
        ("iat-future-beyond-leeway", edited(fresh, iat=later, exp=later + lifetime), reject),
        ("nbf-future-beyond-leeway", edited(fresh, nbf=later), reject),
        ("iat-within-leeway", fresh, accept),
        ("nbf-within-leeway", edited(fresh, nbf=now), accept),
    ]
    base_jti = str(base_claims.get("jti", ""))
    return [
        (variant_id, edited(claims, jti=_variant_jti(base_jti, variant_id)), outcome)
        for variant_id, claims, outcome in variants
    ]


def _variant_jti(base_jti: str, variant_id: str) -> str:
    return b64url_encode(hashlib.sha256(f"{base_jti}/{variant_id}".encode()).digest()[:16])
