"""What every benchmark shares: settings, machine facts, medians, tables, targets and sections."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "benchmarks"
PYTHON = sys.executable


@dataclass(frozen=True)
class BenchConfig:
    """How hard to measure: `quick` is the smoke mode (one repetition, short runs)."""

    quick: bool
    work_dir: Path
    log: Callable[[str], None] = print

    @property
    def repetitions(self) -> int:
        return 1 if self.quick else 3

    def seconds(self, full: float, quick: float) -> float:
        return quick if self.quick else full

    def scratch(self, name: str) -> Path:
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def fmt(value: float | None, digits: int = 3) -> str:
    """Three significant digits, thousands kept whole: 0.912, 12.3, 4170."""
    if value is None:
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def alternating(variants: Sequence[str], repetitions: int) -> list[tuple[int, str]]:
    """(repetition, variant) in A B / B A / A B ... order, so drift of a noisy machine cancels out."""
    order: list[tuple[int, str]] = []
    for rep in range(repetitions):
        sequence = list(variants) if rep % 2 == 0 else list(reversed(variants))
        order += [(rep, variant) for variant in sequence]
    return order


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _tool_version(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def machine_facts() -> dict[str, str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "locust": _version("locust"),
        "uvicorn": _version("uvicorn"),
        "wrk": "installed" if shutil.which("wrk") else "not installed",
        "openssl": _tool_version(["openssl", "version"]),
        "load average (1 min) at start": f"{load[0]:.1f}",
    }


def facts_line(facts: dict[str, str]) -> str:
    return "; ".join(f"{name}: {value}" for name, value in facts.items())


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]

    def markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.headers) + " |",
                 "|" + "|".join("---" for _ in self.headers) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows]
        return "\n".join(lines)


Comparison = Literal[">=", "<=", "=="]


@dataclass(frozen=True)
class Target:
    """A goal from issue 7 and what was measured against it."""

    name: str
    measured: float | None
    threshold: float
    comparison: Comparison
    unit: str = ""
    why: str = ""  # when missed (or not measured): the reason

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        if self.comparison == ">=":
            return self.measured >= self.threshold
        if self.comparison == "<=":
            return self.measured <= self.threshold
        return abs(self.measured - self.threshold) < 1e-9

    def verdict(self) -> str:
        met = self.met
        if met is None or self.measured is None:
            return "not measured" + (f": {self.why}" if self.why else "")
        if met:
            return "met"
        gap = abs(self.measured - self.threshold)
        share = f" ({gap / self.threshold:.0%})" if self.threshold else ""
        return f"missed by {fmt(gap)}{self.unit}{share}" + (f": {self.why}" if self.why else "")

    def row(self) -> list[str]:
        return [self.name, f"{self.comparison} {fmt(self.threshold)}{self.unit}",
                f"{fmt(self.measured)}{self.unit}" if self.measured is not None else "n/a", self.verdict()]


@dataclass
class Section:
    key: str
    title: str
    command: str
    facts: dict[str, str]
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    date: str = ""

    def markdown(self) -> str:
        parts = [f"## {self.title}", "", f"Measured {self.date} with `{self.command}`.", "",
                 f"Machine: {facts_line(self.facts)}."]
        for table in self.tables:
            parts += ["", table.markdown()]
        if self.targets:
            parts += ["", Table("Targets", ["target", "goal", "measured", "verdict"],
                                [t.row() for t in self.targets]).markdown()]
        if self.notes:
            parts += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(parts) + "\n"
