"""The benchmarks run in their smoke mode (`--quick`) and write well-formed tables.

All of them run at once, as separate `python -m benchmarks --quick --only NAME` processes (most of
their time is waiting: run lengths, start-ups), so the whole module stays well under a minute of
wall time. Numbers from a smoke run mean nothing; the shape of what they produce does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS
from benchmarks.common import Section, Table, Target
from benchmarks.results import merge

REPO = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 150.0
CELL_SPLIT = re.compile(r"(?<!\\)\|")
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?(e[-+]?\d+)?( s)?$")
WITH_TARGETS = {"suite", "generator", "herd", "server"}


def smoke_runs(root: Path) -> dict[str, tuple[int, str, str]]:
    children = {}
    for name in BENCHMARKS:
        log = (root / f"{name}.log").open("w")
        command = [sys.executable, "-m", "benchmarks", "--quick", "--only", name,
                   "--results", str(root / f"{name}.md"), "--work-dir", str(root / f"work-{name}")]
        children[name] = (subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT), log)
    deadline = time.monotonic() + DEADLINE_SECONDS
    outcomes = {}
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
    for name, outcome in smoke_runs(tmp_path).items():
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
