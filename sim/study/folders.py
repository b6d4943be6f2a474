"""The results folder: its layout, creating it, its one writer's lock, and atomic writes.

Layout of ``results/<scenario>/<timestamp>/`` (or ``--out DIR``)::

    manifest.json      resolved scenario, seeds, versions, command, git commit, times, completed
    INCOMPLETE         present only while runs are missing (interrupted); says how to finish
    runs/<key>.csv     records of each finished run (one replicate [at one sweep point], all arms)
    timeseries.csv     all runs: one row per [sweep point,] arm, replicate and week
    summary.json/.csv  final-week means and 95 % intervals per arm, paired differences to baseline
    sweep.csv          sweeps only: one row per grid point and arm (means, intervals, differences)
    figures/*.png      one figure per question
    report.html        one self-contained page

A study goes through the folder's modules in this order (``sim.study.conduct`` calls them): this
one creates and locks the folder; ``sim.study.manifest`` says which study the folder holds and
whether this command may resume it; ``sim.study.runs`` saves each run's file as it finishes and
assembles the time series from them; ``sim.study.summaries`` writes the summaries.

Every file is written atomically (temporary name, ``fsync``, then ``os.replace``), so a folder
is always consistent; a failed write removes its temporary file. One process at a time writes a
folder: it holds an exclusive lock (``flock``) on the hidden file ``.lock`` in it for the whole
study (the file names the holder: process, host, start).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import io
import json
import math
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

import numpy as np

MANIFEST = "manifest.json"
INCOMPLETE = "INCOMPLETE"
RUNS = "runs"
LOCK = ".lock"
JOURNAL = ".finished"  # in runs/: one line "KEY SHA256" per run file written
# Our own files, read back with a bound all the same (a folder given to ``report`` may be anyone's).
MAX_MANIFEST_BYTES = 256 * 2**20
RUN_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

try:  # POSIX; elsewhere studies run without a folder lock
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class ResultsError(ValueError):
    """A results folder that cannot be used (exists, belongs to another study, unreadable)."""


def _reason(error: OSError) -> str:
    """The operating system's words for an error ("No space left on device")."""
    return error.strerror or str(error) or type(error).__name__


def timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def default_out_dir(scenario_name: str, root: Path | str = "results") -> Path:
    """``results/<scenario>/<timestamp>``, with a suffix when that folder already exists.

    Only a proposal (for messages): :func:`create_default_folder` makes the folder.
    """
    base = Path(root) / scenario_name / timestamp()
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{base.name}-{k}")
    return out


def create_default_folder(scenario_name: str, root: Path | str = "results") -> Path:
    """Create ``results/<scenario>/<timestamp>[-k]`` exclusively and return it.

    ``mkdir`` either creates the folder or fails because it exists, so two studies started in the
    same second never share one (the next suffix is tried).
    """
    parent = Path(root) / scenario_name
    _make_parents(parent, f"results folder {parent}")
    base = timestamp()
    for k in range(1, 10_000):
        candidate = parent / (base if k == 1 else f"{base}-{k}")
        try:
            os.mkdir(candidate)
        except FileExistsError:
            continue
        except OSError as error:
            raise ResultsError(f"{candidate}: cannot create ({_reason(error)})") from None
        return candidate
    raise ResultsError(f"{parent}: too many results folders named {base}")


def create_out_dir(out: Path, _parents_made: bool = False) -> bool:
    """Make sure the ``--out`` folder exists; returns True when this call created it.

    Refuses (ResultsError, one line naming the path) a path that is a file, a symbolic link to
    nothing, below a file, too long, or in a folder that cannot be written.
    """
    try:
        os.mkdir(out)
        return True
    except FileExistsError:
        if os.path.isdir(out):
            return False
        if os.path.islink(out):
            raise ResultsError(
                f"--out {out}: is a symbolic link to {os.readlink(out)}, which does not exist"
            ) from None
        raise ResultsError(
            f"--out {out}: exists and is not a folder (results are never overwritten)"
        ) from None
    except FileNotFoundError:
        if _parents_made:  # the parent exists and still no folder: /proc, a vanished mount
            raise ResultsError(f"--out {out}: cannot create (No such file or directory)") from None
        _make_parents(Path(out).parent, f"--out {out}")
        return create_out_dir(out, _parents_made=True)
    except NotADirectoryError:
        raise ResultsError(f"--out {out}: a folder above it is a file") from None
    except OSError as error:
        raise ResultsError(f"--out {out}: cannot create ({_reason(error)})") from None


def free_sibling(out: Path) -> Path:
    """``out`` when it does not exist or is an empty folder, else the first of ``OUT-2``,
    ``OUT-3``, ... that does not exist (``--new-folder``: never resume, never overwrite)."""
    out = Path(out)
    candidate, k = out, 1
    while True:
        try:
            empty = not [p for p in candidate.iterdir() if p.name != LOCK]
        except FileNotFoundError:
            return candidate
        except OSError:
            empty = False
        if empty:
            return candidate
        k += 1
        if k > 10_000:
            raise ResultsError(f"--out {out}: no free folder name beside it")
        candidate = out.with_name(f"{out.name}-{k}")


def _make_parents(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ResultsError(f"{what}: a folder above it is a file") from None
    except OSError as error:
        raise ResultsError(f"{what}: cannot create ({_reason(error)})") from None


class FolderLock:
    """The one live writer of a results folder: an exclusive ``flock`` on ``FOLDER/.lock``.

    Held from :meth:`acquire` to :meth:`release` (or the end of a ``with`` block, or the end of
    the process, whatever kills it: the kernel drops the lock). The file says who holds it
    (process id, host, start time) so a refused writer can name the other process. The file is
    left in place afterwards: deleting a lock file while another process waits on it would let
    two writers in.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.fd: int | None = None

    def acquire(self) -> FolderLock:
        path = self.folder / LOCK
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as error:
            raise ResultsError(f"{self.folder}: cannot write ({_reason(error)})") from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    holder = _lock_holder(fd)
                    os.close(fd)
                    raise ResultsError(
                        f"{self.folder}: in use by another study ({holder}); wait until it "
                        "has finished, or choose another --out"
                    ) from None
                # ENOLCK/EOPNOTSUPP: a file system without locks; go on unlocked.
        stamp = f"process {os.getpid()} on {socket.gethostname()}, since {now_iso()}\n"
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, stamp.encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def busy_holder(folder: Path) -> str | None:
    """Who holds ``folder``'s lock when another process does (a study that has just created
    the folder and not yet written its manifest), else None. Creates nothing."""
    if fcntl is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(Path(folder) / LOCK, flags)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            holder = _lock_holder(fd)
            return None if holder.startswith(f"process {os.getpid()} ") else holder
        return None
    finally:
        os.close(fd)


def _refuse_if_busy(folder: Path) -> None:
    """Raise the "in use by another study" refusal when another process holds the lock."""
    holder = busy_holder(folder)
    if holder is not None:
        raise ResultsError(
            f"{folder}: in use by another study ({holder}); wait until it has finished, or "
            "choose another --out"
        )


def _lock_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    return " ".join(text.split())[:200] or "another process"


def discard_new_folder(folder: Path) -> None:
    """Remove a folder this process created when it holds nothing but its own bookkeeping.

    Called when a new study fails before any run finished: no empty or half-made folder is left
    behind. Anything else in it (a run, a file someone put there) keeps the folder.
    """
    folder = Path(folder)
    ours = {LOCK, MANIFEST, INCOMPLETE}
    with contextlib.suppress(OSError):
        runs = folder / RUNS
        if runs.is_dir():
            for path in runs.iterdir():
                if path.name == JOURNAL or (path.name.startswith(".") and ".tmp-" in path.name):
                    path.unlink()
            runs.rmdir()
        for path in folder.iterdir():
            if path.name in ours or (path.name.startswith(".") and ".tmp-" in path.name):
                path.unlink()
        folder.rmdir()


def write_json(path: Path, data) -> None:
    """Write JSON atomically (NaN written as null)."""
    text = json.dumps(_json_safe(data), indent=2, ensure_ascii=False) + "\n"
    write_text(path, text)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) atomically; see :func:`write_atomic`."""
    write_atomic(path, lambda handle: handle.write(text))


def write_atomic(path: Path, fill: Callable[[io.TextIOBase], object]) -> None:
    """Write a finished file: a temporary file in the same folder, ``fsync``, then rename.

    ``fill(handle)`` writes the content to a UTF-8 text handle. Readers see the old file or the
    complete new one, never a partial one, also after a power cut (the data reach the disk
    before the rename). On any failure the temporary file is removed, so a full disk leaves
    nothing behind, and the error becomes a ResultsError naming the file.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise ResultsError(f"{path}: cannot write ({_reason(error)})") from None
        raise


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def file_sha256(path: Path, what: str = "file") -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB pieces; ResultsError naming the file."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while piece := handle.read(2**20):
                digest.update(piece)
    except OSError as error:
        raise ResultsError(f"{path}: cannot read the {what} ({_reason(error)})") from None
    return digest.hexdigest()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def mark_incomplete(out: Path, command: str, what_happened: str | None = None) -> None:
    """Write the INCOMPLETE note: what happened, and the command that finishes the study.

    Without ``what_happened`` (at the start of a study) the note says the study started and has
    not finished: it is running, or its process was stopped without a chance to say more
    (killed, or the computer went down).
    """
    if what_happened is None:
        what_happened = (
            f"it started at {now_iso()} (process {os.getpid()} on {socket.gethostname()}) and "
            "has not finished: it is still running, or that process was stopped (killed, or "
            "the computer went down) before every run finished"
        )
    text = (
        f"This study is INCOMPLETE: {what_happened}.\n"
        "The finished runs are kept in runs/. To run only what is missing, rerun:\n\n"
        f"    {command}\n"
    )
    write_text(Path(out) / INCOMPLETE, text)


def clear_incomplete(out: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (Path(out) / INCOMPLETE).unlink()
