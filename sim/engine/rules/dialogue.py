"""Step 2 of the week, dialogue: listen to last week's public mentions, answer, reach out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.influence import pull_messages
from sim.engine.jit import compiled
from sim.engine.state import HEARD_DIALOGUE, CustomerState
from sim.engine.uniforms import half_uniform, week_key, word_at
from sim.params import DialogueSpec


@dataclass
class Mentions:
    """Public talks of one week: who spoke, whether it was negative (a complaint), and who read
    each one: mention ``j``'s readers are ``readers[reader_start[j]:reader_start[j + 1]]``
    (a customer may appear more than once)."""

    speaker: np.ndarray
    negative: np.ndarray
    reader_start: np.ndarray | None = None
    readers: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.reader_start is None:  # nobody read them
            self.reader_start = np.zeros(self.speaker.size + 1, dtype=np.int64)
            self.readers = np.empty(0, dtype=np.int64)

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
    talked: np.ndarray | None = None  # the customers talked with this week, in index order


class HubQueue:
    """Outreach to the most connected customers first: a cursor over customers by degree."""

    def __init__(self, degree: np.ndarray):
        self.order = np.argsort(-degree, kind="stable")
        self.cursor = 0

    def take(self, count: int, skip: np.ndarray | None = None) -> np.ndarray:
        """The next ``count`` customers in the queue (wrapping round), passing over those in
        ``skip`` (a bool mask: customers already talked with this week), who keep their place
        for next time round."""
        n = self.order.size
        if skip is None or not skip.any():
            positions = (self.cursor + np.arange(min(count, n))) % n
            self.cursor = (self.cursor + count) % n
            return self.order[positions]
        ahead = self.order[(self.cursor + np.arange(n)) % n]
        usable = np.flatnonzero(~skip[ahead])[:count]
        if usable.size == 0:
            return usable
        self.cursor = (self.cursor + int(usable[-1]) + 1) % n
        return ahead[usable]


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
    answered, answered_mention, outcome.mentions_heard = _answer_order(
        mentions.speaker,
        mentions.negative,
        week_key(rng),
        spec.listening_share,
        capacity,
        n,
    )
    answered_negative = mentions.negative[answered_mention]
    spare = capacity - answered.size
    reached = _outreach(outreach, spare, n, answered, hubs, rng)
    outcome.conversations = answered.size + reached.size
    outcome.mentions_answered = answered.size
    outcome.outreach = reached.size
    outcome.spend = outcome.conversations * spec.cost_per_conversation
    outcome.talked = np.sort(np.concatenate((answered, reached)))
    outcome.complaints_answered = _converse(
        state.aware,
        state.heard,
        state.reminded,
        state.heard_via,
        state.attitude,
        state.advocacy,
        state.loyalty,
        state.scratch,
        answered,
        answered_negative,
        answered_mention,
        reached,
        mentions.reader_start,
        mentions.readers,
        np.float32(spec.advocacy_boost),
        np.float32(spec.recovery_loyalty),
        conversation_target(spec, product_fit),
        spec.credibility * spec.mu,
        spec.credibility * spec.observer_mu,
        spec.epsilon,
        attitudes,
    )
    return outcome


def _outreach(
    outreach: str,
    spare: int,
    n: int,
    answered: np.ndarray,
    hubs: HubQueue,
    rng: np.random.Generator,
) -> np.ndarray:
    """Whom spare capacity talks with: random customers or the next hubs, never a customer
    answered this week (a conversation is not paid for twice)."""
    if spare <= 0 or outreach == "none":
        return _NOBODY
    skip = None
    if answered.size:
        skip = np.zeros(n, dtype=bool)
        skip[answered] = True
    if outreach == "hubs":
        return hubs.take(spare, skip)
    if skip is None:
        return rng.choice(n, size=min(spare, n), replace=False)
    others = np.flatnonzero(~skip)
    return others[rng.choice(others.size, size=min(spare, others.size), replace=False)]


_NOBODY = np.empty(0, dtype=np.int64)


@compiled
def _answer_order(speaker, negative, key, listening_share, capacity, n):
    """Whom the brand answers: the heard mentions in random order, complaints first, one answer
    per customer, at most ``capacity``. Returns (customers, the mention each answer is to, how
    many mentions were heard).

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
    answered_mention = np.empty(answered.size, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    k = 0
    for complaints in (True, False):
        for j in order:
            who = speaker[j]
            if k < answered.size and negative[j] == complaints and not done[who]:
                done[who] = True
                answered[k] = who
                answered_mention[k] = j
                k += 1
    return answered[:k], answered_mention[:k], count


@compiled
def _converse(
    aware,
    heard,
    reminded,
    heard_via,
    attitude,
    advocacy,
    loyalty,
    scratch,
    answered,
    answered_negative,
    answered_mention,
    reached,
    reader_start,
    readers,
    boost32,
    recovery32,
    target,
    strength,
    observer_strength,
    epsilon,
    attitudes,
):
    """Compiled body of :func:`run_dialogue` once it is known whom the brand talks with:
    the ``answered`` authors of mentions and the customers ``reached`` by outreach.

    Each conversation is one message toward ``target`` with ``strength = c * mu``; each reader
    of an answered complaint (``readers`` of its mention) sees the answer, a message toward the
    same target with ``observer_strength``. All are judged against the attitudes before any of
    them (sim.engine.influence.pull_messages). Answered complainers get the service-recovery
    ``loyalty``. Returns the number of complaints answered.
    """
    talked = np.concatenate((answered, reached))
    complaints = 0
    observers = 0
    for c in range(answered.size):
        if answered_negative[c]:
            complaints += 1
            j = answered_mention[c]
            observers += reader_start[j + 1] - reader_start[j]
    if attitudes:
        size = talked.size + observers
        who = np.empty(size, dtype=np.int64)
        what = np.full(size, target)
        how = np.empty(size)
        for j in range(talked.size):
            who[j] = talked[j]
            how[j] = strength
        q = talked.size
        for c in range(answered.size):
            if answered_negative[c]:
                j = answered_mention[c]
                for position in range(reader_start[j], reader_start[j + 1]):
                    who[q] = readers[position]
                    how[q] = observer_strength
                    q += 1
        pull_messages(attitude, who, what, how, epsilon, scratch)
    for j in range(talked.size):
        who_ = talked[j]
        if not heard[who_]:
            heard[who_] = True
            heard_via[who_] = HEARD_DIALOGUE
        aware[who_] = True
        reminded[who_] = True
        advocacy[who_] = max(advocacy[who_], boost32)
    for c in range(answered.size):
        if answered_negative[c]:
            loyalty[answered[c]] = max(loyalty[answered[c]], recovery32)
    return complaints
