"""BrandModel as a whole: Mesa API, reproducibility, common random numbers and invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.measures import MEASURE_NAMES
from sim.engine.model import BrandModel
from sim.params import ParameterError
from sim.study.arms import equal_spend_arms, run_seed
from tests.tiny import complete, network_from_edges

RING = network_from_edges(
    60,
    [(i, (i + d) % 60) for i in range(60) for d in (1, 2)],
    groups=[i // 30 for i in range(60)],
    group_names=("north", "south"),
)


def test_reporters_cover_every_measure_and_week_zero_is_collected():
    model = BrandModel(network=RING, rng=1)
    model.run_for(5)
    frame = model.weekly_frame()
    assert list(frame["week"]) == [0, 1, 2, 3, 4, 5]
    assert set(MEASURE_NAMES) <= set(frame.columns)
    assert model.steps == 5 and model.week == 5


def test_same_seed_same_results_bit_for_bit_and_other_seed_differs():
    def run(seed):
        model = BrandModel(network=RING, rng=seed, arm=dict(budget=40, push_share=0.5))
        model.run_for(20)
        return model.weekly_frame()

    pd.testing.assert_frame_equal(run(7), run(7), check_exact=True)
    assert not run(7).equals(run(8))


def test_customers_frame_has_one_row_per_customer():
    model = BrandModel(network=RING, rng=1)
    model.run_for(3)
    customers = model.customers_frame()
    assert len(customers) == 60
    assert set(customers["group"]) == {"north", "south"}
    assert customers["aware"].sum() == round(model.measures["awareness"] * 60)


def test_arms_with_identical_spending_give_identical_results():
    """Common random numbers: the arm's name is not part of any random stream."""
    a = BrandModel(network=RING, rng=11, arm=dict(name="a", budget=30, push_share=0.3))
    b = BrandModel(network=RING, rng=11, arm=dict(name="b", budget=30, push_share=0.3))
    a.run_for(15)
    b.run_for(15)
    pd.testing.assert_frame_equal(a.weekly_frame(), b.weekly_frame(), check_exact=True)


def test_arms_share_initial_state():
    push = BrandModel(
        network=RING,
        rng=3,
        arm=dict(budget=50, push_share=1.0),
        population=dict(initial_awareness=0.2),
    )
    talk = BrandModel(
        network=RING,
        rng=3,
        arm=dict(budget=50, push_share=0.0),
        population=dict(initial_awareness=0.2),
    )
    np.testing.assert_array_equal(push.state.attitude, talk.state.attitude)
    np.testing.assert_array_equal(push.state.aware, talk.state.aware)


def test_run_seed_depends_on_replicate_and_point_not_order():
    assert run_seed(1, 0) == run_seed(1, 0)
    assert run_seed(1, 0) != run_seed(1, 1) != run_seed(2, 1)
    assert run_seed(1, 0, {"a": 1, "b": 2}) == run_seed(1, 0, {"b": 2, "a": 1})
    assert run_seed(1, 0, {"a": 1}) != run_seed(1, 0, {"a": 2})


def test_total_spend_never_above_budget_and_zero_outside_the_arm_weeks():
    model = BrandModel(
        network=RING, rng=2, arm=dict(budget=33.3, push_share=0.4, start_week=3, end_week=6)
    )
    model.run_for(10)
    frame = model.weekly_frame()
    spend = frame["spend"].to_numpy()  # per 1,000 customers, cumulative
    assert spend[2] == 0 and spend[6] == spend[10]
    assert spend[-1] <= 33.3 * 4 + 1e-9
    assert spend[-1] > 0


def test_unknown_target_group_is_refused_with_the_groups_named():
    with pytest.raises(ParameterError, match=r"arm.target_group = 'east'.*north"):
        BrandModel(network=RING, rng=1, arm=dict(target_group="east"))


def test_invalid_parameter_is_refused_with_path_value_and_range():
    with pytest.raises(ParameterError, match=r"wom.mu = 1.5: must be <= 1.0"):
        BrandModel(network=RING, rng=1, wom=dict(mu=1.5))
    with pytest.raises(ParameterError, match="seed must be a whole number"):
        BrandModel(network=RING, rng="12")


def test_learning_raises_fit_toward_ceiling_at_the_stated_half_life():
    # 60 customers, 60 conversations a week (1 cu each), no public talk (no mentions heard):
    # insights_half = 60 means the gap halves every week.
    model = BrandModel(
        network=RING,
        rng=1,
        arm=dict(budget=1000, push_share=0.0),
        dialogue=dict(cost_per_conversation=1.0),
        wom=dict(public_share=0.0),
        product=dict(fit=0.0),
        learning=dict(enabled=True, ceiling=0.8, insights_half=60, lag_weeks=0),
    )
    model.step()
    assert model.product_fit == pytest.approx(0.4)
    model.step()
    assert model.product_fit == pytest.approx(0.6)


def test_learning_counts_absolute_insights_and_waits_for_its_lag():
    """The same 60 conversations a week lift the fit as much in a market 10 times larger
    (insight does not scale with market size), and only ``lag_weeks`` after they were held."""
    for n, budget in ((60, 1000.0), (600, 100.0)):
        model = BrandModel(
            network=dict(kind="ring", n=n, mean_degree=4),
            rng=1,
            arm=dict(budget=budget, push_share=0.0),
            dialogue=dict(cost_per_conversation=1.0),
            wom=dict(public_share=0.0),
            product=dict(fit=0.0),
            learning=dict(enabled=True, ceiling=0.8, insights_half=60, lag_weeks=2),
        )
        fits = []
        for _ in range(4):
            model.step()
            fits.append(model.product_fit)
        assert fits == pytest.approx([0.0, 0.0, 0.4, 0.6]), n


def test_learning_is_off_by_default():
    model = BrandModel(network=RING, rng=1, arm=dict(budget=1000, push_share=0.0))
    model.run_for(5)
    assert model.weekly_frame()["conversations"].sum() > 0
    assert model.product_fit == model.params.product.fit


def test_crisis_turns_a_share_of_customers_negative_at_its_week():
    net = complete(400)
    model = BrandModel(
        network=net,
        rng=5,
        arm=dict(budget=0),
        crisis=dict(week=3, share=0.5, attitude=-0.9),
        population=dict(initial_attitude=0.5, attitude_spread=0.0, anchoring=0.0),
    )
    model.run_for(2)
    assert (model.state.attitude < 0).sum() == 0
    model.step()
    hit = model.state.attitude == -0.9
    assert 0.4 < hit.mean() < 0.6  # binomial(400, 0.5): 5 standard deviations either side
    assert model.state.aware[hit].all()


def test_crisis_news_reminds_so_nobody_hit_forgets_that_week():
    """Hearing the crisis news is a reminder (docs/model.md 7.7, section 3 step 0): the
    customers hit are aware and reminded, so none of them can forget in the crisis week, even
    when forgetting is all but certain (recall half-life 0.01 weeks: 1 - 2^-100). Nothing else
    reminds anyone here (no budget, no talk, no adoption), so the next week every one of them
    forgets."""
    model = BrandModel(
        network=complete(400),
        rng=5,
        arm=dict(budget=0),
        crisis=dict(week=3, share=0.5, attitude=-0.9),
        population=dict(recall_half_life=0.01, anchoring=0.0),
        wom=dict(talk_base=0.0, talk_feeling=0.0, talk_advocacy=0.0),
        adoption=dict(base_rate=0.0),
    )
    model.run_for(3)
    hit = model.state.heard.copy()
    assert 150 < hit.sum() < 250  # binomial(400, 0.5), 5 standard deviations either side
    assert model.state.aware[hit].all() and model.measures["forgot"] == 0.0
    model.step()
    assert not model.state.aware.any()
    assert model.measures["forgot"] == pytest.approx(hit.sum() * 1000 / 400)


def test_mean_attitude_of_all_is_the_mean_attitude_array_and_leaves_the_never_heard_alone():
    """mean_attitude_all of a running model is the mean of every customer's attitude; those
    who never heard of the brand still hold exactly their predisposition; with few customers
    reached (dialogue only) it differs from the aware-only mean, which flatters the arm."""
    model = BrandModel(
        network=RING,
        rng=3,
        arm=dict(budget=40, push_share=0.0),
        population=dict(initial_attitude=-0.2),
    )
    model.run_for(15)
    s = model.state
    assert 0.0 < s.aware.mean() < 0.5
    assert model.measures["mean_attitude_all"] == pytest.approx(s.attitude.mean(), abs=1e-12)
    never = ~s.heard
    assert never.any() and np.array_equal(s.attitude[never], s.predisposition[never])
    frame = model.weekly_frame()
    assert frame.loc[0, "mean_attitude_all"] == pytest.approx(s.predisposition.mean(), abs=1e-12)
    gap = model.measures["mean_attitude"] - model.measures["mean_attitude_all"]
    assert gap > 0.1


def test_bad_product_makes_unhappy_adopters():
    model = BrandModel(
        network=RING,
        rng=4,
        arm=dict(budget=100, push_share=1.0),
        product=dict(fit=-0.8),
        adoption=dict(base_rate=0.3),
    )
    model.run_for(30)
    adopters = model.state.attitude[model.state.adopted]
    assert adopters.size > 10 and adopters.mean() < -0.3


# ------------------------------------------------------------------------------- properties
params_strategy = st.fixed_dictionaries(
    {
        "arm": st.fixed_dictionaries(
            {
                "budget": st.floats(0, 200),
                "push_share": st.floats(0, 1),
                "outreach": st.sampled_from(["random", "hubs", "none"]),
            }
        ),
        "population": st.fixed_dictionaries(
            {
                "initial_awareness": st.floats(0, 1),
                "initial_attitude": st.floats(-1, 1),
                "attitude_spread": st.floats(0, 2),
                "taste_spread": st.floats(0, 2),
                "media_shape": st.none() | st.floats(0.05, 20),
                "unreachable_share": st.floats(0, 1),
                "tolerance_spread": st.floats(0, 3),
                "anchoring": st.floats(0, 1),
                "recall_half_life": st.none() | st.floats(0.1, 100),
            }
        ),
        "wom": st.fixed_dictionaries(
            {
                "talk_base": st.floats(0, 1),
                "mu": st.floats(0, 1),
                "credibility": st.floats(0, 1),
                "negative_impact": st.floats(0, 10),
                "negative_incidence": st.floats(0, 10),
                "listeners": st.integers(1, 4),
                "epsilon": st.floats(0, 2),
            }
        ),
        "push": st.fixed_dictionaries({"mu": st.floats(0, 1), "claim": st.floats(-1, 1)}),
        "crisis": st.fixed_dictionaries({"week": st.sampled_from([None, 2, 5])}),
        "attitudes": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=params_strategy, seed=st.integers(0, 2**32))
def test_attitudes_stay_in_range_and_awareness_never_decreases(params, seed):
    """Having heard of the brand never reverts (remembering it may); buyers never forget."""
    model = BrandModel(params, network=RING, rng=seed)
    heard_before = model.state.heard.copy()
    for _ in range(8):
        model.step()
        state = model.state
        assert np.all(np.abs(state.attitude) <= 1.0)
        assert np.all(state.heard[heard_before])
        assert np.all(state.aware <= state.heard)
        assert np.all(state.adopted <= state.aware)
        assert not state.reminded.any()  # cleared at the end of every week
        heard_before = state.heard.copy()


@settings(max_examples=25, deadline=None)
@given(params=params_strategy, seed=st.integers(0, 2**32))
def test_no_budget_and_no_awareness_means_nothing_happens(params, seed):
    params["arm"]["budget"] = 0.0
    params["population"]["initial_awareness"] = 0.0
    params["crisis"]["week"] = None
    model = BrandModel(params, network=RING, rng=seed)
    start = model.state.attitude.copy()
    model.run_for(8)
    frame = model.weekly_frame()
    assert (frame["awareness"] == 0).all() and (frame["spend"] == 0).all()
    assert (frame[["wom_positive", "wom_negative", "conversations"]] == 0).all().all()
    np.testing.assert_array_equal(model.state.attitude, start)


@settings(max_examples=15, deadline=None)
@given(params=params_strategy, seed=st.integers(0, 2**32))
def test_results_reproducible_by_seed(params, seed):
    frames = []
    for _ in range(2):
        model = BrandModel(params, network=RING, rng=seed)
        model.run_for(6)
        frames.append(model.weekly_frame())
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)


def test_equal_spend_arms_are_the_standard_comparison():
    arms = equal_spend_arms(25.0)
    assert [a.name for a in arms] == ["none", "push", "dialogue", "mix"]
    assert [a.budget for a in arms] == [0.0, 25.0, 25.0, 25.0]


def test_default_model_runs_with_no_arguments():
    model = BrandModel()
    model.run_for(10)
    frame = model.weekly_frame()
    assert len(frame) == 11 and model.n == 1000
    assert frame["awareness"].iloc[-1] > 0 and frame["spend"].iloc[-1] > 0


@pytest.mark.parametrize("n", [500, 5000])
def test_budgets_per_1000_customers_keep_their_meaning_at_any_population(n):
    """The same scenario buys the same impressions and conversations per customer at any n."""
    model = BrandModel(network=dict(kind="random", n=n), rng=1, arm=dict(budget=20, push_share=0.5))
    model.step()
    push = model.params.push
    dialogue = model.params.dialogue
    assert model.week_counts["impressions"] / n == pytest.approx(
        10 / 1000 / push.cost_per_impression
    )
    assert model.week_counts["conversations"] / n == pytest.approx(
        10 / 1000 / dialogue.cost_per_conversation
    )
    assert model.measures["spend"] == pytest.approx(20.0)


def test_money_below_one_unit_carries_over_so_small_populations_get_their_share():
    # 60 customers at 20 cu per 1,000 a week, all dialogue: 1.2 cu a week, 5 cu a conversation:
    # one conversation in weeks 5, 9, 13, ... (when the carried money first reaches 5 cu).
    model = BrandModel(network=RING, rng=1, arm=dict(budget=20, push_share=0.0))
    conversations = []
    for _ in range(13):
        model.step()
        conversations.append(model.week_counts["conversations"])
    assert conversations == [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    spent = model.spend_total
    assert spent == pytest.approx(15.0) and spent <= 1.2 * 13
