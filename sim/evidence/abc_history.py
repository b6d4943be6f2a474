"""An ABC run's sqlite history (pyabc's), as ``sim.evidence.abc`` keeps, resumes and reads it.

A kept history (``calibrate-defaults --history FILE``) has a stamp beside it, ``FILE.json``
(``run_stamp``: the ranges, targets, master seed and what the simulator depends on, e.g.
customers per market); a resumed run must match it (``check_resumable``), starts from the
threshold the stored run would have used next (``next_epsilon``) with proposals from its own
seeded stream (``hash_seed``). ``generations_of`` reads the stored generations back,
``at_zero`` every distinct market at distance 0 of any generation, ``last_population`` the last
population. pyabc is imported only when needed (``_pyabc``: one line when it is missing).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.evidence.errors import EvidenceError
from sim.study.arms import run_seed


def _pyabc():
    try:
        import pyabc
    except ImportError:
        raise EvidenceError(
            "pyabc is not installed: pip install -e '.[calibrate]' (or make calibrate-defaults)"
        ) from None
    return pyabc


@dataclass
class Generation:
    t: int
    epsilon: float
    accepted: int
    evaluations: int
    acceptance_rate: float
    seconds: float
    zero_share: float  # share of the accepted at distance 0


def run_stamp(ranges, targets, seed: int, about: Mapping | None) -> dict:
    """What a stored run's members depend on besides their points (kept beside its history)."""
    return {
        "ranges": [[r.path, r.low, r.high, r.integer] for r in ranges],
        "targets": [[t.key, t.low, t.high if math.isfinite(t.high) else "inf"] for t in targets],
        "master_seed": int(seed),
        "about": dict(about or {}),
    }


def stamp_file(db_file: Path) -> Path:
    return Path(str(db_file) + ".json")


def write_stamp(db_file: Path, stamp: dict) -> None:
    stamp_file(db_file).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")


def check_resumable(db_file: Path, stamp: dict) -> None:
    """One-line refusals: no history, no stamp beside it, or a stamp that differs from this run's
    ranges, targets, master seed or ``about`` (members would not be comparable)."""
    if not db_file.is_file():
        raise EvidenceError(f"--resume: --history {db_file} does not exist (nothing to continue)")
    try:
        stored = json.loads(stamp_file(db_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise EvidenceError(
            f"--resume: {stamp_file(db_file)} is missing or unreadable (it records how "
            f"{db_file.name}'s markets were measured)"
        ) from None
    # through JSON, so tuples and lists compare alike
    differs = [k for k in stamp if json.loads(json.dumps(stamp[k])) != stored.get(k)]
    if differs:
        raise EvidenceError(
            f"--resume: {db_file} was run with other {', '.join(differs)} "
            f"(see {stamp_file(db_file).name}); use the same settings or a new --history file"
        )


def last_run_id(db_file: Path) -> int:
    import sqlite3

    with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as con:
        try:
            row = con.execute("SELECT max(id) FROM abc_smc").fetchone()
        except sqlite3.DatabaseError:
            row = None
    if not row or row[0] is None:
        raise EvidenceError(f"--resume: {db_file} holds no pyabc run")
    return int(row[0])


def next_epsilon(db_file: Path, alpha: float, shrink: float) -> float:
    """The threshold after the stored run's last generation: ``shrink`` x the unweighted
    ``alpha`` quantile of its distances (as ``QuantileEpsilon(weighted=False)`` would set it)."""
    history = _pyabc().History("sqlite:///" + str(db_file))
    distances = history.get_weighted_distances(t=history.max_t)["distance"].to_numpy()
    return float(shrink * np.quantile(distances, alpha))


def hash_seed(seed: int, t: int) -> int:
    """numpy's global seed for a run resumed at generation ``t`` (its own stream)."""
    return run_seed(int(seed), int(t), {"resumed": 1}) % 2**32


def generations_of(history) -> list[Generation]:
    """The stored generations (t >= 0) as ``Generation`` records; seconds from pyabc's end
    times (the first from the run's start)."""
    frame = history.get_all_populations().sort_values("t")
    gens, last_end = [], None
    for row in frame.itertuples():
        if row.t < 0:  # pyabc's calibration row, before generation 0
            last_end = row.population_end_time
            continue
        distances = history.get_weighted_distances(t=int(row.t))["distance"]
        seconds = (row.population_end_time - last_end).total_seconds() if last_end else 0.0
        gens.append(
            Generation(
                t=int(row.t),
                epsilon=float(row.epsilon),
                accepted=int(row.particles),
                evaluations=int(row.samples),
                acceptance_rate=float(row.particles) / max(1, int(row.samples)),
                seconds=float(seconds),
                zero_share=float((distances <= 0).mean()),
            )
        )
        last_end = row.population_end_time
    return gens


def at_zero(history, point_of: Callable) -> list[tuple[dict, dict, int]]:
    """Every distinct particle at distance 0 accepted in any stored generation, the earliest
    first: (point, measured values, generation); ``point_of(parameter)`` is the point of a
    pyabc parameter (``sim.evidence.abc.to_point`` over the ranges)."""
    found: dict[str, tuple[dict, dict, int]] = {}
    for t in range(history.max_t + 1):
        for particle in history.get_population(t=t).particles:
            if float(particle.distance) > 0:
                continue
            point = point_of(particle.parameter)
            key = json.dumps(point, sort_keys=True)
            if key not in found:
                values = {k: float(v) for k, v in particle.sum_stat.items()}
                found[key] = (point, values, t)
    return list(found.values())


def last_population(history, point_of: Callable):
    """The last stored population: (points, weights, distances, measured values)."""
    population = history.get_population(t=history.max_t)
    points, weights, distances, values = [], [], [], []
    for particle in population.particles:
        points.append(point_of(particle.parameter))
        weights.append(float(particle.weight))
        distances.append(float(particle.distance))
        values.append({k: float(v) for k, v in particle.sum_stat.items()})
    return points, weights, distances, values
