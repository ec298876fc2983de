"""The browser tests' Chromium (conformance.certify.browser, shared with `python -m docs.screenshots`) and the
scripts they run in its pages."""

from __future__ import annotations

from conformance.certify.browser import CANDIDATES, chromium, chromium_executable

__all__ = ["CANDIDATES", "CHART_TEXTS", "HORIZONTAL_OVERFLOW", "OPEN_EVERY_DETAILS", "chromium", "chromium_executable"]

HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
OPEN_EVERY_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"
CHART_TEXTS = """[...document.querySelectorAll('svg.chart')].map(svg => ({
  chart: svg.dataset.chart,
  width: svg.getBoundingClientRect().width,
  texts: [...svg.querySelectorAll('text')].map(t => t.textContent.trim()).filter(Boolean)}))"""
