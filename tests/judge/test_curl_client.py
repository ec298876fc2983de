"""The judge is language-agnostic: an integration written as a shell script on curl is judged, and passes."""

from __future__ import annotations

import shutil

import pytest

from tests.judge.conftest import Judge


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed on this machine")
def test_shell_script_client_on_curl_is_conformant(judge: Judge) -> None:
    run = judge("--strict", command=["sh", "fixtures/clients/curl_client.sh"])
    assert run.code == 0, run.done.stdout + run.done.stderr
    verdicts = run.verdicts()
    assert all(verdicts[f"CAP-CLI-0{n}"] == "pass" for n in range(1, 9)), verdicts
    # It renews only after a 498: the judge's expiry scenarios are what it met.
    assert run.summary["judge"]["injected"].get("expire_on_call", 0) >= 1
