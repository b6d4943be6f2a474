"""Tiny hand-built networks for the rule tests (independent of the network layer's builders)."""

from __future__ import annotations

import numpy as np

from sim.evidence import bass_check
from sim.network.graph import Network


def network_from_edges(n, edges, groups=None, group_names=("all",), weights=None) -> Network:
    """A Network from an explicit undirected edge list on customers 0..n-1 (no checks)."""
    pairs = [(a, b, w) for (a, b), w in zip(edges, weights or [1.0] * len(edges), strict=True)]
    directed = sorted([(a, b, w) for a, b, w in pairs] + [(b, a, w) for a, b, w in pairs])
    src = np.array([d[0] for d in directed], dtype=np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    indptr = np.cumsum(indptr)
    return Network(
        indptr=indptr,
        indices=np.array([d[1] for d in directed], dtype=np.int32),
        weights=None if weights is None else np.array([d[2] for d in directed], np.float32),
        groups=np.zeros(n, np.int16) if groups is None else np.asarray(groups, np.int16),
        group_names=tuple(group_names),
        name="tiny",
    )


def complete(n: int) -> Network:
    return network_from_edges(n, [(i, j) for i in range(n) for j in range(i + 1, n)])


def star(leaves: int) -> Network:
    """Customer 0 in the middle, tied to customers 1..leaves."""
    return network_from_edges(leaves + 1, [(0, j) for j in range(1, leaves + 1)])


# The first version's homogeneous market: no tastes, equal media use and ad tolerance, no
# anchoring, nobody forgets. Tests of mechanisms that predate those (the Bass limit, bounded
# confidence clusters, exact rules) use it as their ``population`` section.
CLASSIC_POPULATION = bass_check.CLASSIC_POPULATION  # one definition, beside the Bass check


# Public reading and stories switched off: the word-of-mouth step of the first versions (one
# talk, its listeners), which the exact rule tests were written for.
NO_PUBLIC_READING = {"follower_share": 0.0, "browsers": 0, "rating_readers": 0.0}
NO_STORIES = {"ad_share": 0.0, "dialogue_share": 0.0, "experience_share": 0.0}


def talk_only_wom(
    state, spec, was_aware, complainers, complaint_position, sampler, rng, complaint_rng, attitudes
):
    """``run_wom`` with public reading, the rating, stories and the ad talk lift switched off
    (the arguments of the first versions' ``run_wom``)."""
    from sim.engine.rules.public import Rating
    from sim.engine.rules.stories import Cascades
    from sim.engine.rules.wom import run_wom
    from sim.params import PublicSpec, StoriesSpec

    public = PublicSpec(**NO_PUBLIC_READING)
    n = state.aware.size
    return run_wom(
        state,
        spec,
        public,
        StoriesSpec(**NO_STORIES),
        was_aware,
        complainers,
        complaint_position,
        0.0,
        sampler,
        np.arange(n),
        Rating(public, n),
        Cascades(),
        rng,
        complaint_rng,
        np.random.default_rng(0),
        np.random.default_rng(1),
        attitudes,
    )
