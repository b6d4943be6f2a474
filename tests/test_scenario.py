"""Scenario files: extends, --set, validation messages, the plan, the JSON Schema, fuzzing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.study.arms import run_seed
from sim.study.overrides import parse_value
from sim.study.scenario import load_scenario
from sim.study.scenario_files import SCENARIO_DIR, shipped_scenarios
from sim.study.schema import ScenarioError, json_schema

SMALL = """
title = "small"
description = "A tiny test study."
weeks = 4
replicates = 2
seed = 7

[network]
kind = "small_world"
n = 60
mean_degree = 4

[arm]
budget = 30.0

[[arms]]
name = "none"
budget = 0.0

[[arms]]
name = "push"
push_share = 1.0
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_fill_everything_left_out(tmp_path):
    s = load_scenario(write(tmp_path, "a.toml", 'title = "x"\n'))
    params, arms = s.resolve()
    assert params.network.n == 1000 and s.weeks == 52 and s.replicates == 10
    assert [a.name for a in arms] == ["none", "push", "dialogue", "mix"]
    assert [a.budget for a in arms] == [0.0, 20.0, 20.0, 20.0]
    assert s.baseline == "none" and s.contrast == ("dialogue", "push")


def test_arms_inherit_arm_defaults(tmp_path):
    s = load_scenario(write(tmp_path, "a.toml", SMALL))
    _, arms = s.resolve()
    assert [(a.name, a.budget, a.push_share) for a in arms] == [
        ("none", 0.0, 0.5),
        ("push", 30.0, 1.0),
    ]


def test_extends_merges_and_overrides(tmp_path):
    write(tmp_path, "base.toml", SMALL)
    child = write(
        tmp_path,
        "child.toml",
        """
        extends = "base.toml"
        title = "child"
        [network]
        n = 80
        [[arms]]
        name = "dialogue"
        push_share = 0.0
        """,
    )
    s = load_scenario(child)
    params, arms = s.resolve()
    assert s.title == "child" and s.weeks == 4
    assert params.network.n == 80 and params.network.mean_degree == 4  # merged table
    assert [a.name for a in arms] == ["dialogue"]  # arms replaced whole
    assert [p.name for p in s.files] == ["base.toml", "child.toml"]


def test_set_overrides_any_path(tmp_path):
    path = write(tmp_path, "a.toml", SMALL)
    s = load_scenario(
        path,
        [
            ("network.n", 90),
            ("arms.push.budget", 55.0),
            ("wom.negative_impact", 2),
            ("weeks", 3),
            ("attitudes", False),
        ],
    )
    params, arms = s.resolve()
    assert params.network.n == 90 and params.wom.negative_impact == 2.0
    assert arms[1].budget == 55.0 and s.weeks == 3 and params.attitudes is False


def test_parse_value_is_toml_with_bare_strings():
    assert parse_value("200") == 200
    assert parse_value("1.5") == 1.5
    assert parse_value("true") is True
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value('"ring"') == "ring"
    assert parse_value("ring") == "ring"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[netwrk]\nn = 10\n", ["netwrk", "did you mean 'network'"]),
        ("[network]\nmean_degre = 4\n", ["network.mean_degre", "did you mean 'mean_degree'"]),
        ("titel = 'x'\n", ["titel", "did you mean 'title'"]),
        ("[network]\nn = 'many'\n", ["network.n", "whole number"]),
        ("[network]\nn = 1\n", ["network.n", ">= 2"]),
        ("[wom]\ncredibility = 1.5\n", ["wom.credibility", "<= 1"]),
        ("[network]\nkind = 'hexagon'\n", ["network.kind", "must be one of"]),
        ("weeks = 0\n", ["weeks", ">= 1"]),
        ("[[arms]]\nbudget = 3.0\n", ["arms[0].name", "required"]),
        ("[[arms]]\nname = 'a'\nbudgt = 3.0\n", ["arms[0] (a).budgt", "did you mean 'budget'"]),
        ("[[arms]]\nname = 'a'\n[[arms]]\nname = 'a'\n", ["unique", "a"]),
        ("baseline = 'nobody'\n", ["baseline", "must be one of the arms"]),
        ("[sweep]\n'wom.nope' = [1, 2]\n", ["sweep.wom.nope", "unknown field"]),
        ("[sweep]\n'network.n' = [100, 'x']\n", ["network.n", "whole number"]),
        ("[sweep]\n'network.n' = []\n", ["sweep.network.n", "at least one value"]),
        ("[arm]\ntarget_group = 'aliens'\n", ["target_group", "'aliens'"]),
        ("title = 'x'\n[network\n", ["TOML syntax error", "line 2"]),
        ("[network]\nkind = 'file'\npath = 'missing.csv'\n", ["network", "missing.csv"]),
    ],
)
def test_bad_values_give_one_line_naming_file_and_field(tmp_path, text, expected):
    path = write(tmp_path, "bad.toml", text)
    message = error_of(path)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message


def test_missing_extends_target_and_cycles(tmp_path):
    missing = write(tmp_path, "a.toml", 'extends = "nowhere.toml"\n')
    assert "nowhere.toml" in error_of(missing) and "no such file" in error_of(missing)
    write(tmp_path, "b.toml", 'extends = "c.toml"\n')
    c = write(tmp_path, "c.toml", 'extends = "b.toml"\n')
    message = error_of(c)
    assert "cycle" in message and "b.toml" in message
    selfish = write(tmp_path, "d.toml", 'extends = "d.toml"\n')
    assert "cycle" in error_of(selfish)


def test_unknown_set_paths(tmp_path):
    path = write(tmp_path, "a.toml", SMALL)
    assert "did you mean 'network'" in error_of(path, [("netwrk.n", 3)])
    assert "did you mean 'mean_degree'" in error_of(path, [("network.mean_degre", 3)])
    assert "no arm named 'dialog'" in error_of(path, [("arms.dialog.budget", 3)])
    assert "network.n" in error_of(path, [("network.n", "lots")])


def test_bad_network_file(tmp_path):
    (tmp_path / "net.csv").write_text("0 1 1.0\n1 2 abc\n", encoding="utf-8")
    path = write(tmp_path, "a.toml", "[network]\nkind = 'file'\npath = 'net.csv'\n")
    message = error_of(path)
    assert "net.csv" in message and "network" in message


def test_plan_seeds_and_keys(tmp_path):
    path = write(tmp_path, "a.toml", SMALL + "\n[sweep]\n'network.n' = [50, 70]\n")
    s = load_scenario(path)
    runs = s.plan(sweep=False)
    assert [t.key for t in runs] == ["r0000", "r0001"]
    assert runs[1].seed == run_seed(7, 1, None)
    grid = s.plan(sweep=True)
    assert [t.key for t in grid] == ["p0000-r0000", "p0000-r0001", "p0001-r0000", "p0001-r0001"]
    assert grid[3].seed == run_seed(7, 1, {"network.n": 70})
    assert grid[3].params["network"]["n"] == 70
    assert len({t.seed for t in grid}) == 4


def test_json_schema_describes_the_format():
    schema = json_schema()
    json.dumps(schema)
    props = schema["properties"]
    for key in ("title", "description", "weeks", "replicates", "seed", "arms", "sweep", "network"):
        assert key in props
    assert schema["additionalProperties"] is False


def test_every_shipped_scenario_is_valid():
    names = [name for name, _ in shipped_scenarios()]
    assert len(names) >= 8
    for name in names:
        s = load_scenario(SCENARIO_DIR / f"{name}.toml")
        assert s.title and s.description.strip(), name
        assert "Look at" in s.description or "look at" in s.description, name


def test_bass_scenario_is_a_bass_limit():
    from sim.engine.bass import bass_pq, is_bass_limit

    s = load_scenario("bass")
    params, arms = s.resolve()
    assert is_bass_limit(params, arms)
    p, q = bass_pq(params, arms[0])
    assert p == pytest.approx(1 - (1 - 1 / 1000) ** 10)
    assert q == 0.2


# ---------------------------------------------------------------- fuzzing: no traceback escapes

BASE = (SCENARIO_DIR / "default.toml").read_text(encoding="utf-8").replace("n = 1000", "n = 60")
ALPHABET = st.sampled_from(list("[]{}=\"'.,#\n 0123456789-+eE_abcnrtwxyz") + ["true", "kind"])


@st.composite
def mutated(draw):
    text = BASE
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=4)))
        cut = draw(st.integers(1, 12))
        if action == "insert":
            text = text[:pos] + chunk + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + cut :]
        else:
            text = text[:pos] + chunk + text[pos + cut :]
    return text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated())
def test_fuzz_validate_never_shows_a_traceback(tmp_path, capsys, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert status in (0, 2), err
    assert "Traceback" not in out + err
    if status == 2:
        assert err.startswith("invalid: ") and err.count("\n") == 1, err


VALUES = st.one_of(
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.booleans(),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
PATHS = st.sampled_from(
    [
        "network.n",
        "network.kind",
        "network.mean_degree",
        "network.group_names",
        "wom.listeners",
        "push.irritation_threshold",
        "arm.target_group",
        "arms.push.budget",
        "crisis.week",
        "weeks",
        "seed",
        "report.measures",
        "attitudes",
    ]
)


@settings(max_examples=80, deadline=None)
@given(path=PATHS, value=VALUES)
def test_fuzz_set_values_give_clean_errors(path, value):
    try:
        s = load_scenario(
            SCENARIO_DIR / "default.toml", [("network.n", 60), (path, value)], preflight=True
        )
    except ScenarioError as error:
        assert "\n" not in str(error)
    else:
        assert s.title


def test_documented_example_is_valid(tmp_path):
    text = (SCENARIO_DIR.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```toml")[1:] if "my_study.toml" in b).split("```")[0]
    block = block.replace('extends = "default.toml"', f'extends = "{SCENARIO_DIR}/default.toml"')
    s = load_scenario(write(tmp_path, "my_study.toml", block))
    assert s.has_sweep and len(s.points()) == 6
    _, arms = s.resolve({"arms.push.budget": 40.0})
    assert arms[1].budget == 40.0 and arms[1].target_group == "students"


def test_a_results_folder_named_like_a_shipped_scenario_does_not_hide_it(tmp_path, monkeypatch):
    """`run default --out default` leaves a folder called default; `run default` there again
    means the shipped file. A folder that is no shipped name is still refused when read."""
    from sim.study.scenario_files import resolve_scenario_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").mkdir()
    assert resolve_scenario_path("default") == SCENARIO_DIR / "default.toml"
    assert (
        load_scenario("default", preflight=False).title
        == load_scenario(SCENARIO_DIR / "default.toml", preflight=False).title
    )
    (tmp_path / "mine").mkdir()
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario("mine", preflight=False)
