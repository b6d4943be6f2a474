"""Calibration (#13 item 3): series files, the Bass fit, recovering the model's own parameters,
the shipped real series, and the command's files."""

from __future__ import annotations

import json
import math
import tomllib
import types
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.evidence.bassfit import (
    Unfittable,
    bootstrap_bass,
    diagnose,
    fit_bass,
    increments,
    profile_bass,
)
from sim.evidence.calibrate import (
    CalibrationError,
    Grid,
    arm_for_reach,
    calibrate,
    extend_grid,
    join,
    params_for_talk,
    profile_grid,
    setup,
)
from sim.evidence.calibrate_outputs import interval_text
from sim.evidence.series import Series, SeriesError, parse_series, read_series
from sim.study.arms import run_arms

ROOT = Path(__file__).resolve().parents[1]
AIR_CONDITIONERS = ROOT / "scenarios" / "series" / "room_air_conditioners.csv"
DRYERS = ROOT / "scenarios" / "series" / "clothes_dryers.csv"

# --------------------------------------------------------------------------- series files

GOOD = "# a comment\nyear,adopters\n2001,1\n2002,3\n2003,5\n2004,4\n2005,2\n"


def test_a_good_series_parses():
    series = parse_series(GOOD, "s.csv")
    assert series.period == "year" and series.weeks_per_period == 52
    assert list(series.periods) == [2001, 2002, 2003, 2004, 2005]
    assert list(series.values) == [1, 3, 5, 4, 2]
    assert series.comments == ("a comment",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no header row"),
        ("month,adopters\n1,2\n", "row 1, column 1"),
        ("year,sales\n1,2\n", "no 'adopters' column"),
        ("year,adopters\n2001,1\n2002,x\n", "row 3, column 2 (adopters): not a number"),
        ("year,adopters\n2001,1\n2002,-4\n", "row 3, column 2 (adopters): -4 is not allowed"),
        ("year,adopters\n2001,1\n2003,1\n", "row 3, column 1 (year): 2003 does not follow 2001"),
        ("year,adopters\n20.5,1\n", "row 2, column 1 (year): not a whole number"),
        ("week,adopters\n1,1\n2\n", "row 3: 1 fields, the header has 2"),
        ("week,adopters\n1,1\n2,1\n3,1\n", "3 periods; between 5 and 520"),
        ("week,adopters\n1,0\n2,0\n3,0\n4,0\n5,0\n", "zero in every row"),
        ("year,adopters\n2001,nan\n", "nan is not allowed"),
        # Issue 26: sums of squares of 1e308 overflowed the fit ("Residuals are not finite").
        ("year,adopters\n2001,1\n2002,1e308\n", "1e+308 is not allowed (a number from 0 to"),
        # A constant series has no curve to fit (R² was nan, after numpy warnings).
        ("week,adopters\n1,3\n2,3\n3,3\n4,3\n5,3\n", "the same value in every row"),
    ],
)
def test_bad_series_get_one_line_naming_file_row_column(text, expected):
    with pytest.raises(SeriesError) as caught:
        parse_series(text, "bad.csv")
    message = str(caught.value)
    assert message.startswith("bad.csv:") and expected in message and "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "root:$6$salt$hash:19000:0:99999:7:::\n",
        "year,secret-column\n2001,1\n",
        "year,adopters\n2001,root:$6$salt\n",
        "year,adopters\nroot:$6$salt,1\n",
    ],
)
def test_series_errors_do_not_echo_the_file(text):
    """Issue 26: a symbolic link to a shadow-format file printed its first line."""
    with pytest.raises(SeriesError) as caught:
        parse_series(text, "bad.csv")
    assert "root" not in str(caught.value) and "secret" not in str(caught.value)


def test_a_folder_or_missing_file_is_refused(tmp_path):
    with pytest.raises(SeriesError, match="folder"):
        read_series(tmp_path)
    with pytest.raises(SeriesError, match="missing.csv"):
        read_series(tmp_path / "missing.csv")


# --------------------------------------------------------------------------- Bass fit


def test_bass_fit_recovers_an_exact_curve():
    y = 1000.0 * increments(0.02, 0.45, 15)
    fit = fit_bass(y)
    assert fit.p == pytest.approx(0.02, rel=1e-4)
    assert fit.q == pytest.approx(0.45, rel=1e-4)
    assert fit.m == pytest.approx(1000.0, rel=1e-4)


def test_bass_bootstrap_intervals_cover_the_truth_under_noise():
    """Poisson noise on 15-period Bass series of 5,000 adopters, 8 seeds, 100 resamples each.
    Measured coverage of the nominal 95 % intervals over 20 seeds when written: 80 % (p), 90 %
    (q), 95 % (m) (bassfit's docstring). We require each parameter covered for at least 5 of
    the 8 seeds: with a true coverage of 0.8, 4 or fewer happens with probability ~1 %; with
    no real interval (coverage ~0.3) 5 or more happens with probability ~3 %."""
    truth = (0.02, 0.45, 5000.0)
    covered = np.zeros(3, int)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        y = rng.poisson(truth[2] * increments(truth[0], truth[1], 15)).astype(float)
        fit = fit_bass(y)
        ci = bootstrap_bass(y, fit, 100, seed=1)
        for k, name in enumerate(("p", "q", "m")):
            covered[k] += ci[name][0] < truth[k] < ci[name][1]
    assert np.all(covered >= 5), covered
    assert np.all(covered <= 8)


def test_bass_1969_estimates_fall_inside_our_intervals_for_his_series():
    """The shipped real series: Bass's own OLS estimates (p = 0.0104, q = 0.4186, m = 16,895
    thousand) lie inside our NLS bootstrap intervals, and the fit explains most of the
    variation (R^2 0.93 measured)."""
    series = read_series(AIR_CONDITIONERS)
    assert series.values.size == 13 and series.values.sum() == pytest.approx(14418.0)
    fit = fit_bass(series.values)
    ci = bootstrap_bass(series.values, fit, 200, seed=1969)
    assert ci["p"][0] < 0.0104 < ci["p"][1]
    assert ci["q"][0] < 0.4186 < ci["q"][1]
    assert ci["m"][0] < 16895 < ci["m"][1]
    total = ((series.values - series.values.mean()) ** 2).sum()
    assert 1 - fit.sse / total > 0.85


# --------------------------------------------------------------------------- model recovery


@pytest.mark.slow
@pytest.mark.parametrize(("reach", "talk", "seed"), [(0.02, 0.12, 13), (0.01, 0.25, 12)])
def test_calibration_recovers_the_models_own_parameters(reach, talk, seed):
    """A weekly series made by the model (Bass scenario, 500 customers, awareness) with known
    push reach and talk rate, from a seed the fit does not use; the fit's 95 % intervals must
    contain both true values. Grid 5 x 5, 3 runs per point, 100 resamples.

    Measured coverage when written, for these two truths and series seeds 12..21: 37 of 40
    intervals contained the true value (reach 18 of 20, talk 19 of 20; docs/NOTES.md#notes-ev13a).
    The seeds here are two of those series; a fit whose intervals ignored the path's
    randomness (residual bootstrap alone) missed the truth in 2 of the first 6."""
    s = setup("bass", n=500, replicates=3, seed=7, measure="awareness")
    weeks = 40
    frame = run_arms(params_for_talk(s, talk), [arm_for_reach(s, reach)], seed, weeks)
    new = np.diff(frame["awareness"].to_numpy()) * s.n
    series = Series("model.csv", "week", np.arange(1, weeks + 1), new)
    result = calibrate(series, s, resamples=100, grid_size=5)
    model = result["model"]
    assert model["ci"]["reach"][0] <= reach <= model["ci"]["reach"][1], model
    assert model["ci"]["talk"][0] <= talk <= model["ci"]["talk"][1], model
    assert model["ci"]["m"][0] <= s.n <= model["ci"]["m"][1] * 1.05, model
    assert not model["on_edge"]
    # The interval is informative: narrower than a factor of 3 either way.
    assert model["ci"]["talk"][1] / model["ci"]["talk"][0] < 9


@pytest.mark.slow
def test_calibrate_command_writes_files_and_never_overwrites(tmp_path, capsys):
    """End to end on a short weekly series (a Bass curve of 300 adopters, 30 weeks), small
    settings so that it takes a few seconds; the shipped yearly series is fitted above."""
    csv = tmp_path / "weekly.csv"
    new = np.round(300 * increments(0.01, 0.2, 30)).astype(int)
    csv.write_text(
        "# a Bass curve\nweek,adopters\n" + "".join(f"{w},{v}\n" for w, v in enumerate(new, 1))
    )
    out = tmp_path / "fit"
    args = ["calibrate", str(csv), "--out", str(out), "--n", "300", "--replicates", "1"]
    # Awareness: with these tiny settings the adoption curves fit worse than the series' mean
    # (R² -0.32, reach and talk 3 times the truth), which calibrate now refuses (exit 2).
    args += ["--grid", "3", "--bootstrap", "20", "--quiet", "--measure", "awareness"]
    assert main(args) == 0
    summary = json.loads((out / "calibration.json").read_text())
    assert summary["period"] == "week" and summary["customers"] == 300
    assert (out / "fit.png").stat().st_size > 5000
    scenario = tomllib.loads((out / "fitted.toml").read_text())
    assert scenario["wom"]["talk_base"] == pytest.approx(
        summary["model"]["talk_rate_per_week"], rel=1e-5
    )
    assert scenario["weeks"] == 30
    assert main(["validate", str(out / "fitted.toml")]) == 0
    capsys.readouterr()
    before = (out / "fitted.toml").read_text()
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "never overwrites" in err and err.count("\n") == 0
    assert (out / "fitted.toml").read_text() == before


def test_calibrate_bad_csv_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("year,adopters\n2001,1\n2002,lots\n")
    assert main(["calibrate", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.csv" in err and "row 3" in err and "column 2" in err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ what a series cannot tell
# Issue #23 item 5. The clothes dryer series (Bass 1969) peaks in its 8th year (1956); its
# first 5 or 7 years have not peaked, so their market size is not identified. Measured before
# this check existed: the 5-year fit gave q = 0.71 [0.45, 0.97] (the full series: 0.327), the
# 7-year fit p = 0 and m = 195 million, with no warning; a flat series exited 0 with a talk
# rate of 6e-9.

FULL = {"p": 0.01360, "q": 0.3267, "m": 16497.0}  # the full series' fit (measured)


def _bass(values):
    y = np.asarray(values, float)
    fit = fit_bass(y)
    profiles = profile_bass(y, fit)
    boot = bootstrap_bass(y, fit, 60, seed=1969)
    ci = {
        name: join(boot[name], (pr.low, pr.high, pr.open_low, pr.open_high))
        for name, pr in profiles.items()
    }
    return fit, profiles, ci


def test_full_dryer_series_is_identified_and_holds_bass_own_estimates():
    """All three profile intervals closed, no warning, and Bass's (0.0170, 0.3566) inside the
    reported intervals (measured: p [0.0092, 0.0187], q [0.247, 0.406], m [14,150, 20,160])."""
    y = read_series(DRYERS).values
    fit, profiles, ci = _bass(y)
    for name in FULL:
        assert getattr(fit, name) == pytest.approx(FULL[name], rel=1e-3)
    assert all(pr.identified for pr in profiles.values()), profiles
    assert diagnose(y, fit, profiles) == []
    assert ci["p"][0] < 0.0170 < ci["p"][1] and ci["q"][0] < 0.3566 < ci["q"][1]
    assert 12_000 < ci["m"][0] < fit.m < ci["m"][1] < 25_000


@pytest.mark.parametrize("years", [5, 7])
def test_a_series_that_has_not_peaked_warns_and_leaves_m_open(years):
    """The first 5 or 7 years: a warning that the series has not peaked, the market size open
    above (not bounded), and every interval holds the full series' estimate. Breaks if the
    intervals come from the bootstrap alone (5 years: q [0.45, 0.97] misses 0.327) or m gets
    an upper end."""
    y = read_series(DRYERS).values[:years]
    fit, profiles, ci = _bass(y)
    warnings = diagnose(y, fit, profiles)
    assert any("has not peaked" in w and "market size m is not identified" in w for w in warnings)
    assert any("m > " in w and "unbounded up to" in w for w in warnings), warnings
    assert profiles["m"].open_high and math.isinf(ci["m"][1])
    assert profiles["p"].open_low and ci["p"][0] == 0.0  # p -> 0 fits as well
    for name, full in FULL.items():
        assert ci[name][0] <= full <= ci[name][1], (name, ci[name])
    assert interval_text(ci["m"]).endswith("not bounded above]")


def test_a_series_past_its_peak_does_not_warn():
    """9 years (one past the 1956 peak): no warning, all intervals closed."""
    y = read_series(DRYERS).values[:9]
    fit, profiles, _ = _bass(y)
    assert diagnose(y, fit, profiles) == []


@pytest.mark.parametrize(
    "values",
    [[100, 103, 98, 101, 99, 102, 100], [100] * 6 + [101], [5, 5, 6, 5, 5], [100] * 7],
)
def test_a_flat_series_is_refused(values):
    """Also from Python (``calibrate()`` on a ``Series`` not read from a file): the issue's
    100 a year for 7 years gave R² ``nan`` and a talk rate of 6.8e-9 there."""
    y = np.asarray(values, float)
    with pytest.raises(Unfittable, match="flat|does not vary"):
        diagnose(y, fit_bass(y))
    series = Series("flat.csv", "year", np.arange(1950, 1950 + y.size), y)
    with pytest.raises(CalibrationError, match="flat.csv: (flat|the series does not vary)"):
        calibrate(series, types.SimpleNamespace(n=1000, seed=1), resamples=20)


def test_calibrate_refuses_a_flat_series_before_any_run(tmp_path, capsys):
    """Exit 2, one line naming the file, no folder; the constant series of the issue (100 a
    year for 7 years) is refused when read."""
    for name, values in (("flat.csv", [100, 103, 98, 101, 99, 102, 100]), ("same.csv", [100] * 7)):
        csv = tmp_path / name
        csv.write_text(
            "year,adopters\n" + "".join(f"{1950 + i},{v}\n" for i, v in enumerate(values))
        )
        assert main(["calibrate", str(csv), "--out", str(tmp_path / "o"), "--quiet"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and name in err, err
        assert not (tmp_path / "o").exists()


def test_profile_over_the_grid_marks_sides_the_grid_cuts():
    """A grid of exact Bass curves (no runs): the profile holds the truth; a series the grid
    cannot bound (all curves fit alike) is cut on every side."""
    truth = (0.02, 0.3)
    grid = Grid(truth[0], truth[1], 2 ** (1 / 3))
    points = [(i, j) for i in range(-3, 4) for j in range(-3, 4)]
    for i, j in points:
        grid.curves[(i, j)] = increments(grid.reach(i), grid.talk(j), 20)
    rng = np.random.default_rng(3)
    y = rng.poisson(5000 * increments(*truth, 20)).astype(float)
    profile = profile_grid(grid, points, y)
    for name, value in (("reach", truth[0]), ("talk", truth[1]), ("m", 5000)):
        low, high, cut_low, cut_high = profile[name]
        assert low < value < high and not (cut_low or cut_high), (name, profile[name])
    for key in grid.curves:
        grid.curves[key] = np.full(20, 0.01)
    profile = profile_grid(grid, points, y + rng.normal(0, 1, 20))
    assert all(profile[name][2] and profile[name][3] for name in ("reach", "talk"))


def test_a_grid_too_small_for_the_interval_is_extended(monkeypatch):
    """A 3 x 3 grid of exact Bass curves around the truth, on a noisy series whose interval is
    wider than the grid: rows and columns are added until the profile ends inside the grid
    (before: the 7-year dryer fit's reach interval ended at the grid's edge, below the full
    series' value). Breaks if the extension stops early or adds nothing."""
    import sim.evidence.calibrate as calibrate_module

    def fake_simulate(s, grid, points, periods, weeks_per_period, quiet=True):
        for i, j in points:
            grid.curves.setdefault((i, j), increments(grid.reach(i), grid.talk(j), periods))

    monkeypatch.setattr(calibrate_module, "simulate", fake_simulate)
    truth = (0.02, 0.3)
    grid = Grid(truth[0], truth[1], 2 ** (1 / 12))
    points = [(i, j) for i in range(-1, 2) for j in range(-1, 2)]
    fake_simulate(None, grid, points, 15, 1)
    y = np.random.default_rng(5).poisson(3000 * increments(*truth, 15)).astype(float)
    series = Series("noisy.csv", "week", np.arange(1, 16), y)
    assert all(all(profile_grid(grid, points, y)[name][2:]) for name in ("reach", "talk"))
    extended = extend_grid(None, grid, points, series)
    assert len(extended) > len(points)
    profile = profile_grid(grid, extended, y)
    for name, value in (("reach", truth[0]), ("talk", truth[1])):
        low, high, cut_low, cut_high = profile[name]
        assert low < value < high and not (cut_low or cut_high), (name, profile[name])
    assert (
        extend_grid(
            None,
            grid,
            points,
            series,
            leave=["reach above", "talk above", "reach below", "talk below"],
        )
        == points
    )


def test_a_model_fit_that_explains_nothing_is_refused(monkeypatch):
    """Before: a grid whose curves produce no adopters gave m = 0, R² -2.8 and a talk rate of
    1e-5 on the dryers' first 7 years, exit 0. Now CalibrationError (exit 2), before the
    parametric runs."""
    import sim.evidence.calibrate as calibrate_module

    def empty_grid(s, series, start, grid_size, step, quiet):
        grid = Grid(start[0], start[1], step)
        points = [(i, j) for i in range(-1, 2) for j in range(-1, 2)]
        for point in points:
            grid.curves[point] = np.zeros(series.values.size)
        return grid, points, (0, 0), 0.0, float((series.values**2).sum())

    monkeypatch.setattr(calibrate_module, "fit_model", empty_grid)
    monkeypatch.setattr(calibrate_module, "fresh_paths", lambda *a, **k: pytest.fail("ran"))
    values = read_series(DRYERS).values[:7]
    series = Series("dryers7.csv", "year", np.arange(1949, 1956), values)
    with pytest.raises(calibrate_module.CalibrationError, match="dryers7.csv: no point"):
        calibrate(series, types.SimpleNamespace(n=1000, seed=1), resamples=20)


@pytest.mark.slow
def test_calibrate_command_warns_on_a_series_that_has_not_peaked(tmp_path, capsys):
    """End to end on the dryers' first 5 years (small settings): exit 0, a one-line warning
    naming the file, and the files say m is open (null upper end in calibration.json, the
    warning in fitted.toml)."""
    csv = tmp_path / "dryers5.csv"
    values = read_series(DRYERS).values[:5]
    csv.write_text("year,adopters\n" + "".join(f"{1949 + i},{v:g}\n" for i, v in enumerate(values)))
    out = tmp_path / "fit"
    args = ["calibrate", str(csv), "--out", str(out), "--n", "200", "--replicates", "1"]
    assert main(args + ["--grid", "3", "--bootstrap", "20", "--quiet"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert any("dryers5.csv" in w and "has not peaked" in w for w in warnings), captured.err
    assert "not bounded above" in captured.out
    summary = json.loads((out / "calibration.json").read_text())
    assert summary["bass"]["ci95"]["m"][1] is None and summary["bass"]["open"]["m"] == "above"
    assert summary["model"]["ci95"]["m"][1] is None and summary["model"]["open"]["m"] == "above"
    assert summary["warnings"] and "# WARNING:" in (out / "fitted.toml").read_text()
