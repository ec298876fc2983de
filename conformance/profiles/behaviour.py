"""`[behaviour]`: choices the docs leave open that a target declares, and so is judged on.

Where Capillary's pages are silent (which till headers a server reads, what it does with an
unrecognised ENTITY-TYPE, two token headers, a genuine token in `Authorization: Bearer`, the
claims of the sample tokens), the suite reports what the target does as a SHOULD or an
observation. A profile that declares the choice here turns the matching checks into MUSTs
for that target: certification then holds the target to its own promise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance import protocol

TILL_HEADER_NAMES = (protocol.TILL_CODE_HEADER, protocol.ENTITY_CODE_HEADER, protocol.TILL_HEADER_SEED_NAME)
_CHOICES: dict[str, tuple[str, ...]] = {
    "invalid_entity_type": ("till_code", "error"),
    "duplicate_token_headers": ("refused",),
    "bearer_authorization": ("refused",),
    "noncanonical_tokens": ("refused",),
}


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


# The table's keys are the fields: the loader's check_keys reports any other (profiles/errors.py).
KEYS = tuple(field.name for field in dataclasses.fields(Behaviour))


def read_behaviour(raw: Mapping[str, Any], note: Callable[[str, str, str], None]) -> Behaviour:
    """Parse the table (unknown keys are the loader's check_keys' to report); `note(key, problem,
    fix)` collects each bad value, so a profile with several problems reports them all."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"behaviour.{key}"
        if key == "sample_token_shape":
            if not isinstance(value, bool):
                note(dotted, f"expected true or false, got {value!r}", f"set {dotted} = true")
                continue
            values[key] = value
        elif key == "till_headers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                note(dotted, "expected a list of header names", f"e.g. {dotted} = [\"{protocol.ENTITY_CODE_HEADER}\"]")
                continue
            canonical = {name.lower(): name for name in TILL_HEADER_NAMES}
            unknown = [v for v in value if v.lower() not in canonical]
            for name in unknown:
                note(dotted, f"unknown till header {name!r}", f"use any of {', '.join(TILL_HEADER_NAMES)}")
            values[key] = tuple(canonical[v.lower()] for v in value if v.lower() in canonical)
        elif key in _CHOICES:
            if value not in _CHOICES[key]:
                note(dotted, f"{value!r} is not one of {', '.join(_CHOICES[key])}",
                     f"set {dotted} to {_CHOICES[key][0]!r} or remove it")
                continue
            values[key] = value
    return Behaviour(**values)
