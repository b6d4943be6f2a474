"""The facilitator key's expected results, computed from an exercise's saved runs.

Everything here is read from the run folder's ``timeseries.csv`` (the tidy table every study
writes): levels (mean and 95 % interval over replicates) per arm at the key's weeks, paired
differences against the exercise's ``versus`` arm, which arm leads each measure and whether the
lead is beyond noise, and what pays (profit to date against spending nothing). For a sweep
(the frontier exercise) the same at the last week for every grid point. The result is plain
data (JSON-ready); ``pages`` turns it into sentences in either language.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.study import results as res
from sim.workshop.exercises import Exercise


def findings(exercise: Exercise, folder: Path) -> dict:
    """The key's results for ``exercise`` from its results ``folder`` (see module docstring)."""
    manifest = res.read_manifest(Path(folder))
    study = manifest["scenario"]
    arms = [a["name"] for a in study["arms"]]
    table = res.read_timeseries(Path(folder) / "timeseries.csv")
    last = int(table["week"].max())
    base = {
        "exercise": exercise.id,
        "scenario": exercise.scenario,
        "arms": arms,
        "versus": exercise.versus,
        "replicates": int(table["replicate"].nunique()),
        "customers": int(study["params"]["network"]["n"]),
        "last_week": last,
        "measures": list(exercise.measures),
    }
    if exercise.command == "sweep":
        return {**base, "kind": "sweep", **_sweep(exercise, table, study, arms)}
    weeks = [w for w in exercise.weeks if w <= last]
    tables = []
    for week in weeks:
        summary = res.summarise(table[table["week"] == week], arms, exercise.versus, [])
        point = summary["points"][0]
        tables.append(
            {
                "week": week,
                "arms": [_pick(a, exercise.measures) for a in point["arms"]],
                "differences": [_pick(d, exercise.measures) for d in point["differences"]],
            }
        )
    lead_list = res.leads(table, arms, list(exercise.measures), tuple(weeks))
    lead_list = [item for item in lead_list if item["week"] in weeks]
    return {
        **base,
        "kind": "run",
        "weeks": weeks,
        "tables": tables,
        "leads": lead_list,
        "pays": _pays(table, arms, last),
    }


def _pick(item: dict, measures) -> dict:
    out = {k: v for k, v in item.items() if k != "measures"}
    out["measures"] = {m: item["measures"][m] for m in measures if m in item["measures"]}
    return out


def _pays(table: pd.DataFrame, arms: list[str], week: int) -> list[dict]:
    """Each spending arm's profit to date against ``none`` (paired), at ``week``."""
    if "none" not in arms or "profit" not in table.columns:
        return []
    summary = res.summarise(table[table["week"] == week], arms, "none", [])
    point = summary["points"][0]
    levels = {a["arm"]: a["measures"]["profit"] for a in point["arms"]}
    out = []
    for diff in point["differences"]:
        ci = diff["measures"]["profit"]
        out.append(
            {
                "arm": diff["arm"],
                "profit": levels[diff["arm"]],
                "none": levels["none"],
                "difference": ci,
                "verdict": _verdict(ci),
            }
        )
    return out


def _verdict(ci: dict) -> str:
    """``more`` / ``less`` when the interval excludes zero, else ``same`` (within noise)."""
    if ci["low"] is not None and ci["low"] > 0:
        return "more"
    if ci["high"] is not None and ci["high"] < 0:
        return "less"
    return "same"


def _sweep(exercise: Exercise, table: pd.DataFrame, study: dict, arms: list[str]) -> dict:
    """Per grid point at the last week: profit per arm, the best arm, each arm against none."""
    paths = list(study["sweep"])
    last = res.final_week(table)
    summary = res.summarise(last, arms, exercise.versus, paths)
    points = []
    for point in summary["points"]:
        levels = {a["arm"]: a["measures"] for a in point["arms"]}
        profit = {a: levels[a]["profit"]["mean"] for a in arms}
        best = max(profit, key=profit.get)
        versus = {
            d["arm"]: {
                "difference": d["measures"]["profit"],
                "verdict": _verdict(d["measures"]["profit"]),
            }
            for d in point["differences"]
        }
        points.append(
            {
                "point": point["point"],
                "levels": {a: {m: levels[a][m] for m in exercise.measures} for a in arms},
                "best": best,
                "versus": versus,
            }
        )
    return {"paths": paths, "points": points}
