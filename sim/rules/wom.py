"""Step 3 of the week, word of mouth: aware customers talk to neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.influence import pull_many
from sim.params import WomSpec
from sim.rules.contacts import NeighbourSampler
from sim.rules.dialogue import Mentions
from sim.state import HEARD_WOM, CustomerState


@dataclass
class WomOutcome:
    positive: int = 0
    negative: int = 0
    mentions: Mentions | None = None


def talk_probability(spec: WomSpec, attitude, advocacy, attitudes: bool) -> np.ndarray:
    """Weekly probability that an aware customer talks, in [0, 1].

    ``talk_base + talk_feeling * |a| + talk_advocacy * advocacy``, times ``negative_incidence``
    when ``a < 0``. With attitudes off it is ``talk_base`` (q of the Bass limit).
    """
    if not attitudes:
        return np.full(attitude.shape, spec.talk_base)
    # In place, in the same order and precisions as
    # clip(where(a < 0, p * negative_incidence, p)) with p = base + feeling*|a| + advocacy_term
    # (advocacy is float32, so its term is computed in float32 as numpy would), so bit-identical.
    p = np.abs(attitude)
    p *= spec.talk_feeling
    p += spec.talk_base
    p += np.multiply(advocacy, spec.talk_advocacy)
    if spec.negative_incidence != 1.0:
        np.multiply(p, spec.negative_incidence, out=p, where=attitude < 0)
    return np.clip(p, 0.0, 1.0, out=p)


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
    ``complaint_position``. Each talk reaches ``listeners`` neighbours drawn with replacement
    (by tie weight where the network has weights). Listeners become aware; with attitudes on they
    are pulled toward the speaker's attitude with peer credibility (``mu * negative_impact`` for
    negative messages), all of one week's messages judged against the listener's attitude at the
    start of the talk step. Each talk is public with probability ``public_share``.

    The uniform numbers for talking, listening and going public are drawn for every customer
    every week, so two arms with the same seed use the same numbers for the same customer
    (common random numbers).
    """
    n = state.aware.size
    u_talk = rng.random(n)
    u_listen = rng.random((n, spec.listeners))
    u_public = rng.random(n)
    p = talk_probability(spec, state.attitude, state.advocacy, attitudes)
    talks = was_aware & (u_talk < p) & sampler.has_ties
    speaker = np.flatnonzero(talks)
    message = state.attitude[speaker] if attitudes else np.zeros(speaker.size)
    public = u_public[speaker] < spec.public_share
    listen_u = u_listen[speaker]

    complainers = complainers[sampler.degree[complainers] > 0]
    if complainers.size:
        speaker = np.concatenate((speaker, complainers))
        message = np.concatenate((message, np.full(complainers.size, complaint_position)))
        public = np.concatenate(
            (public, complaint_rng.random(complainers.size) < spec.public_share)
        )
        listen_u = np.concatenate(
            (listen_u, complaint_rng.random((complainers.size, spec.listeners)))
        )

    negative = message < 0
    outcome = WomOutcome(positive=int((~negative).sum()), negative=int(negative.sum()))
    outcome.mentions = Mentions(speaker[public], negative[public])
    if speaker.size == 0:
        return outcome

    talker = np.repeat(speaker, spec.listeners)
    listener = sampler.sample(talker, listen_u.reshape(-1))
    if attitudes:
        heard_message = np.repeat(message, spec.listeners)
        mu = np.where(heard_message < 0, min(1.0, spec.mu * spec.negative_impact), spec.mu)
        pull_many(state.attitude, listener, heard_message, spec.credibility * mu, spec.epsilon)
    state.make_aware(listener, HEARD_WOM)
    return outcome
