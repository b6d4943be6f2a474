"""A scenario over plausible markets (sim.study.markets) and the share interval behind it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.params import make_params
from sim.study.markets import comparison_pairs, headline, lead_shares, market_for
from sim.study.stats import share_ci


def test_wilson_interval_matches_published_values():
    # Wilson (1927) score interval; 36 of 50 and 0 of 10 as in the usual tables.
    a = share_ci(36, 50)
    assert (a.mean, round(a.low, 4), round(a.high, 4)) == (0.72, 0.5833, 0.8253)
    b = share_ci(0, 10)
    assert b.low == 0.0 and round(b.high, 4) == 0.2775
    c = share_ci(10, 10)
    assert round(c.low, 4) == 0.7225 and c.high == pytest.approx(1.0)
    assert share_ci(0, 0).n == 0


def test_a_member_replaces_only_what_the_scenario_inherits():
    inherited = make_params({"product": {"fit": 0.4}, "wom": {"talk_base": 0.0075}})
    scenario = make_params(
        {"product": {"fit": -0.2}, "wom": {"talk_base": 0.0075}, "network": {"n": 500}}
    )
    member = {
        "product.fit": 0.6,  # the scenario's own (a bad product): kept
        "wom.talk_base": 0.01,  # inherited: replaced
        "arm.budget": 9.0,  # arms are the scenario's: never taken
        "network.n": 9999,  # never taken
    }
    out = market_for(scenario, inherited, member)
    assert out.product.fit == -0.2
    assert out.wom.talk_base == 0.01
    assert out.network.n == 500
    assert out.arm.budget == scenario.arm.budget
    with pytest.raises(ValueError, match="unknown parameter 'wom.nonsense'"):
        market_for(scenario, inherited, {"wom.nonsense": 1.0})


def _frame(values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """A run's tidy table: arms with (profit, irritated) at week 52."""
    return pd.DataFrame(
        [{"arm": arm, "week": 52, "profit": p, "irritated": i} for arm, (p, i) in values.items()]
    )


def test_lead_shares_count_markets_ties_half_and_lower_is_better():
    frames = [
        _frame({"push": (10, 0.1), "mix": (12, 0.05)}),  # mix ahead on both
        _frame({"push": (10, 0.1), "mix": (8, 0.2)}),  # behind on both
        _frame({"push": (10, 0.1), "mix": (15, 0.1)}),  # ahead, tie
        _frame({"push": (10, 0.1), "mix": (11, 0.3)}),  # ahead, behind
    ]
    table = lead_shares(frames, [("mix", "push")], ["profit", "irritated"], [52])
    profit = table[table["measure"] == "profit"].iloc[0]
    assert profit["arm"] == "mix" and profit["versus"] == "push" and profit["markets"] == 4
    assert profit["leads"] == 3 and profit["share"] == 0.75
    assert profit["low"] < 0.75 < profit["high"]
    assert profit["p50"] == pytest.approx(1.5)  # differences 2, -2, 5, 1
    irritated = table[table["measure"] == "irritated"].iloc[0]
    assert irritated["leads"] == 1.5  # fewer irritated once, a tie counts half
    text = headline(profit)
    assert text.startswith("in 75 % [") or text.startswith("in 75% [")
    assert "of 4 plausible markets, mix is ahead of push on profit at week 52" in text
    with pytest.raises(ValueError):
        lead_shares([], [("mix", "push")], ["profit"], [52])


def test_pairs_are_every_arm_against_the_baseline_then_the_contrast():
    arms = ["none", "push", "dialogue", "mix"]
    assert comparison_pairs(arms, "none", ("dialogue", "push")) == [
        ("push", "none"),
        ("dialogue", "none"),
        ("mix", "none"),
        ("dialogue", "push"),
    ]
    assert comparison_pairs(arms, "none", ("push", "none")) == [
        ("push", "none"),
        ("dialogue", "none"),
        ("mix", "none"),
    ]


# --------------------------------------------------------------------------- where dialogue pays


def test_auc_is_the_mann_whitney_share():
    from sim.evidence.dialogue_pays import auc

    labels = np.array([True, True, False, False])
    assert auc(np.array([3.0, 4.0, 1.0, 2.0]), labels) == 1.0
    assert auc(np.array([1.0, 2.0, 3.0, 4.0]), labels) == 0.0
    assert auc(np.array([1.0, 4.0, 2.0, 3.0]), labels) == 0.5
    assert auc(np.array([1.0, 1.0, 1.0, 1.0]), labels) == 0.5  # ties count half
    assert np.isnan(auc(np.array([1.0, 2.0]), np.array([True, True])))


def test_best_split_finds_the_threshold_and_the_side():
    from sim.evidence.dialogue_pays import best_split

    values = np.arange(10.0)
    labels = values < 3.5  # pays below 3.5
    split = best_split(values, labels)
    assert split["threshold"] == 3.5 and split["balanced_accuracy"] == 1.0
    assert split["share_below"] == 1.0 and split["share_above"] == 0.0
    assert (split["n_below"], split["n_above"]) == (4, 6)


def test_where_dialogue_pays_reads_the_runs(monkeypatch):
    from sim.evidence import dialogue_pays

    members = [{"dialogue.cost_per_conversation": c} for c in (1.0, 2.0, 6.0, 8.0)]

    # Stand-in runs: dialogue out-earns push exactly where conversations are cheap.
    def fake_run(tasks, executor=None):
        frames = []
        for task in tasks:
            cost = task.params["dialogue"]["cost_per_conversation"]
            frames.append(
                pd.DataFrame(
                    [
                        {"arm": "push", "week": 52, "profit": 100.0},
                        {"arm": "dialogue", "week": 52, "profit": 100.0 + (4.0 - cost)},
                    ]
                )
            )
        return frames

    monkeypatch.setattr(dialogue_pays, "run_markets", fake_run)
    result = dialogue_pays.where_dialogue_pays(members, seed=1)
    assert result["markets"] == 4 and result["pays"]["mean"] == 0.5
    top = result["separating"][0]
    assert top["path"] == "dialogue.cost_per_conversation" and top["auc"] == 0.0
    assert top["split"]["threshold"] == 4.0 and top["split"]["share_below"] == 1.0
    text = "\n".join(dialogue_pays.sentences(result))
    assert "in 50 % [" in text or "in 50% [" in text
    assert "dialogue pays in 100% of the 2 markets below 4" in text.replace(" %", "%")


# --------------------------------------------------------------------------- run --plausible


def _fixture_set(path):
    """A plausible set of six markets over two parameters (the format abc.py writes)."""
    import json

    members = [
        {
            "point": {"wom.talk_base": 0.004 + 0.002 * i, "product.fit": 0.3 + 0.05 * i},
            "weight": 1.0,
        }
        for i in range(6)
    ]
    ranges = [
        {"path": "wom.talk_base", "low": 0.003, "high": 0.015},
        {"path": "product.fit", "low": 0.1, "high": 0.7},
    ]
    data = {
        "format": "reclamare-plausible-set",
        "members": members,
        "provenance": {"ranges": ranges, "date": "2026-12-07", "git_commit": "abc"},
    }
    path.write_text(json.dumps(data))
    return path


def test_run_over_plausible_markets_reports_and_leads_the_page(tmp_path, monkeypatch, capsys):
    from sim import cli
    from sim.evidence import plausible

    monkeypatch.setattr(plausible, "DATA", _fixture_set(tmp_path / "set.json"))
    out = tmp_path / "study"
    status = cli.main(
        [
            "run",
            "default",
            "--plausible",
            "4",
            "--replicates",
            "2",
            "--weeks",
            "13",
            "--set",
            "network.n=300",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "Over 4 plausible markets" in printed
    assert "mix - no campaign:" in printed and "dialogue - push:" in printed  # display names
    table = pd.read_csv(out / "plausible.csv")
    assert set(table["week"]) == {4, 13}
    assert (table["markets"] == 4).all()
    assert {("dialogue", "push"), ("push", "none")} <= set(
        zip(table["arm"], table["versus"], strict=True)
    )
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plausible"]["markets"] == 4
    page = (out / "report.html").read_text()
    answer = page.index("The answer over plausible markets")
    assert answer < page.index('class="question"')  # the page leads with it
    assert (
        "plausible markets, <b>dialogue</b> earns more than push (profit to date at week 13)."
        in page
    )


def test_run_plausible_without_a_set_is_one_line(tmp_path, monkeypatch, capsys):
    from sim import cli
    from sim.evidence import plausible

    monkeypatch.setattr(plausible, "DATA", tmp_path / "missing.json")
    status = cli.main(
        ["run", "default", "--plausible", "--weeks", "2", "--quiet", "--out", str(tmp_path / "x")]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "no plausible set here" in err
    assert not (tmp_path / "x").exists()


def test_sweep_over_plausible_markets_gives_shares_per_grid_point(tmp_path, monkeypatch, capsys):
    """Every grid point is run in every market; the shares carry the point; a grid value equal
    to the default market's is the grid's, not the member's."""
    from sim import cli
    from sim.evidence import plausible

    monkeypatch.setattr(plausible, "DATA", _fixture_set(tmp_path / "set.json"))
    scenario = tmp_path / "grid.toml"
    scenario.write_text(
        'title = "grid"\nweeks = 4\nreplicates = 2\nseed = 3\n'
        '[network]\nkind = "small_world"\nn = 300\n[arm]\nbudget = 3.0\n'
        '[[arms]]\nname = "none"\nbudget = 0.0\n[[arms]]\nname = "push"\npush_share = 1.0\n'
        '[sweep]\n"product.fit" = [0.2, 0.4]\n'
    )
    out = tmp_path / "study"
    status = cli.main(["sweep", str(scenario), "--plausible", "3", "--out", str(out), "--quiet"])
    assert status == 0
    printed = capsys.readouterr().out
    # arms by their display names (none is "no campaign")
    assert "product.fit=0.2: push - no campaign:" in printed
    assert "product.fit=0.4: push - no campaign:" in printed
    table = pd.read_csv(out / "plausible.csv")
    assert list(table.columns[:2]) == ["product.fit", "measure"]
    assert set(table["product.fit"]) == {0.2, 0.4}
    # mean attitude has no value in the "none" arm at week 4 (no aware customers in some runs)
    assert (table[table["measure"] == "awareness"]["markets"] == 3).all()
    assert "nan" not in printed
    page = (out / "report.html").read_text()
    assert "The answer over plausible markets" in page
    assert "At product.fit = 0.2:" in page and "At product.fit = 0.4:" in page
    assert "<td>product.fit = 0.4</td>" in page


def test_a_sweep_path_is_kept_even_at_the_default_value():
    base = make_params({})
    member = {"product.fit": 0.9, "wom.talk_base": 0.01}
    moved = market_for(base, base, member, keep=["product.fit"])
    assert moved.product.fit == base.product.fit
    assert moved.wom.talk_base == 0.01
