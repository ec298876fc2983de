"""One Locust process's run: its settings (resolved once), token caches, metrics and launched target.

Imported by `load.hooks`, so always after `locust` itself (gevent must patch first).
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from load.metrics import ProcessMetrics, RunMetrics
from load.options import options_of
from load.progress import ProgressPrinter
from load.reports import report_directory
from load.settings import LoadSettings, SettingsError, gates_for_run, resolve_profile, task_rate, token_mode
from load.stages import peak_users, stages_for_run
from load.token_cache import TokenCaches, TokenMode

log = logging.getLogger("load")
HERD_RELEASE_TIMEOUT_SECONDS = 30.0


class LoadRun:
    """One process's run state: settings, token caches, metrics, and the launched target."""

    def __init__(self, environment: Environment, settings: LoadSettings, scenario: str) -> None:
        self.environment, self.settings, self.scenario = environment, settings, scenario
        self.metrics = ProcessMetrics(recovery_sample=self._report_recovery)
        self.caches = TokenCaches(settings.token_mode, refresh_margin=settings.refresh_margin,
                                  jitter=settings.jitter, events=self.metrics)
        self.run_metrics = RunMetrics()
        self.target = ExitStack()
        self.launched_target = False
        self.started_at = datetime.now(UTC)
        self.all_users_spawned = gevent.event.Event()
        self.sampler: gevent.Greenlet | None = None
        self.planned_until: float | None = None
        self.progress: ProgressPrinter | None = None  # the live status line, printed by the coordinator

    def plan_until_now(self) -> None:
        """Add what the pacing promised since the last call: users alive x task rate x seconds."""
        runner = self.environment.runner
        now = time.monotonic()
        # A master runs no users itself: its workers plan theirs.
        if self.planned_until is not None and runner is not None and not isinstance(runner, MasterRunner):
            self.metrics.plan(now - self.planned_until, runner.user_count, self.settings.task_rate)
        self.planned_until = now

    @property
    def is_coordinator(self) -> bool:
        """The local runner or the master: the process that judges the run and writes reports."""
        return not isinstance(self.environment.runner, WorkerRunner)

    def wait_for_all_users(self) -> None:
        """Hold a user until every user exists, so their tokens are minted (and expire) together."""
        self.all_users_spawned.wait(HERD_RELEASE_TIMEOUT_SECONDS)

    def _report_recovery(self, label: str, seconds: float, succeeded: bool) -> None:
        # "498 -> regenerate -> retry" as its own sample, so its latency has percentiles too.
        request_event: Any = self.environment.events.request
        request_event.fire(
            request_type="REGEN", name=f"{label}.regen", response_time=seconds * 1000.0, response_length=0,
            exception=None if succeeded else RuntimeError("no usable token after regenerate-and-retry"),
            context={}, start_time=time.time() - seconds,
        )


def _scenario_defaults(environment: Environment) -> tuple[str, TokenMode, float, tuple[str, ...]]:
    classes = environment.user_classes
    scenario = "+".join(sorted({getattr(c, "scenario", c.__name__) for c in classes})) or "custom"
    mode = getattr(classes[0], "default_token_mode", TokenMode.SINGLE_FLIGHT) if classes else TokenMode.SINGLE_FLIGHT
    rate = getattr(classes[0], "default_task_rate", 5.0) if classes else 5.0
    roles = tuple(sorted({getattr(c, "role", "primary") for c in classes}))
    return scenario, mode, rate, roles


def settings_for(environment: Environment) -> tuple[LoadSettings, str]:
    """The run's settings, from Locust's options, the scenario's defaults and the profile.

    The target is resolved here, once per process: Locust's --host (which `python -m load` sets
    to the target it resolved and launched), then --target / CAP_TARGET, then the profile.
    """
    options = options_of(environment)
    scenario, default_mode, default_rate, roles = _scenario_defaults(environment)
    profile = resolve_profile(options.profile, environment.host or options.target)
    for role in roles:
        if role not in profile.clients:
            raise SettingsError(f"profile {profile.name!r} has no [clients.{role}], which scenario {scenario} needs")
    planned_users = options.num_users or 1
    if environment.shape_class is not None:
        planned_users = peak_users(stages_for_run(options.stages, options.run_time, options.num_users))
    settings = LoadSettings(
        profile=profile,
        token_mode=token_mode(options.token_mode, default_mode),
        refresh_margin=options.token_refresh_margin,
        jitter=options.token_jitter,
        polite=options.polite,
        task_rate=task_rate(options.task_rate, default_rate, options.polite, profile.rate_limit_per_minute,
                            planned_users),
        invalid_share=options.invalid_share,
        gates=gates_for_run(profile, options.gate),
        report_dir=Path(options.report_dir) if options.report_dir else report_directory(scenario),
        max_iterations_per_user=options.max_iterations,
    )
    if settings.polite and profile.rate_limit_per_minute == 0:
        log.warning("--polite: profile %s sets no rate_limit_per_minute, so nothing is paced", profile.name)
    return settings, scenario
