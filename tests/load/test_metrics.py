"""Metrics per process and their aggregation across processes (what the master does)."""

from __future__ import annotations

from load.metrics import ProcessMetrics, RunMetrics
from load.token_cache import CachedToken, GenerationReason


def token(key: str) -> CachedToken:
    return CachedToken(value="t", version=1, expires_at=None, expiry_key=key, refresh_at=None)


def worker_with_regenerations(per_expiry: dict[str, int]) -> ProcessMetrics:
    metrics = ProcessMetrics(clock=lambda: 100.0)
    metrics.token_generated(GenerationReason.INITIAL, None)
    for key, count in per_expiry.items():
        metrics.expired_token_seen(token(key))
        for _ in range(count):
            metrics.token_generated(GenerationReason.REGENERATION, token(key))
    return metrics


def test_worker_deltas_add_up_on_the_master():
    run = RunMetrics()
    one, two = worker_with_regenerations({"s@10": 1}), worker_with_regenerations({"s@10": 1, "s@12": 1})
    one.request_finished(100.2, 5.0, failed=False)
    two.request_finished(100.7, 15.0, failed=True)
    two.request_finished(101.1, 1.0, failed=False, answered=False)

    run.merge("w1", one.drain())
    run.merge("w2", two.drain())
    summary = run.summary()

    assert summary["token_generations"] == {"initial": 2, "regeneration": 3, "refresh": 0, "direct": 0, "total": 5}
    assert summary["expired_498_seen"] == 3
    assert summary["http_answers"] == 2
    assert summary["processes"] == ["w1", "w2"]
    # second, requests, failures, mean, max, p50, p95, p99 (ms): percentiles of both workers' samples together
    assert run.timeline()["seconds"] == [[100, 2, 1, 10.0, 15.0, 5.0, 15.0, 15.0], [101, 1, 0, 1.0, 1.0, 1.0, 1.0, 1.0]]


def test_latency_percentiles_per_second_come_from_the_merged_histograms():
    one, two, run = ProcessMetrics(), ProcessMetrics(), RunMetrics()
    for ms in range(1, 91):  # 90 fast samples on one worker
        one.request_finished(200.0, float(ms), failed=False)
    for ms in (400.0, 404.0, 1234.0, 1250.0, 5000.0, 7000.0, 8000.0, 9000.0, 9900.0, 12345.0):  # 10 slow ones
        two.request_finished(200.5, ms, failed=False)

    run.merge("w1", one.drain())
    run.merge("w2", two.drain())
    [row] = run.timeline()["seconds"]

    # p95 is the 95th of 100 samples (the 5th slow one), p99 the 99th; 9900 ms stays 9900 (two significant digits)
    assert row[5:] == [50.0, 5000.0, 9900.0]


def test_the_timeline_carries_token_generations_per_expiry_per_process_for_the_herd_chart():
    run = RunMetrics()
    run.merge("w1", worker_with_regenerations({"s@10": 1, "s@12": 3}).drain())
    run.merge("w2", worker_with_regenerations({"s@10": 1}).drain())

    assert run.timeline()["herd"] == {"w1": {"s@10": 1, "s@12": 3}, "w2": {"s@10": 1}}


def test_the_herd_factor_is_counted_per_expiry_per_process_not_summed_across_processes():
    run = RunMetrics()
    # Two workers each regenerate once for the same expiry: one refresh per worker is expected.
    run.merge("w1", worker_with_regenerations({"s@10": 1}).drain())
    run.merge("w2", worker_with_regenerations({"s@10": 1}).drain())

    assert run.herd_factor() == 1.0


def test_the_herd_factor_is_the_worst_expiry_of_any_process():
    run = RunMetrics()
    run.merge("local", worker_with_regenerations({"s@10": 1, "s@12": 20}).drain())

    assert run.herd_factor() == 20.0
    assert run.summary()["herd"]["per_process"]["local"] == {"expiries": 2, "max": 20, "mean": 10.5}


def test_repeated_reports_of_one_worker_accumulate_and_drain_resets():
    metrics, run = worker_with_regenerations({"s@10": 1}), RunMetrics()
    run.merge("w1", metrics.drain())
    metrics.token_generated(GenerationReason.REGENERATION, token("s@10"))
    run.merge("w1", metrics.drain())

    assert run.herd_factor() == 2.0
    assert metrics.drain()["generations"] == {}


def test_nothing_expired_means_no_herd_factor_rather_than_zero():
    assert RunMetrics().herd_factor() is None


def test_the_rate_ratio_compares_iterations_done_with_iterations_planned():
    metrics, run = ProcessMetrics(), RunMetrics()
    metrics.plan(seconds=2.0, users=5, iterations_per_user_second=2.0)
    for _ in range(18):
        metrics.task_done()
    run.merge("local", metrics.drain())

    assert run.rate_ratio() == 0.9


def test_generator_cpu_is_reported_per_process_and_the_busiest_mean_counts():
    run = RunMetrics()
    for source, samples in {"w1": [10.0, 30.0], "w2": [95.0, 91.0]}.items():
        metrics = ProcessMetrics()
        for sample in samples:
            metrics.cpu_sample(sample)
        run.merge(source, metrics.drain())

    assert run.busiest_generator_cpu() == 93.0
    assert run.cpu_by_source()["w1"] == {"mean": 20.0, "max": 30.0, "samples": 2}


def test_a_recovery_is_handed_to_the_sample_callback_with_its_operation():
    samples = []
    metrics = ProcessMetrics(recovery_sample=lambda label, seconds, ok: samples.append((label, seconds, ok)))

    metrics.expiry_recovered("customer.get", 0.004, succeeded=True)
    metrics.expiry_recovered("customer.get", 0.010, succeeded=False)

    assert samples == [("customer.get", 0.004, True), ("customer.get", 0.010, False)]
    assert metrics.drain()["recovery_failures"] == 1


def test_a_seconds_latency_histogram_is_made_with_its_row_not_per_request(monkeypatch):
    import load.metrics

    made: list[int] = []

    class CountedCounter(load.metrics.Counter):  # type: ignore[type-arg]
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    metrics = ProcessMetrics(clock=lambda: 100.0)
    monkeypatch.setattr(load.metrics, "Counter", CountedCounter)
    for n in range(50):
        metrics.request_finished(300.0 + n / 100, 5.0 + n, failed=False)
    metrics.request_finished(301.0, 1.0, failed=False)

    assert len(made) == 2  # one per second of the run, however many requests it held
    assert sum(metrics.latency[300].values()) == 50 and sum(metrics.latency[301].values()) == 1
    assert sorted(metrics.latency) == sorted(metrics.seconds)
