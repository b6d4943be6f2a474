"""Assemble a Network from tie lists, and convert to and from networkx graphs."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import networkx as nx
import numpy as np

from sim.i18n import N_, Message

from . import groups as grp
from .csr import build_csr
from .errors import NetworkError, NetworkWarning, one_line
from .graph import Network

# Tie weights are stored as float32 (max 3.4e38, smallest normal 1.2e-38) and summed per row in
# float64 for sampling; 1e-30 to 1e30 keeps every weight and every row's sum exact enough.
MIN_WEIGHT = 1e-30
MAX_WEIGHT = 1e30
# What is wrong with a weight outside [MIN_WEIGHT, MAX_WEIGHT], in the words of a message.
WEIGHT_PROBLEMS = {
    "nan": N_("is not a number"),
    "infinite": N_("is not a finite number"),
    "not positive": N_("is not positive"),
    "too large or small": N_("is out of range"),
}


def weight_problem(value: float) -> str:
    """Which of ``WEIGHT_PROBLEMS`` a number outside the allowed weights has (its message)."""
    if not math.isfinite(value):  # nan too: a float that is no finite number
        return WEIGHT_PROBLEMS["infinite"]
    return WEIGHT_PROBLEMS["not positive" if value <= 0 else "too large or small"]


def label_array(labels: Sequence) -> np.ndarray | None:
    """Original node labels as an array, or None when they are exactly ``0 .. n - 1``.

    All-int labels give an int64 array, all-str labels a str array, anything else an object array
    (never a 2-D array, even for tuple labels).
    """
    labels = list(labels)
    if all(type(x) is int for x in labels):
        if labels == list(range(len(labels))):
            return None
        if all(-(2**63) <= x < 2**63 for x in labels):
            return np.array(labels, dtype=np.int64)
    if all(isinstance(x, str) for x in labels):
        return np.array(labels, dtype=str)
    out = np.empty(len(labels), dtype=object)
    out[:] = labels
    return out


def csr_graph(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray | None) -> nx.Graph:
    """A networkx Graph with nodes ``0 .. n - 1`` from CSR arrays (each tie added once)."""
    n = indptr.shape[0] - 1
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    upper = rows < indices
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    u = rows[upper].tolist()
    v = indices[upper].tolist()
    if weights is None:
        graph.add_edges_from(zip(u, v, strict=True))
    else:
        graph.add_weighted_edges_from(zip(u, v, weights[upper].tolist(), strict=True))
    return graph


def assemble(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray | None,
    *,
    where: str,
    name: str,
    seed: int,
    labels: np.ndarray | None = None,
    group_values: Sequence | None = None,
    group_attribute: str = "group",
    info: dict | None = None,
) -> Network:
    """Build a Network from validated tie lists of a real network or a file.

    Self-loops and duplicate ties are dropped and reported in one :class:`NetworkWarning`.
    Groups come from ``group_values`` (one per customer) when given, else from Louvain
    community detection (graphs up to 200,000 customers and 200,000 ties), else one group "all".

    Parameters
    ----------
    n : int
        Number of customers (>= 1).
    src, dst : int arrays (m,)
        Tie endpoints (customer indices).
    weights : float array (m,) or None
        Positive tie strengths.
    where : str
        What the ties came from, for messages (e.g. ``"network file data/x.csv"``).
    name : str
        ``Network.name``.
    seed : int
        Seed of the community detection.
    labels, group_values, group_attribute, info
        Original node labels, group attribute values, the attribute's name and extra facts.
    """
    if n == 0:
        raise NetworkError(_empty(where))
    csr = build_csr(n, src, dst, weights)
    if csr.self_loops or csr.duplicates:
        warnings.warn(
            f"{where}: dropped {csr.self_loops} self-loops and {csr.duplicates} duplicate ties",
            NetworkWarning,
            stacklevel=3,
        )
    info = dict(info or {})
    info.update(self_loops_dropped=csr.self_loops, duplicates_dropped=csr.duplicates)
    if group_values is not None:
        groups, names = grp.from_values(group_values, where)
        info["groups_from"] = f"node attribute '{group_attribute}'"
    elif n <= grp.DETECT_MAX_N and csr.indices.shape[0] <= 2 * grp.DETECT_MAX_TIES:
        graph = csr_graph(csr.indptr, csr.indices, csr.weights)
        groups, names = grp.detect(graph, seed)
        info["groups_from"] = "detected (Louvain communities)"
    else:
        groups, names = grp.single_group(n)
        info["groups_from"] = (
            f"single group 'all': no '{group_attribute}' node attribute, and too big for "
            f"community detection (more than {grp.DETECT_MAX_N:,} customers or "
            f"{grp.DETECT_MAX_TIES:,} ties)"
        )
    return Network(csr.indptr, csr.indices, csr.weights, groups, names, labels, name, info)


def _weight_value(x: object, where: str, u: object, v: object) -> float:
    """A tie weight as a float in [MIN_WEIGHT, MAX_WEIGHT], else NetworkError."""
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        value = math.nan
        bad = WEIGHT_PROBLEMS["nan"]
    else:
        bad = weight_problem(value)
    if not (MIN_WEIGHT <= value <= MAX_WEIGHT):
        raise NetworkError(
            Message(
                N_(
                    "{where}: tie {u} -- {v}: weight {value} {problem} (weights must be numbers "
                    "from {low} to {high})"
                ),
                where=where,
                u=one_line(u, 60),
                v=one_line(v, 60),
                value=one_line(repr(x), 60),
                problem=Message(bad),
                low=f"{MIN_WEIGHT:g}",
                high=f"{MAX_WEIGHT:g}",
            )
        )
    return value


def _empty(where: str) -> Message:
    return Message(N_("{where}: empty graph (no customers)"), where=where)


def from_networkx(
    graph: nx.Graph,
    *,
    group_attribute: str = "group",
    weight: str | None = "weight",
    name: str | None = None,
    seed: int = 0,
    source: str | None = None,
) -> Network:
    """Convert a networkx graph into a Network.

    Directed graphs are made undirected, parallel ties and self-loops are dropped (one
    :class:`NetworkWarning` gives the counts). Node order is kept; the original node names are
    kept in ``labels`` unless they are already ``0 .. n - 1``.

    Parameters
    ----------
    graph : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        At least one node; nodes without ties are allowed.
    group_attribute : str
        Node attribute holding each customer's group. Present on every node: groups are its
        values (names sorted as strings). Present on none: groups are detected with Louvain
        (``c1, c2, ...``, largest first; one group "all" above 200,000 customers or ties).
    weight : str or None
        Edge attribute holding the tie strength (a positive number); None or absent on every
        tie gives an unweighted network.
    name : str, optional
        ``Network.name`` (default: the graph's name or "networkx graph").
    seed : int
        Seed of the community detection.
    source : str, optional
        What the graph came from, used at the start of error messages.

    Raises
    ------
    NetworkError
        Empty graph, group attribute on some nodes but not all, a tie with a missing (when
        others have one), non-numeric, non-finite or non-positive weight.
    """
    where = source or "networkx graph"
    nodes = list(graph.nodes)
    n = len(nodes)
    if n == 0:
        raise NetworkError(_empty(where))
    index = {node: i for i, node in enumerate(nodes)}
    edges = list(graph.edges(data=weight, default=None)) if weight else list(graph.edges)
    src = np.fromiter((index[e[0]] for e in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[e[1]] for e in edges), dtype=np.int64, count=len(edges))
    weights = None
    if weight and edges:
        has = [e[2] is not None for e in edges]
        if any(has):
            if not all(has):
                u, v, _ = edges[has.index(False)]
                raise NetworkError(
                    Message(
                        N_(
                            "{where}: tie {u} -- {v} has no '{weight}' but other ties do (give "
                            "a weight on every tie or on none)"
                        ),
                        where=where,
                        u=one_line(u, 60),
                        v=one_line(v, 60),
                        weight=weight,
                    )
                )
            weights = np.array([_weight_value(w, where, u, v) for u, v, w in edges])
    attrs = [graph.nodes[node].get(group_attribute) for node in nodes]
    missing = [a is None for a in attrs]
    group_values = None
    if not all(missing):
        if any(missing):
            first = nodes[missing.index(True)]
            raise NetworkError(
                Message(
                    N_(
                        "{where}: node {node} has no '{attribute}' attribute but other nodes do "
                        "(give it on every node or on none to detect groups)"
                    ),
                    where=where,
                    node=one_line(first, 60),
                    attribute=group_attribute,
                )
            )
        group_values = attrs
    info = {"directed_input": graph.is_directed()} if graph.is_directed() else {}
    return assemble(
        n,
        src,
        dst,
        weights,
        where=where,
        name=name or graph.graph.get("name") or "networkx graph",
        seed=seed,
        labels=label_array(nodes),
        group_values=group_values,
        group_attribute=group_attribute,
        info=info,
    )


def to_networkx(net: Network) -> nx.Graph:
    """A networkx Graph of a Network (for small graphs: the browser app and tests).

    Nodes are the customer indices ``0 .. n - 1`` with attributes ``group`` (group name) and,
    when the network has labels, ``label`` (original node name). Ties carry ``weight`` when the
    network is weighted. ``graph.graph["name"]`` is ``net.name``.
    """
    graph = csr_graph(net.indptr, net.indices, net.weights)
    graph.graph["name"] = net.name
    names = net.group_names
    for i, g in enumerate(net.groups.tolist()):
        graph.nodes[i]["group"] = names[g]
    if net.labels is not None:
        for i, label in enumerate(net.labels.tolist()):
            graph.nodes[i]["label"] = label
    return graph
