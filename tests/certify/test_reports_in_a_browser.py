"""The bundle's pages in a real browser (Debian's Chromium via Playwright), at phone and desktop widths.

Each page must fit its width (no sideways page scroll, even with every <details> opened), show
its verdict, carry charts with their axis labels, and make no request beyond its own file.
A control page that overflows and fetches proves the measurements can fail. Never skipped:
without Chromium this fails and says how to install it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import CHART_TEXTS, HORIZONTAL_OVERFLOW, OPEN_EVERY_DETAILS, chromium

WIDTHS = (420, 1400)
AXIS_LABELS = {
    "verdicts-by-area": {"requirements", "Requirement verdicts per area", "Token generation"},
    "load-timeline": {"requests/s", "milliseconds", "seconds since the run started", "p95"},
    "herd": {"generations", "expiry (time since the run started)"},
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as error:
        pytest.fail(str(error))  # never a skip: a browser test that did not run did not pass


class Visit:
    """One page at one width: what it requested, and measurements taken in the page."""

    def __init__(self, browser: Any, path: Path, width: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def overflow(self) -> int:
        return int(self.page.evaluate(HORIZONTAL_OVERFLOW))

    def other_requests(self) -> list[str]:
        return [url for url in self.requests if url != self.url]

    def charts(self) -> dict[str, dict[str, Any]]:
        return {chart["chart"]: chart for chart in self.page.evaluate(CHART_TEXTS)}

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_page(path: Path, width: int) -> Visit:
        opened.append(Visit(browser, path, width))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def test_the_measurements_can_fail_on_a_page_that_overflows_and_fetches(visit, tmp_path: Path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><meta name="viewport" content="width=device-width">'
                   '<div style="width:2000px">wide</div><img src="http://127.0.0.1:9/pixel.png">')

    page = visit(bad, 420)

    assert page.overflow() > 0
    assert page.other_requests() == ["http://127.0.0.1:9/pixel.png"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_summary_fits_the_screen_shows_its_verdict_and_charts_and_fetches_nothing(visit, gate_bundle: Path,
                                                                                      width: int):
    page = visit(gate_bundle / "summary.html", width)

    assert page.overflow() <= 0
    banner = page.page.locator("#verdict")
    assert banner.is_visible() and banner.inner_text().startswith("CONFORMANT")
    charts = page.charts()
    assert set(charts) == set(AXIS_LABELS)
    for name, labels in AXIS_LABELS.items():
        assert labels <= set(charts[name]["texts"]), name
        assert 0 < charts[name]["width"] <= width
    page.page.evaluate(OPEN_EVERY_DETAILS)  # a hundred forged tokens' evidence, opened, still wraps
    assert page.overflow() <= 0
    assert page.page.locator("a[href^='exchanges.html#exchange-']").first.is_visible()
    assert page.other_requests() == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_load_timeline_fits_the_screen_with_its_charts_and_fetches_nothing(visit, gate_bundle: Path, width: int):
    page = visit(gate_bundle / "load" / "timeline.html", width)

    assert page.overflow() <= 0
    assert page.page.locator("h1").is_visible()
    charts = page.charts()
    assert set(charts) == {"load-timeline", "herd"}
    for name in charts:
        assert AXIS_LABELS[name] <= set(charts[name]["texts"]), name
    assert page.other_requests() == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_exchanges_page_wraps_long_tokens_and_fetches_nothing(visit, gate_bundle: Path, width: int):
    page = visit(gate_bundle / "exchanges.html", width)

    assert page.overflow() <= 0
    assert page.page.locator("section[id^='exchange-']").first.is_visible()
    assert page.other_requests() == []
