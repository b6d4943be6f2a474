"""report.html: one self-contained page (figures embedded) a workshop participant can open.

The question, the setup in words, the key table, the figures and the caveats. No scripts, no
external files: it opens by double-click in any browser, also offline.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable
from pathlib import Path

from sim.engine.measures import LABELS, LOWER_IS_BETTER, label, unit
from sim.i18n import DEFAULT_LANGUAGE, N_, NUMBER, list_separator, number_style, translator
from sim.i18n.scenarios import scenario_text
from sim.i18n.vocabulary import arm_label
from sim.shipped import command_name
from sim.study.folders import write_text

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 18px;
       line-height: 1.5; color: #222; max-width: 1150px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 2em; margin-bottom: 0.2em; }
h2 { margin-top: 1.6em; border-bottom: 2px solid #ddd; }
.question { font-size: 1.15em; background: #f3f7fb; border-left: 6px solid #0072B2;
            padding: 0.6em 1em; white-space: pre-line; }
.warning { background: #fff3cd; border-left: 6px solid #E69F00; padding: 0.6em 1em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.7em; text-align: right; }
th { background: #f0f0f0; } td.arm, th.arm { text-align: left; font-weight: bold; }
td .ci { color: #666; font-size: 0.85em; }
td.up { background: #e6f4ea; } td.down { background: #fdecea; }
figure { margin: 1.5em 0; } figure img { width: 100%; border: 1px solid #eee; }
.meta { color: #555; font-size: 0.85em; } ul.setup li { margin: 0.2em 0; }
"""


def html_translator(lang: str) -> Callable[..., str]:
    """``_(message, **values)``: ``message`` in ``lang``, HTML-escaped, then filled with
    ``values`` (which the caller has made HTML-safe: escaped names, numbers, ``<b>`` tags).

    A value that is a number and nothing else (``"0.25"``, ``"12%"``, ``"2,000"``) is written
    in the language's style (``"0,25"``, ``"12 %"``, ``"2 000"`` in Norwegian); names are not
    touched. ``_.plain`` is the plain translator, ``_.fmt(x)`` a number in the report's
    precision and style, ``_.interval(low, high)`` ``"[low, high]"`` (``"[low; high]"``),
    ``_.value(v)`` a parameter value (styled when it is a number).
    """
    plain = translator(lang)
    number = number_style(lang)
    separator = list_separator(lang)

    def translate(message: str, **values) -> str:
        text = html.escape(plain(message), quote=False)
        if not values:
            return text
        values = {
            k: number(v)
            if isinstance(v, str) and not isinstance(v, _Styled) and NUMBER.fullmatch(v)
            else v
            for k, v in values.items()
        }
        return text.format(**values)

    def fmt(x) -> str:
        return _Styled(number(_fmt(x)))

    def value(x) -> str:
        text = str(x)
        return _Styled(number(text) if NUMBER.fullmatch(text) else text)

    def interval(low, high) -> str:
        return _Styled(f"[{fmt(low)}{separator}{fmt(high)}]")

    translate.plain = plain  # type: ignore[attr-defined]
    translate.fmt = fmt  # type: ignore[attr-defined]
    translate.interval = interval  # type: ignore[attr-defined]
    translate.value = value  # type: ignore[attr-defined]
    translate.separator = separator  # type: ignore[attr-defined]
    translate.number = number  # type: ignore[attr-defined]
    return translate


class _Styled(str):
    """A number already written in the report's language (not to be restyled: "0,801" must not
    be read as an English thousands separator)."""


def write_report(
    path: Path,
    manifest: dict,
    summary: dict,
    figures: list[Path],
    complete: bool = True,
    lang: str = DEFAULT_LANGUAGE,
    plausible=None,
) -> Path:
    """Write the report page in the language ``lang`` (``sim.i18n.LANGUAGES``); returns its path.

    ``plausible``: the lead shares over plausible markets (``sim.study.markets``), which the
    page leads with when given.

    The scenario's own title, description and arm names are the author's words and are shown
    as written, except that a shipped scenario's title and description are shown in ``lang``
    when its catalogue has an up-to-date translation (sim/i18n/scenarios.py).
    """
    _ = html_translator(lang)
    study = manifest["scenario"]
    text = scenario_text(study.get("title"), study.get("description"), lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(text.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(text.title)}</h1>",
    ]
    if not complete:
        done, total = manifest.get("runs_done", "?"), manifest.get("runs_total", "?")
        parts.append(
            '<p class="warning"><b>'
            + _("Incomplete study:")
            + "</b> "
            + _(
                "only {done} of {total} runs finished. The numbers below use the finished runs "
                "only. See the INCOMPLETE file in this folder for the command that finishes it.",
                done=_e(done),
                total=_e(total),
            )
            + "</p>"
        )
    if plausible is not None and not plausible.empty:
        parts.append(plausible_section(plausible, manifest.get("plausible", {}), _))
    if text.description.strip():
        parts.append(f'<div class="question">{_e(text.description.strip())}</div>')
    parts.append(f"<h2>{_('Setup')}</h2>")
    parts.append(setup_in_words(study, _))
    parts.append(f"<h2>{_('Key results')}</h2>")
    if summary.get("what_pays"):
        parts.append(what_pays(summary["what_pays"], _))
    if summary.get("leads"):
        parts.append(who_leads(summary["leads"], _))
    if summary.get("claims"):
        parts.append(claims_table(summary["claims"], _))
    parts.append(key_tables(study, summary, _))
    parts.append(media_plan_table(summary, _))
    if figures:
        parts.append(f"<h2>{_('Figures')}</h2>")
        for fig in figures:
            data = base64.b64encode(Path(fig).read_bytes()).decode("ascii")
            alt = figure_alt(Path(fig).stem, _)
            parts.append(
                f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'
            )
    parts.append(f"<h2>{_('Caveats')}</h2>")
    parts.append("<ul>" + "".join(f"<li>{_(item)}</li>" for item in CAVEATS) + "</ul>")
    parts.append(_meta(manifest, _))
    parts.append("</body></html>")
    write_text(Path(path), "\n".join(parts) + "\n")
    return Path(path)


CAVEATS = (
    N_(
        "This is a model, not a forecast. Its parameter values are illustrative, chosen to be "
        "plausible from the marketing literature (see docs/model.md), not estimated for any real "
        "brand or market. Use it to think about mechanisms and to compare strategies under stated "
        "assumptions."
    ),
    N_(
        "The 95 % intervals describe the model's own randomness over the replicates (Student t), "
        "nothing else: not the uncertainty in the parameters, and not the gap between the model "
        "and a real market. More replicates give narrower intervals but the same assumptions."
    ),
    N_(
        "Arms are compared on the same networks and random streams (common random numbers), so "
        "the paired differences are sharper than the two arms' separate intervals suggest."
    ),
    N_(
        "Budgets are per 1,000 customers per week; push and dialogue buy very different numbers "
        "of contacts with the same money (see the setup). Conclusions can flip with the costs, "
        "the product's true fit and the network: try a sweep before generalising."
    ),
)

# Alternative text of each figure (by file name); sweep figures are named after their measure.
FIGURE_ALT = {
    "awareness": N_("Awareness over the weeks, per arm"),
    "adoption": N_("Adoption over the weeks, per arm"),
    "profit": N_("Profit to date over the weeks, per arm"),
    "market_share": N_("Market share over the weeks, per arm"),
    "customers": N_("Customers of the brand over the weeks, per arm"),
    "mean_attitude": N_(
        "Mean attitude over the weeks, per arm: of the aware customers (left) and of all "
        "customers (right)"
    ),
    "net_sentiment": N_("Net sentiment over the weeks, per arm"),
    "attitude_histograms": N_("Attitude histograms per arm and week"),
    "wom": N_("Positive and negative word of mouth over the weeks, per arm"),
    "spend_efficiency": N_("Cost per aware customer over the weeks, per arm"),
    "first_heard": N_("How customers first heard of the brand, per arm"),
    "irritated": N_("Irritated customers over the weeks, per arm"),
    "awareness_outside_target": N_("Awareness outside the target group over the weeks"),
    "product_fit": N_("Product fit over the weeks, per arm"),
}


def figure_alt(stem: str, _) -> str:
    """Alternative text of a figure file, in the reader's language (plain text)."""
    if stem in FIGURE_ALT:
        return _.plain(FIGURE_ALT[stem])
    for prefix, text in (
        ("sweep_winner_", N_("Best arm per grid point: {measure}")),
        ("sweep_diff_", N_("Paired difference over the sweep: {measure}")),
        ("sweep_", N_("{measure} over the sweep, per arm")),
    ):
        if stem.startswith(prefix):
            rest = stem[len(prefix) :]
            measure = max((m for m in LABELS if rest.startswith(m)), key=len, default=rest)
            return _.plain(text).format(measure=label(measure, _.plain))
    return stem.replace("_", " ")


def setup_in_words(study: dict, _) -> str:
    p = study["params"]
    net, push, dia, prod = p["network"], p["push"], p["dialogue"], p["product"]
    items = [_item(_("Market:"), _network_words(net, _) + ".")]
    pop = p["population"]
    items.append(
        _item(
            _("At the start:"),
            _(
                "{aware} of customers know the brand; predispositions average {attitude} on a "
                "scale from -1 to +1.",
                aware=f"{pop['initial_awareness']:.0%}",
                attitude=f"{pop['initial_attitude']:+.2f}",
            ),
        )
    )
    if p.get("attitudes", True):
        learning = p.get("learning") or {}
        learns = (
            _(
                "Learning from customers is on: what the brand hears can raise the fit toward "
                "{ceiling}.",
                ceiling=f"{learning['ceiling']:+.2f}",
            )
            if learning.get("enabled")
            else _("The product does not change during the study (learning is off).")
        )
        items.append(
            _item(
                _("Product:"),
                _(
                    "its true fit is {fit} for a customer of average taste (what using it "
                    "settles customers on).",
                    fit=f"{prod['fit']:+.2f}",
                )
                + " "
                + learns,
            )
        )
    else:
        items.append(
            _item(
                _("Attitudes are switched off:"),
                _("only awareness spreads (the Bass limit)."),
            )
        )
    items.append(_item(_("Money and market:"), _market_words(p, _) + "."))
    crisis = p["crisis"]
    if crisis.get("week"):
        items.append(
            _item(
                _("Crisis:"),
                _(
                    "in week {week}, {share} of customers hear bad news and their attitude "
                    "drops to {attitude}.",
                    week=crisis["week"],
                    share=f"{crisis['share']:.0%}",
                    attitude=f"{crisis['attitude']:+.2f}",
                ),
            )
        )
    arms = [
        f"<li><b>{_arm(arm['name'], _)}</b>: {_arm_words(arm, push, dia, _)}</li>"
        for arm in study["arms"]
    ]
    items.append(
        "<li><b>"
        + _("Arms compared")
        + "</b> "
        + _("(budgets per 1,000 customers per week):")
        + "<ul>"
    )
    items += arms
    items.append("</ul></li>")
    from sim.engine.mechanisms import describe

    items.append(
        "<li><b>"
        + _("Mechanisms")
        + "</b> "
        + _("(docs/model.md explains each):")
        + "<ul>"
        + "".join(f"<li>{_e(_.number(line))}</li>" for line in describe(p, _.plain))
        + "</ul></li>"
    )
    sweep = study.get("sweep") or {}
    if sweep:
        grid = "; ".join(
            f"{_e(k)} = {_e(_.separator.join(map(_.value, v)))}" for k, v in sweep.items()
        )
        items.append(_item(_("Sweep:"), _("every combination of {grid}.", grid=grid)))
    runs = (
        _(
            "{weeks} weeks, {replicates} replicates per arm and grid point, master seed {seed}.",
            weeks=study["weeks"],
            replicates=study["replicates"],
            seed=study["seed"],
        )
        if sweep
        else _(
            "{weeks} weeks, {replicates} replicates per arm, master seed {seed}.",
            weeks=study["weeks"],
            replicates=study["replicates"],
            seed=study["seed"],
        )
    )
    against = _(
        "Differences are against the {baseline} arm.",
        baseline=f"<b>{_arm(study['baseline'], _)}</b>",
    )
    items.append(_item(_("Runs:"), f"{runs} {against}"))
    return '<ul class="setup">' + "\n".join(items) + "</ul>"


def _item(head: str, text: str) -> str:
    return f"<li><b>{head}</b> {text}</li>"


def _market_words(p: dict, _) -> str:
    """The category, the competitor and the money, in words."""
    market = p.get("market") or {}
    money = p.get("money") or {}
    potential = market.get("potential", 1.0)
    words = [_("{share} of customers are in the category", share=f"{potential:.0%}")]
    rate = market.get("purchase_rate")
    if rate is None:
        words.append(_("each buys the brand at most once (one-off adoption, no competitor)"))
    else:
        launch = (
            _(
                ", {attractiveness} from week {week}",
                attractiveness=f"{market['launch_attractiveness']:+.2f}",
                week=market["launch_week"],
            )
            if market.get("launch_week")
            else ""
        )
        words.append(
            _(
                "they buy in it {times} times a year on average, each time the brand or the "
                "alternative (attractiveness {attractiveness}{launch}); customers who choose "
                "the alternative lapse and may come back",
                times=f"{rate * 52:.3g}",
                attractiveness=f"{market.get('competitor', 0.0):+.2f}",
                launch=launch,
            )
        )
    if money:
        words.append(
            _(
                "a unit sells at {price} cu with a margin of {margin} cu",
                price=f"{money.get('price', 0):g}",
                margin=f"{money.get('unit_margin', 0):g}",
            )
        )
    return "; ".join(words)


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


def _network_words(net: dict, _) -> str:
    kind = net["kind"]
    if kind not in NETWORK_WORDS:
        return _e(kind)
    values = {
        "n": _("{n} customers", n=f"{net['n']:,}"),
        "degree": f"{net.get('mean_degree') or 0:g}",
        "rewire": f"{net.get('rewire') or 0:.0%}",
        "groups": _e(net.get("groups")),
        "mixing": f"{net.get('mixing') or 0:.0%}",
        "path": _e(net.get("path")),
    }
    return _(NETWORK_WORDS[kind], **values)


OUTREACH = {
    "random": N_("then random outreach"),
    "hubs": N_("then outreach to the best-connected customers"),
    "none": N_("no outreach"),
}


def _plan_words(arm: dict, push: dict, _) -> list[str]:
    """An arm whose push is stated as GRPs or as an advertising-to-sales target, in words."""
    cost = push["cost_per_impression"]
    if arm.get("push_grps") is not None:
        money = arm["push_grps"] * 10.0 * cost
        head = _("push only, bought as {grps} GRPs a week", grps=f"{arm['push_grps']:g}")
    else:
        money = arm["ad_to_sales"] * arm["planned_revenue"]
        head = _(
            "push only, at {share} of a planned revenue of {revenue} cu a week",
            share=f"{arm['ad_to_sales']:.1%}",
            revenue=f"{arm['planned_revenue']:g}",
        )
    return [
        head,
        _(
            "{money} cu: {impressions} ad impressions ({grps} GRPs)",
            money=f"{money:.3g}",
            impressions=f"{money / cost:,.0f}",
            grps=f"{money / cost / 10:.3g}",
        ),
    ]


def _arm_words(arm: dict, push: dict, dia: dict, _) -> str:
    budget = arm["budget"]
    if budget <= 0:
        return _("no spending (what happens on its own)")
    planned = arm.get("push_grps") is not None or arm.get("ad_to_sales") is not None
    share = 0.0 if planned else arm["push_share"]
    impressions = budget * share / push["cost_per_impression"]
    talks = budget * (1 - arm["push_share"]) / dia["cost_per_conversation"]
    parts = (
        _plan_words(arm, push, _) if planned else [_("{budget} cu a week", budget=f"{budget:g}")]
    )
    if share > 0:
        values = {
            "share": f"{share:.0%}",
            "impressions": f"{impressions:,.0f}",
            "per_customer": f"{impressions / 1000:.2g}",
        }
        if arm.get("target_group"):
            parts.append(
                _(
                    "{share} on push: {impressions} ad impressions to group {group} "
                    "({per_customer} per customer)",
                    group=_e(arm["target_group"]),
                    **values,
                )
            )
        else:
            parts.append(
                _(
                    "{share} on push: {impressions} ad impressions ({per_customer} per customer)",
                    **values,
                )
            )
    if share < 1 and not planned:
        outreach = arm.get("outreach", "random")
        parts.append(
            _(
                "{share} on dialogue: {talks} conversations (answers first, {outreach})",
                share=f"{1 - share:.0%}",
                talks=f"{talks:,.1f}",
                outreach=_(OUTREACH[outreach]) if outreach in OUTREACH else _e(outreach),
            )
        )
    if share > 0:  # 100 GRPs = one impression per customer = 1,000 per 1,000 customers
        parts.append(_("{grps} GRPs a week", grps=f"{impressions / 10:.3g}"))
    if share > 0 or planned:
        if arm.get("burst_weeks") and arm.get("burst_factor", 1.0) != 1.0:
            parts.append(
                _(
                    "launch burst: {factor} x the push money in the first {weeks} weeks",
                    factor=f"{arm['burst_factor']:g}",
                    weeks=arm["burst_weeks"],
                )
            )
        if push.get("frequency_cap"):
            parts.append(
                _(
                    "at most {cap} impressions per customer a week (frequency cap)",
                    cap=push["frequency_cap"],
                )
            )
    when = ""
    if arm.get("start_week", 1) > 1 or arm.get("end_week"):
        end = arm.get("end_week")
        when = "; " + (
            _("weeks {start} to {end}", start=arm.get("start_week", 1), end=end)
            if end
            else _("weeks {start} to the end", start=arm.get("start_week", 1))
        )
    return "; ".join(parts) + when


def who_leads(leads: list[dict], _) -> str:
    """Plain sentences: which arm leads each key measure at weeks 4, 13 and 52, or a tie."""
    lines = []
    for week in sorted({item["week"] for item in leads}):
        sentences = []
        for item in (i for i in leads if i["week"] == week):
            name = _e(label(item["measure"], _.plain).lower())
            d = item["difference"]
            gap = f"{_.fmt(d['mean'])} {_.interval(d['low'], d['high'])}"
            values = {
                "measure": name,
                "leader": _arm(item["leader"], _),
                "leader_mean": _.fmt(item["leader_mean"]),
                "runner_up": _arm(item["runner_up"], _),
                "runner_up_mean": _.fmt(item["runner_up_mean"]),
                "gap": gap,
            }
            if item["tie"]:
                sentences.append(
                    _(
                        "on {measure}, {no_leader}: {leader} ({leader_mean}) and {runner_up} "
                        "({runner_up_mean}) differ by {gap}, within noise",
                        no_leader="<b>" + _("no clear leader") + "</b>",
                        **values,
                    )
                )
            else:
                values["leader"] = f"<b>{values['leader']}</b>"
                sentences.append(
                    _(
                        "{leader} leads on {measure} ({leader_mean} against {runner_up}'s "
                        "{runner_up_mean}; difference {gap})",
                        **values,
                    )
                )
        head = _("Week {week}:", week=week)
        lines.append(f"<li><b>{head}</b> " + "; ".join(sentences) + ".</li>")
    intro = _(
        "Who leads when (mean over replicates; the difference to the runner-up is paired by "
        "replicate, with its 95 % interval):"
    )
    return f"<p>{intro}</p><ul>" + "\n".join(lines) + "</ul>"


def _percent(share: float, _) -> str:
    """A share as a whole percentage in the report's language ("72%", "72 %" in bokmål)."""
    return _Styled(_.number(f"{100 * share:.0f}%"))


def plausible_section(table, info: dict, _) -> str:
    """The answer over plausible markets: a sentence per comparison on profit (or the first
    key measure) at the last week, then the share table for every key measure and week."""
    week = int(table["week"].max())
    markets = int(table["markets"].max())
    headline_measure = "profit" if "profit" in set(table["measure"]) else table["measure"].iloc[0]
    sentences = []
    last = table[(table["week"] == week) & (table["measure"] == headline_measure)]
    for row in last.itertuples():
        values = {
            "share": _percent(row.share, _),
            "low": _percent(row.low, _),
            "high": _percent(row.high, _),
            "markets": str(markets),
            "arm": "<b>" + _arm(row.arm, _) + "</b>",
            "versus": _arm(row.versus, _),
            "measure": _e(label(row.measure, _.plain).lower()),
            "week": str(week),
        }
        if row.measure == "profit":
            text = _(
                "In {share} [{low}, {high}] of {markets} plausible markets, {arm} earns more "
                "than {versus} (profit to date at week {week}).",
                **values,
            )
        else:
            text = _(
                "In {share} [{low}, {high}] of {markets} plausible markets, {arm} is ahead of "
                "{versus} on {measure} at week {week}.",
                **values,
            )
        sentences.append(f"<li>{text}</li>")
    weeks = sorted(set(table["week"]))
    head = "".join(f"<th>{_('week {week}', week=str(w))}</th>" for w in weeks)
    rows = []
    for (arm, versus, measure), group in table.groupby(["arm", "versus", "measure"], sort=False):
        cells = []
        for w in weeks:
            hit = group[group["week"] == w]
            if hit.empty:
                cells.append("<td></td>")
                continue
            r = hit.iloc[0]
            cells.append(
                f"<td>{_percent(r['share'], _)} [{_percent(r['low'], _)}, "
                f"{_percent(r['high'], _)}]</td>"
            )
        name = _e(label(measure, _.plain))
        rows.append(
            f"<tr><td>{_arm(arm, _)} - {_arm(versus, _)}</td><td>{name}</td>{''.join(cells)}</tr>"
        )
    intro = _(
        "Over markets consistent with the evidence: the scenario was run once in each of "
        "{markets} markets of the calibrated plausible set (docs/validation.md), each a set of "
        "parameter values that meets every empirical target. A share is the part of those "
        "markets in which the first arm is ahead (ties count half), with its 95 % interval "
        "(Wilson); it says how much the answer depends on what we do not know about the market.",
        markets=str(markets),
    )
    return (
        f"<h2>{_('The answer over plausible markets')}</h2><p>{intro}</p><ul>"
        + "".join(sentences)
        + "</ul><table><tr><th>"
        + _("comparison")
        + "</th><th>"
        + _("measure")
        + f"</th>{head}</tr>"
        + "".join(rows)
        + "</table>"
    )


def claims_table(claims: list[dict], _) -> str:
    """The scenario's claims ([[expect]]) judged on this study's runs: held / not held."""
    rows = []
    for c in claims:
        if c.get("held") is None:
            verdict, cls, value = _("not judged"), "", _e(c.get("why", ""))
        else:
            verdict, cls = (_("held"), "up") if c["held"] else (_("NOT held"), "down")
            value = _ci_text({"mean": c["mean"], "low": c["low"], "high": c["high"]}, _)
            if c.get("margin") is not None:  # an equivalence claim: its 90 % interval
                value += " " + _(
                    "(90 % interval; equivalent when inside ±{margin})", margin=_.value(c["margin"])
                )
        says = f"<br><span class='ci'>{_e(c['says'])}</span>" if c.get("says") else ""
        rows.append(
            f"<tr><td class='arm'>{_e(c['claim'])}{says}</td><td class='{cls}'>{verdict}</td>"
            f"<td>{value}</td><td>{c['replicates']}</td></tr>"
        )
    intro = _(
        "The scenario's claims, judged on this study's runs (95 % paired intervals over the "
        "first {n} replicates, 90 % for claims of equivalence within a margin; {command} runs "
        "them alone):",
        n="<i>n</i>",
        command=f"<code>{command_name()} check</code>",
    )
    head = "".join(
        f"<th{cls}>{_e(_(text))}</th>"
        for cls, text in (
            (" class='arm'", N_("claim")),
            ("", N_("verdict")),
            ("", N_("mean [interval]")),
            ("", N_("n")),
        )
    )
    return f"<p>{intro}</p><table><tr>{head}</tr>" + "".join(rows) + "</table>"


def what_pays(items: list[dict], _) -> str:
    """One paragraph: which arm has the highest profit to date after its marketing spend at the
    last week, whether that lead is beyond noise, and which returns most per cu spent."""
    sentences = []
    for item in items:
        d = item["difference"]
        values = {
            "leader": f"<b>{_arm(item['leader'], _)}</b>",
            "runner_up": _arm(item["runner_up"], _),
            "leader_mean": _.fmt(item["leader_mean"]),
            "runner_up_mean": _.fmt(item["runner_up_mean"]),
            "gap": f"{_.fmt(d['mean'])} {_.interval(d['low'], d['high'])}",
        }
        if item["measure"] == "profit":
            head = _(
                "by week {week}, {leader} has the highest profit to date after its marketing "
                "spend ({leader_mean} cu per 1,000 customers, against {runner_up}'s "
                "{runner_up_mean}; difference {gap})",
                week=item["week"],
                **values,
            )
        else:
            head = _(
                "{leader} returns the most per cu spent ({leader_mean} against {runner_up}'s "
                "{runner_up_mean}; difference {gap})",
                **values,
            )
        noise = ", <b>" + _("within noise") + "</b>"
        sentences.append(head + (noise if item["tie"] else ""))
    if not sentences:
        return ""
    return (
        "<p><b>"
        + _("What pays:")
        + "</b> "
        + "; ".join(sentences)
        + ". "
        + _(
            "Profit counts every unit sold (unit margin times units, less spend); the arm that "
            "spends nothing shows what the market buys on its own."
        )
        + "</p>"
    )


def key_tables(study: dict, summary: dict, _) -> str:
    measures = [m for m in study.get("key_measures", []) if m in summary["units"]]
    paths = summary.get("sweep_paths") or []
    out = []
    week = summary["final_week"]
    for point in summary["points"]:
        if paths:
            point_label = ", ".join(f"{k} = {_.value(v)}" for k, v in point["point"].items())
            out.append(f"<h3>{_e(point_label)}</h3>")
        head = "".join(
            f"<th>{_e(label(m, _.plain))}<br><small>{_e(unit(m, _.plain))}</small></th>"
            for m in measures
        )
        arm_head = _("Arm (week {week})", week=week)
        rows = [f'<table><tr><th class="arm">{arm_head}</th>{head}</tr>']
        for item in point["arms"]:
            cells = "".join(f"<td>{_ci_text(item['measures'][m], _)}</td>" for m in measures)
            rows.append(f'<tr><td class="arm">{_arm(item["arm"], _)}</td>{cells}</tr>')
        rows.append("</table>")
        out.append("".join(rows))
        diffs = point["differences"] + [
            c for c in point.get("contrasts", []) if c["versus"] != summary["baseline"]
        ]
        if diffs:
            rows = [f'<table><tr><th class="arm">{_("Paired difference")}</th>{head}</tr>']
            for item in diffs:
                cells = "".join(_diff_cell(item["measures"][m], _) for m in measures)
                name = _(
                    "{arm} minus {versus}",
                    arm=_arm(item["arm"], _),
                    versus=_arm(item["versus"], _),
                )
                rows.append(f'<tr><td class="arm">{name}</td>{cells}</tr>')
            rows.append("</table>")
            out.append("".join(rows))
    if len(summary["points"]) > 6:
        out = _sweep_compact(study, summary, measures, _)
    out.append(
        '<p class="meta">'
        + _(
            "Mean over replicates [95 % interval]. Green/red: the paired difference is "
            "above/below zero with 95 % confidence."
        )
        + "</p>"
    )
    return "\n".join(out)


# The planner's view of push (docs/model.md 7.9), in this order.
MEDIA_PLAN = ("grps", "grps_to_date", "weekly_reach", "frequency", "ad_to_sales")


def media_plan_table(summary: dict, _) -> str:
    """The media plan as a planner reads it at the last week: GRPs this week and to date, weekly
    reach, average frequency and the advertising-to-sales ratio to date, for the arms that
    bought ads (not for sweeps; empty when no arm advertised or the folder predates them)."""
    if summary.get("sweep_paths") or not summary["points"]:
        return ""
    point = summary["points"][0]
    arms = [
        item
        for item in point["arms"]
        if all(m in item["measures"] for m in MEDIA_PLAN)
        and (item["measures"]["grps_to_date"]["mean"] or 0) > 0
    ]
    if not arms:
        return ""
    head = "".join(
        f"<th>{_e(label(m, _.plain))}<br><small>{_e(unit(m, _.plain))}</small></th>"
        for m in MEDIA_PLAN
    )
    arm_head = _("Arm (week {week})", week=summary["final_week"])
    rows = [
        f"<h3>{_('Media plan')}</h3>",
        f'<table><tr><th class="arm">{arm_head}</th>{head}</tr>',
    ]
    for item in arms:
        cells = "".join(f"<td>{_ci_text(item['measures'][m], _)}</td>" for m in MEDIA_PLAN)
        rows.append(f'<tr><th class="arm" scope="row">{_arm(item["arm"], _)}</th>{cells}</tr>')
    rows.append("</table>")
    rows.append(
        '<p class="meta">'
        + _(
            "100 GRPs are as many ad impressions as there are customers; weekly reach is the "
            "share of customers who saw at least one ad this week, frequency the average number "
            "of ads they saw (GRPs = 100 x reach x frequency). The advertising-to-sales ratio is "
            "money spent on push to date over revenue to date (dialogue is not counted); food "
            "and grocery makers typically spend a few per cent of sales on advertising "
            "(docs/model.md, section 11)."
        )
        + "</p>"
    )
    return "\n".join(rows)


def _sweep_compact(study: dict, summary: dict, measures: list[str], _) -> list[str]:
    """Large grids: one row per point, one column per arm, for the first key measure."""
    m = measures[0]
    arms = summary["arms"]
    head = "".join(f"<th>{_e(k)}</th>" for k in summary["sweep_paths"])
    head += "".join(f"<th>{_e(a)}</th>" for a in arms)
    intro = _(
        "{measure} ({unit}) at week {week}, per grid point and arm (all measures are in "
        "sweep.csv):",
        measure=_e(label(m, _.plain)),
        unit=_e(unit(m, _.plain)),
        week=summary["final_week"],
    )
    rows = [f"<p>{intro}</p>", f"<table><tr>{head}</tr>"]
    for point in summary["points"]:
        cells = "".join(f"<td>{_e(_.value(v))}</td>" for v in point["point"].values())
        levels = {a["arm"]: a["measures"][m] for a in point["arms"]}
        if m in LOWER_IS_BETTER:
            best = min(arms, key=lambda a: _num(levels[a].get("mean"), math.inf))
        else:
            best = max(arms, key=lambda a: _num(levels[a].get("mean"), -math.inf))
        for a in arms:
            text = _ci_text(levels[a], _)
            cells += f"<td><b>{text}</b></td>" if a == best else f"<td>{text}</td>"
        rows.append(f"<tr>{cells}</tr>")
    rows.append("</table>")
    return rows


def _num(x, default=math.nan) -> float:
    return default if x is None else float(x)


def _fmt(x) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.3g}" if abs(x) >= 0.001 or x == 0 else f"{x:.2e}"


def _ci_text(ci: dict, _) -> str:
    if ci["low"] is None:
        return _.fmt(ci["mean"])
    return f'{_.fmt(ci["mean"])} <span class="ci">{_.interval(ci["low"], ci["high"])}</span>'


def _diff_cell(ci: dict, _) -> str:
    cls = ""
    if ci["low"] is not None and ci["low"] > 0:
        cls = ' class="up"'
    elif ci["high"] is not None and ci["high"] < 0:
        cls = ' class="down"'
    mean = ci["mean"]
    sign = "+" if mean is not None and mean > 0 else ""
    text = _ci_text(ci, _)
    return f"<td{cls}>{sign}{text}</td>"


def _meta(manifest: dict, _) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items() if v)
    git = manifest.get("git") or {}
    commit = git.get("commit", "")[:12]
    lines = [
        _("Command:") + " <code>" + _e(" ".join(manifest.get("command", []))) + "</code>",
        _("Started {started}", started=_e(manifest.get("started") or ""))
        + (
            _(", finished {finished}", finished=_e(manifest["finished"]))
            if manifest.get("finished")
            else ""
        ),
    ]
    if commit:
        lines.append(_("Code: git {commit}", commit=_e(commit)))
    lines.append(_e(versions))
    return '<p class="meta">' + "<br>".join(lines) + "</p>"


def _arm(name: str, _) -> str:
    """An arm's name as the report shows it (``reklame (push)`` in bokmål), HTML-escaped."""
    return _e(arm_label(name, _.plain))


def _e(text) -> str:
    return html.escape(str(text))
