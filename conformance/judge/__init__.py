"""The client judge: certifies API *clients* (partners' integrations) of the Capillary OAuth flow.

A recording, fault-injecting reverse proxy (uvicorn + httpx) stands in front of a profile's
target; the client under test is launched with the proxy's URL and the profile's credentials in
environment variables; the recorded trace is then judged by pure checks, one per CAP-CLI
requirement (docs/contract.md section 8), and reported like server verdicts.

    proxy.py      the ASGI app: record every exchange, inject scheduled answers, forward the rest
    scenarios.py  the scenario catalogue and the injector (deterministic from a seed)
    trace.py      the recorded trace and the token facts derived from it (pure)
    checks.py     one pure function per requirement over the trace
    report.py     summary.json/html, JUnit, Allure, exchanges.jsonl, leak scan, signed bundle
    runner.py     one judged run: target, proxy, client process, verdicts, reports
    cli.py        `capillary-conformance client …` / `python -m conformance.judge …`
"""
