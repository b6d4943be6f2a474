"""Elasticities from sweeps: log-log slopes and arc elasticities, with intervals over replicates.

An elasticity is the per cent change in an outcome ``y`` per per cent change in a driver ``x``,
``d ln y / d ln x`` (dimensionless). From a sweep of a few driver values around a default:

- ``loglog_slope``: the least-squares slope of ``ln y`` on ``ln x`` (exact for ``y = a x**b``);
- ``arc_elasticity``: the midpoint formula between two points;
- ``replicate_elasticities``: one slope per replicate (all points of a replicate share its
  random numbers, so each slope is a paired comparison), and ``elasticity_interval`` their
  mean with a Student t interval.

When the driver itself is an outcome (word-of-mouth volume changed by changing the talk rate),
``x`` is the measured driver of each point, not the setting.
"""

from __future__ import annotations

import numpy as np

from sim.study.stats import Interval, mean_ci


def loglog_slope(x, y) -> float:
    """Least-squares slope of ``ln y`` on ``ln x`` (NaN when fewer than two positive points).

    Parameters
    ----------
    x, y : array-like of float
        Driver and outcome values (same length); points where either is not positive are left
        out.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y need the same length, got {x.size} and {y.size}")
    keep = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 2:
        return float("nan")
    lx, ly = np.log(x[keep]), np.log(y[keep])
    dx = lx - lx.mean()
    denominator = float((dx * dx).sum())
    if denominator == 0.0:
        return float("nan")
    return float((dx * (ly - ly.mean())).sum() / denominator)


def arc_elasticity(x0: float, y0: float, x1: float, y1: float) -> float:
    """Midpoint (arc) elasticity between ``(x0, y0)`` and ``(x1, y1)``:
    ``((y1 - y0) / ((y0 + y1) / 2)) / ((x1 - x0) / ((x0 + x1) / 2))``."""
    if x1 == x0:
        raise ValueError("the arc elasticity needs two different driver values")
    return ((y1 - y0) / ((y0 + y1) / 2.0)) / ((x1 - x0) / ((x0 + x1) / 2.0))


def replicate_elasticities(x, y) -> np.ndarray:
    """One log-log slope per replicate.

    Parameters
    ----------
    x : array-like, shape (points,) or (replicates, points)
        Driver values (the same for every replicate, or measured per replicate).
    y : array-like, shape (replicates, points)
        Outcome per replicate and point.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    x = np.asarray(x, dtype=float)
    x = np.broadcast_to(x, y.shape) if x.ndim == 1 else x
    if x.shape != y.shape:
        raise ValueError(f"x has shape {x.shape}, y has shape {y.shape}")
    return np.array([loglog_slope(xr, yr) for xr, yr in zip(x, y, strict=True)])


def elasticity_interval(x, y) -> Interval:
    """Mean over replicates of the per-replicate log-log slope, with its 95 % t interval."""
    return mean_ci(replicate_elasticities(x, y))
