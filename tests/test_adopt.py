"""Writing the plausible set's central member into the default scenario
(sim/evidence/adopt.py)."""

from __future__ import annotations

import json
import tomllib

import pytest

from sim.evidence import adopt

TEXT = """title = "t"

[market]
potential = 0.6        # 60 % of customers buy the category
purchase_rate = 0.2

[arm]
budget = 3.0   # cu per 1,000 customers per week

[[arms]]
name = "none"
budget = 0.0
"""


def test_values_change_comments_stay_and_missing_keys_and_tables_are_added():
    values = {"market.potential": 0.767, "wom.listeners": 3, "arm.budget": 2.23, "market.x": 1.5}
    text, changes = adopt.set_values(TEXT, values)
    data = tomllib.loads(text)
    assert data["market"] == {"potential": 0.767, "purchase_rate": 0.2, "x": 1.5}
    assert data["wom"] == {"listeners": 3} and data["arm"] == {"budget": 2.23}
    assert data["arms"] == [{"name": "none", "budget": 0.0}]  # the arm keeps its own budget
    assert "potential = 0.767        # 60 % of customers buy the category" in text
    assert "x = 1.5   # calibrated" in text
    assert text.index("[wom]") < text.index("[[arms]]")
    assert "market.potential: 0.6 -> 0.767" in changes
    assert "wom.listeners: (schema default) -> 3" in changes
    again, none = adopt.set_values(text, values)
    assert again == text and none == []  # idempotent


def test_rounding_to_three_significant_digits_and_whole_numbers():
    assert adopt.rounded("market.potential", 0.76744) == 0.767
    assert adopt.rounded("push.cost_per_impression", 0.017312) == 0.0173
    assert adopt.rounded("wom.listeners", 2.5) == 3 and adopt.rounded("wom.listeners", 2.4) == 2
    assert adopt.toml_value(3) == "3" and adopt.toml_value(2.0) == "2.0"
    assert adopt.toml_value(1.5e-05) == "1.5e-05"


def test_adopt_writes_the_central_member_and_dry_run_writes_nothing(tmp_path):
    members = [
        {"point": {"market.potential": 0.5 + 0.1 * i, "wom.listeners": 2 + i}, "weight": 1.0}
        for i in range(3)
    ]
    ranges = [
        {"path": "market.potential", "low": 0.4, "high": 0.8},
        {"path": "wom.listeners", "low": 1, "high": 5, "integer": True},
    ]
    data = {"format": "reclamare-plausible-set", "members": members}
    data["provenance"] = {"ranges": ranges}
    set_file = tmp_path / "set.json"
    set_file.write_text(json.dumps(data))
    scenario = tmp_path / "default.toml"
    scenario.write_text(TEXT)
    changes = adopt.adopt(set_file, scenario, dry_run=True)
    assert scenario.read_text() == TEXT
    assert changes == ["wom.listeners: (schema default) -> 3"]  # potential is 0.6 already
    assert adopt.main(["--set", str(set_file), "--scenario", str(scenario)]) == 0
    written = tomllib.loads(scenario.read_text())
    assert written["market"]["potential"] == pytest.approx(0.6)  # the middle member
    assert written["wom"]["listeners"] == 3


def test_a_missing_set_is_one_line(tmp_path, capsys):
    scenario = tmp_path / "default.toml"
    scenario.write_text(TEXT)
    assert adopt.main(["--set", str(tmp_path / "none.json"), "--scenario", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:")
    assert scenario.read_text() == TEXT
