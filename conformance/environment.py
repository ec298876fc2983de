"""The environment variables that mirror a run's options: one table, so each name is spelled once.

No imports: the profiles (which target), the conformance options, certify and load all read it.
Precedence everywhere is command line > environment > profile > default.
"""

from __future__ import annotations

ENV = {
    "profile": "CAP_PROFILE",
    "target": "CAP_TARGET",
    "strict": "CAP_STRICT",
    "plan": "CAP_PLAN",
    "seed": "CAP_SEED",
    "reports": "CAP_REPORTS_DIR",
    "destructive": "CAP_DESTRUCTIVE",
    "budget": "CAP_REQUEST_BUDGET",
}
