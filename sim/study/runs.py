"""Run files: each finished run's records, the checks of a kept one, and the time series.

Each run's records are saved as ``runs/<key>.csv`` as soon as the run finishes (atomically, and
noted with their SHA-256 in the journal ``runs/.finished``), so a rerun only does what is
missing. A resumed study checks each run file it keeps (columns, arms, weeks, replicate, values)
and recomputes the bad ones. The final tables are always assembled from the ``runs/`` files,
sorted by (sweep point, arm order, replicate, week), so they are byte-identical whatever the
executor, worker count, completion order or interruptions. The CSV tables of the folder are
written and read here too: text cells made spreadsheet-safe, files read with a bound.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.engine.measures import MEASURE_NAMES
from sim.network.bounded import FileRefused, read_bounded
from sim.study.folders import (
    JOURNAL,
    MAX_MANIFEST_BYTES,
    RUN_KEY,
    RUNS,
    ResultsError,
    _reason,
    file_sha256,
    write_atomic,
)

if TYPE_CHECKING:
    from sim.study.runner import RunTask


def run_path(out: Path, key: str) -> Path:
    return Path(out) / RUNS / f"{key}.csv"


def write_run(out: Path, task: RunTask, records: pd.DataFrame) -> str:
    """Save one finished run's records atomically as ``runs/<key>.csv``, then note the file's
    SHA-256 in the journal ``runs/.finished``; returns the hash.

    A run file the journal does not list with its hash (copied in, edited, or written by a
    process killed between the two steps) is not trusted by a resume (recomputed) or by
    ``report`` (refused).
    """
    path = run_path(out, task.key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ResultsError(f"{path.parent}: cannot create ({_reason(error)})") from None
    write_table(path, records)
    digest = file_sha256(path, "run file")
    note_finished(out, task.key, digest)
    return digest


def note_finished(out: Path, key: str, digest: str) -> None:
    """Append ``key sha256`` to the journal of finished runs (``runs/.finished``)."""
    path = Path(out) / RUNS / JOURNAL
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
        try:
            os.write(fd, f"{key} {digest}\n".encode())
        finally:
            os.close(fd)
    except OSError as error:
        raise ResultsError(f"{path}: cannot write ({_reason(error)})") from None


def recorded_hashes(out: Path, manifest: dict | None = None) -> dict[str, str]:
    """``{run key: SHA-256}`` of the run files this study wrote: the hashes the manifest keeps,
    then the journal's lines (the later line wins; malformed lines are ignored)."""
    hashes = {}
    for run in (manifest or {}).get("runs") or []:
        if isinstance(run, dict) and isinstance(run.get("sha256"), str):
            hashes[run["key"]] = run["sha256"]
    path = Path(out) / RUNS / JOURNAL
    try:
        data = read_bounded(path, MAX_MANIFEST_BYTES, "journal of finished runs")
    except FileRefused as error:
        if error.missing:
            return hashes
        raise ResultsError(str(error)) from None
    for line in data.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and RUN_KEY.match(parts[0]) and re.fullmatch(r"[0-9a-f]{64}", parts[1]):
            hashes[parts[0]] = parts[1]
    return hashes


def done_keys(out: Path) -> set[str]:
    folder = Path(out) / RUNS
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.glob("*.csv") if not p.name.startswith(".")}


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the temporary files (``.NAME.tmp-PID``) a killed writer left in the folder and in
    runs/; call only while holding the folder's lock. Returns what was removed."""
    removed = []
    for folder in (Path(out), Path(out) / RUNS):
        with contextlib.suppress(OSError):
            for path in folder.iterdir():
                if path.name.startswith(".") and ".tmp-" in path.name and path.is_file():
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed.append(path)
    return removed


# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it literally: prefixed with ``'`` when it starts with a
    character that would make it a formula (``=HYPERLINK(...)``), or with ``'`` itself (so that
    :func:`unsafe_cell` gives every text back exactly)."""
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


def _text_columns(table: pd.DataFrame) -> list:
    """Columns that hold text (pandas 3 strings or Python objects)."""
    return [
        c
        for c in table.columns
        if table[c].dtype == object or pd.api.types.is_string_dtype(table[c].dtype)
    ]


def unsafe_cell(text: str) -> str:
    """The text :func:`safe_cell` was given (one leading ``'`` removed)."""
    return text[1:] if text.startswith("'") else text


def safe_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell made spreadsheet-safe (:func:`safe_cell`); numbers are
    left alone. Arm names are the only text the program writes that a user chose."""
    texts = _text_columns(table)
    if not texts:
        return table
    out = table.copy()
    for column in texts:
        out[column] = out[column].map(lambda v: safe_cell(v) if isinstance(v, str) else v)
    return out


def read_run(path: Path, max_bytes: int = 2**31) -> pd.DataFrame:
    """A run file's records; ResultsError (naming the file) when it is not a readable table."""
    return _read_table(path, max_bytes, "run file")


def _read_table(path: Path, max_bytes: int, what: str) -> pd.DataFrame:
    return _parse_table(read_file_bytes(path, max_bytes, what), path, what)


def read_file_bytes(path: Path, max_bytes: int, what: str) -> bytes:
    try:
        return read_bounded(path, max_bytes, what)
    except FileRefused as error:
        raise ResultsError(str(error)) from None


def _parse_table(data: bytes, path: Path, what: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(io.BytesIO(data))
        for column in _text_columns(table):
            table[column] = table[column].map(lambda v: unsafe_cell(v) if isinstance(v, str) else v)
        return table
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text (byte {error.start})"
    except pd.errors.EmptyDataError:
        problem = "empty"
    except (pd.errors.ParserError, ValueError):
        problem = "not a CSV table"
    raise ResultsError(f"{path}: {problem}, not a readable {what}")


def run_file_limit(arms: int, weeks: int) -> int:
    """Largest plausible size of one run file, in bytes (a row is well under 1 kB)."""
    return 4096 + 1024 * arms * (weeks + 1)


def run_problem(path: Path, task: RunTask, arm_names: list[str]) -> str | None:
    """Why a saved run file is not the complete record of ``task``, or None when it is.

    Checked: a readable CSV table within a plausible size, the columns ``arm, replicate, week``
    and every measure (numbers), exactly the study's arms, weeks 0..weeks for each, and the
    task's replicate.
    """
    try:
        data = read_file_bytes(path, run_file_limit(len(arm_names), task.weeks), "run file")
        frame = _parse_table(data, path, "run file")
    except ResultsError as error:
        return str(error).removeprefix(f"{path}: ")
    if not data.endswith(b"\n"):
        return "its last line is cut off (the file does not end with a line break)"
    fields = {line.count(b",") for line in data.splitlines() if b'"' not in line}
    if len(fields) > 1:
        return "its lines do not all have the same number of fields (cut off or edited)"
    required = ["arm", "replicate", "week", *MEASURE_NAMES]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        return f"columns missing: {', '.join(missing[:3])}" + (" ..." if len(missing) > 3 else "")
    if any(not pd.api.types.is_numeric_dtype(frame[c]) for c in required[1:]):
        return "a measure, week or replicate column holds text"
    if sorted(set(frame["arm"].astype(str))) != sorted(arm_names):
        return "its arms are not the study's arms"
    if not (frame["replicate"] == task.replicate).all():
        return f"its replicate is not {task.replicate}"
    weeks = list(range(task.weeks + 1))
    for _, rows in frame.groupby("arm", sort=False):
        if sorted(rows["week"].tolist()) != weeks:
            return f"weeks are not 0 to {task.weeks} for every arm"
    return values_problem(frame)


# Measures every run has a number for in every week (the others are empty, NaN, when there is
# nothing to measure: no category, nobody aware or reached, nothing spent or sold).
NEVER_EMPTY = (
    "awareness",
    "ever_aware",
    "adoption",
    "net_sentiment",
    "top_box",
    "wom_positive",
    "wom_negative",
    "irritated",
    "spend",
    "heard_via_ad",
    "heard_via_wom",
    "heard_via_dialogue",
    "grps",
    "grps_to_date",
    "weekly_reach",
    "story_reach",
)


def values_problem(frame: pd.DataFrame) -> str | None:
    """Why a run's records hold values no run makes: an empty value in a measure that is never
    empty (:data:`NEVER_EMPTY`), an empty week or replicate, or an infinite number anywhere."""
    for column in ("replicate", "week", *NEVER_EMPTY):
        if column in frame.columns and frame[column].isna().any():
            return f"the column {column!r} has an empty value"
    for column in [c for c in MEASURE_NAMES if c in frame.columns]:
        values = frame[column].to_numpy(float)
        if np.isinf(values).any():
            return f"the column {column!r} has an infinite value"
    return None


def set_aside(path: Path) -> Path:
    """Rename a bad run file to ``<name>.bad`` (kept for inspection, no longer counted as done)."""
    target = path.with_name(path.name + ".bad")
    try:
        os.replace(path, target)
    except OSError as error:
        raise ResultsError(f"{path}: cannot set the bad file aside ({_reason(error)})") from None
    return target


def assemble(
    out: Path,
    run_index: list[dict],
    arm_names: list[str],
    sweep_paths: list[str],
    allow_missing: bool = False,
) -> pd.DataFrame:
    """All runs' records in one table, sorted by (sweep point, arm order, replicate, week).

    ``run_index`` lists each planned run (``key``, ``replicate``, ``point_index``, ``point``) as
    saved in the manifest. Sweeps get a ``point`` column (grid index) and one column per swept
    path before ``arm, replicate, week``.
    """
    frames = []
    for run in run_index:
        path = run_path(out, run["key"])
        if not path.exists():
            if allow_missing:
                continue
            raise ResultsError(f"{out}: run {run['key']} is missing ({path})")
        frame = read_run(path)
        frame = frame.drop(columns=[c for c in sweep_paths if c in frame.columns])
        if sweep_paths:
            frame.insert(0, "point", run["point_index"])
            for i, p in enumerate(sweep_paths):
                frame.insert(1 + i, p, run["point"][p])
        frames.append(frame)
    lead = (["point", *sweep_paths] if sweep_paths else []) + ["arm", "replicate", "week"]
    if not frames:
        return pd.DataFrame(columns=[*lead, *MEASURE_NAMES])
    table = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate(arm_names)}
    table["_arm"] = table["arm"].map(order)
    keys = (["point"] if sweep_paths else []) + ["_arm", "replicate", "week"]
    table = table.sort_values(keys, kind="stable").drop(columns="_arm").reset_index(drop=True)
    rest = [c for c in table.columns if c not in lead]
    return table[lead + rest]


def table_text(table: pd.DataFrame) -> str:
    """A table as the CSV text the results folder holds (text cells spreadsheet-safe)."""
    return safe_cells(table).to_csv(index=False, lineterminator="\n")


def write_table(path: Path, table: pd.DataFrame) -> None:
    """Write a table as CSV atomically (see :func:`write_atomic`), text cells made
    spreadsheet-safe (:func:`safe_cells`)."""
    safe = safe_cells(table)
    write_atomic(path, lambda handle: safe.to_csv(handle, index=False, lineterminator="\n"))


# Spreadsheets set to a locale whose decimal mark is a comma (Norwegian Excel, LibreOffice)
# split a CSV at ';' and read '0,25' as a number. ``report DIR --csv-locale nb`` writes such
# copies of the folder's tables beside them (``timeseries-nb.csv``, ``summary-nb.csv``), with a
# byte order mark so that a spreadsheet reads them as UTF-8 (arm names with æ, ø, å).
CSV_LOCALES = {"nb": (";", ",")}
SPREADSHEET_TABLES = ("timeseries.csv", "summary.csv")


def spreadsheet_copies(folder: Path, locale: str) -> list[Path]:
    """Write the folder's tables (:data:`SPREADSHEET_TABLES`) for spreadsheets in ``locale``
    (:data:`CSV_LOCALES`) as ``<name>-<locale>.csv``; returns the files written. The originals
    are untouched (they are the folder's record: comma-separated, decimal point)."""
    separator, decimal = CSV_LOCALES[locale]
    written = []
    for name in SPREADSHEET_TABLES:
        source = Path(folder) / name
        if not source.exists():
            continue
        table = safe_cells(_read_table(source, 2**40, "table"))
        target = source.with_name(f"{source.stem}-{locale}.csv")

        def fill(handle, table=table):
            handle.write("\ufeff")
            table.to_csv(handle, index=False, sep=separator, decimal=decimal, lineterminator="\n")

        write_atomic(target, fill)
        written.append(target)
    return written


def read_timeseries(path: Path) -> pd.DataFrame:
    """timeseries.csv of a complete study (ResultsError naming the file when unreadable)."""
    table = _read_table(path, 2**40, "time series table")
    missing = [c for c in ("arm", "replicate", "week") if c not in table.columns]
    if missing:
        raise ResultsError(f"{path}: not a time series table (no column {missing[0]!r})")
    return table
