"""Where dialogue pays: the plausible markets in which dialogue out-earns lean push, and what
separates them from the rest.

Each plausible market (a member of the calibrated set, ``sim.evidence.plausible``) runs the
default scenario (``sim.study.markets``: the member's market, the scenario's arms; its push arm
is the media plan, "lean push") once for a year. Dialogue *pays* in a market when its profit to
date at week 52 is above push's. Which parameters separate the markets where it pays from those
where it does not is read two ways, both plain enough to print:

- per parameter, the area under the ROC curve (AUC) of the parameter as a score for "dialogue
  pays": 0.5 means it does not separate them; 1 (or 0) means every market where dialogue pays has
  a higher (lower) value than every market where it does not. It is the Mann-Whitney U statistic
  over the product of the group sizes.
- the best single threshold on each of the leading parameters (the split with the highest
  balanced accuracy), as a rule a class can read ("dialogue pays in 61 % of markets where
  dialogue.cost_per_conversation is below 3.2 cu, in 4 % above").

One run per market: a market's own noise is part of the answer (a market where the two are
close can fall either way).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import rankdata

from sim.study.markets import KEPT_PATHS, KEPT_SECTIONS, market_tasks, run_markets
from sim.study.stats import share_ci

SCENARIO = "default"
ARM, VERSUS = "dialogue", "push"
MEASURE, WEEK = "profit", 52


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for the boolean ``labels`` (ties count half);
    NaN when either group is empty."""
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    u = ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def best_split(values: np.ndarray, labels: np.ndarray) -> dict:
    """The threshold on ``values`` that best tells ``labels`` apart (highest balanced accuracy:
    the mean of the shares right on each side), with the share of True on each side."""
    values = np.asarray(values, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    order = np.argsort(values, kind="stable")
    v, y = values[order], labels[order]
    candidates = np.unique(v)
    best = {"balanced_accuracy": -1.0}
    for threshold in (candidates[:-1] + candidates[1:]) / 2.0:
        below = v < threshold
        for pays_below in (True, False):
            predicted = below if pays_below else ~below
            sensitivity = predicted[y].mean() if y.any() else 0.0
            specificity = (~predicted[~y]).mean() if (~y).any() else 0.0
            balanced = (sensitivity + specificity) / 2.0
            if balanced > best["balanced_accuracy"]:
                best = {
                    "threshold": float(threshold),
                    "balanced_accuracy": float(balanced),
                    "share_below": float(y[below].mean()),
                    "share_above": float(y[~below].mean()),
                    "n_below": int(below.sum()),
                    "n_above": int((~below).sum()),
                }
    return best


def where_dialogue_pays(
    members: Sequence[Mapping[str, float]], seed: int, executor=None, top: int = 6
) -> dict:
    """Run the default scenario in every market of ``members`` and say where dialogue pays.

    Returns ``{"markets", "pays" (share with its Wilson interval), "differences" (dialogue -
    push profit per market), "separating": [{path, auc, split}, ...] (the ``top`` parameters
    furthest from AUC 0.5)}``.
    """
    from sim.study.scenario import load_scenario

    loaded = load_scenario(SCENARIO, preflight=False)
    frames = run_markets(market_tasks(loaded, members, seed), executor)
    diffs = np.array([difference(f) for f in frames])
    pays = diffs > 0
    share = share_ci(float(pays.sum()), int(pays.size))
    return {
        "markets": int(pays.size),
        "pays": share.as_dict(),
        "differences": diffs.tolist(),
        "separating": separating(members, pays, top),
    }


def separating(members: Sequence[Mapping[str, float]], labels, top: int = 6) -> list[dict]:
    """The ``top`` parameters of ``members`` that best tell the markets where ``labels`` is
    True from the rest: ``[{path, auc, split}]``, furthest from AUC 0.5 first, each with its
    best single threshold; none when every label is the same (nothing to separate). Parameters
    a market never takes from a member (``sim.study.markets``: the arms' settings, the number
    of customers) and those equal in every member are left out."""
    labels = np.asarray(labels, dtype=bool)
    if labels.all() or not labels.any():
        return []
    paths = sorted({p for m in members for p in m if _applied(p)})
    rows = []
    for path in paths:
        values = np.array([float(m.get(path, np.nan)) for m in members])
        if not np.isfinite(values).all() or np.ptp(values) == 0:
            continue
        rows.append({"path": path, "auc": auc(values, labels)})
    rows.sort(key=lambda row: -abs(row["auc"] - 0.5) if np.isfinite(row["auc"]) else 0.0)
    rows = rows[:top]
    for row in rows:
        values = np.array([float(m[row["path"]]) for m in members])
        row["split"] = best_split(values, labels)
    return rows


def _applied(path: str) -> bool:
    """Whether a market takes ``path`` from a member (``sim.study.markets.market_for``)."""
    return path.split(".", 1)[0] not in KEPT_SECTIONS and path not in KEPT_PATHS


def difference(
    frame, arm: str = ARM, versus: str = VERSUS, measure: str = MEASURE, week: int = WEEK
) -> float:
    """``arm`` - ``versus`` on ``measure`` at ``week`` in one market's run (its tidy table)."""
    at = frame[frame["week"] == week].set_index("arm")[measure]
    return float(at[arm] - at[versus])


def sentences(result: dict) -> list[str]:
    """The section's prose: the share, then each separating parameter and its best split."""
    p = result["pays"]
    n = result["markets"]
    lines = [
        f"Dialogue earns more than lean push (profit to date at week {WEEK}) in "
        f"{p['mean']:.0%} [{p['low']:.0%}, {p['high']:.0%}] of {n} plausible markets."
    ]
    if p["mean"] == 0:
        lines.append(
            "In none of them does dialogue pay: within the markets consistent with the "
            "evidence, this model says the essay's claim does not hold on profit."
        )
        return lines
    for row in result["separating"]:
        split = row["split"]
        text = f"- `{row['path']}`: AUC {row['auc']:.2f}"
        if split is not None:
            text += (
                f"; dialogue pays in {split['share_below']:.0%} of the {split['n_below']} "
                f"markets below {split['threshold']:.3g} and in {split['share_above']:.0%} of "
                f"the {split['n_above']} above"
            )
        lines.append(text + ".")
    return lines
