"""The figures of a sweep: "where does each arm win". Lines (or bars) of each key measure along
one swept parameter, the paired difference of the contrast's two arms along it, and for two swept
parameters heat maps of that difference (intervals that exclude zero marked) and maps of the
winning arm. Drawn in the style of ``sim.outputs.figure_style``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.engine.measures import (  # noqa: E402
    LOWER_IS_BETTER,
    label,
    unit,
)
from sim.i18n import DEFAULT_LANGUAGE, numbers  # noqa: E402
from sim.i18n.vocabulary import arm_displays  # noqa: E402
from sim.outputs.figure_style import (  # noqa: E402
    SIZE,
    _finish,
    _legend,
    _wrapped,
    arm_colours,
    axis_label,
)
from sim.outputs.paramlabels import PARAMETER_LABELS  # noqa: E402
from sim.params import ModelParams  # noqa: E402


def _sweep_figures(folder: Path, study: dict, summary: dict, _) -> list[Path]:
    paths = list(study["sweep"])
    arms = [a["name"] for a in study["arms"]]
    colours = arm_colours(arms)
    names = arm_displays(study["arms"], _)
    contrast = study.get("contrast")
    out = []
    for measure in study.get("key_measures") or ["awareness"]:
        if measure not in summary["units"]:
            continue
        if len(paths) == 1:
            out.append(_sweep_line(folder, study, summary, measure, names, colours, _))
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
    """The measure along the one swept parameter, a line per arm (``arms``: identifier -> the
    name shown)."""
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
            ax.plot(values, mean, marker="o", color=colours[arm], label=arms[arm])
            ax.fill_between(values, low, high, color=colours[arm], alpha=0.2, linewidth=0)
        else:
            x = np.arange(len(values)) + (k - (len(arms) - 1) / 2) * width
            err = np.vstack([mean - low, high - mean])
            ax.bar(x, mean, width=width, color=colours[arm], label=arms[arm])
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
    lang = getattr(_, "lang", DEFAULT_LANGUAGE)
    fig, ax = plt.subplots(figsize=SIZE)
    finite = grid[np.isfinite(grid)]
    lim = float(np.max(np.abs(finite))) if finite.size else 1.0
    lim = lim or 1.0
    im = ax.imshow(grid, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto", origin="lower")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if np.isfinite(grid[i, j]):
                text = numbers.fixed(grid[i, j], lang, 2, sign=True) + (
                    "" if sig[i, j] else "\n" + _("(n.s.)")
                )
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
            best_text = numbers.fixed(best, getattr(_, "lang", DEFAULT_LANGUAGE), 2)
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
