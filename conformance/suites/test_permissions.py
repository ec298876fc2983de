"""docs/contract.md §3/§6: a valid token for a resource the client may not use (negative cases 43, 44)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance import protocol
from conformance.checks import resources
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.profiles import Profile
from conformance.requirements import V11_INDEX

requirement = pytest.mark.requirement
OPERATIONS = ["customer:write", "customer:read", "transaction:write", "transaction:read"]


def perform(api: CapillaryApi, operation: str, token: str, mobile: str, label: str) -> Exchange:
    if operation == "customer:write":
        return api.customer_add(token, mobile, label=label)
    if operation == "customer:read":
        return api.customer_get(token, mobile, label=label)
    if operation == "transaction:write":
        return api.transaction_add(token, f"BILL-{mobile}", mobile, label=label)
    return api.transaction_get(token, f"BILL-{mobile}", label=label)


def control_for(api: CapillaryApi, target: TargetContext, operation: str) -> Callable[[str], Exchange]:
    """The same operation by the primary client, on records known to exist (reads) or fresh ones (writes)."""
    label = "positive control (primary)"
    if operation == "customer:read":
        return lambda token: api.customer_get(token, target.known_customer(), label=label)
    if operation == "transaction:read":
        return lambda token: api.transaction_get(token, target.known_bill(), label=label)
    if operation == "transaction:write":
        return lambda token: api.transaction_add(token, f"BILL-{target.fresh_mobile()}", target.known_customer(),
                                                 label=label)
    return lambda token: api.customer_add(token, target.fresh_mobile(), label=label)


@requirement("CAP-USE-06")
def test_denied_operation_gets_403_and_changes_nothing(target: TargetContext, api: CapillaryApi,
                                                       unique_mobile: Callable[[], str], denied_operation: str) -> None:
    """Parametrised by the plugin with each operation in the profile's clients.restricted.denied."""
    operation = denied_operation
    mobile = unique_mobile()
    entity = operation.split(":")[0]
    # Control: the primary client may do the same operation on the same endpoint.
    attack = lambda: perform(api, operation, target.token("restricted").token, mobile, f"denied {operation}")  # noqa: E731
    target.negative(control_for(api, target, operation), attack, resources.access_was_denied)
    if operation.endswith(":write"):
        reader = api.customer_get if entity == "customer" else None
        follow_up = (reader(target.token().token, mobile, label="side-effect read") if reader else
                     api.transaction_get(target.token().token, f"BILL-{mobile}", label="side-effect read"))
        resources.record_was_not_found(follow_up, entity)


@requirement("CAP-USE-06")
def test_restricted_client_can_still_use_what_it_is_allowed(target: TargetContext, api: CapillaryApi,
                                                             profile: Profile,
                                                             unique_mobile: Callable[[], str]) -> None:
    """The positive half: a restricted client is not simply locked out of everything."""
    allowed = [op for op in OPERATIONS if op not in profile.clients["restricted"].denied]
    if not allowed:
        pytest.skip(f"profile {profile.source.name}: the restricted client is denied every operation")
    operation = next((op for op in allowed if op.endswith(":read")), allowed[0])
    mobile = target.known_customer() if operation == "customer:read" else unique_mobile()
    resources.call_was_accepted(perform(api, operation, target.token("restricted").token, mobile,
                                        f"allowed {operation}"))


@requirement("CAP-USE-06", basis=f"documented: v1.1 code 405 'Incorrect HTTP Method' ({V11_INDEX})")
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_undocumented_method_on_a_resource_is_refused(target: TargetContext, api: CapillaryApi, method: str,
                                                      unique_mobile: Callable[[], str]) -> None:
    mobile = unique_mobile()
    answer = api.send(method, protocol.CUSTOMER_ADD_PATH, headers=api.token_headers(target.token().token),
                      json_body=protocol.customer_add_body(mobile), label=f"{method} on customer/add")
    resources.method_was_refused(answer)
    resources.record_was_not_found(api.customer_get(target.token().token, mobile, label="side-effect read"))


@requirement("CAP-USE-06")
@pytest.mark.reference_only
@pytest.mark.requires("authz_unavailable")
@pytest.mark.parametrize("operation", ["customer:read", "customer:write"])
def test_authorisation_outage_is_never_an_accept(target: TargetContext, api: CapillaryApi, operation: str,
                                                 unique_mobile: Callable[[], str]) -> None:
    """negative case 50: when the access-group back end is down, 503/4001 (retry later), never data."""
    mobile = unique_mobile()
    attack = lambda: perform(api, operation, target.token("authz_unavailable").token, mobile,  # noqa: E731
                             f"{operation} during an authorisation outage")
    target.negative(control_for(api, target, operation), attack, resources.authorisation_was_unavailable)
    resources.record_was_not_found(api.customer_get(target.token().token, mobile, label="side-effect read"))
