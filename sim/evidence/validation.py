"""Run every validation check at one size and judge each against its stated tolerance.

``run_validation(SIZES["full"])`` is what ``run_sim.py evidence`` runs; ``SIZES["small"]`` is the
quick version the test suite runs (fewer products, customers and replicates; its verdicts are
computed the same way but are weaker evidence). The result is a plain dictionary: the check
results, the pass/fail rows (each with the measured value and the tolerance it is judged by)
and the elasticity comparison. ``sim.evidence.page`` turns it into docs/validation.md.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from sim.evidence import bass_check, elasticity_runs, network_checks, target_runs, targets
from sim.evidence.published import AGREEMENT_FACTOR, BASS_ESTIMATES, ELASTICITIES
from sim.study.stats import mean_ci


@dataclass(frozen=True)
class Size:
    """How big each check is (the full version's numbers are on the page)."""

    name: str
    bass_products: int  # how many of BASS_ESTIMATES (in order)
    bass_impressions: int  # impressions a week; n grows with it (n ~ impressions * 52 / p)
    bass_replicates: int
    order_n: int
    order_replicates: int
    order_weeks: int
    cluster_epsilons: tuple[float, ...]
    cluster_seeds: int
    cluster_n: int
    cluster_weeks: int
    elasticity_n: int
    elasticity_replicates: int
    targets_n: int
    targets_replicates: int
    pays_markets: int  # plausible markets in "where dialogue pays" (all when the set is smaller)


SIZES = {
    "full": Size(
        "full",
        bass_products=len(BASS_ESTIMATES),
        bass_impressions=1,
        bass_replicates=40,
        order_n=1000,
        order_replicates=20,
        order_weeks=40,
        cluster_epsilons=(0.08, 0.1, 0.125, 0.15, 0.2, 0.3, 0.4, 0.6),
        cluster_seeds=10,
        cluster_n=500,
        cluster_weeks=250,
        elasticity_n=5000,
        elasticity_replicates=30,
        targets_n=6000,
        targets_replicates=16,
        pays_markets=200,
    ),
    "small": Size(
        "small",
        bass_products=1,
        bass_impressions=1,
        bass_replicates=6,
        order_n=300,
        order_replicates=3,
        order_weeks=25,
        cluster_epsilons=(0.2, 0.6),
        cluster_seeds=2,
        cluster_n=200,
        cluster_weeks=120,
        elasticity_n=300,
        elasticity_replicates=2,
        targets_n=600,
        targets_replicates=2,
        pays_markets=4,
    ),
}

SEED = 1969  # master seed of every validation run (Bass 1969)
AD_SHARE_PERIOD = 26  # weeks per point of the Bass limit's "new customers via ads" curve
DEFAULT_SHARE_PERIOD = 4  # weeks, default market
EARLY_WEEKS, LATE_WEEKS = (1, 8), (27, 52)


def run_validation(size: Size, executor=None, quiet: bool = True, log=None) -> dict:
    """Every check of the page at ``size``; see the module docstring for the result."""
    log = log or (lambda text: None)
    started = time.time()
    timings = {}

    t = time.perf_counter()
    cases = [
        bass_check.design(e, size.bass_impressions) for e in BASS_ESTIMATES[: size.bass_products]
    ]
    bass_check.run_cases(cases, size.bass_replicates, SEED, executor, quiet)
    shares = {c.label: bass_check.ad_share_by_period(c, AD_SHARE_PERIOD) for c in cases}
    timings["Bass limit"] = time.perf_counter() - t
    log(f"Bass limit: {timings['Bass limit']:.0f} s")

    t = time.perf_counter()
    order = network_checks.network_order(
        size.order_n, size.order_replicates, size.order_weeks, SEED, executor, quiet
    )
    timings["network order"] = time.perf_counter() - t
    log(f"network order: {timings['network order']:.0f} s")

    t = time.perf_counter()
    clusters = network_checks.cluster_counts(
        size.cluster_epsilons, size.cluster_seeds, size.cluster_n, size.cluster_weeks
    )
    timings["clusters"] = time.perf_counter() - t
    log(f"clusters: {timings['clusters']:.0f} s")

    t = time.perf_counter()
    elastic = elasticity_runs.run_elasticities(
        size.elasticity_n, size.elasticity_replicates, SEED, executor, quiet
    )
    default_share = {arm: default_ad_share(frames) for arm, frames in elastic["base"].items()}
    timings["elasticities"] = time.perf_counter() - t
    log(f"elasticities: {timings['elasticities']:.0f} s")

    t = time.perf_counter()
    measured = empirical_targets(size.targets_n, size.targets_replicates, SEED)
    timings["targets"] = time.perf_counter() - t
    log(f"targets: {timings['targets']:.0f} s")

    t = time.perf_counter()
    pays = dialogue_pays_over_set(size.pays_markets)
    timings["where dialogue pays"] = time.perf_counter() - t
    log(f"where dialogue pays: {timings['where dialogue pays']:.0f} s")

    results = {
        "dialogue_pays": pays,
        "targets": measured,
        "targets_budget": target_runs.push_budget(),
        "size": asdict(size),
        "seed": SEED,
        "started": started,
        "seconds": time.time() - started,
        "timings": timings,
        "cases": cases,
        "shares": shares,
        "order": order,
        "clusters": clusters,
        "elasticities": elastic,
        "default_share": default_share,
    }
    results["checks"] = checks(results)
    results["comparison"] = comparison(elastic["rows"])
    return results


def dialogue_pays_over_set(markets: int) -> dict:
    """Where dialogue out-earns lean push over up to ``markets`` members of the shipped
    plausible set (``sim.evidence.dialogue_pays``); ``{"missing": reason}`` without a set."""
    from sim.evidence.dialogue_pays import where_dialogue_pays
    from sim.evidence.plausible import PlausibleError, load_plausible

    try:
        plausible = load_plausible()
    except PlausibleError:
        return {"missing": "sim/evidence/data/plausible.json does not exist or cannot be read"}
    members = plausible.sample(min(markets, len(plausible)), seed=SEED)
    result = where_dialogue_pays(members, SEED)
    result["set_size"] = len(plausible)
    result["set_date"] = plausible.provenance.get("date")
    return result


def empirical_targets(n: int, replicates: int, seed: int) -> list[dict]:
    """Every target of ``sim.evidence.targets`` measured on the default market: one value per
    replicate seed (``target_runs.measure_targets``), their mean with a 95 % t interval, and
    whether the mean lies inside the band."""
    runs = [
        target_runs.measure_targets(seed=target_runs.replicate_seed(seed, r), n=n)
        for r in range(replicates)
    ]
    rows = []
    for t in targets.TARGETS:
        values = np.array([run[t.key] for run in runs], dtype=float)
        finite = values[np.isfinite(values)]
        interval = mean_ci(finite) if finite.size else None
        mean = float(finite.mean()) if finite.size else float("nan")
        rows.append(
            {
                "key": t.key,
                "values": values.tolist(),
                "interval": interval.as_dict() if interval is not None else None,
                "mean": mean,
                "passed": t.contains(mean),
                "required": t.required,
                "side": "inside" if t.contains(mean) else ("below" if mean < t.low else "above"),
            }
        )
    return rows


def default_ad_share(frames) -> dict:
    """Share of the newly aware (first time) who heard from an ad, per 4 weeks, pooled over
    replicates, and per replicate early (weeks 1-8) minus late (27-52), with its interval."""
    via = np.array([(f["heard_via_ad"] * f["ever_aware"]).to_numpy() for f in frames])
    ever = np.array([f["ever_aware"].to_numpy() for f in frames])
    new_via, new = np.diff(via, axis=1), np.diff(ever, axis=1)  # column k: week k + 1
    weeks = new.shape[1]
    starts = np.arange(0, weeks, DEFAULT_SHARE_PERIOD)
    share = []
    for s in starts:
        total = new[:, s : s + DEFAULT_SHARE_PERIOD].sum()
        share.append(
            new_via[:, s : s + DEFAULT_SHARE_PERIOD].sum() / total if total > 0 else np.nan
        )

    def window(lo, hi):
        with np.errstate(invalid="ignore", divide="ignore"):
            return new_via[:, lo - 1 : hi].sum(axis=1) / new[:, lo - 1 : hi].sum(axis=1)

    early, late = window(*EARLY_WEEKS), window(*LATE_WEEKS)
    return {
        "mid": starts + 1 + (DEFAULT_SHARE_PERIOD - 1) / 2.0,
        "share": np.array(share, dtype=float),
        "early": float(np.nanmean(early)),
        "late": float(np.nanmean(late)),
        "early_minus_late": mean_ci(early - late).as_dict(),
    }


def _row(check: str, measured: str, tolerance: str, passed: bool) -> dict:
    return {"check": check, "measured": measured, "tolerance": tolerance, "passed": bool(passed)}


def checks(results: dict) -> list[dict]:
    """The pass/fail table: every row's measured value is computed from ``results``."""
    rows = []
    for case in results["cases"]:
        r = case.results
        rows.append(
            _row(
                f"Bass limit, {case.label}: model mean on the recurrence",
                f"largest gap {r['max_gap']:.4f} (week {r['max_gap_week']}, "
                f"{r['max_z']:.1f} standard errors at most)",
                "every week within 3 standard errors + 0.005",
                r["within"],
            )
        )
        rows.append(
            _row(
                f"Bass limit, {case.label}: model mean on the exact expectation",
                f"largest gap {r['exact_gap']:.4f} ({r['exact_z']:.1f} standard errors at most)",
                "every week within 3 standard errors + 0.005",
                r["exact_within"],
            )
        )
        rows.append(
            _row(
                f"Bass limit, {case.label}: mean-field gap of the recurrence",
                f"exact expectation minus recurrence: largest {r['meanfield_max']:.4f} "
                f"(week {r['meanfield_week']}), mean {r['meanfield_mean']:+.4f}",
                "at most 0.005 (the allowance the statistical test gives the recurrence)",
                r["meanfield_max"] <= 0.005,
            )
        )
        rows.append(
            _row(
                f"Bass limit, {case.label}: recurrence on the closed form",
                f"largest gap {r['rec_vs_closed']:.4f}",
                "at most 0.01 (weekly step)",
                r["rec_vs_closed"] <= 0.01,
            )
        )
        peak = r["peak_sim"]
        half = (peak["high"] - peak["low"]) / 2.0 if peak["low"] is not None else 0.0
        gap = abs(peak["mean"] - r["peak_recurrence_level"])
        rows.append(
            _row(
                f"Bass limit, {case.label}: week of peak new awareness",
                f"model {peak['mean']:.0f} ± {half:.0f}, recurrence {r['peak_recurrence']:.0f}, "
                f"closed form {r['peak_closed']:.0f}",
                "model within its 95 % interval + 2 weeks of the recurrence",
                gap <= half + 2.0,
            )
        )
    for label, share in results["shares"].items():
        ci = share["early_minus_late"]
        rows.append(
            _row(
                f"Ads' share of new customers falls, Bass limit ({label})",
                f"early {share['early']:.2f}, late {share['late']:.2f}; difference "
                f"{ci['mean']:.2f} [{_f(ci['low'])}, {_f(ci['high'])}]",
                "early (share aware < 10 %) minus late (> 50 %) above 0, 95 % interval",
                ci["low"] is not None and ci["low"] > 0,
            )
        )
    for arm, share in results["default_share"].items():
        ci = share["early_minus_late"]
        rows.append(
            _row(
                f"Ads' share of new customers falls, default market ({arm})",
                f"weeks 1-8 {share['early']:.2f}, weeks 27-52 {share['late']:.2f}; difference "
                f"{ci['mean']:.2f} [{_f(ci['low'])}, {_f(ci['high'])}]",
                "difference above 0, 95 % interval",
                ci["low"] is not None and ci["low"] > 0,
            )
        )
    order = results["order"]
    for a, b, gap in network_checks.order_holds(order):
        rows.append(
            _row(
                f"Network order: {a} below {b} (week {order['week']})",
                f"gap {gap:.3f}",
                f"gap above {network_checks.ORDER_MARGIN}",
                gap > network_checks.ORDER_MARGIN,
            )
        )
    means = {k: v["at_week"]["mean"] for k, v in order["kinds"].items()}
    sw, sf, rnd = means["small world (rewire 0.1)"], means["scale free"], means["random"]
    rows.append(
        _row(
            f"Network order: scale free between small world and random (week {order['week']})",
            f"{sw:.3f} < {sf:.3f} < {rnd:.3f}",
            "strictly between",
            sw < sf < rnd,
        )
    )
    cl = results["clusters"]
    for eps in sorted(cl["counts"]):
        counts, expected = cl["counts"][eps], cl["expected"][eps]
        allowed_median = 1 if expected >= 4 else 0
        rows.append(
            _row(
                f"Bounded confidence, eps = {eps:g}: clusters",
                f"counts {sorted(counts)}, expected {expected}",
                f"each within 1, median within {allowed_median}",
                all(abs(c - expected) <= 1 for c in counts)
                and abs(float(np.median(counts)) - expected) <= allowed_median,
            )
        )
    return rows


def comparison(rows: list[dict]) -> list[dict]:
    """Each model elasticity beside the published mean: inside the x2 band or not."""
    published = {e.key: e for e in ELASTICITIES}
    out = []
    for row in rows:
        pub = published[row["key"]]
        mean = row["interval"]["mean"]
        lo, hi = pub.mean / AGREEMENT_FACTOR, pub.mean * AGREEMENT_FACTOR
        if mean is None:
            verdict = "not estimated"
        elif mean < lo:
            verdict = "below"
        elif mean > hi:
            verdict = "above"
        else:
            verdict = "inside"
        out.append(
            row
            | {
                "label": pub.label,
                "published": pub.mean,
                "source": pub.source,
                "band": (lo, hi),
                "verdict": verdict,
            }
        )
    return out


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.2f}"
