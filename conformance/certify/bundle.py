"""The evidence bundle's integrity: a sha256sum manifest of every file, signed with Ed25519.

The signature is the raw 64 bytes over MANIFEST.sha256, so a partner can check a bundle with
no Python at all: `sha256sum -c MANIFEST.sha256` and `openssl pkeyutl -verify -pubin -inkey
signing-key.pub.pem -rawin -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from conformance.certify.keys import SigningKeyError, load_public_key, public_pem

MANIFEST = "MANIFEST.sha256"
SIGNATURE = "MANIFEST.sha256.sig"
PUBLIC_KEY = "signing-key.pub.pem"
# The manifest cannot list itself nor the signature over it; everything else, the public key
# included, is listed, so swapping the key alone is caught like any other modified file.
UNLISTED = frozenset({MANIFEST, SIGNATURE})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_files(bundle: Path) -> list[str]:
    """Every file of the bundle except the manifest and its signature, as sorted POSIX paths."""
    names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file() or p.is_symlink())
    return [name for name in names if name not in UNLISTED]


def manifest_text(bundle: Path) -> str:
    lines = []
    for name in bundle_files(bundle):
        if "\n" in name or "\\" in name:
            raise ValueError(f"{name!r}: file names with line breaks or backslashes cannot be listed")
        lines.append(f"{sha256_of(bundle / name)}  {name}\n")
    return "".join(lines)


def sign_bundle(bundle: Path, key: Ed25519PrivateKey) -> Path:
    """Write signing-key.pub.pem, MANIFEST.sha256 and MANIFEST.sha256.sig into the bundle."""
    (bundle / PUBLIC_KEY).write_bytes(public_pem(key))
    manifest = manifest_text(bundle).encode("utf-8")
    (bundle / MANIFEST).write_bytes(manifest)
    (bundle / SIGNATURE).write_bytes(key.sign(manifest))
    return bundle / MANIFEST


def parse_manifest(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64 or not name:
            raise ValueError(f"{MANIFEST} line {number} is not `<sha256>  <path>`")
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"{MANIFEST} line {number} names a path outside the bundle")
        entries[name] = digest
    return entries


def verify_bundle(bundle: Path, public_key: Ed25519PublicKey | None = None) -> list[str]:
    """Every problem found, each naming its file; empty means the bundle is intact and signed.

    Without `public_key` the bundle's own signing-key.pub.pem is used: that proves integrity,
    while authenticity needs the key the partner received separately (`--public-key`).
    """
    for name in (MANIFEST, SIGNATURE, PUBLIC_KEY):
        if not (bundle / name).is_file():
            return [f"{name}: missing"]
    manifest = (bundle / MANIFEST).read_bytes()
    try:
        embedded = load_public_key(bundle / PUBLIC_KEY)
    except SigningKeyError as error:
        return [f"{PUBLIC_KEY}: {error}"]
    problems = []
    if public_key is not None and public_pem(public_key) != public_pem(embedded):
        problems.append(f"{PUBLIC_KEY}: differs from the public key given")
    entries: dict[str, str] | None = None
    try:
        entries = parse_manifest(manifest.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        problems.append(f"{MANIFEST}: {error}")
    try:
        (public_key or embedded).verify((bundle / SIGNATURE).read_bytes(), manifest)
    except InvalidSignature:
        problems.append(f"{SIGNATURE}: the signature does not match {MANIFEST} (manifest, key or signature altered)")
    # Checked even when the signature failed: naming the altered file is what the reader needs next.
    return problems + (_file_problems(bundle, entries) if entries is not None else [])


def _file_problems(bundle: Path, entries: dict[str, str]) -> list[str]:
    present = set(bundle_files(bundle))
    problems = []
    for name, digest in entries.items():
        if name not in present:
            problems.append(f"{name}: missing (listed in {MANIFEST})")
        elif sha256_of(bundle / name) != digest:
            problems.append(f"{name}: modified (sha256 differs from {MANIFEST})")
    problems += [f"{name}: extra file (not in {MANIFEST})" for name in sorted(present - set(entries))]
    return problems
