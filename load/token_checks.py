"""Cheap checks of token-endpoint answers, fit for the hot path (pure: no locust import).

No signature verification here: a load run checks that every answer is well formed, and the
conformance suite proves the signature. The algorithm is not checked either: RS256 is what the
docs' sample tokens use, a SHOULD the suite reports, not a reason to fail a load gate.
Problems are short phrases that never quote the token.
"""

from __future__ import annotations

from typing import Any

import jwt

from conformance.checks import predicates
from conformance.protocol import access_token, ttl_seconds


def token_claims(token: str) -> dict[str, Any] | None:
    """The unverified claims, or None if the token is not a decodable compact JWS."""
    if token.count(".") != 2:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims, dict) else None


def expires_at(token: str) -> float | None:
    claims = token_claims(token)
    exp = claims.get("exp") if claims else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def issued_token_problem(status: int, body: Any) -> str | None:
    """Why a valid-credential answer is not a well-formed token, or None when it is: the suite's
    own predicates (CAP-TOK-01), plus the decodable payload and ttlSeconds = exp - iat."""
    problem = predicates.token_issued_problem(status, body) or predicates.success_shape_problem(status, body)
    if problem:
        return problem
    token = access_token(body) or ""
    claims = token_claims(token)
    if claims is None:
        return "token payload does not decode"
    # exp and iat are known from the docs' sample tokens only: where a token has them, they agree.
    exp, iat, ttl = claims.get("exp"), claims.get("iat"), ttl_seconds(body)
    if type(exp) is int and type(iat) is int and ttl != exp - iat:
        return f"ttlSeconds {ttl} differs from exp - iat = {exp - iat}"
    return None


def rejected_credentials_problem(status: int, body: Any) -> str | None:
    """Why an invalid-credential answer is not the documented 320001 rejection, or None."""
    return predicates.credentials_rejected_problem(status, body)
