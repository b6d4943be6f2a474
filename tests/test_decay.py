"""Memory that fades: advocacy and adstock decay by their half-lives in the model's week.

Exact to float32 rounding, on a model with no spending (so nothing but the decay acts on the
customers' advocacy and adstock).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import BrandModel
from tests.tiny import network_from_edges


def idle_model(**sections):
    """Ten customers on a ring, nothing spent, nobody aware (nobody talks or adopts)."""
    net = network_from_edges(10, [(i, (i + 1) % 10) for i in range(10)])
    return BrandModel(network=net, rng=1, arm={"budget": 0.0}, **sections)


@pytest.mark.parametrize("half_life", [1.0, 3.0, 7.5])
def test_advocacy_halves_every_half_life(half_life):
    """advocacy' = advocacy * 0.5 ** (1 / h) each week: after 3 weeks 0.8 * 0.5 ** (3 / h)."""
    model = idle_model(dialogue={"advocacy_half_life": half_life})
    model.state.advocacy[:] = np.linspace(0.1, 1.0, 10, dtype=np.float32)
    start = model.state.advocacy.astype(float).copy()
    model.run_for(3)
    np.testing.assert_allclose(model.state.advocacy, start * 0.5 ** (3 / half_life), rtol=1e-5)


@pytest.mark.parametrize("half_life", [1.0, 2.5, 6.0])
def test_adstock_halves_every_half_life_in_the_model(half_life):
    """adstock' = adstock * 0.5 ** (1 / h) each week without impressions."""
    model = idle_model(push={"half_life": half_life})
    model.state.adstock[:] = 4.0
    model.run_for(2)
    np.testing.assert_allclose(model.state.adstock, 4.0 * 0.5 ** (2 / half_life), rtol=1e-5)
