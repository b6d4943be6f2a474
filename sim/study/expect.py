"""``run_sim.py check``: run scenarios' ``[[expect]]`` claims and say which hold.

For each scenario, only what its claims need is run: at each point the claims are about (the
base setting, or a point of the sweep grid named by ``at``), the arms they name, up to the last
week they mention, with as many replicates as the most demanding claim asks for (replicate
seeds as in ``run`` and ``sweep``, so the numbers are theirs with that many replicates; an arm's
runs do not depend on which other arms run beside it). Nothing is written to disk. Each claim
is judged by ``sim.study.claims.judge``.
"""

from __future__ import annotations

import json

import pandas as pd

from sim.study.arms import run_seed
from sim.study.claims import Expectation, describe, judge
from sim.study.runner import InProcessExecutor, RunTask, run_task
from sim.study.scenario import Scenario, ScenarioError, load_scenario


def claim_point(e: Expectation) -> dict:
    """The sweep point a claim is about (``{}``: the scenario's base setting)."""
    return dict(e.at or {})


def point_tasks(scenario: Scenario, point: dict, claims: list[Expectation]) -> list[RunTask]:
    """The runs that judge ``claims`` (all at ``point``): the arms they name, each for as many
    replicates as the most demanding claim about it asks for, up to the last week they
    mention. Seeds as ``run`` and ``sweep`` derive them, so the numbers are theirs."""
    need: dict[str, int] = {}  # replicates each arm is needed for
    for e in claims:
        for arm in (e.arm, e.versus):
            if arm:
                need[arm] = max(need.get(arm, 0), e.replicates)
    weeks = max(1, max(e.week for e in claims))
    params, specs = scenario.resolve(point)
    data = params.model_dump(mode="json")
    tasks = []
    for rep in range(max(need.values())):
        arms = [a.model_dump(mode="json") for a in specs if need.get(a.name, 0) > rep]
        tasks.append(
            RunTask(
                key=f"r{rep:04d}",
                params=data,
                arms=arms,
                seed=run_seed(scenario.seed, rep, point or None),
                weeks=weeks,
                replicate=rep,
                point=dict(point),
                base_dir=str(scenario.base_dir),
            )
        )
    return tasks


def check_scenario(scenario: Scenario, executor=None, quiet: bool = True) -> list[dict]:
    """Judge every claim of one scenario; one dict per claim, in file order: ``claim``,
    ``says``, ``replicates`` and the result of ``claims.judge``."""
    executor = executor or InProcessExecutor()
    claims = scenario.expectations
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(claims):
        groups.setdefault(json.dumps(claim_point(e), sort_keys=True), []).append(i)
    out: list[dict] = [{} for _ in claims]
    for key, indices in groups.items():
        point = json.loads(key)
        tasks = point_tasks(scenario, point, [claims[i] for i in indices])
        frames = []
        bar = _bar(len(tasks), scenario.name, quiet)
        for _, records in executor.map_unordered(tasks, run_task):
            frames.append(records)
            bar.update(1)
        bar.close()
        table = pd.concat(frames, ignore_index=True)
        for i in indices:
            e = claims[i]
            out[i] = {"claim": describe(e), "says": e.says, "replicates": e.replicates}
            out[i].update(judge(e, table))
    return out


def check_scenarios(names: list[str], overrides, executor=None, quiet: bool = False) -> int:
    """Check each scenario, print held / NOT HELD with intervals; return the number of claims
    that did not hold. A scenario without claims is reported as such (not a failure)."""
    failed = 0
    scenarios = [load_scenario(name, overrides) for name in names]  # every file checked first
    for scenario in scenarios:
        if not scenario.expectations:
            print(f"{scenario.name}: no [[expect]] claims")
            continue
        results = check_scenario(scenario, executor, quiet)
        bad = [r for r in results if not r["held"]]
        failed += len(bad)
        print(f"{scenario.name}: {len(results) - len(bad)} of {len(results)} claims hold")
        for r in results:
            mark = "held    " if r["held"] else "NOT HELD"
            print(
                f"  {mark} {r['claim']}: {_interval(r)} (n={r['n']})"
                + (f"; {r['why']}" if r["why"] else "")
            )
    return failed


def _interval(r: dict) -> str:
    if r["low"] != r["low"]:  # NaN
        return f"{r['mean']:.4g}"
    return f"{r['mean']:+.4g} [{r['low']:.4g}, {r['high']:.4g}]"


def _bar(total: int, name: str, quiet: bool):
    from sim.study.conduct import progress_bar

    return progress_bar(total, 0, f"check {name}", quiet, leave=False)


__all__ = ["ScenarioError", "check_scenario", "check_scenarios"]
