"""What a profile offers, as one table: each capability's test and the profile entry it needs.

A test marked `requires("basic")` is skipped with a reason naming the missing entry
(`profile x.toml lacks [basic] till and password`); a role name (`requires("short_lived")`)
needs that `[clients.<role>]`. Skips are never passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.profiles import Profile


@dataclass(frozen=True)
class Capability:
    holds: Callable[[Profile], bool]
    entry: str  # what the profile needs, as the skip reason says it


CAPABILITIES: dict[str, Capability] = {
    "basic": Capability(lambda p: p.basic is not None and p.basic.credentials is not None,
                        "[basic] till and password"),
    "basic_disabled": Capability(lambda p: p.basic is not None and p.basic.disabled is not None,
                                 "[basic.disabled] till and password"),
    # Without a published key the suite recovers one: whether it has one is known only when the
    # test runs (the plugin skips it then, with the recovery's reason).
    "public_key": Capability(lambda p: True, "target.public_key_url or target.public_key_file"),
    "jwks_url": Capability(lambda p: bool(p.public_key_url), "target.public_key_url"),
    "mint_tokens": Capability(lambda p: p.signing_key_file is not None and "mint_tokens" in p.capabilities,
                              "target.signing_key_file and capability 'mint_tokens'"),
    "expired_token": Capability(lambda p: p.expired_token is not None, "target.expired_token"),
    # The pages give no HTTP status for a 498 answer: only a profile that pins one is judged on it.
    "expired_status": Capability(lambda p: bool(p.expect.get("expired_token")), "[expect] expired_token"),
    "override_till": Capability(lambda p: p.tills.override is not None, "tills.override"),
    "foreign_till": Capability(lambda p: p.tills.foreign is not None, "tills.foreign"),
    "fallback": Capability(lambda p: p.tills.fallback_role is not None and p.tills.fallback_role in p.clients,
                           "tills.fallback_role naming a [clients.<role>]"),
    "reference_target": Capability(lambda p: p.local_test_target, "target.local_test_target"),
}


def missing(profile: Profile, need: str) -> str | None:
    """Why `profile` cannot serve a test that requires `need`, or None when it can."""
    source = profile.source.name
    capability = CAPABILITIES.get(need)
    if capability is not None:
        return None if capability.holds(profile) else f"profile {source} lacks {capability.entry}"
    if need not in profile.clients:
        return f"profile {source} has no [clients.{need}] role"
    return None
