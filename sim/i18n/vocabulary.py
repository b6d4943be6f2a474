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
# arm the workshop's scenarios carry. A report in another language shows that word beside the
# identifier (``reklame (push)``): the word the facilitator key and the app use, and the name
# that ``--versus`` and the CSV files take.
ARM_WORDS = {**STRATEGY_NAMES, "lean_push": N_("lean push (media plan)")}


def arm_label(name: str, _) -> str:
    """An arm's name in the language of the translator ``_``: ``push`` in English, ``reklame
    (push)`` in bokmål, ``reklame etter medieplanen (lean_push)``; any other name as written."""
    word = ARM_WORDS.get(name)
    if word is None:
        return name
    shown = _(word)
    return name if shown in (word, name) else f"{shown} ({name})"


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
