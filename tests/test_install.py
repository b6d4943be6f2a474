"""The built wheel carries what an installed ``reclamare`` needs (issue #15, item 6).

Here: the wheel built from this tree holds the scenarios (byte for byte) and the kit's texts,
the source tree uses the repository's folder, and a student's file anywhere extends shipped
scenarios by name. Installing the wheel with all its dependencies into a fresh venv with no
package index and running ``reclamare list``, ``run default``, a workshop scenario, ``workshop
build`` and ``viz`` from a temporary folder is the CI step ``make offline-check``
(tools/offline_check.sh; minutes, so not a unit test).
"""

from __future__ import annotations

import subprocess
import sys
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
    assert "sim/i18n/locale/nb/scenarios.toml" in names  # the scenarios' titles in bokmål


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
