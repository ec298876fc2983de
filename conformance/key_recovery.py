"""The target's public key when it publishes none: recovered from two token signatures, cached.

Capillary publishes no key or JWKS, yet the HS256 key-confusion attacks (negative case 25)
and the signature check need one. Two RS256 signatures give it away: n divides s^e - pad(hash)
for each, so their gcd is n (conformance/tokens.py). That costs ~25 s of GMP arithmetic on
these machines, so it runs once per target, in a separate *process* (the arithmetic holds the
GIL) started right after preflight, and the result is cached by target and kid. A cached key
is used only while it still verifies the target's current token: a rotated key under the same
kid is recovered again, never trusted. The gate plan only reuses a cached key (it has no 25 s
to spare); certification and nightly recover one when none is cached. Neutral: no pytest.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from conformance.tokens import MalformedToken, public_key_fingerprint, recover_rsa_public_key, verify_rs256

CACHE_ENV = "CAP_KEY_CACHE"
DEFAULT_CACHE = Path("reports") / "key-cache"


def cache_directory() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def _entry(cache: Path, target: str, kid: str) -> Path:
    name = hashlib.sha256(f"{target}\n{kid}".encode()).hexdigest()[:20]
    return cache / f"{name}.json"


def cached_key(cache: Path, target: str, kid: str, token: str) -> rsa.RSAPublicKey | None:
    """The cached key of this target and kid, if it verifies `token` (a fresh token of the target)."""
    try:
        entry = json.loads(_entry(cache, target, kid).read_text(encoding="utf-8"))
        key = load_pem_public_key(entry["public_key_pem"].encode())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPublicKey) or not _verifies(token, key):
        return None
    return key


def store_key(cache: Path, target: str, kid: str, key: rsa.RSAPublicKey) -> Path:
    """Cache a recovered key (public: nothing here is a secret) with its fingerprint."""
    cache.mkdir(parents=True, exist_ok=True)
    path = _entry(cache, target, kid)
    pem = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    path.write_text(json.dumps({"target": target, "kid": kid, "fingerprint": public_key_fingerprint(key),
                                "public_key_pem": pem}, indent=2) + "\n", encoding="utf-8")
    return path


def _verifies(token: str, key: rsa.RSAPublicKey) -> bool:
    try:
        verify_rs256(token, key)
    except Exception:  # any refusal by pyjwt means "not this key"
        return False
    return True


def _recover_pem(token_a: str, token_b: str) -> str:
    """Runs in the worker process: the key as PEM (keys do not pickle across processes)."""
    key = recover_rsa_public_key(token_a, token_b)
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


class KeyRecoveryLane:
    """The key from the cache at once, or from a recovery process started now; `result()` waits."""

    def __init__(self, cache: Path, target: str, kid: str, tokens: tuple[str, str], *, may_recover: bool) -> None:
        self.source = "none"
        self.reason = ""
        self._key: rsa.RSAPublicKey | None = cached_key(cache, target, kid, tokens[0])
        self._future: AsyncResult[str] | None = None
        self._pool: Pool | None = None
        self._cache, self._target, self._kid, self._token = cache, target, kid, tokens[0]
        if self._key is not None:
            self.source = "cache"
        elif not may_recover:
            self.reason = (f"the target publishes no public key and none is cached for kid {kid!r} in {cache}: "
                           "this plan only reuses a key recovered by a certification run")
        else:
            try:
                import gmpy2  # noqa: F401 - only checks the accelerator is there; the worker uses it
            except ImportError:
                self.reason = "key recovery needs gmpy2 (pip install gmpy2): pure Python takes hours"
                return
            # spawn: the worker must not inherit the suite's threads and sockets (fork would).
            self._pool = multiprocessing.get_context("spawn").Pool(1)
            self._future = self._pool.apply_async(_recover_pem, tokens)

    def result(self, timeout: float) -> rsa.RSAPublicKey | None:
        if self._key is not None or self._future is None:
            return self._key
        try:
            pem = self._future.get(timeout=timeout)
        except multiprocessing.TimeoutError:
            self.reason = f"key recovery did not finish within {timeout:.0f} s"
            return None
        except (MalformedToken, ValueError, RuntimeError) as error:
            self.reason = f"key recovery failed: {error}"
            return None
        finally:
            self.close()
        key = load_pem_public_key(pem.encode())
        if not isinstance(key, rsa.RSAPublicKey) or not _verifies(self._token, key):
            self.reason = "the recovered key does not verify the target's token"
            return None
        self._key, self.source = key, "recovered"
        store_key(self._cache, self._target, self._kid, key)
        return key

    def close(self) -> None:
        """Stop the worker, finished or not (a run that ends early must not wait for the arithmetic)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
