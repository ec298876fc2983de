"""What the bundle's HTML pages share: how a value from the run is escaped, and the base of their style.

Every value from a run (target answers included, which are attacker-controlled text) goes through
`text` before it reaches a page.
"""

from __future__ import annotations

from html import escape
from typing import Any

# Box model, body text and code font of summary.html and exchanges.html: long names wrap, nothing
# scrolls sideways; each page adds its own rules after these.
BASE_CSS = """
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1f23;margin:0 auto;
max-width:75em;padding:1em;overflow-wrap:anywhere}
code,pre{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
"""


def text(value: Any) -> str:
    """`value` as escaped HTML text; None is empty."""
    return escape("" if value is None else str(value))
