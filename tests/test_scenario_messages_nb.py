"""A scenario file's own validation message in bokmål (issue #25): the same one line as in
English (the file, the field and its value as written, what is allowed), its words in bokmål, on
the command line (``--lang nb``, ``RECLAMARE_LANG=nb``) and in the app; English unchanged.

The messages are ``sim.i18n.Message``s made in sim/study (schema.py, scenario.py,
scenario_files.py, overrides.py, limits.py, claims.py), sim/params.py, sim/network (bounded.py,
files.py, convert.py, groups.py) and sim/engine/week_zero.py; ``ScenarioError.text(_)`` gives
the line in a language. Inside it no English is left: a claim's problem, a network file's own
message, tomllib's messages naming a key and pydantic's "or" are bokmål too.
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
# More English words, for the messages whose fields and values do not use them.
MORE_ENGLISH = re.compile(
    r"\b(or|claim|difference|units|finite|number|declare|twice|mutate|immutable|namespace|"
    r"Duplicate|inline|Illegal|Found|invalid|character|differ|scenario's)\b"
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
    # a claim's own problem ([[expect]], sim/study/claims.py)
    "claim of no difference without a margin": (
        '[[expect]]\narm = "push"\nversus = "none"\nmeasure = "adoption"\nweek = 1\n'
        'relation = "equivalent"\n',
        "expect[0] (push - none, adoption, week 1: equivalent): a claim of no difference needs a "
        "margin, the largest |push - none| in adoption's units that would not matter: write "
        'relation = "equivalent" with margin = D (a number > 0, e.g. margin = 0.05); it holds '
        "when the 90 % paired interval lies inside (-D, +D)",
        "expect[0] (push - none, adoption, uke 1: equivalent): en påstand om ingen forskjell "
        "trenger en margin, den største |push - none| i enhetene til adoption som ikke ville bety "
        'noe: skriv relation = "equivalent" med margin = D (et tall > 0, f.eks. margin = 0.05); '
        "den holder når det parvise 90 %-intervallet ligger innenfor (-D, +D)",
    ),
    "claim about no arm": (
        '[[expect]]\narm = "zz"\nmeasure = "adoption"\nweek = 1\nrelation = "positive"\n',
        "expect[0].arm = 'zz': must be one of the arms ['none', 'push', 'dialogue', 'mix']",
        "expect[0].arm = 'zz': må være en av strategiene ['none', 'push', 'dialogue', 'mix']",
    ),
    "claim after the last week": (
        'weeks = 10\n[[expect]]\narm = "push"\nmeasure = "adoption"\nweek = 12\n'
        'relation = "positive"\n',
        "expect[0].week = 12: must be at most the scenario's weeks (10)",
        "expect[0].week = 12: må være høyst scenarioets antall uker (10)",
    ),
    "claim compared with itself": (
        '[[expect]]\narm = "push"\nversus = "push"\nmeasure = "adoption"\nweek = 1\n'
        'relation = "ahead"\n',
        "expect[0].versus = 'push': must differ from arm",
        "expect[0].versus = 'push': må være en annen strategi enn arm",
    ),
    "claim's margin not positive": (
        '[[expect]]\narm = "push"\nversus = "none"\nmeasure = "adoption"\nweek = 1\n'
        'relation = "equivalent"\nmargin = -0.5\n',
        "expect[0].margin = -0.5: must be a finite number > 0, in the measure's units",
        "expect[0].margin = -0.5: må være et endelig tall > 0, i målets enheter",
    ),
    # pydantic's list of choices, joined by the reader's "or"
    "not one of the choices": (
        '[arm]\noutreach = "everyone"\n',
        "arm.outreach = 'everyone': must be one of 'random', 'hubs' or 'none'",
        "arm.outreach = 'everyone': må være en av 'random', 'hubs' eller 'none'",
    ),
    "not one of two choices": (
        '[[expect]]\narm = "push"\nmeasure = "adoption"\nweek = 1\nrelation = "upward"\n',
        "expect[0].relation = 'upward': must be one of 'ahead', 'behind', 'equivalent', 'within "
        "noise', 'positive', 'negative', 'above' or 'below'",
        "expect[0].relation = 'upward': må være en av 'ahead', 'behind', 'equivalent', 'within "
        "noise', 'positive', 'negative', 'above' eller 'below'",
    ),
    # tomllib's messages that name a key or a character
    "a table declared twice": (
        "[wom]\nmu = 0.1\n[wom]\n",
        "TOML syntax error: Cannot declare ('wom',) twice (at line 3, column 5)",
        "syntaksfeil i TOML: ('wom',) kan ikke deklareres to ganger (på linje 3, kolonne 5)",
    ),
    "a key twice in an inline table": (
        "wom = {mu = 0.1, mu = 0.2}\n",
        "TOML syntax error: Duplicate inline table key 'mu' (at line 1, column 26)",
        "syntaksfeil i TOML: Nøkkelen 'mu' står to ganger i en innebygd tabell (på linje 1, "
        "kolonne 26)",
    ),
    "an inline array extended": (
        "expect = [{arm = 'a'}]\n[[expect]]\narm = 'b'\n",
        "TOML syntax error: Cannot mutate immutable namespace ('expect',) (at line 2, column 9)",
        "syntaksfeil i TOML: Det uforanderlige navnerommet ('expect',) kan ikke endres (på "
        "linje 2, kolonne 9)",
    ),
    "a control character in a string": (
        'title = "a\x01b"\n',
        "TOML syntax error: Illegal character '\\x01' (at line 1, column 11)",
        "syntaksfeil i TOML: Ulovlig tegn '\\x01' (på linje 1, kolonne 11)",
    ),
    "a control character in a comment": (
        "weeks = 3 # \x01\n",
        "TOML syntax error: Found invalid character '\\x01' (at line 1, column 13)",
        "syntaksfeil i TOML: Fant et ugyldig tegn '\\x01' (på linje 1, kolonne 13)",
    ),
    "push money stated twice": (
        "[arm]\npush_grps = 10.0\nad_to_sales = 0.02\nplanned_revenue = 100.0\n",
        "arm = {...}: push_grps = 10 and ad_to_sales = 0.02 both state the push money: give one "
        "of them (or neither: budget x push_share)",
        "arm = {...}: push_grps = 10 og ad_to_sales = 0,02 angir begge pengene til reklame",
    ),
}

# Cases whose field names or values hold one of MORE_ENGLISH's words (a relation "within noise"
# or a choice 'none' is the file's own word).
ENGLISH_WORDS_IN_VALUES = {"not one of two choices", "sweep of an unknown field"}


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
    if case not in ENGLISH_WORDS_IN_VALUES:
        words = MORE_ENGLISH.findall(shown.removeprefix(f"{path}: "))
        assert not words, (words, shown)
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


# ---------------------------------------------------------------- network files

NETWORK_SCENARIO = 'title = "t"\n[network]\nkind = "file"\npath = "{name}"\n'
# (file name, its text or None for no file or "/" for a folder, English after "network file
# NAME", bokmål after "nettverksfilen NAME")
NETWORK_CASES = {
    "weights on some lines": (
        "net.csv",
        "a,b\nb,c,2\n",
        ", line 2: has a weight but line 1 has none (give a weight on every line or on none)",
        ", linje 2: har en vekt, men linje 1 har ingen (gi en vekt på alle linjer eller på ingen)",
    ),
    "a weight that is no number": (
        "net.csv",
        "a,b,x\n",
        ", line 1: the weight (field 3) is not a number (weights must be numbers from 1e-30 to "
        "1e+30)",
        ", linje 1: vekten (felt 3) er ikke et tall (vekter må være tall fra 1e-30 til 1e+30)",
    ),
    "four fields": (
        "net.txt",
        "a b c d\n",
        ", line 1: 4 fields separated by whitespace (expected 'source target' or 'source target "
        "weight')",
        ", linje 1: 4 felt skilt med mellomrom (forventet 'source target' eller 'source target "
        "weight')",
    ),
    "no ties": (
        "net.csv",
        "# nothing here\n",
        ": no ties found (an edge list needs lines 'source target [weight]')",
        ": fant ingen bånd (en kantliste trenger linjer 'source target [weight]')",
    ),
    "no such file": (
        "net.csv",
        None,
        ": file not found (looked for ",
        ": filen finnes ikke (lette etter ",
    ),
    "a folder": (
        "net.csv",
        "/",
        ": is a folder, not a network file",
        ": er en mappe, ikke en nettverksfil",
    ),
    "unknown extension": (
        "net.dat",
        "a b\n",
        ": unknown extension '.dat' (allowed: .csv, .tsv, .txt, .edges, .edgelist, .graphml, "
        ".gexf; or set network.format to edgelist, graphml or gexf)",
        ": ukjent filendelse '.dat' (tillatt: .csv, .tsv, .txt, .edges, .edgelist, .graphml, "
        ".gexf; eller sett network.format til edgelist, graphml eller gexf)",
    ),
    "not XML": (
        "net.graphml",
        "<graphml",
        ": not a valid GraphML file (",
        ": ikke en gyldig GraphML-fil (",
    ),
    "a tie's weight below zero": (
        "net.graphml",
        "GRAPHML",
        ": tie 0 -- 1: weight -1.0 is not positive (weights must be numbers from 1e-30 to 1e+30)",
        ": båndet 0 -- 1: vekten -1.0 er ikke positiv (vekter må være tall fra 1e-30 til 1e+30)",
    ),
}
NETWORK_ENGLISH = re.compile(
    r"\b(network|file|line|has|weight|none|every|fields|separated|whitespace|expected|ties|"
    r"found|needs|not|folder|valid|unknown|extension|allowed|or|tie|is|positive|number|numbers|"
    r"from|to|looked|for)\b"
)


def network_file(folder: Path, name: str, text: str | None) -> None:
    if text == "/":
        (folder / name).mkdir()
    elif text == "GRAPHML":
        import networkx as nx

        graph = nx.Graph()
        graph.add_edge(0, 1, weight=-1.0)
        nx.write_graphml(graph, folder / name)
    elif text is not None:
        (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", list(NETWORK_CASES))
def test_a_network_files_own_message_in_bokmal(tmp_path, case):
    name, text, english, bokmal = NETWORK_CASES[case]
    network_file(tmp_path, name, text)
    path = write(tmp_path, "net.toml", NETWORK_SCENARIO.format(name=name))
    error = error_of_preflight(path)
    line = str(error)
    assert line.startswith(f"{path}: network: network file {name}{english}"), line
    assert error.text(EN) == line
    shown = error.text(NB)
    assert "\n" not in shown
    assert shown.startswith(f"{path}: nettverk: nettverksfilen {name}{bokmal}"), shown
    # the words, not the file's names, quoted examples or what the system says in brackets
    words = re.sub(r"'[^']*'|\S*[./]\S*|\([^()]*\)$", "", shown.removeprefix(f"{path}: "))
    assert not NETWORK_ENGLISH.findall(words), shown
    assert not {m for lang, m in missing_messages() if lang == "nb"}


def error_of_preflight(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def test_an_unknown_target_group_in_bokmal(tmp_path):
    """The network's groups are known once it is built (the engine's check, in the preflight)."""
    path = write(tmp_path, "tg.toml", '[arm]\ntarget_group = "aliens"\n')
    error = error_of_preflight(path)
    assert str(error) == (
        f"{path}: arm.target_group = 'aliens': must be one of the network's groups "
        "['g1', 'g2', 'g3', 'g4']"
    )
    assert error.text(NB) == (
        f"{path}: arm.target_group = 'aliens': må være en av nettverkets grupper "
        "['g1', 'g2', 'g3', 'g4']"
    )


def test_a_network_error_itself_is_a_message(tmp_path):
    """``NetworkError`` from reading a file carries a Message (``message_text`` translates it)."""
    from sim.i18n import message_text
    from sim.network.errors import NetworkError
    from sim.network.files import read_network_file

    (tmp_path / "n.csv").write_text("a,b\nc\n", encoding="utf-8")
    with pytest.raises(NetworkError) as info:
        read_network_file("n.csv", base_dir=tmp_path)
    assert str(info.value) == (
        "network file n.csv, line 2: 1 fields separated by commas (expected 'source target' or "
        "'source target weight')"
    )
    assert message_text(info.value, NB) == (
        "nettverksfilen n.csv, linje 2: 1 felt skilt med komma (forventet 'source target' eller "
        "'source target weight')"
    )


def test_cli_validate_a_bad_network_file_in_bokmal(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    (tmp_path / "net.csv").write_text("a,b\nb,c,2\n", encoding="utf-8")
    path = write(tmp_path, "net.toml", NETWORK_SCENARIO.format(name="net.csv"))
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"invalid: {path}: network: network file net.csv, line 2: has a weight but line 1 has "
        "none (give a weight on every line or on none)\n"
    )
    assert main(["validate", str(path), "--lang", "nb"]) == 2
    assert capsys.readouterr().err == (
        f"invalid: {path}: nettverk: nettverksfilen net.csv, linje 2: har en vekt, men linje 1 "
        "har ingen (gi en vekt på alle linjer eller på ingen)\n"
    )


# ---------------------------------------------------------------- pydantic's words


@pytest.mark.parametrize(
    "kind, ctx, english, bokmal",
    [
        (
            "enum",
            {"expected": "'a', 'b' or 'c'"},
            "must be one of 'a', 'b' or 'c'",
            "må være en av 'a', 'b' eller 'c'",
        ),
        (
            "literal_error",
            {"expected": "'a' or 'b'"},
            "must be one of 'a' or 'b'",
            "må være en av 'a' eller 'b'",
        ),
        ("literal_error", {"expected": "'a'"}, "must be one of 'a'", "må være en av 'a'"),
        ("int_parsing", {}, "must be a whole number", "må være et heltall"),
        ("finite_number", {}, "must be a finite number", "må være et endelig tall"),
        ("string_unicode", {}, "must be a string", "må være en tekststreng"),
        ("tuple_type", {}, "must be a list", "må være en liste"),
        ("mapping_type", {}, "must be a table", "må være en tabell"),
        ("none_required", {}, "must be left out", "må utelates"),
    ],
)
def test_pydantic_error_types_in_bokmal(kind, ctx, english, bokmal):
    from sim.params import constraint_message

    message = constraint_message(kind, ctx)
    assert str(message) == english
    assert message.text(EN) == english
    assert message.text(NB) == bokmal


def test_a_list_of_choices_that_cannot_be_split_stays_as_pydantic_wrote_it():
    from sim.params import choice_list

    assert choice_list("'a or b'") == "'a or b'"
    assert choice_list("'x', 'y' or 'z'").text(NB) == "'x', 'y' eller 'z'"


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
