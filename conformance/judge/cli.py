"""`capillary-conformance client [options] -- CMD ARGS…` (or `python -m conformance.judge`): judge an API client.

Exit codes as for servers: 0 conformant (with a signed bundle), 1 a requirement failed (named
on stdout), 2 usage, profile or client start error, or a secret in an artifact (one line),
3 incomplete (the client never called the judge, the target was unreachable, or a MUST
requirement could not be judged): never a pass.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.judge.runner import DEFAULT_DURATION, JudgeOptions, run_judge
from conformance.judge.scenarios import DESCRIPTIONS
from conformance.outcome import ExitCode


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, exit 2: the house rule for bad input (argparse would print the usage block too).
        print(f"client judge: {message} (see --help)", file=sys.stderr)
        raise SystemExit(ExitCode.ERROR)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="capillary-conformance client", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--profile", help="profile name or path (default: the embedded reference server)")
    p.add_argument("--target", help="base URL of the target, overriding the profile's (skips its [launch])")
    p.add_argument("--seed", type=int, help="seed of the scenario schedule (default: random, printed)")
    p.add_argument("--duration", type=float, help=f"stop the client (or --serve) after S seconds "
                   f"(client default {DEFAULT_DURATION:g})")
    p.add_argument("--reports-dir", type=Path, help="an empty or new directory for the bundle "
                   "(default reports/client/<profile>-<UTC time>)")
    p.add_argument("--scenario", action="append", default=[], dest="scenarios", metavar="NAME",
                   help="scenario to inject (repeatable; default all; 'none' for none); see --list-scenarios")
    p.add_argument("--list-scenarios", action="store_true", help="describe the scenarios and exit")
    p.add_argument("--serve", action="store_true", help="no client command: listen until SIGINT/SIGTERM, then judge")
    p.add_argument("--host", default="127.0.0.1", help="address the judge listens on (default loopback)")
    p.add_argument("--port", type=int, default=0, help="port the judge listens on (default: a free one)")
    p.add_argument("--role", help="whose credentials the client gets (default: the profile's [client] role, "
                   "short_lived when that scenario runs)")
    p.add_argument("--till", help="declare the integration's till: every write must carry it (CAP-CLI-09 MUST)")
    p.add_argument("--processes", type=int, help="processes of the integration, each with its own token (default 1)")
    p.add_argument("--strict", action="store_true", help="SHOULD-level failures fail the run")
    p.add_argument("--signing-key", type=Path, help="Ed25519 PEM that signs the bundle (default: the local key)")
    return p


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in args_in:
        split = args_in.index("--")
        args_in, command = args_in[:split], args_in[split + 1:]
    args = parser().parse_args(args_in)
    if args.list_scenarios:
        for scenario, text in DESCRIPTIONS.items():
            print(f"{scenario.value:<17} {text}")
        return ExitCode.CONFORMANT
    if args.processes is not None and args.processes < 1:
        print("client judge: --processes must be at least 1", file=sys.stderr)
        return ExitCode.ERROR
    if command and args.serve:
        print("client judge: --serve takes no client command (the client runs elsewhere)", file=sys.stderr)
        return ExitCode.ERROR
    options = JudgeOptions(command=command, profile=args.profile, target=args.target, seed=args.seed,
                           duration=args.duration, reports_dir=args.reports_dir, scenarios=args.scenarios,
                           serve=args.serve, host=args.host, port=args.port, role=args.role, till=args.till,
                           processes=args.processes, strict=args.strict, signing_key=args.signing_key)
    return run_judge(options)


if __name__ == "__main__":
    sys.exit(main())
