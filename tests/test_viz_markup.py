"""The app's HTML fragments (sim/viz/templates/, rendered by sim.viz.markup) are byte for byte
what the Python f-strings wrote before they moved into templates (issue 27).

``viz_fragments.json`` beside this file holds the fragments the f-strings wrote (captured from
the last commit with them, 6fef0bf) for the inputs of :func:`fragments`: scoreboards of
one and two campaigns, without runs, with runs (verdicts and bars), beyond the runs' weeks and
over plausible markets, with media rows; the network's legend both ways; a control's label, a
link's refused values and the share link with ``<``, ``&`` and quotes; in English and bokmål,
and once more with a translator that adds ``<&"'>`` to every message, so escaping is checked
on every translated text. When the markup changes on purpose, regenerate the file with
``python tests/test_viz_markup.py`` and read the diff.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sim.study.stats import Interval
from sim.viz.arena import Arena
from sim.viz.controls import Controls
from sim.viz.labels import SCORE_ROWS
from sim.viz.replicates import Replicates
from sim.viz.share import LinkProblem

EXPECTED = Path(__file__).with_name("viz_fragments.json")
ODD = "a <b> & \"q\" 's'"


def _plans():
    one = Arena(replace(Controls(n=60), strategy="push")).plan
    two = Arena(replace(Controls(n=60), compare=True, strategy="push", strategy_b="dialogue")).plan
    return one, two


def _measures(k: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    m = {key: float(rng.uniform(-0.5, 1.5)) for key, *_ in SCORE_ROWS}
    m["adoption"] = math.nan  # a value no run had: "-"
    if k == 0:  # A has bought ads: a media row
        m.update(grps_to_date=300.0, grps=123.4, weekly_reach=0.456, frequency=2.34)
        m.update(ad_to_sales=0.0123)
    return m


def _arena(plan, compare: bool, week: int = 4):
    measures = [_measures(k, 10 + k) for k in range(2 if compare else 1)]
    return SimpleNamespace(plan=plan, compare=compare, week=week, summary=lambda: measures)


def _reps(arms: int, weeks: int, markets: int = 0, n: int = 6, seed: int = 1) -> Replicates:
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(arms):
        arm = {key: rng.random((n, weeks + 1)) for key, *_ in SCORE_ROWS}
        arm["adoption"][:] = np.nan  # no interval: "-" and no bar
        values.append(arm)
    values[-1]["awareness"] += 2.0  # B ahead beyond noise: a coloured bar and "B"
    return Replicates(
        key="k", arm_names=["a", "b"][:arms], values=values, weeks=weeks, markets=markets
    )


def fragments() -> dict[str, str]:
    """``{case: html}`` of the app's fragments for the inputs above."""
    from sim.viz import control_panel as cp
    from sim.viz import scoreboard as sb

    one, two = _plans()
    out = {}
    for lang in ("en", "nb"):
        _ = sb.page_translator(lang)
        boards = {
            "single": (_arena(one, False), None),
            "single-runs": (_arena(one, False), _reps(1, 10, n=5)),
            "single-markets": (_arena(one, False), _reps(1, 10, markets=6)),
            "two": (_arena(two, True), None),
            "two-runs": (_arena(two, True), _reps(2, 10, n=7)),
            "two-beyond": (_arena(two, True), _reps(2, 2, n=5)),
            "two-markets": (_arena(two, True), _reps(2, 10, markets=6)),
        }
        for name, (arena, reps) in boards.items():
            out[f"{name}/{lang}"] = sb.scoreboard_html(arena, lang, reps)
        out[f"week/{lang}"] = sb.week_html(_arena(two, True), lang)
        for attitudes in (True, False):
            out[f"legend-{attitudes}/{lang}"] = sb.legend_html(lang, attitudes)
        out[f"label/{lang}"] = cp.label_html(_("Runs as CSV"), lang)
        out[f"label-odd/{lang}"] = cp.label_html(ODD, lang)
        problems = [
            LinkProblem("The seed is too large."),
            ODD,
            LinkProblem("The seed must be a whole number, e.g. 42."),
        ]
        out[f"problems/{lang}"] = cp.problems_html(problems, lang)
        out[f"problems-one/{lang}"] = cp.problems_html(problems[:1], lang)
        out[f"share/{lang}"] = cp.share_link_html(f"lang={lang}&seed=4&x={ODD}", lang)
    bars = [
        None,
        Interval(0.1, math.nan, math.nan, 1),
        Interval(0.1, 0.02, 0.3, 20),
        Interval(-0.1, -0.3, -0.02, 20),
        Interval(0.01, -0.05, 0.07, 20),
        Interval(0, 0, 0, 20),
        Interval(1234.5, 1000.25, 1500.75, 20),
    ]
    for i, interval in enumerate(bars):
        out[f"bar/{i}"] = sb.diff_bar(interval)
        out[f"bar-colours/{i}"] = sb.diff_bar(interval, ["#111111", "#222222"])
    return out


def all_fragments() -> dict[str, str]:
    """:func:`fragments`, then again with every message ending in ``<&"'>``."""
    from sim.viz import markup

    out = fragments()
    real = markup.translator

    def odd(lang):
        words = real(lang)
        return lambda message: words(message) + " <&\"'>"

    markup.translator = odd
    try:
        markup.page_translator.cache_clear()
        markup.environment.cache_clear()
        out.update({f"odd-words-{k}": v for k, v in fragments().items()})
    finally:
        markup.translator = real
        markup.page_translator.cache_clear()
        markup.environment.cache_clear()
    return out


@pytest.fixture(scope="module")
def rendered():
    return all_fragments()


def test_every_case_is_compared(rendered):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(rendered) == sorted(expected)


@pytest.mark.parametrize("case", sorted(json.loads(EXPECTED.read_text(encoding="utf-8"))))
def test_the_fragment_is_what_the_f_strings_wrote(rendered, case):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))[case]
    assert rendered[case] == expected


def test_the_cases_cover_the_scoreboards_branches(rendered):
    text = "".join(rendered.values())
    for piece in (
        ">tie<",
        "&ndash;",
        "Beyond the weeks",
        "A?",
        "B?",
        'class="rc-media"',
        "One run",
        "Verdicts from",
        "markets: 95",
        "runs: 95",
        "rc-share",
        "<td style='color:#555'>-</td>",
        "<svg",
        "kjøpt",
        "&lt;&amp;&quot;'&gt;",
    ):
        assert piece in text, piece


def test_the_templates_ship_in_the_wheel():
    """pyproject's package-data covers every template of the app (as it does report.html's)."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    templates = sorted((root / "sim" / "viz" / "templates").rglob("*.*"))
    assert {p.name for p in templates} >= {"scoreboard.html", "legend.html", "share_link.html"}
    for path in templates:
        relative = path.relative_to(root / "sim").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else EXPECTED
    target.write_text(
        json.dumps(all_fragments(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
