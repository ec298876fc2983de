"""The CAP-… requirement catalogue: id → level, area, title, and the basis of its level.

The rule that keeps certification fair: a requirement (or one case of it) is MUST only when a
public Capillary source states the behaviour, or when getting it wrong is a security or
data-integrity hole. Everything else is SHOULD, an observation, or a choice a profile declares
(`[behaviour]`, then MUST for that profile). Each row carries its basis: the page that says
so, or the security reason. The tables of `docs/contract.md` are rendered from this one
(`python -m conformance.requirements --write`).
"""

from __future__ import annotations

import enum
import re
import sys
from dataclasses import dataclass
from pathlib import Path


class Level(enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    # "What this target does": recorded in the summary, never a verdict (not even under --strict).
    OBSERVATION = "OBSERVATION"


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    area: str
    title: str
    url: str
    basis: str


OAUTH = "https://docs.capillarytech.com/reference/oauth"
FLOWS = "https://docs.capillarytech.com/docs/authorization-flows"
API_CLIENT = "https://docs.capillarytech.com/docs/api-client"
V11_INDEX = "https://github.com/Capillary/v1.1-API-Documentation/blob/master/source/index.html.md"
V11_CUSTOMER = "https://github.com/Capillary/v1.1-API-Documentation/blob/master/source/includes/_customer.md"
V2_RELEASES = "https://github.com/Capillary/api-documentation/blob/master/source/index.html.md"

AREAS = {
    "TOK": "Token generation",
    "JWT": "The token",
    "USE": "Calling APIs with the token",
    "TILL": "Till attribution",
    "BASIC": "Basic authentication",
}

# Reasons used as the basis of a MUST that no page states.
SECURITY_FORGERY = "security: a forged, tampered or unverified token must never authenticate"
SECURITY_CREDENTIALS = "security: only the exact, active credentials may obtain a token"
SECURITY_ECHO = "security: a secret echoed in an answer leaks into logs and proxies"
SECURITY_TENANT = "security: one org's token must never reach another org's data (OWASP API1)"
INTEGRITY_TILL = "data integrity: a write must never be attributed to a till the client's org does not own"
SECURITY_CRASH = "security: attacker-controlled input must not crash the endpoint (CWE-248) or authenticate"
SAMPLE_TOKEN = (f"seen only in the docs' sample tokens ({OAUTH}); MUST where the profile declares "
                "[behaviour] sample_token_shape = true")

_ROWS: tuple[tuple[str, Level, str, str, str], ...] = (
    ("CAP-TOK-01", Level.MUST, "Valid key and secret yield a token", OAUTH,
     f"documented: the token/generate API generates an access token (a JWT) for the client's key and secret "
     f"({OAUTH}); the rest of the answer's shape is seen only in its sample (SHOULD)"),
    ("CAP-TOK-02", Level.MUST, "Wrong, unknown or crossed credentials get 320001 and no token", OAUTH,
     f"documented: code 320001 ({OAUTH}); no token: {SECURITY_CREDENTIALS}"),
    ("CAP-TOK-03", Level.SHOULD, "The credentials error says 'Invalid client key and secret'", OAUTH,
     f"documented message ({OAUTH}); wording is not a security property"),
    ("CAP-TOK-04", Level.SHOULD, "Unknown key and wrong secret answer alike (no client enumeration)", OAUTH,
     "decided: OWASP API2 / CWE-204; the docs are silent"),
    ("CAP-TOK-05", Level.MUST, "Every call mints a different token", OAUTH,
     f"documented: every generation returns a new token ({OAUTH})"),
    ("CAP-TOK-06", Level.MUST, "ttlSeconds is the client's expiry, within the maximum, and agrees with exp - iat",
     API_CLIENT, f"documented: token validity is the client's 'Token expiry duration', 60 minutes at most "
     f"({API_CLIENT}, {OAUTH})"),
    ("CAP-TOK-07", Level.MUST, "Malformed token requests never yield a token nor crash", OAUTH, SECURITY_CRASH),
    ("CAP-TOK-08", Level.MUST, "A deactivated client's credentials yield no token", API_CLIENT,
     f"{SECURITY_CREDENTIALS} (clients can be deactivated: {API_CLIENT})"),
    ("CAP-TOK-09", Level.MUST, "No response echoes the secret", OAUTH, SECURITY_ECHO),
    ("CAP-TOK-10", Level.MUST, "Near-miss secrets are rejected: the comparison is exact", OAUTH,
     SECURITY_CREDENTIALS),
    ("CAP-JWT-01", Level.MUST, "The token is a compact JWS (alg RS256 and a kid where the profile declares it)",
     OAUTH, f"documented: the access token is a JWT ({OAUTH}); RS256 and kid are {SAMPLE_TOKEN}"),
    ("CAP-JWT-02", Level.SHOULD, "The sample tokens' claims are present with their types", OAUTH, SAMPLE_TOKEN),
    ("CAP-JWT-03", Level.SHOULD, "iat is the server's time and exp is after it", OAUTH, SAMPLE_TOKEN),
    ("CAP-JWT-04", Level.MUST, "The signature verifies with the published or recovered public key", OAUTH,
     "security: a token that does not verify with the issuer's key is a forgery; checked only with a key"),
    ("CAP-USE-01", Level.MUST, "A fresh valid token is accepted", OAUTH,
     f"documented: X-CAP-API-OAUTH-TOKEN carries the token ({OAUTH}, {V11_INDEX})"),
    ("CAP-USE-02", Level.MUST, "Missing, malformed, tampered or forged tokens get 401, no data, no side effect",
     FLOWS, f"documented: invalid token → 401 Unauthorized ({FLOWS}); {SECURITY_FORGERY}"),
    ("CAP-USE-03", Level.MUST, "An expired token gets 498", FLOWS,
     f"documented: error code 498, 'token need to be generated again' ({FLOWS})"),
    ("CAP-USE-04", Level.SHOULD, "The 498 message names the token's exp", FLOWS,
     f"documented sample message 'Token expired at …' ({FLOWS})"),
    ("CAP-USE-05", Level.MUST, "After a 498, a regenerated token succeeds", OAUTH,
     f"documented: 'If a token expires, you can regenerate it using the same API' ({OAUTH})"),
    ("CAP-USE-06", Level.MUST, "A resource the client may not use gets 403, no data, no side effect", API_CLIENT,
     f"documented: 403 / access-group 4000 ({FLOWS}, {API_CLIENT}); an unpermitted write is a security hole"),
    ("CAP-USE-07", Level.SHOULD, "Header names are case-insensitive", FLOWS,
     "RFC 9110 section 5.1 (field names are case-insensitive); proxies may re-case them"),
    ("CAP-USE-08", Level.MUST, "A token of one org never reads or writes another org's data", API_CLIENT,
     SECURITY_TENANT),
    ("CAP-TILL-01", Level.MUST, "Without a till header, writes go to the client's default till", FLOWS,
     f"documented: the default till is the fallback for data operations ({FLOWS}, {V11_INDEX})"),
    ("CAP-TILL-02", Level.MUST, "A valid till in the profile's till header overrides the default till", FLOWS,
     f"documented: X-CAP-API-ATTRIBUTION-TILL-CODE is the 'Till code from which you want to POST data', the "
     f"client's till only when it is not passed ({FLOWS}); ENTITY-TYPE/CODE name a till too ({V11_INDEX})"),
    ("CAP-TILL-03", Level.MUST, "An invalid till is refused (91021/91020) or falls back; never stored", V11_CUSTOMER,
     f"documented codes 91021/91020 ({V11_CUSTOMER}); {INTEGRITY_TILL}"),
    ("CAP-TILL-04", Level.SHOULD, "The other till header forms work (ENTITY-TYPE/CODE, TILL-CODE)", V11_INDEX,
     f"documented: ENTITY-TYPE/CODE replaced TILL-CODE, default type TILL ({V2_RELEASES}, {V11_INDEX}); "
     "MUST for the forms the profile lists in [behaviour] till_headers"),
    ("CAP-BASIC-01", Level.MUST, "Correct till credentials are accepted while basic auth is enabled", V11_INDEX,
     f"documented: basic auth with till code and md5 password ({V11_INDEX})"),
    ("CAP-BASIC-02", Level.MUST, "A wrong till password is rejected with 401", V11_INDEX,
     f"documented code 401 ({V11_INDEX}); {SECURITY_CREDENTIALS}"),
    ("CAP-BASIC-03", Level.MUST, "With basic auth disabled, even correct till credentials are rejected", FLOWS,
     f"documented: basic auth can be disabled per org ({FLOWS}); {SECURITY_CREDENTIALS}"),
)

REQUIREMENTS: dict[str, Requirement] = {
    rid: Requirement(rid, level, AREAS[rid.split("-")[1]], title, url, basis)
    for rid, level, title, url, basis in _ROWS
}
MUST_REQUIREMENTS = tuple(rid for rid, row in REQUIREMENTS.items() if row.level is Level.MUST)


def markdown_table() -> str:
    """The catalogue as the contract's requirement table (docs/contract.md)."""
    lines = ["| id | level | requirement | basis |", "|---|---|---|---|"]
    lines += [f"| {r.id} | {r.level.value} | {r.title} | {r.basis} |" for r in REQUIREMENTS.values()]
    return "\n".join(lines)


CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "contract.md"


def render_contract(text: str) -> str:
    """docs/contract.md with both requirement tables filled in from the catalogues."""
    from conformance.judge.requirements import markdown_table as client_table

    for marker, table in (("requirements", markdown_table()), ("client-requirements", client_table())):
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        text = re.sub(f"{re.escape(start)}.*?{re.escape(end)}", f"{start}\n{table}\n{end}".replace("\\", "\\\\"),
                      text, flags=re.S)
    return text


def main(argv: list[str] | None = None) -> int:
    """`python -m conformance.requirements [--write]`: print the table (or rewrite docs/contract.md's tables)."""
    if argv is None:
        argv = sys.argv[1:]
    if "--write" in argv:
        CONTRACT.write_text(render_contract(CONTRACT.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(markdown_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
