"""A real browser for the bundle's pages: Debian's Chromium driven by Playwright for Python.

Playwright's own browser download is not reachable from CI machines, so it drives the system
Chromium (`run.py` installs Debian's `chromium` when it is missing and it runs as root; its
CHROMIUM_NAMES are these CANDIDATES, which a test keeps equal). Used by `python -m docs.screenshots`
and by the browser tests. Playwright (a dev dependency) is imported only when a browser starts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Playwright already starts headless, without sandbox (we may be root) and without background
# networking; these keep Chromium from reaching out at start on a closed network.
EXTRA_ARGUMENTS = ["--disable-gpu", "--disable-component-update", "--disable-sync", "--no-first-run",
                   "--disable-quic", "--disable-background-networking"]
MISSING = ("no Chromium found (looked for CAP_CHROMIUM, then " + ", ".join(CANDIDATES) + " on PATH): "
           "`python3 run.py tests` installs Debian's chromium when it is missing; or apt-get install chromium")


def chromium_executable() -> str | None:
    """CAP_CHROMIUM if set, else the first Chromium on PATH."""
    configured = os.environ.get("CAP_CHROMIUM")
    if configured:
        return configured
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright `Browser`), closed afterwards."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise RuntimeError(MISSING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=EXTRA_ARGUMENTS)
        try:
            yield browser
        finally:
            browser.close()
