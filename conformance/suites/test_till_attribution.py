"""SPEC.md §4: till attribution of writes (ATTACKS.md cases 46-48).

The oracle is `registered_till` of the record read back with `GET /v1.1/customer/get`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import protocol
from conformance.checks import resources
from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.profiles import Profile

requirement = pytest.mark.requirement


def write_then_read(api: CapillaryApi, token: str, mobile: str, headers: list[tuple[str, str]],
                    label: str) -> tuple[Exchange, Exchange]:
    written = api.customer_add(token, mobile, headers=headers, label=label)
    read = api.customer_get(token, mobile, label=f"read back ({label})")
    return written, read


@requirement("CAP-TILL-01")
@pytest.mark.parametrize("role", ["primary", "fallback", "other_org"])
def test_write_without_till_header_goes_to_the_clients_default_till(target: TargetContext, api: CapillaryApi,
                                                                    profile: Profile, role: str,
                                                                    unique_mobile: Callable[[], str]) -> None:
    """Several clients with different default tills: the client's own, not the org's first till."""
    if role not in profile.clients:
        pytest.skip(f"profile {profile.source.name} has no [clients.{role}] role")
    written, read = write_then_read(api, target.token(role).token, unique_mobile(), [], f"no till header ({role})")
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, profile.clients[role].default_till)


@requirement("CAP-TILL-02")
@pytest.mark.requires("override_till")
def test_till_header_overrides_the_default_till(target: TargetContext, api: CapillaryApi, profile: Profile,
                                                unique_mobile: Callable[[], str]) -> None:
    till = profile.tills.override or ""
    written, read = write_then_read(api, target.token().token, unique_mobile(), [(profile.till_header, till)],
                                    "till override")
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, till)


@requirement("CAP-TILL-02")
@pytest.mark.requires("override_till")
def test_documented_till_code_header_overrides_the_default_till(target: TargetContext, api: CapillaryApi,
                                                                profile: Profile,
                                                                unique_mobile: Callable[[], str]) -> None:
    till = profile.tills.override or ""
    written, read = write_then_read(api, target.token().token, unique_mobile(),
                                    [(protocol.TILL_CODE_HEADER, till)], "documented -TILL-CODE header")
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, till)


def _invalid_tills(profile: Profile) -> dict[str, list[tuple[str, str]]]:
    header = profile.till_header
    variants = {
        "unknown": [(header, profile.tills.unknown)],
        "empty": [(header, "")],
        "overlong": [(header, "t" * 2048)],
        "injection": [(header, "' OR '1'='1")],
        "path-traversal": [(header, "../" + (profile.tills.override or "till"))],
        "entity-type-invalid": [(protocol.ENTITY_TYPE_HEADER, "NOT_A_TYPE"),
                                (protocol.ENTITY_CODE_HEADER, profile.tills.override or profile.tills.unknown)],
        "disagreeing-till-headers": [(protocol.TILL_CODE_HEADER, profile.tills.override or ""),
                                     (protocol.TILL_HEADER_SEED_NAME, profile.tills.unknown)],
    }
    if profile.tills.foreign:
        variants["another-orgs-till"] = [(header, profile.tills.foreign)]
    return variants


INVALID_TILL_IDS = ["unknown", "empty", "overlong", "injection", "path-traversal", "entity-type-invalid",
                    "disagreeing-till-headers", "another-orgs-till"]


@requirement("CAP-TILL-03")
@pytest.mark.parametrize("variant", INVALID_TILL_IDS)
def test_invalid_till_is_refused_or_falls_back_never_stored(target: TargetContext, api: CapillaryApi,
                                                            profile: Profile, unique_mobile: Callable[[], str],
                                                            variant: str) -> None:
    headers = _invalid_tills(profile).get(variant)
    if headers is None:
        pytest.skip(f"profile {profile.source.name} lacks tills.foreign")
    if variant == "disagreeing-till-headers" and not profile.tills.override:
        pytest.skip(f"profile {profile.source.name} lacks tills.override")
    mobile = unique_mobile()
    written, read = write_then_read(api, target.token().token, mobile, headers, f"invalid till ({variant})")
    if profile.tills.primary_invalid_till == "error":
        resources.till_was_refused_with_91021(written)
        resources.record_was_not_found(read)
    else:
        resources.write_was_stored(written)
        resources.record_is_attributed_to(read, profile.clients["primary"].default_till)


@requirement("CAP-TILL-03")
@pytest.mark.requires("fallback")
def test_unknown_till_falls_back_to_the_default_for_a_fallback_client(target: TargetContext, api: CapillaryApi,
                                                                      profile: Profile,
                                                                      unique_mobile: Callable[[], str]) -> None:
    role = profile.tills.fallback_role or ""
    written, read = write_then_read(api, target.token(role).token, unique_mobile(),
                                    [(profile.till_header, profile.tills.unknown)], "fallback client, unknown till")
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, profile.clients[role].default_till)


@requirement("CAP-TILL-04")
@pytest.mark.requires("override_till")
@pytest.mark.parametrize("form", ["seed-header-name", "entity-type-and-code", "entity-code-alone"])
def test_other_till_header_forms_override_the_default(target: TargetContext, api: CapillaryApi, profile: Profile,
                                                      unique_mobile: Callable[[], str], form: str) -> None:
    till = profile.tills.override or ""
    headers = {
        "seed-header-name": [(protocol.TILL_HEADER_SEED_NAME, till)],
        "entity-type-and-code": [(protocol.ENTITY_TYPE_HEADER, "TILL"), (protocol.ENTITY_CODE_HEADER, till)],
        "entity-code-alone": [(protocol.ENTITY_CODE_HEADER, till)],
    }[form]
    written, read = write_then_read(api, target.token().token, unique_mobile(), headers, form)
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, till)


# Header values a conforming HTTP client can send: visible ASCII, no surrounding whitespace.
_till_values = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=48)


@requirement("CAP-TILL-03")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=_till_values, form=st.sampled_from(["configured", "seed-header-name", "entity-code"]))
def test_generated_till_values_are_never_attributed_to_a_till_the_client_does_not_own(
        target: TargetContext, api: CapillaryApi, profile: Profile, unique_mobile: Callable[[], str],
        value: str, form: str) -> None:
    """Any till value is either the known override, refused (91021), or the default: never itself."""
    owned = {profile.clients["primary"].default_till, profile.tills.override}
    header = {"configured": profile.till_header, "seed-header-name": protocol.TILL_HEADER_SEED_NAME,
              "entity-code": protocol.ENTITY_CODE_HEADER}[form]
    mobile = unique_mobile()
    written, read = write_then_read(api, target.token().token, mobile, [(header, value)], "generated till value")
    resources.never_a_server_error(written)
    for item in protocol.items(read.json, "customer"):
        if protocol.item_code(item) != protocol.ITEM_SUCCESS:
            continue  # refused (91021), so nothing was stored: the read finds no record
        registered = item.get("registered_till")
        code = registered.get("code") if isinstance(registered, dict) else registered
        if code not in owned:
            raise ConformanceFailure("never_attributed_to_an_unowned_till", f"one of {sorted(filter(None, owned))}",
                                     repr(code), read)
