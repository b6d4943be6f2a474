"""The media plan: how much money an arm puts into push and dialogue in a given week.

An arm states its push money in exactly one of three ways (``sim.params.ArmSpec`` refuses more):

- in cu: ``budget * push_share`` per 1,000 customers a week (the dialogue gets the rest);
- as gross rating points: ``push_grps`` a week, where 100 GRPs are as many impressions as there
  are customers, so the money is ``push_grps / 100 * 1000 * cost_per_impression`` per 1,000
  customers (push only);
- as an advertising-to-sales target on a stated sales plan: ``ad_to_sales * planned_revenue``
  (the percentage-of-sales method on the forecast; push only). The plan is fixed in advance,
  so the budget does not depend on what the arm happens to sell: arms stay comparable at a
  known spend and a launch with no sales yet still advertises.

Flighting multiplies the push money by ``burst_factor`` in the arm's first ``burst_weeks`` weeks
of spending (a launch burst), then the plain amount (maintenance). Dialogue money is never
scaled. Nothing here draws random numbers.
"""

from __future__ import annotations

from sim.params import ArmSpec, PushSpec


def push_per_1000(arm: ArmSpec, push: PushSpec) -> float:
    """Maintenance push money of ``arm`` (cu per 1,000 customers per week), before flighting."""
    if arm.push_grps is not None:
        return arm.push_grps * 10.0 * push.cost_per_impression
    if arm.ad_to_sales is not None:
        return arm.ad_to_sales * (arm.planned_revenue or 0.0)
    return arm.budget * arm.push_share


def dialogue_per_1000(arm: ArmSpec) -> float:
    """Dialogue money of ``arm`` (cu per 1,000 customers per week); 0 when push is a plan."""
    if arm.push_plan != "budget":
        return 0.0
    return arm.budget * (1.0 - arm.push_share)


def active(arm: ArmSpec, week: int) -> bool:
    """Whether ``arm`` spends in ``week`` (from start_week to end_week, both included)."""
    return week >= arm.start_week and (arm.end_week is None or week <= arm.end_week)


def burst(arm: ArmSpec, week: int) -> float:
    """Flighting factor of the push money in ``week``: ``burst_factor`` in the first
    ``burst_weeks`` weeks from ``start_week``, else 1."""
    in_burst = arm.start_week <= week < arm.start_week + arm.burst_weeks
    return arm.burst_factor if in_burst else 1.0


def week_money(arm: ArmSpec, push: PushSpec, n: int, week: int) -> tuple[float, float]:
    """This week's push and dialogue money in absolute cu for ``n`` customers (0 outside the
    arm's weeks), before any carry-over of money left below one impression or conversation."""
    if not active(arm, week):
        return 0.0, 0.0
    factor = burst(arm, week)
    if arm.push_plan == "budget":  # (in this order, the arithmetic of the first versions)
        total = arm.budget * n / 1000.0
        return total * arm.push_share * factor, total * (1.0 - arm.push_share)
    return push_per_1000(arm, push) * factor * n / 1000.0, 0.0
