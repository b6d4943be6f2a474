"""'Run 20 times' over plausible markets: campaigns A and B once in each of 20 markets.

Beside "Run 20 times" the page offers to run the campaigns once in each of 20 markets of the
calibrated plausible set (``sim.evidence.plausible``; issue #23) instead of 20 replicates of the
page's one market. A member's values replace what the page's scenario inherits from the default
market, as ``run_sim.py run --plausible`` does (``sim.study.markets.market_for``: what the
scenario or a slider sets itself is the question and stays; the campaigns and the number of
customers are never a member's). Market ``i`` runs with seed ``run_seed(master_seed, i)``, both
campaigns on the same network and seed. The scoreboard then shows, for each measure with a
direction, the share of the markets in which A is ahead of B with its Wilson 95 % interval
(:meth:`sim.viz.replicates.Replicates.lead_share`). Without a shipped set the option is off.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from sim.i18n import N_
from sim.viz.controls import REPLICATES, RunPlan
from sim.viz.replicates import Replicates, arm_values

MARKETS = REPLICATES  # markets drawn from the set (all of them when it has fewer)
DEFAULT_MARKET = "default"  # the scenario the plausible set was calibrated on
MARKETS_HELP = N_(
    "Run 20 times in plausible markets: campaigns A and B once in each of 20 markets of the "
    "calibrated plausible set (each meets every empirical target), instead of 20 runs of this "
    "market. The scoreboard then says in what share of the markets A is ahead of B."
)
NO_PLAUSIBLE_SET = N_(
    "Running in plausible markets is off: no calibrated plausible set is shipped yet (make "
    "calibrate-defaults makes one)."
)


def plausible_set():
    """The shipped plausible set (``sim.evidence.plausible.DATA``), or None when there is none
    or it does not load (the page then says so in one line; never a traceback)."""
    from sim.evidence import plausible

    try:
        stamp = plausible.DATA.stat().st_mtime_ns
    except OSError:
        return None
    return _load(str(plausible.DATA), stamp)


@functools.lru_cache(maxsize=4)
def _load(path: str, stamp: int):
    from sim.evidence.plausible import PlausibleError, load_plausible

    try:
        return load_plausible(path)
    except PlausibleError:
        return None


@functools.cache
def _default_market():
    """The default market's parameters (what the set was calibrated on)."""
    from sim.study.scenario import load_scenario

    return load_scenario(DEFAULT_MARKET, preflight=False).resolve()[0]


def market_members(plan: RunPlan, plausible, k: int = MARKETS) -> list[dict[str, float]]:
    """``k`` members of the set (all when it has fewer), chosen by the page's master seed."""
    return plausible.sample(min(k, len(plausible)), seed=plan.master_seed)


def run_markets(
    plan: RunPlan,
    key: object,
    members: list[dict[str, float]],
    weeks: int | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Replicates | None:
    """Run the plan's campaigns once in each market of ``members``; one row per market.

    Returns None when ``cancelled()`` turns true between markets.
    """
    from sim.study.arms import run_arms, run_seed
    from sim.study.markets import market_for

    start = time.perf_counter()
    weeks = int(weeks if weeks is not None else plan.weeks)
    specs = [plan.arm_a] + ([plan.arm_b] if plan.arm_b is not None else [])
    names = [s.name for s in specs]
    arms = [s.model_dump(mode="json") for s in specs]
    inherited = _default_market()
    frames = []
    for i, member in enumerate(members):
        if cancelled is not None and cancelled():
            return None
        params = market_for(plan.params, inherited, member).model_dump(mode="json")
        frames.append(run_arms(params, arms, run_seed(plan.master_seed, i), weeks))
        if progress is not None:
            progress(i + 1)
    values = arm_values(frames, names)
    return Replicates(key, names, values, weeks, time.perf_counter() - start, markets=len(members))
