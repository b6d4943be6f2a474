"""The app's charts: which measures each one draws, and the data sent to the browser for it.

Each chart is a :class:`ChartDef`; :func:`chart_spec` is the part that changes only on Reset
(titles, line names, colours, axis ranges) and :func:`chart_data` the weekly part (the measures'
history, and the replicates' 95 % bands when the user has run them). Labels are English message
keys, translated with the page's translator (``sim.i18n``).

In side-by-side mode colour says the campaign, in its strategy's colour (``panel_colours``: the
vocabulary's, as in the report and the kit; push vermilion, dialogue green, mix blue, no campaign
grey; two campaigns of one strategy told apart) and line style the measure; each line carries its
name at its end, "A ..." or "B ..." (no legend to look up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.measures import HIST_EDGES, HIST_NAMES
from sim.i18n import numbers
from sim.i18n.vocabulary import OTHER_COLOURS, STRATEGY_COLOURS, arm_colours
from sim.viz.frames import N_, rounded

# Campaigns A and B when nothing says their strategies: push's colour and dialogue's.
ARM_COLORS = (STRATEGY_COLOURS["push"], STRATEGY_COLOURS["dialogue"])


def panel_colours(strategies: list[str]) -> list[str]:
    """The colour of each campaign (A, then B) from its strategy (``none``, ``push``,
    ``dialogue``, ``mix``): the vocabulary's colour code (``sim.i18n.vocabulary.arm_colours``,
    which the report's and the kit's figures use). Two campaigns of one strategy are told
    apart: B takes a colour no strategy uses (two greys included), so A and B always differ.
    """
    names = [f"{strategy}_{'AB'[i]}" for i, strategy in enumerate(strategies)]
    colours = [arm_colours(names)[name] for name in names]
    if len(colours) == 2 and colours[0] == colours[1]:
        colours[1] = OTHER_COLOURS[0]
    return colours


MEASURE_COLORS = ("#1f77b4", "#d62728", "#2ca02c")  # lines of one campaign
DASHES = ("solid", "dashed", "dotted")


@dataclass(frozen=True)
class ChartDef:
    """One chart: a title, its lines (measure, short label), the y axis and its range.

    ``kind`` is ``"line"`` (weekly history) or ``"histogram"`` (this week's attitude histogram).
    ``percent``: values are shares, shown as %. ``ymin``/``ymax``: fixed range, else from data.
    """

    key: str
    title: str
    lines: tuple[tuple[str, str], ...]
    unit: str
    help: str
    kind: str = "line"
    percent: bool = False
    ymin: float | None = None
    ymax: float | None = None


CHARTS: dict[str, ChartDef] = {
    c.key: c
    for c in (
        ChartDef(
            "awareness",
            N_("Awareness"),
            (("awareness", N_("aware")), ("adoption", N_("bought"))),
            N_("share of customers"),
            N_("Aware: customers who know the brand now. Bought: customers who have bought it."),
            percent=True,
            ymin=0.0,
            ymax=1.0,
        ),
        ChartDef(
            "histogram",
            N_("Attitudes now"),
            tuple((name, "") for name in HIST_NAMES),
            N_("share of aware"),
            N_(
                "How the customers who know the brand feel about it this week: each bar is the "
                "share of them with an attitude in that range (-1 very negative, +1 very positive)."
            ),
            kind="histogram",
            percent=True,
            ymin=0.0,
        ),
        ChartDef(
            "attitude",
            N_("Attitude"),
            (
                ("mean_attitude", N_("mean, aware")),
                ("mean_attitude_all", N_("mean, all")),
                ("net_sentiment", N_("net sentiment")),
            ),
            N_("attitude / share"),
            N_(
                "Mean attitude (-1..+1) of the customers who know the brand (aware) and of all "
                "customers (all: those who do not know it count at their own leaning, so a "
                "campaign that reaches few cannot look good on a few fans). Net sentiment: the "
                "share of fans (attitude above +0.5) minus the share of critics (below -0.5)."
            ),
            ymin=-1.0,
            ymax=1.0,
        ),
        ChartDef(
            "spread",
            N_("Attitude spread"),
            (
                ("attitude_p90", N_("top 10 %")),
                ("attitude_p50", N_("median")),
                ("attitude_p10", N_("bottom 10 %")),
            ),
            N_("attitude (-1..+1)"),
            N_(
                "How far opinions differ among the aware: 9 in 10 lie above the bottom line and "
                "9 in 10 below the top line; the middle line is the median."
            ),
            ymin=-1.0,
            ymax=1.0,
        ),
        ChartDef(
            "money",
            N_("Money to date"),
            (("spend", N_("spend")), ("profit", N_("profit"))),
            N_("cu / 1,000 customers"),
            N_(
                "cu = currency units (any currency). Spend: marketing money spent so far. "
                "Profit: margin on everything sold so far minus that spend (below zero until "
                "the campaign has paid for itself). Both per 1,000 customers."
            ),
        ),
        ChartDef(
            "wom",
            N_("Word of mouth"),
            (("wom_positive", N_("positive")), ("wom_negative", N_("negative"))),
            N_("talks per 1,000 customers"),
            N_("How often customers talked about the brand this week, for and against."),
            ymin=0.0,
        ),
        ChartDef(
            "cost",
            N_("Cost per aware customer"),
            (("cost_per_aware", N_("cost")),),
            N_("cu per aware customer"),
            N_("Money spent so far divided by the customers who know the brand."),
            ymin=0.0,
        ),
        ChartDef(
            "heard",
            N_("How they first heard"),
            (
                ("heard_via_ad", N_("ad")),
                ("heard_via_wom", N_("word of mouth")),
                ("heard_via_dialogue", N_("dialogue")),
            ),
            N_("share of ever aware"),
            N_("Of everyone who has heard of the brand, how they heard of it first."),
            percent=True,
            ymin=0.0,
            ymax=1.0,
        ),
        ChartDef(
            "customers",
            N_("Customers of the brand"),
            (("customers", N_("customers")),),
            N_("share of customers"),
            N_("Customers who chose the brand at their last purchase."),
            percent=True,
            ymin=0.0,
        ),
    )
}
DEFAULT_CHARTS = ("awareness", "histogram", "money")
MAX_CHARTS = 3


def histogram_labels(lang: str = "en") -> list[str]:
    """Bin labels of the attitude histogram: each bin's centre, e.g. ``-0.9`` .. ``+0.9``
    (``\u22120,9`` in bokmål: :mod:`sim.i18n.numbers`)."""
    centres = [(a + b) / 2 for a, b in zip(HIST_EDGES[:-1], HIST_EDGES[1:], strict=True)]
    return [numbers.fixed(c, lang, 1, sign=True) for c in centres]


def chart_spec(
    key: str,
    arm_names: list[str],
    weeks: int,
    _,
    bass: list | None = None,
    colours: list[str] | None = None,
) -> dict:
    """The static part of a chart, for the browser (translated with ``_``).

    Parameters
    ----------
    key : str
        A key of ``CHARTS``.
    arm_names : list of str
        Campaign names, one (single) or two (side by side: "A: push 20", ...).
    weeks : int
        The scenario's weeks: the x axis starts at this length (it grows when run longer).
    bass : list of arrays or None, optional
        Expected awareness of the Bass limit per arm (``Arena.bass``): drawn as a wide grey line
        under the awareness chart's lines.
    colours : list of str or None, optional
        Side by side, each campaign's colour (:func:`panel_colours`); ``ARM_COLORS`` if None.
    """
    chart = CHARTS[key]
    lang = getattr(_, "lang", "en")
    compare = len(arm_names) == 2
    colours = list(colours or ARM_COLORS)

    def _color(arm: int, line: int, compare: bool) -> str:
        return colours[arm] if compare else MEASURE_COLORS[line % len(MEASURE_COLORS)]

    series = []
    if chart.kind == "histogram":
        for a, arm in enumerate(arm_names):
            series.append(
                {"name": arm.split(":")[0] if compare else "", "color": _color(a, 0, compare)}
            )
    else:
        for k, (_measure, label) in enumerate(chart.lines):
            for a, arm in enumerate(arm_names):
                name = f"{arm.split(':')[0]} {_(label)}" if compare else _(label)
                series.append(
                    {
                        "name": name,
                        "color": _color(a, k, compare),
                        "dash": DASHES[k % len(DASHES)] if compare else "solid",
                    }
                )
    extra = []
    if key == "awareness":
        for a, curve in enumerate(bass or []):
            if curve is None:
                continue
            prefix = f"{arm_names[a].split(':')[0]} " if compare else ""
            extra.append(
                {
                    "name": prefix + _("Bass (expected)"),
                    "color": "#9e9e9e",
                    "values": rounded(curve),
                }
            )
    return {
        "key": key,
        "kind": chart.kind,
        "extra": extra,
        "title": _(chart.title),
        "unit": _(chart.unit),
        "help": _(chart.help),
        "percent": chart.percent,
        "ymin": chart.ymin,
        "ymax": chart.ymax,
        "xmax": int(weeks),
        "xname": _("attitude (-1..+1)") if chart.kind == "histogram" else _("week"),
        "categories": histogram_labels(lang) if chart.kind == "histogram" else [],
        # The browser writes the axes' and tooltips' numbers with the locale's decimal sign and
        # minus sign, as Babel does (bokmål: 0,5, \u22120,5 and 12 %).
        "comma": numbers.fixed(0.5, lang, 1) == "0,5",
        "minus": numbers.fixed(-1, lang, 0)[0],
        "series": series,
    }


def chart_data(
    key: str, histories: list[dict[str, list[float]]], bands: dict | None, start: int = 0
) -> dict:
    """The weekly part of a chart: the lines' values from week ``start`` on, or this week's
    histogram.

    Parameters
    ----------
    histories : list of dict
        Per arm, measure name -> weekly values (week 0 first).
    bands : dict or None
        Replicate bands: ``bands[arm][measure] = (low, high)`` arrays over weeks, or None.
        Sent only with ``start == 0`` (the browser keeps them).
    start : int
        First week sent: the browser already holds the weeks before it (0: everything).

    Returns
    -------
    dict
        ``start``, ``week``, ``values`` (one list per series, in the order of ``chart_spec``'s
        series, from week ``start``), and with ``start == 0`` ``bands`` (one ``[low, high]`` per
        series, or None).
    """
    chart = CHARTS[key]
    week = max((len(next(iter(h.values()), [])) for h in histories), default=1) - 1
    if chart.kind == "histogram":
        values = [rounded([h.get(name, [np.nan])[-1] for name in HIST_NAMES]) for h in histories]
        return {"start": 0, "values": values, "bands": None, "week": week}
    values, band_values = [], []
    for measure, _label in chart.lines:
        for a, history in enumerate(histories):
            values.append(rounded(history.get(measure, [])[start:]))
            band = (bands or {}).get(a, {}).get(measure) if bands and start == 0 else None
            band_values.append([rounded(band[0]), rounded(band[1])] if band is not None else None)
    data = {"start": int(start), "values": values, "week": week}
    if start == 0:
        data["bands"] = band_values if any(b is not None for b in band_values) else None
    return data


__all__ = [
    "ARM_COLORS",
    "CHARTS",
    "DEFAULT_CHARTS",
    "MAX_CHARTS",
    "chart_data",
    "chart_spec",
    "panel_colours",
]
