"""The teaching kit (issue #15): exercises, texts in both languages, and ``workshop build``.

The build test makes the kit at its small size once (module fixture) and checks that every
exercise's scenario ran, that every number of the key is the one its runs produce (recomputed
here from the saved time series with plain pandas, not with the kit's own code), and that both
languages have every text.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.engine.measures import LOWER_IS_BETTER, MEASURE_NAMES
from sim.study.overrides import parse_assignment
from sim.study.scenario import load_scenario
from sim.workshop import markdown, pages, pdf, texts
from sim.workshop.exercises import BY_ID, EXERCISES, PLANS, SMALL_OVERRIDES

ROOT = Path(__file__).resolve().parents[1]
BUILD = {"options": "", "date": "2026-01-01", "version": "test", "small": None}  # the footer


def test_both_languages_have_every_text():
    assert texts.all_problems() == []
    for lang in ("en", "nb"):
        text = texts.load(lang)
        for exercise in EXERCISES:
            entry = text["exercise"][exercise.id]
            assert entry["predict"] and entry["discuss"] and entry["extensions"]
            for m in exercise.measures:
                assert m in text["measures"], f"{lang}: no label for measure {m}"
        for plan in PLANS:
            assert text["plan"][plan.id]["steps"]


def test_the_check_finds_a_kit_text_without_translation(monkeypatch):
    """problems() is able to fail: a kit text the catalogue lacks in bokmål is reported."""
    import sim.i18n

    goal = texts.english()["exercise"]["crisis"]["goal"]
    table = {k: v for k, v in sim.i18n.catalogue("nb").items() if k != goal}
    monkeypatch.setattr(sim.i18n, "catalogue", lambda lang: table)
    assert texts.problems("nb") == [f"nb: no translation of {goal!r}"]


def test_the_kit_texts_are_catalogue_messages():
    """Every string of text/kit.toml and every _("...") of the kit's templates is read by the
    extractor (python -m sim.i18n.extract), so the catalogue's checks cover them."""
    from sim.i18n import extract

    used = extract.messages()
    for message in texts.strings():
        assert "sim/workshop/text/kit.toml" in used[message], message
    assert "sim/workshop/templates/partials/results.html" in used["Who leads"]
    assert "sim/workshop/templates/exercise.md" in used["Learning goal"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_exercise_fits_its_scenario_and_its_extensions_are_valid(exercise):
    scenario = load_scenario(exercise.scenario, preflight=False)
    assert exercise.versus in scenario.arm_names
    assert set(exercise.measures) <= set(MEASURE_NAMES)
    assert exercise.figure in MEASURE_NAMES
    assert max(exercise.weeks) <= scenario.weeks
    assert (exercise.command == "sweep") == scenario.has_sweep
    for lang in ("en", "nb"):
        for extension in texts.load(lang)["exercise"][exercise.id]["extensions"]:
            for assignment in re.findall(r"--set (\S+)", extension):
                assignment = assignment.rstrip(".;,)")
                load_scenario(exercise.scenario, [parse_assignment(assignment)], preflight=False)


def test_exercise_pages_are_generated_from_the_texts():
    for exercise in EXERCISES:
        path = ROOT / "docs" / "workshop" / exercise.folder / "README.md"
        assert path.read_text(encoding="utf-8") == markdown.page(exercise), (
            f"{path} is stale: python -m sim.workshop.markdown docs/workshop"
        )


def test_numbers_are_formatted_per_language():
    assert pages.number(1234.4, "en") == "1,234"
    assert pages.number(0.12345, "en") == "0.123"
    assert pages.number(0.12345, "nb") == "0,123"
    assert pages.number(-1234.0, "nb") == "\u22121\u00a0234"  # a minus sign
    assert pages.value("awareness", 0.711, "nb") == "71\u00a0%"  # shares as the app shows them
    assert pages.value("awareness", 0.711, "en") == "71%"  # Babel's percent of each locale
    assert pages.value("awareness", 0.0004, "en") == "0%"
    assert pages.value("awareness", -0.031, "nb", diff=True) == "\u22123,1"  # points
    assert pages.value("profit", 1322.0, "en", diff=True) == "+1,322"
    assert pages.number(None, "nb") == "-"
    assert pages.number(-0.0001, "en") == "-0.0001" and pages.number(-0.0, "en") == "0"
    assert pages.number(-2.71e-05, "nb") == "\u22122,71e\u221205"  # Babel's minus, exponent too
    share = {"mean": 0.12, "low": 0.104, "high": 0.14}
    assert pages.interval("awareness", share, "nb") == "12\u00a0% [10; 14\u00a0%]"
    assert pages.interval("awareness", share, "en") == "12% [10, 14%]"
    assert pages.interval("profit", {"mean": -5, "low": -9, "high": 2}, "nb", diff=True) == (
        "\u22125 [\u22129; +2]"
    )


def test_the_kits_words_escape_what_they_are_filled_with():
    """``_`` of the kit's templates escapes the message and every value (quotes too, as the
    pages always were), keeps markup, and writes commands as the user runs the program."""
    from markupsafe import Markup

    words = pages.KitText("en")
    assert words("{arm} leads", arm="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt; leads"
    assert words("{arm} leads", arm=Markup("<b>x</b>")) == "<b>x</b> leads"
    assert words("Why must advertising repeat at all (look at 'forgot the brand')?") == (
        "Why must advertising repeat at all (look at &#x27;forgot the brand&#x27;)?"
    )
    html = pages.render("partials/plan_table.html", "nb", plan=PLANS[0])
    assert html.startswith("<table class=plan><tr><th>Tid</th>") and "<code>" not in html


def test_workshop_build_refuses_a_folder_in_use(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("a student's notes")
    status = main(["workshop", "build", "--small", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "exists and is not an empty folder" in err and err.count("\n") == 1
    assert (tmp_path / "mine.txt").read_text() == "a student's notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


# --------------------------------------------------------------------------- the build


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kit") / "kit"
    # PDFs are checked once on their own below (a browser per build costs seconds).
    assert main(["workshop", "build", "--small", "--quiet", "--no-pdf", "--out", str(out)]) == 0
    return out


def _text_of(html: str) -> str:
    html = re.sub(r"<img[^>]*>", "", html)
    return re.sub(r"<[^>]+>", " ", html).replace("&minus;", "-").replace("&amp;", "&")


@pytest.mark.slow
def test_every_exercise_ran_at_the_small_size(kit):
    n, reps = dict(SMALL_OVERRIDES)["network.n"], dict(SMALL_OVERRIDES)["replicates"]
    for exercise in EXERCISES:
        folder = kit / "runs" / exercise.id
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["completed"] is True
        assert manifest["scenario"]["params"]["network"]["n"] == n
        table = pd.read_csv(folder / "timeseries.csv")
        assert table["replicate"].nunique() == reps
        assert set(table["arm"]) == {a["name"] for a in manifest["scenario"]["arms"]}


@pytest.mark.slow
def test_every_number_in_the_key_comes_from_the_runs(kit):
    """Each level of the key's tables is the mean over replicates of the saved runs at that
    week (recomputed here), and is printed in both languages' keys."""
    found = json.loads((kit / "findings.json").read_text())
    keys = {lang: _text_of((kit / lang / "halfday-key.html").read_text()) for lang in ("en", "nb")}
    checked = 0
    for exercise in EXERCISES:
        table = pd.read_csv(kit / "runs" / exercise.id / "timeseries.csv")
        result = found[exercise.id]
        if result["kind"] == "run":
            assert [t["week"] for t in result["tables"]] == list(exercise.weeks)
            for t in result["tables"]:
                rows = table[table["week"] == t["week"]]
                for item in t["arms"]:
                    for m, ci in item["measures"].items():
                        expected = rows.loc[rows["arm"] == item["arm"], m].mean()
                        if ci["mean"] is None:  # undefined (e.g. outside a target that is none)
                            assert math.isnan(expected)
                            continue
                        assert ci["mean"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
                        for lang, key in keys.items():
                            assert pages.value(m, ci["mean"], lang) in key
                        checked += 1
            for lead in result["leads"]:
                rows = table[table["week"] == lead["week"]]
                means = rows.groupby("arm")[lead["measure"]].mean()
                if lead["measure"] in LOWER_IS_BETTER:  # spending nothing is not in that race
                    means = means.drop("none", errors="ignore")
                assert lead["leader_mean"] == pytest.approx(means[lead["leader"]])
                best = means.min() if lead["measure"] in LOWER_IS_BETTER else means.max()
                assert lead["leader_mean"] == pytest.approx(best)
            for pay in result["pays"]:
                last = table[table["week"] == table["week"].max()]
                profit = last.loc[last["arm"] == pay["arm"], "profit"].mean()
                assert pay["profit"]["mean"] == pytest.approx(profit)
        else:
            last = table[table["week"] == table["week"].max()]
            for point in result["points"]:
                rows = last
                for path, value in point["point"].items():
                    rows = rows[rows[path] == value]
                means = rows.groupby("arm")["profit"].mean()
                assert point["best"] == means.idxmax()
                for arm, levels in point["levels"].items():
                    assert levels["profit"]["mean"] == pytest.approx(means[arm])
                    checked += 1
    assert checked > 100


@pytest.mark.slow
def test_every_page_of_the_kit_is_complete_in_both_languages(kit):
    listing = json.loads((kit / "kit.json").read_text())
    for name in listing["files"]:
        assert (kit / name).is_file(), name
    for lang in ("en", "nb"):
        text = texts.load(lang)
        for plan in PLANS:
            for kind in ("worksheet", "key", "slides"):
                html = (kit / lang / f"{plan.id}-{kind}.html").read_text(encoding="utf-8")
                assert f'<html lang="{lang}"' in html
                assert not re.search(r"\{\w+\}", _text_of(html)), f"{lang} {plan.id} {kind}"
                assert 'src="http' not in html and 'href="http' not in html  # self-contained
                for ex_id in plan.exercises:
                    assert text["exercise"][ex_id]["title"] in html
                if kind != "worksheet":
                    assert html.count("data:image/png;base64,") == len(plan.exercises)
        for exercise in EXERCISES:
            png = (kit / lang / "figures" / f"{exercise.id}.png").read_bytes()
            width, height = struct.unpack(">II", png[16:24])
            assert (width, height) == (1600, 900)
    # The two languages differ where they should: the bokmål key is not the English one.
    en = (kit / "en" / "90min-key.html").read_text()
    nb = (kit / "nb" / "90min-key.html").read_text()
    assert "Fasit for kursleder" in nb and "Facilitator key" in en
    # A shortfall is said as an amount: never "less ... by -3".
    assert "by -" not in _text_of(en) and "med -" not in _text_of(nb)
    assert "med \u2212" not in _text_of(nb)


@pytest.mark.slow
def test_the_key_answers_each_prediction_first_with_its_number(kit):
    """One short answer per prediction question, before the tables, each with a number (a
    percentage for a share) and, where it compares, an interval and a verdict."""
    found = json.loads((kit / "findings.json").read_text())
    for lang in ("en", "nb"):
        text = texts.load(lang)
        html = (kit / lang / "halfday-key.html").read_text(encoding="utf-8")
        halfday = next(p for p in PLANS if p.id == "halfday")
        plan_exercises = [BY_ID[e] for e in halfday.exercises]
        blocks = html.split("<h2>")[1:]
        for exercise, block in zip(plan_exercises, blocks, strict=True):
            answers = block.split("<ol class=answers>\n", 1)[1].split("</ol>", 1)[0]
            lines = re.findall(r"<li>(.*?)</li>", answers)
            assert len(lines) == len(text["exercise"][exercise.id]["predict"]), exercise.id
            for line in lines:
                assert re.search(r"\d", line), line
            percent = "\u00a0%" if lang == "nb" else "%"
            for answer, line in zip(found[exercise.id]["answers"], lines, strict=True):
                if pages.is_share(answer["measure"]) and answer["kind"] != "change":
                    assert percent in line, line
        # the answers come first: before the exercise's first table
        for block in html.split("<h2>")[2:]:
            assert block.index("class=answers") < block.index("<table"), block[:80]


@pytest.mark.slow
def test_the_key_says_nothing_trivially_true(kit):
    """Spending nothing does not "lead" on irritation or complaints, and no lead is 0 over 0."""
    found = json.loads((kit / "findings.json").read_text())
    for exercise in EXERCISES:
        for lead in found[exercise.id].get("leads", []):
            assert not (lead["leader"] == "none" and lead["measure"] in LOWER_IS_BETTER), lead
            assert not (lead["leader_mean"] == 0 and lead["runner_up_mean"] == 0), lead


def test_debrief_figures_show_what_the_questions_ask_about():
    for exercise in EXERCISES:
        asked = {a.measure for a in exercise.answers if a.kind not in ("sweep_best",)}
        if exercise.command == "run":
            shown = set(exercise.figure_measures)
            assert shown & asked, exercise.id
        assert len(exercise.answers) == len(texts.load("en")["exercise"][exercise.id]["predict"])
    assert set(BY_ID["louder"].figure_measures) >= {"awareness", "irritated"}


def test_worksheets_keep_headings_with_their_text():
    css = (ROOT / "sim" / "workshop" / "templates" / "partials" / "kit.css").read_text()
    assert "h2,h3{break-after:avoid" in css and "break-inside:avoid" in css


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_worksheet_is_at_most_two_pages_per_exercise(tmp_path, lang):
    """Each exercise's worksheet alone, printed to A4 by chromium: the plan's page and at
    most two pages for the exercise."""
    reason = pdf.why_not()
    if reason is not None:
        if os.environ.get("RECLAMARE_REQUIRE_BROWSER"):
            pytest.fail(f"no PDF: {reason}")
        pytest.skip(f"no PDF here: {reason}")
    from sim.workshop.exercises import Plan

    pairs = []
    for exercise in EXERCISES:
        plan = Plan("90min", 90, (exercise.id,))
        page = tmp_path / f"{exercise.id}.html"
        page.write_text(pages.document("worksheet", plan, lang, BUILD), encoding="utf-8")
        pairs.append((page, tmp_path / f"{exercise.id}.pdf"))
    pdf.to_pdf(pairs)
    for _, target in pairs:
        count = len(re.findall(rb"/Type\s*/Page\b", target.read_bytes()))
        assert count <= 3, f"{lang} {target.stem}: {count} pages (plan + 2 at most)"


def test_pages_print_to_pdf_with_the_system_chromium(tmp_path):
    """The PDF step: a kit page (with a figure) printed by headless chromium, offline."""
    reason = pdf.why_not()
    if reason is not None:
        if os.environ.get("RECLAMARE_REQUIRE_BROWSER"):  # CI: the browser must be there
            pytest.fail(f"no PDF: {reason}")
        pytest.skip(f"no PDF here: {reason}")
    page = tmp_path / "page.html"
    page.write_text(pages.plan_table(PLANS[0], "nb"), encoding="utf-8")
    target = tmp_path / "page.pdf"
    pdf.to_pdf([(page, target)])
    data = target.read_bytes()
    assert data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:]
