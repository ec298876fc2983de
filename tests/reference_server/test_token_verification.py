"""docs/contract.md section 3: calling resources with a token (CAP-USE-01..05, 07) and negative cases 16-42."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .attack_tokens import ATTACKS, FOREIGN, HEADER
from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    KID,
    TOKEN_HEADER,
    TOKEN_PATH,
    TRANSACTION_GET,
    UNAUTHORIZED,
    b64u,
    claims_for,
    credentials,
    customer_body,
    first_item,
    mint,
    sign,
    status_of,
    unique_mobile,
)


@pytest.mark.parametrize("build", ATTACKS.values(), ids=ATTACKS.keys())
def test_forged_or_malformed_tokens_get_401_and_no_side_effect(
    client: httpx.Client, token: Callable[[str], str], build: Callable[[str], str]
) -> None:
    forged = build(token("pos_gateway"))
    mobile = unique_mobile()
    response = client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={TOKEN_HEADER: forged})
    assert response.status_code == 401, response.text
    assert response.json() == UNAUTHORIZED
    assert response.headers["x-cap-requestid"]
    # Positive control and side-effect check in one: the valid token works and finds nothing.
    control = client.get(CUSTOMER_GET, params={"mobile": mobile}, headers={TOKEN_HEADER: token("pos_gateway")})
    assert control.status_code == 200
    assert first_item(control.json())["item_status"]["code"] == 1012


@pytest.mark.parametrize("name", ["pos_gateway", "globex_gateway", "fallback_pos"])
def test_fresh_valid_token_is_accepted(client: httpx.Client, token: Callable[[str], str], name: str) -> None:
    response = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: token(name)})
    assert response.status_code == 200
    body = response.json()
    assert status_of(body)["code"] == 200
    assert first_item(body)["item_status"]["code"] == 1000


@pytest.mark.parametrize("header", [TOKEN_HEADER, TOKEN_HEADER.lower(), "x-Cap-Api-Oauth-Token", TOKEN_HEADER.upper()])
def test_token_header_name_is_case_insensitive(client: httpx.Client, token: Callable[[str], str], header: str) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={header: token("pos_gateway")})
    assert response.status_code == 200


def test_suite_minted_token_with_the_configured_key_is_accepted(client: httpx.Client) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint()})
    assert response.status_code == 200  # positive half of every signed-by-us attack above


def test_token_without_the_newer_claims_is_accepted(client: httpx.Client) -> None:
    claims = claims_for("pos_gateway")  # the docs' older sample token: no client_key, scopes, ...
    assert client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: sign(
        {"kid": KID, "alg": "RS256"}, claims)}).status_code == 200


def test_iat_one_second_ahead_is_tolerated_but_not_more(client: httpx.Client) -> None:
    now = int(time.time())
    ahead = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint(iat=now + 1, exp=now + 60)})
    assert ahead.status_code == 200
    far = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint(iat=now + 3, exp=now + 60)})
    assert far.status_code == 401


@pytest.mark.parametrize("second", ["garbage", "same"])
def test_two_token_headers_are_rejected(client: httpx.Client, token: Callable[[str], str], second: str) -> None:
    valid = token("pos_gateway")
    headers = [(TOKEN_HEADER, valid), (TOKEN_HEADER, "garbage" if second == "garbage" else valid)]
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("where", ["no-header", "authorization-bearer", "query-access-token", "cookie",
                                   "misspelled-header", "seed-prose-header"])
def test_token_anywhere_but_its_header_is_ignored(
    client: httpx.Client, token: Callable[[str], str], where: str
) -> None:
    valid = token("pos_gateway")
    params: dict[str, str] = {"mobile": "1"}
    headers: dict[str, str] = {}
    if where == "authorization-bearer":
        headers["authorization"] = "Bearer " + valid
    elif where == "query-access-token":
        params["access_token"] = valid
    elif where == "cookie":
        headers["cookie"] = f"{TOKEN_HEADER}={valid}"
    elif where == "misspelled-header":
        headers["X-CAP-API-OAUTH-TOKENS"] = valid
    elif where == "seed-prose-header":
        headers["X-CAP-API-ATTRIBUTION-TILL"] = valid  # the seed's prose swaps the two headers
    response = client.get(CUSTOMER_GET, params=params, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_transaction_endpoints_answer_401_with_a_transactions_member(client: httpx.Client) -> None:
    response = client.get(TRANSACTION_GET, params={"number": "x"}, headers={TOKEN_HEADER: "nope"})
    assert response.status_code == 401
    assert response.json() == {"response": {"status": {"success": False, "code": 401, "message": "Unauthorized"},
                                            "transactions": None}}


def _expired_message(exp: int) -> str:
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))
    return "Token expired at " + dt.datetime.fromtimestamp(exp, zone).strftime("%Y-%m-%dT%H:%M:%S.000+0530")


def test_short_lived_token_expires_with_498_and_regeneration_works(client: httpx.Client) -> None:
    """CAP-USE-03/04/05 with a real 2-second token: works before exp, 498 from exp on."""
    minted = client.post(TOKEN_PATH, json=credentials("short_lived")).json()["data"]["accessToken"]
    exp = json.loads(base64.urlsafe_b64decode(minted.split(".")[1] + "=="))["exp"]
    mobile = unique_mobile()
    before = client.post(CUSTOMER_ADD, json=customer_body(mobile), headers={TOKEN_HEADER: minted})
    assert time.time() < exp, "the machine was too slow to observe the token before expiry"
    assert before.status_code == 200
    assert first_item(before.json())["item_status"]["code"] == 1000
    while time.time() < exp:  # poll the condition: the server expires it at now >= exp
        time.sleep(min(0.05, max(exp - time.time(), 0.001)))
    after = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: minted})
    assert after.status_code == 498
    assert after.json() == {"response": {"status": {"success": False, "code": 498, "message": _expired_message(exp)},
                                         "customers": None}}
    regenerated = client.post(TOKEN_PATH, json=credentials("short_lived")).json()["data"]["accessToken"]
    retry = client.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: regenerated})
    assert retry.status_code == 200
    assert status_of(retry.json())["code"] == 200


def test_expired_suite_minted_token_names_its_exp(client: httpx.Client) -> None:
    now = int(time.time())
    expired = mint(iat=now - 100, exp=now - 40)
    response = client.get(TRANSACTION_GET, params={"number": "1"}, headers={TOKEN_HEADER: expired})
    assert response.status_code == 498
    assert response.json()["response"] == {
        "status": {"success": False, "code": 498, "message": _expired_message(now - 40)}, "transactions": None}


def test_token_is_expired_in_the_second_of_exp(client: httpx.Client) -> None:
    now = int(time.time())
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: mint(iat=now - 10, exp=now)})
    assert response.status_code == 498  # leeway 0: now >= exp is expired


@pytest.mark.parametrize("variant", ["bad-signature", "deactivated-client", "wrong-issuer", "foreign-key"])
def test_only_fully_valid_expired_tokens_get_498(client: httpx.Client, variant: str) -> None:
    now = int(time.time())
    iat, exp = now - 100, now - 40
    forged = {
        "bad-signature": lambda: mint(iat=iat, exp=exp)[:-6] + "AAAAAA",
        "deactivated-client": lambda: mint("retired", iat=iat, exp=exp),
        "wrong-issuer": lambda: mint(iss="Evil", iat=iat, exp=exp),
        "foreign-key": lambda: sign(HEADER, claims_for("pos_gateway", iat=iat, exp=exp), FOREIGN),
    }[variant]()
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: forged})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.integers(0, 2), position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_change_to_the_decoded_bytes_is_rejected(
    client: httpx.Client, token: Callable[[str], str], segment: int, position: int, bit: int
) -> None:
    """idea D13 of the negative-case catalogue: flipping any bit of any decoded segment never yields acceptance."""
    parts = token("pos_gateway").split(".")
    raw = bytearray(base64.urlsafe_b64decode(parts[segment] + "=" * (-len(parts[segment]) % 4)))
    raw[position % len(raw)] ^= 1 << bit
    parts[segment] = b64u(bytes(raw))
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers={TOKEN_HEADER: ".".join(parts)})
    assert response.status_code == 401
