"""docs/architecture.md's dependency rules, enforced on the source (AST), not on good intentions."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEUTRAL = ["conformance/protocol.py", "conformance/exchange.py", "conformance/checks", "conformance/profiles",
           "conformance/client.py", "conformance/context.py", "conformance/redaction.py",
           "conformance/requirements.py", "conformance/tokens.py", "conformance/forge", "conformance/certify",
           "conformance/judge", "conformance/outcome.py", "conformance/plans.py", "conformance/options.py",
           "conformance/environment.py", "conformance/usage.py", "conformance/transport.py",
           "conformance/pacing.py", "conformance/vacuity.py", "conformance/budget.py", "conformance/key_recovery.py",
           "conformance/expiry.py"]


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


@pytest.mark.parametrize("package", ["conformance", "load", "fixtures", "benchmarks", "tests"])
def test_modules_stay_small(package: str) -> None:
    """docs/architecture.md: no module over 300 lines, the project's own tests included."""
    big = [f"{p.relative_to(ROOT)}: {n}" for p in python_files(package)
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300]
    assert big == []


# --- one definition each (issue 14): a second copy fails here, naming the file and line ----------------------------
SHIPPED = ["conformance", "load", "fixtures", "benchmarks"]
SPAWNERS = {"Popen", "run", "call", "check_call", "check_output", "create_subprocess_exec"}
TARGET_PROGRAM = "fixtures.reference_server"
# Where a target process may be started other than by conformance/profiles/launcher.py, and why.
TARGET_SPAWN_ALLOWED = {
    "conformance/profiles/launcher.py": "the one launcher: every [launch] command starts here",
    "tests/reference_server/helpers.py": "the reference server's own tests check what a launcher hides: its command "
                                         "line, its ready line, its other stdout, its stderr and its exit status",
    "fixtures/matrix_runs.py": "asks the server's command line for its catalogues (--list-faults, --list-variants) "
                               "and reads the JSON it prints: it starts no target",
}


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def strings_and_names(node: ast.AST, assigned: dict[str, list[ast.AST]], seen: set[str] | None = None) -> set[str]:
    """String constants and dotted names in an expression, following names assigned in the same module."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.add(child.value)
        elif isinstance(child, ast.Attribute):
            found.add(ast.unparse(child))
        elif isinstance(child, ast.Name) and child.id not in seen:
            seen.add(child.id)
            for value in assigned.get(child.id, []):
                found |= strings_and_names(value, assigned, seen)
    return found


def target_spawns(path: Path) -> list[int]:
    """Lines that start a target process: a subprocess call whose command names the reference server
    program or a profile's launch command."""
    tree = parse(path)
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SPAWNERS
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("subprocess", "asyncio")):
            continue
        command = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "args"), None)
        if command is None:
            continue
        found = strings_and_names(command, assigned)
        if TARGET_PROGRAM in found or any(name.endswith("launch.command") for name in found):
            lines.append(node.lineno)
    return lines


def test_a_target_is_started_only_by_the_launcher() -> None:
    spawning = {str(p.relative_to(ROOT)): target_spawns(p) for p in python_files(*SHIPPED, "tests")}
    offenders = [f"{path}:{lines}" for path, lines in spawning.items() if lines and path not in TARGET_SPAWN_ALLOWED]
    assert offenders == [], "start targets through conformance.profiles.target (running_target / launched_target)"
    # Every exception is real (the rule sees it), so the allow-list cannot rot.
    assert [path for path in TARGET_SPAWN_ALLOWED if not spawning.get(path)] == []


def string_constants(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module but its docstrings (prose may name what code must not spell)."""
    tree = parse(path)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def jwt_shapes(path: Path) -> list[int]:
    """"eyJ" (base64url of `{"`) is how a JWT is recognised: a regex or an `in` check is a copy of the shape."""
    return [line for line, text in string_constants(path) if "eyJ" in text]


def exit_code_definitions(path: Path) -> list[int]:
    names = {"CONFORMANT", "NOT_CONFORMANT", "ERROR", "INCOMPLETE"}
    lines = []
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigned = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            if any(name.startswith("EXIT_") or name in names for name in assigned):
                lines.append(node.lineno)
    return lines


def plan_name_definitions(path: Path) -> list[int]:
    """A literal collection of plan names, or a Plan built, outside conformance/plans.py."""
    from conformance.plans import PLANS

    lines = []
    for node in ast.walk(parse(path)):
        listed = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else []
        named = {e.value for e in listed if isinstance(e, ast.Constant) and e.value in PLANS}
        built = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Plan"
        if len(named) > 1 or built:
            lines.append(node.lineno)
    return lines


def environment_names(path: Path) -> list[int]:
    from conformance.environment import ENV

    return [line for line, text in string_constants(path) if text in ENV.values()]


@pytest.mark.parametrize(("rule", "home", "fix"), [
    (jwt_shapes, "conformance/redaction.py", "conformance.redaction (JWT_PATTERN, signed_jwts, Redactor)"),
    (exit_code_definitions, "conformance/outcome.py", "conformance.outcome.ExitCode"),
    (plan_name_definitions, "conformance/plans.py", "conformance.plans (PLANS, PLAN_SETTINGS)"),
    (environment_names, "conformance/environment.py", "conformance.environment.ENV"),
], ids=["jwt-shape", "exit-codes", "plan-names", "cap-environment-variables"])
def test_defined_in_one_place_only(rule: Any, home: str, fix: str) -> None:
    offenders = [f"{p.relative_to(ROOT)}:{lines}" for p in python_files(*SHIPPED)
                 if p != ROOT / home and (lines := rule(p))]
    assert offenders == [], f"use {fix}"
    assert rule(ROOT / home), f"the rule no longer sees the definition in {home}"


def test_the_one_definition_rules_see_what_they_forbid(tmp_path: Path) -> None:
    """Guard against vacuous passes: each rule flags a planted copy."""
    planted = tmp_path / "planted.py"
    planted.write_text('import re, subprocess\nEXIT_USAGE = 2\nJWT = re.compile(r"eyJ[\\w-]*")\n'
                       'PLANS = ("gate", "nightly")\nTARGET = "CAP_TARGET"\n'
                       'command = ["python", "-m", "fixtures.reference_server"]\nsubprocess.Popen(command)\n'
                       'subprocess.run(list(profile.launch.command))\n')
    assert target_spawns(planted) == [7, 8]
    assert exit_code_definitions(planted) == [2]
    assert jwt_shapes(planted) == [3]
    assert plan_name_definitions(planted) == [4]
    assert environment_names(planted) == [5]
