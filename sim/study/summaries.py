"""What a study's runs say: summaries, paired differences, who leads, what pays, the claims.

From the assembled time series: final-week means with intervals per arm (``summarise``), paired
differences to the baseline arm and between the contrast's two arms (over the replicates both
have: common random numbers), which arm leads each key measure at weeks 4, 13 and 52 and
whether the lead is within noise (``leads``), which arm pays best, and the scenario's claims
judged (``study_context``). Written as summary.json, summary.csv and, for sweeps, sweep.csv.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.measures import MEASURE_NAMES, MEASURES
from sim.study.folders import write_json
from sim.study.runs import write_table
from sim.study.stats import CONFIDENCE, mean_ci, paired_diff_ci

UNITS = {m.name: m.unit for m in MEASURES}


def measure_columns(table: pd.DataFrame) -> list[str]:
    return [m for m in MEASURE_NAMES if m in table.columns]


def final_week(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["week"] == table["week"].max()]


def point_groups(table: pd.DataFrame, sweep_paths: list[str]):
    """(point index, point dict, rows) for each sweep point (one group when not a sweep)."""
    if not sweep_paths or "point" not in table.columns:
        yield 0, {}, table
        return
    for index, rows in table.groupby("point", sort=True):
        first = rows.iloc[0]
        yield int(index), {p: _py(first[p]) for p in sweep_paths}, rows


def _py(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def summarise(
    table: pd.DataFrame,
    arm_names: list[str],
    baseline: str,
    sweep_paths: list[str],
    confidence: float = CONFIDENCE,
    contrast: list[str] | tuple[str, str] | None = None,
) -> dict:
    """Final-week means with intervals per arm, and paired differences to ``baseline``.

    With ``contrast = (A, B)`` each point also gets the paired difference A - B (``contrasts``).
    """
    measures = measure_columns(table)
    last = final_week(table)
    points = []
    for index, point, rows in point_groups(last, sweep_paths):
        by_arm = {arm: rows[rows["arm"] == arm].set_index("replicate") for arm in arm_names}
        arms_out = []
        for arm in arm_names:
            data = by_arm[arm]
            arms_out.append(
                {
                    "arm": arm,
                    "measures": {
                        m: mean_ci(data[m].to_numpy(float), confidence).as_dict() for m in measures
                    },
                }
            )
        diffs = [
            _paired(by_arm, arm, baseline, measures, confidence)
            for arm in arm_names
            if arm != baseline and baseline in by_arm
        ]
        contrasts = []
        if contrast and all(a in by_arm for a in contrast):
            contrasts.append(_paired(by_arm, contrast[0], contrast[1], measures, confidence))
        points.append(
            {
                "index": index,
                "point": point,
                "arms": arms_out,
                "differences": diffs,
                "contrasts": contrasts,
            }
        )
    return {
        "final_week": int(last["week"].max()) if len(last) else None,
        "confidence": confidence,
        "baseline": baseline,
        "contrast": list(contrast) if contrast else None,
        "arms": list(arm_names),
        "sweep_paths": list(sweep_paths),
        "units": {m: UNITS[m] for m in measures},
        "points": points,
    }


# Weeks at which the report says which arm leads (those within the study's weeks).
LEAD_WEEKS = (4, 13, 52)


def leads(
    table: pd.DataFrame,
    arm_names: list[str],
    measures: list[str],
    weeks: tuple[int, ...] = LEAD_WEEKS,
    confidence: float = CONFIDENCE,
) -> list[dict]:
    """Which arm leads each measure at each of ``weeks``, and whether the lead is within noise.

    The leader has the best mean over replicates (highest, or lowest for LOWER_IS_BETTER
    measures); it is compared with the runner-up by the paired difference over replicates. A
    ``tie`` is a difference whose interval includes zero (or that has no interval: fewer than
    two replicates). Weeks beyond the table's last week are skipped, and the last week is
    always included. One entry per (week,
    measure) with ``leader``, ``runner_up``, ``leader_mean``, ``runner_up_mean``,
    ``difference`` (interval dict) and ``tie``.
    """
    from sim.engine.measures import LOWER_IS_BETTER

    out = []
    last = int(table["week"].max()) if len(table) else -1
    wanted = sorted({w for w in weeks if w <= last} | ({last} if last >= 0 else set()))
    for week in wanted:
        rows = table[table["week"] == week]
        by_arm = {a: rows[rows["arm"] == a].set_index("replicate") for a in arm_names}
        for m in measures:
            means = {a: float(by_arm[a][m].mean()) for a in arm_names if len(by_arm[a])}
            means = {a: v for a, v in means.items() if math.isfinite(v)}
            if len(means) < 2:
                continue
            ranked = sorted(means, key=means.get, reverse=m not in LOWER_IS_BETTER)
            leader, runner = ranked[0], ranked[1]
            diff = _paired(by_arm, leader, runner, [m], confidence)["measures"][m]
            tie = diff["low"] is None or (diff["low"] <= 0.0 <= diff["high"])
            out.append(
                {
                    "week": week,
                    "measure": m,
                    "leader": leader,
                    "runner_up": runner,
                    "leader_mean": means[leader],
                    "runner_up_mean": means[runner],
                    "difference": diff,
                    "tie": bool(tie),
                }
            )
    return out


def _paired(by_arm: dict, arm: str, versus: str, measures: list[str], confidence: float) -> dict:
    """Paired differences ``arm - versus`` over the replicates both have."""
    data, base = by_arm[arm], by_arm[versus]
    common = data.index.intersection(base.index)
    return {
        "arm": arm,
        "versus": versus,
        "measures": {
            m: paired_diff_ci(
                data.loc[common, m].to_numpy(float),
                base.loc[common, m].to_numpy(float),
                confidence,
            ).as_dict()
            for m in measures
        },
    }


def summary_table(summary: dict) -> pd.DataFrame:
    """Tidy form of ``summarise``: one row per [point,] arm (or difference) and measure."""
    rows = []
    paths = summary["sweep_paths"]
    for point in summary["points"]:
        lead = {"point": point["index"], **point["point"]} if paths else {}
        groups = (
            ("level", point["arms"]),
            ("difference", point["differences"]),
            ("contrast", point.get("contrasts", [])),
        )
        for kind, items in groups:
            for item in items:
                for m, ci in item["measures"].items():
                    rows.append(
                        {
                            **lead,
                            "kind": kind,
                            "arm": item["arm"],
                            "versus": item.get("versus", ""),
                            "measure": m,
                            "unit": UNITS[m],
                            "mean": ci["mean"],
                            "ci_low": ci["low"],
                            "ci_high": ci["high"],
                            "n": ci["n"],
                        }
                    )
    return pd.DataFrame(rows)


def sweep_table(summary: dict) -> pd.DataFrame:
    """One row per grid point and arm: mean and interval of every measure, and the paired
    difference to the baseline arm (``<measure>_diff_*``; empty for the baseline itself)."""
    rows = []
    paths = summary["sweep_paths"]
    for point in summary["points"]:
        diffs = {d["arm"]: d["measures"] for d in point["differences"]}
        for item in point["arms"]:
            row = {"point": point["index"], **{p: point["point"][p] for p in paths}}
            row["arm"] = item["arm"]
            row["baseline"] = summary["baseline"]
            for m, ci in item["measures"].items():
                row[f"{m}_mean"], row[f"{m}_low"], row[f"{m}_high"] = (
                    ci["mean"],
                    ci["low"],
                    ci["high"],
                )
            row["replicates"] = (
                next(iter(item["measures"].values()))["n"] if item["measures"] else 0
            )
            for m in item["measures"]:
                d = diffs.get(item["arm"], {}).get(m)
                row[f"{m}_diff_mean"] = d["mean"] if d else None
                row[f"{m}_diff_low"] = d["low"] if d else None
                row[f"{m}_diff_high"] = d["high"] if d else None
            rows.append(row)
    return pd.DataFrame(rows)


def point_summary(summary: dict, index: int = 0) -> dict:
    """The summary entry of one sweep point (the only one when not a sweep)."""
    for point in summary["points"]:
        if point["index"] == index:
            return point
    raise KeyError(index)


def study_context(table: pd.DataFrame, study: dict, sweep_paths: list[str]) -> dict:
    """What a summary says besides the final-week numbers: the mechanisms that were on, and
    (not for sweeps) which arm leads the key measures at weeks 4, 13 and 52 and which pays
    best (profit to date and return on spend at the last week)."""
    from sim.engine.mechanisms import describe, mechanisms

    context = {
        "mechanisms": mechanisms(study["params"]),
        "mechanisms_text": describe(study["params"]),
    }
    if not sweep_paths:
        measures = [m for m in study.get("key_measures", []) if m in table.columns]
        context["leads"] = leads(table, [a["name"] for a in study["arms"]], measures)
        # What pays: the arm with the highest profit to date (and return on spend) at the end.
        money = [m for m in ("profit", "roi") if m in table.columns]
        context["what_pays"] = leads(table, [a["name"] for a in study["arms"]], money, ())
        if study.get("expect"):
            from sim.study.claims import Expectation, judge_all

            claims = [Expectation.model_validate(e) for e in study["expect"]]
            context["claims"] = judge_all(claims, table)
    return context


def write_summaries(out: Path, table: pd.DataFrame, study: dict, sweep_paths: list[str]) -> dict:
    """Write summary.json, summary.csv (and sweep.csv for sweeps); return the summary."""
    summary = summarise(
        table,
        [a["name"] for a in study["arms"]],
        study["baseline"],
        sweep_paths,
        contrast=study.get("contrast"),
    )
    summary = {"title": study["title"], "scenario": study["name"], **summary}
    summary.update(study_context(table, study, sweep_paths))
    write_json(Path(out) / "summary.json", summary)
    write_table(Path(out) / "summary.csv", summary_table(summary))
    if sweep_paths:
        write_table(Path(out) / "sweep.csv", sweep_table(summary))
    return summary
