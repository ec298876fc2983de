"""docs/contract.md section 5: till basic auth beside OAuth (CAP-BASIC-01..03)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable

import httpx
import pytest

from .helpers import (
    BASIC_FAILED,
    CUSTOMER_ADD,
    CUSTOMER_GET,
    TOKEN_HEADER,
    TRANSACTION_ADD,
    TRANSACTION_GET,
    basic_header,
    customer_body,
    first_item,
    status_of,
    transaction_body,
    unique_mobile,
)

# The docs' example, byte for byte: store.server / server123.
DOCS_EXAMPLE = "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"


def _basic_failed(response: httpx.Response, member: str = "customers") -> None:
    assert response.status_code == 401
    assert response.json() == {"response": {"status": {"success": False, "code": 401, "message": BASIC_FAILED},
                                            member: None}}


def test_docs_example_header_matches_the_fixture() -> None:
    assert basic_header("store.server", "server123") == DOCS_EXAMPLE


def test_basic_auth_write_is_attributed_to_the_till(client: httpx.Client, token: Callable[[str], str]) -> None:
    mobile = unique_mobile()
    added = client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={"Authorization": DOCS_EXAMPLE})
    assert added.status_code == 200
    assert first_item(added.json())["item_status"]["code"] == 1000
    found = first_item(client.get(CUSTOMER_GET, params={"mobile": mobile},
                                  headers={TOKEN_HEADER: token("pos_gateway")}).json())
    assert found["registered_till"] == {"code": "store.server", "name": "Store Server"}
    assert found["registered_store"] == {"code": "blr.hq", "name": "Bangalore HQ"}
    assert found["registered_by"] == "store.server"


def test_basic_auth_reads_and_transactions_work(client: httpx.Client) -> None:
    auth = {"Authorization": basic_header("blr.indiranagar.till002", "indiranagar-till-pass")}
    bill = "B-" + uuid.uuid4().hex[:10]
    assert client.post(TRANSACTION_ADD, json=transaction_body(bill), headers=auth).status_code == 200
    found = first_item(client.get(TRANSACTION_GET, params={"number": bill}, headers=auth).json(), "transaction")
    assert found["billing_till"]["code"] == "blr.indiranagar.till002"  # the till that logged in
    assert status_of(client.get(CUSTOMER_GET, params={"mobile": "1"}, headers=auth).json())["code"] == 500


def test_upper_case_md5_is_the_same_password(client: httpx.Client) -> None:
    digest = hashlib.md5(b"server123", usedforsecurity=False).hexdigest().upper()
    header = "Basic " + base64.b64encode(f"store.server:{digest}".encode()).decode()
    assert client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={"Authorization": header}).status_code == 200


def test_till_headers_cannot_move_a_basic_auth_write(client: httpx.Client, token: Callable[[str], str]) -> None:
    mobile = unique_mobile()
    client.post(CUSTOMER_ADD, json=customer_body(mobile),
                headers={"Authorization": DOCS_EXAMPLE, "X-CAP-API-ATTRIBUTION-TILL-CODE": "blr.koramangala.till001"})
    found = first_item(client.get(CUSTOMER_GET, params={"mobile": mobile},
                                  headers={TOKEN_HEADER: token("pos_gateway")}).json())
    assert found["registered_till"]["code"] == "store.server"


WRONG = {
    "wrong-password": basic_header("store.server", "server124"),
    "plain-password-not-md5": "Basic " + base64.b64encode(b"store.server:server123").decode(),
    "unknown-till": basic_header("no.such.till", "server123"),
    "no-colon": "Basic " + base64.b64encode(b"store.server").decode(),
    "not-base64": "Basic !!!not-base64!!!",
    "empty-till-and-digest": "Basic " + base64.b64encode(b":").decode(),
    "not-utf8": "Basic " + base64.b64encode(b"store.server:\xff").decode(),
}


@pytest.mark.parametrize("header", WRONG.values(), ids=WRONG.keys())
def test_wrong_basic_credentials_get_401(client: httpx.Client, header: str) -> None:
    mobile = unique_mobile()
    _basic_failed(client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={"Authorization": header}))


def test_basic_auth_is_refused_when_the_org_disabled_it(client: httpx.Client, token: Callable[[str], str]) -> None:
    mobile = unique_mobile()
    header = basic_header("globex.hq.till01", "globex-till-pass")  # correct, but org 2002 has basic auth off
    _basic_failed(client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={"Authorization": header}))
    _basic_failed(client.get(TRANSACTION_GET, params={"number": "1"}, headers={"Authorization": header}),
                  "transactions")
    found = client.get(CUSTOMER_GET, params={"mobile": mobile}, headers={TOKEN_HEADER: token("globex_gateway")})
    assert first_item(found.json())["item_status"]["code"] == 1012


def test_a_token_header_takes_precedence_over_basic_auth(client: httpx.Client) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"},
                          headers={"Authorization": DOCS_EXAMPLE, TOKEN_HEADER: "not-a-token"})
    assert response.status_code == 401
    assert status_of(response.json())["message"] == "Unauthorized"


def test_other_authorization_schemes_are_unauthorized(client: httpx.Client) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={"Authorization": "Digest x"})
    assert response.status_code == 401
    assert status_of(response.json())["message"] == "Unauthorized"
