"""What a profile may hold (the known keys of each table) and how a broken one is reported.

Every error names the file, the key and the fix in one line; a profile with several problems
reports them all at once (ProfileErrors), so a user fixes the file in one go.
"""

from __future__ import annotations

from pathlib import Path

from conformance.profiles.behaviour import KEYS as BEHAVIOUR_KEYS

_KNOWN: dict[str, tuple[str, ...]] = {
    "": ("target", "launch", "clients", "tills", "basic", "expect", "expected_failures", "load", "client", "behaviour"),
    "target": (
        "name", "base_url", "local_test_target", "timeout_seconds", "max_response_bytes", "verify_tls", "ca_bundle",
        "till_header", "issuer", "max_token_expiry_seconds", "rate_limit_per_minute", "rate_limit_global_per_minute",
        "public_key_url", "public_key_file", "signing_key_file", "capabilities", "expired_token",
    ),
    "launch": ("command", "cwd", "ready_pattern", "ready_timeout_seconds"),
    "client": ("key", "secret", "expiry_seconds", "default_till", "org_id", "denied"),
    "tills": ("override", "unknown", "foreign", "primary_invalid_till", "fallback_role"),
    "basic": ("enabled", "till", "password", "disabled"),
    "basic.disabled": ("till", "password"),
    "load": ("gates",),
    "expected_failures": ("test", "reason"),
    "behaviour": BEHAVIOUR_KEYS,
    # [client]: the client judge (conformance/judge), which certifies API clients of the target.
    "integration": ("role", "till", "processes", "env"),
    "integration.env": ("base_url", "key", "secret", "till_code", "till_header"),
}


class ProfileError(Exception):
    """A profile that cannot be used; str() is one line naming file, key and fix."""

    def __init__(self, source: Path | str, key: str, problem: str, fix: str) -> None:
        self.source, self.key, self.problem, self.fix = str(source), key, problem, fix
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(f"{where}{problem} (fix: {fix})")


class ProfileErrors(ProfileError):
    """Every problem found in one profile, so a user fixes them all in one go: one line each."""

    def __init__(self, problems: list[ProfileError]) -> None:
        first = problems[0]
        super().__init__(first.source, first.key, first.problem, first.fix)
        self.problems = problems
        Exception.__init__(self, "\n".join(str(problem) for problem in problems))
