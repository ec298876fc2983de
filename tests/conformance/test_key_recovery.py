"""Real targets publish no key: the suite recovers it from two signatures, caches it, and the
key-confusion attacks still run (negative case 25; fidelity issue, item 5)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from conformance.key_recovery import cached_key, store_key
from fixtures.matrix_runs import ROOT, derived_profile, run_suite
from tests.unit.token_support import mint

REFERENCE_KEY = load_pem_private_key((ROOT / "fixtures/data/keys/reference-k1.pem").read_bytes(), password=None)


def test_a_cached_key_is_used_only_while_it_verifies_the_targets_token(tmp_path: Path) -> None:
    assert isinstance(REFERENCE_KEY, rsa.RSAPrivateKey)
    token = mint(REFERENCE_KEY)
    assert cached_key(tmp_path, "t", "k1", token) is None  # nothing cached yet
    store_key(tmp_path, "t", "k1", rsa.generate_private_key(65537, 2048).public_key())  # "rotated"
    assert cached_key(tmp_path, "t", "k1", token) is None
    store_key(tmp_path, "t", "k1", REFERENCE_KEY.public_key())
    assert cached_key(tmp_path, "t", "k1", token) is not None
    assert cached_key(tmp_path, "other target", "k1", token) is None


def test_hs256_key_confusion_is_caught_without_a_published_key(tmp_path: Path) -> None:
    """Certification recovers the key (and caches it); gate then reuses the cached one."""
    profile = derived_profile(tmp_path, "no-published-key", ["--fault", "hs256-public-key-confusion"],
                              overrides={"target.public_key_url": None})
    env = {"CAP_KEY_CACHE": str(tmp_path / "key-cache")}
    only = ["-k", "hs256-confusion or signature_verifies"]
    code, summary, tail = run_suite(profile, "certification", extra=only, env=env)
    assert code == 1, tail
    assert summary is not None and summary["observed"]["public_key_source"] == "recovered"
    failing = {t["nodeid"].split("::")[-1] for t in summary["tests"] if t["verdict"] == "fail"}
    assert "test_forged_token_is_rejected[hs256-confusion-pem]" in failing
    assert list((tmp_path / "key-cache").glob("*.json"))
    code, summary, tail = run_suite(profile, "gate", extra=only, env=env)
    assert code == 1, tail
    assert summary is not None and summary["observed"]["public_key_source"] == "cache"
