"""Does an HTML page fetch anything from the network when opened from disk? (It must not.)

Reports are opened by partners on machines that may be offline, and a fetch from a report
would also tell a third party who opened which target's evidence. Links the reader clicks
(`<a href>`) are navigation, not fetches, and stay allowed.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

# Attributes whose URL the browser loads by itself when the page opens.
_FETCHING_ATTRIBUTES = {
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "source": ("src", "srcset"), "track": ("src",),
    "embed": ("src",), "object": ("data",), "input": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "base": ("href",),
}
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_CSS_REMOTE = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])\s*(?:https?:)?//", re.IGNORECASE)
_SCRIPT_FETCH = re.compile(
    r"""(?:fetch|XMLHttpRequest\(\)\.open|sendBeacon|importScripts|import)\s*\(\s*(?:["'][A-Z]+["']\s*,\s*)?["'](?:https?:)?//""",
    re.IGNORECASE)
ANALYTICS_MARKERS = ("googletagmanager", "google-analytics", "gtag(", "dataLayer.push")
_DATA_SCRIPT = re.compile(r"^data:[a-z/+-]*javascript;base64,", re.IGNORECASE)


class _FetchFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _FETCHING_ATTRIBUTES.get(tag, ()) and _REMOTE.match(value):
                self.findings.append(f"<{tag} {name}={value[:120]!r}> loads from the network")
            if name == "style" and _CSS_REMOTE.search(value):
                self.findings.append(f"<{tag} style> loads a remote url()")
            if tag == "script" and name == "src" and _DATA_SCRIPT.match(value):
                self._check_script(_decoded(value), f"<script src=data:…> ({len(value)} chars)")
            refresh_target = value.split("=", 1)[-1] if "url=" in value.lower() else ""
            if tag == "meta" and name == "content" and _REMOTE.search(refresh_target):
                self.findings.append("<meta http-equiv=refresh> redirects to the network")
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self._check_script(data, "inline <script>")
        elif self._in == "style" and _CSS_REMOTE.search(data):
            self.findings.append("<style> loads a remote url() or @import")

    def _check_script(self, code: str, where: str) -> None:
        for marker in ANALYTICS_MARKERS:
            if marker in code:
                self.findings.append(f"{where} contains analytics ({marker})")
        if _SCRIPT_FETCH.search(code):
            self.findings.append(f"{where} fetches an absolute URL")


def _decoded(data_url: str) -> str:
    try:
        return base64.b64decode(data_url.split(",", 1)[1]).decode("utf-8", errors="replace")
    except (ValueError, IndexError):
        return ""


def network_fetches(html: str) -> list[str]:
    """Every way the page would reach the network on open; empty means it is safe offline."""
    finder = _FetchFinder()
    finder.feed(html)
    finder.close()
    return finder.findings
