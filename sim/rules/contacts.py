"""Who reaches whom: sampling neighbours from the CSR network, vectorised."""

from __future__ import annotations

import numpy as np

from sim.jit import compiled
from sim.network.graph import Network

_NO_WEIGHTS = np.empty(0)


class NeighbourSampler:
    """Draws one neighbour per (customer, uniform number), by tie weight when the network has them.

    Precomputes the cumulative tie weights once per network (float64, one entry per tie end).
    """

    def __init__(self, network: Network):
        self.indptr = network.indptr
        self.indices = network.indices
        self.degree = np.diff(network.indptr)
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
        chosen = _sample_all(speakers.ravel(), np.asarray(uniforms).ravel(), *self.arrays())
        return chosen.reshape(speakers.shape)

    def neighbours_of(self, customers: np.ndarray) -> np.ndarray:
        """All neighbours of the given customers, concatenated (with repeats)."""
        starts = self.indptr[customers]
        counts = self.degree[customers]
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=self.indices.dtype)
        # positions = starts[k] + 0..counts[k]-1 for each k, without a Python loop
        row_of = np.repeat(np.arange(customers.size), counts)
        first = np.cumsum(counts) - counts
        position = starts[row_of] + (np.arange(total) - first[row_of])
        return self.indices[position]


@compiled(inline=True)
def sample_neighbour(speaker, u, indptr, indices, degree, cumulative, row_start, row_total):
    """The neighbour of ``speaker`` that the uniform number ``u`` in [0, 1) picks.

    Unweighted: tie ``floor(u * degree)`` of the speaker's row. Weighted (``cumulative`` not
    empty): the tie whose share of the row's cumulative weight contains ``u``.
    """
    if cumulative.size == 0:
        return indices[indptr[speaker] + np.int64(u * degree[speaker])]
    return indices[_weighted_position(speaker, u, indptr, cumulative, row_start, row_total)]


@compiled
def _weighted_position(speaker, u, indptr, cumulative, row_start, row_total):
    """``searchsorted(cumulative, target, side="right")`` within the speaker's row, by bisection
    (np.searchsorted inlined here made the unweighted branch six times slower)."""
    target = row_start[speaker] + u * row_total[speaker]
    low, high = indptr[speaker], indptr[speaker + 1] - 1  # the answer is clipped to this row
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] <= target:
            low = middle + 1
        else:
            high = middle
    return low


@compiled
def _sample_all(speakers, uniforms, indptr, indices, degree, cumulative, row_start, row_total):
    chosen = np.empty(speakers.size, dtype=indices.dtype)
    for k in range(speakers.size):
        chosen[k] = sample_neighbour(
            speakers[k], uniforms[k], indptr, indices, degree, cumulative, row_start, row_total
        )
    return chosen
