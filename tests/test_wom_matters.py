"""Word of mouth matters more with talk that can matter (issue #22, "WOM matters").

The project's elasticity code (sim.evidence.elasticity_runs: talk propensities scaled by
2**-0.5 .. 2**0.5, the outcome's log-log slope on the measured WOM volume or positive share)
on the default market (2,000 customers, 8 replicates, seed 11), against the same measurement of
the model before issue #22 (commit 7d687d4, whose talk reached one listener and could not be
retold or read in public) on the market of that time (the media plan, 3 cu a week); each cell
is push / mix:

| elasticity of units (new customers) | before #22 | session 6 | calibrated (session 10) |
|---|---|---|---|
| WOM volume | 0.052 / 0.047 | 0.102 / 0.119 | 0.126 / 0.137 |
| referrals (new customers) | 0.069 / 0.064 | 0.102 / 0.118 | 0.133 / 0.157 |
| valence (positive share) | -0.001 / -0.013 | 0.44 / 0.40 | 0.51 / 0.32 |

Valence now matters (the visible rating and public posts carry it to many readers), volume
more than doubles, referrals about double on the calibrated market (1.9x and 2.5x; on the
session-6 market a year of advertising made 94 % of customers aware, so extra talk added few
new customers). The bounds below are the session-6 values less about three standard errors of
their 8-replicate intervals (half-widths 0.01-0.15).

The structure's own share, on today's market: the last test switches the mechanisms of issue
#22 off (nobody reads public posts, no rating, no stories, ads start no talk) in the calibrated
market and measures the calibration's targets (sim.evidence.target_runs, the same code as
docs/validation.md).
"""

from __future__ import annotations

import pytest

from sim.evidence.elasticity_runs import run_elasticities

BEFORE = {
    ("wom_volume", "push"): 0.052,
    ("wom_volume", "mix"): 0.047,
    ("referrals_long", "push"): 0.069,
    ("referrals_long", "mix"): 0.064,
}


@pytest.fixture(scope="module")
def elasticities() -> dict:
    rows = run_elasticities(n=2000, replicates=8, seed=11)["rows"]
    return {(r["key"], r["arm"]): r["interval"]["mean"] for r in rows}


@pytest.mark.slow
@pytest.mark.parametrize("arm", ["push", "mix"])
def test_wom_volume_elasticity_about_doubled(elasticities, arm):
    assert elasticities[("wom_volume", arm)] >= 1.7 * BEFORE[("wom_volume", arm)]


@pytest.mark.slow
@pytest.mark.parametrize("arm", ["push", "mix"])
def test_referral_elasticity_up_by_at_least_a_third(elasticities, arm):
    assert elasticities[("referrals_long", arm)] >= 1.33 * BEFORE[("referrals_long", arm)]


@pytest.mark.slow
@pytest.mark.parametrize("arm", ["push", "mix"])
def test_valence_now_moves_sales(elasticities, arm):
    """Before: within 0.02 of zero; the published mean is 0.42 (You et al. 2015)."""
    assert elasticities[("wom_valence", arm)] >= 0.2


# The word-of-mouth step of the first versions in today's market: public reading, the rating,
# stories and the ads' talk lift off (sim.evidence.assumptions.TALK_OFF without dialogue's
# service recovery, which is not talk).
STRUCTURE_OFF = {
    "public.follower_share": 0.0,
    "public.browsers": 0,
    "public.rating_readers": 0.0,
    "stories.ad_share": 0.0,
    "stories.dialogue_share": 0.0,
    "stories.experience_share": 0.0,
    "push.talk_lift": 0.0,
}


@pytest.mark.slow
def test_the_structure_carries_referrals_and_valence_on_the_calibrated_market():
    """Measured in session 10 (6,000 customers, 8 replicates, master seeds 2024 and 7): referral
    elasticity of a brand growing by word of mouth 0.540 / 0.515 as shipped against 0.315 /
    0.286 with the structure off (1.7-1.8x); valence 0.643 against -0.079 / -0.065; volume 0.133
    / 0.141 against 0.106 / 0.105. Here 4 replicates (the elasticities' seed-to-seed sd is
    0.008-0.10, so 4 replicates put the means within about 0.05 of the 8-replicate values): the
    bounds leave that much room."""
    from sim.evidence.target_runs import measure_targets

    shipped = measure_targets(seed=2024, n=6000, replicates=4)
    off = measure_targets(STRUCTURE_OFF, seed=2024, n=6000, replicates=4)
    assert shipped["referrals"] >= 1.4 * off["referrals"]
    assert shipped["wom_valence"] >= 0.4 and off["wom_valence"] <= 0.1
    assert shipped["wom_volume"] > off["wom_volume"]
