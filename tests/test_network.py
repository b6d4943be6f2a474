"""Network layer: CSR invariants, generators, determinism, real networks, networkx conversion."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.network import (
    Network,
    NetworkError,
    build_network,
    check_csr,
    from_networkx,
    to_networkx,
)
from sim.network.csr import build_csr
from sim.params import NetworkSpec

GENERATED = [
    "well_mixed",
    "ring",
    "small_world",
    "random",
    "scale_free",
    "clustered_scale_free",
    "communities",
]
REAL = ["karate", "les_miserables", "florentine", "davis"]


def spec(kind: str, **kw) -> NetworkSpec:
    kw.setdefault("n", 600)
    return NetworkSpec(kind=kind, **kw)


# --- CSR invariants -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", GENERATED + REAL)
def test_csr_invariants_every_kind(kind):
    net = build_network(spec(kind), 7)
    check_csr(net)  # raises on any broken invariant
    net.validate()
    assert net.indptr.dtype == np.int64 and net.indices.dtype == np.int32
    assert net.groups.dtype == np.int16 and net.groups.shape == (net.n,)
    assert net.weights is None or net.weights.dtype == np.float32
    assert np.all(np.diff(net.indptr) >= 0)
    # symmetric: the multiset of (i, j) equals that of (j, i)
    rows = np.repeat(np.arange(net.n), net.degree)
    fwd = set(zip(rows.tolist(), net.indices.tolist(), strict=True))
    assert fwd == {(j, i) for i, j in fwd}
    assert len(fwd) == net.indices.shape[0]  # no duplicates
    assert all(i != j for i, j in fwd)  # no self-loops
    assert net.info["kind"] == kind
    assert net.info["mean_degree"] == pytest.approx(net.mean_degree)


def _net(indptr, indices, n_groups=1, weights=None):
    n = len(indptr) - 1
    return Network(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int32),
        None if weights is None else np.asarray(weights, dtype=np.float32),
        np.zeros(n, dtype=np.int16),
        tuple(f"g{i}" for i in range(n_groups)),
    )


@pytest.mark.parametrize(
    ("indptr", "indices", "weights", "problem"),
    [
        ([0, 1, 2, 2], [1, 2], None, "symmetric"),  # 0 -> 1, 1 -> 2 without the reverse
        ([0, 1, 2], [0, 1], None, "self-loop"),
        ([0, 2, 4], [1, 1, 0, 0], None, "duplicate"),
        ([0, 2, 3, 4], [2, 1, 0, 0], None, "sorted"),
        ([0, 1, 2], [1, 0], [1.0, 2.0], "weights not symmetric"),
        ([0, 1, 2], [1, 0], [0.0, 0.0], "positive"),
        ([0, 1, 2], [1, 5], None, "out of range"),
    ],
)
def test_check_csr_catches_broken_networks(indptr, indices, weights, problem):
    with pytest.raises(NetworkError, match=problem):
        _net(indptr, indices, weights=weights).validate()


def test_check_csr_catches_bad_groups():
    net = _net([0, 1, 2], [1, 0])
    net.groups[1] = 3
    with pytest.raises(NetworkError, match="group index"):
        net.validate()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40),
        )
    ),
    st.booleans(),
)
def test_build_csr_matches_reference(case, weighted):
    """The vectorised builder agrees with a dict-based reference (first weight of a pair wins)."""
    n, edges = case
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.arange(1, len(edges) + 1, dtype=np.float64) if weighted else None
    csr = build_csr(n, src, dst, w)
    ref: dict[tuple[int, int], float] = {}
    loops = 0
    for k, (u, v) in enumerate(edges):
        if u == v:
            loops += 1
            continue
        ref.setdefault((min(u, v), max(u, v)), float(k + 1))
    assert csr.self_loops == loops
    assert csr.duplicates == len(edges) - loops - len(ref)
    rows = np.repeat(np.arange(n), np.diff(csr.indptr))
    got = {}
    for pos, (i, j) in enumerate(zip(rows.tolist(), csr.indices.tolist(), strict=True)):
        got[(i, j)] = None if csr.weights is None else float(csr.weights[pos])
    expect = {}
    for (a, b), wt in ref.items():
        expect[(a, b)] = expect[(b, a)] = wt if weighted else None
    assert got == expect
    assert _net(csr.indptr, csr.indices, weights=csr.weights) is not None
    _net(csr.indptr, csr.indices, weights=csr.weights).validate()


# --- determinism --------------------------------------------------------------------------------


def _same(a: Network, b: Network) -> bool:
    return (
        np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.groups, b.groups)
        and a.group_names == b.group_names
        and (a.weights is None) == (b.weights is None)
        and (a.weights is None or np.array_equal(a.weights, b.weights))
    )


@pytest.mark.parametrize("kind", GENERATED + REAL)
def test_same_seed_same_network(kind):
    assert _same(build_network(spec(kind), 11), build_network(spec(kind), 11))
    ss = np.random.SeedSequence(5)
    assert _same(build_network(spec(kind), ss), build_network(spec(kind), ss))


@pytest.mark.parametrize("kind", ["small_world", "random", "scale_free", "clustered_scale_free"])
def test_different_seeds_differ(kind):
    a, b = build_network(spec(kind), 1), build_network(spec(kind), 2)
    assert not np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.groups, b.groups)  # random segments


def test_communities_different_seeds_differ():
    a, b = build_network(spec("communities"), 1), build_network(spec("communities"), 2)
    assert not np.array_equal(a.indices, b.indices)


def test_groups_do_not_change_ties():
    a = build_network(spec("small_world", groups=1), 3)
    b = build_network(spec("small_world", groups=7), 3)
    assert np.array_equal(a.indices, b.indices)
    assert a.group_names == ("all",) and b.n_groups == 7


# --- degrees ------------------------------------------------------------------------------------


def test_ring_exact_degree():
    net = build_network(spec("ring", n=101, mean_degree=6), 0)
    assert np.all(net.degree == 6)
    assert set(net.neighbours(0).tolist()) == {1, 2, 3, 98, 99, 100}
    # odd targets round to an even k; k is capped at n - 1
    assert np.all(build_network(spec("ring", n=50, mean_degree=4.2), 0).degree == 4)
    assert np.all(build_network(spec("ring", n=5, mean_degree=100), 0).degree == 4)


def test_well_mixed_complete_and_capped():
    net = build_network(spec("well_mixed", n=40), 0)
    assert np.all(net.degree == 39) and net.n_ties == 40 * 39 // 2
    with pytest.raises(NetworkError, match="random") as err:
        build_network(spec("well_mixed", n=5001), 0)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("kind", "tol"),
    [
        # exactly m = n d / 2 distinct ties are drawn (top-up until distinct)
        ("random", 1e-9),
        # exact within/between tie counts, up to rounding of two counts (1 tie = 2/n)
        ("communities", 4 / 2000),
        # only rewired ties that hit an existing pair are lost: about p k^2 / 2 = 5 ties of
        # 10,000 here, i.e. 0.005 degree; 0.05 leaves room for chance
        ("small_world", 0.05),
        # duplicates drawn by the first few hundred arrivals are dropped: about 1.5 % at n = 2000
        ("scale_free", 0.35),
        # as scale_free plus triad steps that hit an existing tie: about 2-3 %
        ("clustered_scale_free", 0.5),
    ],
)
def test_mean_degree_close_to_target(kind, tol):
    net = build_network(spec(kind, n=2000, mean_degree=10), 4)
    assert net.mean_degree == pytest.approx(10, abs=tol)
    assert net.mean_degree <= 10 + 1e-9


def test_communities_mixing_and_sizes():
    k, mixing = 5, 0.2
    net = build_network(spec("communities", n=2003, mean_degree=12, groups=k, mixing=mixing), 9)
    sizes = np.bincount(net.groups, minlength=k)
    assert sorted(sizes.tolist()) == [400, 400, 401, 401, 401]
    rows = np.repeat(np.arange(net.n), net.degree)
    between = net.groups[rows] != net.groups[net.indices]
    # between- and within-group tie counts are fixed by the generator (up to rounding), so the
    # measured share matches almost exactly
    assert between.mean() == pytest.approx(mixing, abs=0.005)
    # and every group gets its share of outside ties (sampling noise: ~ sqrt(480) ties per group)
    per_group = np.bincount(net.groups[rows][between], minlength=k) / np.bincount(
        net.groups[rows], minlength=k
    )
    assert np.all(np.abs(per_group - mixing) < 0.03)
    assert net.group_names == ("g1", "g2", "g3", "g4", "g5")
    named = build_network(spec("communities", groups=2, group_names=["young", "old"]), 0)
    assert named.group_names == ("young", "old")


def test_communities_more_groups_than_customers():
    with pytest.raises(NetworkError, match="groups"):
        build_network(spec("communities", n=3, groups=4), 0)


def test_random_segments_default_groups():
    net = build_network(spec("small_world", n=1001), 0)  # schema default: groups = 4
    assert net.group_names == ("g1", "g2", "g3", "g4")
    assert sorted(np.bincount(net.groups).tolist()) == [250, 250, 250, 251]
    assert "random" in net.info["groups_from"]
    one = build_network(spec("scale_free", groups=1), 0)
    assert one.group_names == ("all",) and np.all(one.groups == 0)


def test_scale_free_heavy_tail():
    sf = build_network(spec("scale_free", n=20000, mean_degree=6), 2)
    er = build_network(spec("random", n=20000, mean_degree=6), 2)
    mean = sf.mean_degree
    assert sf.degree.max() > 15 * mean  # BA: max degree ~ m sqrt(n) = 420
    assert er.degree.max() < 4 * mean  # Poisson: max ~ 20
    # power-law tail P(k >= K) ~ (m / K)^2: for K = 5 * mean = 30, about 1 %; Poisson: ~ 0
    assert (sf.degree >= 5 * mean).mean() > 0.004
    assert sf.degree.min() >= 1


def test_clustered_scale_free_has_more_triangles():
    ba = to_networkx(build_network(spec("scale_free", n=2000, mean_degree=8), 1))
    hk = to_networkx(
        build_network(spec("clustered_scale_free", n=2000, mean_degree=8, triangle_prob=0.8), 1)
    )
    c_ba, c_hk = nx.average_clustering(ba), nx.average_clustering(hk)
    assert c_hk > 3 * c_ba  # measured: about 0.49 vs 0.03
    assert c_hk > 0.15


def test_small_world_clustering_between_ring_and_random():
    ring = nx.average_clustering(to_networkx(build_network(spec("ring", n=1000), 0)))
    sw = nx.average_clustering(to_networkx(build_network(spec("small_world", n=1000), 0)))
    rnd = nx.average_clustering(to_networkx(build_network(spec("random", n=1000), 0)))
    assert ring > sw > 5 * rnd


# --- real networks ------------------------------------------------------------------------------


def test_karate():
    net = build_network(spec("karate"), 0)
    assert net.n == 34 and net.n_ties == 78
    assert net.group_names == ("Mr. Hi", "Officer")
    assert np.bincount(net.groups).tolist() == [17, 17]
    assert net.labels is None  # node names are 0 .. 33


def test_davis_projection():
    net = build_network(spec("davis"), 0)
    assert net.n == 18
    assert "Evelyn Jefferson" in net.labels.tolist()
    assert net.weights is not None and net.weights.min() >= 1
    g = nx.davis_southern_women_graph()
    i, j = (
        net.labels.tolist().index("Evelyn Jefferson"),
        net.labels.tolist().index("Laura Mandeville"),
    )
    shared = len(set(g["Evelyn Jefferson"]) & set(g["Laura Mandeville"]))
    pos = net.indptr[i] + np.searchsorted(net.neighbours(i), j)
    assert net.weights[pos] == shared


def test_les_miserables_and_florentine():
    les = build_network(spec("les_miserables"), 0)
    assert les.n == 77 and les.n_ties == 254 and les.weights is not None
    assert les.labels[0] == "Napoleon"
    assert 2 <= les.n_groups <= 12 and les.group_names[0] == "c1"
    # detected groups: named by size, largest first
    sizes = np.bincount(les.groups)
    assert np.all(np.diff(sizes) <= 0)
    flo = build_network(spec("florentine"), 0)
    assert flo.n == 15 and "Medici" in flo.labels.tolist() and flo.weights is None


# --- networkx conversion ------------------------------------------------------------------------


def test_to_from_networkx_round_trip():
    net = build_network(spec("les_miserables"), 0)
    g = to_networkx(net)
    assert g.number_of_nodes() == 77 and g.number_of_edges() == 254
    assert g.nodes[0]["label"] == "Napoleon"
    assert g.nodes[0]["group"] in net.group_names
    back = from_networkx(g, seed=0)
    assert np.array_equal(back.indptr, net.indptr) and np.array_equal(back.indices, net.indices)
    assert np.array_equal(back.weights, net.weights)
    assert back.group_names == tuple(sorted(net.group_names))


def test_from_networkx_general_graphs():
    g = nx.MultiDiGraph()
    g.add_edge("a", "b")
    g.add_edge("b", "a")
    g.add_edge("a", "a")
    g.add_node("lonely")
    with pytest.warns(UserWarning, match="dropped 1 self-loops and 1 duplicate ties"):
        net = from_networkx(g, weight=None)
    assert net.n == 3 and net.n_ties == 1 and net.degree.tolist() == [1, 1, 0]
    assert net.labels.tolist() == ["a", "b", "lonely"]
    with pytest.raises(NetworkError, match="empty"):
        from_networkx(nx.Graph())


def test_from_networkx_partial_groups_and_bad_weights():
    g = nx.path_graph(3)
    g.nodes[0]["group"] = "x"
    with pytest.raises(NetworkError, match="node 1 has no 'group'"):
        from_networkx(g)
    h = nx.path_graph(3)
    h.edges[0, 1]["weight"] = -2
    with pytest.raises(NetworkError, match="no 'weight'"):
        from_networkx(h)
    h.edges[1, 2]["weight"] = 1
    with pytest.raises(NetworkError, match="not positive"):
        from_networkx(h)


def test_bad_seed():
    with pytest.raises(NetworkError, match="seed"):
        build_network(spec("ring"), -1)


def test_communities_single_group_keeps_all_ties():
    net = build_network(spec("communities", groups=1, mixing=1.0, group_names=["everyone"]), 0)
    assert net.mean_degree == pytest.approx(10)
    assert net.group_names == ("everyone",)


@pytest.mark.parametrize("kind", GENERATED)
@pytest.mark.parametrize(("n", "d"), [(2, 10), (3, 0), (5, 1000), (17, 3)])
def test_tiny_and_extreme_specs(kind, n, d):
    net = build_network(spec(kind, n=n, mean_degree=d, groups=1), 0)
    net.validate()
    assert net.n == n


def test_numeric_group_attribute_sorted_numerically():
    g = nx.path_graph(4)
    for node, value in zip(g, [10, 2, 2, 1], strict=True):
        g.nodes[node]["segment"] = value
    net = from_networkx(g, group_attribute="segment")
    assert net.group_names == ("1", "2", "10")
    assert net.groups.tolist() == [2, 1, 1, 0]
