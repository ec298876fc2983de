"""Checks over resource answers (v1.1 customer/transaction endpoints). One fact each; no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from conformance import protocol
from conformance.checks import predicates
from conformance.checks.failures import ConformanceFailure
from conformance.exchange import Exchange

Outcome = protocol.Outcome
_EXPIRED_AT = re.compile(re.escape(protocol.EXPIRED_MESSAGE_PREFIX)
                         + r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?([+-]\d{2}:?\d{2}|Z)?")


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
    item_code_is(exchange, entity, protocol.SUCCESS_ITEM_CODES[entity], "write_was_stored")


def record_was_found(exchange: Exchange, entity: str = "customer") -> None:
    """A read of a record known to exist: accepted, and the record comes back with a success code."""
    call_was_accepted(exchange)
    item_code_is(exchange, entity, protocol.SUCCESS_ITEM_CODES[entity], "record_was_found")


_READ_REFUSED = (Outcome.REJECT_TOKEN, Outcome.REJECT_EXPIRED, Outcome.REJECT_AUTHZ, Outcome.THROTTLED,
                 Outcome.UNAVAILABLE)


def record_was_not_found(exchange: Exchange, entity: str = "customer") -> None:
    """The follow-up read after a refused write: nothing may have been stored.

    Every documented not-found form counts: an accepted read whose items carry a not-found
    code (1012, 625, 688, …) or no items, and a request-level 500 ("all requests failed",
    "unable to retrieve") at any HTTP status. A read that was itself refused proves nothing.
    """
    found = protocol.items(exchange.json, entity)
    stored = [item for item in found if protocol.item_code(item) == protocol.SUCCESS_ITEM_CODES[entity]]
    outcome = exchange.api_outcome
    all_failed = protocol.status_code(exchange.json) == 500
    if stored or outcome in _READ_REFUSED or not (outcome is Outcome.ACCEPT or all_failed):
        raise ConformanceFailure("record_was_not_found", "a read that finds no record (a not-found answer)",
                                 f"{outcome.value}, {len(stored)} stored record(s): {_status_line(exchange)}",
                                 exchange)


def record_is_attributed_to(exchange: Exchange, till: str, entity: str = "customer") -> None:
    """CAP-TILL-01..03 oracle: `registered_till` (customers) or `billing_till` (bills) read back."""
    call_was_accepted(exchange)
    item = single_item(exchange, entity, "record_is_attributed_to")
    code = protocol.attributed_till(item, entity)
    if code != till:
        raise ConformanceFailure("record_is_attributed_to", f"{protocol.ATTRIBUTION_FIELD[entity]} {till!r}",
                                 repr(code), exchange)


def till_was_refused_as_invalid(exchange: Exchange, entity: str = "customer") -> None:
    """CAP-TILL-03: 91021 (or 91020 on registration), on the item or on the whole request."""
    codes = {protocol.status_code(exchange.json), protocol.error_code(exchange.json)}
    codes |= {protocol.item_code(item) for item in protocol.items(exchange.json, entity)}
    if not codes & protocol.INVALID_TILL_CODES:
        found = sorted(str(code) for code in codes if code is not None)
        raise ConformanceFailure("till_was_refused_as_invalid",
                                 "code 91021 or 91020 (invalid till), item- or request-level",
                                 f"codes {', '.join(found) or 'none'}: {_status_line(exchange)}", exchange)


def write_landed_on_an_owned_till_or_was_refused(read: Exchange, owned: set[str],
                                                 entity: str = "customer") -> str | None:
    """CAP-TILL-03's integrity rule, whatever the target chose where the docs are silent: the
    record read back is attributed to a till of the client's own org, or nothing was stored.
    Returns the till it landed on (None: refused), for the run's observations."""
    success = protocol.SUCCESS_ITEM_CODES[entity]
    stored = [item for item in protocol.items(read.json, entity) if protocol.item_code(item) == success]
    for item in stored:
        code = protocol.attributed_till(item, entity)
        if code not in owned:
            raise ConformanceFailure("write_landed_on_an_owned_till_or_was_refused",
                                     f"a till of the client's org ({', '.join(sorted(owned))}) or no record",
                                     f"{protocol.ATTRIBUTION_FIELD[entity]} {code!r}", read)
    return str(protocol.attributed_till(stored[0], entity)) if stored else None


def method_was_refused(exchange: Exchange) -> None:
    """An undocumented method: refused (HTTP 4xx or the v1.1 code 405 "Incorrect HTTP Method"), never processed."""
    if exchange.api_outcome is not Outcome.REJECT_REQ or protocol.all_items(exchange.json):
        raise ConformanceFailure("method_was_refused", "a refusal (405 / 4xx, HTTP or response code)",
                                 f"{exchange.api_outcome.value}: {_status_line(exchange)}", exchange)


def never_a_server_error(exchange: Exchange) -> None:
    """No crash: a 5xx counts only without a well-formed envelope (a v1.1 all-failed 500 is an answer)."""
    problem = predicates.crash_problem(exchange.api_outcome, exchange.status)
    if problem:
        raise ConformanceFailure("never_a_server_error", "an answer (any status with an envelope, or below 500)",
                                 f"{problem}: {_status_line(exchange)}", exchange)


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
