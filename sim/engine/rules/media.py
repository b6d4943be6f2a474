"""Who bought media can reach, and how often: the audience of a push campaign.

Customers differ in media use. A share of them cannot be reached by bought media at all; the
others are hit in proportion to a gamma-distributed weight (few heavy, many light media users:
the negative binomial exposure model of media planning, Ehrenberg 1959; Goodhardt, Ehrenberg &
Collins 1975). An :class:`Audience` holds, for one push target, the customers that can be hit and
a Walker alias table over their weights, so that each impression picks its customer in constant
time from one uniform number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.jit import compiled


@dataclass(frozen=True)
class Audience:
    """Customers push can hit and how likely each impression is to hit each of them.

    members : int64 indices of the reachable customers of the target; empty with ``everyone``.
    everyone : True when every customer is a member (then ``members`` is empty).
    table : Walker alias table over the members' media weights, packed for speed (shape
        (m, 2), uint64; empty: all members equally likely). Row ``j`` holds the slot's keep
        threshold ``floor(prob[j] * 2**32)`` and its two customers, the member itself in the
        low 32 bits and its alias in the high 32 bits: one cache line per impression instead
        of three scattered reads (see :func:`pick`).
    size : number of customers that can be hit.
    """

    members: np.ndarray
    everyone: bool
    table: np.ndarray
    size: int


def build_audience(
    n: int, target: np.ndarray | None, reachable: np.ndarray, weight: np.ndarray | None
) -> Audience:
    """The audience of a push campaign aimed at ``target`` (indices; None = everyone).

    ``reachable`` (bool, length n) marks who bought media can reach; ``weight`` (float, length n,
    positive) each customer's media weight, or None for equal weights.
    """
    everyone = target is None and bool(reachable.all()) and weight is None
    if everyone:
        return Audience(_EMPTY_INT, True, _EMPTY_TABLE, n)
    members = np.arange(n, dtype=np.int64) if target is None else target.astype(np.int64)
    members = members[reachable[members]]
    if weight is None or members.size == 0:
        return Audience(members, False, _EMPTY_TABLE, int(members.size))
    prob, alias = alias_table(weight[members].astype(np.float64))
    return Audience(members, False, pack_table(prob, alias, members), int(members.size))


def pack_table(prob: np.ndarray, alias: np.ndarray, members: np.ndarray) -> np.ndarray:
    """The (m, 2) uint64 form of an alias table over ``members`` (see :class:`Audience`)."""
    table = np.empty((prob.size, 2), dtype=np.uint64)
    table[:, 0] = np.floor(prob * 2.0**32).astype(np.uint64)
    keep = members.astype(np.uint64)
    other = members[alias].astype(np.uint64)
    table[:, 1] = keep | (other << np.uint64(32))
    return table


@compiled
def alias_table(weight):
    """Walker's alias table (Vose's stable construction) for sampling index ``i`` with
    probability ``weight[i] / sum(weight)``; weights must be positive and finite."""
    m = weight.size
    prob = np.empty(m)
    alias = np.arange(m).astype(np.int64)
    scaled = weight * (m / weight.sum())
    small = np.empty(m, dtype=np.int64)
    large = np.empty(m, dtype=np.int64)
    n_small = n_large = 0
    for i in range(m):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        n_large -= 1
        g = large[n_large]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            small[n_small] = g
            n_small += 1
        else:
            large[n_large] = g
            n_large += 1
    for j in range(n_large):
        prob[large[j]] = 1.0
    for j in range(n_small):  # only left by rounding: these are (almost exactly) 1
        prob[small[j]] = 1.0
    return prob, alias


@compiled(inline=True)
def pick(u, table):
    """The customer that uniform number ``u`` in [0, 1) picks from a packed alias table: slot
    ``j = floor(u * m)``, kept when the fraction ``u * m - j`` is below its threshold, else its
    alias (the fraction has 53 - log2(m) random bits, 28 or more for 20 million members)."""
    x = u * table.shape[0]
    j = np.int64(x)
    packed = table[j, 1]
    if (x - j) * 4294967296.0 < np.float64(table[j, 0]):
        return np.int64(packed & np.uint64(0xFFFFFFFF))
    return np.int64(packed >> np.uint64(32))


_EMPTY_INT = np.empty(0, dtype=np.int64)
_EMPTY_TABLE = np.empty((0, 2), dtype=np.uint64)
