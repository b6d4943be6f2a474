"""Who reaches whom: sampling neighbours from the CSR network, vectorised."""

from __future__ import annotations

import numpy as np

from sim.engine.jit import compiled
from sim.network.graph import Network

_NO_WEIGHTS = np.empty(0)


class NeighbourSampler:
    """Draws one neighbour per (customer, uniform number), by tie weight when the network has them.

    Precomputes the cumulative tie weights once per network (float64, one entry per tie end).
    """

    def __init__(self, network: Network):
        self.indptr = network.indptr
        self.indices = network.indices
        # int32 (a customer's ties fit, as tie indices do): the talk pass reads it for everyone.
        self.degree = np.diff(network.indptr).astype(np.int32)
        self.has_ties = self.degree > 0
        self.cumulative = None
        if network.weights is not None:
            self.cumulative = np.cumsum(network.weights, dtype=np.float64)
            start = np.concatenate(([0.0], self.cumulative))
            self.row_start = start[network.indptr[:-1]]
            self.row_total = start[network.indptr[1:]] - self.row_start

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(indptr, indices, degree, cumulative, row_start, row_total) for compiled kernels;
        the last three are empty when the network has no weights."""
        if self.cumulative is None:
            return self.indptr, self.indices, self.degree, _NO_WEIGHTS, _NO_WEIGHTS, _NO_WEIGHTS
        return (
            self.indptr,
            self.indices,
            self.degree,
            self.cumulative,
            self.row_start,
            self.row_total,
        )

    def sample(self, speakers: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """Neighbour of each speaker chosen with the given uniforms in [0, 1).

        Speakers must have at least one tie. Returns int32 customer indices (same shape).
        """
        speakers = np.asarray(speakers, dtype=np.int64)
        uniforms = np.asarray(uniforms, dtype=np.float64)
        chosen = sample_neighbours(speakers.ravel(), uniforms.ravel(), *self.arrays())
        return chosen.reshape(speakers.shape)


@compiled
def sample_neighbours(
    speakers, uniforms, indptr, indices, degree, cumulative, row_start, row_total
):
    """The neighbour of ``speakers[k]`` that the uniform number ``uniforms[k]`` in [0, 1) picks.

    Unweighted: tie ``floor(u * degree)`` of the speaker's row. Weighted (``cumulative`` not
    empty): the tie whose share of the row's cumulative weight contains ``u``. (The choice
    between the two is made once, outside the loop: with both in the loop body the unweighted
    loop ran several times slower.)
    """
    chosen = np.empty(speakers.size, dtype=indices.dtype)
    if cumulative.size == 0:
        for k in range(speakers.size):
            s = speakers[k]
            chosen[k] = indices[indptr[s] + np.int64(uniforms[k] * degree[s])]
        return chosen
    for k in range(speakers.size):
        s = speakers[k]
        target = row_start[s] + uniforms[k] * row_total[s]
        chosen[k] = indices[_weighted_position(s, target, indptr, cumulative)]
    return chosen


@compiled(inline=True)
def _weighted_position(speaker, target, indptr, cumulative):
    """``searchsorted(cumulative, target, side="right")`` clipped to the speaker's row."""
    low, high = indptr[speaker], indptr[speaker + 1] - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] <= target:
            low = middle + 1
        else:
            high = middle
    return low
