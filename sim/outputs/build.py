"""Draw a results folder's figures and write its report.html, from what the study saved."""

from __future__ import annotations

from pathlib import Path

from sim.i18n import DEFAULT_LANGUAGE, LANGUAGES, check_language
from sim.study.conduct import saved_tables
from sim.study.folders import MANIFEST, FolderLock, write_json
from sim.study.manifest import read_manifest


def rebuild(folder: Path, lang: str | None = None) -> tuple[dict, bool]:
    """Figures (``figures/*.png``) and ``report.html`` of a finished or interrupted study.

    The command line calls this after a study, and ``report RESULTS_DIR`` calls it on an
    existing folder. An incomplete folder is reported from the runs that finished (marked as
    incomplete). ``lang`` is the language of the report and the figures' labels
    (``sim.i18n.LANGUAGES``); None keeps the language the manifest records (English when it
    records none). The language used is recorded in the manifest (``"language"``). Returns
    (summary, complete). Holds the folder's lock meanwhile (a study still writing the folder
    makes this a one-line ResultsError).
    """
    folder = Path(folder)
    if lang is not None:
        check_language(lang)
    read_manifest(folder)  # a results folder at all? (before a lock file is made in it)
    with FolderLock(folder):
        manifest, table, summary, complete = saved_tables(folder)
        lang = lang or recorded_language(manifest)
        _record(folder, manifest, lang)
        draw(folder, manifest, table, summary, complete, lang)
    return summary, complete


def draw(
    folder: Path, manifest: dict, table, summary: dict, complete: bool = True, lang: str = "en"
) -> None:
    """Draw ``figures/*.png`` and write ``report.html`` (the caller holds the folder's lock).

    Every file is written whole or not at all; a failure (a full disk) is a one-line
    ResultsError naming the file.
    """
    from sim.outputs.figures import make_figures
    from sim.outputs.report import write_report
    from sim.study.markets import point_columns, read_plausible

    folder = Path(folder)
    plausible = read_plausible(folder)
    if plausible is not None and point_columns(plausible):
        plausible = None  # a sweep's shares per grid point: plausible.csv and the terminal only
    figures = make_figures(folder / "figures", manifest["scenario"], table, summary, lang)
    write_report(
        folder / "report.html",
        manifest,
        summary,
        figures,
        complete=complete,
        lang=lang,
        plausible=plausible,
    )


def drawer(lang: str, figures: bool = True):
    """The ``draw`` step a study calls before it marks its folder complete
    (``sim.study.conduct.execute``): records ``lang`` in the manifest and, with ``figures``,
    draws in it (without, a later ``report RESULTS_DIR`` draws them in that language)."""
    check_language(lang)

    def draw_study(folder: Path, manifest: dict, table, summary: dict) -> None:
        manifest["language"] = lang
        if figures:
            draw(folder, manifest, table, summary, True, lang)

    return draw_study


def recorded_language(manifest: dict) -> str:
    """The language a manifest records for its report (English when none or unknown)."""
    lang = manifest.get("language")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def record_language(folder: Path, lang: str) -> None:
    """Record ``lang`` in a results folder's manifest (for a study run without figures, so that
    a later ``report RESULTS_DIR`` draws them in that language)."""
    check_language(lang)
    folder = Path(folder)
    read_manifest(folder)
    with FolderLock(folder):
        _record(folder, read_manifest(folder), lang)


def _record(folder: Path, manifest: dict, lang: str) -> None:
    if manifest.get("language") != lang:
        manifest["language"] = lang
        write_json(folder / MANIFEST, manifest)
