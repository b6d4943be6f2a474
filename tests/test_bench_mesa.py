"""benchmarks/bench_mesa.py: the engine on one thread and on all cores against the per-agent
version, in one process. The timings are not tested (docs/performance.md records them); what is
tested is that every model is timed on the same network and seed in turns, and that the section
reports a ratio for every thread count."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_mesa  # noqa: E402


def test_a_tiny_run_times_every_model_in_turns():
    """One thread only: the multi-threaded copies would take a minute to compile here. The
    current per-agent version doubles as the ``--before`` file."""
    agentbased = ROOT / "sim" / "engine" / "agentbased.py"
    row = bench_mesa.measure("defaults", 60, 2, [1], before=str(agentbased))
    assert set(row["wall"]) == {"engine 1", "per-agent", "per-agent before"}
    assert set(row["cpu"]) == set(row["wall"])
    assert all(seconds > 0 for seconds in row["wall"].values())
    assert row["same"] and row["n"] == 60 and row["weeks"] == 2
    text = bench_mesa.section([row], "a machine", "this very file")
    assert "| 60 | defaults | 2 |" in text
    assert "ratio, engine at 1 thread" in text
    assert "identical at" not in text  # one thread count: nothing to compare
    assert "Before and after: the per-agent version before (this very file)" in text


def test_the_section_gives_a_ratio_for_each_thread_count_and_says_when_loaded(monkeypatch):
    monkeypatch.setattr(bench_mesa.os, "cpu_count", lambda: 2)
    ns = 1e-9
    row = dict(
        setup="push",
        n=10_000,
        weeks=5,
        wall={"engine 1": 50 * ns, "engine 2": 25 * ns, "per-agent": 2_000 * ns},
        cpu={"engine 1": 50 * ns, "engine 2": 50 * ns, "per-agent": 2_000 * ns},
        construction={"engine 1": 0.01, "engine 2": 0.01, "per-agent": 1.0},
        loads=(4.0, 5.0),
        same=True,
        counts=[1, 2],
    )
    text = bench_mesa.section([row], "a machine")
    table = next(line for line in text.splitlines() if line.startswith("| 10,000"))
    assert "**40x**" in table and "**80x**" in table  # per-agent over engine at 1 and 2 threads
    assert "50 ns (50 ns)" in table and "2,000 ns (2,000 ns)" in table
    assert "Engine results identical at 1, 2 threads: yes." in text
    assert "need an idle machine to judge" in text  # load 5 on 2 cores
    assert "per-agent before" not in text
    assert "slower than on one" not in text  # 2 threads were faster here
