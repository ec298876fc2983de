"""The Capillary OAuth "API client" contract as data: paths, headers, bodies, outcome classes.

Pure: no I/O, no pytest, no locust. The conformance suite and the load scenarios both speak
the protocol through this module, so a fix to (say) response classification reaches both.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Mapping
from typing import Any

TOKEN_GENERATE_PATH = "/v3/oauth/token/generate"
CUSTOMER_ADD_PATH = "/v1.1/customer/add"
CUSTOMER_GET_PATH = "/v1.1/customer/get"
TRANSACTION_ADD_PATH = "/v1.1/transaction/add"
TRANSACTION_GET_PATH = "/v1.1/transaction/get"

TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"
TILL_CODE_HEADER = "X-CAP-API-ATTRIBUTION-TILL-CODE"
# The seed post's name for the same header; docs/contract.md CAP-TILL-04 asks servers to accept both.
TILL_HEADER_SEED_NAME = "X-CAP-API-ATTRIBUTION-TILL"
ENTITY_TYPE_HEADER = "X-CAP-API-ATTRIBUTION-ENTITY-TYPE"
ENTITY_CODE_HEADER = "X-CAP-API-ATTRIBUTION-ENTITY-CODE"
REQUEST_ID_HEADER = "X-Cap-Requestid"

INVALID_CREDENTIALS_CODE = 320001
INVALID_CREDENTIALS_MESSAGE = "Invalid client key and secret"
UNAUTHORIZED_CODE = 401
UNAUTHORIZED_MESSAGE = "Unauthorized"
EXPIRED_CODE = 498
EXPIRED_MESSAGE_PREFIX = "Token expired at "
FORBIDDEN_CODE = 403
ACCESS_GROUP_DENIED_CODE = 4000
ACCESS_GROUP_UNAVAILABLE_CODE = 4001
# v1.1 "Rate limit exceeded for that specific user" (transaction error codes): throttling, like HTTP 429.
RATE_LIMIT_CODE = 517

# v1.1 request-level codes (index page, "API Level Response Codes"): 200 success, 201 partial,
# 500 all failed; the rest refuse the request itself.
REQUEST_PROCESSED_CODES = frozenset({200, 201, 500})
REQUEST_REFUSED_CODES = frozenset({400, 402, 404, 405, 406, 407, 408})

ITEM_SUCCESS = 1000
# 91021 "Invalid attribution TILL passed"; 91020 "Invalid TILL passed for registration".
INVALID_TILL_CODES = frozenset({91020, 91021})
TRANSACTION_ITEM_SUCCESS = 600
SUCCESS_ITEM_CODES = {"customer": ITEM_SUCCESS, "transaction": TRANSACTION_ITEM_SUCCESS}
# The record a v1.1 read names its till in: customers were registered at a till, bills billed at one.
ATTRIBUTION_FIELD = {"customer": "registered_till", "transaction": "billing_till"}


class Outcome(enum.Enum):
    """the negative cases of docs/contract.md outcome classes, plus the ways an answer can fall outside them."""

    ACCEPT = "accept"
    REJECT_CRED = "reject-credentials"
    REJECT_REQ = "reject-request"
    REJECT_TOKEN = "reject-token"
    REJECT_EXPIRED = "reject-expired"
    REJECT_AUTHZ = "reject-authorisation"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    SERVER_ERROR = "server-error"
    UNRECOGNISED = "unrecognised"


# The value the suite names a till with in the ENTITY form. Any unrecognised type is taken as a
# till code too (documented), so a server that spells it `TILL` reads this the same way.
ENTITY_TYPE_TILL = "TILL_CODE"


def till_header_pairs(header: str, till: str) -> list[tuple[str, str]]:
    """The headers that name `till` in one form: the ENTITY form is a type and a code."""
    if header.lower() == ENTITY_CODE_HEADER.lower():
        return [(ENTITY_TYPE_HEADER, ENTITY_TYPE_TILL), (ENTITY_CODE_HEADER, till)]
    return [(header, till)]


def token_request_body(key: str, secret: str) -> dict[str, str]:
    return {"key": key, "secret": secret}


def customer_add_body(mobile: str, firstname: str = "Test", email: str | None = None) -> dict[str, Any]:
    customer: dict[str, Any] = {"mobile": mobile, "firstname": firstname}
    if email is not None:
        customer["email"] = email
    return {"root": {"customer": [customer]}}


def transaction_add_body(number: str, mobile: str, amount: float = 100.0,
                         billing_time: str | None = None) -> dict[str, Any]:
    """The documented v1.1 bill: `type` regular, `number`, `amount`, `billing_time`, the customer."""
    when = billing_time or time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return {
        "root": {
            "transaction": [
                {"type": "regular", "number": number, "amount": amount, "billing_time": when,
                 "customer": {"mobile": mobile}}
            ]
        }
    }


def mobile_number(serial: int) -> str:
    """A mobile number in the documented form (country code first): India's 91, then a 10-digit
    number starting with 9, as real mobiles there do, so no target refuses it as malformed."""
    return f"919{serial % 10**9:09d}"


def parse_json(text: str) -> Any:
    """JSON body or None: servers under test may answer HTML, empty bodies or garbage."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def as_int(value: Any) -> int | None:
    """The docs mix `"498"` and `498`: compare codes as integers, never as bytes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _get(body: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(body, Mapping):
            return None
        body = body.get(part)
    return body


def v11_envelope(body: Any) -> Mapping[str, Any] | None:
    """The v1.1 answer's envelope: `response` in most samples; the customer/get sample prints
    `status` and `customers` at the top level, so a body that has a `status.code` counts too."""
    wrapped = _get(body, "response")
    if isinstance(wrapped, Mapping) and isinstance(wrapped.get("status"), Mapping):
        return wrapped
    if isinstance(body, Mapping) and isinstance(body.get("status"), Mapping) and "code" in body["status"]:
        return body
    return None


def response_status(body: Any) -> Mapping[str, Any] | None:
    """The v1.1 envelope's `status` object, if any."""
    envelope = v11_envelope(body)
    return envelope["status"] if envelope is not None else None


def status_code(body: Any) -> int | None:
    status = response_status(body)
    return as_int(status.get("code")) if status else None


def status_message(body: Any) -> str | None:
    status = response_status(body)
    message = status.get("message") if status else None
    return message if isinstance(message, str) else None


def first_error(body: Any) -> Mapping[str, Any] | None:
    """`errors[0]` of the v2/v3 envelope, if any."""
    errors = _get(body, "errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return errors[0]
    return None


def error_code(body: Any) -> int | None:
    error = first_error(body)
    return as_int(error.get("code")) if error else None


def is_v3_refusal(body: Any) -> bool:
    """The documented v3 error envelope: `data` null (or absent) and a non-empty `errors` list."""
    return isinstance(body, Mapping) and body.get("data") is None and first_error(body) is not None


def access_token(body: Any) -> str | None:
    token = _get(body, "data", "accessToken")
    return token if isinstance(token, str) and token else None


def ttl_seconds(body: Any) -> Any:
    return _get(body, "data", "ttlSeconds")


def items(body: Any, entity: str) -> list[Mapping[str, Any]]:
    """`<entity>s.<entity>` items of a v1.1 answer (customers.customer, ...), one object or a list."""
    envelope = v11_envelope(body)
    found = _get(envelope, entity + "s", entity)
    if isinstance(found, Mapping):
        found = [found]
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


def all_items(body: Any) -> list[Mapping[str, Any]]:
    return items(body, "customer") + items(body, "transaction")


def item_code(item: Mapping[str, Any]) -> int | None:
    return as_int(_get(item, "item_status", "code"))


def attributed_till(item: Mapping[str, Any], entity: str) -> Any:
    """The till code a record read back names (`registered_till` or `billing_till`: an object
    with a `code`, or a bare string as in the customer/add sample)."""
    value = item.get(ATTRIBUTION_FIELD[entity])
    return value.get("code") if isinstance(value, Mapping) else value


def is_throttled(status: int, body: Any) -> bool:
    """HTTP 429, or Capillary's 517 "Rate limit exceeded" at request, item or v3 error level."""
    if status == 429:
        return True
    codes = {status_code(body), error_code(body)}
    entries = all_items(body)
    if entries and all(item_code(item) == RATE_LIMIT_CODE for item in entries):
        codes.add(RATE_LIMIT_CODE)
    return RATE_LIMIT_CODE in codes


def classify_token_response(status: int, body: Any) -> Outcome:
    """Classify an answer of the token endpoint: the documented v3 body decides at any HTTP status.

    The docs give no HTTP status for a refusal, so a `data: null, errors[…]` envelope is a
    refusal whether it comes with 200, 400, 401 or 500 (a profile may pin the status). Only an
    answer without that envelope falls back on the HTTP status, and a 5xx without it is a crash.
    """
    if is_throttled(status, body):
        return Outcome.THROTTLED
    if access_token(body) is not None:
        return Outcome.ACCEPT if status < 400 else Outcome.UNRECOGNISED
    if is_v3_refusal(body):
        code = error_code(body)
        if code is not None and 500 <= code < 600:
            return Outcome.SERVER_ERROR  # the envelope says so itself: "Internal server error"
        return Outcome.REJECT_CRED if code == INVALID_CREDENTIALS_CODE else Outcome.REJECT_REQ
    if status >= 500:
        return Outcome.SERVER_ERROR
    if status in (400, 404, 405, 406, 411, 413, 415, 422, 431):
        return Outcome.REJECT_REQ
    if status in (401, 403):
        return Outcome.REJECT_CRED
    return Outcome.UNRECOGNISED


def classify_api_response(status: int, body: Any) -> Outcome:
    """Classify a resource answer: a well-formed envelope decides at any HTTP status.

    v1.1 puts the verdict in `status.code` (401, 403, 498, 200/201/500 processed, 4xx refused)
    and describes it as "the HTTP status code associated with the response", so servers may
    or may not mirror it in the HTTP status; the access-group model answers `errors[0].code`
    4000/4001. Only an answer with neither envelope is judged by its HTTP status.
    """
    if is_throttled(status, body):
        return Outcome.THROTTLED
    code = status_code(body)
    if code is not None:
        by_body = _V11_OUTCOMES.get(code)
        if by_body is not None:
            return by_body
        if code in REQUEST_PROCESSED_CODES:
            # Authenticated and processed; items carry per-record results (500: every item failed).
            if all_items(body) or code != 500:
                return Outcome.ACCEPT
        elif code in REQUEST_REFUSED_CODES or code in INVALID_TILL_CODES:
            return Outcome.REJECT_REQ
    group_code = error_code(body)
    if group_code == ACCESS_GROUP_DENIED_CODE:
        return Outcome.REJECT_AUTHZ
    if group_code == ACCESS_GROUP_UNAVAILABLE_CODE:
        return Outcome.UNAVAILABLE
    return _by_http_status(status)


_V11_OUTCOMES = {EXPIRED_CODE: Outcome.REJECT_EXPIRED, UNAUTHORIZED_CODE: Outcome.REJECT_TOKEN,
                 FORBIDDEN_CODE: Outcome.REJECT_AUTHZ}


def _by_http_status(status: int) -> Outcome:
    if status == EXPIRED_CODE:
        return Outcome.REJECT_EXPIRED
    if status == 401:
        return Outcome.REJECT_TOKEN
    if status == 403:
        return Outcome.REJECT_AUTHZ
    if status >= 500:
        return Outcome.SERVER_ERROR
    if 400 <= status < 500:
        return Outcome.REJECT_REQ
    return Outcome.UNRECOGNISED
