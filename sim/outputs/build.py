"""Draw a results folder's figures and write its report.html, from what the study saved."""

from __future__ import annotations

from pathlib import Path

from sim.study.conduct import saved_tables
from sim.study.results import FolderLock, read_manifest


def rebuild(folder: Path) -> tuple[dict, bool]:
    """Figures (``figures/*.png``) and ``report.html`` of a finished or interrupted study.

    The command line calls this after a study, and ``report RESULTS_DIR`` calls it on an
    existing folder. An incomplete folder is reported from the runs that finished (marked as
    incomplete). Returns (summary, complete). Holds the folder's lock meanwhile (a study still
    writing the folder makes this a one-line ResultsError).
    """
    from sim.outputs.figures import make_figures
    from sim.outputs.report import write_report

    folder = Path(folder)
    read_manifest(folder)  # a results folder at all? (before a lock file is made in it)
    with FolderLock(folder):
        manifest, table, summary, complete = saved_tables(folder)
        figures = make_figures(folder / "figures", manifest["scenario"], table, summary)
        write_report(folder / "report.html", manifest, summary, figures, complete=complete)
    return summary, complete
