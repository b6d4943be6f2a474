"""Which study a results folder holds, and what made it: its identity and its manifest.

The identity (``study_identity``) hashes what a study's runs depend on: its settings and seeds,
each scenario file of its ``extends`` chain, each network file it reads, and the code. The
manifest (``manifest.json``) keeps the resolved scenario, the planned runs with their seeds,
the identity, the package versions, the git commit, the command and the times of each session.
``check_out_dir`` decides from them whether a folder may receive a study: a new or empty folder,
an unfinished run of the very same study (resumed), or nothing else (refused, naming what
differs): runs of two versions are never mixed in one folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import platform
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.network.bounded import FileRefused, read_bounded
from sim.study.folders import (
    LOCK,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    RUN_KEY,
    ResultsError,
    _reason,
    _refuse_if_busy,
    file_sha256,
    now_iso,
)

if TYPE_CHECKING:
    from sim.study.runner import RunTask


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
