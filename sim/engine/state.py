"""Per-customer state: a structure of numpy arrays, one entry per customer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# How a customer first heard of the brand (CustomerState.heard_via).
HEARD_NOT_YET = 0
HEARD_AD = 1
HEARD_WOM = 2
HEARD_DIALOGUE = 3
HEARD_BEFORE = 4  # aware at week 0, or through the crisis news
# The kinds of story a customer can hold (CustomerState.story_kind; 0: none).
STORY_AD = 1
STORY_DIALOGUE = 2
STORY_EXPERIENCE = 3
STORY_KIND_NAMES = {STORY_AD: "ad", STORY_DIALOGUE: "dialogue", STORY_EXPERIENCE: "experience"}

HEARD_VIA_NAMES = {
    HEARD_NOT_YET: "not yet",
    HEARD_AD: "ad",
    HEARD_WOM: "word of mouth",
    HEARD_DIALOGUE: "dialogue",
    HEARD_BEFORE: "before / news",
}


@dataclass
class CustomerState:
    """Everything the model remembers about its customers.

    Attributes (all arrays of length n)
    -----------------------------------
    aware : bool        remembers the brand now (can forget it: ``heard`` stays True).
    heard : bool        has ever heard of the brand; never reverts.
    attitude : float64  brand perception in [-1, 1], 0 neutral (a latent predisposition while
                        unaware). float64 so that the exact rule tests hold to rounding.
    predisposition : float64
                        the attitude at week 0, to which the customer stays anchored
                        (Friedkin-Johnsen).
    adopted : bool      has bought the brand at least once (tried it); never reverts.
    customer : bool     bought the brand at their last purchase (a customer of the brand now);
                        with one-off adoption the same as ``adopted``; with repeat purchases it
                        becomes False when the customer chooses the alternative (lapses) and
                        True again when they come back.
    in_market : bool    in the category: buys (the brand or the alternative) at all; drawn once.
    adstock : float32   remembered ad pressure in exposures, decays with the push half-life.
    irritated : bool    adstock above the customer's irritation threshold this week.
    advocacy : float32  temporary boost to talking after a conversation with the brand, in [0, 1].
    heard_via : int8    first channel (HEARD_* codes above).
    reminded : bool     met an ad, a talk, a conversation or the crisis news this week (cleared
                        every week).
    taste : float32     the customer's taste: they experience the product at fit + taste.
    tolerance : float32 ad tolerance factor (median 1): scales the effective frequency and the
                        irritation threshold.
    anchoring : float32 weekly weight of the predisposition in the attitude, in [0, 1].
    exposed : bool      saw at least one ad this week (set by push; raises the talk probability).
    loyalty : float32   service recovery: an answered complainer chooses as if their attitude
                        were this much higher (attitude units); decays every week.
    story_kind : int8   the story the customer holds to retell: 0 none, STORY_AD, STORY_DIALOGUE
                        or STORY_EXPERIENCE; negative while it was received this week (it is
                        retold from next week on, once, and then spent).
    story_message : float32
                        position (attitude) the held story carries.
    story_id : int32    the last story (cascade) the customer started or took up; -1 none.
                        Story ids count up in the order stories start, and a customer only
                        takes up a story with a larger id (nobody takes one story twice).
    scratch : float64, shape (2, n)
                        not state: work space of the compiled kernels (sim.engine.influence),
                        all zeros between uses, kept here so that no week allocates it anew.
    """

    aware: np.ndarray
    heard: np.ndarray
    attitude: np.ndarray
    predisposition: np.ndarray
    adopted: np.ndarray
    customer: np.ndarray
    in_market: np.ndarray
    adstock: np.ndarray
    irritated: np.ndarray
    advocacy: np.ndarray
    heard_via: np.ndarray
    reminded: np.ndarray
    taste: np.ndarray
    tolerance: np.ndarray
    anchoring: np.ndarray
    exposed: np.ndarray
    loyalty: np.ndarray
    story_kind: np.ndarray
    story_message: np.ndarray
    story_id: np.ndarray
    scratch: np.ndarray

    @classmethod
    def empty(cls, n: int) -> CustomerState:
        """Everyone unaware and neutral, in the market, with no taste, tolerance 1 and no
        anchoring."""
        return cls(
            aware=np.zeros(n, dtype=bool),
            heard=np.zeros(n, dtype=bool),
            attitude=np.zeros(n, dtype=np.float64),
            predisposition=np.zeros(n, dtype=np.float64),
            adopted=np.zeros(n, dtype=bool),
            customer=np.zeros(n, dtype=bool),
            in_market=np.ones(n, dtype=bool),
            adstock=np.zeros(n, dtype=np.float32),
            irritated=np.zeros(n, dtype=bool),
            advocacy=np.zeros(n, dtype=np.float32),
            heard_via=np.zeros(n, dtype=np.int8),
            reminded=np.zeros(n, dtype=bool),
            taste=np.zeros(n, dtype=np.float32),
            tolerance=np.ones(n, dtype=np.float32),
            anchoring=np.zeros(n, dtype=np.float32),
            exposed=np.zeros(n, dtype=bool),
            loyalty=np.zeros(n, dtype=np.float32),
            story_kind=np.zeros(n, dtype=np.int8),
            story_message=np.zeros(n, dtype=np.float32),
            story_id=np.full(n, -1, dtype=np.int32),
            scratch=np.zeros((2, n)),
        )

    def make_aware(self, who: np.ndarray, channel: int) -> int:
        """Mark customers (indices or mask) aware and reminded, recording ``channel`` for those
        who never heard of the brand before.

        Returns the number of customers who were not aware before.
        """
        if who.dtype != bool:
            mask = np.zeros(self.aware.size, dtype=bool)
            mask[who] = True
            who = mask
        newly = who & ~self.aware
        first = who & ~self.heard
        self.heard_via[first] = channel
        self.heard |= who
        self.aware |= who
        self.reminded |= who
        return int(np.count_nonzero(newly))
