"""The client matrix's own judgement can fail, covers every faulty client, and its README is kept true."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conformance.judge import requirements, scenarios
from fixtures import client_matrix
from fixtures.clients.faulty import CATALOGUE
from tests.judge.conftest import ROOT


def test_a_faulty_client_caught_only_by_another_requirement_is_reported_not_caught() -> None:
    assert not client_matrix.Row("herd", "d", "CAP-CLI-06", exit_code=1, failing_requirements=["CAP-CLI-05"]).caught
    assert not client_matrix.Row("herd", "d", "CAP-CLI-06", exit_code=0, failing_requirements=["CAP-CLI-06"]).caught
    assert client_matrix.Row("herd", "d", "CAP-CLI-06", exit_code=1, failing_requirements=["CAP-CLI-06"]).caught


def test_a_correct_client_with_any_warning_is_reported_failing() -> None:
    assert not client_matrix.Row("reference", "d", None, exit_code=0, failing_requirements=["CAP-CLI-07"]).caught
    assert not client_matrix.Row("reference", "d", None, exit_code=3).caught
    assert client_matrix.Row("reference", "d", None, exit_code=0).caught


def test_every_faulty_client_has_a_ci_test_naming_the_requirement_it_breaks() -> None:
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_faulty_clients_*.py"))
    for fault in CATALOGUE.values():
        assert f'judged("{fault.name}"' in tests, fault.name
        assert re.search(rf"def test_\w+_caught_by_{fault.breaks.lower().replace('-', '_')}\(", tests), fault.breaks
    assert {c.name for c in client_matrix.clients()} == {"reference", "curl", *CATALOGUE}


def test_readme_shows_the_committed_client_matrix_headline_next_to_the_kill_matrix() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    matrix = json.loads((ROOT / "reports" / "client-matrix.json").read_text(encoding="utf-8"))
    headline = f"<!-- client-matrix:start -->**Client kill matrix: {client_matrix.headline(matrix)}**"
    lines = readme.splitlines()
    kill = next(n for n, line in enumerate(lines) if "<!-- kill-matrix:start -->" in line)
    client = next(n for n, line in enumerate(lines) if line.startswith(headline))
    assert abs(client - kill) <= 3  # beside the server-side matrices' headlines
    assert matrix["not_caught"] == [] and len(matrix["clients"]) == len(CATALOGUE) + 2


def test_readme_documents_every_requirement_and_scenario_as_the_code_defines_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert requirements.markdown_table(links=False) in readme  # the README links nothing outside the repository
    assert scenarios.markdown_table() in readme
    # The sources' URLs are kept where the README points for them.
    assert requirements.markdown_table() in (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    assert "https://" in requirements.markdown_table() and "http" not in requirements.markdown_table(links=False)
