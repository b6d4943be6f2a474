"""Step 5 of the week, memory: attitudes stay anchored to predispositions; unreminded customers
may forget the brand."""

from __future__ import annotations

import numpy as np
from numba import prange

from sim.engine.jit import compiled, pick
from sim.engine.state import CustomerState
from sim.engine.uniforms import half_uniform, week_key, word_at


def forget_probability(recall_half_life: float | None) -> float:
    """Weekly probability that an unreminded aware customer forgets: ``1 - 0.5 ** (1 / h)``
    (``h`` in weeks; None: 0, nobody forgets)."""
    return 0.0 if recall_half_life is None else 1.0 - 0.5 ** (1.0 / recall_half_life)


def run_memory(
    state: CustomerState,
    forget: float,
    rng: np.random.Generator,
    attitudes: bool,
    decays: tuple[np.float32, np.float32] | None = None,
) -> int:
    """Anchoring and forgetting, after the week's messages and purchases.

    Anchoring (Friedkin & Johnsen 1990): with attitudes on, every customer's attitude moves a
    share ``anchoring_i`` of the way back to their predisposition, ``a += g_i * (a0 - a)``, so
    that the week's net update keeps a weight on their own initial view.

    Forgetting: an aware customer who is not a customer of the brand now (never bought it, or
    lapsed to the alternative) and was not reminded this week (no ad
    exposure, no talk heard or spoken, no conversation) forgets the brand with probability
    ``forget`` (``aware`` becomes False; ``heard`` stays True; attitude is kept). Customer
    ``i`` uses the high half of word ``i`` of the week's key from the (arm-independent) memory
    stream, so forgetting has common random numbers across arms. Clears ``reminded`` for the
    next week. Returns the number of customers who forgot.

    ``decays`` (advocacy's and loyalty's weekly factors): also the end of the week, in the
    same pass over the customers: advocacy and service-recovery loyalty decay by their weekly
    factors (float32, as ``state.advocacy *= advocacy_decay`` would), and the stories received
    this week become ready to retell next week (``stories.spend_stories``).
    """
    key = week_key(rng)
    end = decays is not None
    advocacy_decay, loyalty_decay = decays if end else (np.float32(1.0), np.float32(1.0))
    return int(
        pick(_remember)(
            state.aware,
            state.customer,
            state.reminded,
            state.attitude,
            state.predisposition,
            state.anchoring,
            key,
            forget,
            attitudes,
            end,
            state.advocacy,
            state.loyalty,
            state.story_kind,
            advocacy_decay,
            loyalty_decay,
        )
    )


@compiled(parallel=True)
def _remember(
    aware,
    customer,
    reminded,
    attitude,
    predisposition,
    anchoring,
    key,
    forget,
    attitudes,
    end,
    advocacy,
    loyalty,
    story_kind,
    advocacy_decay,
    loyalty_decay,
):
    """Compiled body of :func:`run_memory` (with the end of the week when ``end``): one pass
    without branches (so that it vectorises); the random word is computed only when somebody
    can forget."""
    forgot = 0
    may_forget = forget > 0.0
    for i in prange(aware.size):
        if attitudes:
            attitude[i] += np.float64(anchoring[i]) * (predisposition[i] - attitude[i])
        if may_forget:
            lapse = aware[i] & ~customer[i] & ~reminded[i]
            lapse &= half_uniform(word_at(key, i), False) < forget
            aware[i] &= ~lapse
            forgot += np.int64(lapse)
        reminded[i] = False
        if end:
            advocacy[i] *= advocacy_decay
            loyalty[i] *= loyalty_decay
            story_kind[i] = abs(story_kind[i])
    return forgot
