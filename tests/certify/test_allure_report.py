"""Allure: environment and categories beside the results; a single-file HTML without analytics or fetches."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.certify.allure_html import ALLURE_BIN, strip_analytics
from conformance.certify.allure_metadata import CATEGORIES
from conformance.certify.offline import network_fetches

from .conftest import ROOT, once_per_session, run_certify

# The shape Allure 3.18 emits (measured): the tag manager loader, then its inline configuration.
ALLURE_TAIL = """<script>window.allure = window.allure || {};</script>
    <script   src="data:text/javascript;base64,Y29uc29sZS5sb2coMSk="></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {"report": "awesome"});
    </script>
    <script async>window.allureReportDataReady = false;</script>"""


class TagAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link", "img"):
            self.urls += [(tag, value) for name, value in attrs if name in ("src", "href") and value]


def assert_offline(html: str) -> None:
    tags = TagAttributes()
    tags.feed(html)
    assert [(tag, url) for tag, url in tags.urls if re.match(r"\s*(https?:)?//", url)] == []
    assert "googletagmanager" not in html
    assert network_fetches(html) == []


def _install_allure(shared: Path) -> dict[str, Any]:
    if ALLURE_BIN.is_file():
        return {"ok": True, "log": "already installed"}
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    return {"ok": done.returncode == 0, "log": (done.stdout + done.stderr)[-3000:]}


@pytest.fixture(scope="session")
def allure_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not on PATH: the Allure 3 CLI (npm `allure`, package-lock.json) cannot run here")
    installed = once_per_session(tmp_path_factory, "certify-npm-ci", _install_allure)
    if not installed["ok"]:
        pytest.fail(f"`npm ci` at the repo root failed: {installed['log']}")
    return ALLURE_BIN


def test_stripping_removes_the_tag_manager_and_its_inline_configuration():
    stripped = strip_analytics(ALLURE_TAIL)

    assert_offline(stripped)
    assert "data:text/javascript;base64,Y29uc29sZS5sb2coMSk=" in stripped
    assert "allureReportDataReady" in stripped


def test_the_offline_check_sees_the_tag_manager_in_an_unstripped_report():
    assert any("googletagmanager" in finding for finding in network_fetches(ALLURE_TAIL))


def test_the_single_file_report_has_no_analytics_and_no_network_fetch(allure_cli: Path, gate_bundle: Path,
                                                                        tmp_path: Path):
    out = tmp_path / "report.html"

    done = run_certify("allure-html", str(gate_bundle / "allure-results"), str(out))

    assert done.returncode == 0, done.stderr
    assert_offline(out.read_text(encoding="utf-8"))


def test_the_main_job_bundles_an_offline_allure_report(allure_cli: Path, gate_bundle: Path):
    assert_offline((gate_bundle / "allure-report.html").read_text(encoding="utf-8"))


def test_a_missing_results_directory_exits_2(tmp_path: Path):
    assert run_certify("allure-html", str(tmp_path / "nope"), str(tmp_path / "out.html")).returncode == 2


def test_the_results_carry_the_runs_environment(gate_bundle: Path):
    lines = (gate_bundle / "allure-results" / "environment.properties").read_text().splitlines()
    environment = dict(line.split("=", 1) for line in lines)

    assert environment["plan"] == "gate"
    assert environment["profile"] == "reference.toml"
    assert environment["target"].startswith("http://127.0.0.1:")
    assert environment["suite_version"]


def first_category(status: str, message: str) -> str:
    """Allure's rule: categories in order, the first whose statuses and message pattern match."""
    for category in CATEGORIES:
        if status in category["matchedStatuses"] and re.search(category["messageRegex"], message):
            return str(category["name"])
    return "none"


@pytest.mark.parametrize(("status", "message", "category"), [
    ("failed", "conformance.checks.failures.ConformanceFailure: status_is_pinned: expected HTTP 498",
     "Conformance failures (product defects)"),
    ("broken", "conformance.checks.failures.VacuousNegative: positive control failed\nsecond line",
     "Target errors (no verdict possible)"),
    ("broken", "conformance.client.TargetUnreachable: connection refused", "Target errors (no verdict possible)"),
    ("broken", "conformance.context.SetupError: no token", "Target errors (no verdict possible)"),
    ("broken", "KeyError: 'kid'", "Suite errors (bugs in the conformance suite)"),
    ("failed", "AssertionError: assert 1 == 2", "Suite errors (bugs in the conformance suite)"),
    ("skipped", "XFAIL expected failure (profile): vendor ticket 12", "Waived (profile expected failures)"),
])
def test_each_kind_of_failure_lands_in_its_category(status: str, message: str, category: str):
    assert first_category(status, message) == category


def test_the_categories_file_is_written_beside_the_results(gate_bundle: Path):
    written = json.loads((gate_bundle / "allure-results" / "categories.json").read_text())

    assert written == CATEGORIES


def test_allure_html_adds_environment_and_categories_to_a_plain_suite_run(tmp_path: Path):
    from conformance.certify.allure_metadata import ensure_allure_metadata

    from .conftest import conformance_summary

    (tmp_path / "allure-results").mkdir()
    (tmp_path / "summary.json").write_text(json.dumps(conformance_summary()))

    assert ensure_allure_metadata(tmp_path / "allure-results") is True
    assert "plan=gate" in (tmp_path / "allure-results" / "environment.properties").read_text()
    assert ensure_allure_metadata(tmp_path / "allure-results") is False


def test_the_allure_3_report_groups_failures_by_our_categories(allure_cli: Path, tmp_path: Path):
    results = tmp_path / "allure-results"
    results.mkdir()
    (results / "f1-result.json").write_text(json.dumps({
        "uuid": "f1", "name": "test_expired_token_is_rejected_with_498", "fullName": "suites#test_expired", "status":
        "failed", "statusDetails": {"message": "conformance.checks.failures.ConformanceFailure: expected 498"},
        "start": 1, "stop": 2}))
    (results / "categories.json").write_text(json.dumps(CATEGORIES))
    out = tmp_path / "report.html"

    assert run_certify("allure-html", str(results), str(out)).returncode == 0

    payloads = dict(re.findall(r'd\("([^"]+)","([A-Za-z0-9+/=]*)"\)', out.read_text()))
    tree = json.loads(base64.b64decode(payloads["widgets/categories.json"]))
    names = {node["name"] for node in tree["nodes"].values() if node["type"] == "category"}
    assert names == {"Conformance failures (product defects)"}
