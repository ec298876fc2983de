"""The leak scan: no artifact of a run may hold a secret, a password or a full token.

Redaction happens when evidence is written; this scan is the independent check afterwards,
over every file (JUnit, Allure results and HTML, logs, exchanges, load CSV/HTML, the bundle).
This module walks the files and decodes their layers: the text as written, percent-decoded, and
whatever hides inside base64 (the Allure single-file HTML embeds its data as base64). What
counts as a leak in a layer (each secret in any spelling, any JWT still carrying its signature)
is conformance.redaction's to say. A hit is described by what it is and where, never by its value.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from conformance.profiles.model import Profile
from conformance.redaction import LabelledSecret, labelled_secrets, leaks_in_text

_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{24,}={0,2}")


@dataclass(frozen=True)
class Leak:
    file: str
    what: str

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "what": self.what}


def profile_secrets(profile: Profile) -> list[LabelledSecret]:
    """Every secret of the profile, named by where it comes from (the name is what a report shows)."""
    return labelled_secrets(profile.labelled_secrets())


def bundle_secrets(profile: Profile | None, signing_key_pem: bytes) -> list[LabelledSecret]:
    """The profile's secrets and the bundle signing key, which must never travel with the evidence it signs."""
    secrets = profile_secrets(profile) if profile else []
    body = b"".join(signing_key_pem.splitlines()[1:-1]).decode()
    secrets.append(LabelledSecret("the bundle signing key", body[-40:]))
    return secrets


def _base64_payloads(data: bytes) -> Iterator[str]:
    for run in _BASE64_RUN.finditer(data):
        chunk = run.group(0)
        try:
            yield base64.b64decode(chunk + b"=" * (-len(chunk) % 4)).decode("utf-8", errors="ignore")
        except (binascii.Error, ValueError):
            continue


def decoded_layers(data: bytes) -> list[tuple[str, str]]:
    """(how it was found, text) for one file: as written, percent-decoded, and inside base64."""
    text = data.decode("utf-8", errors="replace")
    layers = [("", text)]
    if "%" in text:
        layers.append((", percent-encoded", unquote(text)))
    layers += [(", inside base64", payload) for payload in _base64_payloads(data)]
    return layers


def leaks_in_bytes(data: bytes, secrets: Iterable[LabelledSecret]) -> list[str]:
    """What leaked in one file's bytes, as descriptions; empty when clean.

    A secret is named once, with the first layer that shows it; signed JWTs are counted per layer.
    """
    secrets = list(secrets)
    first_seen: dict[LabelledSecret, str] = {}
    tokens: list[str] = []
    for how, layer in decoded_layers(data):
        shown, signed = leaks_in_text(layer, [s for s in secrets if s not in first_seen])
        first_seen.update((secret, how) for secret in shown)
        if signed:
            tokens.append(f"{signed} full JWT(s) with signature{how}")
    return [f"{s.label}{first_seen[s]}" for s in secrets if s in first_seen] + tokens


def secrets_in_bytes(data: bytes, secrets: Iterable[LabelledSecret]) -> dict[LabelledSecret, str]:
    """Which of the secrets the bytes show, in any layer, each with the first layer that shows it
    ("", ", percent-encoded", ", inside base64"); JWTs are not counted here (leaks_in_bytes does)."""
    remaining = list(secrets)
    found: dict[LabelledSecret, str] = {}
    for how, layer in decoded_layers(data):
        shown, _ = leaks_in_text(layer, remaining)
        found.update((secret, how) for secret in shown)
        remaining = [s for s in remaining if s not in found]
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


def scan_record(paths: Iterable[Path], secrets: Iterable[LabelledSecret]) -> tuple[list[Leak], dict[str, Any]]:
    """The scan and its record as summary.json keeps it (status, files scanned, each leak's file and kind)."""
    found, scanned = scan_for_leaks(paths, secrets)
    return found, {"status": "leaks" if found else "clean", "files_scanned": scanned,
                   "leaks": [leak.as_json() for leak in found]}
