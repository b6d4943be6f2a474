"""End-to-end tests of the command line on small scenarios."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.engine.measures import MEASURE_NAMES
from sim.study.conduct import execute
from sim.study.runner import InProcessExecutor
from sim.study.scenario import load_scenario
from sim.study.scenario_files import SCENARIO_DIR, shipped_scenarios

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--set", "network.n=200", "--weeks", "6", "--replicates", "2", "--quiet"]
# For tests that compare tables only: figures and the report cost ~3.5 s of processor time a
# run, 20 times the run itself (tests/test_cli.py checks them in the tests that look at them).
TABLES_ONLY = [*SMALL, "--no-figures"]
REQUIRED_COLUMNS = [
    "arm",
    "replicate",
    "week",
    "awareness",
    "adoption",
    "mean_attitude",
    "net_sentiment",
    "wom_positive",
    "wom_negative",
    "public_mentions",
    "conversations",
    "irritated",
    "product_fit",
    "spend",
    "cost_per_aware",
]


def run_cli(args, capsys):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "res"
    status, stdout, err = run_cli(["run", "default", *SMALL, "--out", str(out)], capsys)
    assert status == 0, err
    assert str(out) in stdout and "paired differences" in stdout
    table = pd.read_csv(out / "timeseries.csv")
    assert list(table.columns[:3]) == ["arm", "replicate", "week"]
    for column in REQUIRED_COLUMNS:
        assert column in table.columns
    assert len(table) == 4 * 2 * 7  # arms x replicates x weeks 0..6
    assert list(dict.fromkeys(table["arm"])) == ["none", "push", "dialogue", "mix"]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["final_week"] == 6 and summary["baseline"] == "none"
    point = summary["points"][0]
    assert [a["arm"] for a in point["arms"]] == ["none", "push", "dialogue", "mix"]
    # Push's final awareness: the mean of the two replicates' week-6 values and its t
    # interval, t(0.975; 1) = 12.706 (tests/test_summaries.py checks every number).
    final = table[(table["week"] == 6) & (table["arm"] == "push")]["awareness"].to_numpy()
    half = 12.7062047 * final.std(ddof=1) / 2**0.5
    aw = point["arms"][1]["measures"]["awareness"]
    assert aw["n"] == 2 and aw["mean"] == pytest.approx(final.mean(), abs=1e-12)
    assert (aw["low"], aw["high"]) == pytest.approx((final.mean() - half, final.mean() + half))
    assert [d["arm"] for d in point["differences"]] == ["push", "dialogue", "mix"]
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert {r["kind"] for r in rows} >= {"level", "difference"}

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["completed"] is True and manifest["runs_done"] == 2
    assert manifest["scenario"]["params"]["network"]["n"] == 200
    assert manifest["master_seed"] == 2024
    assert [r["seed"] for r in manifest["runs"]] and manifest["versions"]["numpy"]
    assert manifest["command"][1:3] == ["run", "default"]
    assert manifest["started"] and manifest["finished"]
    assert not (out / "INCOMPLETE").exists()

    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    for name in ("awareness", "mean_attitude", "net_sentiment", "wom", "spend_efficiency"):
        assert f"{name}.png" in figures
    assert "first_heard.png" in figures
    for fig in (out / "figures").glob("*.png"):
        assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(figures)
    assert "Caveats" in page and "Push, dialogue or both?" in page
    assert "<script" not in page and 'src="http' not in page


def test_same_command_twice_gives_identical_tables(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(["run", "crisis", *TABLES_ONLY, "--out", str(a)], capsys)[0] == 0
    assert run_cli(["run", "crisis", *TABLES_ONLY, "--out", str(b)], capsys)[0] == 0
    assert (a / "timeseries.csv").read_bytes() == (b / "timeseries.csv").read_bytes()
    assert (a / "summary.csv").read_bytes() == (b / "summary.csv").read_bytes()
    c = tmp_path / "c"
    assert run_cli(["run", "crisis", *TABLES_ONLY, "--seed", "5", "--out", str(c)], capsys)[0] == 0
    assert (a / "timeseries.csv").read_bytes() != (c / "timeseries.csv").read_bytes()


def test_existing_results_are_never_overwritten(tmp_path, capsys):
    out = tmp_path / "res"
    assert run_cli(["run", "default", *TABLES_ONLY, "--out", str(out)], capsys)[0] == 0
    before = (out / "timeseries.csv").read_bytes()
    status, _, err = run_cli(["run", "default", *TABLES_ONLY, "--out", str(out)], capsys)
    assert status == 2 and "never overwritten" in err
    assert (out / "timeseries.csv").read_bytes() == before
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    status, _, err = run_cli(["run", "default", *SMALL, "--out", str(other)], capsys)
    assert status == 2 and (other / "notes.txt").read_text() == "mine"


def test_default_folder_is_timestamped_and_unique(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli(["run", "bass", *TABLES_ONLY], capsys)[0] == 0
    assert run_cli(["run", "bass", *TABLES_ONLY], capsys)[0] == 0
    folders = sorted((tmp_path / "results" / "bass").iterdir())
    assert len(folders) == 2
    assert all((f / "timeseries.csv").exists() for f in folders)


class InterruptAfter(InProcessExecutor):
    """Finishes ``k`` tasks, then acts as if the user pressed Ctrl-C."""

    def __init__(self, k: int):
        self.k = k

    def map_unordered(self, tasks, fn):
        for i, task in enumerate(tasks):
            if i == self.k:
                raise KeyboardInterrupt
            yield task, fn(task)


def write_sweep(tmp_path) -> Path:
    path = tmp_path / "grid.toml"
    path.write_text(
        'title = "grid"\ndescription = "Look at: tests."\nweeks = 5\nreplicates = 2\n'
        "[network]\nn = 120\nmean_degree = 6\n[arm]\nbudget = 60.0\n"
        '[sweep]\n"wom.negative_impact" = [1.0, 3.0]\n"arm.budget" = [30.0, 90.0]\n',
        encoding="utf-8",
    )
    return path


def test_interrupted_sweep_resumes_to_identical_tables(tmp_path, capsys):
    path = write_sweep(tmp_path)
    full = tmp_path / "full"
    assert run_cli(["sweep", str(path), "--quiet", "--out", str(full)], capsys)[0] == 0
    assert (full / "sweep.csv").exists()
    sweep = pd.read_csv(full / "sweep.csv")
    assert len(sweep) == 4 * 4 and "awareness_mean" in sweep and "awareness_diff_low" in sweep
    table = pd.read_csv(full / "timeseries.csv")
    assert list(table.columns[:6]) == [
        "point",
        "wom.negative_impact",
        "arm.budget",
        "arm",
        "replicate",
        "week",
    ]
    assert any(p.name.startswith("sweep_diff_") for p in (full / "figures").iterdir())
    assert any(p.name.startswith("sweep_winner_") for p in (full / "figures").iterdir())

    part = tmp_path / "part"
    argv = ["sweep", str(path), "--quiet", "--out", str(part)]
    scenario = load_scenario(path)
    with pytest.raises(KeyboardInterrupt) as info:
        execute(scenario, sweep=True, out=part, executor=InterruptAfter(3), quiet=True, argv=argv)
    assert info.value.outcome.runs_done == 3
    manifest = json.loads((part / "manifest.json").read_text())
    assert manifest["completed"] is False and manifest["runs_done"] == 3
    assert (part / "INCOMPLETE").exists() and "--out" in (part / "INCOMPLETE").read_text()
    assert not (part / "timeseries.csv").exists()
    assert len(list((part / "runs").glob("*.csv"))) == 3
    kept = {p.name: p.stat().st_mtime_ns for p in (part / "runs").glob("*.csv")}

    # report works on the incomplete folder, and says so
    assert run_cli(["report", str(part)], capsys)[0] == 0
    assert "Incomplete study" in (part / "report.html").read_text()

    # the same command again runs only what is missing
    status, _, err = run_cli(argv, capsys)
    assert status == 0, err
    for name, mtime in kept.items():
        assert (part / "runs" / name).stat().st_mtime_ns == mtime
    for name in ("timeseries.csv", "sweep.csv", "summary.csv"):
        assert (part / name).read_bytes() == (full / name).read_bytes(), name
    manifest = json.loads((part / "manifest.json").read_text())
    assert manifest["completed"] is True and len(manifest["sessions"]) == 2
    assert not (part / "INCOMPLETE").exists()


def test_interrupt_exit_status_is_130(tmp_path, capsys, monkeypatch):
    import sim.cli_commands as commands

    monkeypatch.setattr(commands, "make_executor", lambda args: InterruptAfter(1))
    out = tmp_path / "res"
    status, _, err = run_cli(["run", "default", *SMALL, "--out", str(out)], capsys)
    assert status == 130 and "Interrupted: 1 of 2 runs" in err and "--out" in err
    assert json.loads((out / "manifest.json").read_text())["completed"] is False


def test_completion_order_does_not_matter(tmp_path, capsys, monkeypatch):
    import sim.cli_commands as commands

    class Reversed(InProcessExecutor):
        def map_unordered(self, tasks, fn):
            for task in reversed(list(tasks)):
                yield task, fn(task)

    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(["run", "default", *TABLES_ONLY, "--out", str(a)], capsys)[0] == 0
    monkeypatch.setattr(commands, "make_executor", lambda args: Reversed())
    assert run_cli(["run", "default", *TABLES_ONLY, "--out", str(b)], capsys)[0] == 0
    assert (a / "timeseries.csv").read_bytes() == (b / "timeseries.csv").read_bytes()


def test_report_rebuilds_figures_and_page(tmp_path, capsys):
    out = tmp_path / "res"
    assert run_cli(["run", "bass", *SMALL, "--out", str(out)], capsys)[0] == 0
    (out / "report.html").unlink()
    for fig in (out / "figures").glob("*.png"):
        fig.unlink()
    before = (out / "summary.csv").read_bytes()
    status, stdout, _ = run_cli(["report", str(out)], capsys)
    assert status == 0 and "report.html" in stdout
    assert (out / "report.html").exists() and (out / "figures" / "awareness.png").exists()
    assert (out / "summary.csv").read_bytes() == before
    assert run_cli(["report", str(tmp_path / "nothing")], capsys)[0] == 2


def test_no_figures_writes_tables_only_and_report_draws_later(tmp_path, capsys):
    out = tmp_path / "res"
    status, stdout, _ = run_cli(["run", "bass", *SMALL, "--no-figures", "--out", str(out)], capsys)
    assert status == 0 and "--no-figures" in stdout
    assert (out / "timeseries.csv").exists() and (out / "summary.json").exists()
    assert json.loads((out / "manifest.json").read_text())["completed"] is True
    assert not (out / "report.html").exists() and not (out / "figures").exists()
    assert run_cli(["report", str(out)], capsys)[0] == 0
    assert (out / "report.html").exists() and (out / "figures" / "awareness.png").exists()


# The shipped scenarios that draw their figures and report in the test below; the others run
# with --no-figures (drawing costs ~3 s of processor time a scenario, 20 times the run). Together
# these run every line of sim/outputs that the whole set runs (measured with a line tracer:
# `python tools/figure_coverage.py` prints this list and checks it; rerun it when a scenario is
# added or the outputs layer changes). What the figures show is checked elsewhere
# (tests/test_summaries.py, tests/test_i18n.py, tests/test_money.py, tests/test_leads.py).
FIGURE_SCENARIOS = (
    "crisis",
    "negativity",
    "budget_frontier",
    "bass",
    "networks",
    "target_groups",
    "competitor_launch",
    "learning",
)


@pytest.mark.parametrize("name", [name for name, _ in shipped_scenarios()])
def test_every_shipped_scenario_runs_small(tmp_path, capsys, name):
    scenario = load_scenario(SCENARIO_DIR / f"{name}.toml")
    command = "sweep" if scenario.has_sweep else "run"
    out = tmp_path / name
    args = [command, name, "--set", "network.n=150", "--weeks", "4", "--replicates", "2"]
    figures = name in FIGURE_SCENARIOS
    args += [] if figures else ["--no-figures"]
    status, stdout, err = run_cli([*args, "--quiet", "--out", str(out)], capsys)
    assert status == 0, err
    table = pd.read_csv(out / "timeseries.csv")
    assert set(MEASURE_NAMES) <= set(table.columns)
    assert (out / "summary.json").exists() and (out / "summary.csv").exists()
    assert (out / "report.html").exists() == figures
    assert bool(list((out / "figures").glob("*.png"))) == figures
    if scenario.has_sweep:
        assert (out / "sweep.csv").exists()


def test_the_scenarios_that_draw_figures_are_shipped():
    """FIGURE_SCENARIOS names shipped scenarios (a renamed one would silently stop drawing)."""
    shipped = {name for name, _ in shipped_scenarios()}
    assert set(FIGURE_SCENARIOS) <= shipped, set(FIGURE_SCENARIOS) - shipped


def test_validate_list_schema(tmp_path, capsys):
    files = [str(p) for p in sorted(SCENARIO_DIR.glob("*.toml"))]
    status, out, _ = run_cli(["validate", *files], capsys)
    assert status == 0 and out.count("ok: ") == len(files)
    bad = tmp_path / "bad.toml"
    bad.write_text("[network]\nn = -3\n")
    status, out, err = run_cli(["validate", files[0], str(bad)], capsys)
    assert status == 2 and "network.n" in err and out.count("ok: ") == 1

    status, out, _ = run_cli(["list"], capsys)
    assert status == 0
    for name, title in shipped_scenarios():
        assert name in out and title in out

    status, out, _ = run_cli(["schema"], capsys)
    schema = json.loads(out)
    assert schema["title"] == "Reclamare scenario" and "arms" in schema["properties"]
    target = tmp_path / "schema.json"
    assert run_cli(["schema", "-o", str(target)], capsys)[0] == 0
    assert json.loads(target.read_text()) == schema


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "nosuch"], "no such scenario file"),
        (["run", "default", "--set", "netwrk.n=3"], "did you mean 'network'"),
        (["run", "default", "--set", "network.n=two"], "network.n"),
        (["run", "default", "--set", "justtext"], "PATH=VALUE"),
        (["run", "default", "--replicates", "zero"], "--replicates"),
        (["sweep", "default"], "no [sweep] table"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_without_creating_results(tmp_path, capsys, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if args[0] == "frobnicate" or "zero" in args else _noop():
        status, _, err = run_cli(args, capsys)
        assert status == 2 and needle in err and err.count("\n") == 1, err
    if args[0] == "frobnicate" or "zero" in args:
        err = capsys.readouterr().err
        assert needle in err
    assert not (tmp_path / "results").exists()


class _noop:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_no_arguments_means_run_default(monkeypatch):
    import sim.cli as cli

    seen = {}
    monkeypatch.setitem(cli.COMMANDS, "run", lambda args, argv: seen.update(vars(args)) or 0)
    assert main([]) == 0
    assert seen["command"] == "run" and seen["scenario"] == "default"


def test_run_sim_py_entry_point(tmp_path):
    """The real script in a fresh process (small settings)."""
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), "run", *SMALL],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Results: results/default/" in result.stdout
    assert "Traceback" not in result.stderr
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for command in ("run", "sweep", "validate", "list", "report", "schema"):
        assert command in help_text


def test_sigterm_stops_cleanly_and_the_same_command_resumes(tmp_path, capsys):
    """A batch system's kill (SIGTERM) keeps finished runs; rerunning completes identically."""
    import signal
    import time

    args = [
        "run",
        "default",
        "--set",
        "network.n=2000",
        "--weeks",
        "52",
        "--replicates",
        "40",
        "--quiet",
        "--no-figures",
    ]
    part, full = tmp_path / "part", tmp_path / "full"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), *args, "--out", str(part)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(part.glob("runs/*.csv"))) < 2:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    manifest = json.loads((part / "manifest.json").read_text())
    assert manifest["completed"] is False and 2 <= manifest["runs_done"] < 40
    assert (part / "INCOMPLETE").exists()

    assert run_cli([*args, "--out", str(part)], capsys)[0] == 0
    assert run_cli([*args, "--out", str(full)], capsys)[0] == 0
    assert (part / "timeseries.csv").read_bytes() == (full / "timeseries.csv").read_bytes()
    assert not (part / "INCOMPLETE").exists()


def test_ctrl_c_during_the_imports_ends_with_one_line(monkeypatch, capsys):
    """``sim.entry.run`` (run_sim.py and the installed ``reclamare`` script): Ctrl-C while the
    command line is being imported gives "Interrupted." and exit status 130, no traceback."""
    import gc
    import sys
    import types

    from sim import entry

    class Interrupting(types.ModuleType):
        def __getattr__(self, name):
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "sim.cli", Interrupting("sim.cli"))
    try:
        with pytest.raises(SystemExit) as stop:
            entry.run()
    finally:
        gc.enable()
    assert stop.value.code == 130
    assert capsys.readouterr().err == "Interrupted.\n"
