"""The live status line of a load run: its figures, its two renderings, its pace, and a real run printing it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

from load.metrics import ProcessMetrics, RunMetrics
from load.progress import Progress, ProgressPrinter, snapshot
from tests.load.conftest import run_load

PLAIN_LINE = re.compile(r"^load: (\d+)s/(\d+)s \| users (\d+) \| ([\d.]+) req/s \| requests (\d+), failures (\d+) "
                        r"\| 498s handled (\d+), regenerations (\d+)", re.MULTILINE)


def a_progress(**changes: object) -> Progress:
    values: dict[str, object] = {"users": 5, "requests_per_second": 31.5, "requests": 120, "failures": 0,
                                 "handled_498": 4, "regenerations": 2, "leaked_498": 0, "elapsed_seconds": 4.2,
                                 "total_seconds": 10.0}
    values.update(changes)
    return Progress(**values)  # type: ignore[arg-type]


def test_the_plain_line_names_every_figure_for_a_log_file():
    line = a_progress().plain_line()

    assert line == ("load: 4s/10s | users 5 | 31.5 req/s | requests 120, failures 0 | 498s handled 4, "
                    "regenerations 2")
    assert "\x1b[" not in line


def test_a_leaked_498_is_shown_only_when_there_is_one():
    assert "leaked 498s 3" in a_progress(leaked_498=3).plain_line()
    assert "leaked" not in a_progress().plain_line()


def test_on_a_terminal_the_line_goes_through_rich_with_colour_and_a_bar():
    out = io.StringIO()

    ProgressPrinter(out, terminal=True).show(a_progress(failures=2))

    text = out.getvalue()
    assert "\x1b[" in text  # ANSI styling: rich decided it is a terminal
    assert "━" in text and "4/10 s" in text
    assert "31.5" in text and "req/s" in text and "regenerations" in text


def test_off_a_terminal_the_printer_writes_plain_lines():
    out = io.StringIO()  # not a tty

    ProgressPrinter(out).show(a_progress())

    assert out.getvalue() == a_progress().plain_line() + "\n"


def test_lines_come_every_interval_not_every_sampler_tick():
    now = [0.0]
    out = io.StringIO()
    printer = ProgressPrinter(out, terminal=False, interval=2.0, clock=lambda: now[0])
    run = SimpleNamespace(run_metrics=RunMetrics(), metrics=ProcessMetrics())
    environment = SimpleNamespace(stats=SimpleNamespace(total=SimpleNamespace(current_rps=0, num_requests=0,
                                                                              num_failures=0)),
                                  runner=SimpleNamespace(user_count=1), parsed_options=SimpleNamespace(run_time=6))
    for second in range(1, 7):  # the sampler ticks once a second
        now[0] = float(second)
        printer.tick(environment, run)
    printer.tick(environment, run, final=True)  # right after the line of second 6: nothing new to say
    now[0] = 7.5
    printer.tick(environment, run, final=True)  # the run ended 1.5 s after the last line: say how it ended

    assert [m.group(1) for m in PLAIN_LINE.finditer(out.getvalue())] == ["2", "4", "6", "8"]


def test_the_snapshot_adds_workers_merged_counters_to_this_processs_own():
    own, worker, merged = ProcessMetrics(), ProcessMetrics(), RunMetrics()
    for metrics in (own, worker):
        metrics.expired_seen += 2
        metrics.generations["regeneration"] += 1
    merged.merge("w1", worker.drain())
    environment = SimpleNamespace(stats=SimpleNamespace(total=SimpleNamespace(current_rps=12.0, num_requests=40,
                                                                              num_failures=1)),
                                  runner=SimpleNamespace(user_count=3), parsed_options=SimpleNamespace(run_time=None))

    progress = snapshot(environment, SimpleNamespace(run_metrics=merged, metrics=own), 3.0)

    assert (progress.handled_498, progress.regenerations, progress.users, progress.total_seconds) == (4, 2, 3, None)


def test_a_real_run_prints_a_status_line_every_two_seconds(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "expiry_regeneration", "--target", reference_target, "-u", "3", "-t", "5s")

    assert result.exit_code == 0, result.output
    lines = PLAIN_LINE.findall(result.output)  # captured, so not a terminal: plain lines
    assert len(lines) >= 2, result.output[-3000:]  # at 2 s and 4 s (and at the end, unless just after 4 s)
    elapsed = [int(seconds) for seconds, *_ in lines]
    assert elapsed[0] in (2, 3) and elapsed == sorted(set(elapsed))  # the first after ~2 s, then onwards
    assert {int(total) for _elapsed, total, *_ in lines} == {5}
    last = lines[-1]
    assert int(last[4]) > 0 and int(last[6]) > 0 and int(last[7]) > 0  # requests, 498s handled, regenerations
