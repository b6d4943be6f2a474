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

from sim.engine.measures import MEASURE_NAMES, compute_measures
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
HEARD = [A, A, A, W, W, D, B, N, N, N] + [A, W, N, N, N, N, N, N, N, N]
ADOPTED = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0] + [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
IRRITATED = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
GROUPS = np.array([0] * 10 + [1] * 10, dtype=np.intp)
COUNTS = {
    "wom_positive": 3,
    "wom_negative": 2,
    "public_mentions": 1,
    "conversations": 4,
    "complaints_answered": 1,
}


def hand_state() -> CustomerState:
    state = CustomerState.empty(20)
    state.aware[:] = np.array(AWARE, dtype=bool)
    state.attitude[:] = ATTITUDE
    state.heard_via[:] = HEARD
    state.adopted[:] = np.array(ADOPTED, dtype=bool)
    state.irritated[:] = np.array(IRRITATED, dtype=bool)
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
    return compute_measures(**(args | overrides))


# Worked out by hand from the tables above (9 aware customers of 20: 0-6, 10, 11).
EXPECTED = {
    "awareness": 9 / 20,
    "adoption": 4 / 20,  # customers 0, 1, 6, 10
    # aware only: the unaware customers 7, 8, 12-19 hold large attitudes that must not count
    "mean_attitude": (0.9 + 0.5 + 0.45 + 0.2 - 0.45 - 0.5 - 0.8 + 0.6 - 0.6) / 9,
    # advocates a > 0.5 among the aware: 0 (0.9) and 10 (0.6); 0.5 and 0.45 are not advocates.
    # detractors a < -0.5: 6 (-0.8) and 11 (-0.6); -0.5 and -0.45 are not. Unaware 9 (-0.9) and
    # 7, 8 (0.95, 0.99) do not count.
    "net_sentiment": 2 / 9 - 2 / 9,
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
    "heard_via_ad": 4 / 9,  # 0, 1, 2, 10
    "heard_via_wom": 3 / 9,  # 3, 4, 11
    "heard_via_dialogue": 1 / 9,  # 5 (customer 6 heard before: no channel)
}


def test_every_measure_has_a_hand_computed_value():
    """A new measure must get a hand-computed value here (and a range below)."""
    assert set(EXPECTED) == set(MEASURE_NAMES)
    assert set(measures()) == set(MEASURE_NAMES)


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
    """Awareness never reverts, so once all groups are reached the count is not redone."""
    assert measures(groups_reached_before=2)["groups_reached"] == 2
    assert measures(groups_reached_before=1)["groups_reached"] == 2


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
    for spend in (0.5, 2.0):  # any spend at all with nobody aware: undefined
        got = compute_measures(state, COUNTS, spend, 0.0, groups, 1, None)
        assert math.isnan(got["cost_per_aware"])
    assert math.isnan(
        compute_measures(state, COUNTS, 0.0, 0.0, groups, 1, None)["awareness_outside_target"]
    )  # no target group


def test_measure_descriptions_are_read_only():
    """The table of measures (names, units, descriptions) cannot be changed by accident."""
    import dataclasses

    from sim.engine.measures import MEASURES

    with pytest.raises(dataclasses.FrozenInstanceError):
        MEASURES[0].unit = "percent"


# ------------------------------------------------------------------ properties over random states
def reference_measures(aware, attitude, heard, adopted, irritated, groups, n_groups, outside):
    """The measures as docs/model.md section 7.7 states them, in plain numpy (no counters)."""
    n = aware.size
    k = aware.sum()
    out = {"awareness": k / n, "adoption": adopted.mean(), "irritated": irritated.mean()}
    if k:
        a = attitude[aware]
        out["mean_attitude"] = a.mean()
        out["net_sentiment"] = (a > 0.5).mean() - (a < -0.5).mean()
        for name, code in (("ad", A), ("wom", W), ("dialogue", D)):
            out[f"heard_via_{name}"] = (heard[aware] == code).mean()
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
    state = CustomerState.empty(n)
    state.aware[:] = aware
    state.attitude[:] = rng.uniform(-1, 1, n)
    state.heard_via[:] = np.where(aware, rng.choice([A, W, D, B], n), N)
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
        else:
            assert got[name] == pytest.approx(value, abs=1e-12), name
    for name in ("awareness", "adoption", "irritated", "heard_via_ad", "heard_via_wom"):
        assert 0.0 <= got[name] <= 1.0, name
    assert 0.0 <= got["heard_via_dialogue"] <= 1.0
    via = got["heard_via_ad"] + got["heard_via_wom"] + got["heard_via_dialogue"]
    assert via <= 1.0 + 1e-12
    assert -1.0 <= got["net_sentiment"] <= 1.0
    if state.aware.any():
        assert -1.0 <= got["mean_attitude"] <= 1.0
        assert got["cost_per_aware"] == pytest.approx(spend / state.aware.sum())
    assert 0 <= got["groups_reached"] <= n_groups
    assert got["spend"] == pytest.approx(spend * 1000 / state.aware.size)
    assert got["product_fit"] == fit
