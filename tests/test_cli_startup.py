"""An instant command line (issue #24 item 5): ``--help``, ``list``, ``schema`` and ``validate``
import only what they need.

Each command is run as a user runs it, ``python -X importtime run_sim.py ...`` in a fresh
process, and the modules it imported are read from the import-time report. The time itself is
measured by benchmarks/bench_cli_startup.py (docs/performance.md), not here: a timed test would
fail on a busy machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN_SIM = ROOT / "run_sim.py"

# Libraries no help text needs (the numeric and app stack: each costs 0.03-0.5 s to import).
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
)
# Reading scenario files needs pydantic and nothing numeric.
NUMERIC = (*HEAVY, "numpy")
# A help text needs only argparse and the catalogue.
NOTHING = (*NUMERIC, "pydantic")
# validate builds each network and model (numba, Mesa and with them pandas, scipy, networkx).
APP = ("matplotlib", "dask", "distributed", "solara")
COMMANDS = (
    "run",
    "sweep",
    "validate",
    "list",
    "report",
    "schema",
    "viz",
    "evidence",
    "calibrate",
    "check",
    "sensitivity",
    "workshop",
)


def environment(root: Path = ROOT) -> dict[str, str]:
    """English, and ``sim`` from ``root``."""
    env = {k: v for k, v in os.environ.items() if k != "RECLAMARE_LANG"}
    env["PYTHONPATH"] = str(root)
    return env


def imported(args: list[str], root: Path = ROOT) -> tuple[set[str], subprocess.CompletedProcess]:
    """Top-level names of every module ``python run_sim.py ARGS`` imported (``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(root / "run_sim.py"), *args],
        cwd=root,
        env=environment(root),
        capture_output=True,
        text=True,
        timeout=120,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rpartition("|")[2].strip()
            names.add(name.split(".")[0])
    assert "sim" in names, done.stderr[-2000:]  # the report was read
    return names, done


def loaded(names: set[str], libraries: tuple[str, ...]) -> list[str]:
    return [lib for lib in libraries if lib in names]


def test_help_imports_no_heavy_library():
    names, done = imported(["--help"])
    assert done.returncode == 0 and "usage:" in done.stdout
    heavy = loaded(names, NOTHING)
    assert not heavy, f"--help imported {heavy}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_imports_no_heavy_library(command):
    args = [command, "build", "--help"] if command == "workshop" else [command, "--help"]
    names, done = imported(args)
    assert done.returncode == 0 and "usage:" in done.stdout
    heavy = loaded(names, NOTHING)
    assert not heavy, f"{command} --help imported {heavy}"


def test_a_usage_error_imports_no_heavy_library():
    names, done = imported(["run", "--weeks", "many"])
    assert done.returncode == 2 and "--weeks" in done.stderr
    assert not loaded(names, NOTHING)


@pytest.mark.parametrize("command", [["list"], ["schema"], ["list", "--lang", "nb"]])
def test_list_and_schema_read_scenarios_without_the_numeric_stack(command):
    names, done = imported(command)
    assert done.returncode == 0 and done.stdout
    heavy = loaded(names, NUMERIC)
    assert not heavy, f"{command} imported {heavy}"


def test_validate_loads_no_figures_app_or_cluster():
    names, done = imported(["validate", "scenarios/default.toml"])
    assert done.returncode == 0 and done.stdout.startswith("ok: ")
    heavy = loaded(names, APP)
    assert not heavy, f"validate imported {heavy}"


def test_a_planted_heavy_import_is_caught(tmp_path):
    """The checks above can fail: a copy of the program whose command line imports pandas at
    the top is seen importing it for ``--help``."""
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(RUN_SIM, tmp_path / "run_sim.py")
    cli = tmp_path / "sim" / "cli.py"
    text = cli.read_text()
    marker = "from __future__ import annotations\n"
    cli.write_text(text.replace(marker, marker + "import pandas  # planted\n", 1))
    names, done = imported(["--help"], root=tmp_path)
    assert done.returncode == 0
    assert loaded(names, NOTHING) and "pandas" in loaded(names, NOTHING)


def interrupted_while_importing(module: str, args: list[str]) -> subprocess.CompletedProcess:
    """Run run_sim.py with Ctrl-C arriving while ``module`` is being imported."""
    code = (
        "import runpy, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r}:\n"
        "            raise KeyboardInterrupt\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        f"sys.argv = ['run_sim.py', *{args!r}]\n"
        f"runpy.run_path({str(RUN_SIM)!r}, run_name='__main__')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=environment(),
    )


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("sim.cli", ["list"]),  # the command line itself (sim/entry.py)
        ("sim.study.scenario", ["list"]),  # a light command's body
        ("sim.study.conduct", ["run", "default", "--weeks", "1", "--quiet"]),  # a study's
        ("numba", ["validate", "scenarios/default.toml"]),  # a library a body needs
    ],
)
def test_ctrl_c_while_a_command_imports_ends_with_one_line(module, args, tmp_path):
    if args[0] == "run":
        args = [*args, "--out", str(tmp_path / "out")]  # nothing is made; if it were, here
    done = interrupted_while_importing(module, args)
    assert done.returncode == 130, done.stderr[-2000:]
    assert done.stderr == "Interrupted.\n" and done.stdout == ""
