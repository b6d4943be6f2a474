"""How big a study may be: arms, runs and rows of a plan, sweep points, memory of a network.

Bounds (docs/NOTES.md, "Session 3: hardening"): a plan has at most ``RECLAMARE_MAX_ARMS`` arms,
``RECLAMARE_MAX_RUNS`` runs and ``RECLAMARE_MAX_ROWS`` rows of results (environment variables
raise them), a sweep grid at most ``MAX_GRID_POINTS`` points; and every network setting of the
plan must fit in memory (``sim.engine.memory``). Checked during validation, before anything
runs or any folder is made; each refusal is one line saying how to make the study smaller or
raise the limit.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.i18n import N_, Message
from sim.params import ModelParams
from sim.study.schema import ScenarioError, _one_line, default_arm_entries

MAX_GRID_POINTS = 10_000
# Plan limits: (environment variable that raises it, default, what it counts).
PLAN_LIMITS = {
    "arms": ("RECLAMARE_MAX_ARMS", 200),
    "runs": ("RECLAMARE_MAX_RUNS", 100_000),
    "rows": ("RECLAMARE_MAX_ROWS", 10_000_000),
}
# Disk per row of results: ~125 bytes in timeseries.csv (measured, 21 columns) and as much again
# in runs/*.csv; in memory, assembling the table takes about as much again.
BYTES_PER_ROW = 250


def plan_limit(what: str) -> int:
    """The limit on a plan's ``what`` ("arms", "runs", "rows"): its environment variable or the
    default (PLAN_LIMITS)."""
    variable, default = PLAN_LIMITS[what]
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise ScenarioError(
            Message(
                N_("{variable} = {text}: must be a whole number"),
                variable=variable,
                text=repr(text),
            )
        ) from None
    if value < 1:
        raise ScenarioError(
            Message(
                N_("{variable} = {text}: must be at least 1"), variable=variable, text=repr(text)
            )
        )
    return value


def _over_limit(source: str, what: str, count: int, detail: Message) -> ScenarioError:
    variable, _ = PLAN_LIMITS[what]
    limit = plan_limit(what)
    return ScenarioError(
        Message(
            N_(
                "{source}: {detail}, more than the limit of {limit}; make the study smaller, or "
                "raise the limit with the environment variable {variable}={count}"
            ),
            source=source,
            detail=detail,
            limit=limit,
            variable=variable,
            count=str(count),
        )
    )


def _check_arm_count(raw: dict, source: str) -> None:
    arms = raw.get("arms")
    count = len(arms) if isinstance(arms, list) else len(default_arm_entries())
    if count > plan_limit("arms"):
        detail = Message(N_("the study has {count} arms"), count=count)
        raise _over_limit(source, "arms", count, detail)


def _check_plan_size(scenario, source: str) -> None:
    """Refuse plans too big to carry out sensibly, before any plan or grid is built.

    Counts runs (sweep points x replicates) and rows of results (runs x arms x weeks + 1): the
    whole time series is assembled in memory and written as CSV at the end of a study.
    ``scenario`` is a ``sim.study.scenario.Scenario`` (not named here: that module imports this
    one, and the layer test counts a type-checking import as a circle).
    """
    from sim.engine.memory import gigabytes

    points = 1
    for values in scenario.sweep.values():
        points *= len(values)
    reps, arms, weeks = scenario.replicates, len(scenario.arm_names), scenario.weeks
    runs = points * reps
    if runs > plan_limit("runs"):
        detail = Message(
            N_("the plan has {runs} runs ({points} sweep points x {reps} replicates)"),
            runs=runs,
            points=points,
            reps=reps,
        )
        raise _over_limit(source, "runs", runs, detail)
    rows = runs * arms * (weeks + 1)
    if rows > plan_limit("rows"):
        detail = Message(
            N_(
                "the plan writes {rows} rows of results, about {size} of tables ({runs} runs x "
                "{arms} arms x {weeks} weeks)"
            ),
            rows=rows,
            size=gigabytes(rows * BYTES_PER_ROW),
            runs=runs,
            arms=str(arms),
            weeks=weeks + 1,
        )
        raise _over_limit(source, "rows", rows, detail)


def _check_memory(params: ModelParams, base_dir: Path, source: str | Message) -> None:
    """Refuse a network setting whose run cannot fit in the memory available now (estimated by
    ``sim.engine.memory``): checked for every distinct network of the plan (every sweep point)
    during validation, before any folder is created."""
    from sim.engine.memory import MemoryGuardError, check_memory

    try:
        check_memory(params, base_dir)
    except MemoryGuardError as error:
        problem = _one_line(error).removeprefix("parameters: ")
        raise ScenarioError(
            Message(N_("{source}: {problem}"), source=source, problem=problem)
        ) from None
