"""The classroom app's parts without a browser: frames, charts, replicates, sharing, catalogue.

Issue #14: the server sends state (not pictures) and the browser draws it; "Run 20 times" gives
intervals and a tie when the difference is within noise; the settings can be shared as a link
and saved as a scenario file; every text of the app has a bokmål translation.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sim.engine.measures import HIST_NAMES
from sim.i18n import LANGUAGES, translator
from sim.study.scenario import load_scenario
from sim.study.stats import Interval
from sim.viz.arena import Arena
from sim.viz.chartspec import CHARTS, DEFAULT_CHARTS, chart_data, chart_spec, histogram_labels
from sim.viz.controls import Controls, controls_for
from sim.viz.frames import ATTITUDE_BINS, decode_codes, network_static, node_codes, rounded
from sim.viz.labels import NETWORK_NAMES, strategy_label
from sim.viz.presets import load_preset
from sim.viz.replicates import run_replicates, verdict
from sim.viz.scoreboard import scoreboard_html
from sim.viz.share import controls_from_query, query_string, runs_csv, scenario_toml
from tests.po_catalogue import PO_FILE, app_messages, read_po

SMALL = Controls(n=200)


def english(message: str) -> str:
    return message


# --------------------------------------------------------------------------------- frames
def test_node_codes_round_trip_every_state():
    attitude = np.array([-1.0, -0.5, 0.0, 0.04, 0.96, 1.0, 0.3, -0.3])
    aware = np.array([True, True, True, True, True, True, False, False])
    adopted = np.array([False, True, False, True, False, True, False, True])
    text = node_codes(attitude, aware, adopted)
    assert len(text) == 8 and text.isascii() and '"' not in text and "\\" not in text
    bins, aware_back, adopted_back = decode_codes(text)
    assert aware_back.tolist() == aware.tolist()
    assert adopted_back.tolist() == adopted.tolist()
    # 21 bins of width 0.1 centred on -1, -0.9, ..., 1: -1 -> 0, -0.5 -> 5, 0 and 0.04 -> 10.
    assert bins.tolist() == [0, 5, 10, 10, ATTITUDE_BINS - 1, ATTITUDE_BINS - 1, -1, -1]


def test_network_static_is_compact_json():
    arena = Arena(SMALL)
    static = network_static(arena.layout, arena.network.degree)
    text = json.dumps(static, separators=(",", ":"))
    assert static["n"] == 200 and len(static["x"]) == len(static["size"]) == 200
    assert len(static["ties"]) == 2 * arena.layout.ties.shape[0]
    assert len(static["palette"]) == ATTITUDE_BINS
    assert min(static["size"]) >= 0.35 and max(static["size"]) == 1.0
    assert len(text) < 60 * 200 + 12 * len(static["ties"])  # a few bytes per number, no more


def test_rounded_keeps_significant_digits_and_nulls():
    assert rounded([123456.0, 0.000123456, 0.0, np.nan, np.inf, -2.5]) == [
        123460.0,
        0.00012346,
        0.0,
        None,
        None,
        -2.5,
    ]


# --------------------------------------------------------------------------------- charts
@pytest.mark.parametrize("key", sorted(CHARTS))
def test_every_chart_has_data_for_every_series(key):
    arena = Arena(replace(SMALL, compare=True))
    for _ in range(3):
        arena.step()
    names = ["A: push", "B: dialogue"]
    spec = chart_spec(key, names, arena.plan.weeks, english)
    data = chart_data(key, [arm.history for arm in arena.arms], None)
    assert len(data["values"]) == len(spec["series"]) and data["week"] == 3
    if CHARTS[key].kind == "histogram":
        assert [len(v) for v in data["values"]] == [len(HIST_NAMES)] * 2
        total = sum(v for v in data["values"][0] if v is not None)
        assert total == pytest.approx(1.0, abs=1e-3)  # shares of the aware
    else:
        assert all(len(v) == 4 for v in data["values"])  # weeks 0..3
        # Side by side: each line is named at its end with its campaign's letter.
        assert {s["name"][0] for s in spec["series"]} == {"A", "B"}
    json.dumps(data)  # JSON-safe (no NaN)
    if CHARTS[key].kind != "histogram":
        later = chart_data(key, [arm.history for arm in arena.arms], None, start=2)
        assert later["start"] == 2 and "bands" not in later
        assert [v[2:] for v in data["values"]] == later["values"]


def test_each_campaign_is_drawn_in_its_strategys_colour():
    """Side by side, A and B are coloured by their strategies with the vocabulary's colour code
    (the report's and the kit's): panel title, scoreboard letter and chart lines; two campaigns
    of one strategy (or two without a campaign) still differ, so A and B stay apart."""
    from sim.i18n.vocabulary import OTHER_COLOURS, STRATEGY_COLOURS
    from sim.viz.chartspec import panel_colours
    from sim.viz.scoreboard import campaign_colours

    colour = STRATEGY_COLOURS
    assert panel_colours(["mix", "push"]) == [colour["mix"], colour["push"]]
    assert panel_colours(["dialogue", "none"]) == [colour["dialogue"], colour["none"]]
    assert panel_colours(["push", "push"]) == [colour["push"], OTHER_COLOURS[0]]
    assert panel_colours(["none", "none"]) == [colour["none"], OTHER_COLOURS[0]]
    assert panel_colours(["dialogue"]) == [colour["dialogue"]]

    arena = Arena(replace(SMALL, compare=True, strategy="mix", strategy_b="dialogue"))
    arena.step()
    assert campaign_colours(arena) == [colour["mix"], colour["dialogue"]]
    board = scoreboard_html(arena, "en", None)
    assert f"<th style='color:{colour['mix']}'>A</th>" in board
    assert f"<th style='color:{colour['dialogue']}'>B</th>" in board
    spec = chart_spec(
        "awareness",
        ["A: mix", "B: dialogue"],
        52,
        english,
        colours=[colour["mix"], colour["dialogue"]],
    )
    assert {s["name"][0]: s["color"] for s in spec["series"]} == {
        "A": colour["mix"],
        "B": colour["dialogue"],
    }
    # Exercise 1 compares push 20 with push 80: vermilion A, and B in a colour of its own.
    preset = load_preset("workshop/louder")
    arena = Arena(replace(controls_for(preset), compare=True, n=200), preset)
    assert campaign_colours(arena) == [colour["push"], OTHER_COLOURS[0]]


def test_bass_preset_draws_the_expected_curve_on_the_awareness_chart():
    preset = load_preset("bass")
    arena = Arena(controls_for(preset))
    spec = chart_spec("awareness", ["push"], arena.plan.weeks, english, bass=arena.bass)
    (extra,) = spec["extra"]
    assert extra["values"][0] == pytest.approx(preset.params.population.initial_awareness)
    assert np.all(np.diff(np.array(extra["values"], dtype=float)) >= -1e-9)


# ----------------------------------------------------------------------------- replicates
def test_replicate_zero_is_the_run_on_the_page():
    arena = Arena(replace(SMALL, compare=True))
    reps = run_replicates(arena.plan, "key", replicates=3, weeks=6)
    for _ in range(6):
        arena.step()
    for a, arm in enumerate(arena.arms):
        for measure in ("awareness", "adoption", "mean_attitude", "profit"):
            assert reps.values[a][measure][0].tolist() == pytest.approx(
                arm.series(measure).tolist(), nan_ok=True
            )
    assert reps.n == 3 and reps.values[0]["awareness"].shape == (3, 7)


def test_identical_campaigns_tie_and_different_ones_do_not():
    same = Arena(replace(SMALL, compare=True, strategy="push", strategy_b="push"))
    reps = run_replicates(same.plan, "same", replicates=5, weeks=8)
    interval = reps.difference("awareness", 8)
    # Common random numbers: identical campaigns give identical runs, B - A is exactly 0.
    assert interval.mean == 0.0 and interval.low == 0.0 == interval.high
    assert verdict(interval, True) == "tie"
    # No campaign against push at 200 customers: push makes far more customers aware within
    # 8 weeks in every replicate, so the 95 % interval of B - A lies above zero.
    diff = Arena(replace(SMALL, compare=True, strategy="none", strategy_b="push"))
    reps = run_replicates(diff.plan, "diff", replicates=5, weeks=8)
    interval = reps.difference("awareness", 8)
    assert interval.low > 0 and verdict(interval, True) == "B"
    assert verdict(interval, False) == "A"  # lower is better: A is ahead
    assert verdict(interval, None) == ""  # neither is better: no verdict


def test_verdict_needs_the_interval_to_exclude_zero():
    assert verdict(Interval(0.1, -0.01, 0.21, 20), True) == "tie"
    assert verdict(Interval(0.1, 0.01, 0.19, 20), True) == "B"
    assert verdict(Interval(-0.1, -0.19, -0.01, 20), True) == "A"
    assert verdict(Interval(0.1, float("nan"), float("nan"), 1), True) == ""
    assert verdict(None, True) == ""


def test_scoreboard_says_tie_or_a_winner_only_from_replicates():
    arena = Arena(replace(SMALL, compare=True, strategy="push", strategy_b="push"))
    for _ in range(4):
        arena.step()
    one_run = scoreboard_html(arena, "en", None)
    assert "tie" not in one_run and "a lead may be luck" in one_run
    reps = run_replicates(arena.plan, "k", replicates=4, weeks=arena.plan.weeks)
    board = scoreboard_html(arena, "en", reps)
    assert board.count(">tie<") >= 5 and "Verdicts from 4 runs" in board


def test_numbers_on_the_page_are_written_the_pages_way():
    """Bokmål writes 0,30 and 12 % (as report.html and the figures do); English 0.30 and 12%.
    The scoreboard's cells, the histogram's bins and the charts' flag for the browser."""
    import re

    arena = Arena(replace(SMALL, compare=True, strategy="push", strategy_b="dialogue"))
    for _ in range(4):
        arena.step()
    cells = {
        lang: re.findall(r"<td>([^<]*)</td>", scoreboard_html(arena, lang, None))
        for lang in ("en", "nb")
    }
    decimals_en = [c for c in cells["en"] if re.search(r"\d\.\d", c)]
    assert decimals_en, cells["en"]  # attitude and spread have decimals
    assert not any(re.search(r"\d,\d", c) for c in cells["en"])
    assert not any(re.search(r"\d\.\d", c) for c in cells["nb"]), cells["nb"]
    assert [c.replace(".", ",").replace("-", "\u2212") for c in decimals_en] == [
        c for c in cells["nb"] if re.search(r"\d,\d", c)
    ]
    assert not any("-" in c for c in cells["nb"] if c != "-")  # U+2212, as report.html
    percents = [c for c in cells["nb"] if c.endswith("%")]
    assert percents and all(c.endswith("\u00a0%") for c in percents)
    assert histogram_labels("nb")[0] == "\u22120,9" and histogram_labels("en")[0] == "-0.9"
    _nb, _en = translator("nb"), translator("en")
    assert chart_spec("histogram", ["x"], 52, _nb)["categories"][-1] == "+0,9"
    assert chart_spec("awareness", ["x"], 52, _nb)["comma"] is True
    assert chart_spec("awareness", ["x"], 52, _en)["comma"] is False
    assert chart_spec("awareness", ["x"], 52, _nb)["minus"] == "\u2212"  # the browser's axes
    assert chart_spec("awareness", ["x"], 52, _en)["minus"] == "-"


@pytest.mark.parametrize(
    ("pattern", "value", "lang", "shown"),
    [
        ("{:+.2f}", -0.4, "nb", "\u22120,40"),
        ("{:+.2f}", -0.4, "en", "-0.40"),
        ("{:+.2f}", 0.0, "en", "+0.00"),
        ("{:.2f}", 0.171, "nb", "0,17"),
        ("{:.0%}", 0.604, "nb", "60\u00a0%"),
        ("{:.0%}", 0.604, "en", "60%"),
        ("{:+.0%}", 0.01, "nb", "+1\u00a0%"),
        ("{:+.0%}", -0.05, "nb", "\u22125\u00a0%"),
        ("{:.1%}", 0.0884, "nb", "8,8\u00a0%"),
        ("{:,.0f}", 1234.4, "en", "1\u2009234"),
        ("{:,.0f}", 1234.4, "nb", "1\u00a0234"),
        ("{:+,.0f}", -1234.4, "nb", "\u22121\u00a0234"),
        ("{:+,.0f}", 50.2, "nb", "+50"),
        ("{:.0f}", float("nan"), "nb", "-"),
    ],
)
def test_scoreboard_numbers_are_written_by_babel(pattern, value, lang, shown):
    """The scoreboard's cells: Python's digits, the language's signs (sim.i18n.numbers):
    decimal comma, no-break space before % and between thousands, U+2212 for negatives in
    bokmål; English thousands by a thin space, as the app wrote them before."""
    from sim.viz.scoreboard import fmt

    assert fmt(pattern, value, lang) == shown


def test_the_app_writes_no_number_with_the_regex_rewriter():
    """Every number the app shows goes through sim.i18n.numbers (Babel), not number_style."""
    import sim.viz

    folder = Path(sim.viz.__file__).parent
    users = [p.name for p in folder.glob("*.py") if "number_style" in p.read_text("utf-8")]
    assert users == []


# --------------------------------------------------------------------------------- sharing
def test_link_reopens_the_same_settings():
    preset = load_preset("karate")
    controls = replace(
        controls_for(preset), strategy="mix", push_share=0.3, compare=True, fit=-0.2, seed="7"
    )
    query = query_string(controls, "nb", ("money", "wom"), True)
    back, page, problems = controls_from_query(query, Controls())
    assert back == controls and problems == []
    assert page == {"lang": "nb", "charts": ("money", "wom"), "present": True}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("push_share=7", ["push_share", "0 to 1"]),
        ("n=12.5", ["n=", "whole number"]),
        ("strategy=shout", ["strategy", "push"]),
        ("preset=../../etc/passwd", ["preset", "not one of"]),
        ("lang=de", ["lang", "en, nb"]),
        ("charts=a,b,c,d", ["charts", "up to 3"]),
        ("seed=abc", ["seed", "whole number"]),
        ("colour=red", ["unknown parameter", "colour"]),
    ],
)
def test_bad_link_values_are_one_line_messages_and_change_nothing(query, words):
    base = Controls()
    controls, page, problems = controls_from_query(query, base)
    assert controls == base and page["charts"] == DEFAULT_CHARTS
    (problem,) = problems
    assert "\n" not in problem and all(w in problem for w in words), problem


def test_page_errors_from_loading_a_scenario_are_in_the_pages_language(tmp_path, monkeypatch):
    """What the page says when a scenario does not load, a seed is bad or the run is too large
    (``Arena.error``) is a catalogue message: English as before, bokmål on a bokmål page
    (numbers in its style); a scenario file's own validation message too (the file and field as
    written), as on the command line."""
    from sim.viz.prose import _message_text

    nb, en = translator("nb"), translator("en")
    missing = tmp_path / "gone.toml"
    arena = Arena(Controls(preset=str(missing)))  # runs the schema's defaults, and says why
    assert _message_text(arena.error, en) == (
        f"Scenario 'gone' could not be loaded: no scenario file {missing}"
    )
    assert _message_text(arena.error, nb) == (
        f"Scenarioet 'gone' kunne ikke lastes inn: ingen scenariofil {missing}"
    )
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "x"\nweeks = "many"\n', encoding="utf-8")
    text = _message_text(Arena(Controls(preset=str(broken))).error, nb)
    assert text.startswith("Scenarioet 'broken' kunne ikke lastes inn: ") and "weeks" in text
    assert text.endswith(": weeks = 'many': må være et heltall"), text
    bad_seed = Arena(replace(SMALL, seed="twelve")).error
    assert _message_text(bad_seed, nb) == (
        "Startverdien 'twelve' er ikke et heltall: skriv for eksempel 42."
    )
    assert str(bad_seed) == "Seed 'twelve' is not a whole number: type e.g. 42."
    monkeypatch.setattr("sim.viz.controls.MAX_WORK", 1000)  # a small server's limit
    huge = Arena(replace(SMALL, n=5000)).error
    assert str(huge).startswith("Too large for this server: 5,000 customers x "), str(huge)
    assert str(huge).endswith("the limit is 1,000.")
    shown = _message_text(huge, nb)
    assert shown.startswith("For stort for denne serveren: 5\u00a0000 kunder x "), shown
    assert shown.endswith("grensen er 1\u00a0000.")


def test_scenario_file_loads_and_runs_the_same_arms(tmp_path):
    preset = load_preset("default")
    controls = replace(
        controls_for(preset), compare=True, strategy="mix", push_share=0.3, fit=-0.1, n=300
    )
    arena = Arena(controls)
    text = scenario_toml(arena.plan, "A: mix (30 % push) / B: dialogue")
    tomllib.loads(text)
    path = tmp_path / "saved.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path, preflight=False)
    params, arms = scenario.resolve()
    assert [a.model_dump() for a in arms] == [
        arena.plan.arm_a.model_dump(),
        arena.plan.arm_b.model_dump(),
    ]
    assert params.product.fit == -0.1 and params.network.n == 300
    assert params.model_copy(update={"arm": arms[0]}) == arena.plan.params
    assert scenario.seed == arena.plan.master_seed and scenario.weeks == arena.plan.weeks


def test_runs_csv_has_a_row_per_campaign_and_week():
    arena = Arena(replace(SMALL, compare=True))
    for _ in range(2):
        arena.step()
    lines = runs_csv(["A: mix", "B: dialogue"], [arm.history for arm in arena.arms]).splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["arm", "week", "awareness"] and len(lines) == 1 + 2 * 3
    assert lines[1].startswith("A: mix,0,") and lines[-1].startswith("B: dialogue,2,")


# ------------------------------------------------------------------------------ catalogue
def test_every_app_text_has_a_bokmal_translation():
    catalogue = read_po(PO_FILE)
    messages = app_messages()
    assert len(messages) > 100  # the finder works (the app has this many texts)
    missing = sorted(m for m in messages if not catalogue.get(m))
    assert not missing, f"{len(missing)} app texts without nb translation, e.g. {missing[:5]}"
    for message in messages:  # placeholders survive translation
        for name in ("{week}", "{n}", "{name}", "{share}", "{i}", "{done}", "{drawn}", "{total}"):
            assert (name in message) == (name in catalogue[message]), (message, name)


def test_menu_names_and_labels_are_plain_language():
    assert "nb" in LANGUAGES
    assert all("_" not in name for name in NETWORK_NAMES.values())
    assert strategy_label("mix", 0.3, english) == "mix (30 % push)"
    assert strategy_label("push", 1.0, english) == "push"


def test_the_app_server_keeps_one_cheap_ipython_shell_per_page():
    """Solara builds a shell with a MagicMock event hub for every browser message; the app
    installs sim.viz.ipython_shell so a page keeps one, with a do-nothing hub (its effect on the
    server's CPU is in docs/performance.md). Run in a fresh process: loading Solara's server
    patches this process (as `solara run` does)."""
    import subprocess
    import sys

    code = """
import sys
import IPython
import sim.viz.ipython_shell as shell
assert not shell.install() and "solara.server.patch" not in sys.modules  # not in a server
import solara.server.app  # Solara's patches, as `solara run` loads them
from solara.server import kernel, kernel_context
assert shell.install()  # sim.viz.app does this at import (in the server)
first = kernel_context.VirtualKernelContext(id="a", kernel=kernel.Kernel(), session_id="s")
second = kernel_context.VirtualKernelContext(id="b", kernel=kernel.Kernel(), session_id="s")
with first:
    a1, a2 = IPython.get_ipython(), IPython.get_ipython()
with second:
    b = IPython.get_ipython()
assert a1 is a2 and a1 is not b, "one shell per page"
assert a1.kernel is first.kernel and b.kernel is second.kernel
assert isinstance(a1.events, shell.QuietEvents)
a1.events.trigger("pre_execute")
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
