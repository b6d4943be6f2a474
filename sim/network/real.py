"""Small real social networks shipped with networkx (no download needed)."""

from __future__ import annotations

import networkx as nx

from .convert import from_networkx
from .graph import Network

REAL_KINDS = ("karate", "les_miserables", "florentine", "davis")


def _karate() -> tuple[nx.Graph, str, str]:
    return nx.karate_club_graph(), "club", "Zachary's karate club (34 members, 78 ties)"


def _les_miserables() -> tuple[nx.Graph, str, str]:
    graph = nx.les_miserables_graph()
    return graph, "", "Les Miserables co-appearances (77 characters, weighted)"


def _florentine() -> tuple[nx.Graph, str, str]:
    return nx.florentine_families_graph(), "", "Florentine families marriages (15 families)"


def _davis() -> tuple[nx.Graph, str, str]:
    bip = nx.davis_southern_women_graph()
    women = [node for node, side in bip.nodes(data="bipartite") if side == 0]
    graph = nx.bipartite.weighted_projected_graph(bip, women)
    for node in graph:  # drop the bipartite side flag: it is not a group
        graph.nodes[node].clear()
    return graph, "", "Davis southern women (18 women, ties = shared events)"


_LOADERS = {
    "karate": _karate,
    "les_miserables": _les_miserables,
    "florentine": _florentine,
    "davis": _davis,
}


def real_network(kind: str, *, group_attribute: str = "group", seed: int = 0) -> Network:
    """One of the real networks shipped with networkx, with original node names as labels.

    Parameters
    ----------
    kind : {"karate", "les_miserables", "florentine", "davis"}
        karate: Zachary's karate club, groups = the two clubs after the split (node attribute
        ``club``). les_miserables: character co-appearances, weight = number of scenes together.
        florentine: marriage ties between Renaissance Florentine families. davis: the 18 women
        of Davis' Southern Women study, tied when they attended an event together (weight =
        number of shared events).
    group_attribute : str
        Node attribute holding the group, if the graph has it; otherwise (and for all but
        karate, whose ``club`` attribute is used) groups are detected with Louvain.
    seed : int
        Seed of the community detection.

    Raises
    ------
    NetworkError
        Unknown ``kind``.
    """
    from .errors import NetworkError

    if kind not in _LOADERS:
        raise NetworkError(f"unknown real network '{kind}' (allowed: {', '.join(REAL_KINDS)})")
    graph, default_attribute, name = _LOADERS[kind]()
    attribute = group_attribute
    if default_attribute and not any(group_attribute in d for _, d in graph.nodes(data=True)):
        attribute = default_attribute
    weighted = kind in ("les_miserables", "davis")
    net = from_networkx(
        graph,
        group_attribute=attribute,
        weight="weight" if weighted else None,
        name=name,
        seed=seed,
        source=f"{kind} network",
    )
    net.info["source"] = f"networkx {kind} graph"
    return net
