"""`[behaviour]`: choices the docs leave open that a target declares, and so is judged on.

Where Capillary's pages are silent (which till headers a server reads, what it does with an
unrecognised ENTITY-TYPE, two token headers, a genuine token in `Authorization: Bearer`, the
claims of the sample tokens), the suite reports what the target does as a SHOULD or an
observation. A profile that declares the choice here turns the matching checks into MUSTs
for that target: certification then holds the target to its own promise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from conformance import protocol

TILL_HEADER_NAMES = (protocol.TILL_CODE_HEADER, protocol.ENTITY_CODE_HEADER, protocol.TILL_HEADER_SEED_NAME)
_CHOICES: dict[str, tuple[str, ...]] = {
    "invalid_entity_type": ("till_code", "error"),
    "duplicate_token_headers": ("refused",),
    "bearer_authorization": ("refused",),
    "noncanonical_tokens": ("refused",),
}
KEYS = ("sample_token_shape", "till_headers", *_CHOICES)


@dataclass(frozen=True)
class Behaviour:
    # The docs' sample token shape: RS256 with a kid, the sample claims with their types, iat now.
    sample_token_shape: bool = False
    # Till header forms the target reads besides target.till_header (ENTITY-CODE stands for the
    # ENTITY-TYPE/-CODE pair).
    till_headers: tuple[str, ...] = ()
    invalid_entity_type: str | None = None  # "till_code" (documented default) or "error"
    duplicate_token_headers: str | None = None  # "refused": two token headers are never accepted
    bearer_authorization: str | None = None  # "refused": the token only counts in its documented header
    noncanonical_tokens: str | None = None  # "refused": `=` padding or unused trailing bits are refused

    def declares(self, key: str) -> bool:
        value = getattr(self, key)
        return bool(value)


def read_behaviour(raw: Mapping[str, Any], fail: Callable[[str, str, str], NoReturn]) -> Behaviour:
    """Parse the table; `fail(key, problem, fix)` raises the loader's one-line ProfileError."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"behaviour.{key}"
        if key == "sample_token_shape":
            if not isinstance(value, bool):
                fail(dotted, f"expected true or false, got {value!r}", f"set {dotted} = true")
            values[key] = value
        elif key == "till_headers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                fail(dotted, "expected a list of header names", f"e.g. {dotted} = [\"{protocol.ENTITY_CODE_HEADER}\"]")
            canonical = {name.lower(): name for name in TILL_HEADER_NAMES}
            unknown = [v for v in value if v.lower() not in canonical]
            if unknown:
                fail(dotted, f"unknown till header {unknown[0]!r}", f"use any of {', '.join(TILL_HEADER_NAMES)}")
            values[key] = tuple(canonical[v.lower()] for v in value)
        elif key in _CHOICES:
            if value not in _CHOICES[key]:
                fail(dotted, f"{value!r} is not one of {', '.join(_CHOICES[key])}",
                     f"set {dotted} to {_CHOICES[key][0]!r} or remove it")
            values[key] = value
        else:
            import difflib

            close = difflib.get_close_matches(key, KEYS, n=1)
            fail(dotted, "unknown key", f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(KEYS)}")
    return Behaviour(**values)
