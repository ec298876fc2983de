"""Every forgery of the unit tests' valid token (tests/unit/conftest.py), shared by the forge tests."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.forge import Forgery, forge_all

from .support import SEED


@pytest.fixture(scope="module")
def forged(valid_token: str, server_key: rsa.RSAPrivateKey) -> dict[str, Forgery]:
    return {f.id: f for f in forge_all(valid_token, seed=SEED, public_key=server_key.public_key())}

