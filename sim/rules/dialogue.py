"""Step 2 of the week, dialogue: listen to last week's public mentions, answer, reach out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.influence import pull_messages
from sim.jit import compiled
from sim.params import DialogueSpec
from sim.rules.contacts import NeighbourSampler
from sim.state import HEARD_DIALOGUE, CustomerState


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
    capacity = int(np.floor(budget / spec.cost_per_conversation + 1e-9)) if budget > 0 else 0
    outcome = DialogueOutcome(capacity=capacity)
    if capacity == 0:
        return outcome
    n = state.aware.size
    heard = rng.random(len(mentions)) < spec.listening_share
    shuffle = rng.permutation(int(np.count_nonzero(heard)))
    answered, answered_negative = _answer_order(
        mentions.speaker, mentions.negative, heard, shuffle, capacity, n
    )
    spare = capacity - answered.size
    if outreach == "random" and spare > 0:
        reached = rng.choice(n, size=min(spare, n), replace=False)
    elif outreach == "hubs" and spare > 0:
        reached = hubs.take(spare)
    else:
        reached = _NOBODY
    talked = np.concatenate((answered, reached))
    outcome.conversations = int(talked.size)
    outcome.mentions_answered = int(answered.size)
    outcome.complaints_answered = int(np.count_nonzero(answered_negative))
    outcome.outreach = int(reached.size)
    outcome.spend = outcome.conversations * spec.cost_per_conversation
    target = conversation_target(spec, product_fit)
    _converse(
        state.aware,
        state.heard_via,
        state.attitude,
        state.advocacy,
        talked,
        answered[answered_negative],
        sampler.indptr,
        sampler.indices,
        np.float32(spec.advocacy_boost),
        target,
        (1.0 - spec.credibility * spec.mu) ** 1,
        spec.credibility * spec.observer_mu,
        spec.epsilon,
        attitudes,
    )
    return outcome


_NOBODY = np.empty(0, dtype=np.int64)


@compiled
def _answer_order(speaker, negative, heard, shuffle, capacity, n):
    """Whom the brand answers: the heard mentions in the random order ``shuffle``, complaints
    first (stable), one answer per customer, at most ``capacity``. Returns (customers, whether
    each answered mention was a complaint)."""
    heard_speaker = speaker[heard][shuffle]
    heard_negative = negative[heard][shuffle]
    answered = np.empty(min(capacity, heard_speaker.size), dtype=np.int64)
    answered_negative = np.empty(answered.size, dtype=np.bool_)
    done = np.zeros(n, dtype=np.bool_)
    count = 0
    for complaints in (True, False):
        for j in range(heard_speaker.size):
            who = heard_speaker[j]
            if count < answered.size and heard_negative[j] == complaints and not done[who]:
                done[who] = True
                answered[count] = who
                answered_negative[count] = complaints
                count += 1
    return answered[:count], answered_negative[:count]


@compiled
def _converse(
    aware,
    heard_via,
    attitude,
    advocacy,
    talked,
    complainers,
    indptr,
    indices,
    boost32,
    target,
    keep_share,
    observer_strength,
    epsilon,
    attitudes,
):
    """Compiled body of :func:`run_dialogue` once it is known whom the brand talks with.

    ``talked`` may name a customer twice (answered and reached by outreach): such a customer
    is pulled once. ``keep_share`` is ``1 - c * mu``: a pulled attitude becomes
    ``m - (m - a) * keep_share`` inside the confidence bound.
    """
    moved = np.empty(talked.size)
    for j in range(talked.size):  # every conversation judged against the attitude before any
        a = attitude[talked[j]]
        gap = target - a
        moved[j] = target - gap * keep_share if abs(gap) < epsilon else a
    for j in range(talked.size):
        who = talked[j]
        if not aware[who]:
            aware[who] = True
            heard_via[who] = HEARD_DIALOGUE
        advocacy[who] = max(advocacy[who], boost32)
        if attitudes:
            attitude[who] = moved[j]
    if not attitudes or complainers.size == 0:
        return
    # Aware neighbours of answered complainers see the answer (one message per sighting).
    count = 0
    for c in complainers:
        for position in range(indptr[c], indptr[c + 1]):
            count += aware[indices[position]]
    observers = np.empty(count, dtype=indices.dtype)
    k = 0
    for c in complainers:
        for position in range(indptr[c], indptr[c + 1]):
            if aware[indices[position]]:
                observers[k] = indices[position]
                k += 1
    pull_messages(
        attitude, observers, np.full(count, target), np.full(count, observer_strength), epsilon
    )
