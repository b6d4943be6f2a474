"""Runs on Dask: a local cluster of worker processes, or an existing cluster anywhere.

``DaskExecutor`` has the same interface as ``sim.study.runner.InProcessExecutor``:
``map_unordered(tasks, fn)`` yields ``(task, records)`` as each run finishes, and ``close()``.
One code path serves both cases:

- ``DaskExecutor(workers=N)`` starts an embedded ``distributed.LocalCluster`` of ``N`` worker
  processes (one thread each) on 127.0.0.1 and shuts it down on ``close()``;
- ``DaskExecutor(scheduler="tcp://host:8786")`` (or a scheduler file written by
  ``dask scheduler --scheduler-file``) connects to an existing cluster, which ``close()`` leaves
  running.

What travels to a worker is the ``RunTask`` itself (resolved parameters and arms as plain data,
the run's seed, weeks) plus, for ``network.kind = "file"``, the network file's bytes read here on
the client. Workers read nothing from the client's disk, but they must run the same Reclamare
code: every run compares the source of the ``sim`` modules the worker loaded with the client's and
is refused on a mismatch (results would not be reproducible otherwise).

Results do not depend on the executor: a run's records depend only on its task, and the results
folder assembles the final tables in a canonical order (``sim.study.results.assemble``).

Very short runs (well under 0.2 s each) travel in small groups, one Dask task per group, so Dask's
few milliseconds per task stay small next to the work (``batches``); records are still yielded
(and saved) run by run.

Resilience: when a worker process dies, the scheduler reruns its unfinished runs on the other
workers (up to ``distributed.scheduler.allowed-failures`` deaths per run); a run that raises is
retried ``retries`` times before the error reaches the caller.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import os
import signal
import socket
import statistics
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd

from sim.study.runner import InProcessExecutor, RunTask, run_task

SCHEDULER_ENV = "RECLAMARE_SCHEDULER"
KEY_PREFIX = "reclamare-run"
TIMEOUT = 30.0  # seconds to wait for a scheduler (and an existing cluster's first worker)


class ExecutorError(RuntimeError):
    """The executor cannot be set up (no scheduler at the address, bad options, no workers)."""


class CodeMismatchError(RuntimeError):
    """A worker runs different Reclamare code from the client's."""


# --------------------------------------------------------------------------- code fingerprint


def source_hashes() -> dict[str, str]:
    """``{module name: SHA-256 (16 hex digits) of its source file}`` for the ``sim`` package, now.

    ``CODE`` holds the hashes read when this module was imported, i.e. (to within the moments it
    takes to import) of the code this process runs: a process keeps the code it imported.
    """
    root = Path(__file__).resolve().parents[1]
    hashes = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = ("sim", *path.relative_to(root).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return hashes


CODE = source_hashes()


def code_mismatches(client_code: dict[str, str]) -> list[str]:
    """Modules of ``sim`` loaded in this process whose source differs from the client's."""
    loaded = [name for name in sys.modules if name == "sim" or name.startswith("sim.")]
    return sorted(name for name in loaded if name in CODE and client_code.get(name) != CODE[name])


# --------------------------------------------------------------------------- network files


def _network_file(task: RunTask) -> Path | None:
    """The client-side path of a task's network file, or None when the network is generated."""
    net = task.params.get("network") or {}
    if net.get("kind") != "file" or not net.get("path"):
        return None
    from sim.network.files import resolve_path

    base = Path(task.base_dir) if task.base_dir else None
    return resolve_path(net["path"], base)


def _materialise(task: RunTask, name: str, data: bytes) -> RunTask:
    """The task with its network file written to this machine's temporary folder.

    The file keeps its name (the format is detected from the extension) in a folder named after
    the content's hash, so every run on this machine with the same file shares one copy.
    """
    digest = hashlib.sha256(data).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / "reclamare-networks" / digest
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.tmp-{os.getpid()}"
        tmp.write_bytes(data)
        os.replace(tmp, path)
    params = copy.deepcopy(task.params)
    params["network"]["path"] = str(path)
    return replace(task, params=params, base_dir=None)


# --------------------------------------------------------------------------- on the worker


def call_on_worker(
    fn: Callable[[RunTask], pd.DataFrame],
    tasks: list[RunTask],
    client_code: dict[str, str],
    network_files: dict[str, tuple[str, bytes]] | None = None,
) -> list[pd.DataFrame]:
    """Run ``fn`` on each task of a batch on a worker; refuse the records if the code differs.

    ``network_files`` maps the key of a task with a network file to ``(file name, bytes)``, read
    on the client (so workers need no access to the client's disk). Only the
    ``sim`` modules the worker has loaded (those a run uses) are compared with the client's, so
    an edit to, say, the figures does not stop a sweep. The check follows the runs, to cover the
    modules they import.
    """
    records = []
    for task in tasks:
        if network_files and task.key in network_files:
            task = _materialise(task, *network_files[task.key])
        records.append(fn(task))
    differ = code_mismatches(client_code)
    if differ:
        shown = ", ".join(differ[:4]) + (" ..." if len(differ) > 4 else "")
        raise CodeMismatchError(
            f"worker on {socket.gethostname()} runs different Reclamare code from the client "
            f"({shown}); install the same version on every worker machine and restart the "
            "workers (a worker keeps the code it first imported)"
        )
    return records


def estimated_seconds(task: RunTask) -> float:
    """A rough guess of one run's time on one core (only used to group very short runs)."""
    net = task.params.get("network") or {}
    n = net.get("n") or 1000
    if net.get("kind") == "file":
        n = max(n, 10_000)  # unknown until read: assume big enough not to group
    return 3e-3 + 2e-7 * n * (task.weeks + 1) * max(1, len(task.arms))


def batches(tasks: list[RunTask], workers: int, target: float = 0.2, most: int = 16) -> list:
    """Consecutive groups of runs, each about ``target`` seconds of work (runs are never split).

    Runs longer than ``target`` go one per Dask task. Shorter ones are grouped (at most
    ``most``), which saves Dask's few milliseconds per task, but never so much that fewer than
    four groups per worker remain (so that all workers stay busy to the end).
    """
    if not tasks:
        return []
    run = statistics.median(estimated_seconds(t) for t in tasks)
    size = max(1, min(most, int(target / run)))
    size = max(1, min(size, len(tasks) // (4 * max(1, workers))))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def dask_setup(worker) -> None:
    """Preload hook of a local cluster's worker processes: leave Ctrl-C to the client.

    A Ctrl-C in a terminal reaches every process of the foreground group, the worker processes
    included; the client handles it (keeps the finished runs, shuts the cluster down), so the
    workers ignore it instead of printing tracebacks while they are stopped.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from sim.engine.jit import set_threads

    set_threads(1)  # one run per worker process and core: no threads inside a run


# --------------------------------------------------------------------------- executor


class DaskExecutor:
    """Carry out run tasks on a Dask cluster: local worker processes, or an existing cluster.

    Parameters
    ----------
    workers : int, optional
        Start a local cluster of this many worker processes (one thread each) on 127.0.0.1.
        Default (when ``scheduler`` is not given either): one per CPU core.
    scheduler : str, optional
        Address of an existing scheduler (``tcp://host:8786``, ``host:8786``) or the path of a
        scheduler file. Mutually exclusive with ``workers``.
    retries : int
        Times a run that raised is retried before its error reaches the caller.
    batch : int, optional
        Runs per Dask task. Default: very short runs (well under 0.2 s) are grouped so that each
        Dask task holds about 0.2 s of work (see ``batches``); others go one per task.
    dashboard : bool
        Serve the dashboard of a local cluster (on a free port of 127.0.0.1; needs ``bokeh``).
    timeout : float, optional
        Seconds to wait for the scheduler (and, for an existing cluster, for a first worker);
        default ``TIMEOUT``.
    log : callable, optional
        Where to report the cluster and the dashboard link (default: standard error).
    """

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        retries: int = 2,
        batch: int | None = None,
        dashboard: bool = True,
        timeout: float | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if workers is not None and scheduler:
            raise ExecutorError(
                "give either a number of local workers or the address of an existing scheduler"
            )
        if workers is not None and workers < 1:
            raise ExecutorError(f"workers must be at least 1, got {workers}")
        self.log = log or (lambda text: print(text, file=sys.stderr))
        timeout = TIMEOUT if timeout is None else timeout
        self.retries = retries
        self.batch = batch
        self.cluster = None
        self.client = None
        self._closed = False
        self._silence_dask_logs()
        from distributed import Client

        if scheduler:
            self.client = self._connect(scheduler, timeout)
            self._wait_for_workers(timeout)
            n = self.n_workers
            where = f"Dask cluster at {self.client.scheduler.address} ({n} worker{'s' * (n > 1)})"
        else:
            from distributed import LocalCluster

            n = workers or os.cpu_count() or 1
            try:
                self.cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    scheduler_port=0,
                    dashboard_address="127.0.0.1:0" if dashboard else None,
                    worker_dashboard_address=None,
                    silence_logs=logging.CRITICAL,  # run errors reach the caller anyway
                    preload=[__name__],  # calls dask_setup in each worker process
                )
                self.client = Client(self.cluster, timeout=timeout)
            except Exception:
                self.close()
                raise
            where = f"local Dask cluster of {n} worker process{'es' if n > 1 else ''}"
        self.log(f"Running on a {where}" if self.cluster else f"Running on the {where}")
        link, note = self._dashboard()
        if link:
            self.log(f"Dask dashboard: {link}")
        elif note and dashboard:
            self.log(f"note: {note}")

    # ---- setting up

    @staticmethod
    def _silence_dask_logs() -> None:
        """Keep Dask's own INFO chatter off the terminal (warnings and errors still show)."""
        for name in ("distributed", "distributed.client", "distributed.scheduler"):
            logger = logging.getLogger(name)
            if logger.level in (logging.NOTSET, logging.INFO, logging.DEBUG):
                logger.setLevel(logging.WARNING)

    def _connect(self, scheduler: str, timeout: float):
        from distributed import Client

        try:
            if os.path.isfile(scheduler):
                check_scheduler_file(scheduler)
                return Client(scheduler_file=scheduler, timeout=timeout)
            return Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError, AssertionError, KeyError, TypeError) as error:
            text = " ".join(str(error).split())[:200]
            raise ExecutorError(
                f"cannot reach a Dask scheduler at {scheduler} within {timeout:g} s ({text})"
            ) from None

    def _wait_for_workers(self, timeout: float) -> None:
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            address = self.client.scheduler.address
            self.close()
            raise ExecutorError(
                f"the Dask scheduler at {address} has no workers (waited {timeout:g} s); start "
                f"some with: dask worker {address}"
            ) from None

    @property
    def dashboard_link(self) -> str | None:
        """The dashboard's address when it answers from here, else None (see ``_dashboard``)."""
        return self._dashboard()[0]

    def _dashboard(self) -> tuple[str | None, str | None]:
        """(link, note): the link when the dashboard answers; a note when it could with bokeh."""
        if self.client is None:
            return None, None
        try:
            link = self.client.dashboard_link
        except Exception:  # noqa: BLE001 - no HTTP server, unknown address
            return None, None
        if not link:
            return None, None
        try:
            with urllib.request.urlopen(link, timeout=3) as response:
                body = response.read(4096).decode("utf-8", "replace")
        except (OSError, ValueError):
            return None, None  # --no-dashboard (404) or not reachable from here
        if "needs bokeh" in body.lower():
            return None, "the Dask dashboard needs bokeh on the scheduler (pip install bokeh)"
        return link, None

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    # ---- running

    def map_unordered(
        self, tasks: Iterable[RunTask], fn: Callable[[RunTask], pd.DataFrame] = run_task
    ) -> Iterator[tuple[RunTask, pd.DataFrame]]:
        """Submit every task; yield ``(task, records)`` as each finishes, in completion order.

        Very short runs travel in small groups (see ``batches``); their records arrive together.

        Leaving the loop early (an error, Ctrl-C, ``break``) cancels the runs not yet finished.
        """
        from distributed import as_completed

        if self._closed:
            raise ExecutorError("the executor is closed")
        tasks = list(tasks)
        if not tasks:
            return
        nonce = uuid.uuid4().hex[:12]  # keys unique to this study (hashing tasks costs ~1 ms)
        files = self._scatter_network_files(tasks)
        if self.batch:
            groups = [tasks[i : i + self.batch] for i in range(0, len(tasks), self.batch)]
        else:
            groups = batches(tasks, max(1, self.n_workers))
        shipped, keys = [], []
        for group in groups:
            found = {t.key: files.get(_network_file(t)) for t in group}
            shipped.append({key: data for key, data in found.items() if data is not None})
            name = group[0].key + (f"+{len(group) - 1}" if len(group) > 1 else "")
            keys.append(f"{KEY_PREFIX}-{name}-{nonce}-{len(keys)}")
        # One map call: the scheduler receives the whole plan in one message.
        submitted = self.client.map(
            call_on_worker,
            [fn] * len(groups),
            groups,
            [CODE] * len(groups),
            shipped,
            key=keys,
            retries=self.retries,
        )
        futures = dict(zip(submitted, groups, strict=True))
        try:
            # with_results: results are gathered in the background as runs finish.
            for future, records in as_completed(list(futures), with_results=True):
                if future.status != "finished":  # cancelled (e.g. by the scheduler): raise it
                    future.result()
                group = futures.pop(future)
                future.release()
                yield from zip(group, records, strict=True)
        finally:
            if futures:  # left early: stop what has not finished
                with contextlib.suppress(Exception):
                    self.client.cancel(list(futures))

    def _scatter_network_files(self, tasks: list[RunTask]) -> dict:
        """Read each network file once here and place it on the cluster (shared by its runs)."""
        files = {}
        for task in tasks:
            path = _network_file(task)
            if path is None or path in files:
                continue
            try:
                data = path.read_bytes()
            except OSError:
                files[path] = None  # the run reports it (as it would in this process)
                continue
            # A fresh key per study: reusing a content key races with its release by a
            # previous study on the same cluster.
            [future] = self.client.scatter([(path.name, data)], hash=False)
            files[path] = future
        return files

    def close(self) -> None:
        """Disconnect; shut down the local cluster (an existing cluster keeps running)."""
        if self._closed:
            return
        self._closed = True
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=10)
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=10)

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    env: dict | None = None,
    log: Callable[[str], None] | None = None,
    **options,
):
    """The executor for ``--workers`` / ``--scheduler``.

    ``scheduler`` defaults to the ``RECLAMARE_SCHEDULER`` environment variable unless ``workers``
    is given (an explicit option beats the environment). With neither, runs happen in this
    process (``InProcessExecutor``).
    """
    env = os.environ if env is None else env
    if not scheduler and workers is None:
        scheduler = (env.get(SCHEDULER_ENV) or "").strip() or None
    if workers is None and not scheduler:
        return InProcessExecutor()
    if scheduler and os.path.lexists(scheduler):
        check_scheduler_file(scheduler)
    return DaskExecutor(workers=workers, scheduler=scheduler, log=log, **options)


MAX_SCHEDULER_FILE_BYTES = 2**20


def check_scheduler_file(path: str) -> None:
    """Refuse (ExecutorError, one line naming the file) anything but a Dask scheduler file: a
    regular file of JSON with the scheduler's ``address``, as ``dask scheduler
    --scheduler-file`` writes it."""
    from sim.network.bounded import FileRefused, read_bounded

    expected = (
        "expected a Dask scheduler file: JSON with the scheduler's address, as written by "
        "'dask scheduler --scheduler-file FILE'"
    )
    try:
        data = read_bounded(path, MAX_SCHEDULER_FILE_BYTES, "scheduler file")
    except FileRefused as error:
        raise ExecutorError(f"--scheduler {error}") from None
    try:
        info = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        info = None
    address = info.get("address") if isinstance(info, dict) else None
    if not isinstance(address, str) or "://" not in address:
        raise ExecutorError(f"--scheduler {path}: not a scheduler file ({expected})")
