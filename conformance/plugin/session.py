"""One conformance run: its target (preflight.py), the tests' exchanges, and their verdicts.

The parts live beside it: which profile entries a test needs (capabilities.py), how a phase is
judged (verdicts.py, levels.py), the results and exit code (results.py), and what is written
where (reporting.py, which takes plain data).
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from conformance.budget import RunPlan
from conformance.context import TargetContext
from conformance.exchange import Exchange
from conformance.expiry import ExpiryLane
from conformance.outcome import ExitCode
from conformance.plugin import reporting
from conformance.plugin.capabilities import missing
from conformance.plugin.exchange_log import ExchangeLog
from conformance.plugin.levels import judgement, recorded_level, requirement_ids
from conformance.plugin.options import Settings
from conformance.plugin.preflight import OpenTarget, PreflightStop, open_target
from conformance.plugin.results import RunResults, TestResult
from conformance.plugin.verdicts import judge_phase, question
from conformance.profiles import Profile, ProfileError, load_profile
from conformance.redaction import Redactor
from conformance.requirements import REQUIREMENTS

RUN = pytest.StashKey["ConformanceRun"]()
_EXCHANGES = pytest.StashKey[list[int]]()  # the ids of the exchanges a test made


class ConformanceRun:
    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config, self.settings = config, settings
        self.active = False
        self.results = RunResults(only_requirements=settings.only_requirements)
        # Exchanges belong to the test running on the main thread; the expiry lane's thread
        # records none there (its test adopts them when it takes the lane's result).
        self._local = threading.local()
        self.expiry_lane: ExpiryLane | None = None
        self.redactor = Redactor()
        self.exchanges = ExchangeLog(Path(settings.reports_dir) / "exchanges.jsonl", self.redactor)
        self.target: OpenTarget | None = None
        self._loaded: Profile | None = None
        self.last_header: dict[str, Any] | None = None  # kept for the terminal's last lines
        self.budget_plan: RunPlan | None = None
        self._roles_by_key: dict[str, str] = {}  # API key → profile role, for the summary's pacing

    # --- start: profile → launch → preflight ------------------------------------------------
    def profile_for_collection(self) -> Profile | None:
        """The profile as written (no launch), for parametrising by its contents; errors surface in start()."""
        if self._loaded is None:
            try:
                self._loaded = load_profile(self.settings.profile)
            except ProfileError:
                return None
        return self._loaded

    def start(self, items: list[pytest.Item]) -> None:
        """Open the target; PreflightStop (one line, an exit code) when the run cannot start."""
        unknown = [(item.nodeid, rid) for item in items for rid in requirement_ids(item) if rid not in REQUIREMENTS]
        if unknown:
            raise PreflightStop(f"{unknown[0][0]}: unknown requirement id {unknown[0][1]!r}", ExitCode.ERROR)
        try:
            loaded = self._loaded or load_profile(self.settings.profile)
        except ProfileError as error:
            raise PreflightStop.profile_error(error) from None
        # Every recorded exchange is counted on its key's role: the lookup is built once.
        self._roles_by_key = {client.key: role for role, client in reversed(loaded.clients.items())}
        self.target = open_target(loaded, self.settings.target, self.settings.plan, self.redactor, self._record,
                                  needs_key=any(_needs_key(item) for item in items))
        self.active = True
        if any("boundary" in getattr(item, "fixturenames", ()) for item in items):
            self.expiry_lane = ExpiryLane(self.target.context, self.settings.plan.expiry_budget_seconds,
                                          self.settings.plan.name)

    @property
    def profile(self) -> Profile | None:
        return self.target.profile if self.target is not None else None

    @property
    def context(self) -> TargetContext | None:
        return self.target.context if self.target is not None else None

    @property
    def started_profile(self) -> Profile:
        if self.target is None:
            raise RuntimeError("the conformance run has not started")  # start() opens it before any test
        return self.target.profile

    def key(self) -> Any:
        """The public key: the profile's, else the recovered or cached one (waited for once)."""
        return self.target.public_key.get() if self.target is not None else None

    # --- evidence -----------------------------------------------------------------------------
    def _record(self, exchange: Exchange) -> None:
        self.exchanges.record(exchange)
        current: list[int] | None = getattr(self._local, "current", None)
        if current is not None:
            current.append(exchange.id)
            self._local.requests[self.bucket_label(exchange.bucket)] += 1

    def _pacing(self) -> dict[str, Any]:
        """Requests and pacing waits per key (by role), throttled answers, the limits paced to."""
        if self.target is None:
            return {}
        api = self.target.context.api
        requests: dict[str, float] = {}
        waited: dict[str, float] = {}
        for bucket, stats in api.pacer.stats.items():
            _merge(requests, self.bucket_label(bucket), stats.requests)
            _merge(waited, self.bucket_label(bucket), round(stats.waited_seconds, 2))
        return {"per_key_per_minute": api.pacer.per_key_per_minute, "global_per_minute": api.pacer.global_per_minute,
                "requests_per_key": requests, "waited_seconds_per_key": waited, "throttled": api.stats.throttled,
                "controls": {"run": self.target.context.guard.controls_run,
                             "shared": self.target.context.guard.controls_shared}}

    def bucket_label(self, bucket: str) -> str:
        """A rate-limit bucket as the summary names it: the profile role of its key, not the key."""
        if bucket.startswith("key:"):
            return self._roles_by_key.get(bucket[4:], "other keys")
        return bucket.replace("till:", "till ") if bucket.startswith("till:") else bucket or "anonymous"

    def adopt_exchanges(self, ids: tuple[int, ...]) -> None:
        """Attribute exchanges made off the main thread (the expiry lane) to the running test."""
        current: list[int] | None = getattr(self._local, "current", None)
        if current is not None:
            current.extend(i for i in ids if i not in current)

    # --- per test ---------------------------------------------------------------------------
    def apply_profile_to(self, item: pytest.Item) -> None:
        profile = self.started_profile
        for marker in item.iter_markers("requires"):
            for need in marker.args:
                reason = missing(profile, need)
                if reason:
                    item.add_marker(pytest.mark.skip(reason=reason))
        if item.get_closest_marker("destructive") and not self.settings.destructive:
            item.add_marker(pytest.mark.skip(reason="destructive probe: run with --destructive"))
        for expected in profile.expected_failures:
            if expected.test and _same_test(item.nodeid, expected.test):
                item.add_marker(pytest.mark.xfail(reason=f"expected failure (profile): {expected.reason}",
                                                  strict=True))

    def before_test(self, item: pytest.Item) -> None:
        self._local.current = []
        self._local.requests = Counter()
        item.stash[_EXCHANGES] = self._local.current
        if _needs_key(item) and self.key() is None and self.target is not None:
            pytest.skip(self.target.public_key.reason
                        or f"profile {self.started_profile.source.name} gives no public key")

    def after_phase(self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
        rids = requirement_ids(item)
        if not rids:
            return
        judged = judgement(item, self.profile)
        phase = judge_phase(item, call, report, judged, strict=self.settings.strict)
        if phase.observation is not None:
            # What this target does where the docs are silent: recorded, never a verdict.
            self.results.observe(item.nodeid, judged.requirement, question(item),
                                 self.redactor.text(phase.observation))
        if report.failed and call.excinfo is not None:
            # One short block per failing test on the terminal (and in JUnit); the full evidence
            # is in summary.json, exchanges.jsonl and the Allure attachments.
            report.longrepr = reporting.short_block(call.excinfo.value, judged, self.redactor) or report.longrepr
        reporting.redact_report(report, self.redactor)
        recorded: list[int] = item.stash.get(_EXCHANGES, [])
        if call.when == "call":
            recorded.extend(i for i in _cited_by_arguments(item) if i not in recorded)
        exchanges = list(recorded)
        if phase.verdict in ("fail", "warning", "error") and call.when == "call":
            reporting.attach_evidence(self.exchanges.recent(exchanges), self.redactor)
        self._stop_if_the_target_is_gone(item, call)
        counter = cast("Counter[str]", getattr(self._local, "requests", Counter()))
        requests = dict(counter)
        counter.clear()  # each phase reports what it sent since the last one
        self.results.record(TestResult(item.nodeid, rids, recorded_level(judged.level).value, phase.verdict,
                                       report.duration,
                                       self.redactor.text(phase.message), exchanges, judged.basis, requests))

    def _stop_if_the_target_is_gone(self, item: pytest.Item, call: pytest.CallInfo[None]) -> None:
        """The breaker opened (the target stopped answering): no further test could reach a
        verdict, so the run ends here, incomplete, with its summary."""
        reason = self.target.context.api.breaker.reason if self.target is not None else ""
        if reason and not self.results.stopped:
            self.results.stopped = reason
            item.session.shouldstop = f"the target stopped answering: {reason}"

    def note_collection_errors(self, count: int) -> None:
        if not self.results.tests:
            self.results.suite_errors.append(f"{count} collection/setup error(s)")

    # --- finish -----------------------------------------------------------------------------
    def write_stop_summary(self, stop: PreflightStop) -> None:
        """A run that could not start still leaves its summary.json: the cause and the exit code."""
        self.results.stopped = str(stop)
        self.exchanges.close()
        header = {"target": self.settings.target or "", "profile": self.settings.profile,
                  "plan": self.settings.plan.name, "seed": self.settings.seed}
        self.results.write_summary(Path(self.settings.reports_dir) / "summary.json", header,
                                   strict=self.settings.strict, exit_code=stop.code)

    def finish(self) -> int:
        try:
            if self.target is not None:
                self.last_header = self.header()
                self.exchanges.close()
                summary = reporting.write_run_outputs(Path(self.settings.reports_dir), self.results, self.last_header,
                                                      strict=self.settings.strict,
                                                      allure_dir=self.config.getoption("allure_report_dir", None))
                self.config.stash[reporting.SUMMARY] = summary
        finally:
            if self.target is not None:
                self.target.close()
        return self.results.exit_code(strict=self.settings.strict)

    def header(self) -> dict[str, Any]:
        if self.target is None:
            raise RuntimeError("the conformance run has no target")
        profile, context, key = self.target.profile, self.target.context, self.target.public_key
        return {
            "target": profile.base_url,
            "profile": str(profile.source.name),
            "profile_hash": profile.fingerprint(),
            "plan": self.settings.plan.name,
            "seed": self.settings.seed,
            "requests": context.api.stats.requests,
            "throttled": context.api.stats.throttled,
            "clock_offset_seconds": round(context.clock.offset, 3),
            "pacing": self._pacing(),
            **({"budget_plan": self.budget_plan.describe(profile.rate_limit_per_minute)} if self.budget_plan else {}),
            "observed": {**context.observed, "public_key_fingerprint": reporting.key_fingerprint(key.key),
                         "public_key_source": key.source,
                         **({"public_key_note": key.reason} if key.reason else {})},
        }


def _merge(into: dict[str, float], label: str, value: float) -> None:
    into[label] = into.get(label, 0) + value


def _needs_key(item: pytest.Item) -> bool:
    return any("public_key" in marker.args for marker in item.iter_markers("requires"))


def _same_test(nodeid: str, expected: str) -> bool:
    """A profile's expected failure names a test exactly: `conformance/suites/test_x.py::test_y[case]`,
    with or without the `conformance/suites/` prefix (not a suffix match that could catch two)."""
    short = nodeid.split("conformance/suites/")[-1]
    return expected.split("conformance/suites/")[-1] in (short, nodeid)


def _cited_by_arguments(item: pytest.Item) -> list[int]:
    """Exchanges a test judges through its fixtures (a module-scoped token answer, the run's cached
    token) were made before the test began, often in another test's setup: they are its evidence
    all the same, so the test cites them too."""
    ids: list[int] = []
    for value in getattr(item, "funcargs", {}).values():
        exchange = value if isinstance(value, Exchange) else getattr(value, "exchange", None)
        if isinstance(exchange, Exchange):
            ids.append(exchange.id)
    return ids
