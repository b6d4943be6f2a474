"""Figures of a study, made to be read on a classroom projector.

One figure per question, the question as the title, labelled axes with units, large fonts, arms
overlaid in fixed colour-blind-safe colours with their 95 % bands (Student t over replicates).
Sweeps add "where does each arm win" figures: lines or bars along one swept parameter, heat maps
of the paired difference between two arms over two swept parameters, and maps of the winning arm.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FixedFormatter, FuncFormatter, ScalarFormatter  # noqa: E402

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
from sim.i18n import DEFAULT_LANGUAGE, N_, NUMBER, number_style, translator  # noqa: E402
from sim.i18n.vocabulary import STRATEGY_COLOURS, arm_label  # noqa: E402
from sim.i18n.vocabulary import arm_colours as vocabulary_colours  # noqa: E402
from sim.outputs.paramlabels import PARAMETER_LABELS  # noqa: E402
from sim.params import ArmSpec, ModelParams  # noqa: E402
from sim.study.results import ResultsError  # noqa: E402
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
STYLE = {
    "font.size": 14,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.labelsize": 15,
    "legend.fontsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "lines.linewidth": 2.6,
}
SIZE = (11, 6.2)


LINESTYLES = ["-", "--", "-.", (0, (1, 1)), (0, (5, 1, 1, 1, 1, 1))]


def arm_styles(arm_names: list[str]) -> dict[str, object]:
    """A line style per arm, so overlapping or grey-printed lines stay distinguishable."""
    return {name: LINESTYLES[i % len(LINESTYLES)] for i, name in enumerate(arm_names)}


# Okabe-Ito colours (safe for colour-blind readers), for figures of things other than the
# strategies (the validation pages); the strategies' own colours are in sim/i18n/vocabulary.py.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
NONE_COLOUR = STRATEGY_COLOURS["none"]


def arm_colours(arm_names: list[str]) -> dict[str, str]:
    """One colour per arm: each strategy's own colour (sim/i18n/vocabulary.py), the same in
    the report, the teaching kit and the app; a "none" arm is grey."""
    return vocabulary_colours(arm_names)


def axis_label(measure: str, _=None) -> str:
    """``Name (unit)`` of a measure, in the language of the translator ``_`` (English without)."""
    text = f"{label(measure, _)} ({unit(measure, _)})"
    # Longer than the y axis of a classroom figure at 15 pt (about 56 characters; Norwegian
    # names are longer): two lines. Every English label fits on one.
    return "\n".join(textwrap.wrap(text, 42)) if len(text) > 56 else text


def _wrapped(text: str, width: int) -> str:
    """``text`` with each of its lines wrapped at ``width`` characters (titles and labels that
    would run off a classroom figure, above all in Norwegian)."""
    return "\n".join("\n".join(textwrap.wrap(line, width) or [""]) for line in text.split("\n"))


def make_figures(
    folder: Path,
    study: dict,
    table: pd.DataFrame,
    summary: dict,
    lang: str = DEFAULT_LANGUAGE,
) -> list[Path]:
    """Write every figure of the study into ``folder``; return their paths in reading order.

    Titles, axis labels, legends and notes are in ``lang`` (``sim.i18n.LANGUAGES``); arm names
    and parameter paths are shown as the scenario wrote them, an arm named by a word of the
    vocabulary with that word in front in another language (``reklame (push)``:
    :func:`sim.i18n.vocabulary.arm_label`).
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
            _band(ax, weeks, values, colours[arm], arm_label(arm, _), styles[arm])
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
            out.append(_attitude_figure(folder, table, arms, colours, styles, crisis, _))
        else:  # a results folder from before mean_attitude_all existed
            line_figure("mean_attitude")
        line_figure("net_sentiment")
        if HIST_NAMES[0] in table:
            out.append(_attitude_histograms(folder, table, arms, colours, _))
    out.append(_wom_figure(folder, table, arms, colours, styles, crisis, _))
    line_figure("cost_per_aware", name="spend_efficiency", skip=lambda arm: not spends.get(arm))
    out.append(_first_heard_figure(folder, table, arms, _))
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


def _legend(ax, title):
    """Legend outside the plot, on the right, so it never hides a line."""
    ax.legend(
        title=title,
        title_fontsize=12,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
    )


def _finish(fig, path: Path, _) -> Path:
    """Numbers on the axes in the style of ``_``'s language, then :func:`_save`."""
    _number_ticks(fig, number_style(getattr(_, "lang", DEFAULT_LANGUAGE)))
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    """Lay out, write and close a figure: written under a temporary name and renamed, so a
    figure is complete or absent; a failure (a full disk) is a ResultsError naming the file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fig.tight_layout()
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", metadata={"Software": None})
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ResultsError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        plt.close(fig)
    return path


class _StyledScalarFormatter(ScalarFormatter):
    """Matplotlib's default tick labels, then restyled (decimal comma in Norwegian)."""

    def __init__(self, number):
        super().__init__()
        self._number = number

    def __call__(self, x, pos=None):
        return self._number(super().__call__(x, pos))


def _number_ticks(fig, number) -> None:
    """Tick labels of every axis in the style of ``number`` (``sim.i18n.number_style``);
    labels that are not numbers (arm names, network kinds) are left alone."""
    if number("0.5") == "0.5":
        return
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, FixedFormatter):
                formatter.seq = [
                    number(t) if NUMBER.fullmatch(str(t)) else t for t in formatter.seq
                ]
            elif isinstance(formatter, FuncFormatter):  # labels given with set_xticks

                def styled(x, pos=None, inner=formatter):
                    text = inner(x, pos)
                    return number(text) if NUMBER.fullmatch(text) else text

                axis.set_major_formatter(FuncFormatter(styled))
            elif type(formatter) is ScalarFormatter:
                axis.set_major_formatter(_StyledScalarFormatter(number))


def _bass_overlay(study: dict, colours: dict, _):
    params = ModelParams.model_validate(study["params"])
    arms = [ArmSpec.model_validate(a) for a in study["arms"]]
    if not is_bass_limit(params, arms) or params.crisis.week is not None:
        return None

    number = number_style(getattr(_, "lang", DEFAULT_LANGUAGE))

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
                "p={p}, q={q}".format(p=number(f"{p:.3g}"), q=number(f"{q:.3g}")),
                (t[len(t) // 3], rec[len(t) // 3]),
                xytext=(10, -18),
                textcoords="offset points",
                fontsize=12,
                color=colours[arm.name],
            )
        ax.plot([], [], color="black", linestyle="--", linewidth=1.8, label=_("Bass recurrence"))
        ax.plot([], [], color="grey", linestyle=":", label=_("Bass closed form"))

    return draw


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
            _band(ax, x, values, colours[arm], arm_label(arm, _), styles[arm])
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
            _band(ax, wide.columns.to_numpy(), values, colours[arm], arm_label(arm, _), styles[arm])
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
                ax.set_ylabel(arm, rotation=0, ha="right", va="center", fontsize=14, labelpad=30)
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
    ax.set_yticks(y, [arm_label(a, _) for a in arms])
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


# --------------------------------------------------------------------------- sweeps


def _sweep_figures(folder: Path, study: dict, summary: dict, _) -> list[Path]:
    paths = list(study["sweep"])
    arms = [a["name"] for a in study["arms"]]
    colours = arm_colours(arms)
    contrast = study.get("contrast")
    out = []
    for measure in study.get("key_measures") or ["awareness"]:
        if measure not in summary["units"]:
            continue
        if len(paths) == 1:
            out.append(_sweep_line(folder, study, summary, measure, arms, colours, _))
            if contrast:
                out.append(_sweep_diff_line(folder, study, summary, measure, contrast, _))
        else:
            out += _sweep_maps(folder, study, summary, measure, arms, colours, contrast, _)
    return [p for p in out if p is not None]


def _levels(summary, measure):
    """{(point index, arm): interval dict} at the final week."""
    return {
        (p["index"], a["arm"]): a["measures"][measure] for p in summary["points"] for a in p["arms"]
    }


def _contrast_ci(summary, point_index, measure, contrast):
    """Paired difference A - B (the contrast) at one sweep point, as an interval dict."""
    for p in summary["points"]:
        if p["index"] != point_index:
            continue
        for d in p.get("contrasts", []):
            if d["arm"] == contrast[0] and d["versus"] == contrast[1]:
                return d["measures"][measure]
    return None


def _is_numeric(values) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _sweep_line(folder, study, summary, measure, arms, colours, _) -> Path:
    path = next(iter(study["sweep"]))
    values = study["sweep"][path]
    levels = _levels(summary, measure)
    fig, ax = plt.subplots(figsize=SIZE)
    numeric = _is_numeric(values)
    width = 0.8 / max(len(arms), 1)
    for k, arm in enumerate(arms):
        ci = [levels.get((i, arm)) for i in range(len(values))]
        mean = np.array([_f(c, "mean") for c in ci])
        low = np.array([_f(c, "low") for c in ci])
        high = np.array([_f(c, "high") for c in ci])
        if numeric:
            ax.plot(values, mean, marker="o", color=colours[arm], label=arm_label(arm, _))
            ax.fill_between(values, low, high, color=colours[arm], alpha=0.2, linewidth=0)
        else:
            x = np.arange(len(values)) + (k - (len(arms) - 1) / 2) * width
            err = np.vstack([mean - low, high - mean])
            ax.bar(x, mean, width=width, color=colours[arm], label=arm_label(arm, _))
            ax.errorbar(x, mean, yerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=4)
    if not numeric:
        ax.set_xticks(np.arange(len(values)), [str(v) for v in values])
    else:
        _numeric_axis(ax, values)
    ax.set_xlabel(_path_label(path, _))
    ax.set_ylabel(
        _("{label}, week {week}").format(label=axis_label(measure, _), week=summary["final_week"])
    )
    what = _path_label(path, _).split("\n")[0].split(" (")[0].split(" per ")[0].lower()
    title = _("{measure}: which arm wins at each {parameter}?").format(
        measure=label(measure, _), parameter=what
    )
    ax.set_title(_wrapped(title, 60))
    _legend(ax, _("mean and\n95 % interval"))
    return _finish(fig, folder / f"sweep_{measure}.png", _)


def _sweep_diff_line(folder, study, summary, measure, contrast, _) -> Path | None:
    path = next(iter(study["sweep"]))
    values = study["sweep"][path]
    cis = [_contrast_ci(summary, i, measure, contrast) for i in range(len(values))]
    if any(c is None for c in cis):
        return None
    mean = np.array([_f(c, "mean") for c in cis])
    low = np.array([_f(c, "low") for c in cis])
    high = np.array([_f(c, "high") for c in cis])
    fig, ax = plt.subplots(figsize=SIZE)
    a, b = contrast
    if _is_numeric(values):
        ax.plot(
            values,
            mean,
            marker="o",
            color="#333333",
            label=_("{arm} minus {versus}").format(arm=a, versus=b),
        )
        ax.fill_between(values, low, high, color="#333333", alpha=0.2, linewidth=0)
    else:
        x = np.arange(len(values))
        colours = ["#009E73" if m > 0 else "#D55E00" for m in np.nan_to_num(mean)]
        ax.bar(
            x,
            mean,
            color=colours,
            width=0.6,
            label=_("{arm} minus {versus}").format(arm=a, versus=b),
        )
        err = np.nan_to_num(np.vstack([mean - low, high - mean]))
        ax.errorbar(x, mean, yerr=err, fmt="none", ecolor="black", capsize=5)
        ax.set_xticks(x, [str(v) for v in values])
    if _is_numeric(values):
        _numeric_axis(ax, values)
    ax.axhline(0, color="black", linewidth=1)
    ax.set_xlabel(_path_label(path, _))
    ax.set_ylabel(
        _wrapped(
            _("Difference in {measure}\n({unit})").format(
                measure=label(measure, _).lower(), unit=unit(measure, _)
            ),
            42,
        )
    )
    ax.set_title(
        _wrapped(
            _("Where does {arm} beat {versus} on {measure}?").format(
                arm=a, versus=b, measure=label(measure, _).lower()
            ),
            60,
        )
    )
    _legend(ax, _("paired difference,\n95 % interval"))
    return _finish(fig, folder / f"sweep_diff_{measure}.png", _)


def _sweep_maps(folder, study, summary, measure, arms, colours, contrast, _) -> list[Path]:
    paths = list(study["sweep"])
    px, py = paths[1], paths[0]  # first path down the rows, second across the columns
    xs, ys = study["sweep"][px], study["sweep"][py]
    rest = paths[2:]
    rest_values = [study["sweep"][p] for p in rest]
    index_of = {tuple(p["point"][k] for k in paths): p["index"] for p in summary["points"]}
    out = []
    combos = list(_product(rest_values))[:6]
    for combo in combos:
        suffix = "".join(f"_{_slug(p)}-{_slug(v)}" for p, v in zip(rest, combo, strict=True))
        note = ", ".join(f"{p} = {v}" for p, v in zip(rest, combo, strict=True))

        def idx(y, x, combo=combo):
            return index_of.get((y, x, *combo))

        if contrast:
            grid = np.full((len(ys), len(xs)), np.nan)
            sig = np.zeros_like(grid, dtype=bool)
            for i, y in enumerate(ys):
                for j, x in enumerate(xs):
                    ci = _contrast_ci(summary, idx(y, x), measure, contrast)
                    if ci:
                        grid[i, j] = _f(ci, "mean")
                        lo, hi = _f(ci, "low"), _f(ci, "high")
                        sig[i, j] = bool(lo > 0 or hi < 0)
            out.append(
                _heatmap(
                    folder / f"sweep_diff_{measure}{suffix}.png",
                    grid,
                    sig,
                    xs,
                    ys,
                    px,
                    py,
                    _("Where does {arm} beat {versus} on {measure}?").format(
                        arm=contrast[0], versus=contrast[1], measure=label(measure, _).lower()
                    ),
                    _("{arm} minus {versus} ({unit}), week {week}").format(
                        arm=contrast[0],
                        versus=contrast[1],
                        unit=unit(measure, _),
                        week=summary["final_week"],
                    )
                    + (f"; {note}" if note else ""),
                    _,
                )
            )
        out.append(
            _winner_map(
                folder / f"sweep_winner_{measure}{suffix}.png",
                summary,
                measure,
                arms,
                colours,
                xs,
                ys,
                px,
                py,
                idx,
                note,
                _,
            )
        )
    return out


def _heatmap(path, grid, sig, xs, ys, px, py, title, colour_label, _) -> Path:
    number = number_style(getattr(_, "lang", DEFAULT_LANGUAGE))
    fig, ax = plt.subplots(figsize=SIZE)
    finite = grid[np.isfinite(grid)]
    lim = float(np.max(np.abs(finite))) if finite.size else 1.0
    lim = lim or 1.0
    im = ax.imshow(grid, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto", origin="lower")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if np.isfinite(grid[i, j]):
                text = number(f"{grid[i, j]:+.2f}") + ("" if sig[i, j] else "\n" + _("(n.s.)"))
                dark = abs(grid[i, j]) > 0.6 * lim
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=12,
                    color="white" if dark else "black",
                )
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    ax.set_xlabel(_path_label(px, _))
    ax.set_ylabel(_path_label(py, _))
    ax.grid(False)
    ax.set_title(_wrapped(title, 60))
    bar = fig.colorbar(im, ax=ax)
    bar.set_label(colour_label, fontsize=12)
    return _finish(fig, path, _)


def _winner_map(path, summary, measure, arms, colours, xs, ys, px, py, idx, note, _) -> Path:
    levels = _levels(summary, measure)
    fig, ax = plt.subplots(figsize=SIZE)
    code = np.full((len(ys), len(xs)), np.nan)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            k = idx(y, x)
            means = [(_f(levels.get((k, a)), "mean"), a) for a in arms]
            means = [(m, a) for m, a in means if np.isfinite(m)]
            if not means:
                continue
            pick = min if measure in LOWER_IS_BETTER else max
            best, arm = pick(means)
            code[i, j] = arms.index(arm)
            best_text = number_style(getattr(_, "lang", DEFAULT_LANGUAGE))(f"{best:.2f}")
            ax.text(j, i, f"{arm}\n{best_text}", ha="center", va="center", fontsize=12)
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([colours[a] for a in arms])
    ax.imshow(
        code, cmap=cmap, vmin=-0.5, vmax=len(arms) - 0.5, aspect="auto", origin="lower", alpha=0.55
    )
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    ax.set_xlabel(_path_label(px, _))
    ax.set_ylabel(_path_label(py, _))
    ax.grid(False)
    question = (
        _("Which arm gives the lowest {measure}?")
        if measure in LOWER_IS_BETTER
        else _("Which arm gives the highest {measure}?")
    )
    ax.set_title(_wrapped(question.format(measure=label(measure, _).lower()), 60))
    # Below the x label (which may be two lines), from the left edge of the plot.
    ax.annotate(
        _("Best arm and its mean at week {week}").format(week=summary["final_week"])
        + (f"; {note}" if note else ""),
        xy=(0.0, 0.0),
        xycoords=("axes fraction", ax.xaxis.label),
        xytext=(0, -4),
        textcoords="offset points",
        va="top",
        fontsize=12,
        color="#444444",
    )
    return _finish(fig, path, _)


def _numeric_axis(ax, values) -> None:
    """Log scale for positive values spanning a factor of 8 or more; ticks at the values."""
    v = [float(x) for x in values]
    if min(v) > 0 and max(v) / min(v) >= 8:
        ax.set_xscale("log")
        ax.minorticks_off()
    if len(v) <= 12:
        ax.set_xticks(v, [f"{x:g}" for x in v])


def _product(lists):
    import itertools

    return itertools.product(*lists) if lists else iter([()])


def _slug(value) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(value))


def _path_label(path: str, _=None) -> str:
    """Axis label of a swept parameter: its name and unit, then the path.

    ``arm.budget`` -> ``Weekly budget per 1,000 customers (cu per 1,000 customers per week)
    [arm.budget]``; ``arms.<name>.<field>`` is looked up as ``arm.<field>``. Labels come from
    ``sim.outputs.paramlabels`` (translated by ``_``); a parameter missing there uses the first
    clause of the schema's English description and its unit.
    """
    from sim.params import ModelParams

    parts = path.split(".")
    if parts[0] == "arms" and len(parts) == 3:
        parts = ["arm", parts[2]]
    key = ".".join(parts)
    if key in PARAMETER_LABELS:
        text = PARAMETER_LABELS[key]
        return f"{_(text) if _ is not None else text}\n[{path}]"
    fields = ModelParams.model_fields
    info = fields.get(parts[0])
    if info is not None and len(parts) == 2 and hasattr(info.annotation, "model_fields"):
        info = info.annotation.model_fields.get(parts[1])
    if info is None or not info.description:
        return path
    text = re.sub(r"\s*\([^)]*\)", "", info.description)  # drop parentheticals
    text = re.sub(r"^(Communities|Small world|Clustered scale free|File networks): ", "", text)
    text = re.split(r"[.;:]", text)[0].strip()
    unit = (info.json_schema_extra or {}).get("unit", "")
    unit = "" if unit in ("x", "share") else unit
    label = f"{text[:1].upper()}{text[1:]}" + (f" ({unit})" if unit else "")
    return f"{label}\n[{path}]"


def _f(ci, key) -> float:
    if not ci:
        return math.nan
    value = ci.get(key)
    return math.nan if value is None else float(value)
