"""Issue #26: the classroom server on a LAN cannot be pushed over by one client.

Widget values arrive over the websocket as whatever a client sends; the server clamps and checks
every one (``controls.sanitize``), caps the work one page may ask for, caps the pages served at
once (Solara's kernel limiter), and serves no diagnostics (``/resourcez``) unless asked.
"""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from sim.viz import server
from sim.viz.arena import Arena
from sim.viz.controls import SLIDERS, Controls, controls_for, plan_run
from sim.viz.presets import load_preset

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------- values from a client


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("n", 20_000_000, SLIDERS["n"].max),
        ("n", -5, SLIDERS["n"].min),
        ("budget", 1e9, SLIDERS["budget"].max),
        ("budget", -3.0, SLIDERS["budget"].min),
        ("push_share", 7.0, 1.0),
        ("fit", -40.0, SLIDERS["fit"].min),
        ("negativity", 1e300, SLIDERS["negativity"].max),
        ("budget_b", 1e9, SLIDERS["budget_b"].max),
        ("budget_b", -3.0, SLIDERS["budget_b"].min),
        ("push_share_b", -2.0, 0.0),
    ],
)
def test_crafted_numbers_are_clamped_before_the_model_sees_them(field, value, expected):
    preset = load_preset("default")
    changes = {field: value, "strategy_b": "mix"} if field.endswith("_b") else {field: value}
    plan = plan_run(replace(controls_for(preset), compare=True, **changes), preset)
    got = {
        "n": plan.params.network.n,
        "budget": plan.arm_a.budget,
        "budget_b": plan.arm_b.budget,
        "push_share_b": plan.arm_b.push_share,
        "push_share": plan.arm_a.push_share,
        "fit": plan.params.product.fit,
        "negativity": plan.params.wom.negative_impact,
    }[field]
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n", math.nan),
        ("budget", math.inf),
        ("budget", "lots"),
        ("n", True),
        ("strategy", "drop table"),
        ("network_kind", "../../etc/passwd"),
        ("compare", "yes"),
        ("seed", "9" * 5000),
        ("budget_b", math.nan),
        ("budget_b", "80"),
        ("outreach", "everyone"),
        ("outreach_b", None),
        ("strategy_b", 3),
        ("target_group", "x" * 5000),
        ("target_group_b", 7),
        ("target_group", "students\n<script>"),
    ],
)
def test_values_a_page_cannot_send_keep_the_settings_in_force(field, value):
    from sim.viz.controls import sanitize

    current = Controls(n=300, budget=5.0)
    assert sanitize(replace(current, **{field: value}), current) == current


def test_a_target_group_the_network_lacks_gives_way_to_everyone():
    """A group name is only text to the server's check; the arena keeps the ones its network
    has (a crafted name, or a network changed to one without those groups: the karate club's
    are its two clubs; a generated network keeps the preset's group names)."""
    preset = load_preset("workshop/target_groups")
    loaded = replace(controls_for(preset), n=200, compare=True)
    assert loaded.target_group == "students"
    arena = Arena(replace(loaded, target_group="no such group", target_group_b="families"))
    assert arena.error is None
    assert arena.plan.arm_a.target_group is None and arena.plan.arm_b.target_group == "families"
    assert arena.arms[0].model.params.arm.target_group is None
    other = Arena(replace(loaded, network_kind="karate"))
    assert other.error is None and other.plan.arm_a.target_group is None


def test_work_beyond_the_cap_is_a_message_not_a_run(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text('title = "long"\nweeks = 3000\n[network]\nn = 5000\n')
    preset = load_preset(str(path))
    with pytest.raises(ValueError, match="customer-weeks"):
        plan_run(controls_for(preset), preset)


# --------------------------------------------------------------------- the page itself


def test_out_of_range_widget_values_on_the_page_are_clamped(monkeypatch):
    """What a crafted websocket message does: set a slider widget's value out of its range."""
    import ipyvuetify as v
    import solara

    from sim.viz import app, page_state

    made = []

    class Recorded(app.Arena):
        def __init__(self, controls=None, preset=None):
            super().__init__(controls, preset)
            made.append(self)

    monkeypatch.setattr(app, "Arena", Recorded)  # the first run of the page
    monkeypatch.setattr(page_state, "Arena", Recorded)  # a changed setting
    monkeypatch.setenv("RECLAMARE_PRESET", "default")
    app.WARM.wait(120)

    @solara.component
    def App():
        with solara.AppLayout():
            app.Page()

    _, rc = solara.render(App(), handle_error=False)
    spec = SLIDERS["n"]
    (slider,) = [w for w in rc.find(v.Slider).widgets if (w.min, w.max) == (spec.min, spec.max)]
    slider.v_model = 20_000_000
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(a.controls.n != 1000 for a in made):
        time.sleep(0.05)
    last = made[-1]
    assert last.controls.n == spec.max
    assert last.plan is not None and last.plan.params.network.n == spec.max
    budget = SLIDERS["budget"]
    # Campaign A's budget slider comes first (B's has the same range).
    slider = [w for w in rc.find(v.Slider).widgets if (w.min, w.max) == (budget.min, budget.max)][0]
    slider.v_model = -1e12
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and made[-1].controls.budget != budget.min:
        time.sleep(0.05)
    assert made[-1].plan.arm_a.budget == budget.min


# --------------------------------------------------------------------- the server


def test_server_caps_pages_and_serves_no_diagnostics_unless_asked():
    env = server.server_env("default", base={})
    assert env["SOLARA_KERNEL_MAX_COUNT"] == str(server.DEFAULT_MAX_SESSIONS)
    assert int(env["SOLARA_KERNEL_MAX_PER_SESSION"]) >= 1
    assert server.DIAGNOSTICS_ENV not in env
    assert server.server_env(diagnostics=True, base={})[server.DIAGNOSTICS_ENV] == "1"

    route = types.SimpleNamespace
    routes = [route(path="/readyz"), route(path="/resourcez"), route(path="/")]
    fake = types.SimpleNamespace(app=types.SimpleNamespace(router=route(routes=routes)))
    sys.modules["solara.server.starlette"], saved = fake, sys.modules.get("solara.server.starlette")
    try:
        assert server.close_diagnostics({server.DIAGNOSTICS_ENV: "1"}) == []
        assert server.close_diagnostics({}) == ["/resourcez"]
        assert [r.path for r in routes] == ["/readyz", "/"]
    finally:
        if saved is None:
            del sys.modules["solara.server.starlette"]
        else:
            sys.modules["solara.server.starlette"] = saved


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_running_server_answers_resourcez_with_404():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), "viz", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and _status(base + "/readyz") != 200:
            time.sleep(0.2)
        assert _status(base + "/readyz") == 200
        assert _status(base + "/resourcez") == 404
    finally:
        children = psutil.Process(process.pid).children(recursive=True)
        # SIGTERM (a pytest run in the background ignores Ctrl-C, and so would the command)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _, alive = psutil.wait_procs(children, timeout=15)
        for child in alive:
            child.kill()
    assert children, "the command started no server"
    assert not alive, f"the server outlived the command: {alive}"
