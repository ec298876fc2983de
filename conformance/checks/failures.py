"""Typed failures: what was expected, what was received, and the exchange that shows it."""

from __future__ import annotations

from typing import Any

from conformance.exchange import Exchange


class ConformanceFailure(AssertionError):
    """One fact of an exchange that the contract does not allow.

    Subclasses AssertionError so pytest reports it as a test failure (not an error); the
    requirement id and level belong to the test (its marker), not to the check.
    """

    def __init__(self, check: str, expected: Any, received: Any, exchange: Exchange | None = None,
                 note: str = "") -> None:
        self.check, self.expected, self.received, self.exchange, self.note = check, expected, received, exchange, note
        where = f" [{exchange.method} {exchange.url.split('?')[0]} → {exchange.status}]" if exchange else ""
        extra = f"; {note}" if note else ""
        super().__init__(f"{check}: expected {expected}, received {received}{where}{extra}")


class VacuousNegative(Exception):
    """A positive control failed around a negative test: its verdict would mean nothing.

    Not an AssertionError on purpose: pytest reports it as an error ("could not complete").
    """
