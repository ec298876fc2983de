"""Import rules of load/: never fixtures/, never httpx; locust only in locustfile-side modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LOAD = Path(__file__).resolve().parents[2] / "load"
# Modules that run in pytest or in the `python -m load` process: gevent must never patch those.
LOCUST_FREE = ["token_cache", "metrics", "gates", "stages", "reports", "settings", "run_summary", "token_checks",
               "processes", "cli", "options", "progress"]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(LOAD.rglob("*.py")), ids=lambda p: str(p.relative_to(LOAD)))
def test_load_never_imports_fixtures_or_httpx(path: Path):
    roots = {name.split(".")[0] for name in imported_modules(path)}

    assert "fixtures" not in roots
    assert "httpx" not in roots


@pytest.mark.parametrize("module", LOCUST_FREE)
def test_neutral_load_modules_do_not_import_locust_or_gevent(module: str):
    roots = {name.split(".")[0] for name in imported_modules(LOAD / f"{module}.py")}

    assert not roots & {"locust", "gevent"}


@pytest.mark.parametrize("path", [*sorted((LOAD / "scenarios").glob("[!_]*.py")), LOAD / "shapes.py"],
                         ids=lambda p: p.name)
def test_locustfiles_import_locust_before_anything_else(path: Path):
    tree = ast.parse(path.read_text())
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
               and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]

    first = imports[0]
    assert isinstance(first, ast.ImportFrom)
    assert first.module == "locust"


def test_the_entry_point_process_never_imports_locust():
    # In a subprocess: importing the CLI must leave gevent's patching out of this process.
    code = "import sys, load.cli, load.processes; sys.exit(1 if {'locust', 'gevent'} & set(sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=LOAD.parent, timeout=60).returncode == 0


def test_locust_processes_import_matplotlib_only_when_they_draw_a_page():
    """Every Locust process (workers too) imports load.hooks and load.reports; matplotlib costs ~0.3 s there,
    and only the process that writes timeline.html needs it."""
    code = ("import sys, load.hooks, load.reports\n"
            "before = 'matplotlib' in sys.modules\n"
            "load.reports.timeline_html('t', {'seconds': [[1, 1, 0, 1.0, 1.0]], 'events': [], 'herd': {}})\n"
            "sys.exit(10 * before + ('matplotlib' not in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=LOAD.parent, timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
