"""The browser app in a real headless chromium (Debian's ``/usr/bin/chromium`` via Playwright).

Starts the app server on a free loopback port, loads the page, switches preset, steps, checks
that the network view and the charts rendered and changed, resets, switches to side by side,
and asserts that the page made no request to any host other than the local server.

Skips with a reason when chromium or the Playwright package is missing, unless
``RECLAMARE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the skip into a failure.
Screenshots go to the test's tmp folder and, when ``RECLAMARE_SCREENSHOT_DIR`` is set, there too.
Playwright never downloads a browser here: it is pointed at the system chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

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


@pytest.fixture
def app_server(browser_executable, tmp_path):
    """The app server on a free loopback port; stopped by its process id, even on failure."""
    port = _free_port()
    env = server_env("default")
    # Any attempt by the server itself to reach the internet fails fast instead of succeeding.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = "http://127.0.0.1:9"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
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


def test_app_in_a_real_browser(browser_executable, app_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    executable = browser_executable
    url, port, server_log = app_server
    local = {f"127.0.0.1:{port}", f"localhost:{port}"}
    requests: list[str] = []
    failures: list[str] = []
    folders = _screens(tmp_path)

    def shot(page, name: str, top: bool = True) -> None:
        # Element screenshots scroll the main panel; scroll back so the page is seen from the top.
        if top:
            page.evaluate(
                "document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
            )
        for folder in folders:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def week_is(page, week: int) -> None:
        expect(page.locator(".reclamare-week")).to_have_text(f"Week {week}", timeout=TIMEOUT_MS)

    def pictures(page) -> list[bytes]:
        images = page.locator("img.reclamare-network, img.reclamare-charts")
        return [images.nth(i).screenshot() for i in range(images.count())]

    def step(page, times: int, start: int) -> None:
        for k in range(1, times + 1):
            page.get_by_role("button", name="Step", exact=True).click()
            week_is(page, start + k)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1500})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("request", lambda r: requests.append(r.url))
            page.on("websocket", lambda ws: requests.append(ws.url))
            page.on(
                "response",
                lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))

            page.goto(url)
            page.wait_for_selector("img.reclamare-network")
            page.wait_for_selector("img.reclamare-charts")
            week_is(page, 0)
            shot(page, "01-start")

            # Switch preset: the karate club (a real network), applied at once.
            page.locator(".v-select").filter(has_text="Scenario preset").click()
            page.get_by_role("option", name="karate", exact=True).click()
            expect(page.locator(".reclamare-notes")).to_contain_text("karate", timeout=TIMEOUT_MS)
            week_is(page, 0)
            before = pictures(page)
            step(page, 5, 0)
            after = pictures(page)
            assert len(after) == 2, "expected one network view and the charts"
            assert after[0] != before[0], "the network view did not change"
            assert after[1] != before[1], "the charts did not change"
            shot(page, "02-karate-week5")

            page.get_by_role("button", name="Reset", exact=True).click()
            week_is(page, 0)

            # Side by side: two campaigns on the same network with the same seed.
            page.locator(".reclamare-compare").get_by_text("Side by side").click()
            expect(page.locator(".reclamare-pending")).to_be_visible()
            page.get_by_role("button", name="Reset", exact=True).click()
            page.wait_for_selector("img.reclamare-network.arm-1")
            expect(page.locator(".reclamare-scoreboard")).to_contain_text("week 0")
            step(page, 4, 0)
            expect(page.locator(".reclamare-scoreboard")).to_contain_text("week 4")
            assert page.locator("img.reclamare-network").count() == 2
            shot(page, "03-side-by-side-week4")

            # The how-it-works panel and the full model description, also served locally.
            page.get_by_text("How it works").click()
            page.get_by_role("button", name="Read the full model description").click()
            expect(page.locator(".reclamare-model-doc")).to_contain_text("ODD")
            page.locator(".reclamare-how").scroll_into_view_if_needed()
            shot(page, "04-how-it-works", top=False)
        finally:
            browser.close()

    foreign = sorted(
        {u for u in requests if urlparse(u).scheme not in ("data", "blob")}
        - {u for u in requests if urlparse(u).netloc in local}
    )
    assert not foreign, f"requests to hosts other than the local server: {foreign[:10]}"
    assert not failures, f"failed requests: {failures[:10]}"
    log = server_log.read_text(errors="replace")
    assert "Could not load URL" not in log, log[-2000:]
