"""The worksheets' *In the app* paragraphs, in the app's own words.

Each exercise's paragraphs (``app`` in ``text/kit.toml``) are written with placeholders for
everything the page shows, filled here from the app's catalogue in the same language:

``{preset}``                the scenario menu's name of the exercise
``{alone}``                 the panel's name with one campaign (the preset as it opens)
``{a}``, ``{b}``            the panels' names side by side (without ``A:`` / ``B:``)
``{app[...]}``              a button or switch: ``side_by_side``, ``play``, ``pause``, ``reset``,
                            ``step``, ``goto``, ``replicates``, ``charts``, ``chart3`` (the
                            third chart's menu), ``campaign_b``, ``tie``
``{control[...]}``          a control's label: ``strategy``, ``budget``, ``push_share``
``{row[<measure>]}``        a scoreboard row (``sim.viz.labels.SCORE_ROWS``)
``{chart[<key>]}``          a chart's title (``sim.viz.chartspec.CHARTS``)
``{strategy[<name>]}``      a strategy's name

The actions themselves are :class:`sim.workshop.exercises.Step` (``Exercise.app_steps``, one
tuple per paragraph); ``tests/test_browser_worksheets.py`` does them on the page and checks
what these names say students will see. So a renamed button, a row the scoreboard no longer
has, or a preset that opens other campaigns fails that test, and the sheet follows the app.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from sim.workshop import texts
from sim.workshop.exercises import Exercise


@functools.cache
def _preset(scenario: str):
    from sim.viz.presets import load_preset

    return load_preset(scenario)


def panel_names(exercise: Exercise, lang: str, compare: bool = True, **changes) -> list[str]:
    """The panels' titles as the page shows them for the exercise's preset (``A: push 20``,
    ``B: push 80``; one title without a letter when not ``compare``), after ``changes`` to the
    controls (``budget_b=40``)."""
    from sim.viz.controls import controls_for, plan_run
    from sim.viz.scoreboard import plan_names

    preset = _preset(exercise.scenario)
    controls = replace(controls_for(preset), compare=compare, **changes)
    return plan_names(plan_run(controls, preset), lang)


def names(exercise: Exercise, lang: str) -> dict:
    """The values of the placeholders of the exercise's ``app`` paragraphs in ``lang``."""
    from sim.i18n.vocabulary import STRATEGY_NAMES
    from sim.viz.chartspec import CHARTS
    from sim.viz.controls import REPLICATES
    from sim.viz.labels import SCORE_ROWS, preset_label
    from sim.viz.scoreboard import page_translator

    _ = page_translator(lang)
    a, b = (name.split(": ", 1)[1] for name in panel_names(exercise, lang))
    return {
        "preset": preset_label(exercise.scenario, _),
        "alone": panel_names(exercise, lang, compare=False)[0],
        "a": a,
        "b": b,
        "app": {
            "side_by_side": _("Side by side: two campaigns"),
            "play": _("Play"),
            "pause": _("Pause"),
            "reset": _("Reset"),
            "step": _("Step"),
            "goto": _("Go to week"),
            "replicates": _("Run {n} times").format(n=REPLICATES),
            "charts": _("Charts"),
            "chart3": _("Chart {i}").format(i=3),
            "campaign_b": _("Campaign B"),
            "tie": _("tie"),  # a verdict of the scoreboard
        },
        "control": {
            "strategy": _("Strategy"),
            "budget": _("Weekly budget (cu per 1,000 customers)"),  # app.SLIDER_LABELS
            "push_share": _("Push share of the budget"),
        },
        "row": {row[0]: _(row[1]) for row in SCORE_ROWS},
        "chart": {key: _(chart.title) for key, chart in CHARTS.items()},
        "strategy": {key: _(name) for key, name in STRATEGY_NAMES.items()},
    }


def app_text(exercise: Exercise, lang: str) -> list[str]:
    """The exercise's *In the app* paragraphs in ``lang``, as the worksheet prints them."""
    values = names(exercise, lang)
    return [step.format(**values) for step in texts.load(lang)["exercise"][exercise.id]["app"]]
