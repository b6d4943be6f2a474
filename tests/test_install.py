"""The built wheel works like any installed Python tool (issue #15, item 6).

The wheel is built from this source tree, installed (without its dependencies, which are taken
from the test's own environment through a path entry) into a fresh virtual environment outside
the repository, and ``reclamare list`` / ``run`` are run from a temporary folder. The full
installation with every dependency and no package index is exercised by ``make offline-check``
(the wheelhouse step of ``.ci/run``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from sim.study.scenario import SCENARIO_DIR

REPO = Path(__file__).resolve().parents[1]


def _scenario_files() -> dict[str, bytes]:
    return {
        p.relative_to(REPO / "scenarios").as_posix(): p.read_bytes()
        for p in sorted((REPO / "scenarios").rglob("*.toml"))
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("reclamare-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the repository with the wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("fresh")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q"]
        + [str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The dependencies: this environment's site-packages as a plain path entry (its .pth files,
    # the editable install of this repository among them, are not processed).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return bindir


@pytest.mark.slow
def test_wheel_carries_every_scenario_unchanged(wheel):
    """The wheel's sim/scenarios/ is the repository's scenarios/ folder, file for file."""
    with zipfile.ZipFile(wheel) as archive:
        packed = {
            name.removeprefix("sim/scenarios/"): archive.read(name)
            for name in archive.namelist()
            if name.startswith("sim/scenarios/")
        }
    assert packed == _scenario_files()
    assert "workshop/crisis.toml" in packed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for lang in ("en", "nb"):  # the teaching kit's texts
        assert f"sim/workshop/text/{lang}.toml" in names


@pytest.mark.slow
def test_installed_command_runs_from_any_folder(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NUMBA_DISABLE_JIT"] = "1"  # a tiny run needs no compiling (same numbers, tested elsewhere)
    cwd = tmp_path / "somewhere"
    cwd.mkdir()
    command = str(installed / "reclamare")
    where = subprocess.run(
        [str(installed / "python"), "-c", "import sim.shipped as s; print(s.SCENARIO_DIR)"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).parent.parent != REPO, "the installed package must not use the repository"
    assert Path(where).parts[-2:] == ("sim", "scenarios")

    listed = subprocess.run(
        [command, "list"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    assert "workshop/crisis" in listed.stdout and "default" in listed.stdout

    tiny = ["--set", "network.n=60", "--replicates", "2", "--weeks", "3", "--no-figures"]
    default = subprocess.run(
        [command, "run", "default", *tiny, "--quiet", "--out", "default", "--versus", "push"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert default.returncode == 0, default.stderr
    assert (cwd / "default" / "summary.json").is_file()
    assert "dialogue - push" in default.stdout


def test_source_tree_uses_the_repository_folder():
    """Run from the source tree (no sim/scenarios/ there), the repository's folder is used."""
    assert SCENARIO_DIR == REPO / "scenarios"
    assert not (REPO / "sim" / "scenarios").exists()


def test_a_students_file_anywhere_extends_shipped_scenarios_by_name(tmp_path, monkeypatch):
    """``extends = "default.toml"`` or ``"workshop/crisis"`` from a file outside scenarios/:
    the shipped file is used when no such file lies next to the student's file; a file of that
    name next to it wins."""
    from sim.study.scenario import load_raw

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.toml").write_text('extends = "default.toml"\ntitle = "A"\n')
    (tmp_path / "b.toml").write_text('extends = "workshop/crisis"\ntitle = "B"\n')
    raw_a, files_a = load_raw(tmp_path / "a.toml")
    raw_b, files_b = load_raw(tmp_path / "b.toml")
    assert files_a == [SCENARIO_DIR / "default.toml", tmp_path / "a.toml"]
    assert files_b[-2] == SCENARIO_DIR / "workshop" / "crisis.toml"
    assert raw_b["crisis"]["week"] == 20 and raw_b["title"] == "B"
    (tmp_path / "default.toml").write_text('title = "my own default"\n')
    raw_a, files_a = load_raw(tmp_path / "a.toml")
    assert files_a[0] == tmp_path / "default.toml"


def test_shipped_names_include_the_workshop_and_refuse_escapes():
    from sim.study.scenario import ScenarioError, resolve_scenario_path, shipped_names

    names = shipped_names()
    assert "default" in names and "workshop/crisis" in names
    assert resolve_scenario_path("workshop/crisis") == SCENARIO_DIR / "workshop" / "crisis.toml"
    assert resolve_scenario_path("workshop/crisis.toml").name == "crisis.toml"
    with pytest.raises(ScenarioError, match="did you mean 'workshop/crisis'"):
        resolve_scenario_path("workshop/crises")
    with pytest.raises(ScenarioError, match="no such scenario file"):
        resolve_scenario_path("../scenarios/default")
