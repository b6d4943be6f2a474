"""Shared helpers of the benchmark scripts: machine description, medians, docs section writer."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.0f} GB RAM"
    except OSError:
        pass
    return "RAM unknown"


def machine() -> str:
    """One line: cores, CPU, RAM, versions, date and the load average now."""
    import numpy

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} cores ({cpu_model()}), {memory_total()}; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}; "
        f"{dt.date.today().isoformat()}; load average {load:.1f} at the start"
    )


def median_time(fn, repeats: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def ns(seconds: float) -> str:
    value = seconds * 1e9
    if value >= 1e6:
        return f"{value / 1e6:,.1f} ms"
    if value >= 1e3:
        return f"{value / 1e3:,.1f} µs"
    return f"{value:,.0f} ns"


def write_section(title: str, body: str) -> None:
    """Replace (or append) the section ``title`` of docs/performance.md, nothing else.

    The file is shared with other benchmark scripts, so it is re-read right before writing.
    """
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    section = f"{title}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text.rstrip("\n") + "\n")


def publish(title: str, body: str, write: bool) -> None:
    """Print the section ``title`` and, when ``write``, put it into docs/performance.md."""
    print("\n" + body)
    if write:
        write_section(title, body)
        print(f"\nwrote the '{title}' section of {DOC.relative_to(ROOT)}")


def default_push_plan() -> str:
    """The default scenario's push arm in a planner's words: its weekly budget and GRPs."""
    from sim.study.scenario import load_scenario

    params, arms = load_scenario("default", preflight=False).resolve()
    budget = next(a for a in arms if a.name == "push").budget
    cpm = params.push.cost_per_impression * 1000.0
    grps = budget / cpm * 100
    return f"{budget:g} cu per 1,000 customers a week, about {grps:.0f} GRPs at CPM {cpm:g}"
