"""Network files: edge lists, GraphML, GEXF; every bad input gives a one-line NetworkError."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.network import NetworkError, NetworkWarning, build_network, read_network_file
from sim.params import NetworkSpec


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, **kw):
    return read_network_file(path, **kw)


def error_of(path: Path, **kw) -> str:
    with pytest.raises(NetworkError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore", NetworkWarning)
        read_network_file(path, **kw)
    message = str(err.value)
    assert "\n" not in message and "\r" not in message
    assert path.name in message
    return message


# --- edge lists ---------------------------------------------------------------------------------


def test_csv_with_header_comments_weights_and_labels(tmp_path):
    path = write(
        tmp_path,
        "friends.csv",
        "# who talks to whom\n"
        "Source,Target,Weight\n"
        "\n"
        "alice, bob, 2\n"
        "bob,carol,0.5\n"
        "  # indented comment\n"
        "dave,alice,1e1\n",
    )
    net = load(path)
    net.validate()
    assert net.n == 4 and net.n_ties == 3
    assert net.labels.tolist() == ["alice", "bob", "carol", "dave"]  # order of first appearance
    w = {
        (net.labels[i], net.labels[j]): float(net.weights[p])
        for i in range(net.n)
        for p, j in zip(
            range(net.indptr[i], net.indptr[i + 1]), net.neighbours(i).tolist(), strict=True
        )
    }
    assert w[("alice", "bob")] == w[("bob", "alice")] == 2.0
    assert w[("carol", "bob")] == 0.5 and w[("alice", "dave")] == 10.0
    assert net.info["groups_from"].startswith("detected")
    assert net.group_names[0] == "c1"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("ties.tsv", "a\tb\nb\tc\nc\td\n"),
        ("ties.txt", "a b\nb   c\n\tc d  \n"),
        ("ties.edges", "source target\na b\nb c\nc d\n"),
        ("ties.edgelist", "a b\r\nb c\r\nc d\r\n"),
    ],
)
def test_edge_list_separators(tmp_path, name, text):
    net = load(write(tmp_path, name, text))
    assert net.n == 4 and net.n_ties == 3 and net.weights is None
    assert net.labels.tolist() == ["a", "b", "c", "d"]


def test_labels_with_spaces_in_csv(tmp_path):
    net = load(write(tmp_path, "x.csv", "Jean Valjean,Javert\nJavert,Fantine\n"))
    assert net.labels.tolist() == ["Jean Valjean", "Javert", "Fantine"]


def test_numeric_labels(tmp_path):
    assert load(write(tmp_path, "a.txt", "0 1\n1 2\n2 0\n")).labels is None
    net = load(write(tmp_path, "b.txt", "10 20\n20 30\n"))
    assert net.labels.dtype == np.int64 and net.labels.tolist() == [10, 20, 30]
    # "007" is not a canonical integer: labels stay strings
    assert load(write(tmp_path, "c.txt", "007 1\n")).labels.tolist() == ["007", "1"]


def test_self_loops_and_duplicates_one_warning(tmp_path):
    path = write(tmp_path, "dup.csv", "a,b\nb,a\na,a\nb,c\na,b\nc,c\nc,b\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = load(path)
    ours = [w for w in caught if issubclass(w.category, NetworkWarning)]
    assert len(ours) == 1
    assert "dup.csv" in str(ours[0].message)
    assert "dropped 2 self-loops and 3 duplicate ties" in str(ours[0].message)
    assert net.n == 3 and net.n_ties == 2
    assert net.info["self_loops_dropped"] == 2 and net.info["duplicates_dropped"] == 3


def test_duplicate_keeps_first_weight(tmp_path):
    with pytest.warns(NetworkWarning, match="1 duplicate"):
        net = load(write(tmp_path, "w.csv", "a,b,3\nb,a,5\n"))
    assert net.weights.tolist() == [3.0, 3.0]


def test_build_network_relative_to_base_dir(tmp_path):
    (tmp_path / "data").mkdir()
    write(tmp_path / "data", "net.csv", "a,b\nb,c\n")
    spec = NetworkSpec(kind="file", path="data/net.csv")
    net = build_network(spec, 0, base_dir=tmp_path)
    assert net.n == 3 and net.info["kind"] == "file"
    with pytest.raises(NetworkError, match="not found"):
        build_network(spec, 0, base_dir=tmp_path / "elsewhere")


def test_format_overrides_extension(tmp_path):
    path = write(tmp_path, "ties.dat", "a b\n")
    assert load(path, fmt="edgelist").n == 2


# --- bad edge lists -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a,b\nb,c\nc,d,e,f\n", 3, ["4 fields", "source target"]),
        ("a,b,1\nb,c,abc\n", 2, ["weight (field 3) is not a number", "1e-30 to 1e+30"]),
        ("a,b,1\nb,c,-2\n", 2, ["weight (field 3) is not positive"]),
        ("a,b,0\n", 1, ["weight (field 3) is not positive"]),
        ("a,b,inf\n", 1, ["not a finite number"]),
        ("a,b,nan\n", 1, ["not a finite number"]),
        ("# c\na,b,1\nb,c\n", 3, ["has no weight but line 2 has one", "every line or on none"]),
        ("a,b\n\nb,c,4\n", 3, ["has a weight but line 1 has none"]),
        ("a,,1\n", 1, ["empty node label"]),
        ("a,b,\n", 1, ["weight (field 3) is not a number"]),
        ("source,target\nlonely\n", 2, ["1 fields"]),
    ],
)
def test_bad_lines(tmp_path, text, line, words):
    message = error_of(write(tmp_path, "bad.csv", text))
    assert message.startswith("network file ")
    assert f"line {line}:" in message
    for word in words:
        assert word in message


def test_error_example_from_brief(tmp_path):
    lines = "\n".join(["a,b,1"] * 6 + ["a,c,abc"])
    message = error_of(write(tmp_path, "x.csv", lines))
    assert message == (
        f"network file {tmp_path / 'x.csv'}, line 7: the weight (field 3) is not a number "
        "(weights must be numbers from 1e-30 to 1e+30)"
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "source,target,weight\n"])
def test_empty_edge_list(tmp_path, text):
    assert "no ties" in error_of(write(tmp_path, "empty.csv", text))


def test_missing_file_and_unknown_extension(tmp_path):
    assert "not found" in error_of(tmp_path / "nope.csv")
    message = error_of(write(tmp_path, "net.xlsx", "a,b\n"))
    assert "unknown extension '.xlsx'" in message and ".graphml" in message
    assert "unknown format" in error_of(write(tmp_path, "n.csv", "a b\n"), fmt="pajek")
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    assert "folder" in error_of(folder)


def test_not_utf8(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"a,b\n\xff\xfe\x00garbage\n")
    assert "not UTF-8" in error_of(path)


# --- GraphML and GEXF ---------------------------------------------------------------------------


def _sample_graph() -> nx.Graph:
    g = nx.Graph()
    for node, group in [("ann", "north"), ("ben", "south"), ("cid", "north"), ("dan", "south")]:
        g.add_node(node, group=group)
    g.add_edge("ann", "ben", weight=2.5)
    g.add_edge("ben", "cid", weight=1.0)
    g.add_edge("cid", "ann", weight=4.0)
    return g


@pytest.mark.parametrize(
    ("ext", "writer"), [("graphml", nx.write_graphml), ("gexf", nx.write_gexf)]
)
def test_xml_round_trip(tmp_path, ext, writer):
    g = _sample_graph()
    path = tmp_path / f"net.{ext}"
    writer(g, path)
    net = load(path)
    net.validate()
    assert net.n == 4 and net.n_ties == 3
    assert net.labels.tolist() == ["ann", "ben", "cid", "dan"]
    assert net.degree.tolist() == [2, 2, 2, 0]  # isolated "dan" is allowed
    assert net.group_names == ("north", "south")
    assert net.groups.tolist() == [0, 1, 0, 1]
    assert sorted(net.weights.tolist()) == [1.0, 1.0, 2.5, 2.5, 4.0, 4.0]
    assert net.info["format"] == ext


def test_graphml_numeric_ids_without_groups(tmp_path):
    g = nx.karate_club_graph()
    for node in g:
        del g.nodes[node]["club"]
    path = tmp_path / "karate.graphml"
    nx.write_graphml(g, path)
    net = load(path)
    assert net.n == 34 and net.n_ties == 78 and net.labels is None
    assert net.group_names[0] == "c1" and net.n_groups >= 2  # detected


def test_graphml_group_attribute_name(tmp_path):
    g = _sample_graph()
    path = tmp_path / "net.graphml"
    nx.write_graphml(g, path)
    net = load(path, group_attribute="region")  # absent: detected instead
    assert net.group_names[0] == "c1"


def test_graphml_partial_groups(tmp_path):
    g = _sample_graph()
    del g.nodes["cid"]["group"]
    nx.write_graphml(g, tmp_path / "p.graphml")
    message = error_of(tmp_path / "p.graphml")
    assert "node cid has no 'group' attribute" in message


def test_graphml_bad_weight(tmp_path):
    g = _sample_graph()
    g.edges["ann", "ben"]["weight"] = -1.0
    nx.write_graphml(g, tmp_path / "w.graphml")
    message = error_of(tmp_path / "w.graphml")
    assert "ann -- ben" in message and "not positive" in message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.graphml", "<graphml><graph edgedefault='undirected'><node id='a'>"),
        ("broken.gexf", "this is not xml at all"),
        ("empty.graphml", ""),
    ],
)
def test_invalid_xml(tmp_path, name, text):
    message = error_of(write(tmp_path, name, text))
    assert "not a valid" in message


def test_graphml_without_nodes(tmp_path):
    nx.write_graphml(nx.Graph(), tmp_path / "none.graphml")
    assert "empty graph" in error_of(tmp_path / "none.graphml")


def test_graphml_multigraph_duplicates_warn(tmp_path):
    g = nx.MultiGraph()
    g.add_edges_from([("a", "b"), ("a", "b"), ("b", "b")])
    nx.write_graphml(g, tmp_path / "m.graphml")
    with pytest.warns(NetworkWarning, match="dropped 1 self-loops and 1 duplicate ties"):
        net = load(tmp_path / "m.graphml")
    assert net.n_ties == 1


# --- fuzz ---------------------------------------------------------------------------------------

_alphabet = st.sampled_from(list("ab1 ,\t#\n-.e0x") + ["nan", "inf", "source", "\r", "é", "\x00"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_alphabet, max_size=60).map("".join), st.sampled_from(["csv", "txt", "tsv"]))
def test_fuzz_edge_list_loads_or_raises_network_error(text, ext):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz.{ext}"
        path.write_text(text, encoding="utf-8")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NetworkWarning)
                net = read_network_file(path)
        except NetworkError as err:
            assert "\n" not in str(err) and "fuzz" in str(err)
        else:
            net.validate()
            assert net.n >= 1


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        for ext in ("csv", "graphml", "gexf"):
            path = Path(folder) / f"fuzz.{ext}"
            path.write_bytes(data)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NetworkWarning)
                    read_network_file(path).validate()
            except NetworkError as err:
                assert "\n" not in str(err)
