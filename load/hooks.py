"""Locust wiring shared by every scenario: options, the target's lifecycle, metrics, gates, reports.

The run's state and settings are load.run_state's; this module is the listeners.

Imported through `load.users`, so always after `locust` itself (gevent must patch first).
Listeners register at import, once per process. A local run and a master evaluate gates and
write reports in `quitting`; a worker only ships its metrics with each stats report.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
import locust.runners
import locust.stats
import psutil
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, Runner

from conformance.outcome import ExitCode
from conformance.profiles import LaunchError, ProfileError, running_target
from load import gates as gate_rules
from load.options import add_load_options, options_of
from load.progress import ProgressPrinter
from load.reports import redact_locust_files, report_directory, write_summary, write_timeline
from load.run_state import LoadRun, settings_for
from load.run_summary import run_snapshot, settings_summary
from load.settings import SettingsError, check_target_allowed
from load.stages import StageError

log = logging.getLogger("load")
METRICS_MESSAGE_KEY = "capillary_load"
SAMPLE_INTERVAL_SECONDS = 1.0
MAX_SAMPLES = 24 * 3600  # the sampler stops after a day even if nobody stops it
# Locust's report charts one point per history interval (5 s by default: 2 points for a 10 s run)
# and workers report every 3 s: one second each, so its charts and our live line move every second.
locust.stats.HISTORY_STATS_INTERVAL_SEC = 1
locust.runners.WORKER_REPORT_INTERVAL = 1.0


_RUN: LoadRun | None = None


def current_run() -> LoadRun:
    if _RUN is None:
        raise RuntimeError("load.hooks: no run is active (are you running under `locust` with a load scenario?)")
    return _RUN


def start_run(environment: Environment, runner: Runner | None = None, **_kwargs: Any) -> None:
    global _RUN
    if environment.parsed_options is None:
        return  # Locust used as a library: nothing to wire
    try:
        settings, scenario = settings_for(environment)
    except (ProfileError, SettingsError, StageError) as error:
        log.error("cannot start the load run: %s", error)
        sys.exit(ExitCode.ERROR)
    _RUN = run = LoadRun(environment, settings, scenario)
    try:
        if run.is_coordinator:
            _point_at_target(environment, run)
    finally:
        # gevent's loop caches "now" until it next runs; after slow imports (or a launch) that
        # stale clock makes Locust's --run-time timer fire seconds early, and a short run shorter still.
        gevent.get_hub().loop.update_now()


def _point_at_target(environment: Environment, run: LoadRun) -> None:
    settings, scenario = run.settings, run.scenario
    options = options_of(environment)
    if not options.html_file and settings.report_dir:  # plain `locust -f ...`: Locust's HTML goes beside ours
        options.html_file = str(settings.report_dir / "locust.html")
    try:
        # The profile was resolved in settings_for; a [launch] still there means: start it here.
        profile = run.target.enter_context(running_target(settings.profile))
        run.launched_target = settings.profile.launch is not None
        check_target_allowed(profile.base_url, options.allow_remote)
    except LaunchError as error:
        log.error("the target did not start: %s", error)
        sys.exit(ExitCode.INCOMPLETE)
    except (ProfileError, SettingsError) as error:
        run.target.close()
        log.error("cannot start the load run: %s", error)
        sys.exit(ExitCode.ERROR)
    environment.host = profile.base_url
    run.settings = replace(settings, profile=profile)
    log.info("load run %s: target %s, token mode %s, %.3g task(s)/user/s", scenario, profile.base_url,
             settings.token_mode.value, settings.task_rate)


def start_sampling(environment: Environment, **_kwargs: Any) -> None:
    if _RUN is not None and _RUN.sampler is None:
        _RUN.progress = ProgressPrinter() if _RUN.is_coordinator else None
        _RUN.sampler = gevent.spawn(_sample, _RUN)


def _sample(run: LoadRun) -> None:
    process = psutil.Process()
    process.cpu_percent(None)  # the first reading is a baseline, always 0.0
    run.planned_until = time.monotonic()
    for _ in range(MAX_SAMPLES):
        gevent.sleep(SAMPLE_INTERVAL_SECONDS)
        run.metrics.cpu_sample(process.cpu_percent(None))
        run.plan_until_now()
        if run.progress is not None:
            run.progress.tick(run.environment, run)


def stop_sampling(environment: Environment, **_kwargs: Any) -> None:
    if _RUN is not None and _RUN.sampler is not None:
        _RUN.sampler.kill(block=False)
        _RUN.plan_until_now()  # the partial second since the last sample was planned too
        if _RUN.progress is not None:
            _RUN.progress.tick(environment, _RUN, final=True)


def release_the_herd(user_count: int, **_kwargs: Any) -> None:
    if _RUN is not None:
        _RUN.all_users_spawned.set()


def count_request_second(request_type: str, response_time: float, exception: BaseException | None,
                         start_time: float | None = None, response: Any = None, **_kwargs: Any) -> None:
    if _RUN is not None and request_type != "REGEN":
        answered = (getattr(response, "status_code", 0) or 0) > 0  # 0: no HTTP answer (refused, timed out)
        _RUN.metrics.request_finished(start_time or time.time(), response_time or 0.0, exception is not None,
                                      answered)


def ship_metrics(client_id: str, data: dict[str, Any], **_kwargs: Any) -> None:
    if _RUN is not None:
        data[METRICS_MESSAGE_KEY] = _RUN.metrics.drain()


def merge_worker_metrics(client_id: str, data: dict[str, Any], **_kwargs: Any) -> None:
    if _RUN is not None and METRICS_MESSAGE_KEY in data:
        _RUN.run_metrics.merge(client_id, data[METRICS_MESSAGE_KEY])


def judge_run(environment: Environment, **_kwargs: Any) -> None:
    run = _RUN
    if run is None or not run.is_coordinator:
        return
    try:
        environment.process_exit_code = _judge_and_report(environment, run)
    finally:
        run.target.close()  # stop the target we launched, whatever happened above


def _judge_and_report(environment: Environment, run: LoadRun) -> int:
    if run.sampler is not None:
        run.sampler.kill(block=False)
    is_master = isinstance(environment.runner, MasterRunner)
    run.run_metrics.merge("master" if is_master else "local", run.metrics.drain())
    snapshot = run_snapshot(environment.stats, run.run_metrics)
    options = options_of(environment)
    expected_workers = options.expect_workers if is_master else 0
    results = gate_rules.evaluate_gates(run.settings.gates, snapshot)
    reasons = gate_rules.invalid_run_reasons(snapshot, expected_workers)
    verdict = gate_rules.verdict(results, reasons)
    for result in results:
        (log.error if result.passed is False else log.info)("%s", result.describe())
    for reason in reasons:
        log.error("invalid run: %s", reason)
    finished = datetime.now(UTC)
    summary = {
        "scenario": run.scenario,
        "profile": run.settings.profile.name,
        "profile_fingerprint": run.settings.profile.fingerprint(),
        "target": run.settings.profile.base_url,
        "launched_target": run.launched_target,
        "started_at": run.started_at.isoformat(),
        "finished_at": finished.isoformat(),
        "duration_seconds": round((finished - run.started_at).total_seconds(), 3),
        "settings": settings_summary(options, run.settings, expected_workers, environment.shape_class),
        **snapshot,
        **verdict,
        "files": {"locust_html": Path(options.html_file).name if options.html_file else None,
                  "timeline": "timeline.html"},
    }
    directory = run.settings.report_dir or report_directory(run.scenario)
    secrets = run.settings.profile.secrets()
    # Our files are redacted as they are written; Locust's own (its HTML, written before this event)
    # once here, unless `python -m load` does it after every process has exited.
    write_summary(directory, summary, secrets)
    write_timeline(directory, f"{run.scenario} on {run.settings.profile.name}", run.run_metrics.timeline(), summary,
                   secrets)
    if not options.redacted_by_parent:
        redact_locust_files(directory, secrets)
    log.info("load report: %s (exit code %d)", directory, verdict["exit_code"])
    return int(verdict["exit_code"])


def _register_listeners() -> None:
    # Explicit registration (not decorators): Locust's hooks are untyped, our listeners are not.
    listeners = {
        "init_command_line_parser": add_load_options,
        "init": start_run,
        "test_start": start_sampling,
        "test_stop": stop_sampling,
        "spawning_complete": release_the_herd,
        "request": count_request_second,
        "report_to_master": ship_metrics,
        "worker_report": merge_worker_metrics,
        "quitting": judge_run,
    }
    for event_name, listener in listeners.items():
        hook: Any = getattr(events, event_name)
        hook.add_listener(listener)


_register_listeners()
