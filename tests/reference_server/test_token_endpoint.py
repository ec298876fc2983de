"""docs/contract.md sections 1 and 2: token generation, the token, the JWKS."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .helpers import (
    CLIENTS,
    ISSUER,
    KID,
    PUBLIC_PEM,
    SIGNING_KEY,
    TILLS,
    TOKEN_PATH,
    credentials,
    decode_part,
    verify_with_public_key,
)

INVALID = {"data": None, "errors": [{"status": False, "code": 320001, "message": "Invalid client key and secret"}]}
PRIMARY = credentials("pos_gateway")
OTHER = credentials("globex_gateway")


def _generate(client: httpx.Client, body: Any) -> httpx.Response:
    return client.post(TOKEN_PATH, json=body)


@pytest.mark.parametrize("name", ["pos_gateway", "report_reader", "fallback_pos", "short_lived", "globex_gateway"])
def test_valid_credentials_get_a_token_envelope(client: httpx.Client, name: str) -> None:
    response = _generate(client, credentials(name))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-cap-requestid"]
    body = response.json()
    assert set(body) == {"data", "errors"}
    assert body["errors"] is None
    assert set(body["data"]) == {"accessToken", "ttlSeconds"}
    assert type(body["data"]["ttlSeconds"]) is int


def test_token_header_and_claims_are_as_documented(client: httpx.Client) -> None:
    before = int(time.time())
    body = _generate(client, PRIMARY).json()
    after = int(time.time())
    token = body["data"]["accessToken"]
    assert len(token.split(".")) == 3
    assert decode_part(token, 0) == {"alg": "RS256", "kid": KID, "typ": "JWT"}
    claims = decode_part(token, 1)
    client_cfg = CLIENTS["pos_gateway"]
    assert claims["iss"] == ISSUER
    assert claims["token_use"] == "token_access"
    assert claims["sub"] == "pos_gateway"
    assert claims["client_key"] == client_cfg["key"]
    assert claims["client_id"] == client_cfg["id"]
    assert claims["org_id"] == 1115
    assert claims["default_till"] == TILLS[client_cfg["default_till"]]["id"]
    assert claims["has_psi_access"] is False
    assert json.loads(claims["scopes"]) == client_cfg["permissions"]
    for name in ("exp", "iat", "client_id", "org_id"):
        assert type(claims[name]) is int, name
    for name in ("iss", "jti", "sub", "token_use"):
        assert type(claims[name]) is str, name
    assert len(claims["jti"]) == 22
    assert len(base64.urlsafe_b64decode(claims["jti"] + "==")) == 16
    assert before <= claims["iat"] <= after  # CAP-JWT-03
    assert claims["exp"] - claims["iat"] == body["data"]["ttlSeconds"] == 3600  # CAP-TOK-06
    assert "secret" not in json.dumps(claims).lower()


def test_signature_verifies_with_the_configured_key(client: httpx.Client) -> None:
    token = _generate(client, PRIMARY).json()["data"]["accessToken"]
    assert verify_with_public_key(token)["sub"] == "pos_gateway"
    assert jwt.decode(token, PUBLIC_PEM, algorithms=["RS256"])["org_id"] == 1115


@pytest.mark.parametrize(("name", "expiry"), [("short_lived", 2), ("globex_gateway", 3600)])
def test_ttl_matches_exp_minus_iat_and_client_expiry(client: httpx.Client, name: str, expiry: int) -> None:
    body = _generate(client, credentials(name)).json()
    claims = decode_part(body["data"]["accessToken"], 1)
    assert body["data"]["ttlSeconds"] == claims["exp"] - claims["iat"] == expiry


def test_every_call_mints_a_different_token(client: httpx.Client) -> None:
    tokens = [_generate(client, PRIMARY).json()["data"]["accessToken"] for _ in range(5)]
    assert len(set(tokens)) == 5
    assert len({decode_part(t, 1)["jti"] for t in tokens}) == 5


def test_other_org_token_carries_its_org(client: httpx.Client) -> None:
    claims = decode_part(_generate(client, OTHER).json()["data"]["accessToken"], 1)
    assert claims["org_id"] == 2002
    assert claims["sub"] == "globex_gateway"


REJECTED_CREDENTIALS = {
    "wrong-secret": {"key": PRIMARY["key"], "secret": "x" * 40},
    "unknown-key": {"key": "NoSuchKeyNoSuchKeyNoSuchK", "secret": PRIMARY["secret"]},
    "unknown-key-and-secret": {"key": "NoSuchKeyNoSuchKeyNoSuchK", "secret": "y" * 40},
    "key-of-one-secret-of-another": {"key": PRIMARY["key"], "secret": OTHER["secret"]},
    "deactivated-client": credentials("retired"),
    "whitespace-key": {"key": " ", "secret": PRIMARY["secret"]},
}
s = PRIMARY["secret"]
NEAR_MISS_SECRETS = {
    "upper-case": s.upper(), "lower-case": s.lower(), "swapped-case": s.swapcase(), "one-char-cut": s[:-1],
    "one-char-added": s + "x", "first-char-cut": s[1:], "leading-space": " " + s, "trailing-space": s + " ",
    "trailing-newline": s + "\n", "embedded-nul": s + "\x00", "cyrillic-lookalike": s.replace("k", "\u043a", 1),
    "fullwidth-variant": "\uff4b" + s[1:], "lone-surrogate": s + "\ud800", "prefix-only": s[:10],
}


@pytest.mark.parametrize("body", REJECTED_CREDENTIALS.values(), ids=REJECTED_CREDENTIALS.keys())
def test_rejected_credentials_get_the_identical_320001_answer(client: httpx.Client, body: dict[str, str]) -> None:
    response = _generate(client, body)
    assert response.status_code == 401
    assert response.json() == INVALID
    reference = _generate(client, REJECTED_CREDENTIALS["wrong-secret"])
    assert response.content == reference.content  # byte-identical: no client enumeration
    assert response.headers["x-cap-requestid"] != reference.headers["x-cap-requestid"]
    assert response.headers["cache-control"] == "no-store"
    assert body["secret"] not in response.text


@pytest.mark.parametrize("secret", NEAR_MISS_SECRETS.values(), ids=NEAR_MISS_SECRETS.keys())
def test_near_miss_secrets_are_rejected(client: httpx.Client, secret: str) -> None:
    # json.dumps escapes with ensure_ascii, so even a lone surrogate travels as "\ud800".
    content = json.dumps({"key": PRIMARY["key"], "secret": secret}).encode()
    response = client.post(TOKEN_PATH, content=content)
    assert response.status_code == 401
    assert response.json() == INVALID


MALFORMED: dict[str, tuple[bytes, dict[str, str]]] = {
    "not-json": (b"key=a&secret=b", {}),
    "form-encoded": (b"key=%s&secret=%s" % (PRIMARY["key"].encode(), PRIMARY["secret"].encode()),
                     {"content-type": "application/x-www-form-urlencoded"}),
    "invalid-utf8": (b'{"key": "\xff\xfe", "secret": "x"}', {}),
    "utf16": ('{"key": "a", "secret": "b"}'.encode("utf-16"), {}),
    "empty-body": (b"", {}),
    "json-array": (b'["key", "secret"]', {}),
    "json-number": (b"42", {}),
    "json-string": (b'"key"', {}),
    "json-null": (b"null", {}),
    "empty-object": (b"{}", {}),
    "missing-secret": (b'{"key": "%s"}' % PRIMARY["key"].encode(), {}),
    "missing-key": (b'{"secret": "%s"}' % PRIMARY["secret"].encode(), {}),
    "empty-key": (b'{"key": "", "secret": "x"}', {}),
    "empty-secret": (b'{"key": "%s", "secret": ""}' % PRIMARY["key"].encode(), {}),
    "null-secret": (b'{"key": "%s", "secret": null}' % PRIMARY["key"].encode(), {}),
    "number-secret": (b'{"key": "%s", "secret": 1}' % PRIMARY["key"].encode(), {}),
    "array-key": (b'{"key": ["%s"], "secret": "x"}' % PRIMARY["key"].encode(), {}),
    "object-secret": (b'{"key": "%s", "secret": {}}' % PRIMARY["key"].encode(), {}),
    "duplicate-key-member": (b'{"key": "%s", "key": "%s", "secret": "%s"}' % (
        OTHER["key"].encode(), PRIMARY["key"].encode(), PRIMARY["secret"].encode()), {}),
    "duplicate-secret-member": (b'{"key": "%s", "secret": "x", "secret": "%s"}' % (
        PRIMARY["key"].encode(), PRIMARY["secret"].encode()), {}),
    "nan-constant": (b'{"key": "a", "secret": "b", "n": NaN}', {}),
    "deeply-nested": (b"[" * 5000 + b"]" * 5000, {}),
    "huge-integer": (b'{"key": "a", "secret": "b", "n": ' + b"9" * 5000 + b"}", {}),
    "trailing-garbage": (b'{"key": "a", "secret": "b"} x', {}),
    "bom-prefixed": (b'\xef\xbb\xbf{"key": "a", "secret": "b"}', {}),
    "authorization-header-too": (json.dumps(PRIMARY).encode(),
                                 {"authorization": "Basic " + base64.b64encode(b"a:b").decode()}),
}


@pytest.mark.parametrize(("content", "headers"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_requests_get_400_and_no_token(client: httpx.Client, content: bytes, headers: dict[str, str]) -> None:
    response = client.post(TOKEN_PATH, content=content, headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["code"] == 400
    assert body["errors"][0]["status"] is False
    assert "accessToken" not in response.text
    assert PRIMARY["secret"] not in response.text


@pytest.mark.parametrize("query", ["key=a&secret=b", "secret=" + PRIMARY["secret"], "client_secret=x", "client_id=1"])
def test_credentials_in_the_query_string_are_refused(client: httpx.Client, query: str) -> None:
    response = client.post(f"{TOKEN_PATH}?{query}", json=PRIMARY)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 400
    assert "accessToken" not in response.text


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain", "application/json; charset=utf-8"])
def test_any_content_type_is_fine_when_the_body_is_json(client: httpx.Client, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(TOKEN_PATH, content=json.dumps(PRIMARY).encode(), headers=headers)
    assert response.status_code == 200


def test_format_query_parameter_is_ignored(client: httpx.Client) -> None:
    assert client.post(f"{TOKEN_PATH}?format=json", json=PRIMARY).status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_other_methods_get_405_with_allow(client: httpx.Client, method: str) -> None:
    response = client.request(method, TOKEN_PATH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["x-cap-requestid"]
    if method != "HEAD":
        assert response.json()["errors"][0]["code"] == 405


def test_oversized_body_with_content_length_gets_413(client: httpx.Client) -> None:
    body = b'{"key": "a", "secret": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(TOKEN_PATH, content=body)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == 413
    assert client.post(TOKEN_PATH, json=PRIMARY).status_code == 200  # the server is fine afterwards


def test_oversized_chunked_body_gets_413(client: httpx.Client) -> None:
    def chunks() -> Any:
        yield b'{"key": "a", "secret": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    response = client.post(TOKEN_PATH, content=chunks())
    assert response.status_code == 413


def test_body_just_under_the_limit_is_processed(client: httpx.Client) -> None:
    body = json.dumps({**PRIMARY, "pad": "x" * (64 * 1024 - 200)}).encode()
    assert len(body) <= 64 * 1024
    assert client.post(TOKEN_PATH, content=body).status_code == 200


def test_unknown_path_gets_json_404(client: httpx.Client) -> None:
    response = client.get("/v3/oauth/token/generate/")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["code"] == 404


def test_request_ids_are_unique(client: httpx.Client) -> None:
    ids = {client.post(TOKEN_PATH, json={}).headers["x-cap-requestid"] for _ in range(50)}
    ids |= {client.get("/nowhere").headers["x-cap-requestid"] for _ in range(10)}
    assert len(ids) == 60


def test_jwks_publishes_the_public_key_only(client: httpx.Client) -> None:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    keys = response.json()["keys"]
    assert len(keys) == 1
    jwk = keys[0]
    assert jwk["kid"] == KID
    assert jwk["use"] == "sig"
    assert jwk["alg"] == "RS256"
    assert jwk["kty"] == "RSA"
    assert not {"d", "p", "q", "dp", "dq", "qi", "k", "oth"} & set(jwk)
    public = jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size >= 2048
    assert public.public_numbers() == SIGNING_KEY.public_key().public_numbers()
