"""The Bass limit of the model: analytic awareness curves to overlay on simulated ones.

With attitudes switched off (``attitudes = false``) the model only spreads awareness:

- push buys ``I = budget * push_share * n / 1000 / cost_per_impression`` impressions a week,
  each landing on a customer drawn at random, so an unaware customer sees at least one ad with
  probability ``p = 1 - (1 - 1/n)**I`` (innovation, the Bass ``p``);
- each customer aware at the start of a week talks with probability ``q = wom.talk_base`` to one
  neighbour (``wom.listeners = 1``); on a well mixed network the neighbour is any of the other
  ``n - 1`` customers (imitation, the Bass ``q``).

The expected share aware then follows the recurrence (``bass_recurrence``)

    F[t+1] = F[t] + (1 - F[t]) * (1 - (1 - p) * (1 - q / (n - 1)) ** (n * F[t]))

which, as the time step shrinks, approaches the continuous Bass curve (``bass_closed_form``)

    F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) * exp(-(p + q) t)).

Every other network lies below the well mixed curve (clustered networks slowest).
"""

from __future__ import annotations

import numpy as np

from sim.engine.rules import plan
from sim.params import ArmSpec, ModelParams


def bass_recurrence(p: float, q: float, n: int, weeks: int, f0: float = 0.0) -> np.ndarray:
    """Expected share aware in weeks 0 .. ``weeks`` of the discrete Bass model on ``n`` customers.

    Parameters
    ----------
    p : float
        Weekly probability that push reaches a given unaware customer (0..1).
    q : float
        Weekly probability that an aware customer tells one random other customer (0..1).
    n : int
        Number of customers (>= 2).
    weeks : int
        Number of weeks; the result has ``weeks + 1`` values.
    f0 : float
        Share aware at week 0.
    """
    if n < 2:
        raise ValueError("the Bass recurrence needs n >= 2")
    f = np.empty(weeks + 1)
    f[0] = f0
    stay_unheard = 1.0 - q / (n - 1)
    for t in range(weeks):
        hit = 1.0 - (1.0 - p) * stay_unheard ** (n * f[t])
        f[t + 1] = f[t] + (1.0 - f[t]) * hit
    return f


def bass_closed_form(p: float, q: float, weeks: int | np.ndarray) -> np.ndarray:
    """The continuous Bass adoption curve F(t) at t = 0 .. ``weeks`` (or at the given times)."""
    t = np.arange(weeks + 1, dtype=float) if np.ndim(weeks) == 0 else np.asarray(weeks, float)
    if p <= 0.0:
        return np.zeros_like(t)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def push_reach(params: ModelParams, arm: ArmSpec | None = None) -> float:
    """Weekly probability ``p`` that the arm's push reaches a given customer (everyone targeted).

    Uses the unrounded impressions per week: the model buys whole impressions and carries the
    remainder over, so this is the long-run average (exact when the budget buys whole ones).
    """
    arm = arm or params.arm
    n = params.network.n
    impressions = (
        plan.push_per_1000(arm, params.push) * n / 1000.0 / params.push.cost_per_impression
    )
    return float(1.0 - (1.0 - 1.0 / n) ** impressions)


def bass_pq(params: ModelParams, arm: ArmSpec | None = None) -> tuple[float, float]:
    """The Bass ``(p, q)`` that a scenario's resolved parameters play (see the module docstring).

    ``arm`` defaults to ``params.arm``.
    """
    return push_reach(params, arm), float(params.wom.talk_base)


def is_bass_limit(params: ModelParams, arms: list[ArmSpec] | None = None) -> bool:
    """True when the parameters are the model's Bass limit, so the analytic curves apply.

    That is: attitudes off, a well mixed network, one listener per talk, nobody forgets, every
    customer equally reachable by push, and every arm spending only on push to everyone (or
    nothing), starting in week 1.
    """
    arms = arms or [params.arm]
    pop = params.population
    return (
        not params.attitudes
        and pop.recall_half_life is None
        and pop.media_shape is None
        and pop.unreachable_share == 0.0
        and params.network.kind == "well_mixed"
        and params.wom.listeners == 1
        and params.push.frequency_cap is None
        and all(
            (a.push_share == 1.0 or a.budget == 0.0)
            and (a.burst_weeks == 0 or a.burst_factor == 1.0)
            and a.target_group is None
            and a.start_week == 1
            and a.end_week is None
            for a in arms
        )
    )
