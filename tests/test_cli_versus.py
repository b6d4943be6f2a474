"""``--versus ARM`` and ``--weeks-shown W1,W2`` (issue #15, item 4): the terminal table answers
the workshop's questions ("dialogue minus push", "who recovers faster?")."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from sim.cli import main
from sim.study.summaries import summarise

SMALL = ["--set", "network.n=150", "--weeks", "8", "--replicates", "3", "--quiet", "--no-figures"]


def run_cli(args, capsys):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _table_rows(stdout: str, week: int) -> dict[str, str]:
    """The rows (label -> rest of line) of the terminal table printed for ``week``."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"week {week} "))
    rows = {}
    for line in lines[start + 1 :]:
        if line.startswith("mean [95 %"):
            break
        if line == "paired differences:":
            continue
        label = line.split("  ")[0].strip()
        rows[label] = line
    return rows


def test_versus_sets_the_baseline_of_table_and_summaries(tmp_path, capsys):
    out = tmp_path / "res"
    status, stdout, err = run_cli(
        ["run", "default", *SMALL, "--versus", "push", "--out", str(out)], capsys
    )
    assert status == 0, err
    rows = _table_rows(stdout, 8)
    # arms by their display names (sim.i18n.vocabulary.arm_display): none is "no campaign"
    assert {"no campaign - push", "dialogue - push", "mix - push"} <= set(rows)
    assert "push - no campaign" not in rows
    assert "Arms: no campaign = none" in stdout  # the identifier --versus takes
    summary = json.loads((out / "summary.json").read_text())
    assert summary["baseline"] == "push"
    diffs = summary["points"][0]["differences"]
    assert [d["arm"] for d in diffs] == ["none", "dialogue", "mix"]
    assert {d["versus"] for d in diffs} == {"push"}
    # The paired difference is the mean over replicates of (arm - push), from the saved runs.
    table = pd.read_csv(out / "timeseries.csv")
    last = table[table["week"] == 8].set_index(["arm", "replicate"])["awareness"]
    expected = (last["dialogue"] - last["push"]).mean()
    got = next(d for d in diffs if d["arm"] == "dialogue")["measures"]["awareness"]["mean"]
    assert got == pytest.approx(expected, abs=1e-12)


def test_weeks_shown_prints_each_week_from_that_weeks_rows(tmp_path, capsys):
    out = tmp_path / "res"
    status, stdout, err = run_cli(
        ["run", "default", *SMALL, "--weeks-shown", "5,2,5", "--out", str(out)], capsys
    )
    assert status == 0, err
    assert stdout.count("\nweek 2 ") == 1 and stdout.count("\nweek 5 ") == 1
    assert "\nweek 8 " not in stdout  # only the weeks asked for
    assert stdout.index("\nweek 2 ") < stdout.index("\nweek 5 ")
    table = pd.read_csv(out / "timeseries.csv")
    for week in (2, 5):
        summary = summarise(
            table[table["week"] == week], ["none", "push", "dialogue", "mix"], "none", []
        )
        push = next(a for a in summary["points"][0]["arms"] if a["arm"] == "push")
        shown = _table_rows(stdout, week)["push"].split()[1]  # first measure: awareness mean
        # The table prints 3 significant digits: the shown value is the mean to within half a
        # unit of its last digit (0.164 for 0.16444).
        last_digit = 10 ** (math.floor(math.log10(abs(float(shown)))) - 2)
        mean = push["measures"]["awareness"]["mean"]
        assert abs(float(shown) - mean) <= 0.5 * last_digit + 1e-12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--versus", "dialog"], "--versus 'dialog': not an arm of default (did you mean"),
        (["--weeks-shown", "4,x"], "expected whole week numbers separated by commas"),
        (["--weeks-shown", "-1"], "negative"),
        (["--weeks-shown", "9"], "week 9 is after the study's last week (8)"),
    ],
)
def test_bad_versus_or_weeks_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "res"
    try:
        status = main(["run", "default", *SMALL, *args, "--out", str(out)])
    except SystemExit as stop:  # argparse's own checks exit from the parser
        status = stop.code
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and err.count("\n") == 1
    assert not out.exists()
