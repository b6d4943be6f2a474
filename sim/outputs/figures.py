"""Figures of a study, made to be read on a classroom projector.

One figure per question, the question as the title, labelled axes with units, large fonts, arms
overlaid in fixed colour-blind-safe colours with their 95 % bands (Student t over replicates).
``make_figures`` draws a study's figures: the time series here; a sweep's "where does each arm
win" figures in ``sim.outputs.sweep_figures`` (lines or bars along one swept parameter, heat maps
of the paired difference between two arms over two swept parameters, maps of the winning arm);
the style they share (sizes, colours, line styles, number format, the save) in
``sim.outputs.figure_style``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.engine.bass import bass_closed_form, bass_pq, bass_recurrence, is_bass_limit  # noqa: E402
from sim.engine.measures import (  # noqa: E402, F401 (re-exported)
    HIST_EDGES,
    HIST_NAMES,
    LABELS,
    LOWER_IS_BETTER,
    MEASURES,
    UNITS,
    label,
    unit,
)
from sim.i18n import DEFAULT_LANGUAGE, N_, numbers, translator  # noqa: E402
from sim.i18n.vocabulary import arm_displays  # noqa: E402
from sim.outputs.figure_style import (  # noqa: E402
    SIZE,
    STYLE,
    _finish,
    _legend,
    _wrapped,
    arm_colours,
    arm_styles,
    axis_label,
)
from sim.outputs.sweep_figures import _sweep_figures  # noqa: E402
from sim.params import ArmSpec, ModelParams  # noqa: E402
from sim.study.folders import ResultsError  # noqa: E402
from sim.study.stats import band  # noqa: E402

QUESTIONS = {
    "awareness": N_("How many customers know the brand now?"),
    "adoption": N_("How many customers have bought?"),
    "mean_attitude": N_("What do aware customers think of the brand?"),
    "attitude_pair": N_("What do customers think of the brand?"),
    "net_sentiment": N_("Do advocates outnumber detractors?"),
    "wom": N_("How much do customers talk, and in which tone?"),
    "cost_per_aware": N_("What does each aware customer cost?"),
    "first_heard": N_("How did customers first hear of the brand?"),
    "irritated": N_("Are the ads irritating customers?"),
    "awareness_outside_target": N_("Does the story cross into the groups push does not target?"),
    "product_fit": N_("Does the brand learn to fit its customers better?"),
    "profit": N_("What pays? Profit to date after marketing spend"),
    "market_share": N_("What share of category purchases does the brand win?"),
    "customers": N_("How many customers does the brand have now?"),
    "roi": N_("What does each cu spent return?"),
    "customer_equity": N_("What are today's customers worth?"),
}


def make_figures(
    folder: Path,
    study: dict,
    table: pd.DataFrame,
    summary: dict,
    lang: str = DEFAULT_LANGUAGE,
) -> list[Path]:
    """Write every figure of the study into ``folder``; return their paths in reading order.

    Titles, axis labels, legends and notes are in ``lang`` (``sim.i18n.LANGUAGES``); parameter
    paths are shown as the scenario wrote them, arms in words (``push_20`` is ``reklame 20`` in
    bokmål: :func:`sim.i18n.vocabulary.arm_display`; a user's own name as written).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ResultsError(f"{folder}: cannot create ({error.strerror or error})") from None
    _ = translator(lang)
    with plt.rc_context(STYLE):
        if study.get("sweep"):
            return _sweep_figures(folder, study, summary, _)
        return _time_figures(folder, study, table, _)


# --------------------------------------------------------------------------- time series


def _time_figures(folder: Path, study: dict, table: pd.DataFrame, _) -> list[Path]:
    arms = [a["name"] for a in study["arms"]]
    names = arm_displays(study["arms"], _)
    colours = arm_colours(arms)
    styles = arm_styles(arms)
    crisis = (study["params"].get("crisis") or {}).get("week")
    market = study["params"].get("market") or {}
    launch = market.get("launch_week") if market.get("purchase_rate") else None
    out = []

    def series(measure):
        for arm in arms:
            rows = table[table["arm"] == arm]
            if rows.empty or measure not in rows:
                continue
            wide = rows.pivot(index="replicate", columns="week", values=measure)
            yield arm, wide.columns.to_numpy(), wide.to_numpy(float)

    def line_figure(measure, name=None, skip=lambda arm: False, extra=None, ylim=None):
        fig, ax = plt.subplots(figsize=SIZE)
        drawn = 0
        for arm, weeks, values in series(measure):
            if skip(arm) or np.all(np.isnan(values)):
                continue
            _band(ax, weeks, values, colours[arm], names[arm], styles[arm])
            drawn += 1
        if not drawn:
            plt.close(fig)
            return
        if extra:
            extra(ax)
        _crisis_line(ax, crisis, " " + _("crisis"))
        _crisis_line(ax, launch, " " + _("competitor launch"))
        ax.set_title(_(QUESTIONS[measure]) if measure in QUESTIONS else label(measure, _))
        ax.set_xlabel(_("Week"))
        ax.set_ylabel(axis_label(measure, _))
        if ylim:
            ax.set_ylim(*ylim)
        _legend(ax, _("mean and\n95 % band"))
        out.append(_finish(fig, folder / f"{name or measure}.png", _))

    spends = {a["name"]: a["budget"] > 0 for a in study["arms"]}
    line_figure("awareness", extra=_bass_overlay(study, colours, _), ylim=(0, 1.02))
    line_figure("adoption", ylim=(0, 1.02))
    line_figure("profit", extra=_zero_line)
    if "market_share" in table and table["market_share"].notna().any():
        line_figure("market_share", ylim=(0, 1.02))
        line_figure("customers", ylim=(0, 1.02))
    if study["params"].get("attitudes", True):
        if "mean_attitude_all" in table:
            out.append(_attitude_figure(folder, table, names, colours, styles, crisis, _))
        else:  # a results folder from before mean_attitude_all existed
            line_figure("mean_attitude")
        line_figure("net_sentiment")
        if HIST_NAMES[0] in table:
            out.append(_attitude_histograms(folder, table, names, colours, _))
    out.append(_wom_figure(folder, table, names, colours, styles, crisis, _))
    line_figure("cost_per_aware", name="spend_efficiency", skip=lambda arm: not spends.get(arm))
    out.append(_first_heard_figure(folder, table, names, _))
    if "irritated" in table and table["irritated"].fillna(0).max() > 0:
        line_figure("irritated")
    if "awareness_outside_target" in table and table["awareness_outside_target"].notna().any():
        line_figure("awareness_outside_target", ylim=(0, 1.02))
    if "product_fit" in table and table.groupby("arm")["product_fit"].nunique().max() > 1:
        line_figure("product_fit")
    return [p for p in out if p is not None]


def _band(ax, x, values, colour, label, linestyle="-"):
    mean, low, high = band(values)
    ax.plot(x, mean, color=colour, label=label, linestyle=linestyle)
    if values.shape[0] > 1:
        ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)


def _zero_line(ax):
    """Break-even: profit to date above the line has paid for the marketing."""
    ax.axhline(0.0, color="#444444", linewidth=1.2)


def _crisis_line(ax, crisis, text):
    """A dotted vertical line at the week of an event (a crisis, a competitor launch)."""
    if crisis:
        ax.axvline(crisis, color="#444444", linestyle=":", linewidth=2)
        ax.annotate(
            text,
            (crisis, 1.0),
            xycoords=("data", "axes fraction"),
            va="top",
            fontsize=13,
            color="#444444",
        )


def _bass_overlay(study: dict, colours: dict, _):
    params = ModelParams.model_validate(study["params"])
    arms = [ArmSpec.model_validate(a) for a in study["arms"]]
    if not is_bass_limit(params, arms) or params.crisis.week is not None:
        return None

    lang = getattr(_, "lang", DEFAULT_LANGUAGE)

    def draw(ax):
        weeks = study["weeks"]
        t = np.arange(weeks + 1)
        for arm in arms:
            p, q = bass_pq(params, arm)
            if p <= 0:
                continue
            f0 = params.population.initial_awareness
            rec = bass_recurrence(p, q, params.network.n, weeks, f0=f0)
            ax.plot(t, rec, color="black", linestyle="--", linewidth=1.8)
            ax.plot(t, bass_closed_form(p, q, weeks), color=colours[arm.name], linestyle=":")
            ax.annotate(
                f"p={numbers.general(p, lang, 3)}, q={numbers.general(q, lang, 3)}",
                (t[len(t) // 3], rec[len(t) // 3]),
                xytext=(10, -18),
                textcoords="offset points",
                fontsize=12,
                color=colours[arm.name],
            )
        ax.plot([], [], color="black", linestyle="--", linewidth=1.8, label=_("Bass recurrence"))
        ax.plot([], [], color="grey", linestyle=":", label=_("Bass closed form"))

    return draw


# The figures below take ``arms`` as identifier -> the name shown (``arm_displays``).


def _wom_figure(folder, table, arms, colours, styles, crisis, _) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(SIZE[0] * 1.25, SIZE[1]), sharey=True)
    for ax, measure, tone in zip(
        axes,
        ("wom_positive", "wom_negative"),
        (_("Positive talk"), _("Negative talk")),
        strict=True,
    ):
        for arm in arms:
            rows = table[table["arm"] == arm]
            wide = rows.pivot(index="replicate", columns="week", values=measure)
            x, values = wide.columns.to_numpy(), wide.to_numpy(float)
            _band(ax, x, values, colours[arm], arms[arm], styles[arm])
        _crisis_line(ax, crisis, " " + _("crisis"))
        ax.set_title(tone, fontsize=15)
        ax.set_xlabel(_("Week"))
        ax.set_ylabel(_("Talks per week ({unit})").format(unit=unit(measure, _)))
        ax.yaxis.set_tick_params(labelleft=True)
    _legend(axes[1], _("mean and\n95 % band"))
    fig.suptitle(_(QUESTIONS["wom"]), fontsize=17, fontweight="bold")
    return _finish(fig, folder / "wom.png", _)


def _attitude_figure(folder, table, arms, colours, styles, crisis, _) -> Path:
    """Mean attitude per arm over the weeks, of the aware (left) and of all customers (right,
    the unaware at their latent attitude), on one attitude axis: an arm that reaches few
    customers can lead on the left and trail on the right (docs/model.md 7.9)."""
    fig, axes = plt.subplots(1, 2, figsize=(SIZE[0] * 1.25, SIZE[1]), sharey=True)
    for ax, measure in zip(axes, ("mean_attitude", "mean_attitude_all"), strict=True):
        for arm in arms:
            rows = table[table["arm"] == arm]
            if rows.empty:
                continue
            wide = rows.pivot(index="replicate", columns="week", values=measure)
            values = wide.to_numpy(float)
            if np.all(np.isnan(values)):
                continue
            _band(ax, wide.columns.to_numpy(), values, colours[arm], arms[arm], styles[arm])
        _crisis_line(ax, crisis, " " + _("crisis"))
        ax.set_title(_wrapped(label(measure, _), 40), fontsize=15)
        ax.set_xlabel(_("Week"))
        ax.set_ylabel(_("Mean attitude") + " (-1..1)")
        ax.yaxis.set_tick_params(labelleft=True)
    _legend(axes[1], _("mean and\n95 % band"))
    fig.suptitle(_(QUESTIONS["attitude_pair"]), fontsize=17, fontweight="bold")
    return _finish(fig, folder / "mean_attitude.png", _)


def _attitude_histograms(folder, table, arms, colours, _) -> Path | None:
    """Attitudes of the aware, per arm (rows) at weeks 4, 13 and the last week (columns): the
    share of aware customers in each 0.2-wide attitude bin, mean over replicates."""
    last = int(table["week"].max())
    weeks = sorted({w for w in (4, 13, last) if w <= last})
    if not weeks:
        return None
    centres = np.array(HIST_EDGES[:-1]) + 0.1
    fig, axes = plt.subplots(
        len(arms),
        len(weeks),
        figsize=(4.2 * len(weeks) + 1.5, 1.9 * len(arms) + 1.2),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    for r, arm in enumerate(arms):
        rows = table[table["arm"] == arm]
        for c, week in enumerate(weeks):
            ax = axes[r][c]
            shares = rows.loc[rows["week"] == week, list(HIST_NAMES)].mean().to_numpy(float)
            ax.bar(centres, np.nan_to_num(shares), width=0.18, color=colours[arm])
            ax.axvline(0.0, color="#888888", linewidth=1)
            if r == 0:
                ax.set_title(_("week {week}").format(week=week), fontsize=15)
            if c == 0:
                ax.set_ylabel(
                    arms[arm], rotation=0, ha="right", va="center", fontsize=14, labelpad=30
                )
            ax.set_xlim(-1, 1)
            ax.grid(axis="x", visible=False)
    fig.supxlabel(_("Attitude of aware customers (-1 = hates the brand, +1 = loves it)"))
    fig.supylabel(_("Share of the aware"), x=0.005)
    fig.suptitle(_("How are attitudes spread? (one histogram per arm and week)"), fontweight="bold")
    return _finish(fig, folder / "attitude_histograms.png", _)


def _first_heard_figure(folder, table, arms, _) -> Path:
    last = table[table["week"] == table["week"].max()]
    channels = [
        ("heard_via_ad", _("ad"), "#E69F00"),
        ("heard_via_wom", _("word of mouth"), "#009E73"),
        ("heard_via_dialogue", _("dialogue"), "#0072B2"),
    ]
    fig, ax = plt.subplots(figsize=SIZE)
    y = np.arange(len(arms))[::-1]
    left = np.zeros(len(arms))
    # The channel shares are of everyone who ever heard (older results: of the aware).
    base = "ever_aware" if "ever_aware" in last else "awareness"
    aware = np.array([last.loc[last["arm"] == a, base].mean() for a in arms])
    for column, name, colour in channels:
        share = np.array([last.loc[last["arm"] == a, column].mean() for a in arms])
        width = np.nan_to_num(share * aware)
        ax.barh(y, width, left=left, color=colour, label=name, height=0.6)
        left += width
    before = np.clip(aware - left, 0, None)
    if before.max() > 0.005:
        ax.barh(y, before, left=left, color="#BBBBBB", label=_("before / crisis news"), height=0.6)
    ax.set_yticks(y, [arms[a] for a in arms])
    ax.set_xlim(0, 1)
    ax.set_xlabel(_("Share of all customers, by the channel they first heard through (share)"))
    ax.set_title(
        _("{question} (week {week})").format(
            question=_(QUESTIONS["first_heard"]), week=int(last["week"].max())
        )
    )
    ax.grid(axis="y", visible=False)
    ax.legend(
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title=_("first heard via"),
        title_fontsize=12,
    )
    return _finish(fig, folder / "first_heard.png", _)
