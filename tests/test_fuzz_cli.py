"""Issue #16: fuzzing the command line with hostile scenario files, network files, run files and
command lines. Every command must exit 0 or 2; a refusal (2) is exactly one line on stderr, never
"unexpected" or a traceback, and leaves no folder behind.

Hypothesis runs derandomized (the same examples every time) with a bounded number of examples,
so this file takes well under a minute.
"""

from __future__ import annotations

import os
import shutil
import string
import tempfile
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SMALL_RUN = ["--weeks", "2", "--replicates", "1", "--quiet", "--no-figures"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Paths a hostile input may point at: a FIFO, a device, a folder, a huge sparse file, ..."""
    root = tmp_path_factory.mktemp("hostile")
    fifo = root / "pipe.toml"
    os.mkfifo(fifo)
    huge = root / "huge.csv"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 2**30)  # sparse
    folder = root / "folder.toml"
    folder.mkdir()
    dangling = root / "dangling.toml"
    dangling.symlink_to(root / "nowhere" / "x.toml")
    good_net = root / "good.csv"
    good_net.write_text("a,b\nb,c\nc,d\nd,a\n")
    return {
        "fifo": fifo,
        "zero": Path("/dev/zero"),
        "folder": folder,
        "huge": huge,
        "dangling": dangling,
        "missing": root / "missing.toml",
        "good_net": good_net,
    }


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    try:
        status = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse refusals
        status = stop.code
    out, err = capsys.readouterr()
    return status, err


def check_clean(status: int, err: str, before: set[Path], root: Path, lines: int = 1) -> None:
    """Exit 0 or 2; a refusal is one line (``validate``: one per file) and leaves no new folder
    under ``root``."""
    assert status in (0, 2), err
    assert "unexpected" not in err and "Traceback" not in err, err
    if status == 2:
        assert 1 <= len(err.strip().splitlines()) <= lines, err
        after = {p for p in root.rglob("*") if p.is_dir()}
        assert after <= before, sorted(after - before)
    for line in err.strip().splitlines():
        assert line.strip() == line or not line, err  # no indented (traceback-like) lines


def folders(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_dir()}


# ------------------------------------------------------------------ scenario files

SCALARS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(string.printable, max_size=12),
    st.booleans(),
    st.just("1e308"),
)
KEYS = [
    "title",
    "description",
    "weeks",
    "replicates",
    "seed",
    "baseline",
    "network.n",
    "network.kind",
    "network.mean_degree",
    "network.path",
    "push.cost_per_impression",
    "arm.budget",
    "arm.target_group",
    "wom.listeners",
    "report.measures",
    "bogus",
    "network.bogus",
]


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


@st.composite
def scenario_texts(draw, hostile_names):
    lines = ["[network]", "n = 40", "mean_degree = 4"]
    top = [f"weeks = {draw(st.integers(1, 3))}", "replicates = 1"]
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=4)):
        value = toml_value(draw(SCALARS))
        if key.startswith("network.") and draw(st.booleans()):
            value = toml_value(draw(st.sampled_from(["file", "ring", "karate", "x"])))
        if key == "network.path":
            value = toml_value(draw(st.sampled_from(hostile_names)))
        section, _, name = key.rpartition(".")
        if section:
            lines.append(f"[{section}]\n{name} = {value}")
        else:
            top.append(f"{name} = {value}")
    if draw(st.booleans()):
        top.append(f"extends = {toml_value(draw(st.sampled_from(hostile_names)))}")
    if draw(st.integers(0, 4)) == 0:
        count = draw(st.integers(1, 4))
        values = ", ".join(str(v) for v in range(1, count + 1))
        lines.append(f'[sweep]\n"{draw(st.sampled_from(KEYS[6:12]))}" = [{values}]')
    if draw(st.integers(0, 4)) == 0:
        names = draw(st.lists(st.text(string.printable, min_size=1, max_size=5), max_size=3))
        lines += [f"[[arms]]\nname = {toml_value(n)}" for n in names]
    text = "\n".join(top + lines) + "\n"
    data = text.encode()
    mangle = draw(st.integers(0, 6))
    if mangle == 0:
        data = b"\xef\xbb\xbf" + data
    elif mangle == 1:
        data = data[: draw(st.integers(0, len(data)))]
    elif mangle == 2:
        data = data + draw(st.binary(max_size=20))
    return data


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_fuzz_scenario_files(tmp_path, capsys, hostile, data):
    names = [str(p) for p in hostile.values()] + ["good.csv", "base.toml", "s.toml"]
    text = data.draw(scenario_texts(names))
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    (work / "base.toml").write_text('title = "base"\n[network]\nn = 50\n')
    shutil.copy(hostile["good_net"], work / "good.csv")
    path = work / "s.toml"
    path.write_bytes(text)
    command = data.draw(st.sampled_from(["validate", "run", "sweep"]))
    argv = [command, path]
    if command != "validate":
        argv += ["--out", work / "out", *SMALL_RUN]
    before = folders(tmp_path)
    status, err = run_cli(argv, capsys)
    check_clean(status, err, before, tmp_path)


# ------------------------------------------------------------------ network files

LINE_PARTS = st.one_of(
    st.sampled_from(["a", "b", "c", "source", "target", "weight", "#", "", " ", "\t", ","]),
    st.sampled_from(["1", "0", "-1", "1e308", "1e-320", "nan", "inf", "abc", "3.5e38", "1e30"]),
    st.text(max_size=6),
)


@st.composite
def network_texts(draw):
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        parts = draw(st.lists(LINE_PARTS, max_size=5))
        sep = draw(st.sampled_from([",", " ", "\t", ", "]))
        lines.append(sep.join(parts))
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:
        data = draw(st.binary(max_size=40))
    if draw(st.integers(0, 5)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_fuzz_network_files(tmp_path, capsys, data):
    raw = data.draw(network_texts())
    ext = data.draw(st.sampled_from(["csv", "txt", "tsv", "graphml", "gexf"]))
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    (work / f"net.{ext}").write_bytes(raw)
    scenario = work / "s.toml"
    network = f'[network]\nkind = "file"\npath = "net.{ext}"\n'
    scenario.write_text("weeks = 2\nreplicates = 1\n" + network)
    command = data.draw(st.sampled_from(["validate", "run"]))
    argv = [command, scenario]
    if command == "run":
        argv += ["--out", work / "out", *SMALL_RUN]
    before = folders(tmp_path)
    status, err = run_cli(argv, capsys)
    check_clean(status, err, before, tmp_path)


# ------------------------------------------------------------------ run files on resume


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> tuple[Path, list[str], bytes]:
    """A results folder with one of two runs finished (as after Ctrl-C), its command, and the
    time series of the same study run without interruption."""
    from sim.study.conduct import execute
    from sim.study.runner import InProcessExecutor
    from sim.study.scenario import load_scenario

    class StopAfterOne(InProcessExecutor):
        def map_unordered(self, tasks, fn):
            for i, task in enumerate(tasks):
                if i == 1:
                    raise KeyboardInterrupt
                yield task, fn(task)

    folder = tmp_path_factory.mktemp("resume") / "res"
    argv = ["run", "default", "--set", "network.n=40", "--replicates", "2", "--weeks", "2"]
    argv += ["--quiet", "--no-figures", "--out", str(folder)]
    scenario = load_scenario("default", [("network.n", 40), ("weeks", 2), ("replicates", 2)])
    with pytest.raises(KeyboardInterrupt):
        execute(scenario, out=folder, executor=StopAfterOne(), quiet=True, argv=argv)
    full = folder.with_name("full")
    assert main([*argv[:-1], str(full)]) == 0
    return folder, argv, (full / "timeseries.csv").read_bytes()


@st.composite
def run_file_texts(draw, header: str):
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.binary(max_size=60))
    if choice == 1:
        return header.encode() + draw(st.binary(max_size=40))
    rows = draw(st.lists(st.lists(SCALARS.map(str), max_size=5), max_size=4))
    body = "\n".join(",".join(r) for r in rows)
    return (header if choice == 2 else "arm,replicate,week\n").encode() + body.encode()


@settings(FUZZ, max_examples=15)
@given(data=st.data())
def test_fuzz_run_files_on_resume(tmp_path, capsys, interrupted, data):
    folder, argv, expected = interrupted
    header = (folder / "runs" / "r0000.csv").read_text().splitlines()[0] + "\n"
    raw = data.draw(run_file_texts(header))
    copy = Path(tempfile.mkdtemp(dir=tmp_path)) / "res"
    shutil.copytree(folder, copy)
    (copy / "runs" / "r0000.csv").write_bytes(raw)
    status, err = run_cli([*argv[:-1], copy], capsys)
    assert status == 0, err
    assert "unexpected" not in err and "Traceback" not in err
    assert any("r0000.csv" in line and "recomputing" in line for line in err.splitlines()), err
    assert (copy / "timeseries.csv").read_bytes() == expected


# ------------------------------------------------------------------ command lines

TOKENS = st.one_of(
    st.sampled_from(
        [
            "run",
            "sweep",
            "validate",
            "report",
            "schema",
            "list",
            "viz",
            "default",
            "karate",
            "bass",
            "--set",
            "--weeks",
            "--replicates",
            "--seed",
            "--out",
            "--scheduler",
            "--port",
            "--host",
            "-o",
            "network.n=30",
            "network.n=1",
            "network.n=20000000",
            "network.mean_degree=100",
            "weeks=99999",
            "arms.push.budget=x",
            "title=a",
            "=",
            "0",
            "1",
            "-1",
            "99999",
            "999.1.1.1",
            "127.0.0.1",
            "1e308",
            "",
        ]
    ),
    st.sampled_from(["PATH:fifo", "PATH:zero", "PATH:folder", "PATH:dangling", "PATH:missing"]),
    st.sampled_from(["PATH:file", "PATH:long", "PATH:below_file", "PATH:manifest"]),
    st.text(max_size=8),
)


@settings(FUZZ, max_examples=80)
@given(tokens=st.lists(TOKENS, min_size=1, max_size=7))
def test_fuzz_command_lines(tmp_path, capsys, monkeypatch, hostile, tokens):
    import sim.viz.launch as launch

    class NoServer:
        stdout = iter(())  # it printed nothing

        def wait(self, timeout=None):
            return 0

    fake = types.SimpleNamespace(
        Popen=lambda *a, **k: NoServer(), TimeoutExpired=TimeoutError, PIPE=-1
    )
    monkeypatch.setattr(launch, "subprocess", fake)  # viz never starts a server here
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    monkeypatch.chdir(work)
    (work / "file").write_text("not a folder")
    (work / "res").mkdir()
    (work / "res" / "manifest.json").write_text('{"scenario": []}')
    paths = {
        **{k: v for k, v in hostile.items()},
        "file": work / "file",
        "long": work / ("x" * 300),
        "below_file": work / "file" / "out",
        "manifest": work / "res",
    }
    argv = [str(paths[t[5:]]) if t.startswith("PATH:") else t for t in tokens]
    if argv[0] in ("run", "sweep"):
        argv += ["--set", "network.n=30", *SMALL_RUN]
    if "--workers" in argv:
        return
    before = folders(tmp_path)
    status, err = run_cli(argv, capsys)
    if status == 0 and argv[0] in ("run", "sweep"):
        assert err.strip() == "" or all(line.startswith("note: ") for line in err.splitlines())
    files = len(argv) - 1 if argv[0] == "validate" else 1
    check_clean(status, err, before, tmp_path, lines=max(1, files))
