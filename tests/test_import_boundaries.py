"""ARCHITECTURE.md's dependency rules, enforced on the source (AST), not on good intentions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL = ["conformance/protocol.py", "conformance/exchange.py", "conformance/checks", "conformance/profiles",
           "conformance/client.py", "conformance/context.py", "conformance/redaction.py",
           "conformance/requirements.py", "conformance/tokens.py", "conformance/forge", "conformance/certify",
           "conformance/judge"]


def python_files(*relative: str) -> list[Path]:
    found: list[Path] = []
    for entry in relative:
        path = ROOT / entry
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return found


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def offenders(files: list[Path], forbidden: set[str]) -> list[str]:
    return [f"{p.relative_to(ROOT)} imports {sorted(imported_roots(p) & forbidden)}"
            for p in files if imported_roots(p) & forbidden]


def test_the_rule_sees_imports_at_all() -> None:
    """Guard against a vacuous pass: the plugin must be seen importing pytest."""
    assert "pytest" in imported_roots(ROOT / "conformance/plugin/__init__.py")


def test_neutral_core_imports_neither_pytest_nor_locust() -> None:
    assert offenders(python_files(*NEUTRAL), {"pytest", "locust", "_pytest", "gevent"}) == []


def test_only_load_imports_locust() -> None:
    files = [p for p in python_files("conformance", "fixtures") if p.suffix == ".py"]
    assert offenders(files, {"locust", "gevent"}) == []


def test_conformance_and_load_never_import_the_reference_server() -> None:
    assert offenders(python_files("conformance", "load"), {"fixtures"}) == []


def test_reference_server_is_a_standalone_program() -> None:
    assert offenders(python_files("fixtures/reference_server"), {"conformance", "load"}) == []


@pytest.mark.parametrize("package", ["conformance", "load", "fixtures"])
def test_modules_stay_small(package: str) -> None:
    """ARCHITECTURE.md: aim under 300 lines; 350 is the hard line that fails."""
    big = [f"{p.relative_to(ROOT)}: {n}" for p in python_files(package)
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 350]
    assert big == []
