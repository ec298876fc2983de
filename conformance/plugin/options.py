"""Command-line options, their environment mirrors, plans and markers (precedence: CLI > env > default)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

import pytest

from conformance.environment import ENV
from conformance.options import DEFAULT_REPORTS_DIR, declare
from conformance.plans import PLAN_SETTINGS, PLANS, Plan, plan_name
from conformance.profiles.target import profile_name, target_url

__all__ = ["ENV", "MARKERS", "PLANS", "PLAN_SETTINGS", "Plan", "Settings", "add_options", "read_settings"]

MARKERS = (
    "requirement(id, *more_ids, level=None, basis=None, pinned_by=None): the requirement(s) this test checks; "
    "the first decides the level unless level= ('MUST', 'SHOULD', 'OBSERVATION') sets it for this test or case, "
    "with basis= saying why; pinned_by='<[behaviour] key>' makes it MUST where the profile declares that key",
    "requires(*needs): profile roles or capabilities the test needs (e.g. 'short_lived', 'basic', "
    "'public_key'); skipped with a reason naming the missing profile entry",
    "destructive: lockout or rate-limit probes, run only with --destructive",
    "reference_only: needs powers only a reference target grants (e.g. minting tokens)",
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("capillary", "Capillary OAuth conformance")
    # `--strict` is pytest's own flag (strict markers/config/xfail, which a conformance run wants
    # anyway): the plugin reads it as "SHOULD-level failures fail the run" too (env CAP_STRICT=1).
    declare(group.addoption, ["profile", "target", "plan", "seed", "reports_dir", "requirement", "destructive",
                              "request_budget"])


@dataclass(frozen=True)
class Settings:
    profile: str
    target: str | None
    strict: bool
    plan: Plan
    seed: int
    reports_dir: str
    destructive: bool
    only_requirements: tuple[str, ...] = ()
    request_budget: int | None = None


def _flag(value: bool | None, env: str) -> bool:
    if value is not None:
        return bool(value)
    return os.environ.get(env, "").strip().lower() in ("1", "true", "yes", "on")


def read_settings(config: pytest.Config) -> Settings:
    get = config.getoption
    try:
        plan = plan_name(get("plan"))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    seed_text = get("seed") if get("seed") is not None else os.environ.get(ENV["seed"])
    try:
        seed = int(seed_text) if seed_text is not None else random.SystemRandom().randrange(2**32)
    except ValueError:
        raise pytest.UsageError(f"{ENV['seed']}={seed_text!r} is not an integer") from None
    return Settings(
        profile=profile_name(get("profile")),
        target=target_url(get("target")) or None,
        strict=_flag(get("strict") or None, ENV["strict"]),
        plan=PLAN_SETTINGS[plan],
        seed=seed,
        reports_dir=get("reports_dir") or os.environ.get(ENV["reports"]) or DEFAULT_REPORTS_DIR,
        destructive=_flag(get("destructive"), ENV["destructive"]),
        only_requirements=tuple(get("requirement") or ()),
        request_budget=_budget(get("request_budget")),
    )


def _budget(value: int | None) -> int | None:
    text = value if value is not None else os.environ.get(ENV["budget"])
    try:
        budget = int(text) if text is not None else None
    except ValueError:
        raise pytest.UsageError(f"{ENV['budget']}={text!r} is not a number of requests") from None
    if budget is not None and budget <= 0:
        raise pytest.UsageError(f"--request-budget {budget}: give a positive number of requests")
    return budget
