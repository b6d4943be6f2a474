"""build_network: the one entry point from a NetworkSpec to a Network."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.params import NETWORK_KINDS

from . import generators as gen
from . import groups as grp
from .errors import NetworkError
from .files import read_network_file
from .graph import Network
from .real import REAL_KINDS, real_network

# The schema lists every kind; those neither real nor read from a file are generated here.
GENERATED_KINDS = tuple(k for k in NETWORK_KINDS if k not in REAL_KINDS and k != "file")


def _seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise NetworkError(f"network seed must be a non-negative int or SeedSequence, got {seed!r}")


def _child(ss: np.random.SeedSequence, k: int) -> np.random.Generator:
    """Independent stream ``k`` of ``ss`` without mutating it (unlike ``ss.spawn``)."""
    child = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, k))
    return np.random.default_rng(child)


def build_network(
    spec, seed: int | np.random.SeedSequence, *, base_dir: Path | None = None
) -> Network:
    """Build the customers' social network described by a :class:`~sim.params.NetworkSpec`.

    Deterministic: the same ``spec`` and ``seed`` give identical arrays. The structure and the
    groups use independent random streams derived from ``seed``, so e.g. changing ``groups``
    never changes the ties of a small world.

    Kinds (``n`` customers, target mean degree ``d = spec.mean_degree``):

    - ``well_mixed``: complete graph (degree ``n - 1``; ``d`` ignored; ``n <= 5000``).
    - ``ring``: ring lattice, degree exactly ``k = 2 * round(d / 2)``.
    - ``small_world``: Watts-Strogatz, ring lattice with each tie rewired with prob. ``rewire``
      (rewired ties that land on an existing tie are dropped: mean degree a hair below ``k``).
    - ``random``: Erdos-Renyi G(n, m) with exactly ``m = round(n d / 2)`` ties.
    - ``scale_free``: Barabasi-Albert, ``m = max(1, round(d / 2))`` ties per arriving customer
      (mean degree about ``2 m``).
    - ``clustered_scale_free``: Holme-Kim, as scale_free plus triangle closing with probability
      ``triangle_prob`` (mean degree about 2 % below ``2 m``).
    - ``communities``: planted partition with ``groups`` groups, expected degree ``d``, expected
      share ``mixing`` of ties between groups.
    - ``karate``, ``les_miserables``, ``florentine``, ``davis``: real networks shipped with
      networkx (``n``, ``d`` ignored; node names kept in ``labels``).
    - ``file``: edge list / GraphML / GEXF at ``spec.path``.

    Groups:

    - ``communities``: the planted groups, named ``spec.group_names`` or ``g1 .. gk``.
    - other generators: with ``spec.groups == 1`` one group named ``"all"``; with
      ``spec.groups = k > 1`` (the schema default is 4) customers are split **at random** into
      ``k`` near-equal groups named ``spec.group_names`` or ``g1 .. gk``. These are target
      segments independent of the structure (so ``arm.target_group = "g1"`` reaches a random
      quarter of customers by default); set ``groups = 1`` for a single segment.
    - real networks and files: the node attribute ``spec.group_attribute`` when present on all
      nodes (karate: its ``club`` attribute), else communities detected by Louvain (named
      ``c1, c2, ...``, largest first; one group "all" for files above 200,000 customers or ties).
      ``spec.groups`` and ``spec.group_names`` are ignored.

    Parameters
    ----------
    spec : sim.params.NetworkSpec
        What to build.
    seed : int or numpy.random.SeedSequence
        Randomness source (>= 0 for an int).
    base_dir : Path, optional
        Folder a relative ``spec.path`` is relative to (the scenario file's folder).

    Returns
    -------
    Network
        ``info`` holds the kind, targets and what was achieved (e.g. ``mean_degree``) and where
        the groups came from.

    Raises
    ------
    NetworkError
        Bad file or file contents (one-line message naming the file and line), ``well_mixed``
        with ``n > 5000``, more groups than customers, unknown kind.

    Warns
    -----
    NetworkWarning
        When self-loops or duplicate ties were dropped from a file or real network.
    """
    ss = _seed_sequence(seed)
    kind = spec.kind
    if kind in GENERATED_KINDS:
        net = _generated(spec, _child(ss, 0), _child(ss, 1))
    elif kind in REAL_KINDS:
        louvain_seed = int(_child(ss, 1).integers(2**31 - 1))
        net = real_network(kind, group_attribute=spec.group_attribute, seed=louvain_seed)
    elif kind == "file":
        if not spec.path:
            raise NetworkError("network kind 'file' needs a path")
        louvain_seed = int(_child(ss, 1).integers(2**31 - 1))
        net = read_network_file(
            spec.path,
            fmt=spec.format,
            group_attribute=spec.group_attribute,
            base_dir=base_dir,
            seed=louvain_seed,
        )
    else:
        allowed = ", ".join((*GENERATED_KINDS, *REAL_KINDS, "file"))
        raise NetworkError(f"unknown network kind '{kind}' (allowed: {allowed})")
    net.info.setdefault("kind", kind)
    net.info["n"] = net.n
    net.info["ties"] = net.n_ties
    net.info["mean_degree"] = net.mean_degree
    return net


def _generated(spec, rng: np.random.Generator, rng_groups: np.random.Generator) -> Network:
    n, d, kind = spec.n, spec.mean_degree, spec.kind
    k = spec.groups
    if kind == "well_mixed":
        g = gen.well_mixed(n)
        name = f"well mixed (n={n})"
    elif kind == "ring":
        g = gen.ring(n, d)
        name = f"ring lattice (n={n}, k={g.info['k']})"
    elif kind == "small_world":
        g = gen.small_world(n, d, spec.rewire, rng)
        name = f"small world (n={n}, k={g.info['k']}, p={spec.rewire:g})"
    elif kind == "random":
        g = gen.random_graph(n, d, rng)
        name = f"random (n={n}, mean degree {d:g})"
    elif kind == "scale_free":
        g = gen.scale_free(n, d, rng)
        name = f"scale free (n={n}, m={g.info['m']})"
    elif kind == "clustered_scale_free":
        g = gen.clustered_scale_free(n, d, spec.triangle_prob, rng)
        name = f"clustered scale free (n={n}, m={g.info['m']}, p={spec.triangle_prob:g})"
    else:
        g = gen.communities(n, d, k, spec.mixing, rng)
        name = f"communities (n={n}, {k} groups, mixing {spec.mixing:g})"
    info = {"kind": kind, "mean_degree_target": d, **g.info}
    if g.groups is not None:
        groups, names = g.groups, grp.default_names(k, spec.group_names)
        info["groups_from"] = "planted communities"
    elif k == 1:
        groups, names = grp.single_group(n)
        if spec.group_names:
            names = (str(spec.group_names[0]),)
        info["groups_from"] = "single group"
    else:
        groups = grp.random_segments(n, k, rng_groups)
        names = grp.default_names(k, spec.group_names)
        info["groups_from"] = "random segments (independent of the ties)"
    return Network(g.indptr, g.indices, None, groups, names, None, name, info)
