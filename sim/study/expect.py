"""``run_sim.py check``: run scenarios' ``[[expect]]`` claims and say which hold.

For each scenario, only what its claims need is run: at each point the claims are about (the
base setting, or a point of the sweep grid named by ``at``), the arms they name, up to the last
week they mention, with as many replicates as the most demanding claim asks for (replicate
seeds as in ``run`` and ``sweep``, so the numbers are theirs with that many replicates; an arm's
runs do not depend on which other arms run beside it). Nothing is written to disk. Each claim
is judged by ``sim.study.claims.judge``.

Robustness (``run_sim.py check --robust``): a claim should hold by a margin, not by the luck of
one master seed. :func:`robustness` judges every claim again at other master seeds (by default
the scenario's seed + 1 and + 2) with a multiple of the replicates it states (by default
twice), and :func:`check_scenarios` prints which claims fail at which seed.
"""

from __future__ import annotations

import json

import pandas as pd

from sim.study.arms import run_seed
from sim.study.claims import Expectation, describe, judge
from sim.study.runner import InProcessExecutor, RunTask, run_task
from sim.study.scenario import Scenario, load_scenario
from sim.study.schema import ScenarioError

ROBUST_FACTOR = 2  # --robust: each claim on twice its replicates ...
ROBUST_OFFSETS = (1, 2)  # ... at the master seeds seed + 1 and seed + 2


def robust_seeds(seed: int) -> list[int]:
    """The two other master seeds ``--robust`` uses for a scenario whose seed is ``seed``."""
    return [seed + k for k in ROBUST_OFFSETS]


def scaled(claims: list[Expectation], factor: int) -> list[Expectation]:
    """The claims with ``factor`` times their replicates (factor 1: unchanged)."""
    if factor < 1:
        raise ValueError(f"replicates factor = {factor}: must be a whole number >= 1")
    if factor == 1:
        return list(claims)
    return [e.model_copy(update={"replicates": e.replicates * factor}) for e in claims]


def claim_point(e: Expectation) -> dict:
    """The sweep point a claim is about (``{}``: the scenario's base setting)."""
    return dict(e.at or {})


def point_tasks(
    scenario: Scenario, point: dict, claims: list[Expectation], seed: int | None = None
) -> list[RunTask]:
    """The runs that judge ``claims`` (all at ``point``): the arms they name, each for as many
    replicates as the most demanding claim about it asks for, up to the last week they
    mention. Seeds as ``run`` and ``sweep`` derive them from the master seed (``seed``, default
    the scenario's), so the numbers are theirs."""
    master = scenario.seed if seed is None else seed
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
                seed=run_seed(master, rep, point or None),
                weeks=weeks,
                replicate=rep,
                point=dict(point),
                base_dir=str(scenario.base_dir),
            )
        )
    return tasks


def check_scenario(
    scenario: Scenario,
    executor=None,
    quiet: bool = True,
    seed: int | None = None,
    factor: int = 1,
) -> list[dict]:
    """Judge every claim of one scenario; one dict per claim, in file order: ``claim``,
    ``says``, ``replicates`` and the result of ``claims.judge``.

    ``seed``: the master seed (default the scenario's); ``factor``: judge each claim on that
    many times the replicates it states (``replicates`` in the result is the number used).
    """
    executor = executor or InProcessExecutor()
    claims = scaled(scenario.expectations, factor)
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(claims):
        groups.setdefault(json.dumps(claim_point(e), sort_keys=True), []).append(i)
    out: list[dict] = [{} for _ in claims]
    for key, indices in groups.items():
        point = json.loads(key)
        tasks = point_tasks(scenario, point, [claims[i] for i in indices], seed)
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


def robustness(
    scenario: Scenario,
    seeds: list[int] | None = None,
    factor: int = ROBUST_FACTOR,
    executor=None,
    quiet: bool = True,
) -> list[dict]:
    """Judge every claim of ``scenario`` at each master seed of ``seeds`` (default
    :func:`robust_seeds`) on ``factor`` times its replicates.

    One dict per claim, in file order: ``claim``, ``says``, ``replicates`` (as stated),
    ``held`` (True when it held at every seed) and ``runs``: per seed, ``seed`` and the result
    of ``claims.judge`` (its ``n`` is the replicates used).
    """
    seeds = list(seeds) if seeds else robust_seeds(scenario.seed)
    per_seed = [check_scenario(scenario, executor, quiet, s, factor) for s in seeds]
    out = []
    for i, e in enumerate(scenario.expectations):
        runs = [{"seed": s, **results[i]} for s, results in zip(seeds, per_seed, strict=True)]
        out.append(
            {
                "claim": describe(e),
                "says": e.says,
                "replicates": e.replicates,
                "held": all(r["held"] for r in runs),
                "runs": runs,
            }
        )
    return out


def check_scenarios(
    names: list[str],
    overrides,
    executor=None,
    quiet: bool = False,
    seeds: list[int] | None = None,
    factor: int | None = None,
    robust: bool = False,
    markets=None,
) -> int:
    """Check each scenario, print held / NOT HELD with intervals; return the number of claims
    that did not hold. A scenario without claims is reported as such (not a failure).

    ``markets(scenario)``, when given, returns plausible markets (parameter points) to look at
    each claim in as well (``check --plausible``, ``sim.study.claim_markets``): the share of
    them in which the claim's direction holds is printed under the claims; it informs and does
    not change what is counted as failed.

    ``seeds`` (master seeds instead of each scenario's own), ``factor`` (times each claim's
    replicates; default 1) or ``robust`` (both at their robustness defaults, seed + 1 and + 2
    and a factor of 2, unless given) judge each claim
    at every seed and print, per claim, its verdict at each seed, then a list of the claims
    that failed somewhere (scenario, claim, seed, interval).
    """
    failed = 0
    scenarios = [load_scenario(name, overrides) for name in names]  # every file checked first
    several = robust or bool(seeds) or factor not in (None, 1)
    if factor is None:
        factor = ROBUST_FACTOR if robust else 1
    failures: list[str] = []
    for name, scenario in zip(names, scenarios, strict=True):
        # Shipped scenarios by their key (workshop/crisis is not crisis), files by their stem.
        label = scenario.name if str(name).endswith(".toml") else str(name)
        if not scenario.expectations:
            print(f"{label}: no [[expect]] claims")
            continue
        if several:
            use = seeds or (robust_seeds(scenario.seed) if robust else [scenario.seed])
            items = robustness(scenario, use, factor, executor, quiet)
            bad = [r for r in items if not r["held"]]
            failed += len(bad)
            used = [r["seed"] for r in items[0]["runs"]]
            print(
                f"{label}: {len(items) - len(bad)} of {len(items)} claims hold at every "
                f"seed ({', '.join(map(str, used))}; {factor} x each claim's replicates)"
            )
            for item in items:
                print(f"  {'held    ' if item['held'] else 'FAILS   '} {item['claim']}")
                for r in item["runs"]:
                    line = _result_line(r)
                    print(f"      seed {r['seed']}: {line}")
                    if not r["held"]:
                        failures.append(f"{label}: {item['claim']}: seed {r['seed']}: {line}")
            continue
        results = check_scenario(scenario, executor, quiet)
        bad = [r for r in results if not r["held"]]
        failed += len(bad)
        print(f"{label}: {len(results) - len(bad)} of {len(results)} claims hold")
        for r in results:
            mark = "held    " if r["held"] else "NOT HELD"
            print(f"  {mark} {r['claim']}: {_result_line(r)}")
        if markets is not None:
            _print_markets(label, scenario, markets(scenario), executor)
    if several:
        print(
            f"{len(failures)} failure(s) at other seeds"
            + (":" if failures else "")
            + "".join(f"\n  {line}" for line in failures)
        )
    return failed


def _print_markets(label: str, scenario: Scenario, members, executor) -> None:
    """Each claim's share of plausible markets in which its direction holds."""
    from sim.study.claim_markets import claim_shares, share_line

    shares = claim_shares(scenario, members, scenario.seed, executor)
    print(f"{label}: each claim's direction over {len(members)} plausible markets")
    for r in shares:
        print(f"  {r['claim']}: {share_line(r)}")


def _result_line(r: dict) -> str:
    """``+0.05 [0.01, 0.09] (n=10)``; for equivalence claims ``-0.004, 90 % [-0.02, 0.01]
    inside ±0.05 (n=20, sd 0.03; 80 % power: 12 replicates)``; then ``; why`` when it failed."""
    text = _interval(r)
    if r.get("margin") is None or r["low"] != r["low"]:
        text += f" (n={r['n']})"
    else:
        inside = -r["margin"] < r["low"] and r["high"] < r["margin"]
        level = f"{round(100 * r['level'])} %"
        text = text.replace(" [", f", {level} [", 1)
        power = f"; 80 % power: {r['needed']} replicates" if r["held"] and r["needed"] else ""
        text += (
            f" {'inside' if inside else 'not inside'} ±{r['margin']:g}"
            f" (n={r['n']}, sd {r['sd']:.3g}{power})"
        )
    return text + (f"; {r['why']}" if r.get("why") and not r["held"] else "")


def _interval(r: dict) -> str:
    if r["low"] != r["low"]:  # NaN
        return f"{r['mean']:.4g}"
    return f"{r['mean']:+.4g} [{r['low']:.4g}, {r['high']:.4g}]"


def _bar(total: int, name: str, quiet: bool):
    from sim.study.conduct import progress_bar

    return progress_bar(total, 0, f"check {name}", quiet, leave=False)


__all__ = ["ScenarioError", "check_scenario", "check_scenarios", "robust_seeds", "robustness"]
