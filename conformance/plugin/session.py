"""One conformance run: profile, launched target, API, evidence, and per-test verdicts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.checks.failures import ConformanceFailure
from conformance.client import CapillaryApi, TargetUnreachable
from conformance.context import SetupError, TargetContext
from conformance.exchange import Exchange
from conformance.expiry import ExpiryLane
from conformance.key_recovery import KeyRecoveryLane, cache_directory
from conformance.plugin import reporting
from conformance.plugin.levels import judgement, requirement_ids
from conformance.plugin.options import Settings
from conformance.plugin.results import EXIT_ERROR, EXIT_INCOMPLETE, RunResults, TestResult
from conformance.profiles import LaunchError, Profile, ProfileError, load_profile
from conformance.profiles.launcher import LaunchedTarget, start
from conformance.redaction import Redactor
from conformance.requirements import REQUIREMENTS, Level

RUN = pytest.StashKey["ConformanceRun"]()
# GMP recovers a 2048-bit key in ~25 s here; a slow CI machine gets four times that.
KEY_RECOVERY_TIMEOUT = 120.0
_EXCHANGES = pytest.StashKey[list[int]]()  # the ids of the exchanges a test made
CAPABILITIES: dict[str, Callable[[Profile], bool]] = {
    "basic": lambda p: p.basic is not None and p.basic.credentials is not None,
    "basic_disabled": lambda p: p.basic is not None and p.basic.disabled is not None,
    # Without a published key the suite recovers one (checked when the test runs: before_test).
    "public_key": lambda p: True,
    "jwks_url": lambda p: bool(p.public_key_url),
    "mint_tokens": lambda p: p.signing_key_file is not None and "mint_tokens" in p.capabilities,
    "expired_token": lambda p: p.expired_token is not None,
    "override_till": lambda p: p.tills.override is not None,
    "foreign_till": lambda p: p.tills.foreign is not None,
    "fallback": lambda p: p.tills.fallback_role is not None and p.tills.fallback_role in p.clients,
    "reference_target": lambda p: p.local_test_target,
}
CAPABILITY_ENTRY = {
    "basic": "[basic] till and password", "basic_disabled": "[basic.disabled] till and password",
    "public_key": "target.public_key_url or target.public_key_file", "jwks_url": "target.public_key_url",
    "mint_tokens": "target.signing_key_file and capability 'mint_tokens'",
    "expired_token": "target.expired_token", "override_till": "tills.override", "foreign_till": "tills.foreign",
    "fallback": "tills.fallback_role naming a [clients.<role>]", "reference_target": "target.local_test_target",
}


class ConformanceRun:
    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config, self.settings = config, settings
        self.active = False
        self.results = RunResults(only_requirements=settings.only_requirements)
        self.exchanges: dict[int, Exchange] = {}
        # Exchanges belong to the test running on the main thread; the expiry lane's thread
        # records none there (its test adopts them when it takes the lane's result).
        self._local = threading.local()
        self.expiry_lane: ExpiryLane | None = None
        self.launched: LaunchedTarget | None = None
        self.redactor = Redactor()
        self.profile: Profile | None = None
        self.context: TargetContext | None = None
        self.public_key: Any = None
        self.public_key_source = "none"  # profile | cache | recovered | none
        self.key_lane: KeyRecoveryLane | None = None
        self.key_lane_reason = ""
        self._loaded: Profile | None = None
        self.preflight_failure: str | None = None

    def profile_for_collection(self) -> Profile | None:
        """The profile as written (no launch), for parametrising by its contents; errors surface in start()."""
        if self._loaded is None:
            try:
                self._loaded = load_profile(self.settings.profile)
            except ProfileError:
                return None
        return self._loaded

    # --- start: profile → launch → preflight ------------------------------------------------
    def start(self, items: list[pytest.Item]) -> None:
        for item in items:
            for marker in item.iter_markers("requirement"):
                for rid in marker.args:
                    if rid not in REQUIREMENTS:
                        pytest.exit(f"{item.nodeid}: unknown requirement id {rid!r}", returncode=EXIT_ERROR)
        try:
            profile = self._loaded or load_profile(self.settings.profile)
        except ProfileError as error:
            pytest.exit(f"profile error: {error}", returncode=EXIT_ERROR)
        self.redactor.add(*profile.secrets())
        if self.settings.target:
            profile = profile.with_base_url(self.settings.target).without_launch()
        elif profile.launch is not None:
            try:
                self.launched = start(profile.launch)
            except LaunchError as error:
                pytest.exit(f"target did not start ({profile.source}): {error}", returncode=EXIT_INCOMPLETE)
            profile = profile.with_base_url(self.launched.base_url)
        if not profile.base_url:
            pytest.exit(f"profile error: {profile.source}: target.base_url: empty (fix: set it, give [launch], "
                        f"or pass --target URL)", returncode=EXIT_ERROR)
        self.profile = profile
        api = CapillaryApi(profile, on_exchange=self._record)
        self.context = TargetContext(profile, api, self.redactor)
        try:
            first = self.context.issue("primary", label="preflight: primary token")
            self.public_key = reporting.load_public_key(self.context)
            self.public_key_source = "profile" if self.public_key is not None else "none"
            if self.public_key is None and any(_needs_key(item) for item in items):
                self._start_key_recovery(first.token, first.header)
        except ConformanceFailure as failure:
            # The target answers, but not with a token: every test will show the evidence.
            self.preflight_failure = str(failure)
        except TargetUnreachable as error:
            self.stop_target()
            pytest.exit(str(error), returncode=EXIT_INCOMPLETE)
        except SetupError as error:
            self.stop_target()
            pytest.exit(f"preflight failed, check the profile's credentials: {error}", returncode=EXIT_ERROR)
        self.active = True
        if any("boundary" in getattr(item, "fixturenames", ()) for item in items):
            self.expiry_lane = ExpiryLane(self.context, self.settings.plan.expiry_budget_seconds,
                                          self.settings.plan.name)

    def _start_key_recovery(self, token: str, header: dict[str, Any]) -> None:
        """No published key: recover it from two signatures in a background process (or reuse
        the cached one), so key-confusion attacks and the signature check still run."""
        if header.get("alg") != "RS256":
            self.key_lane_reason = f"the token's alg is {header.get('alg')!r}: key recovery needs RS256"
            return
        profile = self.started_profile
        second = self.context.issue("primary", label="preflight: second token (key recovery)") if self.context else None
        if second is None:
            return
        where = f"{profile.name}@{'launched' if self.launched else profile.base_url}"
        self.key_lane = KeyRecoveryLane(cache_directory(), where, str(header.get("kid", "")),
                                        (token, second.token), may_recover=self.settings.plan.name != "gate")
        self.key_lane_reason = self.key_lane.reason

    def key(self) -> Any:
        """The public key: the profile's, else the recovered or cached one (waited for once)."""
        if self.public_key is None and self.key_lane is not None:
            self.public_key = self.key_lane.result(timeout=KEY_RECOVERY_TIMEOUT)
            self.public_key_source = self.key_lane.source
            self.key_lane_reason = self.key_lane.reason
            self.key_lane = None
        return self.public_key

    def stop_target(self) -> None:
        if self.key_lane is not None:
            self.key_lane.close()
        if self.launched is not None:
            self.launched.stop()
            self.launched = None

    def _record(self, exchange: Exchange) -> None:
        self.exchanges[exchange.id] = exchange
        current: list[int] | None = getattr(self._local, "current", None)
        if current is not None:
            current.append(exchange.id)

    def adopt_exchanges(self, ids: tuple[int, ...]) -> None:
        """Attribute exchanges made off the main thread (the expiry lane) to the running test."""
        current: list[int] | None = getattr(self._local, "current", None)
        if current is not None:
            current.extend(i for i in ids if i not in current)

    # --- per test ---------------------------------------------------------------------------
    @property
    def started_profile(self) -> Profile:
        if self.profile is None:
            raise RuntimeError("the conformance run has not started")  # start() sets it before any test
        return self.profile

    def apply_profile_to(self, item: pytest.Item) -> None:
        profile = self.started_profile
        for marker in item.iter_markers("requires"):
            for need in marker.args:
                reason = self._missing(need)
                if reason:
                    item.add_marker(pytest.mark.skip(reason=reason))
        if item.get_closest_marker("destructive") and not self.settings.destructive:
            item.add_marker(pytest.mark.skip(reason="destructive probe: run with --destructive"))
        for expected in profile.expected_failures:
            if expected.test and item.nodeid.endswith(expected.test.split("conformance/")[-1]):
                item.add_marker(pytest.mark.xfail(reason=f"expected failure (profile): {expected.reason}",
                                                  strict=True))

    def _missing(self, need: str) -> str | None:
        profile = self.started_profile
        source = profile.source.name
        if need in CAPABILITIES:
            if not CAPABILITIES[need](profile):
                return f"profile {source} lacks {CAPABILITY_ENTRY[need]}"
            if need == "public_key" and self.public_key is None and profile.public_key_url:
                return f"profile {source}: the public key at {profile.public_key_url} could not be loaded"
            return None
        if need not in profile.clients:
            return f"profile {source} has no [clients.{need}] role"
        return None

    def before_test(self, item: pytest.Item) -> None:
        self._local.current = []
        item.stash[_EXCHANGES] = self._local.current
        if _needs_key(item) and self.key() is None:
            pytest.skip(self.key_lane_reason or f"profile {self.started_profile.source.name} gives no public key")

    def after_phase(self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
        rids = requirement_ids(item)
        if not rids:
            return
        judged = judgement(item, self.profile)
        verdict = _verdict(call, report)
        message = ""
        if report.failed and call.excinfo is not None:
            # What was expected and what came back (the failure's own words), not a source location.
            message = f"{call.excinfo.typename}: {call.excinfo.value}"[:500]
        elif report.failed and report.longrepr:
            message = str(report.longrepr).splitlines()[-1][:500]
        if judged.level is Level.OBSERVATION and call.when == "call" and verdict in ("pass", "fail"):
            # What this target does where the docs are silent: recorded, never a verdict.
            seen = self.redactor.text(message) if verdict == "fail" else "yes"
            self.results.observe(item.nodeid, judged.requirement, _what(item), seen)
            verdict = "observed"
            if report.failed:
                report.outcome = "skipped"
                report.wasxfail = f"observation, not a verdict ({judged.requirement}): {seen}"  # type: ignore[attr-defined]
        elif verdict == "fail" and judged.level is not Level.MUST:
            verdict = "warning"
            if not self.settings.strict:
                report.outcome = "skipped"
                report.wasxfail = f"SHOULD-level warning ({judged.requirement}); fails only with --strict"  # type: ignore[attr-defined]
        reporting.redact_report(report, self.redactor)
        recorded: list[int] = item.stash.get(_EXCHANGES, [])
        exchanges = list(recorded)
        if verdict in ("fail", "warning", "error") and call.when == "call":
            reporting.attach_evidence(self, item, exchanges)
        if report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        level = Level.SHOULD if judged.level is Level.OBSERVATION else judged.level
        self.results.record(TestResult(item.nodeid, rids, level.value, verdict, report.duration,
                                       self.redactor.text(message), exchanges, judged.basis))

    def note_collection_errors(self, count: int) -> None:
        if not self.results.tests:
            self.results.suite_errors.append(f"{count} collection/setup error(s)")

    # --- finish -----------------------------------------------------------------------------
    def finish(self) -> int:
        try:
            reporting.write_run_outputs(self)
        finally:
            self.stop_target()
            if self.context is not None:
                self.context.api.close()
        return self.results.exit_code(strict=self.settings.strict)

    def header(self) -> dict[str, Any]:
        profile, context = self.started_profile, self.context
        if context is None:
            raise RuntimeError("the conformance run has no target context")
        return {
            "target": profile.base_url,
            "profile": str(profile.source.name),
            "profile_hash": profile.fingerprint(),
            "plan": self.settings.plan.name,
            "seed": self.settings.seed,
            "requests": context.api.stats.requests,
            "throttled": context.api.stats.throttled,
            "clock_offset_seconds": round(context.clock.offset, 3),
            "observed": {**context.observed, "public_key_fingerprint": reporting.key_fingerprint(self.public_key),
                         "public_key_source": self.public_key_source,
                         **({"public_key_note": self.key_lane_reason} if self.key_lane_reason else {})},
        }

    def exchanges_jsonl(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for exchange in self.exchanges.values():
                out.write(json.dumps(exchange.redacted(self.redactor), ensure_ascii=False) + "\n")



def _needs_key(item: pytest.Item) -> bool:
    return any("public_key" in marker.args for marker in item.iter_markers("requires"))


def _what(item: pytest.Item) -> str:
    """The observation's question: the test's docstring headline, else its name as a sentence."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    name = getattr(item, "originalname", item.name)
    headline = doc.strip().splitlines()[0] if doc.strip() else name.removeprefix("test_").replace("_", " ")
    callspec = getattr(item, "callspec", None)
    return f"{headline} [{callspec.id}]" if callspec is not None else headline


def _verdict(call: pytest.CallInfo[None], report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfail" if report.skipped else "fail"  # an xpass of a strict xfail fails
    if report.skipped:
        return "skipped"
    if report.passed:
        return "pass"
    if call.excinfo is None:  # XPASS(strict): a waived deviation that no longer fails
        return "fail"
    if call.excinfo is not None and call.excinfo.errisinstance(ConformanceFailure):
        return "fail"  # the target broke the contract, even while a fixture was preparing evidence
    if call.excinfo is not None and call.excinfo.errisinstance(AssertionError) and call.when == "call":
        return "fail"
    return "error"
