"""Explore the plausible region from the markets ABC-SMC found: ABC-MCMC on emcee (issue #23).

Why a second stage. ABC-SMC (``sim.evidence.abc``) finds markets that meet every required
target, but slowly: the session-8 run at 24,000 customers accepted 2 such markets in 8,431
evaluations, and its later populations settled on a region just outside one band (every one of
generation 9's 200 particles had the WOM volume elasticity near 0.08, band from 0.118), where
the quantile threshold keeps them. The markets that meet every target form a narrow region of
the 22-dimensional space; a sampler that starts inside it and only moves where every target
still holds explores it far faster.

What this is: ABC-MCMC (Marjoram, Molitor, Plagnol & Tavaré 2003) at tolerance 0, on emcee's
affine-invariant ensemble sampler (Goodman & Weare 2010; Foreman-Mackey et al. 2013), a
well-kept library, not a hand-written sampler. On the probit scale of ``sim.evidence.abc.prior``
(each parameter's uniform prior is a standard normal ``z``) the log density is the prior's,
``-|z|^2 / 2``, where the market at ``z`` meets every required target at each of its seeds
(``evaluation_seed`` at ``replicates``: by default the ABC's replicate 0 and the two re-run
seeds, tried in turn and stopped at the first that fails), and minus infinity elsewhere: the
walkers' stationary distribution is the prior restricted to the markets that meet every target
at those seeds, the set the ABC-SMC samples after its members' re-runs. Why all three seeds in
the walk and not a re-run afterwards: measured (session 9), a walk on replicate 0 alone visited
191 distinct markets after its burn-in, of which 44 (23 %) still met every target at the two
other seeds; the spread-out ensemble sits near the region's edges, where noise decides. The
walkers start from the ABC's members, each jittered by ``jitter`` on the probit scale and kept
only where the jittered market still meets every target at every seed.

What is kept: every distinct market the walkers visited after the burn-in (the first half of the
steps), at most ``max_members`` of them evenly spaced along the chain, with its values at each
seed (so it needs no re-run).

Reproducible end to end: emcee's generator is seeded from the master seed, the log density is a
function of the point alone (its seed is a hash of the point), and the pool returns results in
order, so the same members, seed and settings give the same set on any number of processes.

emcee is an optional dependency (the ``calibrate`` and ``dev`` extras), imported here only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.evidence.abc import (
    ABC_REPLICATE,
    Simulate,
    evaluation_seed,
    from_normal,
    to_normal,
    value,
)
from sim.evidence.errors import EvidenceError
from sim.evidence.ranges import Range
from sim.evidence.targets import TARGETS, Target, total_distance

JITTER = 0.02  # probit units: 2 % of a standard normal, about 0.8 % of a range near its middle
START_TRIES = 8  # jittered candidates tried per walker before giving up


def _emcee():
    try:
        import emcee
    except ImportError:  # pragma: no cover - the calibrate extra installs it
        raise EvidenceError("the exploration needs emcee: pip install -e '.[calibrate]'") from None
    return emcee


@dataclass
class Explored:
    """A market the walkers visited: its point, its values at its first seed and at each further
    one (``recheck``), its step."""

    point: dict[str, float]
    values: dict[str, float]
    step: int
    recheck: list[dict[str, float]]


@dataclass
class Exploration:
    members: list[Explored]
    walkers: int
    steps: int  # steps the ensemble made
    burn: int  # steps discarded at the start
    evaluations: int  # densities computed (each 1 to len(replicates) runs), the start included
    acceptance: float  # mean acceptance fraction of the walkers' moves
    distinct: int  # distinct markets visited after the burn-in
    seconds: float
    stopped: str
    jitter: float
    replicates: tuple[int, ...]


class LogDensity:
    """The walkers' log density at probit ``z`` and the market's values there (emcee's blob: the
    values at each seed of ``replicates`` in turn, NaN where a seed was not run).

    Picklable when ``simulate`` is, so it travels to a process pool.
    """

    def __init__(
        self,
        simulate: Simulate,
        ranges: Sequence[Range],
        master_seed: int,
        targets: Sequence[Target],
        keys: Sequence[str],
        replicates: Sequence[int] = (ABC_REPLICATE,),
    ):
        self.simulate = simulate
        self.ranges = tuple(ranges)
        self.master_seed = int(master_seed)
        self.targets = tuple(targets)
        self.keys = tuple(keys)
        self.replicates = tuple(int(r) for r in replicates)

    def point(self, z: np.ndarray) -> dict[str, float]:
        return {
            r.path: value(r, from_normal(r, float(x))) for r, x in zip(self.ranges, z, strict=True)
        }

    def __call__(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.asarray(z, dtype=float)
        blob = np.full(len(self.keys) * len(self.replicates), np.nan)
        if not np.all(np.isfinite(z)):
            return -math.inf, blob
        point = self.point(z)
        for i, replicate in enumerate(self.replicates):
            values = self.simulate(point, evaluation_seed(self.master_seed, point, replicate))
            blob[i * len(self.keys) : (i + 1) * len(self.keys)] = [
                float(values.get(k, np.nan)) for k in self.keys
            ]
            if total_distance(values, self.targets) > 0:
                return -math.inf, blob
        return -0.5 * float(z @ z), blob

    def values(self, blob: np.ndarray) -> list[dict[str, float]]:
        """A blob back as the values at each seed."""
        k = len(self.keys)
        return [
            {key: float(v) for key, v in zip(self.keys, blob[i * k : (i + 1) * k], strict=True)}
            for i in range(len(self.replicates))
        ]


def to_probit(ranges: Sequence[Range], point: Mapping[str, float]) -> np.ndarray:
    """A market's place on the probit scale (inverse of ``LogDensity.point`` up to rounding)."""
    return np.array([to_normal(r, point[r.path]) for r in ranges])


def start_walkers(
    density: LogDensity,
    starts: Sequence[Mapping[str, float]],
    walkers: int,
    rng: np.random.Generator,
    pool_map: Callable,
    jitter: float = JITTER,
    log=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """``walkers`` positions near the ``starts`` (plausible markets) that meet every target:
    jittered copies of the starts in turn, tried in batches of ``walkers``. Returns the
    positions, their log densities and blobs, and the evaluations spent."""
    centres = np.array([to_probit(density.ranges, s) for s in starts])
    kept_z, kept_lp, kept_blob = [], [], []
    evaluations = 0
    for attempt in range(START_TRIES):
        k = np.arange(walkers) + attempt * walkers
        z = centres[k % len(centres)] + jitter * rng.standard_normal((walkers, centres.shape[1]))
        results = list(pool_map(density, list(z)))
        evaluations += len(z)
        for zi, (lp, blob) in zip(z, results, strict=True):
            if math.isfinite(lp) and len(kept_z) < walkers:
                kept_z.append(zi)
                kept_lp.append(lp)
                kept_blob.append(blob)
        if log:
            log(f"starting walkers: {len(kept_z)} of {walkers} meet every target")
        if len(kept_z) == walkers:
            return np.array(kept_z), np.array(kept_lp), np.array(kept_blob), evaluations
    raise EvidenceError(
        f"only {len(kept_z)} of {walkers} jittered copies of the {len(centres)} starting "
        f"market(s) meet every target after {evaluations} evaluations: start from more members "
        "or a smaller jitter"
    )


def explore(
    simulate: Simulate,
    ranges: Sequence[Range],
    starts: Sequence[Mapping[str, float]],
    *,
    master_seed: int,
    targets: Sequence[Target],
    walkers: int | None = None,
    steps: int = 1000,
    minutes: float | None = None,
    max_members: int = 300,
    jitter: float = JITTER,
    replicates: Sequence[int] = (ABC_REPLICATE,),
    pool_map: Callable = map,
    log=None,
) -> Exploration:
    """Run the ensemble from ``starts`` for at most ``steps`` steps or ``minutes``.

    Parameters
    ----------
    simulate : callable
        ``simulate(point, seed) -> {target key: value}`` (as for ``sim.evidence.abc.calibrate``).
    starts : sequence of ``{path: value}``
        Markets that meet every target (the ABC's members); at least one.
    walkers : int, optional
        Ensemble size; at least twice the number of parameters (emcee's rule), by default
        that plus 2.
    minutes : float, optional
        Wall-time budget, checked after each step.
    replicates : sequence of int
        The seeds (``evaluation_seed``'s replicate numbers) at which a market must meet every
        target; the caller passes the ABC's and the re-runs' (``calibrate_defaults``).
    pool_map : callable
        ``map``-like; a process pool's ``map`` or a Dask adapter runs the walkers in parallel
        (results in order, so the outcome does not depend on it).
    """
    emcee = _emcee()
    started = time.perf_counter()
    if not starts:
        raise EvidenceError("the exploration needs at least one market that meets every target")
    ndim = len(ranges)
    walkers = int(walkers or 2 * ndim + 2)
    if walkers < 2 * ndim:
        raise EvidenceError(f"--walkers {walkers}: at least {2 * ndim} (twice the parameters)")
    # the targets that decide, then every other target of the table (kept with each member)
    keys = list(dict.fromkeys([t.key for t in targets] + [t.key for t in TARGETS]))
    density = LogDensity(simulate, ranges, master_seed, targets, keys, replicates)
    rng = np.random.default_rng([int(master_seed), 0xE3CEE])
    z0, lp0, blob0, evaluations = start_walkers(
        density, starts, walkers, rng, pool_map, jitter=jitter, log=log
    )

    class _Pool:  # emcee calls pool.map(f, list)
        map = staticmethod(pool_map)

    sampler = emcee.EnsembleSampler(walkers, ndim, density, pool=_Pool())
    state = emcee.State(
        z0,
        log_prob=lp0,
        blobs=blob0,
        random_state=np.random.RandomState(int(rng.integers(2**31))).get_state(),
    )
    stopped = f"{steps} steps"
    done = 0
    for _ in sampler.sample(state, iterations=int(steps)):
        done += 1
        evaluations += walkers
        if log and (done % 10 == 0 or done == 1):
            log(
                f"step {done}: acceptance {float(np.mean(sampler.acceptance_fraction)):.2f}, "
                f"{time.perf_counter() - started:.0f} s"
            )
        if minutes is not None and time.perf_counter() - started > 60.0 * minutes:
            stopped = f"{minutes:g} minutes ({done} steps)"
            break
    if done == 0:
        raise EvidenceError("the exploration made no step")
    burn = done // 2
    chain = sampler.get_chain()[burn:done]  # (steps, walkers, ndim)
    blobs = sampler.get_blobs()[burn:done]  # (steps, walkers, keys)
    seen: dict[tuple, Explored] = {}
    for s in range(chain.shape[0]):
        for w in range(walkers):
            point = density.point(chain[s, w])
            key = tuple(point[r.path] for r in ranges)
            if key not in seen:
                first, *others = density.values(blobs[s, w])
                seen[key] = Explored(point, first, burn + s + 1, others)
    visited = list(seen.values())
    if len(visited) > max_members:
        idx = np.unique(np.linspace(0, len(visited) - 1, max_members).round().astype(int))
        chosen = [visited[i] for i in idx]
    else:
        chosen = visited
    return Exploration(
        members=chosen,
        walkers=walkers,
        steps=done,
        burn=burn,
        evaluations=evaluations,
        acceptance=float(np.mean(sampler.acceptance_fraction)),
        distinct=len(visited),
        seconds=time.perf_counter() - started,
        stopped=stopped,
        jitter=jitter,
        replicates=density.replicates,
    )
