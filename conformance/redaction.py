"""The one place that knows what a secret looks like, how to hide it, and how to find one that got out.

Redaction is by value (every secret the profile holds, every token the run saw, in every spelling
an artifact gives it: raw, JSON-escaped, percent-encoded, with escaped slashes) and by shape (JWT
signatures, `secret`/`password` JSON members, Basic credentials, the token header), so a secret
reaches an artifact only if it is neither known nor shaped like one. The leak finder is
the independent check afterwards: `leaks_in_text` says which known secrets, in any spelling an
artifact gives them, and how many signed JWTs a text holds (conformance/certify/leaks.py walks
the files and decodes their layers; this module judges each layer).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

REDACTED = "***"
SIGNATURE_REDACTED = "<signature redacted>"
# Shorter values would match everywhere: neither redaction nor the leak scan looks for them.
MIN_SECRET_LENGTH = 4
# A real signature is far longer (HS256: 43 characters, RS256: 342); a shorter tail after two dots
# is not what a leaked token looks like.
MIN_SIGNATURE_LENGTH = 16
# A compact JWS: header.payload.signature, each base64url. Every JOSE header is a JSON object,
# whose base64url starts with "eyJ" (`{"`): that is what makes the shape findable in any text.
_SEGMENT = r"[\w-]"
JWT_PATTERN = re.compile(rf"(eyJ{_SEGMENT}*)\.({_SEGMENT}*)\.({_SEGMENT}*)", re.ASCII)
# The same shape with a signature long enough to be one: what the leak scan counts.
SIGNED_JWT_PATTERN = re.compile(rf"eyJ{_SEGMENT}*\.{_SEGMENT}*\.{_SEGMENT}{{{MIN_SIGNATURE_LENGTH},}}", re.ASCII)
_SECRET_MEMBER = re.compile(r'("(?:secret|password|accessToken)"\s*:\s*)"((?:[^"\\]|\\.)*)"')
_BASIC = re.compile(r"(Basic\s+)[A-Za-z0-9+/=]+", re.IGNORECASE)
SENSITIVE_HEADERS = frozenset({"x-cap-api-oauth-token", "authorization", "cookie", "set-cookie"})


def _without_signatures(text: str) -> str:
    """Every JWT keeps its header and claims (evidence) and loses its signature."""
    return JWT_PATTERN.sub(lambda m: f"{m[1]}.{m[2]}.{SIGNATURE_REDACTED}" if m[3] else m[0], text)


def signed_jwts(text: str) -> list[str]:
    """The JWTs in `text` that still carry a signature (what must never reach an artifact)."""
    return SIGNED_JWT_PATTERN.findall(text)


class Redactor:
    """Hides known secret values and secret-shaped text. Thread-safe: the suite records concurrently."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *values: str) -> None:
        """Remember more values to hide (e.g. every token the run obtained)."""
        # A token's signature is the secret part: forged tokens reuse it with other headers or
        # payloads, so it is hidden on its own as well as inside the whole token.
        signatures = [v.rsplit(".", 1)[1] for v in values
                      if v.count(".") == 2 and len(v.rsplit(".", 1)[1]) >= MIN_SIGNATURE_LENGTH]
        # Every spelling: a secret sent as a query parameter is recorded percent-encoded, one inside
        # a JSON string JSON-escaped. Longest first, so no shorter spelling splits a longer one.
        with self._lock:
            self._secrets.update(spelling for v in [*values, *signatures] if len(v) >= MIN_SECRET_LENGTH
                                 for spelling in spellings(v))
            self._ordered = sorted(self._secrets, key=len, reverse=True)

    @property
    def known(self) -> list[str]:
        with self._lock:
            return list(self._ordered)

    def text(self, value: str) -> str:
        # Signatures go first so a token keeps its decodable header and claims as evidence.
        value = _without_signatures(value)
        value = _SECRET_MEMBER.sub(lambda m: f'{m.group(1)}"{REDACTED}"', value)
        value = _BASIC.sub(lambda m: f"{m.group(1)}{REDACTED}", value)
        for secret in self.known:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def header(self, name: str, value: str) -> str:
        if name.lower() in SENSITIVE_HEADERS:
            # Keep the token's header and claims (useful evidence), never its signature.
            shaped = _without_signatures(value)
            return self.text(shaped) if shaped != value else REDACTED
        return self.text(value)


@dataclass(frozen=True)
class LabelledSecret:
    """A secret and what a report may call it (the label is shown, the value never)."""

    label: str
    value: str


def labelled_secrets(pairs: Iterable[tuple[str, str]]) -> list[LabelledSecret]:
    """(label, value) pairs as secrets worth looking for: values too short to look for are left out."""
    return [LabelledSecret(label, value) for label, value in pairs if len(value) >= MIN_SECRET_LENGTH]


def spellings(secret: str) -> set[str]:
    """How a secret may appear in an artifact: raw, JSON-escaped, percent-encoded (as a path or as a
    query/form value, where a space is `+`), with escaped slashes."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], quote(secret, safe=""),
            quote_plus(secret, safe=""), secret.replace("/", "\\/")}


def leaks_in_text(text: str, secrets: Iterable[LabelledSecret]) -> tuple[list[LabelledSecret], int]:
    """What leaked into one text: the secrets it shows (in any spelling), and how many signed JWTs."""
    shown = [secret for secret in secrets if any(spelling in text for spelling in spellings(secret.value))]
    return shown, len(signed_jwts(text))
