"""Checks over answers of `POST /v3/oauth/token/generate`. One fact each; no I/O."""

from __future__ import annotations

from conformance import protocol
from conformance.checks import predicates
from conformance.checks.failures import ConformanceFailure
from conformance.exchange import Exchange
from conformance.redaction import spellings

Outcome = protocol.Outcome


def token_was_issued(exchange: Exchange) -> str:
    """CAP-TOK-01: a compact JWS in data.accessToken; returns the token for the next step."""
    problem = predicates.token_issued_problem(exchange.status, exchange.json)
    if problem:
        raise ConformanceFailure("token_was_issued", '{"data": {"accessToken": "<JWT>", ...}}',
                                 f"{problem}: {_describe(exchange)}", exchange)
    return protocol.access_token(exchange.json) or ""


def success_body_has_documented_shape(exchange: Exchange) -> None:
    problem = predicates.token_issued_problem(exchange.status, exchange.json) or predicates.success_shape_problem(
        exchange.status, exchange.json)
    if problem:
        raise ConformanceFailure("success_body_has_documented_shape",
                                 "data.accessToken a JWT, data.ttlSeconds a JSON integer, errors null", problem,
                                 exchange)


def no_token_was_issued(exchange: Exchange) -> None:
    """CAP-TOK-02/07/08: no access token anywhere in the body (not only under data.accessToken)."""
    if predicates.token_in_body_problem(exchange.json) or predicates.token_in_body_problem(exchange.text):
        raise ConformanceFailure("no_token_was_issued", "no token in the body", "a token", exchange)


def credentials_were_rejected_with_320001(exchange: Exchange) -> None:
    problem = predicates.credentials_rejected_problem(exchange.status, exchange.json)
    if problem:
        raise ConformanceFailure("credentials_were_rejected_with_320001",
                                 '"data": null and errors[0].code == 320001', problem, exchange)


def credentials_error_message_is_documented(exchange: Exchange) -> None:
    error = protocol.first_error(exchange.json)
    message = error.get("message") if error else None
    if message != protocol.INVALID_CREDENTIALS_MESSAGE:
        raise ConformanceFailure("credentials_error_message_is_documented",
                                 repr(protocol.INVALID_CREDENTIALS_MESSAGE), repr(message), exchange)


def answers_are_indistinguishable(first: Exchange, second: Exchange) -> None:
    """CAP-TOK-04: same status and byte-identical body (request ids aside, which are headers)."""
    if first.status != second.status or first.response_body != second.response_body:
        raise ConformanceFailure("answers_are_indistinguishable", f"{first.status} {_short(first.text)}",
                                 f"{second.status} {_short(second.text)}", second,
                                 note="unknown key and wrong secret must answer alike")


def request_was_refused_without_token(exchange: Exchange) -> None:
    """CAP-TOK-07: a malformed request is refused (the v3 error envelope at any status, or an
    HTTP 4xx) and yields no token."""
    no_token_was_issued(exchange)
    never_a_server_error(exchange)
    if exchange.token_outcome not in (Outcome.REJECT_REQ, Outcome.REJECT_CRED):
        raise ConformanceFailure("request_was_refused_without_token", "a refusal (v3 errors envelope or HTTP 4xx)",
                                 _describe(exchange), exchange)


def never_a_server_error(exchange: Exchange) -> None:
    """No crash: a 5xx without the documented error envelope (an unhandled error on hostile input)."""
    problem = predicates.crash_problem(exchange.token_outcome, exchange.status)
    if problem:
        raise ConformanceFailure("never_a_server_error", "an answer (the v3 error envelope, or a status below 500)",
                                 f"{problem}: {_describe(exchange)}", exchange)


def secret_is_not_echoed(exchange: Exchange, secret: str) -> None:
    """CAP-TOK-09: in any spelling (raw, JSON-escaped, percent-encoded, escaped slashes), in the
    body or a header. The received value is deliberately not the secret itself."""
    haystack = exchange.text + "".join(v for _, v in exchange.response_headers)
    if secret and any(spelling in haystack for spelling in spellings(secret)):
        raise ConformanceFailure("secret_is_not_echoed", "no trace of the submitted secret",
                                 "the submitted secret appears in the response", exchange)


def status_is_pinned(exchange: Exchange, expected: int | None, what: str) -> None:
    """Only when the profile pins an HTTP status (the docs leave statuses open)."""
    if expected and exchange.status != expected:
        raise ConformanceFailure("status_is_pinned", f"HTTP {expected} for {what} (profile [expect])",
                                 f"HTTP {exchange.status}", exchange)


def response_has_no_store(exchange: Exchange) -> None:
    """RFC 6749 5.1 (a warning-level extra, not in the documented contract)."""
    value = (exchange.response_header("Cache-Control") or "").lower()
    if "no-store" not in value:
        raise ConformanceFailure("response_has_no_store", "Cache-Control: no-store", repr(value), exchange)


def _describe(exchange: Exchange) -> str:
    return f"HTTP {exchange.status} ({exchange.token_outcome.value}) {_short(exchange.text)}"


def _short(value: object, limit: int = 160) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"
