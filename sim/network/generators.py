"""Synthetic network families, vectorised with numpy (no Python loop over customers or ties).

Each generator returns a :class:`Generated`: the CSR arrays, the planted groups (communities
only) and a dict of facts for ``Network.info``. Ties drawn twice or onto oneself while sampling
are removed silently (they are an artefact of vectorised sampling, not bad input); ``info``
records how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.i18n import N_, Message

from .csr import build_csr, csr_from_unique_keys, sorted_unique
from .errors import NetworkError

WELL_MIXED_MAX_N = 5000


@dataclass
class Generated:
    """Output of a generator: CSR arrays plus optional planted groups and facts."""

    indptr: np.ndarray
    indices: np.ndarray
    groups: np.ndarray | None = None
    info: dict = field(default_factory=dict)


def _from_pairs(n: int, u: np.ndarray, v: np.ndarray, info: dict) -> Generated:
    csr = build_csr(n, u, v)
    info = dict(info, sampling_self_loops=csr.self_loops, sampling_duplicates=csr.duplicates)
    return Generated(csr.indptr, csr.indices, None, info)


def _other_node(rng: np.random.Generator, u: np.ndarray, n: int) -> np.ndarray:
    """For each ``u``, a customer drawn uniformly from the ``n - 1`` others (never ``u``)."""
    r = rng.integers(0, n - 1, size=u.shape[0], dtype=np.int64)
    r += r >= u
    return r


def well_mixed(n: int) -> Generated:
    """Complete graph: every customer knows every other one.

    Parameters
    ----------
    n : int
        Number of customers (at most 5,000).

    Raises
    ------
    NetworkError
        When ``n > 5000``: a complete graph needs ``n * (n - 1)`` tie ends.
    """
    if n > WELL_MIXED_MAX_N:
        raise NetworkError(
            Message(
                N_(
                    "well_mixed network with n = {n}: a complete graph needs n*(n-1) = {ends} "
                    "tie ends (allowed up to n = {limit}); use kind = 'random' with a large "
                    "mean_degree instead"
                ),
                n=str(n),
                ends=n * (n - 1),
                limit=str(WELL_MIXED_MAX_N),
            )
        )
    indptr = np.arange(n + 1, dtype=np.int64) * (n - 1)
    full = np.broadcast_to(np.arange(n, dtype=np.int32), (n, n))
    indices = full[~np.eye(n, dtype=bool)]
    return Generated(indptr, np.ascontiguousarray(indices), None, {"mean_degree_target": n - 1})


def _lattice_half(n: int, mean_degree: float) -> int:
    """Neighbours on each side of a ring lattice: round(mean_degree / 2), at most (n - 1) // 2."""
    half = int(np.floor(mean_degree / 2 + 0.5))
    return max(0, min(half, (n - 1) // 2))


def _lattice(n: int, half: int) -> tuple[np.ndarray, np.ndarray]:
    u = np.repeat(np.arange(n, dtype=np.int64), half)
    v = u + np.tile(np.arange(1, half + 1, dtype=np.int64), n)
    v[v >= n] -= n
    return u, v


def ring(n: int, mean_degree: float) -> Generated:
    """Ring lattice: each customer tied to its ``k`` nearest neighbours, ``k / 2`` on each side.

    ``k = 2 * round(mean_degree / 2)`` (the nearest even number, at most ``n - 1``), so every
    customer has degree exactly ``k``.
    """
    half = _lattice_half(n, mean_degree)
    u, v = _lattice(n, half)
    return _from_pairs(n, u, v, {"k": 2 * half})


def small_world(n: int, mean_degree: float, rewire: float, rng: np.random.Generator) -> Generated:
    """Watts-Strogatz small world: a ring lattice whose ties are each rewired with prob ``rewire``.

    Rewiring moves the far end of a tie to a customer drawn uniformly from all others (never the
    tie's own start, so no self-loops). Unlike networkx, a rewired tie may land on a pair that is
    already tied; such duplicates are dropped, so the mean degree can fall a little below
    ``k`` (by about ``rewire * k**2 / n`` ties per customer: negligible for large ``n``).
    """
    half = _lattice_half(n, mean_degree)
    u, v = _lattice(n, half)
    moved = rng.random(u.shape[0]) < rewire
    v[moved] = _other_node(rng, u[moved], n)
    return _from_pairs(n, u, v, {"k": 2 * half, "rewired": int(moved.sum())})


def _fill_unique(draw, target: int, max_rounds: int = 30) -> np.ndarray:
    """Distinct pair keys from ``draw(k)`` (k candidate keys) until ``target`` are collected.

    Keys are kept in draw order after the first round, so the result is a uniform sample of
    ``target`` distinct pairs whenever ``draw`` is uniform on its pairs.
    """
    main = sorted_unique(draw(target))
    extras: list[np.ndarray] = []
    have = main.shape[0]
    for _ in range(max_rounds):
        need = target - have
        if need <= 0:
            break
        cand = draw(int(need * 1.2) + 16)
        pos = np.searchsorted(main, cand)
        pos[pos == main.shape[0]] = 0
        fresh = cand[main[pos] != cand] if main.shape[0] else cand
        if extras:
            fresh = fresh[~np.isin(fresh, np.concatenate(extras))]
        # first occurrence of each key, in draw order
        order = np.argsort(fresh, kind="stable")
        srt = fresh[order]
        first = np.ones(srt.shape[0], dtype=bool)
        first[1:] = srt[1:] != srt[:-1]
        fresh = fresh[np.sort(order[first])][:need]
        extras.append(fresh)
        have += fresh.shape[0]
    if extras:  # "stable" (timsort) merges the sorted runs in about linear time
        main = np.sort(np.concatenate([main, *[np.sort(e) for e in extras]]), kind="stable")
    return main


def random_graph(n: int, mean_degree: float, rng: np.random.Generator) -> Generated:
    """Erdos-Renyi G(n, m): ``m = round(n * mean_degree / 2)`` distinct ties, uniformly at random.

    Pairs are drawn in bulk, deduplicated by sorting, and topped up until exactly ``m`` distinct
    ties exist (one or two rounds). Dense graphs (more than a quarter of all pairs) are sampled
    without replacement from the list of all pairs instead.
    """
    pairs = n * (n - 1) // 2
    m = min(int(round(n * mean_degree / 2)), pairs)
    if m == 0:
        keys = np.zeros(0, dtype=np.int64)
    elif 4 * m >= pairs:
        iu, ju = np.triu_indices(n, 1)
        pick = np.sort(rng.choice(pairs, size=m, replace=False))
        keys = iu[pick].astype(np.int64) * n + ju[pick]
    else:

        def draw(k: int) -> np.ndarray:
            u = rng.integers(0, n, size=k, dtype=np.int64)
            v = _other_node(rng, u, n)
            return np.minimum(u, v) * n + np.maximum(u, v)

        keys = _fill_unique(draw, m)
    indptr, indices, _ = csr_from_unique_keys(n, keys)
    return Generated(indptr, indices, None, {"m": m})


def preferential(
    n: int, m: int, triangle_prob: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Barabasi-Albert / Holme-Kim ties by vectorised Batagelj-Brandes sampling.

    Customer ``t`` arrives with ``m`` ties. Tie ends are stored in one list ``M`` of length
    ``2 m n``: position ``2 s`` holds the arriving customer of slot ``s = t m + i`` and position
    ``2 s + 1`` its target. Preferential attachment (PA) picks a uniform random position ``r`` in
    ``[0, 2 m t)``, i.e. an existing tie end, so an existing customer is hit with probability
    proportional to its degree (linear preferential attachment); the target is ``M[r]``.

    Holme-Kim triad formation (TF): after a PA step that reached ``w`` through position ``r``,
    each further slot of ``t`` is a TF step with probability ``triangle_prob`` and ties ``t`` to a
    neighbour of ``w``. The first TF step takes the other end of the tie found at ``r``: because
    ``r`` is uniform among ``w``'s tie ends, that is a uniformly random neighbour of ``w``, exactly
    as in Holme and Kim (2002). Further TF steps on the same ``w`` take ``w``'s own attachment
    ties in turn (still neighbours of ``w``, so every TF step closes a triangle).

    All targets are pointers to earlier positions, so the whole list is resolved with a few
    dozen vectorised pointer-chasing rounds (the chains are short: about log2 of the list length
    at worst). Unlike networkx, an arriving customer may draw the same target twice; such
    duplicates (common only among the first few hundred arrivals) are dropped later, so the
    mean degree is ``2 m`` minus a little (about 1-2 % at n = 2,000, negligible at 10**5).

    Parameters
    ----------
    n : int
        Number of customers.
    m : int
        Ties brought by each arriving customer (>= 1).
    triangle_prob : float
        Probability of a TF step after each attachment (0 gives Barabasi-Albert).
    rng : numpy Generator

    Returns
    -------
    src, dst : int arrays of length ``n m`` (may contain self-loops and duplicates).
    """
    slots = n * m
    pos_t = np.int64 if 2 * slots >= 2**31 else np.int32
    s = np.arange(slots, dtype=np.int64)
    t = s // m
    # PA position for every slot (used by PA slots, and as the anchor of TF slots).
    r = np.floor(rng.random(slots) * (2 * m) * t).astype(pos_t)
    ptr = r.copy()  # position whose value is the target of slot s
    later_tf = np.zeros(0, dtype=np.int64)
    anchor_pos = np.zeros(0, dtype=pos_t)
    later_j = np.zeros(0, dtype=np.int64)
    if m > 1 and triangle_prob > 0:
        i = (s % m).reshape(n, m)
        is_pa = rng.random((n, m)) >= triangle_prob
        is_pa[:, 0] = True
        last_pa = np.maximum.accumulate(np.where(is_pa, i, 0), axis=1)
        ordinal = (i - last_pa).ravel()  # 0 = PA, 1 = first TF after the PA, 2 = second, ...
        anchor_slot = (t * m + last_pa.ravel()).astype(np.int64)
        del i, is_pa, last_pa
        first_tf = ordinal == 1
        ptr[first_tf] = r[anchor_slot[first_tf]] ^ 1  # other end of the tie found by the PA step
        later_tf = np.flatnonzero(ordinal >= 2)
        anchor_pos = r[anchor_slot[later_tf]]
        offset = rng.integers(0, m, size=n)
        later_j = (offset[t[later_tf]] + ordinal[later_tf] - 2) % m
        del ordinal, anchor_slot, first_tf
    del s
    # Resolve the values of all 2 * slots positions. Even positions hold their arriving customer.
    # Seed: customers 0 .. m form a clique; customer t <= m ties to t+1, ..., t+m (mod m + 1), so
    # each seed tie is listed twice and every seed customer starts with m ties.
    seed = (m + 1) * m
    val = np.empty(2 * slots, dtype=np.int32)
    val[0::2] = t.astype(np.int32)
    del t
    odd_val = val[1::2]  # a view: writing it fills the odd positions of val
    odd_val[:] = -1
    seed_t = np.arange(seed) // m
    odd_val[:seed] = (seed_t + np.arange(seed) % m + 1) % (m + 1)
    keep = later_tf >= seed
    pending, anchor_pos, later_j = later_tf[keep], anchor_pos[keep], later_j[keep]
    is_later = np.zeros(slots, dtype=bool)
    is_later[pending] = True
    is_later[:seed] = True  # already resolved
    unresolved = np.flatnonzero(~is_later)
    del is_later
    target = ptr[unresolved].astype(np.int64)
    del ptr, r
    # Every pointer refers to an earlier position, so Jacobi rounds terminate; the chains are
    # short (a pointer lands on a still-unresolved odd position with probability about 1/2).
    while unresolved.shape[0] or pending.shape[0]:
        progress = 0
        if pending.shape[0]:
            w = val[anchor_pos]
            ready = w >= 0
            if ready.any():
                progress += int(ready.sum())
                unresolved = np.concatenate([unresolved, pending[ready]])
                target = np.concatenate(
                    [target, 2 * (w[ready].astype(np.int64) * m + later_j[ready]) + 1]
                )
                pending, anchor_pos, later_j = (
                    pending[~ready],
                    anchor_pos[~ready],
                    later_j[~ready],
                )
        got = val[target]
        done = got >= 0
        progress += int(done.sum())
        odd_val[unresolved[done]] = got[done]
        unresolved, target = unresolved[~done], target[~done]
        if not progress:  # pragma: no cover - impossible: pointers only go backwards
            raise RuntimeError("preferential attachment: pointer resolution is stuck")
    src = val[0::2]
    dst = val[1::2]
    return src, dst


def scale_free(n: int, mean_degree: float, rng: np.random.Generator) -> Generated:
    """Barabasi-Albert scale-free network, ``m = max(1, round(mean_degree / 2))`` ties per arrival.

    Mean degree is about ``2 m`` (so an odd ``mean_degree`` is rounded to an even one), and the
    degree distribution has a power-law tail with exponent 3.
    """
    m = max(1, int(np.floor(mean_degree / 2 + 0.5)))
    m = min(m, n - 1)
    src, dst = preferential(n, m, 0.0, rng)
    return _from_pairs(n, src, dst, {"m": m})


def clustered_scale_free(
    n: int, mean_degree: float, triangle_prob: float, rng: np.random.Generator
) -> Generated:
    """Holme-Kim clustered scale-free network: Barabasi-Albert plus triad formation.

    ``m = max(1, round(mean_degree / 2))`` ties per arriving customer; after each preferential
    attachment to ``w``, each further tie closes a triangle with a neighbour of ``w`` with
    probability ``triangle_prob``. See :func:`preferential` for the sampling scheme. Triad steps
    that hit a tie the customer already has are dropped (networkx retries them instead), so the
    mean degree is about 2 % below ``2 m`` (9.84 for ``m = 5``, ``triangle_prob = 0.5``).
    """
    m = max(1, int(np.floor(mean_degree / 2 + 0.5)))
    m = min(m, n - 1)
    src, dst = preferential(n, m, triangle_prob, rng)
    return _from_pairs(n, src, dst, {"m": m})


def group_sizes(n: int, k: int) -> np.ndarray:
    """Sizes of ``k`` near-equal groups of ``n`` customers (the first ``n % k`` get one more)."""
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    return sizes


def communities(
    n: int, mean_degree: float, k: int, mixing: float, rng: np.random.Generator
) -> Generated:
    """Planted partition: ``k`` equal groups, expected degree ``mean_degree``, a share ``mixing``
    of each customer's ties expected to leave its group.

    Customers ``0 .. n - 1`` are split into ``k`` contiguous blocks of near-equal size. Each of
    the ``round(n * mean_degree * (1 - mixing) / 2)`` within-group ties picks a uniform customer
    and then a uniform other customer of the same group; each of the
    ``round(n * mean_degree * mixing / 2)`` between-group ties picks a uniform customer and then
    a uniform customer of another group, so every customer has the same expected degree and
    mixing share. Both sets are topped up until distinct (as for G(n, m)),
    so the counts are exact unless a group is nearly complete. With ``k = 1`` all ties are
    inside the one group (G(n, m)) whatever ``mixing`` is.

    Raises
    ------
    NetworkError
        When ``k > n``.
    """
    if k > n:
        raise NetworkError(
            Message(
                N_("communities network: groups = {groups} but only n = {n} customers"),
                groups=str(k),
                n=str(n),
            )
        )
    sizes = group_sizes(n, k)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    groups = np.repeat(np.arange(k, dtype=np.int16), sizes)
    in_pairs = sizes * (sizes - 1) // 2
    total_in_pairs = int(in_pairs.sum())
    out_pairs = n * (n - 1) // 2 - total_in_pairs
    inside = 1 - mixing if k > 1 else 1.0  # one group: every tie is inside it
    m_in = min(int(round(n * mean_degree * inside / 2)), total_in_pairs)
    m_out = min(int(round(n * mean_degree * mixing / 2)), out_pairs) if k > 1 else 0
    parts = []
    if m_in:
        # customers of one-member groups (only when n < 2 k) have nobody inside to tie to;
        # the larger groups come first, so the others are a prefix 0 .. eligible - 1
        eligible = int(sizes[sizes >= 2].sum())

        def draw_in(c: int) -> np.ndarray:
            u = rng.integers(0, eligible, size=c, dtype=np.int64)
            g = groups[u]
            v = np.floor(rng.random(c) * (sizes[g] - 1)).astype(np.int64) + offsets[g]
            v += v >= u
            return np.minimum(u, v) * n + np.maximum(u, v)

        parts.append(_fill_unique(draw_in, m_in))
    if m_out:

        def draw_out(c: int) -> np.ndarray:
            u = rng.integers(0, n, size=c, dtype=np.int64)
            g = groups[u]
            v = np.floor(rng.random(c) * (n - sizes[g])).astype(np.int64)
            v += np.where(v >= offsets[g], sizes[g], 0)
            return np.minimum(u, v) * n + np.maximum(u, v)

        parts.append(_fill_unique(draw_out, m_out))
    # both parts are sorted runs: a stable sort merges them in about linear time
    keys = np.sort(np.concatenate(parts), kind="stable") if parts else np.zeros(0, np.int64)
    indptr, indices, _ = csr_from_unique_keys(n, keys)
    return Generated(indptr, indices, groups, {"within_ties": m_in, "between_ties": m_out})
