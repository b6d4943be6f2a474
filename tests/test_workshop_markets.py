"""The kit's answer over plausible markets (issue #23, "where dialogue pays" as a workshop step).

The frontier exercise asks in what share of the markets consistent with the evidence dialogue
alone earns more than push at the media plan. ``workshop build`` answers it from its own runs
(``findings.plausible_share``: the default scenario once in each of N members of the shipped
plausible set, as ``run default --plausible N``). Here the runs are stand-ins whose answer is
known (dialogue out-earns push exactly where a conversation costs less than 4 cu), the set is a
small fixture file, and the key is rendered from the result; without a set, one line says so.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from sim.workshop import build, findings, pages
from sim.workshop.exercises import BY_ID, SMALL_MARKETS, Answer

COSTS = (1.0, 2.0, 3.0, 6.0, 8.0)  # dialogue pays below 4 cu a conversation: 3 of 5
ANSWER = Answer("plausible_share", "profit", 52, "dialogue", "push", scenario="default", markets=5)


def _fixture_set(path, costs=COSTS):
    """A plausible set over two parameters; only the price of a conversation decides."""
    members = [
        {
            "point": {"dialogue.cost_per_conversation": c, "wom.listeners": 4.0 + (i % 2)},
            "weight": 1.0,
        }
        for i, c in enumerate(costs)
    ]
    ranges = [
        {"path": "dialogue.cost_per_conversation", "low": 0.5, "high": 10.0},
        {"path": "wom.listeners", "low": 1.0, "high": 10.0},
    ]
    data = {
        "format": "reclamare-plausible-set",
        "members": members,
        "provenance": {"ranges": ranges, "date": "2026-12-07"},
    }
    path.write_text(json.dumps(data))
    return path


def _frame(cost: float) -> pd.DataFrame:
    """One market's run: push earns 100 cu by week 52, dialogue 100 + (4 - cost)."""
    return pd.DataFrame(
        [
            {"arm": "none", "week": 52, "profit": 20.0},
            {"arm": "push", "week": 52, "profit": 100.0},
            {"arm": "dialogue", "week": 52, "profit": 100.0 + (4.0 - cost)},
        ]
    )


def _fake_runs(tasks, executor=None):
    return [_frame(task.params["dialogue"]["cost_per_conversation"]) for task in tasks]


def _wilson(k: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_the_share_is_read_from_the_runs():
    members = [{"dialogue.cost_per_conversation": c, "wom.listeners": 5.0} for c in COSTS]
    result = findings.share_over_markets(ANSWER, members, [_frame(c) for c in COSTS])
    low, high = _wilson(3, 5)
    assert result["share"]["mean"] == pytest.approx(0.6)
    assert (result["share"]["low"], result["share"]["high"]) == pytest.approx((low, high))
    assert result["ahead"] == 3
    assert result["differences"]["p50"] == pytest.approx(1.0)  # 4 - 3
    # the one parameter that varies separates them, below 4.5 cu (the midpoint of 3 and 6)
    (top,) = result["separating"]
    assert top["path"] == "dialogue.cost_per_conversation" and top["auc"] == 0.0
    assert top["split"]["threshold"] == 4.5
    assert (top["split"]["share_below"], top["split"]["share_above"]) == (1.0, 0.0)
    # a tie counts half, as run --plausible counts it
    tied = findings.share_over_markets(ANSWER, members[:2], [_frame(4.0), _frame(8.0)])
    assert tied["share"]["mean"] == pytest.approx(0.25)
    # where dialogue pays nowhere, nothing separates (and the key says so)
    never = findings.share_over_markets(ANSWER, members[3:], [_frame(c) for c in COSTS[3:]])
    assert never["share"]["mean"] == 0 and never["separating"] == []


def test_the_answer_runs_the_scenario_in_the_sets_markets(tmp_path, monkeypatch):
    """The members are the ones ``run default --plausible N`` draws (the scenario's seed); a
    request for more markets than the set has runs all of them."""
    from sim.evidence.plausible import load_plausible
    from sim.study.scenario import load_scenario

    path = _fixture_set(tmp_path / "set.json")
    asked = []

    def runs(tasks, executor=None):
        asked.extend(tasks)
        return _fake_runs(tasks)

    monkeypatch.setattr(findings, "run_markets", runs)
    result = findings.plausible_share(ANSWER, 3, [("network.n", 200)], path=path)
    seed = load_scenario("default", preflight=False).seed
    drawn = load_plausible(path).sample(3, seed=seed)
    assert [t.params["dialogue"]["cost_per_conversation"] for t in asked] == [
        m["dialogue.cost_per_conversation"] for m in drawn
    ]
    assert all(t.params["network"]["n"] == 200 for t in asked)
    pays = sum(m["dialogue.cost_per_conversation"] < 4 for m in drawn)
    assert result["markets"] == 3 and result["set_size"] == 5
    assert result["share"]["mean"] == pytest.approx(pays / 3)
    everything = findings.plausible_share(ANSWER, 50, path=path)
    assert everything["markets"] == 5 and everything["share"]["mean"] == pytest.approx(0.6)


def test_a_folder_named_like_the_scenario_does_not_hide_it(tmp_path, monkeypatch):
    """A class that ran `run default --out default` has a folder called default where the kit is
    built: the answer still runs the shipped default scenario (the offline check met this; the
    resolver, sim/study/scenario_files.py, lets no folder hide a shipped name)."""
    path = _fixture_set(tmp_path / "set.json")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").mkdir()
    monkeypatch.setattr(findings, "run_markets", lambda tasks, executor=None: _fake_runs(tasks))
    result = findings.plausible_share(ANSWER, 3, [("network.n", 200)], path=path)
    assert result["markets"] == 3


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_key_shows_the_share_and_what_separates(lang, tmp_path, monkeypatch):
    monkeypatch.setattr(findings, "run_markets", _fake_runs)
    answer = findings.plausible_share(ANSWER, 5, path=_fixture_set(tmp_path / "set.json"))
    html = pages.render("partials/answers.html", lang, result={"answers": [answer]})
    lines = re.findall(r"<li>(.*?)</li>", html)
    assert len(lines) == 1  # one answer, on one line (the key's test reads it so)
    line = lines[0]
    low, high = _wilson(3, 5)
    share = pages.share_interval({"mean": 0.6, "low": low, "high": high}, lang)
    assert share in line and share.startswith("60")
    assert "AUC 0" in line and "4" + ("," if lang == "nb" else ".") + "5" in line
    words = {"en": ("plausible markets", "push"), "nb": ("plausible markeder", "reklame")}
    assert all(w in line for w in words[lang])


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_without_a_set_the_key_says_so_in_one_line(lang, tmp_path, monkeypatch):
    from sim.evidence import plausible

    def no_runs(tasks, executor=None):
        raise AssertionError("nothing runs without a set")

    monkeypatch.setattr(plausible, "DATA", tmp_path / "missing" / "plausible.json")
    monkeypatch.setattr(findings, "run_markets", no_runs)
    notes = []
    over = build.run_over_markets(small=True, log=notes.append)
    (answer,) = over["frontier"].values()
    assert "missing" in answer and answer["markets"] == SMALL_MARKETS
    assert any("no answer over plausible markets" in n for n in notes)
    html = pages.render("partials/answers.html", lang, result={"answers": [answer]})
    lines = re.findall(r"<li>(.*?)</li>", html)
    assert len(lines) == 1 and re.search(r"\d", lines[0])
    assert "make calibrate-defaults" in lines[0]


def test_the_worksheet_gives_the_command_over_plausible_markets():
    frontier = BY_ID["frontier"]
    assert frontier.commands[0] == frontier.cli
    assert frontier.commands[1].endswith("run default --plausible 20")
    (kind,) = [a for a in frontier.answers if a.kind == "plausible_share"]
    assert (kind.arm, kind.versus, kind.scenario, kind.week) == ("dialogue", "push", "default", 52)
    from sim.workshop.exercises import PLANS

    sheet = pages.document(
        "worksheet", PLANS[0], "en", {"options": "", "date": "d", "version": "v", "small": None}
    )
    assert "run default --plausible 20</code>" in sheet
