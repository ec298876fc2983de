"""docs/contract.md CAP-USE-08: a token of one org never reads or writes another org's data (negative cases 45, 49)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance import protocol
from conformance.checks import resources
from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.profiles import Profile

requirement = pytest.mark.requirement
pytestmark = pytest.mark.requires("other_org")


def _same_refusal(found_elsewhere: Exchange, nowhere: Exchange) -> None:
    """'Exists in another org' and 'does not exist' must be indistinguishable (API1)."""
    def shape(exchange: Exchange) -> tuple[object, ...]:
        items = protocol.items(exchange.json, "customer")
        return exchange.status, protocol.status_code(exchange.json), tuple(protocol.item_code(i) for i in items)

    if shape(found_elsewhere) != shape(nowhere):
        raise ConformanceFailure("exists_elsewhere_answers_like_not_found", repr(shape(nowhere)),
                                 repr(shape(found_elsewhere)), found_elsewhere)


@requirement("CAP-USE-08")
def test_other_orgs_customer_is_invisible(target: TargetContext, api: CapillaryApi,
                                          unique_mobile: Callable[[], str]) -> None:
    mobile = unique_mobile()
    resources.write_was_stored(api.customer_add(target.token("other_org").token, mobile, label="other org writes"))
    control = lambda token: api.customer_get(target.token("other_org").token, mobile, label="positive control (owner)")  # noqa: E731
    seen = target.negative(control, lambda: api.customer_get(target.token().token, mobile, label="cross-org read"),
                           resources.record_was_not_found)
    _same_refusal(seen, api.customer_get(target.token().token, unique_mobile(), label="read of nobody"))


@requirement("CAP-USE-08")
def test_writes_stay_in_the_writers_org(target: TargetContext, api: CapillaryApi,
                                        unique_mobile: Callable[[], str]) -> None:
    """The same mobile registered in both orgs: each org keeps its own record and till."""
    mobile = unique_mobile()
    resources.write_was_stored(api.customer_add(target.token("other_org").token, mobile, label="org B writes"))
    resources.write_was_stored(api.customer_add(target.token().token, mobile, label="org A writes the same mobile"))
    resources.record_is_attributed_to(api.customer_get(target.token().token, mobile, label="org A reads"),
                                      target.client("primary").default_till)
    resources.record_is_attributed_to(api.customer_get(target.token("other_org").token, mobile, label="org B reads"),
                                      target.client("other_org").default_till)


@requirement("CAP-USE-08")
def test_body_fields_naming_another_org_are_not_obeyed(target: TargetContext, api: CapillaryApi,
                                                       profile: Profile, unique_mobile: Callable[[], str]) -> None:
    """negative cases 49: org_id/client_id/till in the payload never escalate."""
    mobile = unique_mobile()
    other = profile.clients["other_org"]
    body = protocol.customer_add_body(mobile)
    body["root"]["customer"][0].update(org_id=other.org_id, client_id=999999, till_code=other.default_till)
    body["org_id"] = other.org_id
    api.customer_add(target.token().token, mobile, body=body, label="body names the other org")
    resources.record_was_not_found(api.customer_get(target.token("other_org").token, mobile,
                                                    label="other org looks for it"))


@requirement("CAP-USE-08", "CAP-TILL-03")
@pytest.mark.requires("foreign_till")
def test_another_orgs_till_is_never_used(target: TargetContext, api: CapillaryApi, profile: Profile,
                                         unique_mobile: Callable[[], str]) -> None:
    mobile = unique_mobile()
    api.customer_add(target.token().token, mobile, headers=[(profile.till_header, profile.tills.foreign or "")],
                     label="another org's till")
    read = api.customer_get(target.token().token, mobile, label="read back")
    for item in protocol.items(read.json, "customer"):
        registered = item.get("registered_till")
        code = registered.get("code") if isinstance(registered, dict) else registered
        if code == profile.tills.foreign:
            raise ConformanceFailure("foreign_till_is_never_used", "never the other org's till", repr(code), read)
