"""Step 2 of the week, dialogue: listen to last week's public mentions, answer, reach out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.influence import pull_messages, repeated_pull
from sim.engine.jit import compiled
from sim.engine.rules.contacts import NeighbourSampler
from sim.engine.state import HEARD_DIALOGUE, CustomerState
from sim.engine.uniforms import half_uniform, week_key, word_at
from sim.params import DialogueSpec


@dataclass
class Mentions:
    """Public talks of one week: who spoke, and whether it was negative (a complaint)."""

    speaker: np.ndarray
    negative: np.ndarray

    @classmethod
    def none(cls) -> Mentions:
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=bool))

    def __len__(self) -> int:
        return int(self.speaker.size)


@dataclass
class DialogueOutcome:
    capacity: int = 0
    conversations: int = 0
    complaints_answered: int = 0
    mentions_answered: int = 0
    mentions_heard: int = 0
    outreach: int = 0
    spend: float = 0.0


class HubQueue:
    """Outreach to the most connected customers first: a cursor over customers by degree."""

    def __init__(self, degree: np.ndarray):
        self.order = np.argsort(-degree, kind="stable")
        self.cursor = 0

    def take(self, count: int) -> np.ndarray:
        n = self.order.size
        positions = (self.cursor + np.arange(min(count, n))) % n
        self.cursor = (self.cursor + count) % n
        return self.order[positions]


def conversation_target(spec: DialogueSpec, product_fit: float) -> float:
    """What a conversation argues for: the brand's claim, capped at fit + honesty margin."""
    return float(min(spec.claim, product_fit + spec.honesty_margin))


def run_dialogue(
    state: CustomerState,
    spec: DialogueSpec,
    budget: float,
    mentions: Mentions,
    outreach: str,
    hubs: HubQueue,
    sampler: NeighbourSampler,
    product_fit: float,
    rng: np.random.Generator,
    attitudes: bool,
) -> DialogueOutcome:
    """Hold up to ``floor(budget / cost_per_conversation)`` conversations this week.

    The brand hears each of last week's public mentions with probability ``listening_share`` and
    answers their authors, complaints (negative mentions) first, in random order within each kind,
    one conversation per customer. Spare capacity goes to outreach: random customers, or the most
    connected first (``hubs``), or none. A conversation makes the customer aware, pulls their
    attitude once toward ``min(claim, fit + honesty_margin)`` with the brand's credibility, and
    sets their advocacy to at least ``advocacy_boost``. Aware neighbours of an answered complainer
    see the answer and are pulled with strength ``credibility * observer_mu``.

    Spend is ``conversations * cost_per_conversation`` and never exceeds ``budget``.
    """
    capacity = int(budget / spec.cost_per_conversation + 1e-9) if budget > 0 else 0
    outcome = DialogueOutcome(capacity=capacity)
    if capacity == 0:
        return outcome
    n = state.aware.size
    answered, answered_negative, outcome.mentions_heard = _answer_order(
        mentions.speaker,
        mentions.negative,
        week_key(rng),
        spec.listening_share,
        capacity,
        n,
    )
    spare = capacity - answered.size
    if outreach == "random" and spare > 0:
        reached = rng.choice(n, size=min(spare, n), replace=False)
    elif outreach == "hubs" and spare > 0:
        reached = hubs.take(spare)
    else:
        reached = _NOBODY
    outcome.conversations = answered.size + reached.size
    outcome.mentions_answered = answered.size
    outcome.outreach = reached.size
    outcome.spend = outcome.conversations * spec.cost_per_conversation
    outcome.complaints_answered = _converse(
        state.aware,
        state.heard,
        state.reminded,
        state.heard_via,
        state.attitude,
        state.advocacy,
        state.scratch,
        answered,
        answered_negative,
        reached,
        sampler.indptr,
        sampler.indices,
        np.float32(spec.advocacy_boost),
        conversation_target(spec, product_fit),
        spec.credibility * spec.mu,
        spec.credibility * spec.observer_mu,
        spec.epsilon,
        attitudes,
    )
    return outcome


_NOBODY = np.empty(0, dtype=np.int64)


@compiled
def _answer_order(speaker, negative, key, listening_share, capacity, n):
    """Whom the brand answers: the heard mentions in random order, complaints first, one answer
    per customer, at most ``capacity``. Returns (customers, whether each answered mention was a
    complaint, how many mentions were heard).

    Mention ``j`` is heard when the high half of word ``j`` of the week's ``key`` is below
    ``listening_share``; heard mentions are ordered by its low half (ties by position).
    """
    heard = np.empty(speaker.size, dtype=np.int64)
    keys = np.empty(speaker.size)
    count = 0
    for j in range(speaker.size):
        word = word_at(key, j)
        heard[count] = j
        keys[count] = half_uniform(word, True)
        count += half_uniform(word, False) < listening_share
    order = heard[:count][np.argsort(keys[:count], kind="mergesort")]
    answered = np.empty(min(capacity, count), dtype=np.int64)
    answered_negative = np.empty(answered.size, dtype=np.bool_)
    done = np.zeros(n, dtype=np.bool_)
    k = 0
    for complaints in (True, False):
        for j in order:
            who = speaker[j]
            if k < answered.size and negative[j] == complaints and not done[who]:
                done[who] = True
                answered[k] = who
                answered_negative[k] = complaints
                k += 1
    return answered[:k], answered_negative[:k], count


@compiled
def _converse(
    aware,
    heard,
    reminded,
    heard_via,
    attitude,
    advocacy,
    scratch,
    answered,
    answered_negative,
    reached,
    indptr,
    indices,
    boost32,
    target,
    strength,
    observer_strength,
    epsilon,
    attitudes,
):
    """Compiled body of :func:`run_dialogue` once it is known whom the brand talks with:
    the ``answered`` authors of mentions and the customers ``reached`` by outreach.

    A customer both answered and reached is pulled once (:func:`repeated_pull`, once, with
    ``strength = c * mu``). Returns the number of complaints answered.
    """
    talked = np.concatenate((answered, reached))
    moved = np.empty(talked.size)
    for j in range(talked.size):  # every conversation judged against the attitude before any
        moved[j] = repeated_pull(attitude[talked[j]], target, strength, 1, epsilon)
    for j in range(talked.size):
        who = talked[j]
        if not heard[who]:
            heard[who] = True
            heard_via[who] = HEARD_DIALOGUE
        aware[who] = True
        reminded[who] = True
        advocacy[who] = max(advocacy[who], boost32)
        if attitudes:
            attitude[who] = moved[j]
    complaints = 0
    for negative in answered_negative:
        complaints += negative
    if not attitudes or complaints == 0:
        return complaints
    # Aware neighbours of answered complainers see the answer (one message per sighting).
    count = 0
    for c in range(answered.size):
        if answered_negative[c]:
            for position in range(indptr[answered[c]], indptr[answered[c] + 1]):
                count += aware[indices[position]]
    observers = np.empty(count, dtype=indices.dtype)
    k = 0
    for c in range(answered.size):
        if answered_negative[c]:
            for position in range(indptr[answered[c]], indptr[answered[c] + 1]):
                if aware[indices[position]]:
                    observers[k] = indices[position]
                    k += 1
    pull_messages(
        attitude,
        observers,
        np.full(count, target),
        np.full(count, observer_strength),
        epsilon,
        scratch,
    )
    return complaints
