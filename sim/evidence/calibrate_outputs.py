"""What ``run_sim.py calibrate SERIES`` writes and prints: calibration.json (estimates, 95 %
intervals, what the series leaves open), fit.png (the series against both fits), fitted.toml (a
scenario extending the base one with the fitted reach and talk rate), and the command itself.

The fit is ``sim.evidence.calibrate`` (the method is in its docstring).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
import tomllib
from pathlib import Path

import numpy as np

from sim.evidence.calibrate import (
    MAX_MOVES,
    CalibrationError,
    Setup,
    arm_for_reach,
    calibrate,
    setup,
)
from sim.evidence.series import Series, SeriesError, read_series


def scenario_text(result: dict, out_file: Path) -> str:
    """A scenario file that extends the base scenario with the fitted reach and talk rate."""
    s: Setup = result["setup"]
    series: Series = result["series"]
    model = result["model"]
    arm = arm_for_reach(s, model["reach"])
    base = os.path.relpath(s.scenario_path.resolve(), out_file.resolve().parent)
    weeks = series.values.size * series.weeks_per_period
    name = Path(series.path).name
    caveats = "".join(f"# WARNING: {w.replace(chr(10), ' ')}\n" for w in result.get("warnings", ()))
    text = f'''# Written by run_sim.py calibrate {name} on {dt.date.today().isoformat()}.
# Fitted to {name} ({series.values.size} {series.period}s) on {s.n} customers, {s.replicates} runs
# per grid point; 95 % intervals: push reach {interval_text(model["ci"]["reach"], 3)} a week,
# talk rate {interval_text(model["ci"]["talk"], 3)} a week. Other settings come from the base
# scenario.
{caveats}extends = {json.dumps(base)}
title = {json.dumps(f"Calibrated to {name}"[:200])}
description = """
The base scenario ({s.scenario_path.name}) with push reach and talk rate fitted to the observed
series {name} by run_sim.py calibrate: push reaches a given customer with probability
{model["reach"]:.4g} a week (budget {arm.budget:.4g} cu per 1,000 customers a week) and aware
customers talk with probability {model["talk"]:.4g} a week. For comparison, the Bass model's
fit: p = {result["bass"]["p"]:.4g}, q = {result["bass"]["q"]:.4g} per {series.period}.
"""
weeks = {weeks}

[network]
n = {s.n}

[wom]
talk_base = {model["talk"]:.6g}

[[arms]]
name = "fitted"
budget = {arm.budget:.6g}
push_share = {arm.push_share:.6g}
'''
    tomllib.loads(text)  # a file we write must parse
    return text


def fit_figure(result: dict, path: Path) -> Path:
    """Observed new adopters per period and cumulative, with the Bass and model fits."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.outputs.figure_style import PALETTE, STYLE

    series: Series = result["series"]
    x = series.periods
    with plt.rc_context(
        STYLE
        | {
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "lines.linewidth": 2.0,
        }
    ):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
        for ax, transform, label in (
            (left, lambda v: v, f"new adopters per {series.period}"),
            (right, np.cumsum, "adopters to date"),
        ):
            ax.plot(x, transform(series.values), "o", color="black", label="observed")
            ax.plot(
                x,
                transform(result["bass"]["fitted"]),
                "--",
                color=PALETTE[1],
                label=f"Bass fit (R² {result['bass']['r2']:.2f})",
            )
            ax.plot(
                x,
                transform(result["model"]["fitted"]),
                "-",
                color=PALETTE[0],
                label=f"model fit (R² {result['model']['r2']:.2f})",
            )
            ax.set_xlabel(series.period)
            ax.set_ylabel(label)
        left.legend()
        title = f"Calibration to {Path(series.path).name}"
        loose = _open(result["bass"]["ci"])
        if loose:  # say on the figure what the series does not bound
            title += "\nnot bounded by the series: " + ", ".join(
                f"{name} ({side})" for name, side in loose.items()
            )
        fig.suptitle(title, weight="bold")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, metadata={"Software": None}, bbox_inches="tight")
        plt.close(fig)
    return path


def interval_text(ci: tuple, digits: int = 4) -> str:
    """``[low, high]``, or how it is open: ``> low (not bounded above)``, ``< high (not bounded
    below)`` (``join`` marks an open side by 0 below and infinity above)."""
    low, high = ci
    if low <= 0.0 and math.isinf(high):
        return "[not bounded by the series]"
    if math.isinf(high):
        return f"[> {low:.{digits}g}, not bounded above]"
    if low <= 0.0:
        return f"[< {high:.{digits}g}, not bounded below]"
    return f"[{low:.{digits}g}, {high:.{digits}g}]"


def _open(ci: dict) -> dict:
    """name -> "below", "above" or "both" for the open intervals of ``ci``."""
    out = {}
    for name, (low, high) in ci.items():
        below, above = low <= 0.0, math.isinf(high)
        if below or above:
            out[name] = "both" if below and above else ("below" if below else "above")
    return out


def _json_ci(ci: tuple) -> list:
    """An interval for JSON: an open upper end is ``null`` (JSON has no infinity)."""
    return [float(ci[0]), None if math.isinf(ci[1]) else float(ci[1])]


def summary(result: dict) -> dict:
    """The fitted values and intervals as plain data (calibration.json).

    ``ci95`` is the reported interval (the union of the bootstrap's and the profile's; an
    open upper end is ``null``, an open lower end 0); ``open`` names the open ones;
    ``bootstrap_ci95`` and ``profile_ci95`` are the two parts.
    """
    series: Series = result["series"]
    s: Setup = result["setup"]
    bass, model = result["bass"], result["model"]
    names = {"reach": "push_reach_per_week", "talk": "talk_rate_per_week", "m": "m"}
    model_ci = {names[k]: model["ci"][k] for k in names}
    return {
        "series": series.path,
        "period": series.period,
        "periods": [int(v) for v in series.periods],
        "warnings": list(result["warnings"]),
        "bass": {
            "p": bass["p"],
            "q": bass["q"],
            "m": bass["m"],
            "r2": bass["r2"],
            "ci95": {k: _json_ci(v) for k, v in bass["ci"].items()},
            "open": _open(bass["ci"]),
            "bootstrap_ci95": {k: list(v) for k, v in bass["bootstrap_ci"].items()},
            "profile_ci95": {
                k: {"low": v[0], "high": v[1], "open_below": v[2], "open_above": v[3]}
                for k, v in bass["profile_ci"].items()
            },
            "per": series.period,
        },
        "model": {
            "push_reach_per_week": model["reach"],
            "talk_rate_per_week": model["talk"],
            "m": model["m"],
            "r2": model["r2"],
            "ci95": {k: _json_ci(v) for k, v in model_ci.items()},
            "open": _open(model_ci),
            "bootstrap_ci95": {names[k]: list(v) for k, v in model["bootstrap_ci"].items()},
            "grid_profile_ci95": {
                names[k]: {"low": v[0], "high": v[1], "cut_below": v[2], "cut_above": v[3]}
                for k, v in model["profile_ci"].items()
            },
            "cut_by_grid": list(model["cut_by_grid"]),
            "grid_step": model["grid_step"],
            "grid_points": model["grid_points"],
            "best_on_grid_edge": model["on_edge"],
            "bootstrap_share_on_grid_edge": model["bootstrap_on_edge"],
        },
        "scenario": str(s.scenario_path),
        "customers": s.n,
        "replicates": s.replicates,
        "measure": s.measure,
        "bootstrap_resamples": result["resamples"],
        "seed": s.seed,
    }


OUTPUT_FILES = ("calibration.json", "fit.png", "fitted.toml")


def calibrate_command(args, argv) -> int:
    """``run_sim.py calibrate SERIES.csv``: fit, then write the figure, table and scenario."""
    from sim.evidence.errors import EvidenceError
    from sim.study.folders import create_default_folder, create_out_dir, write_text

    for name, value, low, high in (
        ("--bootstrap", args.bootstrap, 20, 10_000),
        ("--replicates", args.replicates, 1, 100),
        ("--n", args.n, 50, 100_000),
        ("--seed", args.seed, 0, 2**63 - 1),
        ("--grid", args.grid, 3, 15),
    ):
        if not low <= value <= high:
            raise EvidenceError(f"{name} {value}: out of range ({low} to {high})")
    if args.grid % 2 == 0:
        raise EvidenceError(f"--grid {args.grid}: must be odd (the start is the middle point)")
    try:
        series = read_series(args.series)
    except SeriesError as error:
        raise EvidenceError(str(error)) from None
    if args.out is not None:
        taken = [f for f in OUTPUT_FILES if (args.out / f).exists() or (args.out / f).is_symlink()]
        if taken:
            raise EvidenceError(
                f"{args.out / taken[0]}: exists; calibrate never overwrites files: choose "
                "another --out"
            )
    try:
        s = setup(args.scenario, args.n, args.replicates, args.seed, args.measure)
    except CalibrationError as error:
        raise EvidenceError(str(error)) from None
    try:
        result = calibrate(series, s, args.bootstrap, grid_size=args.grid, quiet=args.quiet)
    except CalibrationError as error:
        raise EvidenceError(str(error)) from None
    if args.out is not None:
        create_out_dir(args.out)
        out = args.out
    else:
        out = create_default_folder("calibrate", "results")
    for name in OUTPUT_FILES:  # again: something may have appeared during the runs
        if (out / name).exists():
            raise EvidenceError(f"{out / name}: appeared during the fit; not overwriting it")
    write_text(out / "calibration.json", json.dumps(summary(result), indent=2) + "\n")
    fit_figure(result, out / "fit.png")
    scenario = out / "fitted.toml"
    try:
        with open(scenario, "x", encoding="utf-8") as handle:
            handle.write(scenario_text(result, scenario))
    except FileExistsError:
        raise EvidenceError(f"{scenario}: exists; not overwriting it") from None
    _report(result, out)
    return 0


def _report(result: dict, out: Path) -> None:
    series, bass, model = result["series"], result["bass"], result["model"]
    per = series.period
    ci = bass["ci"]
    print(
        f"Bass fit: p = {bass['p']:.4g} {interval_text(ci['p'])}, "
        f"q = {bass['q']:.4g} {interval_text(ci['q'])} per {per}, "
        f"m = {bass['m']:.4g} {interval_text(ci['m'])}, R² {bass['r2']:.3f}"
    )
    ci = model["ci"]
    print(
        f"Model fit: push reach {model['reach']:.4g} {interval_text(ci['reach'])}, talk rate "
        f"{model['talk']:.4g} {interval_text(ci['talk'])} per week, "
        f"m = {model['m']:.4g} {interval_text(ci['m'])}, R² {model['r2']:.3f}"
    )
    for warning in result["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    if model["on_edge"]:
        print(
            "note: the best model point is on the edge of the grid after moving it "
            f"{MAX_MOVES} times; the interval may be cut off there",
            file=sys.stderr,
        )
    elif model["cut_by_grid"]:
        print(
            f"note: the model's interval is cut off by the grid ({', '.join(model['cut_by_grid'])}"
            "): values beyond fit as well but were not run (a larger --grid widens it)",
            file=sys.stderr,
        )
    elif model["bootstrap_on_edge"] > 0.025:
        print(
            f"note: {model['bootstrap_on_edge']:.0%} of the bootstrap fits are on the edge of "
            "the grid; the interval may be cut off there (a larger --grid widens it)",
            file=sys.stderr,
        )
    print(f"Wrote {out / 'fitted.toml'}, {out / 'fit.png'}, {out / 'calibration.json'}")
