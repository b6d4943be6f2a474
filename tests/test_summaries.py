"""Summaries checked against the time series they summarise.

Final-week means, Student t intervals and paired differences (arm minus baseline, paired by
replicate) are recomputed here from timeseries.csv with numpy and scipy.stats (not with
sim.study.stats), and compared with every place a user reads them: summary.json, summary.csv,
the report's tables, the terminal table printed by the command line, and for a sweep sweep.csv,
the terminal grid and the numbers drawn on the sweep maps.

Numbers printed to three significant digits are compared with a relative tolerance of 0.6 %
(rounding to three digits moves a number by at most 0.5 % of itself); files are compared to
1e-9.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.cli import main
from sim.engine.measures import MEASURE_NAMES
from sim.i18n.vocabulary import arm_display
from sim.study.scenario import load_scenario
from sim.study.scenario_files import SCENARIO_DIR
from sim.study.summaries import point_summary, summarise

PRINTED = 0.006  # relative tolerance of a number printed with 3 significant digits


# ------------------------------------------------------------------ independent recomputation
def t_interval(values) -> tuple[float, float, float, int]:
    """Mean and 95 % Student t interval of the non-NaN values (NaN bounds below 2 values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, n
    half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half, n


def final_rows(table: pd.DataFrame, arm: str, point: int | None = None) -> pd.DataFrame:
    last = table[(table["week"] == table["week"].max()) & (table["arm"] == arm)]
    if point is not None:
        last = last[last["point"] == point]
    return last.set_index("replicate").sort_index()


def level(table, arm, measure, point=None):
    return t_interval(final_rows(table, arm, point)[measure])


def paired(table, arm, versus, measure, point=None):
    """Paired difference arm - versus: replicate r of one arm against replicate r of the other."""
    a = final_rows(table, arm, point)[measure]
    b = final_rows(table, versus, point)[measure]
    both = a.index.intersection(b.index)
    d = a.loc[both].to_numpy(float) - b.loc[both].to_numpy(float)
    keep = ~np.isnan(d)
    return t_interval(d[keep])


def same(got, expected, rel=1e-9) -> bool:
    """A stored number (None for NaN) equals the recomputed one."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got is None or (isinstance(got, float) and math.isnan(got))
    return got is not None and got == pytest.approx(expected, rel=rel, abs=1e-12)


def check_interval(ci: dict, expected, rel=1e-9, where=""):
    mean, low, high, n = expected
    assert same(ci["mean"], mean, rel), (where, "mean", ci, expected)
    assert same(ci["low"], low, rel), (where, "low", ci, expected)
    assert same(ci["high"], high, rel), (where, "high", ci, expected)
    assert ci["n"] == n, (where, ci, expected)


def printed_numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def check_printed(text: str, expected, where=""):
    """A printed 'mean [low, high]' (or 'mean' alone) against the recomputed interval."""
    mean, low, high, _ = expected
    want = [mean] if math.isnan(low) else [mean, low, high]
    got = printed_numbers(text)
    assert len(got) == len(want), (where, text, want)
    for g, w in zip(got, want, strict=True):
        assert g == pytest.approx(w, rel=PRINTED, abs=1e-12), (where, text, want)


# ---------------------------------------------------------------------- summarise, by hand
def test_summarise_on_a_hand_built_table():
    """Four replicates given out of order; the paired difference pairs replicate r with
    replicate r: differences 1, 2, 4, 5 (mean 3, sd sqrt(10/3), t(0.975; 3) = 3.18244631)."""
    rows = []
    base = {0: 10.0, 1: 20.0, 2: 30.0, 3: 40.0}
    arm = {0: 11.0, 1: 22.0, 2: 34.0, 3: 45.0}
    for replicate in (2, 0, 3, 1):
        rows.append(
            {"arm": "none", "replicate": replicate, "week": 3, "awareness": base[replicate]}
        )
        rows.append({"arm": "push", "replicate": replicate, "week": 3, "awareness": arm[replicate]})
        rows.append({"arm": "push", "replicate": replicate, "week": 2, "awareness": -99.0})
    summary = summarise(pd.DataFrame(rows), ["none", "push"], "none", [])
    point = summary["points"][0]
    assert summary["final_week"] == 3
    assert point["index"] == 0 and point["point"] == {} and point_summary(summary) is point
    half = 3.18244631 * math.sqrt(10 / 3) / 2
    diff = point["differences"][0]
    assert (diff["arm"], diff["versus"]) == ("push", "none")
    check_interval(diff["measures"]["awareness"], (3.0, 3.0 - half, 3.0 + half, 4), rel=1e-6)
    # Levels: none 10..40 (mean 25, sd 12.91); push mean 28.
    sd = math.sqrt(((np.array([10, 20, 30, 40]) - 25.0) ** 2).sum() / 3)
    none = point["arms"][0]["measures"]["awareness"]
    check_interval(none, (25.0, 25 - 3.18244631 * sd / 2, 25 + 3.18244631 * sd / 2, 4), rel=1e-6)
    assert point["arms"][1]["measures"]["awareness"]["mean"] == pytest.approx(28.0)


def test_a_sweep_with_one_arm_and_one_replicate_names_each_point():
    """One arm and one replicate are allowed (schema.py: replicates >= 1, arms at least one),
    so a sweep point's final week can be a single row: each point still gets its own value of
    the swept parameter (0.2 and 0.4) and its one number as mean (the interval of one value is
    undefined)."""
    rows = [
        {"point": p, "wom.mu": mu, "arm": "none", "replicate": 0, "week": w, "awareness": a}
        for p, mu, a in ((0, 0.2, 0.5), (1, 0.4, 0.7))
        for w in (2, 3)
    ]
    summary = summarise(pd.DataFrame(rows), ["none"], "none", ["wom.mu"])
    assert [(p["index"], p["point"]) for p in summary["points"]] == [
        (0, {"wom.mu": 0.2}),
        (1, {"wom.mu": 0.4}),
    ]
    means = [p["arms"][0]["measures"]["awareness"]["mean"] for p in summary["points"]]
    assert means == [0.5, 0.7]


# --------------------------------------------------------------------------- a small study
SMALL = ["--set", "network.n=200", "--weeks", "6", "--replicates", "4", "--quiet"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """``run default`` at 200 customers, 6 weeks, 4 replicates, with report; and its output."""
    out = tmp_path_factory.mktemp("summaries") / "res"
    capture = _Capture()
    with capture:
        status = main(["run", "default", *SMALL, "--out", str(out)])
    assert status == 0, capture.err
    table = pd.read_csv(out / "timeseries.csv")
    return out, table, capture.out


class _Capture:
    """Standard output and error of a block (the fixture is module-scoped: no capsys)."""

    def __enter__(self):
        import contextlib
        import io

        self._out, self._err = io.StringIO(), io.StringIO()
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(contextlib.redirect_stdout(self._out))
        self._stack.enter_context(contextlib.redirect_stderr(self._err))
        return self

    def __exit__(self, *exc):
        self._stack.close()
        self.out, self.err = self._out.getvalue(), self._err.getvalue()


ARMS = ["none", "push", "dialogue", "mix"]


@pytest.mark.slow
def test_summary_json_is_the_time_series_final_week(study):
    """Every arm and measure: mean, interval and n; every paired difference to the baseline."""
    out, table, _ = study
    summary = json.loads((out / "summary.json").read_text())
    assert summary["final_week"] == 6 == table["week"].max()
    point = summary["points"][0]
    assert [a["arm"] for a in point["arms"]] == ARMS
    for item in point["arms"]:
        for m in MEASURE_NAMES:
            check_interval(item["measures"][m], level(table, item["arm"], m), where=item["arm"])
    assert [(d["arm"], d["versus"]) for d in point["differences"]] == [
        ("push", "none"),
        ("dialogue", "none"),
        ("mix", "none"),
    ]
    for item in point["differences"]:
        for m in MEASURE_NAMES:
            expected = paired(table, item["arm"], "none", m)
            check_interval(item["measures"][m], expected, where=f"{item['arm']} - none {m}")
    for item in point["contrasts"]:
        assert [item["arm"], item["versus"]] == summary["contrast"]
        for m in MEASURE_NAMES:
            expected = paired(table, item["arm"], item["versus"], m)
            check_interval(item["measures"][m], expected, where=f"contrast {m}")
    # The comparison above can tell a right pairing from a wrong one: pairing replicate r of
    # dialogue with replicate 3 - r of none gives other intervals (measures that vary in both
    # arms; 11 of 18 when written).
    told = 0
    for m in MEASURE_NAMES:
        a = final_rows(table, "dialogue")[m].to_numpy(float)
        b = final_rows(table, "none")[m].to_numpy(float)
        wrong = t_interval(a[::-1] - b)[1]
        right = point["differences"][1]["measures"][m]["low"]
        told += right is not None and abs(wrong - right) > 1e-6 * max(abs(right), 1e-3)
    assert told >= 6


@pytest.mark.slow
def test_summary_csv_holds_the_same_numbers(study):
    out, table, _ = study
    rows = pd.read_csv(out / "summary.csv")
    contrast = json.loads((out / "summary.json").read_text())["contrast"]
    assert set(rows["kind"]) == {"level", "difference"} | ({"contrast"} if contrast else set())
    pairs = len(ARMS) - 1 + (1 if contrast else 0)
    assert len(rows) == (len(ARMS) + pairs) * len(MEASURE_NAMES)
    for row in rows.itertuples():
        if row.kind == "level":
            expected = level(table, row.arm, row.measure)
            assert pd.isna(row.versus)  # empty
        elif row.kind == "difference":
            assert row.versus == "none"
            expected = paired(table, row.arm, "none", row.measure)
        else:
            assert [row.arm, row.versus] == contrast
            expected = paired(table, row.arm, row.versus, row.measure)
        got = {
            "mean": None if pd.isna(row.mean) else row.mean,
            "low": None if pd.isna(row.ci_low) else row.ci_low,
            "high": None if pd.isna(row.ci_high) else row.ci_high,
            "n": row.n,
        }
        check_interval(got, expected, where=f"{row.kind} {row.arm} {row.measure}")


def _report_rows(html: str) -> dict[str, list[str]]:
    """Rows of the report's tables: first cell (arm or 'A minus B') -> the other cells' text."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if cells:
            text = [re.sub(r"<[^>]+>", "", c).replace("–", "nan") for c in cells]
            rows[text[0]] = text[1:]
    return rows


@pytest.mark.slow
def test_report_tables_show_the_recomputed_numbers(study):
    """The key table (levels) and the paired-difference table of report.html, cell by cell;
    a difference cell is green ('up') or red ('down') exactly when its interval excludes 0."""
    out, table, _ = study
    html = (out / "report.html").read_text(encoding="utf-8")
    measures = load_scenario("default").key_measures
    assert measures
    rows = _report_rows(html)
    # The page names arms in words (``no campaign`` for ``none``): shown name -> identifier.
    shown = {arm: arm_display(arm, "en") for arm in ARMS}
    arm_of = {name: arm for arm, name in shown.items()}
    for arm in ARMS:
        assert len(rows[shown[arm]]) == len(measures)
        for cell, m in zip(rows[shown[arm]], measures, strict=True):
            check_printed(cell, level(table, arm, m), where=f"report {arm} {m}")
    for arm in ARMS[1:]:
        name = f"{shown[arm]} minus {shown['none']}"
        for cell, m in zip(rows[name], measures, strict=True):
            check_printed(cell, paired(table, arm, "none", m), where=f"report {name} {m}")
    minus_none = rf"<tr><td class=\"arm\">([\w ]+) minus {shown['none']}</td>(.*?)</tr>"
    found = re.findall(minus_none, html)
    assert len(found) == len(ARMS) - 1
    for name, body in found:
        arm = arm_of[name]
        classes = re.findall(r"<td(?: class=\"(\w+)\")?>", body)
        for cls, m in zip(classes, measures, strict=True):
            _, low, high, _ = paired(table, arm, "none", m)
            want = "up" if low > 0 else "down" if high < 0 else ""
            assert cls == want, (arm, m, low, high)


@pytest.mark.slow
def test_terminal_table_shows_the_recomputed_numbers(study):
    """The table the command line prints: levels, then 'arm - none' rows whose cells carry a
    '*' exactly when the paired interval excludes zero."""
    _, table, stdout = study
    scenario = load_scenario("default")
    measures = list(scenario.key_measures)
    # The table names arms in words (``no campaign`` for ``none``): back to the identifiers.
    arm_of = {arm_display(a, "en"): a for a in scenario.arm_names}
    if "profit" not in measures:
        measures.append("profit")  # the command line adds profit to date to every table
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("week 6"))
    cell = re.compile(r"([-+]?[\d.e+-]+(?: \[[-\d.e+]+, [-\d.e+]+\])?\*?)")
    for line in lines[start + 1 :]:
        name = line.split("  ")[0].strip()
        skip = ("paired differences", "mean [95", "What pays", "Media plan")
        if line.startswith(skip) or not name:
            continue
        cells = cell.findall(line[len(name) :])
        assert len(cells) == len(measures), line
        for text, m in zip(cells, measures, strict=True):
            if " - " in name:
                arm, versus = (arm_of[part] for part in name.split(" - "))
                expected = paired(table, arm, versus, m)
                _, low, high, _ = expected
                assert text.endswith("*") == bool(low > 0 or high < 0), (line, m)
            else:
                expected = level(table, arm_of[name], m)
            check_printed(text.rstrip("*"), expected, where=f"terminal {name} {m}")
    assert sum(line.split("  ")[0].endswith(" - no campaign") for line in lines) == 3


# --------------------------------------------------------------------------------- a sweep
SWEEP = """
extends = "{negativity}"
weeks = 5
replicates = 3
[network]
n = 150
[sweep]
"wom.negative_incidence" = [1.0, 3.0]
"wom.negative_impact" = [1.0, 3.0]
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A 2 x 2 sweep of the negativity scenario (3 arms, 3 replicates, 5 weeks, 150 customers),
    with the numbers drawn on its maps recorded as the figures are saved."""
    from sim.outputs import figure_style

    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "tiny_negativity.toml"
    path.write_text(SWEEP.format(negativity=(SCENARIO_DIR / "negativity.toml").as_posix()))
    drawn: dict[str, list[tuple[float, float, str]]] = {}
    original = figure_style._save

    def record(fig, target: Path):
        texts = [(*t.get_position(), t.get_text()) for ax in fig.axes for t in ax.texts]
        drawn[Path(target).name] = texts
        return original(fig, target)

    figure_style._save = record
    capture = _Capture()
    try:
        with capture:
            status = main(["sweep", str(path), "--quiet", "--out", str(folder / "res")])
    finally:
        figure_style._save = original
    assert status == 0, capture.err
    table = pd.read_csv(folder / "res" / "timeseries.csv")
    return folder / "res", table, capture.out, drawn


SWEEP_ARMS = ["none", "push", "dialogue", "lean_push"]


@pytest.mark.slow
def test_sweep_csv_is_the_time_series_per_grid_point(sweep):
    out, table, _, _ = sweep
    grid = pd.read_csv(out / "sweep.csv")
    assert len(grid) == 4 * len(SWEEP_ARMS)
    rows = pd.read_csv(out / "summary.csv")  # a sweep's summary rows say which point they are
    assert sorted(set(rows["point"])) == [0, 1, 2, 3]
    assert {"wom.negative_incidence", "wom.negative_impact"} <= set(rows.columns)
    for row in grid.to_dict("records"):
        point, arm = row["point"], row["arm"]
        assert row["replicates"] == 3
        for m in MEASURE_NAMES:
            got = {k: row[f"{m}_{k}"] for k in ("mean", "low", "high")}
            got = {k: None if pd.isna(v) else v for k, v in got.items()}
            expected = level(table, arm, m, point)
            check_interval({**got, "n": expected[3]}, expected, where=f"{point} {arm} {m}")
            if arm == "none":
                assert pd.isna(row[f"{m}_diff_mean"])
                continue
            got = {k: row[f"{m}_diff_{k}"] for k in ("mean", "low", "high")}
            got = {k: None if pd.isna(v) else v for k, v in got.items()}
            expected = paired(table, arm, "none", m, point)
            check_interval({**got, "n": expected[3]}, expected, where=f"{point} {arm} diff {m}")


@pytest.mark.slow
def test_sweep_terminal_grid_and_maps_show_the_recomputed_numbers(sweep):
    """The terminal grid prints the first key measure's mean per point and arm (3 decimals),
    best arm starred; the contrast map writes dialogue minus push per cell (2 decimals, '(n.s.)'
    when the paired interval holds zero) and the winner map the best arm and its mean."""
    out, table, stdout, drawn = sweep
    scenario = load_scenario(out.parent / "tiny_negativity.toml")
    m = scenario.key_measures[0]
    lower_is_better = m in {"wom_negative", "irritated", "cost_per_aware", "spend"}
    points = (
        table[["point", "wom.negative_incidence", "wom.negative_impact"]]
        .drop_duplicates()
        .set_index("point")
    )
    lines = stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if "mean over replicates" in line)
    for line in lines[head + 2 : head + 2 + len(points)]:
        incidence, impact, *cells = line.split()
        point = points.index[
            (points["wom.negative_incidence"] == float(incidence))
            & (points["wom.negative_impact"] == float(impact))
        ][0]
        means = {arm: level(table, arm, m, point)[0] for arm in SWEEP_ARMS}
        best = (min if lower_is_better else max)(means, key=means.get)
        for arm, text in zip(SWEEP_ARMS, cells, strict=True):
            assert float(text.rstrip("*")) == pytest.approx(means[arm], abs=0.0005 + 1e-12)
            assert text.endswith("*") == (arm == best), (line, arm)
    # Maps: rows are negative_incidence (first path), columns negative_impact.
    xs, ys = [1.0, 3.0], [1.0, 3.0]
    cells = {(round(x), round(y)): text for x, y, text in drawn[f"sweep_diff_{m}.png"]}
    winners = {  # (the caption below the map is a text too, without a line break)
        (round(x), round(y)): text for x, y, text in drawn[f"sweep_winner_{m}.png"] if "\n" in text
    }
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            point = points.index[
                (points["wom.negative_incidence"] == y) & (points["wom.negative_impact"] == x)
            ][0]
            mean, low, high, _ = paired(table, "dialogue", "push", m, point)
            text = cells[(j, i)]
            assert float(text.split()[0]) == pytest.approx(mean, abs=0.005 + 1e-12), text
            assert text.endswith("(n.s.)") == (low <= 0 <= high), (text, low, high)
            means = {arm: level(table, arm, m, point)[0] for arm in SWEEP_ARMS}
            best = (min if lower_is_better else max)(means, key=means.get)
            arm, value = winners[(j, i)].split("\n")
            assert arm == best and float(value) == pytest.approx(means[best], abs=0.005)


def test_the_aware_only_mean_attitude_is_never_shown_alone():
    """Wherever a scenario's key measures (key table, terminal table, leads, sweep figures)
    name mean_attitude, mean_attitude_all follows it; a list naming both keeps its own order;
    the default key measures hold both; every shipped scenario follows the rule."""
    from sim.study.scenario_files import shipped_names
    from sim.study.schema import KEY_MEASURES, with_companions

    assert with_companions(["mean_attitude", "profit"]) == [
        "mean_attitude",
        "mean_attitude_all",
        "profit",
    ]
    assert with_companions(["profit", "mean_attitude"]) == [
        "profit",
        "mean_attitude",
        "mean_attitude_all",
    ]
    assert with_companions(["mean_attitude_all", "x", "mean_attitude"]) == [
        "mean_attitude_all",
        "x",
        "mean_attitude",
    ]
    assert with_companions(["awareness"]) == ["awareness"]
    assert with_companions(list(KEY_MEASURES)) == list(KEY_MEASURES)
    assert "mean_attitude_all" in MEASURE_NAMES
    for name in shipped_names():
        measures = load_scenario(name, preflight=False).key_measures
        if "mean_attitude" in measures:
            assert "mean_attitude_all" in measures, name
            assert len(measures) == len(set(measures)), name


def test_attitude_figure_draws_the_aware_and_all_customers_side_by_side(tmp_path, monkeypatch):
    """mean_attitude.png has two panels on one attitude axis: left the mean attitude of the
    aware, right of all customers; each arm's line is its mean over replicates, week by week."""
    from sim.i18n import translator
    from sim.outputs import figure_style, figures

    rng = np.random.default_rng(3)
    rows = [
        {
            "arm": arm,
            "replicate": r,
            "week": w,
            "mean_attitude": rng.uniform(-1, 1),
            "mean_attitude_all": rng.uniform(-1, 1),
        }
        for arm in ("push", "dialogue")
        for r in range(3)
        for w in range(5)
    ]
    table = pd.DataFrame(rows)
    saved = {}
    monkeypatch.setattr(
        figure_style, "_save", lambda fig, path: saved.setdefault("fig", fig) and path
    )
    arms = ["push", "dialogue"]
    path = figures._attitude_figure(
        tmp_path,
        table,
        {arm: arm for arm in arms},  # identifier -> name shown
        figures.arm_colours(arms),
        figures.arm_styles(arms),
        None,
        translator("en"),
    )
    assert path.name == "mean_attitude.png"
    left, right = saved["fig"].axes
    assert left.get_shared_y_axes().joined(left, right)
    for ax, measure in ((left, "mean_attitude"), (right, "mean_attitude_all")):
        assert ax.get_title() == figures.label(measure)
        lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
        for arm in arms:
            want = table[table["arm"] == arm].groupby("week")[measure].mean().to_numpy()
            assert np.allclose(lines[arm], want), (measure, arm)


@pytest.mark.slow
def test_report_of_a_folder_from_before_mean_attitude_all_still_draws(study, tmp_path):
    """A results folder written before mean_attitude_all existed (no such column) is redrawn:
    the attitude figure falls back to the aware-only mean, the key table skips the column."""
    import shutil

    out, _, _ = study
    old = tmp_path / "old"
    shutil.copytree(out, old)
    # As such a folder is: no column in its run files or its table, a manifest of format 1
    # (which kept no hashes of the run files).
    for path in [old / "timeseries.csv", *sorted((old / "runs").glob("*.csv"))]:
        table = pd.read_csv(path).drop(columns=["mean_attitude_all"])
        table.to_csv(path, index=False, lineterminator="\n")
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["format"] = 1
    for run in manifest["runs"]:
        run.pop("sha256", None)
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(old)]) == 0
    assert (old / "figures" / "mean_attitude.png").is_file()
