"""Checks over an issued token's header and claims. One fact each; no I/O."""

from __future__ import annotations

import re
from typing import Any

from conformance.checks.failures import ConformanceFailure
from conformance.exchange import Exchange

REQUIRED_CLAIM_TYPES: dict[str, type] = {
    "iss": str, "exp": int, "iat": int, "jti": str, "sub": str, "client_id": int, "org_id": int, "token_use": str,
}
_B64URL_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def is_compact_jws(token: str, exchange: Exchange | None = None) -> None:
    parts = token.split(".")
    if len(parts) != 3 or not all(_B64URL_SEGMENT.fullmatch(p) for p in parts):
        raise ConformanceFailure("is_compact_jws", "three non-empty base64url segments",
                                 f"{len(parts)} segments", exchange)


def header_alg_is_rs256_with_kid(header: dict[str, Any], exchange: Exchange | None = None) -> None:
    if header.get("alg") != "RS256":
        raise ConformanceFailure("header_alg_is_rs256_with_kid", "alg RS256", repr(header.get("alg")), exchange)
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise ConformanceFailure("header_alg_is_rs256_with_kid", "a non-empty kid", repr(header.get("kid")), exchange)


def required_claims_have_documented_types(claims: dict[str, Any], exchange: Exchange | None = None) -> None:
    problems = []
    for name, kind in REQUIRED_CLAIM_TYPES.items():
        value = claims.get(name)
        if name not in claims:
            problems.append(f"{name} missing")
        elif not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"{name} is {type(value).__name__}")
    if problems:
        raise ConformanceFailure("required_claims_have_documented_types",
                                 "iss, jti, sub, token_use strings; exp, iat, client_id, org_id integers",
                                 "; ".join(problems), exchange)


def token_use_is_access(claims: dict[str, Any], exchange: Exchange | None = None) -> None:
    if claims.get("token_use") != "token_access":
        raise ConformanceFailure("token_use_is_access", "'token_access'", repr(claims.get("token_use")), exchange)


def issuer_is(claims: dict[str, Any], issuer: str, exchange: Exchange | None = None) -> None:
    if claims.get("iss") != issuer:
        raise ConformanceFailure("issuer_is", repr(issuer), repr(claims.get("iss")), exchange)


def iat_is_server_now(claims: dict[str, Any], server_now: float, tolerance: float,
                      exchange: Exchange | None = None) -> None:
    iat = claims.get("iat")
    if not isinstance(iat, int) or abs(iat - server_now) > tolerance:
        raise ConformanceFailure("iat_is_server_now", f"within {tolerance:.1f} s of server time {server_now:.0f}",
                                 repr(iat), exchange)


def exp_is_after_iat(claims: dict[str, Any], exchange: Exchange | None = None) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not (isinstance(exp, int) and isinstance(iat, int) and exp > iat):
        raise ConformanceFailure("exp_is_after_iat", "exp > iat", f"exp={exp!r}, iat={iat!r}", exchange)


def ttl_seconds_matches_exp_minus_iat(ttl: Any, claims: dict[str, Any], exchange: Exchange | None = None) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int) or ttl != exp - iat:
        raise ConformanceFailure("ttl_seconds_matches_exp_minus_iat", f"exp - iat = {_diff(exp, iat)}",
                                 f"ttlSeconds={ttl!r}", exchange)


def ttl_seconds_is_clients_expiry(ttl: Any, expiry_seconds: int, maximum: int,
                                  exchange: Exchange | None = None) -> None:
    if ttl != expiry_seconds:
        raise ConformanceFailure("ttl_seconds_is_clients_expiry", f"the client's expiry {expiry_seconds}",
                                 repr(ttl), exchange)
    if not isinstance(ttl, int) or ttl > maximum:
        raise ConformanceFailure("ttl_seconds_is_clients_expiry", f"at most {maximum}", repr(ttl), exchange)


def tokens_are_distinct(jtis: list[Any], tokens: list[str]) -> None:
    """CAP-TOK-05: different tokens, and different jti values where the tokens carry one."""
    carried = [jti for jti in jtis if jti is not None]
    if len(set(tokens)) != len(tokens) or len(set(map(str, carried))) != len(carried):
        raise ConformanceFailure("tokens_are_distinct", f"{len(tokens)} different tokens and jti values",
                                 f"{len(set(tokens))} distinct tokens, {len(set(map(str, jtis)))} distinct jti")


def claims_name_the_client(claims: dict[str, Any], org_id: int, exchange: Exchange | None = None) -> None:
    if org_id and claims.get("org_id") != org_id:
        raise ConformanceFailure("claims_name_the_client", f"org_id {org_id} (profile)",
                                 repr(claims.get("org_id")), exchange)


def _diff(exp: Any, iat: Any) -> Any:
    return exp - iat if isinstance(exp, int) and isinstance(iat, int) else "n/a"


_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def jwks_is_hygienic(jwks: Any, exchange: Exchange | None = None) -> None:
    """negative case 51: a published JWKS holds public RSA keys only, unique kids, >= 2048 bits, use=sig."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
        raise ConformanceFailure("jwks_is_hygienic", '{"keys": [ ...JWK objects ]}', _short_type(jwks), exchange)
    problems = []
    kids = [k.get("kid") for k in keys]
    if len(set(map(str, kids))) != len(kids):
        problems.append(f"duplicate kid among {kids}")
    for key in keys:
        name = key.get("kid", "?")
        private = [m for m in _PRIVATE_JWK_MEMBERS if m in key]
        if private:
            problems.append(f"{name}: private or symmetric members {private}")
        if key.get("kty") != "RSA":
            problems.append(f"{name}: kty {key.get('kty')!r}")
        elif _modulus_bits(key.get("n")) < 2048:
            problems.append(f"{name}: RSA modulus of {_modulus_bits(key.get('n'))} bits")
        if key.get("use", "sig") != "sig":
            problems.append(f"{name}: use {key.get('use')!r}")
    if problems:
        raise ConformanceFailure("jwks_is_hygienic", "public RSA signing keys of 2048+ bits, unique kids",
                                 "; ".join(problems), exchange)


def _modulus_bits(n: Any) -> int:
    import base64

    if not isinstance(n, str):
        return 0
    try:
        raw = base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))
    except ValueError:
        return 0
    return int.from_bytes(raw, "big").bit_length()


def _short_type(value: Any) -> str:
    return type(value).__name__
