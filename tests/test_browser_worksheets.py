"""Every exercise's worksheet, done literally in the browser app, in bokmål and in English.

The steps come from the same place as the printed worksheet: ``Exercise.app_steps`` (what to
press, type, move and read, one tuple per paragraph of *In the app*) and the paragraphs' text
filled with the app's own words (``sim.workshop.appsteps``). For each step the test does what
the sheet says on the page and checks what the sheet says students will then see: the menu's
name of the exercise, the panels' names (``A: reklame 20`` / ``B: reklame 80``), the week the
run reached, the chart it tells them to choose, the scoreboard rows it tells them to read, and
the 20-run verdicts where it asks for them. The buttons and controls are found by the words the
sheet prints, so a sheet naming something the page does not show fails here (and
``test_a_step_naming_what_the_app_does_not_show_fails`` checks that it does). When a worksheet
changes, this test changes with it.

One app server for the module (Play paced at 20 ms a week instead of 250 ms:
``RECLAMARE_PLAY_INTERVAL_S``), one browser, a fresh context per exercise and language.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from sim.i18n import translator
from sim.viz.server import server_command, server_env
from sim.workshop import appsteps
from sim.workshop.exercises import EXERCISES, Step
from tests.test_browser_app import (
    TIMEOUT_MS,
    Recorder,
    _free_port,
    _screens,
    _text_problems,
    _wait_for_http,
    _wait_week,
    _week,
    launched_chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def worksheet_server(tmp_path_factory):
    """The app server on a free loopback port, Play fast; stopped by its process id."""
    tmp_path = tmp_path_factory.mktemp("worksheets")
    port = _free_port()
    env = server_env("default")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = "http://127.0.0.1:9"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["RECLAMARE_PLAY_INTERVAL_S"] = "0.02"
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        server_command("127.0.0.1", port), env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_http(url, process)
        yield url, port, tmp_path / "server.log"
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


class Sheet:
    """One exercise's worksheet done on one page: what it says, and what the page shows."""

    def __init__(self, page, exercise, lang: str):
        self.page, self.exercise, self.lang = page, exercise, lang
        self.names = appsteps.names(exercise, lang)
        self._ = translator(lang)
        self.changes: dict = {}
        self.compare = False
        self.weeks = appsteps._preset(exercise.scenario).weeks

    # ------------------------------------------------------------------ what students see

    def titles(self) -> list[str]:
        return appsteps.panel_names(self.exercise, self.lang, self.compare, **self.changes)

    def expect_titles(self) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator(".rc-net-title")).to_have_text(self.titles())

    def expect_text(self, selector: str, text: str, timeout: float | None = None) -> None:
        """``selector`` shows ``text`` (the words the sheet prints) within ``timeout`` ms
        (playwright's default, 5 s, when None)."""
        from playwright.sync_api import expect

        expect(self.page.locator(selector).first).to_contain_text(text, timeout=timeout)

    def see(self, what: str) -> None:
        kind, key = what.split(":", 1)
        if kind == "row":
            label = self.names["row"][key]
            found = self.page.evaluate(
                "label => [...document.querySelectorAll('.reclamare-scoreboard tr')]"
                ".some(r => r.children.length >= 2 && r.children[0].textContent.trim()"
                ".startsWith(label) && r.children[1].textContent.trim() !== '')",
                label,
            )
            assert found, f"{self.where}: no scoreboard row “{label}” with values"
        elif kind == "chart":
            try:
                self.page.wait_for_selector(f".reclamare-chart.chart-{key}", timeout=10_000)
            except Exception as error:  # noqa: BLE001 (a timeout of playwright's own kind)
                raise AssertionError(f"{self.where}: chart {key} not on the page") from error
            self.page.wait_for_function(
                "k => document.querySelectorAll(`.chart-${k} svg text`).length > 0", arg=key
            )
            self.expect_text(f".reclamare-chart.chart-{key}", self.names["chart"][key])
        else:
            raise AssertionError(f"{self.where}: unknown thing to see {what!r}")

    # ------------------------------------------------------------------ what students do

    @property
    def where(self) -> str:
        return f"{self.exercise.id} ({self.lang})"

    def press(self, selector: str, word: str) -> None:
        """Press the button the sheet names ``word`` (its text must say so)."""
        button = self.page.locator(selector)
        self.expect_text(selector, word)
        button.click()

    def slider(self, name: str, label: str, keys: list[str]) -> None:
        self.expect_text(f".slider-{name}", label)
        self.page.locator(f".slider-{name} .v-slider__thumb-container").focus()
        for key in keys:
            self.page.keyboard.press(key)
        # let go of the slider (its value label shows only while it is held)
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")

    def choose(self, control: str, label: str, item: str, nth: int = 0) -> None:
        """In the menu labelled ``label`` choose ``item`` (both as the sheet prints them)."""
        box = self.page.locator(f".control-{control}").nth(nth)
        self.expect_text(f".control-{control} >> nth={nth}", label)
        box.locator(".v-select__slot").click()
        option = self.page.locator(
            ".menuable__content__active .v-list-item__title", has_text=item
        ).first
        option.click()
        self.page.locator(".menuable__content__active").wait_for(state="hidden")

    def do(self, step: Step) -> None:
        page, names = self.page, self.names
        if step.do == "open":
            # The teacher's link opens the scenario; the menu names it as the sheet does.
            self.expect_text(".reclamare-scenario .select-preset", names["preset"])
            self.expect_titles()
        elif step.do == "compare":
            box = page.locator(".reclamare-compare")
            self.expect_text(".reclamare-compare", names["app"]["side_by_side"])
            box.get_by_text(names["app"]["side_by_side"]).click()
            self.compare = True
            page.wait_for_selector(".rc-network.arm-1 canvas")
            self.expect_titles()
            _wait_week(page, 0)
        elif step.do == "play":
            self.press(".rc-play", names["app"]["play"])
            _wait_week(page, self.weeks)
        elif step.do == "reset":
            self.press(".rc-reset", names["app"]["reset"])
            _wait_week(page, 0)
        elif step.do == "goto":
            self.expect_text(".rc-goto-label", names["app"]["goto"])
            field = page.locator(".rc-goto input")
            field.fill(str(step.value))
            field.press("Enter")
            _wait_week(page, int(step.value))
        elif step.do == "budget_b":
            value = float(step.value)
            assert value % 20 == 0, "the budget slider moves 20 cu a Page Up"
            self.expect_text(".rc-campaign-b", names["app"]["campaign_b"])
            keys = ["Home"] + ["PageUp"] * int(value // 20)
            self.slider("budget_b", names["control"]["budget"], keys)
            self.changes["budget_b"] = value
            self.expect_titles()
            _wait_week(page, 0)  # a change applies at once: the run starts again
        elif step.do == "share_b":
            value = float(step.value)
            keys = ["Home"] + ["PageUp"] * round(value / 0.5)  # 0.5 a Page Up
            self.slider("push_share_b", names["control"]["push_share"], keys)
            self.changes["push_share_b"] = value
            self.expect_titles()
            _wait_week(page, 0)
        elif step.do == "strategy_b":
            self.choose("strategy_b", names["control"]["strategy"], names["strategy"][step.value])
            self.changes["strategy_b"] = step.value
            self.expect_titles()
            _wait_week(page, 0)
        elif step.do == "chart":
            self.choose("charts", names["app"]["chart3"], names["chart"][step.value], nth=2)
        elif step.do == "replicates":
            self.press(".rc-replicates", names["app"]["replicates"])
            note = self._("Verdicts from {n} runs of each campaign (95 % interval of B minus A).")
            # the note changes when the 20 runs are done: seconds on an idle machine, more than
            # playwright's 5 s default on a loaded one (seen: a full suite beside a calibration)
            self.expect_text(".rc-score-note", note.split("{n}")[0].strip(), timeout=120_000)
            page.wait_for_function(
                "() => { const e = document.querySelector('.rc-score-note');"
                " return e && e.textContent.includes('20'); }",
                timeout=120_000,
            )
            verdicts = page.locator(".rc-verdict").all_inner_texts()
            allowed = {"A", "B", self._("tie"), ""}
            assert verdicts and set(verdicts) <= allowed, (self.where, verdicts)
            assert any(verdicts), f"{self.where}: no verdict on the scoreboard"
        elif step.do != "read":
            raise AssertionError(f"{self.where}: unknown step {step.do!r}")
        for what in step.see:
            self.see(what)


def _follow(sheet: Sheet) -> None:
    for paragraph in sheet.exercise.app_steps:
        for step in paragraph:
            sheet.do(step)


def _open(browser, url: str, port: int, exercise, lang: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    recorder = Recorder(port)
    recorder.install(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}?preset={exercise.scenario}&lang={lang}")
    page.wait_for_selector(".reclamare-chart-body svg text")
    _wait_week(page, 0)
    return context, page, recorder


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_worksheet_done_in_the_app(exercise, lang, browser, worksheet_server, tmp_path):
    url, port, server_log = worksheet_server
    # The sheet's text is what the test does: each paragraph has its steps.
    assert len(exercise.app_steps) == len(appsteps.app_text(exercise, lang))
    context, page, recorder = _open(browser, url, port, exercise, lang)
    try:
        sheet = Sheet(page, exercise, lang)
        _follow(sheet)
        assert _week(page) >= 0
        problems = _text_problems(page)  # the sheet's last state, at 1280 x 720
        assert not problems, f"text under 14 px or cut: {problems[:12]}"
        for folder in _screens(tmp_path):
            page.screenshot(path=str(folder / f"worksheet-{exercise.number}-{lang}.png"))
    finally:
        context.close()
    recorder.check()
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def test_a_step_naming_what_the_app_does_not_show_fails(browser, worksheet_server):
    """The test can fail: a sheet that tells students to read a measure the app has no row
    for (the irritated share, as exercise 1's sheet once did), a button under another name, or
    other panels than the app opens, is caught."""
    url, port, _log = worksheet_server
    exercise = EXERCISES[0]
    context, page, _recorder = _open(browser, url, port, exercise, "nb")
    try:
        sheet = Sheet(page, exercise, "nb")
        sheet.do(Step("open"))
        with pytest.raises(KeyError):  # the app has no row for it: the sheet cannot name it
            sheet.do(Step("read", see=("row:irritated",)))
        sheet.names["row"]["awareness"] = "Andelen irriterte"
        with pytest.raises(AssertionError, match="no scoreboard row"):
            sheet.do(Step("read", see=("row:awareness",)))
        sheet.names["app"]["play"] = "Start"
        with pytest.raises(AssertionError):
            sheet.page.set_default_timeout(2_000)
            sheet.do(Step("play"))
        sheet.page.set_default_timeout(TIMEOUT_MS)
        sheet.exercise = replace(exercise, scenario="workshop/crisis")  # other panels
        sheet.changes = {"budget_b": 80.0}
        sheet.compare = True
        with pytest.raises(AssertionError):
            sheet.page.set_default_timeout(2_000)
            sheet.expect_titles()
    finally:
        context.close()
