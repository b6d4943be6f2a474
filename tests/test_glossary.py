"""The glossary (sim/i18n/glossary.toml): every text a user reads uses its words (issue 25).

The texts: the catalogue (command line, report, figures, app), the teaching kit's prose and
the shipped scenarios' bokmål. A term's ``avoid_nb`` / ``avoid_en`` words must not appear in
them as words (code in backticks, options, file paths and identifiers excepted). The strategies'
names and colours are the same in sim/i18n/vocabulary.py, the kit and the app.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from sim.i18n import LANGUAGES, LOCALE_DIR, translator
from sim.i18n import vocabulary as vocab
from sim.viz.labels import preset_label, strategy_label
from sim.workshop import appsteps, texts
from sim.workshop.exercises import EXERCISES
from tests.po_catalogue import PO_FILE, read_po

GLOSSARY = vocab.glossary()
TERMS = {f"{kind}.{name}": entry for kind in GLOSSARY for name, entry in GLOSSARY[kind].items()}
# Code, options, paths and identifiers: `...`, --set push.x=1, workshop/louder, push_20, a.b
CODE = re.compile(r"`[^`]*`|\S*[._/=]\S*|\{\w+(?:\[\w+\])?\}")  # {week}, {app[play]}


def words_found(text: str, words: list[str]) -> list[str]:
    """The ``words`` that ``text`` uses as words, outside code and identifiers."""
    plain = CODE.sub(" ", text)
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", plain, re.IGNORECASE)]


def kit_messages() -> list[str]:
    """The teaching kit's texts: the catalogue's messages used by sim/workshop (its content,
    ``text/kit.toml``, and its templates' ``_("...")``), in English."""
    from sim.i18n import extract

    used = extract.messages()
    found = [m for m, files in used.items() if any(f.startswith("sim/workshop/") for f in files)]
    assert set(texts.strings()) <= set(found)  # the kit's content is among them
    return found


def texts_of(lang: str) -> dict[str, list[tuple[str, str]]]:
    """``{place: [(where, text), ...]}`` in ``lang``."""
    catalogue = read_po(PO_FILE)
    _ = translator(lang)
    out = {
        "catalogue": [
            (f"PO {msgid[:40]!r}", text if lang == "nb" else msgid)
            for msgid, text in catalogue.items()
        ],
        "kit": [(f"kit {msgid[:40]!r}", _(msgid)) for msgid in kit_messages()],
        "scenarios": [],
    }
    if lang == "nb":
        with open(LOCALE_DIR / "nb" / "scenarios.toml", "rb") as handle:
            for key, entry in tomllib.load(handle).items():
                out["scenarios"] += [
                    (f"scenario {key} {field}", entry[field]) for field in ("title", "description")
                ]
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_uses_the_glossarys_words(lang):
    places = texts_of(lang)
    bad = []
    for name, term in TERMS.items():
        avoid = term.get(f"avoid_{lang}", [])
        for place in term.get("where_avoid", list(places)):
            for where, text in places[place]:
                found = words_found(text, avoid)
                if found:
                    bad.append(f"{where}: {found} (glossary {name}: {term[lang]!r})")
    assert not bad, f"{len(bad)} texts use words the glossary avoids:\n" + "\n".join(bad[:30])


def test_the_check_finds_an_avoided_word_and_spares_code():
    assert words_found("Negativ jungeltelegraf uke for uke", ["jungeltelegraf"])
    assert words_found("Frø (heltall)", ["frø"])
    assert not words_found("--set arms.push.budget=40 og `push`", ["push"])
    assert not words_found("push_20 mot workshop/push", ["push"])
    assert not words_found("reklamefrø", ["frø"])  # a part of another word is not the word


def test_the_glossary_is_complete():
    for name, term in TERMS.items():
        assert term.get("en") and term.get("nb"), name
        assert set(term.get("where_avoid", [])) <= {"catalogue", "kit", "scenarios"}, name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_strategies_have_one_name_and_one_colour_everywhere(lang):
    _ = translator(lang)
    kit = texts.load(lang)["arms"]
    for strategy, name in vocab.STRATEGY_NAMES.items():
        term = GLOSSARY["strategy"][strategy]
        assert _(name) == term[lang] if lang != "en" else name == term["en"]
        assert vocab.STRATEGY_COLOURS[strategy] == term["colour"]
        assert kit[strategy] == term[lang], f"kit arm {strategy}: {kit[strategy]!r}"
        # The app's menu and panel titles: the vocabulary's names (no second list of them).
        assert strategy_label(strategy, 0.5, _).startswith(term[lang])
    assert len(set(vocab.STRATEGY_COLOURS.values())) == 4


def test_arm_colours_follow_the_strategy():
    colours = vocab.arm_colours(["none", "push", "dialogue", "mix"])
    assert colours == vocab.STRATEGY_COLOURS
    colours = vocab.arm_colours(["dialogue", "push"])  # the order does not matter
    assert colours["push"] == vocab.STRATEGY_COLOURS["push"]
    two = vocab.arm_colours(["none", "push_20", "push_40", "dialogue"])
    assert two["none"] == vocab.STRATEGY_COLOURS["none"]
    assert two["dialogue"] == vocab.STRATEGY_COLOURS["dialogue"]
    assert len(set(two.values())) == 4  # two push arms: told apart, not both vermilion


def test_the_report_and_the_kit_draw_strategies_in_their_colours():
    from sim.outputs.figure_style import arm_colours as report_colours
    from sim.workshop.figures import arm_colours as kit_colours

    arms = ["none", "push", "dialogue", "mix"]
    assert report_colours(arms) == kit_colours(arms) == vocab.STRATEGY_COLOURS


@pytest.mark.parametrize("lang", LANGUAGES)
def test_worksheets_name_each_exercises_scenario_as_the_app_menu_does(lang):
    _ = translator(lang)
    for exercise in EXERCISES:
        first_step = appsteps.app_text(exercise, lang)[0]  # as the worksheet prints it
        assert preset_label(exercise.scenario, _) in first_step, (lang, exercise.id)


# ------------------------------------------- arms in words (issue 25: arm_display, one wording)


def test_arm_display_names_arms_in_the_vocabularys_words():
    show = vocab.arm_display
    assert show("push_20", "nb") == "reklame 20" and show("push_20", "en") == "push 20"
    assert show("mix", "nb") == "miks" and show("none", "nb") == "ingen kampanje"
    assert show("none", "en") == "no campaign" and show("dialogue", "en") == "dialogue"
    assert show("lean_push", "nb") == "reklame etter medieplanen"
    assert show("dialogue_hubs", "nb") == "dialog, knutepunkter først"
    assert show("dialogue_random", "en") == "dialogue, random customers"
    assert show("push_students", "nb") == "reklame til studenter"
    assert show("push_everyone", "en") == "push to everyone"
    assert show("push_x3", "nb") == "reklame \u00d73"
    # A push share strictly between 0 and 1 makes the arm the mix it is, whatever its name.
    assert show("push_75", "nb", 0.75) == "miks (75 % reklame)"
    assert show("mix_50", "en", 0.5) == "mix (50 % push)"
    assert show("push_75", "en", 1.0) == "push 75"  # all push: 75 is a budget
    assert show("mix", "en", 0.3) == "mix"  # the vocabulary's own word stays the word
    # A user's own names, and names that only look like the vocabulary's, as written.
    for name in ("cheap", "push_big", "none_20", "dialogue_", "Push_20", "push_٣", "mixer"):
        assert show(name, "nb") == name
    # A translator works as well as a language code (the report and the CLI have one).
    assert show("push_20", translator("nb")) == "reklame 20"


def _shipped_push_shares() -> dict[str, float]:
    """The push share the shipped scenarios give each arm name that sets one (the same in
    every file)."""
    from sim.study.scenario_files import SCENARIO_DIR

    shares: dict[str, float] = {}
    for path in sorted(SCENARIO_DIR.rglob("*.toml")):
        with open(path, "rb") as handle:
            for arm in tomllib.load(handle).get("arms", []):
                share = arm.get("push_share")
                if share is not None:
                    assert shares.setdefault(arm["name"], share) == share, (path, arm["name"])
    return shares


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_kit_names_every_arm_as_the_command_line_and_figures_do(lang):
    """The key's and the kit figures' arm names (``[arms]`` of the kit's texts) are what
    ``arm_display`` gives the shipped scenarios' arms; and a mix is named as the app's panel
    and the worksheet name it: ``mix (50 % push)``, not ``push 50 %``."""
    _ = translator(lang)
    kit = texts.load(lang)["arms"]
    shares = _shipped_push_shares()
    for arm, name in kit.items():
        assert vocab.arm_display(arm, _, shares.get(arm)) == name, (lang, arm)
    for share in (0.25, 0.5, 0.75):
        panel = strategy_label("mix", share, _)  # the app's panel, printed on the worksheet
        assert vocab.arm_display(f"mix_{round(100 * share)}", _, share) == panel
    assert kit["mix_50"] == strategy_label("mix", 0.5, _)
