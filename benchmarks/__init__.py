"""Benchmarks: the suite's wall time, the load generator's efficiency, the regeneration herd, the
reference server's throughput and Locust's scale-out, measured side by side on this machine.

`python -m benchmarks [--quick] [--only NAME]` runs them and rewrites `benchmarks/RESULTS.md`.
Nothing here imports locust: Locust runs as child processes (the two locustfiles in this folder,
`bare_locustfile.py` and `locust_probe.py`, are only ever loaded by `locust -f`).
"""
