"""Networks read from files: edge lists (csv, tsv, txt, ...), GraphML and GEXF.

Nothing in a file is ever executed: edge lists are split into fields by hand, GraphML and GEXF
go through networkx's XML readers (Python's ElementTree, which resolves no external entities).
Every problem raises :class:`NetworkError` with a one-line message naming the file and, for edge
lists, the line number. Messages say where and what kind of problem, never the file's content
(a network path may name any file on the machine, e.g. one holding passwords).

Bounds: only regular files are read (a FIFO, a device such as /dev/zero or a folder is refused
before reading), an edge-list line may have at most ``MAX_LINE_CHARS`` characters, and tie
weights must lie in ``[MIN_WEIGHT, MAX_WEIGHT]`` (they are stored as float32).
"""

from __future__ import annotations

import io
import math
import os
import stat
from pathlib import Path
from xml.etree.ElementTree import ParseError

import networkx as nx
import numpy as np

from .bounded import FileRefused, kind_of, open_regular
from .convert import MAX_WEIGHT, MIN_WEIGHT, assemble, from_networkx, label_array
from .errors import NetworkError, one_line
from .graph import Network

MAX_LINE_CHARS = 10_000

EDGELIST_EXTENSIONS = (".csv", ".tsv", ".txt", ".edges", ".edgelist")
FORMATS = {ext: "edgelist" for ext in EDGELIST_EXTENSIONS} | {
    ".graphml": "graphml",
    ".gexf": "gexf",
}
_HEADERS = (["source", "target"], ["source", "target", "weight"])


def resolve_path(path: str | Path, base_dir: Path | None = None) -> Path:
    """``path`` with ``~`` expanded, relative to ``base_dir`` when it is relative."""
    p = Path(path).expanduser()
    if not p.is_absolute() and base_dir is not None:
        p = Path(base_dir) / p
    return p


def detect_format(path: Path, fmt: str, where: str) -> str:
    """The file format: ``fmt`` unless it is "auto", else decided from the extension.

    Raises
    ------
    NetworkError
        Unknown format or extension.
    """
    if fmt != "auto":
        if fmt not in ("edgelist", "graphml", "gexf"):
            raise NetworkError(
                f"{where}: unknown format '{fmt}' (allowed: auto, edgelist, graphml, gexf)"
            )
        return fmt
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise NetworkError(
            f"{where}: unknown extension '{ext or '(none)'}' (allowed: {', '.join(FORMATS)}; "
            "or set network.format to edgelist, graphml or gexf)"
        )
    return FORMATS[ext]


def _parse_weight(text: str, where: str) -> float:
    """The weight in field 3 of an edge-list line; NetworkError (no content quoted) if bad."""
    try:
        value = float(text)
    except ValueError:
        problem = "is not a number"
    else:
        if MIN_WEIGHT <= value <= MAX_WEIGHT:
            return value
        if not math.isfinite(value):
            problem = "is not a finite number"
        elif value <= 0:
            problem = "is not positive"
        else:
            problem = "is out of range"
    raise NetworkError(
        f"{where}: the weight (field 3) {problem} (weights must be numbers from "
        f"{MIN_WEIGHT:g} to {MAX_WEIGHT:g})"
    )


def read_edgelist(path: Path, where: str) -> tuple:
    """Parse an edge-list file.

    One tie per line: ``source target [weight]``, separated by commas, tabs or whitespace (the
    first data line decides, for the whole file). Blank lines and lines starting with ``#`` are
    skipped, as is a first data line ``source,target[,weight]`` (any case). Node labels are any
    strings; customers are numbered in order of first appearance. The weight column is optional
    but, if present on one line, needed on all.

    Parameters
    ----------
    path : Path
        File to read (UTF-8 text).
    where : str
        Start of error messages, e.g. ``"network file data/x.csv"``.

    Returns
    -------
    n : int
    src, dst : int64 arrays
    weights : float64 array or None
    labels : list of str, customer index order

    Raises
    ------
    NetworkError
        Not UTF-8, wrong number of fields, empty field, bad or missing weight, no ties.
    """
    index: dict[str, int] = {}  # label -> customer, in order of first appearance
    setdefault = index.setdefault
    src: list[int] = []
    dst: list[int] = []
    wts: list[float] = []
    sep: str | None = None
    sep_name = ""
    header_checked = False
    layout_line = 0  # line of the first tie: decides whether every line has a weight
    has_weight = False
    lineno = 0
    try:
        with io.TextIOWrapper(open_regular(path, what="network file"), encoding="utf-8-sig") as fh:
            for lineno, raw in enumerate(_bounded_lines(fh, where), 1):  # noqa: B007
                line = raw.strip()
                if not line or line[0] == "#":
                    continue
                if not header_checked:
                    header_checked = True
                    if "," in line:
                        sep, sep_name = ",", "commas"
                    elif "\t" in line:
                        sep, sep_name = "\t", "tabs"
                    else:
                        sep, sep_name = None, "whitespace"
                    fields = _split(line, sep)
                    if [f.lower() for f in fields] in _HEADERS:
                        continue
                else:
                    fields = _split(line, sep)
                nf = len(fields)
                if nf != 2 and nf != 3:
                    at = f"{where}, line {lineno}"
                    raise NetworkError(
                        f"{at}: {nf} fields separated by {sep_name} (expected 'source target' "
                        "or 'source target weight')"
                    )
                if not fields[0] or not fields[1]:
                    at = f"{where}, line {lineno}"
                    raise NetworkError(f"{at}: empty node label (expected 'source target')")
                if not layout_line:
                    layout_line, has_weight = lineno, len(fields) == 3
                elif (nf == 3) != has_weight:
                    at = f"{where}, line {lineno}"
                    raise NetworkError(
                        f"{at}: {'has a' if len(fields) == 3 else 'has no'} weight but line "
                        f"{layout_line} {'has one' if has_weight else 'has none'} "
                        "(give a weight on every line or on none)"
                    )
                if has_weight:
                    try:
                        value = float(fields[2])
                    except ValueError:
                        value = math.nan
                    if not (MIN_WEIGHT <= value <= MAX_WEIGHT):  # also rejects nan
                        _parse_weight(fields[2], f"{where}, line {lineno}")  # raises
                    wts.append(value)
                src.append(setdefault(fields[0], len(index)))
                dst.append(setdefault(fields[1], len(index)))
    except UnicodeDecodeError:
        raise NetworkError(
            f"{where}, line {lineno + 1}: not UTF-8 text (an edge list must be a text file)"
        ) from None
    except FileRefused as err:
        raise NetworkError(f"{where}: {err.problem}") from None
    except OSError as err:
        raise NetworkError(f"{where}: cannot read ({one_line(err.strerror or err, 80)})") from None
    if not src:
        raise NetworkError(
            f"{where}: no ties found (an edge list needs lines 'source target [weight]')"
        )
    return (
        len(index),
        np.array(src, dtype=np.int64),
        np.array(dst, dtype=np.int64),
        np.array(wts) if has_weight else None,
        list(index),
    )


def _bounded_lines(handle: io.TextIOBase, where: str):
    """The lines of ``handle``, refusing one longer than ``MAX_LINE_CHARS`` (NetworkError)."""
    lineno = 0
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            raise NetworkError(
                f"{where}, line {lineno}: longer than {MAX_LINE_CHARS:,} characters (an edge "
                "list has one short 'source target [weight]' per line)"
            )
        yield line


def _split(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    fields = line.split(sep)
    if " " in line or "\t" in line:
        return [f.strip() for f in fields]
    return fields


def _numeric_labels(labels: list) -> list:
    """Labels that are all canonical decimal integers ("0", "17", "-3") become ints."""
    try:
        ints = [int(x) for x in labels]
    except (TypeError, ValueError):
        return labels
    if all(str(i) == x for i, x in zip(ints, labels, strict=True)):
        return ints
    return labels


def read_network_file(
    path: str | Path,
    *,
    fmt: str = "auto",
    group_attribute: str = "group",
    base_dir: Path | None = None,
    seed: int = 0,
) -> Network:
    """Read a network from an edge list, GraphML or GEXF file.

    Parameters
    ----------
    path : str or Path
        The file; a relative path is taken relative to ``base_dir`` (the scenario's folder) when
        given, else to the working directory.
    fmt : {"auto", "edgelist", "graphml", "gexf"}
        File format; "auto" decides from the extension (.csv, .tsv, .txt, .edges, .edgelist,
        .graphml, .gexf).
    group_attribute : str
        GraphML/GEXF node attribute holding the group. Groups are detected (Louvain) when no node
        has it, and for edge lists.
    base_dir : Path, optional
        Folder that a relative ``path`` is relative to.
    seed : int
        Seed of the community detection.

    Raises
    ------
    NetworkError
        Missing file, unknown format or extension, unparsable line or file, bad weight, empty
        graph, group attribute on some nodes only.
    """
    where = f"network file {path}"
    full = resolve_path(path, base_dir)
    kind = detect_format(full, fmt, where)
    try:
        mode = os.stat(full).st_mode
    except OSError:
        extra = f" (looked for {full})" if str(full) != str(path) else ""
        raise NetworkError(f"{where}: file not found{extra}") from None
    if not stat.S_ISREG(mode):
        raise NetworkError(f"{where}: is {kind_of(mode)}, not a network file")
    if kind == "edgelist":
        n, src, dst, weights, labels = read_edgelist(full, where)
        return assemble(
            n,
            src,
            dst,
            weights,
            where=where,
            name=f"{Path(path).name} ({n} customers)",
            seed=seed,
            labels=label_array(_numeric_labels(labels)),
            info={"source": str(full), "format": "edgelist"},
        )
    reader, label = (nx.read_graphml, "GraphML") if kind == "graphml" else (nx.read_gexf, "GEXF")
    try:
        with open_regular(full, what="network file") as handle:
            graph = reader(handle)
    except FileRefused as err:
        raise NetworkError(f"{where}: {err.problem}") from None
    except Exception as err:  # any parser failure is a bad file, never a crash
        # The XML parser's messages give a position only; others may quote the file: not shown.
        detail = one_line(err, 120) if isinstance(err, ParseError) else type(err).__name__
        raise NetworkError(f"{where}: not a valid {label} file ({detail})") from None
    if graph.number_of_nodes() and all(isinstance(x, str) for x in graph.nodes):
        names = list(graph.nodes)
        relabel = _numeric_labels(names)
        if relabel is not names:
            graph = nx.relabel_nodes(graph, dict(zip(graph.nodes, relabel, strict=True)))
    net = from_networkx(
        graph,
        group_attribute=group_attribute,
        weight="weight",
        name=f"{Path(path).name} ({graph.number_of_nodes()} customers)",
        seed=seed,
        source=where,
    )
    net.info.update(source=str(full), format=kind)
    return net
