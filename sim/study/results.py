"""The results folder: per-run records, the assembled tables, summaries and the manifest.

Layout of ``results/<scenario>/<timestamp>/`` (or ``--out DIR``)::

    manifest.json      resolved scenario, seeds, versions, command, git commit, times, completed
    INCOMPLETE         present only while runs are missing (interrupted); says how to finish
    runs/<key>.csv     records of each finished run (one replicate [at one sweep point], all arms)
    timeseries.csv     all runs: one row per [sweep point,] arm, replicate and week
    summary.json/.csv  final-week means and 95 % intervals per arm, paired differences to baseline
    sweep.csv          sweeps only: one row per grid point and arm (means, intervals, differences)
    figures/*.png      one figure per question
    report.html        one self-contained page

Each run's records are written atomically (temporary name, ``fsync``, then ``os.replace``) as soon
as the run finishes, so a folder is always consistent and a rerun only does what is missing; a
failed write removes its temporary file. One process at a time writes a folder: it holds an
exclusive lock (``flock``) on the hidden file ``.lock`` in it for the whole study (the file names
the holder: process, host, start). A resumed study checks each run file it keeps (columns, arms,
weeks, replicate) and recomputes the bad ones. The final tables
are always assembled from the ``runs/`` files, sorted by (sweep point, arm order, replicate, week),
so they are byte-identical whatever the executor, worker count, completion order or interruptions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import hashlib
import io
import json
import math
import os
import platform
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.engine.measures import MEASURE_NAMES, MEASURES
from sim.network.bounded import FileRefused, read_bounded
from sim.study.runner import RunTask
from sim.study.stats import CONFIDENCE, mean_ci, paired_diff_ci

UNITS = {m.name: m.unit for m in MEASURES}
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


# --------------------------------------------------------------------------- folder


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


# Parts of a resolved study that judge or present the runs without changing them: the claims
# ([[expect]]), the arm differences are taken against (``--versus``), the contrast, and where
# the settings came from (the files are hashed separately, see :func:`study_identity`).
NOT_RUN_SETTINGS = ("file", "extends_chain", "expect", "overrides", "baseline", "contrast")


def fingerprint(study: dict, tasks: list[RunTask]) -> str:
    """Identity of a study's settings: same fingerprint = same runs with the same seeds, given
    the same input files and code (:func:`study_identity` adds those)."""
    payload = {
        "study": {k: v for k, v in study.items() if k not in NOT_RUN_SETTINGS},
        "tasks": [[t.key, t.seed, t.replicate, t.point, t.weeks] for t in tasks],
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


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


@functools.cache
def sources_sha256() -> str:
    """SHA-256 (hex) of the ``sim`` package's Python sources (paths and contents, sorted), as
    imported by this process (computed once: a process keeps the code it imported)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def code_version() -> dict:
    """The code that makes the runs: ``sources`` (:func:`sources_sha256`, always) and, in a git
    checkout, ``commit`` and ``sim_modified`` (the sim/ folder differs from that commit)."""
    return {"sources": sources_sha256(), **(git_info() or {})}


def _layer_sha256(data: dict) -> str:
    """Hash of one scenario file's settings (its claims left out: they do not change runs)."""
    kept = {k: v for k, v in data.items() if k != "expect"}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def study_identity(
    study: dict, tasks: list[RunTask], layers: list[tuple[Path, dict]] | None = None
) -> dict:
    """What a study's runs depend on, to refuse mixing runs of two versions in one folder.

    ``settings`` (:func:`fingerprint`), ``layers`` (each scenario file of the ``extends``
    chain, base first: path and hash of its settings), ``networks`` (each network file a run
    reads: the path as written, the file, and the SHA-256 of its bytes), ``code`` (the SHA-256
    of the sim/ sources) and ``fingerprint``: one hash of them all, kept in the manifest.
    """
    from sim.network.files import resolve_path

    networks, seen = [], set()
    for task in tasks:
        net = task.params.get("network") or {}
        if net.get("kind") != "file" or not net.get("path") or net["path"] in seen:
            continue
        seen.add(net["path"])
        path = resolve_path(net["path"], Path(task.base_dir) if task.base_dir else None)
        networks.append(
            {"path": net["path"], "file": str(path), "sha256": file_sha256(path, "network file")}
        )
    identity = {
        "settings": fingerprint(study, tasks),
        "layers": [{"path": str(p), "sha256": _layer_sha256(d)} for p, d in layers or []],
        "networks": networks,
        "code": sources_sha256(),
    }
    parts = {
        "settings": identity["settings"],
        "layers": [layer["sha256"] for layer in identity["layers"]],
        "networks": {n["path"]: n["sha256"] for n in networks},
        "code": identity["code"],
    }
    text = json.dumps(parts, sort_keys=True)
    identity["fingerprint"] = hashlib.sha256(text.encode()).hexdigest()
    return identity


def identity_difference(saved: dict | None, now: dict) -> str:
    """What differs between the identity a folder's study started with and this command's, in
    words ("the network file net.csv has changed"); empty when nothing does."""
    if not isinstance(saved, dict) or not isinstance(saved.get("settings"), str):
        return "it was started by an older version of Reclamare, which kept no record of its inputs"
    if saved.get("settings") != now["settings"]:
        return "its settings, seeds or runs differ from this command's"
    old_layers = saved.get("layers") if isinstance(saved.get("layers"), list) else []
    for k, layer in enumerate(now["layers"]):
        old = old_layers[k] if k < len(old_layers) and isinstance(old_layers[k], dict) else {}
        if old.get("sha256") != layer["sha256"]:
            return f"the scenario file {layer['path']} has changed since it started"
    if len(old_layers) != len(now["layers"]):
        return "its chain of scenario files (extends) has changed since it started"
    old_nets = {
        n.get("path"): n.get("sha256") for n in saved.get("networks") or [] if isinstance(n, dict)
    }
    for net in now["networks"]:
        if old_nets.get(net["path"]) != net["sha256"]:
            return f"the network file {net['file']} has changed since it started"
    if saved.get("code") != now["code"]:
        return "the program's code (sim/) has changed since it started"
    if saved.get("fingerprint") != now["fingerprint"]:
        return "its inputs differ from this command's"
    return ""


def check_out_dir(out: Path, identity: dict | str) -> bool:
    """May ``out`` receive this study? Returns True when it resumes an interrupted run of it.

    ``identity`` is :func:`study_identity` (or a bare plan fingerprint). A missing or empty
    folder is fine (False). A folder holding an unfinished run of the same plan, made from the
    same input files by the same code, is resumed (True); one that differs in any of them is
    refused, naming what differs. Anything else is refused: results are never overwritten.
    Checked once before anything is created, and again while holding the folder's lock.
    """
    try:
        info = os.stat(out)
    except FileNotFoundError:
        if os.path.islink(out):
            raise ResultsError(
                f"--out {out}: is a symbolic link to {os.readlink(out)}, which does not exist"
            ) from None
        return False
    except NotADirectoryError:
        raise ResultsError(f"--out {out}: a folder above it is a file") from None
    except OSError as error:
        raise ResultsError(f"--out {out}: cannot use ({_reason(error)})") from None
    if not stat.S_ISDIR(info.st_mode):
        raise ResultsError(
            f"--out {out}: exists and is not a folder (results are never overwritten)"
        )
    try:
        names = [p.name for p in Path(out).iterdir()]
    except OSError as error:
        raise ResultsError(f"--out {out}: cannot list ({_reason(error)})") from None
    if not [name for name in names if name != LOCK]:
        return False
    manifest = read_manifest(out, missing_ok=True)
    if manifest is None:
        _refuse_if_busy(out)
        raise ResultsError(
            f"--out {out}: folder exists and is not a results folder (results are never "
            "overwritten; choose another --out)"
        )
    if manifest.get("completed"):
        raise ResultsError(
            f"--out {out}: already holds a complete study (results are never overwritten; "
            "choose another --out, or rebuild its report with: report " + str(out) + ")"
        )
    if isinstance(identity, str):  # a bare fingerprint (callers that hash nothing else)
        if manifest.get("fingerprint") != identity:
            raise ResultsError(
                f"--out {out}: holds an unfinished run of a different study or settings; "
                "rerun exactly the same command to resume it, or choose another --out"
            )
        return True
    why = identity_difference(manifest.get("identity"), identity)
    if why or manifest.get("fingerprint") != identity["fingerprint"]:
        raise ResultsError(
            f"--out {out}: holds an unfinished study that cannot be resumed by this command: "
            f"{why or 'its inputs differ'}; runs of two versions are never mixed: add "
            "--new-folder to start anew beside it, or restore what changed to resume it"
        )
    return True


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


def read_manifest(folder: Path, missing_ok: bool = False) -> dict | None:
    """The manifest of a results folder, checked to have the parts the program reads.

    Raises ResultsError (one line naming the file) when it is missing (unless ``missing_ok``),
    unreadable, not JSON, or not a Reclamare manifest.
    """
    path = Path(folder) / MANIFEST
    try:
        data = read_bounded(path, MAX_MANIFEST_BYTES, "manifest")
    except FileRefused as error:
        if error.missing:
            if missing_ok:
                return None
            _refuse_if_busy(folder)
            raise ResultsError(f"{folder}: no {MANIFEST} (not a results folder)") from None
        raise ResultsError(str(error)) from None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        text = " ".join(str(error).split())[:120]
        raise ResultsError(f"{path}: unreadable ({text})") from None
    problem = manifest_problem(manifest)
    if problem:
        raise ResultsError(f"{path}: not a Reclamare manifest ({problem})")
    return manifest


def manifest_problem(manifest) -> str | None:
    """What is missing or malformed in a manifest, or None when it has everything read from it."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    study = manifest.get("scenario")
    if not isinstance(study, dict):
        return "no 'scenario' object"
    arms = study.get("arms")
    if not isinstance(arms, list) or not arms:
        return "no list of 'scenario.arms'"
    if not all(isinstance(a, dict) and isinstance(a.get("name"), str) for a in arms):
        return "an arm without a name"
    for key in ("title", "name", "baseline"):
        if not isinstance(study.get(key), str):
            return f"no 'scenario.{key}'"
    if not isinstance(study.get("sweep") or {}, dict):
        return "'scenario.sweep' is not an object"
    contrast = study.get("contrast")
    if contrast is not None and not (
        isinstance(contrast, list)
        and len(contrast) == 2
        and all(isinstance(c, str) for c in contrast)
    ):
        return "'scenario.contrast' is not two arm names"
    runs = manifest.get("runs")
    if not isinstance(runs, list):
        return "no list of 'runs'"
    for run in runs:
        if not (
            isinstance(run, dict)
            and isinstance(run.get("key"), str)
            and RUN_KEY.match(run["key"])
            and isinstance(run.get("replicate"), int)
            and isinstance(run.get("point_index"), int)
            and isinstance(run.get("point"), dict)
        ):
            return "a run without key, replicate, point_index or point"
    if len({run["key"] for run in runs}) != len(runs):
        return "a run listed twice"
    return None


def planned_runs(study: dict) -> list[tuple[str, int, int]]:
    """(key, replicate, point index) of every run a resolved study plans, in plan order: the
    run list its manifest must hold (see :func:`run_list_problem`)."""
    replicates = study.get("replicates")
    sweep = study.get("sweep") or {}
    if not isinstance(replicates, int) or not isinstance(sweep, dict):
        return []
    points = math.prod(len(v) for v in sweep.values() if isinstance(v, list)) if sweep else 1
    if sweep:
        return [(f"p{i:04d}-r{r:04d}", r, i) for i in range(points) for r in range(replicates)]
    return [(f"r{r:04d}", r, 0) for r in range(replicates)]


def run_list_problem(manifest: dict) -> str | None:
    """Why a manifest's list of runs is not the plan of its own study (runs removed, added,
    repeated or renamed by hand), or None when it is."""
    planned = planned_runs(manifest["scenario"])
    listed = [(r["key"], r["replicate"], r["point_index"]) for r in manifest["runs"]]
    if listed == planned:
        if manifest.get("runs_total", len(planned)) != len(planned):
            return f"runs_total is not the {len(planned)} runs its scenario plans"
        return None
    missing = [key for key, _, _ in planned if key not in {k for k, _, _ in listed}]
    if missing:
        return (
            f"its list of runs lacks {len(missing)} of the {len(planned)} runs its scenario "
            f"plans (first: {missing[0]})"
        )
    return f"its list of runs is not the {len(planned)} runs its scenario plans"


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


# --------------------------------------------------------------------------- runs


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


# --------------------------------------------------------------------------- summaries


def measure_columns(table: pd.DataFrame) -> list[str]:
    return [m for m in MEASURE_NAMES if m in table.columns]


def final_week(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["week"] == table["week"].max()]


def point_groups(table: pd.DataFrame, sweep_paths: list[str]):
    """(point index, point dict, rows) for each sweep point (one group when not a sweep)."""
    if not sweep_paths or "point" not in table.columns:
        yield 0, {}, table
        return
    for index, rows in table.groupby("point", sort=True):
        first = rows.iloc[0]
        yield int(index), {p: _py(first[p]) for p in sweep_paths}, rows


def _py(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def summarise(
    table: pd.DataFrame,
    arm_names: list[str],
    baseline: str,
    sweep_paths: list[str],
    confidence: float = CONFIDENCE,
    contrast: list[str] | tuple[str, str] | None = None,
) -> dict:
    """Final-week means with intervals per arm, and paired differences to ``baseline``.

    With ``contrast = (A, B)`` each point also gets the paired difference A - B (``contrasts``).
    """
    measures = measure_columns(table)
    last = final_week(table)
    points = []
    for index, point, rows in point_groups(last, sweep_paths):
        by_arm = {arm: rows[rows["arm"] == arm].set_index("replicate") for arm in arm_names}
        arms_out = []
        for arm in arm_names:
            data = by_arm[arm]
            arms_out.append(
                {
                    "arm": arm,
                    "measures": {
                        m: mean_ci(data[m].to_numpy(float), confidence).as_dict() for m in measures
                    },
                }
            )
        diffs = [
            _paired(by_arm, arm, baseline, measures, confidence)
            for arm in arm_names
            if arm != baseline and baseline in by_arm
        ]
        contrasts = []
        if contrast and all(a in by_arm for a in contrast):
            contrasts.append(_paired(by_arm, contrast[0], contrast[1], measures, confidence))
        points.append(
            {
                "index": index,
                "point": point,
                "arms": arms_out,
                "differences": diffs,
                "contrasts": contrasts,
            }
        )
    return {
        "final_week": int(last["week"].max()) if len(last) else None,
        "confidence": confidence,
        "baseline": baseline,
        "contrast": list(contrast) if contrast else None,
        "arms": list(arm_names),
        "sweep_paths": list(sweep_paths),
        "units": {m: UNITS[m] for m in measures},
        "points": points,
    }


# Weeks at which the report says which arm leads (those within the study's weeks).
LEAD_WEEKS = (4, 13, 52)


def leads(
    table: pd.DataFrame,
    arm_names: list[str],
    measures: list[str],
    weeks: tuple[int, ...] = LEAD_WEEKS,
    confidence: float = CONFIDENCE,
) -> list[dict]:
    """Which arm leads each measure at each of ``weeks``, and whether the lead is within noise.

    The leader has the best mean over replicates (highest, or lowest for LOWER_IS_BETTER
    measures); it is compared with the runner-up by the paired difference over replicates. A
    ``tie`` is a difference whose interval includes zero (or that has no interval: fewer than
    two replicates). Weeks beyond the table's last week are skipped, and the last week is
    always included. One entry per (week,
    measure) with ``leader``, ``runner_up``, ``leader_mean``, ``runner_up_mean``,
    ``difference`` (interval dict) and ``tie``.
    """
    from sim.engine.measures import LOWER_IS_BETTER

    out = []
    last = int(table["week"].max()) if len(table) else -1
    wanted = sorted({w for w in weeks if w <= last} | ({last} if last >= 0 else set()))
    for week in wanted:
        rows = table[table["week"] == week]
        by_arm = {a: rows[rows["arm"] == a].set_index("replicate") for a in arm_names}
        for m in measures:
            means = {a: float(by_arm[a][m].mean()) for a in arm_names if len(by_arm[a])}
            means = {a: v for a, v in means.items() if math.isfinite(v)}
            if len(means) < 2:
                continue
            ranked = sorted(means, key=means.get, reverse=m not in LOWER_IS_BETTER)
            leader, runner = ranked[0], ranked[1]
            diff = _paired(by_arm, leader, runner, [m], confidence)["measures"][m]
            tie = diff["low"] is None or (diff["low"] <= 0.0 <= diff["high"])
            out.append(
                {
                    "week": week,
                    "measure": m,
                    "leader": leader,
                    "runner_up": runner,
                    "leader_mean": means[leader],
                    "runner_up_mean": means[runner],
                    "difference": diff,
                    "tie": bool(tie),
                }
            )
    return out


def _paired(by_arm: dict, arm: str, versus: str, measures: list[str], confidence: float) -> dict:
    """Paired differences ``arm - versus`` over the replicates both have."""
    data, base = by_arm[arm], by_arm[versus]
    common = data.index.intersection(base.index)
    return {
        "arm": arm,
        "versus": versus,
        "measures": {
            m: paired_diff_ci(
                data.loc[common, m].to_numpy(float),
                base.loc[common, m].to_numpy(float),
                confidence,
            ).as_dict()
            for m in measures
        },
    }


def summary_table(summary: dict) -> pd.DataFrame:
    """Tidy form of ``summarise``: one row per [point,] arm (or difference) and measure."""
    rows = []
    paths = summary["sweep_paths"]
    for point in summary["points"]:
        lead = {"point": point["index"], **point["point"]} if paths else {}
        groups = (
            ("level", point["arms"]),
            ("difference", point["differences"]),
            ("contrast", point.get("contrasts", [])),
        )
        for kind, items in groups:
            for item in items:
                for m, ci in item["measures"].items():
                    rows.append(
                        {
                            **lead,
                            "kind": kind,
                            "arm": item["arm"],
                            "versus": item.get("versus", ""),
                            "measure": m,
                            "unit": UNITS[m],
                            "mean": ci["mean"],
                            "ci_low": ci["low"],
                            "ci_high": ci["high"],
                            "n": ci["n"],
                        }
                    )
    return pd.DataFrame(rows)


def sweep_table(summary: dict) -> pd.DataFrame:
    """One row per grid point and arm: mean and interval of every measure, and the paired
    difference to the baseline arm (``<measure>_diff_*``; empty for the baseline itself)."""
    rows = []
    paths = summary["sweep_paths"]
    for point in summary["points"]:
        diffs = {d["arm"]: d["measures"] for d in point["differences"]}
        for item in point["arms"]:
            row = {"point": point["index"], **{p: point["point"][p] for p in paths}}
            row["arm"] = item["arm"]
            row["baseline"] = summary["baseline"]
            for m, ci in item["measures"].items():
                row[f"{m}_mean"], row[f"{m}_low"], row[f"{m}_high"] = (
                    ci["mean"],
                    ci["low"],
                    ci["high"],
                )
            row["replicates"] = (
                next(iter(item["measures"].values()))["n"] if item["measures"] else 0
            )
            for m in item["measures"]:
                d = diffs.get(item["arm"], {}).get(m)
                row[f"{m}_diff_mean"] = d["mean"] if d else None
                row[f"{m}_diff_low"] = d["low"] if d else None
                row[f"{m}_diff_high"] = d["high"] if d else None
            rows.append(row)
    return pd.DataFrame(rows)


def point_summary(summary: dict, index: int = 0) -> dict:
    """The summary entry of one sweep point (the only one when not a sweep)."""
    for point in summary["points"]:
        if point["index"] == index:
            return point
    raise KeyError(index)


def study_context(table: pd.DataFrame, study: dict, sweep_paths: list[str]) -> dict:
    """What a summary says besides the final-week numbers: the mechanisms that were on, and
    (not for sweeps) which arm leads the key measures at weeks 4, 13 and 52 and which pays
    best (profit to date and return on spend at the last week)."""
    from sim.engine.mechanisms import describe, mechanisms

    context = {
        "mechanisms": mechanisms(study["params"]),
        "mechanisms_text": describe(study["params"]),
    }
    if not sweep_paths:
        measures = [m for m in study.get("key_measures", []) if m in table.columns]
        context["leads"] = leads(table, [a["name"] for a in study["arms"]], measures)
        # What pays: the arm with the highest profit to date (and return on spend) at the end.
        money = [m for m in ("profit", "roi") if m in table.columns]
        context["what_pays"] = leads(table, [a["name"] for a in study["arms"]], money, ())
        if study.get("expect"):
            from sim.study.claims import Expectation, judge_all

            claims = [Expectation.model_validate(e) for e in study["expect"]]
            context["claims"] = judge_all(claims, table)
    return context


def write_summaries(out: Path, table: pd.DataFrame, study: dict, sweep_paths: list[str]) -> dict:
    """Write summary.json, summary.csv (and sweep.csv for sweeps); return the summary."""
    summary = summarise(
        table,
        [a["name"] for a in study["arms"]],
        study["baseline"],
        sweep_paths,
        contrast=study.get("contrast"),
    )
    summary = {"title": study["title"], "scenario": study["name"], **summary}
    summary.update(study_context(table, study, sweep_paths))
    write_json(Path(out) / "summary.json", summary)
    write_table(Path(out) / "summary.csv", summary_table(summary))
    if sweep_paths:
        write_table(Path(out) / "sweep.csv", sweep_table(summary))
    return summary


# --------------------------------------------------------------------------- manifest


def package_versions() -> dict:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("reclamare", "mesa", "numpy", "scipy", "pandas", "networkx", "pydantic"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["matplotlib"] = _version_of("matplotlib")
    return out


def _version_of(module: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return None


def git_info() -> dict | None:
    """Commit (and whether the work tree has changes) of the code, when it is a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", "sim"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "sim_modified": bool(dirty)} if commit else None


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def new_manifest(
    study: dict, tasks: list[RunTask], mode: str, argv: list[str], identity: dict | str
) -> dict:
    """The manifest of a new study. ``identity`` is :func:`study_identity` (its fingerprint is
    what a resume must match), or a bare fingerprint. Each run's ``sha256`` is added as its
    file is kept (see :func:`write_run`); each session adds its own entry with its code."""
    if isinstance(identity, str):
        identity = {"fingerprint": identity}
    return {
        "format": 2,
        "mode": mode,
        "title": study["title"],
        "scenario": study,
        "master_seed": study["seed"],
        "runs": [
            {
                "key": t.key,
                "replicate": t.replicate,
                "point_index": int(t.key[1:5]) if t.key.startswith("p") else 0,
                "point": t.point,
                "seed": t.seed,
            }
            for t in tasks
        ],
        "runs_total": len(tasks),
        "runs_done": 0,
        "fingerprint": identity["fingerprint"],
        "identity": identity,
        "versions": package_versions(),
        "git": git_info(),
        "command": [Path(sys.argv[0]).name, *argv],
        "cwd": str(Path.cwd()),
        "started": now_iso(),
        "finished": None,
        "completed": False,
        "sessions": [],
    }


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
