"""Step 3 of the week, word of mouth: customers talk, post, retell stories and read ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import prange

from sim.engine.influence import pull_messages_in_parts
from sim.engine.jit import BLOCK, compiled, pick, threads
from sim.engine.rules.contacts import NeighbourSampler, sample_neighbours
from sim.engine.rules.dialogue import Mentions
from sim.engine.rules.public import Rating
from sim.engine.rules.selection import gather_flag
from sim.engine.rules.stories import Cascades, retell_table
from sim.engine.state import HEARD_WOM, CustomerState
from sim.engine.uniforms import full_uniform, half_uniform, week_key, word_at
from sim.params import PublicSpec, StoriesSpec, WomSpec


@dataclass
class WomOutcome:
    """What one week of talk did (absolute counts).

    positive, negative : talks by valence (complaints and retold stories included).
    retold : stories retold this week.
    views : reads of public posts (one per reader and post).
    readers : customers who read at least one public post.
    rating_readers : customers who looked at the visible rating.
    mentions : this week's public talks (the brand hears them next week).
    """

    positive: int = 0
    negative: int = 0
    retold: int = 0
    views: int = 0
    readers: int = 0
    rating_readers: int = 0
    mentions: Mentions | None = None


# Which key of the week each kind of talk and reading uses (``keys`` of ``_talk``).
_OWN, _COMPLAINT, _STORY, _FOLLOW, _BROWSE, _RATING = range(6)


def run_wom(
    state: CustomerState,
    spec: WomSpec,
    public: PublicSpec,
    stories: StoriesSpec,
    was_aware: np.ndarray,
    complainers: np.ndarray,
    complaint_position: float,
    talk_lift: float,
    sampler: NeighbourSampler,
    browse_pool: np.ndarray,
    rating: Rating,
    cascades: Cascades,
    rng: np.random.Generator,
    complaint_rng: np.random.Generator,
    public_rng: np.random.Generator,
    story_rng: np.random.Generator,
    attitudes: bool,
) -> WomOutcome:
    """One week of talk (docs/model.md, 7.4).

    Speakers: the customers aware at the start of the week (news takes a week to be retold) who
    talk with ``talk_probability``; this week's complainers (irritated by ads), who voice
    ``complaint_position`` and are reminded and aware of the brand; and the customers holding a
    story from an earlier week, who retell it with its kind's retell probability (the story is
    spent either way). Each talk reaches ``listeners`` neighbours drawn with replacement (by tie
    weight where the network has weights) and is public with probability ``public_share``. A
    public talk is also read by each of the speaker's ties with probability
    ``public.follower_share`` (drawn once per tie and week) and by ``public.browsers`` customers
    of ``browse_pool`` (the category's customers) drawn at random. Listeners and readers become
    aware; with attitudes on they are pulled toward the message with peer credibility
    (listeners) or the credibility of public opinion (readers), ``mu * negative_impact`` for
    negative messages. Everyone who hears or reads a retold story takes it up in turn if they
    hold none and it started after every story they held before (story ids count up in the order
    stories start), so nobody takes one story twice. Aware customers in the category look at the
    visible ``rating`` with probability ``public.rating_readers`` and are pulled toward it
    (sim.engine.rules.public). All of the week's messages are judged against the attitudes at
    the start of the step. Speakers and everyone who heard or read are reminded of the brand.
    Finally the week's public talks are added to the rating.

    Random numbers (common across arms; sim.engine.uniforms): customer ``c`` uses words
    ``c * W .. c * W + W - 1`` (``W = 1 + ceil(listeners / 2)``) of the week's talk key for
    talking, going public and choosing listeners; the ``j``-th complainer the same layout of the
    complaint key (push stream); a story holder the same layout of the story key; tie ``p`` of
    the CSR arrays word ``p`` of the follower key; browser ``b`` of customer ``c``'s talk of
    kind ``k`` (0 own, 1 complaint, 2 story) word ``(3 c + k) * browsers + b`` of the browse key;
    the rating reader ``c`` word ``c`` of the rating key.
    """
    keys = np.empty(6, dtype=np.uint64)
    keys[_OWN] = week_key(rng)
    keys[_COMPLAINT] = week_key(complaint_rng)
    keys[_FOLLOW] = week_key(public_rng)
    keys[_BROWSE] = week_key(public_rng)
    keys[_RATING] = week_key(public_rng)
    keys[_STORY] = week_key(story_rng)
    rating_message = rating.position()
    rating_strength = rating.strength(public.credibility, spec.mu) if attitudes else 0.0
    if not np.isfinite(rating_message):
        rating_message, rating_strength = 0.0, 0.0
    sizes = cascades.sizes
    (
        positive,
        negative,
        retold,
        views,
        distinct_readers,
        rating_readers,
        mention_speaker,
        mention_negative,
        reader_start,
        readers,
    ) = pick(_talk)(
        state.aware,
        state.heard,
        state.reminded,
        state.heard_via,
        state.attitude,
        state.advocacy,
        state.scratch,
        was_aware,
        state.exposed,
        state.in_market,
        state.story_kind,
        state.story_message,
        state.story_id,
        sizes,
        *sampler.arrays(),
        browse_pool,
        keys,
        complainers,
        float(complaint_position),
        spec.talk_base,
        spec.talk_feeling if attitudes else 0.0,
        spec.talk_advocacy if attitudes else 0.0,
        spec.negative_incidence if attitudes else 1.0,
        talk_lift if attitudes else 0.0,
        spec.listeners,
        spec.public_share,
        public.follower_share,
        public.browsers,
        spec.credibility,
        public.credibility,
        spec.mu,
        min(1.0, spec.mu * spec.negative_impact),
        spec.epsilon,
        attitudes,
        retell_table(stories),
        float(rating_message),
        float(rating_strength),
        public.rating_readers if rating_strength > 0.0 else 0.0,
        threads(),
    )
    mentions = Mentions(mention_speaker, mention_negative, reader_start, readers)
    n_negative_mentions = int(np.count_nonzero(mention_negative))
    rating.add(len(mentions) - n_negative_mentions, n_negative_mentions)
    return WomOutcome(
        positive=int(positive),
        negative=int(negative),
        retold=int(retold),
        views=int(views),
        readers=int(distinct_readers),
        rating_readers=int(rating_readers),
        mentions=mentions,
    )


@compiled(parallel=True)
def _talk(
    aware,
    heard,
    reminded,
    heard_via,
    attitude,
    advocacy,
    scratch,
    was_aware,
    exposed,
    in_market,
    story_kind,
    story_message,
    story_id,
    cascade_sizes,
    indptr,
    indices,
    degree,
    cumulative,
    row_start,
    row_total,
    browse_pool,
    keys,
    complainers,
    complaint_position,
    base,
    feeling,
    advocacy_weight,
    negative_incidence,
    lift,
    listeners,
    public_share,
    follower_share,
    browsers,
    credibility,
    public_credibility,
    mu,
    mu_negative,
    epsilon,
    attitudes,
    retell,
    rating_message,
    rating_strength,
    rating_readers,
    parts,
):
    """Compiled body of :func:`run_wom` (its docstring gives the rules and the random numbers).

    ``parts``: how many ranges of customers take the week's messages in parallel (any number
    gives the same results). Returns (positive talks, negative talks, stories retold, post
    views, distinct post readers, rating readers, the public talks' speakers, whether each was
    negative, and their readers as CSR: reader_start of length mentions + 1 and readers).
    """
    advocacy_weight32 = np.float32(advocacy_weight)
    n = aware.size
    n_parts = max(1, min(parts, n))  # ranges of customers for the passes over the messages
    per_customer = 1 + (listeners + 1) // 2
    # Who talks, who holds a story and who looks at the rating: one pass over the customers
    # in fixed blocks (in parallel in the threads' copy), a code of three flags per customer
    # and each block's count of each flag (:func:`_talk_block`); then each list in customer
    # order (``gather_flag``), the complainers, and the holders who retell their story.
    blocks = (n + BLOCK - 1) // BLOCK
    codes = np.empty(n, dtype=np.uint8)
    per_block = np.zeros((3, blocks), dtype=np.int64)
    rating = rating_readers > 0.0
    for b in prange(blocks):
        low, high = b * BLOCK, min(n, (b + 1) * BLOCK)
        _talk_block(
            low,
            codes[low:high],
            attitude[low:high],
            advocacy[low:high],
            exposed[low:high],
            was_aware[low:high],
            degree[low:high],
            aware[low:high],
            in_market[low:high],
            story_kind[low:high],
            keys[0],
            keys[5],
            per_customer,
            base,
            lift,
            feeling,
            advocacy_weight32,
            negative_incidence,
            rating,
            rating_readers,
            per_block[:, b],
        )
    own = gather_flag(codes, _TALKS, per_block[0])
    holding = gather_flag(codes, _HOLDS, per_block[1])
    looking = gather_flag(codes, _LOOKS, per_block[2])
    # Who retells a story: the holders (few; a held story from an earlier week is positive)
    # decide with their own word of the story key.
    story_key = keys[2]
    retellers = np.empty(holding.size, dtype=np.int64)
    n_retellers = 0
    for j in range(holding.size):
        i = holding[j]
        u = half_uniform(word_at(story_key, i * per_customer), False)
        if degree[i] > 0 and u < retell[story_kind[i]]:
            retellers[n_retellers] = i
            n_retellers += 1
    size = own.size + complainers.size + n_retellers + 1
    talks = np.empty(size, dtype=np.int64)
    kind_of = np.empty(size, dtype=np.int8)
    row_of = np.empty(size, dtype=np.int64)
    count = own.size
    for t in prange(count):
        talks[t] = own[t]
        row_of[t] = own[t]
        kind_of[t] = 0
    # Complainers not aware until now may look at the rating too (aware from here on): their
    # decisions, in customer order, merged below into the others'.
    late_lookers = np.empty(complainers.size if rating else 0, dtype=np.int64)
    n_late = 0
    rating_key = keys[5]
    for c in range(complainers.size):
        who = complainers[c]
        if degree[who] > 0:
            talks[count] = who
            row_of[count] = c
            kind_of[count] = 1
            count += 1
        late = rating and not aware[who] and in_market[who]
        if late and half_uniform(word_at(rating_key, who), False) < rating_readers:
            late_lookers[n_late] = who
            n_late += 1
        aware[who] = True  # complaining about the brand: it is on their mind
        reminded[who] = True
        if not heard[who]:
            heard[who] = True
            heard_via[who] = HEARD_WOM
    first_story = count
    for i in retellers[:n_retellers]:
        talks[count] = i
        row_of[count] = i
        count += 1
    kind_of[first_story:count] = 2
    total = count
    # The story of each retelling (read before any holder is changed), then every held story
    # from an earlier week is spent: it is retold once or not at all.
    talk_story = np.full(total, -1, dtype=np.int64)
    talk_story_kind = np.zeros(total, dtype=np.int8)
    for t in range(first_story, total):
        talk_story[t] = story_id[talks[t]]
        talk_story_kind[t] = story_kind[talks[t]]
    for i in holding:
        story_kind[i] = 0
    # One pass over the talks: the message, whether it is public, and the ``listeners``
    # (speaker, uniform number) pairs that choose who hears it.
    message_of = np.empty(total)
    public = np.empty(total, dtype=np.bool_)
    speaker_of = np.empty(total * listeners, dtype=np.int64)
    u_of = np.empty(total * listeners)
    negative = 0
    mentions = 0
    reads_bound = 0
    k = 0
    for t in range(total):
        s = talks[t]
        kind = kind_of[t]
        key = keys[kind]
        first = row_of[t] * per_customer
        if kind == 0:
            message = attitude[s] if attitudes else 0.0
        elif kind == 1:
            message = complaint_position
        else:
            message = np.float64(story_message[s])
        message_of[t] = message
        public[t] = half_uniform(word_at(key, first), True) < public_share
        negative += message < 0
        mentions += public[t]
        reads_bound += (degree[s] + browsers) * public[t]
        for j in range(listeners):
            speaker_of[k] = s
            u_of[k] = half_uniform(word_at(key, first + 1 + (j >> 1)), j & 1)
            k += 1
    heard_by = sample_neighbours(
        speaker_of, u_of, indptr, indices, degree, cumulative, row_start, row_total
    )
    # Readers of the public talks: followers (ties) and browsers (random category customers).
    mention_speaker = np.empty(mentions, dtype=np.int64)
    mention_negative = np.empty(mentions, dtype=np.bool_)
    reader_start = np.zeros(mentions + 1, dtype=np.int64)
    readers = np.empty(reads_bound, dtype=np.int64)
    reader_talk = np.empty(reads_bound, dtype=np.int64)
    follow_key, browse_key = keys[3], keys[4]
    pool = browse_pool.size
    m = 0
    r = 0
    for t in range(total):
        if not public[t]:
            continue
        s = talks[t]
        mention_speaker[m] = s
        mention_negative[m] = message_of[t] < 0
        for position in range(indptr[s], indptr[s + 1]):
            if half_uniform(word_at(follow_key, position), False) < follower_share:
                readers[r] = indices[position]
                reader_talk[r] = t
                r += 1
        if pool > 0:
            for b in range(browsers):
                word = word_at(browse_key, (3 * s + kind_of[t]) * browsers + b)
                readers[r] = browse_pool[np.int64(full_uniform(word) * pool)]
                reader_talk[r] = t
                r += 1
        m += 1
        reader_start[m] = r
    views = r
    # Distinct readers, counted with the (all-zero) scratch row as marks, which are cleared
    # again before the pulls below use it.
    marks = scratch[0]
    distinct = 0
    for j in range(views):
        distinct += marks[readers[j]] == 0.0
        marks[readers[j]] = 1.0
    for j in range(views):
        marks[readers[j]] = 0.0
    # The visible rating: aware customers in the category who look at it (decided in the
    # first pass, and for the complainers made aware since), in customer order.
    lookers_at = _merge(looking, late_lookers[:n_late])
    lookers = lookers_at.size
    # Every message of the week, judged against the attitudes at the start of the step.
    if attitudes:
        size = k + views + lookers
        who = np.empty(size, dtype=np.int64)
        what = np.empty(size)
        strength = np.empty(size)
        for j in prange(k):
            t = j // listeners
            who[j] = heard_by[j]
            what[j] = message_of[t]
            strength[j] = credibility * (mu_negative if message_of[t] < 0 else mu)
        for j in prange(views):
            t = reader_talk[j]
            who[k + j] = readers[j]
            what[k + j] = message_of[t]
            strength[k + j] = public_credibility * (mu_negative if message_of[t] < 0 else mu)
        q = k + views
        for j in prange(lookers):
            who[q + j] = lookers_at[j]
            what[q + j] = rating_message
            strength[q + j] = rating_strength
        if size:
            pull_messages_in_parts(attitude, who, what, strength, epsilon, scratch, n_parts)
    for t in range(total):  # talking about the brand keeps it in the speaker's mind too
        reminded[talks[t]] = True
    for j in prange(lookers):
        reminded[lookers_at[j]] = True
    # Everyone who heard or read: by ranges of customers, in parallel (each range takes the
    # messages to its own customers in message order, so a story is taken up as in one pass);
    # then the cascades' sizes, in message order.
    heard_count = k + views
    taken = np.zeros(heard_count, dtype=np.bool_)
    for part in prange(n_parts):
        first_hearer, end = part * n // n_parts, (part + 1) * n // n_parts
        for j in range(heard_count):
            if j < k:
                hearer, t = heard_by[j], j // listeners
            else:
                hearer, t = readers[j - k], reader_talk[j - k]
            if first_hearer <= hearer < end:
                if not heard[hearer]:
                    heard[hearer] = True
                    heard_via[hearer] = HEARD_WOM
                aware[hearer] = True
                reminded[hearer] = True
                story = talk_story[t]
                if story > story_id[hearer] and story_kind[hearer] == 0:
                    story_kind[hearer] = -talk_story_kind[t]
                    story_message[hearer] = message_of[t]
                    story_id[hearer] = story
                    taken[j] = True
    for j in range(heard_count):
        if taken[j]:
            cascade_sizes[talk_story[j // listeners if j < k else reader_talk[j - k]]] += 1
    return (
        total - negative,
        negative,
        total - first_story,
        views,
        distinct,
        lookers,
        mention_speaker,
        mention_negative,
        reader_start,
        readers[:views],
    )


# The flags of _talk_block's codes.
_TALKS, _HOLDS, _LOOKS = 0, 1, 2


@compiled
def _talk_block(
    low,
    codes,
    attitude,
    advocacy,
    exposed,
    was_aware,
    degree,
    aware,
    in_market,
    story_kind,
    own_key,
    rating_key,
    per_customer,
    base,
    lift,
    feeling,
    advocacy_weight32,
    negative_incidence,
    rating,
    rating_readers,
    counts,
):
    """The block of customers ``low, low + 1, ...`` of :func:`_talk` (views of its arrays):
    ``codes`` gets each customer's flags, bit ``_TALKS`` (aware at the start of the week, has
    a tie, and talks: the high half of word ``c * per_customer`` of the talk key below the
    talk probability), ``_HOLDS`` (holds a story from an earlier week) and ``_LOOKS`` (aware
    now, in the category, and the high half of word ``c`` of the rating key below
    ``rating_readers``); ``counts`` the number of each in the block. A kernel of its own, as
    plain loops without branches, so that the compiler vectorises them (inside numba's
    parallel loop it did not); the flags and their counts in separate loops over the block
    (it stays in the cache): one loop with the three sums was 1.3 times as slow."""
    for j in range(codes.size):
        p = talk_probability(
            attitude[j],
            advocacy[j],
            base + lift * exposed[j],
            feeling,
            advocacy_weight32,
            negative_incidence,
        )
        u = half_uniform(word_at(own_key, (low + j) * per_customer), False)
        codes[j] = np.uint8(was_aware[j] & (degree[j] > 0) & (u < p))
    if rating:
        for j in range(codes.size):
            look = half_uniform(word_at(rating_key, low + j), False) < rating_readers
            look &= aware[j] & in_market[j]
            codes[j] |= (np.uint8(story_kind[j] > 0) << 1) | (np.uint8(look) << 2)
    else:
        for j in range(codes.size):
            codes[j] |= np.uint8(story_kind[j] > 0) << 1
    talks = holds = looks = 0
    for j in range(codes.size):
        code = codes[j]
        talks += np.int64(code & 1)
        holds += np.int64((code >> 1) & 1)
        looks += np.int64((code >> 2) & 1)
    counts[0] = talks
    counts[1] = holds
    counts[2] = looks


@compiled(inline=True)
def _merge(first, second):
    """The ascending indices of ``first`` and ``second`` (each ascending, no index in both)."""
    if second.size == 0:
        return first
    out = np.empty(first.size + second.size, dtype=np.int64)
    i = j = 0
    for k in range(out.size):
        if j >= second.size or (i < first.size and first[i] < second[j]):
            out[k] = first[i]
            i += 1
        else:
            out[k] = second[j]
            j += 1
    return out


@compiled(inline=True)
def talk_probability(attitude, advocacy, base, feeling, advocacy_weight32, negative_incidence):
    """Weekly probability that an aware customer talks, in [0, 1].

    ``base + feeling * |a| + advocacy_weight * advocacy`` (``talk_base`` plus, for a customer
    who saw an ad this week, ``push.talk_lift``; ``talk_feeling``; ``talk_advocacy``), times
    ``negative_incidence`` when the attitude ``a`` is negative, cut to [0, 1]. ``advocacy`` and
    ``advocacy_weight32`` are float32 (the advocacy term is computed in float32). With
    attitudes off the rule is called with feeling, advocacy weight and lift 0 and incidence 1:
    ``talk_base`` (q of the Bass limit).
    """
    p = abs(attitude) * feeling + base
    p += advocacy * advocacy_weight32
    p *= negative_incidence if attitude < 0 else 1.0
    return min(max(p, 0.0), 1.0)
