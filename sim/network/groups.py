"""Customer groups: random segments, node attributes, or communities detected with Louvain."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

from sim.i18n import N_, Message

from .errors import NetworkError

MAX_GROUPS = int(np.iinfo(np.int16).max)  # groups are stored as int16
# Louvain in networkx is pure Python: about 10 s for 100,000 ties, minutes for a million, so
# groups of bigger graphs without a group attribute are not detected.
DETECT_MAX_N = 200_000
DETECT_MAX_TIES = 200_000


def default_names(k: int, names: Sequence[str] | None = None, prefix: str = "g") -> tuple:
    """Group names: ``names`` when given, else ``g1, g2, ..., gk``."""
    if names is not None:
        return tuple(str(x) for x in names)
    return tuple(f"{prefix}{i + 1}" for i in range(k))


def single_group(n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Everybody in one group named ``"all"``."""
    return np.zeros(n, dtype=np.int16), ("all",)


def random_segments(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``n`` customers at random into ``k`` groups of near-equal size.

    The first ``n % k`` groups get one customer more. Independent of the network structure:
    these are target segments, not communities.

    Raises
    ------
    NetworkError
        When ``k > n`` (some groups would be empty).
    """
    if k > n:
        raise NetworkError(
            Message(
                N_("groups = {groups} but only n = {n} customers (each group needs one)"),
                groups=str(k),
                n=str(n),
            )
        )
    return rng.permutation(np.arange(n, dtype=np.int64) % k).astype(np.int16)


def from_values(values: Sequence, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Group indices from one attribute value per customer.

    Names are the values as strings, sorted (numerically when all values are numbers).

    Raises
    ------
    NetworkError
        When there are more than 32,767 distinct values.
    """
    strings = [str(v) for v in values]
    numeric = all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values
    )
    if numeric:  # 2 before 10
        first = dict(zip(strings, values, strict=True))
        names = sorted(first, key=lambda name: float(first[name]))
    else:
        names = sorted(set(strings))
    if len(names) > MAX_GROUPS:
        raise NetworkError(
            Message(
                N_("{where}: {count} distinct group values (at most {limit} groups)"),
                where=where,
                count=str(len(names)),
                limit=str(MAX_GROUPS),
            )
        )
    index = {name: i for i, name in enumerate(names)}
    codes = np.fromiter((index[s] for s in strings), dtype=np.int16, count=len(strings))
    return codes, tuple(names)


def from_communities(n: int, communities: Sequence) -> tuple[np.ndarray, tuple[str, ...]]:
    """Group indices from a partition (sets of customer indices), named c1, c2, ... by size.

    Largest community first (ties broken by smallest member). More than 32,767 communities
    (e.g. many isolated customers) keeps the 32,766 largest and merges the rest into "other".
    """
    comms = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    groups = np.zeros(n, dtype=np.int16)
    names = []
    for i, members in enumerate(comms):
        if i == MAX_GROUPS - 1 and len(comms) > MAX_GROUPS:
            rest = [x for c in comms[i:] for x in c]
            groups[rest] = i
            names.append("other")
            break
        groups[members] = i
        names.append(f"c{i + 1}")
    return groups, tuple(names)


def detect(graph: nx.Graph, seed: int, weight: str | None = "weight") -> tuple:
    """Communities of a networkx graph (nodes ``0 .. n - 1``) by Louvain modularity.

    Parameters
    ----------
    graph : networkx.Graph
        Nodes must be ``0 .. n - 1``.
    seed : int
        Seed for Louvain's random node order (same seed, same groups).
    weight : str or None
        Edge attribute used as tie strength.

    Returns
    -------
    groups : int16 array (n,)
    names : tuple of str, ``c1, c2, ...`` by size, largest first.
    """
    comms = nx.community.louvain_communities(graph, weight=weight, seed=seed)
    return from_communities(graph.number_of_nodes(), comms)
