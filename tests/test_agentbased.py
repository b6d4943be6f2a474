"""The per-agent Mesa version (sim/engine/agentbased.py) and the engine are the same model.

They use different random numbers (Python's ``random`` one draw at a time vs
sim/engine/uniforms.py), so
they agree in distribution, not bit for bit. Each scenario runs R = 40 replicates of both on
the same small network and compares replicate means of the weekly measures at weeks 5, 10 and
20 with a tolerance of 4.5 standard errors of the difference of means,
``4.5 * sqrt(sd_engine**2 / R + sd_agents**2 / R)``, plus 0.005 for measures whose spread is
zero (e.g. awareness after it saturates). If the models are identical, a difference beyond 4.5
standard errors has probability about 7e-6 per comparison (normal approximation; 40
replicates are enough for the means of these bounded measures to be close to normal), so with
the ~60 comparisons below a false failure is about 4e-4, and the seeds are fixed so the test is
deterministic anyway. Measured when written: the largest gap over all scenarios, measures
and weeks was 2.7 standard errors (2.5 with session 2's compiled engine and its random
numbers). A rule difference of moderate size is caught: a 25 % higher adoption base rate in the
per-agent version moves adoption at week 20 by ~10 standard errors (10.8 in session 2)
(``test_agreement_detects_a_rule_difference``). Smaller differences (a 20 % change of a word of
mouth parameter moves the measures by 2 to 3 standard errors) would need more replicates; the
rule tests (tests/test_rules.py) pin the engine's rules exactly.
"""

import numpy as np
import pandas as pd
import pytest

from sim.engine.agentbased import AgentBrandModel, Customer
from sim.engine.model import BrandModel, build_network_for
from sim.params import make_params

REPLICATES = 40
WEEKS = 20
CHECK_WEEKS = (5, 10, 20)
MEASURES = (
    "awareness",
    "adoption",
    "mean_attitude",
    "net_sentiment",
    "wom_positive",
    "wom_negative",
    "public_mentions",
    "conversations",
    "irritated",
    "product_fit",
)

SCENARIOS = {
    "mix": dict(network={"n": 200}, arm={"budget": 20, "push_share": 0.5}),
    "heavy push, negative talk": dict(
        network={"n": 200, "kind": "scale_free"},
        arm={"budget": 120, "push_share": 1.0},
        push={"irritation_threshold": 4.0, "effective_frequency": 2.0, "complaint_prob": 0.5},
        wom={"negative_incidence": 2.0, "negative_impact": 2.0, "listeners": 2},
        population={"initial_attitude": -0.2, "attitude_spread": 0.6},
    ),
    "dialogue to hubs with a crisis": dict(
        network={"n": 200, "kind": "communities"},
        arm={"budget": 300, "push_share": 0.0, "outreach": "hubs"},
        crisis={"week": 6, "share": 0.4},
        population={"initial_awareness": 0.1},
    ),
    "Bass limit": dict(network={"n": 200}, arm={"budget": 5, "push_share": 1.0}, attitudes=False),
}


def _frames(params, seeds, agent_params=None):
    net = build_network_for(params, 2024)
    engine, agents = [], []
    for seed in seeds:
        model = BrandModel(params, network=net, rng=seed)
        model.run_for(WEEKS)
        engine.append(model.weekly_frame().set_index("week").loc[list(CHECK_WEEKS)])
        per_agent = AgentBrandModel(agent_params or params, network=net, rng=seed)
        per_agent.run_for(WEEKS)
        frame = per_agent.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        agents.append(frame.loc[list(CHECK_WEEKS)])
    return engine, agents


def _gaps(engine, agents):
    """(measure, week) -> difference of replicate means in standard errors."""
    gaps = {}
    for measure in MEASURES:
        a = np.array([f[measure].to_numpy() for f in engine], dtype=float)
        b = np.array([f[measure].to_numpy() for f in agents], dtype=float)
        se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
        diff = np.abs(a.mean(axis=0) - b.mean(axis=0))
        for week, d, s in zip(CHECK_WEEKS, diff, se, strict=True):
            gaps[(measure, week)] = (d, s)
    return gaps


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_per_agent_version_agrees_with_engine_in_distribution(name):
    params = make_params(**SCENARIOS[name])
    engine, agents = _frames(params, range(REPLICATES))
    for (measure, week), (diff, se) in _gaps(engine, agents).items():
        assert diff <= 4.5 * se + 0.005, (
            f"{name}: {measure} at week {week} differs by {diff:.4f} ({diff / max(se, 1e-12):.1f} "
            f"standard errors)"
        )


def test_agreement_detects_a_rule_difference():
    """The tolerance is tight enough to notice a modest change of one parameter."""
    params = make_params(**SCENARIOS["mix"])
    other = make_params(params, adoption={"base_rate": 0.025})
    engine, agents = _frames(params, range(REPLICATES), agent_params=other)
    diff, se = _gaps(engine, agents)[("adoption", 20)]
    assert diff > 4.5 * se + 0.005


def test_per_agent_model_is_a_mesa_model_with_one_customer_per_node():
    model = AgentBrandModel(network={"n": 50}, rng=3)
    assert len(model.agents) == 50
    assert all(isinstance(a, Customer) for a in model.agents)
    assert {a.cell.coordinate for a in model.agents} == set(range(50))
    model.run_for(3)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4 and isinstance(frame, pd.DataFrame)
