"""Global sensitivity analysis: Morris screening and Sobol indices (SALib), on plain arrays.

This module knows nothing about the model: it turns a list of parameter ranges
(``sim.evidence.ranges.Range``) into designs (rows of parameter values) and a design's outputs
into indices. ``sim.evidence.sensitivity_runs`` runs the model at the design's rows.

- **Morris** (Morris 1991; Campolongo, Cariboni & Saltelli 2007): ``trajectories`` one-at-a-time
  paths through a ``levels``-level grid, ``trajectories x (k + 1)`` rows for ``k`` parameters.
  ``mu_star`` (mean absolute elementary effect, in the output's units per whole range) ranks
  the parameters; ``sigma`` large next to ``mu_star`` means interactions or non-linearity.
  ``mu_star_conf`` is a bootstrap half-width (95 %).
- **Sobol** (Saltelli 2002, Saltelli et al. 2010 estimators; scrambled Sobol' sequence):
  ``n x (k + 2)`` rows without second-order indices. ``S1`` is the share of the output's
  variance due to the parameter alone, ``ST`` including all its interactions; both in [0, 1]
  up to sampling error, with bootstrap 95 % half-widths ``S1_conf`` and ``ST_conf``.

Every sampler takes a seed: the same ranges, sizes and seed give the same design.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.evidence.ranges import Range

MORRIS_LEVELS = 4  # grid levels per parameter (Campolongo et al. 2007 use 4)
RESAMPLES = 1000  # bootstrap resamples of the confidence half-widths


def problem(ranges: Sequence[Range]) -> dict:
    """SALib's problem description of ``ranges``."""
    return {
        "num_vars": len(ranges),
        "names": [r.path for r in ranges],
        "bounds": [[float(r.low), float(r.high)] for r in ranges],
    }


def as_values(ranges: Sequence[Range], design: np.ndarray) -> list[dict]:
    """Rows of a design as ``{path: value}`` (integer parameters rounded)."""
    rows = []
    for row in np.asarray(design, dtype=float):
        point = {}
        for r, x in zip(ranges, row, strict=True):
            point[r.path] = int(round(x)) if r.integer else float(x)
        rows.append(point)
    return rows


def morris_design(ranges: Sequence[Range], trajectories: int, seed: int) -> np.ndarray:
    """A Morris design: ``trajectories * (len(ranges) + 1)`` rows, one column per range."""
    from SALib.sample import morris

    if trajectories < 2:
        raise ValueError(f"Morris needs at least 2 trajectories, got {trajectories}")
    return morris.sample(
        problem(ranges), trajectories, num_levels=MORRIS_LEVELS, seed=int(seed) % 2**32
    )


def morris_indices(
    ranges: Sequence[Range], design: np.ndarray, outputs: np.ndarray, seed: int = 0
) -> pd.DataFrame:
    """Morris statistics of one output, one row per parameter, sorted by ``mu_star`` (largest
    first): ``parameter, mu, mu_star, mu_star_conf, sigma``."""
    from SALib.analyze import morris

    result = morris.analyze(
        problem(ranges),
        np.asarray(design, dtype=float),
        np.asarray(outputs, dtype=float),
        num_resamples=RESAMPLES,
        num_levels=MORRIS_LEVELS,
        seed=int(seed) % 2**32,
    )
    frame = pd.DataFrame(
        {
            "parameter": list(result["names"]),
            "mu": np.asarray(result["mu"], float),
            "mu_star": np.asarray(result["mu_star"], float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], float),
            "sigma": np.asarray(result["sigma"], float),
        }
    )
    return frame.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def sobol_design(ranges: Sequence[Range], n: int, seed: int) -> np.ndarray:
    """A Saltelli design for first-order and total indices: ``n * (len(ranges) + 2)`` rows.

    ``n`` must be a power of 2 (the Sobol' sequence's balance properties need it).
    """
    from SALib.sample import sobol

    if n < 2 or n & (n - 1):
        raise ValueError(f"the Sobol base sample must be a power of 2, got {n}")
    return sobol.sample(
        problem(ranges), n, calc_second_order=False, scramble=True, seed=int(seed) % 2**32
    )


def sobol_indices(ranges: Sequence[Range], outputs: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of one output, one row per parameter, sorted by
    ``ST`` (largest first): ``parameter, S1, S1_conf, ST, ST_conf``.

    An output with no variance at all has no indices: every value is NaN.
    """
    from SALib.analyze import sobol

    y = np.asarray(outputs, dtype=float)
    names = [r.path for r in ranges]
    if not np.all(np.isfinite(y)) or float(np.var(y)) == 0.0:
        nan = np.full(len(names), np.nan)
        return pd.DataFrame(
            {"parameter": names, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
        )
    result = sobol.analyze(
        problem(ranges),
        y,
        calc_second_order=False,
        num_resamples=RESAMPLES,
        seed=int(seed) % 2**32,
    )
    frame = pd.DataFrame(
        {
            "parameter": names,
            "S1": np.asarray(result["S1"], float),
            "S1_conf": np.asarray(result["S1_conf"], float),
            "ST": np.asarray(result["ST"], float),
            "ST_conf": np.asarray(result["ST_conf"], float),
        }
    )
    return frame.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def most_influential(tables: dict[str, pd.DataFrame], column: str, count: int) -> list[str]:
    """The ``count`` parameters that matter most over several outputs.

    Each output's ``column`` (``mu_star`` or ``ST``) is divided by its largest value, so every
    output counts alike whatever its units; parameters are ranked by their largest share over
    the outputs (ties: by the sum), and the first ``count`` are returned.
    """
    scores: dict[str, list[float]] = {}
    for table in tables.values():
        values = table.set_index("parameter")[column].astype(float)
        top = float(values.max()) if len(values) else 0.0
        for name, value in values.items():
            share = value / top if top > 0 and np.isfinite(value) else 0.0
            scores.setdefault(name, []).append(share)
    ranked = sorted(scores, key=lambda p: (-max(scores[p]), -sum(scores[p]), p))
    return ranked[:count]
