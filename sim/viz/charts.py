"""Server-side matplotlib drawings for the app: the network view and the weekly charts.

Everything is drawn with matplotlib's Agg backend into PNG bytes on the server; the browser only
shows images, so no extra JavaScript is needed. Figures are built once and then only updated
(new node colours, new line data), which keeps a redraw at 1,000 customers to a few tens of ms.
"""

from __future__ import annotations

import io
import threading

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from sim.engine.measures import MEASURES
from sim.engine.state import HEARD_VIA_NAMES
from sim.viz.layout import Layout

UNITS = {m.name: m.unit for m in MEASURES}
ATTITUDE_CMAP = mpl.colormaps["RdBu"]  # diverging: red negative, white neutral, blue positive
UNAWARE = (0.80, 0.80, 0.80, 1.0)
AWARE = (0.17, 0.48, 0.71, 1.0)  # when attitudes are off
ARM_COLORS = ("#d95f02", "#1b9e77")  # arm A orange, arm B teal (colour-blind safe pair)
DPI = 80


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (from what its Agg canvas holds now; fast, low compression)."""
    canvas = fig.canvas
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class BlitPainter:
    """A figure whose static parts are drawn once and cached as a bitmap.

    Each frame restores that bitmap and draws only the ``animated`` artists on top (matplotlib's
    blitting), then encodes the canvas. A full redraw happens only for a static state not seen
    before (``invalidate(key)``, e.g. when an axis range grows); bitmaps are kept per key, so a
    Reset back to week 0 reuses the first one. Text and tick layout, by far the slowest part of a
    matplotlib draw, is thereby done once instead of every week.
    """

    fig: Figure
    animated: list

    def invalidate(self, key=None) -> None:
        """Use the static bitmap for ``key`` (e.g. the axis ranges), drawing it if it is new."""
        self._key = key

    def frame(self) -> bytes:
        canvas = self.fig.canvas
        backgrounds = self.__dict__.setdefault("_backgrounds", {})
        key = getattr(self, "_key", None)
        if key not in backgrounds:
            for artist in self.animated:
                artist.set_animated(True)
            canvas.draw()
            backgrounds[key] = canvas.copy_from_bbox(self.fig.bbox)
            while len(backgrounds) > 8:  # a few axis-range steps are plenty
                backgrounds.pop(next(iter(backgrounds)))
        else:
            canvas.restore_region(backgrounds[key])
        for artist in self.animated:
            (artist.axes or self.fig).draw_artist(artist)
        return png(self.fig)


def node_colors(attitude: np.ndarray, aware: np.ndarray) -> np.ndarray:
    """RGBA colours: a diverging scale over attitude -1..1 for aware customers, grey otherwise."""
    colors = ATTITUDE_CMAP((np.clip(attitude, -1.0, 1.0) + 1.0) / 2.0)
    colors[~aware] = UNAWARE
    return colors


def node_sizes(degree: np.ndarray, drawn: int) -> np.ndarray:
    """Marker areas growing with the number of ties; smaller markers for crowded views."""
    top = max(int(degree.max()) if degree.size else 1, 1)
    scale = 60.0 if drawn <= 100 else (25.0 if drawn <= 600 else 12.0)
    return 2.0 + scale * np.sqrt(degree / top)


class NetworkPainter(BlitPainter):
    """The network view of one arm: ties drawn once, customers recoloured every week."""

    def __init__(
        self,
        layout: Layout,
        degree: np.ndarray,
        title: str,
        color: str | None = None,
        attitudes: bool = True,
    ):
        self.attitudes = attitudes
        self.layout = layout
        self.lock = threading.Lock()
        fig = Figure(figsize=(5.6, 6.0), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.01, 0.16, 0.98, 0.76))
        ax.set_axis_off()
        pos = layout.pos
        if layout.ties.shape[0]:
            segments = pos[layout.ties]
            many = layout.ties.shape[0] > 2000
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=(0.6, 0.6, 0.6, 0.18 if many else 0.5),
                    linewidths=0.3 if many else 0.7,
                )
            )
        drawn_degree = degree[layout.nodes]
        self.scatter = ax.scatter(
            pos[:, 0],
            pos[:, 1],
            s=node_sizes(drawn_degree, layout.nodes.shape[0]),
            c=np.tile(UNAWARE, (layout.nodes.shape[0], 1)),
            linewidths=0.0,
            edgecolors="black",
            zorder=2,
        )
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        self.title = fig.text(0.5, 0.965, title, ha="center", va="top", fontsize=12, color=color)
        self.subtitle = fig.text(0.5, 0.925, "", ha="center", va="top", fontsize=9)
        extra = []
        if attitudes:
            cax = fig.add_axes((0.08, 0.085, 0.52, 0.025))
            bar = fig.colorbar(
                mpl.cm.ScalarMappable(mpl.colors.Normalize(-1, 1), ATTITUDE_CMAP),
                cax=cax,
                orientation="horizontal",
            )
            bar.set_ticks([-1, 0, 1], labels=["-1 negative", "0", "+1 positive"])
            bar.ax.tick_params(labelsize=8)
            cax.set_title("attitude of aware customers", fontsize=8, pad=2)
        else:  # awareness only (the Bass limit): aware in one colour
            extra = [Line2D([], [], ls="", marker="o", color=AWARE, ms=6, label="aware")]
        fig.legend(
            handles=[
                *extra,
                Line2D([], [], ls="", marker="o", color=UNAWARE, markersize=6, label="unaware"),
                Line2D(
                    [], [], ls="", marker="o", mfc="white", mec="black", ms=6, label="has bought"
                ),
                Line2D([], [], ls="", marker="o", color="0.45", ms=8, label="bigger = more ties"),
            ],
            loc="lower right",
            bbox_to_anchor=(0.995, 0.0),
            fontsize=7,
            frameon=False,
            handletextpad=0.2,
            borderaxespad=0.2,
        )
        self.fig = fig
        self.animated = [self.scatter, self.subtitle]

    def render(self, arm_model, week: int) -> bytes:
        """PNG of the network now: colour = attitude, grey = unaware, ring = has bought."""
        state = arm_model.state
        nodes = self.layout.nodes
        aware = state.aware[nodes]
        with self.lock:
            if self.attitudes:
                colors = node_colors(state.attitude[nodes], aware)
            else:
                colors = np.where(aware[:, None], AWARE, UNAWARE)
            self.scatter.set_facecolors(colors)
            self.scatter.set_linewidths(np.where(state.adopted[nodes], 0.6, 0.0))
            m = arm_model.measures
            self.subtitle.set_text(
                f"week {week}   aware {m['awareness']:.0%}   bought {m['adoption']:.0%}"
            )
            return self.frame()


# ----------------------------------------------------------------------------------- charts
PANELS = (
    ("Awareness", (("awareness", "aware", "-"), ("adoption", "bought", ":")), "share of customers"),
    (
        "Attitude",
        (("mean_attitude", "mean attitude (aware)", "-"), ("net_sentiment", "net sentiment", "--")),
        "attitude / share",
    ),
    (
        "Word of mouth",
        (("wom_positive", "positive", "-"), ("wom_negative", "negative", "--")),
        UNITS["wom_positive"],
    ),
    (
        "Money to date",
        (("spend", "spend", "-"), ("profit", "profit after spend", "--")),
        UNITS["spend"],
    ),
    ("Cost per aware customer", (("cost_per_aware", "cost per aware", "-"),), "cu per customer"),
    (
        "How the aware first heard",
        (
            ("heard_via_ad", "ad", "-"),
            ("heard_via_wom", "word of mouth", "--"),
            ("heard_via_dialogue", "dialogue", ":"),
        ),
        "share of aware",
    ),
)
LEGEND_LOCS = ("best",) * 6


def _measure_labels(ax) -> list[str]:
    title = ax.get_title()
    for panel_title, series, _unit in PANELS:
        if panel_title == title:
            return [label for _name, label, _style in series]
    return []


# Colours of the measures within a panel when there is only one arm.
MEASURE_COLORS = ("#1f77b4", "#d62728", "#2ca02c")
BASS_COLOR = "0.2"


class ChartsPainter(BlitPainter):
    """The six weekly charts; in side-by-side mode each line is drawn for both arms."""

    def __init__(
        self,
        labels: list[str],
        bass: list[np.ndarray | None] | None = None,
        spend_rate: float = 0.0,
    ):
        self.labels = labels
        # Expected tops of the free y ranges, so that they rarely have to grow (a full redraw).
        self.spend_rate = spend_rate
        self.lock = threading.Lock()
        compare = len(labels) == 2
        fig = Figure(figsize=(11.5, 6.4), dpi=DPI)
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 3)
        # Fixed margins: a constrained layout would be recomputed on every frame (~300 ms).
        fig.subplots_adjust(left=0.06, right=0.99, top=0.95, bottom=0.08, wspace=0.28, hspace=0.42)
        self.lines: list[tuple[str, int, Line2D]] = []
        self.axes = list(axes.flat)
        for ax, (title, series, unit) in zip(self.axes, PANELS, strict=True):
            ax.set_title(title, fontsize=11)
            ax.set_ylabel(unit, fontsize=8)
            ax.set_xlabel("week", fontsize=8)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
            for k, (name, label, style) in enumerate(series):
                for a, arm in enumerate(labels):
                    color = ARM_COLORS[a] if compare else MEASURE_COLORS[k]
                    text = f"{arm}: {label}" if compare else label
                    (line,) = ax.plot(
                        [], [], color=color, ls=style if compare else "-", lw=1.8, label=text
                    )
                    self.lines.append((name, a, line))
                    line.set_animated(True)
        axes[0, 0].set_ylim(-0.02, 1.02)
        axes[0, 1].set_ylim(-1.02, 1.02)
        axes[0, 1].axhline(0, color="0.5", lw=0.6)
        axes[1, 2].set_ylim(-0.02, 1.02)
        self.bass_lines = []
        for a, curve in enumerate(bass or []):
            if curve is None:
                continue
            label = "Bass curve (expected)" + (f", {labels[a]}" if compare else "")
            (line,) = axes[0, 0].plot(
                np.arange(curve.size),
                curve,
                color=BASS_COLOR,
                lw=3.5,
                alpha=0.35,
                zorder=1,
                label=label,
            )
            self.bass_lines.append(line)
        for ax, loc in zip(self.axes, LEGEND_LOCS, strict=True):
            handles = None
            if compare:  # colour = arm, line style = measure
                handles = [
                    Line2D([], [], color=ARM_COLORS[a], lw=2.5, label=arm)
                    for a, arm in enumerate(labels)
                ]
                if len(ax.lines) > 2:
                    handles += [
                        Line2D([], [], color="0.25", ls=line.get_linestyle(), lw=1.5, label=lab)
                        for line, lab in zip(ax.lines[::2], _measure_labels(ax), strict=False)
                    ]
                handles += [line for line in self.bass_lines if line.axes is ax]
            # Legends are static (drawn only on full redraws), so "best" costs little.
            ax.legend(handles=handles, fontsize=7, loc=loc, frameon=False)
        self.fig = fig
        self.animated = [line for _name, _arm, line in self.lines]

    def render(self, arms) -> bytes:
        """PNG of the charts with every arm's history so far."""
        with self.lock:
            week = 0
            tops = [0.0] * len(self.axes)
            lowest = 0.0  # of the money panel: profit to date can be negative
            for name, a, line in self.lines:
                y = arms[a].series(name)
                line.set_data(np.arange(y.size), y)
                week = max(week, y.size - 1)
                finite = y[np.isfinite(y)]
                if finite.size:
                    panel = self.axes.index(line.axes)
                    tops[panel] = max(tops[panel], float(finite.max()))
                    if panel == MONEY_PANEL:
                        lowest = min(lowest, float(finite.min()))
            xmax = _step_up(week, X_STEPS)
            tops[2] = max(tops[2], MIN_WOM_TOP)
            tops[3] = max(tops[3], self.spend_rate * xmax)
            limits = (xmax,) + tuple(
                _nice_ceiling(tops[i]) if i in FREE_Y else None for i in range(len(self.axes))
            )
            floor = -_nice_ceiling(-lowest) if lowest < 0 else 0.0
            if week == 0:
                self._limits = None  # a new run (Reset) starts from the smallest ranges again
            if limits != getattr(self, "_limits", None):
                # Ranges only grow in coarse steps, so full redraws are rare.
                previous = getattr(self, "_limits", None)
                if previous is not None:
                    limits = (max(limits[0], previous[0]),) + tuple(
                        None if new is None else max(new, old or 0.0)
                        for new, old in zip(limits[1:], previous[1:], strict=True)
                    )
                self._limits = limits
            if week:  # the money panel's floor only goes down within a run, as ranges grow
                floor = min(floor, getattr(self, "_floor", 0.0))
            self._floor = floor
            if (limits, floor) != getattr(self, "_drawn", None):
                for i, ax in enumerate(self.axes):
                    ax.set_xlim(0, limits[0])
                    if limits[i + 1] is not None:
                        ax.set_ylim(floor if i == MONEY_PANEL else 0, limits[i + 1])
                self._drawn = (limits, floor)
                self.invalidate((limits, floor))
            return self.frame()


MIN_WOM_TOP = 50.0  # talks per 1,000 customers
X_STEPS = (26, 52, 104, 208, 520, 1040)
FREE_Y = (2, 3, 4)  # panels whose y range follows the data (WOM, money, cost per aware)
MONEY_PANEL = 3  # spend and profit to date: its range goes below 0 when profit does


def _step_up(value: float, steps: tuple) -> float:
    for step in steps:
        if value <= step:
            return step
    return float(value)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above ``value * 1.05`` (at least 1)."""
    value = max(value * 1.05, 1.0)
    exponent = 10 ** np.floor(np.log10(value))
    for mantissa in (1, 2, 5, 10):
        if mantissa * exponent >= value:
            return float(mantissa * exponent)
    return float(10 * exponent)


HEARD_LABELS = {k: v for k, v in HEARD_VIA_NAMES.items() if k}
