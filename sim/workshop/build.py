"""Build the whole kit into one folder: runs, figures, worksheets, keys, slides (and PDFs).

Layout of the folder::

    runs/<exercise>/            each exercise's study (timeseries.csv, summary.json, manifest)
    findings.json               the key's results, as computed from those runs
    <lang>/figures/<exercise>.png
    <lang>/<plan>-worksheet.html (.pdf), <lang>/<plan>-key.html (.pdf), <lang>/<plan>-slides.html
    kit.json                    what was built, with which options, and every file

``--small`` runs every exercise at 200 customers and 3 replicates (a check; the key says so).

An answer over plausible markets (the frontier's "in what share of the markets consistent with
the evidence ...") runs its scenario once in each of its N plausible markets
(``findings.plausible_share``; ``SMALL_MARKETS`` of them at ``--small``); without a shipped
plausible set the key says so in one line and the build goes on.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from sim.i18n import LANGUAGES
from sim.study.conduct import execute
from sim.study.folders import write_json
from sim.study.runner import InProcessExecutor
from sim.study.scenario import load_scenario
from sim.workshop import figures, pages, pdf, texts
from sim.workshop.exercises import EXERCISES, PLANS, SMALL_MARKETS, SMALL_OVERRIDES
from sim.workshop.findings import findings, plausible_share


def run_exercises(out: Path, small: bool, log) -> dict[str, Path]:
    """Run every exercise's scenario into ``out/runs/<id>``; returns id -> results folder."""
    folders = {}
    overrides = list(SMALL_OVERRIDES) if small else []
    for exercise in EXERCISES:
        scenario = load_scenario(exercise.scenario, overrides)
        folder = out / "runs" / exercise.id
        log(f"running {exercise.scenario} ({exercise.command})")
        execute(
            scenario,
            sweep=exercise.command == "sweep",
            out=folder,
            executor=InProcessExecutor(),
            quiet=True,
            argv=["workshop", "build"],
        )
        folders[exercise.id] = folder
    return folders


def run_over_markets(small: bool, log) -> dict[str, dict[int, dict]]:
    """Every ``"plausible_share"`` answer's runs over plausible markets; returns exercise id ->
    answer index -> result (``findings.plausible_share``)."""
    overrides = list(SMALL_OVERRIDES) if small else []
    out: dict[str, dict[int, dict]] = {}
    for exercise in EXERCISES:
        for i, answer in enumerate(exercise.answers):
            if answer.kind != "plausible_share":
                continue
            markets = SMALL_MARKETS if small else answer.markets
            log(f"running {answer.scenario} in {markets} plausible markets")
            result = plausible_share(answer, markets, overrides)
            if "missing" in result:
                log(f"note: {exercise.id}: no answer over plausible markets ({result['missing']})")
            out.setdefault(exercise.id, {})[i] = result
    return out


def build_kit(
    out: Path,
    *,
    small: bool = False,
    langs: tuple[str, ...] = LANGUAGES,
    make_pdf: bool = True,
    log=print,
) -> dict:
    """Build the kit into the (new, empty) folder ``out``; returns the contents of kit.json."""
    from sim.study.manifest import package_versions

    folders = run_exercises(out, small, log)
    over_markets = run_over_markets(small, log)
    found = {e.id: findings(e, folders[e.id], over_markets.get(e.id)) for e in EXERCISES}
    write_json(out / "findings.json", found)
    version = package_versions().get("reclamare") or "source"
    date = datetime.date.today().isoformat()
    options = (" --small" if small else "") + (
        "" if tuple(langs) == LANGUAGES else f" --lang {langs[0]}"
    )
    written, html_files = [], []
    small_size = None
    if small:
        overrides = dict(SMALL_OVERRIDES)
        small_size = {"customers": overrides["network.n"], "replicates": overrides["replicates"]}
    build = {"options": options, "date": date, "version": version, "small": small_size}
    for lang in langs:
        text = texts.load(lang)
        folder = out / lang
        pngs = {}
        for exercise in EXERCISES:
            target = folder / "figures" / f"{exercise.id}.png"
            pngs[exercise.id] = figures.debrief_figure(
                exercise, folders[exercise.id], text, target, lang
            )
            written.append(target)
        for plan in PLANS:
            for kind in ("worksheet", "key"):
                page = pages.document(kind, plan, lang, build, found, pngs)
                path = folder / f"{plan.id}-{kind}.html"
                path.write_text(page, encoding="utf-8")
                written.append(path)
                html_files.append(path)
            path = folder / f"{plan.id}-slides.html"
            path.write_text(pages.slides(plan, lang, pngs, build), encoding="utf-8")
            written.append(path)
    pdf_note = None
    if make_pdf:
        pdf_note = pdf.why_not()
        if pdf_note is None:
            pairs = [(h, h.with_suffix(".pdf")) for h in html_files]
            pdf.to_pdf(pairs)
            written += [p for _, p in pairs]
        else:
            log(f"note: PDFs skipped: {pdf_note}; the HTML files print from any browser")
    else:
        pdf_note = "not asked for (--no-pdf)"
    kit = {
        "small": small,
        "languages": list(langs),
        "plans": [p.id for p in PLANS],
        "exercises": [e.id for e in EXERCISES],
        "pdf": pdf_note or "made",
        "date": date,
        "files": [str(p.relative_to(out)) for p in written],
    }
    write_json(out / "kit.json", kit)
    return kit
