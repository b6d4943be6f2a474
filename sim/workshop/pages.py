"""Worksheet, facilitator key and slides as self-contained HTML (figures embedded as data URIs).

The worksheet has, per exercise of the plan, the learning goal, the scenario, what to do in the
app and on the command line, prediction questions with room to answer, discussion questions
and extensions. The key adds the results of the kit's own runs (``findings``): tables of means
and intervals, paired differences, who leads (and whether beyond noise), what pays, and the
debrief figure.

The pages are rendered from Jinja2 templates (``sim/workshop/templates/``: a template per page
kind, ``worksheet.html``, ``key.html``, ``slides.html``, shared pieces in ``partials/``),
with autoescaping on, as report.html is (``sim.outputs.pages``). Their words go through the
one gettext catalogue: the templates' own text is ``{{ _("...", name=value) }}``, and the
kit's content (``text/kit.toml``: exercises, plans, names of measures and arms, English) is
shown as ``{{ _(ex.title) }}``. ``_`` is :class:`KitText`, which escapes as the kit always did
(``html.escape``, quotes included) and writes commands the way the user runs the program
(``python run_sim.py`` or ``reclamare``). Numbers are written by ``sim.i18n.numbers`` (Babel):
:func:`number`, :func:`value` and :func:`interval` here, the templates' globals of the same
names.
"""

from __future__ import annotations

import base64
import functools
import html
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from sim.engine.measures import UNITS
from sim.i18n import DEFAULT_LANGUAGE, numbers
from sim.outputs.pages import PageText, template_environment
from sim.outputs.paramlabels import PARAMETER_LABELS
from sim.shipped import command_name
from sim.workshop import appsteps, texts
from sim.workshop.exercises import BY_ID, Plan

MISSING = "-"  # a number no replicate had


def _escape(value) -> Markup:
    """``value`` as HTML text: markup kept, anything else ``html.escape`` d (quotes too)."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape(str(value)))


def _escaped(value):
    """A placeholder's value ready to fill a message: dicts (``{app[play]}``) item by item."""
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return _escape(value)


class KitText(PageText):
    """The kit's words in ``lang``: ``_(message, **values)`` is ``message`` translated by the
    catalogue, its commands written as the user runs the program, escaped for HTML and
    filled with ``values`` (escaped unless markup), as markup. ``.text(message, **values)`` is
    the same as plain text (for Markdown and figures)."""

    def translate(self, message: str) -> str:
        return texts.commands(self.plain(message), command_name())

    def __call__(self, message: str, **values) -> Markup:
        text = _escape(self.translate(message))
        return text.format(**_escaped(values)) if values else text

    gettext = __call__

    def text(self, message: str, **values) -> str:
        text = self.translate(message)
        return text.format(**values) if values else text


def number(x: float | None, lang: str) -> str:
    """A number as the key prints it: whole numbers from 100 on (grouped), else three
    significant digits; ``0`` for a value that rounds to zero (never ``-0``)."""
    if x is None:
        return MISSING
    if abs(x) >= 100:
        return numbers.fixed(x, lang, 0, group=True)
    text = numbers.general(x, lang, 3)
    return "0" if float(f"{x:.3g}") == 0 else text


def is_share(measure: str) -> bool:
    """Whether ``measure`` is a share (shown as a percentage, as the app shows it)."""
    return UNITS.get(measure, "").startswith("share")


def value(measure: str, x: float | None, lang: str, diff: bool = False) -> str:
    """A level or a difference of ``measure``: a share as a percentage (a difference in
    percentage points, without the unit; one decimal below 10), anything else as
    :func:`number`; a difference above zero with its plus sign."""
    if x is None:
        return MISSING
    if not is_share(measure):
        text = number(x, lang)
        return "+" + text if diff and x > 0 else text
    points = 100 * x
    decimals = 1 if abs(points) < 10 else 0
    rounded = float(f"{points:.{decimals}f}")
    if diff:
        if rounded == 0:
            return "0"
        return numbers.fixed(points, lang, decimals, sign=rounded > 0)
    if rounded == 0:
        return numbers.percent(0, lang)
    return numbers.percent(x, lang, decimals)


def _bare(measure: str, x: float | None, lang: str) -> str:
    """A share's level without its percent sign (the low end of ``12 % [10; 14 %]``)."""
    if x is None:
        return MISSING
    points = 100 * x
    decimals = 1 if abs(points) < 10 else 0
    if float(f"{points:.{decimals}f}") == 0:
        return "0"
    return numbers.fixed(points, lang, decimals)


def interval(measure: str, ci: dict, lang: str, diff: bool = False) -> str:
    """``mean [low; high]`` of ``measure`` (see :func:`value`; ``12 % [10; 14 %]``: a share's
    low end without its percent sign)."""
    mean = value(measure, ci["mean"], lang, diff)
    if ci.get("low") is None:
        return mean
    high = value(measure, ci["high"], lang, diff)
    if not diff and is_share(measure):
        low = _bare(measure, ci["low"], lang)
    else:
        low = value(measure, ci["low"], lang, diff)
    return f"{mean} [{low}{numbers.separator(lang)}{high}]"


def plain_interval(ci: dict, lang: str, diff: bool = False) -> str:
    """``mean [low; high]`` of a number that is not a share; a star after a difference whose
    interval excludes zero."""
    mean = number(ci["mean"], lang)
    if diff and ci["mean"] is not None and ci["mean"] > 0:
        mean = "+" + mean
    if ci["low"] is None:
        return mean
    star = "*" if diff and (ci["low"] > 0 or ci["high"] < 0) else ""
    low, high = number(ci["low"], lang), number(ci["high"], lang)
    return f"{mean} [{low}{numbers.separator(lang)}{high}]{star}"


def share_interval(ci: dict, lang: str) -> str:
    """A share of markets with its interval, whole percentages: ``35 % [18; 57 %]``."""
    mean = numbers.percent(ci["mean"], lang, 0)
    if ci.get("low") is None:
        return mean
    low = numbers.fixed(100 * ci["low"], lang, 0)
    high = numbers.percent(ci["high"], lang, 0)
    return f"{mean} [{low}{numbers.separator(lang)}{high}]"


def excludes_zero(ci: dict) -> bool:
    """Whether the interval of ``ci`` excludes zero (a star after the difference)."""
    low, high = ci.get("low"), ci.get("high")
    return low is not None and (low > 0 or high < 0)


def by(ci: dict, verdict: str, lang: str) -> dict:
    """The difference, low and high of a sentence "more/less ... by X [low, high]": for "less"
    the amount is the shortfall (the interval's sign flipped), so no sentence says "less by -3"."""
    mean, low, high = ci["mean"], ci["low"], ci["high"]
    if verdict == "less":
        mean, low, high = -mean, -high, -low
    return {
        "difference": number(mean, lang),
        "low": number(low, lang),
        "high": number(high, lang),
    }


def image(path: Path) -> str:
    """A PNG as a data URI (the pages are self-contained)."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


@functools.cache
def environment(lang: str = DEFAULT_LANGUAGE) -> Environment:
    """The kit's templates' environment for ``lang`` (made once per language and process).

    Autoescaping is on; ``finalize`` escapes every ``{{ value }}`` with ``html.escape`` (quotes
    as ``&quot;`` and ``&#x27;``, as the pages have always been written) before Jinja2's own
    escaping, which then leaves it alone."""
    words = KitText(lang)
    env = template_environment("sim.workshop", finalize=_escape)
    env.install_gettext_translations(words, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(
        lang=lang,
        separator=numbers.separator(lang),
        number=lambda x: number(x, lang),
        value=lambda m, x, diff=False: value(m, x, lang, diff),
        interval=lambda m, ci, diff=False: interval(m, ci, lang, diff),
        plain_interval=lambda ci, diff=False: plain_interval(ci, lang, diff),
        share_interval=lambda ci: share_interval(ci, lang),
        percent=lambda x: numbers.percent(x, lang, 0),
        fixed=lambda x, decimals: numbers.fixed(x, lang, decimals),
        parameter_labels=PARAMETER_LABELS,
        excludes_zero=excludes_zero,
        by=lambda ci, verdict: by(ci, verdict, lang),
        is_share=is_share,
        image=image,
        exercises=BY_ID,
        text=texts.english(),
        app_names=lambda exercise: appsteps.names(exercise, lang),
    )
    return env


def render(template: str, lang: str = DEFAULT_LANGUAGE, **context) -> str:
    """``template`` (a path under ``templates/``) rendered in ``lang`` with ``context``."""
    return environment(lang).get_template(template).render(**context)


def document(
    kind: str,
    plan: Plan,
    lang: str,
    build: dict,
    found: dict | None = None,
    figures: dict | None = None,
) -> str:
    """The worksheet (``kind="worksheet"``) or the key (``"key"``) of ``plan`` as HTML.

    ``build`` is what the footer says about the build: ``options`` (``" --small"``), ``date``,
    ``version`` and ``small`` (``{"customers": 200, "replicates": 3}`` or None)."""
    return render(
        f"{kind}.html",
        lang,
        plan=plan,
        build=build,
        found=found or {},
        figures=figures or {},
    )


def slides(plan: Plan, lang: str, figures: dict, build: dict) -> str:
    """A short deck: title, then per exercise its question and predictions, then its figure."""
    return render("slides.html", lang, plan=plan, figures=figures, build=build)


def plan_table(plan: Plan, lang: str) -> str:
    """The plan's steps as a table (a piece of the worksheet, on its own)."""
    return render("partials/plan_table.html", lang, plan=plan)
