"""The language catalogues (sim/i18n, docs/i18n.md): complete, consistent, and used.

(a) every message in the source is in each catalogue, translated, and every catalogue entry is
    used; (b) placeholders agree; (c) a Norwegian study writes a Norwegian report and figures
    (checked on the HTML headings and on matplotlib's text objects, not pixels); (d) report.py
    and figures.py hold no English prose outside ``_()``/``N_()``. Plus the loader's behaviour
    and the command line's ``--lang`` / ``RECLAMARE_LANG``.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import matplotlib
import pytest

from sim import i18n
from sim.cli import main
from sim.i18n import extract

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE]
SMALL = ["--set", "network.n=150", "--weeks", "5", "--replicates", "2", "--quiet"]


# --------------------------------------------------------------------------- the scanner


def test_scanner_finds_marked_literals_and_only_those():
    source = (
        'a = _("One")\n'
        'b = N_("Two " "parts")\n'
        "c = _(LABELS[m])\n"  # computed: not a message (marked where defined)
        'd = other("Three")\n'
        'e = obj._("Four")\n'  # an attribute call is not the marker
        'f = _("Week {week}").format(week=1)\n'
    )
    assert extract.messages_in_source(source) == ["One", "Two parts", "Week {week}"]


def test_placeholders_are_read_as_format_fields():
    assert extract.placeholders("{a} and {b:.0%} but not {{c}}") == {"a", "b:.0%"}
    assert extract.placeholders("no fields") == set()


def test_the_source_has_messages_in_every_layer_that_shows_text():
    files = {f for used in extract.messages().values() for f in used}
    for expected in (
        "sim/cli_parser.py",
        "sim/cli_tables.py",
        "sim/outputs/report.py",
        "sim/outputs/figures.py",
        "sim/engine/measures.py",
        "sim/engine/mechanisms.py",
    ):
        assert expected in files


# --------------------------------------------------------------------------- (a), (b)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_has_every_message_translated_and_nothing_unused(lang):
    found = extract.problems(lang)
    assert not found["duplicate"], f"entries twice: {found['duplicate']}"
    assert not found["missing"], f"add to {i18n.catalogue_path(lang)}: {found['missing']}"
    assert not found["untranslated"], f"empty or fuzzy: {found['untranslated']}"
    assert not found["unused"], f"no longer in the source: {found['unused']}"


def test_duplicate_entries_are_found(tmp_path):
    po = tmp_path / "reclamare.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "A"\nmsgstr "B"\n\nmsgid ""\n"A"\nmsgstr "C"\n'
        'msgid "D\\n"\nmsgstr "E\\n"\n',
        encoding="utf-8",
    )
    assert extract.duplicates(po) == ["A"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    bad = extract.problems(lang)["placeholders"]
    assert not bad, f"placeholders differ from the English: {bad}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_line_breaks_of_legend_titles(lang):
    """Two-line legend titles stay two lines (they are placed beside the plot)."""
    table = i18n.catalogue(lang)
    for msgid, text in table.items():
        assert msgid.count("\n") == text.count("\n"), msgid


def test_check_script_reports_a_missing_message(tmp_path, monkeypatch, capsys):
    """``make i18n-check`` exits 1 and names a message the catalogue lacks."""
    real = extract.messages()
    monkeypatch.setattr(extract, "messages", lambda: {**real, "A brand new string": ["x.py"]})
    assert extract.main([]) == 1
    assert "nb: missing: A brand new string" in capsys.readouterr().out


def test_add_missing_appends_an_entry_babel_reads(tmp_path, monkeypatch):
    po = tmp_path / "reclamare.po"
    po.write_text(i18n.catalogue_path("nb").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(extract, "catalogue_path", lambda lang: po)
    text = 'New "quoted" text\non two lines'
    before = po.read_text(encoding="utf-8")
    assert extract.add_missing("nb", [text], {text: ["sim/x.py"]}) == 1
    assert po.read_text(encoding="utf-8").startswith(before)  # nothing else rewritten
    assert extract.read_entries("nb")[text] == ("", False)


def test_package_data_ships_the_catalogues():
    """pyproject's package-data glob covers every PO file (a built wheel was checked to hold
    sim/i18n/locale/nb/LC_MESSAGES/reclamare.po: docs/i18n.md)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    for lang in TRANSLATED:
        relative = i18n.catalogue_path(lang).relative_to(ROOT / "sim").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative
    requirements = (ROOT / "requirements.lock").read_text().lower().split()
    assert any(line.startswith("babel==") for line in requirements)


# --------------------------------------------------------------------------- the loader


def test_translator_translates_and_english_is_the_key():
    _ = i18n.translator("nb")
    assert _("Awareness") == "Kjennskap"
    assert _("Week {week}:").format(week=3) == "Uke 3:"
    en = i18n.translator("en")
    assert en("Awareness") == "Awareness"


def test_a_missing_message_falls_back_to_english_and_is_remembered():
    _ = i18n.translator("nb")
    assert _("Not in any catalogue (test)") == "Not in any catalogue (test)"
    assert ("nb", "Not in any catalogue (test)") in i18n.missing_messages()


def test_empty_and_fuzzy_entries_fall_back(tmp_path, monkeypatch):
    po = tmp_path / "reclamare.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Awareness"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Adoption"\nmsgstr "Adopsjon"\n\n'
        'msgid "Week"\nmsgstr "Uke"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "catalogue_path", lambda lang: po)
    i18n.catalogue.cache_clear()
    try:
        assert dict(i18n.catalogue("nb")) == {"Week": "Uke"}
    finally:
        i18n.catalogue.cache_clear()


def test_a_malformed_catalogue_is_a_one_line_error(tmp_path, monkeypatch):
    po = tmp_path / "reclamare.po"
    po.write_text('msgid "Awareness"\nmsgstr "Kjennskap"\ngarbage\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "catalogue_path", lambda lang: po)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=re.escape(str(po))) as error:
            i18n.catalogue("nb")
        assert "\n" not in str(error.value)
    finally:
        i18n.catalogue.cache_clear()


def test_catalogue_is_read_once_per_process():
    assert i18n.catalogue("nb") is i18n.catalogue("nb")


def test_unknown_languages_are_refused_in_one_line():
    with pytest.raises(ValueError, match="choose one of en, nb"):
        i18n.translator("de")
    assert i18n.language_from_env({}) is None
    assert i18n.language_from_env({"RECLAMARE_LANG": "nb"}) == "nb"
    with pytest.raises(ValueError, match="RECLAMARE_LANG=no: language 'no'"):
        i18n.language_from_env({"RECLAMARE_LANG": "no"})


def test_importing_params_loads_no_catalogue():
    """The schema's one-line messages are ``sim.i18n.Message``s, so ``sim.i18n`` (standard
    library only, a few ms) is imported; Babel and the catalogue are not, and nothing else of
    the package is."""
    code = (
        "import sys, sim.params, sim.i18n; print('babel' in sys.modules, "
        "sim.i18n.catalogue.cache_info().currsize, "
        "sorted(m for m in sys.modules if m.startswith('sim.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False 0 ['sim.i18n', 'sim.params']"


# --------------------------------------------------------------------------- (c) end to end


class FigureTexts:
    """Every text object of every figure drawn (captured just before each figure is saved)."""

    def __init__(self, monkeypatch):
        from sim.outputs import figure_style

        self.texts: dict[str, dict[str, list[str]]] = {}
        real = figure_style._save

        def capture(fig, path, *rest):
            axes = fig.get_axes()
            found = {
                "titles": [ax.get_title() for ax in axes]
                + ([fig._suptitle.get_text()] if fig._suptitle else []),
                "labels": [ax.get_xlabel() for ax in axes] + [ax.get_ylabel() for ax in axes],
                "legends": [],
                "all": [t.get_text() for t in fig.findobj(matplotlib.text.Text)],
            }
            for ax in axes:
                legend = ax.get_legend()
                if legend is not None:
                    found["legends"].append(legend.get_title().get_text())
                    found["legends"] += [t.get_text() for t in legend.get_texts()]
            self.texts[Path(path).stem] = found
            saved = real(fig, path, *rest)
            # Tick labels exist once the figure is drawn (saved).
            found["ticks"] = [
                t.get_text() for ax in axes for t in ax.get_xticklabels() + ax.get_yticklabels()
            ]
            return saved

        monkeypatch.setattr(figure_style, "_save", capture)


def _headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


@pytest.fixture(scope="module")
def nb_study(tmp_path_factory):
    """A tiny study run with RECLAMARE_LANG=nb and --no-figures, then drawn by ``report``
    without a language: the manifest's recorded language decides (the figures' texts are
    captured). One drawing of the figures in all, to keep the suite quick."""
    out = tmp_path_factory.mktemp("nb") / "res"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECLAMARE_LANG", "nb")
        assert main(["run", "default", *SMALL, "--no-figures", "--out", str(out)]) == 0
        recorded = json.loads((out / "manifest.json").read_text())["language"]
        patch.delenv("RECLAMARE_LANG")
        texts = FigureTexts(patch)
        assert main(["report", str(out)]) == 0
    assert recorded == "nb"
    return out, texts.texts


def test_nb_report_has_norwegian_headings_and_no_fallbacks(nb_study):
    out, _ = nb_study
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in html
    assert _headings(html) == ["Svaret", "Oppsett", "Hovedresultater", "Figurer", "Forbehold"]
    assert "Strategi (uke 5)" in html and "Kjennskap" in html and "Parvis differanse" in html
    assert "Who leads when" not in html and "Caveats" not in html
    assert json.loads((out / "manifest.json").read_text())["language"] == "nb"
    assert not {m for lang, m in i18n.missing_messages() if lang == "nb" and "(test)" not in m}


def test_nb_report_shows_the_scenarios_title_and_description_in_nb(nb_study):
    """The shipped scenario's own words come from sim/i18n/locale/nb/scenarios.toml."""
    from sim.i18n.scenarios import scenario_catalogue

    out, _ = nb_study
    html = (out / "report.html").read_text(encoding="utf-8")
    nb = scenario_catalogue("nb")["default"]
    assert f"<h1>{nb['title']}</h1>" in html and f"<title>{nb['title']}</title>" in html
    question = re.search(r'<div class="question">(.*?)</div>', html, re.S).group(1)
    assert question == nb["description"].strip()
    assert "Spørsmål: med det samme ukebudsjettet" in question
    assert "Push, dialogue or both?" not in html and "Question: with the same" not in html


def test_nb_figures_have_norwegian_titles_axes_and_legends(nb_study):
    _, texts = nb_study
    assert {"awareness", "wom", "first_heard", "attitude_histograms"} <= set(texts)
    awareness = texts["awareness"]
    assert awareness["titles"] == ["Hvor mange kunder kjenner merket nå?"]
    assert awareness["labels"] == ["Uke", "Kjennskap (andel av kundene)"]
    assert awareness["legends"][0] == "gjennomsnitt og\n95 %-bånd"
    assert texts["wom"]["titles"][:2] == ["Positiv omtale", "Negativ omtale"]
    assert set(texts["first_heard"]["legends"]) >= {"hørte først via", "reklame", "dialog"}
    assert "uke 4" in texts["attitude_histograms"]["titles"]


def test_nb_numbers_have_a_decimal_comma(nb_study):
    """Norwegian report cells and figure ticks write 0,25 and intervals [0,1; 0,2]."""
    out, texts = nb_study
    html = (out / "report.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td>([^<]*) <span class="ci">(\[[^<]*\])</span>', html)
    assert cells
    for mean, interval in cells:
        assert "." not in mean and "." not in interval, (mean, interval)
        assert re.fullmatch(r"\[\S+; \S+\]", interval), interval
    # A styled number is never restyled (0,801 read as 801 thousandths: "0 801").
    assert not re.search("\\b0\u00a0\\d", html)
    assert "smak sd 0,35" in html  # the mechanisms' numbers too
    ticks = texts["awareness"]["ticks"]
    assert any("," in t for t in ticks) and not any(re.search(r"\d\.\d", t) for t in ticks)


def test_list_separator_and_whole_numbers_in_messages():
    assert i18n.list_separator("nb") == "; " and i18n.list_separator("en") == ", "
    line = i18n.Message(i18n.N_("Seed {seed} is too large."), seed=1234567)
    assert str(line) == "Seed 1,234,567 is too large."
    assert "1\u00a0234\u00a0567" in line.text(i18n.translator("nb"))


def test_nb_figures_hold_no_english_words(nb_study):
    """No title, label or legend of the Norwegian figures contains an English word that the
    English figures use (arm names and parameter paths are the scenario's own words)."""
    _, texts = nb_study
    english = {
        "week", "share", "customers", "mean", "band", "brand", "positive", "negative",
        "talks", "aware", "attitude", "first", "heard", "profit", "spend", "customer",
    }  # fmt: skip
    for name, found in texts.items():
        for text in found["titles"] + found["labels"] + found["legends"]:
            words = set(re.findall(r"[a-z]+", text.lower()))
            assert not words & english, f"{name}: {text!r}"


def test_report_re_renders_in_the_other_language(nb_study, capsys, monkeypatch):
    """``report --lang`` re-renders; without it the folder keeps its language unless
    RECLAMARE_LANG says otherwise. (Figures are not redrawn here: the stub records the
    language they would be drawn in; the nb figures are checked above.)"""
    from sim.outputs import figures

    out, _ = nb_study
    drawn = []
    monkeypatch.setattr(figures, "make_figures", lambda *a, **k: drawn.append(a[4]) or [])
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    assert main(["report", str(out), "--lang", "en"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert _headings(html) == ["The answer", "Setup", "Key results", "Caveats"]
    assert json.loads((out / "manifest.json").read_text())["language"] == "en"
    assert "Report:" in capsys.readouterr().out
    assert main(["report", str(out)]) == 0
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")
    monkeypatch.setenv("RECLAMARE_LANG", "nb")
    assert main(["report", str(out)]) == 0
    assert _headings((out / "report.html").read_text(encoding="utf-8"))[1] == "Oppsett"
    assert "Rapport:" in capsys.readouterr().out
    assert drawn == ["en", "en", "nb"]


@pytest.mark.parametrize(
    "argv, env",
    [
        (["run", "default", "--lang", "de"], None),
        (["report", "nowhere", "--lang", "xx"], None),
        (["list"], "nn"),
        (["run", "default"], "english"),
    ],
)
def test_bad_language_is_one_line_exit_2(argv, env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if env is None:
        monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    else:
        monkeypatch.setenv("RECLAMARE_LANG", env)
    with pytest.raises(SystemExit) if env is None else _no_exit() as caught:
        status = main(argv)
    status = caught.value.code if env is None else status
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "en, nb" in err
    assert not (tmp_path / "results").exists()


class _no_exit:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_cli_help_and_tables_follow_the_language(capsys, monkeypatch):
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    with pytest.raises(SystemExit):
        main(["run", "--help", "--lang", "nb"])
    assert "gjentakelser per strategi" in capsys.readouterr().out
    monkeypatch.setenv("RECLAMARE_LANG", "nb")
    assert main(["list"]) == 0
    assert "Kjør ett med:" in capsys.readouterr().out


def test_every_parameter_has_a_translatable_axis_label():
    """A sweep may vary any parameter: each has a label in sim/outputs/paramlabels.py (or is
    listed there as never on an axis), so no swept axis falls back to English."""
    from sim.outputs.paramlabels import NOT_ON_AXES, PARAMETER_LABELS
    from sim.outputs.paramtable import rows

    paths = {row[0] for row in rows()}
    assert paths - set(PARAMETER_LABELS) - NOT_ON_AXES == set()
    assert set(PARAMETER_LABELS) - paths == set()  # no label for a parameter that is gone


@pytest.mark.slow
def test_nb_sweep_figures_are_norwegian(tmp_path, monkeypatch):
    """Sweep figures (lines, differences, heat map, winner map) in Norwegian."""
    scenario = tmp_path / "tiny_sweep.toml"
    scenario.write_text(
        f'extends = "{ROOT / "scenarios" / "default.toml"}"\n'
        'title = "Tiny sweep"\nweeks = 3\nreplicates = 2\n'
        "[network]\nn = 100\n"
        '[sweep]\n"arm.budget" = [10.0, 20.0]\n"wom.negative_impact" = [1.0, 2.0]\n'
        '[report]\nmeasures = ["adoption"]\ncontrast = ["dialogue", "push"]\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("RECLAMARE_LANG", raising=False)
    texts = FigureTexts(monkeypatch)
    out = tmp_path / "res"
    assert main(["sweep", str(scenario), "--quiet", "--lang", "nb", "--out", str(out)]) == 0
    heat = texts.texts["sweep_diff_adoption"]
    assert heat["titles"][0] == "Hvor slår dialogue push på adopsjon (har kjøpt)?"
    assert heat["labels"][0].startswith("Hvor mye mer negativ omtale flytter holdninger")
    assert heat["labels"][2].startswith("Ukebudsjett per 1\u00a0000 kunder")
    winner = texts.texts["sweep_winner_adoption"]
    assert winner["titles"][0] == "Hvilken strategi gir høyest adopsjon (har kjøpt)?"
    assert any(t.startswith("Beste strategi og dens gjennomsnitt i uke 3") for t in winner["all"])


# --------------------------------------------------------------------------- (d) coverage

# Keyword arguments whose string values are settings, not text a reader sees.
SETTING_KEYWORDS = {
    "loc", "ha", "va", "color", "ecolor", "cmap", "fmt", "marker", "linestyle", "xycoords",
    "textcoords", "fontweight", "weight", "aspect", "origin", "encoding", "metadata",
}  # fmt: skip
PROSE = re.compile(r"[A-Za-z]{2,}[,:;]? +[A-Za-z]{2,}")


def _english_prose(source: str) -> list[tuple[int, str]]:
    """String literals (f-strings included) that read as English prose and are not the
    argument of ``_``/``N_``, a docstring, a settings keyword or a dictionary key."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in extract.MARKERS:
                skip.update(id(n) for n in ast.walk(node))
            for keyword in node.keywords:
                if keyword.arg in SETTING_KEYWORDS:
                    skip.update(id(n) for n in ast.walk(keyword.value))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, ast.Dict):
            skip.update(id(k) for k in node.keys if k is not None)
        if isinstance(node, ast.Subscript):
            skip.update(id(n) for n in ast.walk(node.slice))
        if isinstance(node, ast.Compare):
            skip.update(id(n) for n in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = re.sub(r"<[^>]*(>|$)", " ", node.value)  # markup is not prose
        text = re.sub(r"\{[^}]*\}", " ", text)
        if PROSE.search(text):
            found.append((node.lineno, node.value))
    return found


def test_coverage_heuristic_catches_bare_english():
    planted = 'ax.set_title("How many customers know the brand?")\nx = f"{n} customers in total"\n'
    assert [line for line, _ in _english_prose(planted)] == [1, 2]
    clean = 'ax.set_title(_("How many?"))\nax.legend(loc="upper left")\nd = {"a b": 1}\n'
    assert _english_prose(clean) == []


# Literals that look like prose but are not shown as English text (with the reason).
ALLOWED = {
    "sim/outputs/report.py": {
        "system-ui, -apple-system, ",  # CSS (fonts)
    },
    "sim/outputs/figures.py": {
        ": cannot create (",  # one-line errors stay English, as every CLI error does
    },
    "sim/outputs/figure_style.py": {
        ": cannot write (",  # one-line errors stay English, as every CLI error does
    },
    "sim/outputs/sweep_figures.py": {
        "^(Communities|Small world",  # a pattern stripped from schema descriptions
    },
    "sim/outputs/paramlabels.py": set(),
    "sim/outputs/setup_words.py": set(),
    "sim/outputs/pages.py": set(),
    "sim/engine/mechanisms.py": set(),
}


@pytest.mark.parametrize("path", sorted(ALLOWED))
def test_report_and_figures_hold_no_bare_english(path):
    found = [
        (line, text)
        for line, text in _english_prose((ROOT / path).read_text(encoding="utf-8"))
        if not any(text.lstrip().startswith(a) or a in text for a in ALLOWED[path])
    ]
    assert not found, f"{path}: wrap these in _() or N_(): {found}"


# ------------------------------------------------- arms and spreadsheets in bokmål (issue 25.6)


def test_pages_name_a_studys_arms_in_words_with_their_push_shares():
    from sim.outputs.pages import StudyText
    from sim.outputs.report import html_translator

    arms = [
        {"name": "push_20", "push_share": 1.0},
        {"name": "push_75", "push_share": 0.75},
        {"name": "none", "push_share": 0.0},
        {"name": "cheap", "push_share": 1.0},
    ]
    nb = StudyText(html_translator("nb"), arms)
    assert nb.arm("push_20") == "reklame 20"
    assert nb.arm("push_75") == "miks (75 % reklame)"  # a frontier's mix, not a budget of 75
    assert nb.arm("cheap") == "cheap"  # the scenario's own name, as written
    assert nb.arm("mix") == "miks"  # not one of the study's arms: by its name alone
    en = StudyText(html_translator("en"), arms)
    assert en.arm("push_20") == "push 20" and en.arm("push_75") == "mix (75 % push)"
    # The page escapes a name (plain text) when it fills a message with it.
    assert nb("{arm} minus {versus}", arm="<b>", versus=nb.arm("mix")) == "&lt;b&gt; minus miks"


def test_spreadsheet_copies_in_norwegian_locale(tmp_path):
    import pandas as pd

    from sim.study.runs import spreadsheet_copies, write_table

    table = pd.DataFrame(
        {"arm": ["push", "=cmd", "blåbær"], "week": [0, 1, 2], "awareness": [0.25, 1.5, -0.125]}
    )
    write_table(tmp_path / "timeseries.csv", table)
    before = (tmp_path / "timeseries.csv").read_bytes()
    (written,) = spreadsheet_copies(tmp_path, "nb")  # no summary.csv here: only the one
    assert written.name == "timeseries-nb.csv"
    raw = written.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheets read UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "arm;week;awareness"
    assert "push;0;0,25" in text and "'=cmd;1;1,5" in text and "-0,125" in text
    back = pd.read_csv(written, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["awareness"].tolist() == [0.25, 1.5, -0.125]
    assert back["arm"].tolist() == ["push", "'=cmd", "blåbær"]  # still safe in a spreadsheet
    assert (tmp_path / "timeseries.csv").read_bytes() == before  # the record is untouched


# ------------------------------------------------------------- report.html's templates (issue 27)


def _bare_template_text(source: str) -> str:
    """What a template writes as literal text: without comments, expressions, statements,
    tags and the style sheet."""
    for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"<style>.*?</style>", r"<[^>]*>"):
        source = re.sub(pattern, " ", source, flags=re.S)
    return source


def test_template_text_goes_through_the_catalogue():
    """Every word a report template shows is inside ``_()`` (so the catalogue has it): what is
    left outside expressions and tags is punctuation."""
    assert re.search("[A-Za-z]", _bare_template_text('<p>{{ _("Setup") }}</p> Setup'))
    templates = sorted((ROOT / "sim" / "outputs" / "templates").rglob("*.html"))
    assert templates
    for path in templates:
        bare = _bare_template_text(path.read_text(encoding="utf-8"))
        assert not re.search(r"[A-Za-zÆØÅæøå]", bare), f"{path.name}: {bare.split()}"
