"""Plausible ranges of the model's parameters: the one table the sensitivity analysis samples.

Every numeric parameter of ``sim.params.ModelParams`` is either in ``RANGES`` (a low and high
value, in the schema's own units, with where the range comes from) or in ``EXCLUDED`` (with the
reason it is not varied). ``tests/test_sensitivity.py`` fails when a numeric schema field is in
neither, so a new parameter cannot silently escape the analysis.

The ranges are around the default scenario's market (scenarios/default.toml: a grocery brand,
small-world network, repeat purchases). "illustrative" means: no published estimate was found
for this model's parameter; the range is a judgement, wide enough to cover the values the
shipped scenarios and docs/model.md use. A range is not a prior: every value in it is treated
as equally plausible (uniform sampling).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import ModelParams


@dataclass(frozen=True)
class Range:
    """A parameter's plausible range: ``low`` to ``high`` in its schema units.

    ``integer``: the sampled value is rounded to a whole number (weeks, listeners).
    """

    path: str
    low: float
    high: float
    source: str
    integer: bool = False


_I = "illustrative"

RANGES: tuple[Range, ...] = (
    # network (the default scenario's small world)
    Range("network.mean_degree", 4.0, 20.0, _I + " (personal networks of a few to tens of ties)"),
    Range("network.rewire", 0.01, 0.3, _I + " (Watts & Strogatz 1998: the small-world band)"),
    # population
    Range("population.initial_awareness", 0.0, 0.05, _I + " (a new brand: almost unknown)"),
    Range("population.initial_attitude", -0.2, 0.2, _I + " (neutral predisposition +/- 0.2)"),
    Range("population.attitude_spread", 0.1, 0.6, _I),
    Range("population.taste_spread", 0.1, 0.6, _I + " (docs/model.md: 0 and 0.7 as extremes)"),
    Range("population.media_shape", 0.5, 3.0, _I + " (heavy-tailed to even media use)"),
    Range("population.unreachable_share", 0.05, 0.3, _I + " (ad-blocker and no-TV shares)"),
    Range("population.tolerance_spread", 0.2, 1.0, _I),
    Range("population.anchoring", 0.0, 0.15, _I + " (Friedkin & Johnsen 1990: stubbornness)"),
    Range("population.recall_half_life", 8.0, 52.0, _I + " (brand memory: months to a year)"),
    # product
    Range("product.fit", 0.1, 0.7, _I + " (a product customers like, mildly to strongly)"),
    Range("product.experience_rate", 0.1, 0.5, _I),
    # adoption
    Range("adoption.base_rate", 0.005, 0.05, _I),
    Range("adoption.attitude_slope", 1.0, 5.0, _I),
    # market (docs/model.md 7.6 sources the default scenario's values)
    Range("market.potential", 0.3, 0.9, "grocery category penetrations (Ehrenberg 1988), widened"),
    Range("market.purchase_rate", 0.1, 0.4, "5-20 category purchases a year (Ehrenberg 1988)"),
    Range("market.choice_slope", 1.5, 5.0, _I),
    Range("market.competitor", 0.4, 0.8, _I + " (brand share of requirements about 1/5 to 1/2)"),
    # money
    Range("money.unit_margin", 0.5, 1.5, _I + " (a sixth to a half of the price of 3)"),
    # word of mouth
    Range("wom.talk_base", 0.003, 0.015, _I + " (half to twice the default, itself from Bass q)"),
    Range("wom.talk_feeling", 0.01, 0.04, _I),
    Range("wom.talk_advocacy", 0.2, 0.8, _I),
    Range("wom.listeners", 1, 3, _I, integer=True),
    Range("wom.credibility", 0.6, 0.95, "peers above ads (Nielsen trust surveys), " + _I),
    Range("wom.mu", 0.2, 0.6, _I),
    Range("wom.epsilon", 0.6, 2.0, _I + " (narrow to open-minded listeners)"),
    Range("wom.negative_incidence", 1.0, 3.0, "East et al. 2007; DESIGN.md: sweep 1.5 to 3"),
    Range("wom.negative_impact", 1.0, 3.0, "evidence mixed (DESIGN.md): sweep 1 to 3"),
    Range("wom.public_share", 0.1, 0.4, _I),
    # push
    Range("push.cost_per_impression", 0.005, 0.02, "CPM 5 to 20 (display and TV-like prices)"),
    Range("push.claim", 0.6, 1.0, _I),
    Range("push.credibility", 0.15, 0.45, "ads below brand sites and peers (trust surveys), " + _I),
    Range("push.mu", 0.15, 0.45, _I),
    Range("push.epsilon", 0.6, 2.0, _I),
    Range("push.half_life", 2.0, 12.0, "ad carry-over half-life 2 to 12 weeks (DESIGN.md)"),
    Range("push.effective_frequency", 2.0, 5.0, _I + " (effective frequency about 3)"),
    Range("push.irritation_threshold", 7.0, 20.0, _I + " (above effective frequency)"),
    Range("push.reactance", 0.1, 0.5, _I),
    Range("push.complaint_prob", 0.005, 0.1, _I + " (a few complaints a year at most)"),
    Range("push.complaint_position", -0.9, -0.3, _I),
    Range("push.talk_lift", 0.0, 0.02, _I + " (ads prompt a minority of brand talk: Keller & Fay)"),
    # dialogue
    Range("dialogue.cost_per_conversation", 1.0, 10.0, _I + " (minutes of staff time)"),
    Range("dialogue.listening_share", 0.2, 0.9, _I),
    Range("dialogue.claim", 0.6, 1.0, _I),
    Range("dialogue.honesty_margin", 0.0, 0.4, _I),
    Range("dialogue.credibility", 0.75, 1.0, _I + " (answers above peers' default)"),
    Range("dialogue.mu", 0.3, 0.7, _I),
    Range("dialogue.epsilon", 1.0, 2.0, _I),
    Range("dialogue.advocacy_boost", 0.4, 1.0, _I),
    Range("dialogue.advocacy_half_life", 1.0, 6.0, "WOM carry-over about 3 weeks (Trusov 2009)"),
    Range("dialogue.observer_mu", 0.02, 0.2, _I),
    Range("dialogue.recovery_loyalty", 0.0, 0.6, _I + " (complaint handling raises loyalty)"),
    Range("dialogue.recovery_half_life", 4.0, 26.0, _I),
    # public word of mouth
    Range(
        "public.follower_share",
        0.1,
        0.6,
        "a post reaches about a third of friends (Bernstein et al. 2013), widened",
    ),
    Range("public.browsers", 0, 10, _I + " (many read, few write)", integer=True),
    Range(
        "public.credibility",
        0.4,
        0.8,
        "online opinions between friends and ads (trust surveys), " + _I,
    ),
    Range("public.rating_readers", 0.02, 0.3, _I),
    Range("public.rating_half_life", 8.0, 52.0, _I),
    Range("public.rating_volume_half", 1.0, 20.0, _I),
    Range("public.answered_weight", 0.25, 1.0, _I + " (answers soften a complaint's weight)"),
    # stories (the dialogue's retelling advantage is a range, not a fixed advantage)
    Range("stories.ad_share", 0.0, 0.05, _I),
    Range("stories.dialogue_share", 0.2, 0.8, _I),
    Range("stories.experience_share", 0.01, 0.2, _I),
    Range("stories.ad_retell", 0.02, 0.3, _I),
    Range("stories.dialogue_retell", 0.02, 0.3, _I),
    Range("stories.experience_retell", 0.02, 0.3, _I),
    # the campaign
    Range(
        "arm.budget",
        1.0,
        10.0,
        "the media plan, cu per 1,000 customers a week, both arms alike: 6-64 GRPs a week at "
        "the calibrated impression price (15.6 cu per 1,000); the A/S target (1-10 % on an "
        "established brand) holds in the plausible set at 1.0-1.5 cu only; a launch year's A/S "
        "is higher (about 6 % at 1 cu, 28 % at 10; docs/model.md 11)",
    ),
)

# Numeric schema parameters that are not varied, each with the reason.
EXCLUDED: dict[str, str] = {
    "network.n": "population size: fixed by the analysis (budgets are per 1,000 customers)",
    "network.triangle_prob": "inactive: only clustered scale-free networks use it",
    "network.groups": "inactive: only community networks use it",
    "network.mixing": "inactive: only community networks use it",
    "learning.ceiling": "inactive: learning is off in the default market",
    "learning.insights_half": "inactive: learning is off in the default market",
    "learning.lag_weeks": "inactive: learning is off in the default market",
    "market.launch_week": "inactive: no competitor launch in the default market",
    "market.launch_attractiveness": "inactive: no competitor launch in the default market",
    "money.price": "enters revenue only; profit uses the unit margin",
    "money.discount_rate": "enters customer equity only, not the outputs analysed",
    "crisis.week": "inactive: no crisis in the default market",
    "crisis.share": "inactive: no crisis in the default market",
    "crisis.attitude": "inactive: no crisis in the default market",
    "arm.push_share": "defines the two arms compared (1 push, 0 dialogue)",
    "arm.start_week": "campaign timing: both arms spend from week 1",
    "arm.end_week": "campaign timing: both arms spend to the end",
    "arm.push_grps": "another way of stating push money: the analysis states it in cu",
    "arm.ad_to_sales": "another way of stating push money: the analysis states it in cu",
    "arm.planned_revenue": "another way of stating push money: the analysis states it in cu",
    "arm.burst_weeks": "campaign timing: no launch burst in the default market",
    "arm.burst_factor": "campaign timing: no launch burst in the default market",
    "push.frequency_cap": "a media-plan lever, off in the default market",
    "measures.sentiment_cutoff": "changes no dynamics, and the outputs analysed do not use it",
    "measures.top_box_cutoff": "changes no dynamics, and the outputs analysed do not use it",
}

BY_PATH: dict[str, Range] = {r.path: r for r in RANGES}


def apply_point(data: dict, point, budget: float) -> float:
    """Set ``point``'s values (``{path: value}``) in the parameter data ``data`` (in place) and
    return the arms' weekly budget: ``arm.budget`` in a point is the budget of the arms being
    compared, not a model parameter (``budget`` when the point has none)."""
    for path, value in point.items():
        if path == "arm.budget":
            budget = float(value)
            continue
        section, name = path.split(".")
        data[section][name] = value
    return budget


def numeric_schema_paths() -> list[str]:
    """Dotted paths of every numeric (int or float, possibly switchable) schema parameter."""
    out = []
    for section, field in ModelParams.model_fields.items():
        model = field.annotation
        if not isinstance(model, type) or not hasattr(model, "model_fields"):
            continue
        for name, sub in model.model_fields.items():
            text = str(sub.annotation)
            if sub.annotation in (int, float) or "float" in text or "int" in text:
                if sub.annotation is bool:
                    continue
                out.append(f"{section}.{name}")
    return out


def check_table() -> list[str]:
    """Problems of the table (empty when every numeric parameter is covered exactly once and
    every range lies inside the schema's bounds with low < high)."""
    from sim.params import make_params

    problems = []
    paths = set(numeric_schema_paths())
    for path in sorted(paths):
        if path not in BY_PATH and path not in EXCLUDED:
            problems.append(f"{path}: numeric parameter with neither a range nor an exclusion")
    for path in sorted(set(BY_PATH) & set(EXCLUDED)):
        problems.append(f"{path}: both ranged and excluded")
    for path in sorted((set(BY_PATH) | set(EXCLUDED)) - paths):
        problems.append(f"{path}: not a numeric schema parameter")
    for r in RANGES:
        if not r.low < r.high:
            problems.append(f"{r.path}: low {r.low} is not below high {r.high}")
        if not r.source:
            problems.append(f"{r.path}: no source")
        section, name = r.path.split(".")
        for value in (r.low, r.high):
            try:
                make_params({section: {name: int(value) if r.integer else value}})
            except ValueError as error:
                problems.append(f"{r.path}: {value} refused by the schema ({error})")
    return problems
