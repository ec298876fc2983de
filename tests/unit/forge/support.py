"""What both forge test modules share: the seeds and how a forged token is read."""

from __future__ import annotations

from typing import Any

import jwt

from conformance.tokens import REQUIRED_CLAIMS

SEED = 20_240_601
OTHER_SEED = 7
# As verify_rs256 does: time claims are the server clock's business, signatures and presence ours.
DECODE_OPTIONS: Any = {"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False, "verify_nbf": False}
MISSING = object()


def verifies(token: str, key: Any, alg: str) -> None:
    jwt.decode(token, key, algorithms=[alg], options=DECODE_OPTIONS)


def member(mapping: dict[str, Any], name: str) -> Any:
    return mapping.get(name, MISSING)

