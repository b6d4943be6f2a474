"""``run_sim.py check --plausible N``: in what share of plausible markets each claim's direction
is seen.

``run_sim.py check`` judges a scenario's claims in its own market, over replicates (the model's
randomness). A class also wants to know whether a claim is about the two strategies or about
the one market the defaults describe: here every claim is looked at once in each of N markets of
the calibrated plausible set (``sim.evidence.plausible``), one run per market, and reported as
the share of markets in which its direction holds, with a Wilson interval over the markets and
the quantiles of the difference. One run per market: a market's own noise is part of that share,
so it is an answer over what we do not know about the market, not a test per market.

Directions (one run, no interval): ahead / positive / above: the difference (or value) is above
0 (or ``value``); behind / negative / below: below it; ties count half for ahead and behind;
equivalent: the difference lies inside (-margin, +margin). A member's market replaces what the
scenario inherits from the default market (``sim.study.markets.market_for``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.study.arms import run_seed
from sim.study.claims import Expectation, claim_values, describe
from sim.study.markets import DEFAULT_MARKET, QUANTILES, market_for
from sim.study.runner import InProcessExecutor, RunTask, run_task
from sim.study.stats import share_ci


def claim_tasks(
    scenario, point: dict, claims: Sequence[Expectation], members, seed: int
) -> list[RunTask]:
    """One run per plausible market at the sweep ``point`` (``{}``: the base setting): the arms
    ``claims`` name, up to the last week they mention. A market's seed comes from ``seed``, its
    index and the point, so its run does not depend on how many markets are run."""
    from sim.study.scenario import load_scenario

    params, specs = scenario.resolve(point)
    inherited, _ = load_scenario(DEFAULT_MARKET, preflight=False).resolve()
    named = {arm for e in claims for arm in (e.arm, e.versus) if arm}
    arms = [a.model_dump(mode="json") for a in specs if a.name in named]
    weeks = max(1, max(e.week for e in claims))
    return [
        RunTask(
            key=f"market{i:04d}",
            params=market_for(params, inherited, member).model_dump(mode="json"),
            arms=arms,
            seed=run_seed(seed, i, point or None),
            weeks=weeks,
            replicate=i,
            point=dict(point),
            base_dir=str(scenario.base_dir),
        )
        for i, member in enumerate(members)
    ]


def direction_holds(e: Expectation, differences: np.ndarray) -> np.ndarray:
    """Per market, 1 where the claim's direction holds, 0 where not, 0.5 for a tie (ahead,
    behind). ``differences``: arm - versus (or the arm's value when there is no versus)."""
    d = np.asarray(differences, dtype=float)
    ref = e.value if e.relation in ("above", "below") else 0.0
    if e.is_equivalence:
        return (np.abs(d) < float(e.margin)).astype(float)
    if e.relation in ("ahead", "positive", "above"):
        held = (d > ref).astype(float)
    else:
        held = (d < ref).astype(float)
    if e.relation in ("ahead", "behind"):
        held[d == ref] = 0.5
    return held


def claim_share(e: Expectation, table: pd.DataFrame) -> dict:
    """The share of markets (``replicate`` in ``table`` is the market's index) in which ``e``'s
    direction holds: ``markets``, ``holds``, ``share``, ``low``, ``high`` (Wilson 95 %) and
    ``p10, p50, p90`` of the difference."""
    d = claim_values(e, table[table["week"] == e.week])
    d = d[np.isfinite(d)]
    holds = float(direction_holds(e, d).sum())
    share = share_ci(holds, int(d.size))
    q = np.quantile(d, QUANTILES) if d.size else [np.nan] * len(QUANTILES)
    return {
        "markets": int(d.size),
        "holds": holds,
        "share": share.mean,
        "low": share.low,
        "high": share.high,
        **{f"p{int(k * 100)}": float(v) for k, v in zip(QUANTILES, q, strict=True)},
    }


def claim_shares(scenario, members: Sequence[Mapping[str, float]], seed: int, executor=None):
    """Every claim of ``scenario`` over the plausible markets ``members``; one dict per claim
    in file order: ``claim`` (``describe``), ``says`` and :func:`claim_share`'s fields."""
    if not members:
        raise ValueError("no plausible markets to check the claims in")
    executor = executor or InProcessExecutor()
    claims = list(scenario.expectations)
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(claims):
        groups.setdefault(json.dumps(dict(e.at or {}), sort_keys=True), []).append(i)
    out: list[dict] = [{} for _ in claims]
    for key, indices in groups.items():
        point = json.loads(key)
        tasks = claim_tasks(scenario, point, [claims[i] for i in indices], members, seed)
        frames = [records for _, records in executor.map_unordered(tasks, run_task)]
        table = pd.concat(frames, ignore_index=True)
        for i in indices:
            e = claims[i]
            out[i] = {"claim": describe(e), "says": e.says, **claim_share(e, table)}
    return out


def share_line(r: Mapping) -> str:
    """``in 84 % [72, 91] of 50 plausible markets (difference p10 +0.02, median +0.05, p90
    +0.09)``."""
    return (
        f"in {r['share']:.0%} [{r['low']:.0%}, {r['high']:.0%}] of {r['markets']} plausible "
        f"markets (p10 {r['p10']:+.4g}, median {r['p50']:+.4g}, p90 {r['p90']:+.4g})"
    )
