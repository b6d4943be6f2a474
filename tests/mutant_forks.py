"""Run pytest on several copies of the project, each in a child forked from one warm process.

Used by tests/test_known_mutants.py (not a test module itself). Reads a JSON list of
``[folder, [test, ...]]`` from standard input, imports the heavy libraries once (numpy, scipy,
pandas, numba, Mesa, pytest, hypothesis; never ``sim`` or ``tests``), then for each entry forks a
child that changes into ``folder``, puts it first on ``sys.path`` (so ``sim`` and ``tests`` are
the copy's) and runs pytest on the tests. Two children run at a time. Prints a JSON list of
the children's exit statuses (pytest's: 0 passed, 1 some failed). Importing the libraries once
instead of in every process saves about 2.5 s of processor time per copy; loading pytest's
plugins from installed packages once too and freezing the parent's objects (``gc.freeze``,
so the children's garbage collections skip them) another 0.6 s per copy (the 18 children:
21 s -> 11 s, measured 2026-12-01).

Run with ``NUMBA_DISABLE_JIT=1`` so that the copies' kernels run as plain Python.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from importlib.metadata import entry_points


def _preload() -> None:
    import hypothesis  # noqa: F401
    import mesa  # noqa: F401
    import networkx  # noqa: F401
    import numba  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pydantic  # noqa: F401
    import pytest  # noqa: F401
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401

    # pytest's plugins from installed packages (anyio, hypothesis, platformdirs): each child
    # would import them again (anyio's looks for event loops: 0.4 s) and rewrite their asserts.
    for plugin in entry_points(group="pytest11"):
        plugin.load()
    # The preloaded objects are never garbage: pytest's collections at the end of each child
    # (0.25 s with all of them in the heap) leave them out.
    gc.freeze()


def _child(folder: str, tests: list[str]) -> None:
    import pytest

    os.chdir(folder)
    sys.path.insert(0, folder)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # quiet: only the exit status matters
    os.dup2(devnull, 2)
    status = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
    os._exit(int(status))


def main() -> None:
    jobs = json.load(sys.stdin)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    _preload()
    sys.stdout.flush()
    status: dict[int, int] = {}
    running: dict[int, int] = {}
    for index, (folder, tests) in enumerate(jobs):
        while len(running) >= 2:
            pid, code = os.wait()
            status[running.pop(pid)] = os.waitstatus_to_exitcode(code)
        pid = os.fork()
        if pid == 0:
            _child(folder, tests)
        running[pid] = index
    while running:
        pid, code = os.wait()
        status[running.pop(pid)] = os.waitstatus_to_exitcode(code)
    print(json.dumps([status[i] for i in range(len(jobs))]))


if __name__ == "__main__":
    main()
