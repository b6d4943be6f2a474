"""Plain-language names and explanations for everything the app shows (English message keys).

Identifiers (``small_world``, ``les_miserables``, ``cu``) never reach the page: menus show the
names below, and every control and measure has a tooltip saying what it means. All texts are
English keys for ``sim.i18n`` (translated where they are shown).
"""

from __future__ import annotations

import re

from sim.i18n import LANGUAGES, numbers
from sim.i18n.vocabulary import (
    EVERYONE_NAME,
    GROUP_NAMES,
    NAME_BUDGET,
    NAME_GROUP,
    NAME_OUTREACH,
    NAME_SHARE,
    OUTREACH_NAMES,
    STRATEGY_NAMES,
)
from sim.viz.frames import N_

GROUP_NUMBER = N_("group {n}")  # a generated network's groups g1, g2, ...

NETWORK_NAMES = {
    "well_mixed": N_("Well mixed (everyone knows everyone)"),
    "ring": N_("Ring (only next-door neighbours)"),
    "small_world": N_("Small world (friend circles, a few far ties)"),
    "random": N_("Random ties"),
    "scale_free": N_("Scale-free (a few hubs with many ties)"),
    "clustered_scale_free": N_("Scale-free with friend circles"),
    "communities": N_("Communities (groups)"),
    "karate": N_("Karate club (real, 34 people)"),
    "les_miserables": N_("Les Misérables characters (real, 77)"),
    "florentine": N_("Florentine families (real, 15)"),
    "davis": N_("Southern women (real, 32)"),
    "file": N_("Network from a file"),
}

# Tooltips of the controls (name of the control -> what it does).
CONTROL_HELP = {
    "preset": N_("A ready-made scenario from the scenarios folder: it sets every control at once."),
    "compare": N_(
        "Run two campaigns, A and B, on the same customers with the same luck, so every "
        "difference comes from the campaign."
    ),
    "strategy": N_(
        "How the money is spent: push buys ads (cheap, many people, little trust); dialogue "
        "answers and starts conversations (dear, few people, much trust); mix splits it."
    ),
    "push_share": N_("Share of the budget spent on ads; the rest pays for dialogue."),
    "outreach": N_(
        "Whom dialogue talks to when it has answered every complaint: random customers, the "
        "best-connected customers first (hubs), or nobody (it only answers)."
    ),
    "target_group": N_(
        "Who sees the ads: everyone, or only one group of customers (the network's groups)."
    ),
    "budget": N_(
        "Money spent each week per 1,000 customers, in cu (currency units: any currency). "
        "With the default costs, 1 cu buys 100 ad impressions or a fifth of a conversation."
    ),
    "fit": N_(
        "How good the product really is for the average customer, from -1 (awful) to +1 "
        "(perfect). After buying, customers' opinions move towards it."
    ),
    "ad_credibility": N_(
        "How much people believe an ad, from 0 (not at all) to 1 (as much as a friend)."
    ),
    "negativity": N_(
        "How much more often unhappy customers talk, and how much more their words weigh, "
        "than happy ones (1: the same)."
    ),
    "network_kind": N_("Who knows whom: the shape of the customers' social network."),
    "n": N_("Number of customers (a real network has its own size)."),
    "seed": N_(
        "The luck of the run: the same seed gives exactly the same run; another seed shows how "
        "much of what you see is chance."
    ),
    "charts": N_("Which charts are shown under the networks (up to three)."),
}

# The scoreboard's rows: measure, label, format, higher is better, explanation.
SCORE_ROWS = (
    ("awareness", N_("Aware"), "{:.0%}", True, N_("Share of customers who know the brand.")),
    ("adoption", N_("Bought"), "{:.0%}", True, N_("Share of customers who have bought.")),
    (
        "mean_attitude",
        N_("Mean attitude, aware"),
        "{:+.2f}",
        True,
        N_("Average opinion of those who know the brand, -1 (hate it) to +1 (love it)."),
    ),
    (
        "mean_attitude_all",
        N_("Mean attitude, all"),
        "{:+.2f}",
        True,
        N_(
            "Average opinion of all customers, -1 (hate it) to +1 (love it): those who do not "
            "know the brand count at their own leaning. A campaign that reaches only a few "
            "fans looks good on the row above, not on this one."
        ),
    ),
    (
        "net_sentiment",
        N_("Net sentiment"),
        "{:+.0%}",
        True,
        N_(
            "Fans minus critics: share of the aware with attitude above +0.5 minus the share "
            "below -0.5."
        ),
    ),
    (
        "attitude_sd",
        N_("Attitude spread"),
        "{:.2f}",
        None,
        N_(
            "How much opinions differ (standard deviation of the aware's attitudes): 0 = all "
            "agree; neither higher nor lower is better."
        ),
    ),
    (
        "wom_positive",
        N_("Good talk"),
        "{:.0f}",
        True,
        N_("Positive conversations about the brand this week, per 1,000 customers."),
    ),
    (
        "wom_negative",
        N_("Bad talk"),
        "{:.0f}",
        False,
        N_("Negative conversations and complaints this week, per 1,000 customers."),
    ),
    (
        "customers",
        N_("Customers"),
        "{:.0%}",
        True,
        N_("Share of customers who chose the brand at their last purchase."),
    ),
    (
        "spend",
        N_("Spent (cu)"),
        "{:,.0f}",
        None,
        N_("Marketing money spent so far, per 1,000 customers (cu: currency units)."),
    ),
    (
        "profit",
        N_("Profit (cu)"),
        "{:+,.0f}",
        True,
        N_(
            "Margin on everything sold so far minus the marketing spend, per 1,000 customers "
            "(cu: currency units). Below zero: the campaign has not paid for itself yet."
        ),
    ),
)


# The media plan under the scoreboard, one line per campaign that buys ads (a line, not four
# rows, so that the scoreboard still fits a 1280 x 720 projector beside the networks).
# Short enough for one line of the scoreboard at 1280 x 720 (MEDIA_HELP, the tooltip, explains).
MEDIA_LINE = N_("{name}: {grps} GRPs · reach {reach} · freq. {frequency} · A/S {ad_to_sales}")
MEDIA_HELP = N_(
    "The media plan: gross rating points this week (100 = as many ads as there are customers), "
    "the share of customers who saw at least one ad this week, the average number of ads they "
    "saw, and money spent on ads so far over revenue so far (food and grocery makers typically "
    "spend a few per cent)."
)


def strategy_label(strategy: str, push_share: float, _) -> str:
    """The name of a campaign with its push share when it mixes, e.g. ``mix (30 % push)``."""
    name = _(STRATEGY_NAMES.get(strategy, strategy))
    if strategy == "mix":
        return _(NAME_SHARE).format(name=name, share=round(100 * push_share))
    return name


def group_label(group: str | None, _) -> str:
    """A target group's name in the language of ``_`` (``everyone`` for no group)."""
    if not group:
        return _(EVERYONE_NAME)
    if group in GROUP_NAMES:
        return _(GROUP_NAMES[group])
    if re.fullmatch(r"g[1-9]\d*", group):
        return _(GROUP_NUMBER).format(n=group[1:])
    return group


def campaign_label(arm, other, _, budget: float | None = None, other_budget=None) -> str:
    """A campaign's name as its panel shows it: the strategy, and the settings that tell it
    apart from ``other`` (the campaign beside it, None when alone), in the teaching kit's
    words: ``push 20`` / ``push 80``, ``dialogue, hubs first``, ``push to students``,
    ``mix (30 % push)``. Alone, a target group or an outreach other than random customers is
    named too. ``budget`` / ``other_budget``: the campaigns' weekly money when it is not
    ``arm.budget`` (a media plan).
    """
    from sim.viz.controls import strategy_of

    strategy, share = strategy_of(arm)
    name = strategy_label(strategy, share, _)
    if strategy == "none":
        return name
    money = arm.budget if budget is None else budget
    if other is not None and strategy_of(other)[0] != "none":
        theirs = other.budget if other_budget is None else other_budget
        if abs(money - theirs) > 1e-9:
            shown = numbers.general(money, getattr(_, "lang", "en"))
            name = _(NAME_BUDGET).format(name=name, budget=shown)
    pushes, talks = strategy in ("push", "mix"), strategy in ("dialogue", "mix")
    other_pushes = other is not None and strategy_of(other)[0] in ("push", "mix")
    other_talks = other is not None and strategy_of(other)[0] in ("dialogue", "mix")
    if pushes and (arm.target_group or (other_pushes and other.target_group)):
        name = _(NAME_GROUP).format(name=name, group=group_label(arm.target_group, _))
    if talks and (arm.outreach != "random" or (other_talks and other.outreach != arm.outreach)):
        name = _(NAME_OUTREACH).format(
            name=name, outreach=_(OUTREACH_NAMES.get(arm.outreach, arm.outreach))
        )
    return name


def network_label(kind: str, _) -> str:
    """The menu name of a network family (the identifier itself when unknown)."""
    return _(NETWORK_NAMES[kind]) if kind in NETWORK_NAMES else kind


def preset_label(key: str, _) -> str:
    """A preset's menu name in the language of ``_``: a shipped scenario's name
    (``bad_product`` -> ``Bad product``), a workshop scenario's exercise as the worksheet names it
    (``workshop/crisis`` -> ``Exercise 3: The crisis``), a user's file its file name."""
    if key in PRESET_NAMES:
        return _(PRESET_NAMES[key])
    exercise = _exercise_label(key, getattr(_, "lang", "en"))
    if exercise is not None:
        return exercise
    name = key.replace("\\", "/").rsplit("/", 1)[-1]
    if "/" in key.replace("\\", "/") or name.endswith(".toml"):
        return name if name.endswith(".toml") else f"{name}.toml"
    return name.replace("_", " ").capitalize()


def preset_order(key: str) -> tuple[int, int]:
    """Sort key of the preset menu: the shipped scenarios as listed, then the workshop's in the
    order of its exercises (``sorted(keys, key=preset_order)``)."""
    from sim.workshop.exercises import EXERCISES

    numbers = {e.scenario: e.number for e in EXERCISES}
    return (1, numbers[key]) if key in numbers else (0, 0)


def _exercise_label(key: str, lang: str) -> str | None:
    """``Exercise 3: The crisis`` for ``workshop/crisis`` (from the kit's own texts, so the menu
    and the worksheet name it alike); None for any other key."""
    from sim.workshop import texts
    from sim.workshop.exercises import EXERCISES

    for exercise in EXERCISES:
        if exercise.scenario == key:
            text = texts.load(lang if lang in LANGUAGES else "en")
            title = text["exercise"][exercise.id]["title"]
            return f"{text['ui']['exercise']} {exercise.number}: {title}"
    return None


PRESET_NAMES = {
    "default": N_("Default: push, dialogue or both"),
    "bad_product": N_("Bad product"),
    "bass": N_("Bass model (awareness only)"),
    "budget_frontier": N_("Budget frontier"),
    "competitor_launch": N_("Competitor launch"),
    "crisis": N_("Crisis"),
    "karate": N_("Karate club"),
    "learning": N_("Learning brand"),
    "negativity": N_("Negativity"),
    "networks": N_("Networks"),
    "target_groups": N_("Target groups"),
}
