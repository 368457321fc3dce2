"""Regenerate ``docs/report.png``, the README's picture of the HTML report.

Run from anywhere, with the test extra installed (Playwright's Python
package) and a Chromium (``apt-get install -y chromium`` on Debian and
Ubuntu; else Playwright's own, ``playwright install chromium``)::

    python docs/make_screenshot.py                  # the national sample
    python docs/make_screenshot.py INSTANCE FOLDER PNG

It writes the plan's report to a temporary folder with
:func:`rollout.exports.report.write_report` and saves the first screen of a
1280×800 window, as a laptop shows it.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from rollout.exports.report import write_report
from rollout.io import load_instance, read_solution

ROOT = Path(__file__).resolve().parent.parent
#: Browser executables looked for on the PATH, in this order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable on the PATH, or None."""
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def screenshot(
    report_html: Path, png: Path, *, width: int = 1280, height: int = 800, executable: str | None = None
) -> Path:
    """Save a PNG of a report's first screen.

    Parameters
    ----------
    report_html
        A report written by :func:`rollout.exports.report.write_report`.
    png
        The PNG file to write; its folder is created if missing.
    width, height
        The browser window, in CSS pixels.
    executable
        The browser; :func:`find_chromium` by default, else Playwright's own.

    Returns
    -------
    Path
        ``png``.
    """
    from playwright.sync_api import sync_playwright

    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable or find_chromium(), headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(report_html.resolve().as_uri(), wait_until="load")
            page.screenshot(path=str(png))
        finally:
            browser.close()
    return png


def main(argv: list[str] | None = None) -> None:
    """Write the report of a plan and its screenshot (the national sample by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", nargs="?", type=Path, default=ROOT / "instances/national-s2-2015.yaml")
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "solutions/national-s2-2015")
    parser.add_argument("png", nargs="?", type=Path, default=ROOT / "docs/report.png")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        inst, result = load_instance(args.instance), read_solution(args.folder)
        html = write_report(inst, result, Path(tmp) / "report.html")
        print(screenshot(html, args.png))


if __name__ == "__main__":
    main()
