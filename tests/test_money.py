"""Money and market (issue #12): category potential, purchase occasions, the logit choice
between the brand and the alternative, lapses and returns, and the money measures.

The rules are checked exactly on hand-built states (the expected outcome is derived by hand or
from the random words themselves, not by calling the code under test); the bookkeeping to the
cent against an independent sum of what was bought and spent; properties with hypothesis."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import expit

from sim.engine.model import BrandModel
from sim.engine.rules.market import (
    choice_probability,
    customer_equity,
    occasion_probability,
    run_purchases,
)
from sim.engine.state import CustomerState
from sim.engine.uniforms import sequence
from sim.params import MarketSpec, ParameterError, make_params
from tests.tiny import network_from_edges

RING = network_from_edges(60, [(i, (i + 1) % 60) for i in range(60)] + [(0, 30), (15, 45)])
FMCG = dict(potential=0.6, purchase_rate=0.2, competitor=0.6)


class FixedKey:
    """Stands in for a numpy stream: ``week_key`` reads one raw word from ``bit_generator``."""

    def __init__(self, key: int):
        self.bit_generator = self
        self.key = key

    def random_raw(self):
        return self.key


def words(key: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The high and low 32-bit uniforms of words 0..n-1 of ``key`` (sim.engine.uniforms)."""
    w = sequence(np.uint64(key), n)
    high = (w >> np.uint64(32)).astype(np.float64) * 2.0**-32
    low = (w & np.uint64(0xFFFFFFFF)).astype(np.float64) * 2.0**-32
    return high, low


# ----------------------------------------------------------------------------- exact rules
def test_each_kind_of_customer_buys_what_the_rule_says():
    """Occasion certain (probability 1), choice decided by the extremes of the logit
    (slope 50: a = 1 against c = 0 chooses the brand with probability 1 - 2e-22, a = -1 with
    2e-22; the 32-bit numbers cannot fall between)."""
    state = CustomerState.empty(8)
    state.in_market[:] = [False, True, True, True, True, True, True, True]
    state.aware[:] = [True, True, True, True, True, True, False, False]
    state.attitude[:] = [1.0, 1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 1.0]
    #                     out   new  never  stays lapses returns forgot unaware-new
    before = np.array([True, False, False, True, True, True, True, False])
    state.adopted[:] = [True, True, False, True, True, True, True, False]
    state.customer[:] = [True, True, False, True, True, False, False, False]
    bought = run_purchases(state, 1.0, 50.0, 0.0, before, FixedKey(12345))
    # brand: 1 (tried this week), 3 (stays), 5 (returns); alternative: 2 (never tried),
    # 4 (lapses), 6 (tried before but forgot the brand), 7 (never heard of it).
    assert (bought.brand, bought.category, bought.lapsed, bought.returned) == (3, 7, 1, 1)
    assert list(state.customer) == [True, True, False, True, False, True, False, False]


def test_without_occasions_only_this_weeks_trials_are_bought():
    state = CustomerState.empty(4)
    state.aware[:] = True
    state.adopted[:] = state.customer[:] = [True, True, False, False]
    before = np.array([True, False, False, False])
    bought = run_purchases(state, 0.0, 3.0, 0.0, before, FixedKey(7))
    assert (bought.brand, bought.category, bought.lapsed, bought.returned) == (1, 1, 0, 0)
    assert list(state.customer) == [True, True, False, False]


@pytest.mark.parametrize(
    "slope, competitor",
    [(3.0, 0.6), (0.5, -0.2), (12.0, 0.0), (0.0, 0.3), (12.0, -1.0), (12.0, 1.0)],
)
def test_occasions_and_choices_follow_the_words_exactly(slope, competitor):
    """Every customer: an occasion when the high half of their word is below h; then the brand
    when the low half is below the logit (table screen and exact logistic together). 3,000
    customers sit at attitude -1 and 3,000 at 1, the table's ends: with slope 12 and the
    competitor at -1 (or 1) the logit there is 0.5 and changes by 0.047 to the table's next
    point, so a screen one point off at that end misjudges about 3,000 x 0.11 (choosing) x
    0.047 = 16 of them."""
    n = 20_000
    rng = np.random.default_rng(int(slope * 10))
    state = CustomerState.empty(n)
    state.aware[:] = rng.random(n) < 0.9
    state.in_market[:] = rng.random(n) < 0.7
    state.attitude[:] = rng.uniform(-1, 1, n)
    state.attitude[:3] = (-1.0, 1.0, competitor)
    state.attitude[3:3000] = -1.0
    state.attitude[3000:6000] = 1.0
    before = state.in_market & (rng.random(n) < 0.6)
    state.adopted[:] = before | (state.in_market & (rng.random(n) < 0.05))
    # Customers now: half of those who tried before, and this week's triers (step 4).
    state.customer[:] = (before & (rng.random(n) < 0.5)) | (state.adopted & ~before)
    customer0 = state.customer.copy()
    key = int(rng.integers(2**63))
    high, low = words(key, n)
    h = 0.3
    occasion = state.in_market & (high < h) & ~(state.adopted & ~before)
    choosing = occasion & before & state.aware
    brand = choosing & (low < expit(slope * (state.attitude - competitor)))
    new = state.in_market & state.adopted & ~before
    bought = run_purchases(state, h, slope, competitor, before, FixedKey(key))
    assert bought.brand == int(brand.sum() + new.sum())
    assert bought.category == int(occasion.sum() + new.sum())
    assert bought.lapsed == int((occasion & customer0 & ~brand).sum())
    assert bought.returned == int((brand & ~customer0).sum())
    expected = np.where(occasion & ~new, brand, customer0)
    np.testing.assert_array_equal(state.customer, expected)


def test_lapsing_falls_with_attitude_and_the_choice_is_a_logit():
    a = np.array([-1.0, -0.5, 0.0, 0.4, 0.6, 1.0])
    p = choice_probability(3.0, 0.6, a)
    np.testing.assert_allclose(p, 1.0 / (1.0 + np.exp(-3.0 * (a - 0.6))), rtol=1e-15)
    assert p[4] == 0.5
    h = occasion_probability(0.2)
    assert h == pytest.approx(1 - math.exp(-0.2), rel=1e-15)
    weekly_lapse = h * (1 - p)
    assert np.all(np.diff(weekly_lapse) < 0)
    assert occasion_probability(None) == 0.0


def test_lapse_and_return_rates_match_the_rule_in_a_large_market():
    """10,000 customers of attitude 0.4 (c 0.6, slope 3: P = 0.354; h = 0.181): a customer
    lapses with probability h (1 - P) = 0.117, a lapsed one returns with h P = 0.064 (binomial
    sd at 5,000 each: 0.0045 and 0.0035; 5 sd allowed)."""
    n = 10_000
    state = CustomerState.empty(n)
    state.aware[:] = state.adopted[:] = True
    state.customer[: n // 2] = True
    state.attitude[:] = 0.4
    h = occasion_probability(0.2)
    p = float(choice_probability(3.0, 0.6, np.array([0.4]))[0])
    bought = run_purchases(state, h, 3.0, 0.6, state.adopted.copy(), np.random.default_rng(1))
    assert bought.lapsed / (n / 2) == pytest.approx(h * (1 - p), abs=5 * 0.0045)
    assert bought.returned / (n / 2) == pytest.approx(h * p, abs=5 * 0.0035)


def test_customer_equity_is_the_gupta_lehmann_value_of_todays_customers():
    rng = np.random.default_rng(4)
    n = 5_000
    customer = rng.random(n) < 0.4
    attitude = rng.uniform(-1, 1, n)
    h, margin, d = occasion_probability(0.2), 1.2, 0.0022
    p = choice_probability(3.0, 0.6, attitude[customer])
    r = 1 - h * (1 - p)
    exact = float(np.sum(margin * h * p * r / (1 + d - r)))
    got = customer_equity(customer, attitude, h, 3.0, 0.6, margin, d)
    assert got == pytest.approx(exact, rel=1e-3)  # bins of width 0.001 (docstring)
    assert customer_equity(customer, attitude, 0.0, 3.0, 0.6, margin, d) == 0.0


def test_customer_equity_counts_a_customer_at_exactly_one_in_the_last_bin():
    """Attitudes are clipped to [-1, 1], so a customer can sit at exactly 1; the bins of width
    0.001 are closed at 1 (docstring: "the last bin includes 1"), so that customer is worth as
    much as one at 0.9995 (the last bin), not one at 0.9985 (the bin below), and one at -1 as
    much as one at -0.9995 (the first bin), not -0.9985. Equity is m r / (1 + d - r) summed,
    so proportional to the margin m: at m = 1 (the default) half of what it is at m = 2."""
    h, d = occasion_probability(0.2), 0.0022

    def equity(attitude, margin=1.2):
        return customer_equity(np.array([True]), np.array([attitude]), h, 3.0, 0.6, margin, d)

    for edge, inside, below in ((1.0, 0.9995, 0.9985), (-1.0, -0.9995, -0.9985)):
        assert equity(edge) == equity(inside) > 0 and equity(edge) != equity(below)
    assert equity(0.3, 1.0) == pytest.approx(equity(0.3, 2.0) / 2, rel=1e-12)
    assert equity(0.3, 1.0) > 0


def test_the_cached_choice_and_lifetime_value_tables_are_read_only():
    """Both are cached and shared by every week and model asking for the same parameters (their
    docstrings: read-only), so a write into either must fail instead of changing later weeks."""
    from sim.engine.rules.market import _choice_table, _lifetime_values

    for table in (_choice_table(3.0, 0.6), _lifetime_values(0.2, 3.0, 0.6, 1.0, 0.0022)):
        with pytest.raises(ValueError, match="read-only"):
            table[0] = 1.0


# ------------------------------------------------------------------------- market potential
def test_customers_outside_the_category_hear_and_talk_but_never_buy():
    model = BrandModel(
        network={"n": 2000},
        rng=3,
        market={"potential": 0.3, "purchase_rate": 0.5},
        arm={"budget": 60, "push_share": 0.5},
        adoption={"base_rate": 0.3},
    )
    model.run_for(20)
    s = model.state
    assert s.in_market.mean() == pytest.approx(0.3, abs=0.05)  # binomial sd 0.01
    assert not (s.adopted & ~s.in_market).any() and not (s.customer & ~s.in_market).any()
    assert (s.aware & ~s.in_market).sum() > 500  # they hear of it all the same
    assert (s.adopted & s.in_market).sum() > 300


def test_the_market_draws_come_after_every_earlier_draw():
    """Common random numbers with the first versions: the category draw is the initial stream's
    last, so predispositions, tastes, media and the week's results without a market are
    unchanged by the market's potential."""
    full = BrandModel(network={"n": 500}, rng=9)
    part = BrandModel(network={"n": 500}, rng=9, market={"potential": 0.5})
    for name in ("predisposition", "taste", "tolerance", "anchoring", "aware"):
        np.testing.assert_array_equal(getattr(full.state, name), getattr(part.state, name))
    np.testing.assert_array_equal(full.audience.members, part.audience.members)
    assert full.state.in_market.all() and 0.4 < part.state.in_market.mean() < 0.6


def test_one_off_adoption_is_the_special_case_without_repeat_purchases():
    model = BrandModel(network={"n": 800}, rng=2, arm={"budget": 40})
    model.run_for(30)
    frame = model.weekly_frame()
    np.testing.assert_array_equal(model.state.customer, model.state.adopted)
    assert (frame["customers"] == frame["adoption"]).all()
    assert (frame["lapsed"] == 0).all() and (frame["customer_equity"] == 0).all()
    assert frame["market_share"].isna().all()
    assert frame["units"].sum() == pytest.approx(frame["adoption"].iloc[-1] * 1000, abs=1e-9)


def test_a_competitor_launch_raises_attractiveness_from_its_week_and_costs_share():
    spec = MarketSpec(competitor=0.2, launch_week=10, launch_attractiveness=0.7)
    assert [spec.attractiveness(w) for w in (1, 9, 10, 50)] == [0.2, 0.2, 0.7, 0.7]
    common = dict(network={"n": 3000}, population={"initial_awareness": 0.3}, arm={"budget": 20})
    shares = []
    for launch in (None, 10):
        model = BrandModel(
            rng=5, market={**FMCG, "launch_week": launch, "launch_attractiveness": 0.9}, **common
        )
        model.run_for(30)
        shares.append(model.weekly_frame().set_index("week")["market_share"])
    # Same seed, same world (common random numbers): identical before the launch, lower after.
    assert shares[0].loc[:9].equals(shares[1].loc[:9])
    assert shares[1].loc[15:].mean() < 0.8 * shares[0].loc[15:].mean()


def test_the_market_stream_is_used_alike_in_every_arm():
    runs = []
    for share in (1.0, 0.0):
        model = BrandModel(
            rng=5, network={"n": 400}, arm=dict(budget=80, push_share=share), market=FMCG
        )
        model.run_for(12)
        runs.append(model)
    a, b = (m._streams["market"].bit_generator.state["state"]["state"] for m in runs)
    np.testing.assert_array_equal(a, b)
    assert not runs[0].weekly_frame()["units"].equals(runs[1].weekly_frame()["units"])


# ------------------------------------------------------------------------------------- money
@pytest.mark.parametrize("n", [1000, 737])
def test_profit_is_margin_times_units_less_spend_to_the_cent(n):
    """An independent ledger: units from the week's purchases, spend from impressions and
    conversations bought times their prices."""
    params = make_params(
        network={"n": n},
        market=FMCG,
        money={"price": 2.99, "unit_margin": 1.13},
        arm={"budget": 33.3, "push_share": 0.4},
        population={"initial_awareness": 0.05},
    )
    model = BrandModel(params, rng=8)
    units = 0
    spend = 0.0
    for _ in range(52):
        model.step()
        units += model.purchases.brand
        spend += model.last_push.impressions * params.push.cost_per_impression
        spend += model.last_dialogue.conversations * params.dialogue.cost_per_conversation
        m, per = model.measures, n / 1000
        assert round(m["revenue"] * per, 2) == round(2.99 * model.purchases.brand, 2)
        assert round(m["gross_profit"] * per, 2) == round(1.13 * model.purchases.brand, 2)
        assert m["units"] * per == pytest.approx(model.purchases.brand, abs=1e-9)
        assert round(m["profit"] * per, 2) == round(1.13 * units - spend, 2)
        assert m["roi"] == pytest.approx((1.13 * units - spend) / spend, rel=1e-12)
    assert units > 500 and spend > 0


def test_nothing_spent_means_no_return_to_speak_of_and_profit_is_gross_profit():
    model = BrandModel(
        network={"n": 500},
        rng=1,
        arm={"budget": 0},
        market=FMCG,
        population={"initial_awareness": 0.2},
    )
    model.run_for(10)
    frame = model.weekly_frame()
    assert frame["roi"].isna().all()
    assert frame["profit"].iloc[-1] == pytest.approx(frame["gross_profit"].sum(), rel=1e-12)


def test_bad_money_and_market_parameters_give_one_line_errors():
    for sections, words_ in (
        ({"money": {"price": 1.0, "unit_margin": 2.0}}, "must not exceed price"),
        ({"market": {"purchase_rate": -1}}, "market.purchase_rate"),
        ({"market": {"potential": 1.5}}, "market.potential"),
        ({"money": {"discount_rate": 0}}, "money.discount_rate"),
        ({"market": {"launch_attractiveness": 2}}, "market.launch_attractiveness"),
    ):
        with pytest.raises(ParameterError) as error:
            make_params(**sections)
        assert words_ in str(error.value) and "\n" not in str(error.value)
    assert make_params(market={"purchase_rate": "off"}).market.purchase_rate is None


# ------------------------------------------------------------------------------- properties
market_strategy = st.fixed_dictionaries(
    {
        "potential": st.floats(0, 1),
        "purchase_rate": st.none() | st.floats(0.001, 7),
        "choice_slope": st.floats(0, 50),
        "competitor": st.floats(-1, 1),
        "launch_week": st.none() | st.integers(1, 8),
        "launch_attractiveness": st.floats(-1, 1),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    market=market_strategy,
    budget=st.floats(0, 500),
    push_share=st.floats(0, 1),
    margin=st.floats(0, 5),
    awareness=st.floats(0, 1),
    attitudes=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_shares_stay_shares_counts_stay_positive_and_spend_within_budget(
    market, budget, push_share, margin, awareness, attitudes, seed
):
    model = BrandModel(
        network=RING,
        rng=seed,
        market=market,
        money={"price": 5.0, "unit_margin": margin},
        arm={"budget": budget, "push_share": push_share},
        population={"initial_awareness": awareness},
        attitudes=attitudes,
    )
    model.run_for(10)
    frame = model.weekly_frame()
    share = frame["market_share"].dropna()
    assert ((share >= 0) & (share <= 1)).all()
    assert ((frame["customers"] >= 0) & (frame["customers"] <= frame["adoption"])).all()
    for name in ("units", "lapsed", "returned", "revenue", "gross_profit", "customer_equity"):
        assert (frame[name] >= 0).all(), name
    assert (frame["spend"] <= budget * frame["week"] + 1e-9).all()
    s = model.state
    assert not (s.customer & ~s.adopted).any() and not (s.adopted & ~s.in_market).any()
    assert not (s.customer & ~s.aware).any()  # customers of the brand never forget it
    assert frame["profit"].iloc[-1] == pytest.approx(
        margin * frame["units"].sum() - frame["spend"].iloc[-1], abs=1e-6
    )


# -------------------------------------------------------------------------------- outputs
def test_every_output_shows_the_money(tmp_path, capsys):
    """A small default study: the command line's table has profit to date and says what pays;
    summary.json holds paired differences of profit with intervals and the what-pays lead;
    report.html has the sentence, the market in words and the profit figure."""
    import json

    from sim.cli import main

    out = tmp_path / "r"
    status = main(
        [
            "run",
            "default",
            "--set",
            "network.n=300",
            "--weeks",
            "13",
            "--replicates",
            "3",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    header = next(line for line in printed.splitlines() if line.startswith("week 13"))
    assert "profit" in header and "What pays:" in printed
    summary = json.loads((out / "summary.json").read_text())
    (profit, roi) = summary["what_pays"]
    assert profit["measure"] == "profit" and roi["measure"] == "roi" and profit["week"] == 13
    # The paired difference of profit, recomputed from timeseries.csv (arm minus baseline,
    # replicate with replicate; Student t) as tests/test_summaries.py does for every measure.
    import pandas as pd

    from tests.test_summaries import check_interval, paired

    difference = summary["points"][0]["differences"][0]
    table = pd.read_csv(out / "timeseries.csv")
    expected = paired(table, difference["arm"], difference["versus"], "profit")
    assert expected[3] == 3 and expected[1] < expected[2]
    check_interval(difference["measures"]["profit"], expected, where="profit")
    page = (out / "report.html").read_text()
    assert "<b>What pays:</b>" in page and "highest profit to date" in page
    assert "of customers are in the category" in page
    assert "repeat purchases, lapses and returns: on" in page
    for name in ("profit", "market_share", "customers"):
        assert (out / "figures" / f"{name}.png").is_file(), name


def test_sweeps_map_profit_and_return_on_spend(tmp_path):
    """Sweep figures take their measures from [report] measures: profit and roi work there
    (roi is empty for an arm that spends nothing)."""
    scenario = tmp_path / "sweep.toml"
    scenario.write_text(
        'extends = "'
        + str(Path(__file__).resolve().parents[1] / "scenarios" / "default.toml")
        + '"\nweeks = 8\nreplicates = 2\n[network]\nn = 200\n'
        '[sweep]\n"arm.budget" = [10.0, 40.0]\n"money.unit_margin" = [0.5, 2.0]\n'
        '[report]\nmeasures = ["profit", "roi"]\n'
    )
    import sim

    outcome = sim.run_scenario(str(scenario), sweep=True, out=tmp_path / "s")
    figures = sorted(p.name for p in (outcome.out / "figures").glob("*.png"))
    assert any("profit" in f for f in figures) and any("roi" in f for f in figures), figures
    sweep = pd.read_csv(outcome.out / "sweep.csv")
    none = sweep[sweep["arm"] == "none"]
    assert none["roi_mean"].isna().all() and sweep["profit_mean"].notna().all()
    # More margin, more profit, at every budget and arm (same runs, only the money differs).
    wide = sweep.pivot_table(
        index=["arm", "arm.budget"], columns="money.unit_margin", values="profit_mean"
    )
    assert (wide[2.0] >= wide[0.5]).all()


def test_the_app_shows_profit_on_the_scoreboard_and_a_money_chart(monkeypatch):
    from tests.test_viz import _button, _chart, _render, _scoreboard

    monkeypatch.setenv("RECLAMARE_PRESET", "default")
    rc = _render()
    rc.find(__import__("ipyvuetify").Switch).widget.v_model = True  # applies at once
    for _ in range(3):
        _button(rc, "Step").click()
    board = _scoreboard(rc)
    assert "Profit (cu)" in board and "Customers" in board and "Spent (cu)" in board
    money = _chart(rc, "money")  # a default chart: spend and profit of A and B
    assert money["week"] == 3 and len(money["values"]) == 4


def test_the_money_chart_goes_below_zero_when_profit_does():
    from sim.viz.chartspec import CHARTS, chart_data, chart_spec

    spec = chart_spec("money", ["push"], 52, lambda message: message)
    assert spec["title"] == "Money to date" and [s["name"] for s in spec["series"]] == [
        "spend",
        "profit",
    ]
    # No fixed range: the browser fits the axis to the data, below zero when profit is.
    assert spec["ymin"] is None and spec["ymax"] is None and CHARTS["money"].ymin is None
    history = {"week": [0, 1, 2, 3, 4], "spend": [0.0, 20.0, 40.0, 60.0, 80.0]}
    history["profit"] = [0.0, -20.0, -45.0, -30.0, -10.0]
    data = chart_data("money", [history], None)
    assert data["values"] == [history["spend"], history["profit"]]
    assert min(data["values"][1]) == -45.0
