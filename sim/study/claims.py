"""A scenario's claims as expectations (``[[expect]]``) and how they are judged from results.

Each expectation names an arm, a measure and a week, a relation, and how many replicates the
claim is judged on::

    [[expect]]
    arm = "mix"
    versus = "push"          # the paired difference mix - push (same replicate seeds)
    measure = "adoption"
    week = 52
    relation = "ahead"       # ahead | behind | within noise | positive | negative
    replicates = 10
    says = "By week 52 the mix has sold to more customers than push."

- ``ahead`` / ``behind``: the 95 % paired t interval of ``arm - versus`` lies wholly above /
  below zero (ahead means a *larger* value, also for measures where lower is better, such as
  negative word of mouth);
- ``within noise``: that interval includes zero (the two cannot be told apart at this many
  replicates: a weak claim, stated as such);
- ``positive`` / ``negative``: the interval of the arm's own value (or, with ``versus``, of the
  difference) lies wholly above / below zero;
- ``above`` / ``below``: the same against ``value`` instead of zero (e.g. more than half of
  the aware first heard by word of mouth: ``measure = "heard_via_wom"``, ``relation =
  "above"``, ``value = 0.5``).

The claim is judged on replicates 0 .. ``replicates`` - 1 of the scenario's seed, so a ``run``
with at least that many replicates judges it on the same runs as ``check``.
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from sim.engine.measures import MEASURE_NAMES
from sim.study.stats import CONFIDENCE, mean_ci, paired_diff_ci

RELATIONS = ("ahead", "behind", "within noise", "positive", "negative", "above", "below")
NEEDS_VERSUS = ("ahead", "behind", "within noise")

MeasureName = Literal[MEASURE_NAMES]  # type: ignore[valid-type]


class Expectation(BaseModel):
    """One claim of a scenario's description, checked by ``run_sim.py check``."""

    model_config = ConfigDict(extra="forbid")

    arm: str = Field(..., description="The arm the claim is about.", min_length=1)
    versus: str | None = Field(
        None,
        description="The arm it is compared with (paired difference arm - versus); required "
        "for ahead, behind and within noise.",
    )
    measure: MeasureName = Field(  # type: ignore[valid-type]
        ..., description="Weekly measure (sim/engine/measures.py)."
    )
    week: int = Field(..., description="Week the claim is about (0 .. weeks).", ge=0, le=10_000)
    relation: Literal[RELATIONS] = Field(  # type: ignore[valid-type]
        ...,
        description="ahead / behind: the paired difference's 95 % interval is above / below 0; "
        "within noise: it includes 0; positive / negative: the value's (or difference's) "
        "interval is above / below 0; above / below: the same against 'value'.",
    )
    value: float | None = Field(
        None, description="The number 'above' and 'below' compare with (required for them only)."
    )
    replicates: int = Field(
        10, description="Replicates the claim is judged on (at least 2).", ge=2, le=10_000
    )
    says: str = Field(
        "", description="The claim in words, as the description makes it.", max_length=500
    )
    at: dict[str, str | int | float | bool] | None = Field(
        None,
        description="Sweep scenarios: the grid point the claim is about, e.g. "
        '{"arm.budget" = 5.0} (every sweep path, each at one of its values); without it the '
        "claim is about the base setting.",
    )


def problems(
    expectations: list[Expectation], arms: list[str], weeks: int, sweep: dict | None = None
) -> list[str]:
    """Field-level problems (``expect[i].field: ...``) that the schema alone cannot see."""
    out = []
    sweep = sweep or {}
    for i, e in enumerate(expectations):
        where = f"expect[{i}]"
        if e.at is not None:
            if set(e.at) != set(sweep):
                out.append(
                    f"{where}.at: must name every sweep path ({sorted(sweep) or 'no sweep'}), "
                    f"got {sorted(e.at)}"
                )
            for path, value in e.at.items():
                if path in sweep and value not in sweep[path]:
                    out.append(f"{where}.at.{path} = {value!r}: must be one of {sweep[path]}")
        if e.arm not in arms:
            out.append(f"{where}.arm = {e.arm!r}: must be one of the arms {arms}")
        if e.versus is not None and e.versus not in arms:
            out.append(f"{where}.versus = {e.versus!r}: must be one of the arms {arms}")
        if e.versus is not None and e.versus == e.arm:
            out.append(f"{where}.versus = {e.versus!r}: must differ from arm")
        if e.versus is None and e.relation in NEEDS_VERSUS:
            out.append(f"{where}.versus: required when relation = {e.relation!r}")
        if e.relation in ("above", "below") and e.value is None:
            out.append(f"{where}.value: required when relation = {e.relation!r}")
        if e.relation not in ("above", "below") and e.value is not None:
            out.append(f"{where}.value: only used with relation 'above' or 'below'")
        if e.week > weeks:
            out.append(f"{where}.week = {e.week}: must be at most the scenario's weeks ({weeks})")
    return out


def judge(e: Expectation, table: pd.DataFrame, confidence: float = CONFIDENCE) -> dict:
    """Judge one expectation on a results table (columns ``arm, replicate, week`` + measures).

    Uses replicates 0 .. ``e.replicates - 1``. Returns ``held`` (bool), ``mean``, ``low``,
    ``high``, ``n`` (replicates used) and ``why`` (one line, when it did not hold or could not
    be judged).
    """
    rows = table[(table["week"] == e.week) & (table["replicate"] < e.replicates)]
    mine = rows[rows["arm"] == e.arm].set_index("replicate")[e.measure]
    if e.versus is not None:
        other = rows[rows["arm"] == e.versus].set_index("replicate")[e.measure]
        common = mine.index.intersection(other.index)
        ci = paired_diff_ci(
            mine.loc[common].to_numpy(float), other.loc[common].to_numpy(float), confidence
        )
    else:
        ci = mean_ci(mine.to_numpy(float), confidence)
    out = {"mean": ci.mean, "low": ci.low, "high": ci.high, "n": ci.n, "why": ""}
    if ci.n < e.replicates:
        out.update(held=False, why=f"only {ci.n} of {e.replicates} replicates have a value")
        return out
    if not (math.isfinite(ci.low) and math.isfinite(ci.high)):
        out.update(held=False, why="no interval (the measure is empty here)")
        return out
    ref = e.value if e.relation in ("above", "below") else 0.0
    above, below = ci.low > ref, ci.high < ref
    held = {
        "ahead": above,
        "positive": above,
        "above": above,
        "behind": below,
        "negative": below,
        "below": below,
        "within noise": not (above or below),
    }[e.relation]
    out["held"] = bool(held)
    if not held:
        out["why"] = (
            f"the interval includes {ref:g}"
            if not (above or below)
            else ("the interval is wholly " + ("above" if above else "below") + f" {ref:g}")
        )
    return out


def describe(e: Expectation) -> str:
    """The claim in words for tables: ``mix - push, adoption, week 52: ahead``."""
    what = f"{e.arm} - {e.versus}" if e.versus else e.arm
    relation = f"{e.relation} {e.value:g}" if e.value is not None else e.relation
    where = "" if not e.at else " at " + ", ".join(f"{k}={v}" for k, v in e.at.items())
    return f"{what}, {e.measure}, week {e.week}{where}: {relation}"


def judge_all(expectations: list[Expectation], table: pd.DataFrame) -> list[dict]:
    """Judge each expectation that ``table`` has enough replicates and weeks for.

    Returns one dict per expectation: ``claim`` (``describe``), ``says``, ``relation``,
    ``replicates`` and either the result of :func:`judge` or ``held: None`` with ``why`` when
    the table cannot judge it (fewer replicates or weeks than the claim needs).
    """
    out = []
    have_reps = int(table["replicate"].max()) + 1 if len(table) else 0
    last_week = int(table["week"].max()) if len(table) else -1
    arms = set(table["arm"].unique()) if len(table) else set()
    for e in expectations:
        item = {
            "claim": describe(e),
            "says": e.says,
            "relation": e.relation,
            "replicates": e.replicates,
        }
        if e.at is not None:
            item.update(held=None, why="a claim about a sweep point (python run_sim.py check)")
        elif have_reps < e.replicates:
            item.update(
                held=None, why=f"needs {e.replicates} replicates, this study has {have_reps}"
            )
        elif e.week > last_week:
            item.update(held=None, why=f"needs week {e.week}, this study ends at {last_week}")
        elif e.arm not in arms or (e.versus is not None and e.versus not in arms):
            item.update(held=None, why="an arm of the claim is not in this study")
        else:
            item.update(judge(e, table))
        out.append(item)
    return out
