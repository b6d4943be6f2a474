"""The weekly measures' names, units and descriptions (what ``sim.engine.measures`` computes).

Apart from the computation (numpy and numba), so that reading a scenario file, its JSON Schema or
the list of shipped scenarios needs neither (the command line's ``list``, ``schema``).
``sim.engine.measures`` names everything here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.i18n import N_


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    description: str


# Attitude histogram of the aware: ten bins of width 0.2 over [-1, 1] (the last one closed).
HIST_BINS = 10
HIST_NAMES = tuple(f"attitude_hist_{k + 1}" for k in range(HIST_BINS))
HIST_EDGES = tuple(round(-1.0 + 0.2 * k, 1) for k in range(HIST_BINS + 1))

MEASURES: tuple[Measure, ...] = (
    Measure("awareness", N_("share of customers"), "Customers who know the brand now."),
    Measure(
        "ever_aware",
        N_("share of customers"),
        "Customers who have ever heard of the brand (some may have forgotten it since).",
    ),
    Measure("adoption", N_("share of customers"), "Customers who have bought."),
    Measure("mean_attitude", N_("attitude (-1..1)"), "Mean attitude of aware customers."),
    Measure(
        "net_sentiment",
        N_("share of aware"),
        "Advocates (a > cut-off, default 0.5) minus detractors (a < -cut-off), as shares of "
        "aware customers.",
    ),
    Measure(
        "top_box",
        N_("share of aware"),
        "Aware customers whose attitude is above the top-box cut-off (default 0.6).",
    ),
    Measure("attitude_sd", N_("attitude (-1..1)"), "Standard deviation of the aware's attitudes."),
    Measure("attitude_p10", N_("attitude (-1..1)"), "10th percentile of the aware's attitudes."),
    Measure("attitude_p50", N_("attitude (-1..1)"), "Median attitude of the aware."),
    Measure("attitude_p90", N_("attitude (-1..1)"), "90th percentile of the aware's attitudes."),
    Measure("wom_positive", N_("talks per 1,000 customers"), "Positive (a >= 0) talks this week."),
    Measure(
        "wom_negative",
        N_("talks per 1,000 customers"),
        "Negative talks this week (incl. ad complaints).",
    ),
    Measure(
        "public_mentions",
        N_("per 1,000 customers"),
        "Public talks this week (the brand may hear them next week).",
    ),
    Measure("conversations", N_("per 1,000 customers"), "Conversations the brand held this week."),
    Measure(
        "complaints_answered", N_("per 1,000 customers"), "Negative mentions answered this week."
    ),
    Measure(
        "irritated",
        N_("share of customers"),
        "Customers whose ad pressure is above the irritation threshold.",
    ),
    Measure(
        "product_fit", N_("attitude (-1..1)"), "Current product/offer fit (rises with learning)."
    ),
    Measure("spend", N_("cu per 1,000 customers"), "Money spent to date."),
    Measure(
        "cost_per_aware", N_("cu per aware customer"), "Money spent to date per aware customer."
    ),
    Measure("groups_reached", N_("groups"), "Groups whose awareness has passed 10 % so far."),
    Measure(
        "awareness_outside_target",
        N_("share of customers"),
        "Awareness among customers outside "
        "the push target group (empty when push targets everyone).",
    ),
    Measure("heard_via_ad", N_("share of ever aware"), "Customers who first heard through an ad."),
    Measure(
        "heard_via_wom", N_("share of ever aware"), "Customers who first heard by word of mouth."
    ),
    Measure(
        "heard_via_dialogue",
        N_("share of ever aware"),
        "Customers who first heard in a conversation with the brand.",
    ),
    Measure(
        "forgot",
        N_("per 1,000 customers"),
        "Customers who forgot the brand this week (aware, not buyers, not reminded).",
    ),
    Measure(
        "customers",
        N_("share of customers"),
        "Customers of the brand now: they bought it at their last purchase (with one-off "
        "adoption, everyone who has bought).",
    ),
    Measure(
        "market_share",
        N_("share of category units"),
        "Brand units over all units bought in the category this week by customers in the "
        "category (empty without repeat purchases, where no category is simulated).",
    ),
    Measure("units", N_("units per 1,000 customers"), "Units of the brand sold this week."),
    Measure(
        "lapsed",
        N_("per 1,000 customers"),
        "Customers of the brand who chose the alternative this week.",
    ),
    Measure(
        "returned",
        N_("per 1,000 customers"),
        "Lapsed customers who chose the brand again this week.",
    ),
    Measure("revenue", N_("cu per 1,000 customers"), "Price times units sold this week."),
    Measure(
        "gross_profit",
        N_("cu per 1,000 customers"),
        "Unit margin times units sold this week (before marketing spend).",
    ),
    Measure(
        "profit",
        N_("cu per 1,000 customers"),
        "Profit to date after marketing: unit margin times units sold to date, less spend to date.",
    ),
    Measure(
        "roi",
        N_("cu per cu spent"),
        "Return on marketing spend to date: profit to date over spend to date (every sale "
        "counted; compare arms, or with the arm that spends nothing, for the part marketing "
        "made). Empty before anything is spent.",
    ),
    Measure(
        "customer_equity",
        N_("cu per 1,000 customers"),
        "Discounted expected margin of today's customers of the brand (Gupta & Lehmann 2005; "
        "0 with one-off adoption: nobody buys again).",
    ),
    *(
        Measure(
            name,
            N_("share of aware"),
            f"Aware customers with attitude in [{HIST_EDGES[k]:.1f}, {HIST_EDGES[k + 1]:.1f}"
            + ("]." if k == HIST_BINS - 1 else ")."),
        )
        for k, name in enumerate(HIST_NAMES)
    ),
    Measure(
        "mean_attitude_all",
        N_("attitude (-1..1)"),
        "Mean attitude of all customers, aware or not: a customer who is not aware counts at "
        "the latent attitude they hold (their predisposition if they never heard of the brand, "
        "the attitude they kept if they forgot it). Unlike mean_attitude it does not flatter an "
        "arm that reaches few customers.",
    ),
    Measure(
        "mention_views",
        N_("per 1,000 customers"),
        "Reads of public posts and reviews this week (one per reader and post).",
    ),
    Measure(
        "mention_readers",
        N_("per 1,000 customers"),
        "Customers who read at least one public post or review this week.",
    ),
    Measure(
        "rating",
        N_("attitude (-1..1)"),
        "The brand's visible rating: balance of recent public mentions, (positive - negative) "
        "/ (positive + negative), answered complaints weighing less. Empty while none is visible.",
    ),
    Measure(
        "rating_readers",
        N_("per 1,000 customers"),
        "Customers who looked at the visible rating this week.",
    ),
    Measure("stories_started", N_("per 1,000 customers"), "Stories started this week."),
    Measure("stories_retold", N_("per 1,000 customers"), "Stories retold this week."),
    Measure(
        "story_reach",
        N_("share of customers"),
        "Customers who have started or taken up a story so far.",
    ),
    Measure(
        "story_groups",
        N_("groups"),
        "Groups where a story has reached more than 10 % of the customers so far.",
    ),
    Measure(
        "largest_cascade",
        N_("customers"),
        "Customers reached by the largest story cascade so far (its start included).",
    ),
    # The media plan as a planner reads it (docs/model.md 7.2 and 7.9).
    Measure(
        "grps",
        N_("GRPs (100 = one impression per customer)"),
        "Gross rating points this week: 100 x impressions served / customers.",
    ),
    Measure(
        "grps_to_date",
        N_("GRPs (100 = one impression per customer)"),
        "Gross rating points to date: 100 x impressions served to date / customers.",
    ),
    Measure(
        "weekly_reach",
        N_("share of customers"),
        "Customers exposed to at least one ad this week.",
    ),
    Measure(
        "frequency",
        N_("exposures per customer reached"),
        "Average exposures this week among the customers reached (impressions served / "
        "customers reached; empty when nobody was reached). GRPs = 100 x reach x frequency.",
    ),
    Measure(
        "ad_to_sales",
        N_("share of revenue"),
        "Advertising-to-sales ratio to date: money spent on push to date / revenue to date "
        "(dialogue is not counted; empty before anything is sold).",
    ),
)
MEASURE_NAMES = tuple(m.name for m in MEASURES)
