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


def _strings(value) -> list[str]:
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def texts_of(lang: str) -> dict[str, list[tuple[str, str]]]:
    """``{place: [(where, text), ...]}`` in ``lang``."""
    catalogue = read_po(PO_FILE)
    out = {
        "catalogue": [
            (f"PO {msgid[:40]!r}", text if lang == "nb" else msgid)
            for msgid, text in catalogue.items()
        ],
        "kit": [
            (f"kit {key}", s)
            for key, value in texts.flat(texts.load(lang)).items()
            for s in _strings(value)
        ],
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
