"""The validation page (#13 item 1): elasticity arithmetic, the small `evidence` run, and that the
pass/fail table is computed from the run's own numbers."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from sim.cli import main
from sim.evidence import page as page_module
from sim.evidence import validation
from sim.evidence.elasticity import (
    arc_elasticity,
    elasticity_interval,
    loglog_slope,
    replicate_elasticities,
)

# --------------------------------------------------------------------------- elasticity maths


@pytest.mark.parametrize("b", [-0.3, 0.12, 0.24, 1.0, 2.5])
def test_power_law_gives_its_exponent(b):
    x = np.array([0.7, 0.85, 1.0, 1.2, 1.4]) * 20.0
    assert loglog_slope(x, 3.0 * x**b) == pytest.approx(b, abs=1e-12)


def test_arc_elasticity_of_a_linear_curve_is_the_midpoint_formula():
    # y = 2 + x between x = 1 and 3: dy = 2 over mean y 4 (50 %), dx = 2 over mean x 2 (100 %).
    assert arc_elasticity(1.0, 3.0, 3.0, 5.0) == pytest.approx(0.5)
    # A power law's arc elasticity approaches its exponent for close points.
    assert arc_elasticity(1.0, 1.0, 1.01, 1.01**0.3) == pytest.approx(0.3, abs=1e-4)
    with pytest.raises(ValueError):
        arc_elasticity(1.0, 1.0, 1.0, 2.0)


def test_points_that_are_not_positive_are_left_out():
    x = np.array([0.0, 1.0, 2.0, 4.0])
    y = np.array([5.0, 1.0, 2.0**0.5, 2.0])
    assert loglog_slope(x, y) == pytest.approx(0.5)
    assert math.isnan(loglog_slope([1.0, 2.0], [0.0, 1.0]))  # one usable point


def test_replicate_slopes_and_interval_with_noise():
    """Slopes of y = a x^0.24 exp(noise) per replicate; with 40 replicates and noise sd 0.02 on
    ln y over a ln x span of 0.69, each slope has sd ~0.02 / 0.49 ~ 0.04, so the mean's 95 %
    interval is about +-0.013 wide and must contain the true 0.24 (seeded)."""
    rng = np.random.default_rng(3)
    x = np.array([0.71, 0.84, 1.0, 1.19, 1.41])
    y = 5.0 * x**0.24 * np.exp(rng.normal(0.0, 0.02, size=(40, x.size)))
    slopes = replicate_elasticities(x, y)
    assert slopes.shape == (40,)
    interval = elasticity_interval(x, y)
    assert interval.low < 0.24 < interval.high
    assert interval.high - interval.low < 0.05
    # A measured driver per replicate (x varies by row) works too.
    x2 = np.tile(x, (40, 1)) * rng.uniform(0.95, 1.05, size=(40, 1))
    assert elasticity_interval(x2, 2.0 * x2**0.5).mean == pytest.approx(0.5)


# --------------------------------------------------------------------------- the small run


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """`run_sim.py evidence --small --out DIR` once; keeps the results it computed."""
    out = tmp_path_factory.mktemp("evidence")
    captured = {}
    original = validation.run_validation

    def capture(*args, **kwargs):
        captured["results"] = original(*args, **kwargs)
        return captured["results"]

    validation.run_validation = capture
    try:
        status = main(["evidence", "--small", "--out", str(out), "--quiet"])
    finally:
        validation.run_validation = original
    return out, status, captured["results"]


@pytest.mark.slow
def test_small_evidence_writes_the_page_and_figures(small_run):
    out, status, results = small_run
    assert status in (0, 1)
    text = (out / "validation.md").read_text()
    assert text.startswith(page_module.MARKER)
    for name in page_module.FIGURE_NAMES:
        path = out / page_module.FIGURES / name
        assert path.stat().st_size > 5000, name
        assert f"figures/validation/{name}" in text
    # Every row of the pass/fail table is on the page with the run's own measured values.
    for row in results["checks"]:
        assert f"| {row['check']} | {row['measured']} | {row['tolerance']} |" in text
    assert "sensitivity.md" in text
    assert status == (0 if all(r["passed"] for r in results["checks"]) else 1)


@pytest.mark.slow
def test_the_page_shows_every_empirical_target_with_the_runs_value(small_run):
    from sim.evidence.targets import TARGETS

    out, _, results = small_run
    text = (out / "validation.md").read_text()
    rows = {r["key"]: r for r in results["targets"]}
    assert set(rows) == {t.key for t in TARGETS}
    for t in TARGETS:
        r = rows[t.key]
        assert len(r["values"]) == results["size"]["targets_replicates"]
        assert r["passed"] == t.contains(r["mean"])
        line = next(x for x in text.splitlines() if x.startswith(f"| {t.label} |"))
        if t.required:
            assert line.endswith("| pass |") == r["passed"], line
        if r["interval"] is not None and r["interval"]["mean"] is not None:
            assert f"{r['interval']['mean']:.3g}" in line
    required = [t for t in TARGETS if t.required]
    passed = sum(rows[t.key]["passed"] for t in required)
    assert f"At the defaults {passed} of {len(required)} required targets pass" in text
    # A failing target says why (or says plainly that it is not explained).
    for t in TARGETS:
        if not rows[t.key]["passed"]:
            assert f"- {t.label} ({rows[t.key]['side']} the band" in text


@pytest.mark.slow
def test_table_rows_are_computed_from_the_run(small_run):
    _, _, results = small_run
    case = results["cases"][0]
    bass_row = next(r for r in results["checks"] if r["check"].endswith("on the recurrence"))
    assert f"{case.results['max_gap']:.4f}" in bass_row["measured"]
    # Change the numbers: the verdicts and measured values follow them.
    changed = copy.copy(results)
    changed["order"] = copy.deepcopy(results["order"])
    kinds = changed["order"]["kinds"]
    kinds["ring lattice"]["at_week"]["mean"] = kinds["well mixed"]["at_week"]["mean"] + 0.2
    changed["clusters"] = copy.deepcopy(results["clusters"])
    eps = max(changed["clusters"]["counts"])
    changed["clusters"]["counts"][eps] = [7] * len(changed["clusters"]["counts"][eps])
    rows = {r["check"]: r for r in validation.checks(changed)}
    ring = next(r for k, r in rows.items() if k.startswith("Network order: ring lattice"))
    assert not ring["passed"] and ring["measured"].startswith("gap -")
    clusters = rows[f"Bounded confidence, eps = {eps:g}: clusters"]
    assert not clusters["passed"] and "[7, 7" in clusters["measured"]
    original = {r["check"]: r for r in results["checks"]}
    assert original[ring["check"]]["measured"] != ring["measured"]
    text = page_module.render(changed | {"checks": list(rows.values())}, _figs(), "test")
    assert "**FAIL**" in text


def _figs():
    return {k: f"{k}.png" for k in ("bass", "gap", "order", "clusters", "share", "elasticities")}


@pytest.mark.slow
def test_elasticity_comparison_uses_the_published_means(small_run):
    _, _, results = small_run
    for row in results["comparison"]:
        low, high = row["band"]
        assert low == pytest.approx(row["published"] / 2) and high == pytest.approx(
            row["published"] * 2
        )
        mean = row["interval"]["mean"]
        expected = "below" if mean < low else "above" if mean > high else "inside"
        assert row["verdict"] == expected


# --------------------------------------------------------------------------- refusals


def test_evidence_refuses_a_page_it_did_not_write(tmp_path, capsys):
    page = tmp_path / "validation.md"
    page.write_text("# my own notes\n")
    assert main(["evidence", "--small", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(page) in err and "not overwriting" in err
    assert page.read_text() == "# my own notes\n"


def test_evidence_refuses_figures_it_did_not_write(tmp_path, capsys):
    figure = tmp_path / page_module.FIGURES / "clusters.png"
    figure.parent.mkdir(parents=True)
    figure.write_bytes(b"mine")
    assert main(["evidence", "--small", "--out", str(tmp_path)]) == 2
    assert "clusters.png" in capsys.readouterr().err
    assert figure.read_bytes() == b"mine"


def test_where_dialogue_pays_section_says_what_it_has():
    missing = page_module.pays_section({"dialogue_pays": {"missing": "x.json: no set"}})
    assert "No plausible set is shipped yet (x.json: no set)" in " ".join(missing)
    result = {
        "markets": 10,
        "set_size": 120,
        "set_date": "2026-12-07",
        "pays": {"mean": 0.3, "low": 0.1, "high": 0.6, "n": 10},
        "separating": [
            {
                "path": "dialogue.cost_per_conversation",
                "auc": 0.1,
                "split": {
                    "threshold": 3.0,
                    "share_below": 0.75,
                    "share_above": 0.0,
                    "n_below": 4,
                    "n_above": 6,
                    "balanced_accuracy": 1.0,
                },
            }
        ],
    }
    text = "\n".join(page_module.pays_section({"dialogue_pays": result}))
    assert "each of 10 members of the plausible set (120 members" in text
    assert "in 30% [10%, 60%] of 10 plausible markets" in text.replace(" %", "%")
    assert "`dialogue.cost_per_conversation`: AUC 0.10" in text
    assert "75% of the 4 markets below 3" in text.replace(" %", "%")
