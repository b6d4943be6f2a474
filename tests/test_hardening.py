"""Issue #16: one writer per results folder, bounded inputs, every failure a clean one-line error.

Each test reproduces one finding of the issue (they failed before the fix). Everything runs in
this process except the unbounded-input cases, which run in one child process with a memory
limit and a time limit (a regression there must not take the machine down or hang the suite).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.network import NetworkError, read_network_file
from sim.study import conduct, folders
from sim.study.conduct import execute
from sim.study.runner import InProcessExecutor
from sim.study.scenario import load_scenario
from sim.study.schema import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--set", "network.n=60", "--weeks", "3", "--replicates", "3", "--quiet", "--no-figures"]


def cli(args, capsys) -> tuple[int, str, str]:
    try:
        status = main([str(a) for a in args])
    except SystemExit as stop:  # argparse refusals
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(status: int, err: str) -> str:
    """The single stderr line of a refused command (exit 2), without a traceback."""
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "unexpected" not in err and "Traceback" not in err
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


TINY = """
title = "tiny"
weeks = 3
replicates = 2
[network]
n = 60
mean_degree = 4
"""


# ------------------------------------------------------------------ 1. one writer per folder


class CallDuring(InProcessExecutor):
    """Runs ``action`` after the first task of the study, while the study holds its folder."""

    def __init__(self, action):
        self.action = action
        self.result = None

    def map_unordered(self, tasks, fn):
        for i, task in enumerate(tasks):
            yield task, fn(task)
            if i == 0:
                self.result = self.action()


def test_second_writer_on_a_live_folder_is_refused_naming_the_process(tmp_path, capsys):
    out = tmp_path / "res"
    argv = ["run", "default", *SMALL, "--out", str(out)]
    scenario = load_scenario("default", [("network.n", 60), ("weeks", 3), ("replicates", 3)])

    def second_writer():
        return cli(argv, capsys)

    executor = CallDuring(second_writer)
    execute(scenario, out=out, executor=executor, quiet=True, argv=argv)
    status, _, err = executor.result
    line = one_line_error(status, err)
    assert str(out) in line and f"process {os.getpid()}" in line
    assert json.loads((out / "manifest.json").read_text())["completed"] is True


def test_folder_is_checked_again_under_the_lock(tmp_path, capsys, monkeypatch):
    """Two writers both see a missing folder; the later one must not write into the other's."""
    out = tmp_path / "res"
    first = ["run", "default", *SMALL, "--out", str(out)]
    second = ["run", "default", *SMALL, "--seed", "99", "--out", str(out)]
    original = conduct.check_out_dir
    calls = []

    def racing_check(folder, fingerprint):
        answer = original(folder, fingerprint)
        calls.append(1)
        if len(calls) == 2:  # the check just before the study starts writing
            assert cli(second, capsys)[0] == 0  # the other writer runs in the gap
        return answer

    monkeypatch.setattr(conduct, "check_out_dir", racing_check)
    status, _, err = cli(first, capsys)
    assert "already holds a complete study" in one_line_error(status, err)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["master_seed"] == 99
    seeds = {r["seed"] for r in manifest["runs"]}
    assert len(list((out / "runs").glob("*.csv"))) == len(seeds) == 3


def test_default_folders_are_created_exclusively(tmp_path, monkeypatch):
    monkeypatch.setattr(folders, "timestamp", lambda: "20260101-000000")
    monkeypatch.setattr(Path, "exists", lambda self: False)  # the other process is not seen yet
    first = folders.create_default_folder("x", tmp_path)
    second = folders.create_default_folder("x", tmp_path)
    assert first != second and first.is_dir() and second.is_dir()


# ------------------------------------------------------------------ 2. bounded inputs

BOUNDED_DRIVER = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))
from sim.cli import main
for args in {cases!r}:
    status = main(args)
    print(f"STATUS {{status}}", file=sys.stderr, flush=True)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_unbounded_inputs_are_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    net_fifo = tmp_path / "pipe.csv"
    os.mkfifo(net_fifo)
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as handle:
        handle.truncate(8 * 2**30)  # sparse: 8 GB of zero bytes, no disk used
    long_line = tmp_path / "long.csv"
    with open(long_line, "wb") as handle:
        handle.write(b"a,")
        handle.truncate(6 * 2**30)
    extends_zero = write(tmp_path / "ez.toml", 'extends = "/dev/zero"\n')
    extends_huge = write(tmp_path / "eh.toml", 'extends = "huge.toml"\n')
    extends_fifo = write(tmp_path / "ef.toml", 'extends = "pipe.toml"\n')

    def network(name, path):
        text = f'[network]\nkind = "file"\nformat = "edgelist"\npath = "{path}"\n'
        return write(tmp_path / name, text)

    cases = [
        ["validate", "/dev/zero"],
        ["validate", str(fifo)],
        ["validate", str(huge)],
        ["validate", str(tmp_path)],
        ["validate", str(extends_zero)],
        ["validate", str(extends_huge)],
        ["validate", str(extends_fifo)],
        ["validate", str(network("nz.toml", "/dev/zero"))],
        ["validate", str(network("nf.toml", net_fifo))],
        ["validate", str(network("nl.toml", long_line))],
    ]
    script = BOUNDED_DRIVER.format(cases=cases)
    start = time.monotonic()
    env = {**os.environ, "RECLAMARE_SKIP_MEMORY_CHECK": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - start < 60
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(lines) == 2 * len(cases), done.stderr[-2000:]
    for k, case in enumerate(cases):
        message, status = lines[2 * k], lines[2 * k + 1]
        assert status == "STATUS 2", (case, message)
        assert "unexpected" not in message and "Memory" not in message, (case, message)
    assert "character device" in lines[0]
    assert "FIFO" in lines[2]
    assert "1,048,576 bytes" in lines[4] and str(huge) in lines[4]
    assert "folder" in lines[6]
    assert "/dev/zero" in lines[8] and "character device" in lines[8]
    assert "1,048,576 bytes" in lines[10]
    assert "FIFO" in lines[12]
    assert "character device" in lines[14]
    assert "FIFO" in lines[16]
    assert "line 1" in lines[18] and "10,000 characters" in lines[18]


# ------------------------------------------------------------------ 3. memory before any folder


@pytest.fixture
def eight_gigabytes(monkeypatch):
    import sim.engine.memory as memory

    monkeypatch.delenv(memory.SKIP_ENV, raising=False)
    monkeypatch.setattr(memory, "available_memory", lambda: 8 * 2**30)


def test_memory_is_checked_before_any_folder_exists(tmp_path, capsys, monkeypatch, eight_gigabytes):
    monkeypatch.chdir(tmp_path)
    big = ["--set", "network.n=20000000", "--set", "network.mean_degree=100"]
    for extra in ([], ["--out", str(tmp_path / "out")]):
        status, _, err = cli(["run", "default", *big, "--quiet", *extra], capsys)
        line = one_line_error(status, err)
        assert "memory" in line and "network.n = 20000000" in line
    assert list(tmp_path.iterdir()) == []


def test_validate_estimates_memory_at_every_sweep_point(tmp_path, capsys, eight_gigabytes):
    path = write(
        tmp_path / "grid.toml",
        TINY + '[sweep]\n"network.n" = [100, 20000000]\n"network.mean_degree" = [4, 100]\n',
    )
    status, _, err = cli(["validate", path], capsys)
    line = one_line_error(status, err)
    assert "sweep point" in line and "network.n=20000000" in line and "memory" in line


# ------------------------------------------------------------------ 4. plan size


def test_huge_plan_is_refused_with_the_limit_and_how_to_raise_it(tmp_path, capsys):
    values = ", ".join(str(1 + i / 100) for i in range(100))
    path = write(
        tmp_path / "huge.toml",
        TINY.replace("replicates = 2", "replicates = 10000").replace("weeks = 3", "weeks = 10000")
        + f'[sweep]\n"wom.negative_impact" = [{values}]\n"arm.budget" = [{values}]\n',
    )
    start = time.monotonic()
    status, _, err = cli(["validate", path], capsys)
    line = one_line_error(status, err)
    assert "100,000,000 runs" in line and "RECLAMARE_MAX_RUNS" in line
    status, _, err = cli(["sweep", path, "--out", tmp_path / "out", "--quiet"], capsys)
    assert "RECLAMARE_MAX_RUNS" in one_line_error(status, err)
    assert time.monotonic() - start < 20
    assert not (tmp_path / "out").exists()


def test_output_rows_and_arms_are_capped(tmp_path, capsys, monkeypatch):
    path = write(tmp_path / "long.toml", TINY.replace("weeks = 3", "weeks = 10000"))
    status, _, err = cli(["validate", path], capsys)
    assert status == 0, err
    status, _, err = cli(["run", path, "--replicates", "2000", "--quiet"], capsys)
    line = one_line_error(status, err)
    assert "rows" in line and "RECLAMARE_MAX_ROWS" in line and "GB" in line
    arms = "".join(f'[[arms]]\nname = "a{i}"\n' for i in range(300))
    path = write(tmp_path / "arms.toml", TINY + arms)
    line = one_line_error(*cli(["validate", path], capsys)[::2])
    assert "300 arms" in line and "RECLAMARE_MAX_ARMS" in line
    monkeypatch.setenv("RECLAMARE_MAX_ARMS", "400")
    assert cli(["validate", path], capsys)[0] == 0


def test_validation_is_linear_in_the_number_of_arms(tmp_path, capsys, monkeypatch):
    from sim.engine import model as model_module

    monkeypatch.setenv("RECLAMARE_MAX_ARMS", "100000")
    arms = "".join(f'[[arms]]\nname = "arm{i}"\nbudget = {i % 50}.0\n' for i in range(20_000))
    path = write(tmp_path / "many.toml", TINY + arms)
    built = []
    original = model_module.BrandModel.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(model_module.BrandModel, "__init__", counting)
    start = time.monotonic()
    status, _, err = cli(["validate", path], capsys)
    assert status == 0, err
    assert len(built) <= 2
    assert time.monotonic() - start < 15
    dupes = write(tmp_path / "dupes.toml", TINY + arms + '[[arms]]\nname = "arm7"\n')
    line = one_line_error(*cli(["validate", dupes], capsys)[::2])
    assert "repeated: arm7" in line


# ------------------------------------------------------------------ 5. disk and path errors


@pytest.mark.parametrize("case", ["read_only", "parent_is_file", "too_long", "dangling"])
def test_unusable_out_folders_exit_2_naming_the_path(tmp_path, capsys, monkeypatch, case):
    if case == "read_only":
        target = tmp_path / "ro" / "out"

        def refuse(path, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))

        monkeypatch.setattr(os, "mkdir", refuse)  # as on a read-only disk (we run as root)
    elif case == "parent_is_file":
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "out"
    elif case == "too_long":
        target = tmp_path / ("x" * 300)
    else:
        target = tmp_path / "link"
        target.symlink_to(tmp_path / "missing" / "deeper")
    status, _, err = cli(["run", "default", *SMALL, "--out", target], capsys)
    line = one_line_error(status, err)
    assert str(target)[:100] in line
    assert not (tmp_path / "missing").exists()


def full_disk_after(monkeypatch, writes: int):
    """Make DataFrame.to_csv fail with ENOSPC after ``writes`` good calls (half a file written)."""
    original = pd.DataFrame.to_csv
    count = []

    def to_csv(self, target=None, *args, **kwargs):
        count.append(1)
        if len(count) > writes:
            text = original(self, None, *args, **kwargs)
            if hasattr(target, "write"):
                target.write(text[: len(text) // 2])
            else:
                Path(target).write_text(text[: len(text) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, target, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


def test_full_disk_stops_cleanly_and_resumes(tmp_path, capsys, monkeypatch):
    out = tmp_path / "res"
    argv = ["run", "default", *SMALL, "--out", out]
    with monkeypatch.context() as patch:
        full_disk_after(patch, 1)
        status, _, err = cli(argv, capsys)
    line = one_line_error(status, err)
    assert "No space left on device" in line and str(out) in line
    leftovers = [p for p in out.rglob(".*") if p.name not in (folders.LOCK, folders.JOURNAL)]
    assert leftovers == []
    note = (out / "INCOMPLETE").read_text()
    assert "No space left on device" in note and "interrupted" not in note
    status, _, err = cli(argv, capsys)
    assert status == 0, err
    assert json.loads((out / "manifest.json").read_text())["completed"] is True


def test_finished_files_are_fsynced_before_rename(tmp_path, capsys, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append(("replace", Path(b).name)), real_replace(a, b))
    )
    assert cli(["run", "default", *SMALL, "--out", tmp_path / "res"], capsys)[0] == 0
    replaced = [i for i, e in enumerate(events) if isinstance(e, tuple)]
    assert replaced and any(events[i][1] == "r0000.csv" for i in replaced)
    for i in replaced:
        assert events[i - 1] == "fsync", events[max(0, i - 3) : i + 1]


@pytest.mark.parametrize("content", ["", "not json", '{"type": "Scheduler"}', "[1, 2]"])
def test_scheduler_option_pointing_at_a_non_scheduler_file(tmp_path, capsys, content):
    path = write(tmp_path / "sched.json", content)
    status, _, err = cli(["run", "default", *SMALL, "--scheduler", path], capsys)
    line = one_line_error(status, err)
    assert str(path) in line and "scheduler file" in line


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_viz_port_out_of_range(capsys, port):
    status, _, err = cli(["viz", "--port", port], capsys)
    line = one_line_error(status, err)
    assert "port" in line and "65535" in line


@pytest.mark.parametrize(
    "manifest",
    ["[]", "{}", '{"scenario": {}}', '{"scenario": {"arms": "x"}, "runs": []}', "nul\x00"],
)
def test_report_on_a_broken_manifest(tmp_path, capsys, manifest):
    folder = tmp_path / "res"
    write(folder / "manifest.json", manifest)
    status, _, err = cli(["report", folder], capsys)
    line = one_line_error(status, err)
    assert str(folder / "manifest.json") in line


# ------------------------------------------------------------------ 6. run files on resume


class InterruptAfter(InProcessExecutor):
    def __init__(self, k: int):
        self.k = k

    def map_unordered(self, tasks, fn):
        for i, task in enumerate(tasks):
            if i == self.k:
                raise KeyboardInterrupt
            yield task, fn(task)


def damage(path: Path, how: str) -> None:
    table = pd.read_csv(path)
    if how == "empty":
        path.write_bytes(b"")
    elif how == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif how == "columns":
        table.drop(columns=["awareness"]).to_csv(path, index=False)
    elif how == "arms":
        table[table["arm"] != "push"].to_csv(path, index=False)
    elif how == "weeks":
        table[table["week"] < 2].to_csv(path, index=False)
    elif how == "replicate":
        table.assign(replicate=7).to_csv(path, index=False)


@pytest.mark.parametrize("how", ["empty", "binary", "columns", "arms", "weeks", "replicate"])
def test_bad_run_files_are_recomputed_on_resume(tmp_path, capsys, how):
    full = tmp_path / "full"
    assert cli(["run", "default", *SMALL, "--out", full], capsys)[0] == 0
    part = tmp_path / "part"
    argv = ["run", "default", *SMALL, "--out", str(part)]
    scenario = load_scenario("default", [("network.n", 60), ("weeks", 3), ("replicates", 3)])
    with pytest.raises(KeyboardInterrupt):
        execute(scenario, out=part, executor=InterruptAfter(2), quiet=True, argv=argv)
    damage(part / "runs" / "r0000.csv", how)
    status, _, err = cli(argv, capsys)
    assert status == 0, err
    assert any("r0000.csv" in line and "recomput" in line for line in err.splitlines()), err
    for name in ("timeseries.csv", "summary.csv"):
        assert (part / name).read_bytes() == (full / name).read_bytes(), name


# ------------------------------------------------------------------ 7. viz opens the given file


def test_viz_preset_is_the_given_file_not_a_shipped_namesake(tmp_path, monkeypatch):
    from sim.viz.app import initial_controls
    from sim.viz.arena import Arena

    for name in ("mystudy.toml", "karate.toml"):
        path = write(tmp_path / "deep" / name, 'title = "Mine, not shipped"\n[network]\nn = 50\n')
        monkeypatch.setenv("RECLAMARE_PRESET", str(path))
        controls = initial_controls()
        arena = Arena(controls)
        assert arena.preset.title == "Mine, not shipped", name
        assert arena.preset.path == path.resolve()


def test_viz_resolves_a_relative_scenario_before_starting_the_server(tmp_path, monkeypatch):
    import sim.viz.launch as launch

    path = write(tmp_path / "sub" / "karate.toml", 'title = "Mine"\n[network]\nn = 50\n')
    monkeypatch.chdir(tmp_path)
    seen = {}

    class FakeProcess:
        stdout = iter(())  # the server printed nothing

        def wait(self, timeout=None):
            return 0

    def popen(command, env, cwd, **pipes):
        seen["env"] = env
        return FakeProcess()

    fake = types.SimpleNamespace(Popen=popen, TimeoutExpired=TimeoutError, PIPE=-1)
    monkeypatch.setattr(launch, "subprocess", fake)
    assert launch.serve("sub/karate.toml", "127.0.0.1", free_port()) == 0
    assert seen["env"]["RECLAMARE_PRESET"] == str(path.resolve())


def test_preset_menu_accepts_only_listed_presets(tmp_path, monkeypatch):
    from sim.viz.presets import listed_preset, preset_names

    other = write(tmp_path / "evil.toml", 'title = "not offered"\n')
    monkeypatch.delenv("RECLAMARE_PRESET", raising=False)
    assert listed_preset(str(other)) is None
    assert listed_preset("../../etc/passwd") is None
    assert listed_preset("karate").title == load_scenario("karate").title
    assert all(listed_preset(name) is not None for name in preset_names())
    monkeypatch.setenv("RECLAMARE_PRESET", str(other))
    assert listed_preset(str(other.resolve())).title == "not offered"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ 8. smaller findings


@pytest.mark.parametrize("weight", ["1e308", "1e-320", "3.5e38"])
def test_edge_weights_must_fit_float32(tmp_path, weight):
    path = write(tmp_path / "w.csv", f"a,b,1\nb,c,{weight}\n")
    with pytest.raises(NetworkError, match=r"line 2.*1e-30 to 1e\+?30"):
        read_network_file(path)
    graphml = write(
        tmp_path / "w.graphml",
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="w" for="edge" attr.name="weight" attr.type="double"/>'
        '<graph edgedefault="undirected"><node id="a"/><node id="b"/>'
        f'<edge source="a" target="b"><data key="w">{weight}</data></edge></graph></graphml>',
    )
    with pytest.raises(NetworkError, match="1e-30 to 1e"):
        read_network_file(graphml)


def test_network_file_errors_do_not_echo_content(tmp_path):
    secret = "root:x:0:0:SECRET-PASSWORD:/root:/bin/bash"
    cases = [
        f"{secret}\n",
        f"a b\n{secret} x y\n",
        f"a b 1\nc d {secret}\n",
        f"a,b,1\nc,d,{secret}\n",
    ]
    for k, text in enumerate(cases):
        path = write(tmp_path / f"s{k}.txt", text)
        with pytest.raises(NetworkError) as info:
            read_network_file(path)
        message = str(info.value)
        assert "SECRET" not in message and "root:x" not in message, message
        assert "line" in message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TINY.encode())
    assert load_scenario(path).title == "tiny"
    net = tmp_path / "bom.csv"
    net.write_bytes(b"\xef\xbb\xbfsource,target\na,b\nb,c\n")
    assert read_network_file(net).n == 3


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('title = "two\\nlines"\n', "title"),
        ('title = "tab\\there"\n', "title"),
        (f'title = "{"t" * 201}"\n', "200"),
        (f'description = "{"d" * 20_001}"\n', "20,000"),
    ],
)
def test_titles_are_one_line_and_descriptions_capped(tmp_path, text, needle):
    path = write(tmp_path / "t.toml", text + TINY.replace('title = "tiny"\n', ""))
    with pytest.raises(ScenarioError, match=needle) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)


def test_errors_inherited_through_extends_blame_the_file_that_has_them(tmp_path):
    base = write(tmp_path / "base.toml", "[network]\nn = 1\n[push]\nbogus = 3\n")
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\ntitle = "child"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{base}"), str(info.value)
    write(child, 'extends = "base.toml"\n[network]\nn = 1\n[push]\n')
    fixed = write(tmp_path / "base.toml", "[network]\nn = 50\n")
    assert fixed.exists()
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{child}"), str(info.value)


def test_viz_invalid_host_is_not_called_a_busy_port(capsys):
    status, _, err = cli(["viz", "--host", "999.1.1.1", "--port", str(free_port())], capsys)
    line = one_line_error(status, err)
    assert "999.1.1.1" in line and "in use" not in line and "address" in line


def test_warnings_on_stderr_are_one_line(tmp_path, capsys):
    net = write(tmp_path / "loops.csv", "a,a\na,b\nb,c\nc,a\na,b\n")
    path = write(tmp_path / "s.toml", TINY.replace("n = 60", 'kind = "file"\npath = "loops.csv"'))
    assert net.exists()
    status, _, err = cli(["run", path, "--out", tmp_path / "o", "--quiet", "--no-figures"], capsys)
    assert status == 0, err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines), err
    assert any("self-loops" in line for line in lines)
