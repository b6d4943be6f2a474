"""Running a scenario from Python, the way ``run_sim.py run`` does from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.study.conduct import StudyOutcome, execute
from sim.study.scenario import load_scenario


def run_scenario(
    scenario: str | Path = "default",
    *,
    settings: dict[str, Any] | None = None,
    sweep: bool = False,
    out: str | Path | None = None,
    figures: bool = True,
    quiet: bool = True,
    results_root: str | Path = "results",
    lang: str | None = None,
    **top_level: Any,
) -> StudyOutcome:
    """Run a shipped scenario (by name) or a scenario file into a results folder.

    Parameters
    ----------
    scenario : str or Path
        A shipped scenario's name (``"default"``, ``"crisis"``, ...) or a TOML file's path.
    settings : dict, optional
        Dotted parameter paths and values, as ``--set`` takes them on the command line,
        e.g. ``{"network.n": 500, "arms.push.budget": 30}``.
    sweep : bool
        Run the scenario's ``[sweep]`` grid (the ``sweep`` command) instead of its base setting.
    out : str or Path, optional
        Results folder (default: ``results/<scenario>/<timestamp>/``); an interrupted study
        resumes in it.
    figures : bool
        Also draw the figures and write report.html.
    lang : str, optional
        Language of report.html and the figures, ``"en"`` or ``"nb"`` (``sim.i18n.LANGUAGES``);
        default ``$RECLAMARE_LANG``, else English. Recorded in the manifest.
    **top_level
        Top-level scenario fields such as ``weeks=26``, ``replicates=4``, ``seed=7``.

    Returns
    -------
    StudyOutcome
        ``.out`` is the results folder, ``.summary`` the final-week summary.
    """
    from sim.i18n import DEFAULT_LANGUAGE, check_language, language_from_env

    lang = check_language(lang) if lang is not None else language_from_env() or DEFAULT_LANGUAGE
    overrides = list((settings or {}).items()) + list(top_level.items())
    loaded = load_scenario(scenario, overrides)
    outcome = execute(
        loaded,
        sweep=sweep,
        out=Path(out) if out is not None else None,
        quiet=quiet,
        argv=[],
        results_root=results_root,
    )
    from sim.outputs.build import rebuild, record_language

    if figures:
        rebuild(outcome.out, lang)
    else:
        record_language(outcome.out, lang)
    return outcome
