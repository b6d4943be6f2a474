"""A classroom on loopback: N simulated students on one app server; latency, throughput, CPU.

    .venv/bin/python benchmarks/bench_classroom.py [--students 30] [--seconds 20] [--rate 2]

Starts the app server (``python run_sim.py viz``'s command) on a free loopback port, then
connects N websocket clients that speak Solara's protocol as the browser does: each opens a
kernel connection, asks for the app (``solara.control`` comm, ``run``), keeps every widget's
state from the ``comm_open`` / ``update`` messages, and presses buttons by sending the click
event of the widget, exactly what the page's JavaScript sends. No browser draws anything: this
measures the server (the model, the frames it sends, Solara, the websocket) and the wire.

Phases (default scenario, 1,000 customers, one campaign):

1. one student pressing Step as soon as the previous week has arrived (one-user latency);
2. N students each pressing Step at ``--rate`` weeks a second (a click, wait for the week to
   arrive, wait out the rest of the period): step latency (click until the new week label has
   arrived) median and p95, weeks a second per student;
3. N students pressing Play at once: weeks a second each (Play's pace is 4 a second at most).

For each phase: the server process's CPU time per delivered student-week (user + system, from
/proc), its memory (resident, peak), and the machine's load average (the machine is shared:
read the figures with it). The clients run in this process, on the same 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sim.viz.server import server_command, server_env  # noqa: E402

CLOCK = os.sysconf("SC_CLK_TCK")
IDLE_SECONDS = 5.0  # pages open, nobody clicking: what the server burns on its own


# ------------------------------------------------------------------------------ server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = server_env("default")
    out = log.open("w")
    process = subprocess.Popen(
        server_command("127.0.0.1", port), env=env, stdout=out, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(480):
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}); see {log}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return process
        except OSError:
            time.sleep(0.25)
    raise TimeoutError("the app server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount = line.split(":")
            values[key] = int(amount.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


# ------------------------------------------------------------------------------ client
def message(msg_type: str, content: dict, session: str) -> str:
    """A Jupyter protocol message on the shell channel, as the page's JavaScript sends it."""
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "username": "student",
                "session": session,
                "date": "",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
    )


@dataclass
class Student:
    """One simulated browser tab."""

    number: int
    widgets: dict = field(default_factory=dict)  # comm id -> widget state
    week: int = -1
    week_changed: asyncio.Event = field(default_factory=asyncio.Event)
    arrivals: list[float] = field(default_factory=list)  # when each new week arrived
    latencies: list[float] = field(default_factory=list)
    bytes_in: int = 0
    ws: object = None
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    def button(self, label: str) -> str | None:
        for comm_id, state in self.widgets.items():
            if state.get("_model_name") == "BtnModel" and label in (state.get("children") or []):
                return comm_id
        return None

    def _update(self, comm_id: str, state: dict) -> None:
        widget = self.widgets.setdefault(comm_id, {})
        widget.update(state)
        if "reclamare-week" in str(widget.get("box_class", "")):
            self.week_target = widget.get("target")
            if "html" in state and state["html"]:
                self._week_from(state["html"])
        if state.get("frame"):  # the page's FrameBus: one message with every weekly widget
            items = json.loads(state["frame"])["items"]
            html = items.get(getattr(self, "week_target", None))
            if html:
                self._week_from(html)

    def _week_from(self, html: str) -> None:
        week = int(html.split("/")[0].split()[-1])
        if week != self.week:
            self.week = week
            self.arrivals.append(time.perf_counter())
            self.week_changed.set()

    async def receive(self) -> None:
        async for raw in self.ws:
            self.bytes_in += len(raw)
            if isinstance(raw, bytes):
                continue  # binary messages carry buffers (none of the app's weekly widgets)
            msg = json.loads(raw)
            kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
            content = msg.get("content", {})
            data = content.get("data", {})
            if (
                kind == "comm_open"
                or kind == "comm_msg"
                and data.get("method") in ("update", "echo_update")
            ):
                self._update(content["comm_id"], data.get("state", {}))
            elif kind == "comm_close":  # a widget the page no longer shows
                self.widgets.pop(content.get("comm_id"), None)

    async def click(self, label: str) -> None:
        comm_id = self.button(label)
        if comm_id is None:
            raise RuntimeError(f"student {self.number}: no {label!r} button")
        content = {
            "comm_id": comm_id,
            "data": {"method": "custom", "content": {"event": "click", "data": {}}},
        }
        await self.ws.send(message("comm_msg", content, self.session))

    async def wait_week(self, week: int, timeout: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout
        while self.week < week:
            self.week_changed.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"student {self.number}: week {week} did not arrive")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.week_changed.wait(), remaining)


async def connect(port: int, number: int) -> Student:
    import websockets

    student = Student(number)
    kernel = uuid.uuid4().hex
    url = f"ws://127.0.0.1:{port}/jupyter/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}"
    student.ws = await websockets.connect(url, max_size=None, open_timeout=60)
    student.task = asyncio.create_task(student.receive())
    comm = uuid.uuid4().hex
    await student.ws.send(
        message(
            "comm_open",
            {"comm_id": comm, "target_name": "solara.control", "data": {}},
            student.session,
        )
    )
    run = {"method": "run", "args": {"path": "", "appName": "__default__", "dark": False}}
    await student.ws.send(message("comm_msg", {"comm_id": comm, "data": run}, student.session))
    await student.wait_week(0, timeout=120)
    return student


# ------------------------------------------------------------------------------ phases
@dataclass
class Phase:
    name: str
    students: int
    seconds: float
    weeks: int
    cpu: float
    latencies: list[float]
    rates: list[float]
    memory: tuple[float, float]
    load: tuple[float, float, float]
    bytes_per_week: float

    def row(self) -> str:
        lat = sorted(self.latencies)
        med = f"{1000 * statistics.median(lat):.0f}" if lat else "-"
        p95 = f"{1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))]:.0f}" if lat else "-"
        rate = statistics.median(self.rates) if self.rates else 0.0
        low = min(self.rates) if self.rates else 0.0
        per_week = 1000 * self.cpu / max(self.weeks, 1)
        cores = self.cpu / self.seconds
        return (
            f"| {self.name} | {self.students} | {med} | {p95} | {rate:.2f} ({low:.2f}) "
            f"| {per_week:.1f} | {cores:.2f} | {self.memory[0]:.0f} / {self.memory[1]:.0f} "
            f"| {self.bytes_per_week / 1000:.1f} | {self.load[0]:.1f} |"
        )


HEADER = (
    "| phase | students | step latency median (ms) | p95 (ms) | weeks/s per student, "
    "median (lowest) | server CPU per student-week (ms) | server CPU (cores) | server memory "
    "now / peak (MB) | kB sent per student-week | load average (1 min) |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


async def stepping(students: list[Student], seconds: float, rate: float | None) -> None:
    """Each student clicks Step, waits for the week, then waits out the rest of 1/rate s."""

    async def one(student: Student) -> None:
        await asyncio.sleep(student.number * 0.5 / max(len(students), 1))  # not all at once
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            target = student.week + 1
            await student.click("Step")
            await student.wait_week(target)
            student.latencies.append(time.perf_counter() - start)
            if rate:
                await asyncio.sleep(max(0.0, 1.0 / rate - (time.perf_counter() - start)))

    await asyncio.gather(*(one(s) for s in students))


async def playing(students: list[Student], seconds: float) -> None:
    for student in students:
        await student.click("Play")
    await asyncio.sleep(seconds)
    for student in students:
        if student.button("Pause"):
            await student.click("Pause")


async def measure(name, pid, students, seconds, work) -> Phase:
    for s in students:
        s.latencies, s.arrivals, s.bytes_in = [], [], 0
    weeks0 = [s.week for s in students]
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    await work
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds(pid) - cpu0
    weeks = [s.week - w for s, w in zip(students, weeks0, strict=True)]
    rates = []
    for s in students:
        if len(s.arrivals) >= 2:
            rates.append((len(s.arrivals) - 1) / (s.arrivals[-1] - s.arrivals[0]))
    total = sum(weeks)
    return Phase(
        name,
        len(students),
        elapsed,
        total,
        cpu,
        [x for s in students for x in s.latencies],
        rates,
        memory_mb(pid),
        os.getloadavg(),
        sum(s.bytes_in for s in students) / max(total, 1),
    )


async def main_async(args) -> list[Phase]:
    port = free_port()
    log = Path(args.log)
    process = start_server(port, log)
    pid = process.pid
    phases = []
    try:
        start = time.perf_counter()
        first = await connect(port, 0)
        print(f"first page ready after {time.perf_counter() - start:.1f} s (warm-up included)")
        phases.append(
            await measure(
                "one student, Step as fast as it comes",
                pid,
                [first],
                min(args.seconds, 10),
                stepping([first], min(args.seconds, 10), None),
            )
        )
        await first.ws.close()
        students = []
        for k in range(args.students):
            students.append(await connect(port, k))
        print(f"{len(students)} students connected; memory {memory_mb(pid)[0]:.0f} MB")
        cpu0 = cpu_seconds(pid)
        await asyncio.sleep(IDLE_SECONDS)
        idle = (cpu_seconds(pid) - cpu0) / IDLE_SECONDS
        print(f"server CPU with {len(students)} idle pages: {idle:.3f} cores")
        phases.append(
            await measure(
                f"{args.students} students, Step at {args.rate:g} weeks/s each",
                pid,
                students,
                args.seconds,
                stepping(students, args.seconds, args.rate),
            )
        )
        for s in students:
            await s.click("Reset")
        deadline = time.perf_counter() + 60
        while any(s.week != 0 for s in students) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        phases.append(
            await measure(
                f"{args.students} students, Play (4 weeks/s at most)",
                pid,
                students,
                args.seconds,
                playing(students, args.seconds),
            )
        )
        for s in students:
            await s.ws.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=2.0, help="Step clicks a second per student")
    parser.add_argument("--log", default="/tmp/reclamare-bench-classroom.log")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}  ({os.cpu_count()} CPUs)")
    phases = asyncio.run(main_async(args))
    print(HEADER)
    for phase in phases:
        print(phase.row())


if __name__ == "__main__":
    main()
