"""Statistical anchors of the model: the Bass limit, the order of networks, bounded confidence.

Every test uses fixed seeds; tolerances are justified next to each assertion from the replicate
spread measured when the test was written (numbers quoted in the comments).
"""

import numpy as np
import pytest

from sim.engine.bass import bass_closed_form, bass_recurrence
from sim.engine.model import BrandModel, build_network_for
from sim.evidence import network_checks
from sim.evidence.bass_check import bass_limit_params  # awareness-only push + WOM set-up

pytestmark = pytest.mark.slow


def awareness_curves(params, replicates: int, weeks: int, seed0: int = 0) -> np.ndarray:
    curves = np.empty((replicates, weeks + 1))
    for r in range(replicates):
        network = build_network_for(params, seed0 + r)
        model = BrandModel(params, network=network, rng=seed0 + r)
        model.run_for(weeks)
        curves[r] = model.weekly_frame()["awareness"].to_numpy()
    return curves


# (label, n, impressions per week, q, weeks)
BASS_CASES = [
    # Slow: Sultan, Farley & Lehmann's yearly averages per week, p = 0.03/52 and q = 0.38/52.
    # With n = 1733 one impression a week gives p = 1/1733 = 0.03/52 exactly.
    ("slow", 1733, 1, 0.38 / 52, 520),
    ("medium", 1000, 10, 0.15, 60),
    ("fast", 1000, 50, 0.5, 30),
]


@pytest.mark.parametrize(("label", "n", "impressions", "q", "weeks"), BASS_CASES)
def test_bass_limit_on_a_well_mixed_population(label, n, impressions, q, weeks):
    params = bass_limit_params(n, impressions, q)
    p = 1.0 - (1.0 - 1.0 / n) ** impressions
    replicates = 60
    curves = awareness_curves(params, replicates, weeks)
    mean = curves.mean(axis=0)
    expected = bass_recurrence(p, q, n, weeks)
    standard_error = curves.std(axis=0, ddof=1) / np.sqrt(replicates)
    # The recurrence is for the expectation given last week's *expected* share; averaging the
    # stochastic model over replicates adds a small Jensen bias, and where all replicates agree
    # (the first weeks, saturation) the standard error is ~0. Measured with 60 replicates for
    # seeds 0..59 (session 2's random numbers): largest |mean - expected| 0.0028 (slow), 0.0026
    # (medium), 0.0021 (fast), with standard errors 0.001-0.003 there, at most 0.27 of the
    # allowance (session 1's numbers, seeds 0..59 and 1000..1059: up to 0.0067).
    # Allowed: 3 standard errors + 0.005. Letting this week's newly aware talk already (a
    # different rule) fails the medium and fast cases.
    gap = np.abs(mean - expected)
    assert np.all(gap <= 3 * standard_error + 0.005), (label, gap.max(), gap.argmax())
    assert mean[-1] > 0.5, label


def test_discrete_bass_approaches_the_closed_form_as_the_step_shrinks():
    """Split each unit of time into k steps (p/k, q/k per step): the error shrinks like 1/k."""
    p, q, n, horizon = 0.03, 0.38, 10**9, 10
    errors = []
    for k in (1, 4, 16, 64):
        discrete = bass_recurrence(p / k, q / k, n, horizon * k)[::k]
        errors.append(np.abs(discrete - bass_closed_form(p, q, horizon)).max())
    assert errors[0] > errors[1] > errors[2] > errors[3]
    assert errors[3] < 0.005 and errors[3] < errors[0] / 20


def test_network_order_at_a_fixed_week():
    """Ring lattice < small world < random < well mixed at the same p, q and mean degree.

    n = 1000, mean degree 10, one impression a week (p = 0.001), q = 0.3, week 25, 20
    replicates each. Measured means (seeds 0..19, session 2's random numbers): ring 0.26, small
    world (rewire 0.1) 0.34, scale free 0.42, random 0.53, well mixed 0.71; standard errors
    0.005-0.013, so the measured gaps (0.09-0.19) are 9 or more standard errors of a
    difference. We require each ordered gap to exceed 0.05.

    Scale free lies *below* random here, not level with it: a speaker tells one neighbour drawn
    at random, and a random neighbour is usually a hub (the friendship paradox), so hubs are
    told again and again while the many customers hanging off them wait. This is the
    model's rule working as stated; docs/model.md section 1 records it.
    """
    week, replicates = 25, 20
    means = {}
    for kind, extra in [
        ("ring", {}),
        ("small_world", {"rewire": 0.1}),
        ("random", {}),
        ("scale_free", {}),
        ("well_mixed", {}),
    ]:
        params = bass_limit_params(1000, 1, 0.3, kind=kind, mean_degree=10, **extra)
        means[kind] = awareness_curves(params, replicates, week)[:, week].mean()
    margin = 0.05
    assert means["ring"] + margin < means["small_world"], means
    assert means["small_world"] + margin < means["random"], means
    assert means["random"] + margin < means["well_mixed"], means
    assert means["small_world"] < means["scale_free"] < means["random"], means


def bounded_confidence_clusters(epsilon_fraction: float, seed: int, weeks: int = 250) -> int:
    """Peer influence only, attitudes uniform on [-1, 1]; epsilon as a fraction of the range
    (the validation page's set-up, at 500 customers)."""
    return network_checks.bounded_confidence_clusters(epsilon_fraction, seed, n=500, weeks=weeks)


@pytest.mark.parametrize(
    ("epsilon_fraction", "expected"), [(0.1, 5), (0.15, 3), (0.2, 2), (0.6, 1)]
)
def test_bounded_confidence_cluster_count(epsilon_fraction, expected):
    """Deffuant: about floor(1 / (2 eps)) clusters, consensus above half the range.

    Measured over seeds 0..9 (n = 500, well mixed, 250 weeks; session 2's random numbers): eps
    0.1 -> 5 (5 seeds) or 4 (5); eps 0.15 -> 3 (7), 2 (2) or 4 (1); eps 0.2 -> 2 (all); eps
    0.6 -> 1 (all). Deffuant et al.
    also report slightly fewer clusters than 1 / (2 eps) at small eps. 'About' is taken as
    within one of floor(1 / (2 eps)) for every seed, and the median within one for eps 0.1
    (exact for the others).
    """
    counts = [bounded_confidence_clusters(epsilon_fraction, seed) for seed in range(10)]
    assert all(abs(c - expected) <= 1 for c in counts), counts
    assert abs(np.median(counts) - expected) <= (1 if expected >= 4 else 0), counts
