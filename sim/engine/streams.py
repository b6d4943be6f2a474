"""The random streams of a run: one independent stream per purpose, derived from the run's seed.

Streams that do not depend on the arm (network, initial state, word of mouth, adoption, crisis,
memory, market, public reading, stories) are the same in every arm of a replicate: common random
numbers, so arm differences are paired (decision 0004).
"""

from __future__ import annotations

import numpy as np

# New streams are added at the end: a stream's numbers depend on its position in this tuple.
STREAMS = (
    "network",
    "initial",
    "push",
    "dialogue",
    "wom",
    "adoption",
    "crisis",
    "memory",
    "market",
    "public",
    "stories",
)


def stream_sequence(seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of the stream ``name`` of a run with master seed ``seed``."""
    return np.random.SeedSequence(seed, spawn_key=(STREAMS.index(name),))


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream ``name`` of a run with master seed ``seed``.

    The streams are numpy SFC64 generators (Small Fast Chaotic, 256 bits of state; passes
    BigCrush and PractRand). The weekly rules take one 64-bit key a week from theirs and compute
    their numbers from it (sim.engine.uniforms); the initial state, the crisis and random outreach
    draw from theirs directly. The network is drawn with numpy's default generator from
    ``stream_sequence(seed, "network")`` (``sim.engine.run_network.build_network_for``).
    """
    return np.random.Generator(np.random.SFC64(stream_sequence(seed, name)))
