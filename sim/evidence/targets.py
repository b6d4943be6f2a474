"""The empirical targets the model is calibrated to: what marketing science knows, as bands.

Pattern-oriented modelling (Grimm et al. 2005) and empirical output validation (Rand & Rust
2011) ask that a model reproduce several regularities at once. Each :class:`Target` names one
regularity, its source, the exact quantity measured in the model (which arm, which weeks, a
launch or an established brand; ``sim.evidence.target_runs`` measures it) and an acceptance
band ``[low, high]``. Where the evidence is thin the band is wide and ``evidence`` says so.

Only data and the distance of measured values to the bands (no runs here), so that the ABC
calibration (``sim.evidence.abc``), the validation page and the tests read one table.

Bands of meta-analytic elasticities are a factor of two either side of the published mean (the
validation page's long-standing agreement rule, ``sim.evidence.published.AGREEMENT_FACTOR``): the
meta-analyses report wide spreads across brands and categories, so a factor of two is a modest
demand, not a published interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.evidence.published import AGREEMENT_FACTOR

# How much one target's evidence says (shown on the page beside the band).
STRONG = "strong: a meta-analysis of many studies"
MODERATE = "moderate: several studies or a large survey"
THIN = "thin: one study, or an analogue from another kind of market; the band is wide"

# The market every target is measured on (sim.evidence.target_runs): the default scenario's
# grocery market and media plan, push only at the plan unless a target says otherwise.
ESTABLISHED = "established brand: weeks 105-156, after two years at the plan"
LAUNCH = "launch: weeks 1-52 of a new brand (2 % aware at week 0)"


@dataclass(frozen=True)
class Target:
    """One empirical regularity and the band the model's measured value must fall in.

    Attributes
    ----------
    key : str
        Identifier (the key ``sim.evidence.target_runs.measure_targets`` returns).
    label : str
        What it is, in a few words.
    low, high : float
        Acceptance band, in the quantity's own units (``high`` may be ``inf``).
    published : str
        The published value (or range) the band comes from.
    source : str
        Short citation.
    quantity : str
        Exactly what is measured in the model: which arm, which weeks, which change.
    evidence : str
        How much the source says (``STRONG``, ``MODERATE``, ``THIN``) and why the band is as wide.
    required : bool
        False for a regularity that is measured and shown but not asked of a plausible market,
        because its evidence comes from another kind of market (``evidence`` says which).
    """

    key: str
    label: str
    low: float
    high: float
    published: str
    source: str
    quantity: str
    evidence: str
    required: bool = True

    def contains(self, value: float) -> bool:
        """True when ``value`` is finite and inside the band (ends included)."""
        return math.isfinite(value) and self.low <= value <= self.high

    def distance(self, value: float) -> float:
        """How far ``value`` lies outside the band, in band widths on a log scale where the band
        is of positive numbers (elasticities, ratios), else linearly; 0 inside, 1 for a
        missing or non-finite value (a market that cannot show the regularity at all)."""
        if not math.isfinite(value):
            return 1.0
        if self.low <= value <= self.high:
            return 0.0
        if self.low > 0 and math.isfinite(self.high):
            if value <= 0:
                return 1.0
            width = math.log(self.high / self.low)
            gap = math.log(self.low / value) if value < self.low else math.log(value / self.high)
            return min(1.0, gap / width)
        width = (self.high - self.low) if math.isfinite(self.high) else abs(self.low) or 1.0
        gap = self.low - value if value < self.low else value - self.high
        return min(1.0, gap / width)


def _around(mean: float) -> tuple[float, float]:
    return mean / AGREEMENT_FACTOR, mean * AGREEMENT_FACTOR


_STB = "Sethuraman, Tellis & Briesch (2011), J. Marketing Research 48(3)"
_YVJ = "You, Vadakkepatt & Joshi (2015), J. Marketing 79(2)"
_TBP = "Trusov, Bucklin & Pauwels (2009), J. Marketing 73(5)"

TARGETS: tuple[Target, ...] = (
    Target(
        "ad_short",
        "advertising elasticity of sales, short term",
        *_around(0.12),
        "0.12 (mean of 751 estimates)",
        _STB,
        "push arm at the plan; from week 105 push spend x 2; elasticity of units in weeks "
        "105-117 (" + ESTABLISHED + ")",
        STRONG,
    ),
    Target(
        "ad_long",
        "advertising elasticity of sales, long term",
        *_around(0.24),
        "0.24 (mean of 402 long-term estimates)",
        _STB,
        "as ad_short; units in weeks 144-156, a year after the change",
        STRONG,
    ),
    Target(
        "ad_carryover",
        "long-term over short-term advertising elasticity",
        1.0,
        4.0,
        "about 2 (0.24 / 0.12); long above short",
        _STB,
        "ad_long / ad_short",
        MODERATE + " (the ratio of two meta-analytic means; long above short is the finding)",
    ),
    Target(
        "wom_volume",
        "elasticity of sales w.r.t. word-of-mouth volume",
        *_around(0.236),
        "0.236",
        _YVJ,
        "push arm at the plan; talk propensities x 2 throughout; elasticity of units in "
        "weeks 105-156 w.r.t. the talks measured in those weeks (" + ESTABLISHED + ")",
        STRONG,
    ),
    Target(
        "wom_valence",
        "elasticity of sales w.r.t. word-of-mouth valence",
        *_around(0.417),
        "0.417",
        _YVJ,
        "push arm at the plan; the incidence of negative talk x 2 throughout; elasticity "
        "of units in weeks 105-156 w.r.t. the share of positive talks in those weeks",
        STRONG,
    ),
    Target(
        "referrals",
        "elasticity of new customers w.r.t. word-of-mouth referrals",
        *_around(0.53),
        "0.53 (long run)",
        _TBP,
        "a brand that grows by word of mouth, as the source's site did (spending nothing); "
        "talk propensities x 2; elasticity of new customers (first trials) in weeks 1-52 "
        "w.r.t. the talks in weeks 1-52 (" + LAUNCH + ")",
        THIN + " (one social-networking site with little traditional marketing, far from "
        "saturation)",
    ),
    Target(
        "referrals_push",
        "referral elasticity of a brand advertised at the plan",
        *_around(0.53),
        "0.53 (for a site with little advertising)",
        _TBP,
        "as referrals, on the push arm at the plan: ads make most of the category aware, so talk "
        "finds few who have not heard",
        "not required: the source's market had little advertising; shown to say how much the "
        "answer depends on it",
        required=False,
    ),
    Target(
        "referral_over_ad",
        "referral elasticity over the long-term advertising elasticity",
        1.0,
        30.0,
        "about 20 (over marketing events) to 30 (over media)",
        _TBP,
        "referrals / ad_long",
        THIN + " (one site whose media elasticity was tiny; the meta-analytic means give 2)",
    ),
    Target(
        "positive_to_negative",
        "positive to negative word of mouth",
        1.5,
        6.0,
        "about 3:1 on average over categories",
        "East, Hammond & Wright (2007), Int. J. Research in Marketing 24(2)",
        "push arm at the plan; positive over negative talks in weeks 105-156",
        MODERATE + " (surveys over 15 categories; the ratio varies by category)",
    ),
    Target(
        "ad_talk_share",
        "share of brand conversations that advertising starts",
        0.10,
        0.35,
        "about a fifth of brand conversations refer to advertising",
        "Keller & Fay (2009), J. Advertising Research 49(2)",
        "push arm at the plan; 1 - talks without ads starting talk (push.talk_lift = 0, "
        "stories.ad_share = 0) / talks at the defaults, weeks 105-156",
        MODERATE + " (US survey diaries; 'refers to an ad' is wider than 'started by an ad')",
    ),
    Target(
        "hub_seeding",
        "seeding well-connected customers over random seeding",
        1.2,
        8.0,
        "hubs up to several times random (field experiments)",
        "Hinz, Skiera, Barrot & Becker (2011), J. Marketing 75(6)",
        "a campaign seeded once (week 1, conversations with 2 % of the customers) with the "
        "most connected customers against random ones, on a scale-free network: customers made "
        "aware beyond spending nothing, week 52 (" + LAUNCH + ")",
        MODERATE + " (two field experiments and a study of one network)",
    ),
    Target(
        "bass_p",
        "Bass coefficient of innovation of the trial curve (per year)",
        0.003,
        0.3,
        "0.03 (mean over 213 products)",
        "Sultan, Farley & Lehmann (1990), J. Marketing Research 27(1)",
        "push arm at the plan; Bass curve fitted to the share of customers who ever tried, "
        "weeks 0-104; weekly p x 52",
        "not required: the estimates are for durable innovations without advertising; an "
        "advertised grocery launch reaches its triers from outside at once (at the defaults p "
        "is about 1 a year), so the band is shown, not asked of a plausible market",
        required=False,
    ),
    Target(
        "bass_q",
        "Bass coefficient of imitation of the trial curve (per year)",
        0.1,
        1.5,
        "0.38 (mean over 213 products)",
        "Sultan, Farley & Lehmann (1990)",
        "as bass_p; weekly q x 52",
        "not required (as bass_p)",
        required=False,
    ),
    Target(
        "trial_penetration",
        "share of category buyers who tried the new brand in its first year",
        0.10,
        0.60,
        "ultimate trial of new grocery brands: typically a tenth to a half of category buyers",
        "Parfitt & Collins (1968), J. Marketing Research 5(2); Ehrenberg (1988), Repeat-Buying",
        "push arm at the plan: customers who have bought by week 52 over customers in the "
        "category (" + LAUNCH + ")",
        THIN + " (a judgement from published launch panels; no meta-analysis)",
    ),
    Target(
        "purchase_frequency",
        "purchases of the brand a year per customer of the brand",
        1.5,
        8.0,
        "2-5 a year for most grocery brands",
        "Ehrenberg (1988); Ehrenberg, Goodhardt & Barwise (1990), J. Marketing 54(3)",
        "push arm at the plan: units in weeks 105-156 over the customers who were the brand's "
        "customers in some week of those weeks (its buyers of the year)",
        MODERATE + " (panel data over many categories; frequent categories buy more)",
    ),
    Target(
        "category_share",
        "share of category requirements: the brand's share of its buyers' category purchases",
        0.15,
        0.60,
        "about a quarter to a third for most grocery brands, higher for big brands",
        "Ehrenberg (1988), Repeat-Buying; Ehrenberg, Goodhardt & Barwise (1990), J. Marketing "
        "54(3)",
        "push arm at the plan: units of the brand in weeks 105-156 over the units its buyers of "
        "the year bought in the category (the brand's and the alternative's), from a panel of "
        "every customer's purchases (sim.evidence.panel)",
        MODERATE + " (panel data over many categories; the band is wide for brands of any size)",
    ),
    Target(
        "double_jeopardy",
        "double jeopardy: growth in buyers over the double-jeopardy line's prediction",
        0.5,
        2.0,
        "w (1 - b) = w0: a brand with more buyers also has buyers who buy it slightly more often, "
        "so a brand that grows moves along that line",
        "Ehrenberg, Goodhardt & Barwise (1990), J. Marketing 54(3)",
        "push arm at the plan, and with push x 2 from week 105 (as ad_short): the share of the "
        "growth of units in weeks 105-156 that comes from more buyers, ln(buyers ratio) / ln(units "
        "ratio), over the line's 1 - b (b: the brand's buyers over category buyers at the plan)",
        THIN
        + " (the law is a regularity across brands; read here for one brand whose share grows, "
        "as the Dirichlet model predicts; a factor of two either side of the line)",
    ),
    Target(
        "ad_to_sales",
        "advertising-to-sales ratio of the plan",
        0.01,
        0.10,
        "a few per cent of sales for food and grocery makers",
        "Schonfeld & Associates, Advertising Ratios & Budgets (annual): food products",
        "push arm at the plan: push spend over revenue, weeks 105-156",
        MODERATE + " (industry tables; firms in one category spread widely)",
    ),
    Target(
        "top_box",
        "share of aware customers with a strongly favourable attitude",
        0.05,
        0.5,
        "top-box shares of brand-attitude surveys",
        "illustrative band (survey practice; no single source)",
        "push arm at the plan: aware customers with attitude above 0.6, mean of weeks 105-156",
        THIN + " (a judgement; rules out markets where nobody or almost everybody loves it)",
    ),
    Target(
        "attitude_bimodality",
        "bimodality coefficient of the aware's attitudes",
        0.0,
        0.555,
        "unimodal (below 0.555, the coefficient of a uniform distribution)",
        "Pfister et al. (2013), Frontiers in Psychology 4: Sarle's coefficient",
        "push arm at the plan: Sarle's coefficient of the aware's attitudes, week 156",
        MODERATE + " (attitude surveys are unimodal unless a market is polarised)",
    ),
    Target(
        "attitude_sd",
        "spread of the aware's attitudes (standard deviation)",
        0.15,
        0.577,
        "survey respondents hold different views of a brand; a market whose aware customers "
        "all hold one attitude is not a market",
        "illustrative band: the floor of issue #11 (heterogeneous markets); at most the spread "
        "of a uniform distribution over the scale",
        "push arm at the plan: standard deviation of the aware's attitudes on [-1, 1], week 156",
        THIN + " (a judgement from survey practice; no single source)",
    ),
)

# Regularities named by issue #23 that are not measured yet, and why (the page lists them).
# Regularities named by issue #23 that are not measured yet, and why (the page lists them).
NOT_MEASURED: tuple[tuple[str, str], ...] = ()

BY_KEY: dict[str, Target] = {t.key: t for t in TARGETS}
# The targets a plausible market must meet (the calibration's distance).
REQUIRED: tuple[Target, ...] = tuple(t for t in TARGETS if t.required)


def distances(values: Mapping[str, float], targets=REQUIRED) -> dict[str, float]:
    """Each target's distance outside its band (``Target.distance``; a missing key counts 1)."""
    return {t.key: t.distance(float(values.get(t.key, math.nan))) for t in targets}


def total_distance(values: Mapping[str, float], targets=REQUIRED) -> float:
    """Sum of the required targets' distances outside their bands: 0 when every one is met, at
    most one per target. The ABC calibration accepts a market when this is 0 (or below its
    tolerance in early generations)."""
    return float(sum(distances(values, targets).values()))


def passed(values: Mapping[str, float], targets=TARGETS) -> dict[str, bool]:
    """Which targets the values meet."""
    return {t.key: t.contains(float(values.get(t.key, math.nan))) for t in targets}
