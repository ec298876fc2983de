"""Probes for the access faults: permissions, tills, basic auth and tenancy."""

from __future__ import annotations

import httpx

from .fault_probes import (
    OVERRIDE,
    headers_with_token,
    probe,
    read_customer,
    token_for,
    write_customer,
)
from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    TRANSACTION_GET,
    basic_header,
    customer_body,
    first_item,
    unique_mobile,
)


# -- permissions -------------------------------------------------------------------------------
@probe("read-grants-write")
def _(http: httpx.Client) -> bool:
    headers = headers_with_token("report_reader", http)
    response = http.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers=headers)
    return response.status_code == 200


@probe("permissions-ignored")
def _(http: httpx.Client) -> bool:
    response = http.get(TRANSACTION_GET, params={"number": "1"}, headers=headers_with_token("report_reader", http))
    return response.status_code != 403


@probe("write-before-permission-check")
def _(http: httpx.Client) -> bool:
    mobile = unique_mobile()
    http.post(CUSTOMER_ADD, json=customer_body(mobile), headers=headers_with_token("report_reader", http))
    found = read_customer(http, token_for(http, "report_reader"), mobile).json()
    return bool(first_item(found)["item_status"]["code"] == 1000)


# -- tills -------------------------------------------------------------------------------------
@probe("till-header-ignored")
def _(http: httpx.Client) -> bool:
    headers = headers_with_token("pos_gateway", http, **{"X-CAP-API-ATTRIBUTION-TILL-CODE": OVERRIDE})
    return write_customer(http, headers)[1] != OVERRIDE


@probe("seed-till-header-only")
def _(http: httpx.Client) -> bool:
    headers = {"X-CAP-API-ATTRIBUTION-ENTITY-TYPE": "TILL", "X-CAP-API-ATTRIBUTION-ENTITY-CODE": OVERRIDE}
    return write_customer(http, headers_with_token("pos_gateway", http, **headers))[1] != OVERRIDE


@probe("unknown-till-stored")
def _(http: httpx.Client) -> bool:
    headers = headers_with_token("pos_gateway", http, **{"X-CAP-API-ATTRIBUTION-TILL-CODE": "probe.unknown.till"})
    return write_customer(http, headers)[1] == "probe.unknown.till"


@probe("cross-org-till-accepted")
def _(http: httpx.Client) -> bool:
    headers = headers_with_token("pos_gateway", http, **{"X-CAP-API-ATTRIBUTION-TILL-CODE": "globex.hq.till01"})
    return write_customer(http, headers)[0] == 1000


@probe("invalid-till-always-falls-back")
def _(http: httpx.Client) -> bool:
    headers = headers_with_token("pos_gateway", http, **{"X-CAP-API-ATTRIBUTION-TILL-CODE": "probe.unknown.till"})
    return write_customer(http, headers) == (1000, "blr.koramangala.till001")


@probe("default-till-from-org")
def _(http: httpx.Client) -> bool:
    return write_customer(http, headers_with_token("fallback_pos", http))[1] != "blr.indiranagar.till002"


# -- basic auth and tenancy --------------------------------------------------------------------
@probe("basic-auth-when-disabled")
def _(http: httpx.Client) -> bool:
    header = basic_header("globex.hq.till01", "globex-till-pass")
    return http.get(CUSTOMER_GET, params={"mobile": "1"}, headers={"Authorization": header}).status_code == 200


@probe("basic-auth-any-password")
def _(http: httpx.Client) -> bool:
    header = basic_header("store.server", "not-the-password")
    return http.get(CUSTOMER_GET, params={"mobile": "1"}, headers={"Authorization": header}).status_code == 200


@probe("basic-auth-not-attributed")
def _(http: httpx.Client) -> bool:
    return write_customer(http, {"Authorization": basic_header("store.server", "server123")})[1] != "store.server"


@probe("cross-org-read")
def _(http: httpx.Client) -> bool:
    mobile = unique_mobile()
    http.post(CUSTOMER_ADD, json=customer_body(mobile), headers=headers_with_token("globex_gateway", http))
    return bool(first_item(read_customer(http, token_for(http), mobile).json())["item_status"]["code"] == 1000)


@probe("authorization-fails-open")
def _(http: httpx.Client) -> bool:
    answer = http.get(CUSTOMER_GET, params={"mobile": "1"}, headers=headers_with_token("authz_outage", http))
    return answer.status_code == 200
