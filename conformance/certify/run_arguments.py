"""`run`'s arguments, checked before anything starts: a usage error is one line and exit 2, no bundle.

`run` hands the options it does not know to the suite (`-k`, `--deselect`, …), so a typo meant for
the suite (`--plna gate`) used to reach pytest, which refused it after the bundle was made, while
load still ran and the bundle was signed. An option close to one that `run` or the suite knows is
a typo, said now; an option `run` sets itself is refused with what to use instead; what remains
is pytest's to judge (its refusal then stops the run at the conformance step, with its line).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from conformance.environment import ENV
from conformance.options import RUN_OPTIONS
from conformance.plans import PLANS, plan_name
from conformance.usage import closest, did_you_mean, long_options, unknown_option

# Options of the suite that `run` decides, with what to do instead.
SET_BY_RUN = {"--reports-dir": "run writes the suite's reports into the bundle; choose where bundles go with "
                               "--reports-root DIR"}


def suite_option_problem(passthrough: Sequence[str], run_parser: argparse.ArgumentParser) -> str | None:
    """The first option handed on to the suite that is a typo of a known one, or one `run` sets; else None."""
    known = sorted({*long_options(run_parser), *(option.flag for option in RUN_OPTIONS.values())})
    for argument in passthrough:
        name = argument.split("=", 1)[0]
        if not name.startswith("--"):
            continue
        if name in SET_BY_RUN:
            return f"{name} is not for run: {SET_BY_RUN[name]}"
        if name not in known and closest(name, known):
            return unknown_option(name, known)
    return None


def run_argument_problem(args: argparse.Namespace, passthrough: Sequence[str],
                         run_parser: argparse.ArgumentParser) -> str | None:
    """Everything about `run`'s arguments that can be known before starting; None when all is well."""
    try:
        plan_name(args.plan)  # the plan may come from the environment, which argparse does not check
    except ValueError as error:
        return f"{error}{did_you_mean(os.environ.get(ENV['plan'], ''), PLANS)}"
    if not args.no_load and args.load_seconds < 1:
        return f"--load-seconds {args.load_seconds}: the load smoke needs at least 1 s (or pass --no-load)"
    blocking = next((p for p in (args.reports_root, *args.reports_root.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"--reports-root {args.reports_root}: not a directory ({blocking} is a file)"
    return suite_option_problem(passthrough, run_parser)
