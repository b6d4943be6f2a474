"""report.html leads with the answer (issue 27, item 6), in a real headless chromium.

A small default study (52 weeks, so the verdict has weeks 4, 13 and 52) is drawn in English
and in bokmål; each page is opened at 1280x900 and must show, within that first screen, the
verdict (what pays and the table of who leads each key measure at each key week, every cell
with its interval) and the one figure that shows it, loaded. The scenario's description and
its setup (with the mechanisms) follow, folded: closed <details> that open on demand.
"""

from __future__ import annotations

import shutil

import pytest

from sim.i18n import translator
from tests.test_browser_app import launched_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """``{lang: report.html}`` of one small study, drawn in each language."""
    import sim
    from sim.cli import main

    root = tmp_path_factory.mktemp("report")
    outcome = sim.run_scenario(
        "default", settings={"network.n": 300}, replicates=2, out=root / "en", lang="en"
    )
    shutil.copytree(outcome.out, root / "nb")
    assert main(["report", str(root / "nb"), "--lang", "nb"]) == 0
    return {lang: root / lang / "report.html" for lang in ("en", "nb")}


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


def _on_first_screen(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], (selector, box)
    return box


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_verdict_and_its_figure_are_on_the_first_screen(reports, browser, lang):
    _ = translator(lang)
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(reports[lang].as_uri())
        assert page.locator("html").get_attribute("lang") == lang
        assert page.evaluate("window.scrollY") == 0
        _on_first_screen(page, "#answer h2")
        assert page.locator("#answer h2").inner_text() == _("The answer")
        verdict = page.locator("#verdict")
        _on_first_screen(page, "#verdict")
        text = verdict.inner_text()
        assert _("What pays:") in text  # profit to date, with its paired interval
        # Who leads each key measure at weeks 4, 13 and 52: every cell has its interval.
        heads = page.locator("table.leads th").all_inner_texts()
        weeks = [_("week {week}").format(week=w) for w in (4, 13, 52)]
        assert heads[1:] == weeks, heads
        cells = page.locator("table.leads td:not(.arm)")
        assert cells.count() >= 3
        for k in range(cells.count()):
            assert cells.nth(k).locator(".ci").count() == 1, cells.nth(k).inner_text()
        _on_first_screen(page, "table.leads")
        # The figure that shows it: drawn (decoded), described, beside the verdict.
        figure = _on_first_screen(page, "#answer-figure img")
        assert figure["width"] > 300 and figure["height"] > 150
        assert page.evaluate("document.querySelector('#answer-figure img').naturalWidth") > 0
        assert page.locator("#answer-figure img").get_attribute("alt") == _(
            "Profit to date over the weeks, per arm"
        )
        # The description and the setup (with the mechanisms) follow, folded.
        for selector in ("details.about", "details.setup"):
            details = page.locator(selector)
            assert details.count() == 1 and details.get_attribute("open") is None
        assert not page.locator("ul.setup").is_visible()
        page.locator("details.setup > summary").click()
        assert page.locator("ul.setup").is_visible()
    finally:
        page.close()
