"""Each model parameter moves a measure it should move, in the right direction, by about the
measured amount.

One table, ``EFFECTS``, has a row per parameter of the sections population, product, adoption,
wom, push, dialogue, crisis and arm (and the ``attitudes`` switch): a setting where the parameter
matters (``setup``, on top of ``BASE``), the changed value (a 20 % change where the parameter
allows one), the measure at week ``WEEKS`` it should move, and the mean change measured when the
row was written (``effect``, averaged over the seeds ``SEEDS``). Both runs of a pair use the same
network and seed (common random numbers), so their difference is the parameter's effect.

The test requires every seed's difference to have the sign of ``effect`` and the mean
difference to lie within [0.5, 2] times ``effect``: a parameter that stops acting, acts the
wrong way round or acts with a different strength fails. The last column of each row's comment
is the standard deviation of the per-seed differences measured when written; in every row the
mean is at least 3 of those standard deviations divided by sqrt(3) away from zero unless noted.

``test_every_parameter_has_a_row`` fails when the schema gains a parameter without a row here:
add one (``python -m tests.test_parameter_effects`` prints each row's measured mean and spread).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.engine.model import BrandModel, build_network_for
from sim.params import ModelParams, make_params

WEEKS = 8
SEEDS = (1, 2, 3)
BASE = {
    "network": {"n": 300, "kind": "small_world"},
    "population": {"initial_awareness": 0.05},
    "arm": {"budget": 20.0, "push_share": 0.5},
}
SECTIONS = ("population", "product", "adoption", "wom", "push", "dialogue", "crisis", "arm")

NO_CAMPAIGN = {"arm": {"budget": 0.0}}
POSITIVE = {"population": {"initial_attitude": 0.5}}
PUSH = {"arm": {"push_share": 1.0, "budget": 5.0}}  # adstock stays below the irritation line
IRRITATING_PUSH = {"arm": {"push_share": 1.0, "budget": 30.0}}  # adstock around the line
HEAVY_PUSH = {"arm": {"push_share": 1.0, "budget": 80.0}}
DIALOGUE = {"arm": {"push_share": 0.0, "budget": 300.0}, "population": {"initial_awareness": 0.3}}
TALK = {"arm": {"budget": 0.0}, "population": {"initial_awareness": 0.5}}
PEERS = {  # a crisis makes 30 % aware at -0.7; they tell the unaware, who sit around 0
    "arm": {"budget": 0.0},
    "crisis": {"week": 1, "share": 0.3, "attitude": -0.7},
    "wom": {"talk_base": 0.5},
    "product": {"experience_rate": 0.0},
    "adoption": {"base_rate": 0.0},
}
NEGATIVE = {
    "arm": {"budget": 0.0},
    "population": {"initial_awareness": 0.5, "initial_attitude": -0.2, "attitude_spread": 0.6},
}


@dataclass(frozen=True)
class Effect:
    path: str
    value: object
    measure: str
    effect: float  # mean change measured when written
    sd: float  # standard deviation of the per-seed changes measured when written
    setup: dict = field(default_factory=dict)
    weeks: int = WEEKS


# fmt: off
EFFECTS = [
    # population             (path, changed value, measure, measured mean change, its sd, setup)
    Effect("population.initial_awareness", 0.06, "awareness", 0.03222, 0.0084, NO_CAMPAIGN),
    Effect("population.initial_attitude", 0.2, "mean_attitude", 0.1439, 0.014),
    Effect("population.attitude_spread", 0.36, "public_mentions", 5.556, 1.9, TALK),
    # product
    Effect("product.fit", 0.48, "mean_attitude", 0.05189, 0.0026, {"adoption": {"base_rate": 0.2}}),
    Effect("product.fit_ceiling", 0.96, "product_fit", 0.1297, 0.0, DIALOGUE),
    Effect("product.learning_half", 240.0, "product_fit", -0.02421, 0.0, DIALOGUE),
    Effect("product.experience_rate", 0.36, "mean_attitude", 0.0281, 0.0043, {
        "adoption": {"base_rate": 0.3}, "population": {"initial_attitude": -0.3},
        "product": {"fit": 0.6}}),
    # adoption
    Effect("adoption.base_rate", 0.024, "adoption", 0.05, 0.015),
    Effect("adoption.attitude_slope", 3.6, "adoption", 0.1233, 0.0088,
           {"population": {"initial_attitude": 0.5}}),
    # word of mouth
    Effect("wom.talk_base", 0.06, "wom_positive", 25.56, 13.0, TALK),
    Effect("wom.talk_feeling", 0.36, "wom_positive", 23.33, 6.7, TALK),
    Effect("wom.talk_advocacy", 0.6, "wom_positive", 73.33, 20.0, DIALOGUE),
    Effect("wom.listeners", 2, "awareness", 0.07667, 0.0067, {"arm": {"budget": 2.0}}),
    Effect("wom.credibility", 0.96, "mean_attitude", -0.02678, 0.0011, PEERS),
    Effect("wom.mu", 0.48, "mean_attitude", -0.02678, 0.0011, PEERS),
    Effect("wom.epsilon", 0.72, "mean_attitude", -0.03092, 0.0079,
           {**PEERS, "wom": {"talk_base": 0.5, "epsilon": 0.6}}),
    Effect("wom.negative_incidence", 1.2, "wom_negative", 131.1, 47.0, NEGATIVE),
    Effect("wom.negative_impact", 1.2, "mean_attitude", -0.01206, 0.0029, NEGATIVE),
    Effect("wom.public_share", 0.24, "public_mentions", 14.44, 1.9, TALK),
    # push
    Effect("push.cost_per_impression", 0.012, "awareness", -0.04222, 0.01,
           {"arm": {"push_share": 1.0, "budget": 2.0}}),
    Effect("push.claim", 0.96, "mean_attitude", 0.0332, 0.00093,
           {**PUSH, "push": {"epsilon": 2.0}}),  # (epsilon 1 keeps far customers unmoved)
    Effect("push.credibility", 0.36, "mean_attitude", 0.02357, 0.0028, PUSH),
    Effect("push.mu", 0.36, "mean_attitude", 0.02357, 0.0028, PUSH),
    Effect("push.epsilon", 1.2, "mean_attitude", 0.01744, 0.0015,
           {**PUSH, "population": {"initial_attitude": -0.3, "attitude_spread": 1.0}}),
    Effect("push.half_life", 3.0, "irritated", 0.1333, 0.046, IRRITATING_PUSH),
    Effect("push.effective_frequency", 3.6, "mean_attitude", -0.01383, 0.00054,
           PUSH),
    Effect("push.irritation_threshold", 12.0, "irritated", -0.3144, 0.035, IRRITATING_PUSH),
    Effect("push.complaint_prob", 0.24, "wom_negative", 255.6, 23.0, HEAVY_PUSH),
    Effect("push.complaint_position", -0.72, "mean_attitude", -0.01147, 0.0016, HEAVY_PUSH),
    # dialogue
    Effect("dialogue.cost_per_conversation", 6.0, "conversations", -80.0, 0.0, DIALOGUE),
    Effect("dialogue.listening_share", 0.6, "conversations", 55.56, 16.0,
           {**TALK, "wom": {"talk_base": 0.5},
            "arm": {"push_share": 0.0, "budget": 300.0, "outreach": "none"}}),
    Effect("dialogue.claim", 0.96, "mean_attitude", 0.04374, 0.0049,
           {**DIALOGUE, "dialogue": {"honesty_margin": 1.0}}),
    Effect("dialogue.honesty_margin", 0.24, "mean_attitude", 0.005757, 0.0022, DIALOGUE),
    Effect("dialogue.credibility", 0.9, "mean_attitude", 0.03536, 0.0041,
           {**DIALOGUE, "dialogue": {"credibility": 0.75}}),
    Effect("dialogue.mu", 0.6, "mean_attitude", 0.04508, 0.0033, DIALOGUE),
    Effect("dialogue.epsilon", 1.8, "mean_attitude", 0.1814, 0.028,
           {**DIALOGUE, "population": {"initial_awareness": 0.3, "initial_attitude": -0.6,
                                       "attitude_spread": 0.4}}),
    Effect("dialogue.advocacy_boost", 0.96, "wom_positive", 73.33, 20.0, DIALOGUE),
    Effect("dialogue.advocacy_half_life", 3.6, "wom_positive", 30.0, 5.8, DIALOGUE),
    Effect("dialogue.observer_mu", 0.12, "mean_attitude", 0.00419, 0.00065,
           {**DIALOGUE, "population": {"initial_awareness": 0.3, "initial_attitude": -0.3}}),
    # crisis
    Effect("crisis.week", 4, "mean_attitude", -0.3034, 0.013),
    Effect("crisis.share", 0.36, "mean_attitude", -0.05484, 0.022, {"crisis": {"week": 4}}),
    Effect("crisis.attitude", -0.84, "mean_attitude", -0.04707, 0.014, {"crisis": {"week": 4}}),
    # arm
    Effect("arm.budget", 24.0, "spend", 32.67, 0.0),
    Effect("arm.push_share", 0.6, "awareness", 0.05111, 0.0077, {"arm": {"budget": 2.0}}),
    Effect("arm.target_group", "g1", "awareness", -0.6544, 0.018,
           {"network": {"n": 300, "kind": "communities"}, "arm": {"push_share": 1.0,
                                                                  "budget": 5.0}}),
    Effect("arm.outreach", "none", "conversations", -450.0, 8.8, DIALOGUE),
    Effect("arm.start_week", 3, "spend", -36.67, 0.0),
    Effect("arm.end_week", 5, "spend", -46.67, 0.0),
    # the switch
    Effect("attitudes", False, "mean_attitude", -0.5445, 0.0025, POSITIVE),
]
# fmt: on
# Parameters that cannot move a measure, each with the check that shows it.
NO_EFFECT = {"arm.name": "a label: results are identical (test_the_arm_name_changes_nothing)"}


def merged(base: dict, extra: dict) -> dict:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for key, value in extra.items():
        if isinstance(value, dict):
            out[key] = {**out.get(key, {}), **value}
        else:
            out[key] = value
    return out


def with_value(settings: dict, path: str, value) -> dict:
    parts = path.split(".")
    if len(parts) == 1:
        return {**settings, path: value}
    return merged(settings, {parts[0]: {parts[1]: value}})


# Weekly counts are noisy week by week: these are summed over the weeks.
COUNTS = {"wom_positive", "wom_negative", "public_mentions", "conversations", "complaints_answered"}


def final(settings: dict, seed: int, weeks: int, measure: str) -> float:
    """The measure at the last week (counts: summed over all weeks)."""
    params = make_params(**settings)
    model = BrandModel(params, network=build_network_for(params, seed), rng=seed)
    model.run_for(weeks)
    series = model.weekly_frame()[measure]
    return float(series.sum() if measure in COUNTS else series.iloc[-1])


def differences(row: Effect) -> np.ndarray:
    """Changed minus unchanged, per seed (same network and seed in both)."""
    settings = merged(BASE, row.setup)
    changed = with_value(settings, row.path, row.value)
    return np.array(
        [
            final(changed, seed, row.weeks, row.measure)
            - final(settings, seed, row.weeks, row.measure)
            for seed in SEEDS
        ]
    )


def schema_paths() -> set[str]:
    paths = {"attitudes"}
    for section in SECTIONS:
        paths |= {
            f"{section}.{name}"
            for name in ModelParams.model_fields[section].annotation.model_fields
        }
    return paths


def test_every_parameter_has_a_row():
    """A parameter added to the schema needs a row in EFFECTS (or a reason in NO_EFFECT)."""
    rows = [row.path for row in EFFECTS]
    assert len(rows) == len(set(rows)), "one row per parameter"
    assert set(rows) | set(NO_EFFECT) == schema_paths()


@pytest.mark.parametrize("row", EFFECTS, ids=[row.path for row in EFFECTS])
def test_parameter_moves_its_measure(row):
    d = differences(row)
    assert np.all(np.sign(d) == np.sign(row.effect)), (row.path, d)
    low, high = sorted((0.5 * row.effect, 2.0 * row.effect))
    assert low <= d.mean() <= high, (row.path, d.mean(), row.effect)


def test_the_arm_name_changes_nothing():
    settings = merged(BASE, {"arm": {"name": "another label"}})
    for measure in ("awareness", "mean_attitude", "spend", "wom_positive"):
        assert final(settings, 1, WEEKS, measure) == final(BASE, 1, WEEKS, measure)


if __name__ == "__main__":  # print the measured rows: mean and spread of the differences
    for row in EFFECTS:
        d = differences(row)
        print(f"{row.path:34} {row.measure:18} {d.mean():+.4g} (sd {d.std(ddof=1):.2g}) {d}")
