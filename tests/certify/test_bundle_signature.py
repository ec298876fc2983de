"""A signed bundle verifies; one changed byte, a missing file or an extra file fails, naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.certify.__main__ import main
from conformance.certify.bundle import MANIFEST, PUBLIC_KEY, SIGNATURE, sha256_of, sign_bundle, verify_bundle
from conformance.certify.keys import local_signing_key, public_pem


@pytest.fixture
def signed_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "allure-results").mkdir(parents=True)
    (bundle / "summary.json").write_text('{"verdict": "conformant"}\n')
    (bundle / "junit.xml").write_text("<testsuites/>\n")
    (bundle / "allure-results" / "a-result.json").write_text('{"status": "passed"}\n')
    sign_bundle(bundle, Ed25519PrivateKey.generate())
    return bundle


def test_a_fresh_bundle_verifies(signed_bundle: Path):
    assert verify_bundle(signed_bundle) == []


def test_the_manifest_is_in_sha256sum_format_and_lists_the_public_key(signed_bundle: Path):
    lines = (signed_bundle / MANIFEST).read_text().splitlines()

    assert all(len(line.split("  ", 1)[0]) == 64 for line in lines)
    assert sorted(line.split("  ", 1)[1] for line in lines) == [
        "allure-results/a-result.json", "junit.xml", PUBLIC_KEY, "summary.json"]


@pytest.mark.parametrize("name", ["summary.json", "allure-results/a-result.json", PUBLIC_KEY])
def test_one_changed_byte_fails_and_names_the_file(signed_bundle: Path, name: str, capsys: pytest.CaptureFixture[str]):
    path = signed_bundle / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    assert main(["verify", str(signed_bundle)]) == 1
    assert name in capsys.readouterr().out


def test_a_missing_file_fails_and_names_it(signed_bundle: Path, capsys: pytest.CaptureFixture[str]):
    (signed_bundle / "junit.xml").unlink()

    assert main(["verify", str(signed_bundle)]) == 1
    assert "junit.xml: missing" in capsys.readouterr().out


def test_an_extra_file_fails_and_names_it(signed_bundle: Path, capsys: pytest.CaptureFixture[str]):
    (signed_bundle / "allure-results" / "planted.txt").write_text("hello")

    assert main(["verify", str(signed_bundle)]) == 1
    assert "allure-results/planted.txt: extra file" in capsys.readouterr().out


def test_a_rewritten_manifest_fails_on_the_signature(signed_bundle: Path):
    (signed_bundle / "summary.json").write_text('{"verdict": "forged"}\n')
    manifest = (signed_bundle / MANIFEST).read_text().splitlines()
    manifest = [f"{sha256_of(signed_bundle / 'summary.json')}  summary.json" if line.endswith("  summary.json")
                else line for line in manifest]
    (signed_bundle / MANIFEST).write_text("\n".join(manifest) + "\n")

    assert any(SIGNATURE in problem for problem in verify_bundle(signed_bundle))


def test_a_missing_signature_fails(signed_bundle: Path):
    (signed_bundle / SIGNATURE).unlink()

    assert verify_bundle(signed_bundle) == [f"{SIGNATURE}: missing"]


def test_a_bundle_re_signed_by_someone_else_fails_against_the_partners_key(signed_bundle: Path, tmp_path: Path):
    partner_key = tmp_path / "partner.pub.pem"
    partner_key.write_bytes(public_pem(Ed25519PrivateKey.generate()))

    assert main(["verify", str(signed_bundle), "--public-key", str(partner_key)]) == 1


def test_the_signers_public_key_verifies(tmp_path: Path):
    key, key_path, created = local_signing_key(tmp_path / "keys")
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "x.txt").write_text("x")
    sign_bundle(bundle, key)

    assert created
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    assert main(["verify", str(bundle), "--public-key", str(key_path.with_name("signing-key.pub.pem"))]) == 0


def test_a_local_key_is_reused_not_regenerated(tmp_path: Path):
    first, _, created_first = local_signing_key(tmp_path)
    second, _, created_second = local_signing_key(tmp_path)

    assert (created_first, created_second) == (True, False)
    assert public_pem(first) == public_pem(second)


def test_a_copied_bundle_still_verifies(signed_bundle: Path, tmp_path: Path):
    # Partners receive a copy (archive, upload): verification must not depend on the original path.
    copy = shutil.copytree(signed_bundle, tmp_path / "copy")

    assert verify_bundle(copy) == []
