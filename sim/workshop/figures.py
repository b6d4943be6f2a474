"""Projector-ready debrief figures: one per exercise, large type, lines labelled directly.

A run exercise draws its figure measure week by week (mean over replicates, one line per arm,
the arm's name at the end of its line, a dashed line at a crisis or launch week). The frontier
(a sweep) draws profit at the last week against the cost per conversation, one panel per unit
margin, one line per split. 16:9 at 1600 x 900 pixels; labels come from the kit's texts.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from sim.i18n import numbers, translator  # noqa: E402
from sim.i18n.vocabulary import arm_colours as vocabulary_colours  # noqa: E402
from sim.study.manifest import read_manifest  # noqa: E402
from sim.study.runs import read_timeseries  # noqa: E402
from sim.study.summaries import final_week  # noqa: E402
from sim.workshop.exercises import Exercise  # noqa: E402
from sim.workshop.pages import is_share  # noqa: E402

SIZE = (16, 9)  # inches at 100 dpi: 1600 x 900 pixels
FONT = 24


def arm_colours(arms: list[str]) -> dict[str, str]:
    """The strategies' colours (sim/i18n/vocabulary.py), as in the report and the app."""
    return vocabulary_colours(arms)


def arm_label(text: dict, arm: str) -> str:
    return text["arms"].get(arm, arm)


def debrief_figure(
    exercise: Exercise, folder: Path, text: dict, out: Path, lang: str = "en"
) -> Path:
    """Draw the exercise's debrief figure from its results ``folder`` into ``out`` (PNG);
    numbers on the axes in ``lang``'s style (``0,2``, ``1 000``, ``−147`` in bokmål)."""
    table = read_timeseries(Path(folder) / "timeseries.csv")
    plt.rcParams.update({"font.size": FONT})
    if exercise.command == "sweep":
        fig = _sweep_figure(exercise, folder, table, text, lang)
    else:
        fig = _time_figure(exercise, table, text, lang)
    for ax in fig.axes:
        _number_ticks(ax, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def tick_text(v: float, step: float, lang: str) -> str:
    """A tick label: as many decimals as the ticks' spacing needs, written by Babel for
    ``lang`` (``sim.i18n.numbers``); negative ticks with the minus sign U+2212 in every
    language, as matplotlib writes its own tick labels."""
    decimals = 0 if step >= 1 or step <= 0 else min(6, int(-np.floor(np.log10(step) + 1e-9)))
    digits = f"{v:.{decimals}f}"  # Python's rounding, as the ticks have always had
    minus = "\u2212" if digits.startswith("-") else ""
    return minus + numbers.fixed(Decimal(digits.lstrip("-")), lang, decimals, group=True)


def _number_ticks(ax, lang: str) -> None:
    """Tick labels written the way ``lang`` writes numbers (only the y axis: weeks and the
    sweep's settings are whole numbers or labelled already)."""
    locs = [v for v in ax.get_yticks()]
    step = min((b - a for a, b in zip(locs, locs[1:], strict=False)), default=1.0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, pos: tick_text(v, step, lang)))


def _title(exercise: Exercise, text: dict) -> str:
    return text["exercise"][exercise.id]["title"]


def _time_figure(exercise: Exercise, table, text: dict, lang: str = "en"):
    """One panel per measure the exercise's questions ask about (``figure_measures``), shares
    in per cent as the app shows them."""
    panels = [m for m in exercise.figure_measures if m in table.columns]
    arms = list(dict.fromkeys(table["arm"]))
    colours = arm_colours(arms)
    last = int(table["week"].max())
    fig, axes = plt.subplots(1, len(panels), figsize=SIZE, layout="constrained", squeeze=False)
    for ax, m in zip(axes[0], panels, strict=True):
        scale = 100 if is_share(m) else 1
        means = table.groupby(["arm", "week"], sort=False)[m].mean() * scale
        ends = []
        for arm in arms:
            series = means[arm].dropna()
            if series.empty:
                continue
            ax.plot(series.index, series.to_numpy(), color=colours[arm], lw=4)
            ends.append((float(series.iloc[-1]), arm, colours[arm]))
        if means.min() >= 0:
            ax.set_ylim(bottom=0)  # shares and counts from zero, so no small change looks large
        _direct_labels(ax, ends, last, text, small=len(panels) > 1)
        if exercise.event_week is not None:
            ax.axvline(exercise.event_week, color="black", ls="--", lw=2)
        ax.set_xlim(0, last * (1.3 if len(panels) == 1 else 1.6))
        step = 10 if last > 20 else (5 if last > 8 else 1)
        if len(panels) > 2:
            step = 20 if last > 20 else step
        ax.set_xticks(range(0, last + 1, step))
        ax.set_xlabel(translator(lang)("Week"))
        name = text["measures"].get(m, m)
        name = f"{name} (%)" if scale == 100 else name
        width = 60 // len(panels)  # characters per line at this font size
        ax.set_title("\n".join(textwrap.wrap(name, width)), loc="left", fontsize=FONT)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(alpha=0.3)
    fig.suptitle(_title(exercise, text), fontsize=FONT + 6, x=0.01, ha="left")
    return fig


def _direct_labels(ax, ends, x: float, text: dict, small: bool = False) -> None:
    """Each arm's name at the end of its line, nudged apart so that no two overlap."""
    if not ends:
        return
    ends = sorted(ends)
    low, high = ax.get_ylim()
    gap = (high - low) * 0.07
    placed = []
    for value, _, _ in ends:
        y = value if not placed else max(value, placed[-1] + gap)
        placed.append(y)
    for (value, arm, colour), y in zip(ends, placed, strict=True):
        ax.annotate(
            arm_label(text, arm),
            xy=(x, value),
            xytext=(x * 1.02, y),
            color=colour,
            fontsize=FONT - 6 if small else FONT,
            fontweight="bold",
            va="center",
        )
    ax.set_ylim(low, max(high, placed[-1] + gap))


def _sweep_figure(exercise: Exercise, folder, table, text: dict, lang: str = "en"):
    manifest = read_manifest(Path(folder))
    paths = list(manifest["scenario"]["sweep"])
    x_path, panel_path = paths[0], paths[1]
    last = final_week(table)
    means = last.groupby(["arm", x_path, panel_path], sort=False)[exercise.figure].mean()
    arms = list(dict.fromkeys(table["arm"]))
    panels = sorted(last[panel_path].unique())
    fig, axes = plt.subplots(1, len(panels), figsize=SIZE, layout="constrained")
    axes = np.atleast_1d(axes)
    for ax, level in zip(axes, panels, strict=True):
        ends = []
        colours = arm_colours(arms)
        for arm in arms:
            series = means[arm].xs(level, level=panel_path).sort_index()
            colour = colours[arm]
            ax.plot(series.index, series.to_numpy(), color=colour, lw=4, marker="o", ms=10)
            ends.append((float(series.iloc[-1]), arm, colour))
        xs = sorted(last[x_path].unique())
        ax.axhline(0, color="black", lw=1.5)
        _direct_labels(ax, ends, xs[-1], text)
        ax.set_xscale("log")
        ax.set_xlim(xs[0] * 0.8, xs[-1] * 4)
        ax.set_xticks(xs, [numbers.general(x, lang) for x in xs])
        ax.minorticks_off()
        ax.set_xlabel(text["paths"].get(x_path, x_path))
        level_text = numbers.general(level, lang)
        ax.set_title(
            f"{text['paths'].get(panel_path, panel_path)} = {level_text}", loc="left", pad=14
        )
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(alpha=0.3)
    for ax in axes:
        ax.set_ylabel(text["measures"].get(exercise.figure, exercise.figure))
    fig.suptitle(_title(exercise, text), fontsize=FONT + 6, x=0.01, ha="left")
    return fig
