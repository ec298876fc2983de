"""`python -m benchmarks [--quick] [--only NAME]...`: run the benchmarks, print and record the tables."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import generator, herd, judge_proxy, rate_limited, results, scaleout, server, suite_time
from benchmarks.common import BENCH_DIR, BenchConfig, Section, machine_facts

BENCHMARKS: dict[str, Callable[[BenchConfig], Section]] = {
    "suite": suite_time.run,
    "generator": generator.run,
    "herd": herd.run,
    "server": server.run,
    "scaleout": scaleout.run,
    judge_proxy.KEY: judge_proxy.run,
    "ratelimited": rate_limited.run,
}  # in RESULTS.md's order of blocks
DEFAULT_RESULTS = BENCH_DIR / "RESULTS.md"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="smoke mode: one repetition, short runs")
    p.add_argument("--only", action="append", choices=sorted(BENCHMARKS), default=[],
                   help="run only this benchmark (repeatable); default: all of them")
    p.add_argument("--results", type=Path, default=None,
                   help=f"markdown file to update (default: {DEFAULT_RESULTS.relative_to(BENCH_DIR.parent)}; "
                        "with --quick: none)")
    p.add_argument("--work-dir", type=Path, default=None, help="keep the runs' logs and reports here")
    return p


def failed_section(key: str, command: str, error: BaseException) -> Section:
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return Section(key, f"{key}: the benchmark failed", command, machine_facts(), notes=[f"error: {detail}"])


def main(argv: Sequence[str] | None = None, invoked_as: Sequence[str] | None = None) -> int:
    """`invoked_as`: the command line to record, when another name ran this (`python -m benchmarks.judge_proxy`)."""
    args = parser().parse_args(argv)
    settings = [f"BENCH_PY_SPY={os.environ['BENCH_PY_SPY']}"] if os.environ.get("BENCH_PY_SPY") else []
    arguments = sys.argv[1:] if argv is None else list(argv)
    command = " ".join([*settings, shlex.join(invoked_as or ["python", "-m", "benchmarks", *arguments])])
    names = [name for name in BENCHMARKS if not args.only or name in args.only]
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="capillary-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    cfg = BenchConfig(quick=args.quick, work_dir=work_dir, log=lambda line: print(line, flush=True))
    print("machine: " + "; ".join(f"{k}: {v}" for k, v in machine_facts().items()), flush=True)
    sections: list[Section] = []
    failures = 0
    for name in names:
        print(f"== {name} ==", flush=True)
        started = time.monotonic()
        try:
            section = BENCHMARKS[name](cfg)
        except Exception as error:  # one broken benchmark must not lose the others' results
            failures += 1
            section = failed_section(name, command, error)
            traceback.print_exc()
        section.command = command
        section.date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC") + f" ({time.monotonic() - started:.0f} s)"
        sections.append(section)
        print(section.markdown(), flush=True)
    target = args.results if args.results is not None else (None if args.quick else DEFAULT_RESULTS)
    if target is not None:
        results.write(target, sections, list(BENCHMARKS))
        print(f"results: {target}")
    if args.work_dir is None:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
