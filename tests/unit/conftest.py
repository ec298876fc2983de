"""A server key and a token it signed, shared by the unit tests."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .token_support import mint


@pytest.fixture(scope="session")
def server_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def valid_token(server_key: rsa.RSAPrivateKey) -> str:
    return mint(server_key)
