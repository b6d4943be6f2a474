"""Draw a results folder's figures and write its report.html, from what the study saved."""

from __future__ import annotations

from pathlib import Path

from sim.study.conduct import saved_tables


def rebuild(folder: Path) -> tuple[dict, bool]:
    """Figures (``figures/*.png``) and ``report.html`` of a finished or interrupted study.

    The command line calls this after a study, and ``report RESULTS_DIR`` calls it on an
    existing folder. An incomplete folder is reported from the runs that finished (marked as
    incomplete). Returns (summary, complete).
    """
    from sim.outputs.figures import make_figures
    from sim.outputs.report import write_report

    folder = Path(folder)
    manifest, table, summary, complete = saved_tables(folder)
    figures = make_figures(folder / "figures", manifest["scenario"], table, summary)
    write_report(folder / "report.html", manifest, summary, figures, complete=complete)
    return summary, complete
