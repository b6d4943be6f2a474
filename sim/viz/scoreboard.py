"""The scoreboard, the week label and the network legend as HTML (built on the server, a few
hundred bytes each; replaced in the browser every week).

Side by side, the scoreboard says for each measure which campaign is ahead. From one run it only
says which one leads in that run (grey, with a question mark): a lead may be luck. After *Run 20
times* (``sim.viz.replicates``) the verdict comes from the paired 95 % interval of B - A at this
week: ``A`` or ``B`` when the interval excludes zero, ``tie`` when it does not, and a bar shows
the interval against zero. After the runs over plausible markets (``sim.viz.markets``) the
last column says instead in what share of the markets A is ahead of B (95 % interval, Wilson).
"""

from __future__ import annotations

from sim.i18n import numbers
from sim.viz.chartspec import ARM_COLORS, panel_colours
from sim.viz.controls import budget_of, strategy_of
from sim.viz.labels import MEDIA_HELP, MEDIA_LINE, SCORE_ROWS, campaign_label
from sim.viz.markup import environment, escape, finite, fmt, page_translator, render
from sim.viz.replicates import REPLICATES, Replicates, verdict


def arm_names(arena, lang: str) -> list[str]:
    """Names of the arena's campaigns, each with the settings that tell it apart from the
    other (:func:`sim.viz.labels.campaign_label`), e.g. ``A: push 20`` and ``B: push 80``."""
    return plan_names(arena.plan, lang)


def plan_names(plan, lang: str) -> list[str]:
    """:func:`arm_names` of a run plan (``sim.viz.controls.plan_run``), without an arena: what
    the panels of those settings are called (the teaching kit's worksheets name them so)."""
    _ = page_translator(lang)
    specs = [plan.arm_a] + ([plan.arm_b] if plan.arm_b is not None else [])
    money = [budget_of(spec, plan.params) for spec in specs]
    if len(specs) == 1:
        return [campaign_label(specs[0], None, _, money[0])]
    return [
        f"{'AB'[i]}: {campaign_label(specs[i], specs[1 - i], _, money[i], money[1 - i])}"
        for i in range(2)
    ]


def campaign_colours(arena) -> list[str]:
    """The colour of each of the arena's campaigns: its strategy's (:func:`plan_colours`)."""
    return plan_colours(arena.plan)


def plan_colours(plan) -> list[str]:
    """The colours of a run plan's campaigns, A then B: each its strategy's
    (:func:`sim.viz.chartspec.panel_colours`, the vocabulary's colour code), A and B always
    told apart."""
    specs = [plan.arm_a] + ([plan.arm_b] if plan.arm_b is not None else [])
    strategies = [
        "none" if budget_of(spec, plan.params) == 0 else strategy_of(spec)[0] for spec in specs
    ]
    return panel_colours(strategies)


def week_html(arena, lang: str) -> str:
    _ = page_translator(lang)
    return escape(_("Week {week}").format(week=arena.week) + f" / {arena.plan.weeks}")


def scoreboard_html(arena, lang: str, reps: Replicates | None) -> str:
    """The scoreboard table (and its note) for the arena's current week
    (``templates/scoreboard.html``)."""
    _ = page_translator(lang)
    week = arena.week
    measures = arena.summary()
    compare = arena.compare
    colours = campaign_colours(arena)
    have_reps = reps is not None and week <= reps.weeks
    markets = reps.markets if have_reps else 0
    rows = []
    for key, label, pattern, higher_better, help_text in SCORE_ROWS:
        row = {"label": label, "help": help_text, "pattern": pattern}
        row["values"] = values = [m.get(key) for m in measures]
        if compare and markets:
            row["share"] = share_text(reps.lead_share(key, week, higher_better), lang)
        elif compare:
            row.update(_verdict(values, higher_better, reps, key, week, have_reps, _, colours))
        elif have_reps:
            interval = reps.level(0, key, week)
            row["range"] = None if interval is None or not finite(interval.low) else interval
        rows.append(row)
    if compare and markets:
        kind, note, runs = "markets", "markets", 0
    elif compare:
        kind = "compare"
        note = "runs" if have_reps else "beyond" if reps is not None else "one run"
        runs = reps.n if reps is not None else REPLICATES
    else:
        kind, note, runs = "single", "", reps.n if have_reps else 0
    return render(
        "scoreboard.html",
        lang,
        week=week,
        kind=kind,
        note=note,
        colours=colours,
        arm_name="" if compare else arm_names(arena, lang)[0],
        markets=markets,
        runs=runs,
        rows=rows,
        media=media_lines(measures, lang, _),
        media_help=MEDIA_HELP,
        columns=5 if compare else 3 if have_reps else 2,
    )


def media_lines(measures: list[dict], lang: str, _) -> list[str]:
    """One line per campaign that has bought ads: GRPs this week, weekly reach, average
    frequency and the advertising-to-sales ratio to date (sim.engine.measures); the scoreboard
    shows each as a full-width row."""
    return [
        _(MEDIA_LINE).format(
            name="AB"[k] if len(measures) == 2 else _("Ads"),
            grps=fmt("{:,.0f}", m.get("grps"), lang),
            reach=fmt("{:.0%}", m.get("weekly_reach"), lang),
            frequency=fmt("{:.1f}", m.get("frequency"), lang),
            ad_to_sales=fmt("{:.1%}", m.get("ad_to_sales"), lang),
        )
        for k, m in enumerate(measures)
        if m.get("grps_to_date")
    ]


def share_text(share, lang: str) -> str:
    """A share of markets and its interval, compact for the scoreboard: ``70% (48\u201386)``
    (bokmål ``70 % (48–86)``): the share as a percentage, the interval's ends in percent."""
    if share is None or not finite(share.mean):
        return ""
    low, high = (numbers.fixed(100 * x, lang, 0) for x in (share.low, share.high))
    return f"{numbers.percent(share.mean, lang)} ({low}\u2013{high})"


def _verdict(values, higher_better, reps, key, week, have_reps, _, colours) -> dict:
    """The B - A bar and the verdict of one row (``colours``: A's and B's) with the runs;
    without, the lead in this run (``A?``, ``B?``)."""
    if have_reps:
        interval = reps.difference(key, week)
        result = verdict(interval, higher_better)
        if result == "tie":
            word, colour = _("tie"), "#555"
        elif result:
            word, colour = result, colours["AB".index(result)]
        else:
            word, colour = "", "#555"
        return {"bar": bar_geometry(interval, colours), "word": word, "colour": colour}
    a, b = values
    lead = ""
    if higher_better is not None and finite(a) and finite(b) and abs(a - b) > 1e-12:
        lead = "A?" if (a > b) == higher_better else "B?"
    return {"lead": lead}


def bar_geometry(interval, colours=ARM_COLORS) -> dict | None:
    """Where :func:`diff_bar` draws: the 95 % interval of B - A on a scale symmetric around
    zero (``mid``), in the colour of the campaign it favours; None without an interval."""
    if interval is None or not finite(interval.low):
        return None
    width, height = 60, 14  # narrow: the verdict column must fit 1280 px in bokmål
    span = max(abs(interval.low), abs(interval.high), 1e-12)
    mid = width / 2

    def x(v):
        return mid + (v / span) * (mid - 3)

    low, high = x(interval.low), x(interval.high)
    colour = "#888" if not interval.excludes_zero() else colours[1 if interval.low > 0 else 0]
    return {
        "width": width,
        "height": height,
        "mid": mid,
        "low": low,
        "span": max(high - low, 1),
        "mean": x(interval.mean),
        "colour": colour,
    }


def diff_bar(interval, colours=ARM_COLORS) -> str:
    """An inline SVG: the 95 % interval of B - A on a scale symmetric around zero (the line),
    in the colour of the campaign it favours (``colours``: A's and B's);
    ``templates/diff_bar.html``."""
    bar = bar_geometry(interval, colours)
    return str(environment("en").get_template("diff_bar.html").module.diff_bar(bar))


def legend_html(lang: str, attitudes: bool) -> str:
    """What the network's markers mean (``templates/legend.html``)."""
    ramp = "linear-gradient(90deg,#67001f,#d6604d,#f7f7f7,#4393c3,#053061)"
    return render("legend.html", lang, attitudes=attitudes, ramp=ramp)
