"""The repository stands alone: its own contract and layout documents, kept in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from conformance.requirements import CONTRACT, REQUIREMENTS, render_contract

ROOT = Path(__file__).resolve().parents[1]


def test_the_contract_document_carries_the_current_requirement_tables() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    assert render_contract(text) == text, "run: python -m conformance.requirements --write"
    for rid, requirement in REQUIREMENTS.items():
        assert f"| {rid} | {requirement.level.value} |" in text


def test_the_readme_links_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


def test_every_requirement_has_a_basis_that_names_a_source_or_a_reason() -> None:
    for requirement in REQUIREMENTS.values():
        assert requirement.basis.startswith(("documented", "security", "decided", "seen only", "data integrity",
                                             "RFC")), requirement.id
        if requirement.level.value == "MUST":
            assert "http" in requirement.basis or "security" in requirement.basis, requirement.id
