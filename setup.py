"""Build step: the wheel carries the top-level ``scenarios/`` folder as ``sim/scenarios/``.

Everything else about the package is in pyproject.toml. The repository keeps its scenarios in
``scenarios/`` (the project's fixed layout); an installed ``reclamare`` finds its copy through
``sim.shipped``. Editable installs need no copy: they read the repository's folder.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithScenarios(build_py):
    """``build_py``, then copy ``scenarios/**/*.toml`` into ``<build>/sim/scenarios/``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = HERE / "scenarios"
        target = Path(self.build_lib) / "sim" / "scenarios"
        if target.exists():
            shutil.rmtree(target)
        for path in sorted(source.rglob("*.toml")):
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)


setup(cmdclass={"build_py": BuildWithScenarios})
