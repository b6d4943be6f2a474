"""One vocabulary and one colour code for the strategies, everywhere (issue 25).

The four ways of spending a budget have one name per language and one colour, used by the
report's figures, the teaching kit's figures and tables, and the browser app:

=========== ================ ================ =========
strategy    English          bokmål           colour
=========== ================ ================ =========
none        no campaign      ingen kampanje   grey
push        push             reklame          vermilion
dialogue    dialogue         dialog           bluish green
mix         mix              miks             blue
=========== ================ ================ =========

An arm is shown in words by :func:`arm_display` (``push_20`` -> ``reklame 20``, a mix by its
push share -> ``miks (75 % reklame)``; a user's own name as written): the command line's tables,
the figures, and the kit's arm names (tests/test_glossary.py) agree with it; the app's panel
titles use the same patterns (``NAME_BUDGET``, ``NAME_SHARE``, ...).

(Okabe-Ito colours, safe for colour-blind readers.) An arm named after a strategy
(``push``, ``push_20``, ``dialogue_hubs``, ``mix_50``) is drawn in that strategy's colour
when it is the only arm of that strategy on the figure; other arms take the remaining colours
in order. The names are English message keys (translated with ``sim.i18n``); the words the
texts must use and avoid are in ``glossary.toml`` next to this file (tests/test_glossary.py).
Base layer: imports nothing from ``sim`` but ``sim.i18n``.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from sim.i18n import N_

GLOSSARY = Path(__file__).resolve().parent / "glossary.toml"

STRATEGY_NAMES = {
    "none": N_("no campaign"),
    "push": N_("push"),
    "dialogue": N_("dialogue"),
    "mix": N_("mix"),
}
STRATEGY_COLOURS = {
    "none": "#7F7F7F",
    "push": "#D55E00",
    "dialogue": "#009E73",
    "mix": "#0072B2",
}
# Arms whose identifier is a word of the vocabulary: the strategies' own names, and the media-plan
# arm the workshop's scenarios carry.
ARM_WORDS = {**STRATEGY_NAMES, "lean_push": N_("lean push (media plan)")}

# Whom dialogue starts conversations with (arm.outreach), and the shipped scenarios' customer
# groups (target groups): the app's menus and panel titles, and arm names that end in one of
# them (``dialogue_hubs``, ``push_students``).
OUTREACH_NAMES = {
    "random": N_("random customers"),
    "hubs": N_("hubs first"),
    "none": N_("answers only"),
}
GROUP_NAMES = {
    "students": N_("students"),
    "families": N_("families"),
    "retirees": N_("retirees"),
    "professionals": N_("professionals"),
}
EVERYONE_NAME = N_("everyone")

# How a campaign's name grows with what tells it apart (the app's panel titles use the same).
NAME_BUDGET = N_("{name} {budget}")  # push 20
NAME_SHARE = N_("{name} ({share} % push)")  # mix (30 % push)
NAME_OUTREACH = N_("{name}, {outreach}")  # dialogue, hubs first
NAME_GROUP = N_("{name} to {group}")  # push to students


def arm_display(name: str, lang, push_share: float | None = None) -> str:
    """An arm's name as a reader sees it, in ``lang`` (a language code or a translator ``_``):
    the vocabulary's words for what the identifier says, in the app's and the kit's wording.

    ``push`` -> ``reklame``, ``mix`` -> ``miks``, ``lean_push`` -> ``reklame etter medieplanen``,
    ``push_20`` -> ``reklame 20`` (English ``push 20``), ``dialogue_hubs`` -> ``dialog,
    knutepunkter først``, ``push_students`` -> ``reklame til studenter``, ``push_x3`` ->
    ``reklame ×3``. With the arm's ``push_share`` strictly between 0 and 1, an arm named
    ``push_75`` or ``mix_50`` is the mix it is: ``miks (75 % reklame)``. Any other name (a
    user's own, ``cheap``, ``push_big``) is shown as written.
    """
    if isinstance(lang, str):
        from sim.i18n import translator

        _ = translator(lang)
    else:
        _ = lang
    word = ARM_WORDS.get(name)
    if word is not None:
        return _(word)
    head, _sep, tail = name.partition("_")
    if head not in STRATEGY_NAMES or head == "none" or not tail:
        return name
    strategy = _(STRATEGY_NAMES[head])
    mixes = push_share is not None and 0.0 < push_share < 1.0 and head in ("push", "mix")
    if mixes and tail == str(round(100 * push_share)):
        return _(NAME_SHARE).format(name=_(STRATEGY_NAMES["mix"]), share=tail)
    if tail.isdigit() and tail.isascii():
        return _(NAME_BUDGET).format(name=strategy, budget=tail)
    if len(tail) > 1 and tail[0] == "x" and tail[1:].isdigit() and tail.isascii():
        return _(NAME_BUDGET).format(name=strategy, budget=f"\u00d7{tail[1:]}")
    if tail in OUTREACH_NAMES and head in ("dialogue", "mix"):
        return _(NAME_OUTREACH).format(name=strategy, outreach=_(OUTREACH_NAMES[tail]))
    if head in ("push", "mix") and (tail in GROUP_NAMES or tail == "everyone"):
        group = _(GROUP_NAMES.get(tail, EVERYONE_NAME))
        return _(NAME_GROUP).format(name=strategy, group=group)
    return name


def arm_displays(arms, lang) -> dict[str, str]:
    """:func:`arm_display` of each of a study's ``arms`` (``ArmSpec`` or their dicts, as in
    a manifest's ``scenario["arms"]``), by name, with each arm's push share."""
    out = {}
    for arm in arms:
        get = arm.get if isinstance(arm, dict) else lambda key, arm=arm: getattr(arm, key, None)
        out[get("name")] = arm_display(get("name"), lang, get("push_share"))
    return out


# Colours of arms that are not one strategy's only arm (Okabe-Ito, then a few more).
OTHER_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#8C564B", "#7F3C8D")


def strategy_of_arm(name: str) -> str | None:
    """The strategy an arm's name says (``push_20`` -> ``push``; ``lean_push`` -> None)."""
    head = name.split("_", 1)[0]
    return head if head in STRATEGY_NAMES else None


def arm_colours(names: list[str]) -> dict[str, str]:
    """A colour per arm: the first arm of each strategy gets the strategy's colour (``none``
    is always grey), the others the colours no strategy uses (so green always means
    dialogue, never a second push arm)."""
    out: dict[str, str] = {}
    for name in names:
        strategy = strategy_of_arm(name)
        colour = STRATEGY_COLOURS.get(strategy or "")
        if colour is not None and (strategy == "none" or colour not in out.values()):
            out[name] = colour
    k = 0
    for name in names:
        if name not in out:
            out[name] = OTHER_COLOURS[k % len(OTHER_COLOURS)]
            k += 1
    return out


@functools.cache
def glossary() -> dict:
    """``glossary.toml``: the terms, their English and bokmål, and the words to avoid."""
    with open(GLOSSARY, "rb") as handle:
        return tomllib.load(handle)
