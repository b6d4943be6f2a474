"""The shipped scenarios' titles and descriptions in bokmål (sim/i18n/scenarios.py).

Every shipped scenario has an up-to-date translation (its fingerprint is that of the file's
current English), the translation keeps the English's numbers, commands and identifiers, and
the lookup falls back to the text as written for English, user files and stale entries. The
app page and report.html in nb are checked in tests/test_viz.py and tests/test_i18n.py.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from sim.i18n import scenarios
from sim.i18n.scenarios import fingerprint, scenario_text, shipped_texts

ROOT = Path(__file__).resolve().parents[1]
NB = scenarios.scenario_catalogue("nb")
SHIPPED = shipped_texts()


def test_every_shipped_scenario_has_an_up_to_date_nb_translation():
    assert len(SHIPPED) >= 18 and "workshop/crisis" in SHIPPED
    assert scenarios.problems("nb") == []
    assert set(NB) == set(SHIPPED)


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_shipped_scenario_is_shown_in_nb_and_as_written_in_en(key):
    title, description = SHIPPED[key]
    nb = scenario_text(title, description, "nb")
    assert nb.translated and nb.title == NB[key]["title"].strip()
    assert nb.title != title and nb.description.strip() != description.strip()
    assert "\n" not in nb.title and nb.description.strip()
    assert scenario_text(title, description, "en") == (title, description, False)


def _numbers(text: str, thousands: str) -> Counter:
    """The numbers in ``text``: thousands separators dropped (``,`` in English, a space in
    Norwegian prose: a no-break space), a decimal comma read as a point, then every digit run
    with its sign."""
    text = re.sub(rf"(?<=\d){thousands}(?=\d{{3}}(?!\d))", "", text)
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)
    return Counter(re.findall(r"[+-]?\d+(?:\.\d+)*", text))


# Commands, options, file paths and identifiers: written exactly as in English.
CODE = re.compile(
    r"python run_sim\.py [a-z]+(?: [a-z_/]+)?|--[a-z-]+(?:[ =][^\s,)]+)?|`[^`]+`"
    r"|\b[a-z]+(?:_[a-z0-9]+)+\b|\b[\w.]+/[\w./]+\b"
)


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_translation_keeps_numbers_commands_and_identifiers(key):
    title, description = SHIPPED[key]
    english = re.sub(r"[ \n]+", " ", f"{title}\n{description}")  # keeps no-break spaces
    norwegian = re.sub(r"[ \n]+", " ", f"{NB[key]['title']}\n{NB[key]['description']}")
    assert _numbers(norwegian, "\u00a0") == _numbers(english, ",")
    assert Counter(CODE.findall(norwegian)) == Counter(CODE.findall(english))


def test_the_code_pattern_finds_what_must_not_be_translated():
    found = CODE.findall(
        "see docs/model.md: python run_sim.py check default or --set wom.talk_base=0.05, "
        "`push.budget`, push_x3 and --weeks 260"
    )
    assert found == [
        "docs/model.md",
        "python run_sim.py check default",
        "--set wom.talk_base=0.05",
        "`push.budget`",
        "push_x3",
        "--weeks 260",
    ]
    assert _numbers("per 1\u00a0000 kunder, -0,5 og 30 %", "\u00a0") == _numbers(
        "per 1,000 customers, -0.5 and 30 %", ","
    )


def test_rewrapped_english_still_matches_but_a_changed_word_does_not():
    title, description = SHIPPED["default"]
    rewrapped = " ".join(description.split()).replace(". ", ".\n\n")
    assert scenario_text(f"  {title} ", rewrapped, "nb").translated
    changed = description.replace("grocery brand", "grocery label")
    assert changed != description
    assert scenario_text(title, changed, "nb") == (title, changed, False)
    assert fingerprint(title, changed) != fingerprint(title, description)


def test_a_users_own_scenario_stays_as_written_in_every_language():
    for lang in ("en", "nb"):
        assert scenario_text("My study", "My question.", lang) == (
            "My study",
            "My question.",
            False,
        )
        assert scenario_text(None, None, lang) == ("", "", False)
    with pytest.raises(ValueError, match="choose one of en, nb"):
        scenario_text("My study", "", "de")


def _catalogue_at(tmp_path, monkeypatch, text: str) -> None:
    (tmp_path / "nb").mkdir(parents=True)
    (tmp_path / "nb" / scenarios.CATALOGUE_NAME).write_text(text, encoding="utf-8")
    monkeypatch.setattr(scenarios, "LOCALE_DIR", tmp_path)
    scenarios.scenario_catalogue.cache_clear()
    scenarios._by_fingerprint.cache_clear()


@pytest.fixture
def restore_caches():
    yield
    scenarios.scenario_catalogue.cache_clear()
    scenarios._by_fingerprint.cache_clear()


def test_problems_name_missing_stale_and_unused_entries(tmp_path, monkeypatch, restore_caches):
    folder = tmp_path / "scenarios"
    (folder / "workshop").mkdir(parents=True)
    (folder / "a.toml").write_text('title = "A"\ndescription = "Old words."\n')
    (folder / "workshop" / "b.toml").write_text('title = "B"\n')
    stale = fingerprint("A", "Older words.")
    _catalogue_at(
        tmp_path / "locale",
        monkeypatch,
        f'[a]\nenglish = "{stale}"\ntitle = "A nb"\ndescription = "Gamle ord."\n'
        f'[gone]\nenglish = "{fingerprint("G", "")}"\ntitle = "X"\ndescription = "Y"\n',
    )
    found = scenarios.problems("nb", folder)
    assert len(found) == 3
    assert found[0].startswith("nb: stale: ['a']") and fingerprint("A", "Old words.") in found[0]
    assert found[1].startswith("nb: missing: ['workshop/b']")
    assert found[2].startswith("nb: unused: ['gone']")
    # The stale entry is never shown: the current English is.
    assert scenario_text("A", "Old words.", "nb") == ("A", "Old words.", False)
    assert scenario_text("A", "Older words.", "nb") == ("A nb", "Gamle ord.", True)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[a\n", "not a valid TOML file"),
        ('[a]\nenglish = "0"\ntitle = "T"\n', "needs non-empty strings"),
        ('[a]\nenglish = "0"\ntitle = ""\ndescription = "D"\n', "needs non-empty strings"),
    ],
)
def test_a_malformed_catalogue_is_a_one_line_error_naming_the_file(
    tmp_path, monkeypatch, restore_caches, text, message
):
    _catalogue_at(tmp_path, monkeypatch, text)
    with pytest.raises(ValueError) as error:
        scenario_text("T", "D", "nb")
    assert message in str(error.value) and "scenarios.toml" in str(error.value)
    assert "\n" not in str(error.value)


def test_package_data_ships_the_scenario_catalogue():
    """pyproject's package-data glob covers the file (tests/test_install.py checks a built
    wheel holds it); it is plain TOML, read with tomllib only."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    relative = scenarios.scenario_catalogue_path("nb").relative_to(ROOT / "sim").as_posix()
    assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative
    assert not (ROOT / "sim" / "i18n" / "locale" / "en" / scenarios.CATALOGUE_NAME).exists()


def test_make_i18n_check_reports_a_stale_scenario(tmp_path, monkeypatch, capsys, restore_caches):
    from sim.i18n import extract

    monkeypatch.setattr(
        extract, "scenario_problems", lambda lang: [f"{lang}: stale: ['default'] (test)"]
    )
    assert extract.main([]) == 1
    assert "nb: stale: ['default'] (test)" in capsys.readouterr().out
