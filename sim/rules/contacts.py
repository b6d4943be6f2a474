"""Who reaches whom: sampling neighbours from the CSR network, vectorised."""

from __future__ import annotations

import numpy as np

from sim.network.graph import Network


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

    def sample(self, speakers: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """Neighbour of each speaker chosen with the given uniforms in [0, 1).

        Speakers must have at least one tie. Returns int32 customer indices (same shape).
        """
        if self.cumulative is None:
            offset = (uniforms * self.degree[speakers]).astype(np.int64)
            position = self.indptr[speakers] + offset
        else:
            target = self.row_start[speakers] + uniforms * self.row_total[speakers]
            position = np.searchsorted(self.cumulative, target, side="right")
            position = np.clip(position, self.indptr[speakers], self.indptr[speakers + 1] - 1)
        return self.indices[position]

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
