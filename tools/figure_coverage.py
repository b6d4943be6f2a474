"""Which shipped scenarios must draw figures in tests/test_cli.py so that every line of the
outputs layer (``sim/outputs/*.py``: figures, report, parameter tables) that any of them runs is
still run.

``tests/test_cli.py::test_every_shipped_scenario_runs_small`` runs every shipped scenario at a
small size. Drawing the figures and the report costs about 3 s of processor time a scenario (20
times the runs themselves), and most scenarios draw the same figures with the same code. The
test therefore draws them only for the scenarios named in ``FIGURE_SCENARIOS`` there and runs
the others with ``--no-figures``. This script finds that list: it runs every shipped scenario
exactly as the test does (in this process, in a temporary folder), records with
``sys.monitoring`` (Python >= 3.12) the lines of ``sim/outputs`` each one runs, and picks
scenarios greedily (most new lines first) until they run every line the whole set runs. Lines
run only on a module's first import (constants, definitions) are left out.

Usage: ``python tools/figure_coverage.py`` (about a minute). It prints the lines each scenario
adds, the chosen list and whether ``FIGURE_SCENARIOS`` in tests/test_cli.py covers them all
(exit status 1 when it does not: then copy the printed list into the test). Rerun it when a
scenario is added or the outputs layer changes.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = ["--set", "network.n=150", "--weeks", "4", "--replicates", "2", "--quiet"]
TOOL = 3  # a sys.monitoring tool id (0-5; 0-2 and 5 are taken by debuggers, coverage, profilers)


def lines_per_scenario(folder: Path) -> dict[str, set[tuple[str, int]]]:
    """(file, line) of sim/outputs run by each shipped scenario's small run with figures."""
    sys.path.insert(0, str(ROOT))
    from sim.cli import main
    from sim.study.scenario import load_scenario
    from sim.study.scenario_files import SCENARIO_DIR, shipped_scenarios

    mon = sys.monitoring
    current: set[tuple[str, int]] = set()

    def on_line(code, line):
        if "/sim/outputs/" in code.co_filename:
            current.add((code.co_filename.rsplit("/sim/", 1)[1], line))

    mon.use_tool_id(TOOL, "figure_coverage")
    mon.register_callback(TOOL, mon.events.LINE, on_line)
    names = [name for name, _ in shipped_scenarios()]
    result: dict[str, set[tuple[str, int]]] = {}
    try:
        for index, name in enumerate([names[0], *names]):  # the first pass imports the layer
            scenario = load_scenario(SCENARIO_DIR / f"{name}.toml")
            command = "sweep" if scenario.has_sweep else "run"
            current.clear()
            mon.set_events(TOOL, mon.events.LINE)
            with contextlib.redirect_stdout(io.StringIO()):
                status = main([command, name, *SIZE, "--out", str(folder / f"{index}")])
            mon.set_events(TOOL, 0)
            if status != 0:
                raise SystemExit(f"{name}: exit status {status}")
            if index > 0:
                result[name] = set(current)
    finally:
        mon.set_events(TOOL, 0)
        mon.register_callback(TOOL, mon.events.LINE, None)
        mon.free_tool_id(TOOL)
    return result


def greedy_cover(sets: dict[str, set]) -> list[str]:
    """Names whose sets together hold every element of the union, most new elements first
    (ties: the name first in sorted order)."""
    union = set().union(*sets.values())
    chosen: list[str] = []
    covered: set = set()
    while covered != union:
        best = max(sorted(sets), key=lambda name: len(sets[name] - covered))
        chosen.append(best)
        covered |= sets[best]
    return chosen


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="figure-coverage-") as tmp:
        sets = lines_per_scenario(Path(tmp))
    chosen = greedy_cover(sets)
    covered: set = set()
    for name in chosen:
        print(f"{name:28s} +{len(sets[name] - covered)} lines")
        covered |= sets[name]
    print(f"{len(covered)} lines of sim/outputs run by the {len(sets)} scenarios")
    print("FIGURE_SCENARIOS =", tuple(chosen))

    sys.path.insert(0, str(ROOT))
    from tests.test_cli import FIGURE_SCENARIOS

    missing = covered - set().union(*(sets[name] for name in FIGURE_SCENARIOS if name in sets))
    if missing:
        print(f"tests/test_cli.py's FIGURE_SCENARIOS miss {len(missing)} lines, e.g.")
        for file, line in sorted(missing)[:10]:
            print(f"  sim/{file}:{line}")
        return 1
    print("tests/test_cli.py's FIGURE_SCENARIOS run every one of them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
