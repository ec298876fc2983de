"""The leak scan: no artifact of a run may hold a secret, a password or a full token.

Redaction happens when evidence is written; this scan is the independent check afterwards,
over every file (JUnit, Allure results and HTML, logs, exchanges, load CSV/HTML, the bundle).
It looks for each literal secret of the profile, raw and as it would appear JSON-escaped,
percent-encoded or inside base64 (the Allure single-file HTML embeds its data as base64), and
for any compact JWT that still carries its signature. A hit is described by what it is and
where, never by its value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from conformance.profiles.model import Profile

# A token whose signature segment is present (a redacted one ends in `<signature redacted>`).
FULL_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]{20,}", re.ASCII)
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{24,}={0,2}")
MIN_SECRET_LENGTH = 4  # the redactor ignores shorter values too: they would match everywhere


@dataclass(frozen=True)
class LabelledSecret:
    label: str
    value: str


@dataclass(frozen=True)
class Leak:
    file: str
    what: str

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "what": self.what}


def profile_secrets(profile: Profile) -> list[LabelledSecret]:
    """Every secret of the profile, named by where it comes from (the name is what a report shows)."""
    return [LabelledSecret(label, value) for label, value in profile.labelled_secrets()
            if len(value) >= MIN_SECRET_LENGTH]


def _spellings(secret: str) -> set[str]:
    return {secret, json.dumps(secret)[1:-1], quote(secret, safe=""), secret.replace("/", "\\/")}


def _base64_payloads(data: bytes) -> Iterator[str]:
    for run in _BASE64_RUN.finditer(data):
        chunk = run.group(0)
        try:
            yield base64.b64decode(chunk + b"=" * (-len(chunk) % 4)).decode("utf-8", errors="ignore")
        except (binascii.Error, ValueError):
            continue


def leaks_in_bytes(data: bytes, secrets: Iterable[LabelledSecret]) -> list[str]:
    """What leaked in one file's bytes, as descriptions; empty when clean."""
    text = data.decode("utf-8", errors="replace")
    layers = [("", text)]
    if "%" in text:
        layers.append((", percent-encoded", unquote(text)))
    layers += [(", inside base64", payload) for payload in _base64_payloads(data)]
    found: list[str] = []
    for secret in secrets:
        spellings = _spellings(secret.value)
        for how, layer in layers:
            if any(spelling in layer for spelling in spellings):
                found.append(f"{secret.label}{how}")
                break
    for how, layer in layers:
        count = len(FULL_JWT.findall(layer))
        if count:
            found.append(f"{count} full JWT(s) with signature{how}")
    return found


def files_under(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())


def scan_for_leaks(paths: Iterable[Path], secrets: Iterable[LabelledSecret]) -> tuple[list[Leak], int]:
    """(leaks, number of files scanned) over every file under the given files and directories."""
    secrets = list(secrets)
    leaks: list[Leak] = []
    scanned = 0
    for path in files_under(paths):
        scanned += 1
        try:
            data = path.read_bytes()
        except OSError as error:
            leaks.append(Leak(str(path), f"unreadable, so not proven clean ({error.strerror})"))
            continue
        leaks += [Leak(str(path), what) for what in leaks_in_bytes(data, secrets)]
    return leaks, scanned
