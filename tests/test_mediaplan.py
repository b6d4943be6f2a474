"""The media plan (docs/model.md 7.2 and 7.9): push money stated in cu, GRPs or as an
advertising-to-sales target, a launch burst, the frequency cap, and the planner's measures
(GRPs, weekly reach, average frequency, advertising-to-sales ratio), with exact expected values
where the rule is deterministic."""

import numpy as np
import pytest

from sim.engine.agentbased import AgentBrandModel
from sim.engine.measures import MEASURE_NAMES, media_measures
from sim.engine.model import BrandModel
from sim.engine.rules import plan
from sim.engine.rules.push import run_push
from sim.engine.state import CustomerState
from sim.params import ArmSpec, ParameterError, PushSpec, make_params

MARKET = {"potential": 0.6, "purchase_rate": 0.2, "competitor": 0.6}


def rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------- money a week
def test_each_way_of_stating_push_money_gives_the_stated_cu():
    """cu: budget x push_share; GRPs: 100 GRPs = one impression per customer, so 30 GRPs at
    CPM 10 are 300 impressions = 3 cu per 1,000 customers; A/S: 5 % of 60 cu = 3 cu. A plan
    buys push only (no dialogue money)."""
    push = PushSpec()
    assert plan.week_money(ArmSpec(budget=8.0, push_share=0.25), push, 1000, 1) == (2.0, 6.0)
    grps = ArmSpec(push_grps=30.0, push_share=1.0)
    assert plan.week_money(grps, push, 1000, 1) == pytest.approx((3.0, 0.0), abs=1e-12)
    assert plan.week_money(grps, push, 500, 1) == pytest.approx((1.5, 0.0), abs=1e-12)
    dear = PushSpec(cost_per_impression=0.02)
    assert plan.week_money(grps, dear, 1000, 1) == pytest.approx((6.0, 0.0), abs=1e-12)
    a_s = ArmSpec(ad_to_sales=0.05, planned_revenue=60.0, push_share=1.0)
    assert plan.week_money(a_s, push, 1000, 1) == pytest.approx((3.0, 0.0), abs=1e-12)
    assert plan.week_money(a_s, push, 2000, 1) == pytest.approx((6.0, 0.0), abs=1e-12)


def test_flighting_schedule_burst_then_maintenance_and_nothing_outside_the_arm_weeks():
    """start_week 3, burst_weeks 2, burst_factor 3, end_week 8: weeks 1-2 nothing, weeks 3-4
    three times the push money, weeks 5-8 the maintenance money, then nothing; the dialogue
    money is never scaled."""
    arm = ArmSpec(
        budget=4.0, push_share=0.5, start_week=3, end_week=8, burst_weeks=2, burst_factor=3.0
    )
    got = [plan.week_money(arm, PushSpec(), 1000, w) for w in range(1, 11)]
    push = [round(p, 12) for p, _ in got]
    dialogue = [round(d, 12) for _, d in got]
    assert push == [0, 0, 6, 6, 2, 2, 2, 2, 0, 0]
    assert dialogue == [0, 0, 2, 2, 2, 2, 2, 2, 0, 0]


def test_the_model_spends_the_burst_schedule_week_by_week():
    """What the model spends each week is the schedule (whole impressions at CPM 10: 1 cu = 100
    impressions, nothing carried over): 60 GRPs a week in the 3 burst weeks, 20 after."""
    model = BrandModel(
        network={"n": 1000},
        arm={"push_grps": 20.0, "push_share": 1.0, "burst_weeks": 3, "burst_factor": 3.0},
        rng=4,
    )
    model.run_for(6)
    frame = model.weekly_frame()
    assert frame["grps"].tolist() == [0.0, 60.0, 60.0, 60.0, 20.0, 20.0, 20.0]
    assert frame["spend"].round(9).tolist() == [0.0, 6.0, 12.0, 18.0, 20.0, 22.0, 24.0]
    assert frame["grps_to_date"].tolist() == [0.0, 60.0, 120.0, 180.0, 200.0, 220.0, 240.0]


@pytest.mark.parametrize(
    ("arm", "words"),
    [
        ({"push_grps": 30, "ad_to_sales": 0.04, "planned_revenue": 60}, "push_grps = 30 and"),
        ({"ad_to_sales": 0.04, "push_share": 1.0}, "ad_to_sales = 0.04 needs planned_revenue"),
        ({"planned_revenue": 60}, "planned_revenue = 60 is only used with ad_to_sales"),
        ({"push_grps": 30}, "push_grps = 30 buys push only: push_share must be 1"),
        ({"push_grps": 30, "push_share": 1.0, "budget": 0.0}, "budget = 0"),
        ({"burst_factor": -1}, "must be >= 0"),
    ],
)
def test_contradictory_or_bad_plans_are_refused_in_one_line(arm, words):
    with pytest.raises(ParameterError) as error:
        make_params(arm=arm)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_frequency_cap_takes_off_and_refuses_zero():
    assert make_params(push={"frequency_cap": "off"}).push.frequency_cap is None
    assert make_params(push={"frequency_cap": 3}).push.frequency_cap == 3
    with pytest.raises(ParameterError, match="frequency_cap = 0: must be >= 1"):
        make_params(push={"frequency_cap": 0})


# ------------------------------------------------------------------------------ frequency cap
def test_cap_serves_at_most_cap_impressions_and_pays_only_for_those_served():
    """One customer in the audience, 10 impressions bought, cap 3: 3 served (adstock 3 after
    one week), 7 not served, 3 paid."""
    spec = PushSpec(frequency_cap=3)
    state = CustomerState.empty(2)
    out = run_push(state, spec, 10 * spec.cost_per_impression, np.array([0]), rng(), False)
    assert (out.impressions, out.unserved, out.reached) == (3, 7, 1)
    assert out.spend == pytest.approx(3 * spec.cost_per_impression, abs=1e-15)
    assert state.adstock.tolist() == [3.0, 0.0]


@pytest.mark.parametrize("cap", [1, 2, 5])
def test_cap_cuts_each_customers_exposures_and_nothing_else(cap):
    """The same week's impressions land on the same customers with and without a cap (the
    draws do not depend on it); with the cap each customer keeps min(k, cap) of their k, the
    rest are unserved and unpaid, and nobody's adstock exceeds the cap."""
    n, bought = 50, 400
    free, capped = CustomerState.empty(n), CustomerState.empty(n)
    spec = PushSpec()
    budget = bought * spec.cost_per_impression
    out_free = run_push(free, spec, budget, None, rng(7), False)
    out_cap = run_push(capped, PushSpec(frequency_cap=cap), budget, None, rng(7), False)
    k = free.adstock.astype(int)
    assert k.sum() == bought == out_free.impressions and out_free.unserved == 0
    assert np.array_equal(capped.adstock.astype(int), np.minimum(k, cap))
    assert capped.adstock.max() <= cap
    assert out_cap.impressions == np.minimum(k, cap).sum()
    assert out_cap.unserved == bought - out_cap.impressions > 0
    assert out_cap.spend == pytest.approx(out_cap.impressions * spec.cost_per_impression)
    assert out_cap.reached == out_free.reached == np.count_nonzero(k)


# --------------------------------------------------------------------------------- measures
def test_media_measures_by_hand():
    """GRPs = 100 x impressions / n; reach = reached / n; frequency = impressions / reached;
    GRPs = 100 x reach x frequency; A/S = push spend to date / revenue to date."""
    m = media_measures(200, 130, 52, 910, 9.1, 182.0)
    assert m["grps"] == 100 * 130 / 200 == 65.0
    assert m["grps_to_date"] == 455.0
    assert m["weekly_reach"] == 0.26
    assert m["frequency"] == 2.5
    assert m["grps"] == pytest.approx(100 * m["weekly_reach"] * m["frequency"])
    assert m["ad_to_sales"] == pytest.approx(0.05)
    nothing = media_measures(200, 0, 0, 0, 0.0, 0.0)
    assert nothing["grps"] == 0 and nothing["weekly_reach"] == 0
    assert np.isnan(nothing["frequency"]) and np.isnan(nothing["ad_to_sales"])
    assert MEASURE_NAMES[-5:] == (
        "grps",
        "grps_to_date",
        "weekly_reach",
        "frequency",
        "ad_to_sales",
    )


def test_week_one_reach_and_frequency_match_each_customers_exposures():
    """In week 1 every customer's adstock is their exposures that week (adstock starts at 0),
    so the measures can be recomputed from the state: reach = share with adstock > 0,
    frequency = their mean exposures, GRPs = 100 x impressions / n exactly."""
    model = BrandModel(network={"n": 800}, arm={"budget": 20.0, "push_share": 1.0}, rng=11)
    model.step()
    k = model.state.adstock.astype(np.int64)
    reached = np.count_nonzero(k)
    assert k.sum() == 1600  # 20 cu x 0.8 at 0.01 each
    assert model.measures["grps"] == 100 * 1600 / 800
    assert model.measures["weekly_reach"] == reached / 800
    assert model.measures["frequency"] == 1600 / reached


@pytest.mark.parametrize("arm", [{"budget": 20.0, "push_share": 0.5}, {"push_grps": 25.0}])
def test_ad_to_sales_is_push_spend_over_revenue_to_the_cent(arm):
    """A/S to date x revenue to date = money spent on push to date, to the cent; dialogue
    money is not advertising: for the mix, push spend = spend - conversations x 5 cu."""
    arm = arm | {"push_share": arm.get("push_share", 1.0)}
    model = BrandModel(network={"n": 1000}, arm=arm, market=MARKET, rng=5)
    model.run_for(30)
    frame = model.weekly_frame()
    revenue = frame["revenue"].sum()  # cu per 1,000 customers = cu here (n = 1000)
    dialogue = frame["conversations"].sum() * 5.0
    push_spend = frame["spend"].iloc[-1] - dialogue
    assert abs(frame["ad_to_sales"].iloc[-1] * revenue - push_spend) < 0.005
    assert push_spend == pytest.approx(model.push_spend_total)
    assert frame["grps_to_date"].iloc[-1] == pytest.approx(100 * model.impressions_total / 1000)


def test_a_plan_arm_and_its_cu_twin_are_the_same_run():
    """30 GRPs at CPM 10 are 3 cu on push: the same seed gives the same weeks, bit for bit
    (the plan changes how the money is stated, not what it buys)."""
    grps = BrandModel(network={"n": 600}, arm={"push_grps": 30.0, "push_share": 1.0}, rng=3)
    cu = BrandModel(network={"n": 600}, arm={"budget": 3.0, "push_share": 1.0}, rng=3)
    grps.run_for(12)
    cu.run_for(12)
    a, b = grps.weekly_frame(), cu.weekly_frame()
    assert a.equals(b)


def test_per_agent_version_caps_and_counts_alike():
    """The per-agent version (sim/engine/agentbased.py) buys the same GRPs and serves at most
    the cap: with cap 1 every impression served reaches a different customer."""
    params = {"network": {"n": 300}, "arm": {"push_grps": 200.0, "push_share": 1.0}}
    free = AgentBrandModel(params, rng=2)
    free.step()
    assert free.measures["grps"] == 200.0
    capped = AgentBrandModel(params | {"push": {"frequency_cap": 1}}, rng=2)
    capped.step()
    m = capped.measures
    assert m["frequency"] == 1.0 and m["grps"] == pytest.approx(100 * m["weekly_reach"])
    assert m["grps"] < 200.0
    assert m["spend"] == pytest.approx(m["grps"] * 10 * 0.01)


# ------------------------------------------------------------------------------- the outputs
def test_scoreboard_has_a_media_plan_line_per_campaign_that_advertises():
    """The app's scoreboard says GRPs, weekly reach, frequency and A/S for each campaign that
    bought ads (here A: push), in the page's language, and nothing for one that did not."""
    from dataclasses import replace

    from sim.viz.arena import Arena
    from sim.viz.scoreboard import scoreboard_html
    from tests.test_app_classroom import SMALL

    arena = Arena(replace(SMALL, compare=True, strategy="push", strategy_b="dialogue"))
    for _ in range(3):
        arena.step()
    m = arena.summary()[0]
    board = scoreboard_html(arena, "en", None)
    assert board.count('class="rc-media"') == 1
    line = f"A: {m['grps']:,.0f} GRPs · reach {m['weekly_reach']:.0%} · freq."
    assert line in board and "A/S" in board
    assert "GRP · dekning" in scoreboard_html(arena, "nb", None)


def test_run_prints_the_media_plan(tmp_path, capsys):
    """The command line's table is followed by each advertising arm's GRPs, reach, frequency
    and A/S (means over replicates)."""
    from sim.cli import main

    main(
        [
            "run",
            "default",
            "--replicates",
            "2",
            "--weeks",
            "6",
            "--no-figures",
            "--out",
            str(tmp_path / "out"),
            "--set",
            "network.n=300",
        ]
    )
    out = capsys.readouterr().out
    assert "Media plan at week 6" in out
    assert "push:" in out and "GRPs this week" in out and "A/S" in out


def test_the_command_lines_media_plan_and_arms_in_bokmal(capsys):
    """In bokmål the media-plan line is a sentence in bokmål number style (``1 600``, ``3,31``,
    ``60 %``, no-break spaces, as in the other nb sentences) and names the arm in words; the
    table too, with its identifier for --versus in the legend."""
    from sim.cli_tables import _print_media_plan, _print_table
    from sim.i18n import translator

    def ci(mean):
        return {"mean": mean, "low": mean, "high": mean}

    values = {
        "grps": 200.0,
        "grps_to_date": 1600.0,
        "weekly_reach": 0.6,
        "frequency": 3.3125,
        "ad_to_sales": 0.395,
        "awareness": 0.5,
    }
    point = {
        "arms": [{"arm": "push_20", "measures": {k: ci(v) for k, v in values.items()}}],
        "differences": [{"arm": "push_20", "versus": "none", "measures": {"awareness": ci(0.25)}}],
    }
    names = {"push_20": "reklame 20", "none": "ingen kampanje"}
    _print_media_plan(8, point, translator("nb"), names)
    line = capsys.readouterr().out.splitlines()[-1]
    nbsp = "\u00a0"
    assert line == (
        f"  reklame 20: 200 GRP denne uken, 1{nbsp}600 hittil; ukentlig dekning 60{nbsp}%, "
        f"gjennomsnittlig frekvens 3,31; A/S 39,5{nbsp}%"
    )
    _print_media_plan(8, point, translator("en"), {"push_20": "push 20"})
    assert capsys.readouterr().out.splitlines()[-1] == (
        "  push 20: 200 GRPs this week, 1,600 to date; weekly reach 60%, average frequency "
        "3.31; A/S 39.5%"
    )
    _print_table(8, point, ["awareness"], translator("nb"), names)
    rows = [line.split("  ")[0] for line in capsys.readouterr().out.splitlines()]
    assert "reklame 20" in rows and "reklame 20 - ingen kampanje" in rows
