"""The benchmarks run in their smoke mode (`--quick`) and write well-formed tables.

They run as separate `python -m benchmarks --quick --only NAME` processes, all at once (most of
their time is waiting: run lengths, start-ups) but for the client judge's, which keeps three
processes busy and would starve the server benchmark's one-second blasts, so it runs once the others
are done: about 25 s of wall time alone on a 2-core machine, more beside other tests; DEADLINE_SECONDS
bounds it.
The rate-limited benchmark's smoke mode runs the gate plan on two requirements (seconds, not the
gate's two paced minutes). Numbers from a smoke run mean nothing; the shape of what they produce does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks import rate_limited
from benchmarks.__main__ import BENCHMARKS
from benchmarks.common import BenchConfig, Section, Table, Target
from benchmarks.results import merge

REPO = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 150.0
CELL_SPLIT = re.compile(r"(?<!\\)\|")
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?(e[-+]?\d+)?( s)?$")
WITH_TARGETS = {"suite", "generator", "herd", "server", "judge", "ratelimited"}
LAST = {"judge"}  # run after the others (see the module's docstring)


def smoke_runs(root: Path) -> dict[str, tuple[int, str, str]]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    outcomes = {}
    for wave in ([name for name in BENCHMARKS if name not in LAST], [name for name in BENCHMARKS if name in LAST]):
        children = {}
        for name in wave:
            log = (root / f"{name}.log").open("w")
            command = [sys.executable, "-m", "benchmarks", "--quick", "--only", name,
                       "--results", str(root / f"{name}.md"), "--work-dir", str(root / f"work-{name}")]
            children[name] = (subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT), log)
        for name, (child, log) in children.items():
            try:
                code = child.wait(max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                code = child.wait()
            log.close()
            results = root / f"{name}.md"
            outcomes[name] = (code, (root / f"{name}.log").read_text(),
                              results.read_text() if results.exists() else "")
    return outcomes


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table as rows of cells (header first, separator dropped)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in CELL_SPLIT.split(line.strip())[1:-1]]
            if current is None:
                current = []
                found.append(current)
            if not all(set(c) <= {"-"} and c for c in cells):
                current.append(cells)
        else:
            current = None
    return found


def test_every_quick_benchmark_writes_well_formed_tables(tmp_path: Path) -> None:
    """One test, not one per benchmark: under pytest-xdist a shared fixture would run them all twice."""
    outcomes = smoke_runs(tmp_path)
    assert sorted(outcomes) == sorted(BENCHMARKS) and set(BENCHMARKS) >= LAST
    for name, outcome in outcomes.items():
        check_quick_run(name, *outcome)


def check_quick_run(name: str, code: int, output: str, markdown: str) -> None:
    assert code == 0, output[-3000:]
    assert f"<!-- bench:{name} -->" in markdown and f"<!-- /bench:{name} -->" in markdown
    assert "Machine: cpu: " in markdown and "python -m benchmarks --quick --only " + name in markdown
    found = tables(markdown)
    assert found, markdown
    for table in found:
        header, rows = table[0], table[1:]
        assert rows, f"a table without rows in {name}: {header}"
        assert all(len(row) == len(header) for row in rows), table
    measured = [cell for table in found for row in table[1:] for cell in row[1:]]
    assert any(NUMBER.match(cell) for cell in measured), f"{name}: no number measured at all"
    if name in WITH_TARGETS:
        targets = next(t for t in found if t[0] == ["target", "goal", "measured", "verdict"])
        assert all(row[2] != "n/a" for row in targets[1:]), targets
    if name == "ratelimited":  # its quick mode: the gate plan on two requirements, which the reference passes
        plans = next(t for t in found if t[0][0] == "plan")
        assert [row[0] for row in plans[1:]] == [f"gate ({', '.join(rate_limited.QUICK_REQUIREMENTS)} only)"]
        assert [row[plans[0].index("verdict")] for row in plans[1:]] == ["conformant"], markdown


def test_a_rerun_replaces_its_block_and_keeps_everything_else() -> None:
    first = Section("herd", "Herd", "python -m benchmarks", {"cpu": "x"}, [Table("t", ["a"], [["1"]])])
    second = Section("suite", "Suite", "python -m benchmarks", {"cpu": "x"})
    text = merge("", [first, second], list(BENCHMARKS)) + "\n## Findings written by hand\n"
    assert text.index("bench:suite") < text.index("bench:herd")  # the canonical order, not the run order
    rerun = Section("herd", "Herd again", "python -m benchmarks --only herd", {"cpu": "y"})
    updated = merge(text, [rerun], list(BENCHMARKS))
    assert "Herd again" in updated and "## Herd\n" not in updated
    assert "## Suite" in updated and "## Findings written by hand" in updated


@pytest.mark.parametrize(("measured", "comparison", "verdict"), [
    (0.95, ">=", "met"), (0.45, ">=", "missed by 0.45 (50%)"), (12.0, "<=", "met"), (1.0, "==", "met"),
    (2.0, "==", "missed by 1 (100%)"), (None, ">=", "not measured"),
])
def test_target_verdicts(measured: float | None, comparison: str, verdict: str) -> None:
    target = Target("t", measured, 0.9 if comparison == ">=" else 20.0 if comparison == "<=" else 1.0,
                    comparison)  # type: ignore[arg-type]
    assert target.verdict() == verdict


def test_a_failed_rate_limited_run_keeps_the_tail_of_its_output_in_the_notes(monkeypatch: pytest.MonkeyPatch,
                                                                             tmp_path: Path) -> None:
    suites: list[list[str]] = []
    real_run = subprocess.run

    def broken_suite(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if "conformance.cli" not in command:  # machine facts (openssl version) run for real
            return real_run(command, **kwargs)
        suites.append(command)
        return subprocess.CompletedProcess(command, 2, "", "collecting ...\nprofile error: x.toml: y: unknown key\n")

    monkeypatch.setattr(rate_limited.subprocess, "run", broken_suite)

    section = rate_limited.run(BenchConfig(quick=True, work_dir=tmp_path, log=lambda _line: None))

    [suite] = suites  # the quick mode runs the gate plan on two requirements
    assert "--plan=gate" in suite and "--requirement=CAP-TOK-01" in suite and "--requirement=CAP-TOK-02" in suite
    assert section.tables[0].rows[0][-1] == "no summary"
    assert [t.measured for t in section.targets] == [None, None]
    assert section.notes[-1] == ("The gate plan's run ended with exit 2: collecting ... / "
                                 "profile error: x.toml: y: unknown key")


def test_the_judge_benchmark_refreshes_its_block_with_the_others() -> None:
    """`python -m benchmarks` rewrites RESULTS.md block 6 too, in the order the file keeps its blocks."""
    assert list(BENCHMARKS) == ["suite", "generator", "herd", "server", "scaleout", "judge", "ratelimited"]
    text = (REPO / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert [key for key in BENCHMARKS if f"<!-- bench:{key} -->" not in text] == []


def test_a_new_block_goes_before_the_hand_written_findings_and_existing_ones_stay_where_they_are() -> None:
    suite = Section("suite", "Suite", "python -m benchmarks", {"cpu": "x"})
    text = merge("", [suite], list(BENCHMARKS)) + "\n## Findings written by hand\n\nprose\n"
    judge = Section("judge", "Judge", "python -m benchmarks --only judge", {"cpu": "x"})

    updated = merge(text, [judge], list(BENCHMARKS))

    assert updated.index("bench:suite") < updated.index("bench:judge") < updated.index("## Findings")
    assert updated.endswith("## Findings written by hand\n\nprose\n")
    below = updated + "\n<!-- bench:ratelimited -->\nkept below\n<!-- /bench:ratelimited -->\n"
    rerun = merge(below, [Section("ratelimited", "Rate-limited", "c", {})], list(BENCHMARKS))
    assert rerun.index("## Findings") < rerun.index("## Rate-limited") and "kept below" not in rerun
