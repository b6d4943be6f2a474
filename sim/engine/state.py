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
    aware : bool        has heard of the brand; never reverts.
    attitude : float64  brand perception in [-1, 1], 0 neutral (a latent predisposition while
                        unaware). float64 so that the exact rule tests hold to rounding.
    adopted : bool      has bought; never reverts.
    adstock : float32   remembered ad pressure in exposures, decays with the push half-life.
    irritated : bool    adstock above the irritation threshold this week.
    advocacy : float32  temporary boost to talking after a conversation with the brand, in [0, 1].
    heard_via : int8    first channel (HEARD_* codes above).
    scratch : float64, shape (2, n)
                        not state: work space of the compiled kernels (sim.engine.influence), all
                        zeros between uses, kept here so that no week allocates it anew.
    """

    aware: np.ndarray
    attitude: np.ndarray
    adopted: np.ndarray
    adstock: np.ndarray
    irritated: np.ndarray
    advocacy: np.ndarray
    heard_via: np.ndarray
    scratch: np.ndarray

    @classmethod
    def empty(cls, n: int) -> CustomerState:
        return cls(
            aware=np.zeros(n, dtype=bool),
            attitude=np.zeros(n, dtype=np.float64),
            adopted=np.zeros(n, dtype=bool),
            adstock=np.zeros(n, dtype=np.float32),
            irritated=np.zeros(n, dtype=bool),
            advocacy=np.zeros(n, dtype=np.float32),
            heard_via=np.zeros(n, dtype=np.int8),
            scratch=np.zeros((2, n)),
        )

    def make_aware(self, who: np.ndarray, channel: int) -> int:
        """Mark customers (indices or mask) aware, recording ``channel`` for the newly aware.

        Returns the number of customers who were not aware before.
        """
        if who.dtype == bool:
            newly = who & ~self.aware
            self.heard_via[newly] = channel
            self.aware[newly] = True
            return int(np.count_nonzero(newly))
        newly = who[~self.aware[who]]
        if newly.size == 0:
            return 0
        # Count by difference (O(n) over bools) rather than np.unique (a sort of the repeats).
        before = np.count_nonzero(self.aware)
        self.heard_via[newly] = channel
        self.aware[newly] = True
        return int(np.count_nonzero(self.aware)) - int(before)
