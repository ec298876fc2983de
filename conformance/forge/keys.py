"""The suite's attacker keys, derived from the run seed (byte-reproducible tokens).

Same seed, same keys, so a failing forgery can be replayed exactly from the recorded seed. The
keys are test material for forging tokens only; they protect nothing.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from conformance.tokens import b64url_encode

RSA_PUBLIC_EXPONENT = 65537
RSA_PRIME_BITS = 1024  # two of them make the RSA-2048 key negative case 28 asks for
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_SMALL_PRIMES = tuple(n for n in range(3, 2000, 2) if all(n % d for d in range(3, math.isqrt(n) + 1, 2)))
# Fixed Miller-Rabin bases are enough: candidates come from a hash, not from an adversary, and
# the chance that a random 1024-bit composite passes 16 rounds is far below 2^-100.
_MILLER_RABIN_BASES = _SMALL_PRIMES[:16]


def seeded_bytes(seed: int, label: str, length: int) -> bytes:
    """A stream of `length` bytes fixed by (seed, label).

    SHAKE-256 rather than `random.Random`: its output is specified by FIPS 202, so recorded seeds
    replay identically on any Python version or platform.
    """
    return hashlib.shake_256(f"conformance-forge/{label}/{seed}".encode()).digest(length)


def seeded_int(seed: int, label: str, bits: int) -> int:
    return int.from_bytes(seeded_bytes(seed, label, (bits + 7) // 8), "big") >> (-bits % 8)


def _is_probable_prime(candidate: int) -> bool:
    if any(candidate % small == 0 for small in _SMALL_PRIMES):
        return candidate in _SMALL_PRIMES
    odd_part, twos = candidate - 1, 0
    while odd_part % 2 == 0:
        odd_part, twos = odd_part // 2, twos + 1
    for base in _MILLER_RABIN_BASES:
        witness = pow(base, odd_part, candidate)
        if witness in (1, candidate - 1):
            continue
        for _ in range(twos - 1):
            witness = pow(witness, 2, candidate)
            if witness == candidate - 1:
                break
        else:
            return False
    return True


def _seeded_prime(seed: int, label: str) -> int:
    for attempt in range(1_000_000):
        # Top two bits set so that the product of two such primes has exactly 2 * RSA_PRIME_BITS bits.
        candidate = seeded_int(seed, f"{label}/{attempt}", RSA_PRIME_BITS) | (0b11 << (RSA_PRIME_BITS - 2)) | 1
        if math.gcd(RSA_PUBLIC_EXPONENT, candidate - 1) == 1 and _is_probable_prime(candidate):
            return candidate
    raise RuntimeError("no prime found: unreachable for any seed in practice")


@functools.lru_cache(maxsize=8)
def attacker_rsa_key(seed: int) -> rsa.RSAPrivateKey:
    """An RSA-2048 key fixed by the seed (about a second of pure-Python prime search, so cached)."""
    p = _seeded_prime(seed, "rsa-p")
    q = _seeded_prime(seed, "rsa-q")
    private_exponent = pow(RSA_PUBLIC_EXPONENT, -1, math.lcm(p - 1, q - 1))
    return rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=private_exponent,
        dmp1=rsa.rsa_crt_dmp1(private_exponent, p),
        dmq1=rsa.rsa_crt_dmq1(private_exponent, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(RSA_PUBLIC_EXPONENT, p * q),
    ).private_key()


@functools.lru_cache(maxsize=8)
def attacker_ec_key(seed: int) -> ec.EllipticCurvePrivateKey:
    """A P-256 key fixed by the seed; 64 extra bits make the reduction's bias negligible."""
    scalar = seeded_int(seed, "ec-p256", 320) % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def rsa_public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """RFC 7638 member set and order, so the JSON text is the canonical thumbprint input too."""
    numbers = public_key.public_numbers()
    return {"e": _unsigned_b64url(numbers.e), "kty": "RSA", "n": _unsigned_b64url(numbers.n)}


def ec_public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    coordinate_size = (public_key.curve.key_size + 7) // 8
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": b64url_encode(numbers.x.to_bytes(coordinate_size, "big")),
        "y": b64url_encode(numbers.y.to_bytes(coordinate_size, "big")),
    }


def _unsigned_b64url(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def self_signed_certificate_der(seed: int, issued_at: int) -> bytes:
    """A self-signed X.509 certificate for the attacker RSA key (case 30's `x5c`).

    Validity is anchored on the token's `iat` rather than the wall clock, and RSA PKCS#1 v1.5
    signing is deterministic, so the certificate bytes depend only on (seed, iat).
    """
    key = attacker_rsa_key(seed)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "conformance-suite attacker")])
    not_before = datetime.datetime.fromtimestamp(issued_at, tz=datetime.UTC) - datetime.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        # RFC 5280 wants a positive serial of at most 20 octets.
        .serial_number(seeded_int(seed, "x5c-serial", 64) | 1)
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=366))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)
