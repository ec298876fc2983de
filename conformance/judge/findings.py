"""What a client check is given (JudgeSettings) and what it returns (Finding): plain data."""

from __future__ import annotations

from dataclasses import dataclass

from conformance import protocol
from conformance.redaction import LabelledSecret


@dataclass(frozen=True)
class JudgeSettings:
    secrets: tuple[LabelledSecret, ...] = ()  # the clients' secrets: where they may appear is CAP-CLI-04
    processes: int = 1  # processes of the integration, each allowed its own token
    declared_till: str | None = None  # the integration's till, when the profile declares it
    till_headers: tuple[str, ...] = (protocol.TILL_CODE_HEADER,)  # the forms the target reads


@dataclass(frozen=True)
class Finding:
    requirement: str
    check: str
    outcome: str  # pass | fail | not-run | skipped | observation
    message: str
    exchanges: tuple[int, ...] = ()
