"""The sensitivity page: figures and ``sensitivity.md`` from an analysis
(``sim.evidence.sensitivity_runs.analyse``).

Every number on the page comes from the analysis passed in; the plain-language paragraphs are
generated from those numbers (which parameters have the largest total Sobol index, how much of
the variance interactions carry, where each arm wins on the tipping-point grid).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.engine.measures import LABELS, unit  # noqa: E402
from sim.evidence.ranges import BY_PATH, EXCLUDED, RANGES  # noqa: E402
from sim.evidence.sensitivity_runs import MEASURES, OUTPUTS, WEEKS  # noqa: E402
from sim.i18n import translator  # noqa: E402
from sim.study.folders import write_text  # noqa: E402
from sim.study.stats import mean_ci  # noqa: E402

FIGURES = "figures/sensitivity"
TOP_BARS = 12  # parameters shown per Morris panel


def output_label(output: str, _=str) -> str:
    """``profit_w52`` -> ``Profit to date, week 52``."""
    measure, week = output.rsplit("_w", 1)
    return _("{measure}, week {week}").format(measure=_(LABELS.get(measure, measure)), week=week)


def unit_of(output: str, _=None) -> str:
    """Unit of an output such as ``profit_w52``, in the language of ``_`` (English if None)."""
    return unit(output.rsplit("_w", 1)[0], _)


def write_page(analysis: dict, page_dir: Path, lang: str = "en") -> Path:
    """Draw the figures into ``page_dir/figures/sensitivity`` and write
    ``page_dir/sensitivity.md``; returns the page's path."""
    _ = translator(lang)
    page_dir = Path(page_dir)
    figures = page_dir / FIGURES
    figures.mkdir(parents=True, exist_ok=True)
    morris_png = _morris_figure(analysis["morris"], figures / "morris.png", _)
    sobol_png = _sobol_figure(analysis["sobol"], figures / "sobol.png", _)
    cells = tipping_cells(analysis["map"], analysis["map_parameters"])
    map_png = _map_figure(
        cells, analysis["map_parameters"], figures / "tipping.png", _, analysis.get("base_values")
    )
    text = page_text(analysis, cells, [morris_png, sobol_png, map_png], page_dir, _)
    path = page_dir / "sensitivity.md"
    write_text(path, text)
    return path


# --------------------------------------------------------------------------- numbers -> words


def tipping_cells(table: pd.DataFrame, pair: list[str]) -> pd.DataFrame:
    """One line per grid point and output: the mean difference, its 95 % interval over the
    replicates (paired: each replicate is one seed for both arms), and who wins there
    (``dialogue``, ``push`` or ``noise`` when the interval includes zero)."""
    rows = []
    for (x0, x1), group in table.groupby(["x0", "x1"], sort=True):
        for o in OUTPUTS:
            ci = mean_ci(group[o].to_numpy(float))
            if not (math.isfinite(ci.low) and math.isfinite(ci.high)) or ci.low <= 0 <= ci.high:
                winner = "noise"
            else:
                winner = "dialogue" if ci.mean > 0 else "push"
            rows.append(
                {
                    "x0": x0,
                    "x1": x1,
                    "output": o,
                    "mean": ci.mean,
                    "low": ci.low,
                    "high": ci.high,
                    "winner": winner,
                }
            )
    return pd.DataFrame(rows)


def driven_by(sobol: pd.DataFrame, output: str, _=str) -> str:
    """The plain-language paragraph of one output, from its Sobol table."""
    table = sobol.dropna(subset=["ST"])
    if table.empty:
        return _("{label}: no variance across the sampled markets, so no indices.").format(
            label=output_label(output, _)
        )
    top = table.sort_values("ST", ascending=False).head(3)
    names = [
        f"`{p}` (total index {st:.2f} ± {c:.2f})"
        for p, st, c in zip(top["parameter"], top["ST"], top["ST_conf"], strict=True)
    ]
    first = top.iloc[0]
    s1_sum = float(table["S1"].clip(lower=0).sum())
    interactions = max(0.0, 1.0 - s1_sum)
    lead = names[0] if float(first["ST"]) >= 0.5 else " and ".join(names[:2])
    text = _("The answer is driven mostly by {lead}").format(lead=lead)
    rest = [n for n in names if n not in lead]
    if rest:
        text += _("; next comes {rest}").format(rest=", ".join(rest))
    if s1_sum < 0.9:
        text += ". " + _(
            "The first-order indices add up to {s1:.2f}, so about {inter:.0%} of the variance "
            "comes from parameters acting together (interactions)."
        ).format(s1=s1_sum, inter=interactions)
    else:
        text += ". " + _(
            "The first-order indices add up to {s1:.2f}: the parameters act mostly one at a "
            "time, with little sign of interactions at this sample size."
        ).format(s1=s1_sum)
    return text


def winners_sentence(cells: pd.DataFrame, output: str, _=str) -> str:
    mine = cells[cells["output"] == output]
    counts = mine["winner"].value_counts()
    return _(
        "On the grid, dialogue is ahead at {d} of {n} points, push at {p}, and {z} are within "
        "noise."
    ).format(
        d=int(counts.get("dialogue", 0)),
        p=int(counts.get("push", 0)),
        z=int(counts.get("noise", 0)),
        n=len(mine),
    )


# --------------------------------------------------------------------------- figures


def _panels(_):
    fig, axes = plt.subplots(
        len(MEASURES), len(WEEKS), figsize=(11, 3.3 * len(MEASURES)), squeeze=False
    )
    return fig, {
        f"{m}_w{w}": axes[i][j] for i, m in enumerate(MEASURES) for j, w in enumerate(WEEKS)
    }


def _morris_figure(morris: dict, path: Path, _) -> Path:
    fig, axes = _panels(_)
    for o, ax in axes.items():
        t = morris[o].head(TOP_BARS).iloc[::-1]
        y = np.arange(len(t))
        ax.barh(y, t["mu_star"], xerr=t["mu_star_conf"], color="#4c72b0", capsize=2)
        ax.set_yticks(y, t["parameter"], fontsize=7)
        ax.set_title(output_label(o, _), fontsize=9)
        ax.set_xlabel(
            _("mu* (mean |effect| over the range), {unit}").format(unit=unit_of(o, _)), fontsize=8
        )
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(
        _(
            "Morris screening of dialogue - push: the {k} largest effects per output, "
            "with 95 % bootstrap intervals"
        ).format(k=TOP_BARS),
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def _sobol_figure(sobol: dict, path: Path, _) -> Path:
    fig, axes = _panels(_)
    for o, ax in axes.items():
        t = sobol[o].iloc[::-1]
        y = np.arange(len(t))
        ax.barh(
            y + 0.2,
            t["ST"].fillna(0),
            0.4,
            xerr=t["ST_conf"].fillna(0),
            capsize=2,
            color="#c44e52",
            label=_("total (ST)"),
        )
        ax.barh(
            y - 0.2,
            t["S1"].fillna(0),
            0.4,
            xerr=t["S1_conf"].fillna(0),
            capsize=2,
            color="#8c8c8c",
            label=_("first order (S1)"),
        )
        ax.set_yticks(y, t["parameter"], fontsize=7)
        ax.set_xlim(min(0.0, float(t["S1"].min(skipna=True) or 0) - 0.05), 1.05)
        ax.axvline(0, color="black", lw=0.5)
        ax.set_title(output_label(o, _), fontsize=9)
        ax.set_xlabel(_("share of variance"), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    next(iter(axes.values())).legend(fontsize=7, loc="lower right")
    fig.suptitle(_("Sobol indices of dialogue - push, with 95 % bootstrap intervals"), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def _map_figure(
    cells: pd.DataFrame, pair: list[str], path: Path, _, base: dict | None = None
) -> Path:
    fig, axes = _panels(_)
    for o, ax in axes.items():
        mine = cells[cells["output"] == o]
        xs = np.sort(mine["x0"].unique())
        ys = np.sort(mine["x1"].unique())
        grid = mine.pivot(index="x1", columns="x0", values="mean").loc[ys, xs].to_numpy()
        noise = mine.pivot(index="x1", columns="x0", values="winner").loc[ys, xs] == "noise"
        top = float(np.nanmax(np.abs(grid))) or 1.0
        mesh = ax.pcolormesh(
            _edges(xs), _edges(ys), grid, cmap="RdBu", vmin=-top, vmax=top, shading="flat"
        )
        for (i, j), flag in np.ndenumerate(noise.to_numpy()):
            if flag:
                ax.add_patch(
                    plt.Rectangle(
                        (_edges(xs)[j], _edges(ys)[i]),
                        _edges(xs)[j + 1] - _edges(xs)[j],
                        _edges(ys)[i + 1] - _edges(ys)[i],
                        fill=False,
                        hatch="///",
                        edgecolor="0.4",
                        lw=0,
                    )
                )
        if np.nanmin(grid) < 0 < np.nanmax(grid) and len(xs) > 1 and len(ys) > 1:
            ax.contour(xs, ys, grid, levels=[0.0], colors="black", linewidths=1)
        if base and all(p in base for p in pair):
            ax.plot(
                [base[pair[0]]],
                [base[pair[1]]],
                marker="*",
                color="gold",
                ms=12,
                markeredgecolor="black",
                label=_("default market"),
            )
            if ax is next(iter(axes.values())):
                ax.legend(fontsize=7, loc="upper right")
        bar = fig.colorbar(mesh, ax=ax)
        bar.set_label(_("dialogue - push, {unit}").format(unit=unit_of(o, _)), fontsize=7)
        bar.ax.tick_params(labelsize=7)
        ax.set_title(output_label(o, _), fontsize=9)
        ax.set_xlabel(pair[0], fontsize=8)
        ax.set_ylabel(pair[1], fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(
        _(
            "Where each arm wins: blue dialogue ahead, red push ahead, hatched within noise\n"
            "(95 % interval includes 0); black line: difference 0; star: the default market"
        ),
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def _edges(centres: np.ndarray) -> np.ndarray:
    c = np.asarray(centres, float)
    if len(c) == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


# --------------------------------------------------------------------------- the page


def page_text(analysis: dict, cells: pd.DataFrame, pngs: list[Path], page_dir: Path, _) -> str:
    s = analysis["settings"]["size"]
    runs = {k: v for k, v in _runs(analysis).items()}
    minutes = analysis["total_seconds"] / 60
    rel = [p.relative_to(page_dir).as_posix() for p in pngs]
    lines = [
        "# " + _("Which assumptions drive the answer? Global sensitivity analysis"),
        "",
        _(
            "Generated by `python run_sim.py sensitivity` (`make sensitivity`); every number on "
            "this page comes from that run (size **{size}**). Do not edit by hand."
        ).format(size=s["name"]),
        "",
        _(
            "**The question.** In the default market (scenarios/default.toml: a grocery brand "
            "on a small-world network of {n} customers, calibrated to the empirical targets of "
            "validation.md, decision 0014), push and dialogue spend the same "
            "weekly budget (base {budget:g} cu per 1,000 customers). How much does the "
            "difference dialogue - push in profit to date, mean attitude of the aware, mean "
            "attitude of all customers and adoption, at weeks 13 and 52, "
            "depend on the model's {k} varied parameters, each over the plausible range in "
            "`sim/evidence/ranges.py` (table below)?"
        ).format(n=s["n"], budget=analysis["budget"], k=len(RANGES)),
        "",
        "## " + _("How it was done"),
        "",
        _(
            "1. **Morris screening** over all {k} parameters: {t} trajectories, {m} runs. "
            "2. **Sobol indices** (first order S1 and total ST, Saltelli design, base sample "
            "{sn}) of {which}: {so} runs. "
            "3. **Tipping-point maps**: a {g} x {g} grid of the two parameters with the largest "
            "total index, {mr} replicates per point: {mp} runs. Every run is one market in which "
            "both arms run on the same network with the same seed (common random numbers), so the "
            "difference is paired; within the Morris and Sobol designs every row uses the same "
            "seed, so two rows differ by their parameters only. Parameters not varied stay at "
            "the default market's values."
        ).format(
            k=len(RANGES),
            t=s["trajectories"],
            m=runs["morris"],
            sn=s["sobol_n"],
            which=(
                _("all {k} parameters").format(k=len(RANGES))
                if s["sobol_k"] >= len(RANGES)
                else _("the {sk} parameters Morris ranks first over all outputs").format(
                    sk=s["sobol_k"]
                )
            ),
            so=runs["sobol"],
            g=s["map_points"],
            mr=s["map_replicates"],
            mp=runs["map"],
        ),
        "",
        _(
            "**Wall time**: {minutes:.1f} minutes for all {total} runs and the analysis, on "
            "this project's 2-core machine shared with other work, in one process ({sessions} "
            "session(s) of the command: resuming or re-drawing the page adds one). With {sn} "
            "base samples the total indices' 95 % bootstrap half-widths reach {conf:.2f}: read "
            "the ranking, not the second decimal."
        ).format(
            conf=max(float(t["ST_conf"].max(skipna=True) or 0) for t in analysis["sobol"].values()),
            minutes=minutes,
            total=sum(runs.values()),
            sessions=analysis["sessions"],
            sn=s["sobol_n"],
        ),
        "",
    ]
    lines += held_paragraph(analysis, _)
    lines += [
        "## " + _("The answer is driven mostly by ..."),
        "",
    ]
    noise = analysis["noise"]
    for o in OUTPUTS:
        lines += [
            f"**{output_label(o, _)}** ({unit_of(o, _)}). "
            + driven_by(analysis["sobol"][o], o, _)
            + " "
            + winners_sentence(cells, o, _)
            + " "
            + _("Run-to-run noise (sd between seeds at one point): {sd:.3g}.").format(sd=noise[o]),
            "",
        ]
    lines += [
        "## " + _("Morris screening"),
        "",
        f"![Morris]({rel[0]})",
        "",
        _(
            "mu* is the mean absolute change in the difference when the parameter moves across a "
            "quarter-steps grid of its range; a large sigma next to mu* means its effect depends "
            "on the other parameters."
        ),
        "",
        _morris_table(analysis["morris"], _),
        "",
        "## " + _("Sobol indices"),
        "",
        f"![Sobol]({rel[1]})",
        "",
        _sobol_table(analysis["sobol"], _),
        "",
        "## " + _("Tipping points"),
        "",
        f"![Tipping points]({rel[2]})",
        "",
        _(
            "Axes: `{a}` and `{b}` over their ranges; every other parameter at the default "
            "market's value. Each cell is the mean of {r} paired replicates; hatched cells are "
            "within noise (the 95 % t interval of the paired difference includes zero)."
        ).format(
            a=analysis["map_parameters"][0], b=analysis["map_parameters"][1], r=s["map_replicates"]
        ),
        "",
        "## " + _("Parameter ranges"),
        "",
        _ranges_table(_, analysis.get("base_values")),
        "",
        _("Not varied:") + " " + "; ".join(f"`{p}` ({why})" for p, why in EXCLUDED.items()) + ".",
        "",
        "## " + _("What this does not say"),
        "",
        _(
            "The ranges are mostly illustrative (no published estimate for this model's "
            "parameters), and every value in a range counts as equally likely: the indices say "
            "which assumptions the answer is sensitive to, not which answer is true."
        )
        + " "
        + (
            _(
                "Every ranged parameter is varied in the Sobol step, so none is hidden there; "
                "the indices are still over the whole ranges, not over the plausible set."
            )
            if s["sobol_k"] >= len(RANGES)
            else _(
                "Parameters outside the Sobol set are held at the default market's values there "
                "(see 'What the Sobol step holds'), so interactions with them are only seen in "
                "the Morris sigma."
            )
        )
        + " "
        + _(
            "The analysis is of one market (the default scenario's) at one population size, "
            "varied over the documented ranges around it: it is not the answer over the "
            "plausible markets (`run --plausible`)."
        ),
        "",
    ]
    return "\n".join(lines)


def _runs(analysis: dict) -> dict[str, int]:
    s = analysis["settings"]["size"]
    return {
        "morris": s["trajectories"] * (len(RANGES) + 1) * s["replicates"],
        "sobol": s["sobol_n"] * (s["sobol_k"] + 2) * s["replicates"],
        "map": s["map_points"] ** 2 * s["map_replicates"],
    }


def _morris_table(morris: dict, _) -> str:
    top = sorted({p for t in morris.values() for p in t.head(5)["parameter"]})
    head = "| " + _("parameter") + " | " + " | ".join(output_label(o, _) for o in OUTPUTS) + " |"
    lines = [head, "|---" * (len(OUTPUTS) + 1) + "|"]
    for p in top:
        cells = []
        for o in OUTPUTS:
            row = morris[o].set_index("parameter").loc[p]
            cells.append(f"{row['mu_star']:.3g} ± {row['mu_star_conf']:.2g}")
        lines.append(f"| `{p}` | " + " | ".join(cells) + " |")
    return (
        _("mu* ± 95 % half-width for every parameter in some output's top five:")
        + "\n\n"
        + ("\n".join(lines))
    )


def _sobol_table(sobol: dict, _) -> str:
    params = list(next(iter(sobol.values()))["parameter"])
    head = "| " + _("parameter") + " | " + " | ".join(output_label(o, _) for o in OUTPUTS) + " |"
    lines = [head, "|---" * (len(OUTPUTS) + 1) + "|"]
    for p in params:
        cells = []
        for o in OUTPUTS:
            row = sobol[o].set_index("parameter").loc[p]
            cells.append(f"{row['S1']:.2f} / {row['ST']:.2f} ± {row['ST_conf']:.2f}")
        lines.append(f"| `{p}` | " + " | ".join(cells) + " |")
    return _("S1 / ST ± 95 % half-width of ST:") + "\n\n" + "\n".join(lines)


def _ranges_table(_, base: dict | None = None) -> str:
    """The ranges, with the default market's value of each (the calibrated defaults of
    default.toml, decision 0014: the value every run holds a parameter at when it is not
    varied)."""
    base = base or {}
    lines = [
        _(
            "Default market: the value in scenarios/default.toml, the calibrated market "
            "(decision 0014; e.g. `arm.budget` is the media plan of {budget} cu per 1,000 "
            "customers a week), at which a parameter is held whenever it is not varied."
        ).format(budget=_fmt(base.get("arm.budget"))),
        "",
        "| "
        + _("parameter")
        + " | "
        + _("default market")
        + " | "
        + _("low")
        + " | "
        + _("high")
        + " | "
        + _("source")
        + " |",
        "|---|---|---|---|---|",
    ]
    for r in RANGES:
        lines.append(
            f"| `{r.path}` | {_fmt(base.get(r.path))} | {r.low:g} | {r.high:g} | {r.source} |"
        )
    assert set(BY_PATH) == {r.path for r in RANGES}
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:.3g}"


def held_paragraph(analysis: dict, _=str) -> list[str]:
    """What the Sobol step holds and what that hides, from the run's own Morris tables: the
    held parameters whose Morris effect comes nearest the largest one, per output."""
    varied = set(
        analysis.get("sobol_parameters") or next(iter(analysis["sobol"].values()))["parameter"]
    )
    held = [r.path for r in RANGES if r.path not in varied]
    if not held:
        return [
            _(
                "**What the Sobol step holds: nothing.** Every one of the {k} ranged parameters "
                "is varied in the Sobol step, so each parameter's own effect and its "
                "interactions are in the indices below."
            ).format(k=len(RANGES)),
            "",
        ]
    morris = analysis["morris"]
    share: dict[str, tuple[float, str]] = {}
    for o in OUTPUTS:
        table = morris[o].set_index("parameter")["mu_star"].astype(float)
        top = float(table.max())
        if not (top > 0 and math.isfinite(top)):
            continue
        for p in held:
            value = float(table.get(p, float("nan")))
            if math.isfinite(value) and value / top > share.get(p, (-1.0, ""))[0]:
                share[p] = (value / top, o)
    ranked = sorted(share, key=lambda p: -share[p][0])[:5]
    biggest = ", ".join(
        _("`{p}` ({pct:.0%} of the largest mu*, {output})").format(
            p=p, pct=share[p][0], output=output_label(share[p][1], _)
        )
        for p in ranked
    )
    return [
        _(
            "**What the Sobol step holds.** Sobol varies {sk} of the {k} parameters (those "
            "Morris ranks first: {varied}); the other {h} are held at the default market's "
            "values in the Sobol runs. What that hides: a held "
            "parameter's effect appears nowhere in the Sobol indices (their shares are of the "
            "variance the {sk} varied parameters make, not of all {k}), and every interaction "
            "it has with the varied ones is missed; Morris (mu* and sigma, each parameter moved "
            "with all others at random grid values) is the only evidence on them. By Morris the "
            "held parameters that matter most are {biggest}. A held parameter whose mu* is a "
            "sizeable share of the largest could reorder the Sobol ranking; "
            "`run_sim.py sensitivity --sobol-all` varies all {k}."
        ).format(
            sk=len(varied),
            k=len(RANGES),
            varied=", ".join(f"`{p}`" for p in sorted(varied)),
            h=len(held),
            biggest=biggest,
        ),
        "",
    ]
