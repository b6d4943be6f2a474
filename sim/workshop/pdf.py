"""HTML to PDF with a headless chromium (Playwright driving the system's browser, offline).

Uses ``/usr/bin/chromium`` (or ``$RECLAMARE_CHROMIUM``), never a downloaded browser. When
Playwright or the browser is missing, ``why_not()`` says why in one line and the kit is built
without PDFs.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("RECLAMARE_CHROMIUM", "/usr/bin/chromium")


def why_not() -> str | None:
    """None when PDFs can be made here, else the reason (one line)."""
    if not Path(CHROMIUM).is_file():
        return f"no chromium at {CHROMIUM} (set RECLAMARE_CHROMIUM to its path)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return None


def to_pdf(pages: list[tuple[Path, Path]]) -> None:
    """Print each (HTML file, PDF file) pair to A4 with backgrounds, in one browser session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            for source, target in pages:
                page.goto(Path(source).resolve().as_uri())
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
                )
        finally:
            browser.close()
