"""RESULTS.md: one block per benchmark between markers, replaced by each run of that benchmark.

Text outside the blocks (the findings written by hand) is kept as it is, so `--only NAME`
refreshes one table without touching the others; a block written for the first time goes before
the next block in order, else before the findings (`## Findings…`), else at the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import Section

HEADER = """# Benchmarks

Written by `python -m benchmarks` (`tox -e bench`); `--only NAME` rewrites one block, `--quick` is the
smoke mode (one repetition, short runs) and writes nothing here unless given `--results`. Each block
names the date, the command and the machine; every number is a median of the repetitions shown,
measured side by side on one machine (variants alternate, or run at the same time where the block
says so), and every ratio compares runs of the same block.
"""


FINDINGS = "\n## Findings"  # the hand-written part: new blocks go above it


def _start(key: str) -> str:
    return f"<!-- bench:{key} -->"


def _end(key: str) -> str:
    return f"<!-- /bench:{key} -->"


def block(section: Section) -> str:
    return f"{_start(section.key)}\n{section.markdown()}{_end(section.key)}"


def merge(text: str, sections: Sequence[Section], order: Sequence[str]) -> str:
    """`text` with each section's block replaced, or inserted in `order` among the blocks present."""
    if not text.strip():
        text = HEADER
    for section in sections:
        pattern = re.compile(re.escape(_start(section.key)) + r".*?" + re.escape(_end(section.key)), re.DOTALL)
        found = pattern.search(text)
        if found:
            text = text[:found.start()] + block(section) + text[found.end():]
            continue
        later = [k for k in order[order.index(section.key) + 1:] if _start(k) in text] if section.key in order else []
        findings = text.find(FINDINGS)
        if later:
            position = text.index(_start(later[0]))
            text = text[:position] + block(section) + "\n\n" + text[position:]
        elif findings >= 0:
            text = text[:findings].rstrip("\n") + "\n\n" + block(section) + "\n" + text[findings:]
        else:
            text = text.rstrip("\n") + "\n\n" + block(section) + "\n"
    return text


def write(path: Path, sections: Sequence[Section], order: Sequence[str]) -> None:
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(merge(existing, sections, order), encoding="utf-8")
