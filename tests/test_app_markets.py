"""'Run 20 times' over plausible markets in the app (issue #23 item 3; sim/viz/markets.py).

With a plausible set, the option beside "Run 20 times" runs campaigns A and B once in each of
(up to) 20 markets of the set, and the scoreboard shows for each measure with a direction the
share of the markets in which A is ahead of B with its Wilson 95 % interval. Without a set the
option is greyed out and the page says why in one line, in its language. The set here is the
small fixture of tests/test_markets.py (six markets over two parameters).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import replace

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim.study.arms import run_arms, run_seed
from sim.study.markets import market_for
from sim.study.scenario import load_scenario
from sim.viz.arena import Arena
from sim.viz.controls import controls_for
from sim.viz.presets import load_preset
from sim.viz.widgets import HtmlBox, NetworkWidget
from tests.test_markets import _fixture_set

WEEKS = 8  # enough for the campaigns to differ between markets; short enough to be quick
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


@pytest.fixture
def fixture_set(tmp_path, monkeypatch):
    from sim.evidence import plausible

    monkeypatch.setattr(plausible, "DATA", _fixture_set(tmp_path / "set.json"))
    return plausible.load_plausible()


@pytest.fixture
def no_set(tmp_path, monkeypatch):
    from sim.evidence import plausible

    monkeypatch.setattr(plausible, "DATA", tmp_path / "absent" / "plausible.json")


def _side_by_side(n: int = 300) -> Arena:
    controls = replace(
        controls_for(load_preset("default")),
        n=n,
        compare=True,
        strategy="push",
        strategy_b="dialogue",
    )
    return Arena(controls)


def _wilson(leads: float, n: int) -> tuple[float, float, float]:
    """Wilson's score interval, written out (Wilson 1927)."""
    p = leads / n
    d = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / d
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / d
    return p, centre - half, centre + half


def test_runs_once_in_each_market_and_gives_the_share_in_which_a_leads(fixture_set):
    from sim.viz.markets import market_members, plausible_set, run_markets
    from sim.viz.scoreboard import scoreboard_html

    assert plausible_set() is not None and len(plausible_set()) == 6
    arena = _side_by_side()
    plan = arena.plan
    members = market_members(plan, plausible_set())
    assert len(members) == 6  # a set smaller than 20: every market once
    assert members == fixture_set.sample(6, seed=plan.master_seed)
    key = (arena.controls, plan.weeks)
    reps = run_markets(plan, key, members, weeks=WEEKS)
    assert reps.markets == 6 and reps.n == 6 and reps.key == key

    # Each row is one market: the member's values where the scenario keeps the default's,
    # A and B on the same network and seed (run_seed of the page's master seed and the index).
    inherited, _ = load_scenario("default", preflight=False).resolve()
    arms = [plan.arm_a.model_dump(mode="json"), plan.arm_b.model_dump(mode="json")]
    for i in (0, 5):
        params = market_for(plan.params, inherited, members[i])
        assert params.product.fit == pytest.approx(members[i]["product.fit"])
        frame = run_arms(params.model_dump(mode="json"), arms, run_seed(plan.master_seed, i), WEEKS)
        for a, name in enumerate((plan.arm_a.name, plan.arm_b.name)):
            expected = frame[frame["arm"] == name].sort_values("week")["awareness"].to_numpy()
            np.testing.assert_array_equal(reps.values[a]["awareness"][i], expected)
    spread = reps.values[1]["mean_attitude"][:, WEEKS]
    assert np.ptp(spread) > 0  # the markets differ

    # The share in which A is ahead (ties half; lower is better for bad talk), with Wilson.
    directions = (("awareness", True), ("adoption", True), ("wom_negative", False))
    for measure, higher_better in directions:
        a = reps.values[0][measure][:, WEEKS]
        b = reps.values[1][measure][:, WEEKS]
        ahead = (a > b) if higher_better else (a < b)
        leads = ahead.sum() + 0.5 * (a == b).sum()
        share, low, high = _wilson(float(leads), 6)
        got = reps.lead_share(measure, WEEKS, higher_better)
        assert got.n == 6
        assert (got.mean, got.low, got.high) == pytest.approx((share, low, high), abs=1e-12)
    assert reps.lead_share("awareness", WEEKS, None) is None  # no direction: no share

    # The scoreboard: "A ahead in", each row's share and interval in percent.
    arena.go_to(WEEKS)
    board = scoreboard_html(arena, "en", reps)
    assert "A ahead in" in board and "Over 6 plausible markets" in board
    assert "B&minus;A" not in board  # no seed verdicts: this is another question
    a = reps.values[0]["awareness"][:, WEEKS]
    b = reps.values[1]["awareness"][:, WEEKS]
    share, low, high = _wilson(float((a > b).sum() + 0.5 * (a == b).sum()), 6)
    aware_row = re.search(r"<td title=\"[^\"]*\">Aware</td>(.*?)</tr>", board).group(1)
    shown = f"{share:.0%} ({100 * low:.0f}\u2013{100 * high:.0f})"
    assert f"<td colspan='2' class='rc-share'>{shown}</td>" in aware_row
    nb = scoreboard_html(arena, "nb", reps)
    assert "A foran i" in nb and "Over 6 plausible markeder" in nb
    assert f"{share:.0%}".replace("%", "\u00a0%") in nb


def _render():
    from sim.viz import app

    app.WARM.wait(120)

    @solara.component
    def App():
        with solara.AppLayout():
            app.Page()

    box, rc = solara.render(App(), handle_error=False)
    rc.root_box = box
    deadline = time.monotonic() + 30
    while not rc.find(NetworkWidget) and time.monotonic() < deadline:
        time.sleep(0.05)
    return rc


def _scoreboard(rc) -> str:
    from tests.test_viz import _latest

    (box,) = [w for w in rc.find(HtmlBox).widgets if "rc-side-score" in w.box_class]
    return _latest(rc, box, "html")


def _option(rc):
    return rc.find(v.Checkbox, class_="rc-markets-option").widget


def _replicates_button(rc):
    return rc.find(v.Btn, class_="rc-replicates").widget


def _notes(rc) -> str:
    from tests.test_viz import _html

    return " ".join(w.unsafe_innerHTML for w in _html(rc, "reclamare-notes"))


def test_the_page_runs_in_plausible_markets_when_asked(fixture_set, monkeypatch):
    """Driven through the page: tick the option, press Run 20 times; the scoreboard then shows
    the shares over the fixture's six markets."""
    monkeypatch.setenv("RECLAMARE_PRESET", "default")
    rc = _render()
    rc.find(v.Switch).widget.v_model = True  # side by side
    option = _option(rc)
    assert not option.disabled and option.label == "in 6 markets"
    option.v_model = True
    rc.find(v.Btn, children=["Run 20 times"]).widget.click()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and "A ahead in" not in _scoreboard(rc):
        time.sleep(0.1)
    board = _scoreboard(rc)
    assert "A ahead in" in board and "Over 6 plausible markets" in board
    assert len(re.findall(r"class='rc-share'>\d+% \(\d+\u2013\d+\)<", board)) >= 8
    # The scoreboard fills a moment before the thread frees the button; a click before that is
    # lost (a user cannot make it: the button is greyed out), so wait for the button first.
    while time.monotonic() < deadline and _replicates_button(rc).disabled:
        time.sleep(0.1)
    # Unticked, Run 20 times is the 20 seeds of this market again.
    _option(rc).v_model = False
    _replicates_button(rc).click()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and "Verdicts from 20 runs" not in _scoreboard(rc):
        time.sleep(0.1)
    assert "Verdicts from 20 runs" in _scoreboard(rc) and "A ahead in" not in _scoreboard(rc)


@pytest.mark.parametrize(
    ("lang", "label", "line"),
    [
        ("en", "in 20 markets", "no calibrated plausible set is shipped yet"),
        ("nb", "i 20 markeder", "det følger ennå ikke med noe kalibrert sett"),
    ],
)
def test_without_a_set_the_option_is_greyed_with_one_line(no_set, monkeypatch, lang, label, line):
    from sim.viz.markets import plausible_set

    assert plausible_set() is None
    monkeypatch.setenv("RECLAMARE_PRESET", "default")
    monkeypatch.setenv("RECLAMARE_LANG", lang)
    rc = _render()
    option = _option(rc)
    assert option.disabled and option.label == label and not option.v_model
    notes = _notes(rc)
    assert notes.count(line) == 1, notes
    assert "Traceback" not in notes


def test_a_malformed_set_counts_as_none(tmp_path, monkeypatch):
    from sim.evidence import plausible
    from sim.viz.markets import plausible_set

    bad = tmp_path / "plausible.json"
    bad.write_text("{not json")
    monkeypatch.setattr(plausible, "DATA", bad)
    assert plausible_set() is None


def test_a_market_run_that_fails_frees_the_button(fixture_set, monkeypatch):
    """An error in the runs (here made on purpose) leaves Run 20 times usable, not stuck at
    "Running 0 of 6..."."""
    from sim.viz import runbar

    def broken(*args, **kwargs):
        raise RuntimeError("made to fail")

    monkeypatch.setattr(runbar, "run_markets", broken)
    monkeypatch.setenv("RECLAMARE_PRESET", "default")
    rc = _render()
    _option(rc).v_model = True
    rc.find(v.Btn, children=["Run 20 times"]).widget.click()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not rc.find(v.Btn, children=["Run 20 times"]):
        time.sleep(0.05)
    while time.monotonic() < deadline and rc.find(v.Btn, children=["Run 20 times"]).widget.disabled:
        time.sleep(0.05)
    assert not rc.find(v.Btn, children=["Run 20 times"]).widget.disabled
    assert "A ahead in" not in _scoreboard(rc)
