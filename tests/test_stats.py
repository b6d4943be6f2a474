"""Confidence intervals against known cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from sim.study.stats import band, mean_ci, paired_diff_ci, t_quantile


def test_t_quantile_matches_tables():
    # Student t tables: t(0.975; 9) = 2.262, t(0.975; 4) = 2.776, t(0.975; 29) = 2.045
    assert t_quantile(10) == pytest.approx(2.2622, abs=1e-4)
    assert t_quantile(5) == pytest.approx(2.7764, abs=1e-4)
    assert t_quantile(30) == pytest.approx(2.0452, abs=1e-4)
    assert math.isnan(t_quantile(1))


def test_mean_ci_known_case():
    # 1..10: mean 5.5, sd sqrt(110/12) = 3.0277, half width 2.2622 * 3.0277 / sqrt(10) = 2.1659
    ci = mean_ci(np.arange(1, 11))
    assert ci.mean == pytest.approx(5.5)
    assert ci.low == pytest.approx(5.5 - 2.16585, abs=1e-4)
    assert ci.high == pytest.approx(5.5 + 2.16585, abs=1e-4)
    assert ci.n == 10


def test_mean_ci_textbook_sample():
    # A classic textbook sample (n = 6): mean 10.0, s = 0.2, t(0.975; 5) = 2.5706
    x = [9.8, 10.2, 10.0, 9.7, 10.3, 10.0]
    s = np.std(x, ddof=1)
    ci = mean_ci(x)
    half = 2.570582 * s / math.sqrt(6)
    assert ci.mean == pytest.approx(10.0)
    assert ci.high - ci.mean == pytest.approx(half, rel=1e-6)
    lo, hi = sps.t.interval(0.95, 5, loc=np.mean(x), scale=sps.sem(x))
    assert (ci.low, ci.high) == pytest.approx((lo, hi))


def test_paired_differences_are_sharper_than_separate_intervals():
    # Paired data (Student's sleep data, Cushny & Peebles): known paired mean difference 1.58,
    # 95 % interval [0.700, 2.460].
    a = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    b = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    d = paired_diff_ci(b, a)
    assert d.mean == pytest.approx(1.58)
    assert d.low == pytest.approx(0.7001, abs=1e-3)
    assert d.high == pytest.approx(2.4599, abs=1e-3)
    assert d.excludes_zero()


def test_edge_cases():
    one = mean_ci([3.0])
    assert one.mean == 3.0 and math.isnan(one.low) and one.n == 1
    none = mean_ci([float("nan")])
    assert none.n == 0 and math.isnan(none.mean)
    flat = mean_ci([2.0, 2.0, 2.0])
    assert flat.low == flat.high == 2.0
    assert mean_ci([1.0, float("nan"), 3.0]).n == 2
    assert one.as_dict()["low"] is None


def test_band_matches_mean_ci_per_column():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(7, 5))
    values[2, 3] = np.nan
    mean, low, high = band(values)
    for j in range(5):
        ci = mean_ci(values[:, j])
        assert (mean[j], low[j], high[j]) == pytest.approx((ci.mean, ci.low, ci.high))
