"""Step 3 of the week, word of mouth: aware customers talk to neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.influence import pull_messages
from sim.engine.jit import compiled
from sim.engine.rules.contacts import NeighbourSampler, sample_neighbours
from sim.engine.rules.dialogue import Mentions
from sim.engine.state import HEARD_WOM, CustomerState
from sim.engine.uniforms import half_uniform, week_key, word_at
from sim.params import WomSpec


@dataclass
class WomOutcome:
    positive: int = 0
    negative: int = 0
    mentions: Mentions | None = None


def run_wom(
    state: CustomerState,
    spec: WomSpec,
    was_aware: np.ndarray,
    complainers: np.ndarray,
    complaint_position: float,
    sampler: NeighbourSampler,
    rng: np.random.Generator,
    complaint_rng: np.random.Generator,
    attitudes: bool,
) -> WomOutcome:
    """One week of talk.

    Speakers are the customers aware at the start of the week (news takes a week to be retold)
    who talk with ``talk_probability``, plus this week's complainers (irritated by ads), who voice
    ``complaint_position``. Speakers and listeners are reminded of the brand. Each talk reaches
    ``listeners`` neighbours drawn with replacement
    (by tie weight where the network has weights). Listeners become aware; with attitudes on they
    are pulled toward the speaker's attitude with peer credibility (``mu * negative_impact`` for
    negative messages), all of one week's messages judged against the listener's attitude at the
    start of the talk step. Each talk is public with probability ``public_share``.

    Each customer has fixed random numbers for talking, going public and choosing listeners
    every week (sim.engine.uniforms), so two arms with the same seed use the same numbers for the
    same
    customer (common random numbers).
    """
    negative_incidence = spec.negative_incidence if attitudes else 1.0
    positive, negative, mention_speaker, mention_negative = _talk(
        state.aware,
        state.heard,
        state.reminded,
        state.heard_via,
        state.attitude,
        state.advocacy,
        state.scratch,
        was_aware,
        *sampler.arrays(),
        week_key(rng),
        complainers,
        week_key(complaint_rng),
        float(complaint_position),
        spec.talk_base,
        spec.talk_feeling if attitudes else 0.0,
        spec.talk_advocacy if attitudes else 0.0,
        negative_incidence,
        spec.listeners,
        spec.public_share,
        spec.credibility,
        spec.mu,
        min(1.0, spec.mu * spec.negative_impact),
        spec.epsilon,
        attitudes,
    )
    return WomOutcome(
        positive=int(positive),
        negative=int(negative),
        mentions=Mentions(mention_speaker, mention_negative),
    )


@compiled
def _talk(
    aware,
    heard,
    reminded,
    heard_via,
    attitude,
    advocacy,
    scratch,
    was_aware,
    indptr,
    indices,
    degree,
    cumulative,
    row_start,
    row_total,
    key,
    complainers,
    complaint_key,
    complaint_position,
    base,
    feeling,
    advocacy_weight,
    negative_incidence,
    listeners,
    public_share,
    credibility,
    mu,
    mu_negative,
    epsilon,
    attitudes,
):
    """Compiled body of :func:`run_wom`.

    Random numbers (sim.engine.uniforms): customer ``c`` uses words ``c * W`` to ``c * W + W - 1``
    of
    the week's ``key``, ``W = 1 + ceil(listeners / 2)``: the first word's halves decide whether
    they talk and whether the talk is public, the others choose the listeners (two per word).
    The ``c``-th complainer uses the same layout of the ``complaint_key`` words. With
    attitudes off, ``feeling`` and ``advocacy_weight`` are 0 and ``negative_incidence``
    1, so everyone aware talks with ``base`` (q of the Bass limit). Complainers without ties
    do not talk. Returns (positive talks, negative talks, public speakers, whether each was
    negative).
    """
    advocacy_weight32 = np.float32(advocacy_weight)
    n = aware.size
    per_customer = 1 + (listeners + 1) // 2
    # Who talks: first a flag per customer (a loop without branches, which the compiler
    # vectorises), then their indices in customer order; then the complainers.
    talking = np.empty(n, dtype=np.bool_)
    for i in range(n):
        p = talk_probability(
            attitude[i], advocacy[i], base, feeling, advocacy_weight32, negative_incidence
        )
        u = half_uniform(word_at(key, i * per_customer), False)
        talking[i] = was_aware[i] & (degree[i] > 0) & (u < p)
    talks = np.empty(n + complainers.size + 1, dtype=np.int64)
    count = 0
    for i in range(n):  # branch-free compaction
        talks[count] = i
        count += talking[i]
    speakers = count
    complaint_row = np.empty(complainers.size, dtype=np.int64)  # c of each talking complainer
    for c in range(complainers.size):
        if degree[complainers[c]] > 0:
            talks[count] = complainers[c]
            complaint_row[count - speakers] = c
            count += 1
    total = count
    # One pass over the talks: the message, whether it is public, and the ``listeners``
    # (speaker, uniform number) pairs that choose who hears it. Every message is judged against
    # the listener's attitude before any of this week's talk (pull_messages below).
    negative_talk = np.empty(total, dtype=np.bool_)
    public = np.empty(total, dtype=np.bool_)
    speaker_of = np.empty(total * listeners, dtype=np.int64)
    u_of = np.empty(total * listeners)
    heard_message = np.empty(total * listeners)
    heard_strength = np.empty(total * listeners)
    negative = 0
    mentions = 0
    k = 0
    for t in range(total):
        own = t < speakers
        talk_key = key if own else complaint_key
        first = (talks[t] if own else complaint_row[t - speakers]) * per_customer
        spoken = attitude[talks[t]] if attitudes else 0.0
        message = spoken if own else complaint_position
        public[t] = half_uniform(word_at(talk_key, first), True) < public_share
        negative_talk[t] = message < 0
        negative += negative_talk[t]
        mentions += public[t]
        strength = credibility * (mu_negative if message < 0 else mu)
        for j in range(listeners):
            speaker_of[k] = talks[t]
            u_of[k] = half_uniform(word_at(talk_key, first + 1 + (j >> 1)), j & 1)
            heard_message[k] = message
            heard_strength[k] = strength
            k += 1
    mention_speaker = np.empty(mentions, dtype=np.int64)
    mention_negative = np.empty(mentions, dtype=np.bool_)
    m = 0
    for t in range(total):
        if public[t]:
            mention_speaker[m] = talks[t]
            mention_negative[m] = negative_talk[t]
            m += 1
    heard_by = sample_neighbours(
        speaker_of, u_of, indptr, indices, degree, cumulative, row_start, row_total
    )
    if attitudes and k:
        pull_messages(attitude, heard_by, heard_message, heard_strength, epsilon, scratch)
    for t in range(total):  # talking about the brand keeps it in the speaker's mind too
        reminded[talks[t]] = True
    for j in range(k):
        who = heard_by[j]
        if not heard[who]:
            heard[who] = True
            heard_via[who] = HEARD_WOM
        aware[who] = True
        reminded[who] = True
    return total - negative, negative, mention_speaker, mention_negative


@compiled(inline=True)
def talk_probability(attitude, advocacy, base, feeling, advocacy_weight32, negative_incidence):
    """Weekly probability that an aware customer talks, in [0, 1].

    ``base + feeling * |a| + advocacy_weight * advocacy`` (``talk_base``, ``talk_feeling``,
    ``talk_advocacy``), times ``negative_incidence`` when the attitude ``a`` is negative, cut to
    [0, 1]. ``advocacy`` and ``advocacy_weight32`` are float32 (the advocacy term is computed
    in float32). With attitudes off the rule is called with feeling and advocacy weight 0 and
    incidence 1: ``talk_base`` (q of the Bass limit).
    """
    p = abs(attitude) * feeling + base
    p += advocacy * advocacy_weight32
    p *= negative_incidence if attitude < 0 else 1.0
    return min(max(p, 0.0), 1.0)
