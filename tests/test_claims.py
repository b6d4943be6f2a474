"""Scenario claims ([[expect]], issue #13 item 4): the judging rules, one-line errors for bad
claims, the check command, the report section, and every shipped scenario's claims in CI."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from sim.study.claims import Expectation, describe, judge, judge_all
from sim.study.scenario import load_scenario
from sim.study.scenario_files import shipped_names
from sim.study.schema import ScenarioError


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
        (AHEAD, "equivalent", False),
        (AHEAD, "positive", True),
        (AHEAD, "negative", False),
        (TIED, "ahead", False),
        (TIED, "behind", False),
        (TIED, "equivalent", True),
        (TIED, "within noise", True),  # the old word, judged as equivalent (with a margin)
    ],
)
def test_judge_uses_the_paired_difference(table, relation, held):
    margin = {"margin": 0.1} if relation in ("equivalent", "within noise") else {}
    result = judge(_claim(relation, **margin), table)
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
    from sim.study.runs import read_timeseries

    path = tmp_path / "s.toml"
    path.write_text(
        BASE.replace("replicates = 2", "replicates = 3")
        + '[[arms]]\nname = "dialogue"\npush_share = 0.0\n'
        + '[[expect]]\narm = "dialogue"\nversus = "push"\nmeasure = "awareness"\n'
        'week = 5\nrelation = "equivalent"\nmargin = 0.05\nreplicates = 3\n'
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


# --------------------------------------------------------------------------- equivalence (TOST)
# Paired differences worked by hand: mean 0.008, sd sqrt(0.00148 / 4) = 0.0192354,
# se = sd / sqrt(5) = 0.0086023, t(0.95, 4) = 2.13185, so the 90 % interval is
# 0.008 +/- 0.018339 = [-0.010339, 0.026339]. Against margin 0.05: t = (0.008 + 0.05) / se =
# 6.742 and (0.008 - 0.05) / se = -4.882; the TOST p-value is P(T4 < -4.882) = 0.00407.
HAND = [0.01, 0.03, -0.02, 0.02, 0.0]


def test_tost_against_a_hand_computation_and_scipy():
    from scipy import stats as scipy_stats

    from sim.study.stats import tost

    test = tost(HAND, 0.05)
    assert test.mean == pytest.approx(0.008)
    assert test.sd == pytest.approx(0.0192354, rel=1e-5)
    assert (test.low, test.high) == pytest.approx((-0.010339, 0.026339), abs=2e-6)
    assert test.level == pytest.approx(0.90)
    assert test.p == pytest.approx(0.00407, abs=1e-5)
    assert test.held is True
    for margin in (0.05, 0.03, 0.027, 0.025, 0.01):
        lower = scipy_stats.ttest_1samp(HAND, -margin, alternative="greater").pvalue
        upper = scipy_stats.ttest_1samp(HAND, margin, alternative="less").pvalue
        test = tost(HAND, margin)
        assert test.p == pytest.approx(max(lower, upper), rel=1e-9)
        # Both one-sided tests reject at 5 % exactly when the 90 % interval is inside.
        inside = -margin < test.low and test.high < margin
        assert test.held is bool(max(lower, upper) < 0.05) is inside


def test_an_equivalence_claim_holds_at_one_margin_and_not_at_a_smaller_one():
    table = _table([0.5 + d for d in HAND], [0.5] * len(HAND))
    claim = Expectation(
        arm="a",
        versus="b",
        measure="adoption",
        week=5,
        relation="equivalent",
        margin=0.027,  # the interval's top is 0.02634: inside
        replicates=5,
    )
    held = judge(claim, table)
    assert held["held"] is True and held["level"] == pytest.approx(0.9)
    assert held["margin"] == 0.027 and held["p"] == pytest.approx(0.0459, abs=1e-4)
    tighter = judge(claim.model_copy(update={"margin": 0.025}), table)
    assert tighter["held"] is False
    assert "90 % interval reaches +0.025" in tighter["why"] and "p = 0.06" in tighter["why"]
    # Far from equivalent: a margin below the measured mean says no number of replicates helps.
    tiny = judge(claim.model_copy(update={"margin": 0.005}), table)
    assert tiny["held"] is False and tiny["needed"] is None and "not within" in tiny["why"]


def test_tost_edge_cases():
    from sim.study.stats import tost

    assert tost([0.0, 0.0, 0.0], 0.01).held is True  # no spread, inside the margin
    assert tost([0.02, 0.02, 0.02], 0.01).held is False  # no spread, outside it
    one = tost([0.001], 0.01)
    assert one.held is False and one.n == 1 and np.isnan(one.low)
    assert tost([0.001, np.nan, -0.001, 0.0], 0.01).n == 3  # NaNs left out
    for bad in (0.0, -0.05, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="must be a finite number > 0"):
            tost(HAND, bad)


@pytest.mark.parametrize(
    ("sd", "margin", "n", "true"),
    [(1.0, 0.5, 30, 0.1), (0.07, 0.1, 10, -0.042), (0.02, 0.03, 12, 0.0), (1.0, 0.8, 20, 0.3)],
)
def test_equivalence_power_agrees_with_simulation(sd, margin, n, true):
    """The planning helper against 4,000 simulated TOSTs (Monte Carlo sd of a share <= 0.008)."""
    from sim.study.stats import equivalence_power, tost

    rng = np.random.default_rng(20240)
    share = np.mean([tost(rng.normal(true, sd, n), margin).held for _ in range(4000)])
    assert equivalence_power(sd, margin, n, true) == pytest.approx(share, abs=0.03)


def test_replicates_for_equivalence():
    from sim.study.stats import equivalence_power, replicates_for_equivalence

    n = replicates_for_equivalence(0.07, 0.1, 0.8, -0.042)
    assert (
        equivalence_power(0.07, 0.1, n, -0.042) >= 0.8 > equivalence_power(0.07, 0.1, n - 1, -0.042)
    )
    assert replicates_for_equivalence(0.07, 0.2, 0.8, -0.042) < n  # a wider margin needs fewer
    assert replicates_for_equivalence(0.07, 0.1, 0.95, -0.042) > n  # more power needs more
    assert replicates_for_equivalence(0.07, 0.04, 0.8, -0.042) is None  # |true| >= margin
    assert replicates_for_equivalence(0.0, 0.01) == 2
    with pytest.raises(ValueError, match="margin"):
        replicates_for_equivalence(0.07, 0.0)
    with pytest.raises(ValueError, match="power"):
        replicates_for_equivalence(0.07, 0.1, 1.0)


EQUIV = 'arm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 4\n'


@pytest.mark.parametrize("relation", ["equivalent", "within noise"])
def test_a_claim_of_no_difference_without_a_margin_is_refused(tmp_path, relation):
    path = tmp_path / "s.toml"
    path.write_text(BASE + f'[[expect]]\n{EQUIV}relation = "{relation}"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, preflight=False)
    text = str(info.value)
    assert text.startswith(str(path)) and "\n" not in text
    assert f"expect[0] (push - none, awareness, week 4: {relation})" in text
    assert 'relation = "equivalent" with margin = D' in text and "needs a margin" in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "expect[0].margin = 0: must be a finite number > 0"),
        ("0.0", "expect[0].margin = 0.0: must be a finite number > 0"),
        ("-0.05", "expect[0].margin = -0.05: must be a finite number > 0"),
        ("nan", "expect[0].margin = nan: must be a finite number > 0"),
        ("inf", "expect[0].margin = inf: must be a finite number > 0"),
        ("-inf", "expect[0].margin = -inf: must be a finite number > 0"),
        ('"0.05"', "expect[0].margin = '0.05': must be a number"),
    ],
)
def test_bad_margins_are_refused(tmp_path, value, message):
    path = tmp_path / "s.toml"
    path.write_text(BASE + f'[[expect]]\n{EQUIV}relation = "equivalent"\nmargin = {value}\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, preflight=False)
    text = str(info.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_a_margin_belongs_to_equivalence_claims_only(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(BASE + f'[[expect]]\n{EQUIV}relation = "ahead"\nmargin = 0.05\n')
    with pytest.raises(ScenarioError, match=r"expect\[0\]\.margin: only used with relation"):
        load_scenario(path, preflight=False)
    # The old word with a margin is read and judged as "equivalent".
    path.write_text(BASE + f'[[expect]]\n{EQUIV}relation = "within noise"\nmargin = 0.05\n')
    [claim] = load_scenario(path, preflight=False).expectations
    assert claim.is_equivalence and describe(claim).endswith("equivalent within ±0.05")


def test_no_shipped_claim_of_no_difference_lacks_a_margin():
    for name in shipped_names():
        for e in load_scenario(name, preflight=False).expectations:
            assert e.relation != "within noise", f"{name}: {describe(e)}: write 'equivalent'"
            assert not e.is_equivalence or e.margin, f"{name}: {describe(e)}: no margin"


# --------------------------------------------------------------------------- robustness
ROBUST = (
    '[[expect]]\narm = "push"\nversus = "none"\nmeasure = "awareness"\nweek = 6\n'
    'relation = "ahead"\nreplicates = 3\n'
)


def test_robustness_judges_at_other_seeds_on_more_replicates(tmp_path):
    from sim.study.expect import check_scenario, robust_seeds, robustness

    path = tmp_path / "s.toml"
    path.write_text(BASE.replace("replicates = 2", "replicates = 2\nseed = 7") + ROBUST)
    sc = load_scenario(path)
    assert robust_seeds(sc.seed) == [8, 9]
    [item] = robustness(sc)
    assert item["held"] is True and [r["seed"] for r in item["runs"]] == [8, 9]
    assert [r["n"] for r in item["runs"]] == [6, 6] and item["replicates"] == 3
    # At the scenario's own seed and factor 1 the numbers are check's.
    [same] = robustness(sc, [sc.seed], 1)
    [checked] = check_scenario(sc)
    assert same["runs"][0]["mean"] == checked["mean"] and same["runs"][0]["n"] == 3
    # Another seed gives other runs (so other numbers).
    assert item["runs"][0]["mean"] != checked["mean"]
    with pytest.raises(ValueError, match="factor"):
        robustness(sc, [1], 0)


def test_check_robust_lists_each_failure_with_its_seed(tmp_path, capsys):
    from sim.cli import main

    path = tmp_path / "s.toml"
    path.write_text(BASE.replace("replicates = 2", "replicates = 2\nseed = 7") + ROBUST)
    assert main(["check", str(path), "--robust", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 claims hold at every seed (8, 9; 2 x each claim's replicates)" in out
    assert "seed 8: +" in out and "(n=6)" in out and "0 failure(s) at other seeds" in out
    path.write_text(
        BASE.replace("replicates = 2", "replicates = 2\nseed = 7")
        + ROBUST.replace('"ahead"', '"behind"')
    )
    assert (
        main(["check", str(path), "--seeds", "11,12", "--replicates-factor", "3", "--quiet"]) == 1
    )
    out = capsys.readouterr().out
    assert "FAILS    push - none, awareness, week 6: behind" in out and "(n=9)" in out
    assert "2 failure(s) at other seeds:" in out
    assert "push - none, awareness, week 6: behind: seed 11: +" in out
    assert "push - none, awareness, week 6: behind: seed 12: +" in out


@pytest.mark.parametrize("text", ["11,x", "-1", "11,,12"])
def test_bad_seed_lists_are_one_line_errors(text, capsys):
    from sim.cli import main

    with pytest.raises(SystemExit) as info:
        main(["check", "--seeds", text])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--seeds" in err and "expected master seeds separated by commas" in err


def test_check_shows_the_equivalence_interval_and_margin(tmp_path, capsys):
    from sim.cli import main

    path = tmp_path / "s.toml"
    claim = f'[[expect]]\n{EQUIV}relation = "equivalent"\nmargin = 0.9\nreplicates = 3\n'
    path.write_text(BASE + claim)
    assert main(["check", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "held     push - none, awareness, week 4: equivalent within ±0.9: " in out
    assert ", 90 % [" in out and "inside ±0.9 (n=3, sd " in out
    path.write_text(BASE + claim.replace("0.9", "0.001"))
    assert main(["check", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "NOT HELD" in out and "not inside ±0.001" in out and "90 % interval reaches" in out


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "equivalent when inside"), ("nb", "likeverdige")]
)
def test_report_shows_the_margin_of_an_equivalence_claim(lang, words):
    from sim.outputs.report import claims_table, html_translator

    item = {"claim": "a - b, adoption, week 5: equivalent within ±0.05", "says": "", "held": True}
    item.update(mean=0.01, low=-0.01, high=0.03, replicates=10, margin=0.05)
    html = claims_table([item], html_translator(lang))
    assert words in html and ("±0,05" if lang == "nb" else "±0.05") in html
