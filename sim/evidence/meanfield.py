"""The exact expected awareness of the discrete Bass process, to measure the mean-field gap.

The recurrence ``sim.engine.bass.bass_recurrence`` applies the one-week rule to the *expected*
share: ``F[t+1] = F[t] + (1 - F[t]) h(F[t])``. The random process applies it to the *actual*
share, so its expectation is ``E[F + (1 - F) h(F)]``, which differs because ``h`` is curved
(mean-field approximation). Here the process is followed exactly as a Markov chain on the
number ``k`` of aware customers: next week each of the ``n - k`` unaware customers hears
independently with probability ``h_k = 1 - (1 - p) (1 - q / (n - 1)) ** k``, so the new
count is ``k + Binomial(n - k, h_k)``. The distribution of ``k`` is pushed forward week by
week through a sparse transition matrix (each row keeps the binomial's probabilities above
1e-15), and its mean is compared with the recurrence: the gap is the mean-field error, free of
sampling noise.

The model differs from this chain in second-order details (push buys a fixed number of
impressions and a listener can be told twice), which change the spread of ``k`` a little but
not its conditional mean; the page compares the model's runs with both.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.stats import binom

TAIL = 1e-15  # probabilities below this are dropped from each transition row


def transition_matrix(p: float, q: float, n: int) -> sparse.csr_matrix:
    """``T[k, k + j] = P(j new | k aware)`` for ``k = 0 .. n`` (rows sum to 1 - dropped tails)."""
    rows, cols, values = [], [], []
    stay = 1.0 - q / (n - 1)
    for k in range(n + 1):
        unaware = n - k
        h = 1.0 - (1.0 - p) * stay**k
        if unaware == 0 or h <= 0.0:
            rows.append(k)
            cols.append(k)
            values.append(1.0)
            continue
        mean = unaware * h
        sd = np.sqrt(mean * (1.0 - h)) + 1.0
        lo = max(0, int(mean - 12.0 * sd) - 2)
        hi = min(unaware, int(mean + 12.0 * sd) + 2)
        j = np.arange(lo, hi + 1)
        pmf = binom.pmf(j, unaware, h)
        keep = pmf > TAIL
        rows.extend([k] * int(keep.sum()))
        cols.extend((k + j[keep]).tolist())
        values.extend(pmf[keep].tolist())
    return sparse.csr_matrix((values, (rows, cols)), shape=(n + 1, n + 1))


def exact_mean(p: float, q: float, n: int, weeks: int, k0: int = 0) -> np.ndarray:
    """Expected share aware in weeks 0 .. ``weeks`` of the chain, starting from ``k0`` aware."""
    step = transition_matrix(p, q, n).T.tocsr()
    dist = np.zeros(n + 1)
    dist[k0] = 1.0
    counts = np.arange(n + 1, dtype=float)
    out = np.empty(weeks + 1)
    out[0] = k0 / n
    for t in range(weeks):
        dist = step @ dist
        out[t + 1] = float(counts @ dist) / float(dist.sum()) / n
    return out
