"""Issue #26: results folders that know their inputs; ``report`` never changes numbers silently.

Each test reproduces one finding of the issue and failed before its fix: a resume after the
network file or the code changed, a run file of another seed copied in, a run file cut inside
its last line, a manifest edited by hand, timeseries.csv cut before ``report``, a full disk
while drawing figures, ``--out`` under /proc, an arm name that is a spreadsheet formula,
``--versus`` on an interrupted folder, stale temporary files, Ctrl-C while writing tables.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.study import conduct
from sim.study.conduct import execute
from sim.study.folders import LOCK, file_sha256
from sim.study.manifest import sources_sha256
from sim.study.runs import read_timeseries, run_path, values_problem
from sim.study.scenario import load_scenario
from tests.test_cli import InterruptAfter
from tests.test_hardening import cli, one_line_error

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--set", "network.n=60", "--weeks", "3", "--replicates", "3", "--quiet", "--no-figures"]
SMALL_SET = [("network.n", 60), ("weeks", 3), ("replicates", 3)]


def interrupted(out: Path, argv: list[str], scenario, k: int = 1) -> None:
    """Run ``scenario`` into ``out`` and stop it after ``k`` runs."""
    with pytest.raises(KeyboardInterrupt):
        execute(scenario, out=out, executor=InterruptAfter(k), quiet=True, argv=argv)
    assert not json.loads((out / "manifest.json").read_text())["completed"]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


# ------------------------------------------------------------------ 1. inputs and code


def net_scenario(folder: Path, ties: list[tuple[int, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "net.csv").write_text("".join(f"{a},{b}\n" for a, b in ties))
    path = folder / "onfile.toml"
    path.write_text(
        'title = "on a file"\nweeks = 3\nreplicates = 3\n[network]\nkind = "file"\n'
        'path = "net.csv"\n'
    )
    return path


RING = [(i, (i + 1) % 40) for i in range(40)]
STAR = [(0, i) for i in range(1, 40)]


def test_resume_refuses_a_changed_network_file(tmp_path, capsys):
    path = net_scenario(tmp_path / "in", RING)
    out = tmp_path / "res"
    argv = ["run", path, "--quiet", "--no-figures", "--out", out]
    interrupted(out, [str(a) for a in argv], load_scenario(path))
    (tmp_path / "in" / "net.csv").write_text("".join(f"{a},{b}\n" for a, b in STAR))
    status, _, err = cli(argv, capsys)
    line = one_line_error(status, err)
    assert "net.csv" in line and "changed" in line and "--new-folder" in line
    assert not manifest(out)["completed"]
    # The flag starts the study anew beside it; the interrupted folder is left as it was.
    status, _, err = cli([*argv, "--new-folder"], capsys)
    assert status == 0, err
    assert manifest(tmp_path / "res-2")["completed"] is True
    assert not manifest(out)["completed"]


def test_resume_refuses_changed_code_and_sessions_record_their_code(tmp_path, capsys, monkeypatch):
    out = tmp_path / "res"
    argv = ["run", "default", *SMALL, "--out", out]
    interrupted(out, [str(a) for a in argv], load_scenario("default", SMALL_SET))
    # As after a `git pull` that changed the engine between the two sessions:
    monkeypatch.setattr("sim.study.manifest.sources_sha256", lambda: "0" * 64)
    status, _, err = cli(argv, capsys)
    line = one_line_error(status, err)
    assert "code" in line and "--new-folder" in line
    monkeypatch.undo()
    status, _, err = cli(argv, capsys)  # the code it started with: resumed
    assert status == 0, err
    sessions = manifest(out)["sessions"]
    assert len(sessions) == 2
    assert all(s["code"]["sources"] == sources_sha256() for s in sessions)


def test_resume_refuses_a_changed_extends_layer(tmp_path, capsys):
    base = tmp_path / "base.toml"
    base.write_text('title = "base"\n[network]\nn = 60\nmean_degree = 4\n')
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\ntitle = "child"\nweeks = 3\nreplicates = 3\n')
    out = tmp_path / "res"
    argv = ["run", child, "--quiet", "--no-figures", "--out", out]
    interrupted(out, [str(a) for a in argv], load_scenario(child))
    base.write_text('title = "base"\n[network]\nn = 60\nmean_degree = 6\n')
    status, _, err = cli(argv, capsys)
    one_line_error(status, err)


def reference(tmp_path, capsys, seed: int = 0) -> Path:
    full = tmp_path / f"full{seed}"
    extra = ["--seed", seed] if seed else []
    assert cli(["run", "default", *SMALL, *extra, "--out", full], capsys)[0] == 0
    return full


def test_run_file_of_another_seed_is_not_accepted(tmp_path, capsys):
    full = reference(tmp_path, capsys)
    other = reference(tmp_path, capsys, seed=99)
    part = tmp_path / "part"
    argv = ["run", "default", *SMALL, "--out", part]
    interrupted(part, [str(a) for a in argv], load_scenario("default", SMALL_SET))
    shutil.copy(other / "runs" / "r0002.csv", part / "runs" / "r0002.csv")
    status, _, err = cli(argv, capsys)
    assert status == 0, err
    assert "r0002.csv" in err and "recomput" in err
    for name in ("timeseries.csv", "summary.csv"):
        assert (part / name).read_bytes() == (full / name).read_bytes(), name
    hashes = [r["sha256"] for r in manifest(part)["runs"]]
    assert hashes == [file_sha256(run_path(part, f"r{k:04d}")) for k in range(3)]


# ------------------------------------------------------------------ 3. empty measures


def test_run_file_cut_inside_its_last_line_is_recomputed(tmp_path, capsys, monkeypatch):
    full = reference(tmp_path, capsys)
    part = tmp_path / "part"
    argv = ["run", "default", *SMALL, "--out", part]
    interrupted(part, [str(a) for a in argv], load_scenario("default", SMALL_SET))
    path = part / "runs" / "r0000.csv"
    data = path.read_bytes()
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[1]
    cut = data[: len(data) - len(last) - 1 + len(b"mix,0,3,")]
    path.write_bytes(cut)
    # Even with the hash check out of the way (a file the journal vouches for), the content
    # check alone refuses the cut file.
    monkeypatch.setattr(conduct, "file_sha256", lambda p, what="": "same")
    monkeypatch.setattr(conduct, "recorded_hashes", lambda out, m=None: {"r0000": "same"})
    status, _, err = cli(argv, capsys)
    assert status == 0, err
    assert "r0000.csv" in err and "recomput" in err, err
    monkeypatch.undo()
    assert (part / "timeseries.csv").read_bytes() == (full / "timeseries.csv").read_bytes()


@pytest.mark.parametrize("column", ["awareness", "adoption", "net_sentiment"])
def test_values_problem_finds_empty_and_infinite_values(tmp_path, capsys, column):
    full = reference(tmp_path, capsys)
    import pandas as pd

    frame = pd.read_csv(full / "runs" / "r0000.csv")
    assert values_problem(frame) is None
    empty = frame.copy()
    empty.loc[5, column] = float("nan")
    assert column in values_problem(empty)
    infinite = frame.copy()
    infinite.loc[2, column] = float("inf")
    assert "infinite" in values_problem(infinite)


def test_manifest_with_runs_removed_is_refused_on_resume(tmp_path, capsys):
    part = tmp_path / "part"
    argv = ["run", "default", *SMALL, "--out", part]
    interrupted(part, [str(a) for a in argv], load_scenario("default", SMALL_SET), k=2)
    data = manifest(part)
    data["runs"] = data["runs"][:1]
    data["runs_total"] = 1
    (part / "manifest.json").write_text(json.dumps(data))
    status, _, err = cli(argv, capsys)
    line = one_line_error(status, err)
    assert "manifest.json" in line and "runs" in line
    assert not (part / "timeseries.csv").exists()


# ------------------------------------------------------------------ 2. report


def test_report_refuses_a_cut_timeseries_and_leaves_the_summary(tmp_path, capsys):
    full = reference(tmp_path, capsys)
    summary = (full / "summary.json").read_bytes()
    ts = full / "timeseries.csv"
    ts.write_bytes(ts.read_bytes()[: ts.stat().st_size // 2])
    for extra in ([], ["--lang", "nb"]):
        status, _, err = cli(["report", full, *extra], capsys)
        line = one_line_error(status, err)
        assert "timeseries.csv" in line and "runs/" in line
        assert (full / "summary.json").read_bytes() == summary
    ts.unlink()  # as the message says: removed, it is rebuilt from runs/
    status, _, err = cli(["report", full], capsys)
    assert status == 0, err
    assert ts.read_bytes() == (reference(tmp_path / "again", capsys) / ts.name).read_bytes()


def test_report_refuses_a_changed_run_file_and_an_edited_run_list(tmp_path, capsys):
    full = reference(tmp_path, capsys)
    run = full / "runs" / "r0001.csv"
    good = run.read_bytes()
    run.write_bytes(good.replace(b"push,1,3,", b"push,1,3,9", 1))
    line = one_line_error(*cli(["report", full], capsys)[::2])
    assert "r0001.csv" in line and "changed" in line
    run.write_bytes(good)
    data = manifest(full)
    data["runs"] = data["runs"][:2]
    (full / "manifest.json").write_text(json.dumps(data))
    line = one_line_error(*cli(["report", full], capsys)[::2])
    assert "manifest.json" in line


# ------------------------------------------------------------------ 4. every failure: exit 2


def test_full_disk_while_drawing_figures(tmp_path, capsys, monkeypatch):
    import matplotlib.figure

    out = tmp_path / "res"
    argv = ["run", "default", *[a for a in SMALL if a != "--no-figures"], "--out", out]
    real = matplotlib.figure.Figure.savefig
    calls = []

    def savefig(self, fname, *args, **kwargs):
        calls.append(fname)
        if len(calls) == 3:
            Path(fname).write_bytes(b"\x89PNG half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, fname, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(matplotlib.figure.Figure, "savefig", savefig)
        status, _, err = cli(argv, capsys)
    line = one_line_error(status, err)
    assert "No space left on device" in line and ".png" in line and "same command" in line
    assert manifest(out)["completed"] is False and (out / "INCOMPLETE").exists()
    assert not (out / "report.html").exists()
    assert not [p for p in out.rglob(".*tmp-*")]
    status, _, err = cli(argv, capsys)  # the same command finishes it
    assert status == 0, err
    assert manifest(out)["completed"] is True and (out / "report.html").exists()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_out_under_proc_is_one_line(tmp_path, capsys):
    line = one_line_error(*cli(["run", "default", *SMALL, "--out", "/proc/newdir"], capsys)[::2])
    assert "/proc/newdir" in line


# ------------------------------------------------------------------ 5. smaller items


FORMULA = ("=", "+", "-", "@")


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_formula_arm_names_are_spreadsheet_safe(tmp_path, capsys):
    path = tmp_path / "formula.toml"
    path.write_text(
        'title = "formula"\nweeks = 2\nreplicates = 2\n[network]\nn = 60\n'
        '[[arms]]\nname = "none"\nbudget = 0.0\n'
        '[[arms]]\nname = "=HYPERLINK(\\"http://x\\")"\npush_share = 1.0\n'
        '[[arms]]\nname = "-2+3"\npush_share = 0.5\n'
    )
    out = tmp_path / "res"
    status, _, err = cli(["run", path, "--quiet", "--no-figures", "--out", out], capsys)
    assert status == 0, err
    for name in ("timeseries.csv", "summary.csv", "runs/r0000.csv"):
        for line in (out / name).read_text().splitlines()[1:]:
            for cell in line.split(","):
                assert is_number(cell) or not cell.lstrip('"').startswith(FORMULA), (name, line)
    assert "'=HYPERLINK" in (out / "timeseries.csv").read_text()
    status, _, err = cli(["report", out], capsys)  # read back as the names they are
    assert status == 0, err
    assert read_timeseries(out / "timeseries.csv")["arm"].unique().tolist()[1:] == [
        '=HYPERLINK("http://x")',
        "-2+3",
    ]


def test_versus_on_an_interrupted_folder_resumes_it(tmp_path, capsys):
    part = tmp_path / "part"
    argv = ["run", "default", *SMALL, "--out", part]
    interrupted(part, [str(a) for a in argv], load_scenario("default", SMALL_SET))
    status, _, err = cli([*argv, "--versus", "push"], capsys)
    assert status == 0, err
    summary = json.loads((part / "summary.json").read_text())
    assert summary["baseline"] == "push"


def test_stale_temporary_files_are_removed_on_resume(tmp_path, capsys):
    part = tmp_path / "part"
    argv = ["run", "default", *SMALL, "--out", part]
    interrupted(part, [str(a) for a in argv], load_scenario("default", SMALL_SET))
    stale = [part / ".timeseries.csv.tmp-99999", part / "runs" / ".r0001.csv.tmp-99999"]
    for path in stale:
        path.write_text("half a table")
    status, _, err = cli(argv, capsys)
    assert status == 0, err
    assert not any(p.exists() for p in stale)


def test_interrupt_while_writing_tables_prints_the_resume_hint(tmp_path, capsys, monkeypatch):
    out = tmp_path / "res"
    argv = ["run", "default", *SMALL, "--out", out]

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(conduct, "write_summaries", interrupt)
        status, _, err = cli(argv, capsys)
    assert status == 130
    assert "--out" in err and str(out) in err and "Traceback" not in err
    assert manifest(out)["completed"] is False
    assert cli(argv, capsys)[0] == 0


def test_ctrl_c_during_the_imports_is_one_line(tmp_path):
    """SIGINT while run_sim.py imports its libraries: one line, exit 130, no traceback."""
    code = (
        "import builtins, runpy, sys\n"
        "real = builtins.__import__\n"
        "def imp(name, *a, **k):\n"
        "    if name == 'sim.cli':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = imp\n"
        f"sys.argv = ['run_sim.py']\nrunpy.run_path({str(ROOT / 'run_sim.py')!r}, "
        "run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "Interrupted." and "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_writer_meeting_a_folder_being_created_is_told_it_is_in_use(tmp_path, capsys):
    """Another study has made and locked the folder, and not yet written its manifest."""
    out = tmp_path / "res"
    out.mkdir()
    (out / "INCOMPLETE").write_text("started")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(out / LOCK)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.write(fd, f'process {os.getpid()} on here, since now'.encode())\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        for argv in (["run", "default", *SMALL, "--out", out], ["report", out]):
            line = one_line_error(*cli(argv, capsys)[::2])
            assert "in use by another study" in line and f"process {holder.pid}" in line
    finally:
        holder.kill()
        holder.wait()


def test_numpy_warnings_never_reach_the_user(capsys):
    import warnings

    import numpy as np

    from sim.cli import _one_line_warnings

    with _one_line_warnings(), warnings.catch_warnings():
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            np.float64(0.0) / np.float64(0.0)
            np.array([]).mean()
        warnings.warn("a real warning for the user", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "warning: a real warning for the user\n"
