"""The Capillary OAuth "API client" contract as data: paths, headers, bodies, outcome classes.

Pure: no I/O, no pytest, no locust. The conformance suite and the load scenarios both speak
the protocol through this module, so a fix to (say) response classification reaches both.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

TOKEN_GENERATE_PATH = "/v3/oauth/token/generate"
CUSTOMER_ADD_PATH = "/v1.1/customer/add"
CUSTOMER_GET_PATH = "/v1.1/customer/get"
TRANSACTION_ADD_PATH = "/v1.1/transaction/add"
TRANSACTION_GET_PATH = "/v1.1/transaction/get"

TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"
TILL_CODE_HEADER = "X-CAP-API-ATTRIBUTION-TILL-CODE"
# The seed post's name for the same header; SPEC.md CAP-TILL-04 asks servers to accept both.
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
FORBIDDEN_MESSAGE = "Client doesn't have access to the requested resource"
ACCESS_GROUP_DENIED_CODE = 4000
ACCESS_GROUP_UNAVAILABLE_CODE = 4001
BASIC_AUTH_FAILED_MESSAGE = "Please check your username/password or authentication token"

ITEM_SUCCESS = 1000
ITEM_NO_IDENTIFIER = 1007
ITEM_NOT_FOUND = 1012
ITEM_ALREADY_REGISTERED = 1014
ITEM_INVALID_TILL = 91021
TRANSACTION_ITEM_SUCCESS = 600


class Outcome(enum.Enum):
    """ATTACKS.md outcome classes, plus the ways an answer can fall outside them."""

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


def token_request_body(key: str, secret: str) -> dict[str, str]:
    return {"key": key, "secret": secret}


def customer_add_body(mobile: str, firstname: str = "Test", email: str | None = None) -> dict[str, Any]:
    customer: dict[str, Any] = {"mobile": mobile, "firstname": firstname}
    if email is not None:
        customer["email"] = email
    return {"root": {"customer": [customer]}}


def transaction_add_body(bill_number: str, mobile: str, amount: float = 100.0) -> dict[str, Any]:
    return {
        "root": {
            "transaction": [
                {"bill_number": bill_number, "type": "REGULAR", "amount": amount, "customer": {"mobile": mobile}}
            ]
        }
    }


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


def response_status(body: Any) -> Mapping[str, Any] | None:
    """The v1.1 envelope's `response.status` object, if any."""
    status = _get(body, "response", "status")
    return status if isinstance(status, Mapping) else None


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


def access_token(body: Any) -> str | None:
    token = _get(body, "data", "accessToken")
    return token if isinstance(token, str) and token else None


def ttl_seconds(body: Any) -> Any:
    return _get(body, "data", "ttlSeconds")


def items(body: Any, entity: str) -> list[Mapping[str, Any]]:
    """`response.<entity>s.<entity>` items of a v1.1 answer (customers.customer, ...)."""
    found = _get(body, "response", entity + "s", entity)
    if isinstance(found, Mapping):
        found = [found]
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


def item_code(item: Mapping[str, Any]) -> int | None:
    return as_int(_get(item, "item_status", "code"))


def classify_token_response(status: int, body: Any) -> Outcome:
    """Classify an answer of the token endpoint by its documented body first, then HTTP status."""
    if status == 429:
        return Outcome.THROTTLED
    if status >= 500:
        return Outcome.SERVER_ERROR
    if access_token(body) is not None:
        return Outcome.ACCEPT
    if error_code(body) == INVALID_CREDENTIALS_CODE:
        return Outcome.REJECT_CRED
    if status in (400, 405, 411, 413, 415, 422):
        return Outcome.REJECT_REQ
    if status in (401, 403):
        return Outcome.REJECT_CRED
    return Outcome.UNRECOGNISED


def classify_api_response(status: int, body: Any) -> Outcome:
    """Classify a resource answer: the body code decides, the HTTP status is the fallback.

    The documented contract puts the verdict in `response.status.code` (401, 403, 498) or in
    the access-group envelope (`errors[0].code` 4000/4001); HTTP statuses are undocumented.
    """
    if status == 429:
        return Outcome.THROTTLED
    code = status_code(body)
    group_code = error_code(body)
    if code == EXPIRED_CODE or status == EXPIRED_CODE:
        return Outcome.REJECT_EXPIRED
    if code == UNAUTHORIZED_CODE or status == 401:
        return Outcome.REJECT_TOKEN
    if code == FORBIDDEN_CODE or group_code == ACCESS_GROUP_DENIED_CODE or status == 403:
        return Outcome.REJECT_AUTHZ
    if group_code == ACCESS_GROUP_UNAVAILABLE_CODE:
        return Outcome.UNAVAILABLE
    if status >= 500:
        return Outcome.SERVER_ERROR
    if code == 400 or status in (400, 405, 413, 415):
        return Outcome.REJECT_REQ
    if status == 200 and code in (200, 201, 500):
        # Authenticated and processed; item codes carry per-record results (500 = all items failed).
        return Outcome.ACCEPT
    return Outcome.UNRECOGNISED
