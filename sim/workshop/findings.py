"""The facilitator key's expected results, computed from an exercise's saved runs.

Everything here is read from the run folder's ``timeseries.csv`` (the tidy table every study
writes): levels (mean and 95 % interval over replicates) per arm at the key's weeks, paired
differences against the exercise's ``versus`` arm, which arm leads each measure and whether the
lead is beyond noise, and what pays (profit to date against spending nothing). For a sweep
(the frontier exercise) the same at the last week for every grid point. The result is plain
data (JSON-ready); the key's templates turn it into sentences in either language.

An answer over plausible markets (``Answer`` kind ``"plausible_share"``) is not read from the
exercise's folder: :func:`plausible_share` runs its scenario once in each of N members of the
shipped plausible set (``sim.study.markets``, as ``run SCENARIO --plausible N`` does: the same
members and seeds) and reads the share of markets in which the arm is ahead, with its Wilson
interval, and the parameters that best separate those markets from the rest
(``sim.evidence.dialogue_pays``). Without a shipped set it says so instead (``missing``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.study.manifest import read_manifest
from sim.study.markets import lead_shares, market_tasks, run_markets
from sim.study.runs import read_timeseries
from sim.study.summaries import final_week, leads, summarise
from sim.workshop.exercises import Exercise


def findings(exercise: Exercise, folder: Path, over_markets: dict | None = None) -> dict:
    """The key's results for ``exercise`` from its results ``folder`` (see module docstring).

    ``over_markets``: the results of its ``"plausible_share"`` answers by answer index
    (:func:`plausible_share`); an answer without one says it was not run."""
    manifest = read_manifest(Path(folder))
    study = manifest["scenario"]
    arms = [a["name"] for a in study["arms"]]
    table = read_timeseries(Path(folder) / "timeseries.csv")
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
        swept = _sweep(exercise, table, study, arms)
        answers = [_sweep_answer(a, swept, study) for a in exercise.answers]
        answers = _with_markets(exercise, answers, over_markets)
        return {**base, "kind": "sweep", **swept, "answers": answers}
    weeks = [w for w in exercise.weeks if w <= last]
    tables = []
    for week in weeks:
        summary = summarise(table[table["week"] == week], arms, exercise.versus, [])
        point = summary["points"][0]
        tables.append(
            {
                "week": week,
                "arms": [_pick(a, exercise.measures) for a in point["arms"]],
                "differences": [_pick(d, exercise.measures) for d in point["differences"]],
            }
        )
    lead_list = _leads(table, arms, exercise.measures, weeks)
    return {
        **base,
        "kind": "run",
        "weeks": weeks,
        "tables": tables,
        "leads": lead_list,
        "pays": _pays(table, arms, last),
        "answers": _with_markets(
            exercise, [_answer(a, table, arms) for a in exercise.answers], over_markets
        ),
    }


def _with_markets(exercise: Exercise, answers: list[dict], over_markets: dict | None) -> list:
    """``answers`` with each ``"plausible_share"`` one replaced by its result (or "not run")."""
    out = list(answers)
    for i, answer in enumerate(exercise.answers):
        if answer.kind == "plausible_share":
            out[i] = (over_markets or {}).get(i) or {**_market_base(answer), "missing": "not run"}
    return out


def _market_base(answer, markets: int | None = None) -> dict:
    return {
        "kind": answer.kind,
        "measure": answer.measure,
        "week": answer.week,
        "arm": answer.arm,
        "versus": answer.versus,
        "scenario": answer.scenario,
        "markets": answer.markets if markets is None else markets,
    }


def plausible_share(
    answer, markets: int, overrides=(), path=None, executor=None, top: int = 2
) -> dict:
    """A ``"plausible_share"`` answer: ``answer.scenario`` (with ``overrides``, e.g. the small
    build's) run once in each of ``markets`` members of the plausible set at ``path`` (None:
    the shipped one; all its members when it has fewer), drawn and seeded as
    ``run SCENARIO --plausible N`` draws them (the scenario's seed), then
    :func:`share_over_markets`. Without a readable set: the answer with ``missing`` (one line,
    why) and nothing run."""
    from sim.evidence.plausible import PlausibleError, load_plausible
    from sim.study.scenario import load_scenario

    try:
        plausible = load_plausible(path)
    except PlausibleError as error:
        return {**_market_base(answer, markets), "missing": str(error)}
    loaded = load_scenario(answer.scenario, list(overrides), preflight=False)
    members = plausible.sample(min(markets, len(plausible)), seed=loaded.seed)
    frames = run_markets(market_tasks(loaded, members, loaded.seed), executor)
    return {
        **_market_base(answer, len(members)),
        **share_over_markets(answer, members, frames, top),
        "set_size": len(plausible),
        "set_date": plausible.provenance.get("date"),
    }


def share_over_markets(answer, members, frames, top: int = 2) -> dict:
    """From one run per market (``frames``, in the order of ``members``): the share of markets
    in which ``answer.arm`` is ahead of ``answer.versus`` on its measure at its week (ties
    count half; Wilson 95 % interval: ``sim.study.markets.lead_shares``), the 10th, 50th and
    90th percentiles of the difference, and the ``top`` parameters that best separate the
    markets where the arm is ahead (``sim.evidence.dialogue_pays.separating``)."""
    from sim.engine.measures import LOWER_IS_BETTER
    from sim.evidence.dialogue_pays import difference, separating

    pair = [(answer.arm, answer.versus)]
    row = lead_shares(frames, pair, [answer.measure], [answer.week]).iloc[0]
    diffs = np.array(
        [difference(f, answer.arm, answer.versus, answer.measure, answer.week) for f in frames]
    )
    ahead = (diffs < 0) if answer.measure in LOWER_IS_BETTER else (diffs > 0)
    return {
        "share": {"mean": float(row["share"]), **{k: float(row[k]) for k in ("low", "high")}},
        "ahead": float(row["leads"]),
        "differences": {k: float(row[k]) for k in ("p10", "p50", "p90")},
        "separating": separating(members, ahead, top),
    }


def _leads(table: pd.DataFrame, arms: list[str], measures, weeks: list[int]) -> list[dict]:
    """Who leads each measure at the key's weeks, without the trivially true: spending nothing
    "leads" on every harm of spending (irritation, complaints, spend), so on the measures where
    lower is better the arm ``none`` is left out of the race; and a lead of 0 over 0 is none."""
    from sim.engine.measures import LOWER_IS_BETTER

    out = []
    for m in measures:
        racing = [a for a in arms if not (m in LOWER_IS_BETTER and a == "none")]
        if len(racing) < 2:
            continue
        out += leads(table, racing, [m], tuple(weeks))
    out = [i for i in out if i["week"] in weeks]
    out = [i for i in out if not (i["leader_mean"] == 0 and i["runner_up_mean"] == 0)]
    order = {m: k for k, m in enumerate(measures)}
    return sorted(out, key=lambda i: (i["week"], order[i["measure"]]))


def _levels(table: pd.DataFrame, arms: list[str], measure: str, week: int) -> dict[str, dict]:
    """Each arm's mean and 95 % interval of ``measure`` at ``week`` (arms without a value left
    out: a measure defined for some arms only)."""
    from sim.study.stats import mean_ci

    rows = table[table["week"] == week]
    out = {}
    for arm in arms:
        values = rows.loc[rows["arm"] == arm, measure].to_numpy(float)
        values = values[np.isfinite(values)]
        if values.size:
            out[arm] = mean_ci(values).as_dict()
    return out


def _pair(table: pd.DataFrame, measure: str, week: int, arm: str, versus: str) -> dict:
    from sim.study.stats import paired_diff_ci

    rows = table[table["week"] == week]
    a = rows[rows["arm"] == arm].set_index("replicate")[measure]
    b = rows[rows["arm"] == versus].set_index("replicate")[measure]
    common = a.index.intersection(b.index)
    ci = paired_diff_ci(a.loc[common].to_numpy(float), b.loc[common].to_numpy(float)).as_dict()
    return {**ci, "verdict": _verdict(ci)}


def _answer(answer, table: pd.DataFrame, arms: list[str]) -> dict:
    """The numbers of one short answer (see ``exercises.Answer``)."""
    from sim.engine.measures import LOWER_IS_BETTER

    m, week = answer.measure, answer.week
    lower = m in LOWER_IS_BETTER
    levels = _levels(table, arms, m, week)
    if lower and answer.kind == "levels":  # spending nothing has no irritation: not news
        levels.pop("none", None)
    out = {"kind": answer.kind, "measure": m, "week": week, "levels": levels}
    if answer.kind in ("best", "pair"):
        pool = [a for a in levels if a != answer.versus and not (lower and a == "none")]
        ranked = sorted(pool, key=lambda a: levels[a]["mean"], reverse=not lower)
        if answer.kind == "best":
            arm, versus = ranked[0], ranked[1]
        else:
            arm = ranked[0] if answer.arm == "*best*" else answer.arm
            versus = answer.versus
        out.update(arm=arm, versus=versus, difference=_pair(table, m, week, arm, versus))
    elif answer.kind == "change":
        from sim.study.stats import paired_diff_ci

        changes = {}
        for arm in arms:
            rows = table[table["arm"] == arm].set_index(["week", "replicate"])[m]
            after, before = rows.xs(week, level="week"), rows.xs(answer.since, level="week")
            common = after.index.intersection(before.index)
            ci = paired_diff_ci(
                after.loc[common].to_numpy(float), before.loc[common].to_numpy(float)
            ).as_dict()
            changes[arm] = {**ci, "verdict": _verdict(ci)}
        out.update(since=answer.since, changes=changes)
    return out


def _sweep_answer(answer, swept: dict, study: dict) -> dict:
    """A short answer about a sweep: the best split at the scenario's own (default) point, or
    the grid points where ``answer.arm`` earns more than ``answer.versus``."""
    points = swept["points"]
    if answer.kind == "sweep_best":
        params = study["params"]

        def own(path):
            value = params
            for part in path.split("."):
                value = value.get(part, {}) if isinstance(value, dict) else {}
            return value

        default = [p for p in points if all(own(k) == v for k, v in p["point"].items())]
        point = (default or points)[0]
        best = point["best"]
        return {
            "kind": answer.kind,
            "measure": answer.measure,
            "week": answer.week,
            "point": point["point"],
            "arm": best,
            "versus": answer.versus,
            "level": point["levels"][best][answer.measure],
            "versus_level": point["levels"][answer.versus][answer.measure],
        }
    wins = [p["point"] for p in points if p["versus"][answer.arm]["verdict"] == "more"]
    return {
        "kind": answer.kind,
        "measure": answer.measure,
        "week": answer.week,
        "arm": answer.arm,
        "versus": answer.versus,
        "wins": wins,
        "points": len(points),
    }


def _pick(item: dict, measures) -> dict:
    out = {k: v for k, v in item.items() if k != "measures"}
    out["measures"] = {m: item["measures"][m] for m in measures if m in item["measures"]}
    return out


def _pays(table: pd.DataFrame, arms: list[str], week: int) -> list[dict]:
    """Each spending arm's profit to date against ``none`` (paired), at ``week``."""
    if "none" not in arms or "profit" not in table.columns:
        return []
    summary = summarise(table[table["week"] == week], arms, "none", [])
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
    last = final_week(table)
    summary = summarise(last, arms, exercise.versus, paths)
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
