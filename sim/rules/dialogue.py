"""Step 2 of the week, dialogue: listen to last week's public mentions, answer, reach out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.influence import pull_many, repeated_pull
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
    speaker, negative = mentions.speaker[heard], mentions.negative[heard]
    shuffle = rng.permutation(speaker.size)
    speaker, negative = speaker[shuffle], negative[shuffle]
    by_priority = np.argsort(~negative, kind="stable")  # complaints first
    speaker, negative = speaker[by_priority], negative[by_priority]
    _, first = np.unique(speaker, return_index=True)
    first.sort()  # keep priority order, one answer per customer
    answered, answered_negative = speaker[first][:capacity], negative[first][:capacity]
    spare = capacity - answered.size
    if outreach == "random" and spare > 0:
        reached = rng.choice(n, size=min(spare, n), replace=False)
    elif outreach == "hubs" and spare > 0:
        reached = hubs.take(spare)
    else:
        reached = np.empty(0, dtype=np.int64)
    talked = np.concatenate((answered, reached))
    outcome.conversations = int(talked.size)
    outcome.mentions_answered = int(answered.size)
    outcome.complaints_answered = int(answered_negative.sum())
    outcome.outreach = int(reached.size)
    outcome.spend = outcome.conversations * spec.cost_per_conversation
    state.make_aware(talked, HEARD_DIALOGUE)
    state.advocacy[talked] = np.maximum(state.advocacy[talked], np.float32(spec.advocacy_boost))
    if attitudes and talked.size:
        target = conversation_target(spec, product_fit)
        strength = spec.credibility * spec.mu
        state.attitude[talked] = repeated_pull(
            state.attitude[talked], target, strength, 1, spec.epsilon
        )
        complainers = answered[answered_negative]
        observers = sampler.neighbours_of(complainers)
        observers = observers[state.aware[observers]]
        pull_many(
            state.attitude,
            observers,
            np.full(observers.size, target),
            np.full(observers.size, spec.credibility * spec.observer_mu),
            spec.epsilon,
        )
    return outcome
