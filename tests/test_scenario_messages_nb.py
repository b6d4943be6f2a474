"""A scenario file's own validation message in bokmål (issue #25): the same one line as in
English (the file, the field and its value as written, what is allowed), its words in bokmål, on
the command line (``--lang nb``, ``RECLAMARE_LANG=nb``) and in the app; English unchanged.

The messages are ``sim.i18n.Message``s made in sim/study (schema.py, scenario.py,
scenario_files.py, overrides.py, limits.py), sim/params.py and sim/network/bounded.py;
``ScenarioError.text(_)`` gives the line in a language.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.i18n import missing_messages, translator
from sim.study.scenario import load_scenario
from sim.study.schema import ScenarioError

NB, EN = translator("nb"), translator("en")
# Words of the English messages that no bokmål line may keep (field names and values aside).
ENGLISH = re.compile(
    r"\b(must|unknown|syntax|error|did you mean|allowed|needs|repeated|both|give|is not|"
    r"no such|one of|line|without|unique|arms|at)\b"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path | str, overrides=None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides, preflight=False)
    return info.value


# (file text, the English line after "FILE: ", the bokmål line after "FILE: ")
CASES = {
    "wrong type": (
        'weeks = "many"\n',
        "weeks = 'many': must be a whole number",
        "weeks = 'many': må være et heltall",
    ),
    "out of range": (
        "[wom]\nmu = 1.5\n",
        "wom.mu = 1.5: must be <= 1.0",
        "wom.mu = 1.5: må være <= 1.0",
    ),
    "unknown key, close": (
        "[push]\nhalf_lif = 3\n",
        "unknown parameter 'push.half_lif' (did you mean 'half_life'?)",
        "ukjent parameter 'push.half_lif' (mente du 'half_life'?)",
    ),
    "unknown section": (
        "[pusj]\nx = 1\n",
        "unknown parameter 'pusj' (did you mean 'push'?)",
        "ukjent parameter 'pusj' (mente du 'push'?)",
    ),
    "bad TOML": (
        "weeks = = 3\n",
        "TOML syntax error: Invalid value (at line 1, column 9)",
        "syntaksfeil i TOML: Ugyldig verdi (på linje 1, kolonne 9)",
    ),
    "bad TOML at the end": (
        "arms = [1, 2\n",
        "TOML syntax error: Unclosed array (at end of document)",
        "syntaksfeil i TOML: Listen er ikke lukket (på slutten av dokumentet)",
    ),
    "two fields that disagree": (
        "[push]\neffective_frequency = 3.0\nirritation_threshold = 2.0\n",
        "push = {...}: irritation_threshold (2.0) must be above effective_frequency (3.0)",
        "push = {...}: irritation_threshold (2.0) må være over effective_frequency (3.0)",
    ),
    "arm names repeated": (
        '[[arms]]\nname = "a"\n[[arms]]\nname = "a"\n',
        "arm names must be unique; repeated: a",
        "navnene på strategiene må være unike; gjentatt: a",
    ),
    "baseline not an arm": (
        'baseline = "zz"\n',
        "baseline = 'zz': must be one of the arms ['none', 'push', 'dialogue', 'mix']",
        "baseline = 'zz': må være en av strategiene ['none', 'push', 'dialogue', 'mix']",
    ),
    "sweep of an unknown field": (
        '[sweep]\n"wom.nope" = [1, 2]\n',
        "sweep.wom.nope: unknown field 'nope' (allowed: ",
        "sweep.wom.nope: ukjent felt 'nope' (tillatt: ",
    ),
    "empty sweep": (
        '[sweep]\n"wom.mu" = []\n',
        "sweep.wom.mu: needs at least one value",
        "sweep.wom.mu: trenger minst én verdi",
    ),
    "title on two lines": (
        'title = "one\\ntwo"\n',
        "title = 'one\\ntwo': must be one line of at most 200 characters, without control "
        "characters (tabs, line breaks)",
        "title = 'one\\ntwo': må være én linje på høyst 200 tegn, uten kontrolltegn "
        "(tabulatorer, linjeskift)",
    ),
    "extends nothing": (
        'extends = "missing.toml"\n',
        "extends = 'missing.toml': no such file (",
        "extends = 'missing.toml': filen finnes ikke (",
    ),
    "push money stated twice": (
        "[arm]\npush_grps = 10.0\nad_to_sales = 0.02\nplanned_revenue = 100.0\n",
        "arm = {...}: push_grps = 10 and ad_to_sales = 0.02 both state the push money: give one "
        "of them (or neither: budget x push_share)",
        "arm = {...}: push_grps = 10 og ad_to_sales = 0,02 angir begge pengene til reklame",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_says_the_same_line_in_bokmal(tmp_path, case):
    text, english, bokmal = CASES[case]
    path = write(tmp_path, "bad.toml", text)
    error = error_of(path)
    line = str(error)
    # English: the string itself, byte for byte as before, and through the English translator.
    assert line.startswith(f"{path}: {english}"), line
    assert error.text(EN) == line
    shown = error.text(NB)
    assert "\n" not in shown
    if case == "push money stated twice":
        # the values are the validator's (:g), as written in English: no decimal comma
        bokmal = bokmal.replace("0,02", "0.02")
    assert shown.startswith(f"{path}: {bokmal}"), shown
    words = ENGLISH.findall(shown.removeprefix(f"{path}: "))
    assert not words, (words, shown)  # no English sentence left
    assert not {m for lang, m in missing_messages() if lang == "nb"}


def test_the_bokmal_line_keeps_file_field_and_value_and_only_the_words_change(tmp_path):
    """Everything but the words is the English line's: what follows the value is bokmål."""
    path = write(tmp_path, "wide.toml", "[network]\nn = 0\n")
    error = error_of(path)
    assert str(error) == f"{path}: network.n = 0: must be >= 2"
    assert error.text(NB) == f"{path}: network.n = 0: må være >= 2"


def test_an_inherited_value_blames_its_own_file_in_bokmal(tmp_path):
    base = write(tmp_path, "base.toml", "[wom]\nmu = -0.5\n")
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\ntitle = "t"\n')
    error = error_of(child)
    assert str(error) == f"{base}: wom.mu = -0.5: must be >= 0.0"
    assert error.text(NB) == f"{base}: wom.mu = -0.5: må være >= 0.0"


def test_set_paths_and_shipped_names_in_bokmal(tmp_path):
    error = error_of("default", [("push.nope", 1)])
    assert str(error).startswith("--set push.nope: unknown field 'nope' (allowed: ")
    assert error.text(NB).startswith("--set push.nope: ukjent felt 'nope' (tillatt: ")
    error = error_of("defualt")
    assert str(error) == "defualt: no such scenario file (did you mean 'default'?)"
    assert error.text(NB) == "defualt: scenariofilen finnes ikke (mente du 'default'?)"


def test_a_folder_or_a_too_large_file_in_bokmal(tmp_path, monkeypatch):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    error = error_of(folder)
    assert str(error) == f"{folder}: is a folder, not a scenario file"
    assert error.text(NB) == f"{folder}: er en mappe, ikke en scenariofil"
    monkeypatch.setattr("sim.study.scenario_files.MAX_SCENARIO_BYTES", 1000)
    big = write(tmp_path, "big.toml", "# " + "x" * 2000 + "\n")
    error = error_of(big)
    assert str(error) == (
        f"{big}: scenario file is 2,003 bytes, more than the limit of 1,000 bytes"
    )
    assert error.text(NB) == (
        f"{big}: scenariofil er 2\u00a0003 byte, mer enn grensen på 1\u00a0000 byte"
    )


def test_a_plan_over_the_limit_in_bokmal(tmp_path, monkeypatch):
    monkeypatch.setenv("RECLAMARE_MAX_RUNS", "5")
    path = write(tmp_path, "many.toml", "replicates = 9\n")
    error = error_of(path)
    assert str(error) == (
        f"{path}: the plan has 9 runs (1 sweep points x 9 replicates), more than the limit of 5; "
        "make the study smaller, or raise the limit with the environment variable "
        "RECLAMARE_MAX_RUNS=9"
    )
    assert error.text(NB) == (
        f"{path}: planen har 9 kjøringer (1 punkter i kjøreserien x 9 gjentakelser), mer enn "
        "grensen på 5; gjør studien mindre, eller hev grensen med miljøvariabelen "
        "RECLAMARE_MAX_RUNS=9"
    )


# ---------------------------------------------------------------- the command line


def test_cli_validate_and_run_print_the_line_in_the_chosen_language(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "bad.toml", "weeks = 0\n")
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == f"invalid: {path}: weeks = 0: must be >= 1\n"
    assert main(["validate", str(path), "--lang", "nb"]) == 2
    assert capsys.readouterr().err == f"invalid: {path}: weeks = 0: må være >= 1\n"
    out = tmp_path / "out"
    assert main(["run", str(path), "--lang", "nb", "--quiet", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {path}: weeks = 0: må være >= 1\n"
    assert not out.exists()
    monkeypatch.setenv("RECLAMARE_LANG", "nb")
    assert main(["run", str(path), "--quiet", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {path}: weeks = 0: må være >= 1\n"
    assert main(["run", str(path), "--lang", "en", "--quiet", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {path}: weeks = 0: must be >= 1\n"


def test_cli_set_error_in_bokmal(capsys, monkeypatch):
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    assert main(["run", "default", "--set", "wom.mu=2", "--lang", "nb", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.endswith(": wom.mu = 2: må være <= 1.0\n"), err
    assert "must be" not in err


# ---------------------------------------------------------------- the app


def test_the_app_shows_a_scenario_files_message_in_the_pages_language(tmp_path):
    from sim.viz.arena import Arena
    from sim.viz.controls import Controls
    from sim.viz.prose import _message_text

    broken = write(tmp_path, "broken.toml", 'title = "x"\n[wom]\nmu = 7\n')
    error = Arena(Controls(preset=str(broken))).error
    assert _message_text(error, EN) == (
        f"Scenario 'broken' could not be loaded: {broken.resolve()}: wom.mu = 7: must be <= 1.0"
    )
    assert _message_text(error, NB) == (
        f"Scenarioet 'broken' kunne ikke lastes inn: {broken.resolve()}: wom.mu = 7: må være <= 1.0"
    )


def test_viz_refuses_a_bad_file_in_its_language(tmp_path):
    from sim.viz import server

    broken = write(tmp_path, "broken2.toml", "weeks = -1\n")
    name = str(broken.resolve())
    assert server.check_scenario(name) == f"scenario {name}: {name}: weeks = -1: must be >= 1"
    assert server.check_scenario(name, NB) == (f"scenario {name}: {name}: weeks = -1: må være >= 1")


# ---------------------------------------------------------------- fuzzing

BASE = "[network]\nn = 60\n[wom]\nmu = 0.3\nlisteners = 2\n[push]\nhalf_life = 4.0\nweeks = 10\n"
ALPHABET = st.sampled_from(list("[]{}=\"'.,#\n 0123456789-+eE_abcnrtwxyz") + ["true", "kind"])


@st.composite
def mutated(draw):
    text = BASE
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        chunk = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=4)))
        cut = draw(st.integers(0, 8))
        text = text[:pos] + chunk + text[pos + cut :]
    return text


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated())
def test_fuzz_every_message_is_one_line_in_bokmal_naming_the_file(tmp_path, text):
    """Whatever is wrong, the bokmål line is one line starting with the file, as the English
    one; and where the English line ends with one of the catalogue's sentences, the bokmål does
    not."""
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_scenario(path, preflight=False)
    except ScenarioError as error:
        english, shown = str(error), error.text(NB)
        assert "\n" not in shown
        assert english.startswith(f"{path}: ") and shown.startswith(f"{path}: ")
        for sentence in ("must be", "unknown parameter", "TOML syntax error", "required"):
            if sentence in english:
                assert sentence not in shown, (english, shown)
