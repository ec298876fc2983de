"""`python -m conformance.certify COMMAND`: the main job and the tools partners and CI run alone.

  run          conformance → load smoke → Allure HTML → leak scan → summary → signed bundle
  verify       check a bundle's signature and every file's hash       (0 intact, 1 tampered)
  leak-scan    look for the profile's secrets and full tokens in files (0 clean, 2 leak)
  drift        compare two summaries of one target                     (0 none, 1 drift, 2 unreadable)
  allure-html  single-file Allure 3 report without analytics          (0 written, 2 failed)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.certify.run_arguments import run_argument_problem
from conformance.options import declare
from conformance.outcome import ExitCode
from conformance.plans import plan_name
from conformance.usage import UsageParser


def _run(args: argparse.Namespace, passthrough: list[str], run_parser: UsageParser) -> int:
    from conformance.certify.pipeline import RunOptions, run_certification

    problem = run_argument_problem(args, passthrough, run_parser)
    if problem:  # before anything starts: one line, exit 2, no bundle
        run_parser.fail(problem)
    plan = plan_name(args.plan)
    return run_certification(RunOptions(
        profile=args.profile, target=args.target, plan=plan, seed=args.seed, strict=args.strict,
        load=not args.no_load, load_seconds=args.load_seconds, allow_remote_load=args.allow_remote_load,
        signing_key=args.signing_key,
        reports_root=args.reports_root, passthrough=passthrough))


def _verify(args: argparse.Namespace) -> int:
    from conformance.certify.bundle import verify_bundle
    from conformance.certify.keys import SigningKeyError, load_public_key

    if not args.bundle.is_dir():
        print(f"verify: {args.bundle}: no such bundle directory", file=sys.stderr)
        return ExitCode.ERROR
    try:
        key = load_public_key(args.public_key) if args.public_key else None
    except SigningKeyError as error:
        print(f"verify: {error}", file=sys.stderr)
        return ExitCode.ERROR
    problems = verify_bundle(args.bundle, key)
    for problem in problems:
        print(f"TAMPERED: {problem}")
    if problems:
        return ExitCode.NOT_CONFORMANT
    source = "the given public key" if key else "the bundle's own signing-key.pub.pem (integrity only)"
    print(f"OK: {args.bundle}: signature valid with {source}; every file matches MANIFEST.sha256")
    return ExitCode.CONFORMANT


def _leak_scan(args: argparse.Namespace) -> int:
    from conformance.certify.leaks import profile_secrets, scan_for_leaks
    from conformance.profiles import DEFAULT_PROFILE, ProfileError, load_profile

    try:
        profile = load_profile(args.profile or DEFAULT_PROFILE)
    except ProfileError as error:
        print(f"leak-scan: profile error: {error}", file=sys.stderr)
        return ExitCode.ERROR
    found, scanned = scan_for_leaks(args.paths, profile_secrets(profile))
    for leak in found:
        print(f"LEAK: {leak.file}: {leak.what}")
    print(f"leak scan: {scanned} files, {len(found)} leak(s)")
    nothing_there = scanned == 0 and not any(p.exists() for p in args.paths)
    return ExitCode.ERROR if found or nothing_there else ExitCode.CONFORMANT


def _drift(args: argparse.Namespace) -> int:
    from conformance.certify.drift import drift_report

    code, lines = drift_report(args.old, args.new)
    print("\n".join(lines))
    return code


def _allure_html(args: argparse.Namespace) -> int:
    from conformance.certify.allure_html import AllureFailed, AllureUnavailable, render_single_file_report
    from conformance.certify.allure_metadata import ensure_allure_metadata

    if args.results.is_dir() and ensure_allure_metadata(args.results):
        print(f"wrote environment.properties and categories.json into {args.results}")
    try:
        out = render_single_file_report(args.results, args.out)
    except (AllureUnavailable, AllureFailed) as error:
        print(f"allure-html: {error}", file=sys.stderr)
        return ExitCode.ERROR
    print(f"wrote {out} (single file, analytics stripped, no network fetch)")
    return ExitCode.CONFORMANT


def parser() -> UsageParser:
    # UsageParser: a mistyped command or option is one line with "did you mean …", exit 2.
    p = UsageParser(prog="python -m conformance.certify", description=__doc__.splitlines()[0],
                    formatter_class=argparse.RawDescriptionHelpFormatter,
                    epilog="\n".join(__doc__.splitlines()[2:]))
    commands = p.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="the whole main job for one profile; unknown options go to the suite")
    declare(run.add_argument, ["profile", "target", "plan", "seed", "strict"])
    run.add_argument("--no-load", action="store_true", help="skip the load smoke")
    run.add_argument("--load-seconds", type=int, default=10, metavar="N", help="load smoke duration (default 10)")
    run.add_argument("--allow-remote-load", action="store_true",
                     help="let the load smoke hit a target that is not on loopback (never implied)")
    run.add_argument("--signing-key", type=Path, metavar="PEM",
                     help="Ed25519 private key (default: reports/certification/keys/signing-key.pem, made if absent)")
    run.add_argument("--reports-root", type=Path, default=Path("reports/certification"), metavar="DIR",
                     help="where bundles go (default reports/certification)")

    verify = commands.add_parser("verify", help="check a bundle's signature and every file's hash")
    verify.add_argument("bundle", type=Path, metavar="BUNDLE_DIR")
    verify.add_argument("--public-key", type=Path, metavar="PEM", help="the signer's public key, received separately")

    scan = commands.add_parser("leak-scan", help="fail (exit 2) if any file holds a secret or a full token")
    scan.add_argument("paths", type=Path, nargs="+", metavar="DIR")
    scan.add_argument("--profile", help="profile whose secrets to look for (default: reference)")

    drift = commands.add_parser("drift", help="what changed on the target between two summaries")
    drift.add_argument("old", type=Path, metavar="OLD_SUMMARY")
    drift.add_argument("new", type=Path, metavar="NEW_SUMMARY")

    allure = commands.add_parser("allure-html", help="render Allure results into one offline HTML file")
    allure.add_argument("results", type=Path, metavar="RESULTS_DIR")
    allure.add_argument("out", type=Path, metavar="OUT.html")
    return p


def main(argv: list[str] | None = None) -> int:
    top = parser()
    # `run` hands the options it does not know to the suite; every other command takes only its own.
    args, passthrough = top.parse_known_args(argv)
    if args.command == "run":
        return _run(args, passthrough, top.chosen_parser(args))
    if passthrough:
        top.reject(args, passthrough)
    handlers = {"verify": _verify, "leak-scan": _leak_scan, "drift": _drift, "allure-html": _allure_html}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
