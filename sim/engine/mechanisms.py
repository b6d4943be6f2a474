"""Which of the model's optional mechanisms a parameter set switches on, in words.

Reports and summaries list them, so that a reader always knows which assumptions produced an
answer (docs/model.md describes each one).
"""

from __future__ import annotations

from sim.params import MarketSpec, ModelParams


def mechanisms(params: ModelParams | dict) -> dict[str, bool]:
    """``{mechanism: on?}`` for a parameter set (a ModelParams or its ``model_dump()``)."""
    p = params if isinstance(params, dict) else params.model_dump()
    pop = p["population"]
    market = p.get("market") or MarketSpec().model_dump()
    attitudes = bool(p.get("attitudes", True))
    return {
        "attitudes": attitudes,
        "different tastes": attitudes and pop["taste_spread"] > 0,
        "different media use": pop["media_shape"] is not None or pop["unreachable_share"] > 0,
        "different ad tolerance": attitudes and pop["tolerance_spread"] > 0,
        "anchoring to predispositions": attitudes and pop["anchoring"] > 0,
        "forgetting": pop["recall_half_life"] is not None,
        "learning from customers": attitudes and bool(p["learning"]["enabled"]),
        "category potential": market["potential"] < 1.0,
        "repeat purchases, lapses and returns": market["purchase_rate"] is not None,
        "competitor launch": market["purchase_rate"] is not None
        and market["launch_week"] is not None,
    }


def describe(params: ModelParams | dict) -> list[str]:
    """One short line per mechanism, e.g. ``"forgetting: on (recall half-life 26 weeks)"``."""
    p = params if isinstance(params, dict) else params.model_dump()
    pop, learning = p["population"], p["learning"]
    market = p.get("market") or MarketSpec().model_dump()
    on = mechanisms(p)
    details = {
        "attitudes": "awareness, attitudes and adoption" if on["attitudes"] else "awareness only",
        "different tastes": f"taste sd {pop['taste_spread']:g}",
        "different media use": (
            f"{pop['unreachable_share']:.0%} unreachable"
            + (
                f", gamma media weights (shape {pop['media_shape']:g})"
                if pop["media_shape"]
                else ""
            )
        ),
        "different ad tolerance": f"lognormal sigma {pop['tolerance_spread']:g}",
        "anchoring to predispositions": f"mean {pop['anchoring']:g} a week",
        "forgetting": f"recall half-life {pop['recall_half_life']:g} weeks"
        if pop["recall_half_life"] is not None
        else "",
        "learning from customers": (
            f"ceiling {learning['ceiling']:+.2f}, half after {learning['insights_half']:g} "
            f"insights, lag {learning['lag_weeks']} weeks"
        ),
        "category potential": f"{market['potential']:.0%} of customers in the category",
        "repeat purchases, lapses and returns": (
            f"{market['purchase_rate'] or 0:g} purchases a week, logit choice against an "
            f"alternative of attractiveness {market['competitor']:+.2f}"
        ),
        "competitor launch": (
            f"attractiveness {market['launch_attractiveness']:+.2f} from week "
            f"{market['launch_week']}"
        ),
    }
    return [
        f"{name}: {'on' if state else 'off'}" + (f" ({details[name]})" if state else "")
        for name, state in on.items()
    ]
