"""The CAP-… requirement catalogue of SPEC.md: id → level, area, title, documentation URL."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    area: str
    title: str
    url: str


_OAUTH = "https://docs.capillarytech.com/reference/oauth"
_FLOWS = "https://docs.capillarytech.com/docs/authorization-flows"
_CLIENT = "https://docs.capillarytech.com/docs/api-client"
_V11 = "https://github.com/Capillary/v1.1-API-Documentation"

AREAS = {
    "TOK": "Token generation",
    "JWT": "The token",
    "USE": "Calling APIs with the token",
    "TILL": "Till attribution",
    "BASIC": "Basic authentication",
}

_ROWS: tuple[tuple[str, Level, str, str], ...] = (
    ("CAP-TOK-01", Level.MUST, "Valid key and secret yield a token and its ttlSeconds", _OAUTH),
    ("CAP-TOK-02", Level.MUST, "Wrong, unknown or crossed credentials get 320001 and no token", _OAUTH),
    ("CAP-TOK-03", Level.SHOULD, "The credentials error says 'Invalid client key and secret'", _OAUTH),
    ("CAP-TOK-04", Level.SHOULD, "Unknown key and wrong secret answer alike (no client enumeration)", _OAUTH),
    ("CAP-TOK-05", Level.MUST, "Every call mints a different token (distinct jti)", _OAUTH),
    ("CAP-TOK-06", Level.MUST, "ttlSeconds equals exp - iat and the client's expiry, within the maximum", _CLIENT),
    ("CAP-TOK-07", Level.MUST, "Malformed token requests never yield a token nor a 5xx", _OAUTH),
    ("CAP-TOK-08", Level.MUST, "A deactivated client's credentials yield no token", _CLIENT),
    ("CAP-TOK-09", Level.MUST, "No response echoes the secret", _OAUTH),
    ("CAP-TOK-10", Level.MUST, "Near-miss secrets are rejected: the comparison is exact", _OAUTH),
    ("CAP-JWT-01", Level.MUST, "The token is a compact RS256 JWS with a kid", _FLOWS),
    ("CAP-JWT-02", Level.MUST, "The documented claims are present with the right types", _FLOWS),
    ("CAP-JWT-03", Level.MUST, "iat is the server's time and exp is after it", _FLOWS),
    ("CAP-JWT-04", Level.MUST, "The signature verifies with the published public key", _FLOWS),
    ("CAP-USE-01", Level.MUST, "A fresh valid token is accepted", _FLOWS),
    ("CAP-USE-02", Level.MUST, "Missing, malformed, tampered or forged tokens get 401, no data, no side effect",
     _FLOWS),
    ("CAP-USE-03", Level.MUST, "An expired token gets 498", _FLOWS),
    ("CAP-USE-04", Level.SHOULD, "The 498 message names the token's exp", _FLOWS),
    ("CAP-USE-05", Level.MUST, "After a 498, a regenerated token succeeds", _FLOWS),
    ("CAP-USE-06", Level.MUST, "A resource the client may not use gets 403, no data, no side effect", _CLIENT),
    ("CAP-USE-07", Level.SHOULD, "Header names are case-insensitive", _FLOWS),
    ("CAP-USE-08", Level.MUST, "A token of one org never reads or writes another org's data", _CLIENT),
    ("CAP-TILL-01", Level.MUST, "Without a till header, writes go to the client's default till", _FLOWS),
    ("CAP-TILL-02", Level.MUST, "A valid till header overrides the default till", _FLOWS),
    ("CAP-TILL-03", Level.MUST, "An unknown till is an error (91021) or falls back to the default till", _V11),
    ("CAP-TILL-04", Level.SHOULD, "The seed's till header and the ENTITY-TYPE/CODE form work too", _FLOWS),
    ("CAP-BASIC-01", Level.MUST, "Correct till credentials are accepted while basic auth is enabled", _FLOWS),
    ("CAP-BASIC-02", Level.MUST, "A wrong till password is rejected with 401", _FLOWS),
    ("CAP-BASIC-03", Level.MUST, "With basic auth disabled, even correct till credentials are rejected", _FLOWS),
)

REQUIREMENTS: dict[str, Requirement] = {
    rid: Requirement(rid, level, AREAS[rid.split("-")[1]], title, url) for rid, level, title, url in _ROWS
}


def requirement(rid: str) -> Requirement:
    try:
        return REQUIREMENTS[rid]
    except KeyError:
        raise KeyError(f"unknown requirement id {rid!r}; known: {', '.join(REQUIREMENTS)}") from None
