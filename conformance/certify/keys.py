"""The Ed25519 key that signs evidence bundles: the partner's own, or one generated locally.

A generated key is kept (not regenerated per run) so that successive bundles from one machine
verify against one published public key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PASSPHRASE_ENV = "CAP_SIGNING_KEY_PASSPHRASE"  # noqa: S105 - the variable's name, not a value
DEFAULT_KEY_NAME = "signing-key.pem"


class SigningKeyError(ValueError):
    """A key file that cannot be used; str() names the file and the fix."""


def load_private_key(path: Path) -> Ed25519PrivateKey:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        password = passphrase.encode() if passphrase else None
        key = serialization.load_pem_private_key(path.read_bytes(), password=password)
    except (OSError, ValueError, TypeError) as error:
        raise SigningKeyError(f"{path}: not a readable PEM private key ({error}); an encrypted key needs "
                              f"${PASSPHRASE_ENV}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: an Ed25519 key is required (make one: "
                              "openssl genpkey -algorithm ed25519 -out signing-key.pem)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as error:
        raise SigningKeyError(f"{path}: not a readable PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path}: not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def local_signing_key(keys_dir: Path) -> tuple[Ed25519PrivateKey, Path, bool]:
    """The machine's own key under keys_dir, made on first use; returns (key, path, created)."""
    path = keys_dir / DEFAULT_KEY_NAME
    if path.is_file():
        return load_private_key(path), path, False
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Owner-only from the first byte: the file is never world-readable, not even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    (keys_dir / "signing-key.pub.pem").write_bytes(public_pem(key))
    return key, path, True


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """The unencrypted PEM form: only to tell the leak scan what the key looks like, never written."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
