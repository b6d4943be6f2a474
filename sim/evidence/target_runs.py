"""Measure the empirical targets (``sim.evidence.targets``) of one market: a parameter point.

One call runs the default scenario's grocery market with ``point``'s values set (paths of
``sim.evidence.ranges``) and returns one value per target. All runs of a call share one network
and one seed (common random numbers), so every elasticity is a paired comparison of two runs
that differ only in the driver; with one seed a value is noisy, and ``replicates`` averages the
runs' outcomes over more seeds before the ratios are taken.

The runs (weeks; n customers each):

- ``base``: push at the plan (the default scenario's ``arm.budget``), weeks 1-156. Gives
  positive to negative talk, the advertising-to-sales ratio, top box and bimodality in weeks
  105-156 (an established brand), and the Bass fit of the trial curve in weeks 0-104.
- ``ad``: the base run copied at week 104 with push spend x 2 from week 105 (advertising
  elasticities: short term weeks 105-117, long term weeks 144-156).
- ``quiet_ads``: the base run copied at week 104 with ads no longer starting talk
  (``push.talk_lift`` = 0, ``stories.ad_share`` = 0): the share of talk advertising starts.
- ``talk``: talk propensities (``wom.talk_base``, ``wom.talk_feeling``) x 2 from week 1:
  word-of-mouth volume (weeks 105-156) and referrals under push (new customers in weeks 1-52).
- ``organic``, ``organic_talk``: the same market spending nothing, weeks 1-52, with the talk
  propensities as they are and doubled: referrals of a brand that grows by word of mouth (the
  setting of Trusov et al. 2009: a site with little traditional marketing).
- ``negative``: ``wom.negative_incidence`` x 2 from week 1: valence (weeks 105-156).
- ``none``, ``hubs``, ``random``: weeks 1-52 on a scale-free network of the point's mean degree,
  spending nothing, or seeding a campaign once (week 1: conversations with SEED_SHARE of the
  customers, whatever a conversation costs) with the most connected customers or with random
  ones (the source's setting: a viral campaign seeded once at chosen seeding points):
  customers made aware beyond spending nothing.

Every elasticity is the two-point log-log slope ``ln(y1 / y0) / ln(x1 / x0)``; NaN where a
driver or outcome is not positive (a market where the regularity cannot show).
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Mapping

import numpy as np

from sim.engine.model import BrandModel, build_network_for
from sim.evidence.bassfit import fit_bass
from sim.evidence.elasticity_runs import window_sum
from sim.evidence.panel import Panel
from sim.evidence.ranges import apply_point
from sim.evidence.targets import REQUIRED, total_distance
from sim.params import make_params

# Every driver is doubled: over a doubling the seed-to-seed spread of an elasticity is half what
# it is over a factor sqrt 2 (12 seeds of the default market at 6,000 customers: advertising
# elasticities sd 0.008-0.012, word-of-mouth volume 0.006, referrals 0.008, valence 0.10).
STEP = 2.0
RUN_IN = 104  # weeks before the established-brand window
WEEKS = 156
ESTABLISHED = (105, 156)  # weeks (inclusive)
SHORT = (105, 117)
LONG = (144, 156)
LAUNCH = (1, 52)
BASS_WEEKS = 104
SEED_WEEKS = 52
# The seeding runs seed a campaign once, in week 1, with this share of the customers (the
# number of conversations is fixed; their money follows the cost per conversation).
# Illustrative: the field experiments seeded once at a small set of seeding points. Measured on
# the session-7 ABC market (6,000 customers, 3 seeds): hubs over random 2.3-4.8 at 1 %, 1.7-3.1
# at 2 %, 1.4-1.6 at 5 %; a year of dialogue at 20 cu (the old design, 10-20 % of customers
# reached, and the number of them set by the cost per conversation) gave about 1.17.
SEED_SHARE = 0.02
TOP_BOX = 0.6


@functools.lru_cache(maxsize=4)
def _base_data(scenario: str) -> tuple[str, float]:
    """The scenario's resolved parameters (JSON text, so each call gets a fresh copy) and the
    push arm's weekly budget (cu per 1,000 customers)."""
    import json

    from sim.study.scenario import load_scenario

    params, arms = load_scenario(scenario, preflight=False).resolve()
    budgets = {a.name: a.budget for a in arms}
    return json.dumps(params.model_dump(mode="json")), float(budgets.get("push", 3.0))


def push_budget(scenario: str = "default") -> float:
    """The push arm's weekly budget of ``scenario`` (the plan the targets are measured at)."""
    return _base_data(scenario)[1]


def market_params(point: Mapping[str, float], n: int, scenario: str = "default"):
    """The scenario's parameters with ``point`` set (``arm.budget`` is the push arm's budget)
    and ``n`` customers; returns ``(ModelParams, push budget)``."""
    import json

    text, budget = _base_data(scenario)
    data = json.loads(text)
    budget = apply_point(data, point, budget)
    data["network"]["n"] = int(n)
    return make_params(data), budget


def _push(budget: float) -> dict:
    return {"name": "push", "budget": budget, "push_share": 1.0}


def _section(params, name: str, **changes):
    return params.model_copy(update={name: getattr(params, name).model_copy(update=changes)})


def _run(params, network, seed: int, arm: dict, weeks: int) -> BrandModel:
    model = BrandModel(params, network=network, rng=seed, arm=arm)
    model.run_for(weeks)
    return model


def _continue(model: BrandModel, params, weeks: int) -> BrandModel:
    """A copy of ``model`` that runs on from its week with ``params`` (same random numbers)."""
    twin = copy.deepcopy(model)
    twin.params = params
    twin.run_for(weeks)
    return twin


def _talk(frame, weeks) -> float:
    return window_sum(frame, "wom_positive", weeks) + window_sum(frame, "wom_negative", weeks)


def _at(frame, column: str, week: int) -> float:
    return float(frame.loc[frame["week"] == week, column].iloc[0])


def slope(x0: float, y0: float, x1: float, y1: float) -> float:
    """Two-point log-log slope ``ln(y1/y0) / ln(x1/x0)`` (NaN unless all four are positive and
    the drivers differ)."""
    if min(x0, y0, x1, y1) <= 0 or x0 == x1 or not all(map(math.isfinite, (x0, y0, x1, y1))):
        return math.nan
    return math.log(y1 / y0) / math.log(x1 / x0)


def bimodality_coefficient(values: np.ndarray) -> float:
    """Sarle's bimodality coefficient ``(g**2 + 1) / (k + 3 (n - 1)**2 / ((n - 2)(n - 3)))``,
    ``g`` the sample skewness and ``k`` the excess kurtosis (bias-corrected): 1/3 for a normal
    distribution, 5/9 for a uniform one, 1 for two point masses (NaN under 4 values)."""
    from scipy.stats import kurtosis, skew

    n = values.size
    if n < 4 or np.ptp(values) == 0:
        return math.nan
    g = skew(values, bias=False)
    k = kurtosis(values, bias=False)
    return float((g**2 + 1) / (k + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))))


# The targets that the established brand's runs alone decide (``base``, ``ad`` and
# ``quiet_ads``: 260 of the 832 weeks a call runs). ``measure_targets(..., screen=...)`` judges
# them before it runs the rest; tests/test_targets.py checks that they need nothing else.
ESTABLISHED_TARGETS = (
    "ad_short",
    "ad_long",
    "ad_carryover",
    "positive_to_negative",
    "ad_talk_share",
    "bass_p",
    "bass_q",
    "trial_penetration",
    "purchase_frequency",
    "category_share",
    "double_jeopardy",
    "ad_to_sales",
    "top_box",
    "attitude_bimodality",
    "attitude_sd",
)


class _Unmeasured(dict):
    """Outcomes of which some were not run: a missing one reads as NaN."""

    def __missing__(self, key: str) -> float:
        return math.nan


def _too_far(outcomes: Mapping[str, float], tolerance: float) -> bool:
    """Whether the established brand's outcomes are already farther than ``tolerance`` from the
    required targets."""
    values = established_targets(outcomes)
    return total_distance(values, [t for t in REQUIRED if t.key in values]) > tolerance


def established_targets(outcomes: Mapping[str, float]) -> dict[str, float]:
    """The values of ``ESTABLISHED_TARGETS`` from the outcomes of the established brand's runs
    (the other outcomes need not be there)."""
    values = targets_from(_Unmeasured(outcomes))
    return {key: values[key] for key in ESTABLISHED_TARGETS}


def _outcomes(
    point: Mapping[str, float],
    seed: int,
    n: int,
    scenario: str,
    screen: Callable[[dict[str, float]], bool] | None = None,
) -> dict[str, float]:
    """The raw sums of one seed that the targets are ratios of. ``screen(outcomes)``, when
    given, is asked once the established brand's runs are done; when it says True the other
    runs are skipped and the outcomes so far returned."""
    params, budget = market_params(point, n, scenario)
    network = build_network_for(params, seed)
    arm = _push(budget)
    up = _push(budget * STEP)
    out: dict[str, float] = {}

    base_model = _run(params, network, seed, arm, RUN_IN)
    ad_model = copy.deepcopy(base_model)
    ad_model.params = params.model_copy(update={"arm": params.arm.model_copy(update=up)})
    quiet = _section(_section(params, "push", talk_lift=0.0), "stories", ad_share=0.0)
    quiet_model = _continue(
        base_model, quiet.model_copy(update={"arm": base_model.params.arm}), WEEKS - RUN_IN
    )
    # A year of panel data on the established brand, at the plan and with push doubled: each
    # customer's purchases of the brand and of the category (sim.evidence.panel).
    for name, model in (("base", base_model), ("ad", ad_model)):
        panel = Panel(model)
        panel.run_for(WEEKS - RUN_IN)
        for key, value in panel.summary().items():
            out[f"{name}.panel_{key}"] = value * 1000.0 / n  # per 1,000 customers, as units
    base = base_model.weekly_frame()
    ad_frame, quiet_frame = ad_model.weekly_frame(), quiet_model.weekly_frame()
    for name, frame in (("base", base), ("ad", ad_frame)):
        _frame_outcomes(out, name, frame)
    out["quiet.talk"] = _talk(quiet_frame, ESTABLISHED)
    spend = _at(base, "spend", WEEKS) - _at(base, "spend", RUN_IN)
    out["base.ad_to_sales"] = spend / max(window_sum(base, "revenue", ESTABLISHED), 1e-12)
    window = base[(base["week"] >= ESTABLISHED[0]) & (base["week"] <= ESTABLISHED[1])]
    out["base.top_box"] = float(window["top_box"].mean())
    out["base.trial"] = _at(base, "adoption", LAUNCH[1]) / params.market.potential
    state = base_model.state
    out["base.bimodality"] = bimodality_coefficient(state.attitude[state.aware])
    out["base.attitude_sd"] = float(np.std(state.attitude[state.aware]))
    trial = base.loc[base["week"] <= BASS_WEEKS, "adoption"].to_numpy()
    fit = fit_bass(np.diff(trial) * n)
    out["base.bass_p"], out["base.bass_q"] = fit.p * 52.0, fit.q * 52.0
    if screen is not None and screen(out):
        return out

    wom = params.wom
    talk_params = _section(
        params,
        "wom",
        talk_base=min(1.0, wom.talk_base * STEP),
        talk_feeling=wom.talk_feeling * STEP,
    )
    talk = _run(talk_params, network, seed, arm, WEEKS).weekly_frame()
    negative = _run(
        _section(params, "wom", negative_incidence=wom.negative_incidence * STEP),
        network,
        seed,
        arm,
        WEEKS,
    ).weekly_frame()
    for name, frame in (("talk", talk), ("negative", negative)):
        _frame_outcomes(out, name, frame)

    nothing = {"name": "none", "budget": 0.0, "push_share": 0.0}
    organic = _run(params, network, seed, nothing, LAUNCH[1]).weekly_frame()
    organic_talk = _run(talk_params, network, seed, nothing, LAUNCH[1]).weekly_frame()
    for name, frame in (("organic", organic), ("organic_talk", organic_talk)):
        out[f"{name}.launch_talk"] = _talk(frame, LAUNCH)
        out[f"{name}.new"] = _at(frame, "adoption", LAUNCH[1]) - _at(frame, "adoption", 0)

    seeding = make_params(
        params.model_dump(mode="json")
        | {"network": params.network.model_dump(mode="json") | {"kind": "scale_free"}}
    )
    seed_network = build_network_for(seeding, seed)
    # cu per 1,000 customers in week 1: conversations with SEED_SHARE of them
    seed_money = SEED_SHARE * 1000.0 * seeding.dialogue.cost_per_conversation
    once = {"budget": seed_money, "push_share": 0.0, "end_week": 1}
    for name, arm_spec in (
        ("none", {"name": "none", "budget": 0.0, "push_share": 0.0}),
        ("hubs", {"name": "hubs", **once, "outreach": "hubs"}),
        ("random", {"name": "random", **once, "outreach": "random"}),
    ):
        frame = _run(seeding, seed_network, seed, arm_spec, SEED_WEEKS).weekly_frame()
        out[f"seed.{name}"] = _at(frame, "ever_aware", SEED_WEEKS)
    return out


def _frame_outcomes(out: dict[str, float], name: str, frame) -> None:
    """The sums of a 156-week run ``name`` that the targets use (units, talk, new customers)."""
    out[f"{name}.units_short"] = window_sum(frame, "units", SHORT)
    out[f"{name}.units_long"] = window_sum(frame, "units", LONG)
    out[f"{name}.units"] = window_sum(frame, "units", ESTABLISHED)
    out[f"{name}.positive"] = window_sum(frame, "wom_positive", ESTABLISHED)
    out[f"{name}.negative"] = window_sum(frame, "wom_negative", ESTABLISHED)
    out[f"{name}.launch_talk"] = _talk(frame, LAUNCH)
    out[f"{name}.new"] = _at(frame, "adoption", LAUNCH[1]) - _at(frame, "adoption", 0)


def targets_from(o: Mapping[str, float]) -> dict[str, float]:
    """Each target's value from the (seed-averaged) outcomes of :func:`_outcomes`."""
    ad_short = slope(1.0, o["base.units_short"], STEP, o["ad.units_short"])
    ad_long = slope(1.0, o["base.units_long"], STEP, o["ad.units_long"])
    base_talk = o["base.positive"] + o["base.negative"]
    talk_talk = o["talk.positive"] + o["talk.negative"]
    share = lambda p, q: p / (p + q) if p + q > 0 else math.nan  # noqa: E731
    referrals = slope(
        o["organic.launch_talk"],
        o["organic.new"],
        o["organic_talk.launch_talk"],
        o["organic_talk.new"],
    )
    hubs_gain = o["seed.hubs"] - o["seed.none"]
    random_gain = o["seed.random"] - o["seed.none"]
    return {
        "ad_short": ad_short,
        "ad_long": ad_long,
        "ad_carryover": ad_long / ad_short if ad_short > 0 else math.nan,
        "wom_volume": slope(base_talk, o["base.units"], talk_talk, o["talk.units"]),
        "wom_valence": slope(
            share(o["base.positive"], o["base.negative"]),
            o["base.units"],
            share(o["negative.positive"], o["negative.negative"]),
            o["negative.units"],
        ),
        "referrals": referrals,
        "referrals_push": slope(
            o["base.launch_talk"], o["base.new"], o["talk.launch_talk"], o["talk.new"]
        ),
        "referral_over_ad": referrals / ad_long if ad_long > 0 else math.nan,
        "positive_to_negative": (
            o["base.positive"] / o["base.negative"] if o["base.negative"] > 0 else math.inf
        ),
        "ad_talk_share": 1.0 - o["quiet.talk"] / base_talk if base_talk > 0 else math.nan,
        "hub_seeding": hubs_gain / random_gain if random_gain > 0 else math.nan,
        "bass_p": o["base.bass_p"],
        "bass_q": o["base.bass_q"],
        "trial_penetration": o["base.trial"],
        "purchase_frequency": ratio(o["base.panel_units"], o["base.panel_buyers"]),
        "category_share": ratio(o["base.panel_units"], o["base.panel_buyer_category"]),
        "double_jeopardy": double_jeopardy(o),
        "ad_to_sales": o["base.ad_to_sales"],
        "top_box": o["base.top_box"],
        "attitude_bimodality": o["base.bimodality"],
        "attitude_sd": o["base.attitude_sd"],
    }


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN when the denominator is not positive."""
    return numerator / denominator if denominator > 0 else math.nan


def double_jeopardy(o: Mapping[str, float]) -> float:
    """The share of the brand's growth that comes from more buyers, over the double-jeopardy
    line's prediction.

    With push doubled for a year the brand's units grow; ``ln units = ln buyers + ln (units per
    buyer)``, so ``R = ln(buyers1 / buyers0) / ln(units1 / units0)`` is the share of the growth
    that comes from penetration. Along Ehrenberg's double-jeopardy line ``w (1 - b) = w0``
    (purchases per buyer ``w``, penetration ``b`` among category buyers) a brand's frequency
    grows with its penetration as ``d ln w / d ln b = b / (1 - b)``, so ``R = 1 - b``. Returns
    ``R / (1 - b)`` at the plan's penetration: 1 on the line, above 1 when growth comes more from
    new buyers than the line says (frequency flat or falling), below when more from loyalty."""
    growth = slope(
        o["base.panel_units"], o["base.panel_buyers"], o["ad.panel_units"], o["ad.panel_buyers"]
    )
    b = ratio(o["base.panel_buyers"], o["base.panel_category_buyers"])
    if not math.isfinite(growth) or not math.isfinite(b) or b >= 1.0:
        return math.nan
    return growth / (1.0 - b)


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of one replicate of a measurement (replicate 0 is ``seed`` itself)."""
    if replicate == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(replicate)]).generate_state(1)[0])


def measure_targets(
    point: Mapping[str, float] | None = None,
    seed: int = 2024,
    n: int = 6000,
    replicates: int = 1,
    scenario: str = "default",
    screen: float | None = None,
) -> dict[str, float]:
    """Every target's value for the market ``point`` (``{path: value}`` over the scenario).

    Parameters
    ----------
    point : mapping of str to float, optional
        Parameter paths (``"wom.talk_base"``; ``"arm.budget"`` is the push arm's budget, cu per
        1,000 customers a week) and their values; none: the scenario's own market.
    seed : int
        Master seed; the same point, seed, ``n`` and replicates give the same values.
    n : int
        Customers (6,000 by default: the runs' cost is mostly per week, not per customer, so
        a call costs about the same at 1,500 customers, about half a second, with four times
        the noise in every ratio).
    replicates : int
        Seeds whose outcomes are averaged before the ratios are taken (ratios of means).
    screen : float, optional
        Stop early where the market is already too far from the targets: with one replicate,
        judge the ``ESTABLISHED_TARGETS`` once the established brand's runs are done and, when
        their distance (``total_distance`` over the required ones among them) exceeds
        ``screen``, return those values only (the other targets are missing; a missing target
        counts as missed, so the total distance exceeds ``screen`` too). Otherwise every value
        is returned, the same as without ``screen``. ``0``: the exploration at tolerance 0
        (``sim.evidence.abc_explore``); a generation's threshold: ABC-SMC
        (``sim.evidence.abc_screen``).
    """
    point = dict(point or {})
    if screen is not None and int(replicates) == 1:
        too_far = functools.partial(_too_far, tolerance=float(screen))
        outcomes = _outcomes(point, int(seed), n, scenario, screen=too_far)
        if too_far(outcomes):  # (stopped early: the later runs' outcomes are missing)
            return established_targets(outcomes)
        return targets_from(outcomes)
    runs = [_outcomes(point, replicate_seed(seed, r), n, scenario) for r in range(int(replicates))]
    mean = {key: float(np.mean([run[key] for run in runs])) for key in runs[0]}
    return targets_from(mean)
