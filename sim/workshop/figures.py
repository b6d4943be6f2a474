"""Projector-ready debrief figures: one per exercise, large type, lines labelled directly.

A run exercise draws its figure measure week by week (mean over replicates, one line per arm,
the arm's name at the end of its line, a dashed line at a crisis or launch week). The frontier
(a sweep) draws profit at the last week against the cost per conversation, one panel per unit
margin, one line per split. 16:9 at 1600 x 900 pixels; labels come from the kit's texts.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.i18n.vocabulary import arm_colours as vocabulary_colours  # noqa: E402
from sim.study import results as res  # noqa: E402
from sim.workshop.exercises import Exercise  # noqa: E402

SIZE = (16, 9)  # inches at 100 dpi: 1600 x 900 pixels
FONT = 24


def arm_colours(arms: list[str]) -> dict[str, str]:
    """The strategies' colours (sim/i18n/vocabulary.py), as in the report and the app."""
    return vocabulary_colours(arms)


def arm_label(text: dict, arm: str) -> str:
    return text["arms"].get(arm, arm)


def debrief_figure(exercise: Exercise, folder: Path, text: dict, out: Path) -> Path:
    """Draw the exercise's debrief figure from its results ``folder`` into ``out`` (PNG)."""
    table = res.read_timeseries(Path(folder) / "timeseries.csv")
    plt.rcParams.update({"font.size": FONT})
    if exercise.command == "sweep":
        fig = _sweep_figure(exercise, folder, table, text)
    else:
        fig = _time_figure(exercise, table, text)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _title(exercise: Exercise, text: dict) -> str:
    return text["exercise"][exercise.id]["title"]


def _time_figure(exercise: Exercise, table, text: dict):
    m = exercise.figure
    means = table.groupby(["arm", "week"], sort=False)[m].mean()
    arms = list(dict.fromkeys(table["arm"]))
    colours = arm_colours(arms)
    fig, ax = plt.subplots(figsize=SIZE, layout="constrained")
    ends = []
    for arm in arms:
        series = means[arm]
        colour = colours[arm]
        ax.plot(series.index, series.to_numpy(), color=colour, lw=4)
        ends.append((float(series.iloc[-1]), arm, colour))
    last = int(table["week"].max())
    if means.min() >= 0:
        ax.set_ylim(bottom=0)  # shares and counts from zero, so no small change looks large
    _direct_labels(ax, ends, last, text)
    if exercise.event_week is not None:
        ax.axvline(exercise.event_week, color="black", ls="--", lw=2)
    ax.set_xlim(0, last * 1.3)
    step = 10 if last > 20 else (5 if last > 8 else 1)
    ax.set_xticks(range(0, last + 1, step))
    ax.set_xlabel(text["ui"]["week"])
    ax.set_ylabel(text["measures"].get(m, m))
    ax.set_title(_title(exercise, text), fontsize=FONT + 6, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.3)
    return fig


def _direct_labels(ax, ends, x: float, text: dict) -> None:
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
            fontsize=FONT,
            fontweight="bold",
            va="center",
        )
    ax.set_ylim(low, max(high, placed[-1] + gap))


def _sweep_figure(exercise: Exercise, folder, table, text: dict):
    manifest = res.read_manifest(Path(folder))
    paths = list(manifest["scenario"]["sweep"])
    x_path, panel_path = paths[0], paths[1]
    last = res.final_week(table)
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
        ax.set_xticks(xs, [f"{x:g}" for x in xs])
        ax.minorticks_off()
        ax.set_xlabel(text["paths"].get(x_path, x_path))
        ax.set_title(f"{text['paths'].get(panel_path, panel_path)} = {level:g}", loc="left", pad=14)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(alpha=0.3)
    for ax in axes:
        ax.set_ylabel(text["measures"].get(exercise.figure, exercise.figure))
    fig.suptitle(_title(exercise, text), fontsize=FONT + 6, x=0.01, ha="left")
    return fig
