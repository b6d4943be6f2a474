"""Every shipped claim holds at twice its replicates with two other master seeds (issue #22).

A claim should hold by a margin, not by the luck of the seed its scenario happens to use: this
is `python run_sim.py check --robust` (sim.study.expect.robustness) over every shipped
scenario, each claim judged on twice its stated replicates at the scenario's seed + 1 and + 2.
A file of its own so that pytest-xdist (--dist loadfile) runs it beside test_claims.py's check
at the stated replicates. About 95 s of one core (docs/scenarios.md, 'Robustness').
"""

from __future__ import annotations

import pytest

from sim.study.expect import robustness
from sim.study.scenario import load_scenario
from sim.study.scenario_files import shipped_names


@pytest.mark.slow
def test_every_shipped_claim_holds_at_two_other_seeds_on_twice_its_replicates():
    failures = []
    for name in shipped_names():
        for item in robustness(load_scenario(name)):
            for run in item["runs"]:
                if not run["held"]:
                    failures.append(
                        f"{name}: {item['claim']}: seed {run['seed']}: {run['mean']:+.4g} "
                        f"[{run['low']:.4g}, {run['high']:.4g}] (n={run['n']}; {run['why']})"
                    )
    assert not failures, "rerun: python run_sim.py check --robust\n" + "\n".join(failures)
