"""The heterogeneous market's rules on hand-built states (issue #11): media audiences, ad
tolerance, tastes, anchoring, forgetting, and the measures of the attitude distribution.
Expected values are derived by hand in each test, not by calling the code under test."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.measures import HIST_NAMES, compute_measures
from sim.engine.rules.adoption import run_adoption
from sim.engine.rules.media import alias_table, build_audience
from sim.engine.rules.memory import forget_probability, run_memory
from sim.engine.rules.push import run_push
from sim.engine.state import HEARD_AD, HEARD_WOM, CustomerState
from sim.params import AdoptionSpec, PushSpec


def rng(seed=0):
    return np.random.default_rng(seed)


def implied_probabilities(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """What an alias table samples: slot j keeps itself with prob[j], else goes to alias[j]."""
    m = prob.size
    out = prob / m
    np.add.at(out, alias, (1.0 - prob) / m)
    return out


@pytest.mark.parametrize(
    "weights",
    [
        [1.0, 2.0, 3.0, 4.0],
        [5.0, 1e-9, 1.0],
        [1.0] * 7,
        list(np.random.default_rng(1).gamma(0.5, 1, 500)),
    ],
)
def test_alias_table_samples_in_proportion_to_weight(weights):
    w = np.asarray(weights)
    prob, alias = alias_table(w)
    np.testing.assert_allclose(
        implied_probabilities(prob, alias), w / w.sum(), rtol=1e-9, atol=1e-15
    )
    assert np.all((prob >= 0) & (prob <= 1))


def test_push_hits_reachable_members_in_proportion_to_media_weight():
    """Customers 0-3 weights 1, 2, 3, 4; customer 4 unreachable; customer 5 outside the target.
    20,000 impressions: chi-square of the hit counts against 1:2:3:4 (3 degrees of freedom; the
    99.9 % critical value is 16.3), and none for 4 and 5."""
    n = 6
    reachable = np.array([True, True, True, True, False, True])
    weight = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    audience = build_audience(n, np.array([0, 1, 2, 3, 4]), reachable, weight)
    assert list(audience.members) == [0, 1, 2, 3] and audience.size == 4
    state = CustomerState.empty(n)
    spec = PushSpec(half_life=1e-3, irritation_threshold=1000, effective_frequency=100)
    impressions = 20_000
    run_push(state, spec, impressions * spec.cost_per_impression, audience, rng(5), False)
    hits = state.adstock.astype(float)  # adstock decays to ~0 in one week: hits this week
    assert hits[4] == 0 and hits[5] == 0
    expected = impressions * np.array([1, 2, 3, 4]) / 10
    chi2 = float((((hits[:4] - expected) ** 2) / expected).sum())
    assert chi2 < 16.3, (hits, chi2)


def test_equal_weights_and_everyone_reachable_keep_the_uniform_audience():
    """With no heterogeneity the audience is everyone, uniformly (the Bass limit's push)."""
    n = 10
    audience = build_audience(n, None, np.ones(n, dtype=bool), None)
    assert audience.everyone and audience.size == n and audience.members.size == 0
    assert audience.table.shape == (0, 2)  # Audience: (m, 2), empty for equal weights
    # A target, or weights, make a list of members: not everyone (the field's docstring).
    reachable = np.ones(n, dtype=bool)
    targeted = build_audience(n, np.array([1, 3]), reachable, None)
    weighted = build_audience(n, np.array([1, 3]), reachable, np.linspace(1, 2, n))
    for audience in (targeted, weighted):
        assert not audience.everyone and audience.members.tolist() == [1, 3]
    assert targeted.table.shape == (0, 2) and weighted.table.shape == (2, 2)


def test_nobody_reachable_means_no_impressions_and_no_spend():
    n = 5
    audience = build_audience(n, None, np.zeros(n, dtype=bool), np.ones(n))
    state = CustomerState.empty(n)
    out = run_push(state, PushSpec(), 10.0, audience, rng(), True)
    assert out.impressions == 0 and out.spend == 0.0 and not state.aware.any()


def test_experience_pulls_each_adopter_toward_fit_plus_their_taste_clipped():
    state = CustomerState.empty(3)
    state.aware[:] = state.adopted[:] = state.customer[:] = True
    state.attitude[:] = [0.0, 0.0, 0.0]
    state.taste[:] = [0.25, -0.5, 0.9]
    run_adoption(state, AdoptionSpec(base_rate=0.0), 0.5, 0.4, rng(), True)
    # experienced fit: 0.65, -0.1, min(1.3, 1) = 1; half the way there
    np.testing.assert_allclose(state.attitude, [0.325, -0.05, 0.5], atol=1e-7)
    # fit -0.6: experienced -0.35, max(-1.1, -1) = -1, 0.3; then taste -0.9: max(-1.5, -1) = -1
    state.attitude[:] = 0.0
    run_adoption(state, AdoptionSpec(base_rate=0.0), 0.5, -0.6, rng(), True)
    np.testing.assert_allclose(state.attitude, [-0.175, -0.5, 0.15], atol=1e-7)
    state.taste[:] = -0.9
    state.attitude[:] = 0.0
    run_adoption(state, AdoptionSpec(base_rate=0.0), 0.5, -0.6, rng(), True)
    np.testing.assert_allclose(state.attitude, [-0.5, -0.5, -0.5], atol=1e-7)


def test_anchoring_moves_each_attitude_back_toward_its_predisposition():
    state = CustomerState.empty(3)
    state.attitude[:] = [0.8, -0.4, 0.3]
    state.predisposition[:] = [0.0, 0.2, 0.3]
    state.anchoring[:] = [0.25, 0.5, 1.0]
    run_memory(state, 0.0, rng(), True)
    np.testing.assert_allclose(state.attitude, [0.6, -0.1, 0.3], atol=1e-7)


def test_anchoring_is_off_without_attitudes():
    state = CustomerState.empty(1)
    state.attitude[:] = 0.5
    state.anchoring[:] = 1.0
    run_memory(state, 0.0, rng(), False)
    assert state.attitude[0] == 0.5


def test_only_unreminded_aware_non_buyers_forget():
    """forget = 1: every aware customer who did not buy and met nothing this week forgets."""
    state = CustomerState.empty(5)
    state.aware[:] = [True, True, True, False, True]
    state.heard[:] = [True, True, True, True, True]
    state.adopted[:] = state.customer[:] = [False, True, False, False, False]
    state.reminded[:] = [False, False, True, False, False]
    forgot = run_memory(state, 1.0, rng(), True)
    assert forgot == 2
    assert list(state.aware) == [False, True, True, False, False]
    assert state.heard.all() and not state.reminded.any()


def test_forgetting_rate_follows_the_recall_half_life():
    """10,000 unreminded customers, half-life 4 weeks: 1 - 0.5**0.25 = 15.9 % forget in a week
    (binomial sd 0.37 percentage points; 5 sd allowed)."""
    p = forget_probability(4.0)
    assert p == pytest.approx(1 - 0.5**0.25)
    assert forget_probability(None) == 0.0
    n = 10_000
    state = CustomerState.empty(n)
    state.aware[:] = state.heard[:] = True
    forgot = run_memory(state, p, rng(2), True)
    assert abs(forgot / n - p) < 5 * np.sqrt(p * (1 - p) / n)


def test_a_customer_who_forgot_keeps_their_first_channel_when_reminded():
    state = CustomerState.empty(2)
    state.make_aware(np.array([0]), HEARD_WOM)
    run_memory(state, 0.0, rng(), True)  # hearing reminds: nobody forgets in the same week
    assert state.aware[0] and not state.reminded[0]
    run_memory(state, 1.0, rng(), True)  # the next week without a reminder: customer 0 forgets
    assert not state.aware[0] and state.heard[0]
    spec = PushSpec()
    run_push(state, spec, 50 * spec.cost_per_impression, np.array([0]), rng(), True)
    assert state.aware[0] and state.heard_via[0] == HEARD_WOM
    run_push(state, spec, 50 * spec.cost_per_impression, np.array([1]), rng(), True)
    assert state.heard_via[1] == HEARD_AD


# ----------------------------------------------------------------------------------- measures
def measures_of(state, **cutoffs):
    n = state.aware.size
    counts = dict.fromkeys(
        ("wom_positive", "wom_negative", "public_mentions", "conversations", "complaints_answered"),
        0,
    )
    return compute_measures(state, counts, 0.0, 0.4, np.zeros(n, dtype=np.intp), 1, None, **cutoffs)


def test_distribution_measures_on_a_hand_built_state():
    """Aware attitudes -0.9, -0.3, 0.1, 0.55, 0.7 (one unaware at 1.0, who does not count)."""
    state = CustomerState.empty(7)
    state.attitude[:] = [-0.9, -0.3, 0.1, 0.55, 0.7, 1.0, 0.0]
    state.aware[:] = [True, True, True, True, True, False, False]
    state.heard[:] = [True, True, True, True, True, True, False]
    m = measures_of(state)
    aware = np.array([-0.9, -0.3, 0.1, 0.55, 0.7])
    assert m["awareness"] == pytest.approx(5 / 7)
    assert m["ever_aware"] == pytest.approx(6 / 7)
    assert m["mean_attitude"] == pytest.approx(aware.mean())
    assert m["attitude_sd"] == pytest.approx(np.sqrt(((aware - aware.mean()) ** 2).mean()))
    assert m["net_sentiment"] == pytest.approx(2 / 5 - 1 / 5)  # 0.55, 0.7 vs -0.9
    assert m["top_box"] == pytest.approx(1 / 5)  # only 0.7 is above 0.6
    # bins of 0.2: -0.9 in [-1,-0.8), -0.3 in [-0.4,-0.2), 0.1 in [0,0.2), 0.55 and 0.7 in
    # [0.4,0.6) and [0.6,0.8)
    hist = [m[name] for name in HIST_NAMES]
    assert hist == pytest.approx([0.2, 0, 0, 0.2, 0, 0.2, 0, 0.2, 0.2, 0])
    # cut-offs are parameters
    m = measures_of(state, sentiment_cutoff=0.2, top_box_cutoff=0.5)
    assert m["net_sentiment"] == pytest.approx(2 / 5 - 2 / 5)
    assert m["top_box"] == pytest.approx(2 / 5)


def test_quantiles_of_many_attitudes_agree_with_numpy_to_a_bin():
    """100,000 aware attitudes: the histogram quantiles are within one fine bin (0.001) of the
    empirical quantiles."""
    g = rng(7)
    state = CustomerState.empty(100_000)
    state.attitude[:] = np.clip(g.normal(0.2, 0.4, state.attitude.size), -1, 1)
    state.aware[:] = state.heard[:] = g.random(state.attitude.size) < 0.8
    m = measures_of(state)
    values = state.attitude[state.aware]
    for name, q in (("attitude_p10", 0.1), ("attitude_p50", 0.5), ("attitude_p90", 0.9)):
        assert abs(m[name] - np.quantile(values, q)) <= 0.0011, name


def test_nobody_aware_gives_undefined_spread_not_zero():
    m = measures_of(CustomerState.empty(4))
    assert np.isnan(m["attitude_sd"]) and np.isnan(m["attitude_p50"])
    assert m["top_box"] == 0.0 and all(m[name] == 0.0 for name in HIST_NAMES)


def test_packed_alias_table_keeps_members_aliases_and_thresholds():
    """Each row of the packed table holds floor(prob * 2**32), the member (low 32 bits) and the
    member its slot aliases to (high 32 bits); decoded, it samples weight / sum(weight) to
    within 2**-32 per slot."""
    from sim.engine.rules.media import pack_table

    weight = np.array([1.0, 2.0, 3.0, 4.0])
    members = np.array([10, 20, 30, 40])
    prob, alias = alias_table(weight)
    table = pack_table(prob, alias, members)
    assert table.shape == (4, 2) and table.dtype == np.uint64  # Audience: (m, 2), one line
    keep = (table[:, 1] & np.uint64(0xFFFFFFFF)).astype(np.int64)
    other = (table[:, 1] >> np.uint64(32)).astype(np.int64)
    assert list(keep) == [10, 20, 30, 40]
    assert list(other) == list(members[alias])
    threshold = table[:, 0].astype(float) / 2**32
    np.testing.assert_allclose(threshold, prob, atol=2**-32)
    decoded = np.zeros(4)
    for j in range(4):
        decoded[j] += threshold[j] / 4
        decoded[alias[j]] += (1 - threshold[j]) / 4
    np.testing.assert_allclose(decoded, weight / weight.sum(), atol=2**-31)


def test_who_forgets_is_decided_by_the_high_half_of_each_customers_word():
    """The documented numbers (sim/engine/rules/memory.py): customer i forgets when the high
    half of SplitMix64 word i of the week's key is below ``forget`` (written out here with the
    helpers of tests/test_rules.py, not by calling sim.engine.uniforms); only aware,
    unreminded non-customers can. 2,000 customers, forget 0.3: about 420 forget."""
    from tests.test_rules import _half, _word

    n = 2000
    state = CustomerState.empty(n)
    state.aware[:] = np.arange(n) % 10 != 0
    state.customer[:] = np.arange(n) % 7 == 0
    state.reminded[:] = np.arange(n) % 5 == 0
    key = int(rng(41).bit_generator.random_raw())
    u = np.array([_half(_word(key, i), False) for i in range(n)])
    can = state.aware & ~state.customer & ~state.reminded
    expected = can & (u < 0.3)
    aware_before = state.aware.copy()
    forgot = run_memory(state, 0.3, rng(41), False)
    assert forgot == int(expected.sum()) and forgot > 300
    assert np.array_equal(state.aware, aware_before & ~expected)
    assert not state.reminded.any()
