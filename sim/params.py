"""The one parameter schema of Reclamare: units, defaults and allowed ranges of every model input.

Why one module of over 600 lines: it is the one place a parameter is defined. Every section is
built the same way (``Section`` and ``_f``: description, unit, bounds, "off") and reports a bad
value the same way (``format_validation_error``, ``did_you_mean``), and the parameter table of
docs/model.md, the scenario format (``sim.study.schema``), the app's controls and the one-line
errors are all read from it; split by section, what one scenario file may say would be spread
over a dozen files.

The model, the command line, scenario files, the browser app and the docs all read this schema.
Every field has a default, so ``ModelParams()`` is a complete, runnable model.

Money is in an abstract currency unit ("cu"). Budgets are stated **per 1,000 customers per week**,
so a scenario keeps its meaning when the population size changes: doubling the population doubles
the money actually spent, and the number of impressions or conversations per customer stays the
same. Costs (per impression, per conversation) are absolute.

Attitudes live on [-1, 1] (0 neutral). Channel messages move attitudes with the bounded-confidence
rule ``a += c * mu * (m - a)`` when ``|m - a| < epsilon``; ``epsilon`` is on the same [-1, 1]
scale, so ``epsilon = 2`` means "always listens".
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from sim.i18n import N_, Message


class ParameterError(ValueError):
    """A parameter value the model cannot accept. The message is one line naming the field."""


def _f(default: Any, description: str, unit: str = "", **bounds: Any) -> Any:
    """A schema field with a description, a unit (shown in docs and JSON Schema) and bounds."""
    extra = {"unit": unit} if unit else {}
    return Field(default, description=description, json_schema_extra=extra, **bounds)


class Section(BaseModel):
    """Base of every schema section: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def _off_is_none(value: Any) -> Any:
    """TOML has no null: a switchable number may be written "off" (or "none") in a file."""
    if isinstance(value, str) and value.strip().lower() in ("off", "none"):
        return None
    return value


# A number that can be switched off: None in Python, "off" in a scenario file or --set.
Switchable = BeforeValidator(_off_is_none)
Attitude = Annotated[float, Field(ge=-1.0, le=1.0)]

NETWORK_KINDS = (
    "well_mixed",
    "ring",
    "small_world",
    "random",
    "scale_free",
    "clustered_scale_free",
    "communities",
    "karate",
    "les_miserables",
    "florentine",
    "davis",
    "file",
)


class NetworkSpec(Section):
    """Which social network the customers sit on."""

    kind: Literal[NETWORK_KINDS] = _f(  # type: ignore[valid-type]
        "small_world",
        "Network family: well_mixed (everyone knows everyone), ring (lattice), small_world "
        "(Watts-Strogatz), random (Erdos-Renyi), scale_free (Barabasi-Albert), "
        "clustered_scale_free (Holme-Kim), communities (planted partition), one of the real "
        "networks shipped with networkx (karate, les_miserables, florentine, davis), or file.",
    )
    n: int = _f(
        1000,
        "Number of customers (ignored for real networks and files).",
        "customers",
        ge=2,
        le=20_000_000,
    )
    mean_degree: float = _f(
        10.0, "Mean number of ties per customer (generators only).", "ties", ge=0.0, le=1000.0
    )
    rewire: Probability = _f(0.1, "Small world: probability that a lattice tie is rewired.")
    triangle_prob: Probability = _f(
        0.5, "Clustered scale free: probability of closing a triangle after each attachment."
    )
    groups: int = _f(
        4,
        "Number of customer groups of a generated network (the segments arm.target_group names "
        "and groups_reached counts). communities: the planted communities (near-equal blocks). "
        "Every other generated kind: customers are assigned to groups at random, near-equal "
        "in size and independent of the ties; 1: one group named 'all'. Ignored by real "
        "networks and files (see group_attribute).",
        "groups",
        ge=1,
        le=10_000,
    )
    group_names: list[str] | None = _f(
        None,
        "Names of the groups of a generated network (default g1, g2, ...; 'all' with one "
        "group); length must equal groups. Ignored by real networks and files.",
    )
    mixing: Probability = _f(
        0.1, "Communities: expected share of a customer's ties that go to other groups."
    )
    path: str | None = _f(None, "File networks: path of an edge list, GraphML or GEXF file.")
    format: Literal["auto", "edgelist", "graphml", "gexf"] = _f(
        "auto", "File networks: file format; auto decides from the file extension."
    )
    group_attribute: str = _f(
        "group",
        "Real networks and files: node attribute holding each customer's group (karate: its "
        "club when no node has this attribute); when absent, groups are communities detected "
        "by Louvain, named c1, c2, ... largest first (one group 'all' above 200,000 customers "
        "or ties).",
    )

    @model_validator(mode="after")
    def _check(self) -> NetworkSpec:
        if self.kind == "file" and not self.path:
            raise ValueError(Message(N_("kind = 'file' needs a path")))
        if self.group_names is not None and len(self.group_names) != self.groups:
            raise ValueError(
                Message(
                    N_("group_names has {names} names but groups = {groups}"),
                    names=str(len(self.group_names)),
                    groups=str(self.groups),
                )
            )
        return self


class PopulationSpec(Section):
    """Who the customers are at week 0."""

    initial_awareness: Probability = _f(
        0.0, "Share of customers aware of the brand at week 0.", "share"
    )
    initial_attitude: Attitude = _f(
        0.0, "Mean predisposition toward the brand at week 0.", "attitude"
    )
    attitude_spread: float = _f(
        0.3,
        "Half-width of the uniform spread of initial attitudes around the mean (clipped to "
        "[-1, 1]); 1 with mean 0 gives attitudes uniform on [-1, 1].",
        "attitude",
        ge=0.0,
        le=2.0,
    )
    taste_spread: float = _f(
        0.35,
        "Standard deviation of customers' tastes: a customer experiences the product at fit + "
        "taste (normal, clipped to [-1, 1]); 0 gives everyone the same experience.",
        "attitude",
        ge=0.0,
        le=2.0,
    )
    media_shape: Annotated[float | None, Switchable] = _f(
        1.0,
        "Heterogeneity of media use: each reachable customer's share of impressions is "
        "proportional to a gamma(shape, 1) weight (small shape: a few heavy media users get most "
        "ads; 1 is exponential). 'off': every reachable customer is equally likely to be hit.",
        "gamma shape",
        gt=0.0,
        le=1000.0,
    )
    unreachable_share: Probability = _f(
        0.15,
        "Share of customers bought media cannot reach at all (no TV, ad blockers, ...).",
        "share",
    )
    tolerance_spread: float = _f(
        0.5,
        "Spread of ad tolerance: each customer's effective frequency and irritation threshold "
        "are the push values times a lognormal factor with this sigma (median 1); 0: all alike.",
        "log sigma",
        ge=0.0,
        le=3.0,
    )
    anchoring: Probability = _f(
        0.05,
        "Mean weekly weight of a customer's own predisposition (initial attitude) in their "
        "attitude (Friedkin-Johnsen stubbornness): after each week's messages, "
        "a += anchoring_i * (a0 - a). Each customer's value is uniform on [0, 2 x this], "
        "capped at 1.",
        "per week",
    )
    recall_half_life: Annotated[float | None, Switchable] = _f(
        26.0,
        "Half-life of brand memory without reminders: an aware customer who has not bought and "
        "met no ad, talk or conversation this week forgets the brand with probability "
        "1 - 0.5 ** (1 / half-life). 'off': nobody forgets.",
        "weeks",
        gt=0.0,
        le=10_000.0,
    )


class ProductSpec(Section):
    """What the product really is."""

    fit: Attitude = _f(
        0.4,
        "True product/offer fit for a customer of average taste: the attitude that using the "
        "product settles on (each customer experiences fit + their taste).",
        "attitude",
    )
    experience_rate: Probability = _f(
        0.3,
        "Weekly share of the gap between an adopter's attitude and the fit that experience closes.",
        "per week",
    )


class LearningSpec(Section):
    """Learning from customers (off by default): what the brand hears and is told improves the
    product, with a development lag and diminishing returns."""

    enabled: bool = _f(
        False,
        "Switch the mechanism on. Off, the product's fit never changes.",
    )
    ceiling: Attitude = _f(0.8, "Best fit the brand can reach by learning.", "attitude")
    insights_half: float = _f(
        500.0,
        "Insights (conversations held plus public mentions heard, counted in absolute numbers: "
        "insight does not grow with the size of the market) that close half the gap between "
        "the fit and its ceiling.",
        "insights",
        gt=0.0,
        le=1e12,
    )
    lag_weeks: int = _f(
        8,
        "Weeks between hearing something and the product being better for it (development).",
        "weeks",
        ge=0,
        le=520,
    )


class AdoptionSpec(Section):
    """How aware customers come to buy."""

    base_rate: Probability = _f(
        0.02, "Weekly adoption probability of an aware neutral customer.", "per week"
    )
    attitude_slope: float = _f(
        3.0,
        "Log-odds of adopting gained per unit of attitude (logistic).",
        "log-odds",
        ge=0.0,
        le=50.0,
    )


class MarketSpec(Section):
    """The category the brand sells in: who buys it, how often, and the competing offer.

    Off by default (``purchase_rate = "off"``): the first version's one-off adoption in a
    market of its own, the special case the Bass limit uses. With a purchase rate, customers who
    have tried the brand choose at each purchase occasion between the brand and the
    alternative (docs/model.md, section 7.6)."""

    potential: Probability = _f(
        1.0,
        "Share of customers in the category (drawn once per customer); the others may hear of "
        "the brand and talk about it but never buy.",
        "share",
    )
    purchase_rate: Annotated[float | None, Switchable] = _f(
        None,
        "Category purchase occasions per in-market customer per week (Poisson; a week holds at "
        "most one: probability 1 - exp(-rate)). 'off': one-off adoption, no repeat purchases, "
        "no lapses (the Bass limit's special case).",
        "per week",
        gt=0.0,
        le=7.0,
    )
    choice_slope: float = _f(
        3.0,
        "Logit choice at a purchase occasion: log-odds of choosing the brand over the "
        "alternative per unit of (attitude - competitor attractiveness).",
        "log-odds",
        ge=0.0,
        le=50.0,
    )
    competitor: Attitude = _f(
        0.0,
        "Attractiveness of the alternative (competitor or outside option) on the attitude "
        "scale: a customer whose attitude equals it chooses either with probability 1/2.",
        "attitude",
    )
    launch_week: int | None = _f(
        None,
        "Week from which the alternative's attractiveness is launch_attractiveness (a "
        "competitor launch; None: never).",
        "week",
        ge=1,
        le=10_000,
    )
    launch_attractiveness: Attitude = _f(
        0.3,
        "Attractiveness of the alternative from launch_week on.",
        "attitude",
    )

    def attractiveness(self, week: int) -> float:
        """The alternative's attractiveness in ``week`` (attitude units)."""
        if self.launch_week is not None and week >= self.launch_week:
            return self.launch_attractiveness
        return self.competitor


class MoneySpec(Section):
    """Prices and margins: what a unit sold earns, and how future margin is discounted. They
    change no dynamics, only the money measures."""

    price: float = _f(
        3.0,
        "Price of one unit to the customer (revenue per unit sold).",
        "cu per unit",
        ge=0.0,
        le=1e9,
    )
    unit_margin: float = _f(
        1.0,
        "Contribution margin of one unit sold: price less the cost of making and selling it "
        "(gross profit per unit, before marketing spend).",
        "cu per unit",
        ge=0.0,
        le=1e9,
    )
    discount_rate: float = _f(
        0.0022,
        "Discount rate of future margin in customer equity (0.0022 a week is about 12 % a year).",
        "per week",
        gt=0.0,
        le=1.0,
    )

    @model_validator(mode="after")
    def _check(self) -> MoneySpec:
        if self.unit_margin > self.price:
            raise ValueError(
                Message(
                    N_("unit_margin ({margin}) must not exceed price ({price})"),
                    margin=str(self.unit_margin),
                    price=str(self.price),
                )
            )
        return self


class WomSpec(Section):
    """Word of mouth: who talks, to whom, and with what effect."""

    talk_base: Probability = _f(
        0.0073,
        "Weekly probability that an aware, neutral customer talks "
        "about the brand (q of the Bass limit).",
        "per week",
    )
    talk_feeling: float = _f(
        0.02, "Extra talk probability per unit of |attitude|.", "per week", ge=0.0, le=1.0
    )
    talk_advocacy: float = _f(
        0.5, "Extra talk probability per unit of advocacy.", "per week", ge=0.0, le=1.0
    )
    listeners: int = _f(
        1,
        "Neighbours reached by one talk (drawn with replacement, by tie "
        "weight when the network has weights).",
        "customers",
        ge=1,
        le=50,
    )
    credibility: Probability = _f(0.8, "Credibility c of a peer (friends > brand > ads).")
    mu: Probability = _f(0.4, "Convergence rate mu of a peer message.")
    epsilon: float = _f(
        1.0,
        "Confidence bound: listeners move only when |m - a| < epsilon.",
        "attitude",
        ge=0.0,
        le=2.0,
    )
    negative_incidence: float = _f(
        1.0,
        "Multiplier on the talk probability of customers with a negative attitude "
        "(evidence mixed: 1; sweep 1.5 to 3).",
        "x",
        ge=0.0,
        le=10.0,
    )
    negative_impact: float = _f(
        1.0,
        "Multiplier on mu for negative messages (evidence mixed: 1; sweep 1.5 to 3).",
        "x",
        ge=0.0,
        le=10.0,
    )
    public_share: Probability = _f(
        0.2,
        "Share of talks made in public (reviews, posts): the mentions the brand can hear.",
        "share",
    )


class PushSpec(Section):
    """Bought media: cost, message and the psychology of repetition."""

    cost_per_impression: float = _f(
        0.01, "Price of one ad impression (CPM 10 = 0.01).", "cu", gt=0.0, le=1e6
    )
    claim: Attitude = _f(0.8, "Position of the brand's advertised message.", "attitude")
    credibility: Probability = _f(
        0.3, "Credibility c of an ad (below peers and the brand's own answers)."
    )
    mu: Probability = _f(0.3, "Convergence rate mu of an ad exposure.")
    epsilon: float = _f(1.0, "Confidence bound of ads.", "attitude", ge=0.0, le=2.0)
    half_life: float = _f(
        2.5, "Half-life of remembered ad pressure (adstock).", "weeks", gt=0.0, le=520.0
    )
    effective_frequency: float = _f(
        3.0,
        "Adstock (remembered exposures) up to which each exposure has its full effect; above "
        "it the effect wears out (for a customer of median tolerance).",
        "exposures",
        ge=0.1,
        le=100.0,
    )
    irritation_threshold: float = _f(
        10.0,
        "Adstock above which exposures irritate: the effect turns negative (reactance), for a "
        "customer of median tolerance.",
        "exposures",
        gt=0.1,
        le=1000.0,
    )
    reactance: Probability = _f(
        0.25,
        "Strongest negative effect of an irritating exposure, as a share of the full positive "
        "effect (reached at twice the gap between effective frequency and threshold above it).",
        "share",
    )
    complaint_prob: Probability = _f(
        0.02,
        "Weekly probability that an irritated customer complains about the brand's advertising "
        "to a friend (0.02: about once a year).",
        "per week",
    )
    complaint_position: Attitude = _f(-0.6, "Attitude voiced by a complaint.", "attitude")
    talk_lift: Probability = _f(
        0.005,
        "Extra weekly talk probability of an aware customer who saw an ad this week "
        "(advertising starts conversations).",
        "per week",
    )
    frequency_cap: Annotated[int | None, Switchable] = _f(
        None,
        "Most impressions one customer is served in a week; impressions that would land on a "
        "customer already at the cap are not served and not paid (the money is not spent). "
        "'off': no cap.",
        "exposures per customer per week",
        ge=1,
        le=10_000,
    )

    @model_validator(mode="after")
    def _check(self) -> PushSpec:
        if self.irritation_threshold <= self.effective_frequency:
            raise ValueError(
                Message(
                    N_(
                        "irritation_threshold ({threshold}) must be above effective_frequency "
                        "({frequency})"
                    ),
                    threshold=str(self.irritation_threshold),
                    frequency=str(self.effective_frequency),
                )
            )
        return self


class DialogueSpec(Section):
    """Listening and answering: cost, credibility and what a conversation leaves behind."""

    cost_per_conversation: float = _f(
        5.0, "Price of one conversation (staff time).", "cu", gt=0.0, le=1e6
    )
    listening_share: Probability = _f(
        0.5, "Share of last week's public mentions the brand hears.", "share"
    )
    claim: Attitude = _f(0.8, "Position the brand argues for in a conversation.", "attitude")
    honesty_margin: float = _f(
        0.2,
        "A conversation argues for at most product fit + this margin: credibility capped by "
        "what experience supports.",
        "attitude",
        ge=0.0,
        le=2.0,
    )
    credibility: Probability = _f(0.9, "Credibility c of an answer from the brand.")
    mu: Probability = _f(0.5, "Convergence rate mu of a conversation.")
    epsilon: float = _f(1.5, "Confidence bound of conversations.", "attitude", ge=0.0, le=2.0)
    advocacy_boost: Probability = _f(0.8, "Advocacy of a customer just answered (0..1).")
    advocacy_half_life: float = _f(
        3.0, "Half-life of advocacy (WOM carry-over ~3 weeks).", "weeks", gt=0.0, le=520.0
    )
    observer_mu: Probability = _f(
        0.1, "Convergence rate for the readers of a complaint who see it answered (a slight shift)."
    )
    recovery_loyalty: float = _f(
        0.3,
        "Service recovery: an answered complainer chooses the brand at a purchase occasion as "
        "if their attitude were this much higher (talk is not changed); decays with "
        "recovery_half_life.",
        "attitude",
        ge=0.0,
        le=2.0,
    )
    recovery_half_life: float = _f(
        13.0, "Half-life of the service-recovery loyalty.", "weeks", gt=0.0, le=520.0
    )


class PublicSpec(Section):
    """Public word of mouth: posts and reviews are read by many, and their balance is visible."""

    follower_share: Probability = _f(
        0.35,
        "Share of the speaker's ties who read a public post (drawn once per tie and week).",
        "share",
    )
    browsers: int = _f(
        3,
        "Customers in the category, drawn at random, who read each public post or review "
        "(review readers).",
        "customers",
        ge=0,
        le=1000,
    )
    credibility: Probability = _f(
        0.6, "Credibility c of a post or review read in public (below friends, above ads)."
    )
    rating_readers: Probability = _f(
        0.1,
        "Weekly probability that an aware customer in the category looks at the brand's "
        "visible rating.",
        "per week",
    )
    rating_half_life: float = _f(
        26.0,
        "Half-life of a public mention's weight in the visible rating.",
        "weeks",
        gt=0.0,
        le=520.0,
    )
    rating_volume_half: float = _f(
        5.0,
        "Visible mentions (per 1,000 customers) at which the rating persuades with half its "
        "strength: a rating of few reviews says little.",
        "mentions per 1,000 customers",
        gt=0.0,
        le=1e6,
    )
    answered_weight: Probability = _f(
        0.5,
        "Weight in the visible rating of a complaint the brand answered (an unanswered one "
        "weighs 1).",
        "share",
    )


class StoriesSpec(Section):
    """Stories worth retelling: where they start and how likely each kind is to be retold."""

    ad_share: Probability = _f(
        0.01,
        "Weekly probability that a customer who saw an ad takes its story (creative) away.",
        "per week",
    )
    dialogue_share: Probability = _f(
        0.5,
        "Probability that a conversation with the brand gives the customer a story to tell.",
        "share",
    )
    experience_share: Probability = _f(
        0.05,
        "Probability that a customer trying the product takes a story from the experience.",
        "share",
    )
    ad_retell: Probability = _f(
        0.1, "Probability that a customer holding an ad's story retells it.", "share"
    )
    dialogue_retell: Probability = _f(
        0.2,
        "Probability that a customer holding a story from a conversation retells it.",
        "share",
    )
    experience_retell: Probability = _f(
        0.1,
        "Probability that a customer holding a story of the product experience retells it.",
        "share",
    )


class ArmSpec(Section):
    """One campaign arm: how the weekly budget is spent."""

    name: str = _f("mix", "Label of the arm in outputs.", min_length=1, max_length=60)
    budget: float = _f(
        20.0,
        "Weekly budget per 1,000 customers.",
        "cu per 1,000 customers per week",
        ge=0.0,
        le=1e9,
    )
    push_share: Probability = _f(
        0.5, "Share of the budget spent on push; the rest goes to dialogue.", "share"
    )
    target_group: str | None = _f(
        None,
        "Push only reaches this group, a name from the network's groups (g1, g2, ... on a "
        "generated network; see network.groups); None: everyone.",
    )
    outreach: Literal["random", "hubs", "none"] = _f(
        "random",
        "Spare dialogue capacity starts conversations with random customers, with the "
        "most connected first (hubs), or is left unused (none).",
    )
    start_week: int = _f(1, "First week with spending.", "week", ge=1, le=10_000)
    end_week: int | None = _f(
        None, "Last week with spending (None: until the end).", "week", ge=1, le=10_000
    )
    push_grps: Annotated[float | None, Switchable] = _f(
        None,
        "Push bought as gross rating points a week instead of budget x push_share: 100 GRPs "
        "are as many impressions as there are customers (all customers, also with a target "
        "group), so the push money is push_grps x 10 x push.cost_per_impression per 1,000 "
        "customers. The arm then spends on push only: push_share must be 1, budget is not "
        "used. 'off': push money is budget x push_share.",
        "GRPs per week",
        ge=0.0,
        le=1e6,
    )
    ad_to_sales: Annotated[float | None, Switchable] = _f(
        None,
        "Push bought as an advertising-to-sales target on a stated sales plan (the "
        "percentage-of-sales method): push money = ad_to_sales x planned_revenue every week. "
        "Needs planned_revenue; the arm spends on push only (push_share 1, budget not used). "
        "'off': push money is budget x push_share.",
        "share of planned revenue",
        ge=0.0,
        le=10.0,
    )
    planned_revenue: Annotated[float | None, Switchable] = _f(
        None,
        "The sales plan an ad_to_sales target is applied to (fixed in advance, so the budget "
        "does not depend on what the arm sells). Only with ad_to_sales.",
        "cu per 1,000 customers per week",
        ge=0.0,
        le=1e9,
    )
    burst_weeks: int = _f(
        0,
        "Flighting: the arm's first burst_weeks weeks of spending (from start_week) buy "
        "burst_factor times the push money (a launch burst), the weeks after it the plain "
        "push money (maintenance). Dialogue money is not changed. 0: no burst.",
        "weeks",
        ge=0,
        le=10_000,
    )
    burst_factor: float = _f(
        1.0,
        "Flighting: multiplier of the push money in the burst weeks (3: three times the "
        "maintenance weight).",
        "x",
        ge=0.0,
        le=100.0,
    )

    @model_validator(mode="after")
    def _check(self) -> ArmSpec:
        """Exactly one way to state the push money: budget x push_share (cu), push_grps or
        ad_to_sales on planned_revenue."""
        plan = "push_grps" if self.push_grps is not None else None
        value = self.push_grps
        if self.ad_to_sales is not None:
            if plan:
                raise ValueError(
                    Message(
                        N_(
                            "push_grps = {grps} and ad_to_sales = {share} both state the push "
                            "money: give one of them (or neither: budget x push_share)"
                        ),
                        grps=f"{self.push_grps:g}",
                        share=f"{self.ad_to_sales:g}",
                    )
                )
            plan, value = "ad_to_sales", self.ad_to_sales
            if self.planned_revenue is None:
                raise ValueError(
                    Message(
                        N_(
                            "ad_to_sales = {share} needs planned_revenue (the sales plan it is a "
                            "share of, cu per 1,000 customers per week)"
                        ),
                        share=f"{self.ad_to_sales:g}",
                    )
                )
        elif self.planned_revenue is not None:
            raise ValueError(
                Message(
                    N_(
                        "planned_revenue = {revenue} is only used with ad_to_sales: set "
                        "ad_to_sales too, or leave planned_revenue out"
                    ),
                    revenue=f"{self.planned_revenue:g}",
                )
            )
        if plan and self.push_share != 1.0:
            raise ValueError(
                Message(
                    N_(
                        "{plan} = {value} buys push only: push_share must be 1 (got {share}); a "
                        "mix of push and dialogue states its budget in cu (budget, push_share)"
                    ),
                    plan=plan,
                    value=f"{value:g}",
                    share=f"{self.push_share:g}",
                )
            )
        if plan and self.budget == 0.0:
            raise ValueError(
                Message(
                    N_(
                        "{plan} = {value} states the push money but budget = 0 marks an arm "
                        "that spends nothing: leave budget positive (a plan does not use it) or "
                        "leave out {plan}"
                    ),
                    plan=plan,
                    value=f"{value:g}",
                )
            )
        return self

    @property
    def push_plan(self) -> str:
        """How the push money is stated: "budget", "push_grps" or "ad_to_sales"."""
        if self.push_grps is not None:
            return "push_grps"
        return "ad_to_sales" if self.ad_to_sales is not None else "budget"


class CrisisSpec(Section):
    """An optional shock: at one week a share of customers turns negative."""

    week: int | None = _f(None, "Week of the crisis (None: no crisis).", "week", ge=1, le=10_000)
    share: Probability = _f(0.3, "Share of customers hit (chosen at random).", "share")
    attitude: Attitude = _f(
        -0.7,
        "Attitude of the customers hit; they also become aware and are reminded (none of them "
        "forgets the brand that week).",
        "attitude",
    )


class MeasuresSpec(Section):
    """Cut-offs of the reported measures (they change no dynamics)."""

    sentiment_cutoff: float = _f(
        0.5,
        "Net sentiment counts advocates (a > cut-off) minus detractors (a < -cut-off).",
        "attitude",
        gt=0.0,
        lt=1.0,
    )
    top_box_cutoff: float = _f(
        0.6,
        "Top box: share of the aware whose attitude is above this (the top fifth of [-1, 1], "
        "like the top answer of a five-point scale).",
        "attitude",
        ge=-1.0,
        lt=1.0,
    )


class ModelParams(Section):
    """Everything one run of BrandModel needs."""

    network: NetworkSpec = Field(default_factory=NetworkSpec)
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    product: ProductSpec = Field(default_factory=ProductSpec)
    learning: LearningSpec = Field(default_factory=LearningSpec)
    adoption: AdoptionSpec = Field(default_factory=AdoptionSpec)
    market: MarketSpec = Field(default_factory=MarketSpec)
    money: MoneySpec = Field(default_factory=MoneySpec)
    wom: WomSpec = Field(default_factory=WomSpec)
    push: PushSpec = Field(default_factory=PushSpec)
    dialogue: DialogueSpec = Field(default_factory=DialogueSpec)
    public: PublicSpec = Field(default_factory=PublicSpec)
    stories: StoriesSpec = Field(default_factory=StoriesSpec)
    crisis: CrisisSpec = Field(default_factory=CrisisSpec)
    arm: ArmSpec = Field(default_factory=ArmSpec)
    measures: MeasuresSpec = Field(default_factory=MeasuresSpec)
    attitudes: bool = _f(
        True,
        "Simulate attitudes. False gives the awareness-only Bass limit: push and word of "
        "mouth only spread awareness, talk probability is wom.talk_base.",
    )


def format_validation_error(error: ValidationError, source: str = "parameters") -> str:
    """One line naming the source, the first failing field, its value and what is allowed."""
    first = error.errors()[0]
    path = ".".join(str(p) for p in first["loc"]) or "(top level)"
    kind = first["type"]
    ctx = first.get("ctx", {})
    value = first.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(error, first["loc"])
        hint = did_you_mean(str(first["loc"][-1]), allowed)
        return f"{source}: unknown parameter '{path}'{hint}"
    message = constraint_message(kind, ctx) or first["msg"].removeprefix("Value error, ")
    return f"{source}: {path} = {value!r}: {message}"


def _allowed_keys(error: ValidationError, loc: tuple) -> list[str]:
    """Field names of the section where an unknown key was found."""
    section: type[BaseModel] = ModelParams
    for part in loc[:-1]:
        field = section.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type):
            return []
        if not issubclass(field.annotation, BaseModel):
            return []
        section = field.annotation
    return list(section.model_fields)


def did_you_mean(word: str, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, else the list of allowed choices."""
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return Message(N_(" (did you mean '{word}'?)"), word=close[0])
    return Message(N_(" (allowed: {choices})"), choices=", ".join(choices)) if choices else ""


# What is allowed, in words, by pydantic error type: (message, the context key it shows).
CONSTRAINTS = {
    "greater_than_equal": (N_("must be >= {limit}"), "ge"),
    "greater_than": (N_("must be > {limit}"), "gt"),
    "less_than_equal": (N_("must be <= {limit}"), "le"),
    "less_than": (N_("must be < {limit}"), "lt"),
    "literal_error": (N_("must be one of {limit}"), "expected"),
    "enum": (N_("must be one of {limit}"), "expected"),
    "int_type": (N_("must be a whole number"), None),
    "int_from_float": (N_("must be a whole number"), None),
    "float_type": (N_("must be a number"), None),
    "float_parsing": (N_("must be a number"), None),
    "finite_number": (N_("must be a finite number"), None),
    "int_parsing": (N_("must be a whole number"), None),
    "int_parsing_size": (N_("must be a whole number of a size a computer can hold"), None),
    "bool_type": (N_("must be true or false"), None),
    "bool_parsing": (N_("must be true or false"), None),
    "string_type": (N_("must be a string"), None),
    "string_unicode": (N_("must be a string"), None),
    "string_pattern_mismatch": (N_("must match the pattern {limit}"), "pattern"),
    "list_type": (N_("must be a list"), None),
    "tuple_type": (N_("must be a list"), None),
    "set_type": (N_("must be a list"), None),
    "dict_type": (N_("must be a table"), None),
    "mapping_type": (N_("must be a table"), None),
    "model_type": (N_("must be a table"), None),
    "model_attributes_type": (N_("must be a table"), None),
    "none_required": (N_("must be left out"), None),
    "too_short": (N_("needs at least {limit} item(s)"), "min_length"),
    "too_long": (N_("allows at most {limit} item(s)"), "max_length"),
    "string_too_short": (N_("must not be empty"), None),
    "string_too_long": (N_("must be at most {limit} characters"), "max_length"),
}


def constraint_message(kind: str, ctx: dict) -> Message | None:
    """What is allowed, in words, for a pydantic error type (None when there is no rule): a
    :class:`sim.i18n.Message` (the limit as pydantic gives it, as a scenario file writes it;
    the choices of ``must be one of`` joined in the reader's language, :func:`choice_list`)."""
    rule = CONSTRAINTS.get(kind)
    if rule is None:
        return None
    message, key = rule
    if key == "expected":
        return Message(message, limit=choice_list(str(ctx.get(key))))
    return Message(message, limit=str(ctx.get(key))) if key else Message(message)


# One choice as pydantic writes it in a literal's or enum's ``expected``: a Python repr.
_CHOICE = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,'"]+""")


def choice_list(expected: str) -> Message | str:
    """pydantic's list of allowed values (``'a', 'b' or 'c'``) with the last two joined by the
    reader's word for "or" (a :class:`sim.i18n.Message`; English as pydantic wrote it). A list
    that is not in that form (one value, or values it cannot split) is returned as it is."""
    head, _, last = expected.rpartition(" or ")
    if not head or ", ".join(_CHOICE.findall(head)) != head or not _CHOICE.fullmatch(last):
        return expected
    return Message(N_("{choices} or {last}"), choices=head, last=last)


def make_params(params: ModelParams | dict | None = None, **sections: Any) -> ModelParams:
    """Validate parameters given as a ModelParams, a nested dict and/or keyword sections.

    Keyword sections override (are merged into) ``params``. Raises ParameterError with a one-line
    message on any invalid value.
    """
    base = params.model_dump() if isinstance(params, ModelParams) else dict(params or {})
    merged = _deep_merge(base, sections)
    try:
        return ModelParams.model_validate(merged)
    except ValidationError as error:
        raise ParameterError(format_validation_error(error)) from None


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
