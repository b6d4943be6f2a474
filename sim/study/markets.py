"""A scenario over many plausible markets: which arm leads, in what share of them.

The calibration (``sim.evidence.abc``) gives a plausible set: parameter vectors of the default
market that meet every empirical target. A scenario is run once per member (the member's
market, the scenario's arms, one seed per member), and each comparison is read as the share of
markets in which an arm leads the baseline, with a Wilson interval over the members, beside the
distribution of the differences. That share is an answer over what we do not know about the
market, not over the model's own randomness (one run per market: a market's own noise is
part of the spread).

How a member meets a scenario: the member's values replace what the scenario inherits from the
default market; what the scenario sets itself (a scale-free network, a bad product, a budget) is
its question and stays. Arm settings (``arm.*``) and the number of customers are never taken
from a member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.engine.measures import LOWER_IS_BETTER
from sim.params import ModelParams, make_params
from sim.study.stats import share_ci

KEPT_SECTIONS = ("arm",)
KEPT_PATHS = ("network.n",)
QUANTILES = (0.1, 0.5, 0.9)


def market_for(
    params: ModelParams, inherited: ModelParams, member: Mapping[str, float]
) -> ModelParams:
    """``params`` (a scenario's resolved parameters) with ``member``'s values wherever the
    scenario keeps the value of ``inherited`` (the default market's parameters).

    Parameters
    ----------
    params : ModelParams
        The scenario's parameters.
    inherited : ModelParams
        The default market the plausible set was calibrated on.
    member : mapping of str to float
        Parameter paths (``"wom.talk_base"``) and values of one plausible market.
    """
    data = params.model_dump(mode="json")
    base = inherited.model_dump(mode="json")
    for path, value in member.items():
        section, name = path.split(".", 1)
        if section in KEPT_SECTIONS or path in KEPT_PATHS:
            continue
        if section not in data or name not in data[section]:
            raise ValueError(f"plausible set: unknown parameter {path!r}")
        if data[section][name] == base[section][name]:
            data[section][name] = value
    return make_params(data)


def lead_shares(
    frames: Sequence[pd.DataFrame],
    baseline: str,
    measures: Sequence[str],
    weeks: Sequence[int],
) -> pd.DataFrame:
    """Per measure, week and arm: the share of markets where the arm leads ``baseline``.

    Parameters
    ----------
    frames : sequence of DataFrame
        One per plausible market: columns ``arm``, ``week`` and the measures (a run's tidy
        weekly table).
    baseline : str
        The arm every other arm is compared with.
    measures, weeks : sequences
        What to compare and when.

    Returns
    -------
    DataFrame with columns ``measure, week, arm, versus, markets, leads, share, low, high``
    (share of markets where the arm is ahead, ties counted half; "ahead" is lower for measures
    where lower is better; Wilson 95 % interval) and ``p10, p50, p90`` of arm - baseline.
    """
    if not frames:
        raise ValueError("no plausible markets to compare")
    arms = [a for a in pd.unique(frames[0]["arm"]) if a != baseline]
    rows = []
    for measure in measures:
        lower = measure in LOWER_IS_BETTER
        for week in weeks:
            table = np.array(
                [_values(frame, measure, week, [baseline, *arms]) for frame in frames]
            )  # markets x (baseline, arms...)
            for j, arm in enumerate(arms, start=1):
                diff = table[:, j] - table[:, 0]
                diff = diff[np.isfinite(diff)]
                ahead = (diff < 0) if lower else (diff > 0)
                leads = float(ahead.sum() + 0.5 * (diff == 0).sum())
                share = share_ci(leads, int(diff.size))
                q = np.quantile(diff, QUANTILES) if diff.size else [np.nan] * len(QUANTILES)
                rows.append(
                    {
                        "measure": measure,
                        "week": int(week),
                        "arm": arm,
                        "versus": baseline,
                        "markets": int(diff.size),
                        "leads": leads,
                        "share": share.mean,
                        "low": share.low,
                        "high": share.high,
                        **{f"p{int(k * 100)}": float(v) for k, v in zip(QUANTILES, q, strict=True)},
                    }
                )
    return pd.DataFrame(rows)


def _values(frame: pd.DataFrame, measure: str, week: int, arms: list[str]) -> list[float]:
    at = frame[frame["week"] == week].set_index("arm")[measure]
    return [float(at.get(arm, np.nan)) for arm in arms]


def headline(row: Mapping, arm_label: str | None = None, versus_label: str | None = None) -> str:
    """One sentence: "in 72 % [64, 79] of 50 plausible markets, mix earns more than push"."""
    arm = arm_label or row["arm"]
    versus = versus_label or row["versus"]
    verb = "is ahead of"
    return (
        f"in {row['share']:.0%} [{row['low']:.0%}, {row['high']:.0%}] of {row['markets']} "
        f"plausible markets, {arm} {verb} {versus} on {row['measure']} at week {row['week']}"
    )
