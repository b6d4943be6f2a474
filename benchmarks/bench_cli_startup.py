"""Start-up of the command line: CPU time of ``--help``, ``list``, ``validate`` and ``schema``.

Runs each command as a user does, ``python run_sim.py ...`` in a fresh process (after one
untimed run that fills the page cache and the bytecode caches), and takes the child's processor
time (user + system, from ``os.wait4``) and its wall time, median of 9 runs (3 with
``--quick``). Then runs each once more under ``python -X importtime`` and counts the modules it
imported and the heavy libraries among them. Prints a markdown table and writes the
"## Start-up of the command line" section of docs/performance.md (issue #24 item 5: ``--help``
at most 0.3 s of CPU; tests/test_cli_startup.py fails when a heavy library is imported).

Usage::

    python benchmarks/bench_cli_startup.py              # 9 runs per command
    python benchmarks/bench_cli_startup.py --quick      # 3 runs per command
    python benchmarks/bench_cli_startup.py --no-write   # print only
    python benchmarks/bench_cli_startup.py --root DIR --no-write   # time another checkout
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, machine, publish

SECTION = "## Start-up of the command line"
# (what the table calls it, the arguments after run_sim.py, the CPU budget in seconds or None)
COMMANDS = (
    ("`--help`", ["--help"], 0.3),
    ("`run --help`", ["run", "--help"], 0.3),
    ("`list`", ["list"], None),
    ("`schema`", ["schema"], None),
    ("`validate scenarios/default.toml`", ["validate", "scenarios/default.toml"], None),
)
# The libraries a help text must not need (tests/test_cli_startup.py has the same list).
HEAVY = (
    "numba",
    "llvmlite",
    "pandas",
    "mesa",
    "matplotlib",
    "scipy",
    "networkx",
    "dask",
    "distributed",
    "solara",
    "numpy",
    "pydantic",
)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("RECLAMARE_LANG", None)  # English, as on a fresh machine
    env.pop("PYTHONPATH", None)
    return env


def timed(root: Path, args: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one ``python run_sim.py ARGS``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "run_sim.py", *args],
        cwd=root,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"run_sim.py {' '.join(args)} failed (exit {proc.returncode})")
    return usage.ru_utime + usage.ru_stime, wall


def imports(root: Path, args: list[str]) -> tuple[int, list[str], float]:
    """Modules imported (``-X importtime``), the heavy libraries among them, and the cumulative
    import time of ``sim.cli`` in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "run_sim.py", *args],
        cwd=root,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    modules, cli = [], 0.0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if not cumulative.isdigit():
            continue  # the header line
        modules.append(name)
        if name == "sim.cli":
            cli = int(cumulative) / 1e6
    tops = {name.split(".")[0] for name in modules}
    return len(modules), [lib for lib in HEAVY if lib in tops], cli


def run(root: Path, repeats: int) -> list[dict]:
    rows = []
    for label, args, budget in COMMANDS:
        timed(root, args)  # untimed: page cache, bytecode caches
        runs = [timed(root, args) for _ in range(repeats)]
        count, heavy, cli = imports(root, args)
        row = dict(
            label=label,
            cpu=statistics.median(r[0] for r in runs),
            low=min(r[0] for r in runs),
            high=max(r[0] for r in runs),
            wall=statistics.median(r[1] for r in runs),
            modules=count,
            heavy=heavy,
            cli=cli,
            budget=budget,
        )
        rows.append(row)
        print(
            f"  {label:36s} CPU {row['cpu']:.3f} s ({row['low']:.3f}-{row['high']:.3f}), "
            f"wall {row['wall']:.3f} s, {count} modules, heavy: {', '.join(heavy) or 'none'}",
            flush=True,
        )
    return rows


def section(rows: list[dict], repeats: int, where: str) -> str:
    lines = [
        f"Measured by `python benchmarks/bench_cli_startup.py` on: {where}. Each command is run "
        f"as `python run_sim.py ...` in a fresh process, {repeats} times after one untimed run; "
        "CPU time is the child's user + system time (`os.wait4`), median (range in brackets). "
        "Modules: how many `python -X importtime` lists (the interpreter's own start-up "
        "included), and which heavy libraries are among them.",
        "",
        "| command | CPU time | wall time | modules | heavy libraries loaded | target |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = f"{r['budget']:.1f} s CPU" if r["budget"] else ""
        verdict = ""
        if r["budget"]:
            verdict = " (met)" if r["cpu"] <= r["budget"] else " (**missed**)"
        lines.append(
            f"| {r['label']} | {r['cpu']:.3f} s ({r['low']:.3f}-{r['high']:.3f}) | "
            f"{r['wall']:.2f} s | {r['modules']} | {', '.join(r['heavy']) or 'none'} | "
            f"{target}{verdict} |"
        )
    lines += [
        "",
        "Before issue #24 item 5 every one of these commands imported numba, pandas, Mesa, scipy "
        "and networkx with the command line (`import sim.cli`: 0.77 s). Measured by this script "
        "with `--root` on a copy of commit 691deac (same machine, 2026-12-07, load average 3, "
        "medians of 9): `--help` 0.89 s of CPU, `run --help` 0.86 s, `list` and `schema` 0.84 s "
        "each, `validate scenarios/default.toml` 0.93-1.08 s (about what it takes now: it needs "
        "the engine either way).",
        "",
        "Why it is fast now: `sim/cli.py` imports only the standard library and the light modules "
        "its parser needs (the language catalogue, where the shipped scenarios are, the viz and "
        "evidence parsers); each command imports what it runs on when it runs "
        "(`sim.cli.COMMAND_MODULES`, loaded with garbage collection off and then frozen, as "
        "before). Reading scenario files needs pydantic and the parameter schema only: the "
        "measures' names live apart from their computation (`sim/engine/measure_names.py`), "
        "`sim.network` loads its generators on first use, and a claim's statistics (numpy, "
        "scipy) are imported when it is judged. So `list` and `schema` load pydantic and no "
        "numeric library. `validate` still loads the engine: it builds each network and model "
        "once (bad network files and unknown target groups are found before anything runs), "
        "which needs numba, Mesa (and with it pandas, scipy and networkx).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs per command")
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    parser.add_argument("--repeats", type=int, default=9, help="runs per command (median)")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the checkout whose run_sim.py is timed"
    )
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else args.repeats
    where = machine()
    rows = run(args.root.resolve(), repeats)
    write = not args.no_write and args.root.resolve() == ROOT
    publish(SECTION, section(rows, repeats, where), write)


if __name__ == "__main__":
    main()
