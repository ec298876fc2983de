"""Shared by the reference-server tests: org data, server processes, token forging.

The server is always a real subprocess on loopback; nothing here imports the server except
where a test compares with its route table or fault catalogue.
"""

from __future__ import annotations

import base64
import json
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
ORG_FILE = "fixtures/data/orgs.toml"
ORGS: dict[str, Any] = tomllib.loads((ROOT / ORG_FILE).read_text())
CLIENTS: dict[str, dict[str, Any]] = {
    client["name"]: {**client, "org_id": org["id"]} for org in ORGS["org"] for client in org["client"]
}
TILLS: dict[str, dict[str, Any]] = {till["code"]: {**till, "org_id": org["id"]} for org in ORGS["org"]
                                    for till in org["till"]}
_KEY = serialization.load_pem_private_key((ROOT / "fixtures/data/keys/reference-k1.pem").read_bytes(), None)
assert isinstance(_KEY, rsa.RSAPrivateKey)
SIGNING_KEY: rsa.RSAPrivateKey = _KEY
PUBLIC_PEM = SIGNING_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
ISSUER = ORGS["server"]["issuer"]
KID = ORGS["server"]["kid"]
READY = re.compile(r"^reference server listening on (http://127\.0\.0\.1:\d+)\n$")

TOKEN_PATH = "/v3/oauth/token/generate"
CUSTOMER_ADD = "/v1.1/customer/add"
CUSTOMER_GET = "/v1.1/customer/get"
TRANSACTION_ADD = "/v1.1/transaction/add"
TRANSACTION_GET = "/v1.1/transaction/get"
TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"
UNAUTHORIZED = {"response": {"status": {"success": False, "code": 401, "message": "Unauthorized"}, "customers": None}}
FORBIDDEN_MESSAGE = "Client doesn't have access to the requested resource"
BASIC_FAILED = "Please check your username/password or authentication token"

# Every (method, path, status) a test saw from a clean server: the OpenAPI test's evidence.
OBSERVED: set[tuple[str, str, int]] = set()


# -- server processes ----------------------------------------------------------------------
@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    stderr_file: Any
    base_url: str = ""
    faults: tuple[str, ...] = field(default_factory=tuple)

    def stderr(self) -> str:
        self.stderr_file.seek(0)
        return str(self.stderr_file.read())

    signalled: bool = False

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop it the way launchers do (one signal, then wait); returns the exit status."""
        if not self.signalled and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.signalled = True
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -9

    def rest_of_stdout(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.read()


# One server per fault, launched early by conftest and awaited by test_faults.
PRELAUNCHED: list[ServerProcess] = []


def launch(*faults: str, org: str = ORG_FILE, args: tuple[str, ...] = ()) -> ServerProcess:
    command = [sys.executable, "-m", "fixtures.reference_server", "--org", org, "--port", "0"]
    for name in faults:
        command += ["--fault", name]
    # A file, not a pipe: nobody drains stderr while the server runs, and a full pipe would block it.
    stderr_file = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([*command, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr_file, text=True)
    return ServerProcess(proc, stderr_file, faults=faults)


def await_ready(server: ServerProcess, timeout: float = 30.0) -> ServerProcess:
    """Block on the ready line (select with a deadline, no sleeps), then parse the URL."""
    stdout = server.proc.stdout
    assert stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            server.stop()
            raise AssertionError(f"no ready line within {timeout}s; stderr: {server.stderr()[-2000:]}")
    line = stdout.readline()
    match = READY.match(line)
    if match is None:
        server.stop()
        raise AssertionError(f"bad ready line {line!r}; stderr: {server.stderr()[-2000:]}")
    server.base_url = match[1]
    return server


def start_server(*faults: str, org: str = ORG_FILE) -> ServerProcess:
    return await_ready(launch(*faults, org=org))


def start_many(fault_sets: list[tuple[str, ...]]) -> list[ServerProcess]:
    """Launch all first and wait afterwards, so the interpreters boot in parallel."""
    return [await_ready(server) for server in [launch(*faults) for faults in fault_sets]]


def stop_many(servers: list[ServerProcess]) -> dict[tuple[str, ...], int]:
    """Signal all first, then collect: shutdowns overlap instead of queueing."""
    for server in servers:
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)
            server.signalled = True
    return {server.faults: server.stop() for server in servers}


def run_cli(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fixtures.reference_server", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


# -- requests ------------------------------------------------------------------------------
def credentials(name: str) -> dict[str, str]:
    return {"key": CLIENTS[name]["key"], "secret": CLIENTS[name]["secret"]}


def unique_mobile() -> str:
    return "919" + str(uuid.uuid4().int)[:9]


def customer_body(mobile: str | None = None, **extra: Any) -> dict[str, Any]:
    customer: dict[str, Any] = {"firstname": "Test", **extra}
    if mobile is not None:
        customer["mobile"] = mobile
    return {"root": {"customer": [customer]}}


def transaction_body(bill: str, mobile: str | None = "919000000000", amount: Any = 100.0,
                     kind: str = "regular") -> dict[str, Any]:
    """The documented v1.1 bill: `number`, `type` regular, `amount`, `billing_time`, the customer."""
    item: dict[str, Any] = {"number": bill, "type": kind, "amount": amount, "billing_time": "2026-12-01 10:00:00"}
    if mobile is not None:
        item["customer"] = {"mobile": mobile}
    return {"root": {"transaction": [item]}}


def basic_header(till: str, password: str) -> str:
    import hashlib

    digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    return "Basic " + base64.b64encode(f"{till}:{digest}".encode()).decode()


def status_of(body: Any) -> dict[str, Any]:
    return body["response"]["status"]  # type: ignore[no-any-return]


def first_item(body: Any, entity: str = "customer") -> dict[str, Any]:
    return body["response"][entity + "s"][entity][0]  # type: ignore[no-any-return]


# -- tokens --------------------------------------------------------------------------------
def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_json(obj: Any) -> str:
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def decode_part(token: str, index: int) -> Any:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def claims_for(name: str, now: int | None = None, **overrides: Any) -> dict[str, Any]:
    """The claims the server would mint for client `name` (suite-minted, negative case 38)."""
    client = CLIENTS[name]
    now = int(time.time()) if now is None else now
    claims = {
        "iss": ISSUER, "exp": now + client["expiry_seconds"], "iat": now, "jti": b64u(uuid.uuid4().bytes),
        "sub": name, "client_id": client["id"], "org_id": client["org_id"], "token_use": "token_access",
    }
    claims.update(overrides)
    return claims


def sign(header: dict[str, Any] | str, payload: dict[str, Any] | str, key: Any = SIGNING_KEY) -> str:
    """Compact RS256 JWS over pre-encoded or JSON segments (strings are used as they are)."""
    head = header if isinstance(header, str) else b64u_json(header)
    body = payload if isinstance(payload, str) else b64u_json(payload)
    signing_input = f"{head}.{body}".encode()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    return f"{head}.{body}.{b64u(key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))}"


def mint(name: str = "pos_gateway", header: dict[str, Any] | None = None, **overrides: Any) -> str:
    return sign(header or {"alg": "RS256", "kid": KID, "typ": "JWT"}, claims_for(name, **overrides))


def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def verify_with_public_key(token: str) -> dict[str, Any]:
    return jwt.decode(token, SIGNING_KEY.public_key(), algorithms=["RS256"], issuer=ISSUER,
                      options={"require": ["exp", "iat", "iss", "jti", "sub"]})
