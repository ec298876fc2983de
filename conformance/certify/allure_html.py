"""`allure-html`: a single-file Allure 3 report that opens from disk and calls nobody.

Allure 3 (npm `allure`, pinned in the repo's package-lock.json, installed by `npm ci`) renders
every result into one HTML file, but embeds a Google Tag Manager script and ignores
ALLURE_NO_ANALYTICS, so the script is cut out here and the page is checked for any fetch left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from conformance.certify.offline import network_fetches
from conformance.certify.provenance import REPO_ROOT

ALLURE_BIN = REPO_ROOT / "node_modules" / ".bin" / "allure"
_SCRIPTS = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.IGNORECASE | re.DOTALL)
_REMOTE_SRC = re.compile(r"""\bsrc\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
_ANALYTICS = ("googletagmanager", "google-analytics", "gtag(", "dataLayer")


class AllureUnavailable(RuntimeError):
    """The Allure 3 CLI is not installed; str() says how to install it."""


class AllureFailed(RuntimeError):
    """Allure ran but gave no report, or the report still reaches the network."""


def allure_command() -> Path:
    """The pinned CLI: $CAP_ALLURE if set (for a system-wide install), else the repo's node_modules."""
    override = os.environ.get("CAP_ALLURE")
    path = Path(override) if override else ALLURE_BIN
    if not path.is_file():
        raise AllureUnavailable(f"Allure 3 CLI not found at {path}: run `npm ci` at {REPO_ROOT} (needs Node 20+)")
    if shutil.which("node") is None:
        raise AllureUnavailable("node is not on PATH: the Allure 3 CLI needs Node 20+")
    return path


def strip_analytics(html: str) -> str:
    """Drop every remote <script src> and every inline script that talks to an analytics service."""
    def keep_or_drop(match: re.Match[str]) -> str:
        attributes, body = match.group(1), match.group(2)
        if _REMOTE_SRC.search(attributes) or any(marker in body for marker in _ANALYTICS):
            return ""
        return match.group(0)

    return _SCRIPTS.sub(keep_or_drop, html)


def _write_allurerc(work: Path, results_dir: Path) -> None:
    try:
        categories = json.loads((results_dir / "categories.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    (work / "allurerc.json").write_text(json.dumps({"categories": categories}), encoding="utf-8")


def render_single_file_report(results_dir: Path, out_file: Path, report_name: str = "Capillary conformance",
                              timeout_seconds: float = 120.0) -> Path:
    """Render RESULTS_DIR into OUT_FILE (one self-contained HTML file without analytics)."""
    if not results_dir.is_dir():
        raise AllureFailed(f"{results_dir}: no such Allure results directory")
    command = allure_command()
    with tempfile.TemporaryDirectory(prefix="allure-") as work:
        # Run in a directory of our own so no stray allurerc.* from the caller's cwd applies, and
        # give Allure 3 the categories there: its awesome report ignores categories.json in the
        # results (only the Allure 2 compatible reports read it) and takes them from allurerc.
        _write_allurerc(Path(work), results_dir)
        done = subprocess.run(
            [str(command), "awesome", str(results_dir.resolve()), "--single-file", "--report-name", report_name,
             "-o", str(Path(work) / "report")],
            cwd=work, capture_output=True, text=True, timeout=timeout_seconds, check=False,
        )
        index = Path(work) / "report" / "index.html"
        if done.returncode != 0 or not index.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise AllureFailed(f"allure awesome exited {done.returncode}: {' / '.join(tail)}")
        html = strip_analytics(index.read_text(encoding="utf-8"))
    fetches = network_fetches(html)
    if fetches:
        raise AllureFailed("the Allure report still reaches the network after stripping: " + "; ".join(fetches[:3]))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(html, encoding="utf-8")
    return out_file
