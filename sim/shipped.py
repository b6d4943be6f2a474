"""Where the shipped scenario files are: the package's own copy, or the repository's folder.

The repository keeps its scenarios in the top-level ``scenarios/`` folder (the project's fixed
layout). A built wheel carries a copy of that folder as package data, ``sim/scenarios/`` (copied
by the build step in ``setup.py``), so an installed ``reclamare`` finds them from any folder.
Running from the source tree (or an editable install) there is no ``sim/scenarios/`` and the
repository's folder is used. Base layer: imports nothing from ``sim``.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_SCENARIOS = Path(__file__).resolve().parent / "scenarios"
REPO_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def scenario_dir() -> Path:
    """The folder of the shipped scenarios (``default.toml`` and the others, ``workshop/``)."""
    if (PACKAGE_SCENARIOS / "default.toml").is_file():
        return PACKAGE_SCENARIOS
    return REPO_SCENARIOS


SCENARIO_DIR = scenario_dir()
# The scenario that runs when none is named (``run_sim.py`` alone, ``run`` without a file).
DEFAULT_SCENARIO = "default"
RUN_SIM = Path(__file__).resolve().parents[1] / "run_sim.py"


def command_name(argv0: str | None = None) -> str:
    """What the user types to run Reclamare, for the commands the program prints:
    ``reclamare`` (the installed console script), or ``python run_sim.py`` in a clone of the
    repository. Decided by how this process was started, else by whether ``run_sim.py`` is
    there (the browser app's server, ``python -m ...``)."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    if name == "run_sim.py":
        return "python run_sim.py"
    if name.removesuffix(".exe") in ("reclamare", "reclamare-script.py"):
        return "reclamare"
    return "python run_sim.py" if RUN_SIM.is_file() else "reclamare"
