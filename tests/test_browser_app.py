"""The browser app in a real headless chromium (Debian's ``/usr/bin/chromium`` via Playwright).

Starts the app server on a free loopback port and drives the page as a teacher would at a
1280 x 720 projector: side by side, the scoreboard, both networks and three charts must lie inside
the window (element geometry) with no text under 14 px; Step, Play, Reset, a preset, *Run 20
times* (intervals and verdicts), presentation mode, the bokmål page, the share link (reopens the
same settings), and the downloads (CSV, a scenario file that loads, a PNG drawn in the browser).
In both languages, with the 20-run verdicts shown, every text is measured as rendered (CSS
transforms and zoom included): none under 14 px, none clipped, cut with an ellipsis or outside
the window (``TEXT_LAYOUT_JS``; tests/test_browser_worksheets.py uses it on every exercise).
Every request to a host other than the local server is refused (route-blocked) and recorded:
the test fails if the page tried one, or if any request failed.

Skips with a reason when chromium or the Playwright package is missing, unless
``RECLAMARE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the skip into a failure.
Screenshots go to the test's tmp folder and, when ``RECLAMARE_SCREENSHOT_DIR`` is set, there too
(``RECLAMARE_SCREENSHOT_DIR=docs/figures/app`` makes the pictures of docs/app.md).
Playwright never downloads a browser here: it is pointed at the system chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sim.study.scenario import load_scenario
from sim.viz.server import server_command, server_env

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE = os.environ.get("RECLAMARE_REQUIRE_BROWSER", "") == "1"
TIMEOUT_MS = 30_000


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"RECLAMARE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    found = shutil.which("chromium")
    if not found:
        _unavailable(
            "no chromium browser (/usr/bin/chromium); install Debian's 'chromium' package "
            "to run the browser test"
        )
    return found


@contextlib.contextmanager
def launched_chromium():
    """Headless chromium launched by playwright for a module's tests (skipped, or failed under
    RECLAMARE_REQUIRE_BROWSER=1, when chromium or playwright is missing)."""
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"the app server did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def browser_executable() -> str:
    """The system chromium and the Playwright package, or a skip (a failure on CI)."""
    executable = _chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install playwright)")
    return executable


# Until sim.i18n loads the catalogue itself, the server process gets it from the PO file through
# this sitecustomize (a test helper; it does nothing once the real catalogue translates).
SITECUSTOMIZE = """
import sys
sys.path.insert(0, {tests!r})
import sim.i18n as i18n
if i18n.translator("nb")("Week {{week}}") == "Week {{week}}":
    from po_catalogue import read_po
    _table = read_po()
    _original = i18n.translator
    def translator(lang="en"):
        i18n.check_language(lang)
        if lang == "nb":
            return lambda message: _table.get(message) or message
        return _original(lang)
    i18n.translator = translator
"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The app server on a free loopback port; stopped by its process id, even on failure."""
    tmp_path = tmp_path_factory.mktemp("app")
    port = _free_port()
    env = server_env("default")
    # Any attempt by the server itself to reach the internet fails fast instead of succeeding.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = "http://127.0.0.1:9"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        SITECUSTOMIZE.format(tests=str(Path(__file__).resolve().parent))
    )
    env["PYTHONPATH"] = os.pathsep.join([str(shim), env["PYTHONPATH"]])
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
            process.terminate()  # by its own pid
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def _screens(tmp_path: Path) -> list[Path]:
    folders = [tmp_path / "screenshots"]
    extra = os.environ.get("RECLAMARE_SCREENSHOT_DIR")
    if extra:
        folders.append(Path(extra))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


# Every element with its own visible text, and every SVG text (the charts), with its size.
SMALL_TEXT_JS = """
() => {
  const small = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own && el.tagName.toLowerCase() !== 'text') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (style.opacity === '0') continue;
    let size = parseFloat(style.fontSize);
    if (el.tagName.toLowerCase() === 'text' && el.getAttribute('font-size')) {
      size = parseFloat(el.getAttribute('font-size'));
    }
    const m = (el.getAttribute('style') || '').match(/font:[^;]*?(\\d+(\\.\\d+)?)px/);
    if (m) size = parseFloat(m[1]);
    if (size < 14) {
      const text = el.textContent.trim().slice(0, 40);
      const key = el.tagName + text;
      if (!seen.has(key)) { seen.add(key); small.push(`${el.tagName} ${size}px "${text}"`); }
    }
  }
  return small;
}
"""

# Every visible text on the page, as rendered: its size after CSS transforms and zoom (a
# Vuetify label floated with scale(0.75) is 10.5 px, whatever its font-size says), and whether
# it is cut: wider than its box where the box hides the overflow (an ellipsis or a clip), or
# outside an ancestor that hides its overflow. SVG text (the charts) is measured with the
# drawing's scale and must lie inside its drawing.
TEXT_LAYOUT_JS = """
() => {
  const small = [], cut = [];
  const seen = new Set();
  const note = (list, el, what) => {
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    const key = what + el.tagName + text;
    if (!seen.has(key)) { seen.add(key); list.push(`${el.tagName} ${what} "${text}"`); }
  };
  const shown = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden' || st.opacity === '0') return false;
    }
    return true;
  };
  const scaleOf = el => {  // CSS transforms of the element and its ancestors, and zoom
    let scale = el.currentCSSZoom || 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const t = getComputedStyle(e).transform;
      if (t && t !== 'none') {
        const m = new DOMMatrixReadOnly(t);
        scale *= Math.hypot(m.a, m.b);
      }
    }
    return scale;
  };
  const hides = st => ['hidden', 'clip', 'auto', 'scroll'].includes(st.overflowX)
    || ['hidden', 'clip'].includes(st.overflowY);
  for (const el of document.querySelectorAll('body *')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'style', 'title', 'noscript', 'option'].includes(tag)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const svgText = tag === 'text' || tag === 'tspan';
    if (!own) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (!shown(el)) continue;
    const st = getComputedStyle(el);
    let size = parseFloat(st.fontSize);
    if (box.right > innerWidth + 1 || box.left < -1) note(cut, el, 'outside the window');
    if (svgText) {
      const svg = el.ownerSVGElement;
      const ctm = el.getScreenCTM();
      if (ctm) size *= Math.hypot(ctm.a, ctm.b);
      if (svg) {
        const r = svg.getBoundingClientRect();
        if (box.left < r.left - 1 || box.right > r.right + 1 || box.top < r.top - 1
            || box.bottom > r.bottom + 1) note(cut, el, 'outside its chart');
      }
    } else {
      size *= scaleOf(el);
      if (el.scrollWidth > el.clientWidth + 1 && hides(st)) {
        note(cut, el, st.textOverflow === 'ellipsis' ? 'ends in an ellipsis' : 'clipped');
      } else if (st.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
        note(cut, el, 'ends in an ellipsis');
      }
      // cut by an ancestor that hides what overflows it
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ast = getComputedStyle(a);
        const scrolls = v => ['auto', 'scroll'].includes(v);
        const clips = v => ['hidden', 'clip'].includes(v);
        if (scrolls(ast.overflowX) || scrolls(ast.overflowY)) break;  // reachable by scrolling
        if (!clips(ast.overflowX) && !clips(ast.overflowY)) continue;
        const r = a.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) break;
        const across = box.left < r.left - 1 || box.right > r.right + 1;
        const down = clips(ast.overflowY) && (box.top < r.top - 1 || box.bottom > r.bottom + 1);
        if (across || down) { note(cut, el, 'clipped by ' + a.className); break; }
      }
    }
    if (size < 13.95) note(small, el, `${size.toFixed(1)}px`);
  }
  return {small, cut};
}
"""

OVERLAPPING_LINE_NAMES_JS = """
() => {
  // The names at the lines' ends (bold SVG text in each line chart) must not cover or touch
  // each other.
  const found = [];
  for (const chart of document.querySelectorAll('.reclamare-chart')) {
    if (chart.className.includes('chart-histogram')) continue;
    const names = [...chart.querySelectorAll('svg text')].filter(t => {
      const w = t.getAttribute('font-weight') || getComputedStyle(t).fontWeight;
      return String(w) === '600' || String(w) === 'bold';
    }).map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
      const [a, r] = names[i], [b, q] = names[j];
      const overlap = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      const across = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      if (overlap > 0 && across > 2) found.push(`${a} / ${b}`);
    }
  }
  return found;
}
"""

BOX_JS = """
(selector) => [...document.querySelectorAll(selector)].map(e => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
})
"""


class Recorder:
    """Every request the page makes; requests to other hosts are refused and remembered."""

    def __init__(self, port: int):
        self.local = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.foreign: list[str] = []
        self.failures: list[str] = []

    def install(self, context) -> None:
        def route(r):
            url = r.request.url
            if urlparse(url).scheme in ("data", "blob") or urlparse(url).netloc in self.local:
                r.continue_()
            else:
                self.foreign.append(url)
                r.abort()

        context.route("**/*", route)
        context.on(
            "response",
            lambda resp: (
                self.failures.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None
            ),
        )

    def check(self) -> None:
        assert not self.foreign, f"requests to hosts other than the local server: {self.foreign}"
        blocked = [f for f in self.failures if not any(u in f for u in self.foreign)]
        assert not blocked, f"failed requests: {blocked[:10]}"


def _week(page) -> int:
    text = page.locator(".reclamare-week").inner_text()
    return int(text.split("/")[0].split()[-1])


def _wait_week(page, week: int) -> None:
    page.wait_for_function(
        "w => { const e = document.querySelector('.reclamare-week');"
        " return e && parseInt(e.textContent.split('/')[0].trim().split(' ').pop()) === w; }",
        arg=week,
        timeout=TIMEOUT_MS,
    )


def _step(page, times: int) -> None:
    start = _week(page)
    for k in range(1, times + 1):
        page.locator(".rc-step").click()
        _wait_week(page, start + k)


def _inside(box, width: int, height: int) -> bool:
    left, top, right, bottom = box
    return left >= 0 and top >= 0 and right <= width + 0.5 and bottom <= height + 0.5


def _canvas_signature(page, index: int) -> str:
    return page.evaluate(
        "i => document.querySelectorAll('.rc-network canvas')[i].toDataURL().slice(-200)", index
    )


def test_projector_layout_and_classroom_features(browser_executable, app_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, port, server_log = app_server
    recorder = Recorder(port)
    folders = _screens(tmp_path)
    width, height = 1280, 720

    def shot(page, name: str) -> None:
        for folder in folders:
            page.screenshot(path=str(folder / f"{name}.png"))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, accept_downloads=True
            )
            recorder.install(context)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url)
            page.wait_for_selector(".reclamare-chart-body svg text")
            _wait_week(page, 0)

            # Side by side applies at once: two networks, the scoreboard, three charts.
            page.locator(".reclamare-compare").get_by_text("Side by side").click()
            page.wait_for_selector(".rc-network.arm-1 canvas")
            expect(page.locator(".reclamare-scoreboard")).to_contain_text("B")
            before = [_canvas_signature(page, 0), _canvas_signature(page, 1)]
            _step(page, 6)
            page.wait_for_function(
                "() => document.querySelectorAll('.reclamare-chart-body svg path').length > 6"
            )
            after = [_canvas_signature(page, 0), _canvas_signature(page, 1)]
            assert after[0] != before[0] and after[1] != before[1], "networks not redrawn"

            # Run 20 times: intervals on the charts and verdicts (A, B or tie) on the scoreboard.
            page.locator(".rc-replicates").click()
            expect(page.locator(".rc-score-note")).to_contain_text(
                "Verdicts from 20 runs", timeout=120_000
            )
            verdicts = page.locator(".rc-verdict").all_inner_texts()
            assert verdicts and set(verdicts) <= {"A", "B", "tie", ""}, verdicts
            assert page.locator(".reclamare-scoreboard svg rect").count() >= 5  # B - A bars
            page.wait_for_function(  # the bands: polygons drawn by the custom series
                "() => document.querySelectorAll('.reclamare-chart-body svg path[fill-opacity],"
                " .reclamare-chart-body svg path[opacity]').length > 0"
                " || document.querySelectorAll('.reclamare-chart-body svg path').length > 20"
            )

            # The projector: everything the class must see is inside 1280 x 720.
            boxes = {
                "scoreboard": page.evaluate(BOX_JS, ".reclamare-scoreboard"),
                "networks": page.evaluate(BOX_JS, ".rc-network canvas"),
                "charts": page.evaluate(BOX_JS, ".reclamare-chart"),
                "run buttons": page.evaluate(BOX_JS, ".rc-step, .rc-play, .rc-reset"),
            }
            assert len(boxes["networks"]) == 2 and len(boxes["charts"]) == 3
            outside = {
                name: [b for b in found if not _inside(b, width, height)]
                for name, found in boxes.items()
            }
            assert not any(outside.values()), f"outside the 1280 x 720 window: {outside}"
            a, b = boxes["networks"]
            assert a[2] <= b[0] and abs(a[1] - b[1]) < 1, "networks are not side by side"
            small = page.evaluate(SMALL_TEXT_JS)
            assert not small, f"text under 14 px: {small[:12]}"
            covered = page.evaluate(OVERLAPPING_LINE_NAMES_JS)
            assert not covered, f"line names on top of each other: {covered}"
            shot(page, "side-by-side-en")

            # Presentation mode hides the controls; the views grow; still no small text.
            page.locator(".rc-present").click()
            expect(page.locator(".rc-controls")).to_have_count(0)
            assert not page.evaluate(SMALL_TEXT_JS)
            shot(page, "presentation-en")
            page.locator(".rc-present").click()
            expect(page.locator(".rc-controls")).to_have_count(1)

            # Downloads: the runs as CSV, a scenario file that loads, a chart as PNG.
            with page.expect_download() as info:
                page.get_by_text("Runs as CSV").click()
            csv_text = Path(info.value.path()).read_text(encoding="utf-8")
            assert csv_text.startswith("arm,week,awareness") and "A: push" in csv_text
            with page.expect_download() as info:
                page.get_by_text("Scenario file (TOML)").click()
            saved = tmp_path / "saved.toml"
            saved.write_bytes(Path(info.value.path()).read_bytes())
            scenario = load_scenario(saved, preflight=False)
            assert [arm.push_share for arm in scenario.resolve()[1]] == [1.0, 0.0]
            with page.expect_download() as info:
                page.locator(".chart-awareness .reclamare-png").click()
            assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

            # Play stops at the scenario's last week (52), not at 520.
            page.locator(".rc-play").click()
            _wait_week(page, 52)
            page.wait_for_timeout(800)
            assert _week(page) == 52
            expect(page.locator(".rc-play")).to_be_disabled()

            # The share link reopens the same settings, here in bokmål.
            href = page.locator(".rc-share-link").get_attribute("href")
            assert "compare=1" in href and "strategy=push" in href
            page.goto(url + href.replace("lang=en", "lang=nb"))
            page.wait_for_selector(".rc-network.arm-1 canvas")
            page.wait_for_selector(".reclamare-chart-body svg text")
            expect(page.locator(".reclamare-week")).to_contain_text("Uke 0")
            _step(page, 6)
            expect(page.locator(".reclamare-scoreboard")).to_contain_text("Kjenner merket")
            expect(page.locator(".rc-step")).to_have_text("Neste uke")
            small = page.evaluate(SMALL_TEXT_JS)
            assert not small, f"text under 14 px (nb): {small[:12]}"
            shot(page, "side-by-side-nb")
        finally:
            browser.close()

    recorder.check()
    log = server_log.read_text(errors="replace")
    assert "Could not load URL" not in log, log[-2000:]
    assert "Traceback" not in log, log[-3000:]


def _spent(page) -> list[int]:
    """The scoreboard's 'spent' row (A, B) as whole numbers (any thousands separator)."""
    cells = page.evaluate(
        "() => [...document.querySelectorAll('.reclamare-scoreboard tr')]"
        ".map(r => [...r.children].map(c => c.textContent))"
        ".filter(r => r[0].startsWith('Brukt'))[0].slice(1, 3)"
    )
    return [int("".join(ch for ch in cell if ch.isdigit())) for cell in cells]


def test_exercise_1_in_bokmal_each_campaign_its_budget_and_going_to_week_19(
    browser_executable, app_server, tmp_path
):
    """Issue 25, items 1 and 3, as a class would do them: the louder preset side by side in
    bokmål runs push 20 (A) against push 80 (B), each campaign's budget slider moves only its
    own campaign, and *Gå til uke* 19 then one week back show weeks 19 and 18."""
    from playwright.sync_api import expect, sync_playwright

    url, port, server_log = app_server
    recorder = Recorder(port)
    folders = _screens(tmp_path)
    width, height = 1280, 720
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            recorder.install(context)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url + "?preset=workshop/louder&compare=1&lang=nb")
            page.wait_for_selector(".rc-network.arm-1 canvas")
            page.wait_for_selector(".reclamare-chart-body svg text")
            _wait_week(page, 0)
            titles = page.locator(".rc-net-title")
            expect(titles).to_have_text(["A: reklame 20", "B: reklame 80"])
            _step(page, 4)
            assert _spent(page) == [80, 320]  # 20 and 80 a week: the worksheet's comparison

            # B's own budget slider (the second budget slider): to its top, A stays at 20.
            page.locator(".slider-budget_b .v-slider__thumb-container").focus()
            page.keyboard.press("End")
            expect(titles).to_have_text(["A: reklame 20", "B: reklame 200"])
            _wait_week(page, 0)  # a change applies at once: the run starts again
            _step(page, 2)
            assert _spent(page) == [40, 400]

            # Exercise 3's stop at week 19, then one week back.
            page.locator(".rc-goto input").fill("19")
            page.locator(".rc-goto input").press("Enter")
            _wait_week(page, 19)
            assert _spent(page) == [19 * 20, 19 * 200]
            page.locator(".rc-back").click()
            _wait_week(page, 18)
            assert _spent(page) == [18 * 20, 18 * 200]
            page.wait_for_function(  # the charts hold weeks 0..18 again (resent, shorter)
                "() => [...document.querySelectorAll('.reclamare-chart-body svg text')]"
                ".some(t => t.textContent.includes('kjenner'))"
            )

            # The bar with its new buttons still fits the projector in bokmål.
            boxes = page.evaluate(
                BOX_JS, ".rc-step, .rc-play, .rc-reset, .rc-back, .rc-goto, .rc-present, .rc-lang"
            )
            assert len(boxes) == 7
            outside = [b for b in boxes if not _inside(b, width, height)]
            assert not outside, f"outside the 1280 x 720 window: {outside}"
            tops = {round(b[1]) for b in boxes if b[3] - b[1] < 60}
            assert max(tops) - min(tops) < 20, f"the run bar wraps: {boxes}"
            small = page.evaluate(SMALL_TEXT_JS)
            assert not small, f"text under 14 px (nb): {small[:12]}"
            for folder in folders:
                page.screenshot(path=str(folder / "louder-week-18-nb.png"))
        finally:
            browser.close()
    recorder.check()
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def _text_problems(page) -> list[str]:
    found = page.evaluate(TEXT_LAYOUT_JS)
    return [f"under 14 px: {t}" for t in found["small"]] + [f"cut: {t}" for t in found["cut"]]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_both_campaigns_controls_fit_the_projector_without_scrolling(
    lang, browser_executable, app_server
):
    """Issue 25: side by side at 1280 x 720, campaign A's and B's controls (strategy, push
    share, budget, dialogue, ads) are all in the window without scrolling the control column,
    for every workshop exercise and the default scenario, in bokmål and English, with no text
    under 14 px or cut."""
    from playwright.sync_api import sync_playwright

    from sim.workshop.exercises import EXERCISES

    url, port, server_log = app_server
    recorder = Recorder(port)
    width, height = 1280, 720
    presets = list(dict.fromkeys(["default", *(e.scenario for e in EXERCISES)]))
    outside, problems = {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            recorder.install(context)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            for preset in presets:
                page.goto(url + f"?preset={preset}&compare=1&lang={lang}")
                page.wait_for_selector(".rc-network.arm-1 canvas")
                page.wait_for_selector(".rc-campaign-b .select-target_group_b")
                page.wait_for_selector(".reclamare-chart-body svg text")
                page.wait_for_timeout(300)  # fonts and the menus' final size
                assert page.evaluate("() => document.querySelector('.rc-controls').scrollTop") == 0
                boxes = page.evaluate(BOX_JS, ".rc-campaign-a, .rc-campaign-b")
                assert len(boxes) == 2, preset
                outside[preset] = [b for b in boxes if not _inside(b, width, height)]
                # Week 0, every text, the charts' line and bar names included (the crisis and
                # the competitor once had A and B above their histogram, outside the chart).
                problems[preset] = _text_problems(page)
        finally:
            browser.close()
    assert not any(outside.values()), f"{lang}: campaign controls below 720 px: {outside}"
    assert not any(problems.values()), f"{lang}: text too small or cut: {problems}"
    recorder.check()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_projector_text_in_both_languages_with_verdicts(
    lang, browser_executable, app_server, tmp_path
):
    """Issue 25, item 4: at 1280 x 720, side by side with the 20-run verdicts shown, in bokmål
    and English, every text as rendered (CSS transforms and zoom included, chart text at the
    drawing's scale) is at least 14 px, and none is clipped or cut with an ellipsis; the same in
    presentation mode, and for the hubs exercise (the longest panel and line names)."""
    from playwright.sync_api import expect, sync_playwright

    url, port, server_log = app_server
    recorder = Recorder(port)
    folders = _screens(tmp_path)
    width, height = 1280, 720
    note = {"en": "Verdicts from 20 runs", "nb": "Konklusjon etter 20 kjøringer"}[lang]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            recorder.install(context)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            problems = {}
            for preset in ("default", "workshop/hubs"):
                page.goto(url + f"?preset={preset}&compare=1&lang={lang}")
                page.wait_for_selector(".rc-network.arm-1 canvas")
                page.wait_for_selector(".reclamare-chart-body svg text")
                _wait_week(page, 0)
                if preset == "default":
                    _step(page, 6)
                else:  # the whole year: the line names end where the lines do
                    page.locator(".rc-goto input").fill("52")
                    page.locator(".rc-goto input").press("Enter")
                    _wait_week(page, 52)
                page.locator(".rc-replicates").click()
                expect(page.locator(".rc-score-note")).to_contain_text(note, timeout=120_000)
                assert page.locator(".rc-verdict").all_inner_texts()
                name = preset.replace("/", "-")
                problems[f"{name} side by side"] = _text_problems(page)
                for folder in folders:
                    page.screenshot(path=str(folder / f"layout-{name}-{lang}.png"))
                page.locator(".rc-present").click()
                expect(page.locator(".rc-controls")).to_have_count(0)
                page.wait_for_timeout(300)  # the charts resize to the wider page
                problems[f"{name} presentation"] = _text_problems(page)
                covered = page.evaluate(OVERLAPPING_LINE_NAMES_JS)
                assert not covered, f"line names on top of each other: {covered}"
                for folder in folders:
                    page.screenshot(path=str(folder / f"layout-{name}-presentation-{lang}.png"))
                page.locator(".rc-present").click()
                expect(page.locator(".rc-controls")).to_have_count(1)
            # the scenario menu open: its items are projector text too
            page.locator(".select-preset .v-select__slot").click()
            page.wait_for_selector(".menuable__content__active .v-list-item__title")
            page.evaluate(  # down to the workshop's exercises, the longest names
                "() => { const m = document.querySelector('.menuable__content__active');"
                " m.scrollTop = m.scrollHeight; }"
            )
            page.wait_for_timeout(500)  # the menu's transition
            problems["scenario menu"] = _text_problems(page)
            for folder in folders:
                page.screenshot(path=str(folder / f"layout-menu-{lang}.png"))
        finally:
            browser.close()
    bad = {k: v for k, v in problems.items() if v}
    assert not bad, f"{lang}: text too small or cut at 1280 x 720: {bad}"
    recorder.check()
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
