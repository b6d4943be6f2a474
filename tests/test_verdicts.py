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

from sim.cli_tables import _print_sweep, _print_table, _short
from sim.engine.measures import LOWER_IS_BETTER
from sim.i18n import translator
from sim.outputs.report import _sweep_compact, html_translator, what_pays, who_leads
from sim.study.claims import Expectation, describe, judge, judge_all
from sim.study.summaries import leads

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
    rows = _sweep_compact({}, summary, [measure], _).split("\n")
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


# --------------------------------------------------------------------- claims: words and edges
# Each test below was written against a mutant of the mutation run of 2026-12-07 that survived
# the tests above (docs/testing.md, "The verdict layer").


def test_describe_names_the_arms_the_relation_its_number_and_the_sweep_point():
    base = {"arm": "a", "measure": "awareness", "week": WEEK}
    assert describe(Expectation(**base, versus="b", relation="ahead")) == (
        "a - b, awareness, week 5: ahead"
    )
    assert describe(Expectation(**base, relation="above", value=0.5)) == (
        "a, awareness, week 5: above 0.5"
    )
    for relation in ("equivalent", "within noise"):
        claim = Expectation(**base, versus="b", relation=relation, margin=0.05)
        assert describe(claim) == "a - b, awareness, week 5: equivalent within ±0.05"
    at = Expectation(
        **base, versus="b", relation="behind", at={"arm.budget": 5.0, "network.n": 300}
    )
    assert describe(at) == "a - b, awareness, week 5 at arm.budget=5.0, network.n=300: behind"
    (item,) = judge_all([at], table_for(DIFFS["ahead"]))
    assert item["claim"] == describe(at) and item["held"] is None


def test_judge_all_names_a_missing_arm_and_the_replicates_of_an_empty_study():
    table = table_for(DIFFS["ahead"])
    claims = [
        Expectation(arm="a", versus="z", measure="awareness", week=WEEK, relation="ahead"),
        Expectation(arm="z", versus="b", measure="awareness", week=WEEK, relation="ahead"),
    ]
    out = judge_all(claims, table)
    assert [(c["held"], c["why"]) for c in out] == [
        (None, "an arm of the claim is not in this study")
    ] * 2
    (empty,) = judge_all(claims[:1], table.iloc[0:0])
    assert empty["held"] is None and empty["why"] == "needs 10 replicates, this study has 0"


@pytest.mark.parametrize(
    ("relation", "value", "table_name", "why"),
    [
        ("ahead", None, "behind", "the interval is wholly below 0"),
        ("behind", None, "ahead", "the interval is wholly above 0"),
        ("ahead", None, "tied", "the interval includes 0"),
        ("below", -0.05, "ahead", "the interval is wholly above -0.05"),
        ("above", 0.05, "tied", "the interval is wholly below 0.05"),  # tied: [-0.036, 0.040]
    ],
)
def test_a_claim_that_fails_says_where_its_interval_lies(relation, value, table_name, why):
    claim = Expectation(
        arm="a", versus="b", measure="awareness", week=WEEK, relation=relation, value=value
    )
    result = judge(claim, table_for(DIFFS[table_name]))
    assert result["held"] is False and result["why"] == why


def constant_gap_table(gap: float) -> pd.DataFrame:
    """Every replicate a - b = ``gap`` exactly (dyadic numbers: the mean is exact, sd 0)."""
    rows = []
    for r in range(REPS):
        rows.append({"arm": "b", "replicate": r, "week": WEEK, "awareness": 0.25})
        rows.append({"arm": "a", "replicate": r, "week": WEEK, "awareness": 0.25 + gap})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("side", ["+", "-"])
def test_a_difference_exactly_at_the_margin_is_not_equivalent_and_says_so(side):
    gap = 0.5 if side == "+" else -0.5
    claim = Expectation(
        arm="a", versus="b", measure="awareness", week=WEEK, relation="equivalent", margin=0.5
    )
    result = judge(claim, constant_gap_table(gap))
    assert (result["low"], result["high"], result["needed"]) == (gap, gap, None)
    assert result["held"] is False
    assert result["why"] == (
        f"the 90 % interval reaches {side}0.5 (TOST p = 1); "
        f"the measured difference {side}0.5 is not within the margin"
    )


def test_an_equivalence_claim_that_fails_says_how_many_replicates_would_do():
    from sim.study.stats import replicates_for_equivalence

    diffs = DIFFS["tied"]  # 90 % interval about [-0.029, 0.033]: reaches +0.03
    claim = Expectation(
        arm="a", versus="b", measure="awareness", week=WEEK, relation="equivalent", margin=0.03
    )
    result = judge(claim, table_for(diffs))
    needed = replicates_for_equivalence(diffs.std(ddof=1), 0.03, 0.8, diffs.mean())
    assert needed is not None and needed > REPS
    assert result["held"] is False and result["needed"] == needed
    assert result["why"] == (
        f"the 90 % interval reaches +0.03 (TOST p = {result['p']:.2g}); about {needed} "
        f"replicates would give 80 % power if the difference is +0.002"
    )


def test_too_few_replicates_or_no_interval_never_holds():
    one = table_for(DIFFS["equivalent"]).query("replicate < 1")
    claim = Expectation(
        arm="a",
        versus="b",
        measure="awareness",
        week=WEEK,
        relation="equivalent",
        margin=MARGIN,
        replicates=2,
    )
    result = judge(claim, one)
    assert result["held"] is False and result["why"] == "only 1 of 2 replicates have a value"
    assert result["needed"] is None  # one difference has no spread to plan with
    # A value that overflowed to infinity: the interval is not a number, the claim not held.
    infinite = table_for(DIFFS["ahead"])
    infinite.loc[infinite["arm"] == "a", "awareness"] = np.inf
    for relation, margin in (("ahead", None), ("equivalent", MARGIN)):
        claim = Expectation(
            arm="a", versus="b", measure="awareness", week=WEEK, relation=relation, margin=margin
        )
        with np.errstate(invalid="ignore"):
            result = judge(claim, infinite)
        assert result["held"] is False, relation
        assert result["why"] == "no interval (the measure is empty here)"


# --------------------------------------------------------------------- leads: edges


def test_identical_arms_are_a_tie_not_a_lead():
    same = np.array([0.50, 0.52, 0.51, 0.53, 0.49])
    (item,) = leads(lead_table("awareness", same, same.copy()), ["a", "b"], ["awareness"], (13,))
    assert (item["difference"]["low"], item["difference"]["high"]) == (0.0, 0.0)
    assert item["tie"] is True


def test_a_measure_only_one_arm_has_is_skipped_and_the_next_is_still_led():
    """Return on spend is undefined (NaN) for an arm that spends nothing: no lead on it, but the
    measures after it are still led."""
    table = lead_table("roi", [1.5, 1.7, 1.6], [np.nan] * 3)
    table["awareness"] = [0.5, 0.6, 0.7, 0.2, 0.3, 0.4]
    items = leads(table, ["a", "b"], ["roi", "awareness"], (13,))
    assert [(i["measure"], i["leader"]) for i in items] == [("awareness", "a")]


def test_study_context_leads_and_judges_claims_only_where_it_should():
    from sim.params import ModelParams
    from sim.study.summaries import study_context

    claim = Expectation(arm="a", versus="b", measure="awareness", week=WEEK, relation="ahead")
    study = {
        "params": ModelParams().model_dump(mode="json"),
        "arms": [{"name": "a"}, {"name": "b"}],
        "key_measures": ["awareness"],
        "expect": [claim.model_dump(mode="json")],
    }
    table = table_for(DIFFS["ahead"])
    context = study_context(table, study, [])
    assert [(i["week"], i["leader"], i["tie"]) for i in context["leads"]] == [(WEEK, "a", False)]
    assert [(c["claim"], c["held"]) for c in context["claims"]] == [(describe(claim), True)]
    assert "claims" not in study_context(table, study | {"expect": []}, [])
    sweep = study_context(table, study, ["arm.budget"])
    assert "leads" not in sweep and "claims" not in sweep


# --------------------------------------------------------------------- check: edges


def test_check_puts_a_claim_at_its_sweep_point_and_robust_doubles_the_replicates():
    from sim.study.expect import ROBUST_FACTOR, _result_line, claim_point, scaled

    claim = Expectation(arm="a", versus="b", measure="awareness", week=1, relation="ahead")
    assert claim_point(claim) == {}
    at = claim.model_copy(update={"at": {"arm.budget": 5.0}})
    assert claim_point(at) == {"arm.budget": 5.0}
    assert ROBUST_FACTOR == 2 and [e.replicates for e in scaled([claim], 2)] == [20]
    edge = {
        "mean": 0.01,
        "low": -0.02,
        "high": 0.05,  # on the margin is not inside it
        "n": 20,
        "level": 0.9,
        "margin": 0.05,
        "sd": 0.03,
        "needed": 12,
        "held": False,
        "why": "too wide",
    }
    assert _result_line(edge) == (
        "+0.01, 90 % [-0.02, 0.05] not inside ±0.05 (n=20, sd 0.03); too wide"
    )


# --------------------------------------------------------------------- report: cells and words


def test_report_numbers_are_three_digits_or_scientific_below_a_thousandth():
    _ = html_translator("en")
    cases = {0: "0", 0.0005: "5.00e-04", -0.0005: "-5.00e-04", 0.001: "0.001", 0.5: "0.5"}
    cases |= {1234.5: "1.23e+03", None: "–", float("nan"): "–"}
    assert {x: str(_.fmt(x)) for x in cases} == cases


@pytest.mark.parametrize(
    ("ci", "cell"),
    [
        ((0.2, 0.1, 0.3), '<td class="up">+0.2 <span class="ci">[0.1, 0.3]</span></td>'),
        ((-0.2, -0.3, -0.1), '<td class="down">-0.2 <span class="ci">[-0.3, -0.1]</span></td>'),
        ((0.2, -0.5, 0.9), '<td>+0.2 <span class="ci">[-0.5, 0.9]</span></td>'),
        ((-0.2, -0.9, 1.5), '<td>-0.2 <span class="ci">[-0.9, 1.5]</span></td>'),
        ((0.0, 0.0, 0.0), '<td>0 <span class="ci">[0, 0]</span></td>'),  # identical arms
        ((0.2, None, None), "<td>+0.2</td>"),  # one replicate: no interval
        ((None, None, None), "<td>–</td>"),
    ],
)
def test_report_difference_cells_colour_only_intervals_beyond_zero(ci, cell):
    """The cells of report.html's paired-difference table: green (up) or red (down) only when
    the interval lies wholly above or below zero, a + on positive means."""
    from sim.outputs.report import _diff_cell

    mean, low, high = ci
    assert (
        _diff_cell({"mean": mean, "low": low, "high": high, "n": 5}, html_translator("en")) == cell
    )


def test_claims_table_says_held_or_not_and_shows_the_claims_words():
    from sim.outputs.report import claims_table

    item = {
        "claim": "a - b, awareness, week 5: ahead",
        "says": "A reaches more people than B.",
        "held": True,
        "mean": 0.1,
        "low": 0.05,
        "high": 0.15,
        "replicates": 10,
    }
    html = claims_table([item, item | {"held": False, "says": ""}], html_translator("en"))
    held, failed = html.split("<tr>")[2:]
    assert "<td class='up'>held</td>" in held and "A reaches more people than B." in held
    assert "<td class='down'>NOT held</td>" in failed and "<span class='ci'>" not in failed


def test_what_pays_names_profit_and_return_on_spend_in_their_own_words():
    _ = html_translator("en")
    profit = what_pays([lead_item(False, "profit") | {"week": 52}], _)
    roi = what_pays([lead_item(False, "roi")], _)
    assert "by week 52, <b>push</b> has the highest profit to date" in profit
    assert "returns the most per cu spent" not in profit
    assert "<b>push</b> returns the most per cu spent (0.812 against mix's 0.634;" in roi
    assert "highest profit" not in roi


def test_sweep_tables_show_the_first_key_measure_and_best_among_negative_means(capsys):
    """Net sentiment (higher is better) at -0.5 and -0.2 beside an arm without a value: the best
    arm is the one at -0.2, not the empty one; the second measure is not shown."""
    summary = sweep_summary("net_sentiment", {"none": 0.0, "push": -0.5, "mix": -0.2})
    for item in summary["points"][0]["arms"]:
        if item["arm"] == "none":
            item["measures"]["net_sentiment"] = {"mean": None, "low": None, "high": None, "n": 0}
        item["measures"]["awareness"] = {"mean": 0.9, "low": 0.8, "high": 1.0, "n": 5}
    _ = html_translator("en")
    rows = _sweep_compact({}, summary, ["net_sentiment", "awareness"], _).split("\n")
    assert "Net sentiment" in rows[0] and "Awareness" not in rows[0]
    bold = [cell for cell in rows[-2].split("<td>") if cell.startswith("<b>")]
    assert bold == ['<b>-0.2 <span class="ci">[-0.21, -0.19]</span></b></td></tr>']
    assert "<td>–</td>" in rows[-2]
    _print_sweep(summary, ["net_sentiment", "awareness"], 52, translator("en"))
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("Net sentiment at week 52")
    assert out[-1].split()[1:] == ["-", "-0.500", "-0.200*"]


# --------------------------------------------------------------------- terminal tables: layout


def ci3(mean, low, high):
    return {"mean": mean, "low": low, "high": high}


def test_terminal_table_lines_are_laid_out_column_by_column(capsys):
    point = {
        "arms": [
            {
                "arm": "none",
                "measures": {"awareness": ci3(0.1, 0.05, 0.15), "roi": ci3(None, None, None)},
            },
            {
                "arm": "push",
                "measures": {"awareness": ci3(0.8, 0.75, 0.85), "roi": ci3(1.5, 1.2, 1.8)},
            },
        ],
        "differences": [
            {
                "arm": "push",
                "versus": "none",
                "measures": {"awareness": ci3(0.7, 0.6, 0.8), "roi": ci3(0.0, 0.0, 0.0)},
            }
        ],
    }
    _print_table(52, point, ["awareness", "roi"], translator("en"))
    # widths: the longest cell of each column plus 2: 11 + 2, 16 + 2, 14 + 2
    assert capsys.readouterr().out.splitlines() == [
        "",
        "week 52      " + "awareness".rjust(18) + "roi".rjust(16),
        "none         " + "0.1 [0.05, 0.15]".rjust(18) + "-".rjust(16),
        "push         " + "0.8 [0.75, 0.85]".rjust(18) + "1.5 [1.2, 1.8]".rjust(16),
        "paired differences:",
        "push - none  " + "+0.7 [0.6, 0.8]*".rjust(18) + "+0 [0, 0]".rjust(16),
        "mean [95 % interval] over replicates; * = difference excludes zero",
    ]
    _print_table(52, point | {"differences": []}, ["awareness"], translator("en"))
    assert "paired differences:" not in capsys.readouterr().out


def grid(points: int) -> dict:
    arms = ["none", "dialogue_and_push_for_students"]
    return {
        "arms": arms,
        "sweep_paths": ["dialogue.cost_per_conversation"],
        "final_week": 52,
        "points": [
            {
                "index": i,
                "point": {"dialogue.cost_per_conversation": i},
                "arms": [
                    {"arm": a, "measures": {"awareness": {"mean": 0.5 + k / 10}}}
                    for k, a in enumerate(arms)
                ],
                "differences": [],
            }
            for i in range(points)
        ],
    }


def test_terminal_sweep_grid_cuts_long_names_and_stops_after_forty_points(capsys):
    _print_sweep(grid(41), ["awareness"], 52, translator("en"), {"none": "no campaign"})
    lines = capsys.readouterr().out.strip("\n").splitlines()
    # Arms by their display names ("no campaign" for none), cut at 20 characters.
    assert lines[1] == "  .cost_per_conversation   no campaign  dialogue_and_push_fo"
    assert [line.split()[0] for line in lines[2:-1]] == [str(i) for i in range(40)]
    assert lines[-1] == "... 1 more grid points in sweep.csv"
    _print_sweep(grid(40), ["awareness"], 52, translator("en"), {"none": "no campaign"})
    lines = capsys.readouterr().out.strip("\n").splitlines()
    assert len(lines) == 42 and lines[-1].split() == ["39", "0.500", "0.600*"]


def test_a_difference_whose_interval_only_touches_zero_has_no_star():
    assert _short(ci3(0.0, 0.0, 0.0), True) == "+0 [0, 0]"  # identical arms
    assert _short(ci3(0.1, 0.0, 0.2), True) == "+0.1 [0, 0.2]"
    assert _short(ci3(-0.1, -0.2, 0.0), True) == "-0.1 [-0.2, 0]"
