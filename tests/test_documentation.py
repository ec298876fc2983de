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


# Any http(s) URL, bare or as a link's target; only loopback ones (examples of local runs) may stay.
_URL = re.compile(r"https?://[^\s)>|`'\"]*", re.IGNORECASE)
_LOOPBACK = re.compile(r"https?://(127\.0\.0\.1|localhost|\[::1\])([:/]|$)", re.IGNORECASE)


def external_urls(text: str) -> list[str]:
    return [url.rstrip(".,;:") for url in _URL.findall(text) if not _LOOPBACK.match(url)]


def test_the_url_finder_catches_bare_and_linked_urls_and_spares_loopback() -> None:
    text = ("see https://docs.example.com/x, [the RFC](http://www.rfc-editor.org/rfc/rfc9110) and <https://a.b>;"
            " run http://127.0.0.1:8080 or http://localhost/x or http://[::1]:9 (or http://127.0.0.1.evil.example)")
    assert external_urls(text) == ["https://docs.example.com/x", "http://www.rfc-editor.org/rfc/rfc9110",
                                   "https://a.b", "http://127.0.0.1.evil.example"]


def test_the_readme_links_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme
    assert external_urls(readme) == [], "refer to docs/contract.md (or another file of the repository) instead"
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


def test_every_requirement_has_a_basis_that_names_a_source_or_a_reason() -> None:
    for requirement in REQUIREMENTS.values():
        assert requirement.basis.startswith(("documented", "security", "decided", "seen only", "data integrity",
                                             "RFC")), requirement.id
        if requirement.level.value == "MUST":
            assert "http" in requirement.basis or "security" in requirement.basis, requirement.id
