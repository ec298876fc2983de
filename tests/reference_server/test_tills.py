"""docs/contract.md section 4: till attribution (CAP-TILL-01..04) and negative cases 46-48."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    TOKEN_HEADER,
    TRANSACTION_ADD,
    TRANSACTION_GET,
    customer_body,
    first_item,
    status_of,
    transaction_body,
    unique_mobile,
)

Token = Callable[[str], str]
CODE, SEED, ETYPE, ECODE = ("X-CAP-API-ATTRIBUTION-TILL-CODE", "X-CAP-API-ATTRIBUTION-TILL",
                            "X-CAP-API-ATTRIBUTION-ENTITY-TYPE", "X-CAP-API-ATTRIBUTION-ENTITY-CODE")
OVERRIDE = "store.server"  # a till of org 1115 other than pos_gateway's default


def _write(client: httpx.Client, token: Token, name: str, headers: list[tuple[str, str | bytes]]) -> tuple[int, str]:
    """Add a customer with the given till headers; (item code, registered till code or '')."""
    mobile = unique_mobile()
    # httpx wants one type per header list; bytes carries the non-ASCII case too.
    all_headers = [(k.encode(), v if isinstance(v, bytes) else v.encode())
                   for k, v in [(TOKEN_HEADER, token(name)), *headers]]
    added = client.post(CUSTOMER_ADD, json=customer_body(mobile), headers=all_headers)
    assert added.status_code == 200
    code = first_item(added.json())["item_status"]["code"]
    found = first_item(client.get(CUSTOMER_GET, params={"mobile": mobile}, headers={TOKEN_HEADER: token(name)}).json())
    registered = found.get("registered_till", {}).get("code", "")
    if code != 1000:
        assert found["item_status"]["code"] == 1012, "a failed write must store nothing"
    return code, registered


def test_no_header_uses_the_clients_default_till(client: httpx.Client, token: Token) -> None:
    assert _write(client, token, "pos_gateway", []) == (1000, "blr.koramangala.till001")
    assert _write(client, token, "fallback_pos", []) == (1000, "blr.indiranagar.till002")
    assert _write(client, token, "globex_gateway", []) == (1000, "globex.hq.till01")


VALID_FORMS = {
    "till-code": [(CODE, OVERRIDE)],
    "seed-name": [(SEED, OVERRIDE)],
    "entity-type-and-code": [(ETYPE, "TILL"), (ECODE, OVERRIDE)],
    "entity-code-alone-defaults-to-till": [(ECODE, OVERRIDE)],
    "all-forms-agreeing": [(CODE, OVERRIDE), (SEED, OVERRIDE), (ETYPE, "TILL"), (ECODE, OVERRIDE)],
    "lower-case-header-name": [(CODE.lower(), OVERRIDE)],
    # Documented: anything else passed as ENTITY-TYPE is taken as a till code.
    "entity-type-till-code": [(ETYPE, "TILL_CODE"), (ECODE, OVERRIDE)],
    "entity-type-lower-case": [(ETYPE, "till"), (ECODE, OVERRIDE)],
    "entity-type-unrecognised": [(ETYPE, "NOT_A_TYPE"), (ECODE, OVERRIDE)],
    # A store named in the ENTITY form attributes to that store's first till.
    "entity-type-store-code": [(ETYPE, "STORE_CODE"), (ECODE, "blr.hq")],
}


@pytest.mark.parametrize("headers", VALID_FORMS.values(), ids=VALID_FORMS.keys())
def test_a_valid_till_header_overrides_the_default(client: httpx.Client, token: Token,
                                                   headers: list[tuple[str, str]]) -> None:
    assert _write(client, token, "pos_gateway", list(headers)) == (1000, OVERRIDE)


INVALID_FORMS: dict[str, list[tuple[str, str | bytes]]] = {
    "unknown-code": [(CODE, "no.such.till999")],
    "other-orgs-till": [(CODE, "globex.hq.till01")],
    "empty": [(CODE, "")],
    "overlong": [(CODE, "t" * 300)],
    "injection-characters": [(CODE, "' OR '1'='1")],
    "path-characters": [(CODE, "../store.server")],
    "non-ascii": [(CODE, "store.server\xe9".encode("latin-1"))],
    "case-changed": [(CODE, OVERRIDE.upper())],
    "unknown-seed-name": [(SEED, "no.such.till999")],
    "forms-disagree": [(CODE, OVERRIDE), (SEED, "blr.indiranagar.till002")],
    "entity-type-store-code-unknown-store": [(ETYPE, "STORE_CODE"), (ECODE, OVERRIDE)],
    "entity-type-without-code": [(ETYPE, "TILL")],
    "entity-code-disagrees": [(CODE, OVERRIDE), (ECODE, "blr.indiranagar.till002")],
    "duplicated-header": [(CODE, OVERRIDE), (CODE, OVERRIDE)],
    "duplicated-header-different": [(CODE, OVERRIDE), (CODE, "blr.indiranagar.till002")],
}


@pytest.mark.parametrize("headers", INVALID_FORMS.values(), ids=INVALID_FORMS.keys())
def test_an_invalid_till_is_91021_without_fallback(client: httpx.Client, token: Token,
                                                   headers: list[tuple[str, str | bytes]]) -> None:
    assert _write(client, token, "pos_gateway", headers) == (91021, "")


@pytest.mark.parametrize("headers", INVALID_FORMS.values(), ids=INVALID_FORMS.keys())
def test_an_invalid_till_falls_back_when_the_client_opted_in(client: httpx.Client, token: Token,
                                                             headers: list[tuple[str, str | bytes]]) -> None:
    assert _write(client, token, "fallback_pos", headers) == (1000, "blr.indiranagar.till002")


def test_91021_envelope(client: httpx.Client, token: Token) -> None:
    response = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()),
                           headers={TOKEN_HEADER: token("pos_gateway"), CODE: "no.such.till999"})
    body = response.json()
    assert status_of(body)["code"] == 500
    assert first_item(body)["item_status"] == {"success": "false", "code": 91021,
                                               "message": "Invalid attribution TILL passed"}


def test_other_orgs_client_cannot_use_this_orgs_till(client: httpx.Client, token: Token) -> None:
    assert _write(client, token, "globex_gateway", [(CODE, OVERRIDE)]) == (91021, "")


def test_transactions_are_attributed_like_customers(client: httpx.Client, token: Token) -> None:
    auth = {TOKEN_HEADER: token("pos_gateway")}
    bill = "T-" + uuid.uuid4().hex[:10]
    client.post(TRANSACTION_ADD, json=transaction_body(bill), headers={**auth, SEED: OVERRIDE})
    found = first_item(client.get(TRANSACTION_GET, params={"number": bill}, headers=auth).json(), "transaction")
    assert found["billing_till"]["code"] == OVERRIDE  # v1.1 transaction/get names it billing_till
    assert found["billing_store"] == {"code": "blr.hq", "name": "Bangalore HQ"}
    bad_bill = "T-" + uuid.uuid4().hex[:10]
    failed = client.post(TRANSACTION_ADD, json=transaction_body(bad_bill), headers={**auth, CODE: "nope.till"})
    assert first_item(failed.json(), "transaction")["item_status"]["code"] == 91021
    missing = client.get(TRANSACTION_GET, params={"number": bad_bill}, headers=auth).json()
    assert first_item(missing, "transaction")["item_status"]["code"] == 625
