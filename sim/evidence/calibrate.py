"""Fit the model's push reach and talk rate (and the Bass p, q) to an observed adoption series.

Method (docs/calibration.md says it for users):

1. The Bass model is fitted by non-linear least squares (``sim.evidence.bassfit``); its
   ``p`` and ``q``, per period, give the starting point: weekly reach ``p / w`` and talk rate
   ``q / w`` for ``w`` weeks per period (52 for a yearly series).
2. The model (a base scenario, ``bass`` unless told: its first arm, all other settings kept) is
   run on a log-spaced grid of ``grid x grid`` points around that start, ``step`` apart (a
   factor), ``replicates`` runs per point. Every point uses the same replicate seeds (common
   random numbers), so the error surface is smooth in the parameters. The predicted new
   adopters per period are ``m`` times the increase of the model's share adopted, with the
   best ``m`` (market size, in the series' unit) solved exactly for each point. When the best
   point is not the middle of the grid, the grid is centred on it and the new points are run
   (at most ``MAX_MOVES`` times; points already run are reused), so that the bootstrap below
   has room on every side.
3. Intervals, from two sources of uncertainty, each a bootstrap over the grid:

   - the scatter of the observed series around the fit: a wild bootstrap (each period keeps
     its residual with a random sign, scaled for the fitted parameters), each resample picking
     its best grid point (no new runs);
   - the randomness of diffusion itself in a market of ``n`` customers: a parametric bootstrap,
     ``PARAMETRIC`` new runs at the fitted point with fresh seeds, each scaled by the fitted
     market size and fitted on the grid. A single path of a stochastic diffusion takes off
     early or late, and that error is correlated across periods, which the residual bootstrap
     alone misses (it under-covered the model's own parameters in the recovery test).

   The parametric draws' deviations from the estimate are widened by ``sqrt(1 + 1/R)`` (log
   scale): the grid's own mean curves (``R`` runs each) carry the same kind of error, ``1/R``
   as large in variance. The reported 95 % interval is the union of the two percentile
   intervals, widened to at least half a grid step either side of the estimate (the grid
   cannot resolve less). The parametric part describes a market of ``n`` customers: for a
   real market much larger than ``n`` it is conservative. More replicates shrink the grid's
   part. Coverage measured on series the model made itself: docs/NOTES.md#notes-ev13a.

4. What the series cannot tell (issue #23): before any run, ``bassfit.diagnose`` refuses a
   flat series (a Bass curve no better than its mean) and words, one line each, what it leaves
   open (a series that has not peaked does not identify its market size). The Bass intervals
   are the union of the bootstrap's and the profile likelihood's (``bassfit.profile_bass``);
   the model's the union of its bootstraps and a profile over the grid (``profile_grid``),
   open where the Bass profile is open for the parameter it plays (reach for p, talk rate for
   q, m for m: the grid cannot search to zero or infinity), and noted as *cut by the grid*
   where the grid's last value is still inside. An open side is 0 (below) or infinity
   (above) in the result, ``null`` in calibration.json. A model fit that explains nothing
   (no grid point better than the series' mean) is refused after the grid.

"Push reach" is the weekly probability that push reaches a given customer when everyone is
equally reachable, ``1 - (1 - 1/n) ** impressions``; it is set through the arm's budget
(``sim.engine.bass.push_reach`` inverted). "Talk rate" is ``wom.talk_base``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.evidence.bassfit import (
    M_RANGE_FACTOR,
    Unfittable,
    bootstrap_bass,
    diagnose,
    fit_bass,
    profile_bass,
    profile_threshold,
    wild_residuals,
)
from sim.evidence.runs import run_all, task
from sim.evidence.series import Series

MAX_MOVES = 8
MAX_EXTEND = 6  # rows or columns added where the grid's profile is still inside at its edge
PARAMETRIC = 60  # runs of the parametric bootstrap
MEASURES = ("adoption", "awareness")


class CalibrationError(ValueError):
    """Calibration cannot proceed (one line)."""


@dataclass
class Grid:
    """Simulated share curves at grid points, keyed by (reach index, talk index) on a lattice
    ``center * step ** index``."""

    center_reach: float
    center_talk: float
    step: float
    curves: dict = field(default_factory=dict)  # (i, j) -> (periods,) new share per period

    def reach(self, i: int) -> float:
        return self.center_reach * self.step**i

    def talk(self, j: int) -> float:
        return self.center_talk * self.step**j


@dataclass
class Setup:
    """The base scenario's parameters and arm, and the size of the runs."""

    params: object
    arm: object
    scenario_path: Path
    n: int
    replicates: int
    seed: int
    measure: str


def setup(scenario: str, n: int, replicates: int, seed: int, measure: str = "adoption") -> Setup:
    """The base scenario's resolved parameters on ``n`` customers and its first arm."""
    from sim.study.scenario import load_scenario

    if measure not in MEASURES:
        raise CalibrationError(f"--measure {measure!r}: one of {', '.join(MEASURES)}")
    loaded = load_scenario(scenario, [("network.n", n)], preflight=False)
    params, arms = loaded.resolve()
    arm = arms[0]
    if arm.push_share <= 0.0:
        raise CalibrationError(
            f"{loaded.path}: the first arm ({arm.name}) spends nothing on push; calibrating "
            "push reach needs an arm with push_share > 0"
        )
    return Setup(params, arm, Path(loaded.path), n, replicates, seed, measure)


def arm_for_reach(s: Setup, reach: float):
    """The base arm with the budget whose push reaches a given customer with ``reach`` a week."""
    n, cost = s.n, s.params.push.cost_per_impression
    impressions = math.log1p(-reach) / math.log1p(-1.0 / n)
    budget = impressions * cost * 1000.0 / n / s.arm.push_share
    return s.arm.model_copy(update={"budget": budget, "name": "fitted"})


def params_for_talk(s: Setup, talk: float):
    return s.params.model_copy(update={"wom": s.params.wom.model_copy(update={"talk_base": talk})})


def simulate(s: Setup, grid: Grid, points, periods: int, weeks_per_period: int, quiet=True):
    """Run the grid ``points`` not yet run; store the mean new share per period of each."""
    weeks = periods * weeks_per_period
    todo = [(i, j) for i, j in points if (i, j) not in grid.curves]
    tasks = {}
    for i, j in todo:
        reach, talk = grid.reach(i), grid.talk(j)
        if not (0.0 < reach < 1.0 and 0.0 < talk <= 1.0):
            grid.curves[(i, j)] = None  # outside what the model allows
            continue
        params = params_for_talk(s, talk)
        arm = arm_for_reach(s, reach)
        for r in range(s.replicates):
            key = f"g{i:+d}_{j:+d}_r{r}"
            tasks[key] = ((i, j), task(key, params, [arm], s.seed, r, weeks))
    frames = run_all([t for _, t in tasks.values()], None, "calibration grid", quiet)
    collected: dict = {}
    for key, (ij, _) in tasks.items():
        share = frames[key][s.measure].to_numpy()[::weeks_per_period]
        collected.setdefault(ij, []).append(np.diff(share))
    for ij, runs in collected.items():
        grid.curves[ij] = np.mean(runs, axis=0)


def grid_sse(grid: Grid, y: np.ndarray, keys=None):
    """The grid points (those the model allows), the best scale ``m`` of each and its SSE."""
    keys = [k for k in (keys or grid.curves) if grid.curves.get(k) is not None]
    shapes = np.array([grid.curves[k] for k in keys])
    dots = shapes @ y
    norms = np.einsum("ij,ij->i", shapes, shapes)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(norms > 0, np.maximum(dots, 0.0) / np.where(norms > 0, norms, 1.0), 0.0)
    sse = ((y[None, :] - scale[:, None] * shapes) ** 2).sum(axis=1)
    return keys, scale, sse


def best_point(grid: Grid, y: np.ndarray, keys=None):
    """The grid point with the smallest squared error (best scale each), its scale and SSE."""
    keys, scale, sse = grid_sse(grid, y, keys)
    best = int(np.argmin(sse))
    return keys[best], float(scale[best]), float(sse[best])


def profile_grid(grid: Grid, points, y: np.ndarray, level: float = 0.95) -> dict:
    """Profile intervals of reach, talk and m over the grid (no new runs).

    The grid's profile of reach is, for each reach on the grid, the smallest SSE over the talk
    rates (each with its best m); likewise for talk. For ``m`` the SSE of every grid curve at
    a fixed scale is a quadratic in m, minimised over the grid at m values from a tenth of the
    series' total to ``M_RANGE_FACTOR`` times it. A value is inside when its profile SSE is at
    most ``profile_threshold`` (three fitted numbers, as for Bass). Reach and talk are widened
    by half a grid step either side. Returns name -> ``(low, high, cut_low, cut_high)``; a side
    is *cut* when the grid's last value there is still inside (values beyond were not run, so
    the grid does not say where the interval ends; a larger ``--grid`` does). For m, cut means
    still inside at the end of the m values searched.
    """
    keys, scale, sse = grid_sse(grid, y, points)
    threshold = profile_threshold(float(sse.min()), y.size, level)
    widen = math.sqrt(grid.step)
    out = {}
    for name, axis, value in (("reach", 0, grid.reach), ("talk", 1, grid.talk)):
        index = np.array([k[axis] for k in keys])
        inside = sorted({int(i) for i in index[sse <= threshold]})
        lo, hi = inside[0], inside[-1]
        cut = (bool(lo == index.min()), bool(hi == index.max()))
        out[name] = (value(lo) / widen, value(hi) * widen, *cut)
    shapes = np.array([grid.curves[k] for k in keys])
    total = float(y.sum())
    ms = np.geomspace(total / 10.0, M_RANGE_FACTOR * total, 400)
    norms = np.einsum("ij,ij->i", shapes, shapes)
    quadratic = float(y @ y) - 2.0 * np.outer(ms, shapes @ y) + np.outer(ms**2, norms)
    inside = ms[quadratic.min(axis=1) <= threshold]
    if inside.size:
        cut = (bool(inside[0] == ms[0]), bool(inside[-1] == ms[-1]))
        out["m"] = (float(inside[0]), float(inside[-1]), *cut)
    else:  # the best m lies between two of the 400 values: keep the estimate's own
        best = float(scale[int(np.argmin(sse))])
        out["m"] = (best, best, False, False)
    return out


def join(boot: tuple, profile: tuple) -> tuple:
    """The union of a bootstrap interval and a profile interval ``(low, high, open_low,
    open_high)``: an open side becomes 0 (below) or infinity (above)."""
    low, high = min(boot[0], profile[0]), max(boot[1], profile[1])
    return (0.0 if profile[2] else float(low), math.inf if profile[3] else float(high))


def square(ci: int, cj: int, half: int):
    return [(ci + a, cj + b) for a in range(-half, half + 1) for b in range(-half, half + 1)]


def fit_model(
    s: Setup, series: Series, start: tuple[float, float], grid_size=7, step=2 ** (1 / 3), quiet=True
):
    """Grid search of (reach, talk) around ``start`` (weekly values); see the module docstring."""
    y = series.values
    half = grid_size // 2
    grid = Grid(start[0], start[1], step)
    ci = cj = 0
    for _ in range(MAX_MOVES + 1):
        points = square(ci, cj, half)
        simulate(s, grid, points, y.size, series.weeks_per_period, quiet)
        (bi, bj), scale, sse = best_point(grid, y, points)
        if (bi, bj) == (ci, cj):
            break
        ci, cj = bi, bj  # centre the grid on the best point (the bootstrap needs room around it)
    points = square(ci, cj, half)
    return grid, points, (bi, bj), scale, sse


def extend_grid(s: Setup, grid: Grid, points, series: Series, leave=(), quiet=True) -> list:
    """Add a row or column of grid points beyond each side where the grid's profile interval
    is still inside at the grid's last value (``profile_grid``: cut), at most ``MAX_EXTEND``
    times, so that the grid, not its size, ends the interval. ``leave``: sides not to extend
    (``"reach below"`` etc.: where the series bounds nothing, extending would not end).
    Returns the points, old and new.
    """
    y = series.values
    points = list(points)
    for _ in range(MAX_EXTEND):
        profile = profile_grid(grid, points, y)
        new = []
        for name, axis in (("reach", 0), ("talk", 1)):
            _, _, cut_low, cut_high = profile[name]
            values = [pt[axis] for pt in points]
            other = sorted({pt[1 - axis] for pt in points})
            for side, cut, edge in (
                ("below", cut_low, min(values) - 1),
                ("above", cut_high, max(values) + 1),
            ):
                if cut and f"{name} {side}" not in leave:
                    new += [(edge, o) if axis == 0 else (o, edge) for o in other]
        if not new:
            break
        simulate(s, grid, new, y.size, series.weeks_per_period, quiet)
        points += [pt for pt in dict.fromkeys(new) if pt not in points]
    return points


def bootstrap_model(
    grid: Grid,
    points,
    best,
    scale: float,
    y: np.ndarray,
    resamples: int,
    seed,
    paths=(),
    replicates: int = 1,
):
    """95 % intervals of reach, talk and m (see the module docstring, step 3).

    ``paths``: new share per period of fresh runs at the fitted point (parametric part).
    """
    rng = np.random.default_rng(seed)
    fitted = scale * grid.curves[best]
    residuals = wild_residuals(y - fitted, 3)

    def pick(sample):
        (i, j), m, _ = best_point(grid, sample, points)
        return grid.reach(i), grid.talk(j), m

    wild = [
        pick(np.clip(fitted + residuals * rng.choice((-1.0, 1.0), residuals.size), 0.0, None))
        for _ in range(resamples)
    ]
    parts = [np.percentile(np.array(wild), [2.5, 97.5], axis=0)]
    if len(paths):
        draws = np.array([pick(scale * p) for p in paths])
        # The estimate's error is the observed path's (what these draws show) plus that of the
        # grid's mean curves (R runs: variance 1/R as large, independent): widen the draws'
        # deviations from the estimate by sqrt(1 + 1/R), on the log scale of the grid.
        estimate = np.array([grid.reach(best[0]), grid.talk(best[1]), scale])
        draws = estimate * np.exp(np.sqrt(1.0 + 1.0 / replicates) * np.log(draws / estimate))
        parts.append(np.percentile(draws, [2.5, 97.5], axis=0))
    everything = np.concatenate(
        [np.array(wild)] + ([np.array([pick(scale * p) for p in paths])] if len(paths) else [])
    )
    edge = (
        np.isclose(everything[:, 0], min(grid.reach(i) for i, _ in points))
        | np.isclose(everything[:, 0], max(grid.reach(i) for i, _ in points))
        | np.isclose(everything[:, 1], min(grid.talk(j) for _, j in points))
        | np.isclose(everything[:, 1], max(grid.talk(j) for _, j in points))
    )
    low = np.min([part[0] for part in parts], axis=0)
    high = np.max([part[1] for part in parts], axis=0)
    widen = math.sqrt(grid.step)
    reach, talk = grid.reach(best[0]), grid.talk(best[1])
    return {
        "reach": (float(min(low[0], reach / widen)), float(max(high[0], reach * widen))),
        "talk": (float(min(low[1], talk / widen)), float(max(high[1], talk * widen))),
        "m": (float(low[2]), float(high[2])),
        "edge_share": float(edge.mean()),
    }


def fresh_paths(s: Setup, grid: Grid, best, series: Series, runs: int, quiet=True) -> list:
    """New share per period of ``runs`` runs at the fitted point, seeds unused by the grid."""
    w = series.weeks_per_period
    weeks = series.values.size * w
    params = params_for_talk(s, grid.talk(best[1]))
    arm = arm_for_reach(s, grid.reach(best[0]))
    tasks = [
        task(f"path-r{r}", params, [arm], s.seed, s.replicates + r, weeks) for r in range(runs)
    ]
    frames = run_all(tasks, None, "parametric bootstrap", quiet)
    return [np.diff(frames[t.key][s.measure].to_numpy()[::w]) for t in tasks]


def calibrate(
    series: Series,
    s: Setup,
    resamples: int = 200,
    grid_size: int = 7,
    step: float = 2 ** (1 / 3),
    quiet: bool = True,
) -> dict:
    """Bass fit and model fit of ``series``, with intervals (see module docstring).

    Raises ``CalibrationError`` before any model run for a series with nothing to fit (no
    variation, or flat: ``bassfit.diagnose``) and after the grid for a model fit that explains
    nothing (no grid point produces adopters in the series' periods). ``result["warnings"]``
    says what the series cannot identify (one line each, naming the file).
    """
    y = series.values
    w = series.weeks_per_period
    bass = fit_bass(y)
    profiles = profile_bass(y, bass)
    try:
        warnings = [f"{series.path}: {text}" for text in diagnose(y, bass, profiles)]
    except Unfittable as error:
        raise CalibrationError(f"{series.path}: {error}") from None
    boot = bootstrap_bass(y, bass, resamples, s.seed)
    bass_ci = {
        name: join(boot[name], (pr.low, pr.high, pr.open_low, pr.open_high))
        for name, pr in profiles.items()
    }
    # The model shows a push reach below about one customer in n a period only as chance (no
    # one is reached): start no lower, whatever p the Bass fit found (p -> 0 on a rise alone).
    start = (min(0.5, max(bass.p, 1.0 / s.n) / w), min(0.5, bass.q / w))
    grid, points, best, scale, sse = fit_model(s, series, start, grid_size, step, quiet)
    total = float(((y - y.mean()) ** 2).sum())
    if not scale > 0.0 or not 1.0 - sse / total > 0.0:
        raise CalibrationError(
            f"{series.path}: no point of the model's grid explains the series better than its "
            f"mean (best R² {1.0 - sse / total:.2f}, market size {scale:.3g}); the model cannot "
            "be calibrated to it"
        )
    leave = [
        f"{name} {side}"
        for name, twin in (("reach", "p"), ("talk", "q"))
        for side, is_open in (
            ("below", profiles[twin].open_low),
            ("above", profiles[twin].open_high),
        )
        if is_open
    ]
    points = extend_grid(s, grid, points, series, leave, quiet)
    best, scale, sse = best_point(grid, y, points)
    paths = fresh_paths(s, grid, best, series, min(PARAMETRIC, resamples), quiet)
    model_boot = bootstrap_model(
        grid, points, best, scale, y, resamples, s.seed, paths, s.replicates
    )
    grid_profile = profile_grid(grid, points, y)
    # What the series leaves open for the Bass curve it leaves open for the model's curves
    # (reach plays p, talk rate q, and m is m): the grid cannot search to zero or infinity.
    model_ci, cut = {}, []
    for name, twin in (("reach", "p"), ("talk", "q"), ("m", "m")):
        low, high, cut_low, cut_high = grid_profile[name]
        pr = profiles[twin]
        model_ci[name] = join(model_boot[name], (low, high, pr.open_low, pr.open_high))
        cut += [f"{name} below"] if cut_low and not pr.open_low else []
        cut += [f"{name} above"] if cut_high and not pr.open_high else []
    model_ci["edge_share"] = model_boot["edge_share"]
    fitted = scale * grid.curves[best]
    return {
        "series": series,
        "warnings": warnings,
        "bass": {
            "p": bass.p,
            "q": bass.q,
            "m": bass.m,
            "ci": bass_ci,
            "bootstrap_ci": boot,
            "profile_ci": {
                name: (pr.low, pr.high, pr.open_low, pr.open_high) for name, pr in profiles.items()
            },
            "fitted": bass.fitted,
            "r2": 1.0 - bass.sse / total,
        },
        "model": {
            "reach": grid.reach(best[0]),
            "talk": grid.talk(best[1]),
            "m": scale,
            "ci": model_ci,
            "bootstrap_ci": {name: model_boot[name] for name in ("reach", "talk", "m")},
            "profile_ci": grid_profile,
            "cut_by_grid": cut,
            "fitted": fitted,
            "r2": 1.0 - sse / total,
            "grid_step": step,
            "grid_points": len([p for p in grid.curves if grid.curves[p] is not None]),
            "on_edge": _on_edge(best, points),
            "bootstrap_on_edge": model_ci["edge_share"],
        },
        "setup": s,
        "resamples": resamples,
    }


def _on_edge(best, points) -> bool:
    i = [p[0] for p in points]
    j = [p[1] for p in points]
    return best[0] in (min(i), max(i)) or best[1] in (min(j), max(j))
