"""Browser app without a browser: controls, layout cache, arena, and the Solara page itself.

The page is rendered with ``solara.render`` (no server, no browser); the tests find its widgets,
press Step and Reset, switch presets and side-by-side mode, and check the model and figures.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace

import ipyvuetify as v
import numpy as np
import pytest
import solara

import sim.viz.presets as presets_module
from sim.params import ParameterError, make_params
from sim.viz import layout as layout_module
from sim.viz.arena import Arena
from sim.viz.controls import (
    SLIDERS,
    Controls,
    controls_for,
    parse_seed,
    plan_run,
    schema_bounds,
)
from sim.viz.layout import MAX_DRAWN, LayoutCache
from sim.viz.presets import load_preset, preset_files, preset_names
from sim.viz.widgets import ChartWidget, FrameBus, HtmlBox, NetworkWidget

SMALL = Controls(n=200)


# ------------------------------------------------------------------------------ modules
def test_every_app_module_is_one_job_under_600_lines():
    """Issue #27: no module under sim/viz is longer than 600 lines, and each says at its top what
    its one job is (a docstring of a sentence or more)."""
    import ast
    from pathlib import Path

    import sim.viz

    folder = Path(sim.viz.__file__).parent
    modules = sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    assert len(modules) >= 10  # the folder was found
    for path in modules:
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, f"{path.name}: {len(text.splitlines())} lines"
        doc = ast.get_docstring(ast.parse(text))
        assert doc and len(doc.split()) >= 8, f"{path.name} says nothing of its job"


# ------------------------------------------------------------------------------ controls
@pytest.mark.parametrize("name", sorted(SLIDERS))
def test_slider_ranges_lie_inside_the_schema(name):
    spec = SLIDERS[name]
    lo, hi, lo_strict, hi_strict = schema_bounds(spec.section, spec.field)
    assert spec.min < spec.max and spec.step > 0
    assert spec.min > lo if lo_strict else spec.min >= lo
    assert spec.max < hi if hi_strict else spec.max <= hi
    for value in (spec.min, spec.max):
        value = int(value) if spec.integer else value
        make_params(**{spec.section: {spec.field: value}})  # the model accepts both ends
    if lo > -math.inf:  # and refuses what lies beyond the schema's bound
        with pytest.raises(ParameterError):
            make_params(**{spec.section: {spec.field: lo - 1}})


@pytest.mark.parametrize(
    ("text", "seed"),
    [("42", 42), (" 7 ", 7), ("1_000", 1000), ("0", 0), ("+5", 5)],
)
def test_whole_number_seeds_parse(text, seed):
    assert parse_seed(text) == (seed, None)


@pytest.mark.parametrize("text", ["abc", "1.5", "-3", "", "4e3", str(2**64)])
def test_bad_seeds_give_a_message(text):
    seed, message = parse_seed(text)
    assert seed is None and message and "Seed" in message


def test_bad_seed_is_a_message_on_the_arena_not_an_exception():
    arena = Arena(replace(SMALL, seed="twelve"))
    assert arena.error and "whole number" in arena.error
    assert not arena.arms and not arena.running
    arena.step()  # a no-op, no exception
    assert arena.week == 0


def test_untouched_preset_runs_as_its_file_says():
    for name in preset_names():
        preset = load_preset(name)
        plan = plan_run(controls_for(preset), preset)
        a, _ = (preset.arms[0], None)
        assert plan.params.network == preset.params.network
        assert plan.params.product == preset.params.product
        assert plan.params.wom == preset.params.wom
        assert plan.arm_a in preset.arms or plan.arm_a == a


def test_moved_controls_override_the_preset():
    preset = load_preset("default")
    controls = replace(
        controls_for(preset), fit=-0.5, negativity=2.5, strategy="mix", push_share=0.25
    )
    plan = plan_run(controls, preset)
    assert plan.params.product.fit == -0.5
    assert plan.params.wom.negative_impact == 2.5 == plan.params.wom.negative_incidence
    assert plan.arm_a.push_share == 0.25 and plan.arm_a.budget == controls.budget


# ------------------------------------------------------------------------------- layout
def test_layout_is_computed_once_per_network_and_seed(monkeypatch):
    cache = LayoutCache()
    monkeypatch.setattr(layout_module, "LAYOUTS", cache)
    monkeypatch.setattr("sim.viz.arena.LAYOUTS", cache)
    first = Arena(SMALL)
    for _ in range(3):
        first.step()
    again = Arena(SMALL)  # what Reset does
    assert cache.computed == 1
    assert again.layout is first.layout
    other_seed = Arena(replace(SMALL, seed="43"))
    assert cache.computed == 2
    assert not np.array_equal(other_seed.layout.pos, first.layout.pos)


def test_layout_is_seeded():
    a = layout_module.compute_layout(Arena(SMALL).network, 5)
    b = layout_module.compute_layout(Arena(SMALL).network, 5)
    assert np.array_equal(a.pos, b.pos)
    assert a.pos.min() >= 0 and a.pos.max() <= 1


def test_large_populations_draw_a_fixed_sample_but_measure_everyone():
    arena = Arena(replace(SMALL, n=3000))
    assert arena.layout.sampled and arena.layout.nodes.size == MAX_DRAWN
    assert np.array_equal(arena.layout.nodes, np.unique(arena.layout.nodes))
    arena.step()
    state = arena.arms[0].model.state
    assert arena.arms[0].model.measures["awareness"] == pytest.approx(state.aware.mean())
    assert arena.arms[0].model.n == 3000


# -------------------------------------------------------------------------------- arena
def test_side_by_side_arms_share_network_and_luck():
    same = Arena(replace(SMALL, compare=True, strategy="push", strategy_b="push"))
    assert same.compare and same.arms[0].model.network is same.arms[1].model.network
    for _ in range(6):
        same.step()
    a, b = same.summary()
    # Identical campaigns on common random numbers: identical results (nan == nan here).
    assert a.keys() == b.keys()
    assert all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)
    diff = Arena(replace(SMALL, compare=True, strategy="push", strategy_b="dialogue"))
    for _ in range(6):
        diff.step()
    a, b = diff.summary()
    assert a["awareness"] != b["awareness"]
    budgets = [arm.model.params.arm.budget for arm in diff.arms]
    assert budgets[0] == budgets[1] == SMALL.budget  # equal budgets


def test_every_scenario_file_is_a_working_preset():
    names = preset_names()
    shipped = presets_module.SCENARIO_DIR
    assert {p.relative_to(shipped).with_suffix("").as_posix() for p in preset_files()} <= set(names)
    assert "workshop/crisis" in names  # the teaching kit's scenarios are presets too
    for name in names:
        preset = load_preset(name)
        assert preset.error is None, (name, preset.error)
        arena = Arena(replace(controls_for(preset), compare=True))
        assert arena.error is None, (name, arena.error)
        arena.step()
        assert arena.week == 1 and len(arena.arms) == 2


def test_bass_preset_draws_the_analytic_curve():
    preset = load_preset("bass")
    if preset.error:
        pytest.skip(f"no bass scenario: {preset.error}")
    arena = Arena(controls_for(preset))
    assert len(arena.bass) == 1 and arena.bass_note
    curve = arena.bass[0]
    assert curve[0] == pytest.approx(preset.params.population.initial_awareness)
    assert np.all(np.diff(curve) >= 0) and curve[-1] <= 1
    # Not drawn once attitudes matter.
    assert Arena(SMALL).bass == []


# --------------------------------------------------------------------------------- page
def _render():
    from sim.viz import app

    app.WARM.wait(120)  # the page waits for the kernels' warm-up before it builds a model

    @solara.component
    def App():
        with solara.AppLayout():
            app.Page()

    box, rc = solara.render(App(), handle_error=False)
    rc.root_box = box
    deadline = time.monotonic() + 30
    while not rc.find(NetworkWidget) and time.monotonic() < deadline:
        time.sleep(0.05)  # the page builds its model once the warm-up thread reports
    return rc


def _button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def _latest(rc, widget, trait):
    """What the browser shows in ``widget``: the page's last FrameBus message for it, else the
    widget's own trait (set when it was attached)."""
    buses = rc.find(FrameBus).widgets
    value = getattr(widget, trait)
    if buses and buses[0].frame:
        value = json.loads(buses[0].frame)["items"].get(widget.target, value)
    return json.loads(value) if trait == "weekly" and isinstance(value, str) else value


def _week(rc) -> int:
    (box,) = [w for w in rc.find(HtmlBox).widgets if "reclamare-week" in w.box_class]
    return int(_latest(rc, box, "html").split("/")[0].split()[-1])


def _codes(rc) -> list[str]:
    return [_latest(rc, w, "codes") for w in rc.find(NetworkWidget).widgets]


def _chart(rc, key) -> dict:
    (widget,) = [w for w in rc.find(ChartWidget).widgets if w.spec.get("key") == key]
    return _latest(rc, widget, "weekly")


def _scoreboard(rc) -> str:
    (box,) = [w for w in rc.find(HtmlBox).widgets if "rc-side-score" in w.box_class]
    return _latest(rc, box, "html")


def _select(rc, name):
    return rc.find(v.Select, class_=f"rc-select select-{name}").widgets


@pytest.fixture
def page(monkeypatch):
    monkeypatch.setenv("RECLAMARE_PRESET", "default")
    return _render()


def test_page_steps_and_resets(page):
    rc = page
    assert _week(rc) == 0
    (codes0,) = _codes(rc)
    awareness0 = _chart(rc, "awareness")
    for _ in range(3):
        _button(rc, "Step").click()
    assert _week(rc) == 3
    (codes3,) = _codes(rc)
    awareness3 = _chart(rc, "awareness")
    assert codes3 != codes0 and len(codes3) == len(codes0) == 1000
    # Only the weeks the browser lacks are sent (from "start"; the last one again).
    assert awareness3["week"] == 3 and awareness3["start"] == 2
    assert len(awareness3["values"][0]) == 2 and awareness0["start"] == 0
    _button(rc, "Reset").click()
    assert _week(rc) == 0
    assert _codes(rc) == [codes0]  # same seed: same first frame
    assert _chart(rc, "awareness") == awareness0
    _shows_the_scenarios_own_words_in_nb(rc)


def _shows_the_scenarios_own_words_in_nb(rc):
    """The scenario's title (notes line) and description ("About this scenario") follow the
    language switch: the default scenario's bokmål from sim/i18n/locale/nb/scenarios.toml.
    (Part of a test above, to render no extra page.)"""
    from sim.i18n.scenarios import scenario_catalogue

    nb = scenario_catalogue("nb")["default"]
    english = _html(rc, "reclamare-notes")[0].unsafe_innerHTML
    assert "Push, dialogue or both?" in english
    rc.find(v.BtnToggle, class_="rc-lang").widget.v_model = 1  # the EN | NB switch: NB
    notes = _html(rc, "reclamare-notes")[0].unsafe_innerHTML
    assert "Nettverk:" in notes  # the page is in nb
    assert nb["title"] in notes and "Push, dialogue or both?" not in notes
    shown = " ".join(w.unsafe_innerHTML for w in _html(rc, "reclamare-prose"))
    assert "Spørsmål: med det samme ukebudsjettet" in shown
    assert "Question: with the same weekly budget" not in shown


def test_page_side_by_side_and_preset_switch(page):
    rc = page
    switch = rc.find(v.Switch).widget
    switch.v_model = True  # applies at once: two networks, no Reset needed
    assert len(_codes(rc)) == 2
    board = _scoreboard(rc)
    assert "Week 0" in board and ">A<" in board and "Press Run 20 times" in board
    _button(rc, "Step").click()
    _button(rc, "Step").click()
    assert _week(rc) == 2
    preset = "karate" if "karate" in preset_names() else preset_names()[-1]
    (menu,) = _select(rc, "preset")
    assert {"value": preset, "text": "Karate club"} in menu.items  # names, not identifiers
    menu.v_model = preset
    assert _week(rc) == 0  # a preset applies at once
    assert len(_codes(rc)) == 2  # side by side stays on
    _button(rc, "Step").click()
    assert _week(rc) == 1


def test_page_plays_to_the_scenarios_last_week_and_stops(page, monkeypatch):
    from sim.viz import playback

    monkeypatch.setattr(playback, "PLAY_INTERVAL_S", 0.0)
    rc = page
    _button(rc, "Play").click()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not rc.find(v.Btn, children=["Play"]):
        time.sleep(0.05)  # the button says Pause while playing
    while time.monotonic() < deadline and not _button(rc, "Play").disabled:
        time.sleep(0.05)
    weeks = load_preset("default").weeks
    assert _week(rc) == weeks  # stopped at the scenario's last week, not at 520
    assert _button(rc, "Play").disabled and not _button(rc, "Step").disabled
    _button(rc, "Step").click()  # Step may go on beyond it
    assert _week(rc) == weeks + 1


def test_play_and_pause_change_the_buttons_in_place_and_stop_the_weeks(page, monkeypatch):
    """Play and Pause change the two buttons' widgets in place (no re-render of the page:
    sim.viz.playback.Playback), and Pause really stops the weeks; Reset stops playing too."""
    from sim.viz import playback

    monkeypatch.setattr(playback, "PLAY_INTERVAL_S", 0.02)
    rc = page
    play, step = _button(rc, "Play"), _button(rc, "Step")
    play.click()
    assert play.children == ["Pause"] and step.disabled and not play.disabled
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _week(rc) < 3:
        time.sleep(0.02)
    play.click()  # Pause
    assert play.children == ["Play"] and not step.disabled
    time.sleep(0.1)  # a week already under way may still arrive
    paused_at = _week(rc)
    assert paused_at >= 3
    time.sleep(0.3)  # 15 play intervals: a thread still playing would have moved on
    assert _week(rc) == paused_at
    assert _button(rc, "Play") is play and _button(rc, "Step") is step  # the same widgets
    play.click()
    while time.monotonic() < deadline and _week(rc) < paused_at + 2:
        time.sleep(0.02)
    _button(rc, "Reset").click()
    assert _week(rc) == 0
    time.sleep(0.3)
    assert _week(rc) == 0  # Reset stopped the playing
    assert _button(rc, "Play").children == ["Play"] and not _button(rc, "Step").disabled


def test_page_changes_apply_at_once_and_menus_show_names(page):
    rc = page
    _button(rc, "Step").click()
    network_menu = [m for m in _select(rc, "network_kind")][0]
    texts = {item["value"]: item["text"] for item in network_menu.items}
    assert texts["small_world"].startswith("Small world")
    assert all("_" not in text for text in texts.values())
    network_menu.v_model = "scale_free"
    assert _week(rc) == 0  # the run restarted with the new network
    notes = [w.unsafe_innerHTML for w in _html(rc, "reclamare-notes")]
    assert "Scale-free" in notes[0] and "scale_free" not in notes[0]
    # Choosing a chart that is shown already swaps the two (each chart is shown once).
    _button(rc, "Step").click()
    first, second, third = _select(rc, "charts")
    assert (first.v_model, second.v_model) == ("awareness", "histogram")
    first.v_model = "histogram"
    keys = [w.spec["key"] for w in rc.find(ChartWidget).widgets]
    assert keys == ["histogram", "awareness", "money"]
    assert _week(rc) == 1  # the run goes on: charts are only views


def _html(rc, cls):
    """solara.HTML widgets whose classes include ``cls``."""
    return [
        w
        for w in rc.find(solara.widgets.HTML).widgets
        if cls in str((w.attributes or {}).get("class", "")).split()
    ]


def test_page_bad_seed_shows_a_message_and_keeps_the_last_good_seed(page):
    rc = page
    seed_field = rc.find(v.TextField, label="Seed (whole number)").widget
    seed_field.v_model = "not a number"
    seed_field.fire_event("focusout")  # what the browser sends when the field loses focus
    (message,) = _html(rc, "reclamare-seed-error")
    assert "whole number" in message.unsafe_innerHTML and "42" in message.unsafe_innerHTML
    _button(rc, "Step").click()
    assert _week(rc) == 1  # the model runs on with the last good seed
    seed_field.v_model = "7"
    seed_field.fire_event("focusout")
    assert _week(rc) == 0  # a good seed applies at once
    assert message.unsafe_innerHTML == ""


# ------------------------------------------------------------------------------- server
def test_viz_subcommand_parses_and_serves_offline():
    import argparse

    from sim.viz import server

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    server.add_viz_parser(sub)
    args = parser.parse_args(["viz"])
    assert (args.scenario, args.host, args.port) == (None, "127.0.0.1", 8765)
    args = parser.parse_args(["viz", "karate", "--host", "0.0.0.0", "--port", "9001"])
    assert (args.scenario, args.host, args.port) == ("karate", "0.0.0.0", 9001)
    env = server.server_env("karate", base={})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["RECLAMARE_PRESET"] == "karate"
    command = server.server_command("127.0.0.1", 9001)
    assert "--no-check-version" in command and "sim.viz.app" in command


def test_serve_refuses_an_unknown_scenario_without_starting(capsys):
    from sim.viz import launch

    assert launch.serve("no_such_scenario_xyz", port=1) == 2
    assert "no_such_scenario_xyz" in capsys.readouterr().err


def test_page_goes_to_a_week_and_back_one(page):
    """Issue 25, item 3: *Go to week* runs on to a week (or replays to it), *Back one week*
    shows the week before; the charts then hold exactly the weeks up to it."""
    rc = page
    goto = rc.find(v.TextField, class_="rc-goto").widget
    goto.v_model = "19"
    goto.fire_event("keyup.enter")  # what the browser sends when Enter is pressed
    assert _week(rc) == 19
    codes19, awareness19 = _codes(rc), _chart(rc, "awareness")["values"][0]
    assert len(awareness19) == 20  # weeks 0..19
    _button(rc, "\u25c0").click()  # Back one week
    assert _week(rc) == 18
    back = _chart(rc, "awareness")
    assert back["start"] == 0 and back["values"][0] == awareness19[:19]  # resent, shorter
    _button(rc, "Step").click()
    assert _week(rc) == 19 and _codes(rc) == codes19  # the same week 19 as before
    goto.v_model = "five"
    goto.fire_event("keyup.enter")
    assert _week(rc) == 19  # not a week: nothing happens
    _button(rc, "Step").click()
    goto.v_model = "19"  # the field was emptied: the same week again goes there again
    goto.fire_event("keyup.enter")
    assert _week(rc) == 19 and goto.v_model == ""
    goto.v_model = "400"
    goto.fire_event("keyup.enter")
    assert _week(rc) == 52  # not beyond the scenario's last week (Step goes on)
