"""Seeded node positions for the network view, computed once per network and cached.

Mesa's own network drawer computes a spring layout on every frame and every Reset (a known Mesa 3.5
pitfall, DESIGN.md section 4). Here positions are computed once per (network spec, seed), kept in
a small cache, and reused on every frame and every Reset of that network.

Populations above ``MAX_DRAWN`` customers are drawn as a fixed, seeded sample of ``MAX_DRAWN``
customers and the ties among them (the induced subgraph); the charts still use everyone.

The layout is a vectorised Fruchterman-Reingold (the algorithm of networkx's ``spring_layout``)
written for dense numpy arrays: networkx's sparse variant takes about 3.5 s for 1,000 customers,
this one about 0.3 s, and 1.2 s for the 2,000 drawn at most.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from sim.network.graph import Network

MAX_DRAWN = 2000  # customers drawn at most; larger populations are drawn as a sample
MAX_TIES_DRAWN = 20_000  # ties drawn at most (a fixed sample of them beyond that)
CACHE_SIZE = 8


@dataclass(frozen=True, eq=False)
class Layout:
    """Where to draw a network's customers.

    Attributes
    ----------
    nodes : int array (m,)
        Customers drawn (indices into the network), sorted; all of them when ``n <= MAX_DRAWN``.
    pos : float array (m, 2)
        Position of each drawn customer, in [0, 1] x [0, 1].
    ties : int array (t, 2)
        Ties drawn, as pairs of *row numbers into* ``nodes``/``pos``.
    n : int
        Customers in the network.
    ties_total : int
        Ties among the drawn customers (``len(ties)`` may be a sample of them).
    """

    nodes: np.ndarray
    pos: np.ndarray
    ties: np.ndarray
    n: int
    ties_total: int

    @property
    def sampled(self) -> bool:
        return self.nodes.shape[0] < self.n

    @property
    def ties_sampled(self) -> bool:
        return self.ties.shape[0] < self.ties_total


def induced_ties(net: Network, nodes: np.ndarray) -> np.ndarray:
    """Ties among ``nodes`` (sorted customer indices) as pairs of row numbers, each tie once."""
    n = net.n
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[nodes] = np.arange(nodes.shape[0])
    counts = np.diff(net.indptr)[nodes]
    src = np.repeat(nodes, counts)
    starts = net.indptr[nodes]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    dst = net.indices[np.repeat(starts, counts) + offsets].astype(np.int64)
    keep = (src < dst) & (row_of[dst] >= 0)
    return np.stack([row_of[src[keep]], row_of[dst[keep]]], axis=1)


def fruchterman_reingold(
    m: int, ties: np.ndarray, rng: np.random.Generator, iterations: int = 50
) -> np.ndarray:
    """Force-directed positions of ``m`` nodes with ties ``(t, 2)``, scaled to [0, 1]^2.

    Same forces as networkx's ``spring_layout`` (repulsion k^2/d between all pairs, attraction
    d^2/k along ties, a linearly cooling step), computed densely with numpy.
    """
    if m == 0:
        return np.zeros((0, 2))
    pos = rng.random((m, 2)).astype(np.float32)  # float32 halves the time of the n x n arrays
    if m == 1:
        return np.full((1, 2), 0.5)
    k = np.float32(np.sqrt(1.0 / m))
    temp = 0.1
    cool = temp / (iterations + 1)
    src, dst = ties[:, 0], ties[:, 1]
    for _ in range(iterations):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        d2 = dx * dx + dy * dy
        np.maximum(d2, np.float32(1e-6), out=d2)
        inv = (k * k) / d2
        fx = (dx * inv).sum(axis=1)
        fy = (dy * inv).sum(axis=1)
        if ties.shape[0]:
            ex = pos[src] - pos[dst]
            length = np.sqrt((ex * ex).sum(axis=1))
            pull = ex * (length / k)[:, None]
            fx -= np.bincount(src, pull[:, 0], m) - np.bincount(dst, pull[:, 0], m)
            fy -= np.bincount(src, pull[:, 1], m) - np.bincount(dst, pull[:, 1], m)
        size = np.maximum(np.sqrt(fx * fx + fy * fy), 0.01)
        pos[:, 0] += fx * (temp / size)
        pos[:, 1] += fy * (temp / size)
        temp -= cool
    return _normalise(pos.astype(np.float64))


def sunflower(m: int) -> np.ndarray:
    """Evenly spread points on a disc (for well mixed networks, where every layout is a blob)."""
    i = np.arange(m) + 0.5
    r = np.sqrt(i / max(m, 1))
    theta = i * np.pi * (3.0 - np.sqrt(5.0))
    return _normalise(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))


def _normalise(pos: np.ndarray) -> np.ndarray:
    """Scale into [0, 1]^2 keeping the aspect ratio, centred on the shorter axis."""
    pos = pos - pos.min(axis=0)
    extent = pos.max(axis=0)
    span = extent.max()
    if span <= 0:
        return pos + 0.5
    return pos / span + (1.0 - extent / span) / 2.0


def compute_layout(net: Network, seed: int, *, well_mixed: bool = False) -> Layout:
    """Positions of the drawn customers of ``net`` (a seeded sample when above ``MAX_DRAWN``)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x1A7,)))
    n = net.n
    sample = n > MAX_DRAWN
    nodes = np.sort(rng.choice(n, size=MAX_DRAWN, replace=False)) if sample else np.arange(n)
    ties = induced_ties(net, nodes)
    total = ties.shape[0]
    if well_mixed:
        pos = sunflower(nodes.shape[0])
    else:
        # Fewer iterations for big views: each one costs O(m^2).
        pos = fruchterman_reingold(nodes.shape[0], ties, rng, 50 if nodes.shape[0] <= 1000 else 30)
    if total > MAX_TIES_DRAWN:
        ties = ties[np.sort(rng.choice(total, size=MAX_TIES_DRAWN, replace=False))]
    return Layout(nodes=nodes, pos=pos, ties=ties, n=n, ties_total=total)


class LayoutCache:
    """Least-recently-used cache of layouts keyed by (network spec, seed). Thread safe."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[tuple, Layout] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # how many layouts were computed (tests check reuse)

    def get(self, key: tuple, net: Network, seed: int, *, well_mixed: bool = False) -> Layout:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        layout = compute_layout(net, seed, well_mixed=well_mixed)
        with self._lock:
            self.computed += 1
            self._items[key] = layout
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return layout

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


LAYOUTS = LayoutCache()
