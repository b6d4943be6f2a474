"""Which of the model's optional mechanisms a parameter set switches on, in words.

Reports and summaries list them, so that a reader always knows which assumptions produced an
answer (docs/model.md describes each one).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.i18n import DEFAULT_LANGUAGE, N_, numbers
from sim.params import (
    DialogueSpec,
    MarketSpec,
    ModelParams,
    PublicSpec,
    PushSpec,
    StoriesSpec,
    WomSpec,
)


def mechanisms(params: ModelParams | dict) -> dict[str, bool]:
    """``{mechanism: on?}`` for a parameter set (a ModelParams or its ``model_dump()``)."""
    p = params if isinstance(params, dict) else params.model_dump()
    pop = p["population"]
    market = p.get("market") or MarketSpec().model_dump()
    attitudes = bool(p.get("attitudes", True))
    public, stories, push, dialogue, wom = _talk_sections(p)
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
        "public posts read by many": wom["public_share"] > 0
        and (public["follower_share"] > 0 or public["browsers"] > 0),
        "visible rating": attitudes and wom["public_share"] > 0 and public["rating_readers"] > 0,
        "stories retold": any(
            stories[f"{k}_share"] > 0 and stories[f"{k}_retell"] > 0 for k in STORY_KINDS
        ),
        "service recovery": attitudes
        and market["purchase_rate"] is not None
        and dialogue["recovery_loyalty"] > 0,
        "ads start conversations": attitudes and push["talk_lift"] > 0,
        "frequency cap": push["frequency_cap"] is not None,
    }


STORY_KINDS = ("ad", "dialogue", "experience")


def _talk_sections(p: dict) -> tuple[dict, ...]:
    """The sections of issue 22's mechanisms, with the schema's defaults for parameter sets
    written before they existed (older results folders)."""
    return (
        p.get("public") or PublicSpec().model_dump(),
        p.get("stories") or StoriesSpec().model_dump(),
        PushSpec().model_dump() | (p.get("push") or {}),
        DialogueSpec().model_dump() | (p.get("dialogue") or {}),
        WomSpec().model_dump() | (p.get("wom") or {}),
    )


def describe(params: ModelParams | dict, _: Callable[[str], str] | None = None) -> list[str]:
    """One short line per mechanism, e.g. ``"forgetting: on (recall half-life 26 weeks)"``.

    In the language of the translator ``_`` (``sim.i18n.translator``; its ``.lang``), numbers
    written for that language's locale (``sim.i18n.numbers``); English without one.
    """
    _ = _ or (lambda text: text)
    lang = getattr(_, "lang", DEFAULT_LANGUAGE)

    def pct(x) -> str:
        return numbers.percent(x, lang)

    def g(x) -> str:
        return numbers.general(x, lang)

    def signed(x) -> str:
        return numbers.fixed(x, lang, 2, sign=True)

    p = params if isinstance(params, dict) else params.model_dump()
    pop, learning = p["population"], p["learning"]
    market = p.get("market") or MarketSpec().model_dump()
    on = mechanisms(p)
    public, stories, push, dialogue, _wom = _talk_sections(p)
    media = _("{share} unreachable").format(share=pct(pop["unreachable_share"]))
    if pop["media_shape"]:
        media += _(", gamma media weights (shape {shape})").format(shape=g(pop["media_shape"]))
    details = {
        "attitudes": _("awareness, attitudes and adoption")
        if on["attitudes"]
        else _("awareness only"),
        "different tastes": _("taste sd {sd}").format(sd=g(pop["taste_spread"])),
        "different media use": media,
        "different ad tolerance": _("lognormal sigma {sigma}").format(
            sigma=g(pop["tolerance_spread"])
        ),
        "anchoring to predispositions": _("mean {weight} a week").format(
            weight=g(pop["anchoring"])
        ),
        "forgetting": _("recall half-life {weeks} weeks").format(weeks=g(pop["recall_half_life"]))
        if pop["recall_half_life"] is not None
        else "",
        "learning from customers": _(
            "ceiling {ceiling}, half after {insights} insights, lag {lag} weeks"
        ).format(
            ceiling=signed(learning["ceiling"]),
            insights=g(learning["insights_half"]),
            lag=learning["lag_weeks"],
        ),
        "category potential": _("{share} of customers in the category").format(
            share=pct(market["potential"])
        ),
        "repeat purchases, lapses and returns": _(
            "{rate} purchases a week, logit choice against an alternative of attractiveness "
            "{attractiveness}"
        ).format(
            rate=g(market["purchase_rate"] or 0),
            attractiveness=signed(market["competitor"]),
        ),
        "competitor launch": _("attractiveness {attractiveness} from week {week}").format(
            attractiveness=signed(market["launch_attractiveness"]), week=market["launch_week"]
        ),
        "public posts read by many": _(
            "{share} of the poster's ties and {browsers} review readers read each public post"
        ).format(share=pct(public["follower_share"]), browsers=public["browsers"]),
        "visible rating": _("{share} of aware category customers look at it each week").format(
            share=pct(public["rating_readers"])
        ),
        "stories retold": _(
            "retold with probability {ad} (ads), {dialogue} (conversations), {experience} (use)"
        ).format(**{k: g(stories[k + "_retell"]) for k in STORY_KINDS}),
        "service recovery": _(
            "an answered complainer chooses as if {loyalty} more positive, half-life {weeks} weeks"
        ).format(
            loyalty=g(dialogue["recovery_loyalty"]),
            weeks=g(dialogue["recovery_half_life"]),
        ),
        "ads start conversations": _("+{lift} talk probability in a week with an ad").format(
            lift=g(push["talk_lift"])
        ),
        "frequency cap": _("at most {cap} ads per customer a week").format(
            cap=push["frequency_cap"]
        ),
    }
    lines = []
    for name, state in on.items():
        words = {"name": _(NAMES[name]), "state": _("on") if state else _("off")}
        if state:
            lines.append(_("{name}: {state} ({details})").format(**words, details=details[name]))
        else:
            lines.append(_("{name}: {state}").format(**words))
    return lines


# The mechanisms' names, for the catalogue (the keys of :func:`mechanisms` are English).
NAMES = {
    "attitudes": N_("attitudes"),
    "different tastes": N_("different tastes"),
    "different media use": N_("different media use"),
    "different ad tolerance": N_("different ad tolerance"),
    "anchoring to predispositions": N_("anchoring to predispositions"),
    "forgetting": N_("forgetting"),
    "learning from customers": N_("learning from customers"),
    "category potential": N_("category potential"),
    "repeat purchases, lapses and returns": N_("repeat purchases, lapses and returns"),
    "competitor launch": N_("competitor launch"),
    "public posts read by many": N_("public posts read by many"),
    "visible rating": N_("visible rating"),
    "stories retold": N_("stories retold"),
    "service recovery": N_("service recovery"),
    "ads start conversations": N_("ads start conversations"),
    "frequency cap": N_("frequency cap"),
}
