"""Carry out a study: plan -> executor -> runs saved as they finish -> tables and summaries.

Figures and report.html are drawn afterwards by the caller (``sim.outputs.build``): the study
layer never imports the outputs layer.

The executor only decides where tasks run. Anything with
``map_unordered(tasks, fn) -> iterator of (task, records)`` and ``close()`` works
(``sim.study.runner.InProcessExecutor`` runs them here, one after another; a Dask executor can run
them
on many workers). Results never depend on the executor or the completion order.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sim.shipped import command_name
from sim.study.folders import (
    MANIFEST,
    RUNS,
    FolderLock,
    ResultsError,
    clear_incomplete,
    create_default_folder,
    create_out_dir,
    default_out_dir,
    discard_new_folder,
    file_sha256,
    free_sibling,
    mark_incomplete,
    now_iso,
    write_json,
    write_text,
)
from sim.study.manifest import (
    check_out_dir,
    code_version,
    new_manifest,
    read_manifest,
    run_list_problem,
    study_identity,
)
from sim.study.runner import InProcessExecutor, RunTask, run_task
from sim.study.runs import (
    assemble,
    done_keys,
    read_file_bytes,
    recorded_hashes,
    remove_stale_temporaries,
    run_path,
    run_problem,
    set_aside,
    table_text,
    write_run,
    write_table,
)
from sim.study.scenario import Scenario
from sim.study.summaries import study_context, summarise, write_summaries


@dataclass
class StudyOutcome:
    out: Path
    completed: bool
    runs_done: int
    runs_total: int
    ran_now: int
    seconds: float
    summary: dict | None = None


def prepare(
    scenario: Scenario,
    sweep: bool,
    out: Path | None,
    results_root: Path | str = "results",
    new_folder: bool = False,
) -> tuple[list[RunTask], dict, Path, bool, dict]:
    """Plan the study and choose its folder; raise ResultsError when the folder can't be used.

    Returns (tasks, resolved study, folder, resuming?, identity): the identity
    (``manifest.study_identity``) hashes the settings, every scenario file, every network file
    and the code, so a folder is only resumed by the same study on the same inputs. With
    ``new_folder`` an ``out`` that holds anything is not resumed: the study goes to the first
    free ``OUT-2``, ``OUT-3``, ... beside it. Creates nothing.
    """
    tasks = scenario.plan(sweep=sweep)
    study = scenario.resolved(sweep=sweep)
    identity = study_identity(study, tasks, scenario.layers)
    if out is None:
        folder = default_out_dir(scenario.name, results_root)
        resuming = False
    else:
        folder = Path(out)
        if new_folder:
            folder = free_sibling(folder)
        resuming = check_out_dir(folder, identity)
    return tasks, study, folder, resuming, identity


def execute(
    scenario: Scenario,
    *,
    sweep: bool = False,
    out: Path | None = None,
    executor=None,
    quiet: bool = False,
    argv: list[str] | None = None,
    results_root: Path | str = "results",
    log=None,
    new_folder: bool = False,
    draw=None,
) -> StudyOutcome:
    """Run every missing task of the study into its results folder and write all outputs.

    ``draw(folder, manifest, table, summary)``, when given, draws the figures and report while
    the folder is still locked and not yet complete (it may set keys of ``manifest``, which is
    written afterwards): a folder says ``completed: true`` only once they are written.
    ``new_folder``: see :func:`prepare`.

    The folder is created (exclusively, for the default timestamped one) and locked for the
    whole study: a second writer is refused with a ResultsError naming this process. On Ctrl-C
    (KeyboardInterrupt) the finished runs are kept, the manifest says ``completed: false``, an
    ``INCOMPLETE`` note says what happened and how to resume, and KeyboardInterrupt is raised
    again (with ``.outcome`` set) for the caller to exit with status 130. On any other error
    (a full disk, a run that fails) the note says so and the error is raised again; a folder
    created by this call in which no run finished is removed.
    """
    log = log or (lambda text: print(text, file=sys.stderr))
    argv = list(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    tasks, study, folder, _, identity = prepare(scenario, sweep, out, results_root, new_folder)
    if out is None:
        folder = create_default_folder(scenario.name, results_root)
        created = True
    else:
        created = create_out_dir(folder)
    lock = FolderLock(folder)
    try:
        lock.acquire()
        # Checked again under the lock: another writer may have used the folder meanwhile.
        resuming = out is not None and check_out_dir(folder, identity)
    except BaseException:
        lock.release()
        if created:
            discard_new_folder(folder)
        raise
    try:
        return _execute_locked(
            scenario,
            tasks,
            study,
            folder,
            resuming,
            created,
            identity,
            sweep,
            executor,
            quiet,
            argv,
            log,
            start,
            draw,
        )
    finally:
        lock.release()


def _execute_locked(
    scenario,
    tasks,
    study,
    folder,
    resuming,
    created,
    identity,
    sweep,
    executor,
    quiet,
    argv,
    log,
    start,
    draw=None,
) -> StudyOutcome:
    """The study in its locked folder (see :func:`execute`)."""
    resume_cmd = _resume_command(argv, folder)
    keys = {t.key for t in tasks}
    try:
        if resuming:
            manifest = read_manifest(folder)
            problem = run_list_problem(manifest)
            planned = [t.key for t in tasks]
            if problem is None and [r["key"] for r in manifest["runs"]] != planned:
                problem = "its list of runs is not this study's plan"
            if problem:
                raise ResultsError(
                    f"{folder / MANIFEST}: {problem} (edited by hand?); it cannot be "
                    "resumed: add --new-folder to start anew beside it"
                )
            # What judges and presents the runs (claims, --versus) is this command's.
            manifest["scenario"] = study
            removed = remove_stale_temporaries(folder)
            if removed:
                log(f"note: removed {len(removed)} temporary file(s) a stopped study left behind")
        else:
            manifest = new_manifest(study, tasks, "sweep" if sweep else "run", argv, identity)
        session = {
            "command": manifest["command"][:1] + argv,
            "started": now_iso(),
            "code": code_version(),
        }
        manifest["sessions"].append(session)
        mark_incomplete(folder, resume_cmd)
        hashes = recorded_hashes(folder, manifest) if resuming else {}
        done = _checked_done(folder, tasks, study, log, hashes) if resuming else set()
        done &= keys
        _record_hashes(manifest, hashes, done)
        manifest["runs_done"] = len(done)
        write_json(folder / MANIFEST, manifest)
    except BaseException:
        if created:
            discard_new_folder(folder)
        raise
    pending = [t for t in tasks if t.key not in done]
    if resuming:
        log(f"Resuming {folder}: {len(done)} of {len(tasks)} runs already done")

    executor = executor or InProcessExecutor()
    bar = progress_bar(len(tasks), len(done), scenario.name, quiet)
    ran_now = 0
    try:
        for task, records in executor.map_unordered(pending, run_task):
            hashes[task.key] = write_run(folder, task, records)
            done.add(task.key)
            ran_now += 1
            bar.update(1)
    except KeyboardInterrupt as interrupt:
        bar.close()
        _close(executor)
        what = f"it was interrupted (Ctrl-C or SIGTERM) at {now_iso()}"
        _record_stop(
            folder, manifest, session, tasks, keys, resume_cmd, what, hashes, interrupted=True
        )
        interrupt.outcome = StudyOutcome(  # type: ignore[attr-defined]
            folder,
            False,
            manifest["runs_done"],
            len(tasks),
            ran_now,
            time.perf_counter() - start,
        )
        interrupt.resume_command = resume_cmd  # type: ignore[attr-defined]
        raise
    except BaseException as error:
        bar.close()
        _close(executor)
        what = _stopped_by(error)
        if created and not done_keys(folder):
            discard_new_folder(folder)
            raise
        _record_stop(folder, manifest, session, tasks, keys, resume_cmd, what, hashes)
        if isinstance(error, ResultsError):
            raise ResultsError(
                f"{error}; {manifest['runs_done']} of {len(tasks)} runs are kept in {folder} "
                "(INCOMPLETE says how to finish)"
            ) from None
        raise
    bar.close()
    _close(executor)

    try:
        _record_hashes(manifest, hashes, done)
        manifest["runs_done"] = len(done)
        table, summary = finish(folder, manifest, with_table=True)
        if draw is not None:
            draw(folder, manifest, table, summary)
        session["ended"] = now_iso()
        manifest["finished"] = session["ended"]
        manifest["completed"] = True
        write_json(folder / MANIFEST, manifest)
        clear_incomplete(folder)
    except KeyboardInterrupt as interrupt:
        what = f"it was interrupted (Ctrl-C or SIGTERM) at {now_iso()} while writing tables"
        _record_stop(
            folder, manifest, session, tasks, keys, resume_cmd, what, hashes, interrupted=True
        )
        interrupt.outcome = StudyOutcome(  # type: ignore[attr-defined]
            folder, False, manifest["runs_done"], len(tasks), ran_now, time.perf_counter() - start
        )
        interrupt.resume_command = resume_cmd  # type: ignore[attr-defined]
        raise
    except BaseException as error:
        what = _stopped_by(error)
        _record_stop(folder, manifest, session, tasks, keys, resume_cmd, what, hashes)
        if isinstance(error, ResultsError):
            raise ResultsError(
                f"{error}; all {len(tasks)} runs are kept in {folder}, marked incomplete: the "
                "same command finishes it"
            ) from None
        raise
    return StudyOutcome(
        folder, True, len(tasks), len(tasks), ran_now, time.perf_counter() - start, summary
    )


def _record_hashes(manifest: dict, hashes: dict[str, str], done: set[str]) -> None:
    """Keep each finished run file's SHA-256 in the manifest's run list."""
    for run in manifest["runs"]:
        if run["key"] in done and run["key"] in hashes:
            run["sha256"] = hashes[run["key"]]
        else:
            run.pop("sha256", None)


def _checked_done(
    folder: Path, tasks: list[RunTask], study: dict, log, hashes: dict[str, str]
) -> set[str]:
    """Keys of the saved runs that this study wrote (their SHA-256 is the one ``hashes``
    records) and that hold complete records; other run files are set aside (renamed
    ``*.csv.bad``) and recomputed, and each is reported in one line."""
    arm_names = [a["name"] for a in study["arms"]]
    saved = done_keys(folder)
    good = set()
    for task in tasks:
        if task.key not in saved:
            continue
        path = run_path(folder, task.key)
        recorded = hashes.get(task.key)
        if recorded is None:
            problem = "this study has no record of writing it (copied in?)"
        elif file_sha256(path, "run file") != recorded:
            problem = "it has changed since this study wrote it"
        else:
            problem = run_problem(path, task, arm_names)
        if problem is None:
            good.add(task.key)
            continue
        aside = set_aside(path)
        log(f"note: {path}: {problem}; recomputing it (the file is kept as {aside.name})")
    return good


def _stopped_by(error: BaseException) -> str:
    """What the folder's INCOMPLETE note says about an error that stopped the study."""
    text = " ".join(str(error).split())[:300] or type(error).__name__
    return f"it stopped at {now_iso()} because of an error: {text}"


def _record_stop(
    folder, manifest, session, tasks, keys, resume_cmd, what, hashes, interrupted=False
):
    """Say in the manifest and the INCOMPLETE note how far the study got and why it stopped.

    Best effort: on a full disk these small writes may fail too, and then the note written at
    the start (the study started and has not finished) stays.
    """
    finished = done_keys(folder) & keys & set(hashes)
    _record_hashes(manifest, hashes, finished)
    done = len(finished)
    manifest["runs_done"] = done
    session["ended"] = now_iso()
    session["interrupted" if interrupted else "error"] = True if interrupted else what
    manifest["completed"] = False
    with contextlib.suppress(ResultsError, OSError):
        write_json(folder / MANIFEST, manifest)
    with contextlib.suppress(ResultsError, OSError):
        mark_incomplete(folder, resume_cmd, f"{what}, after {done} of {len(tasks)} runs")


def finish(folder: Path, manifest: dict, with_table: bool = False):
    """Assemble the tables from ``runs/`` and write timeseries.csv and the summaries; returns
    the summary (with ``with_table``: the time series table and the summary)."""
    study = manifest["scenario"]
    paths = list(study.get("sweep") or {})
    arm_names = [a["name"] for a in study["arms"]]
    table = assemble(folder, manifest["runs"], arm_names, paths)
    write_table(folder / "timeseries.csv", table)
    summary = write_summaries(folder, table, study, paths)
    return (table, summary) if with_table else summary


def saved_tables(folder: Path) -> tuple[dict, object, dict, bool]:
    """What a results folder holds, for drawing its figures and report again.

    Returns (manifest, time series table, summary, complete). The table is always assembled
    from ``runs/``, and nothing is reported that the study did not write: the manifest's run
    list must be its scenario's plan, and each run file must have the SHA-256 the study
    recorded for it (manifests of format 2 on). A complete folder needs every run, and its
    timeseries.csv must be byte for byte the table of its runs (a missing one is written
    again); its summaries are then rewritten from that table. An incomplete folder is
    summarised from the runs that finished (raises ResultsError when none did). Every
    disagreement is a one-line ResultsError naming the file: numbers never change silently.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    study = manifest["scenario"]
    paths = list(study.get("sweep") or {})
    arm_names = [a["name"] for a in study["arms"]]
    complete = bool(manifest.get("completed"))
    refusal = "report never changes numbers silently"
    problem = run_list_problem(manifest)
    if problem:
        raise ResultsError(f"{folder / MANIFEST}: {problem} (edited by hand?); {refusal}")
    checked = manifest.get("format", 1) >= 2
    hashes = recorded_hashes(folder, None if complete else manifest)
    if complete:
        hashes = {r["key"]: r.get("sha256") for r in manifest["runs"]}
    runs = []
    for run in manifest["runs"]:
        path = run_path(folder, run["key"])
        if not path.exists():
            if complete:
                raise ResultsError(f"{path}: missing from a complete study; {refusal}")
            continue
        if checked:
            recorded = hashes.get(run["key"])
            if recorded is None:
                if complete:
                    raise ResultsError(
                        f"{path}: the manifest records no hash for it (edited?); {refusal}"
                    )
                continue  # written by a study killed before it noted it: not counted
            if file_sha256(path, "run file") != recorded:
                raise ResultsError(
                    f"{path}: has changed since the study wrote it (its SHA-256 is not the one "
                    f"recorded); {refusal}: restore it, or rerun the study into a new folder"
                )
        runs.append(run)
    table = assemble(folder, runs, arm_names, paths, allow_missing=not complete)
    if table.empty:
        raise ResultsError(f"{folder}: no finished runs to report on")
    if complete:
        ts = folder / "timeseries.csv"
        text = table_text(table)
        if ts.exists() or ts.is_symlink():
            saved = read_file_bytes(ts, 2**40, "time series table")
            if saved != text.encode("utf-8"):
                raise ResultsError(
                    f"{ts}: does not match the run files in {RUNS}/ (changed or cut after "
                    f"the study?); {refusal}: remove it to have it rebuilt from {RUNS}/"
                )
        else:
            write_text(ts, text)
        summary = write_summaries(folder, table, study, paths)
    else:
        summary = summarise(
            table, arm_names, study["baseline"], paths, contrast=study.get("contrast")
        )
        summary = {"title": study["title"], "scenario": study["name"], **summary}
        summary.update(study_context(table, study, paths))
    return manifest, table, summary, complete


def progress_bar(total: int, initial: int, name: str, quiet: bool, leave: bool = True):
    """A tqdm bar of runs on stderr (none when ``quiet``; off when stderr is not a terminal)."""
    if quiet:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        desc=name,
        unit="run",
        file=sys.stderr,
        disable=None,  # off when stderr is not a terminal
        dynamic_ncols=True,
        leave=leave,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} runs "
        "[{elapsed} elapsed, {remaining} left]",
    )


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _close(executor) -> None:
    close = getattr(executor, "close", None)
    if close is not None:
        close()


def _resume_command(argv: list[str], folder: Path) -> str:
    """The command that finishes this study in this folder (the same, with --out FOLDER)."""
    args = list(argv)
    cleaned = []
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a == "--out":
            skip = i + 1 < len(args)
            continue
        if a.startswith("--out=") or a == "--new-folder":
            continue
        cleaned.append(a)
    if not cleaned:
        cleaned = ["run", "default"]
    return shlex.join([*command_name().split(), *cleaned, "--out", str(folder)])
