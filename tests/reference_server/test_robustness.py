"""Property tests: arbitrary input never crashes the server (no 5xx) and never authenticates."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import CUSTOMER_ADD, CUSTOMER_GET, TILLS, TOKEN_HEADER, TOKEN_PATH, first_item, unique_mobile

FIXTURES_OK = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Bytes an HTTP/1.1 client can put in a header value (h11 refuses CR, LF, NUL and outer whitespace).
HEADER_VALUE = st.binary(max_size=200).map(lambda b: bytes(c for c in b if c >= 0x21 and c != 0x7F))
ORG_1115_TILLS = {code for code, till in TILLS.items() if till["org_id"] == 1115}


@FIXTURES_OK
@given(body=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_token_endpoint_never_fails_and_never_mints_for_garbage(client: httpx.Client, body: bytes) -> None:
    response = client.post(TOKEN_PATH, content=body)
    assert response.status_code in (400, 401)
    assert response.json()["data"] is None
    assert response.headers["x-cap-requestid"]


@FIXTURES_OK
@given(body=st.binary(max_size=300) | JSON.map(lambda v: json.dumps({"root": {"customer": v}}).encode()))
def test_customer_add_never_fails_on_garbage(client: httpx.Client, token: Callable[[str], str], body: bytes) -> None:
    response = client.post(CUSTOMER_ADD, content=body, headers={TOKEN_HEADER: token("pos_gateway")})
    assert response.status_code in (200, 400)
    assert response.json()["response"]["status"]["code"] in (200, 201, 400, 500)


@FIXTURES_OK
@given(value=HEADER_VALUE)
def test_arbitrary_token_header_values_are_401(client: httpx.Client, value: bytes) -> None:
    response = client.get(CUSTOMER_GET, params={"mobile": "1"}, headers=[(TOKEN_HEADER.encode(), value)])
    assert response.status_code == 401


@FIXTURES_OK
@given(headers=st.dictionaries(
    st.sampled_from(["x-cap-api-attribution-till-code", "x-cap-api-attribution-till",
                     "x-cap-api-attribution-entity-type", "x-cap-api-attribution-entity-code"]),
    HEADER_VALUE | st.sampled_from([*sorted(ORG_1115_TILLS), "TILL", "globex.hq.till01"]), max_size=4))
def test_arbitrary_till_headers_never_attribute_outside_the_org(
    client: httpx.Client, token: Callable[[str], str], headers: dict[str, Any]
) -> None:
    mobile = unique_mobile()
    raw = [(TOKEN_HEADER.encode(), token("pos_gateway").encode())]
    raw += [(k.encode(), v if isinstance(v, bytes) else v.encode()) for k, v in headers.items()]
    added = client.post(CUSTOMER_ADD, json={"root": {"customer": [{"mobile": mobile}]}}, headers=raw)
    assert added.status_code == 200
    assert first_item(added.json())["item_status"]["code"] in (1000, 91021)
    found = first_item(client.get(CUSTOMER_GET, params={"mobile": mobile},
                                  headers={TOKEN_HEADER: token("pos_gateway")}).json())
    if found["item_status"]["code"] == 1000:
        assert found["registered_till"]["code"] in ORG_1115_TILLS
