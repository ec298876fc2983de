"""docs/contract.md §3: calling APIs with the token; how it travels (negative cases 16-19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance import protocol
from conformance.checks import resources
from conformance.client import CapillaryApi
from conformance.context import WRITING_ROLES, TargetContext
from conformance.exchange import Exchange
from conformance.requirements import FLOWS, REQUIREMENTS

requirement = pytest.mark.requirement


def read_with(api: CapillaryApi, target: TargetContext) -> Callable[[str], Exchange]:
    """The positive control: read a customer this org is known to hold, with the untouched token."""
    return lambda token: api.customer_get(token, target.known_customer(), label="positive control")


@requirement("CAP-USE-01")
def test_valid_token_is_accepted_for_a_write(target: TargetContext, api: CapillaryApi,
                                             unique_mobile: Callable[[], str]) -> None:
    answer = api.customer_add(target.token("primary").token, unique_mobile(), label="write with the run's token")
    resources.write_was_stored(answer)


@requirement("CAP-USE-01")
def test_valid_token_is_accepted_for_a_read(target: TargetContext, api: CapillaryApi) -> None:
    known = target.known_customer()
    answer = api.customer_get(target.token("primary").token, known, label="read with the run's token")
    resources.record_was_found(answer)


@requirement("CAP-USE-01", level="SHOULD")  # docs/contract.md section 7 documents it, but gives it no CAP id
def test_every_answer_carries_a_request_id(target: TargetContext, api: CapillaryApi,
                                           unique_mobile: Callable[[], str]) -> None:
    """docs/contract.md §7: every response has a unique X-Cap-Requestid."""
    first = api.customer_get(target.token().token, unique_mobile())
    second = api.customer_get(None, unique_mobile(), label="no token")
    resources.request_ids_are_distinct([first, second])


# (id, how the token travels): each must be refused; the untouched header is the control.
def _transport_variants(token: str) -> dict[str, list[tuple[str, str]]]:
    return {
        "header-missing": [],
        "header-empty": [(protocol.TOKEN_HEADER, "")],
        # A whitespace-only value is not sendable: h11 (httpx) refuses header values with
        # surrounding whitespace, as RFC 9110 field-value rules say; so is every conforming proxy.
        "header-literal-null": [(protocol.TOKEN_HEADER, "null")],
        "header-literal-undefined": [(protocol.TOKEN_HEADER, "undefined")],
        "cookie-only": [("Cookie", f"{protocol.TOKEN_HEADER}={token}")],
        "misspelled-header": [("X-CAP-API-OAUTH-TOKENS", token)],
        "two-headers-both-invalid": [(protocol.TOKEN_HEADER, "garbage"), (protocol.TOKEN_HEADER, "more-garbage")],
        "authorization-bearer-only": [("Authorization", f"Bearer {token}")],
        "token-header-with-bearer-prefix": [(protocol.TOKEN_HEADER, f"Bearer {token}")],
        "two-headers-valid-then-garbage": [(protocol.TOKEN_HEADER, token), (protocol.TOKEN_HEADER, "garbage")],
        "two-headers-garbage-then-valid": [(protocol.TOKEN_HEADER, "garbage"), (protocol.TOKEN_HEADER, token)],
    }


_GENUINE = ("undocumented: the token is genuine and unaltered, so accepting it lets no forgery through "
            "(negative case {case})")
# Where the docs are silent and no forged token gets through, refusing is recommended, not required.
_SHOULD_CASES = {
    "authorization-bearer-only": ("bearer_authorization", _GENUINE.format(case=18)),
    "token-header-with-bearer-prefix": ("bearer_authorization", _GENUINE.format(case=18)),
    "two-headers-valid-then-garbage": ("duplicate_token_headers", _GENUINE.format(case=19)),
    "two-headers-garbage-then-valid": ("duplicate_token_headers", _GENUINE.format(case=19)),
}
_MUST_BASIS = {
    "cookie-only": "security: a token taken from a cookie is replayable cross-site (CSRF); the docs name one header",
    "misspelled-header": f"documented: {protocol.TOKEN_HEADER} is the required header that carries the token, "
                         f"and a call without a valid token gets 401 Unauthorized ({FLOWS})",
}


def _transport_params() -> list[Any]:
    params = []
    for variant in _transport_variants("t"):
        if variant in _SHOULD_CASES:
            pinned_by, basis = _SHOULD_CASES[variant]
            mark = requirement("CAP-USE-02", level="SHOULD", basis=basis, pinned_by=pinned_by)
        else:
            mark = requirement("CAP-USE-02", basis=_MUST_BASIS.get(variant, REQUIREMENTS["CAP-USE-02"].basis))
        params.append(pytest.param(variant, marks=mark, id=variant))
    return params


@requirement("CAP-USE-02")
@pytest.mark.parametrize("variant", _transport_params())
def test_token_sent_anywhere_but_its_header_is_refused(target: TargetContext, api: CapillaryApi,
                                                       unique_mobile: Callable[[], str], variant: str) -> None:
    mobile = unique_mobile()
    role = target.spread(list(_transport_variants("t")).index(variant), WRITING_ROLES)

    def attack() -> Exchange:
        headers = _transport_variants(target.token(role).token)[variant]
        return api.customer_add(None, mobile, headers=headers, label=f"token transport: {variant}")

    target.negative_write(mobile, attack, resources.token_was_rejected_as_invalid, role)


@requirement("CAP-USE-02")
def test_token_in_the_query_string_is_never_accepted(target: TargetContext, api: CapillaryApi,
                                                      unique_mobile: Callable[[], str]) -> None:
    mobile = unique_mobile()

    def attack() -> Exchange:
        token = target.token().token
        return api.send("GET", protocol.CUSTOMER_GET_PATH, label="token in query",
                        params={"mobile": mobile, "format": "json", "access_token": token,
                                protocol.TOKEN_HEADER: token})

    target.negative(read_with(api, target), attack, resources.token_was_rejected_as_invalid)


@requirement("CAP-USE-07")
@pytest.mark.parametrize("name", ["x-cap-api-oauth-token", "X-Cap-Api-Oauth-Token", "X-CAP-API-OAUTH-TOKEN"])
def test_token_header_name_is_case_insensitive(target: TargetContext, api: CapillaryApi,
                                               unique_mobile: Callable[[], str], name: str) -> None:
    answer = api.customer_get(None, unique_mobile(), headers=[(name, target.token().token)], label=f"header {name}")
    resources.call_was_accepted(answer)
