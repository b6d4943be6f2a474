"""The default market is calibrated: it meets every required target of docs/validation.md.

scenarios/default.toml holds the plausible set's member adopted by ``python -m sim.evidence.adopt``
(decision 0014), rounded to 3 significant digits, which moves it off the member; so the rounded
market is measured again here, as the ABC measured its members (24,000 customers), on the mean
of 4 seeds at each of two master seeds.

Spread: over 6 single seeds at 24,000 customers the member's edge targets varied by about
+-0.4 (positive to negative, band at most 6.0, mean 5.96) and +-0.004 (top box, band from 0.05,
mean 0.055); the means of 4 seeds measured at master seeds 2024 and 7 were 5.97 / 5.76 and
0.0555 / 0.0551. Both master seeds are fixed, so the test is deterministic: it fails when a rule
or a default moves the market out of a band.
"""

import pytest

from sim.evidence.target_runs import measure_targets
from sim.evidence.targets import REQUIRED, passed

N = 24_000
REPLICATES = 4


@pytest.fixture(scope="module", params=[2024, 7])
def values(request):
    return measure_targets(None, seed=request.param, n=N, replicates=REPLICATES)


def test_the_default_market_meets_every_required_target(values):
    verdicts = passed(values, REQUIRED)
    missed = {
        t.key: (round(values[t.key], 4), t.low, t.high) for t in REQUIRED if not verdicts[t.key]
    }
    assert not missed, f"targets outside their bands (value, low, high): {missed}"


def test_advertising_carries_over_long_above_short(values):
    # Sethuraman, Tellis & Briesch (2011): the long-term elasticity exceeds the short-term one.
    assert values["ad_long"] > values["ad_short"]
