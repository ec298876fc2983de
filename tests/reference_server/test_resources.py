"""docs/contract.md section 3: customers and transactions, permissions (CAP-USE-06), isolation (CAP-USE-08)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    FORBIDDEN_MESSAGE,
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


def _auth(token: Token, name: str) -> dict[str, str]:
    return {TOKEN_HEADER: token(name)}


def _add(client: httpx.Client, token: Token, name: str, body: Any) -> httpx.Response:
    return client.post(CUSTOMER_ADD, params={"format": "json"}, json=body, headers=_auth(token, name))


def _get(client: httpx.Client, token: Token, name: str, **params: str) -> httpx.Response:
    return client.get(CUSTOMER_GET, params={"format": "json", **params}, headers=_auth(token, name))


def _bill() -> str:
    return "BILL-" + uuid.uuid4().hex[:12]


def test_customer_add_then_get_round_trip(client: httpx.Client, token: Token) -> None:
    mobile = unique_mobile()
    added = _add(client, token, "pos_gateway", customer_body(mobile, email=f"{mobile}@example.com"))
    assert added.status_code == 200
    assert added.json() == {"response": {
        "status": {"success": "true", "code": 200, "message": "SUCCESS"},
        "customers": {"customer": [{"mobile": mobile, "firstname": "Test", "email": f"{mobile}@example.com",
                                    "item_status": {"success": "true", "code": 1000,
                                                    "message": "Customer successfully added"}}]}}}
    found = first_item(_get(client, token, "pos_gateway", mobile=mobile).json())
    assert found["mobile"] == mobile
    assert found["firstname"] == "Test"
    assert found["registered_till"] == {"code": "blr.koramangala.till001", "name": "Koramangala Till 1"}
    assert found["registered_store"] == {"code": "blr.koramangala", "name": "Koramangala"}
    assert found["registered_by"] == "pos_gateway"
    assert found["item_status"]["code"] == 1000
    by_email = first_item(_get(client, token, "pos_gateway", email=f"{mobile}@example.com").json())
    assert by_email["mobile"] == mobile


def test_unknown_customer_is_1012_with_request_status_500(client: httpx.Client, token: Token) -> None:
    response = _get(client, token, "pos_gateway", mobile=unique_mobile())
    assert response.status_code == 200
    assert status_of(response.json()) == {"success": "false", "code": 500,
                                          "message": "All requests have failed due to errors"}
    assert first_item(response.json())["item_status"] == {"success": "false", "code": 1012,
                                                          "message": "Customer not found"}


def test_registering_an_existing_mobile_updates_its_details_not_its_till(client: httpx.Client,
                                                                        token: Token) -> None:
    """Documented (v1.1 customer/add): an existing identifier updates the other details."""
    mobile = unique_mobile()
    assert _add(client, token, "pos_gateway", customer_body(mobile)).status_code == 200
    again = _add(client, token, "fallback_pos", customer_body(mobile, firstname="Tom", email="tom@example.com")).json()
    assert first_item(again)["item_status"] == {"success": "true", "code": 1000,
                                                "message": "Customer successfully updated"}
    found = first_item(_get(client, token, "pos_gateway", mobile=mobile).json())
    assert (found["firstname"], found["email"]) == ("Tom", "tom@example.com")
    assert found["registered_till"]["code"] == "blr.koramangala.till001" and found["registered_by"] == "pos_gateway"


def test_no_identifier_is_1007(client: httpx.Client, token: Token) -> None:
    body = _add(client, token, "pos_gateway", {"root": {"customer": [{"firstname": "Nobody"}]}}).json()
    assert first_item(body)["item_status"]["code"] == 1007
    assert status_of(body)["code"] == 500


def test_partial_success_is_request_code_201(client: httpx.Client, token: Token) -> None:
    body = {"root": {"customer": [{"mobile": unique_mobile()}, {"firstname": "no id"}]}}
    response = _add(client, token, "pos_gateway", body).json()
    assert status_of(response)["code"] == 201
    codes = [item["item_status"]["code"] for item in response["response"]["customers"]["customer"]]
    assert codes == [1000, 1007]


def test_body_fields_naming_org_or_till_are_ignored(client: httpx.Client, token: Token) -> None:
    mobile = unique_mobile()
    _add(client, token, "pos_gateway", customer_body(mobile, org_id=2002, till="globex.hq.till01"))
    found = first_item(_get(client, token, "pos_gateway", mobile=mobile).json())
    assert found["registered_till"]["code"] == "blr.koramangala.till001"
    assert "org_id" not in found


MALFORMED_BODIES = {
    "not-json": b"mobile=1", "json-array": b"[]", "no-root": b'{"customer": [{"mobile": "1"}]}',
    "no-customer": b'{"root": {}}', "customer-not-list": b'{"root": {"customer": "1"}}',
    "empty-list": b'{"root": {"customer": []}}', "item-not-object": b'{"root": {"customer": ["1"]}}',
    "duplicate-members": b'{"root": {"customer": [{"mobile": "1"}]}, "root": {}}', "empty": b"",
}


@pytest.mark.parametrize("content", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_malformed_customer_body_is_400(client: httpx.Client, token: Token, content: bytes) -> None:
    response = client.post(CUSTOMER_ADD, content=content, headers=_auth(token, "pos_gateway"))
    assert response.status_code == 400
    assert status_of(response.json())["code"] == 400
    assert response.json()["response"]["customers"] is None


@pytest.mark.parametrize("query", ["", "format=json", "mobile=", "mobile=1&mobile=2", "number=1"])
def test_customer_get_without_a_single_identifier_is_400(client: httpx.Client, token: Token, query: str) -> None:
    response = client.get(f"{CUSTOMER_GET}?{query}", headers=_auth(token, "pos_gateway"))
    assert response.status_code == 400


def test_oversized_resource_body_is_413(client: httpx.Client, token: Token) -> None:
    body = b'{"root": {"customer": [{"mobile": "' + b"1" * 70_000 + b'"}]}}'
    response = client.post(CUSTOMER_ADD, content=body, headers=_auth(token, "pos_gateway"))
    assert response.status_code == 413
    assert status_of(response.json())["code"] == 413


def test_transaction_add_then_get(client: httpx.Client, token: Token) -> None:
    bill, mobile = _bill(), unique_mobile()
    added = client.post(TRANSACTION_ADD, json=transaction_body(bill, mobile), headers=_auth(token, "pos_gateway"))
    assert added.status_code == 200
    item = first_item(added.json(), "transaction")
    assert item["item_status"] == {"success": "true", "code": 600, "message": "Transaction added successfully"}
    assert item["number"] == bill and item["type"] == "REGULAR"
    assert item["customer"] == {"mobile": mobile}
    found = client.get(TRANSACTION_GET, params={"number": bill, "format": "json"}, headers=_auth(token, "pos_gateway"))
    assert status_of(found.json())["code"] == 200
    item = first_item(found.json(), "transaction")
    assert item["item_status"]["code"] == 600
    assert item["amount"] == 100.0
    assert item["billing_till"]["code"] == "blr.koramangala.till001"
    assert item["billing_store"] == {"code": "blr.koramangala", "name": "Koramangala"}


def test_transaction_codes_for_unknown_invalid_and_duplicate(client: httpx.Client, token: Token) -> None:
    auth = _auth(token, "pos_gateway")
    missing = client.get(TRANSACTION_GET, params={"number": _bill()}, headers=auth).json()
    assert first_item(missing, "transaction")["item_status"]["code"] == 625  # "Transaction number does not exist"
    assert status_of(missing)["code"] == 500
    codes = {
        601: transaction_body(_bill(), amount="lots"),
        602: {"root": {"transaction": [{"bill_number": _bill(), "type": "regular", "amount": 1.0}]}},
        605: transaction_body(_bill(), kind="gift"),
        606: transaction_body(_bill(), mobile=None),
    }
    for code, body in codes.items():
        answer = client.post(TRANSACTION_ADD, json=body, headers=auth).json()
        assert first_item(answer, "transaction")["item_status"]["code"] == code, body
    as_string = client.post(TRANSACTION_ADD, json=transaction_body(_bill(), amount="5000"), headers=auth).json()
    assert first_item(as_string, "transaction")["item_status"]["code"] == 600  # the docs' sample sends a string
    bill = _bill()
    client.post(TRANSACTION_ADD, json=transaction_body(bill), headers=auth)
    duplicate = client.post(TRANSACTION_ADD, json=transaction_body(bill), headers=auth).json()
    assert first_item(duplicate, "transaction")["item_status"]["code"] == 604  # "Transaction number already exists"


def test_an_amount_beyond_a_double_is_601_not_a_crash(client: httpx.Client, token: Token) -> None:
    """JSON integers are unbounded; 10**400 once raised OverflowError in the amount check (a 500)."""
    answer = client.post(TRANSACTION_ADD, json=transaction_body(_bill(), amount=10**400),
                         headers=_auth(token, "pos_gateway"))
    assert answer.status_code == 200
    assert first_item(answer.json(), "transaction")["item_status"]["code"] == 601


def test_malformed_transaction_body_is_400(client: httpx.Client, token: Token) -> None:
    response = client.post(TRANSACTION_ADD, json={"root": {"customer": []}}, headers=_auth(token, "pos_gateway"))
    assert response.status_code == 400
    assert response.json()["response"]["transactions"] is None


# -- permissions (CAP-USE-06) --------------------------------------------------------------
def _forbidden(response: httpx.Response, member: str) -> None:
    assert response.status_code == 403
    assert response.json() == {"response": {"status": {"success": False, "code": 403, "message": FORBIDDEN_MESSAGE},
                                            member: None}}


def test_read_only_client_cannot_add_customers_and_nothing_is_stored(client: httpx.Client, token: Token) -> None:
    mobile = unique_mobile()
    _forbidden(_add(client, token, "report_reader", customer_body(mobile)), "customers")
    assert first_item(_get(client, token, "pos_gateway", mobile=mobile).json())["item_status"]["code"] == 1012


def test_read_only_client_can_read_customers(client: httpx.Client, token: Token) -> None:
    mobile = unique_mobile()
    _add(client, token, "pos_gateway", customer_body(mobile))
    found = _get(client, token, "report_reader", mobile=mobile)
    assert found.status_code == 200
    assert first_item(found.json())["item_status"]["code"] == 1000


def test_client_without_transaction_access_gets_403_both_ways(client: httpx.Client, token: Token) -> None:
    bill = _bill()
    _forbidden(client.post(TRANSACTION_ADD, json=transaction_body(bill), headers=_auth(token, "report_reader")),
               "transactions")
    _forbidden(client.get(TRANSACTION_GET, params={"number": bill}, headers=_auth(token, "report_reader")),
               "transactions")
    missing = client.get(TRANSACTION_GET, params={"number": bill}, headers=_auth(token, "pos_gateway")).json()
    assert first_item(missing, "transaction")["item_status"]["code"] == 625


def test_write_only_client_cannot_read(client: httpx.Client, token: Token) -> None:
    bill = _bill()
    added = client.post(TRANSACTION_ADD, json=transaction_body(bill), headers=_auth(token, "fallback_pos"))
    assert first_item(added.json(), "transaction")["item_status"]["code"] == 600
    _forbidden(client.get(TRANSACTION_GET, params={"number": bill}, headers=_auth(token, "fallback_pos")),
               "transactions")


def test_403_is_decided_before_the_body_is_looked_at(client: httpx.Client, token: Token) -> None:
    _forbidden(client.post(CUSTOMER_ADD, content=b"not json", headers=_auth(token, "report_reader")), "customers")


@pytest.mark.parametrize(("path", "allow"), [(CUSTOMER_ADD, "POST"), (CUSTOMER_GET, "GET"),
                                             (TRANSACTION_ADD, "POST"), (TRANSACTION_GET, "GET")])
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_on_resources_get_405(client: httpx.Client, token: Token, path: str, allow: str,
                                            method: str) -> None:
    response = client.request(method, path, headers=_auth(token, "pos_gateway"))
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert status_of(response.json())["code"] == 405


# -- isolation (CAP-USE-08) ----------------------------------------------------------------
def test_orgs_do_not_see_each_others_customers(client: httpx.Client, token: Token) -> None:
    mobile = unique_mobile()
    assert first_item(_add(client, token, "globex_gateway", customer_body(mobile)).json())["item_status"][
        "code"] == 1000
    elsewhere = _get(client, token, "pos_gateway", mobile=mobile)
    never = _get(client, token, "pos_gateway", mobile=unique_mobile())
    assert first_item(elsewhere.json())["item_status"]["code"] == 1012
    # "exists in another org" and "does not exist" look the same (only the echoed mobile differs).
    assert elsewhere.content.replace(mobile.encode(), b"M") == never.content.replace(
        first_item(never.json())["mobile"].encode(), b"M")
    own = first_item(_get(client, token, "globex_gateway", mobile=mobile).json())
    assert own["registered_till"]["code"] == "globex.hq.till01"
    assert own["registered_by"] == "globex_gateway"


def test_the_same_mobile_registers_independently_per_org(client: httpx.Client, token: Token) -> None:
    mobile = unique_mobile()
    for name in ("pos_gateway", "globex_gateway"):
        assert first_item(_add(client, token, name, customer_body(mobile)).json())["item_status"]["code"] == 1000
    assert first_item(_get(client, token, "pos_gateway", mobile=mobile).json())["registered_by"] == "pos_gateway"
    assert first_item(_get(client, token, "globex_gateway", mobile=mobile).json())["registered_by"] == "globex_gateway"


def test_orgs_do_not_see_each_others_transactions(client: httpx.Client, token: Token) -> None:
    bill = _bill()
    client.post(TRANSACTION_ADD, json=transaction_body(bill), headers=_auth(token, "globex_gateway"))
    response = client.get(TRANSACTION_GET, params={"number": bill}, headers=_auth(token, "pos_gateway"))
    assert first_item(response.json(), "transaction")["item_status"]["code"] == 625
