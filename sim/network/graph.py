"""The compact social graph the engine runs on: a symmetric CSR adjacency plus group labels."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Network:
    """An undirected social network of ``n`` customers in compressed sparse row (CSR) form.

    Each tie appears twice (i->j and j->i). Neighbours of customer ``i`` are
    ``indices[indptr[i]:indptr[i + 1]]``.

    Attributes
    ----------
    indptr : int64 array, shape (n + 1,)
        Row pointers. int64 so that graphs with more than 2**31 tie ends still work.
    indices : int32 array, shape (2 * ties,)
        Neighbour of each tie end (customer index, 0 .. n - 1).
    weights : float32 array, shape (2 * ties,), or None
        Tie strength (> 0) used to choose whom a customer talks to; None means all ties equal.
    groups : int16 array, shape (n,)
        Group (community / target group) index of each customer, 0 .. len(group_names) - 1.
    group_names : tuple of str
        Name of each group, in index order.
    labels : array or None
        Original node label of each customer (for output), or None when labels are 0 .. n - 1.
    name : str
        Human-readable description, e.g. ``"small world (n=1000, k=10, p=0.1)"``.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray | None
    groups: np.ndarray
    group_names: tuple[str, ...]
    labels: np.ndarray | None = None
    name: str = "network"
    info: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.indptr.shape[0] - 1)

    @property
    def degree(self) -> np.ndarray:
        """Number of ties of each customer (int32 array of length n)."""
        return np.diff(self.indptr).astype(np.int32)

    @property
    def n_ties(self) -> int:
        """Number of undirected ties."""
        return int(self.indices.shape[0] // 2)

    @property
    def n_groups(self) -> int:
        return len(self.group_names)

    @property
    def mean_degree(self) -> float:
        return 2.0 * self.n_ties / self.n if self.n else 0.0

    def neighbours(self, i: int) -> np.ndarray:
        """Neighbours of customer ``i`` (a sorted int32 view into ``indices``)."""
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def validate(self) -> None:
        """Check every structural invariant (symmetric, sorted rows, no self-loops or duplicates,
        dtypes, group indices in range); raise ``NetworkError`` naming the first one broken."""
        from .csr import check_csr

        check_csr(self)
