"""Evidence a failing run leaves behind: Allure labels and attachments, JUnit, summary; no secrets anywhere."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.certify.leaks import profile_secrets, scan_for_leaks
from conformance.profiles import load_profile
from tests.support import reference_server, run_suite


def test_failing_run_attaches_redacted_evidence_and_leaks_nothing(tmp_path: Path) -> None:
    allure = tmp_path / "allure-results"
    with reference_server("secret-echoed-in-error", "alg-none-accepted") as url:
        run = run_suite(tmp_path, f"--target={url}", "--plan=gate", f"--alluredir={allure}",
                        f"--junitxml={tmp_path / 'junit.xml'}", "--requirement=CAP-TOK-09",
                        "--requirement=CAP-USE-02", "--requirement=CAP-JWT-02")
    assert run.exit_code == 1
    results = [json.loads(p.read_text()) for p in allure.glob("*-result.json")]
    failed = [r for r in results if r["status"] == "failed"]
    assert failed, "the faults must make tests fail"
    for result in results:
        labels = {label["name"] for label in result["labels"]}
        assert {"epic", "story", "severity"} <= labels, result["name"]
        assert any(link["name"].startswith("CAP-") for link in result["links"])
    attachments = [a for r in failed for a in r.get("attachments", [])]
    assert any(a["name"].startswith("curl") for a in attachments)
    assert any(a["name"].startswith("exchange") for a in attachments)
    assert (allure / "environment.properties").exists() and (allure / "categories.json").exists()

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 10
    leaks, scanned = scan_for_leaks([tmp_path], profile_secrets(load_profile("reference")))
    assert scanned == len(written)
    assert leaks == []
    tokens_seen = [line for p in written for line in p.read_text(errors="replace").splitlines()
                   if "<signature redacted>" in line]
    assert tokens_seen, "tokens appear in evidence with their signatures redacted"


def test_every_test_that_judges_a_shared_answer_cites_it(tmp_path: Path) -> None:
    """The run's token and the module's wrong-secret answer are fetched once, in the first test's
    setup; the later tests judging the same exchange must still list it as their evidence."""
    with reference_server() as url:
        run = run_suite(tmp_path, f"--target={url}", "--plan=gate", "--requirement=CAP-JWT-01",
                        "--requirement=CAP-JWT-02", "--requirement=CAP-TOK-02")
    assert run.exit_code == 0, run.output[-2000:]
    assert run.summary is not None
    judged = [t for t in run.summary["tests"] if t["verdict"] == "pass"
              and ("test_token_claims" in t["nodeid"] or "wrong_secret" in t["nodeid"])]
    assert len(judged) > 3, [t["nodeid"] for t in run.summary["tests"]]
    uncited = [t["nodeid"] for t in judged if not t["exchanges"]]
    assert uncited == []
