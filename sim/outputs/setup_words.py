"""The study's setup in words, for report.html's "Setup" section (plain text, no markup).

Each function returns sentences in the page's language (``words``: a
``sim.outputs.pages.PageText``), with their numbers written for the language's locale by
``sim.i18n.numbers``; the template ``partials/setup.html`` lays them out and escapes them.
"""

from __future__ import annotations

from sim.i18n import N_, numbers

NETWORK_WORDS = {
    "well_mixed": N_("{n} who all know each other (well mixed)"),
    "ring": N_("{n} on a ring lattice with {degree} ties each"),
    "small_world": N_(
        "{n} on a small-world network ({degree} ties each, {rewire} of ties rewired)"
    ),
    "random": N_("{n} on a random network (about {degree} ties each)"),
    "scale_free": N_("{n} on a scale-free network (mean {degree} ties; a few hubs know very many)"),
    "clustered_scale_free": N_("{n} on a clustered scale-free network (mean {degree} ties)"),
    "communities": N_(
        "{n} in {groups} communities (about {degree} ties each, {mixing} of them to other "
        "communities)"
    ),
    "karate": N_("the 34 members of Zachary's karate club and their friendships"),
    "les_miserables": N_("the 77 characters of Les Miserables, tied when they meet"),
    "florentine": N_("the 15 Florentine families tied by marriage"),
    "davis": N_("the Southern women and the events they attended (Davis)"),
    "file": N_("the network read from {path}"),
}

OUTREACH = {
    "random": N_("then random outreach"),
    "hubs": N_("then outreach to the best-connected customers"),
    "none": N_("no outreach"),
}


def setup_items(study: dict, words) -> list[tuple[str, str]]:
    """``(head, sentence)`` for the market, the start, the product, money and market, and the
    crisis (when there is one)."""
    _, lang = words.plain, words.lang
    p = study["params"]
    prod, pop = p["product"], p["population"]
    items = [(_("Market:"), network_words(p["network"], words) + ".")]
    start = _(
        "{aware} of customers know the brand; predispositions average {attitude} on a "
        "scale from -1 to +1."
    ).format(
        aware=numbers.percent(pop["initial_awareness"], lang),
        attitude=numbers.fixed(pop["initial_attitude"], lang, 2, sign=True),
    )
    items.append((_("At the start:"), start))
    if p.get("attitudes", True):
        learning = p.get("learning") or {}
        learns = (
            _(
                "Learning from customers is on: what the brand hears can raise the fit toward "
                "{ceiling}."
            ).format(ceiling=numbers.fixed(learning["ceiling"], lang, 2, sign=True))
            if learning.get("enabled")
            else _("The product does not change during the study (learning is off).")
        )
        fit = _(
            "its true fit is {fit} for a customer of average taste (what using it "
            "settles customers on)."
        ).format(fit=numbers.fixed(prod["fit"], lang, 2, sign=True))
        items.append((_("Product:"), f"{fit} {learns}"))
    else:
        items.append(
            (_("Attitudes are switched off:"), _("only awareness spreads (the Bass limit)."))
        )
    items.append((_("Money and market:"), market_words(p, words) + "."))
    crisis = p["crisis"]
    if crisis.get("week"):
        text = _(
            "in week {week}, {share} of customers hear bad news and their attitude "
            "drops to {attitude}."
        ).format(
            week=crisis["week"],
            share=numbers.percent(crisis["share"], lang),
            attitude=numbers.fixed(crisis["attitude"], lang, 2, sign=True),
        )
        items.append((_("Crisis:"), text))
    return items


def market_words(p: dict, words) -> str:
    """The category, the competitor and the money, in words."""
    _, lang = words.plain, words.lang
    market = p.get("market") or {}
    money = p.get("money") or {}
    potential = market.get("potential", 1.0)
    parts = [
        _("{share} of customers are in the category").format(share=numbers.percent(potential, lang))
    ]
    rate = market.get("purchase_rate")
    if rate is None:
        parts.append(_("each buys the brand at most once (one-off adoption, no competitor)"))
    else:
        launch = (
            _(", {attractiveness} from week {week}").format(
                attractiveness=numbers.fixed(market["launch_attractiveness"], lang, 2, sign=True),
                week=market["launch_week"],
            )
            if market.get("launch_week")
            else ""
        )
        parts.append(
            _(
                "they buy in it {times} times a year on average, each time the brand or the "
                "alternative (attractiveness {attractiveness}{launch}); customers who choose "
                "the alternative lapse and may come back"
            ).format(
                times=numbers.general(rate * 52, lang, 3),
                attractiveness=numbers.fixed(market.get("competitor", 0.0), lang, 2, sign=True),
                launch=launch,
            )
        )
    if money:
        parts.append(
            _("a unit sells at {price} cu with a margin of {margin} cu").format(
                price=numbers.general(money.get("price", 0), lang),
                margin=numbers.general(money.get("unit_margin", 0), lang),
            )
        )
    return "; ".join(parts)


def network_words(net: dict, words) -> str:
    """The network in words: how many customers, how they are tied."""
    _, lang = words.plain, words.lang
    kind = net["kind"]
    if kind not in NETWORK_WORDS:
        return str(kind)
    values = {
        "n": _("{n} customers").format(n=numbers.grouped(net["n"], lang)),
        "degree": numbers.general(net.get("mean_degree") or 0, lang),
        "rewire": numbers.percent(net.get("rewire") or 0, lang),
        "groups": str(net.get("groups")),
        "mixing": numbers.percent(net.get("mixing") or 0, lang),
        "path": str(net.get("path")),
    }
    return _(NETWORK_WORDS[kind]).format(**values)


def plan_words(arm: dict, push: dict, words) -> list[str]:
    """An arm whose push is stated as GRPs or as an advertising-to-sales target, in words."""
    _, lang = words.plain, words.lang
    cost = push["cost_per_impression"]
    if arm.get("push_grps") is not None:
        money = arm["push_grps"] * 10.0 * cost
        head = _("push only, bought as {grps} GRPs a week").format(
            grps=numbers.general(arm["push_grps"], lang)
        )
    else:
        money = arm["ad_to_sales"] * arm["planned_revenue"]
        head = _("push only, at {share} of a planned revenue of {revenue} cu a week").format(
            share=numbers.percent(arm["ad_to_sales"], lang, 1),
            revenue=numbers.general(arm["planned_revenue"], lang),
        )
    return [
        head,
        _("{money} cu: {impressions} ad impressions ({grps} GRPs)").format(
            money=numbers.general(money, lang, 3),
            impressions=numbers.fixed(money / cost, lang, 0, group=True),
            grps=numbers.general(money / cost / 10, lang, 3),
        ),
    ]


def arm_words(arm: dict, push: dict, dia: dict, words) -> str:
    """What an arm spends, on what, and when, in words."""
    _, lang = words.plain, words.lang
    budget = arm["budget"]
    if budget <= 0:
        return _("no spending (what happens on its own)")
    planned = arm.get("push_grps") is not None or arm.get("ad_to_sales") is not None
    share = 0.0 if planned else arm["push_share"]
    impressions = budget * share / push["cost_per_impression"]
    talks = budget * (1 - arm["push_share"]) / dia["cost_per_conversation"]
    parts = (
        plan_words(arm, push, words)
        if planned
        else [_("{budget} cu a week").format(budget=numbers.general(budget, lang))]
    )
    if share > 0:
        values = {
            "share": numbers.percent(share, lang),
            "impressions": numbers.fixed(impressions, lang, 0, group=True),
            "per_customer": numbers.general(impressions / 1000, lang, 2),
        }
        if arm.get("target_group"):
            parts.append(
                _(
                    "{share} on push: {impressions} ad impressions to group {group} "
                    "({per_customer} per customer)"
                ).format(group=arm["target_group"], **values)
            )
        else:
            parts.append(
                _(
                    "{share} on push: {impressions} ad impressions ({per_customer} per customer)"
                ).format(**values)
            )
    if share < 1 and not planned:
        outreach = arm.get("outreach", "random")
        parts.append(
            _("{share} on dialogue: {talks} conversations (answers first, {outreach})").format(
                share=numbers.percent(1 - share, lang),
                talks=numbers.fixed(talks, lang, 1, group=True),
                outreach=_(OUTREACH[outreach]) if outreach in OUTREACH else outreach,
            )
        )
    if share > 0:  # 100 GRPs = one impression per customer = 1,000 per 1,000 customers
        parts.append(
            _("{grps} GRPs a week").format(grps=numbers.general(impressions / 10, lang, 3))
        )
    if share > 0 or planned:
        if arm.get("burst_weeks") and arm.get("burst_factor", 1.0) != 1.0:
            parts.append(
                _("launch burst: {factor} x the push money in the first {weeks} weeks").format(
                    factor=numbers.general(arm["burst_factor"], lang), weeks=arm["burst_weeks"]
                )
            )
        if push.get("frequency_cap"):
            parts.append(
                _("at most {cap} impressions per customer a week (frequency cap)").format(
                    cap=push["frequency_cap"]
                )
            )
    when = ""
    if arm.get("start_week", 1) > 1 or arm.get("end_week"):
        end = arm.get("end_week")
        start = arm.get("start_week", 1)
        when = "; " + (
            _("weeks {start} to {end}").format(start=start, end=end)
            if end
            else _("weeks {start} to the end").format(start=start)
        )
    return "; ".join(parts) + when


def sweep_grid(sweep: dict, words) -> str:
    """A sweep's grid: ``path = v1, v2; path = v1, v2`` (``v1; v2`` where the comma is the
    decimal sign)."""
    return "; ".join(
        f"{k} = {words.separator.join(words.value(x) for x in v)}" for k, v in sweep.items()
    )


def runs_words(study: dict, words) -> str:
    """How long, how many replicates, which seed."""
    _ = words.plain
    values = {"weeks": study["weeks"], "replicates": study["replicates"], "seed": study["seed"]}
    if study.get("sweep"):
        return _(
            "{weeks} weeks, {replicates} replicates per arm and grid point, master seed {seed}."
        ).format(**values)
    return _("{weeks} weeks, {replicates} replicates per arm, master seed {seed}.").format(**values)
