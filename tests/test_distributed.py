"""Runs on Dask give the same results as runs in this process, and survive deaths.

Everything uses real Dask on loopback (127.0.0.1) only, free ports, timeouts, and every process a
test starts is stopped by its process id in a ``finally``.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from sim.cli import main
from sim.study import conduct as study
from sim.study.distributed import (
    CODE,
    SCHEDULER_ENV,
    CodeMismatchError,
    DaskExecutor,
    ExecutorError,
    batches,
    call_on_worker,
    make_executor,
)
from sim.study.folders import INCOMPLETE
from sim.study.runner import InProcessExecutor, RunTask, run_task
from sim.study.runs import done_keys, run_path, write_run
from sim.study.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DASK = str(Path(sys.executable).with_name("dask"))
TABLES = ("timeseries.csv", "summary.csv", "summary.json", "sweep.csv")

TINY = """
title = "Tiny sweep (distributed tests)"
weeks = 6
replicates = 3
seed = 7

[network]
kind = "small_world"
n = 150
mean_degree = 6

[[arms]]
name = "push"
push_share = 1.0

[[arms]]
name = "dialogue"
push_share = 0.0

[sweep]
"arm.budget" = [10.0, 40.0]
"""

# Long enough runs (about 50 ms each, 64 runs) that a sweep can be interrupted in the middle.
LONGER = """
title = "Longer sweep (distributed kill tests)"
weeks = 52
replicates = 32
seed = 11

[network]
kind = "small_world"
n = 3000
mean_degree = 6

[[arms]]
name = "push"
push_share = 1.0
budget = 20.0

[[arms]]
name = "dialogue"
push_share = 0.0
budget = 20.0

[sweep]
"arm.budget" = [10.0, 40.0]
"""


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stop(pid: int, timeout: float = 10.0) -> None:
    """Stop a process we started and its children, by process id."""
    try:
        proc = psutil.Process(pid)
        procs = [*proc.children(recursive=True), proc]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alive, timeout=timeout)


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != SCHEDULER_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return env


def cli(*args: str) -> int:
    return main([*args, "--quiet", "--no-figures"])  # the tables are what is compared


def assert_same_results(a: Path, b: Path) -> None:
    """Byte-identical final tables and per-run records."""
    for name in TABLES:
        assert (a / name).exists() == (b / name).exists(), name
        if (a / name).exists():
            assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"
    runs_a = sorted(p.name for p in (a / "runs").glob("*.csv"))
    runs_b = sorted(p.name for p in (b / "runs").glob("*.csv"))
    assert runs_a == runs_b
    for name in runs_a:
        assert (a / "runs" / name).read_bytes() == (b / "runs" / name).read_bytes(), name


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    paths = {}
    for name, text in (("tiny", TINY), ("longer", LONGER)):
        paths[name] = folder / f"{name}.toml"
        paths[name].write_text(text)
    return paths


@pytest.fixture(scope="module")
def reference(scenarios, tmp_path_factory, monkeypatch_module) -> dict[str, Path]:
    """Each scenario's sweep run in this process (the reference results)."""
    out = tmp_path_factory.mktemp("reference")
    folders = {}
    for name, path in scenarios.items():
        folders[name] = out / name
        assert cli("sweep", str(path), "--out", str(folders[name])) == 0
    return folders


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(SCHEDULER_ENV, raising=False)
        yield mp


def network_path_of(task: RunTask):
    """Run on a worker: the network file path the task has there."""
    import pandas as pd

    return pd.DataFrame({"path": [task.params["network"]["path"]]})


# --------------------------------------------------------------------------- no cluster needed


def test_no_options_means_in_process():
    assert isinstance(make_executor(env={}), InProcessExecutor)
    assert isinstance(make_executor(env={SCHEDULER_ENV: "  "}), InProcessExecutor)


def test_command_line_options_beat_the_environment(monkeypatch):
    made = []
    monkeypatch.setattr("sim.study.distributed.DaskExecutor", lambda **kw: made.append(kw) or kw)
    env = {SCHEDULER_ENV: "tcp://10.0.0.5:8786"}
    assert make_executor(env=env)["scheduler"] == "tcp://10.0.0.5:8786"
    assert make_executor(3, env=env) == {"workers": 3, "scheduler": None, "log": None}
    assert make_executor(None, "tcp://127.0.0.1:9", env=env)["scheduler"] == "tcp://127.0.0.1:9"


def test_short_runs_travel_in_groups_long_runs_alone():
    def tasks(count, n, weeks):
        params = {"network": {"kind": "small_world", "n": n}}
        arms = [{"name": "a"}, {"name": "b"}]
        return [RunTask(f"r{i:04d}", params, arms, i, weeks, i) for i in range(count)]

    short = tasks(320, 1000, 26)  # about 20 ms each
    groups = batches(short, workers=2)
    assert [t for g in groups for t in g] == short  # every run once, in plan order
    assert 1 < len(groups[0]) <= 16 and len(groups) >= 8
    assert len(batches(short[:16], workers=2)[0]) == 2  # still 4 groups per worker
    assert {len(g) for g in batches(tasks(50, 100_000, 52), workers=2)} == {1}
    assert batches([], workers=2) == []


def test_workers_and_scheduler_together_are_refused(capsys):
    with pytest.raises(ExecutorError, match="either"):
        make_executor(2, "tcp://127.0.0.1:1")
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert exit_info.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ExecutorError, match="cannot reach a Dask scheduler"):
        DaskExecutor(scheduler=address, timeout=1)
    # From the environment variable, through the CLI: exit status 2, nothing created.
    monkeypatch.setenv(SCHEDULER_ENV, address)
    monkeypatch.setattr("sim.study.distributed.TIMEOUT", 1.0)
    out = tmp_path / "never"
    assert main(["run", "--set", "network.n=100", "--weeks", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot reach a Dask scheduler" in err and address in err
    assert not out.exists()


def test_worker_with_other_code_refuses_its_records():
    params = load_scenario("default").resolve()[0].model_dump(mode="json")
    params["network"]["n"] = 50
    arms = [{"name": "push", "budget": 20.0, "push_share": 1.0}]
    task = RunTask(key="r0000", params=params, arms=arms, seed=1, weeks=1)
    call_on_worker(run_task, [task], CODE)  # same code: fine
    other = {**CODE, "sim.engine.model": "0" * 16}
    with pytest.raises(CodeMismatchError, match=r"different Reclamare code .*sim\.engine\.model"):
        call_on_worker(run_task, [task], other)
    # Modules that this process has not loaded (runs do not use them) may differ.
    unloaded = [name for name in CODE if name not in sys.modules]
    if unloaded:
        call_on_worker(run_task, [task], {**CODE, unloaded[0]: "0" * 16})


def test_network_file_travels_with_the_task(tmp_path):
    """A file network is read on the client; the worker needs no copy of the file."""
    (tmp_path / "ties.csv").write_text("".join(f"{i},{(i * 7 + 3) % 40}\n" for i in range(40)))
    params = load_scenario("default").resolve()[0].model_dump(mode="json")
    params["network"].update(kind="file", path="ties.csv")
    arms = [{"name": "push", "budget": 20.0, "push_share": 1.0}]
    task = RunTask(key="r0000", params=params, arms=arms, seed=5, weeks=4, base_dir=str(tmp_path))
    expected = run_task(task)
    data = (tmp_path / "ties.csv").read_bytes()
    (tmp_path / "ties.csv").unlink()  # gone from "the client's disk" as a worker would see it
    [got] = call_on_worker(run_task, [task], CODE, {"r0000": ("ties.csv", data)})
    assert got.to_csv(index=False) == expected.to_csv(index=False)


def test_completion_order_does_not_change_the_tables(scenarios, reference, tmp_path):
    class Shuffled:
        def map_unordered(self, tasks, fn):
            tasks = list(tasks)
            random.Random(3).shuffle(tasks)
            for task in tasks:
                yield task, fn(task)

    scenario = load_scenario(scenarios["tiny"])
    out = tmp_path / "shuffled"
    study.execute(scenario, sweep=True, out=out, executor=Shuffled(), quiet=True, argv=[])
    assert_same_results(out, reference["tiny"])


# --------------------------------------------------------------------------- local cluster


@pytest.mark.slow
def test_local_cluster_gives_the_in_process_tables(scenarios, reference, tmp_path):
    for workers in ("1", "2"):
        out = tmp_path / f"workers{workers}"
        assert cli("sweep", str(scenarios["tiny"]), "--out", str(out), "--workers", workers) == 0
        assert_same_results(out, reference["tiny"])


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_loses_no_run(scenarios, reference, tmp_path):
    tasks = load_scenario(scenarios["longer"]).plan(sweep=True)
    out = tmp_path / "killed-worker"
    killed = None
    with DaskExecutor(workers=2, dashboard=False, log=lambda text: None) as executor:
        client = executor.client
        pids = client.run(os.getpid)
        for task, records in executor.map_unordered(tasks, run_task):
            write_run(out, task, records)
            if killed is None:
                busy = [w for w, keys in client.processing().items() if keys and w in pids]
                assert busy, "no worker busy: the sweep is too short for this test"
                killed = pids[busy[0]]
                os.kill(killed, signal.SIGKILL)
        assert not psutil.pid_exists(killed) or psutil.Process(killed).status() == "zombie"
    assert done_keys(out) == {t.key for t in tasks}
    for task in tasks:
        mine = run_path(out, task.key).read_bytes()
        assert mine == run_path(reference["longer"], task.key).read_bytes(), task.key


def signal_state(pid: int) -> str:
    """A process's blocked, ignored and caught signals (hex masks from /proc), for messages."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError as error:
        return f"signal masks unreadable ({error})"
    wanted = ("SigBlk", "SigIgn", "SigCgt")
    return ", ".join(line.replace("\t", " ") for line in lines if line.startswith(wanted))


def interrupt_mid_sweep(command, cwd, out: Path, total: int, how: str) -> tuple[int, str]:
    """Start the command, interrupt it once 3 more runs are saved; (runs saved, its stderr).

    ``how``: "ctrl-c" sends SIGINT to its whole process group, as a terminal does; "kill" sends
    SIGKILL to the client alone. Either way no worker process may outlive it.
    """
    before = len(done_keys(out))
    log = cwd / f"stderr-{how}-{before}.txt"
    # A job in a terminal's foreground takes Ctrl-C. When pytest itself runs in the background
    # (`pytest &` or nohup from a script), it starts with SIGINT ignored, its children inherit
    # that over exec, and Python then keeps ignoring Ctrl-C, as a background job should (that
    # was the "flaky" failure of 2026-12-01: SigIgn 0x1001007 in both processes). A handler
    # here becomes the default disposition in the child, as the terminal's shell would give it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with open(log, "wb") as err:
            proc = subprocess.Popen(
                command,
                cwd=cwd,
                env=clean_env(),
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,  # its own process group, like a job in a terminal
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    children = []
    try:
        wait_for(
            lambda: proc.poll() is not None or len(done_keys(out)) >= before + 3,
            90,
            "the first runs",
        )
        assert proc.poll() is None, "the sweep stopped before it could be interrupted"
        children = psutil.Process(proc.pid).children(recursive=True)
        if how == "ctrl-c":
            signals = signal_state(proc.pid)  # read before: if Ctrl-C is lost, this says why
            os.killpg(proc.pid, signal.SIGINT)
            code = proc.wait(timeout=30)
            assert code == 130, (
                f"exit {code} after Ctrl-C; the client's {signals}; this test process's "
                f"{signal_state(os.getpid())}; stderr: {log.read_text()[-1500:]}"
            )
        else:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        done = len(done_keys(out))
        assert before < done < total, f"{done} of {total}: not interrupted mid-sweep"
        _, alive = psutil.wait_procs(children, timeout=20)
        assert not alive, f"orphans: {[p.pid for p in alive]}"
    finally:
        stop(proc.pid)
        for child in children:
            stop(child.pid)
    assert (out / INCOMPLETE).exists()
    return done, log.read_text()


@pytest.mark.slow
def test_an_interrupted_client_resumes_and_matches(scenarios, reference, tmp_path):
    """Ctrl-C, then a killed client, then the same command: only what is missing is run."""
    out = tmp_path / "interrupted"
    command = [PYTHON, str(ROOT / "run_sim.py"), "sweep", str(scenarios["longer"])]
    command += ["--out", str(out), "--workers", "2", "--quiet", "--no-figures"]
    total = len(load_scenario(scenarios["longer"]).plan(sweep=True))

    done, stderr = interrupt_mid_sweep(command, tmp_path, out, total, "ctrl-c")
    assert f"Interrupted: {done} of {total} runs finished" in stderr
    assert "Traceback" not in stderr  # the workers leave Ctrl-C to the client
    done, _ = interrupt_mid_sweep(command, tmp_path, out, total, "kill")

    rerun = subprocess.run(
        command, cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} of {total} runs already done" in rerun.stderr
    assert not (out / INCOMPLETE).exists()
    assert_same_results(out, reference["longer"])


# --------------------------------------------------------------------------- existing cluster


@pytest.mark.slow
def test_existing_scheduler_and_workers(scenarios, reference, tmp_path, monkeypatch):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, started and stopped here."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = []

    def start(name: str, *args: str) -> subprocess.Popen:
        with open(logs / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(
                [DASK, *args], cwd=tmp_path, env=clean_env(), stdout=log, stderr=log
            )
        procs.append(proc)
        return proc

    try:
        start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
            "--dashboard-address",
            "127.0.0.1:0",
            "--scheduler-file",
            str(scheduler_file),
        )
        workers = [
            start(
                f"worker{i}",
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--local-directory",
                str(tmp_path / f"w{i}"),
            )
            for i in range(2)
        ]
        wait_for(scheduler_file.exists, 60, "the scheduler", every=0.2)

        # 1. The CLI with --scheduler, and with the environment variable naming a scheduler file.
        out = tmp_path / "scheduler-option"
        assert cli("sweep", str(scenarios["tiny"]), "--out", str(out), "--scheduler", address) == 0
        assert_same_results(out, reference["tiny"])
        monkeypatch.setenv(SCHEDULER_ENV, str(scheduler_file))
        out = tmp_path / "scheduler-env"
        assert cli("sweep", str(scenarios["tiny"]), "--out", str(out)) == 0
        assert_same_results(out, reference["tiny"])

        # 2. One worker (nanny and worker process) dies mid-sweep: the other finishes every run.
        tasks = load_scenario(scenarios["longer"]).plan(sweep=True)
        out = tmp_path / "worker-died"
        killed = False
        with DaskExecutor(scheduler=address, log=lambda text: None) as executor:
            executor.client.wait_for_workers(2, timeout=60)
            for task, records in executor.map_unordered(tasks, run_task):
                write_run(out, task, records)
                if not killed:
                    victim = psutil.Process(workers[0].pid)
                    for p in [*victim.children(recursive=True), victim]:
                        p.kill()
                    killed = True
            assert executor.n_workers == 1
        assert done_keys(out) == {t.key for t in tasks}
        for task in tasks:
            mine = run_path(out, task.key).read_bytes()
            assert mine == run_path(reference["longer"], task.key).read_bytes(), task.key

        # 3. A file network travels with the runs: workers use a copy, not the client's file.
        net_file = tmp_path / "client-only" / "ties.csv"
        net_file.parent.mkdir()
        net_file.write_text("".join(f"{i},{(i * 7 + 3) % 40}\n" for i in range(40)))
        params = load_scenario("default").resolve()[0].model_dump(mode="json")
        params["network"].update(kind="file", path="ties.csv")
        arms = [{"name": "push", "budget": 20.0, "push_share": 1.0}]
        file_tasks = [
            RunTask(f"r{r:04d}", params, arms, 5 + r, 3, r, base_dir=str(net_file.parent))
            for r in range(4)
        ]
        with DaskExecutor(scheduler=address, log=lambda text: None) as executor:
            used = [f["path"][0] for _, f in executor.map_unordered(file_tasks, network_path_of)]
            got = {t.key: f for t, f in executor.map_unordered(file_tasks, run_task)}
        assert used and all(Path(p).name == "ties.csv" and "reclamare-networks" in p for p in used)
        for task in file_tasks:
            assert got[task.key].equals(run_task(task))

        # 4. Closing the executor left the existing cluster running.
        assert procs[0].poll() is None and workers[1].poll() is None
    finally:
        for proc in reversed(procs):
            stop(proc.pid)
