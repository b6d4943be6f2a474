"""Who is reached, and how often: the random choices of the weekly rules against the
probabilities docs/model.md states for them.

Every test runs the engine's own rule (its own random numbers, sim/engine/uniforms.py) at fixed
seeds, so it is deterministic. Chi-square tests require a p-value above 0.001; with the fixed
seeds a correct rule passes always, and each test's comment states its power: the probability
that it would fail if one outcome's probability were 20 % too high (the rest scaled down),
computed from the noncentral chi-square distribution (``scipy.stats.ncx2``) at the sample size
used. Rates (talking, going public, complaining, adopting, listening) are checked against the
binomial distribution within 4.5 standard deviations (a false failure has probability about
7e-6); each comment gives the shift a 20 % change of the parameter would cause, in standard
deviations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.engine.rules.adoption import run_adoption
from sim.engine.rules.contacts import NeighbourSampler
from sim.engine.rules.dialogue import HubQueue, Mentions, run_dialogue
from sim.engine.rules.push import run_push
from sim.engine.state import CustomerState
from sim.params import AdoptionSpec, DialogueSpec, PushSpec, WomSpec
from tests.tiny import network_from_edges, talk_only_wom

P_MIN = 1e-3  # chi-square tests: a correct rule fails with probability 0.001 at a random seed


def stars(count: int, leaves: int, weights=None):
    """``count`` disjoint stars: hub ``h = s * (leaves + 1)`` tied to ``h + 1 .. h + leaves``
    (tie ``j`` with weight ``weights[j]`` when given)."""
    size = leaves + 1
    edges = [(s * size, s * size + j) for s in range(count) for j in range(1, size)]
    w = None if weights is None else list(weights) * count
    return network_from_edges(count * size, edges, weights=w)


def talk_once(net, speakers, spec, seed, attitudes=False, attitude=None, advocacy=None):
    """One week of word of mouth in which only ``speakers`` were aware at the start."""
    state = CustomerState.empty(net.n)
    state.aware[speakers] = True
    if attitude is not None:
        state.attitude[:] = attitude
    if advocacy is not None:
        state.advocacy[:] = advocacy
    out = talk_only_wom(
        state,
        spec,
        state.aware.copy(),
        np.empty(0, np.int64),
        -0.6,
        NeighbourSampler(net),
        np.random.default_rng(seed),
        np.random.default_rng(seed + 10_000),
        attitudes,
    )
    return state, out


def leaf_counts(net, count, leaves, spec, seeds):
    """How often each leaf position was told, over stars and seeds (hubs talk for sure)."""
    size = leaves + 1
    hubs = np.arange(count) * size
    counts = np.zeros(leaves, dtype=np.int64)
    for seed in seeds:
        state, _ = talk_once(net, hubs, spec, seed)
        heard = state.aware.reshape(count, size)[:, 1:]
        counts += heard.sum(axis=0)
    return counts


# ------------------------------------------------------------------------- neighbour choice
def test_unweighted_listener_is_uniform_over_the_speakers_ties():
    """Each of a hub's 5 ties is told with probability 1/5 (2,000 stars x 3 weeks = 6,000
    talks; power against one tie at 0.24 instead of 0.2: 0.9999). The last tie is told too
    (an off-by-one choice would never pick it)."""
    net = stars(2000, 5)
    spec = WomSpec(talk_base=1.0, public_share=0.0)
    counts = leaf_counts(net, 2000, 5, spec, seeds=(1, 2, 3))
    assert counts.sum() == 6000  # one listener per talk, every hub talks
    assert counts.min() > 0
    assert stats.chisquare(counts).pvalue > P_MIN, counts


def test_weighted_listener_is_chosen_in_proportion_to_tie_weight():
    """Ties of weight 1, 2, 3, 4 are told with probabilities 0.1, 0.2, 0.3, 0.4 (10,000 talks;
    power against the first tie at 0.12: 0.99)."""
    net = stars(5000, 4, weights=[1.0, 2.0, 3.0, 4.0])
    spec = WomSpec(talk_base=1.0, public_share=0.0)
    counts = leaf_counts(net, 5000, 4, spec, seeds=(4, 5))
    expected = np.array([0.1, 0.2, 0.3, 0.4]) * counts.sum()
    assert counts.sum() == 10_000
    assert stats.chisquare(counts, expected).pvalue > P_MIN, counts


def test_the_sampler_itself_is_uniform_and_by_weight_for_given_numbers():
    """``NeighbourSampler.sample`` with evenly spread numbers hits every tie its exact share
    (no randomness: 10,000 numbers (k + 0.5) / 10,000)."""
    u = (np.arange(10_000) + 0.5) / 10_000
    plain = NeighbourSampler(network_from_edges(8, [(0, j) for j in range(1, 8)]))
    counts = np.bincount(plain.sample(np.zeros(u.size, np.int64), u), minlength=8)
    assert counts[0] == 0 and set(counts[1:].tolist()) == {1428, 1429}  # 10,000 / 7 = 1428.6
    weighted = NeighbourSampler(network_from_edges(4, [(0, 1), (0, 2), (0, 3)], weights=[1, 3, 6]))
    counts = np.bincount(weighted.sample(np.zeros(u.size, np.int64), u), minlength=4)[1:]
    np.testing.assert_array_equal(counts, [1000, 3000, 6000])


@pytest.mark.parametrize("listeners", [1, 2, 3, 5])
def test_a_talk_reaches_exactly_listeners_neighbours(listeners):
    """``listeners`` draws with replacement: a speaker with one neighbour pulls it
    ``listeners`` times, each with strength c*mu = 0.1, so it moves ``0.1 * listeners`` of the
    gap (sum of strengths under 1: no scaling)."""
    net = network_from_edges(2, [(0, 1)])
    spec = WomSpec(talk_base=1.0, credibility=0.5, mu=0.2, epsilon=2.0, listeners=listeners)
    state, out = talk_once(net, [0], spec, seed=0, attitudes=True, attitude=[1.0, 0.0])
    assert out.positive == 1
    assert state.attitude[1] == pytest.approx(0.1 * listeners, abs=1e-12)


def test_two_listeners_are_two_independent_draws():
    """With 2 listeners drawn with replacement from 5 ties, a talk tells 1 distinct neighbour
    with probability 1/5 and 2 with probability 4/5 (3 draws would give 1/25, 12/25, 12/25).
    4,000 talks; power against P(1 distinct) = 0.24: 0.98."""
    net = stars(2000, 5)
    spec = WomSpec(talk_base=1.0, public_share=0.0, listeners=2)
    told = []
    for seed in (7, 8):
        state, _ = talk_once(net, np.arange(2000) * 6, spec, seed)
        told.append(state.aware.reshape(2000, 6)[:, 1:].sum(axis=1))
    distinct = np.bincount(np.concatenate(told), minlength=4)
    assert distinct[0] == 0 and distinct[3] == 0
    assert stats.chisquare(distinct[1:3], [800, 3200]).pvalue > P_MIN, distinct


# ------------------------------------------------------------------------------- impressions
@pytest.mark.parametrize("targeted", [False, True])
def test_impressions_land_uniformly_on_the_target(targeted):
    """100,000 impressions over a target of 20 customers (or all 20 when untargeted): each
    customer's exposures (its adstock after one week from zero) are multinomial with equal
    shares; nobody outside the target is exposed. Power against one customer at 1.2/20:
    1.0 (noncentrality 210)."""
    n = 40 if targeted else 20
    target = np.arange(10, 30) if targeted else None
    spec = PushSpec(cost_per_impression=0.01)
    state = CustomerState.empty(n)
    out = run_push(state, spec, 1000.0, target, np.random.default_rng(11), False)
    assert out.impressions == 100_000
    exposures = state.adstock.astype(np.int64)
    assert exposures.sum() == 100_000
    inside = exposures[10:30] if targeted else exposures
    if targeted:
        assert exposures[:10].sum() == 0 and exposures[30:].sum() == 0
    assert inside.min() > 0
    assert stats.chisquare(inside).pvalue > P_MIN, inside


def test_reach_of_one_week_of_impressions_is_one_minus_miss_probability():
    """A customer is reached at least once with probability 1 - (1 - 1/N)^I (docs/model.md
    7.2): N = 2,000, I = 1,000 gives 0.3935; over 5 weeks (seeds) 10,000 customer-weeks,
    binomial sd 0.0049, tolerance 4.5 sd."""
    spec = PushSpec(cost_per_impression=1.0)
    reached = 0
    for seed in range(5):
        state = CustomerState.empty(2000)
        run_push(state, spec, 1000.0, None, np.random.default_rng(seed), False)
        reached += state.aware.sum()
    p = 1 - (1 - 1 / 2000) ** 1000
    sd = math.sqrt(p * (1 - p) / 10_000)
    assert abs(reached / 10_000 - p) < 4.5 * sd


# ---------------------------------------------------------------------------------- outreach
def dialogue_week(state, net, spec, budget, outreach, hubs, seed, mentions=None):
    return run_dialogue(
        state,
        spec,
        budget,
        mentions or Mentions.none(),
        outreach,
        hubs,
        0.4,
        np.random.default_rng(seed),
        True,
    )


def test_random_outreach_reaches_distinct_customers_uniformly():
    """Spare capacity of 3 conversations goes to 3 distinct customers drawn uniformly from
    10: over 5,000 weeks each customer is reached 1,500 times in expectation. Power against
    one customer at 1.2 x its share: 0.99 (noncentrality 66)."""
    net = network_from_edges(10, [(i, i + 1) for i in range(9)])
    spec = DialogueSpec(cost_per_conversation=1.0)
    hubs = HubQueue(net.degree)
    counts = np.zeros(10, dtype=np.int64)
    for seed in range(5000):
        state = CustomerState.empty(10)
        out = dialogue_week(state, net, spec, 3.0, "random", hubs, seed)
        assert out.outreach == 3 and state.aware.sum() == 3  # without replacement
        counts += state.aware
    assert stats.chisquare(counts).pvalue > P_MIN, counts


def test_hub_queue_goes_down_the_degrees_and_wraps_around():
    """Degrees 4, 3, 2, 2, 1 (customer 2 before 3: equal degrees keep customer order). Taking
    3 a week walks the list and starts again at the top: after 5 weeks every customer has been
    reached exactly 3 times (a chi-square statistic of 0)."""
    net = network_from_edges(5, [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3)])
    assert list(net.degree) == [4, 3, 2, 2, 1]
    queue = HubQueue(net.degree)
    weeks = [list(queue.take(3)) for _ in range(5)]
    assert weeks == [[0, 1, 2], [3, 4, 0], [1, 2, 3], [4, 0, 1], [2, 3, 4]]
    assert np.bincount(np.concatenate(weeks)).tolist() == [3, 3, 3, 3, 3]
    assert len(queue.take(12)) == 5  # never the same customer twice in one week


def test_hub_outreach_through_the_rule_continues_where_last_week_stopped():
    """run_dialogue with outreach 'hubs' uses the queue: two conversations a week on a star
    with 4 leaves reach the hub and leaf 1, then leaves 2 and 3, then leaf 4 and the hub."""
    net = network_from_edges(5, [(0, j) for j in range(1, 5)])
    spec = DialogueSpec(cost_per_conversation=1.0)
    hubs = HubQueue(net.degree)
    reached = []
    for week in range(3):
        state = CustomerState.empty(5)
        dialogue_week(state, net, spec, 2.0, "hubs", hubs, week)
        reached.append(sorted(np.flatnonzero(state.aware).tolist()))
    assert reached == [[0, 1], [2, 3], [0, 4]]


def test_the_brand_hears_each_mention_with_the_listening_share():
    """4,000 mentions by distinct customers, listening share 0.3, capacity for all: the number
    answered is binomial(4000, 0.3) (sd 29; a 20 % higher share moves it by 8 sd)."""
    n = 4000
    net = network_from_edges(n, [(i, i + 1) for i in range(n - 1)])
    spec = DialogueSpec(cost_per_conversation=1.0, listening_share=0.3)
    mentions = Mentions(np.arange(n), np.zeros(n, dtype=bool))
    state = CustomerState.empty(n)
    out = dialogue_week(state, net, spec, float(n), "none", HubQueue(net.degree), 3, mentions)
    sd = math.sqrt(n * 0.3 * 0.7)
    assert abs(out.mentions_answered - n * 0.3) < 4.5 * sd


# ------------------------------------------------------------------------------------- rates
def pairs(count: int):
    """``count`` separate pairs (2i, 2i + 1): speakers are the even customers."""
    return network_from_edges(2 * count, [(2 * i, 2 * i + 1) for i in range(count)])


def test_talk_probability_of_positive_and_negative_customers_with_advocacy():
    """10,000 speakers at attitude +0.5 and 10,000 at -0.5, all with advocacy 0.4; talk_base
    0.1, talk_feeling 0.3, talk_advocacy 0.5, negative_incidence 1.5: they talk with
    probability 0.1 + 0.3 * 0.5 + 0.5 * 0.4 = 0.45 and 1.5 * 0.45 = 0.675 (sd 50 and 47
    talks). talk_feeling or talk_advocacy 20 % higher moves the count by 6 or 8 sd."""
    k = 10_000
    net = pairs(2 * k)
    attitude = np.zeros(net.n)
    attitude[0 : 2 * k : 2] = 0.5
    attitude[2 * k :: 2] = -0.5
    spec = WomSpec(
        talk_base=0.1,
        talk_feeling=0.3,
        talk_advocacy=0.5,
        negative_incidence=1.5,
        public_share=0.25,
        epsilon=0.0,  # nobody is moved: the listeners' attitudes stay as they are
    )
    speakers = np.arange(0, net.n, 2)
    state, out = talk_once(net, speakers, spec, 5, True, attitude, advocacy=0.4)
    for talks, p in ((out.positive, 0.45), (out.negative, 0.675)):
        assert abs(talks - k * p) < 4.5 * math.sqrt(k * p * (1 - p)), (talks, p)
    # Each talk is public with probability 0.25 (sd 32; 20 % more: 11 sd).
    total = out.positive + out.negative
    public = len(out.mentions)
    assert abs(public - 0.25 * total) < 4.5 * math.sqrt(total * 0.25 * 0.75)
    assert int(out.mentions.negative.sum()) <= out.negative


def test_irritated_customers_complain_with_complaint_prob():
    """20,000 customers far above the irritation threshold, complaint_prob 0.2: complainers
    are binomial(20000, 0.2) (sd 57; 20 % more: 14 sd)."""
    n = 20_000
    spec = PushSpec(complaint_prob=0.2, irritation_threshold=10.0)
    state = CustomerState.empty(n)
    state.adstock[:] = 100.0
    out = run_push(state, spec, 0.0, None, np.random.default_rng(9), True)
    assert state.irritated.all()
    assert abs(out.complainers.size - 0.2 * n) < 4.5 * math.sqrt(n * 0.2 * 0.8)


@pytest.mark.parametrize("attitude", [-0.6, 0.0, 0.6])
def test_adoption_probability_is_logistic_in_attitude(attitude):
    """20,000 aware customers at one attitude adopt with probability
    1 / (1 + exp(-(log(0.05 / 0.95) + 3 * a))): 0.0087, 0.05, 0.2416 at a = -0.6, 0, 0.6
    (sd 13, 31, 61 adopters). A flipped slope swaps the first and last."""
    n = 20_000
    state = CustomerState.empty(n)
    state.aware[:] = True
    state.attitude[:] = attitude
    new = run_adoption(
        state,
        AdoptionSpec(base_rate=0.05, attitude_slope=3.0),
        0.0,
        0.4,
        np.random.default_rng(13),
        True,
    )
    p = 1 / (1 + math.exp(-(math.log(0.05 / 0.95) + 3.0 * attitude)))
    assert abs(new - n * p) < 4.5 * math.sqrt(n * p * (1 - p)), (new, n * p)
