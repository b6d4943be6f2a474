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

from sim.i18n import N_, Message

from .bounded import FileRefused, kind_of, open_regular
from .convert import (
    MAX_WEIGHT,
    MIN_WEIGHT,
    WEIGHT_PROBLEMS,
    assemble,
    from_networkx,
    label_array,
    weight_problem,
)
from .errors import NetworkError, one_line
from .graph import Network

MAX_LINE_CHARS = 10_000

EDGELIST_EXTENSIONS = (".csv", ".tsv", ".txt", ".edges", ".edgelist")
FORMATS = {ext: "edgelist" for ext in EDGELIST_EXTENSIONS} | {
    ".graphml": "graphml",
    ".gexf": "gexf",
}
_HEADERS = (["source", "target"], ["source", "target", "weight"])
NETWORK_FILE = Message(N_("network file"))  # what open_regular refuses to read, in its messages


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
                Message(
                    N_("{where}: unknown format '{fmt}' (allowed: auto, edgelist, graphml, gexf)"),
                    where=where,
                    fmt=fmt,
                )
            )
        return fmt
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise NetworkError(
            Message(
                N_(
                    "{where}: unknown extension '{ext}' (allowed: {allowed}; or set "
                    "network.format to edgelist, graphml or gexf)"
                ),
                where=where,
                ext=ext or Message(N_("(none)")),
                allowed=", ".join(FORMATS),
            )
        )
    return FORMATS[ext]


def _parse_weight(text: str, where: str) -> float:
    """The weight in field 3 of an edge-list line; NetworkError (no content quoted) if bad."""
    try:
        value = float(text)
    except ValueError:
        problem = WEIGHT_PROBLEMS["nan"]
    else:
        if MIN_WEIGHT <= value <= MAX_WEIGHT:
            return value
        problem = weight_problem(value)
    raise NetworkError(
        Message(
            N_(
                "{where}: the weight (field 3) {problem} (weights must be numbers from {low} "
                "to {high})"
            ),
            where=where,
            problem=Message(problem),
            low=f"{MIN_WEIGHT:g}",
            high=f"{MAX_WEIGHT:g}",
        )
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
        with io.TextIOWrapper(open_regular(path, what=NETWORK_FILE), encoding="utf-8-sig") as fh:
            for lineno, raw in enumerate(_bounded_lines(fh, where), 1):  # noqa: B007
                line = raw.strip()
                if not line or line[0] == "#":
                    continue
                if not header_checked:
                    header_checked = True
                    if "," in line:
                        sep, sep_name = ",", Message(N_("commas"))
                    elif "\t" in line:
                        sep, sep_name = "\t", Message(N_("tabs"))
                    else:
                        sep, sep_name = None, Message(N_("whitespace"))
                    fields = _split(line, sep)
                    if [f.lower() for f in fields] in _HEADERS:
                        continue
                else:
                    fields = _split(line, sep)
                nf = len(fields)
                if nf != 2 and nf != 3:
                    raise NetworkError(
                        Message(
                            N_(
                                "{at}: {count} fields separated by {separator} (expected "
                                "'source target' or 'source target weight')"
                            ),
                            at=_line(where, lineno),
                            count=str(nf),
                            separator=sep_name,
                        )
                    )
                if not fields[0] or not fields[1]:
                    raise NetworkError(
                        Message(
                            N_("{at}: empty node label (expected 'source target')"),
                            at=_line(where, lineno),
                        )
                    )
                if not layout_line:
                    layout_line, has_weight = lineno, len(fields) == 3
                elif (nf == 3) != has_weight:
                    mixed = (
                        N_(
                            "{at}: has no weight but line {first} has one (give a weight on "
                            "every line or on none)"
                        )
                        if has_weight
                        else N_(
                            "{at}: has a weight but line {first} has none (give a weight on "
                            "every line or on none)"
                        )
                    )
                    raise NetworkError(
                        Message(mixed, at=_line(where, lineno), first=str(layout_line))
                    )
                if has_weight:
                    try:
                        value = float(fields[2])
                    except ValueError:
                        value = math.nan
                    if not (MIN_WEIGHT <= value <= MAX_WEIGHT):  # also rejects nan
                        _parse_weight(fields[2], _line(where, lineno))  # raises
                    wts.append(value)
                src.append(setdefault(fields[0], len(index)))
                dst.append(setdefault(fields[1], len(index)))
    except UnicodeDecodeError:
        raise NetworkError(
            Message(
                N_("{at}: not UTF-8 text (an edge list must be a text file)"),
                at=_line(where, lineno + 1),
            )
        ) from None
    except FileRefused as err:
        raise NetworkError(_refused(where, err)) from None
    except OSError as err:
        raise NetworkError(_cannot_read(where, err)) from None
    if not src:
        raise NetworkError(
            Message(
                N_("{where}: no ties found (an edge list needs lines 'source target [weight]')"),
                where=where,
            )
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
                Message(
                    N_(
                        "{at}: longer than {limit} characters (an edge list has one short "
                        "'source target [weight]' per line)"
                    ),
                    at=_line(where, lineno),
                    limit=MAX_LINE_CHARS,
                )
            )
        yield line


def _line(where: str, lineno: int) -> Message:
    """``network file FILE, line N``: where in an edge list a problem is."""
    return Message(N_("{where}, line {line}"), where=where, line=str(lineno))


def _refused(where: str, err: FileRefused) -> Message:
    return Message(N_("{source}: {problem}"), source=where, problem=err.problem)


def _cannot_read(where: str, err: OSError) -> Message:
    reason = Message(N_("cannot read ({reason})"), reason=one_line(err.strerror or err, 80))
    return Message(N_("{source}: {problem}"), source=where, problem=reason)


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
    where = Message(N_("network file {path}"), path=str(path))
    full = resolve_path(path, base_dir)
    kind = detect_format(full, fmt, where)
    try:
        mode = os.stat(full).st_mode
    except OSError:
        looked = Message(N_(" (looked for {path})"), path=str(full))
        extra = looked if str(full) != str(path) else ""
        raise NetworkError(
            Message(N_("{where}: file not found{extra}"), where=where, extra=extra)
        ) from None
    if not stat.S_ISREG(mode):
        raise NetworkError(
            Message(N_("{where}: is {kind}, not a network file"), where=where, kind=kind_of(mode))
        )
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
        with open_regular(full, what=NETWORK_FILE) as handle:
            graph = reader(handle)
    except FileRefused as err:
        raise NetworkError(_refused(where, err)) from None
    except Exception as err:  # any parser failure is a bad file, never a crash
        # The XML parser's messages give a position only; others may quote the file: not shown.
        detail = one_line(err, 120) if isinstance(err, ParseError) else type(err).__name__
        raise NetworkError(
            Message(
                N_("{where}: not a valid {format} file ({detail})"),
                where=where,
                format=label,
                detail=detail,
            )
        ) from None
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
