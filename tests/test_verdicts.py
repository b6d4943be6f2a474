"""Issue #26, item 7: the verdict layer, tested so that one-line slips in it fail a test.

Claims (every relation against tables where ``arm`` is ahead of, behind, tied with and
equivalent to ``versus``), the numbers and flags of the who-leads and what-pays sentences, the
best-arm marks of the sweep tables (report and terminal, lower-is-better measures included),
and the terminal table's stars. Tables are built by hand with fixed numbers; the expected
intervals are computed here from scipy's t quantiles, not with the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.cli import _print_sweep, _print_table, _short
from sim.engine.measures import LOWER_IS_BETTER
from sim.i18n import translator
from sim.outputs.report import _sweep_compact, html_translator, what_pays, who_leads
from sim.study.claims import Expectation, judge, judge_all
from sim.study.results import leads

WEEK, REPS, MARGIN = 5, 10, 0.02
BASE = np.linspace(0.30, 0.48, REPS)
# Paired differences arm - versus, per replicate (deterministic "noise").
WIGGLE = np.array([1, -1, 2, -2, 0.5, -0.5, 1.5, -1.5, 0, 0]) * 0.004
DIFFS = {
    "ahead": 0.10 + WIGGLE,
    "behind": -0.10 + WIGGLE,
    "tied": np.array([1, -1] * 5) * 0.05 + 0.002,  # mean near 0, wide: neither
    "equivalent": WIGGLE / 8,  # mean near 0, narrow: inside the margin
}


def table_for(diffs: np.ndarray, measure: str = "awareness") -> pd.DataFrame:
    rows = []
    for r in range(REPS):
        for week in (0, WEEK):
            rows.append({"arm": "b", "replicate": r, "week": week, measure: BASE[r]})
            rows.append(
                {"arm": "a", "replicate": r, "week": week, measure: BASE[r] + diffs[r] * week / 5}
            )
    return pd.DataFrame(rows)


def t_interval(values: np.ndarray, level: float) -> tuple[float, float, float]:
    n = len(values)
    half = sps.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return values.mean(), values.mean() - half, values.mean() + half


CLAIMS = {
    "ahead": {"relation": "ahead", "versus": "b"},
    "behind": {"relation": "behind", "versus": "b"},
    "equivalent": {"relation": "equivalent", "versus": "b", "margin": MARGIN},
    "within noise": {"relation": "within noise", "versus": "b", "margin": MARGIN},
    "positive": {"relation": "positive", "versus": "b"},
    "negative": {"relation": "negative", "versus": "b"},
    "above": {"relation": "above", "versus": "b", "value": 0.05},
    "below": {"relation": "below", "versus": "b", "value": -0.05},
}
HOLDS_ON = {
    "ahead": {"ahead"},
    "behind": {"behind"},
    "equivalent": {"equivalent"},
    "within noise": {"equivalent"},
    "positive": {"ahead"},
    "negative": {"behind"},
    "above": {"ahead"},
    "below": {"behind"},
}


@pytest.mark.parametrize("table_name", list(DIFFS))
@pytest.mark.parametrize("claim_name", list(CLAIMS))
def test_every_relation_against_every_kind_of_table(claim_name, table_name):
    claim = Expectation(
        arm="a", measure="awareness", week=WEEK, replicates=REPS, **CLAIMS[claim_name]
    )
    result = judge(claim, table_for(DIFFS[table_name]))
    assert result["held"] is (table_name in HOLDS_ON[claim_name]), result
    level = 0.90 if claim.is_equivalence else 0.95
    mean, low, high = t_interval(DIFFS[table_name], level)
    assert result["n"] == REPS and result["level"] == pytest.approx(level)
    assert (result["mean"], result["low"], result["high"]) == pytest.approx((mean, low, high))
    assert bool(result["why"]) is not result["held"]


def test_equivalence_uses_the_90_percent_interval_inside_the_margin():
    """A margin between the 90 % and the 95 % interval's edge: held (TOST at 5 % per side)."""
    diffs = DIFFS["tied"] / 10 + 0.001
    _, _, high90 = t_interval(diffs, 0.90)
    _, low95, high95 = t_interval(diffs, 0.95)
    edge = max(high95, -low95)
    margin = (max(high90, -t_interval(diffs, 0.90)[1]) + edge) / 2
    claim = Expectation(
        arm="a", versus="b", measure="awareness", week=WEEK, relation="equivalent", margin=margin
    )
    assert judge(claim, table_for(diffs))["held"] is True
    tighter = claim.model_copy(update={"margin": max(high90, 1e-9) * 0.9})
    assert judge(tighter, table_for(diffs))["held"] is False


def test_own_value_relations_without_versus():
    table = table_for(DIFFS["ahead"])
    for relation, value, held in (
        ("positive", None, True),
        ("negative", None, False),
        ("above", 0.40, True),  # a's values are 0.40 .. 0.58 at week 5: mean 0.49
        ("above", 0.55, False),
        ("below", 0.55, True),
    ):
        claim = Expectation(arm="a", measure="awareness", week=WEEK, relation=relation, value=value)
        result = judge(claim, table)
        assert result["held"] is held, (relation, value, result)
        expected = BASE + DIFFS["ahead"]
        assert result["mean"] == pytest.approx(expected.mean())


def test_judge_all_marks_what_it_cannot_judge_and_judges_the_rest():
    table = table_for(DIFFS["ahead"])
    claims = [
        Expectation(arm="a", versus="b", measure="awareness", week=WEEK, relation="ahead"),
        Expectation(
            arm="a", versus="b", measure="awareness", week=WEEK, relation="ahead", replicates=11
        ),
        Expectation(arm="a", versus="b", measure="awareness", week=WEEK + 1, relation="ahead"),
    ]
    out = judge_all(claims, table)
    assert [c["held"] for c in out] == [True, None, None]


# --------------------------------------------------------------------- who leads, what pays


def lead_table(measure: str, a_values, b_values, c_values=None) -> pd.DataFrame:
    rows = []
    for name, values in (("a", a_values), ("b", b_values), ("c", c_values)):
        if values is None:
            continue
        for r, x in enumerate(values):
            rows.append({"arm": name, "replicate": r, "week": 13, measure: x})
    return pd.DataFrame(rows)


def test_leads_picks_the_best_mean_and_ties_only_within_noise():
    a = np.array([0.50, 0.52, 0.51, 0.53, 0.49])
    b = a - 0.10 + np.array([0.01, -0.01, 0.0, 0.005, -0.005])
    c = a - 0.20
    (item,) = leads(lead_table("awareness", b, a, c), ["a", "b", "c"], ["awareness"], (13,))
    assert (item["leader"], item["runner_up"]) == ("b", "a")
    assert item["leader_mean"] == pytest.approx(a.mean())
    assert item["runner_up_mean"] == pytest.approx(b.mean())
    assert item["difference"]["mean"] == pytest.approx(a.mean() - b.mean())
    assert item["tie"] is False
    noisy = a + np.array([0.2, -0.2, 0.2, -0.2, 0.01])
    (tie,) = leads(lead_table("awareness", a, noisy), ["a", "b"], ["awareness"], (13,))
    assert tie["tie"] is True


def test_lower_is_better_measures_are_led_by_the_lowest():
    measure = sorted(LOWER_IS_BETTER)[0]
    low = np.array([0.1, 0.12, 0.11, 0.13, 0.09])
    (item,) = leads(lead_table(measure, low + 0.3, low), ["a", "b"], [measure], (13,))
    assert item["leader"] == "b" and item["leader_mean"] == pytest.approx(low.mean())
    assert item["difference"]["mean"] == pytest.approx(-0.3)


def lead_item(tie: bool, measure: str = "awareness") -> dict:
    return {
        "week": 13,
        "measure": measure,
        "leader": "push",
        "runner_up": "mix",
        "leader_mean": 0.812,
        "runner_up_mean": 0.634,
        "difference": {"mean": 0.178, "low": 0.1 if not tie else -0.02, "high": 0.25},
        "tie": tie,
    }


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_who_leads_prints_each_arms_own_mean(lang):
    _ = html_translator(lang)
    leader, runner = _.fmt(0.812), _.fmt(0.634)
    for tie in (False, True):
        text = who_leads([lead_item(tie)], _)
        assert text.count(leader) == 1 and text.count(runner) == 1, text
        assert (_("within noise") in text) is tie
        assert (_("no clear leader") in text) is tie
        if lang == "en":  # "push leads on awareness (0.812 against mix's 0.634; ..."
            assert text.index("push") < text.index(leader) < text.index("mix") < text.index(runner)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_what_pays_prints_the_numbers_and_the_noise_flag(lang):
    _ = html_translator(lang)
    item = lead_item(False, "profit") | {"week": 52}
    text = what_pays([item], _)
    assert _.fmt(0.812) in text and _.fmt(0.634) in text and _.fmt(0.178) in text
    assert text.index(_.fmt(0.812)) < text.index(_.fmt(0.634))
    assert _("within noise") not in text
    assert _("within noise") in what_pays([item | {"tie": True}], _)
    roi = what_pays([lead_item(True, "roi")], _)
    assert _("within noise") in roi and _.fmt(0.812) in roi
    assert what_pays([], _) == ""


# --------------------------------------------------------------------- sweep best-arm marks


def sweep_summary(measure: str, means: dict[str, float]) -> dict:
    arms = [
        {"arm": a, "measures": {measure: {"mean": m, "low": m - 0.01, "high": m + 0.01, "n": 5}}}
        for a, m in means.items()
    ]
    return {
        "arms": list(means),
        "sweep_paths": ["arm.budget"],
        "final_week": 52,
        "units": {measure: "share"},
        "points": [{"index": 0, "point": {"arm.budget": 5.0}, "arms": arms, "differences": []}],
    }


@pytest.mark.parametrize(
    ("measure", "best"), [("awareness", "hi"), (sorted(LOWER_IS_BETTER)[0], "lo")]
)
def test_sweep_tables_mark_the_best_arm(measure, best, capsys):
    summary = sweep_summary(measure, {"mid": 0.5, "hi": 0.7, "lo": 0.2})
    _ = html_translator("en")
    rows = _sweep_compact({}, summary, [measure], _)
    bold = [cell for cell in rows[-2].split("<td>") if cell.startswith("<b>")]
    assert (
        len(bold) == 1
        and _.fmt(
            summary["points"][0]["arms"][["mid", "hi", "lo"].index(best)]["measures"][measure][
                "mean"
            ]
        )
        in bold[0]
    )
    _print_sweep(summary, [measure], 52, translator("en"))
    line = capsys.readouterr().out.strip().splitlines()[-1]
    starred = [v for v in line.split() if v.endswith("*")]
    assert starred == [f"{dict(mid=0.5, hi=0.7, lo=0.2)[best]:.3f}*"]


# --------------------------------------------------------------------- terminal table


def test_short_marks_only_differences_that_exclude_zero():
    assert _short({"mean": 0.2, "low": 0.1, "high": 0.3}, True) == "+0.2 [0.1, 0.3]*"
    assert _short({"mean": -0.2, "low": -0.3, "high": -0.1}, True) == "-0.2 [-0.3, -0.1]*"
    assert _short({"mean": 0.05, "low": -0.1, "high": 0.2}, True) == "+0.05 [-0.1, 0.2]"
    assert _short({"mean": 0.2, "low": 0.1, "high": 0.3}) == "0.2 [0.1, 0.3]"
    assert _short({"mean": 0.2, "low": None, "high": None}) == "0.2"
    assert _short({"mean": None, "low": None, "high": None}) == "-"


def test_terminal_table_rows_carry_each_arms_numbers(capsys):
    def ci(mean, low, high):
        return {"mean": mean, "low": low, "high": high}

    point = {
        "arms": [
            {"arm": "none", "measures": {"awareness": ci(0.1, 0.05, 0.15)}},
            {"arm": "push", "measures": {"awareness": ci(0.8, 0.75, 0.85)}},
        ],
        "differences": [
            {"arm": "push", "versus": "none", "measures": {"awareness": ci(0.7, 0.6, 0.8)}}
        ],
    }
    _print_table(52, point, ["awareness"], translator("en"))
    lines = capsys.readouterr().out.splitlines()
    rows = {
        line.split()[0]: line
        for line in lines
        if line and " - " not in line and line.split()[0] in ("none", "push")
    }
    assert rows["none"].split()[1:] == ["0.1", "[0.05,", "0.15]"]
    assert rows["push"].split()[1:] == ["0.8", "[0.75,", "0.85]"]
    (diff,) = [line for line in lines if line.startswith("push - none")]
    assert diff.endswith("+0.7 [0.6, 0.8]*")


# --------------------------------------------------------------------- check's result lines


def test_check_result_lines_say_the_interval_and_the_margin():
    from sim.study.expect import _result_line, robust_seeds, scaled

    plain = {"mean": 0.05, "low": 0.01, "high": 0.09, "n": 10, "held": True, "why": ""}
    assert _result_line(plain) == "+0.05 [0.01, 0.09] (n=10)"
    failed = plain | {"low": -0.01, "held": False, "why": "the interval includes 0"}
    assert _result_line(failed) == "+0.05 [-0.01, 0.09] (n=10); the interval includes 0"
    equivalent = {
        "mean": -0.004,
        "low": -0.02,
        "high": 0.01,
        "n": 20,
        "level": 0.9,
        "margin": 0.05,
        "sd": 0.03,
        "needed": 12,
        "held": True,
        "why": "",
    }
    assert _result_line(equivalent) == (
        "-0.004, 90 % [-0.02, 0.01] inside ±0.05 (n=20, sd 0.03; 80 % power: 12 replicates)"
    )
    outside = equivalent | {"high": 0.06, "held": False, "why": "too wide"}
    assert _result_line(outside) == (
        "-0.004, 90 % [-0.02, 0.06] not inside ±0.05 (n=20, sd 0.03); too wide"
    )
    edge = equivalent | {"low": -0.05}  # on the margin is not inside it
    assert "not inside" in _result_line(edge)
    empty = plain | {"mean": float("nan"), "low": float("nan"), "held": False, "why": "empty"}
    assert _result_line(empty) == "nan (n=10); empty"
    assert robust_seeds(7) == [8, 9]
    claim = Expectation(arm="a", versus="b", measure="awareness", week=1, relation="ahead")
    assert [e.replicates for e in scaled([claim], 3)] == [30]
    assert scaled([claim], 1) == [claim]
    with pytest.raises(ValueError):
        scaled([claim], 0)


def test_boundaries_no_difference_is_not_ahead_and_only_the_claimed_replicates_count():
    same = table_for(np.zeros(REPS))
    for relation in ("ahead", "behind", "positive", "negative"):
        claim = Expectation(arm="a", versus="b", measure="awareness", week=WEEK, relation=relation)
        result = judge(claim, same)
        assert result["held"] is False and (result["low"], result["high"]) == (0.0, 0.0)
    more = pd.concat(
        [
            table_for(DIFFS["ahead"]),
            table_for(-DIFFS["ahead"] * 50).assign(replicate=lambda t: t["replicate"] + REPS),
        ]
    )
    claim = Expectation(
        arm="a", versus="b", measure="awareness", week=WEEK, relation="ahead", replicates=REPS
    )
    result = judge(claim, more)
    assert result["n"] == REPS and result["held"] is True


def test_a_difference_without_an_interval_keeps_its_sign():
    assert _short({"mean": 0.2, "low": None, "high": None}, True) == "+0.2"
