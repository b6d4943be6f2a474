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
from sim.study.arms import run_seed
from sim.study.runner import InProcessExecutor, RunTask
from sim.study.stats import share_ci

DEFAULT_MARKET = "default"  # the scenario the plausible set was calibrated on
KEY_WEEKS = (4, 13, 52)
KEPT_SECTIONS = ("arm",)
KEPT_PATHS = ("network.n",)
QUANTILES = (0.1, 0.5, 0.9)


def market_for(
    params: ModelParams,
    inherited: ModelParams,
    member: Mapping[str, float],
    keep: Sequence[str] = (),
) -> ModelParams:
    """``params`` (a scenario's resolved parameters) with ``member``'s values wherever the
    scenario keeps the value of ``inherited`` (the default market's parameters), except the
    paths in ``keep`` (a sweep's paths: a grid value equal to the default's is still the grid's).

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
        if section in KEPT_SECTIONS or path in KEPT_PATHS or path in keep:
            continue
        if section not in data or name not in data[section]:
            raise ValueError(f"plausible set: unknown parameter {path!r}")
        if data[section][name] == base[section][name]:
            data[section][name] = value
    return make_params(data)


def market_tasks(
    loaded, members: Sequence[Mapping[str, float]], seed: int, point: dict | None = None
) -> list[RunTask]:
    """One run task per plausible market: the scenario ``loaded`` (a ``LoadedScenario``) at the
    sweep ``point`` (None: its base setting) with the member's market (:func:`market_for`), all
    its arms, one seed per member (from ``seed``, the member's index and the point, so a
    market's runs do not depend on how many are run)."""
    from sim.study.scenario import load_scenario

    params, arms = loaded.resolve(point)
    inherited, _ = load_scenario(DEFAULT_MARKET, preflight=False).resolve()
    arm_data = [a.model_dump(mode="json") for a in arms]
    return [
        RunTask(
            key=f"market{i:04d}",
            params=market_for(params, inherited, member, keep=list(point or {})).model_dump(
                mode="json"
            ),
            arms=arm_data,
            seed=run_seed(seed, i, point or None),
            weeks=loaded.weeks,
            replicate=i,
        )
        for i, member in enumerate(members)
    ]


def run_markets(tasks: Sequence[RunTask], executor=None) -> list[pd.DataFrame]:
    """Run the tasks (in this process or on ``executor``); the frames in task order."""
    executor = executor or InProcessExecutor()
    done = {task.key: frame for task, frame in executor.map_unordered(list(tasks))}
    return [done[task.key] for task in tasks]


def comparison_pairs(arms: Sequence[str], baseline: str, contrast=None) -> list[tuple[str, str]]:
    """Every arm against the baseline, then the scenario's contrast (A, B) if it is another."""
    pairs = [(arm, baseline) for arm in arms if arm != baseline]
    if contrast is not None and tuple(contrast) not in pairs:
        pairs.append(tuple(contrast))
    return pairs


def lead_shares(
    frames: Sequence[pd.DataFrame],
    pairs: Sequence[tuple[str, str]],
    measures: Sequence[str],
    weeks: Sequence[int],
) -> pd.DataFrame:
    """Per measure, week and pair (arm, versus): the share of markets where the arm leads.

    Parameters
    ----------
    frames : sequence of DataFrame
        One per plausible market: columns ``arm``, ``week`` and the measures (a run's tidy
        weekly table).
    pairs : sequence of (arm, versus)
        The comparisons (e.g. :func:`comparison_pairs`).
    measures, weeks : sequences
        What to compare and when.

    Returns
    -------
    DataFrame with columns ``measure, week, arm, versus, markets, leads, share, low, high``
    (share of markets where the arm is ahead, ties counted half; "ahead" is lower for measures
    where lower is better; Wilson 95 % interval) and ``p10, p50, p90`` of arm - versus.
    """
    if not frames:
        raise ValueError("no plausible markets to compare")
    rows = []
    for measure in measures:
        lower = measure in LOWER_IS_BETTER
        for week in weeks:
            for arm, versus in pairs:
                diff = np.array(
                    [np.subtract(*_values(frame, measure, week, [arm, versus])) for frame in frames]
                )
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
                        "versus": versus,
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


# --------------------------------------------------------------------------- a results folder

PLAUSIBLE_CSV = "plausible.csv"


def key_weeks(weeks: int) -> list[int]:
    """The weeks a study over plausible markets reports: 4, 13 and 52 where the study reaches
    them, and always its last week."""
    return sorted({w for w in KEY_WEEKS if w <= weeks} | {weeks})


def plausible_study(
    loaded,
    members: Sequence[Mapping[str, float]],
    seed: int,
    executor=None,
    points: Sequence[dict] | None = None,
) -> pd.DataFrame:
    """The scenario ``loaded`` run once in each market of ``members``; the lead shares of its
    comparison pairs on its key measures at :func:`key_weeks`.

    ``points`` (a sweep's grid, ``loaded.points()``): the same at each point, one column per
    sweep path first (the point's value) and then :func:`lead_shares`' columns.
    """
    pairs = comparison_pairs(loaded.arm_names, loaded.baseline, loaded.contrast)
    tables = []
    for point in points or [None]:
        frames = run_markets(market_tasks(loaded, members, seed, point), executor)
        measures = list(loaded.key_measures)
        if "profit" in frames[0].columns and "profit" not in measures:
            measures.append("profit")
        table = lead_shares(frames, pairs, measures, key_weeks(loaded.weeks))
        for k, (path, value) in enumerate((point or {}).items()):
            table.insert(k, path, value)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def write_plausible(folder, table: pd.DataFrame) -> None:
    """Write the lead shares into a results folder (``plausible.csv``, atomically)."""
    from pathlib import Path

    from sim.study.folders import write_text

    write_text(Path(folder) / PLAUSIBLE_CSV, table.to_csv(index=False, float_format="%.6g"))


def point_columns(table: pd.DataFrame) -> list[str]:
    """The sweep paths of a lead-share table (the columns before ``measure``; none for a run)."""
    return list(table.columns[: list(table.columns).index("measure")])


def read_plausible(folder) -> pd.DataFrame | None:
    """The lead shares a results folder holds (None when it was run without ``--plausible``)."""
    from pathlib import Path

    path = Path(folder) / PLAUSIBLE_CSV
    if not path.is_file():
        return None
    return pd.read_csv(path)
