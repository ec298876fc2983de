"""docs/contract.md §4: till attribution of writes (negative cases 46-48).

The oracle is the record read back: `registered_till` of `GET /v1.1/customer/get`, and
`billing_till` of `GET /v1.1/transaction/get`. Which till header a target reads is its
profile's `till_header` (plus `[behaviour] till_headers`); the other forms are judged as
SHOULD (documented) or observations (named only by the seed post). Where the docs are silent
(two headers that disagree, an empty header) the suite records what the target did and
judges only the integrity rule: the write lands on a till of the client's own org, or nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import protocol
from conformance.checks import resources
from conformance.client import CapillaryApi
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.plugin.session import RUN
from conformance.profiles import Profile
from conformance.requirements import INTEGRITY_TILL, V11_CUSTOMER, V11_INDEX

requirement = pytest.mark.requirement
till_headers = protocol.till_header_pairs

# Every till header form, by the header that carries the till (the ENTITY forms: ENTITY-CODE).
TILL_FORMS = {
    "till-code-header": protocol.TILL_CODE_HEADER,
    "entity-type-and-code": protocol.ENTITY_CODE_HEADER,
    "entity-code-alone": protocol.ENTITY_CODE_HEADER,
    "seed-header-name": protocol.TILL_HEADER_SEED_NAME,
}


def form_headers(form: str, till: str) -> list[tuple[str, str]]:
    """The headers that name `till` in this form; ENTITY-CODE alone relies on the documented default type."""
    pairs = till_headers(TILL_FORMS[form], till)
    return pairs[-1:] if form == "entity-code-alone" else pairs


def write_then_read(api: CapillaryApi, token: str, mobile: str, headers: list[tuple[str, str]],
                    label: str) -> tuple[Exchange, Exchange]:
    written = api.customer_add(token, mobile, headers=headers, label=label)
    read = api.customer_get(token, mobile, label=f"read back ({label})")
    return written, read


def owned_tills(profile: Profile, role: str = "primary") -> set[str]:
    """Tills the suite knows belong to the client's org: default tills of its org's clients and the override."""
    org = profile.clients[role].org_id
    owned = {c.default_till for c in profile.clients.values() if c.org_id == org and c.default_till}
    return owned | ({profile.tills.override} if profile.tills.override and role == "primary" else set())


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


@requirement("CAP-TILL-01")
def test_bill_without_till_header_is_billed_at_the_default_till(target: TargetContext, api: CapillaryApi,
                                                                profile: Profile) -> None:
    """Transactions name their till in `billing_till` (v1.1 transaction/get)."""
    token = target.token().token
    number = f"TILL-{target.fresh_mobile()}"
    resources.write_was_stored(api.transaction_add(token, number, target.known_customer(), label="bill, no till"),
                               "transaction")
    resources.record_is_attributed_to(api.transaction_get(token, number, label="read the bill back"),
                                      profile.clients["primary"].default_till, "transaction")


@requirement("CAP-TILL-02")
@pytest.mark.requires("override_till")
def test_till_header_overrides_the_default_till(target: TargetContext, api: CapillaryApi, profile: Profile,
                                                unique_mobile: Callable[[], str]) -> None:
    till = profile.tills.override or ""
    written, read = write_then_read(api, target.token().token, unique_mobile(),
                                    till_headers(profile.till_header, till), "till override")
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, till)


@requirement("CAP-TILL-02")
@pytest.mark.requires("override_till")
def test_till_header_overrides_the_till_a_bill_is_billed_at(target: TargetContext, api: CapillaryApi,
                                                            profile: Profile) -> None:
    till, token = profile.tills.override or "", target.token().token
    number = f"TILL-{target.fresh_mobile()}"
    written = api.transaction_add(token, number, target.known_customer(),
                                  headers=till_headers(profile.till_header, till), label="bill, till override")
    resources.write_was_stored(written, "transaction")
    resources.record_is_attributed_to(api.transaction_get(token, number, label="read the bill back"), till,
                                      "transaction")


def form_level(form: str, profile: Profile | None) -> list[Any]:
    """A form's level for this profile: MUST where the profile lists its header, an observation for
    the seed post's name, else CAP-TILL-04's SHOULD."""
    header = TILL_FORMS[form]
    if profile is not None and header.lower() in {h.lower() for h in profile.till_headers}:
        return [requirement("CAP-TILL-04", level="MUST", basis=f"declared by the profile (target.till_header / "
                                                                f"[behaviour] till_headers lists {header})")]
    if form == "seed-header-name":
        return [requirement("CAP-TILL-04", level="OBSERVATION",
                            basis="named only by the seed post; no Capillary page documents it")]
    return []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each form at its level, set at collection: the request budget's planner keeps a declared form as the
    MUST it is."""
    if "till_form" in metafunc.fixturenames:
        profile = metafunc.config.stash[RUN].profile_for_collection()
        metafunc.parametrize("till_form", [pytest.param(form, marks=form_level(form, profile), id=form)
                                           for form in TILL_FORMS])


@requirement("CAP-TILL-04")
@pytest.mark.requires("override_till")
def test_other_till_header_forms_override_the_default(target: TargetContext, api: CapillaryApi, profile: Profile,
                                                      unique_mobile: Callable[[], str], till_form: str) -> None:
    """The target reads this till header form"""
    till = profile.tills.override or ""
    written, read = write_then_read(api, target.token().token, unique_mobile(), form_headers(till_form, till),
                                    till_form)
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, till)


def _invalid_tills(profile: Profile) -> dict[str, list[tuple[str, str]]]:
    header, override = profile.till_header, profile.tills.override or "till"
    variants = {
        "unknown": till_headers(header, profile.tills.unknown),
        "overlong": till_headers(header, "t" * 2048),
        "injection": till_headers(header, "' OR '1'='1"),
        "path-traversal": till_headers(header, "../" + override),
    }
    if profile.tills.foreign:
        variants["another-orgs-till"] = till_headers(header, profile.tills.foreign)
    return variants


INVALID_TILL_IDS = ["unknown", "overlong", "injection", "path-traversal", "another-orgs-till"]


@requirement("CAP-TILL-03")
@pytest.mark.parametrize("variant", INVALID_TILL_IDS)
def test_invalid_till_is_refused_or_falls_back_never_stored(target: TargetContext, api: CapillaryApi,
                                                            profile: Profile, unique_mobile: Callable[[], str],
                                                            variant: str) -> None:
    headers = _invalid_tills(profile).get(variant)
    if headers is None:
        pytest.skip(f"profile {profile.source.name} lacks tills.foreign")
    written, read = write_then_read(api, target.token().token, unique_mobile(), headers, f"invalid till ({variant})")
    if profile.tills.primary_invalid_till == "error":
        resources.till_was_refused_as_invalid(written)
        resources.record_was_not_found(read)
    else:
        resources.write_was_stored(written)
        resources.record_is_attributed_to(read, profile.clients["primary"].default_till)


_SILENT: dict[str, Callable[[Profile], list[tuple[str, str]]]] = {
    "empty-till-header": lambda p: till_headers(p.till_header, ""),
    "disagreeing-till-headers": lambda p: [(protocol.TILL_CODE_HEADER, p.tills.override or ""),
                                           (protocol.ENTITY_TYPE_HEADER, protocol.ENTITY_TYPE_TILL),
                                           (protocol.ENTITY_CODE_HEADER, p.tills.unknown)],
    "entity-code-without-a-till-type": lambda p: [(protocol.ENTITY_TYPE_HEADER, "STORE_CODE"),
                                                  (protocol.ENTITY_CODE_HEADER, p.tills.unknown)],
}


@requirement("CAP-TILL-03", basis=INTEGRITY_TILL)
@pytest.mark.requires("override_till")
@pytest.mark.parametrize("case", list(_SILENT))
def test_where_the_docs_are_silent_the_write_stays_on_an_owned_till(
        target: TargetContext, api: CapillaryApi, profile: Profile, unique_mobile: Callable[[], str], case: str,
        observe: Callable[[str, str], None]) -> None:
    """Undocumented header combinations: recorded as observations, judged only by the integrity rule."""
    written, read = write_then_read(api, target.token().token, unique_mobile(), _SILENT[case](profile), case)
    landed = resources.write_landed_on_an_owned_till_or_was_refused(read, owned_tills(profile))
    codes = sorted({str(protocol.item_code(i)) for i in protocol.items(written.json, "customer")})
    observe(f"till headers: {case}",
            f"attributed to {landed}" if landed else f"refused (HTTP {written.status}, codes {', '.join(codes)})")


@requirement("CAP-TILL-04", basis=f"documented: anything else passed as ENTITY-TYPE is taken as TILL_CODE "
                                  f"({V11_INDEX})", pinned_by="invalid_entity_type")
@pytest.mark.requires("override_till")
def test_unrecognised_entity_type_is_taken_as_a_till_code(target: TargetContext, api: CapillaryApi,
                                                          profile: Profile, unique_mobile: Callable[[], str]) -> None:
    """The documented default; a profile that declares `invalid_entity_type` is held to its choice."""
    override = profile.tills.override or ""
    headers = [(protocol.ENTITY_TYPE_HEADER, "NOT_A_TYPE"), (protocol.ENTITY_CODE_HEADER, override)]
    written, read = write_then_read(api, target.token().token, unique_mobile(), headers, "ENTITY-TYPE unrecognised")
    resources.write_landed_on_an_owned_till_or_was_refused(read, owned_tills(profile))
    if profile.behaviour.invalid_entity_type == "error":
        resources.till_was_refused_as_invalid(written)
        resources.record_was_not_found(read)
    else:
        resources.write_was_stored(written)
        resources.record_is_attributed_to(read, override)


@requirement("CAP-TILL-03")
@pytest.mark.requires("fallback")
def test_unknown_till_falls_back_to_the_default_for_a_fallback_client(target: TargetContext, api: CapillaryApi,
                                                                      profile: Profile,
                                                                      unique_mobile: Callable[[], str]) -> None:
    role = profile.tills.fallback_role or ""
    written, read = write_then_read(api, target.token(role).token, unique_mobile(),
                                    till_headers(profile.till_header, profile.tills.unknown),
                                    "fallback client, unknown till")
    resources.write_was_stored(written)
    resources.record_is_attributed_to(read, profile.clients[role].default_till)


# Header values a conforming HTTP client can send: visible ASCII, no surrounding whitespace.
_till_values = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=48)


@requirement("CAP-TILL-03", basis=f"{INTEGRITY_TILL}; codes 91021/91020 documented ({V11_CUSTOMER})")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=_till_values, form=st.sampled_from(sorted(TILL_FORMS)))
def test_generated_till_values_are_never_attributed_to_a_till_the_client_does_not_own(
        target: TargetContext, api: CapillaryApi, profile: Profile, value: str, form: str) -> None:
    """Any till value is refused, or lands on a till of the client's org: never on itself."""
    written, read = write_then_read(api, target.token().token, target.fresh_mobile(), form_headers(form, value),
                                    "generated till value")
    resources.never_a_server_error(written)
    resources.write_landed_on_an_owned_till_or_was_refused(read, owned_tills(profile))
