"""The one place that knows what a secret looks like, and how to hide it.

Redaction is by value (every secret the profile holds, every token the run saw) and by shape
(JWT signatures, `secret`/`password` JSON members, Basic credentials, the token header), so a
secret reaches an artifact only if it is neither known nor shaped like one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

REDACTED = "***"
_JWT = re.compile(r"(eyJ[A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)")
_SECRET_MEMBER = re.compile(r'("(?:secret|password|accessToken)"\s*:\s*)"((?:[^"\\]|\\.)*)"')
_BASIC = re.compile(r"(Basic\s+)[A-Za-z0-9+/=]+", re.IGNORECASE)
SENSITIVE_HEADERS = frozenset({"x-cap-api-oauth-token", "authorization", "cookie", "set-cookie"})


def looks_like_a_signed_jwt(text: str) -> bool:
    """Anything JWT-shaped with a signature (the one JWT shape the project knows)."""
    return _JWT.search(text) is not None


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
        signatures = [v.rsplit(".", 1)[1] for v in values if v.count(".") == 2 and len(v.rsplit(".", 1)[1]) >= 16]
        with self._lock:
            self._secrets.update(v for v in [*values, *signatures] if v and len(v) >= 4)
            self._ordered = sorted(self._secrets, key=len, reverse=True)

    @property
    def known(self) -> list[str]:
        with self._lock:
            return list(self._ordered)

    def text(self, value: str) -> str:
        # Signatures go first so a token keeps its decodable header and claims as evidence.
        value = _JWT.sub(lambda m: f"{m.group(1)}.{m.group(2)}.<signature redacted>", value)
        value = _SECRET_MEMBER.sub(lambda m: f'{m.group(1)}"{REDACTED}"', value)
        value = _BASIC.sub(lambda m: f"{m.group(1)}{REDACTED}", value)
        for secret in self.known:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def header(self, name: str, value: str) -> str:
        if name.lower() in SENSITIVE_HEADERS:
            # Keep the token's header and claims (useful evidence), never its signature.
            shaped = _JWT.sub(lambda m: f"{m.group(1)}.{m.group(2)}.<signature redacted>", value)
            return self.text(shaped) if shaped != value else REDACTED
        return self.text(value)


def find_leaks(text: str, secrets: Iterable[str]) -> list[str]:
    """Which of the literal secrets occur in the text (used by the leak scan and by tests)."""
    return [s for s in secrets if s and s in text]
