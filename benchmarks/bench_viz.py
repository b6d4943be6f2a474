"""Latency of the browser app at 1,000 customers: Step (model + frame) and Reset.

    .venv/bin/python benchmarks/bench_viz.py [--browser] [--weeks 52]

Server side (always): a week of the model plus the frame the server sends (one character per
drawn customer, the charts' data as JSON, the scoreboard's HTML: ``sim.viz.sink``), for one
campaign and for side by side; and a Reset (a new Arena on the same network and seed, then its
first frame), cold (network and layout built) and warm (cached). The browser draws the frame;
sending it over the websocket is measured by ``benchmarks/bench_classroom.py``.

With ``--browser`` (needs /usr/bin/chromium and the playwright package): the app server is
started on a free port and a headless chromium presses Step and Reset, timing each click until
the week label on the page has changed (the latency a user sees).
Results go to docs/performance.md, section "Browser app".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from types import SimpleNamespace  # noqa: E402

from sim.viz.arena import Arena, _cached_network  # noqa: E402
from sim.viz.chartspec import DEFAULT_CHARTS  # noqa: E402
from sim.viz.controls import controls_for  # noqa: E402
from sim.viz.layout import LAYOUTS  # noqa: E402
from sim.viz.presets import load_preset  # noqa: E402
from sim.viz.sink import FrameSink  # noqa: E402


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f} ms"


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, int(0.9 * len(samples)))]
    return f"median {ms(statistics.median(samples))}, p90 {ms(p90)}, max {ms(samples[-1])}"


def render_frame(arena) -> FrameSink:
    """Build everything the server sends for the arena's week (into stand-in widgets)."""
    sink = FrameSink()
    sink.context(arena, "en", None)
    for i in range(len(arena.arms)):
        sink.attach("network", i, SimpleNamespace())
    for key in DEFAULT_CHARTS:
        sink.attach("chart", key, SimpleNamespace())
    sink.attach("score", 0, SimpleNamespace())
    sink.attach("week", 0, SimpleNamespace())
    return sink


def bench_server(weeks: int) -> None:
    controls = controls_for(load_preset("default"))
    assert controls.n == 1000, "the default scenario should have 1,000 customers"
    for compare in (False, True):
        c = replace(controls, compare=compare)
        label = "side by side" if compare else "one campaign"
        _cached_network.cache_clear()
        LAYOUTS.clear()
        start = time.perf_counter()
        arena = Arena(c)
        render_frame(arena)
        cold = time.perf_counter() - start
        resets = []
        for _ in range(5):
            start = time.perf_counter()
            arena = Arena(c)
            render_frame(arena)
            resets.append(time.perf_counter() - start)
        steps, models = [], []
        sink = render_frame(arena)
        for _ in range(weeks):
            start = time.perf_counter()
            arena.step()
            middle = time.perf_counter()
            sink.push()
            steps.append(time.perf_counter() - start)
            models.append(middle - start)
        print(f"server, {label}, n = {arena.network.n:,}:")
        print(f"  Reset cold (network + layout + first frame): {ms(cold)}")
        print(f"  Reset warm (cached network and layout):      {summary(resets)}")
        print(f"  Step, model only:                            {summary(models)}")
        print(f"  Step, model + frame sent:                    {summary(steps)}")


def bench_browser(clicks: int) -> None:
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    from sim.viz.server import server_command, server_env

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        server_command("127.0.0.1", port),
        env=server_env("default"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
        args += ["--disable-background-networking", "--disable-component-update"]
        args += ["--disable-sync"]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            page = browser.new_page(viewport={"width": 1500, "height": 1500})
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(".reclamare-chart-body svg")
            first = time.perf_counter() - start
            snapshot = "() => document.querySelector('.reclamare-week').textContent"

            def click_and_wait(name: str) -> float:
                before = page.evaluate(snapshot)
                t0 = time.perf_counter()
                page.get_by_role("button", name=name, exact=True).click()
                page.wait_for_function(
                    f"""() => {{
                        const now = ({snapshot})();
                        const old = {before!r}.split('|');
                        const parts = now.split('|');
                        return parts.length === old.length
                            && parts.every((p, i) => p !== old[i]);
                    }}"""
                )
                return time.perf_counter() - t0

            for compare in (False, True):
                if compare:
                    page.locator(".reclamare-compare").get_by_text("Side by side").click()
                    page.get_by_role("button", name="Reset", exact=True).click()
                    page.wait_for_selector(".rc-network.arm-1 canvas")
                steps = [click_and_wait("Step") for _ in range(clicks)]
                resets = []
                for _ in range(5):
                    click_and_wait("Step")  # so that Reset changes the week label
                    resets.append(click_and_wait("Reset"))
                label = "side by side" if compare else "one campaign"
                print(f"browser, {label} (click until the week label changed):")
                print(f"  Step:  {summary(steps)}")
                print(f"  Reset: {summary(resets)}")
            print(f"browser: first page load with pictures: {ms(first)}")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--browser", action="store_true", help="also time clicks in chromium")
    parser.add_argument("--quick", action="store_true", help="13 weeks, server only")
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="accepted for benchmarks/run_all.py; this script only prints (the 'Browser app' "
        "section of docs/performance.md is updated by hand from its output)",
    )
    args = parser.parse_args()
    bench_server(13 if args.quick else args.weeks)
    if args.browser and not args.quick:
        bench_browser(20)


if __name__ == "__main__":
    main()
