"""The target's observable surface, read from the redacted exchanges: what nightly drift compares.

Only what is stable between two runs of an unchanged target is kept: per exchange label the set
of HTTP statuses, and the distinct error bodies with their timestamps and epoch numbers masked
(the 498 message names the token's exp, which changes every run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_EPOCH = re.compile(r"\b\d{10,}\b")
_MAX_BODY = 300


def read_exchanges(path: Path) -> Iterator[dict[str, Any]]:
    """exchanges.jsonl, one redacted exchange per line; a damaged line is skipped, not fatal."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def normalised_error_body(status: int, body: str) -> str:
    masked = _EPOCH.sub("<n>", _ISO_TIME.sub("<time>", body.strip()))
    return f"{status} {masked[:_MAX_BODY]}"


def observed_surface(exchanges: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    statuses: dict[str, set[int]] = {}
    error_bodies: set[str] = set()
    for exchange in exchanges:
        response = exchange.get("response") or {}
        status = response.get("status")
        if not isinstance(status, int):
            continue
        statuses.setdefault(str(exchange.get("label", "")), set()).add(status)
        if status >= 400 and response.get("body"):
            error_bodies.add(normalised_error_body(status, str(response["body"])))
    return {
        "statuses": {label: sorted(codes) for label, codes in sorted(statuses.items())},
        "error_bodies": sorted(error_bodies),
    }
