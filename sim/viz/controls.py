"""The app's controls: their ranges (taken from the parameter schema) and how they become a run.

Every slider's range lies inside the bounds that ``sim.params`` allows for its field, so a value the
model would refuse cannot be entered. The seed is typed as text; ``parse_seed`` turns it into a
whole number or a message for the page.

A preset fills the controls. When the run is built, a control overrides the preset only if it was
moved away from the value the preset gave it, so an untouched preset runs exactly as its file says.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields, replace

import annotated_types

from sim.i18n import N_, Message
from sim.params import NETWORK_KINDS, ArmSpec, ModelParams, make_params
from sim.study.arms import run_seed
from sim.viz.presets import Preset

STRATEGIES = ("none", "push", "dialogue", "mix")
# Whom spare dialogue capacity starts conversations with (``arm.outreach``).
OUTREACH = ("random", "hubs", "none")
EVERYONE = ""  # the target group of push to everyone (``arm.target_group = None``)
GROUP_TEXT_MAX = 60  # characters of a target group's name (an arm's name has at most 60)
# One campaign's controls; campaign B's have the same names with "_b".
CAMPAIGN_FIELDS = ("strategy", "push_share", "budget", "outreach", "target_group")
CAMPAIGN_B_FIELDS = tuple(f"{name}_b" for name in CAMPAIGN_FIELDS)
# Network families offered in the menu (a file network needs a path: only from a preset).
MENU_KINDS = tuple(k for k in NETWORK_KINDS if k != "file")
REAL_KINDS = ("karate", "les_miserables", "florentine", "davis")
SEED_MAX = 2**63 - 1


@dataclass(frozen=True)
class SliderSpec:
    """A slider bound to the schema field ``section.field``: ``min..max`` by ``step``."""

    name: str
    label: str
    section: str
    field: str
    min: float
    max: float
    step: float
    integer: bool = False


def schema_bounds(section: str, field: str) -> tuple[float, float, bool, bool]:
    """``(low, high, low_strict, high_strict)`` that ``ModelParams`` allows for a field."""
    model = type(getattr(ModelParams(), section))
    info = model.model_fields[field]
    lo, hi, lo_strict, hi_strict = -math.inf, math.inf, False, False
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            lo = float(item.ge)
        elif isinstance(item, annotated_types.Gt):
            lo, lo_strict = float(item.gt), True
        elif isinstance(item, annotated_types.Le):
            hi = float(item.le)
        elif isinstance(item, annotated_types.Lt):
            hi, hi_strict = float(item.lt), True
    return lo, hi, lo_strict, hi_strict


def _slider(name, label, section, field, lo, hi, step, integer=False) -> SliderSpec:
    """A slider over ``lo..hi`` clipped to what the schema allows for ``section.field``."""
    s_lo, s_hi, lo_strict, hi_strict = schema_bounds(section, field)
    lo = max(lo, s_lo + step if lo_strict else s_lo)
    hi = min(hi, s_hi - step if hi_strict else s_hi)
    return SliderSpec(name, label, section, field, lo, hi, step, integer)


SLIDERS: dict[str, SliderSpec] = {
    s.name: s
    for s in (
        _slider("budget", "Weekly budget (cu per 1,000 customers)", "arm", "budget", 0, 200, 0.1),
        _slider("budget_b", "Weekly budget (B)", "arm", "budget", 0, 200, 0.1),
        _slider("push_share", "Push share of the budget", "arm", "push_share", 0, 1, 0.05),
        _slider("push_share_b", "Push share of the budget (B)", "arm", "push_share", 0, 1, 0.05),
        _slider("fit", "Product fit (attitude)", "product", "fit", -1, 1, 0.05),
        _slider("ad_credibility", "Ad credibility", "push", "credibility", 0, 1, 0.05),
        _slider("negativity", "Negativity multiplier", "wom", "negative_impact", 0.0, 5.0, 0.1),
        _slider("n", "Customers", "network", "n", 50, 5000, 50, integer=True),
    )
}


@dataclass(frozen=True)
class Controls:
    """What the control panel holds. ``seed`` is the text as typed.

    Campaign A's settings are ``strategy``, ``push_share``, ``budget``, ``outreach`` and
    ``target_group`` (``EVERYONE``: push to everyone); campaign B's the same with ``_b``."""

    preset: str = "default"
    strategy: str = "mix"
    push_share: float = 0.5
    budget: float = 20.0
    fit: float = 0.4
    ad_credibility: float = 0.3
    negativity: float = 1.0
    network_kind: str = "small_world"
    n: int = 1000
    seed: str = "42"
    compare: bool = False
    strategy_b: str = "dialogue"
    push_share_b: float = 0.5
    budget_b: float = 20.0
    outreach: str = "random"
    outreach_b: str = "random"
    target_group: str = EVERYONE
    target_group_b: str = EVERYONE

    def changed_from(self, other: Controls) -> list[str]:
        """Names of the controls whose values differ from ``other``."""
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


def parse_seed(text: object) -> tuple[int | None, str | None]:
    """``(seed, None)`` for a whole number 0 .. 2**63 - 1, else ``(None, message)`` (a
    :class:`sim.i18n.Message`: English, and in the page's language with ``.text(_)``)."""
    if len(str(text)) > SEED_TEXT_MAX:
        return None, Message(BAD_SEED_LONG, max=str(SEED_MAX))
    raw = str(text).strip().replace("_", "").replace(",", "")
    if not re.fullmatch(r"[+]?\d+", raw):
        return None, Message(BAD_SEED_TEXT, text=repr(str(text).strip()))
    seed = int(raw)
    if seed > SEED_MAX:
        return None, Message(BAD_SEED_LARGE, seed=str(seed), max=str(SEED_MAX))
    return seed, None


BAD_SEED_LONG = N_("Seed is too long: use a whole number up to {max}.")
BAD_SEED_TEXT = N_("Seed {text} is not a whole number: type e.g. 42.")
BAD_SEED_LARGE = N_("Seed {seed} is too large: use a whole number up to {max}.")
TOO_LARGE = N_(
    "Too large for this server: {n} customers x {weeks} weeks x {replicates} replicates is "
    "{work} customer-weeks; the limit is {limit}."
)


def strategy_of(arm: ArmSpec) -> tuple[str, float]:
    """The menu strategy and push share that describe an arm."""
    if arm.budget == 0:
        return "none", 0.5
    if arm.push_share == 1.0:
        return "push", 1.0
    if arm.push_share == 0.0:
        return "dialogue", 0.0
    return "mix", arm.push_share


def arm_for(
    strategy: str,
    push_share: float,
    budget: float,
    base: ArmSpec,
    outreach: str | None = None,
    target_group: str | None = None,
) -> ArmSpec:
    """``base`` with the budget and push share of ``strategy``, and the outreach and target
    group when given (``EVERYONE``: no target group); its other settings kept. The push money
    is then budget x push share: a media plan of ``base`` (GRPs, an A/S target) gives way."""
    share = {"none": base.push_share, "push": 1.0, "dialogue": 0.0}.get(strategy, push_share)
    update = {
        "name": strategy,
        "budget": 0.0 if strategy == "none" else float(budget),
        "push_share": float(share),
        "push_grps": None,
        "ad_to_sales": None,
        "planned_revenue": None,
    }
    if outreach is not None:
        update["outreach"] = outreach
    if target_group is not None:
        update["target_group"] = target_group or None
    return ArmSpec.model_validate({**base.model_dump(), **update})


def budget_of(arm: ArmSpec, params: ModelParams) -> float:
    """The weekly money of an arm in cu per 1,000 customers (a media plan's push money when the
    arm buys GRPs: 100 GRPs are 1,000 impressions per 1,000 customers)."""
    if arm.push_grps is not None:
        return float(arm.push_grps) * 10.0 * params.push.cost_per_impression
    if arm.ad_to_sales is not None and arm.planned_revenue is not None:
        return float(arm.ad_to_sales) * float(arm.planned_revenue)
    return float(arm.budget)


def worksheet_arms(key: str) -> tuple[str, str] | None:
    """The arms A and B a workshop exercise's worksheet compares in the app
    (``sim.workshop.exercises.Exercise.app_arms``), None for any other preset."""
    from sim.workshop.exercises import EXERCISES

    for exercise in EXERCISES:
        if exercise.scenario == key:
            return exercise.app_arms
    return None


def comparison_arms(preset: Preset) -> tuple[ArmSpec, ArmSpec | None]:
    """The preset's arms A and B for side by side: a workshop exercise's the ones its worksheet
    compares; otherwise push and dialogue when it has them, else its first two that spend."""
    arms = list(preset.arms)
    by_name = {a.name: a for a in arms}
    chosen = worksheet_arms(preset.key)
    if chosen is not None and all(name in by_name for name in chosen):
        return by_name[chosen[0]], by_name[chosen[1]]
    if "push" in by_name and "dialogue" in by_name:
        return by_name["push"], by_name["dialogue"]
    spending = [a for a in arms if a.budget > 0] or arms
    if len(spending) >= 2:
        return spending[0], spending[1]
    return arms[0], None


def controls_for(preset: Preset) -> Controls:
    """The control values that show ``preset`` as it is."""
    p = preset.params
    arm_a, arm_b = comparison_arms(preset)
    strategy, share = strategy_of(arm_a)
    if arm_b is None:
        strategy_b = "dialogue" if strategy != "dialogue" else "push"
        share_b = 0.5
    else:
        strategy_b, share_b = strategy_of(arm_b)
    budget_a, budget_b = budget_of(arm_a, p), budget_of(arm_b or arm_a, p)
    # An arm that spends nothing shows the other's budget (choosing a strategy then spends it).
    budget = budget_a if budget_a > 0 else budget_b
    budget_b = budget_b if arm_b is not None and budget_b > 0 else budget
    kind = p.network.kind
    return Controls(
        preset=preset.key,
        strategy=strategy,
        push_share=_clip("push_share", share),
        budget=_clip("budget", budget),
        budget_b=_clip("budget_b", budget_b),
        outreach=arm_a.outreach,
        outreach_b=(arm_b or arm_a).outreach,
        target_group=arm_a.target_group or EVERYONE,
        target_group_b=(arm_b.target_group or EVERYONE) if arm_b is not None else EVERYONE,
        fit=_clip("fit", p.product.fit),
        ad_credibility=_clip("ad_credibility", p.push.credibility),
        negativity=_clip("negativity", p.wom.negative_impact),
        network_kind=kind,
        n=int(_clip("n", p.network.n)),
        seed=str(preset.seed),
        compare=False,  # presets open on one campaign; the switch shows the comparison
        strategy_b=strategy_b,
        push_share_b=_clip("push_share_b", share_b),
    )


# Work one page may ask for at a time, in customer-weeks (customers x weeks x runs; 'Run 20
# times' counts 20 runs of each campaign): 5,000 customers x 104 weeks x 2 campaigns x 20
# replicates is 20.8 million, about 20 s of one core. A crafted request for the schema's 20
# million customers is refused with a message instead of starving the other pages.
REPLICATES = 20  # runs of each campaign behind 'Run 20 times'


def _env_int(name: str, default: int) -> int:
    """A whole number > 0 from the environment variable ``name`` (``default`` otherwise)."""
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


MAX_WORK = _env_int("RECLAMARE_VIZ_MAX_WORK", 25_000_000)
SEED_TEXT_MAX = 40  # characters of a typed seed (2**63 - 1 has 19 digits)
CHOICES = {
    "strategy": STRATEGIES,
    "strategy_b": STRATEGIES,
    "outreach": OUTREACH,
    "outreach_b": OUTREACH,
    "network_kind": NETWORK_KINDS,
}


def sanitize(controls: Controls, fallback: Controls) -> Controls:
    """``controls`` with every value the page could not have sent replaced: the server's own
    check of what arrives over the websocket (a crafted message is not bound by the sliders).

    Numbers are clamped into their slider's range (whole numbers rounded); a value that is not
    a finite number, a menu value not in its menu, a switch that is not true or false, a seed
    that is not text of at most ``SEED_TEXT_MAX`` characters or a preset that is not text gets
    ``fallback``'s value (the settings in force); so does a target group that is not text of
    at most ``GROUP_TEXT_MAX`` characters (whether the network has that group is checked when
    the run is built: :meth:`sim.viz.arena.Arena`). Returns a new Controls.
    """
    values = {}
    for f in fields(Controls):
        value, safe = getattr(controls, f.name), getattr(fallback, f.name)
        if f.name in SLIDERS:
            values[f.name] = _number(f.name, value, safe)
        elif f.name in CHOICES:
            values[f.name] = value if isinstance(value, str) and value in CHOICES[f.name] else safe
        elif f.name == "compare":
            values[f.name] = value if isinstance(value, bool) else safe
        elif f.name == "seed":
            ok = isinstance(value, str) and len(value) <= SEED_TEXT_MAX
            values[f.name] = value if ok else safe
        elif f.name in ("target_group", "target_group_b"):
            ok = isinstance(value, str) and len(value) <= GROUP_TEXT_MAX and value.isprintable()
            values[f.name] = value if ok else safe
        else:
            values[f.name] = value if isinstance(value, str) and len(value) <= 4096 else safe
    return Controls(**values)


def _number(name: str, value, safe):
    """A slider's value clamped into its range; ``safe`` when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return safe
    if not math.isfinite(value):
        return safe
    return _clip(name, value)


def plan_work(plan: RunPlan, runs: int = 1) -> int:
    """Customer-weeks of ``runs`` runs of each campaign of ``plan`` (a file network counts the
    customers its preset's schema says; the file itself is the teacher's)."""
    arms = 1 if plan.arm_b is None else 2
    return int(plan.params.network.n) * max(plan.weeks, 1) * arms * runs


def _clip(name: str, value: float) -> float:
    s = SLIDERS[name]
    value = min(max(value, s.min), s.max)
    return int(round(value)) if s.integer else float(value)


@dataclass(frozen=True)
class RunPlan:
    """Everything the app runs.

    ``seed`` is the run seed: replicate 0 of ``master_seed`` as the command line derives it
    (``sim.study.arms.run_seed``), so the app shows the first replicate of ``run_sim.py run``.
    """

    params: ModelParams
    arm_a: ArmSpec
    arm_b: ArmSpec | None
    seed: int
    master_seed: int
    weeks: int
    title: str


def plan_run(controls: Controls, preset: Preset) -> RunPlan:
    """Apply the controls to the preset.

    Raises
    ------
    ValueError
        A seed that is not a whole number (message for the page), or ParameterError from the
        schema (cannot happen through the sliders, whose ranges lie inside the schema's bounds).
    """
    loaded = controls_for(preset)
    controls = sanitize(controls, loaded)  # whatever arrived, only values the page allows
    master_seed, message = parse_seed(controls.seed)
    if message:
        raise ValueError(message)
    moved = set(controls.changed_from(loaded))
    base = preset.params
    sections: dict[str, dict] = {}

    def put(section: str, field: str, value) -> None:
        sections.setdefault(section, {})[field] = value

    if "fit" in moved:
        put("product", "fit", controls.fit)
    if "ad_credibility" in moved:
        put("push", "credibility", controls.ad_credibility)
    if "negativity" in moved:
        put("wom", "negative_impact", controls.negativity)
        put("wom", "negative_incidence", controls.negativity)
    if "network_kind" in moved:
        put("network", "kind", controls.network_kind)
    if "n" in moved or "network_kind" in moved:
        put("network", "n", int(controls.n))
    params = make_params(base, **sections)

    preset_a, preset_b = comparison_arms(preset)
    arm_a = preset_a
    if moved & set(CAMPAIGN_FIELDS):
        arm_a = arm_for(
            *(getattr(controls, f) for f in CAMPAIGN_FIELDS[:3]),
            preset_a,
            controls.outreach,
            controls.target_group,
        )
    arm_b = None
    if controls.compare:
        arm_b = preset_b if preset_b is not None else preset_a
        if preset_b is None or moved & set(CAMPAIGN_B_FIELDS):
            arm_b = arm_for(
                *(getattr(controls, f) for f in CAMPAIGN_B_FIELDS[:3]),
                arm_b,
                controls.outreach_b,
                controls.target_group_b,
            )
    if arm_b is not None and arm_b.name == arm_a.name:
        arm_b = arm_b.model_copy(update={"name": f"{arm_b.name} (B)"})
    params = params.model_copy(update={"arm": arm_a})
    seed = run_seed(master_seed, 0)
    plan = RunPlan(params, arm_a, arm_b, seed, master_seed, preset.weeks, preset.title)
    work = plan_work(plan, REPLICATES)
    if work > MAX_WORK:
        raise ValueError(
            Message(
                TOO_LARGE,
                n=int(params.network.n),
                weeks=int(plan.weeks),
                replicates=REPLICATES,
                work=int(work),
                limit=MAX_WORK,
            )
        )
    return plan


def with_preset(controls: Controls, preset: Preset) -> Controls:
    """Controls showing ``preset``, keeping the side-by-side switch as it was."""
    return replace(controls_for(preset), compare=controls.compare)
