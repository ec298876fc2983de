"""What a load run needs to know, resolved once from options, environment and profile (pure).

Precedence is the project's: command line > environment (`CAP_*`) > profile > default; which
profile and which target are conformance.profiles.target's to say, for load as for the suite.
The same functions serve `python -m load` (before Locust starts) and the locustfiles (inside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conformance.profiles import Profile, load_profile, resolve
from conformance.profiles.target import is_loopback, profile_name
from load.gates import check_gate_name, effective_gates, parse_gate_assignments
from load.token_cache import TokenMode

DEFAULT_MAX_ITERATIONS_PER_USER = 100_000


class SettingsError(ValueError):
    """A run that cannot start as configured; str() names the setting and the fix."""


@dataclass(frozen=True)
class LoadSettings:
    profile: Profile
    token_mode: TokenMode
    refresh_margin: float = 0.0
    jitter: float = 0.0
    polite: bool = False
    task_rate: float = 5.0  # task iterations per user-second, after polite pacing
    invalid_share: float = 0.0
    gates: dict[str, float] = field(default_factory=dict)
    report_dir: Path | None = None
    max_iterations_per_user: int = DEFAULT_MAX_ITERATIONS_PER_USER


def resolve_profile(cli_profile: str | None, cli_target: str | None) -> Profile:
    """The run's profile, pointed at its target (conformance.profiles.target: CLI > CAP_* > profile)."""
    return resolve(load_profile(profile_name(cli_profile)), cli_target)


def check_target_allowed(url: str, allow_remote: bool) -> None:
    """Load goes to loopback unless the operator says otherwise, in so many words."""
    if url and not is_loopback(url) and not allow_remote:
        raise SettingsError(f"target {url} is not on loopback: pass --allow-remote (or CAP_ALLOW_REMOTE=1) "
                            "to load a remote server, and consider --polite on shared clusters")


def polite_task_rate(rate_limit_per_minute: int, planned_users: int) -> float:
    """Open-model pacing: the profile's per-key budget shared evenly by every planned user."""
    return rate_limit_per_minute / 60.0 / max(planned_users, 1)


def task_rate(requested: float, default: float, polite: bool, rate_limit_per_minute: int, planned_users: int) -> float:
    rate = requested if requested > 0 else default
    if polite and rate_limit_per_minute > 0:
        # The budget caps the rate; a slower requested rate stays slower.
        return min(rate, polite_task_rate(rate_limit_per_minute, planned_users))
    return rate


def token_mode(requested: str, default: TokenMode) -> TokenMode:
    if not requested:
        return default
    try:
        return TokenMode(requested)
    except ValueError:
        choices = ", ".join(mode.value for mode in TokenMode)
        raise SettingsError(f"--token-mode {requested!r}: choose one of {choices}") from None


# Locust exits 1 on any failed request; gates replace that exit code, so they keep the rule by default.
DEFAULT_GATES = {"failure_ratio": 0.0}


def gates_for_run(profile: Profile, cli_assignments: list[str]) -> dict[str, float]:
    """Default < profile `[load.gates]` < `--gate`; every name is checked, wherever it came from."""
    try:
        for name in profile.load_gates:
            check_gate_name(name)
        return effective_gates({**DEFAULT_GATES, **profile.load_gates}, parse_gate_assignments(cli_assignments))
    except ValueError as error:
        raise SettingsError(f"{profile.source}: {error}") from None
