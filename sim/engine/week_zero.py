"""The market at week 0: the arm's target group, and the customers' initial state and media.

Everything here is drawn from the run's arm-independent ``initial`` stream
(``sim.engine.streams``), in a fixed order that ``BrandModel`` keeps: ``initial_state`` first,
then ``media_exposure``, then (in ``BrandModel``) who is in the category. Draws are made whatever
the parameters, so switching one kind of heterogeneity off leaves every other draw unchanged.
"""

from __future__ import annotations

import numpy as np

from sim.engine.state import HEARD_BEFORE, CustomerState
from sim.i18n import N_, Message
from sim.network.graph import Network
from sim.params import ModelParams, ParameterError, PopulationSpec


def target_groups(
    name: str | None, network: Network
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Customers inside and outside the arm's target group ``name`` (indices), or two Nones
    when the arm targets no group. An unknown group is a ``ParameterError``."""
    if name is None:
        return None, None
    names = network.group_names
    if name not in names:
        raise ParameterError(
            Message(
                N_("{source}: {problem}"),
                source="parameters",
                problem=Message(
                    N_("arm.target_group = {value}: must be one of the network's groups {names}"),
                    value=repr(name),
                    names=str(list(names)),
                ),
            )
        )
    in_group = network.groups == names.index(name)
    return np.flatnonzero(in_group), np.flatnonzero(~in_group)


def initial_state(params: ModelParams, rng: np.random.Generator, n: int) -> CustomerState:
    """Week 0 of ``n`` customers from the initial stream ``rng``: predispositions, who is aware,
    and each customer's taste, ad tolerance and anchoring. (Media weights are drawn after these
    by ``media_exposure``.)"""
    pop = params.population
    state = CustomerState.empty(n)
    spread = rng.uniform(-1.0, 1.0, n) * pop.attitude_spread
    state.attitude[:] = np.clip(pop.initial_attitude + spread, -1.0, 1.0)
    aware = rng.random(n) < pop.initial_awareness
    taste = rng.standard_normal(n)
    tolerance = rng.standard_normal(n)
    anchoring = rng.random(n)
    if not params.attitudes:
        state.attitude[:] = 0.0
    state.predisposition[:] = state.attitude
    state.taste[:] = taste * pop.taste_spread
    state.tolerance[:] = np.exp(tolerance * pop.tolerance_spread)
    state.anchoring[:] = np.minimum(anchoring * (2.0 * pop.anchoring), 1.0)
    state.make_aware(aware, HEARD_BEFORE)
    state.reminded[:] = False
    return state


def media_exposure(
    pop: PopulationSpec, rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Who bought media can reach (bool per customer) and each customer's media weight (gamma
    with ``population.media_shape``; None when everyone reachable is equally likely to be hit).
    Drawn from the initial stream ``rng`` after ``initial_state``."""
    reachable = rng.random(n) >= pop.unreachable_share
    weight = rng.standard_gamma(pop.media_shape or 1.0, n)
    if pop.media_shape is None:
        return reachable, None
    # A weight of exactly 0 (possible in floating point for tiny shapes) would make the
    # customer unreachable; the smallest positive double keeps them in the audience.
    return reachable, np.maximum(weight, np.finfo(np.float64).tiny)
