"""Regenerate the README's screenshots: `python3 run.py screenshots` (or `python -m docs.screenshots`).

Runs the main job's gate plan with a load smoke against the embedded reference server (or takes
`--bundle DIR`), opens the bundle's summary.html and load/timeline.html in Chromium and writes
docs/screenshots/summary.png (desktop, the top), summary-requirements.png (desktop, the
requirements), summary-phone.png (420 px) and load-chart.png.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from conformance.certify.browser import chromium

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def make_bundle(root: Path) -> Path:
    """A fresh gate bundle with 10 s of load (so the chart shows several expiries)."""
    subprocess.run([sys.executable, "-m", "conformance.certify", "run", "--plan", "gate", "--load-seconds", "10",
                    "--reports-root", str(root)], cwd=ROOT, check=False)
    bundles = sorted(p for p in root.glob("reference-*") if p.is_dir())
    if not bundles:
        sys.exit("screenshots: the certification run made no bundle")
    return bundles[-1]


def shoot(bundle: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium() as browser:
        for name, width, height in (("summary.png", 1280, 1500), ("summary-phone.png", 420, 1300)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((bundle / "summary.html").resolve().as_uri(), wait_until="load")
            page.screenshot(path=str(out / name))
            written.append(out / name)
            if name == "summary.png":  # and the requirements, with their chart, basis and evidence
                page.evaluate("document.querySelector('#req-CAP-TOK-02 details.evidence').open = true")
                top = page.locator("#requirements").bounding_box()
                clip = {"x": 0, "y": (top or {"y": 0})["y"] - 8, "width": width, "height": 1300}
                page.screenshot(path=str(out / "summary-requirements.png"), full_page=True, clip=clip)
                written.append(out / "summary-requirements.png")
            page.close()
        page = browser.new_page(viewport={"width": 900, "height": 900})
        page.goto((bundle / "load" / "timeline.html").resolve().as_uri(), wait_until="load")
        page.locator("svg[data-chart='load-timeline']").screenshot(path=str(out / "load-chart.png"))
        written.append(out / "load-chart.png")
        page.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="an existing bundle (default: make a fresh gate bundle)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go (default docs/screenshots)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        bundle = args.bundle or make_bundle(Path(scratch))
        for path in shoot(bundle, args.out):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
