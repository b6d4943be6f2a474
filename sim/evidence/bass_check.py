"""The Bass limit for published (p, q) estimates: simulation against recurrence and closed form.

For each published estimate (``sim.evidence.published.BASS_ESTIMATES``, per year) the model is
run in its Bass limit (attitudes off, a well mixed population, one listener per talk, nobody
forgets, everyone equally reachable) with the weekly ``p = p_year / 52`` and
``q = q_year / 52``. Push buys ``impressions`` whole impressions a week on ``n`` customers,
with ``n`` chosen so that ``1 - (1 - 1/n) ** impressions`` is ``p`` (rounded to a whole
customer), so push reaches each customer with exactly the probability the recurrence uses.

Three curves are compared, all in weeks:

- the simulation: the mean over replicates of the exact discrete stochastic process;
- the recurrence ``sim.engine.bass.bass_recurrence``: the expected share aware next week
  *given* this week's share, applied to the expected share. That is a mean-field
  approximation: the expectation of a non-linear function is not the function of the
  expectation, so the mean of the process drifts from the recurrence by a term of order
  ``Var(F) / n`` (measured here as the largest gap, in absolute share and in standard errors);
- the exact expectation of the process (``sim.evidence.meanfield``: the Markov chain of the
  number aware, followed without sampling), whose distance from the recurrence is the
  mean-field gap measured without noise;
- the continuous closed form ``bass_closed_form`` with the weekly ``p`` and ``q``, which the
  recurrence approaches as the step shrinks (the weekly step is already small).

Also the week of peak new awareness: for the closed form ``ln(q / p) / (p + q)``, for the
recurrence the week with the largest increase, and for the simulation the first week each
replicate's share reaches the closed form's share at its peak, ``(q - p) / (2 q)`` (robust to
the week-to-week noise of a few new customers a week; for the Bass curve it is the peak week).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.engine.bass import bass_closed_form, bass_recurrence
from sim.evidence.meanfield import exact_mean
from sim.evidence.published import BassEstimate
from sim.evidence.runs import run_all, task
from sim.params import make_params
from sim.study.stats import mean_ci

WEEKS_PER_YEAR = 52
COST = 0.01  # cu per impression (any value: the budget is derived from it)

# The first version's homogeneous market (as tests/tiny.py CLASSIC_POPULATION): the Bass limit.
CLASSIC_POPULATION = dict(
    taste_spread=0.0,
    media_shape=None,
    unreachable_share=0.0,
    tolerance_spread=0.0,
    anchoring=0.0,
    recall_half_life=None,
)


# The Bass limit has no stories: a story retold is a second talk, beyond q (docs/model.md 7.8).
NO_STORIES = dict(ad_share=0.0, dialogue_share=0.0, experience_share=0.0)


def bass_limit_params(n: int, impressions: float, q: float, kind: str = "well_mixed", **network):
    """Awareness-only model: push buys ``impressions`` a week on ``n`` customers, WOM talks
    with probability ``q`` a week to one neighbour (``network`` adds e.g. ``mean_degree``)."""
    budget = impressions * COST * 1000.0 / n  # cu per 1,000 customers per week
    return make_params(
        attitudes=False,
        population=CLASSIC_POPULATION,
        network=dict(kind=kind, n=n, **network),
        arm=dict(name="bass", budget=budget, push_share=1.0, outreach="none"),
        push=dict(cost_per_impression=COST),
        wom=dict(talk_base=q, listeners=1, public_share=0.0),
        adoption=dict(base_rate=0.0),
        public=dict(follower_share=0.0, browsers=0),
        stories=NO_STORIES,
    )


@dataclass
class BassCase:
    """The design and the results of one published estimate."""

    estimate: BassEstimate
    n: int
    impressions: int
    p: float  # weekly, as played
    q: float  # weekly
    weeks: int
    replicates: int = 0
    curves: np.ndarray | None = None  # replicates x (weeks + 1) awareness
    via_ad: np.ndarray | None = None  # replicates x (weeks + 1): ever aware via an ad (share)
    results: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.estimate.product


def design(estimate: BassEstimate, impressions: int) -> BassCase:
    """The population size that plays the estimate's weekly ``p`` with ``impressions`` a week,
    and a horizon of twice the closed form's peak week (at least 5 years)."""
    p_week = estimate.p / WEEKS_PER_YEAR
    q_week = estimate.q / WEEKS_PER_YEAR
    n = max(2, round(1.0 / (1.0 - (1.0 - p_week) ** (1.0 / impressions))))
    p_played = 1.0 - (1.0 - 1.0 / n) ** impressions
    peak = math.log(q_week / p_played) / (p_played + q_week)
    weeks = max(5 * WEEKS_PER_YEAR, int(math.ceil(2.0 * peak / 26.0)) * 26)
    return BassCase(estimate, n, impressions, p_played, q_week, weeks)


def tasks_for(case: BassCase, replicates: int, seed: int):
    params = bass_limit_params(case.n, case.impressions, case.q)
    arms = [params.arm]
    return [
        task(
            f"bass-{case.label}-r{r:03d}",
            params,
            arms,
            seed,
            r,
            case.weeks,
            {"product": case.label},
        )
        for r in range(replicates)
    ]


def run_cases(cases: list[BassCase], replicates: int, seed: int, executor=None, quiet=True):
    """Run every case ``replicates`` times and fill in ``curves``, ``via_ad`` and ``results``."""
    all_tasks = [t for case in cases for t in tasks_for(case, replicates, seed)]
    frames = run_all(all_tasks, executor, "Bass limit", quiet)
    for case in cases:
        keys = [t.key for t in tasks_for(case, replicates, seed)]
        case.replicates = replicates
        case.curves = np.array([frames[k]["awareness"].to_numpy() for k in keys])
        case.via_ad = np.array(
            [(frames[k]["heard_via_ad"] * frames[k]["ever_aware"]).to_numpy() for k in keys]
        )
        case.results = evaluate(case)
    return cases


def crossing_week(curve: np.ndarray, level: float) -> float:
    """First week at which ``curve`` reaches ``level``, interpolated linearly (NaN if never)."""
    above = np.flatnonzero(curve >= level)
    if above.size == 0:
        return float("nan")
    k = int(above[0])
    if k == 0:
        return 0.0
    lo, hi = curve[k - 1], curve[k]
    return float(k - 1 + (level - lo) / (hi - lo)) if hi > lo else float(k)


def evaluate(case: BassCase) -> dict:
    """Gaps between the simulated mean, the recurrence and the closed form; peak weeks."""
    p, q, n, weeks = case.p, case.q, case.n, case.weeks
    curves = case.curves
    mean = curves.mean(axis=0)
    se = curves.std(axis=0, ddof=1) / math.sqrt(curves.shape[0])
    rec = bass_recurrence(p, q, n, weeks)
    closed = bass_closed_form(p, q, weeks)
    exact = exact_mean(p, q, n, weeks)
    meanfield = exact - rec
    versus_exact = np.abs(mean - exact)
    gap = mean - rec
    # Standard errors are ~0 where every replicate agrees (week 0, saturation): measure the gap
    # in standard errors only where the standard error is a real spread (> 1 customer's share).
    spread = se > 1.0 / n
    z = np.where(spread, np.abs(gap) / np.where(spread, se, 1.0), 0.0)
    level = (q - p) / (2.0 * q)
    crossings = np.array([crossing_week(c, level) for c in curves])
    sim_peak = mean_ci(crossings)
    rec_peak_increase = int(np.argmax(np.diff(rec))) + 1  # week of the largest increase
    return {
        "max_gap": float(np.abs(gap).max()),
        "max_gap_week": int(np.abs(gap).argmax()),
        "max_gap_se": float(se[np.abs(gap).argmax()]),
        "max_z": float(z.max()),
        "mean_gap": float(gap[1:].mean()),
        "tolerance": float((3.0 * se + 0.005)[np.abs(gap).argmax()]),
        "within": bool(np.all(np.abs(gap) <= 3.0 * se + 0.005)),
        "rec_vs_closed": float(np.abs(rec - closed).max()),
        "exact": exact,
        "meanfield_max": float(np.abs(meanfield).max()),
        "meanfield_week": int(np.abs(meanfield).argmax()),
        "meanfield_mean": float(meanfield[1:].mean()),
        "exact_gap": float(versus_exact.max()),
        "exact_z": float(np.where(spread, versus_exact / np.where(spread, se, 1.0), 0.0).max()),
        "exact_within": bool(np.all(versus_exact <= 3.0 * se + 0.005)),
        "peak_closed": math.log(q / p) / (p + q),
        "peak_recurrence": float(rec_peak_increase),
        "peak_recurrence_level": crossing_week(rec, level),
        "peak_sim": sim_peak.as_dict(),
        "peak_level": level,
        "final_mean": float(mean[-1]),
    }


def ad_share_by_period(case: BassCase, period: int) -> dict:
    """Share of the newly aware who first heard from an ad, per ``period`` weeks.

    Pooled over replicates (sum of new via ad / sum of newly aware in the period), with the
    analytic share of the Bass limit along the recurrence: push acts first in the week, so a
    newly aware customer heard from an ad with probability ``p / (1 - (1 - p) s ** (n F))``,
    ``s = 1 - q / (n - 1)``. Also per replicate the early share (recurrence below 10 %) minus
    the late share (above 50 %), with its interval.
    """
    p, q, n = case.p, case.q, case.n
    aware = case.curves  # ever aware = aware in the Bass limit (nobody forgets)
    new = np.diff(aware, axis=1)
    new_ad = np.diff(case.via_ad, axis=1)
    rec = bass_recurrence(p, q, n, case.weeks)
    hit = 1.0 - (1.0 - p) * (1.0 - q / (n - 1)) ** (n * rec[:-1])
    analytic = p / hit
    starts = np.arange(0, case.weeks, period)
    sim_share, model_share = [], []
    for s in starts:
        block = slice(s, s + period)
        total = new[:, block].sum()
        sim_share.append(float(new_ad[:, block].sum() / total) if total > 0 else float("nan"))
        weights = np.diff(rec)[block]
        model_share.append(float((analytic[block] * weights).sum() / weights.sum()))
    early, late = rec[:-1] < 0.10, rec[:-1] > 0.50
    with np.errstate(invalid="ignore", divide="ignore"):
        e = new_ad[:, early].sum(axis=1) / new[:, early].sum(axis=1)
        lt = new_ad[:, late].sum(axis=1) / new[:, late].sum(axis=1)
    return {
        "period": period,
        "starts": starts,
        "sim": np.array(sim_share),
        "analytic": np.array(model_share),
        "early_minus_late": mean_ci(e - lt).as_dict(),
        "early": float(np.nanmean(e)),
        "late": float(np.nanmean(lt)),
    }
