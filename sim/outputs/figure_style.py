"""The look of every figure of a study: sizes, fonts, arm colours and line styles, axis labels,
the legend beside the plot, numbers in the reader's language, and the one save (atomic; a full
disk is a ResultsError naming the file). ``sim.outputs.figures`` (time series) and
``sim.outputs.sweep_figures`` draw with it; the validation and calibration figures take its
palette and style.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedFormatter, FuncFormatter, ScalarFormatter  # noqa: E402

from sim.engine.measures import (  # noqa: E402
    label,
    unit,
)
from sim.i18n import DEFAULT_LANGUAGE, numbers  # noqa: E402
from sim.i18n.vocabulary import STRATEGY_COLOURS  # noqa: E402
from sim.i18n.vocabulary import arm_colours as vocabulary_colours  # noqa: E402
from sim.study.folders import ResultsError  # noqa: E402

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
    _number_ticks(fig, getattr(_, "lang", DEFAULT_LANGUAGE))
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
    """Matplotlib's default tick labels, then written for the language (decimal comma in
    Norwegian) by ``sim.i18n.numbers.restyle``."""

    def __init__(self, lang: str):
        super().__init__()
        self._lang = lang

    def __call__(self, x, pos=None):
        return numbers.restyle(super().__call__(x, pos), self._lang)


def _number_ticks(fig, lang: str) -> None:
    """Tick labels of every axis written for ``lang`` (``sim.i18n.numbers.restyle``: the
    digits matplotlib chose, the locale's signs); labels that are not numbers (arm names,
    network kinds) are left alone. English keeps matplotlib's own text."""
    if numbers.restyle("0.5", lang) == "0.5":
        return
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, FixedFormatter):
                formatter.seq = [numbers.restyle(str(t), lang) for t in formatter.seq]
            elif isinstance(formatter, FuncFormatter):  # labels given with set_xticks

                def styled(x, pos=None, inner=formatter):
                    return numbers.restyle(inner(x, pos), lang)

                axis.set_major_formatter(FuncFormatter(styled))
            elif type(formatter) is ScalarFormatter:
                axis.set_major_formatter(_StyledScalarFormatter(lang))
