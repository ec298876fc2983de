"""One server key, its valid token and every forgery of it, shared by the forge tests."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.forge import Forgery, forge_all
from tests.unit.test_tokens import mint

from .support import SEED


@pytest.fixture(scope="module")
def server_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def valid_token(server_key: rsa.RSAPrivateKey) -> str:
    return mint(server_key)


@pytest.fixture(scope="module")
def forged(valid_token: str, server_key: rsa.RSAPrivateKey) -> dict[str, Forgery]:
    return {f.id: f for f in forge_all(valid_token, seed=SEED, public_key=server_key.public_key())}

