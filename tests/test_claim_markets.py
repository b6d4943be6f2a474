"""``check --plausible``: each claim's direction over plausible markets
(sim/study/claim_markets.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.study.claim_markets import claim_share, direction_holds
from sim.study.claims import Expectation


def claim(**fields) -> Expectation:
    base = {"arm": "push", "versus": "none", "measure": "awareness", "week": 4}
    return Expectation(**{**base, **fields})


def test_directions_count_ties_half_and_equivalence_inside_the_margin():
    d = np.array([-0.2, 0.0, 0.1, 0.3])
    assert direction_holds(claim(relation="ahead"), d).tolist() == [0, 0.5, 1, 1]
    assert direction_holds(claim(relation="behind"), d).tolist() == [1, 0.5, 0, 0]
    assert direction_holds(claim(relation="positive", versus=None), d).tolist() == [0, 0, 1, 1]
    above = claim(relation="above", versus=None, value=0.1)
    assert direction_holds(above, d).tolist() == [0, 0, 0, 1]
    below = claim(relation="below", versus=None, value=0.1)
    assert direction_holds(below, d).tolist() == [1, 1, 0, 0]
    same = claim(relation="equivalent", margin=0.15)
    assert direction_holds(same, d).tolist() == [0, 1, 1, 0]


def test_share_is_over_markets_paired_by_market():
    """Four markets (the table's replicate is the market): push leads none in three."""
    rows = []
    for market, (push, none) in enumerate([(0.5, 0.2), (0.4, 0.1), (0.3, 0.35), (0.6, 0.1)]):
        rows.append({"arm": "push", "replicate": market, "week": 4, "awareness": push})
        rows.append({"arm": "none", "replicate": market, "week": 4, "awareness": none})
        rows.append({"arm": "push", "replicate": market, "week": 3, "awareness": 0.0})
    r = claim_share(claim(relation="ahead"), pd.DataFrame(rows))
    assert r["markets"] == 4 and r["holds"] == 3 and r["share"] == 0.75
    assert 0.3 < r["low"] < 0.75 < r["high"] < 1.0  # Wilson, 4 markets
    assert r["p50"] == pytest.approx(np.median([0.3, 0.3, -0.05, 0.5]))


def _scenario(path):
    path.write_text(
        """
title = "two arms"
weeks = 4
replicates = 2
seed = 7
[network]
kind = "small_world"
n = 300
[arm]
budget = 3.0
[[arms]]
name = "none"
budget = 0.0
[[arms]]
name = "push"
push_share = 1.0
[[expect]]
says = "Push makes more customers aware than spending nothing by week 4."
arm = "push"
versus = "none"
measure = "awareness"
week = 4
relation = "ahead"
replicates = 2
[[expect]]
arm = "push"
measure = "irritated"
week = 4
relation = "negative"
replicates = 2
"""
    )
    return path


def test_check_plausible_prints_each_claims_share(tmp_path, monkeypatch, capsys):
    from sim import cli
    from sim.evidence import plausible
    from tests.test_markets import _fixture_set

    monkeypatch.setattr(plausible, "DATA", _fixture_set(tmp_path / "set.json"))
    scenario = _scenario(tmp_path / "two.toml")
    status = cli.main(["check", str(scenario), "--plausible", "3", "--quiet"])
    out = capsys.readouterr().out
    assert status == 1  # "irritated is negative" cannot hold (it is a share, >= 0)
    assert "each claim's direction over 3 plausible markets" in out
    lines = [line for line in out.splitlines() if "plausible markets (p10" in line]
    assert len(lines) == 2
    assert lines[0].strip().startswith("push - none, awareness, week 4: ahead: in 100% [")
    assert "push, irritated, week 4: negative: in 0% [" in lines[1]


def test_check_plausible_without_a_set_is_one_line_before_any_run(tmp_path, monkeypatch, capsys):
    from sim import cli
    from sim.evidence import plausible

    monkeypatch.setattr(plausible, "DATA", tmp_path / "missing.json")
    status = cli.main(["check", str(_scenario(tmp_path / "two.toml")), "--plausible"])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and "no plausible set here" in captured.err
