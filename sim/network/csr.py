"""Edge arrays -> symmetric, deduplicated CSR adjacency (vectorised with numpy).

The one place where tie lists become the compact form the engine runs on. Everything here is
array code: no Python loop over customers or ties, so a graph with millions of ties takes well
under a second or two.

Algorithm (``m`` undirected ties on ``n`` customers):

1. ``a = min(u, v)``, ``b = max(u, v)``; self-loops (``a == b``) are dropped and counted.
2. The key ``a * n + b`` (int64) is sorted once; equal neighbouring keys are duplicate ties
   (dropped and counted; with weights the first occurrence in input order is kept).
3. Row ``i`` of the CSR holds its lower neighbours (``a`` of the ties with ``b == i``) followed
   by its upper neighbours (``b`` of the ties with ``a == i``). The upper part needs the ties
   sorted by ``a * n + b``, the lower part sorted by ``b * n + a``; both parts are then
   scattered into place, so every row ends up sorted without a merge.

Without weights, step 2 sorts ``b * n + a`` (nearly sorted already for lattices and
preferential attachment, where ties are listed by their larger end, so numpy's "stable"
timsort is quick) and that order serves the lower parts directly; one more sort gives the upper
order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import NetworkError


@dataclass(frozen=True)
class CSR:
    """A symmetric CSR adjacency and what was dropped while building it.

    Attributes
    ----------
    indptr : int64 array, shape (n + 1,)
    indices : int32 array, shape (2 * ties,)
    weights : float32 array, shape (2 * ties,), or None
    self_loops : int
        Number of input ties ``i -- i`` dropped.
    duplicates : int
        Number of input ties dropped because the same pair (in either direction) came earlier.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray | None
    self_loops: int
    duplicates: int


def _key_dtype(n: int) -> type:
    if n > 3_000_000_000:  # n * n must fit in int64
        raise NetworkError(f"network too large: {n} customers (at most 3,000,000,000)")
    return np.int64


def build_csr(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray | None = None,
) -> CSR:
    """Build a symmetric, deduplicated CSR adjacency from undirected tie lists.

    Parameters
    ----------
    n : int
        Number of customers; every entry of ``src`` and ``dst`` must be in ``0 .. n - 1``.
    src, dst : integer arrays, shape (m,)
        Endpoints of the ``m`` ties. Direction does not matter.
    weights : float array, shape (m,), or None
        Tie strengths (already validated as positive). With duplicates, the first wins.

    Returns
    -------
    CSR
        ``indptr`` (int64), ``indices`` (int32, sorted within each row), ``weights`` (float32 or
        None) and the numbers of dropped self-loops and duplicate ties.
    """
    src = np.asarray(src)
    dst = np.asarray(dst)
    if src.shape != dst.shape or src.ndim != 1:
        raise ValueError("src and dst must be 1-D arrays of the same length")
    key_t = _key_dtype(n)
    a = np.minimum(src, dst).astype(key_t, copy=False)
    b = np.maximum(src, dst).astype(key_t, copy=False)
    loops = a == b
    n_self = int(loops.sum())
    keys = a * n + b
    del a, b
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
    if n_self:
        keep = ~loops
        keys = keys[keep]
        if w is not None:
            w = w[keep]
    del loops
    if w is None:
        # Deduplicate in (larger end, smaller end) order: generators list ties mostly by their
        # larger end (lattices, preferential attachment), so this "stable" (timsort) sort of
        # nearly sorted keys is fast, and it is the order the lower halves of the rows need.
        lower = keys // n
        lower += (keys - lower * n) * n  # b * n + a
        del keys
        lower.sort(kind="stable")
        first = _first_of_runs(lower)
        if first is not None:
            lower = lower[first]
        keys = lower % n
        keys *= n
        keys += lower // n
        keys.sort(kind="stable")
        n_dup = int(src.shape[0] - n_self - keys.shape[0])
        indptr, indices, _ = csr_from_unique_keys(n, keys, lower_keys=lower)
        return CSR(indptr, indices, None, n_self, n_dup)
    else:
        order = np.argsort(keys, kind="stable")  # stable: first occurrence of a pair wins
        keys = keys[order]
        w = w[order]
        del order
        first = _first_of_runs(keys)
        if first is not None:
            keys = keys[first]
            w = w[first]
    n_dup = int(src.shape[0] - n_self - keys.shape[0])
    indptr, indices, wts = csr_from_unique_keys(n, keys, w)
    return CSR(indptr, indices, wts, n_self, n_dup)


def _first_of_runs(sorted_keys: np.ndarray) -> np.ndarray | None:
    """Boolean mask of the first element of each run of equal keys, or None if all distinct."""
    if sorted_keys.shape[0] < 2:
        return None
    mask = np.empty(sorted_keys.shape[0], dtype=bool)
    mask[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=mask[1:])
    return None if mask.all() else mask


def sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique`` for int64 keys via sort (numpy 2.x's ``np.unique`` is much slower here)."""
    keys = np.sort(keys)
    first = _first_of_runs(keys)
    return keys if first is None else keys[first]


def csr_from_unique_keys(
    n: int,
    keys: np.ndarray,
    weights: np.ndarray | None = None,
    lower_keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """CSR arrays from sorted, distinct undirected keys ``a * n + b`` with ``a < b``.

    Parameters
    ----------
    n : int
        Number of customers.
    keys : int64 array, shape (m,)
        Sorted, distinct keys of the ``m`` ties, each with ``a < b``.
    weights : float array, shape (m,), or None
        Weight of each tie, aligned with ``keys``.
    lower_keys : int64 array, shape (m,), optional
        The same ties as sorted keys ``b * n + a``, when the caller has them (saves a sort;
        unweighted only).

    Returns
    -------
    indptr : int64 array (n + 1,)
    indices : int32 array (2 m,)
    weights : float32 array (2 m,) or None
    """
    m = int(keys.shape[0])
    a, b = np.divmod(keys, n)  # int64: smaller and larger end of each tie
    cnt_up = np.bincount(a, minlength=n)  # ties where the customer is the smaller end
    cnt_lo = np.bincount(b, minlength=n)  # ties where the customer is the larger end
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(cnt_up + cnt_lo, out=indptr[1:])
    indices = np.empty(2 * m, dtype=np.int32)
    wts = None if weights is None else np.empty(2 * m, dtype=np.float32)
    if m == 0:
        return indptr, indices, wts
    pos_t = np.int32 if 2 * m < 2**31 else np.int64
    ar = np.arange(m, dtype=pos_t)
    # Upper part of each row: keys are sorted by (a, b), so the ties of row a are contiguous and
    # sorted by b; they go right after the row's lower part.
    start = np.cumsum(cnt_up) - cnt_up
    dest = np.repeat((indptr[:-1] + cnt_lo - start).astype(pos_t), cnt_up)
    dest += ar
    indices[dest] = b
    if wts is not None:
        wts[dest] = weights
    # Lower part: the ties ordered by (b, a) fill the start of each row b.
    start = np.cumsum(cnt_lo) - cnt_lo
    dest = np.repeat((indptr[:-1] - start).astype(pos_t), cnt_lo)
    dest += ar
    del ar, start
    if lower_keys is not None and wts is None:
        smaller = lower_keys % n
    else:
        key2 = np.multiply(b, n, out=b)
        key2 += a
        if wts is None:
            key2.sort(kind="stable")
        else:
            order = np.argsort(key2)
            key2 = key2[order]
            wts[dest] = np.asarray(weights)[order]
            del order
        smaller = np.remainder(key2, n, out=key2)
    del a, b
    indices[dest] = smaller
    return indptr, indices, wts


def check_csr(net) -> None:
    """Check every structural invariant of a :class:`~sim.network.graph.Network`.

    Checks dtypes and shapes, that ``indptr`` starts at 0 and never decreases, that neighbour
    indices are in range, that there are no self-loops or duplicates, that rows are sorted, that
    the adjacency is symmetric (each ``i -> j`` has ``j -> i``, with the same weight), that weights
    are positive and finite, and that every group index is in range.

    Raises
    ------
    NetworkError
        Naming the first broken invariant.
    """

    def fail(what: str) -> None:
        raise NetworkError(f"invalid network '{net.name}': {what}")

    indptr, indices, weights, groups = net.indptr, net.indices, net.weights, net.groups
    if indptr.dtype != np.int64 or indptr.ndim != 1 or indptr.shape[0] < 1:
        fail("indptr must be a 1-D int64 array of length n + 1")
    n = indptr.shape[0] - 1
    if indices.dtype != np.int32 or indices.ndim != 1:
        fail("indices must be a 1-D int32 array")
    if indptr[0] != 0 or indptr[-1] != indices.shape[0]:
        fail("indptr must start at 0 and end at len(indices)")
    if np.any(np.diff(indptr) < 0):
        fail("indptr must not decrease")
    if indices.shape[0] % 2:
        fail("odd number of tie ends (each tie must be stored in both directions)")
    if indices.shape[0] and (indices.min() < 0 or indices.max() >= n):
        fail("neighbour index out of range")
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    cols = indices.astype(np.int64)
    if np.any(rows == cols):
        fail("self-loop")
    keys = rows * n + cols
    if keys.shape[0] > 1 and np.any(np.diff(keys) <= 0):
        fail("rows not strictly increasing (unsorted row or duplicate tie)")
    rev = cols * n + rows
    pos = np.searchsorted(keys, rev)
    pos_ok = pos < keys.shape[0]
    if not pos_ok.all() or np.any(keys[pos] != rev):
        fail("not symmetric: some tie i -> j has no j -> i")
    if weights is not None:
        if weights.dtype != np.float32 or weights.shape != indices.shape:
            fail("weights must be a float32 array aligned with indices")
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            fail("weights must be positive and finite")
        if np.any(weights[pos] != weights):
            fail("weights not symmetric")
    if groups.dtype != np.int16 or groups.shape != (n,):
        fail("groups must be an int16 array of length n")
    if n and (groups.min() < 0 or groups.max() >= len(net.group_names)):
        fail("group index out of range")
    if net.labels is not None and len(net.labels) != n:
        fail("labels must have length n")
