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

from sim.study.scenario_files import SCENARIO_DIR

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
    assert "sim/workshop/text/kit.toml" in names  # the teaching kit's content (English)
    assert "sim/i18n/locale/nb/scenarios.toml" in names  # the scenarios' titles in bokmål
    # The pages' templates, every one of them (report.html's, sim/outputs/pages.py, and the
    # kit's, sim/workshop/pages.py and markdown.py, load them by name).
    for package in ("outputs", "workshop"):
        templates = REPO / "sim" / package / "templates"
        for path in templates.rglob("*"):
            if path.is_file():
                assert path.relative_to(REPO).as_posix() in names, path


def test_source_tree_uses_the_repository_folder():
    """Run from the source tree (no sim/scenarios/ there), the repository's folder is used."""
    assert SCENARIO_DIR == REPO / "scenarios"
    assert not (REPO / "sim" / "scenarios").exists()


def test_a_students_file_anywhere_extends_shipped_scenarios_by_name(tmp_path, monkeypatch):
    """``extends = "default.toml"`` or ``"workshop/crisis"`` from a file outside scenarios/:
    the shipped file is used when no such file lies next to the student's file; a file of that
    name next to it wins."""
    from sim.study.scenario_files import load_raw

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
    from sim.study.scenario_files import resolve_scenario_path, shipped_names
    from sim.study.schema import ScenarioError

    names = shipped_names()
    assert "default" in names and "workshop/crisis" in names
    assert resolve_scenario_path("workshop/crisis") == SCENARIO_DIR / "workshop" / "crisis.toml"
    assert resolve_scenario_path("workshop/crisis.toml").name == "crisis.toml"
    with pytest.raises(ScenarioError, match="did you mean 'workshop/crisis'"):
        resolve_scenario_path("workshop/crises")
    with pytest.raises(ScenarioError, match="no such scenario file"):
        resolve_scenario_path("../scenarios/default")


# ------------------------------------------------------------------ issue 25, item 8: install
def _installer():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "reclamare_install", REPO / "tools" / "install.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("system", "release", "command"),
    [
        ("Linux", {"ID": "debian", "VERSION_ID": "12"}, "uv python install 3.12"),
        ("Linux", {"ID": "debian", "VERSION_ID": "13"}, "apt-get install python3-venv"),
        ("Linux", {"ID": "ubuntu", "VERSION_ID": "22.04"}, "apt-get install python3.12"),
        ("Linux", {"ID": "ubuntu", "VERSION_ID": "24.04"}, "apt-get install python3-venv"),
        ("Darwin", {}, "brew install python@3.12"),
        ("Windows", {}, "winget install Python.Python.3.12"),
    ],
)
def test_an_old_python_gets_one_line_naming_the_command_for_3_12(system, release, command):
    line = _installer().too_old_line((3, 11, 2, "final", 0), "/usr/bin/python3", system, release)
    assert "\n" not in line and line.startswith("error: Reclamare needs Python 3.12")
    assert "Python 3.11.2" in line and command in line, line


def test_the_installer_stops_before_pip_when_python_is_too_old(monkeypatch, capsys):
    installer = _installer()
    monkeypatch.setattr(installer, "NEEDED", (99, 0))  # this Python plays an old one
    monkeypatch.setattr(installer, "newer_python", lambda: None)

    def no_pip(*args, **kwargs):
        raise AssertionError(f"ran {args}")

    monkeypatch.setattr(installer.subprocess, "check_call", no_pip)
    monkeypatch.setattr(installer.subprocess, "call", no_pip)
    assert installer.main([]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "needs Python 3.12" in out


OLD_PYTHON = Path("/usr/bin/python3.11")


def _fake_path(tmp_path: Path) -> str:
    """A PATH whose python3 is Python 3.11 and that has no python3.12 or newer."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(OLD_PYTHON)
    for tool in ("make", "sh", "bash", "env", "dirname", "uname", "cat"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


@pytest.mark.skipif(not OLD_PYTHON.is_file(), reason="needs a Python 3.11 at /usr/bin")
def test_the_wheelhouse_installer_with_python_3_11_says_one_line(tmp_path):
    done = subprocess.run(
        [str(OLD_PYTHON), str(REPO / "tools" / "install.py")],
        cwd=tmp_path,
        env={"PATH": _fake_path(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stderr == ""
    (line,) = done.stdout.splitlines()
    assert "needs Python 3.12 or newer" in line and "Python 3.11" in line
    assert not (tmp_path / "reclamare-env").exists()  # stopped before venv and pip


@pytest.mark.skipif(not OLD_PYTHON.is_file(), reason="needs a Python 3.11 at /usr/bin")
def test_make_with_only_python_3_11_says_one_line_before_pip(tmp_path):
    import shutil

    if shutil.which("make") is None:
        pytest.skip("no make")
    done = subprocess.run(
        ["make", "-s", f"VENV={tmp_path / 'venv'}", "run"],
        cwd=REPO,
        env={"PATH": _fake_path(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and "needs Python 3.12 or newer" in lines[0], done.stdout
    assert "pip" not in done.stdout + done.stderr.replace("make:", "")
    assert not (tmp_path / "venv").exists()


def test_the_wheelhouse_carries_the_installer(tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import wheelhouse
    finally:
        sys.path.remove(str(REPO / "tools"))
    text = wheelhouse.write_install_files(tmp_path, ["linux-x86_64"], ["3.12"]).read_text()
    assert (tmp_path / "install.py").read_bytes() == (REPO / "tools" / "install.py").read_bytes()
    assert f"python3 {tmp_path.name}/install.py" in text and "python3.12 -m venv" in text
    assert "python3 -m venv" not in text  # the route that picks up an old python3


@pytest.mark.parametrize(
    ("argv0", "name"),
    [
        ("run_sim.py", "python run_sim.py"),
        ("/work/x/run_sim.py", "python run_sim.py"),
        ("/home/me/reclamare-env/bin/reclamare", "reclamare"),
        ("C:\\env\\Scripts\\reclamare.exe", "reclamare"),
    ],
)
def test_commands_are_printed_as_the_user_types_them(argv0, name):
    from sim.shipped import command_name

    assert command_name(argv0.replace("\\", "/")) == name


def test_installed_commands_print_reclamare(monkeypatch, capsys):
    from sim.cli import main
    from sim.workshop import texts
    from sim.workshop.exercises import BY_ID

    monkeypatch.setattr(sys, "argv", ["/home/me/reclamare-env/bin/reclamare", "list"])
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "reclamare run NAME" in out and "run_sim" not in out
    assert BY_ID["crisis"].cli.startswith("reclamare run workshop/crisis")
    texts.load.cache_clear()
    try:
        steps = " ".join(texts.load("nb")["plan"]["90min"]["steps"])
        assert "reclamare viz" in steps and "run_sim" not in steps
    finally:
        texts.load.cache_clear()


def test_the_first_run_says_it_compiles(monkeypatch, capsys, tmp_path):
    import sim.engine.jit as jit
    import sim.engine.model  # noqa: F401 - registers every kernel now, not into the patched list
    from sim.cli import main

    class Kernel:  # a kernel whose cache file is not there
        targetoptions: dict = {}

        class _cache:  # noqa: N801 - numba's attribute names
            class _cache_file:  # noqa: N801
                _index_path = str(tmp_path / "missing.nbi")

    monkeypatch.setattr(jit, "KERNELS", [Kernel()])
    assert jit.needs_compiling()
    args = ["run", "default", "--set", "network.n=60", "--weeks", "2", "--replicates", "2"]
    assert main([*args, "--no-figures", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.count("Compiling the model") == 1, err
    monkeypatch.setattr(jit, "KERNELS", [])
    assert not jit.needs_compiling()
