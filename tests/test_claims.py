"""Scenario claims ([[expect]], issue #13 item 4): the judging rules, one-line errors for bad
claims, the check command, the report section, and every shipped scenario's claims in CI."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from sim.study.claims import Expectation, judge, judge_all
from sim.study.scenario import ScenarioError, load_scenario, shipped_names


def _table(a: list[float], b: list[float], week: int = 5, measure: str = "adoption"):
    rows = []
    for rep, (x, y) in enumerate(zip(a, b, strict=True)):
        rows.append({"arm": "a", "replicate": rep, "week": week, measure: x})
        rows.append({"arm": "b", "replicate": rep, "week": week, measure: y})
    return pd.DataFrame(rows)


def _claim(relation: str, versus: str | None = "b", **extra) -> Expectation:
    return Expectation(
        arm="a",
        versus=versus,
        measure="adoption",
        week=5,
        relation=relation,
        replicates=4,
        **extra,
    )


# Pairs that share noise (a common random part per replicate) and differ by +0.1: the paired
# difference is exactly 0.1 (+/- 0.01), though each arm alone spreads over +/- 0.5.
NOISE = [0.5, -0.5, 0.3, -0.2]
AHEAD = _table([0.1 + n + d for n, d in zip(NOISE, [0.0, 0.01, -0.01, 0.0], strict=True)], NOISE)
TIED = _table([n + d for n, d in zip(NOISE, [0.05, -0.05, 0.02, -0.03], strict=True)], NOISE)


@pytest.mark.parametrize(
    ("table", "relation", "held"),
    [
        (AHEAD, "ahead", True),
        (AHEAD, "behind", False),
        (AHEAD, "within noise", False),
        (AHEAD, "positive", True),
        (AHEAD, "negative", False),
        (TIED, "ahead", False),
        (TIED, "behind", False),
        (TIED, "within noise", True),
    ],
)
def test_judge_uses_the_paired_difference(table, relation, held):
    result = judge(_claim(relation), table)
    assert result["held"] is held
    assert result["n"] == 4
    if not held:
        assert result["why"]


def test_judge_behind_and_own_sign():
    swapped = AHEAD.assign(arm=AHEAD["arm"].map({"a": "b", "b": "a"}))
    assert judge(_claim("behind"), swapped)["held"] is True
    # Without versus, positive/negative judge the arm's own value: a's values straddle zero.
    assert judge(_claim("positive", versus=None), AHEAD)["held"] is False
    high = AHEAD.assign(adoption=AHEAD["adoption"] + 2.0)
    assert judge(_claim("positive", versus=None), high)["held"] is True
    assert judge(_claim("negative", versus=None), high)["held"] is False
    low = high.assign(adoption=-high["adoption"])
    assert judge(_claim("negative", versus=None), low)["held"] is True


def test_above_and_below_compare_with_value():
    # a's values are 0.6, -0.49, 0.29, -0.2 (mean 0.05): not above 0 nor above -2 ... below 2.
    assert judge(_claim("above", versus=None, value=-2.0), AHEAD)["held"] is True
    assert judge(_claim("above", versus=None, value=0.0), AHEAD)["held"] is False
    assert judge(_claim("below", versus=None, value=2.0), AHEAD)["held"] is True
    # With versus: the paired difference (0.1 +/- 0.01) is above 0.05 and below 0.15.
    assert judge(_claim("above", value=0.05), AHEAD)["held"] is True
    assert judge(_claim("below", value=0.15), AHEAD)["held"] is True
    assert judge(_claim("above", value=0.15), AHEAD)["held"] is False


def test_judge_uses_only_the_claimed_replicates():
    # Replicate 4 (beyond the claim's 4) would turn the difference around; it is not used.
    extra = pd.concat([AHEAD, _table([-50.0], [50.0]).assign(replicate=4)], ignore_index=True)
    assert judge(_claim("ahead"), extra)["held"] is True
    short = AHEAD[AHEAD["replicate"] < 3]
    result = judge(_claim("ahead"), short)
    assert result["held"] is False and "3 of 4" in result["why"]


def test_judge_all_says_what_it_cannot_judge():
    items = judge_all(
        [
            _claim("ahead"),
            _claim("ahead").model_copy(update={"week": 9}),
            _claim("ahead").model_copy(update={"replicates": 50}),
        ],
        AHEAD,
    )
    assert items[0]["held"] is True
    assert items[1]["held"] is None and "week 9" in items[1]["why"]
    assert items[2]["held"] is None and "50 replicates" in items[2]["why"]


BASE = """
title = "t"
weeks = 8
replicates = 2
[network]
n = 60
[[arms]]
name = "none"
budget = 0.0
[[arms]]
name = "push"
push_share = 1.0
"""


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (
            'arm = "pushh"\nmeasure = "awareness"\nweek = 4\nrelation = "positive"',
            "expect[0].arm = 'pushh': must be one of the arms",
        ),
        (
            'arm = "push"\nversus = "nobody"\nmeasure = "awareness"\nweek = 4\nrelation = "ahead"',
            "expect[0].versus = 'nobody'",
        ),
        (
            'arm = "push"\nmeasure = "awarenes"\nweek = 4\nrelation = "positive"',
            "expect[0].measure = 'awarenes': must be one of",
        ),
        (
            'arm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 9\nrelation = "ahead"',
            "expect[0].week = 9: must be at most the scenario's weeks (8)",
        ),
        (
            'arm = "push"\nmeasure = "awareness"\nweek = 4\nrelation = "ahead"',
            "expect[0].versus: required when relation = 'ahead'",
        ),
        (
            'arm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 4\nrelation = "over"',
            "expect[0].relation = 'over': must be one of",
        ),
        (
            'arm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 4\nrelation = "ahead"\n'
            "replicates = 1",
            "expect[0].replicates = 1: must be >= 2",
        ),
        (
            'arm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 4\nrelation = "ahead"\n'
            'at = {"wom.mu" = 0.3}',
            "expect[0].at: must name every sweep path",
        ),
        (
            'arm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 4\nrelation = "ahead"\n'
            "colour = 1",
            "unknown parameter 'expect[0].colour'",
        ),
        (
            'arm = "push"\nmeasure = "awareness"\nweek = 4\nrelation = "above"',
            "expect[0].value: required when relation = 'above'",
        ),
    ],
)
def test_bad_claims_are_one_line_errors_naming_file_and_field(tmp_path, claim, message):
    path = tmp_path / "s.toml"
    path.write_text(BASE + "[[expect]]\n" + claim + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, preflight=False)
    text = str(info.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_claims_are_not_inherited_through_extends(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(
        BASE + '[[expect]]\narm = "push"\nmeasure = "awareness"\nweek = 4\nrelation = "positive"\n'
    )
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\n')
    assert len(load_scenario(base, preflight=False).expectations) == 1
    assert load_scenario(child, preflight=False).expectations == []


def test_check_command_exit_status_and_report(tmp_path, capsys):
    from sim.cli import main

    path = tmp_path / "s.toml"
    claims = (
        '[[expect]]\narm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 6\n'
        'relation = "ahead"\nreplicates = 3\nsays = "Push makes more customers aware."\n'
    )
    path.write_text(BASE + claims)
    assert main(["check", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 claims hold" in out and "held" in out
    # The opposite claim fails: exit status 1, marked NOT HELD with its interval.
    path.write_text(BASE + claims.replace('"ahead"', '"behind"'))
    assert main(["check", str(path), "--quiet"]) == 1
    assert "NOT HELD push - none, awareness, week 6: behind" in capsys.readouterr().out
    # report.html shows the claims judged on the run's own replicates.
    path.write_text(BASE.replace("replicates = 2", "replicates = 3") + claims)
    out_dir = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out_dir), "--quiet"]) == 0
    html = (out_dir / "report.html").read_text()
    assert "Push makes more customers aware." in html and ">held<" in html


def test_check_numbers_are_those_of_run(tmp_path):
    """check runs only what the claims need; the numbers equal a full run's (same seeds)."""
    from sim.study.conduct import execute
    from sim.study.expect import check_scenario
    from sim.study.results import read_timeseries

    path = tmp_path / "s.toml"
    path.write_text(
        BASE.replace("replicates = 2", "replicates = 3")
        + '[[arms]]\nname = "dialogue"\npush_share = 0.0\n'
        + '[[expect]]\narm = "dialogue"\nversus = "push"\nmeasure = "awareness"\n'
        'week = 5\nrelation = "within noise"\nreplicates = 3\n'
    )
    sc = load_scenario(path)
    [checked] = check_scenario(sc)
    outcome = execute(sc, out=tmp_path / "r", quiet=True)
    table = read_timeseries(outcome.out / "timeseries.csv")
    [judged] = judge_all(sc.expectations, table)
    assert np.isfinite(checked["mean"]) and checked["mean"] != 0.0
    assert checked["mean"] == pytest.approx(judged["mean"], rel=1e-12, abs=1e-15)
    assert checked["held"] == judged["held"]


@pytest.mark.slow
def test_every_shipped_scenario_makes_claims_and_they_hold():
    """CI: every shipped scenario's claims hold at the replicates each claim states (run at the
    scenario's own size: only the claimed arms, weeks and sweep points are run)."""
    from sim.study.expect import check_scenario

    start = time.perf_counter()
    failures = []
    for name in shipped_names():
        sc = load_scenario(name)
        assert sc.expectations, f"{name}: the scenario makes no [[expect]] claims"
        for item in check_scenario(sc):
            if not item["held"]:
                failures.append(
                    f"{name}: {item['claim']}: {item['mean']:+.4g} "
                    f"[{item['low']:.4g}, {item['high']:.4g}] ({item['why']})"
                )
    assert not failures, "\n".join(failures)
    assert np.isfinite(time.perf_counter() - start)
