"""Where a run comes from: suite version, git revision, lockfile hashes, and the bundle's name."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCKFILES = ("package-lock.json", "uv.lock", "requirements.lock", "requirements.txt")


def suite_version() -> str:
    try:
        return metadata.version("capillary-conformance")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def suite_provenance() -> dict[str, Any]:
    """What a partner needs to rerun exactly this suite: version, commit, whether it was edited, locks."""
    revision = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    lockfiles = {name: hashlib.sha256((REPO_ROOT / name).read_bytes()).hexdigest()
                 for name in LOCKFILES if (REPO_ROOT / name).is_file()}
    return {
        "name": "capillary-conformance",
        "version": suite_version(),
        "git_revision": revision,
        "git_dirty": None if status is None else bool(status),
        "lockfiles": lockfiles,
    }


def utc_stamp(now: dt.datetime | None = None) -> str:
    """A sortable, filename-safe UTC timestamp: 20260128T093000Z."""
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")


def target_slug(target_url: str | None, profile_name: str) -> str:
    """The bundle's name prefix: the target's host when one is given, else the profile's name."""
    host = urlsplit(target_url).hostname if target_url else None
    raw = host or profile_name or "target"
    return re.sub(r"[^A-Za-z0-9]+", "-", raw).strip("-").lower() or "target"
