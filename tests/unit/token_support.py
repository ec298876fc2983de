"""Tokens with the claims of the seed post's sample, signed by a key the test provides."""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def spec_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "Capillary", "exp": now + 3600, "jti": "Qm9vdHN0cmFwVG9rZW4xMg", "iat": now, "sub": "pos_gateway",
        "client_id": 21, "org_id": 1115, "token_use": "token_access", "client_key": "JsK1AC1UPbX9SHcgg3mLobWru",
        "default_till": 50001, "scopes": '["customer.read"]', "has_psi_access": False,
    }
    claims.update(changes)
    return claims


def mint(key: rsa.RSAPrivateKey, **claim_changes: Any) -> str:
    return jwt.encode(spec_claims(**claim_changes), key, algorithm="RS256", headers={"kid": "k1"})
