"""The registry of fault probes and the small requests they share.

One probe per catalogued fault (fault_probes_tokens.py, fault_probes_access.py): the requests that
expose it, True when the deviation shows.

Each probe must stay silent (False) on the clean server, so a probe that fires for another
reason cannot pass for the fault it names.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from .helpers import (
    CUSTOMER_ADD,
    CUSTOMER_GET,
    TOKEN_HEADER,
    TOKEN_PATH,
    credentials,
    customer_body,
    first_item,
    mint,
    other_key,
    unique_mobile,
)

Probe = Callable[[httpx.Client], bool]
PROBES: dict[str, Probe] = {}
FOREIGN = other_key()
OVERRIDE = "store.server"


def probe(name: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        PROBES[name] = fn
        return fn

    return register


# -- small request helpers -------------------------------------------------------------------
def token_for(http: httpx.Client, name: str = "pos_gateway") -> str:
    return str(http.post(TOKEN_PATH, json=credentials(name)).json()["data"]["accessToken"])


def read_customer(http: httpx.Client, token: str, mobile: str = "1") -> httpx.Response:
    return http.get(CUSTOMER_GET, params={"mobile": mobile}, headers={TOKEN_HEADER: token})


def expired_token(seconds_ago: int = 120) -> str:
    now = int(time.time())
    return mint(iat=now - seconds_ago - 60, exp=now - seconds_ago)


def write_customer(http: httpx.Client, headers: dict[str, str], reader: str = "pos_gateway") -> tuple[int, str]:
    """Add a customer; (item code, registered till code as the reader sees it, or '')."""
    mobile = unique_mobile()
    added = http.post(CUSTOMER_ADD, json=customer_body(mobile), headers=headers)
    code = first_item(added.json())["item_status"]["code"] if added.status_code == 200 else added.status_code
    found = first_item(read_customer(http, token_for(http, reader), mobile).json())
    return code, found.get("registered_till", {}).get("code", "")


def headers_with_token(name: str, http: httpx.Client, **headers: str) -> dict[str, str]:
    return {TOKEN_HEADER: token_for(http, name), **headers}


