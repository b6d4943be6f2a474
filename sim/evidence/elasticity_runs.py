"""Emergent elasticities of the default market, from sweeps around its defaults.

The default scenario (``scenarios/default.toml``: a grocery brand, repeat purchases) is run
with its ``push`` and ``mix`` arms; one driver is varied by the factors ``MULTIPLIERS``
(log-spaced around the default, from 1/sqrt 2 to sqrt 2) and the elasticity is the per-replicate
log-log slope of the outcome on the driver (``sim.evidence.elasticity``), with a 95 % interval
over replicates. All points of one replicate share its network and random numbers.

- **Advertising** (Sethuraman, Tellis & Briesch 2011): the driver is the weekly push spend
  (for ``mix`` only its push half is scaled; its dialogue spend stays), held from week 1; the
  outcome is units sold. *Short term*: units in weeks 1-13 (the first quarter); *long term*:
  units in weeks 40-52, after most of a year of the changed spend (the carry-over of memory,
  word of mouth and repeat buying has worked through). The published numbers are for
  established brands, mostly from regressions on time series; ours start from a launch (2 %
  aware), so the two are analogues, not the same quantity.
- **Word-of-mouth volume** (You, Vadakkepatt & Joshi 2015): the talk propensities
  (``wom.talk_base`` and ``wom.talk_feeling``) are scaled; the driver is the measured WOM
  volume (positive + negative conversations, weeks 1-52), the outcome units sold in weeks 1-52.
- **Referrals, long term** (Trusov, Bucklin & Pauwels 2009: sign-ups w.r.t. referrals): same
  runs; the outcome is new customers (adoption in week 52 minus week 0).
- **Valence** (You et al. 2015): ``wom.negative_incidence`` is scaled, which changes the share
  of positive talk (the driver) with the product unchanged; the outcome is units in weeks 1-52.
"""

from __future__ import annotations

import numpy as np

from sim.evidence.elasticity import elasticity_interval
from sim.evidence.runs import run_all, task
from sim.study.scenario import load_scenario

MULTIPLIERS = (2**-0.5, 2**-0.25, 1.0, 2**0.25, 2**0.5)
ARMS = ("push", "mix")
SHORT = (1, 13)  # weeks (inclusive)
LONG = (40, 52)
YEAR = (1, 52)
WEEKS = 52


def window_sum(frame, column: str, weeks: tuple[int, int]) -> float:
    """Sum of ``column`` over the weeks ``weeks[0]`` to ``weeks[1]`` (inclusive) of a run's
    weekly table."""
    rows = frame[(frame["week"] >= weeks[0]) & (frame["week"] <= weeks[1])]
    return float(rows[column].sum())


def _scaled_arm(arm, m: float):
    """``arm`` with its push spend multiplied by ``m`` and its dialogue spend unchanged."""
    push = arm.budget * arm.push_share * m
    dialogue = arm.budget * (1.0 - arm.push_share)
    total = push + dialogue
    return arm.model_copy(
        update={"name": f"{arm.name}@{m:.4f}", "budget": total, "push_share": push / total}
    )


def scenario_setup(n: int, scenario: str = "default"):
    """The scenario's resolved parameters (``n`` customers) and its ``push`` and ``mix`` arms."""
    loaded = load_scenario(scenario, [("network.n", n)], preflight=False)
    params, arms = loaded.resolve()
    by_name = {a.name: a for a in arms}
    return loaded, params, [by_name[a] for a in ARMS]


def run_elasticities(n: int, replicates: int, seed: int, executor=None, quiet=True) -> dict:
    """Every elasticity of the module docstring for the ``push`` and ``mix`` arms.

    Returns ``{"rows": [...], "curves": {...}, "base": {...}}``: one row per (elasticity, arm)
    with the interval, and the sweep data for the figures.
    """
    loaded, params, arms = scenario_setup(n)
    tasks = []
    for r in range(replicates):
        scaled = [_scaled_arm(a, m) for a in arms for m in MULTIPLIERS]
        tasks.append(task(f"ad-r{r:03d}", params, scaled, seed, r, WEEKS))
        for i, m in enumerate(MULTIPLIERS):
            talk = params.wom.model_copy(
                update={
                    "talk_base": params.wom.talk_base * m,
                    "talk_feeling": params.wom.talk_feeling * m,
                }
            )
            tasks.append(
                task(
                    f"talk{i}-r{r:03d}",
                    params.model_copy(update={"wom": talk}),
                    arms,
                    seed,
                    r,
                    WEEKS,
                )
            )
            neg = params.wom.model_copy(
                update={"negative_incidence": params.wom.negative_incidence * m}
            )
            tasks.append(
                task(
                    f"neg{i}-r{r:03d}", params.model_copy(update={"wom": neg}), arms, seed, r, WEEKS
                )
            )
    frames = run_all(tasks, executor, "elasticities", quiet)
    rows, curves, base = [], {}, {}
    for arm in arms:
        # Advertising: driver = push spend a week, outcome = units in a window.
        spend = np.array([arm.budget * arm.push_share * m for m in MULTIPLIERS])
        ad = {"short": [], "long": []}
        for r in range(replicates):
            frame = frames[f"ad-r{r:03d}"]
            per = [frame[frame["arm"] == f"{arm.name}@{m:.4f}"] for m in MULTIPLIERS]
            ad["short"].append([window_sum(f, "units", SHORT) for f in per])
            ad["long"].append([window_sum(f, "units", LONG) for f in per])
        for key, label in (("short", "ad_short"), ("long", "ad_long")):
            y = np.array(ad[key])
            rows.append(_row(label, arm.name, elasticity_interval(spend, y), "push spend", y))
        curves[("ad", arm.name)] = {
            "x": spend,
            "short": np.array(ad["short"]),
            "long": np.array(ad["long"]),
        }
        # Word of mouth: driver = measured volume (or positive share); outcome = units or new
        # customers.
        volume, units, new, pos_share, units_neg = [], [], [], [], []
        for r in range(replicates):
            talk = [
                _arm_frame(frames[f"talk{i}-r{r:03d}"], arm.name) for i in range(len(MULTIPLIERS))
            ]
            neg = [
                _arm_frame(frames[f"neg{i}-r{r:03d}"], arm.name) for i in range(len(MULTIPLIERS))
            ]
            volume.append(
                [
                    window_sum(f, "wom_positive", YEAR) + window_sum(f, "wom_negative", YEAR)
                    for f in talk
                ]
            )
            units.append([window_sum(f, "units", YEAR) for f in talk])
            new.append([_new_customers(f) for f in talk])
            pos_share.append([_positive_share(f) for f in neg])
            units_neg.append([window_sum(f, "units", YEAR) for f in neg])
            if r == 0:
                base.setdefault(arm.name, [])
            base[arm.name].append(talk[MULTIPLIERS.index(1.0)])
        volume, units, new = np.array(volume), np.array(units), np.array(new)
        pos_share, units_neg = np.array(pos_share), np.array(units_neg)
        rows.append(
            _row("wom_volume", arm.name, elasticity_interval(volume, units), "WOM volume", units)
        )
        rows.append(
            _row("referrals_long", arm.name, elasticity_interval(volume, new), "WOM volume", new)
        )
        rows.append(
            _row(
                "wom_valence",
                arm.name,
                elasticity_interval(pos_share, units_neg),
                "positive share",
                units_neg,
            )
        )
        curves[("wom", arm.name)] = {"volume": volume, "units": units, "new": new}
        curves[("valence", arm.name)] = {"share": pos_share, "units": units_neg}
    return {
        "rows": rows,
        "curves": curves,
        "base": base,
        "n": n,
        "replicates": replicates,
        "scenario": loaded.name,
        "budget": {a.name: (a.budget, a.push_share) for a in arms},
    }


def _arm_frame(frame, name):
    return frame[frame["arm"] == name]


def _new_customers(frame) -> float:
    adoption = frame.set_index("week")["adoption"]
    return float(adoption.loc[YEAR[1]] - adoption.loc[0])


def _positive_share(frame) -> float:
    pos = window_sum(frame, "wom_positive", YEAR)
    neg = window_sum(frame, "wom_negative", YEAR)
    return pos / (pos + neg) if pos + neg > 0 else float("nan")


def _row(key: str, arm: str, interval, driver: str, outcome: np.ndarray) -> dict:
    return {
        "key": key,
        "arm": arm,
        "driver": driver,
        "interval": interval.as_dict(),
        "outcome_mean": float(np.nanmean(outcome)),
    }
