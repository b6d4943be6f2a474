"""The brand's visible rating: the balance of recent public mentions that readers see.

Every public mention (a post or a review, sim.engine.rules.wom) stays visible, its weight
halving every ``public.rating_half_life`` weeks; a complaint the brand has answered weighs
``public.answered_weight`` instead of 1 (an answer on the thread softens what later readers
see: Proserpio & Zervas 2017 found ratings rise after hotels start answering reviews). The
rating is the balance of the visible weight on the attitude scale,

    rating = (positive - negative) / (positive + negative)      in [-1, 1],

and a customer who reads it is pulled toward it like any message (sim.engine.influence), with
the credibility of public opinion times ``wom.mu``, scaled by ``V / (V + rating_volume_half)``
where ``V`` is the visible weight per 1,000 customers: a rating of few reviews says little.
"""

from __future__ import annotations

import math

from sim.params import PublicSpec


class Rating:
    """Visible positive and negative weight of the brand's public mentions (absolute numbers).

    Weekly order: :meth:`new_week` (every mention's weight decays), then the dialogue step's
    :meth:`answered` (last week's complaints that were answered now weigh less), then the word
    of mouth step reads :meth:`position` and :meth:`strength` and finally :meth:`add`s the
    week's mentions.
    """

    def __init__(self, spec: PublicSpec, n: int) -> None:
        self.decay = 0.5 ** (1.0 / spec.rating_half_life)
        self.answered_weight = spec.answered_weight
        self.volume_half = spec.rating_volume_half
        self.per_thousand = 1000.0 / n
        self.positive = 0.0
        self.negative = 0.0

    def new_week(self) -> None:
        """Every visible mention's weight decays by one week."""
        self.positive *= self.decay
        self.negative *= self.decay

    def answered(self, complaints: int) -> None:
        """``complaints`` of last week's negative mentions were answered this week: each now
        weighs ``answered_weight`` (of its decayed weight) instead of all of it."""
        if complaints:
            cut = (1.0 - self.answered_weight) * self.decay * complaints
            self.negative = max(0.0, self.negative - cut)

    def add(self, positive: int, negative: int) -> None:
        """This week's public mentions become visible, each with weight 1."""
        self.positive += positive
        self.negative += negative

    @property
    def volume(self) -> float:
        """Visible weight per 1,000 customers."""
        return (self.positive + self.negative) * self.per_thousand

    def position(self) -> float:
        """The rating on [-1, 1]; NaN while nothing is visible."""
        total = self.positive + self.negative
        if total <= 0.0:
            return math.nan
        return (self.positive - self.negative) / total

    def strength(self, credibility: float, mu: float) -> float:
        """``c * mu`` of reading the rating, scaled by ``V / (V + rating_volume_half)``."""
        volume = self.volume
        if volume <= 0.0:
            return 0.0
        return credibility * mu * volume / (volume + self.volume_half)
