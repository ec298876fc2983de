"""Every exchange of a run, written to exchanges.jsonl as it happens; only recent ones in memory.

A hostile target can answer every call with megabytes: keeping every exchange until the end of
the run grew the suite to gigabytes. Each exchange is redacted and appended to the file the
moment it is recorded; memory keeps the last MEMORY exchanges (enough for the evidence a failing
test attaches: its own, most recent ones).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import IO

from conformance.exchange import Exchange
from conformance.redaction import Redactor

MEMORY = 256


class ExchangeLog:
    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path, self._redactor = path, redactor
        self._recent: OrderedDict[int, Exchange] = OrderedDict()
        self._lock = threading.Lock()  # the expiry lane records from its own thread
        self._out: IO[str] | None = None

    def record(self, exchange: Exchange) -> None:
        line = json.dumps(exchange.redacted(self._redactor), ensure_ascii=False) + "\n"
        with self._lock:
            if self._out is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._out = self.path.open("w", encoding="utf-8")
            self._out.write(line)
            self._recent[exchange.id] = exchange
            while len(self._recent) > MEMORY:
                self._recent.popitem(last=False)

    def recent(self, ids: list[int]) -> list[Exchange]:
        """Those of `ids` still in memory, in order (older ones are in the file)."""
        with self._lock:
            return [self._recent[i] for i in ids if i in self._recent]

    def close(self) -> None:
        with self._lock:
            if self._out is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text("", encoding="utf-8")  # a run without exchanges still has the file
            else:
                self._out.close()
                self._out = None
