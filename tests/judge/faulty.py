"""How a faulty example client is judged in the tests: the same call the client matrix makes."""

from __future__ import annotations

from pathlib import Path

from fixtures.client_matrix import Row, clients, evaluate, signing_key


def judged(fault: str, work: Path) -> Row:
    client = next(c for c in clients() if c.name == fault)
    row = evaluate(client, work, signing_key(work))
    assert row.caught, f"{fault}: exit {row.exit_code}, failing {row.failing_requirements}\n{row.output}"
    return row
