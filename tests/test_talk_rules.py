"""Rules of talk that can matter (docs/model.md 7.4, 7.4a-c): public posts read by many, the
visible rating, stories retold in cascades, advertising that starts conversations.

Each test builds a tiny network, sets the probabilities to 0 or 1 where a rule has a chance in
it, and checks the exact outcome the documentation states.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.rules.contacts import NeighbourSampler
from sim.engine.rules.public import Rating
from sim.engine.rules.stories import Cascades, cascade_summary, spend_stories, start_stories
from sim.engine.rules.wom import run_wom
from sim.engine.state import HEARD_WOM, STORY_AD, STORY_DIALOGUE, CustomerState
from sim.params import PublicSpec, StoriesSpec, WomSpec
from tests.tiny import NO_PUBLIC_READING, NO_STORIES, star

QUIET = WomSpec(talk_base=0.0, talk_feeling=0.0, talk_advocacy=0.0, public_share=1.0)


def state_of(attitude, aware=None) -> CustomerState:
    n = len(attitude)
    state = CustomerState.empty(n)
    state.attitude[:] = attitude
    state.aware[:] = True if aware is None else np.asarray(aware, bool)
    state.heard[:] = state.aware
    return state


def week(
    state,
    net,
    wom=QUIET,
    public=None,
    stories=None,
    speakers=(),
    talk_lift=0.0,
    rating=None,
    cascades=None,
    pool=None,
    attitudes=True,
    seed=0,
):
    """One word-of-mouth step in which exactly ``speakers`` talk (their talk probability is
    raised to 1 by advocacy 1 and talk_advocacy 1), reading and stories as given."""
    n = state.aware.size
    public = public or PublicSpec(**NO_PUBLIC_READING)
    if speakers:
        state.advocacy[list(speakers)] = 1.0
        wom = wom.model_copy(update={"talk_advocacy": 1.0})
    return run_wom(
        state,
        wom,
        public,
        stories or StoriesSpec(**NO_STORIES),
        state.aware.copy(),
        np.empty(0, np.int64),
        -0.6,
        talk_lift,
        NeighbourSampler(net),
        np.arange(n) if pool is None else np.asarray(pool, np.int64),
        rating or Rating(public, n),
        cascades or Cascades(),
        np.random.default_rng(seed),
        np.random.default_rng(seed + 1),
        np.random.default_rng(seed + 2),
        np.random.default_rng(seed + 3),
        attitudes,
    )


# ------------------------------------------------------------------------------ public posts
def test_a_public_post_is_read_by_every_follower_at_follower_share_1():
    """The hub of a star posts (public share 1): all five ties read it (follower share 1) and
    are pulled with the credibility of public opinion, c_public * mu * (m - a); the one tie
    that also heard the talk adds the peer's pull (c * mu * (m - a)); all become aware via word
    of mouth and the post counts five views and five readers."""
    net = star(5)
    attitude = [0.6, 0.0, 0.1, -0.2, 0.3, 0.5]
    state = state_of(attitude, aware=[True] + [False] * 5)
    public = PublicSpec(follower_share=1.0, browsers=0, rating_readers=0.0, credibility=0.5)
    out = week(state, net, public=public, speakers=[0])
    assert (out.views, out.readers, len(out.mentions)) == (5, 5, 1)
    assert out.mentions.readers.tolist() == [1, 2, 3, 4, 5]
    assert state.aware.all() and (state.heard_via[1:] == HEARD_WOM).all()
    peer, reader = QUIET.credibility * QUIET.mu, 0.5 * QUIET.mu
    moved = [a + reader * (0.6 - a) for a in attitude[1:]]
    listener = [i for i in range(1, 6) if moved[i - 1] != pytest.approx(state.attitude[i])]
    assert len(listener) == 1  # the talk's own listener moved more
    i = listener[0]
    a = attitude[i]
    assert state.attitude[i] == pytest.approx(a + (peer + reader) * (0.6 - a))
    assert state.attitude[0] == 0.6  # the author does not move


def test_without_follower_reading_only_the_listener_hears_a_public_post():
    net = star(5)
    state = state_of([0.6, 0, 0, 0, 0, 0], aware=[True] + [False] * 5)
    out = week(state, net, speakers=[0])
    assert out.views == 0 and len(out.mentions) == 1 and state.aware.sum() == 2


def test_who_of_the_ties_reads_is_drawn_per_tie_with_the_follower_share():
    """Star of 2,000 leaves, the hub posts once a week for 40 weeks with follower share 0.35:
    the share of ties reading is 0.35 within 4.5 binomial standard errors (n = 80,000 tie-weeks,
    se 0.0017)."""
    net = star(2000)
    public = PublicSpec(follower_share=0.35, browsers=0, rating_readers=0.0)
    views = 0
    for seed in range(40):
        state = state_of(np.zeros(2001), aware=[True] + [False] * 2000)
        views += week(state, net, public=public, speakers=[0], seed=seed).views
    share, se = views / 80_000, math.sqrt(0.35 * 0.65 / 80_000)
    assert abs(share - 0.35) < 4.5 * se


def test_browsers_are_drawn_from_the_pool_of_category_customers():
    """A post read by 4 browsers: all four reads land on customers of the pool (7, 8, 9), never
    on the others, who stay unaware."""
    net = star(9)
    public = PublicSpec(follower_share=0.0, browsers=4, rating_readers=0.0)
    for seed in range(10):
        state = state_of(np.zeros(10), aware=[True] + [False] * 9)
        out = week(state, net, public=public, speakers=[0], pool=[7, 8, 9], seed=seed)
        assert out.views == 4 and set(out.mentions.readers.tolist()) <= {7, 8, 9}
        assert set(np.flatnonzero(state.aware)) <= {0, 7, 8, 9} | set(
            np.flatnonzero(state.reminded)
        )


def test_a_private_talk_is_read_by_nobody():
    net = star(5)
    public = PublicSpec(follower_share=1.0, browsers=3, rating_readers=0.0)
    wom = QUIET.model_copy(update={"public_share": 0.0})
    state = state_of([0.6, 0, 0, 0, 0, 0], aware=[True] + [False] * 5)
    out = week(state, net, wom=wom, public=public, speakers=[0])
    assert out.views == 0 and len(out.mentions) == 0 and state.aware.sum() == 2


# -------------------------------------------------------------------------------- the rating
def test_the_rating_is_the_decayed_balance_of_visible_mentions():
    spec = PublicSpec(rating_half_life=1.0, answered_weight=0.25, rating_volume_half=5.0)
    rating = Rating(spec, n=1000)
    assert math.isnan(rating.position()) and rating.strength(0.6, 0.4) == 0.0
    rating.add(3, 1)
    assert rating.position() == pytest.approx(0.5)
    rating.new_week()  # every weight halves: 1.5 and 0.5
    rating.answered(1)  # last week's complaint now weighs 0.25 of its 0.5
    assert rating.negative == pytest.approx(0.125)
    assert rating.position() == pytest.approx((1.5 - 0.125) / (1.5 + 0.125))
    volume = (1.5 + 0.125) * 1000 / 1000
    assert rating.strength(0.6, 0.4) == pytest.approx(0.24 * volume / (volume + 5.0))


def test_customers_who_look_at_the_rating_are_pulled_toward_it():
    """Rating 0.5 from 30 positive and 10 negative mentions among 10 customers (4,000 per
    1,000): aware customers in the category look (rating readers 1) and move by
    c mu V / (V + half) toward 0.5; the unaware and those outside the category do not."""
    net = star(9)
    public = PublicSpec(follower_share=0.0, browsers=0, rating_readers=1.0, credibility=0.5)
    rating = Rating(public, 10)
    rating.add(30, 10)
    attitude = np.linspace(-0.4, 0.4, 10)  # all within the bound (epsilon 1) of 0.5
    state = state_of(attitude, aware=[True] * 8 + [False] * 2)
    state.in_market[3] = False
    strength = rating.strength(0.5, QUIET.mu)
    out = week(state, net, public=public, rating=rating)
    assert out.rating_readers == 7
    for i in range(10):
        looks = i < 8 and i != 3
        want = attitude[i] + strength * (0.5 - attitude[i]) if looks else attitude[i]
        assert state.attitude[i] == pytest.approx(want), i
    assert rating.positive == 30 and rating.negative == 10  # nobody posted this week


def test_the_weeks_public_mentions_are_added_to_the_rating():
    net = star(3)
    state = state_of([-0.5, 0.2, 0.3, 0.4])
    public = PublicSpec(**NO_PUBLIC_READING)
    rating = Rating(public, 4)
    week(state, net, public=public, speakers=[0, 1, 2], rating=rating)
    assert (rating.positive, rating.negative) == (2, 1)


# ----------------------------------------------------------------------------------- stories
def test_a_story_is_retold_once_and_its_hearers_hold_it_from_next_week():
    """Customer 0 holds a dialogue story (ready, retell probability 1); it is retold to one
    listener, who now holds it (received this week: negative kind, same id and message) and
    the cascade counts 2. The teller's story is spent. Next week only the new holder retells."""
    net = star(3)
    state = state_of([0.1, 0.0, 0.0, 0.0], aware=[True, False, False, False])
    state.story_kind[0] = STORY_DIALOGUE
    state.story_message[0] = 0.7
    state.story_id[0] = 0
    cascades = Cascades()
    cascades.reserve(1)[0] = 1
    cascades.count = 1
    stories = StoriesSpec(**NO_STORIES, dialogue_retell=1.0)
    wom = QUIET.model_copy(update={"public_share": 0.0})
    out = week(state, net, wom=wom, stories=stories, cascades=cascades)
    assert out.retold == 1 and out.positive == 1
    hearer = int(np.flatnonzero(state.story_id == 0)[1])
    assert state.story_kind[hearer] == -STORY_DIALOGUE
    assert state.story_message[hearer] == np.float32(0.7) and state.aware[hearer]
    assert state.story_kind[0] == 0 and cascades.current().tolist() == [2]
    # the hearer was pulled toward the story's message (0.7), not the teller's attitude (0.1)
    assert state.attitude[hearer] == pytest.approx(QUIET.credibility * QUIET.mu * 0.7)
    spend_stories(state)
    assert state.story_kind[hearer] == STORY_DIALOGUE
    out = week(state, net, wom=wom, stories=stories, cascades=cascades, seed=5)
    # the leaf retells to its only tie, the hub, who started this story: it does not take it
    # again, so the cascade stays at 2
    assert out.retold == 1 and state.story_kind[0] == 0
    assert cascades.current().tolist() == [2]


def test_a_story_not_retold_is_spent_and_one_received_this_week_waits():
    net = star(2)
    state = state_of([0.0, 0.0, 0.0])
    state.story_kind[:] = [STORY_AD, -STORY_AD, 0]
    state.story_id[:] = [0, 1, -1]
    stories = StoriesSpec(**NO_STORIES, ad_retell=0.0)
    out = week(state, net, stories=stories)
    assert out.retold == 0 and state.story_kind.tolist() == [0, -STORY_AD, 0]
    stories = StoriesSpec(**NO_STORIES, ad_retell=1.0)
    assert week(state, net, stories=stories).retold == 0  # still waiting for next week


def test_stories_start_with_their_share_and_get_ids_in_customer_order():
    state = state_of(np.zeros(6))
    state.story_kind[2] = STORY_AD  # already holds one: not a candidate
    cascades = Cascades()
    key = np.uint64(12345)
    started = start_stories(state, np.arange(6), STORY_AD, 0.8, 1.0, key, cascades)
    assert started == 5 and cascades.current().tolist() == [1] * 5
    assert state.story_id.tolist() == [0, 1, -1, 2, 3, 4]
    assert (state.story_kind[[0, 1, 3, 4, 5]] == -STORY_AD).all()
    assert start_stories(state, np.arange(6), STORY_AD, 0.8, 0.0, key, cascades) == 0


def test_cascades_grow_past_their_first_room():
    cascades = Cascades()
    state = state_of(np.zeros(200))
    start_stories(state, np.arange(200), STORY_AD, 0.5, 1.0, np.uint64(1), cascades)
    assert cascades.count == 200 and cascades.current().sum() == 200


def test_cascade_summary():
    got = cascade_summary(np.array([1, 1, 1, 2, 15]))
    assert got["single"] == 0.6 and got["ten_or_more"] == 0.2 and got["largest"] == 15
    assert cascade_summary(np.array([]))["cascades"] == 0


# ------------------------------------------------------------- advertising starts conversations
@pytest.mark.parametrize("attitudes", [True, False])
def test_a_customer_who_saw_an_ad_talks_with_the_lift(attitudes):
    """talk_base 0 and lift 1: exactly the exposed aware customers talk (with attitudes on);
    with attitudes off the lift is off (the talk probability is talk_base, the Bass q)."""
    net = star(4)
    state = state_of(np.zeros(5))
    state.exposed[[1, 3]] = True
    wom = QUIET.model_copy(update={"public_share": 0.0})
    out = week(state, net, wom=wom, talk_lift=1.0, attitudes=attitudes)
    assert out.positive == (2 if attitudes else 0)


def test_the_engine_records_who_saw_an_ad_this_week():
    from sim import BrandModel

    model = BrandModel(arm={"budget": 2.0, "push_share": 1.0}, rng=1, network={"n": 500})
    model.step()
    exposed = model.state.exposed.copy()
    assert 0 < exposed.sum() <= model.last_push.impressions
    assert (model.state.adstock[exposed] >= 1).all()


def test_nobody_takes_up_one_story_twice():
    """A customer who held story 3 and then story 5 hears story 3 retold: they do not take it
    up again (it is older than a story they held), so its cascade does not count them twice;
    a newer story (7) is taken up."""
    net = star(1)
    stories = StoriesSpec(**NO_STORIES, ad_retell=1.0)
    wom = QUIET.model_copy(update={"public_share": 0.0})
    cascades = Cascades()
    cascades.reserve(8)[:8] = 1
    cascades.count = 8
    for told, taken in ((3, False), (7, True)):
        state = state_of([0.0, 0.0])
        state.story_kind[0], state.story_id[0], state.story_message[0] = STORY_AD, told, 0.5
        state.story_id[1] = 5  # customer 1 held story 5 (spent)
        week(state, net, wom=wom, stories=stories, cascades=cascades)
        assert (state.story_id[1] == told) == taken
        assert (state.story_kind[1] == -STORY_AD) == taken
    assert cascades.current()[3] == 1 and cascades.current()[7] == 2


def test_no_cascade_counts_more_customers_than_there_are():
    """Widely read stories retold with probability 1 for 30 weeks (the setting where the
    first version of the rule counted a customer in one cascade again and again)."""
    from sim import BrandModel

    model = BrandModel(
        network={"n": 200},
        arm={"budget": 50.0, "push_share": 0.5},
        wom={"public_share": 1.0},
        public={"follower_share": 1.0, "browsers": 5},
        stories={"ad_share": 0.2, "ad_retell": 1.0, "dialogue_retell": 1.0},
        rng=2,
        collect=False,
    )
    model.run_for(30)
    assert 1 < model.cascades.largest() <= 200
