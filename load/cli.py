"""`python -m load run <scenario> ...`: one entry point for every scenario (no locust import here).

It resolves the profile and the target once (conformance.profiles.target: --target, CAP_TARGET,
the profile, launching its `[launch]` command when no URL is given), runs Locust as child
processes pointed at that target, redacts Locust's own report files once they are complete, and
exits with the code that counts (conformance.outcome): 0 gates passed, 1 a gate failed, 2 usage
error, 3 invalid run.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance.options import declare
from conformance.outcome import ExitCode
from conformance.profiles import LaunchError, ProfileError, running_target
from conformance.usage import UsageParser
from load.gates import GateError, parse_gate_assignments
from load.options import add_shared_options, locust_arguments
from load.processes import REPO_ROOT, LocustRun, run_locust
from load.reports import annotate_summary, redact_locust_files, report_directory
from load.settings import SettingsError, check_target_allowed, resolve_profile
from load.stages import StageError, parse_duration, parse_stages

SCENARIOS_DIR = REPO_ROOT / "load" / "scenarios"
SHAPES = {"stages": REPO_ROOT / "load" / "shapes.py"}


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.py") if not p.stem.startswith("_"))


def build_parser() -> UsageParser:
    # UsageParser: a mistyped option or command is one line with "did you mean …", exit 2.
    parser = UsageParser(prog="python -m load", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the scenarios")
    run = commands.add_parser("run", help="run scenarios headless (together, in one Locust run) and judge the run")
    run.add_argument("scenarios", nargs="+", metavar="scenario",
                     help="one or more of: " + ", ".join(scenario_names()) + " (several share the users)")
    declare(run.add_argument, ["profile", "target"])
    run.add_argument("--users", "-u", type=int, default=5)
    run.add_argument("--spawn-rate", "-r", type=float, default=5.0)
    run.add_argument("--run-time", "-t", default="10s", help="e.g. 10s, 1m30s")
    run.add_argument("--workers", type=int, default=0, help="run one master and N workers on loopback")
    run.add_argument("--workers-max-wait", type=float, default=30.0, help="seconds the master waits for workers")
    run.add_argument("--shape", choices=sorted(SHAPES), help="a load shape instead of constant users")
    run.add_argument("--report-dir", type=Path, help="default: reports/load/<scenario>-<UTC timestamp>/")
    add_shared_options(run)
    return parser


def run_scenario(args: argparse.Namespace) -> int:
    for scenario in args.scenarios:
        if scenario not in scenario_names():
            close = difflib.get_close_matches(scenario, scenario_names(), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see `python -m load list`"
            print(f"load: no scenario {scenario!r} ({hint})", file=sys.stderr)
            return ExitCode.ERROR
    scenarios = sorted(set(args.scenarios))
    name = "+".join(scenarios)  # as load.hooks names a run of several user classes
    try:
        parse_gate_assignments(args.gate)  # fail before launching anything
        if args.stages:
            parse_stages(args.stages)
        run_seconds = parse_duration(args.run_time)
        profile = resolve_profile(args.profile, args.target)
    except (ProfileError, SettingsError, GateError, StageError) as error:
        print(f"load: {error}", file=sys.stderr)
        return ExitCode.ERROR
    report_dir = (args.report_dir or report_directory(name)).resolve()
    locustfiles = [SCENARIOS_DIR / f"{s}.py" for s in scenarios] + ([SHAPES[args.shape]] if args.shape else [])
    try:
        with running_target(profile) as live:
            check_target_allowed(live.base_url, args.allow_remote)
            code = run_locust(LocustRun(
                locustfiles=locustfiles, host=live.base_url, report_dir=report_dir, users=args.users,
                spawn_rate=args.spawn_rate, run_seconds=run_seconds, profile=str(profile.source),
                # Locust's processes read the target from --host and leave Locust's files to us.
                load_options=[*locust_arguments(args), "--redacted-by-parent"], workers=args.workers,
                workers_max_wait_seconds=args.workers_max_wait,
            ))
    except SettingsError as error:
        print(f"load: {error}", file=sys.stderr)
        return ExitCode.ERROR
    except LaunchError as error:
        print(f"load: the target did not start: {error}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    if report_dir.exists():
        if profile.launch is not None:
            annotate_summary(report_dir, launched_target=True)  # launched here, not by Locust
        redact_locust_files(report_dir, profile.secrets())  # every Locust process has exited: once, now
    print(f"load: {name}: exit code {code}; report in {report_dir}")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "list":
        print("\n".join(scenario_names()))
        return 0
    return run_scenario(args)
