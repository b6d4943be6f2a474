"""Edges of the interval code (sim/study/stats.py) that the textbook cases do not reach:
half widths, exclusion of zero at the boundary, two observations, and the columns of ``band``
with no, one or two values. Found by ``make mutate`` (docs/testing.md)."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest

from sim.study.stats import Interval, band, mean_ci, t_quantile


def test_half_width_is_half_the_interval():
    assert Interval(1.0, -1.0, 3.0, 5).half_width == 2.0
    assert Interval(1.5, 0.0, 3.0, 5).half_width == 1.5


@pytest.mark.parametrize(
    ("low", "high", "excludes"),
    [
        (0.0, 1.0, False),  # touching zero does not exclude it
        (-0.5, 0.5, False),
        (-1.0, 0.0, False),
        (0.1, 1.0, True),
        (-0.9, -0.5, True),
        (-3.0, -1.5, True),
    ],
)
def test_an_interval_excludes_zero_only_when_strictly_on_one_side(low, high, excludes):
    assert Interval((low + high) / 2, low, high, 4).excludes_zero() is excludes


def test_two_observations_have_the_t_interval_with_one_degree_of_freedom():
    """t(0.975; 1) = 12.7062: 1 and 3 give 2 +/- 12.7062 * sqrt(2) / sqrt(2)."""
    assert t_quantile(2) == pytest.approx(12.7062047, abs=1e-6)
    ci = mean_ci([1.0, 3.0])
    assert (ci.low, ci.high) == pytest.approx((2 - 12.7062047, 2 + 12.7062047))


def test_one_observation_gives_no_interval_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ci = mean_ci([3.0])
    assert ci.mean == 3.0 and math.isnan(ci.low) and math.isnan(ci.high) and ci.n == 1


def test_band_columns_with_no_one_and_two_values():
    """Column 0 has no value (all NaN), column 1 one value (5), column 2 two values (1, 3)."""
    x = np.array([[np.nan, 5.0, 1.0], [np.nan, np.nan, 3.0]])
    mean, low, high = band(x)
    assert math.isnan(mean[0]) and math.isnan(low[0]) and math.isnan(high[0])
    assert mean[1] == 5.0 and math.isnan(low[1]) and math.isnan(high[1])
    assert mean[2] == 2.0
    assert (low[2], high[2]) == pytest.approx((2 - 12.7062047, 2 + 12.7062047))


def test_intervals_are_read_only():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Interval(1.0, 0.0, 2.0, 3).mean = 5.0
