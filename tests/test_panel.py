"""The consumer panel beside a running model (sim/evidence/panel.py) and the repeat-buying
targets read from it (share of category requirements, double jeopardy; sim/evidence/targets.py).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim.engine.model import BrandModel, build_network_for
from sim.evidence.panel import Panel, PanelMismatch
from sim.evidence.target_runs import double_jeopardy, market_params


def _model(seed: int = 3, n: int = 2000, budget: float | None = None) -> BrandModel:
    params, plan = market_params({}, n)
    arm = {"name": "push", "budget": plan if budget is None else budget, "push_share": 1.0}
    return BrandModel(params, network=build_network_for(params, seed), rng=seed, arm=arm)


def test_the_panel_adds_up_to_the_models_own_counts_and_does_not_disturb_it():
    watched, plain = _model(), _model()
    panel = Panel(watched)
    category = 0
    for _ in range(60):  # (each week is also checked against BrandModel.purchases inside)
        panel.step()
        category += watched.purchases.category
    plain.run_for(60)
    assert watched.weekly_frame().equals(plain.weekly_frame())
    assert int(panel.brand.sum()) == watched.units_total > 0
    assert int(panel.category.sum()) == category
    # A customer's brand purchases are among their category purchases, at most one a week.
    assert (panel.brand <= panel.category).all() and panel.category.max() <= 60
    # Category purchases come at the occasion rate: about 52 h a year for customers in the
    # category (binomial: 60 weeks at h = 0.141 give a mean of 8.5, sd 2.7 per customer).
    h = watched._occasion
    in_market = watched.state.in_market
    assert panel.category[in_market].mean() == pytest.approx(60 * h, rel=0.05)
    assert panel.category[~in_market].sum() == 0


def test_a_panel_that_disagrees_with_the_model_stops():
    model = _model()
    step = model.step

    def one_more_unit():
        step()
        model.purchases = dataclasses.replace(model.purchases, brand=model.purchases.brand + 1)

    model.step = one_more_unit
    with pytest.raises(PanelMismatch, match="week 1: panel"):
        Panel(model).step()


def test_share_of_category_requirements_is_the_buyers_share_of_their_category():
    model = _model()
    model.run_for(10)
    panel = Panel(model)
    panel.run_for(52)
    s = panel.summary()
    buyers = panel.brand > 0
    assert s["buyers"] == buyers.sum()
    expected = panel.brand[buyers].sum() / panel.category[buyers].sum()
    assert s["units"] / s["buyer_category"] == pytest.approx(expected)
    assert 0.0 < expected < 1.0


def _outcomes(b0: float, w0: float, b1: float, w1: float, category_buyers: float = 1.0):
    return {
        "base.panel_buyers": b0,
        "base.panel_units": b0 * w0,
        "base.panel_category_buyers": category_buyers,
        "ad.panel_buyers": b1,
        "ad.panel_units": b1 * w1,
    }


def test_double_jeopardy_is_one_along_the_line_and_says_which_side_otherwise():
    # Along w (1 - b) = w0 a small growth in buyers comes with the line's growth in frequency.
    b0, eps = 0.3, 1e-5
    b1 = b0 * (1 + eps)
    line = _outcomes(b0, 1.0 / (1 - b0), b1, 1.0 / (1 - b1))
    assert double_jeopardy(line) == pytest.approx(1.0, abs=1e-4)
    # Growth from buyers alone (frequency flat): 1 / (1 - b); from loyalty alone: 0.
    assert double_jeopardy(_outcomes(b0, 2.0, b1, 2.0)) == pytest.approx(1 / (1 - b0))
    assert double_jeopardy(_outcomes(b0, 2.0, b0, 2.5)) == 0.0
    assert math.isnan(double_jeopardy(_outcomes(b0, 2.0, b0, 2.0)))  # no growth to share
    assert math.isnan(double_jeopardy(_outcomes(1.0, 2.0, 1.0, 2.5)))  # everyone buys it


def test_more_advertising_brings_more_buyers_in_the_panel():
    """The established brand at the plan and at twice the plan (weeks 105-156 after the same
    104 weeks): more buyers, and the double-jeopardy reading is finite (12 seeds at 6,000
    customers measured 1.4-2.3 over the plausible set; here one seed at 2,000)."""
    import copy

    base = _model(seed=5)
    base.run_for(104)
    params, plan = market_params({}, base.n)
    ad = copy.deepcopy(base)
    up = {"name": "push", "budget": 2 * plan, "push_share": 1.0}
    ad.params = params.model_copy(update={"arm": params.arm.model_copy(update=up)})
    panels = [Panel(m) for m in (base, ad)]
    for panel in panels:
        panel.run_for(52)
    s0, s1 = (p.summary() for p in panels)
    assert s1["buyers"] > s0["buyers"] and s1["units"] > s0["units"]
    o = {f"base.panel_{k}": v for k, v in s0.items()} | {f"ad.panel_{k}": v for k, v in s1.items()}
    assert np.isfinite(double_jeopardy(o)) and double_jeopardy(o) > 0
