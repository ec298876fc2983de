"""Pure predicates over an answer's `(status, body)`: one strictness for the suite and for load.

Each returns None when the answer keeps the contract, else a short problem (never quoting a
token or secret). The suite's checks wrap a problem in a `ConformanceFailure` with the exchange
as evidence; the load scenarios wrap it in Locust's `response.failure(...)` on the hot path. So
a token endpoint answer is judged the same way whether one test or ten thousand users see it.
"""

from __future__ import annotations

from typing import Any

from conformance import protocol
from conformance.redaction import JWT_PATTERN

Outcome = protocol.Outcome


def token_issued_problem(status: int, body: Any) -> str | None:
    """CAP-TOK-01: a token in `data.accessToken`, shaped as the JWT the docs promise."""
    outcome = protocol.classify_token_response(status, body)
    if outcome is not Outcome.ACCEPT:
        return f"expected a token, got {outcome.value} (HTTP {status})"
    token = protocol.access_token(body) or ""
    if token.count(".") != 2 or not all(token.split(".")):
        return "data.accessToken is not a compact JWS (three non-empty dot-separated segments)"
    return None


def success_shape_problem(status: int, body: Any) -> str | None:
    """CAP-TOK-01 at SHOULD, the rest of the sample body: `ttlSeconds` a JSON integer, `errors` null."""
    data = body.get("data") if isinstance(body, dict) else None
    ttl = data.get("ttlSeconds") if isinstance(data, dict) else None
    if type(ttl) is not int:  # bool is an int subclass, and not a lifetime
        return f"data.ttlSeconds is {type(ttl).__name__} {ttl!r}, not a JSON integer"
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors not in (None, []):
        return "errors is not null beside a token"
    return None


def credentials_rejected_problem(status: int, body: Any) -> str | None:
    """CAP-TOK-02: `"data": null`, `errors[0].code == 320001`, and no token anywhere."""
    token_problem = token_in_body_problem(body)
    if token_problem:
        return token_problem
    code = protocol.error_code(body)
    data = body.get("data", "absent") if isinstance(body, dict) else "absent"
    if code != protocol.INVALID_CREDENTIALS_CODE or data is not None:
        return f'expected "data": null and errors[0].code 320001, got data={_short(data)}, code={code}'
    return None


def token_in_body_problem(body: Any) -> str | None:
    """No token under data.accessToken, nor anything JWT-shaped anywhere in the body."""
    # Any JWT shape counts here, however short its signature: a refusal carries no token at all.
    if protocol.access_token(body) is not None or JWT_PATTERN.search(str(body)):
        return "a token in a refusal"
    return None


def crash_problem(outcome: Outcome, status: int) -> str | None:
    """An unhandled error: a 5xx without an envelope, or an envelope that reports one."""
    if outcome is Outcome.SERVER_ERROR:
        return f"a server error (HTTP {status} without a documented envelope)"
    return None


def _short(value: object, limit: int = 80) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"
