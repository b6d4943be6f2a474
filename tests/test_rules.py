"""Each weekly rule on tiny hand-built networks, with exact expected outcomes where it is
deterministic."""

import numpy as np
import pytest

from sim.engine.influence import pull_many, repeated_pull
from sim.engine.rules.adoption import adoption_probability, run_adoption
from sim.engine.rules.contacts import NeighbourSampler
from sim.engine.rules.dialogue import HubQueue, Mentions, conversation_target, run_dialogue
from sim.engine.rules.push import adstock_decay, exposure_weight, run_push
from sim.engine.rules.wom import talk_probability
from sim.engine.state import HEARD_AD, HEARD_DIALOGUE, HEARD_NOT_YET, HEARD_WOM, CustomerState
from sim.params import AdoptionSpec, DialogueSpec, PushSpec, WomSpec
from tests.tiny import network_from_edges, star, talk_only_wom


def rng(seed=0):
    return np.random.default_rng(seed)


def state_with(attitudes, aware=None):
    state = CustomerState.empty(len(attitudes))
    state.attitude[:] = attitudes
    if aware is not None:
        state.aware[:] = aware
    return state


# ----------------------------------------------------------------------------------- influence
def test_one_message_moves_exactly_c_mu_times_gap():
    for a in (0.1, -0.3):
        moved = repeated_pull(a, 0.8, 0.3 * 0.5, 1, 2.0)
        assert moved == pytest.approx(a + 0.15 * (0.8 - a), rel=0, abs=1e-15)


def test_no_move_outside_confidence_bound():
    assert repeated_pull(-0.5, 0.8, 0.5, 3, 1.0) == -0.5  # gap 1.3: outside
    assert repeated_pull(0.0, 0.8, 0.5, 3, 1.0) == pytest.approx(0.8 - 0.8 * 0.5**3)  # inside
    assert repeated_pull(0.3, 0.8, 0.5, 0, 1.0) == 0.3  # no message: no move
    # |m - a| < epsilon strictly (docs/model.md 7.1): exactly on the bound (gap 0.5) no move.
    assert repeated_pull(0.0, 0.5, 0.5, 2, 0.5) == 0.0


def test_pull_many_single_message_is_the_rule_and_many_never_overshoot():
    attitude = np.array([0.0, 0.0, 0.9])
    heard = pull_many(
        attitude,
        np.array([0, 1, 1, 1]),
        np.array([0.5, 1.0, 1.0, -1.0]),
        np.array([0.4, 0.6, 0.6, 0.6]),
        epsilon=2.0,
    )
    assert heard == 4
    assert attitude[0] == pytest.approx(0.4 * 0.5)
    # three messages of strength 0.6 add to 1.8 > 1: scaled to a weighted average of the messages
    assert attitude[1] == pytest.approx((1.0 + 1.0 - 1.0) / 3)
    assert attitude[2] == 0.9  # no message


def test_pull_many_counts_and_moves_one_message_and_none():
    """One message alone is the rule a += s (m - a) and counts 1; no message counts 0 and moves
    nobody; a message exactly on the confidence bound (|m - a| = epsilon: docs/model.md 7.1
    moves only when strictly inside) neither moves nor counts."""
    attitude = np.array([0.0, 0.2])
    assert pull_many(attitude, np.array([1]), np.array([0.6]), np.array([0.5]), 1.0) == 1
    assert attitude.tolist() == [0.0, pytest.approx(0.2 + 0.5 * 0.4)]
    empty = np.empty(0)
    assert pull_many(attitude, np.empty(0, np.int64), empty, empty, 1.0) == 0
    assert pull_many(attitude, np.array([0]), np.array([0.5]), np.array([0.5]), 0.5) == 0
    assert attitude[0] == 0.0


# ---------------------------------------------------------------------------------------- push
def push_spec(**kw):
    base = dict(effective_frequency=1.0, irritation_threshold=4.0, credibility=0.3, mu=0.5)
    return PushSpec(**(base | kw))


def test_one_exposure_moves_attitude_by_c_mu_gap_and_makes_aware():
    spec = push_spec()
    state = state_with([0.2, 0.0])
    out = run_push(state, spec, spec.cost_per_impression, np.array([0]), rng(), True)
    assert out.impressions == 1 and out.spend == pytest.approx(spec.cost_per_impression)
    assert state.attitude[0] == pytest.approx(0.2 + 0.3 * 0.5 * (spec.claim - 0.2))
    assert state.attitude[1] == 0.0 and not state.aware[1]
    assert state.aware[0] and state.heard_via[0] == HEARD_AD
    assert state.adstock[0] == pytest.approx(1.0)


def test_only_the_exposed_who_never_heard_get_ad_as_their_first_channel():
    """heard_via is the first channel (docs/model.md 7.9): an exposed customer who never heard
    of the brand gets 'ad'; one who heard by word of mouth before keeps it, exposed or not; the
    unexposed who never heard stay 'not yet' (the per-customer table shows it)."""
    spec = push_spec()
    state = state_with(np.zeros(4))
    state.heard[[1, 3]] = True
    state.heard_via[[1, 3]] = HEARD_WOM
    run_push(state, spec, 20 * spec.cost_per_impression, np.array([0, 1]), rng(), True)
    assert state.adstock[0] > 0 and state.adstock[1] > 0  # 20 impressions on two customers
    assert state.heard_via.tolist() == [HEARD_AD, HEARD_WOM, HEARD_NOT_YET, HEARD_WOM]


def test_push_outside_confidence_does_not_move_but_still_informs():
    spec = push_spec(epsilon=0.5)
    state = state_with([-0.5])
    run_push(state, spec, spec.cost_per_impression, np.array([0]), rng(), True)
    assert state.attitude[0] == -0.5 and state.aware[0]


@pytest.mark.parametrize("k", [3, 9])
@pytest.mark.parametrize(("start", "moves"), [(0.0, False), (0.25, True)])
def test_an_ad_exactly_at_the_confidence_bound_does_not_move(k, start, moves):
    """Customers move only when |m - a| < epsilon (docs/model.md 7.1, strictly): claim 0.5,
    epsilon 0.5, so a = 0 (gap exactly 0.5) stays where it is and a = 0.25 is pulled k times,
    to m - (m - a)(1 - c mu)^k; k = 3 and 9 for the engine's two paths (k < 8, k >= 8)."""
    spec = push_spec(claim=0.5, epsilon=0.5, effective_frequency=20.0, irritation_threshold=40.0)
    state = state_with([start])
    run_push(state, spec, k * spec.cost_per_impression, np.array([0]), rng(), True)
    s = spec.credibility * spec.mu
    expected = 0.5 - (0.5 - start) * (1 - s) ** k if moves else start
    assert state.attitude[0] == pytest.approx(expected, rel=1e-12)


def test_exposure_weight_is_full_then_wears_out_then_bounded_reactance():
    # effective 3, threshold 10, reactance 0.25: full up to 3, linear to 0 at 10, then down
    # to -0.25 at 10 + (10 - 3) = 17 and flat beyond.
    points = (0.0, 1.5, 3.0, 6.5, 10.0, 13.5, 17.0, 100.0)
    w = [exposure_weight(x, 3.0, 10.0, 0.25) for x in points]
    np.testing.assert_allclose(w, [1.0, 1.0, 1.0, 0.5, 0.0, -0.125, -0.25, -0.25])


def test_reactance_moves_irritated_customers_away_from_the_claim():
    spec = push_spec(irritation_threshold=2.0, complaint_prob=1.0, reactance=0.5)
    state = state_with([0.5])
    state.adstock[0] = 10.0  # far above the threshold: weight -reactance
    out = run_push(state, spec, 2 * spec.cost_per_impression, np.array([0]), rng(), True)
    lam = adstock_decay(spec.half_life)
    assert state.adstock[0] == pytest.approx(10 * lam + 2, rel=1e-6)
    strength = spec.credibility * spec.mu * 0.5
    expected = -spec.claim - (-spec.claim - 0.5) * (1 - strength) ** 2
    assert state.attitude[0] == pytest.approx(expected)
    assert state.irritated[0] and list(out.complainers) == [0]


def test_ad_tolerance_scales_each_customers_thresholds():
    """Two customers with the same adstock: the tolerant one (factor 4) is not irritated and
    gets the full effect; the other (factor 1) is past its threshold."""
    spec = push_spec(effective_frequency=1.0, irritation_threshold=3.0, reactance=0.5)
    state = state_with([0.0, 0.0])
    state.tolerance[:] = [4.0, 1.0]
    state.adstock[:] = 0.0
    run_push(state, spec, 2 * 5 * spec.cost_per_impression, np.array([0, 1]), rng(3), True)
    k = np.round(state.adstock).astype(int)  # exposures this week (adstock was 0)
    assert k.sum() == 10
    s = spec.credibility * spec.mu
    # customer 0: effective 4, threshold 12 -> weight 1 for adstock <= 4, else (12 - x) / 8
    w0 = 1.0 if k[0] <= 4 else (12 - k[0]) / 8
    expected0 = spec.claim - spec.claim * (1 - s * w0) ** k[0]
    assert state.attitude[0] == pytest.approx(expected0)
    # customer 1: effective 1, threshold 3 -> irritated when adstock > 3
    assert state.irritated[1] == (k[1] > 3)
    assert not state.irritated[0] or k[0] > 12


def test_adstock_halves_after_one_half_life():
    spec = push_spec(half_life=4.0)
    state = state_with([0.0])
    state.adstock[0] = 8.0
    for _ in range(4):
        run_push(state, spec, 0.0, None, rng(), True)
    assert state.adstock[0] == pytest.approx(4.0, rel=1e-5)


@pytest.mark.parametrize("k", [7, 8, 9, 16])
def test_k_exposures_in_a_week_pull_k_times_and_the_unexposed_keep_their_attitude_exactly(k):
    """k impressions on a target of one customer: all land on customer 0 (adstock 0 -> k, below
    the effective frequency 20, so every exposure has full weight): a = m - (m - a0)(1 - s)^k
    with s = c mu = 0.15 (docs/model.md 7.1). The engine takes k < 8 and k >= 8 by two paths;
    k = 7, 8, 9 and 16 are the ones around the seam. The unexposed keep their attitude bit for
    bit (0.8 - (0.8 - 0.1) is not 0.1 in floating point, so moving them by a zero-step pull
    would show)."""
    spec = push_spec(effective_frequency=20.0, irritation_threshold=40.0, epsilon=2.0)
    start = [0.1, 0.1, 0.3, 0.15]
    state = state_with(start)
    out = run_push(state, spec, k * spec.cost_per_impression, np.array([0]), rng(), True)
    assert out.impressions == k and state.adstock[0] == k
    m, s = spec.claim, spec.credibility * spec.mu
    assert state.attitude[0] == pytest.approx(m - (m - 0.1) * (1 - s) ** k, rel=1e-12)
    assert list(state.attitude[1:]) == start[1:]


def test_each_customer_is_pulled_once_per_own_exposure_whatever_the_others_got():
    """300 impressions over 40 customers (about 7.5 each, so some get 7 or fewer and some 8 or
    more in the same week, the engine's two paths side by side). Full weight (effective
    frequency 100): each customer ends at m - (m - a0)(1 - s)^k with k its own exposures
    (adstock 0 -> k) and s = c mu (docs/model.md 7.1), whatever the others got."""
    spec = push_spec(effective_frequency=100.0, irritation_threshold=200.0, epsilon=2.0)
    start = np.linspace(-0.5, 0.5, 40)
    state = state_with(start)
    run_push(state, spec, 300 * spec.cost_per_impression, None, rng(5), True)
    k = state.adstock.astype(int)
    assert k.sum() == 300 and (k == state.adstock).all()
    assert (k < 8).any() and (k == 7).any() and (k >= 8).any()  # both paths, and the seam
    m, s = spec.claim, spec.credibility * spec.mu
    np.testing.assert_allclose(state.attitude, m - (m - start) * (1 - s) ** k, rtol=1e-12)


@pytest.mark.parametrize(
    ("tolerance", "k", "weight"),
    [(2.0, 6, 0.75), (2.0, 10, 0.25), (2.0, 16, -0.25), (0.5, 9, -0.5), (0.5, 2, 0.5)],
)
def test_each_exposure_weight_uses_the_customers_own_thresholds_on_both_paths(tolerance, k, weight):
    """Effective frequency 2, threshold 6, reactance 0.5; a customer's own thresholds are
    these times their tolerance (docs/model.md 7.1). Tolerance 2: 4 and 12, so k = 6 exposures
    (adstock 0 -> 6) weigh (12 - 6) / 8 = 0.75, k = 10 weigh 0.25 and k = 16 weigh
    -0.5 * (16 - 12) / 8 = -0.25. Tolerance 0.5: 1 and 3, so k = 2 weigh (3 - 2) / 2 = 0.5 and
    k = 9 (past 3 + 2) weigh -0.5. A weight w >= 0 pulls k times toward the claim with strength
    c mu w, a negative one toward -claim with c mu |w|. k < 8 and k >= 8 take different paths in
    the engine, so both are here."""
    spec = push_spec(effective_frequency=2.0, irritation_threshold=6.0, reactance=0.5, epsilon=2.0)
    state = state_with([0.1])
    state.tolerance[:] = tolerance
    run_push(state, spec, k * spec.cost_per_impression, np.array([0]), rng(), True)
    assert state.adstock[0] == k
    m = spec.claim if weight >= 0 else -spec.claim
    s = spec.credibility * spec.mu * abs(weight)
    assert state.attitude[0] == pytest.approx(m - (m - 0.1) * (1 - s) ** k, rel=1e-12)


def test_irritated_means_adstock_strictly_above_the_threshold_times_tolerance():
    """Half-life 1 week: adstock halves exactly (0.5 is exact in float32). Threshold 2: after
    the decay, adstock 2.0 (at the line) is not irritated, 2.25 is, 1.75 is not; with tolerance
    2 the line is at 4: 4.0 not, 4.25 irritated. With complaint_prob 1 every irritated customer
    complains, so the complainers are exactly customers 1 and 4 (docs/model.md 7.1: "above")."""
    spec = push_spec(half_life=1.0, irritation_threshold=2.0, complaint_prob=1.0)
    state = state_with(np.zeros(5))
    state.adstock[:] = [4.0, 4.5, 3.5, 8.0, 8.5]
    state.tolerance[:] = [1, 1, 1, 2, 2]
    out = run_push(state, spec, 0.0, None, rng(), True)
    assert list(state.adstock) == [2.0, 2.25, 1.75, 4.0, 4.25]
    assert list(state.irritated) == [False, True, False, False, True]
    assert list(out.complainers) == [1, 4]


@pytest.mark.parametrize("budget", [0.0, 0.009, 0.5, 3.3333, 17.0])
def test_push_spend_never_above_budget(budget):
    spec = push_spec(cost_per_impression=0.01)
    state = state_with(np.zeros(50))
    out = run_push(state, spec, budget, None, rng(), True)
    assert out.spend <= budget + 1e-12
    assert out.impressions == int(np.floor(budget / 0.01 + 1e-9))
    assert state.adstock.sum() == pytest.approx(out.impressions)


def test_targeted_push_only_reaches_the_target():
    spec = push_spec()
    state = state_with(np.zeros(10))
    run_push(state, spec, 100 * spec.cost_per_impression, np.array([2, 5]), rng(), True)
    assert set(np.flatnonzero(state.aware)) == {2, 5}


# ------------------------------------------------------------------------------------ dialogue
def dialogue(state, net, budget, mentions, spec=None, outreach="random", fit=0.4, seed=0):
    spec = spec or DialogueSpec(cost_per_conversation=1.0)
    return run_dialogue(
        state,
        spec,
        budget,
        mentions,
        outreach,
        HubQueue(net.degree),
        fit,
        rng(seed),
        True,
    )


def test_capacity_never_exceeded_and_complaints_answered_first():
    net = network_from_edges(8, [(i, i + 1) for i in range(7)])
    state = state_with(np.zeros(8), aware=np.ones(8, bool))
    mentions = Mentions(np.array([0, 1, 2, 3, 4, 5]), np.array([0, 1, 0, 1, 0, 1], bool))
    spec = DialogueSpec(cost_per_conversation=1.0, listening_share=1.0)
    out = dialogue(state, net, 2.5, mentions, spec)
    assert out.capacity == 2 and out.conversations == 2
    assert out.complaints_answered == 2 and out.spend == pytest.approx(2.0)
    talked = np.flatnonzero(state.advocacy > 0)
    assert set(talked) <= {1, 3, 5}


def test_conversation_pulls_toward_claim_capped_by_experience():
    spec = DialogueSpec(cost_per_conversation=1.0, claim=0.9, honesty_margin=0.1, epsilon=2.0)
    assert conversation_target(spec, product_fit=0.3) == pytest.approx(0.4)
    assert conversation_target(spec, product_fit=0.95) == pytest.approx(0.9)
    net = network_from_edges(2, [(0, 1)])
    state = state_with([-0.2, 0.0])
    mentions = Mentions(np.array([0]), np.array([True]))
    spec = spec.model_copy(update=dict(listening_share=1.0, observer_mu=0.0))
    out = dialogue(state, net, 1.0, mentions, spec, fit=0.3)
    assert out.conversations == 1
    c_mu = spec.credibility * spec.mu
    assert state.attitude[0] == pytest.approx(-0.2 + c_mu * (0.4 + 0.2))
    assert state.advocacy[0] == pytest.approx(spec.advocacy_boost)
    assert state.aware[0] and state.heard_via[0] == HEARD_DIALOGUE


def complaint_read_by(readers):
    """One complaint by customer 0, read by ``readers``."""
    return Mentions(np.array([0]), np.array([True]), np.array([0, len(readers)]), np.array(readers))


def test_the_readers_of_an_answered_complaint_see_the_answer_and_shift_slightly():
    """docs/model.md 7.3: the answer is public on the complaint's thread, so its readers (here 1
    and 3, and 1 read it twice) are pulled toward the target with c * observer_mu, once per
    reading, judged against their attitude before the week's conversations; customer 2, an
    aware tie of the complainer who did not read the complaint, does not see the answer."""
    net = star(3)
    state = state_with([-0.5, 0.0, 0.1, 0.2], aware=[True, True, True, False])
    spec = DialogueSpec(cost_per_conversation=1.0, listening_share=1.0, epsilon=2.0)
    target = conversation_target(spec, 0.4)
    mentions = complaint_read_by([1, 3, 1])
    dialogue(state, net, 1.0, mentions, spec, outreach="none")
    step = spec.credibility * spec.observer_mu
    assert state.attitude[1] == pytest.approx(0.0 + 2 * step * target)
    assert state.attitude[3] == pytest.approx(0.2 + step * (target - 0.2))
    assert state.attitude[2] == 0.1  # an aware tie who did not read the complaint


def test_an_answered_complainer_gets_the_recovery_loyalty_and_a_praiser_does_not():
    net = star(3)
    state = state_with([-0.5, 0.3, 0.1, 0.2], aware=[True] * 4)
    spec = DialogueSpec(cost_per_conversation=1.0, listening_share=1.0, recovery_loyalty=0.4)
    mentions = Mentions(np.array([0, 1]), np.array([True, False]))
    out = dialogue(state, net, 2.0, mentions, spec, outreach="none")
    assert out.complaints_answered == 1 and out.mentions_answered == 2
    assert state.loyalty.tolist() == [np.float32(0.4), 0.0, 0.0, 0.0]


def test_a_customer_answered_this_week_is_not_reached_again_by_outreach():
    """Capacity 4 with one answered mention: the three outreach conversations go to the three
    other customers (random outreach, any seed), so nobody is paid for twice."""
    net = star(3)
    for seed in range(20):
        state = state_with(np.zeros(4), aware=[True] * 4)
        spec = DialogueSpec(cost_per_conversation=1.0, listening_share=1.0)
        out = dialogue(state, net, 4.0, complaint_read_by([]), spec, seed=seed)
        assert out.conversations == 4 and sorted(out.talked.tolist()) == [0, 1, 2, 3]


def test_with_attitudes_off_observers_of_an_answered_complaint_keep_their_attitude():
    """The same complaint as above with attitudes off (the awareness-only Bass limit: nothing
    moves an attitude): the complaint is answered, and neither the complainer nor the aware
    neighbours who see the answer move."""
    net = star(3)
    start = [-0.5, 0.0, 0.1, 0.2]
    state = state_with(start, aware=[True, True, True, False])
    spec = DialogueSpec(cost_per_conversation=1.0, listening_share=1.0, epsilon=2.0)
    mentions = Mentions(np.array([0]), np.array([True]))
    out = run_dialogue(
        state,
        spec,
        1.0,
        mentions,
        "none",
        HubQueue(net.degree),
        0.4,
        rng(),
        False,
    )
    assert out.complaints_answered == 1 and state.advocacy[0] == np.float32(spec.advocacy_boost)
    assert state.attitude.tolist() == start


@pytest.mark.parametrize("outreach", ["random", "hubs"])
def test_spare_capacity_of_one_conversation_reaches_one_customer(outreach):
    """Capacity 1 (0.5 cu at 0.5 cu a conversation) and no mentions: the one spare conversation
    goes to outreach (docs/model.md 7.3), a random customer or the most connected one (the
    star's centre, 0); it costs 0.5 cu, and the customer, who never heard of the brand, is now
    aware and first heard of it in a conversation ("dialogue")."""
    net = star(3)
    state = state_with(np.zeros(4))
    spec = DialogueSpec(cost_per_conversation=0.5)
    out = dialogue(state, net, 0.5, Mentions.none(), spec, outreach=outreach)
    assert (out.capacity, out.conversations, out.outreach, out.spend) == (1, 1, 1, 0.5)
    reached = np.flatnonzero(state.advocacy > 0)
    assert reached.size == 1 and state.aware.tolist() == [i in reached for i in range(4)]
    assert state.heard.tolist() == state.aware.tolist()
    assert state.heard_via.tolist() == [HEARD_DIALOGUE if i in reached else 0 for i in range(4)]
    assert outreach == "random" or reached.tolist() == [0]


@pytest.mark.parametrize("budget", [0.0, 0.5])
def test_without_money_for_one_conversation_the_brand_holds_none_and_reports_zeros(budget):
    """Capacity floor(budget / cost) = 0 (docs/model.md 7.3): no conversation, no outreach, no
    spend, nobody answered or reached, and nothing heard: listening is part of the dialogue that
    is not held (the week's outcome is what the measures and the learning count)."""
    net = star(3)
    state = state_with([0.0, 0.1, 0.2, 0.3], aware=[True, True, True, False])
    spec = DialogueSpec(cost_per_conversation=1.0, listening_share=1.0)
    mentions = Mentions(np.array([0, 1]), np.array([True, False]))
    out = dialogue(state, net, budget, mentions, spec)
    assert (out.capacity, out.conversations, out.complaints_answered) == (0, 0, 0)
    assert (out.mentions_answered, out.mentions_heard, out.outreach, out.spend) == (0, 0, 0, 0.0)
    assert not state.advocacy.any() and state.aware.tolist() == [True, True, True, False]


@pytest.mark.parametrize("attitudes", [True, False])
def test_whom_the_brand_answers_follows_the_documented_numbers_exactly(attitudes):
    """Ten mentions by eight customers (1, 3 and 5 mention twice; some complaints), capacity 1
    to 9, 20 weeks each, worked out here from the rule in sim/engine/rules/dialogue.py: mention
    j is heard when the high half of word j of the week's key is below listening_share (0.6);
    heard mentions are ordered by the low half (ties by position), complaints first, one answer
    per customer, at most the capacity. Each answered customer (no ties here, so nobody
    observes) becomes aware and reminded, heard via dialogue if new, gets advocacy at least
    the boost (customer 3 already has more) and, with attitudes on, one pull toward the target:
    a + c mu (t - a) inside the bound (epsilon 1: customer 7 at -0.7 is outside, t = 0.4)."""
    speaker = np.array([3, 1, 3, 5, 2, 7, 1, 6, 0, 5])
    negative = np.array([0, 1, 1, 0, 0, 1, 0, 1, 0, 1], bool)
    attitude = [0.1, -0.2, 0.3, 0.0, 0.5, -0.4, 0.2, -0.7]
    spec = DialogueSpec(
        cost_per_conversation=1.0,
        listening_share=0.6,
        epsilon=1.0,
        claim=0.9,
        honesty_margin=0.0,
    )
    c_mu, target = spec.credibility * spec.mu, 0.4
    net = network_from_edges(8, [])
    answered_total = 0
    for capacity in range(1, 10):
        for seed in range(20):
            key = int(rng(seed).bit_generator.random_raw())
            words = [_word(key, j) for j in range(speaker.size)]
            heard = [j for j in range(speaker.size) if _half(words[j], False) < 0.6]
            order = sorted(heard, key=lambda j: (_half(words[j], True), j))
            answered, done = [], set()
            for complaints in (True, False):
                for j in order:
                    who = int(speaker[j])
                    if len(answered) < capacity and negative[j] == complaints and who not in done:
                        done.add(who)
                        answered.append((who, complaints))
            state = state_with(attitude, aware=[True] * 4 + [False] * 4)
            state.heard[:] = state.aware
            state.advocacy[3] = 0.9
            out = run_dialogue(
                state,
                spec,
                float(capacity),
                Mentions(speaker, negative),
                "none",
                HubQueue(net.degree),
                0.4,
                rng(seed),
                attitudes,
            )
            who = [w for w, _ in answered]
            assert out.mentions_heard == len(heard), (capacity, seed)
            assert out.mentions_answered == out.conversations == len(answered), (capacity, seed)
            assert out.complaints_answered == sum(c for _, c in answered), (capacity, seed)
            assert out.spend == len(answered) * 1.0 and out.capacity == capacity
            talked = np.zeros(8, bool)
            talked[who] = True
            assert np.array_equal(state.reminded, talked), (capacity, seed)
            assert np.array_equal(state.aware, talked | (np.arange(8) < 4)), (capacity, seed)
            new = talked & (np.arange(8) >= 4)
            assert np.array_equal(state.heard_via == HEARD_DIALOGUE, new), (capacity, seed)
            boost = np.float32(spec.advocacy_boost)
            expected_advocacy = np.where(talked, boost, 0.0).astype(np.float32)
            expected_advocacy[3] = 0.9
            assert np.array_equal(state.advocacy, expected_advocacy), (capacity, seed)
            for c in range(8):
                a = attitude[c]
                moved = a + c_mu * (target - a) if abs(target - a) < 1.0 else a
                want = moved if (talked[c] and attitudes) else a
                assert state.attitude[c] == pytest.approx(want, abs=1e-15), (c, capacity, seed)
            answered_total += len(answered)
    assert answered_total > 400  # the comparison is not empty


def test_outreach_to_hubs_takes_most_connected_first():
    net = star(5)
    state = state_with(np.zeros(6))
    out = dialogue(state, net, 1.0, Mentions.none(), outreach="hubs")
    assert out.outreach == 1 and state.aware[0] and state.aware.sum() == 1


def test_capacity_is_the_whole_number_of_conversations_the_budget_pays_for():
    """0.3 / 0.1 is 2.9999999999999996 in floating point: the budget still pays for 3."""
    net = star(3)
    spec = DialogueSpec(cost_per_conversation=0.1)
    out = dialogue(state_with(np.zeros(4)), net, 0.3, Mentions.none(), spec, outreach="none")
    assert out.capacity == 3


def test_no_outreach_leaves_capacity_unused_and_unspent():
    net = star(3)
    state = state_with(np.zeros(4))
    out = dialogue(state, net, 10.0, Mentions.none(), outreach="none")
    assert out.conversations == 0 and out.spend == 0.0 and out.capacity == 10


# ---------------------------------------------------------------------------- word of mouth
def wom(state, net, spec, was_aware=None, complainers=None, seed=0):
    return talk_only_wom(
        state,
        spec,
        state.aware.copy() if was_aware is None else was_aware,
        np.empty(0, np.int64) if complainers is None else complainers,
        -0.6,
        NeighbourSampler(net),
        rng(seed),
        rng(seed + 1),
        True,
    )


def test_a_talk_moves_one_listener_by_peer_c_mu_gap():
    net = network_from_edges(2, [(0, 1)])
    state = state_with([0.6, 0.1], aware=[True, False])
    spec = WomSpec(talk_base=1.0, credibility=0.8, mu=0.4, epsilon=1.0, public_share=1.0)
    out = wom(state, net, spec)
    assert out.positive == 1 and out.negative == 0 and len(out.mentions) == 1
    assert state.attitude[1] == pytest.approx(0.1 + 0.8 * 0.4 * 0.5)
    assert state.aware[1] and state.heard_via[1] == HEARD_WOM
    assert state.attitude[0] == 0.6  # the speaker does not move


def test_negative_impact_multiplies_mu_of_negative_messages():
    net = network_from_edges(2, [(0, 1)])
    spec = WomSpec(
        talk_base=1.0, credibility=0.5, mu=0.2, negative_impact=2.0, epsilon=2.0, talk_feeling=0.0
    )
    state = state_with([-0.5, 0.5], aware=[True, False])
    out = wom(state, net, spec)
    assert out.negative == 1
    assert state.attitude[1] == pytest.approx(0.5 + 0.5 * 0.4 * (-1.0))
    # mu * negative_impact is capped at 1 (docs/model.md 7.3): mu 0.5 x 4 -> 1, so a negative
    # message pulls with c * 1 = 0.5: 0.5 + 0.5 * (-0.5 - 0.5) = 0 (uncapped: -0.5)
    capped = spec.model_copy(update={"mu": 0.5, "negative_impact": 4.0})
    state = state_with([-0.5, 0.5], aware=[True, False])
    wom(state, net, capped)
    assert state.attitude[1] == pytest.approx(0.0, abs=1e-12)
    # a neutral message (0) is not negative: mu, not mu * negative_impact: 0.5 + 0.1 * (0 - 0.5)
    state = state_with([0.0, 0.5], aware=[True, False])
    out = wom(state, net, spec)
    assert (out.positive, out.negative) == (1, 0)
    assert state.attitude[1] == pytest.approx(0.5 - 0.5 * 0.2 * 0.5)
    # a positive message keeps mu: 0.1 + 0.5 * 0.2 * (0.5 - 0.1)
    state = state_with([0.5, 0.1], aware=[True, False])
    out = wom(state, net, spec)
    assert (out.positive, out.negative) == (1, 0)
    assert state.attitude[1] == pytest.approx(0.1 + 0.5 * 0.2 * 0.4)


def test_negative_incidence_multiplies_talk_probability():
    no_advocacy, weight = np.float32(0.0), np.float32(0.5)
    p = [talk_probability(a, no_advocacy, 0.1, 0.2, weight, 3.0) for a in (0.5, -0.5)]
    np.testing.assert_allclose(p, [0.2, 0.6])
    assert talk_probability(0.5, np.float32(0.4), 0.1, 0.2, weight, 3.0) == pytest.approx(0.4)
    assert talk_probability(-1.0, no_advocacy, 0.5, 0.5, weight, 3.0) == 1.0  # cut to 1
    assert talk_probability(0.0, no_advocacy, 0.1, 0.2, weight, 3.0) == 0.1  # 0 is not negative


def test_only_customers_aware_at_week_start_talk():
    net = network_from_edges(2, [(0, 1)])
    state = state_with([0.5, 0.0], aware=[True, False])
    spec = WomSpec(talk_base=1.0)
    out = wom(state, net, spec, was_aware=np.array([False, False]))
    assert out.positive == 0 and not state.aware[1]


@pytest.mark.parametrize(("listeners", "attitudes"), [(1, True), (2, True), (3, True), (3, False)])
def test_a_week_of_talk_follows_the_documented_numbers_exactly(listeners, attitudes):
    """Who talks, which talks are public and negative, who hears them, and who is reminded,
    worked out here from the layout documented in sim/engine/rules/wom.py (customer c uses
    words c W .. c W + W - 1 of the week's key, W = 1 + ceil(L / 2); the first word's high half
    decides talking, its low half going public, the next words' halves choose the L listeners
    as tie floor(u * degree); the c-th complainer the same words of the complaint key; talks in
    customer order, then the complainers). Eight customers: 7 has no ties (never talks, even
    as a complainer), 6 has one tie, 3 and 4 are unaware at the week's start (3 never heard of
    the brand, 4 forgot it: only 3 can be heard via word of mouth first); complainers 6, 7 and 2
    (2 with a positive attitude: its complaint is still negative). Talk probability
    clip((0.3 + 0.5 |a| + 0.4 advocacy) * (1.5 if a < 0)); with attitudes off, 0.3 and every
    customer's own talk neutral. 30 weeks (seeds), every outcome compared."""
    edges = [(0, 1), (0, 2), (0, 3), (1, 2), (3, 4), (5, 6)]
    net = network_from_edges(8, edges)
    rows = {
        c: sorted([b for a, b in edges if a == c] + [a for a, b in edges if b == c])
        for c in range(8)
    }
    degree = [len(rows[c]) for c in range(8)]
    attitude = [0.5, -0.4, 0.2, 0.9, 0.0, -0.8, 0.3, 0.6]
    advocacy = np.array([0.0, 0.5, 0.0, 0.25, 0.0, 0.0, 1.0, 0.0], np.float32)
    spec = WomSpec(
        talk_base=0.3,
        talk_feeling=0.5,
        talk_advocacy=0.4,
        negative_incidence=1.5,
        listeners=listeners,
        public_share=0.5,
    )
    complainers = np.array([6, 7, 2])
    width = 1 + (listeners + 1) // 2
    talked_total = first_heard = 0
    for seed in range(30):
        state = state_with(attitude, aware=[True, True, True, False, False, True, True, True])
        state.advocacy[:] = advocacy
        state.heard[:] = state.aware
        state.heard[4] = True  # heard once, forgot: keeps its first channel
        state.heard_via[4] = HEARD_AD
        was_aware = state.aware.copy()
        key = int(rng(seed).bit_generator.random_raw())
        complaint_key = int(rng(seed + 100).bit_generator.random_raw())
        talks = []  # (speaker, key, first word, message)
        for c in range(8):
            a = attitude[c] if attitudes else 0.0
            p = 0.3 + (0.5 * abs(a) + float(advocacy[c] * np.float32(0.4)) if attitudes else 0.0)
            p = min(max(p * (1.5 if attitudes and a < 0 else 1.0), 0.0), 1.0)
            if was_aware[c] and degree[c] > 0 and _half(_word(key, c * width), False) < p:
                talks.append((c, key, c * width, a))
        talks += [
            (int(who), complaint_key, row * width, -0.6)
            for row, who in enumerate(complainers)
            if degree[who] > 0
        ]
        mentions, heard_by = [], []
        for speaker, k, first, message in talks:
            if _half(_word(k, first), True) < 0.5:
                mentions.append((speaker, message < 0))
            for j in range(listeners):
                u = _half(_word(k, first + 1 + j // 2), bool(j & 1))
                heard_by.append(rows[speaker][int(u * degree[speaker])])
        negative = sum(message < 0 for *_, message in talks)
        heard_before = state.heard.copy()
        out = talk_only_wom(
            state,
            spec,
            was_aware,
            complainers,
            -0.6,
            NeighbourSampler(net),
            rng(seed),
            rng(seed + 100),
            attitudes,
        )
        assert (out.positive, out.negative) == (len(talks) - negative, negative), seed
        assert list(out.mentions.speaker) == [m[0] for m in mentions], seed
        assert list(out.mentions.negative) == [m[1] for m in mentions], seed
        expected_aware = was_aware.copy()
        expected_aware[heard_by] = True
        expected_aware[complainers] = True  # complaining keeps the brand in mind, ties or not
        assert np.array_equal(state.aware, expected_aware), seed
        reminded = np.zeros(8, bool)
        reminded[[t[0] for t in talks] + heard_by + list(complainers)] = True
        assert np.array_equal(state.reminded, reminded), seed
        newly = expected_aware & ~heard_before
        first_heard += int(newly.sum())
        assert np.array_equal(state.heard_via == HEARD_WOM, newly), seed
        assert np.array_equal(state.heard, heard_before | expected_aware), seed
        if not attitudes:  # nobody is persuaded with attitudes off
            assert list(state.attitude) == attitude, seed
        assert state.heard_via[4] == HEARD_AD
        talked_total += len(talks)
    assert talked_total > 60  # about 3 to 5 talks a week: the comparison is not empty
    assert first_heard >= 3  # customer 3 heard first via word of mouth in some weeks (5-12)


def test_weighted_ties_choose_listeners_by_weight():
    net = network_from_edges(3, [(0, 1), (0, 2)], weights=[1.0, 9.0])
    sampler = NeighbourSampler(net)
    u = np.linspace(0, 1, 10_000, endpoint=False)
    chosen = sampler.sample(np.zeros(u.size, np.int64), u)
    assert (chosen == 2).mean() == pytest.approx(0.9, abs=1e-3)


def test_a_number_that_rounds_onto_the_end_of_its_row_still_picks_a_tie_of_the_speaker():
    """Customer 1's one tie (to 2) weighs 1 after customer 0's tie of 1e6, so its share of the
    cumulative weights is [1e6, 1e6 + 1); u = 1 - 2**-53 gives 1e6 + u, which rounds to
    1e6 + 1, the row's end. The pick is clipped to the speaker's own row (contacts.py:
    "clipped to the speaker's row"): customer 2, never the next row's first tie (customer 0)."""
    net = network_from_edges(3, [(0, 2), (1, 2)], weights=[1e6, 1.0])
    sampler = NeighbourSampler(net)
    u = 1 - 2.0**-53
    assert sampler.row_start[1] + u * sampler.row_total[1] == 1e6 + 1  # the rounding
    assert sampler.sample(np.array([1]), np.array([u])).tolist() == [2]


# ------------------------------------------------------------------------------------ adoption
def test_adoption_certain_at_rate_one_and_impossible_at_zero():
    state = state_with(np.zeros(5), aware=[True, True, False, True, True])
    assert run_adoption(state, AdoptionSpec(base_rate=0.0), 0.0, 0.4, rng(), True) == 0
    assert run_adoption(state, AdoptionSpec(base_rate=1.0), 0.0, 0.4, rng(), True) == 4
    assert not state.adopted[2]


def test_experience_moves_adopters_toward_true_fit():
    state = state_with([0.9, 0.9], aware=[True, True])
    state.adopted[0] = state.customer[0] = True
    run_adoption(state, AdoptionSpec(base_rate=0.0), 0.25, -0.3, rng(), True)
    assert state.attitude[0] == pytest.approx(0.9 + 0.25 * (-0.3 - 0.9))
    assert state.attitude[1] == 0.9


def test_with_attitudes_off_experience_moves_no_attitude():
    """Attitudes off is the awareness-only Bass limit (docs/model.md, the `attitudes` switch):
    nothing may move an attitude, so a customer's experience (rate 0.25, fit -0.3, attitude 0.9:
    0.6 would be 0.9 + 0.25 (-0.3 - 0.9) with attitudes on) leaves every attitude as it was."""
    state = state_with([0.9, -0.5, 0.2], aware=[True, True, True])
    state.adopted[:] = state.customer[:] = True
    run_adoption(state, AdoptionSpec(base_rate=0.0), 0.25, -0.3, rng(), False)
    assert state.attitude.tolist() == pytest.approx([0.9, -0.5, 0.2], abs=0.0)


def test_the_cached_probability_table_is_read_only():
    """The adoption probability table is cached and shared by every model and week that asks
    for the same base rate and slope (its docstring: read-only), so a write into it must fail
    instead of changing every later week's adoptions."""
    from sim.engine.rules.adoption import _probability_table

    table = _probability_table(0.05, 3.0)
    with pytest.raises(ValueError, match="read-only"):
        table[0] = 1.0


def test_adoption_probability_rises_with_attitude():
    p = adoption_probability(AdoptionSpec(base_rate=0.05, attitude_slope=3), np.array([-1, 0, 1.0]))
    assert p[1] == pytest.approx(0.05) and p[0] < p[1] < p[2]


@pytest.mark.parametrize(
    "flags",
    [[], [True], [False], [True] * 5, [False] * 5, [True, False] * 3, [False, True, True, True]],
)
def test_flagged_lists_the_true_indices_in_ascending_order(flags):
    """The compaction the adoption screen and the shoppers use (rules/selection.py), on the
    cases at its edges: nothing, everything (its buffer must hold every index), one of each."""
    from sim.engine.rules.selection import flagged

    got = flagged(np.array(flags, dtype=bool))
    assert got.dtype == np.int64
    assert list(got) == [i for i, flag in enumerate(flags) if flag]


def _word(key: int, i: int) -> int:
    """Word ``i`` of the SplitMix64 sequence started at ``key``, written out from the statement
    in sim/engine/uniforms.py (not by calling it)."""
    mask = (1 << 64) - 1
    z = (key + (i + 1) * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def _half(word: int, low: bool) -> float:
    """The low or high 32 bits of a word as a number in [0, 1)."""
    return ((word & 0xFFFFFFFF) if low else (word >> 32)) * 2.0**-32


def _splitmix_high_halves(key: int, n: int) -> np.ndarray:
    """Customer i's adoption number: the high half of word i of the week's key."""
    return np.array([_half(_word(key, i), False) for i in range(n)])


@pytest.mark.parametrize(
    ("base", "slope", "attitudes"),
    [(0.018, 4.0, True), (0.982, 4.0, True), (0.3, 0.0, True), (0.3, 4.0, False)],
)
def test_each_customer_adopts_exactly_when_its_number_is_below_the_logistic(base, slope, attitudes):
    """Every aware non-adopter adopts iff u < 1 / (1 + exp(-(log(b / (1 - b)) + s a))), with u
    its own number of the week (docs/model.md 7.4; the engine screens most customers with a
    table and evaluates the logistic only for the few near their line, and both paths must give
    this). 3,000 customers: a quarter exactly on the table's points, 600 at a = 1 and 300 at
    a = -1 (the table's ends), the rest spread over [-1, 1]; some unaware, some adopted before
    (they stay, and are not counted). Each decision is compared, so a slip in the rare path
    (several % of customers fall near their line: a sign, a count) changes some of them. With
    b = 0.018 and s = 4, p(1) = 0.5 where the logistic is steepest, so a table one point short at
    its top end (p(1 - 2/128) = p(1) - 0.0156) misjudges about 600 * 0.0156 = 9 customers; with
    b = 0.982, p(-1) = 0.5, and a lower bound one point too high at the bottom end misjudges
    about 300 * 0.0156 = 5. The count returned is the new adopters only."""
    n = 3000
    gen = np.random.default_rng(2026)
    attitude = gen.uniform(-1, 1, n)
    attitude[:750] = -1 + 2 * gen.integers(0, 129, 750) / 128
    attitude[750:1350] = 1.0
    attitude[1350:1650] = -1.0
    state = state_with(attitude, aware=gen.random(n) < 0.9)
    before = gen.random(n) < 0.2
    state.adopted[:] = before
    state.customer[:] = before
    seed_rng, run_rng = rng(77), rng(77)
    key = int(seed_rng.bit_generator.random_raw())  # the rule's one key of the week
    u = _splitmix_high_halves(key, n)
    s = slope if attitudes else 0.0
    p = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + s * attitude)))
    expected = before | (state.aware & (u < p))
    new = run_adoption(
        state, AdoptionSpec(base_rate=base, attitude_slope=slope), 0.0, 0.4, run_rng, attitudes
    )
    assert np.array_equal(state.adopted, expected)
    assert np.array_equal(state.customer, expected)
    assert new == int(np.count_nonzero(expected & ~before))
    assert new > 100  # the comparison is not empty
