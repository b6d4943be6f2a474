"""pytest plugin: processor time of each test and each test file (docs/testing.md, "Suite time").

Processor time (user + system, of the pytest process and of the child processes it has waited
for) is what a quiet machine's wall clock would be for a serial suite; on a shared machine it
varies much less than the wall clock (still by up to a third between runs: compare runs made
back to back). Each test's time includes its setup and teardown (a module's shared fixture is
charged to the first test that uses it).

Usage: ``PYTHONPATH=tools .venv/bin/python -m pytest -p cpuprof`` writes the totals, the files
and the tests, slowest first, to ``$CPUPROF_OUT`` (default ``cpuprof.txt`` in the current
folder). Pass ``-p cpuprof`` on the command line, not in ``PYTEST_ADDOPTS``: that variable would
reach the pytest runs that tests/test_known_mutants.py starts, which cannot import this file.
"""

from __future__ import annotations

import collections
import os
import resource
import time

import pytest

_rows: list[tuple[float, float, str]] = []


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = _cpu(), time.monotonic()
    yield
    _rows.append((_cpu() - cpu, time.monotonic() - wall, item.nodeid))


def pytest_sessionfinish(session, exitstatus):
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])
    for cpu, wall, node in _rows:
        row = files[node.split("::")[0]]
        row[0] += cpu
        row[1] += wall
        row[2] += 1
    cpu, wall = sum(r[0] for r in _rows), sum(r[1] for r in _rows)
    lines = [
        f"tests: processor time {cpu:.1f} s, wall {wall:.1f} s, {len(_rows)} tests; "
        f"the whole session, collection included: {_cpu():.1f} s processor time",
        "== per file: processor s, wall s, tests ==",
    ]
    for name, (cpu, wall, n) in sorted(files.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"{cpu:8.1f} {wall:8.1f} {n:5d} {name}")
    lines.append("== per test: processor s, wall s ==")
    lines += [f"{cpu:8.2f} {wall:8.2f} {node}" for cpu, wall, node in sorted(_rows, reverse=True)]
    with open(os.environ.get("CPUPROF_OUT", "cpuprof.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
