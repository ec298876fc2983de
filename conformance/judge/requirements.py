"""CAP-CLI-01..10: what an integration (an API client of the flow) must do, with level and basis.

The same fairness rule as the server side (docs/contract.md): MUST only where a public Capillary source
states the behaviour or getting it wrong is a security hole; throttling manners are SHOULD;
good practice the docs do not ask for is an observation. `integrator` is what the requirement
means for someone writing a client: the README's table is rendered from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MUST, SHOULD, OBSERVATION = "MUST", "SHOULD", "observation"
AREA = "The client side"

OAUTH = "https://docs.capillarytech.com/reference/oauth"
FLOWS = "https://docs.capillarytech.com/docs/authorization-flows"
RATE_LIMITS = "https://docs.capillarytech.com/docs/api-client"
RFC9110_RETRY_AFTER = "https://www.rfc-editor.org/rfc/rfc9110#field.retry-after"
# " (URL, URL)" in a basis: the README's copy of the table names its sources in docs/contract.md instead.
_CITED_URLS = re.compile(r" \((?:https?://[^\s,()]+(?:, )?)+\)")


@dataclass(frozen=True)
class ClientRequirement:
    id: str
    level: str  # MUST | SHOULD | observation (CAP-CLI-09: MUST where the profile declares the till)
    title: str
    basis: str
    url: str
    integrator: str


_ROWS = (
    ClientRequirement(
        "CAP-CLI-01", MUST, "Tokens are requested with POST /v3/oauth/token/generate and a JSON {key, secret} body",
        f"documented ({OAUTH})", OAUTH,
        "Ask for tokens exactly as documented: POST, JSON body with `key` and `secret`, nothing else."),
    ClientRequirement(
        "CAP-CLI-02", MUST, "Every API call carries the current token in X-CAP-API-OAUTH-TOKEN",
        f"documented ({OAUTH}, {FLOWS})", FLOWS,
        "Send the token you were issued in `X-CAP-API-OAUTH-TOKEN` on every call (not as Bearer, "
        "not a token from elsewhere)."),
    ClientRequirement(
        "CAP-CLI-03", MUST, "After a 498 the client generates a new token and never sends the expired token again",
        f"documented: 'if API response gives error code 498, token need to be generated again' ({FLOWS})", FLOWS,
        "On 498, generate a new token before the next call, then retry or report the call; never resend "
        "the dead token."),
    ClientRequirement(
        "CAP-CLI-04", MUST, "The secret appears only in the token request body: never in a URL, a header or another "
        "call", "security: URLs and headers end up in proxy, server and APM logs", OAUTH,
        "Your secret goes in one place only: the JSON body of token/generate. Not in query strings, "
        "headers (debug or log headers included) or other calls."),
    ClientRequirement(
        "CAP-CLI-05", SHOULD, "A token is reused until it expires: one generation per token lifetime per process, "
        "plus one per 498", "rate limits are per key (100/min on demo clusters); industry practice", RATE_LIMITS,
        "Cache the token and reuse it; a token per call spends the key's rate limit on token/generate. "
        "Renewing in the last half of a token's life counts as proactive refresh."),
    ClientRequirement(
        "CAP-CLI-06", SHOULD, "Concurrent workers of one process regenerate once per expiry (no herd)",
        "rate limits are per key", RATE_LIMITS,
        "Share one token between threads or workers and let one of them regenerate (single flight); the "
        "others wait and reuse the new token."),
    ClientRequirement(
        "CAP-CLI-07", SHOULD, "Throttling (429, code 517) is honoured: the next call waits at least Retry-After",
        f"rate limits; RFC 9110 Retry-After ({RFC9110_RETRY_AFTER})", RFC9110_RETRY_AFTER,
        "After a 429 (or body code 517), pause every call of the process for the Retry-After seconds."),
    ClientRequirement(
        "CAP-CLI-08", SHOULD, "A refused generation (320001, deactivated client) is retried at most a few times, "
        "with growing waits", "availability of the shared cluster", OAUTH,
        "Wrong or deactivated credentials do not heal by themselves: retry at most 3 times with growing "
        "waits, then stop and report."),
    ClientRequirement(
        "CAP-CLI-09", OBSERVATION, "Writes carry a till header (ENTITY form or TILL-CODE); MUST where the profile "
        "declares the integration's till", f"documented: headers optional, default till otherwise ({FLOWS}); "
        "attribution to the declared till is data integrity", FLOWS,
        "Send your till on writes (`X-CAP-API-ATTRIBUTION-TILL-CODE` or the ENTITY-TYPE/CODE pair); when "
        "your certification profile declares a till, every write must carry exactly that till."),
    ClientRequirement(
        "CAP-CLI-10", OBSERVATION, "Tokens are renewed before exp (proactive), using ttlSeconds",
        "good practice", OAUTH,
        "Optional: renew shortly before `exp` (from `ttlSeconds`) so calls rarely meet a 498."),
)

CLIENT_REQUIREMENTS: dict[str, ClientRequirement] = {row.id: row for row in _ROWS}


def effective_level(rid: str, *, till_declared: bool) -> str:
    """The level a run judges at: CAP-CLI-09 is MUST only where the profile declares the integration's till."""
    if rid == "CAP-CLI-09" and till_declared:
        return MUST
    return CLIENT_REQUIREMENTS[rid].level


def markdown_table(*, links: bool = True) -> str:
    """The catalogue as a table: id, level, what it means for an integrator, basis. docs/contract.md
    keeps the sources' URLs; the README (`links=False`), which links nothing outside the repository,
    points to docs/contract.md for them."""
    basis = "basis" if links else "basis (sources: [docs/contract.md](docs/contract.md#requirements-integrations))"
    lines = [f"| id | level | what it means for your integration | {basis} |", "|---|---|---|---|"]
    lines += [f"| {r.id} | {r.level} | {r.integrator} | {r.basis if links else _CITED_URLS.sub('', r.basis)} |"
              for r in _ROWS]
    return "\n".join(lines)
