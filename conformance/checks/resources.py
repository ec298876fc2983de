"""Checks over resource answers (v1.1 customer/transaction endpoints). One fact each; no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from conformance import protocol
from conformance.checks.failures import ConformanceFailure
from conformance.exchange import Exchange

Outcome = protocol.Outcome
_EXPIRED_AT = re.compile(r"Token expired at (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?([+-]\d{2}:?\d{2}|Z)?")


def outcome_is(exchange: Exchange, expected: Outcome, check: str) -> None:
    received = exchange.api_outcome
    if received is not expected:
        raise ConformanceFailure(check, expected.value, f"{received.value}: {_status_line(exchange)}", exchange)


def call_was_accepted(exchange: Exchange) -> None:
    """CAP-USE-01: status 200 with a success envelope."""
    outcome_is(exchange, Outcome.ACCEPT, "call_was_accepted")


def token_was_rejected_as_invalid(exchange: Exchange) -> None:
    """CAP-USE-02: 401 (HTTP or response.status.code); never data."""
    outcome_is(exchange, Outcome.REJECT_TOKEN, "token_was_rejected_as_invalid")
    carries_no_data(exchange)


def token_was_rejected_as_expired(exchange: Exchange) -> None:
    """CAP-USE-03: error code 498."""
    outcome_is(exchange, Outcome.REJECT_EXPIRED, "token_was_rejected_as_expired")
    carries_no_data(exchange)


def access_was_denied(exchange: Exchange) -> None:
    """CAP-USE-06: 403 or the access-group 4000 envelope; never data."""
    outcome_is(exchange, Outcome.REJECT_AUTHZ, "access_was_denied")
    carries_no_data(exchange)


def authorisation_was_unavailable(exchange: Exchange) -> None:
    """The access-group model's transient failure: 503 with code 4001, never an accept, never data."""
    outcome_is(exchange, Outcome.UNAVAILABLE, "authorisation_was_unavailable")
    carries_no_data(exchange)


def basic_auth_was_rejected(exchange: Exchange) -> None:
    outcome_is(exchange, Outcome.REJECT_TOKEN, "basic_auth_was_rejected")
    carries_no_data(exchange)


def carries_no_data(exchange: Exchange) -> None:
    for entity in ("customer", "transaction"):
        if protocol.items(exchange.json, entity):
            raise ConformanceFailure("carries_no_data", f"no {entity} records in a refusal",
                                     f"{len(protocol.items(exchange.json, entity))} record(s)", exchange)


def expired_message_names_exp(exchange: Exchange, exp: int) -> None:
    """CAP-USE-04: `Token expired at <time>` and the time equals the token's exp."""
    message = protocol.status_message(exchange.json) or ""
    match = _EXPIRED_AT.search(message)
    if not match:
        raise ConformanceFailure("expired_message_names_exp", "'Token expired at <time>'", repr(message), exchange)
    stamp, zone = match.group(1), (match.group(2) or "Z").replace("Z", "+00:00")
    if ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    when = dt.datetime.fromisoformat(stamp + zone).timestamp()
    if int(when) != exp:
        raise ConformanceFailure("expired_message_names_exp", f"the token's exp {exp}", f"{int(when)} ({message})",
                                 exchange)


def single_item(exchange: Exchange, entity: str, check: str) -> Mapping[str, Any]:
    found = protocol.items(exchange.json, entity)
    if len(found) != 1:
        raise ConformanceFailure(check, f"exactly one {entity} item", f"{len(found)}: {_status_line(exchange)}",
                                 exchange)
    return found[0]


def item_code_is(exchange: Exchange, entity: str, expected: int, check: str) -> Mapping[str, Any]:
    item = single_item(exchange, entity, check)
    if protocol.item_code(item) != expected:
        raise ConformanceFailure(check, f"item code {expected}", f"item code {protocol.item_code(item)}", exchange)
    return item


def write_was_stored(exchange: Exchange, entity: str = "customer") -> None:
    call_was_accepted(exchange)
    success = protocol.TRANSACTION_ITEM_SUCCESS if entity == "transaction" else protocol.ITEM_SUCCESS
    item_code_is(exchange, entity, success, "write_was_stored")


def record_was_not_found(exchange: Exchange, entity: str = "customer") -> None:
    """The follow-up read after a refused write: nothing may have been stored."""
    found = protocol.items(exchange.json, entity)
    success = protocol.TRANSACTION_ITEM_SUCCESS if entity == "transaction" else protocol.ITEM_SUCCESS
    stored = [item for item in found if protocol.item_code(item) == success]
    if exchange.api_outcome is not Outcome.ACCEPT or stored:
        raise ConformanceFailure("record_was_not_found", "an accepted read that finds no record",
                                 f"{exchange.api_outcome.value}, {len(stored)} stored record(s)", exchange)


def record_is_attributed_to(exchange: Exchange, till: str, entity: str = "customer") -> None:
    """CAP-TILL-01..03 oracle: `registered_till.code` of the record read back."""
    call_was_accepted(exchange)
    item = single_item(exchange, entity, "record_is_attributed_to")
    registered = item.get("registered_till")
    code = registered.get("code") if isinstance(registered, Mapping) else registered
    if code != till:
        raise ConformanceFailure("record_is_attributed_to", f"registered_till {till!r}", repr(code), exchange)


def till_was_refused_with_91021(exchange: Exchange) -> None:
    item = single_item(exchange, "customer", "till_was_refused_with_91021")
    if protocol.item_code(item) != protocol.ITEM_INVALID_TILL:
        raise ConformanceFailure("till_was_refused_with_91021", "item code 91021 (Invalid attribution TILL passed)",
                                 f"item code {protocol.item_code(item)}", exchange)


def never_a_server_error(exchange: Exchange) -> None:
    if exchange.status >= 500:
        raise ConformanceFailure("never_a_server_error", "a status below 500", str(exchange.status), exchange)


def has_request_id(exchange: Exchange) -> str:
    value = exchange.response_header(protocol.REQUEST_ID_HEADER)
    if not value:
        raise ConformanceFailure("has_request_id", f"a {protocol.REQUEST_ID_HEADER} header", "none", exchange)
    return value


def request_ids_are_distinct(exchanges: list[Exchange]) -> None:
    ids = [has_request_id(exchange) for exchange in exchanges]
    if len(set(ids)) != len(ids):
        raise ConformanceFailure("request_ids_are_distinct", f"{len(ids)} different request ids",
                                 f"{len(set(ids))} distinct", exchanges[-1])


def _status_line(exchange: Exchange) -> str:
    code = protocol.status_code(exchange.json)
    message = protocol.status_message(exchange.json)
    if code is None:
        text = exchange.text.replace("\n", " ")
        return f"HTTP {exchange.status} {text[:120]}"
    return f"HTTP {exchange.status}, response.status {code} {message!r}"
