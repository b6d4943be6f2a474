"""Figures of the validation page (docs/figures/validation/), one question per figure.

Each function takes the results of one check and a path, draws, saves a PNG and returns the
path. Styles follow the study figures (``sim.outputs.figure_style``: colour-blind-safe colours,
labelled axes with units, 95 % bands over replicates).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.engine.bass import bass_closed_form, bass_recurrence  # noqa: E402
from sim.evidence.published import AGREEMENT_FACTOR, ELASTICITIES  # noqa: E402
from sim.outputs.figure_style import PALETTE, STYLE  # noqa: E402
from sim.study.stats import band  # noqa: E402

PAGE_STYLE = STYLE | {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 2.0,
}


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return path


def bass_limit(cases, path: Path) -> Path:
    """Simulated awareness (mean and 95 % band) against the recurrence and the closed form."""
    with plt.rc_context(PAGE_STYLE):
        cols = min(3, len(cases))
        rows = math.ceil(len(cases) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False)
        for ax, case in zip(axes.flat, cases, strict=False):
            years = np.arange(case.weeks + 1) / 52.0
            mean, low, high = band(case.curves)
            ax.fill_between(years, low, high, color=PALETTE[0], alpha=0.25, lw=0)
            ax.plot(years, mean, color=PALETTE[0], label=f"model ({case.replicates} runs)")
            rec = bass_recurrence(case.p, case.q, case.n, case.weeks)
            ax.plot(years, rec, "--", color=PALETTE[1], label="recurrence")
            ax.plot(
                years,
                bass_closed_form(case.p, case.q, case.weeks),
                ":",
                color="black",
                label="closed form",
            )
            ax.set_title(f"{case.label}\np={case.estimate.p:g}, q={case.estimate.q:g} a year")
            ax.set_xlabel("years")
            ax.set_ylabel("share aware")
        for ax in axes.flat[len(cases) :]:
            ax.axis("off")
        axes.flat[0].legend(loc="lower right")
        fig.suptitle("Does the model follow the Bass curve for published (p, q)?", weight="bold")
        fig.tight_layout()
        return _save(fig, path)


def bass_gap(cases, path: Path) -> Path:
    """Simulated mean minus recurrence, with 3 standard errors: the mean-field gap."""
    with plt.rc_context(PAGE_STYLE):
        fig, ax = plt.subplots(figsize=(9, 4.5))
        for i, case in enumerate(cases):
            years = np.arange(case.weeks + 1) / 52.0
            mean = case.curves.mean(axis=0)
            se = case.curves.std(axis=0, ddof=1) / math.sqrt(case.curves.shape[0])
            gap = mean - bass_recurrence(case.p, case.q, case.n, case.weeks)
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(years, gap, color=colour, lw=1.2, label=f"{case.label}: model runs")
            exact = case.results["exact"] - bass_recurrence(case.p, case.q, case.n, case.weeks)
            ax.plot(years, exact, "--", color=colour, lw=2.2, label=f"{case.label}: exact")
            ax.fill_between(years, -3 * se, 3 * se, color=colour, alpha=0.08, lw=0)
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xlabel("years")
        ax.set_ylabel("minus the recurrence (share aware)")
        ax.set_title(
            "How far is the exact process from its mean-field recurrence?\n"
            "(solid: mean of the model's runs; dashed: exact expectation; shaded: 3 standard "
            "errors)"
        )
        ax.legend(ncol=2, fontsize=7)
        return _save(fig, path)


def network_order(order: dict, path: Path) -> Path:
    with plt.rc_context(PAGE_STYLE):
        fig, ax = plt.subplots(figsize=(9, 4.8))
        for i, (label, data) in enumerate(order["kinds"].items()):
            weeks = np.arange(data["mean"].size)
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(weeks, data["mean"], color=colour, label=label)
            ax.fill_between(weeks, data["low"], data["high"], color=colour, alpha=0.2, lw=0)
        ax.axvline(order["week"], color="grey", lw=0.8, ls=":")
        ax.set_xlabel("week")
        ax.set_ylabel("share aware")
        ax.set_title(
            f"Does clustering slow word of mouth? ({order['n']} customers, mean degree "
            f"10, {order['replicates']} runs each)"
        )
        ax.legend(loc="upper left")
        return _save(fig, path)


def clusters(result: dict, path: Path) -> Path:
    with plt.rc_context(PAGE_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        eps = sorted(result["counts"])
        grid = np.linspace(min(eps), max(eps), 400)
        ax.plot(
            grid,
            np.maximum(1, np.floor(1.0 / (2.0 * grid))),
            color="black",
            lw=1.2,
            label="floor(1 / (2 eps))",
        )
        rng = np.random.default_rng(0)  # jitter only, for visibility
        for e in eps:
            counts = np.asarray(result["counts"][e])
            ax.scatter(
                e + rng.uniform(-0.004, 0.004, counts.size),
                counts,
                color=PALETTE[0],
                alpha=0.6,
                s=25,
            )
        ax.scatter([], [], color=PALETTE[0], label=f"model ({result['seeds']} seeds each)")
        ax.set_xlabel("confidence bound eps (share of the attitude range)")
        ax.set_ylabel("opinion clusters")
        ax.set_title("Bounded confidence: how many opinion clusters form?")
        ax.legend()
        return _save(fig, path)


def ad_share(case, share: dict, default_share: dict, path: Path) -> Path:
    """Share of the newly aware who first heard from an ad, over time."""
    with plt.rc_context(PAGE_STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
        years = (share["starts"] + share["period"] / 2) / 52.0
        left.plot(years, share["sim"], "o-", color=PALETTE[0], label="model")
        left.plot(years, share["analytic"], "--", color=PALETTE[1], label="Bass limit, exact")
        left.set_xlabel("years")
        left.set_ylabel("share of newly aware via an ad")
        left.set_title(f"Bass limit: {case.label}")
        left.set_ylim(0, 1.05)
        left.legend()
        for i, (arm, data) in enumerate(default_share.items()):
            right.plot(data["mid"], data["share"], "o-", color=PALETTE[i + 2], label=arm)
        right.set_xlabel("week")
        right.set_title("Default market (grocery brand)")
        right.set_ylim(0, 1.05)
        right.legend()
        fig.suptitle(
            "Is advertising's part in bringing new customers largest early? "
            "(Goldenberg, Libai & Muller 2001)",
            weight="bold",
        )
        fig.tight_layout()
        return _save(fig, path)


def elasticities(rows: list[dict], path: Path) -> Path:
    """Model elasticities (per arm, 95 % interval) beside the meta-analytic means."""
    published = {e.key: e for e in ELASTICITIES}
    keys = [e.key for e in ELASTICITIES if any(r["key"] == e.key for r in rows)]
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    with plt.rc_context(PAGE_STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.9 * len(keys) + 1.5))
        for j, key in enumerate(keys):
            y = len(keys) - 1 - j
            mean = published[key].mean
            ax.plot(
                [mean / AGREEMENT_FACTOR, mean * AGREEMENT_FACTOR],
                [y, y],
                color="grey",
                lw=8,
                alpha=0.3,
                solid_capstyle="butt",
            )
            ax.plot(mean, y, "D", color="black", ms=7)
            for i, arm in enumerate(arms):
                row = next((r for r in rows if r["key"] == key and r["arm"] == arm), None)
                if row is None:
                    continue
                iv = row["interval"]
                offset = 0.18 * (i - (len(arms) - 1) / 2) + 0.0
                lo = iv["low"] if iv["low"] is not None else iv["mean"]
                hi = iv["high"] if iv["high"] is not None else iv["mean"]
                ax.errorbar(
                    iv["mean"],
                    y + offset,
                    xerr=[[iv["mean"] - lo], [hi - iv["mean"]]],
                    fmt="o",
                    color=PALETTE[i + 2],
                    capsize=3,
                    label=arm if j == 0 else None,
                )
        ax.plot([], [], "D", color="black", label="published mean")
        ax.plot([], [], color="grey", lw=8, alpha=0.3, label=f"within x{AGREEMENT_FACTOR:g}")
        ax.axvline(0.0, color="black", lw=0.8)
        ax.set_yticks(range(len(keys)))
        ax.set_yticklabels([published[k].label for k in reversed(keys)])
        ax.set_xlabel("elasticity (% change in outcome per % change in driver)")
        ax.set_title(
            "Emergent elasticities of the default market over a launch (weeks 1-52), "
            "beside meta-analyses"
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        return _save(fig, path)
