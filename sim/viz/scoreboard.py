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

import functools
import math
import re

from sim.i18n import LANGUAGES, numbers, translator
from sim.viz.chartspec import ARM_COLORS, panel_colours
from sim.viz.controls import budget_of, strategy_of
from sim.viz.labels import MEDIA_HELP, MEDIA_LINE, SCORE_ROWS, campaign_label
from sim.viz.replicates import REPLICATES, Replicates, verdict


@functools.lru_cache(maxsize=8)
def page_translator(lang: str):
    """The translator of ``lang`` (English for an unknown code), cached."""
    return translator(lang if lang in LANGUAGES else "en")


def escape(text: str) -> str:
    """``text`` safe inside HTML elements and double-quoted attributes."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


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


def finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


# The format specifications of the scoreboard's rows: sign, grouping, decimals, kind.
PATTERN = re.compile(r"\{:(\+?)(,?)\.(\d+)([f%])\}")


def fmt(pattern: str, value, lang: str = "en") -> str:
    """``value`` with the digits of the Python format ``pattern`` (``{:.0%}``, ``{:+.2f}``,
    ``{:,.0f}``), written for ``lang`` by Babel (:mod:`sim.i18n.numbers`: ``0,5``, ``1 000``,
    ``12 %`` and ``\u22120,40`` in bokmål); English thousands are separated by a thin space
    (``1 234``) as before; ``-`` when missing."""
    if not finite(value):
        return "-"
    lang = lang if lang in LANGUAGES else "en"
    match = PATTERN.fullmatch(pattern)
    if match is None:
        raise ValueError(f"not a scoreboard number format: {pattern!r}")
    sign, group, decimals, kind = match.groups()
    if kind == "%":
        text = numbers.percent(value, lang, int(decimals))
        if sign and pattern.format(value).startswith("+"):  # Python's sign, Babel's digits
            text = "+" + text
    else:
        text = numbers.fixed(value, lang, int(decimals), sign=bool(sign), group=bool(group))
    return text.replace(",", "\u2009") if group and lang == "en" else text


def week_html(arena, lang: str) -> str:
    _ = page_translator(lang)
    return escape(_("Week {week}").format(week=arena.week) + f" / {arena.plan.weeks}")


def scoreboard_html(arena, lang: str, reps: Replicates | None) -> str:
    """The scoreboard table (and its note) for the arena's current week."""
    _ = page_translator(lang)
    week = arena.week
    measures = arena.summary()
    compare = arena.compare
    colours = campaign_colours(arena)
    have_reps = reps is not None and week <= reps.weeks
    rows = []
    for key, label, pattern, higher_better, help_text in SCORE_ROWS:
        values = [m.get(key) for m in measures]
        row = f'<td title="{escape(_(help_text))}">{escape(_(label))}</td>' + "".join(
            f"<td>{fmt(pattern, v, lang)}</td>" for v in values
        )
        if compare and have_reps and reps.markets:
            row += _share_cell(reps.lead_share(key, week, higher_better), lang)
        elif compare:
            row += _verdict_cells(values, higher_better, reps, key, week, have_reps, _, colours)
        elif have_reps:
            row += (
                f"<td style='color:#555'>"
                f"{_interval_text(reps.level(0, key, week), pattern, lang)}</td>"
            )
        rows.append(f"<tr>{row}</tr>")
    week_cell = f"<th>{escape(_('Week {week}').format(week=week))}</th>"
    columns = 5 if compare else 3 if have_reps else 2
    if compare and have_reps and reps.markets:
        share_help = escape(
            _(
                "Share of the {n} plausible markets in which A is ahead of B at this week, with "
                "its 95 % interval."
            ).format(n=reps.markets)
        )
        head = (
            week_cell
            + f"<th style='color:{colours[0]}'>A</th><th style='color:{colours[1]}'>B</th>"
            + f"<th colspan='2' title=\"{share_help}\">{escape(_('A ahead in'))}</th>"
        )
        note = _(
            "Over {n} plausible markets, one run each: the share of them in which A is ahead."
        ).format(n=reps.markets)
    elif compare:
        diff_help = escape(
            _("B minus A: the bar is the 95 % interval over the runs, the line is zero.")
        )
        head = (
            week_cell
            + f"<th style='color:{colours[0]}'>A</th><th style='color:{colours[1]}'>B</th>"
            + f'<th title="{diff_help}">B&minus;A</th>'
            + f"<th>{escape(_('ahead'))}</th>"
        )
        if have_reps:
            note = _("Verdicts from {n} runs of each campaign (95 % interval of B minus A).")
        elif reps is not None:
            note = _("Beyond the weeks the {n} runs covered: verdicts from this run only.")
        else:
            note = _("One run: a lead may be luck. Press Run {n} times to tell.")
        note = note.format(n=reps.n if reps is not None else REPLICATES)
    else:
        head = week_cell + f"<th>{escape(arm_names(arena, lang)[0])}</th>"
        note = ""
        if have_reps and reps.markets:
            head += f"<th>{escape(_('{n} markets: 95 % range').format(n=reps.markets))}</th>"
        elif have_reps:
            head += f"<th>{escape(_('{n} runs: 95 % range').format(n=reps.n))}</th>"
    rows += media_rows(measures, columns, lang, _)
    table = f"<table class='rc-score reclamare-scoreboard'><tr>{head}</tr>{''.join(rows)}</table>"
    if note:
        table += f"<div class='rc-help rc-score-note'>{escape(note)}</div>"
    return table


def media_rows(measures: list[dict], columns: int, lang: str, _) -> list[str]:
    """One full-width row per campaign that has bought ads: GRPs this week, weekly reach,
    average frequency and the advertising-to-sales ratio to date (sim.engine.measures)."""
    rows = []
    for k, m in enumerate(measures):
        if not m.get("grps_to_date"):
            continue
        text = _(MEDIA_LINE).format(
            name="AB"[k] if len(measures) == 2 else _("Ads"),
            grps=fmt("{:,.0f}", m.get("grps"), lang),
            reach=fmt("{:.0%}", m.get("weekly_reach"), lang),
            frequency=fmt("{:.1f}", m.get("frequency"), lang),
            ad_to_sales=fmt("{:.1%}", m.get("ad_to_sales"), lang),
        )
        rows.append(
            f'<tr class="rc-media"><td colspan="{columns}" title="{escape(_(MEDIA_HELP))}">'
            f"{escape(text)}</td></tr>"
        )
    return rows


def _interval_text(interval, pattern: str, lang: str = "en") -> str:
    if interval is None or not finite(interval.low):
        return "-"
    return f"{fmt(pattern, interval.low, lang)} &ndash; {fmt(pattern, interval.high, lang)}"


def share_text(share, lang: str) -> str:
    """A share of markets and its interval, compact for the scoreboard: ``70% (48\u201386)``
    (bokmål ``70 % (48–86)``): the share as a percentage, the interval's ends in percent."""
    if share is None or not finite(share.mean):
        return ""
    low, high = (numbers.fixed(100 * x, lang, 0) for x in (share.low, share.high))
    return f"{numbers.percent(share.mean, lang)} ({low}\u2013{high})"


def _share_cell(share, lang: str) -> str:
    return f"<td colspan='2' class='rc-share'>{escape(share_text(share, lang))}</td>"


def _verdict_cells(values, higher_better, reps, key, week, have_reps, _, colours) -> str:
    """The B - A bar and the verdict of one row (``colours``: A's and B's)."""
    if have_reps:
        interval = reps.difference(key, week)
        result = verdict(interval, higher_better)
        if result == "tie":
            word, color = _("tie"), "#555"
        elif result:
            word, color = result, colours["AB".index(result)]
        else:
            word, color = "", "#555"
        return (
            f"<td>{diff_bar(interval, colours)}</td>"
            f"<td class='rc-verdict' style='color:{color};font-weight:600'>{escape(word)}</td>"
        )
    a, b = values
    lead = ""
    if higher_better is not None and finite(a) and finite(b) and abs(a - b) > 1e-12:
        lead = "A?" if (a > b) == higher_better else "B?"
    return f"<td></td><td class='rc-verdict' style='color:#888'>{lead}</td>"


def diff_bar(interval, colours=ARM_COLORS) -> str:
    """An inline SVG: the 95 % interval of B - A on a scale symmetric around zero (the line),
    in the colour of the campaign it favours (``colours``: A's and B's)."""
    if interval is None or not finite(interval.low):
        return ""
    width, height = 60, 14  # narrow: the verdict column must fit 1280 px in bokmål
    span = max(abs(interval.low), abs(interval.high), 1e-12)
    mid = width / 2

    def x(v):
        return mid + (v / span) * (mid - 3)

    lo, hi, mean = x(interval.low), x(interval.high), x(interval.mean)
    color = "#888" if not interval.excludes_zero() else colours[1 if interval.low > 0 else 0]
    return (
        f"<svg width='{width}' height='{height}' style='vertical-align:middle'>"
        f"<line x1='{mid}' y1='0' x2='{mid}' y2='{height}' stroke='#333' stroke-width='1'/>"
        f"<rect x='{lo:.1f}' y='3' width='{max(hi - lo, 1):.1f}' height='8' fill='{color}' "
        f"opacity='0.55'/><line x1='{mean:.1f}' y1='1' x2='{mean:.1f}' y2='13' stroke='{color}' "
        f"stroke-width='2'/></svg>"
    )


def legend_html(lang: str, attitudes: bool) -> str:
    """What the network's markers mean."""
    _ = page_translator(lang)
    ramp = "linear-gradient(90deg,#67001f,#d6604d,#f7f7f7,#4393c3,#053061)"
    items = [
        "<span><svg width='14' height='14'><circle cx='7' cy='7' r='4' fill='none' "
        f"stroke='#a8a8a8' stroke-width='1.2'/></svg> {escape(_('not heard of it'))}</span>",
    ]
    if attitudes:
        items.append(
            f"<span>{escape(_('negative'))} <span style='display:inline-block;width:70px;"
            f"height:12px;background:{ramp};border:1px solid #303030;vertical-align:middle'>"
            f"</span> {escape(_('positive'))}</span>"
        )
    else:
        items.append(
            "<span><svg width='14' height='14'><circle cx='7' cy='7' r='5' fill='#2b7bba' "
            f"stroke='#555'/></svg> {escape(_('heard of it'))}</span>"
        )
    items.append(
        "<span><svg width='14' height='14'><circle cx='7' cy='7' r='5' fill='#f7f7f7' "
        f"stroke='black' stroke-width='2.2'/></svg> {escape(_('has bought'))}</span>"
        f"<span>{escape(_('bigger = more friends'))}</span>"
    )
    return "".join(items)
