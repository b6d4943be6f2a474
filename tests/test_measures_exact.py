"""Every weekly measure (sim/engine/measures.py) pinned to a number worked out by hand.

The state below is small enough to count on paper; each expected value is written as the
arithmetic that gives it, never by calling the code under test. A second part checks ranges and
a plain numpy statement of every measure over random states (hypothesis, derandomised).

``test_every_measure_has_a_hand_computed_value`` fails when a measure is added to ``MEASURES``
without an expected value here, so new measures (the open issues add some) must be pinned too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.measures import (
    HIST_NAMES,
    MEASURE_NAMES,
    compute_measures,
    media_measures,
    money_measures,
    talk_measures,
)
from sim.engine.state import (
    HEARD_AD,
    HEARD_BEFORE,
    HEARD_DIALOGUE,
    HEARD_NOT_YET,
    HEARD_WOM,
    CustomerState,
)

A, W, D, B, N = HEARD_AD, HEARD_WOM, HEARD_DIALOGUE, HEARD_BEFORE, HEARD_NOT_YET

# Twenty customers in two groups: group 0 = customers 0-9, group 1 = customers 10-19.
# Customer:        0     1     2     3     4     5     6     7     8     9
#                 10    11    12    13    14    15    16    17    18    19
AWARE = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0] + [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
ATTITUDE = [0.9, 0.5, 0.45, 0.2, -0.45, -0.5, -0.8, 0.95, 0.99, -0.9] + [
    0.6,
    -0.6,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
    1.0,
]
# Customer 7 heard of the brand through an ad and has forgotten it since (heard, not aware).
HEARD = [A, A, A, W, W, D, B, A, N, N] + [A, W, N, N, N, N, N, N, N, N]
EVER = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0] + [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
ADOPTED = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0] + [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
IRRITATED = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
GROUPS = np.array([0] * 10 + [1] * 10, dtype=np.intp)
COUNTS = {
    "wom_positive": 3,
    "wom_negative": 2,
    "public_mentions": 1,
    "conversations": 4,
    "complaints_answered": 1,
    "forgot": 3,
    "mention_views": 7,
    "mention_readers": 5,
    "rating_readers": 2,
    "stories_started": 1,
    "stories_retold": 4,
}
# Stories: customers 0-2 (group 0) and 10, 12 (group 1) have started or heard one (story ids);
# the largest cascade so far has 4 customers; the visible rating is 0.25.
STORY_ID = [0, 0, 1] + [-1] * 7 + [2, -1, 0] + [-1] * 7
# The market and money counts of the week (money_measures): 20 customers, 4 of them customers
# of the brand, 3 units of the brand out of 5 in the category this week, 1 lapse, 2 returns,
# 11 units sold to date, 4.5 cu spent to date, customer equity 7.25 cu, price 3, margin 1.25.
MONEY = dict(
    n=20,
    customers=4,
    units=3,
    category_units=5,
    lapsed=1,
    returned=2,
    units_total=11,
    spend_total=4.5,
    equity=7.25,
    price=3.0,
    unit_margin=1.25,
)


# The media plan's counts: 30 impressions served this week to 8 customers, 90 to date, 0.9 cu
# of the 4.5 cu spent on push, revenue to date 3 cu x 11 units.
MEDIA = dict(
    n=20,
    impressions=30,
    reached=8,
    impressions_total=90,
    push_spend_total=0.9,
    revenue_total=3.0 * 11,
)


def hand_state() -> CustomerState:
    state = CustomerState.empty(20)
    state.aware[:] = np.array(AWARE, dtype=bool)
    state.heard[:] = np.array(EVER, dtype=bool)
    state.attitude[:] = ATTITUDE
    state.heard_via[:] = HEARD
    state.adopted[:] = np.array(ADOPTED, dtype=bool)
    state.irritated[:] = np.array(IRRITATED, dtype=bool)
    state.story_id[:] = STORY_ID
    return state


def measures(**overrides):
    args = dict(
        state=hand_state(),
        week_counts=COUNTS,
        spend_total=4.5,
        product_fit=0.37,
        groups=GROUPS,
        n_groups=2,
        outside_target=np.arange(10, 20),  # push targeted group 0
    )
    talk = talk_measures(
        args["state"], COUNTS, 0.25, 4, GROUPS, np.array([10, 10]), story_groups_before=0
    )
    media = media_measures(**MEDIA)
    return compute_measures(**(args | overrides)) | money_measures(**MONEY) | talk | media


# Worked out by hand from the tables above (9 aware customers of 20: 0-6, 10, 11; 10 ever heard:
# those and customer 7, who forgot).
# The aware's attitudes, sorted: -0.8, -0.6, -0.5, -0.45, 0.2, 0.45, 0.5, 0.6, 0.9.
# Sum 0.3, sum of squares 0.64 + 0.36 + 0.25 + 0.2025 + 0.04 + 0.2025 + 0.25 + 0.36 + 0.81 = 3.115.
# Quantiles: a fine histogram of 2,000 bins of width 0.001 over [-1, 1]; attitude a falls in bin
# floor((a + 1) * 1000). The q-quantile is read at rank q * 9 in the bin whose running count first
# reaches the rank: left edge + (rank - count below the bin) / count in the bin * 0.001.
# Note: in binary floating point (-0.8 + 1) * 1000 is 199.99999999999994, so -0.8 falls in fine
# bin 199, [-0.801, -0.8), and hence in the coarse bin [-1.0, -0.8) (the other edge values
# -0.6, 0.2, 0.6 compute exactly: bins 400, 1200, 1600).
EXPECTED = {
    "awareness": 9 / 20,
    "ever_aware": 10 / 20,  # the aware and customer 7
    "adoption": 4 / 20,  # customers 0, 1, 6, 10
    # aware only: the unaware customers 7, 8, 12-19 hold large attitudes that must not count
    "mean_attitude": (0.9 + 0.5 + 0.45 + 0.2 - 0.45 - 0.5 - 0.8 + 0.6 - 0.6) / 9,
    # advocates a > 0.5 among the aware: 0 (0.9) and 10 (0.6); 0.5 and 0.45 are not advocates.
    # detractors a < -0.5: 6 (-0.8) and 11 (-0.6); -0.5 and -0.45 are not. Unaware 9 (-0.9) and
    # 7, 8 (0.95, 0.99) do not count.
    "net_sentiment": 2 / 9 - 2 / 9,
    # top box a > 0.6 among the aware: customer 0 (0.9) only; 10 sits exactly on 0.6.
    "top_box": 1 / 9,
    # population standard deviation: sqrt(mean of squares - squared mean)
    "attitude_sd": math.sqrt(3.115 / 9 - (0.3 / 9) ** 2),
    # rank 0.9: bin 199 (-0.8) holds 1, none below -> 199 + 0.9 / 1
    "attitude_p10": -1 + 0.001 * (199 + 0.9),
    # rank 4.5: four below 0.2, bin 1200 holds 0.2 -> 1200 + (4.5 - 4) / 1
    "attitude_p50": -1 + 0.001 * (1200 + 0.5),
    # rank 8.1: eight below 0.9, bin 1900 holds 0.9 -> 1900 + (8.1 - 8) / 1
    "attitude_p90": -1 + 0.001 * (1900 + 0.1),
    "wom_positive": 3 * 1000 / 20,
    "wom_negative": 2 * 1000 / 20,
    "public_mentions": 1 * 1000 / 20,
    "conversations": 4 * 1000 / 20,
    "complaints_answered": 1 * 1000 / 20,
    "irritated": 2 / 20,  # customers 0 and 19
    "product_fit": 0.37,
    "spend": 4.5 * 1000 / 20,
    "cost_per_aware": 4.5 / 9,
    # group 0: 7 of 10 aware (70 %); group 1: 2 of 10 (20 %): both above 10 %
    "groups_reached": 2,
    "awareness_outside_target": 2 / 10,  # group 1
    # shares of the 10 who ever heard (customer 7 forgot but keeps the ad as first channel)
    "heard_via_ad": 5 / 10,  # 0, 1, 2, 7, 10
    "heard_via_wom": 3 / 10,  # 3, 4, 11
    "heard_via_dialogue": 1 / 10,  # 5 (customer 6 heard before: no channel)
    "forgot": 3 * 1000 / 20,
    # attitude histogram of the aware, bins of 0.2 from -1 (shares of the 9 aware)
    "attitude_hist_1": 1 / 9,  # [-1.0, -0.8): -0.8 (see the note above)
    "attitude_hist_2": 0 / 9,  # [-0.8, -0.6)
    "attitude_hist_3": 3 / 9,  # [-0.6, -0.4): -0.6, -0.5, -0.45
    "attitude_hist_4": 0 / 9,
    "attitude_hist_5": 0 / 9,
    "attitude_hist_6": 0 / 9,  # [0.0, 0.2)
    "attitude_hist_7": 1 / 9,  # [0.2, 0.4): 0.2
    "attitude_hist_8": 2 / 9,  # [0.4, 0.6): 0.45, 0.5
    "attitude_hist_9": 1 / 9,  # [0.6, 0.8): 0.6
    "attitude_hist_10": 1 / 9,  # [0.8, 1.0]: 0.9 (the unaware at 0.95, 0.99, 1.0 do not count)
    # market and money (MONEY above; per 1,000 customers = times 1000 / 20)
    "customers": 4 / 20,
    "market_share": 3 / 5,
    "units": 3 * 1000 / 20,
    "lapsed": 1 * 1000 / 20,
    "returned": 2 * 1000 / 20,
    "revenue": 3.0 * 3 * 1000 / 20,
    "gross_profit": 1.25 * 3 * 1000 / 20,
    "profit": (1.25 * 11 - 4.5) * 1000 / 20,  # margin on all units to date less spend to date
    "roi": (1.25 * 11 - 4.5) / 4.5,
    "customer_equity": 7.25 * 1000 / 20,
    # every customer, aware or not, at the attitude they hold (the forgotten customer 7 at 0.95
    # and the never-heard 8, 9, 12-19 too): group 0 sums to
    # 0.9 + 0.5 + 0.45 + 0.2 - 0.45 - 0.5 - 0.8 + 0.95 + 0.99 - 0.9 = 1.34, group 1 to
    # 0.6 - 0.6 + 8 x 1.0 = 8; far from the aware-only 0.3 / 9.
    "mean_attitude_all": (1.34 + 8.0) / 20,
    # public talk and stories (COUNTS and STORY_ID above)
    "mention_views": 7 * 1000 / 20,
    "mention_readers": 5 * 1000 / 20,
    "rating": 0.25,
    "rating_readers": 2 * 1000 / 20,
    "stories_started": 1 * 1000 / 20,
    "stories_retold": 4 * 1000 / 20,
    "story_reach": 5 / 20,  # 0, 1, 2, 10, 12
    # group 0: 3 of 10 (30 %), group 1: 2 of 10 (20 %): both above 10 %
    "story_groups": 2,
    "largest_cascade": 4,
    # media plan (MEDIA above)
    "grps": 100 * 30 / 20,
    "grps_to_date": 100 * 90 / 20,
    "weekly_reach": 8 / 20,
    "frequency": 30 / 8,
    "ad_to_sales": 0.9 / 33.0,
}


def test_every_measure_has_a_hand_computed_value():
    """A new measure must get a hand-computed value here (and a range below)."""
    assert set(EXPECTED) == set(MEASURE_NAMES)
    assert set(measures()) == set(MEASURE_NAMES)


def test_money_measures_left_empty_when_undefined():
    """No category simulated (None) or no category units this week: no market share; nothing
    spent yet: no return on spend (profit is then the margin alone)."""
    got = money_measures(**(MONEY | {"category_units": None, "spend_total": 0.0}))
    assert math.isnan(got["market_share"]) and math.isnan(got["roi"])
    assert got["profit"] == pytest.approx(1.25 * 11 * 1000 / 20)
    assert math.isnan(money_measures(**(MONEY | {"category_units": 0}))["market_share"])


@pytest.mark.parametrize("name", MEASURE_NAMES)
def test_measure_equals_its_hand_computed_value(name):
    """Each measure of the hand-built state, to rounding."""
    assert measures()[name] == pytest.approx(EXPECTED[name], rel=1e-12, abs=1e-12)


def test_net_sentiment_counts_advocates_and_detractors_strictly_beyond_one_half():
    """Moving one aware customer across each threshold changes net sentiment by 1/9; sitting
    exactly on the threshold (0.5, -0.5) or just inside (0.45) does not count."""
    state = hand_state()
    state.attitude[2] = 0.51  # 0.45 -> advocate
    assert measures(state=state)["net_sentiment"] == pytest.approx(1 / 9)
    state = hand_state()
    state.attitude[4] = -0.51  # -0.45 -> detractor
    assert measures(state=state)["net_sentiment"] == pytest.approx(-1 / 9)
    state = hand_state()
    state.attitude[[0, 10]] = 0.5  # both advocates put exactly on the line: no longer counted
    assert measures(state=state)["net_sentiment"] == pytest.approx(-2 / 9)
    state = hand_state()
    state.attitude[[2, 3]] = 0.42  # between 0.4 and 0.5: still not advocates
    assert measures(state=state)["net_sentiment"] == pytest.approx(0.0)


def test_cut_offs_are_read_from_the_arguments():
    """Net sentiment at cut-off 0.1: advocates 0.9, 0.6, 0.5, 0.45, 0.2 (5) less detractors
    -0.8, -0.6, -0.5, -0.45 (4). Top box at 0.45: 0.9, 0.6, 0.5 (0.45 itself is not above)."""
    got = measures(sentiment_cutoff=0.1, top_box_cutoff=0.45)
    assert got["net_sentiment"] == pytest.approx(5 / 9 - 4 / 9)
    assert got["top_box"] == pytest.approx(3 / 9)


def test_groups_are_reached_strictly_above_ten_percent():
    """Group 1 at 1 of 10 aware (exactly 10 %) is not reached; at 2 of 10 (20 %) and 15 % it is.
    The counts are per group (not the whole population's share)."""
    state = hand_state()
    state.aware[11] = False  # group 1: 1 of 10
    assert measures(state=state)["groups_reached"] == 1
    state = hand_state()  # group 1: 2 of 10 = 20 %, above 10 % (and not above 20 %)
    assert measures(state=state)["groups_reached"] == 2
    # 40 customers, group 1 of 20 with 3 aware (15 %): reached at 10 % (not at 20 %).
    state = CustomerState.empty(40)
    state.aware[[0, 1, 2, 3, 20, 21, 22]] = True
    groups = np.array([0] * 20 + [1] * 20, dtype=np.intp)
    got = compute_measures(state, COUNTS, 0.0, 0.0, groups, 2, None)
    assert got["groups_reached"] == 2
    # With group sizes passed in (the model's cache) the answer is the same.
    sizes = np.array([20, 20])
    assert compute_measures(state, COUNTS, 0.0, 0.0, groups, 2, None, sizes)["groups_reached"] == 2
    # Nothing aware in group 0: one group reached.
    state.aware[:4] = False
    assert compute_measures(state, COUNTS, 0.0, 0.0, groups, 2, None)["groups_reached"] == 1


def test_one_group_is_reached_above_ten_percent_of_everyone():
    """A network with one group: reached when more than 10 % of all customers are aware."""
    state = CustomerState.empty(20)
    one = np.zeros(20, dtype=np.intp)
    state.aware[:2] = True  # exactly 10 %
    assert compute_measures(state, COUNTS, 0.0, 0.0, one, 1, None)["groups_reached"] == 0
    state.aware[:3] = True  # 15 %
    assert compute_measures(state, COUNTS, 0.0, 0.0, one, 1, None)["groups_reached"] == 1


def test_groups_reached_before_is_a_shortcut_not_a_change():
    """A group counts as reached once its awareness has passed 10 %, even if some forget later:
    once all groups are reached the count is not redone, and a count never falls."""
    assert measures(groups_reached_before=2)["groups_reached"] == 2
    assert measures(groups_reached_before=1)["groups_reached"] == 2
    state = hand_state()
    state.aware[11] = False  # customer 11 forgot: group 1 down to 1 of 10
    assert measures(state=state)["groups_reached"] == 1
    assert measures(state=state, groups_reached_before=2)["groups_reached"] == 2


def test_nobody_aware():
    """No aware customer: mean attitude is undefined (NaN), net sentiment and channel shares 0,
    cost per aware 0 before any spend and NaN (undefined) after spending."""
    state = CustomerState.empty(10)
    state.attitude[:] = 0.9
    groups = np.zeros(10, dtype=np.intp)
    got = compute_measures(state, COUNTS, 0.0, 0.0, groups, 1, None)
    assert math.isnan(got["mean_attitude"])
    assert got["net_sentiment"] == 0.0 and got["awareness"] == 0.0
    assert got["heard_via_ad"] == got["heard_via_wom"] == got["heard_via_dialogue"] == 0.0
    assert got["cost_per_aware"] == 0.0
    assert got["ever_aware"] == 0.0 and got["top_box"] == 0.0
    for name in ("attitude_sd", "attitude_p10", "attitude_p50", "attitude_p90"):
        assert math.isnan(got[name]), name
    assert all(got[name] == 0.0 for name in HIST_NAMES)
    # Some heard and forgot: channel shares are of the ever aware, not of the (no) aware.
    state.heard[:4] = True
    state.heard_via[:4] = [A, A, W, B]
    got = compute_measures(state, COUNTS, 0.0, 0.0, groups, 1, None)
    assert got["ever_aware"] == 4 / 10 and got["awareness"] == 0.0
    assert (got["heard_via_ad"], got["heard_via_wom"], got["heard_via_dialogue"]) == (
        2 / 4,
        1 / 4,
        0.0,
    )
    for spend in (0.5, 2.0):  # any spend at all with nobody aware: undefined
        got = compute_measures(state, COUNTS, spend, 0.0, groups, 1, None)
        assert math.isnan(got["cost_per_aware"])
    assert math.isnan(
        compute_measures(state, COUNTS, 0.0, 0.0, groups, 1, None)["awareness_outside_target"]
    )  # no target group


def test_mean_attitude_of_all_counts_the_unaware_at_the_attitude_they_hold():
    """mean_attitude_all is over everyone: a customer who never heard counts at their attitude,
    which nothing moves before they hear (so it is their predisposition); a customer who forgot
    counts at the attitude they kept, not at their predisposition. Nobody aware: still
    defined (mean_attitude is not)."""
    state = hand_state()
    state.predisposition[:] = -0.3  # the latent attitude counts, not the week-0 one
    assert measures(state=state)["mean_attitude_all"] == pytest.approx(9.34 / 20, abs=1e-12)
    state.attitude[7] = -0.05  # the customer who forgot: 0.95 -> -0.05 moves the mean by -1 / 20
    assert measures(state=state)["mean_attitude_all"] == pytest.approx(8.34 / 20, abs=1e-12)
    # Awareness alone does not change it (customer 12, at 1.0, becomes aware).
    state.aware[12] = True
    assert measures(state=state)["mean_attitude_all"] == pytest.approx(8.34 / 20, abs=1e-12)
    nobody = CustomerState.empty(4)
    nobody.attitude[:] = [0.2, -0.4, 0.6, 0.0]
    got = compute_measures(nobody, COUNTS, 0.0, 0.0, np.zeros(4, dtype=np.intp), 1, None)
    assert math.isnan(got["mean_attitude"])
    assert got["mean_attitude_all"] == pytest.approx((0.2 - 0.4 + 0.6 + 0.0) / 4, abs=1e-12)


def test_mean_attitude_of_all_does_not_flatter_an_arm_that_reaches_few():
    """Two markets of 100 customers with predispositions -0.2 (half) and +0.2 (half): one where
    5 customers were reached and now sit at 0.8 (the rest untouched), one where 95 were reached
    and sit at 0.5. Among the aware the few-reached market looks better (0.8 against 0.5);
    over all customers it is worse: (5 x 0.8 + 45 x 0.2 - 50 x 0.2) / 100 = 0.03 against
    (95 x 0.5 - 5 x 0.2) / 100 = 0.465. The aware-only measure reverses the order."""
    groups = np.zeros(100, dtype=np.intp)

    def market(reached: int, level: float) -> dict[str, float]:
        state = CustomerState.empty(100)
        state.attitude[:] = state.predisposition[:] = [-0.2] * 50 + [0.2] * 50
        state.aware[100 - reached :] = True  # the last customers (predisposition +0.2)
        state.attitude[100 - reached :] = level
        return compute_measures(state, COUNTS, 0.0, 0.0, groups, 1, None)

    few, many = market(5, 0.8), market(95, 0.5)
    assert (few["mean_attitude"], many["mean_attitude"]) == pytest.approx((0.8, 0.5))
    assert few["mean_attitude_all"] == pytest.approx((5 * 0.8 - 50 * 0.2 + 45 * 0.2) / 100)
    # 95 reached: customers 5-99 at 0.5; customers 0-4 (predisposition -0.2) untouched.
    assert many["mean_attitude_all"] == pytest.approx((95 * 0.5 - 5 * 0.2) / 100)
    assert few["mean_attitude"] > many["mean_attitude"]
    assert few["mean_attitude_all"] < many["mean_attitude_all"]


def test_measure_descriptions_are_read_only():
    """The table of measures (names, units, descriptions) cannot be changed by accident."""
    import dataclasses

    from sim.engine.measures import MEASURES

    with pytest.raises(dataclasses.FrozenInstanceError):
        MEASURES[0].unit = "percent"


def test_money_per_thousand_customers_when_the_market_size_does_not_divide_1000():
    """Counts per 1,000 customers are count x 1000 / n: with n = 3,000, 3 units are 1 unit
    per 1,000 customers and 11 lapses 11 / 3."""
    got = money_measures(**(MONEY | {"n": 3000, "lapsed": 11}))
    assert got["units"] == pytest.approx(1.0) and got["lapsed"] == pytest.approx(11 / 3)


def test_return_on_spend_below_one_cu():
    """roi = (margin x units to date - spend) / spend whenever anything was spent, also less
    than one cu: (1.25 x 11 - 0.5) / 0.5 = 26.5."""
    assert money_measures(**(MONEY | {"spend_total": 0.5}))["roi"] == pytest.approx(26.5)


@pytest.mark.parametrize(("attitude", "b"), [(0.0005, 1000), (1.0, 1999)])
def test_quantiles_interpolate_linearly_inside_their_bin(attitude, b):
    """Ten aware customers in one fine bin b (of 2,000 of width 0.001 over [-1, 1], the last
    closed at 1; b = 1000 is [0, 0.001), b = 1999 holds attitude 1, common since attitudes are
    clipped there): the q-quantile's rank 10 q lies inside that bin, so it is read as
    -1 + 0.001 (b + 10 q / 10) (_quantiles' docstring: linear interpolation inside the bin that
    holds the rank): 0.0001, 0.0005, 0.0009 and 0.9991, 0.9995, 0.9999. Unaware customers do
    not count."""
    state = CustomerState.empty(13)
    state.aware[:10] = True
    state.attitude[:] = [attitude] * 10 + [-0.9, 0.9, 0.5]
    got = compute_measures(state, COUNTS, 0.0, 0.0, np.zeros(13, dtype=np.intp), 1, None)
    quantiles = [got[f"attitude_p{q}"] for q in (10, 50, 90)]
    expected = [-1 + 0.001 * (b + q) for q in (0.1, 0.5, 0.9)]
    assert quantiles == pytest.approx(expected, abs=1e-12)


def test_identical_attitudes_have_no_spread():
    """Nine aware customers all at 0.55: the standard deviation is exactly 0 (the variance as
    mean of squares minus squared mean rounds below 0 here, by about -6e-17; that must not
    give a negative or complex number)."""
    state = CustomerState.empty(12)
    state.aware[:9] = True
    state.attitude[:] = [0.55] * 9 + [-0.9, 0.1, 0.2]
    got = compute_measures(state, COUNTS, 0.0, 0.0, np.zeros(12, dtype=np.intp), 1, None)
    assert got["attitude_sd"] == 0.0 and got["mean_attitude"] == pytest.approx(0.55)


def _nb(text: str) -> str:
    """A stand-in translator that marks what it translated."""
    return "nb: " + text


def test_histogram_bins_are_named_by_their_edges_and_the_last_is_closed():
    """attitude_hist_1 .. _10 are bins of 0.2 from -1 (docs/model.md 7.9), the last one
    closed: the descriptions and labels say so, edge by edge."""
    from sim.engine.measures import HIST_EDGES, MEASURES, label

    # The edges other modules read (the agent-based histogram, the figures): 11, -1 to 1.
    assert len(HIST_EDGES) == 11 and (HIST_EDGES[0], HIST_EDGES[-1]) == (-1.0, 1.0)
    assert np.diff(HIST_EDGES) == pytest.approx([0.2] * 10, abs=1e-12)
    described = {m.name: m.description for m in MEASURES}
    for k, name in enumerate(HIST_NAMES):
        low, high = -1.0 + 0.2 * k, -1.0 + 0.2 * (k + 1)
        end = "]." if k == 9 else ")."
        assert described[name] == f"Aware customers with attitude in [{low:.1f}, {high:.1f}{end}"
        assert label(name) == f"Attitude {low:+.1f} to {high:+.1f}"
        assert label(name, _nb) == f"nb: Attitude {low:+.1f} to {high:+.1f}"


def test_labels_and_units_are_translated_by_the_translator_given():
    """label and unit in the language of the translator (here one that marks its text); English
    without one; an unknown name comes back as it is and has no unit."""
    from sim.engine.measures import label, unit

    assert (label("awareness"), label("awareness", _nb)) == ("Awareness", "nb: Awareness")
    assert (unit("awareness"), unit("awareness", _nb)) == (
        "share of customers",
        "nb: share of customers",
    )
    assert (label("old_column"), label("old_column", _nb)) == ("old_column", "old_column")
    assert (unit("old_column"), unit("old_column", _nb)) == ("", "")


# ------------------------------------------------------------------ properties over random states
def reference_measures(aware, ever, attitude, heard, adopted, irritated, groups, n_groups, outside):
    """The measures as docs/model.md section 7.7 states them, in plain numpy (no counters)."""
    n = aware.size
    k = aware.sum()
    out = {
        "awareness": k / n,
        "ever_aware": ever.mean(),
        "adoption": adopted.mean(),
        "irritated": irritated.mean(),
    }
    out["mean_attitude_all"] = attitude.mean()
    if k:
        a = attitude[aware]
        out["mean_attitude"] = a.mean()
        out["net_sentiment"] = (a > 0.5).mean() - (a < -0.5).mean()
        out["top_box"] = (a > 0.6).mean()
        out["attitude_sd"] = a.std()
    if ever.any():
        for name, code in (("ad", A), ("wom", W), ("dialogue", D)):
            out[f"heard_via_{name}"] = (heard[ever] == code).mean()
    shares = [aware[groups == g].mean() for g in range(n_groups) if (groups == g).any()]
    out["groups_reached"] = sum(share > 0.1 for share in shares)
    out["awareness_outside_target"] = aware[outside].mean() if outside.size else float("nan")
    return out


@st.composite
def random_states(draw):
    n = draw(st.integers(1, 60))
    n_groups = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    aware = rng.random(n) < draw(st.sampled_from([0.0, 0.2, 0.7, 1.0]))
    ever = aware | (rng.random(n) < draw(st.sampled_from([0.0, 0.3])))  # some forgot
    state = CustomerState.empty(n)
    state.aware[:] = aware
    state.heard[:] = ever
    state.attitude[:] = rng.uniform(-1, 1, n)
    state.heard_via[:] = np.where(ever, rng.choice([A, W, D, B], n), N)
    state.adopted[:] = aware & (rng.random(n) < 0.5)
    state.irritated[:] = rng.random(n) < 0.3
    groups = rng.integers(0, n_groups, n).astype(np.intp)
    outside = np.flatnonzero(rng.random(n) < 0.5)
    return state, groups, n_groups, outside


@settings(derandomize=True, max_examples=150, deadline=None)
@given(random_states(), st.floats(0, 1e4), st.floats(-1, 1))
def test_measures_match_a_plain_statement_and_stay_in_range(case, spend, fit):
    """Over random states: shares in [0, 1], attitudes in [-1, 1], net sentiment in [-1, 1],
    channel shares adding to at most 1, and every measure equal to the plain numpy statement."""
    state, groups, n_groups, outside = case
    got = compute_measures(state, COUNTS, spend, fit, groups, n_groups, outside)
    ref = reference_measures(
        state.aware,
        state.heard,
        state.attitude,
        state.heard_via,
        state.adopted,
        state.irritated,
        groups,
        n_groups,
        outside,
    )
    for name, value in ref.items():
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(got[name]), name
        else:  # (the sd is a square root of a difference: rounding near 0 grows to ~1e-8)
            tol = 1e-7 if name == "attitude_sd" else 1e-12
            assert got[name] == pytest.approx(value, abs=tol), name
    for name in ("awareness", "adoption", "irritated", "heard_via_ad", "heard_via_wom"):
        assert 0.0 <= got[name] <= 1.0, name
    assert got["awareness"] <= got["ever_aware"] <= 1.0
    if state.aware.any():
        # quantiles: within one fine bin (0.001) of the order statistic at rank ceil(q * k)
        a = np.sort(state.attitude[state.aware])
        for q, name in ((0.1, "attitude_p10"), (0.5, "attitude_p50"), (0.9, "attitude_p90")):
            exact = a[max(math.ceil(q * a.size), 1) - 1]
            assert abs(got[name] - exact) <= 0.001 + 1e-9, (name, got[name], exact)
        assert got["attitude_p10"] <= got["attitude_p50"] <= got["attitude_p90"]
        assert sum(got[name] for name in HIST_NAMES) == pytest.approx(1.0)
        assert all(0.0 <= got[name] <= 1.0 for name in HIST_NAMES)
    assert 0.0 <= got["heard_via_dialogue"] <= 1.0
    via = got["heard_via_ad"] + got["heard_via_wom"] + got["heard_via_dialogue"]
    assert via <= 1.0 + 1e-12
    assert -1.0 <= got["net_sentiment"] <= 1.0
    assert -1.0 <= got["mean_attitude_all"] <= 1.0
    if state.aware.all():  # everyone aware: the two means are the same number
        assert got["mean_attitude_all"] == pytest.approx(got["mean_attitude"], abs=1e-12)
    if state.aware.any():
        assert -1.0 <= got["mean_attitude"] <= 1.0
        assert got["cost_per_aware"] == pytest.approx(spend / state.aware.sum())
    assert 0 <= got["groups_reached"] <= n_groups
    assert got["spend"] == pytest.approx(spend * 1000 / state.aware.size)
    assert got["product_fit"] == fit
