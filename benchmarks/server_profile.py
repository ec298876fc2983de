"""Where the reference server's time goes under load: py-spy when installed, else cProfile.

py-spy samples the running server from outside (no change to it, C code such as RSA counted at
its true cost); it is found on PATH or at $BENCH_PY_SPY. Without it, the server is started
under `python -m cProfile` (deterministic, but it inflates pure-Python costs).
"""

from __future__ import annotations

import os
import pstats
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import fmt

_LINE = re.compile(r":\d+\)$")
SERVER_FILES = "reference_server/"


@dataclass(frozen=True)
class Profile:
    tool: str
    samples: int
    self_shares: list[tuple[float, str]]  # the top functions by self time
    inclusive_shares: list[tuple[float, str]]  # the server's own functions, inclusive

    def lines(self, top: int = 8) -> list[str]:
        own = "; ".join(f"{fmt(100 * share)}% `{name}`" for share, name in self.self_shares[:top])
        inclusive = "; ".join(f"{fmt(100 * share)}% `{name}`" for share, name in self.inclusive_shares[:top])
        return [f"self time ({self.tool}, {self.samples} samples): {own}", f"inclusive, server code: {inclusive}"]


def py_spy() -> str | None:
    configured = os.environ.get("BENCH_PY_SPY", "")
    if configured and Path(configured).exists():
        return configured
    return shutil.which("py-spy")


def _function(frame: str) -> str:
    """`RSAAlgorithm.verify (jwt/algorithms.py:688)` -> `RSAAlgorithm.verify (jwt/algorithms.py)`."""
    return _LINE.sub(")", frame.strip())


def record_py_spy(executable: str, pid: int, seconds: float, output: Path) -> Profile | None:
    """Sample `pid` for `seconds` at 200 Hz; None if py-spy could not attach (ptrace not allowed)."""
    command = [executable, "record", "-p", str(pid), "-d", str(max(1, round(seconds))), "-r", "200",
               "-f", "raw", "-o", str(output)]
    try:
        subprocess.run(command, capture_output=True, timeout=seconds + 30, check=False)
    except subprocess.TimeoutExpired:
        return None
    if not output.exists():
        return None
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in output.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_function(f) for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            if SERVER_FILES in frame:
                inclusive[frame] += count
    if not total:
        return None
    return Profile("py-spy", total, [(n / total, f) for f, n in own.most_common(12)],
                   [(n / total, f) for f, n in inclusive.most_common(12) if "__main__" not in f])


def _idle(filename: str, name: str) -> bool:
    return filename == "~" and any(w in name for w in ("run_until_complete", "run_forever", "select", "poll"))


def read_cprofile(path: Path) -> Profile | None:
    if not path.exists():
        return None
    stats = pstats.Stats(str(path))
    raw = stats.stats  # type: ignore[attr-defined]  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)
    entries = [(filename, f"{name} ({Path(filename).name})", tottime, cumtime, calls)
               for (filename, _line, name), (_cc, calls, tottime, cumtime, _callers) in raw.items()
               if not _idle(filename, name)]
    busy = sum(tottime for _f, _label, tottime, _cum, _n in entries)
    if busy <= 0:
        return None
    own = sorted(((tottime, label) for _f, label, tottime, _cum, _n in entries), reverse=True)[:12]
    server = sorted(((cum, label) for filename, label, _t, cum, _n in entries
                     if SERVER_FILES in filename and "__main__" not in filename), reverse=True)[:12]
    return Profile("cProfile", sum(n for *_rest, n in entries), [(t / busy, label) for t, label in own],
                   [(c / busy, label) for c, label in server])
