"""Issue #26: out-of-range widget values sent over the websocket to the real classroom server.

A browser's sliders cannot go past their ends, but anyone on the classroom network can send the
server a widget message by hand. This test does exactly that: it starts the app server
(``solara run sim.viz.app``, as ``run_sim.py viz`` does) on a free loopback port, connects one
client that speaks Solara's websocket protocol as the page's JavaScript does (the classroom
benchmark's client, ``benchmarks/bench_classroom.py``), and sets widget values no slider allows:
20,000,000 customers, a budget of -10^12 and NaN, a 5,000-digit seed. It reads the answer from
what the server sends back (the widgets' states: the slider, its label, the notes under the run,
the share link, the seed message), presses Step by its label, and checks that the model ran at
the clamped size and that the server still answers.

It fails when the server trusts the values (``sim.viz.controls.sanitize`` made to return its
input): 20,000,000 customers then reach the plan and the page shows "Too large for this server:
20,000,000 customers ..." instead of a 5,000-customer network. The second test lowers the work
cap so that even the clamped 5,000 customers are refused: the one-line refusal must show and the
page keep working (before ``WeekLabel`` became a component, RunBar's conditional hook broke the
whole page there: every widget closed).
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request

import pytest

from benchmarks.bench_classroom import Student, connect, free_port, message, start_server
from sim.viz.controls import SLIDERS

pytestmark = pytest.mark.slow  # starts the app server: about 5 s (a first start compiles)

WAIT = 20.0  # seconds for the server to answer one change (it answers in well under 1 s)
BUDGET = "Weekly budget (cu per 1,000 customers):"
CUSTOMERS = re.compile(r"Network: .*?, ([\d\u2009]+) customers")


# ------------------------------------------------------------------------- reading the page
def _slider(student: Student, name: str) -> str:
    """The comm id of the slider of ``SLIDERS[name]``: the one inside the page's
    ``slider-NAME`` box (campaigns A and B have budget sliders of the same range)."""
    spec = SLIDERS[name]
    box = _by_class(student, f"slider-{name}")
    found = [
        comm_id
        for comm_id in _inside(student, box)
        if student.widgets[comm_id].get("_model_name") == "SliderModel"
        and (student.widgets[comm_id].get("min"), student.widgets[comm_id].get("max"))
        == (spec.min, spec.max)
    ]
    assert len(found) == 1, f"{len(found)} sliders with the range of {name!r}"
    return found[0]


def _inside(student: Student, comm_id: str) -> list[str]:
    """The widgets under ``comm_id`` (its children, theirs, ...), by comm id."""
    found, todo = [], [comm_id]
    while todo:
        children = student.widgets.get(todo.pop(), {}).get("children") or []
        for child in children:
            if isinstance(child, str) and child.startswith("IPY_MODEL_"):
                found.append(child.removeprefix("IPY_MODEL_"))
                todo.append(found[-1])
    return found


def _by_class(student: Student, css_class: str) -> str:
    found = [
        comm_id
        for comm_id, state in student.widgets.items()
        if css_class in str(state.get("class_") or "").split()
        or css_class in str((state.get("attributes") or {}).get("class", "")).split()
    ]
    assert len(found) == 1, f"{len(found)} widgets of class {css_class!r}"
    return found[0]


def _html(student: Student) -> list[str]:
    """Every text the page shows as HTML, in the order the widgets arrived."""
    return [str(s["unsafe_innerHTML"]) for s in student.widgets.values() if "unsafe_innerHTML" in s]


def _customers(student: Student) -> int | None:
    """The customers of the network the server built, from the notes under the run."""
    for text in _html(student):
        found = CUSTOMERS.search(text)
        if found:
            return int(found.group(1).replace("\u2009", ""))
    return None


def _label(student: Student, start: str) -> str | None:
    for text in _html(student):
        if text.startswith(start):
            return text.split(" <span")[0]
    return None


def _errors(student: Student) -> list[str]:
    """Error messages on the page (``solara.Error``: the arena's one-line refusal)."""
    return [
        " ".join(str(c) for c in state.get("children") or [])
        for state in student.widgets.values()
        if state.get("_model_name") == "AlertModel"
    ]


def _link(student: Student) -> str:
    return next((t for t in _html(student) if "rc-share-link" in t), "")


def _view(student: Student) -> dict:
    """What the page shows of the settings in force and of the model built from them."""
    return {
        "customers": _customers(student),
        "customers label": _label(student, "Customers:"),
        "budget label": _label(student, BUDGET),
        "link": _link(student),
        "errors": _errors(student),
        "week": student.week,
        "sliders": sum(w.get("_model_name") == "SliderModel" for w in student.widgets.values()),
    }


async def _until(condition, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not answer within {timeout:g} s: {what}")
        await asyncio.sleep(0.02)


# ------------------------------------------------------------------------- sending
async def _send(student: Student, comm_id: str, data: dict) -> None:
    content = {"comm_id": comm_id, "data": data}
    await student.ws.send(message("comm_msg", content, student.session))


async def _set(student: Student, comm_id: str, value) -> None:
    """What the page's JavaScript sends when a widget's value changes (Python's json writes
    NaN as ``NaN``, and the server's json reads it)."""
    await _send(
        student, comm_id, {"method": "update", "state": {"v_model": value}, "buffer_paths": []}
    )


async def _change(student: Student, comm_id: str, value, shows: tuple[str, ...]) -> dict:
    """Set a widget's value and wait until each of ``shows`` (keys of ``_view``) or the page's
    errors changed (one render sends its widgets' updates one after another); the view then."""
    before = _view(student)
    await _set(student, comm_id, value)

    def answered() -> bool:
        now = _view(student)
        if not now["sliders"]:
            return True  # the controls are gone: the page broke
        if now["customers"] is None and not now["errors"]:
            return False  # the notes under the run are being replaced
        return now["errors"] != before["errors"] or all(now[k] != before[k] for k in shows)

    await _until(answered, f"{value!r} changed none of {shows}")
    return _view(student)


async def _step(student: Student) -> None:
    """Press Step (by its label) at week 0 of a new run; week 1 arrives."""
    await _until(lambda: student.week == 0, "week 0 of the new run")
    await student.click("Step")
    await student.wait_week(1, timeout=WAIT)


# ------------------------------------------------------------------------- the test
async def _crafted_values(port: int) -> None:
    student = await asyncio.wait_for(connect(port, 0), 90)
    try:
        await _until(lambda: _customers(student) is not None, "the notes under the run")
        assert _customers(student) == 1000, _html(student)
        customers_slider = _slider(student, "n")
        n_max, n_min = int(SLIDERS["n"].max), int(SLIDERS["n"].min)

        # 1. 20 million customers (the schema allows them; the slider stops at 5,000).
        shows = ("customers", "customers label", "link")
        view = await _change(student, customers_slider, 20_000_000, shows)
        assert view["sliders"], "the page broke (its controls were closed)"
        assert not view["errors"], f"refused instead of clamped: {view['errors']}"
        assert view["customers"] == n_max
        assert view["customers label"] == "Customers: 5\u2009000"
        assert f"n={n_max}&amp;" in view["link"]
        await _until(lambda: student.widgets[customers_slider].get("v_model") == n_max, "slider")
        # The model runs at that size: Step (pressed by its label) brings week 1.
        await _step(student)

        # 2. A budget of -10^12 (clamped to 0), then NaN (refused: the budget in force stays).
        budget_slider = _slider(student, "budget")
        view = await _change(student, budget_slider, -1e12, ("budget label", "link"))
        assert not view["errors"], view["errors"]
        assert view["budget label"] == f"{BUDGET} 0"
        assert "budget=0.0&amp;" in view["link"]
        await _set(student, budget_slider, float("nan"))
        # Messages are handled in order: once the next change shows, the NaN was handled.
        view = await _change(student, customers_slider, -5, shows)
        assert not view["errors"], view["errors"]
        assert view["customers"] == n_min
        assert view["budget label"] == f"{BUDGET} 0"
        assert "budget=0.0&amp;" in view["link"]
        await _step(student)

        # 3. A 5,000-digit seed, typed and Enter pressed: the one-line refusal, seed kept.
        seed_field = _by_class(student, "reclamare-seed")
        kept = student.widgets[seed_field]["v_model"]
        await _set(student, seed_field, "9" * 5000)
        await _send(
            student,
            seed_field,
            {"method": "custom", "content": {"event": "keyup.enter", "data": {}}},
        )
        seed_error = _by_class(student, "reclamare-seed-error")
        await _until(
            lambda: student.widgets[seed_error].get("unsafe_innerHTML"), "the seed message"
        )
        assert student.widgets[seed_error]["unsafe_innerHTML"] == (
            f"The seed must be a whole number, e.g. 42. The run keeps seed {kept}."
        )
        assert f"seed={kept}" in _link(student)
        assert not _errors(student), _errors(student)
        assert _customers(student) == n_min

        # 4. Still serving this page: Step answers at once.
        await student.click("Step")
        await student.wait_week(2, timeout=WAIT)
    finally:
        await student.ws.close()
        student.task.cancel()


def _stop(process) -> None:
    """Stop the app server; it must not outlive the test."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired
        process.kill()
        process.wait()


def test_crafted_websocket_values_are_clamped_or_refused_by_the_server(tmp_path):
    port = free_port()
    process = start_server(port, tmp_path / "server.log")
    try:
        asyncio.run(_crafted_values(port))
        assert process.poll() is None, "the server exited"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
            assert answer.status == 200
    finally:
        _stop(process)


async def _refused(port: int) -> None:
    student = await asyncio.wait_for(connect(port, 0), 90)
    try:
        await _until(lambda: _customers(student) is not None, "the notes under the run")
        customers_slider = _slider(student, "n")
        view = await _change(student, customers_slider, 20_000_000, ("customers", "link"))
        assert view["sliders"], "the page broke (its controls were closed)"
        assert len(view["errors"]) == 1, view
        (error,) = view["errors"]
        # Clamped first (5,000, not 20,000,000 customers), then refused in one line.
        assert error.startswith("Too large for this server: 5,000 customers x 52 weeks"), error
        assert "\n" not in error
        # The page still works: back to 1,000 customers, the run is there again.
        view = await _change(student, customers_slider, 1000, ("errors",))
        assert not view["errors"] and view["customers"] == 1000, view
        await _step(student)
    finally:
        await student.ws.close()
        student.task.cancel()


def test_work_over_the_cap_after_a_crafted_value_is_a_one_line_refusal(tmp_path, monkeypatch):
    """A server with a lower cap (``RECLAMARE_VIZ_MAX_WORK``, 3 million customer-weeks: the
    default preset runs, 5,000 customers do not): the clamped value is refused in one line
    and the page keeps working."""
    monkeypatch.setenv("RECLAMARE_VIZ_MAX_WORK", "3000000")
    port = free_port()
    process = start_server(port, tmp_path / "server.log")
    try:
        asyncio.run(_refused(port))
        assert process.poll() is None, "the server exited"
    finally:
        _stop(process)
