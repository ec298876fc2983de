"""One judged run: profile → target → judge proxy → client process (or --serve) → verdicts → bundle.

The target comes from the one launcher (`running_target`: the profile's [launch], or its
base_url, or --target); the client gets the judge's URL and the credentials of one role of
the profile in environment variables named by the profile's [client] table.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import random
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.certify import keys, leaks
from conformance.certify.provenance import utc_stamp
from conformance.judge.checks import JudgeSettings, judge
from conformance.judge.client_process import ClientCannotStart, ClientOutcome, run_client
from conformance.judge.proxy import JudgeApp, Recorder, bind, forwarding_client, serving
from conformance.judge.report import JudgedRun, write_bundle
from conformance.judge.scenarios import Injector, Scenario, Schedule, parse_scenarios
from conformance.judge.trace import Trace
from conformance.judge.verdicts import exit_code, incomplete_reasons, requirement_rows
from conformance.outcome import ExitCode, verdict_for
from conformance.profiles import Client, LaunchError, Profile, ProfileError, load_profile, resolve, running_target
from conformance.profiles.loader import DEFAULT_PROFILE
from conformance.redaction import Redactor

DEFAULT_DURATION = 120.0


class UsageError(Exception):
    """A run that cannot start as asked; str() is the one line the user sees."""


@dataclass
class JudgeOptions:
    command: list[str] = field(default_factory=list)
    profile: str | None = None
    target: str | None = None
    seed: int | None = None
    duration: float | None = None
    reports_dir: Path | None = None
    scenarios: list[str] = field(default_factory=list)
    serve: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    role: str | None = None
    till: str | None = None
    processes: int | None = None
    strict: bool = False
    signing_key: Path | None = None


@dataclass(frozen=True)
class Setup:
    profile: Profile
    role: str
    client: Client
    schedule: Schedule
    settings: JudgeSettings
    notes: list[str]


def prepare(options: JudgeOptions) -> Setup:
    try:
        profile = load_profile(options.profile or DEFAULT_PROFILE)
        scenarios = parse_scenarios(options.scenarios)
    except (ProfileError, ValueError) as error:
        raise UsageError(str(error)) from None
    notes = []
    if Scenario.SHORT_LIVED in scenarios and "short_lived" not in profile.clients:
        scenarios -= {Scenario.SHORT_LIVED}
        notes.append(f"short_lived: not run (profile {profile.source.name} has no [clients.short_lived])")
    role = options.role or ("short_lived" if Scenario.SHORT_LIVED in scenarios else profile.integration.role)
    client = profile.clients.get(role)
    if client is None:
        raise UsageError(f"{profile.source}: clients.{role}: no such role (fix: add [clients.{role}] or pick "
                         f"--role from {', '.join(profile.clients)})")
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(10**9)
    till = options.till or profile.integration.till
    settings = JudgeSettings(
        secrets=tuple(leaks.profile_secrets(profile)),
        processes=options.processes or profile.integration.processes, declared_till=till,
        till_headers=(profile.till_header,))
    return Setup(profile, role, client, Schedule.from_seed(seed, frozenset(scenarios)), settings, notes)


def client_env(setup: Setup, judge_url: str) -> dict[str, str]:
    names = setup.profile.integration.env
    env = dict(os.environ)
    env.update({names.base_url: judge_url, names.key: setup.client.key, names.secret: str(setup.client.secret),
                names.till_code: setup.settings.declared_till or setup.client.default_till,
                names.till_header: setup.profile.till_header})
    return env


@contextlib.contextmanager
def target_of(profile: Profile, target: str | None) -> Iterator[str]:
    """The target's URL for as long as the judge runs (conformance.profiles.target: --target,
    CAP_TARGET, the profile's base_url or its [launch])."""
    try:
        resolved = resolve(profile, target)
    except ProfileError as error:
        raise UsageError(str(error)) from None
    with running_target(resolved) as live:
        yield live.base_url


@dataclass
class Session:
    trace: Trace
    judge_url: str
    client: ClientOutcome | None


async def _session(setup: Setup, options: JudgeOptions, target: str, bundle: Path, redactor: Redactor,
                   out: TextIO) -> Session:
    profile, loop, stop = setup.profile, asyncio.get_running_loop(), asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    recorder, outcome = Recorder(), None
    verify: bool | str = str(profile.ca_bundle) if profile.ca_bundle else profile.verify_tls
    try:
        sock = bind(options.host, options.port)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise UsageError(f"cannot listen on {options.host}:{options.port}: {reason}") from None
    async with forwarding_client(timeout=profile.timeout_seconds, verify=verify) as http:
        app = JudgeApp(target, Injector(setup.schedule, profile.expect), recorder, http)
        async with serving(app, sock) as judge_url:
            app.base_url = judge_url  # before any request: the client starts (or is told the URL) below
            if options.serve:
                _announce(setup, judge_url, out)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), options.duration)
            else:
                outcome = await run_client(options.command, client_env(setup, judge_url),
                                           duration=options.duration or DEFAULT_DURATION,
                                           log_path=bundle / "client.log", redactor=redactor, stop=stop)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signum)
    return Session(recorder.trace(), judge_url, outcome)


def _announce(setup: Setup, judge_url: str, out: TextIO) -> None:
    names = setup.profile.integration.env
    print(f"judge listening on {judge_url}", file=out, flush=True)
    print(f"point the client at it: {names.base_url}={judge_url} {names.key}={setup.client.key} "
          f"{names.secret}=<the secret of [clients.{setup.role}] in {setup.profile.source.name}>; "
          "stop the judge with Ctrl-C (SIGINT) or SIGTERM", file=sys.stderr, flush=True)


def _bundle_dir(options: JudgeOptions, profile: Profile) -> Path:
    """Where the bundle goes: a new or empty directory, so no file of another run is signed with this one."""
    bundle = options.reports_dir or Path("reports/client") / f"{profile.name}-{utc_stamp()}"
    if bundle.exists() and (not bundle.is_dir() or any(bundle.iterdir())):
        raise UsageError(f"--reports-dir {bundle}: not an empty directory (fix: give a new one)")
    return bundle


def _signing_key(options: JudgeOptions) -> Ed25519PrivateKey:
    if options.signing_key is not None:
        return keys.load_private_key(options.signing_key)
    key, path, created = keys.local_signing_key(Path("reports/certification/keys"))
    if created:
        print(f"no --signing-key: generated {path} (give partners {path.with_name('signing-key.pub.pem')})",
              file=sys.stderr)
    return key


def run_judge(options: JudgeOptions, out: TextIO = sys.stdout) -> int:
    """The whole run; returns the exit code. Every expected failure is one line on stderr."""
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        setup = prepare(options)
        if not options.serve and not options.command:
            raise UsageError("no client command (fix: capillary-conformance client [options] -- CMD ARGS…, "
                             "or --serve)")
        bundle = _bundle_dir(options, setup.profile)
        signing_key = _signing_key(options)
    except (UsageError, keys.SigningKeyError) as error:
        print(f"client judge: {error}", file=sys.stderr)
        return ExitCode.ERROR
    created = not bundle.exists()
    bundle.mkdir(parents=True, exist_ok=True)
    redactor = Redactor(setup.profile.secrets())
    try:
        with target_of(setup.profile, options.target) as target:
            session = asyncio.Runner(loop_factory=_loop_factory()).run(
                _session(setup, options, target, bundle, redactor, out))
    except (UsageError, ClientCannotStart, LaunchError) as error:
        if created:
            with contextlib.suppress(OSError):
                bundle.rmdir()  # nothing was judged: leave no empty bundle behind
        if isinstance(error, LaunchError):
            print(f"client judge: target did not start: {error}", file=sys.stderr)
            return ExitCode.INCOMPLETE
        print(f"client judge: {error}", file=sys.stderr)
        return ExitCode.ERROR
    trace = session.trace
    redactor.add(*trace.tokens)
    rows = requirement_rows(judge(trace, setup.settings), till_declared=setup.settings.declared_till is not None)
    reasons = incomplete_reasons(rows, len(trace), sum(1 for e in trace if e.forward_error))
    judged = exit_code(rows, strict=options.strict, incomplete=reasons)
    run = JudgedRun(setup.profile, setup.role, target, session.judge_url, options.command or ["(--serve)"],
                    setup.schedule, trace, rows, judged, reasons, session.client, options.strict, started,
                    setup.notes)
    code, leaked = write_bundle(bundle, run, redactor, signing_key)
    _print_verdicts(out, rows, reasons, leaked, setup, code, bundle)
    return code


def _print_verdicts(out: TextIO, rows: dict[str, dict[str, Any]], reasons: list[str], leaks: list[str],
                    setup: Setup, code: int, bundle: Path) -> None:
    for rid, row in rows.items():
        test = row["tests"][0]
        print(f"{rid}  {row['level']!s:<11} {str(row['verdict']).upper():<9} {test['message']}", file=out)
    for line in [*reasons, *setup.notes]:
        print(f"note: {line}", file=out)
    for line in leaks:
        print(f"LEAK: {line}", file=out)
    failing = [rid for rid, row in rows.items() if row["verdict"] == "fail"]
    warned = [rid for rid, row in rows.items() if row["verdict"] == "warning"]
    detail = (f" — failing: {', '.join(failing)}" if failing else "") + \
             (f" — SHOULD warnings: {', '.join(warned)}" if warned else "")
    print(f"seed {setup.schedule.seed}, role {setup.role}, scenarios "
          f"{', '.join(sorted(s.value for s in setup.schedule.scenarios)) or 'none'}", file=out)
    print(f"VERDICT: {verdict_for(code).upper()}{detail} — bundle: {bundle}", file=out, flush=True)


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings uvloop; without it asyncio's own loop works too
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]
