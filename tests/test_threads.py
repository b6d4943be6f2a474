"""Results do not depend on the number of threads (issue #24): the same scenario run at 1, 2
and 4 threads gives the same timeseries.csv, every column, bit for bit.

Each run is a fresh process with ``NUMBA_NUM_THREADS=4`` (numba reads it when it starts), so
4 threads are allowed on a 2-core machine too. The networks hold several ``BLOCK``s of
customers, so the fixed-block schemes (compaction, histograms) split the work between threads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.engine import jit

ROOT = Path(__file__).resolve().parent.parent
# The default study's four arms, and a target group on a network of communities (groups
# counted, push to one group) with a crisis and a competitor launch: every rule runs.
CASES = {
    "default": ["default", "--set", "network.n=80000"],
    "target_groups": [
        "target_groups",
        "--set",
        "network.n=70000",
        "--set",
        "crisis.week=3",
        "--set",
        "market.launch_week=4",
        "--set",
        "push.frequency_cap=3",
    ],
}


def _run(case: list[str], threads: int, out: Path) -> bytes:
    env = {**os.environ, "NUMBA_NUM_THREADS": "4"}
    command = [sys.executable, str(ROOT / "run_sim.py"), "run", *case, "--threads", str(threads)]
    command += ["--weeks", "12", "--replicates", "2", "--no-figures", "--quiet", "--out", str(out)]
    subprocess.run(command, check=True, env=env, cwd=ROOT, capture_output=True, timeout=600)
    return (out / "timeseries.csv").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_timeseries_are_identical_at_1_2_and_4_threads(name, tmp_path):
    case = CASES[name]
    one = _run(case, 1, tmp_path / "t1")
    assert len(one.splitlines()) > 50
    for threads in (2, 4):
        assert _run(case, threads, tmp_path / f"t{threads}") == one, f"{threads} threads differ"


def test_thread_counts_are_checked(monkeypatch):
    """More threads than numba may start, or fewer than one, are refused in one line; one
    thread runs the single-threaded kernels themselves."""
    monkeypatch.setattr(jit, "_threads", 1)
    with pytest.raises(jit.ThreadsError, match="NUMBA_NUM_THREADS"):
        jit.set_threads(jit.most_threads() + 1)
    with pytest.raises(jit.ThreadsError, match="at least 1"):
        jit.set_threads(0)
    assert jit.threads() == 1
    from sim.engine.rules.push import _deliver

    assert jit.pick(_deliver) is _deliver
    monkeypatch.delenv("NUMBA_NUM_THREADS", raising=False)
    assert jit.set_threads() == 1


def test_too_many_threads_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    from sim.cli import main

    monkeypatch.setattr(jit, "_threads", 1)
    code = main(
        ["run", "default", "--threads", "999", "--set", "network.n=200", "--weeks", "2"]
        + ["--replicates", "1", "--no-figures", "--quiet", "--out", str(tmp_path / "out")]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert err[-1].startswith("error: --threads 999: at most ")
    assert jit.threads() == 1
