"""Calibration of the defaults by approximate Bayesian computation (issue #23): a thin layer over
pyabc's ABC-SMC.

What is calibrated: the parameters of ``sim.evidence.ranges.RANGES`` (or any list of ``Range``),
with independent uniform priors over their documented ranges (stated to pyabc on the probit
scale, ``prior``), against the empirical targets of ``sim.evidence.targets.REQUIRED`` (those a
plausible market must meet): a market is accepted when every one's measured value lies in its
band (``total_distance`` is 0); the targets that are only shown (``required`` false) are measured
and kept with each member but do not decide. ABC-SMC (Toni et al. 2009, as implemented by pyabc)
lowers the acceptance threshold from generation to generation (pyabc's quantile epsilon: a
multiple of the weighted median of the last population's distances) down to 0. It stops when a
population is all at distance 0 (every member meets every target), or after ``generations``
generations, or after ``minutes`` of wall time (checked between generations), or when a
generation's acceptance rate would fall below ``min_acceptance`` (that generation is then not
kept).

The simulator is any callable ``simulate(point, seed) -> {target key: value}``: ``point`` maps
parameter paths ("wom.talk_base") to values (integer ranges rounded), applied on top of
scenarios/default.toml by the simulator (``sim.evidence.target_runs.measure_targets``).

Reproducibility:

- every evaluation's simulator seed is derived from the master seed and the point's values
  (``evaluation_seed``), so a given parameter vector gives the same measured values wherever
  and whenever it is run (any member of the plausible set can be rerun exactly);
- pyabc draws its proposals (prior samples, perturbations, resampling) from numpy's global
  generator: ``calibrate`` seeds it with the master seed, so a run on the single-core sampler is
  reproducible end to end (same seed, same code, same population);
- the parallel samplers (pyabc's multicore sampler, Dask) re-seed numpy from the operating
  system in each worker and accept the first particles to finish: their populations are *not*
  reproducible, only each evaluation within them is.

pyabc keys cannot hold dots safely, so parameter paths travel as ``section__name``
(``key_of`` / ``path_of``, the one place that maps them). pyabc's sqlite history goes to a
temporary folder unless ``history`` names a file (never the repository).

pyabc is an optional dependency (the ``calibrate`` and ``dev`` extras): it is imported inside the
functions that need it, so the app and ``run`` never import it.
"""

from __future__ import annotations

import functools
import math
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from statistics import NormalDist

import numpy as np

from sim.evidence.abc_history import (  # noqa: F401 (the stored run's names, as abc.X too)
    Generation,
    _pyabc,
    at_zero,
    check_resumable,
    generations_of,
    hash_seed,
    last_population,
    last_run_id,
    next_epsilon,
    run_stamp,
    stamp_file,
    write_stamp,
)
from sim.evidence.errors import EvidenceError
from sim.evidence.ranges import RANGES, Range
from sim.evidence.targets import REQUIRED, Target, total_distance
from sim.study.arms import run_seed

SEP = "__"  # parameter path "wom.talk_base" <-> pyabc key "wom__talk_base"
ABC_REPLICATE = 0  # run_seed's replicate index of the ABC evaluations
# ... and of the re-runs of each member at other seeds: a market at distance 0 at one seed can be
# a lucky draw near the bands' edges (measured: the session-7 market, at 0 at two seeds, misses
# three targets on the mean of 12 seeds), so a member must be at 0 at these seeds too.
RECHECK_REPLICATES = (1, 2)

Simulate = Callable[[dict, int], Mapping[str, float]]


# --------------------------------------------------------------------------- keys and prior


def key_of(path: str) -> str:
    """pyabc's key of a parameter path: "wom.talk_base" -> "wom__talk_base"."""
    if SEP in path:
        raise ValueError(f"parameter path {path!r} holds {SEP!r}")
    return path.replace(".", SEP)


def path_of(key: str) -> str:
    """The parameter path of a pyabc key (inverse of ``key_of``)."""
    return key.replace(SEP, ".")


def prior_bounds(r: Range) -> tuple[float, float]:
    """The uniform prior's support of a range: ``[low, high]``, or for an integer range
    ``[low - 0.5, high + 0.5]`` so that every whole number in it is equally likely once
    rounded (``value``; plain rounding of ``[low, high]`` would make the ends half as likely)."""
    return (r.low - 0.5, r.high + 0.5) if r.integer else (float(r.low), float(r.high))


def prior(ranges: Sequence[Range]):
    """pyabc prior: the uniform over each range, stated on the probit scale.

    pyabc samples ``z = Phi^-1(u)``, where ``u`` is the value's place in ``prior_bounds`` (0 at
    the low end, 1 at the high end) and ``Phi`` the standard normal distribution function; a
    uniform ``u`` is exactly a standard normal ``z``, so the prior is uniform over the range in
    the parameter's own units, and ``to_point`` maps back. Why not uniforms over the ranges
    themselves: pyabc's Gaussian perturbations must land inside every range at once, and with
    68 parameters they almost never do (measured: the sampler stalled in generation 1). Why not
    the logit scale (the first version): the logistic's heavy tails let perturbations wander
    to z = +/-20, where the prior density is 1e-165 against 1e-48 in the middle, and the
    importance weights collapsed onto one particle by generation 2 (effective sample size 1.0,
    then NaN weights); the normal's tails keep the weights comparable.
    """
    pyabc = _pyabc()
    return pyabc.Distribution(**{key_of(r.path): pyabc.RV("norm", 0, 1) for r in ranges})


_NORMAL = NormalDist()


def from_normal(r: Range, z: float) -> float:
    """The value (before rounding) at probit ``z`` of the range's prior support."""
    low, high = prior_bounds(r)
    u = 0.5 * math.erfc(-float(z) / math.sqrt(2.0))  # Phi(z)
    return low + (high - low) * u


def to_normal(r: Range, x: float) -> float:
    """Inverse of ``from_normal`` (for values strictly inside the prior's support)."""
    low, high = prior_bounds(r)
    return _NORMAL.inv_cdf((float(x) - low) / (high - low))


def value(r: Range, x: float) -> float | int:
    """A value applied: integer ranges rounded half up; kept within the range."""
    x = min(float(r.high), max(float(r.low), float(x)))
    if r.integer:
        return int(min(r.high, max(r.low, math.floor(x + 0.5))))
    return x


def to_point(ranges: Sequence[Range], parameter: Mapping[str, float]) -> dict[str, float]:
    """``{path: value}`` of a pyabc parameter (``{key: probit}``), integer ranges rounded."""
    return {r.path: value(r, from_normal(r, parameter[key_of(r.path)])) for r in ranges}


def evaluation_seed(master_seed: int, point: Mapping[str, float], replicate: int = 0) -> int:
    """The simulator's seed at ``point``: a hash of the master seed and the point's values
    (``sim.study.arms.run_seed``); the same point always gets the same seed."""
    return run_seed(int(master_seed), replicate, {k: point[k] for k in sorted(point)})


# --------------------------------------------------------------------------- model, distance


class Model:
    """pyabc model: a pyabc parameter -> the simulator's measured values (plain floats).

    Picklable when ``simulate`` is (a module-level function or a ``functools.partial`` of one),
    so it travels to the multicore and Dask samplers' workers.
    """

    def __init__(self, simulate: Simulate, ranges: Sequence[Range], master_seed: int):
        self.simulate = simulate
        self.ranges = tuple(ranges)
        self.master_seed = int(master_seed)

    def __call__(
        self, parameter: Mapping[str, float], screen: float | None = None
    ) -> dict[str, float]:
        """The measured values; ``screen`` (a distance) is passed on to a simulator that may
        stop once the targets measured so far are farther than that (``abc_screen``)."""
        point = to_point(self.ranges, parameter)
        seed = evaluation_seed(self.master_seed, point, ABC_REPLICATE)
        if screen is None:
            values = self.simulate(point, seed)
        else:
            values = self.simulate(point, seed, screen=screen)
        return {str(k): float(v) for k, v in values.items()}


class TargetDistance:
    """Distance of measured values to the targets' bands (``total_distance``; 0 when every
    target is met). pyabc passes the observed data as ``x_0``: the bands are the data, so it is
    not used."""

    def __init__(self, targets: Sequence[Target] = REQUIRED):
        self.targets = tuple(targets)

    def __call__(self, x: Mapping[str, float], x_0=None) -> float:
        return total_distance(x, self.targets)


def observed(targets: Sequence[Target]) -> dict[str, float]:
    """What pyabc stores as the observed data: each band's ends (for the record)."""
    out = {}
    for t in targets:
        out[f"{t.key}{SEP}low"] = float(t.low)
        out[f"{t.key}{SEP}high"] = float(t.high)
    return out


# --------------------------------------------------------------------------- samplers


def sampler_for(executor=None, processes: int | None = None):
    """The pyabc sampler: Dask when ``executor`` is a ``sim.study.distributed.DaskExecutor``
    (its client: a local cluster for ``--workers N``, an existing one for ``--scheduler``);
    pyabc's multicore sampler with ``processes`` worker processes; else a single core."""
    _pyabc()
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    _quiet_pyabc()
    client = getattr(executor, "client", None)
    if client is not None:
        return DaskDistributedSampler(dask_client=client, batch_size=1)
    # check_max_eval: a generation stops at the evaluations the acceptance floor allows
    if processes is not None and processes > 1:
        return MulticoreEvalParallelSampler(n_procs=int(processes), check_max_eval=True)
    return SingleCoreSampler(check_max_eval=True)


def sampler_name(sampler) -> str:
    name = type(sampler).__name__
    n = getattr(sampler, "n_procs", None)
    return f"{name}({n})" if n and "Multicore" in name else name


# --------------------------------------------------------------------------- ABC-SMC


@dataclass
class Calibration:
    """What an ABC-SMC run left: its generations and its last population."""

    ranges: tuple[Range, ...]
    targets: tuple[Target, ...]
    master_seed: int
    population_size: int
    sampler: str
    generations: list[Generation]
    points: list[dict[str, float]]  # the last population, in pyabc's order
    weights: list[float]
    distances: list[float]
    values: list[dict[str, float]]  # each member's measured values
    seconds: float
    stopped: str  # why it stopped
    history: str | None = None  # the sqlite file, when kept
    # every distinct particle at distance 0 accepted in any generation: (point, values, t)
    at_zero: list[tuple[dict[str, float], dict[str, float], int]] = field(default_factory=list)
    options: dict = field(default_factory=dict)  # alpha, shrink, min_acceptance, minutes

    def weighted(self) -> tuple[np.ndarray, np.ndarray]:
        """(points as an array, one column per range; normalised weights)."""
        x = np.array([[p[r.path] for r in self.ranges] for p in self.points], dtype=float)
        w = np.asarray(self.weights, dtype=float)
        return x, w / w.sum()


# Smallest proposal density pyabc may divide by (see floored_transition).
DENSITY_FLOOR = 1e-300


def floored_transition():
    """pyabc's Gaussian perturbation kernel whose density never underflows to 0.

    A particle far (in Mahalanobis distance over 22 parameters) from every particle of the
    last generation has a proposal density below the smallest double; pyabc then divides its
    prior density by 0 and the population's weights become NaN (measured: generation 8 of a
    population of 200 crashed so). Flooring the density keeps the weights finite. The weights
    are degenerate anyway at this dimension and population (effective sample size 1-7) and are
    not used: the threshold is the unweighted median and the set's members are drawn uniformly.
    """
    pyabc = _pyabc()

    class Floored(pyabc.MultivariateNormalTransition):
        def pdf(self, x):
            return np.maximum(super().pdf(x), DENSITY_FLOOR)

    return Floored()


def calibrate(
    simulate: Simulate,
    ranges: Sequence[Range] = RANGES,
    *,
    targets: Sequence[Target] = REQUIRED,
    distance: Callable | None = None,
    population: int = 200,
    generations: int = 12,
    minutes: float | None = None,
    min_acceptance: float = 0.002,
    alpha: float = 0.5,
    shrink: float = 0.95,
    seed: int = 2024,
    sampler=None,
    history: str | Path | None = None,
    resume: bool = False,
    about: Mapping | None = None,
    until_found: int = 0,
    screened: bool = False,
    log: Callable[[str], None] | None = None,
) -> Calibration:
    """ABC-SMC over ``ranges`` against ``targets`` (see the module's docstring).

    ``distance(values) -> float`` replaces ``total_distance`` (0 must mean "accepted"); pyabc's
    quantile epsilon takes ``shrink`` times the (unweighted) ``alpha`` quantile of the last
    population's distances as the next threshold, with a minimum of 0. Unweighted, because
    with 22 parameters and a population of 200 the importance weights are degenerate
    (effective sample size about 4 from generation 1): a weighted median is one particle's
    distance and the threshold stalls. ``shrink`` < 1 because
    each target's distance is capped at 1 (``Target.distance``): far from the bands many
    members tie at whole numbers, and a threshold equal to the tied value would accept them all
    again and never move. ``sampler``: from ``sampler_for`` (default: single core).

    ``history`` keeps pyabc's sqlite history in that file (an existing file is never written
    over: pass ``resume``). ``resume`` continues the run stored there for at most
    ``generations`` more generations (0: none, only read it back); ``about`` (what the caller's
    simulator depends on, e.g. customers per market) is stored beside the history with the
    ranges, targets and master seed, and a resumed run must match it, so every member found
    before and after the pause was measured the same way.

    ``screened``: ``simulate`` takes ``screen=eps`` and may stop early once the targets it has
    measured are farther than ``eps`` (``sim.evidence.abc_screen``; the same decisions, fewer
    runs); only with the default distance.

    ``until_found`` > 0 stops the run once its generations have accepted that many markets at
    distance 0 (counted over the stored generations too), for an exploration to take over
    (``sim.evidence.abc_explore``).
    """
    pyabc = _pyabc()
    from pyabc.epsilon import QuantileEpsilon
    from threadpoolctl import threadpool_limits  # a dependency of pyabc (scikit-learn)

    log = log or (lambda text: print(text, file=sys.stderr))
    ranges, targets = tuple(ranges), tuple(targets)
    if population < 2:
        raise EvidenceError(f"--population must be at least 2, got {population}")
    if generations < (0 if resume else 1):
        raise EvidenceError(
            f"--generations must be at least {0 if resume else 1}, got {generations}"
        )
    if population <= len(ranges):
        # pyabc perturbs with the population's covariance: singular with fewer members than
        # parameters, and its importance weights then come out NaN (measured: 24 members, 68
        # parameters, generation 2)
        raise EvidenceError(
            f"--population must exceed the number of parameters ({len(ranges)}), got {population}"
        )
    _quiet_pyabc()
    # pyabc draws its prior samples, proposals and resampling from the legacy global generator
    np.random.seed(int(seed) % 2**32)  # noqa: NPY002
    sampler = sampler or sampler_for()
    dist = TargetDistance(targets) if distance is None else _Wrapped(distance)
    temp = None
    if history is None:
        if resume:
            raise EvidenceError("--resume needs --history FILE (the run to continue)")
        temp = tempfile.TemporaryDirectory(prefix="reclamare-abc-")
        db_file = Path(temp.name) / "history.db"
    else:
        db_file = Path(history)
    stamp = run_stamp(ranges, targets, seed, about)
    if resume:
        check_resumable(db_file, stamp)
    elif temp is None and db_file.exists():
        raise EvidenceError(
            f"--history {db_file} exists: --resume continues that run, or name a new file "
            "(nothing is written over)"
        )
    first_epsilon = math.inf
    if resume:
        first_epsilon = next_epsilon(db_file, alpha, shrink)
    model = Model(simulate, ranges, seed)
    if screened and distance is None:
        from sim.evidence.abc_screen import ScreenedModel

        model = ScreenedModel(model, targets)
    abc = pyabc.ABCSMC(
        model,
        prior(ranges),
        dist,
        population_size=int(population),
        sampler=sampler,
        transitions=floored_transition(),
        # generation 0 is the prior sample itself (every draw accepted, all counted); a resumed
        # run starts from the threshold the stored run would have used next
        eps=QuantileEpsilon(
            initial_epsilon=first_epsilon, alpha=alpha, quantile_multiplier=shrink, weighted=False
        ),
    )
    try:
        previous: list[Generation] = []
        if resume:
            abc.load("sqlite:///" + str(db_file), abc_id=last_run_id(db_file))
            previous = generations_of(abc.history)
            # a resumed run draws its proposals from its own stream (seed and first generation)
            np.random.seed(hash_seed(seed, len(previous)))  # noqa: NPY002
            log(
                f"resuming {db_file}: {len(previous)} generations stored, epsilon "
                f"{previous[-1].epsilon:.3g}, {sum(g.evaluations for g in previous)} evaluations"
            )
        else:
            db_file.parent.mkdir(parents=True, exist_ok=True)
            abc.new("sqlite:///" + str(db_file), observed(targets))
            if temp is None:
                write_stamp(db_file, stamp)
        start = time.perf_counter()
        # One BLAS thread: pyabc factorises the 68 x 68 perturbation covariance at every
        # proposal, and OpenBLAS's threads on a busy 2-core machine made that 25 times slower
        # (measured: a generation of 225 evaluations took 9.2 s with 2 threads, 2.2 s with 1).
        # Dask's workers already run with one (its nanny sets OPENBLAS_NUM_THREADS=1).
        if generations > 0:
            with threadpool_limits(limits=1, user_api="blas"):
                gens, stopped = _run(
                    abc, generations, minutes, min_acceptance, log, previous, until_found
                )
        else:
            gens, stopped = previous, "no new generation: the stored run read back"
        seconds = time.perf_counter() - start + sum(g.seconds for g in previous)
        point_of = functools.partial(to_point, ranges)
        result = last_population(abc.history, point_of)
        zeros = at_zero(abc.history, point_of)
    finally:
        if temp is not None:
            # sqlalchemy keeps the file open until its engine goes
            with _suppress():
                abc.history._session.close()  # noqa: SLF001
            temp.cleanup()
    points, weights, distances, values = result
    return Calibration(
        ranges=ranges,
        targets=targets,
        master_seed=int(seed),
        population_size=int(population),
        sampler=sampler_name(sampler),
        generations=gens,
        points=points,
        weights=weights,
        distances=distances,
        values=values,
        seconds=seconds,
        stopped=stopped,
        at_zero=zeros,
        history=None if temp is not None else str(db_file),
        options={
            "alpha": alpha,
            "shrink": shrink,
            "min_acceptance": min_acceptance,
            "max_generations": generations,
            "minutes": minutes,
        },
    )


class _Wrapped:
    """A distance of the measured values alone, as pyabc's ``(x, x_0)`` distance."""

    def __init__(self, fn: Callable):
        self.fn = fn

    def __call__(self, x, x_0=None) -> float:
        return float(self.fn(x))


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return True


def _quiet_pyabc() -> None:
    import logging

    for name in ("ABC", "Sampler", "Epsilon", "History", "Distance", "Acceptor", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("ABC", "Sampler", "Epsilon", "History", "Distance", "Acceptor"):
        logging.getLogger(f"ABC.{name}").setLevel(logging.WARNING)
    # "total population weight ... close to zero": the unnormalised importance weights (prior
    # over proposal density) of 68 parameters are tiny numbers (1e-19), normalised right after.
    logging.getLogger("ABC.Population").setLevel(logging.ERROR)


def _run(
    abc,
    generations: int,
    minutes,
    min_acceptance: float,
    log,
    previous: Sequence = (),
    until_found: int = 0,
) -> tuple[list, str]:
    """pyabc's ``ABCSMC.run`` loop, with two more stops: a population all at distance 0, and
    ``until_found`` (> 0) markets at distance 0 accepted over the generations.
    ``previous``: the generations of a resumed run (they inform the acceptance floor)."""
    walltime = None if minutes is None else timedelta(minutes=float(minutes))
    t = abc.initialize_components_before_run(
        minimum_epsilon=0.0,
        max_nr_populations=int(generations),
        min_acceptance_rate=float(min_acceptance),
        max_total_nr_simulations=np.inf,
        max_walltime=walltime,
        min_eps_diff=0.0,
    )
    gens: list[Generation] = list(previous)
    stopped = ""
    begun = time.perf_counter()
    try:
        while True:
            eps = float(abc.eps(t))
            floor = _acceptance_floor(abc, gens, walltime, begun, min_acceptance)
            abc.min_acceptance_rate = floor
            started = time.perf_counter()
            ret = abc.run_generation(t=t)
            if not ret["successful"]:
                stopped = (
                    f"generation {t} stopped after {int(abc.population_size(t) / floor)} "
                    f"evaluations (acceptance rate below {floor:.2g}"
                    + (", or the time left" if floor > min_acceptance else "")
                    + "; not kept)"
                )
                break
            frame = abc.history.get_weighted_distances(t=t)
            zero = float((frame["distance"] <= 0).mean())
            evaluations = int(abc.history.get_all_populations().set_index("t").at[t, "samples"])
            gen = Generation(
                t=t,
                epsilon=eps,
                accepted=len(frame),
                evaluations=evaluations,
                acceptance_rate=float(ret["acceptance_rate"]),
                seconds=time.perf_counter() - started,
                zero_share=zero,
            )
            gens.append(gen)
            log(
                f"generation {t}: epsilon {eps:.3g}, {gen.accepted} accepted of "
                f"{gen.evaluations} ({gen.acceptance_rate:.1%}), {zero:.0%} at distance 0, "
                f"{gen.seconds:.0f} s"
            )
            if zero == 1.0:
                stopped = f"generation {t}: every member meets every target"
                break
            found = sum(round(g.zero_share * g.accepted) for g in gens)
            if until_found > 0 and found >= until_found:
                stopped = (
                    f"generation {t}: {found} markets at distance 0 found (until {until_found})"
                )
                break
            with np.errstate(invalid="ignore"):  # pyabc subtracts inf from inf after t = 0
                terminate = abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"])
            if terminate:
                if t >= abc.max_t:
                    stopped = f"{generations} generations" + (" more" if previous else "")
                elif (
                    walltime is not None and time.perf_counter() - begun > walltime.total_seconds()
                ):
                    stopped = f"wall time over {minutes:g} minutes"
                else:
                    stopped = "pyabc's stopping rule (acceptance rate or epsilon)"
                break
            t += 1
    finally:
        abc.history.done(end_time=datetime.now())
        abc.sampler.stop()
    if not gens:
        raise EvidenceError("ABC kept no population: " + stopped)
    return gens, stopped


def _acceptance_floor(abc, gens, walltime, begun: float, min_acceptance: float) -> float:
    """The acceptance rate below which the next generation is abandoned: ``min_acceptance``, or
    higher when the wall time left affords fewer evaluations (at the seconds per evaluation of
    the generations so far) than the population needs at that rate. pyabc's single-core and
    multicore samplers stop a generation at that many evaluations; the Dask sampler does not
    (there the wall time is checked between generations only)."""
    floor = float(min_acceptance)
    evaluations = sum(g.evaluations for g in gens)
    if walltime is None or not evaluations:
        return floor
    per_evaluation = sum(g.seconds for g in gens) / evaluations
    left = walltime.total_seconds() - (time.perf_counter() - begun)
    affordable = max(1.0, left / per_evaluation)
    return min(1.0, max(floor, abc.population_size(len(gens)) / affordable))


def weighted_interval(x: np.ndarray, w: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of a weighted sample (weighted quantiles)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=float)[order], np.asarray(w, dtype=float)[order]
    cum = np.cumsum(w) / w.sum()
    tail = (1 - level) / 2
    low = x[min(np.searchsorted(cum, tail, side="left"), len(x) - 1)]
    high = x[min(np.searchsorted(cum, 1 - tail, side="left"), len(x) - 1)]
    return float(low), float(high)
