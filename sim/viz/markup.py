"""The app's HTML fragments from Jinja2 templates: the scoreboard, the network's legend, the
control panel's labels, its list of refused link values and the share link.

The templates are package data (``sim/viz/templates/``), rendered by an environment of the
project's one factory (:func:`sim.outputs.pages.template_environment`: autoescaping, Jinja2's
i18n extension, a missing value an error), as report.html's and the kit's are. Words go
through the one gettext catalogue: a template writes ``{{ _("Week {week}").format(week=week) }}``
(``_`` is the page's plain-text translator, :func:`page_translator`; ``python -m
sim.i18n.extract`` reads the templates' ``_("...")`` calls). ``finalize`` escapes every
``{{ value }}`` with :func:`escape` (``&``, ``<``, ``>`` and ``"``, as the app has always
written its HTML: the fragments are byte for byte what the f-strings made) before Jinja2's own
escaping, which then leaves it alone; a macro's markup is kept. Numbers are written by the
filter ``fmt`` (:func:`fmt`: a Python format's digits for the page's language, by Babel).

Fragments are returned as plain ``str`` (the browser's ``unsafe_innerHTML``), never as
``Markup``, so that adding text to one stays plain text.
"""

from __future__ import annotations

import functools
import math
import re

from jinja2 import Environment
from markupsafe import Markup

from sim.i18n import LANGUAGES, numbers, translator
from sim.outputs.pages import template_environment


@functools.lru_cache(maxsize=8)
def page_translator(lang: str):
    """The translator of ``lang`` (English for an unknown code), cached."""
    return translator(lang if lang in LANGUAGES else "en")


def escape(text: str) -> str:
    """``text`` safe inside HTML elements and double-quoted attributes."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _finalize(value) -> Markup:
    """A ``{{ value }}`` as HTML: markup kept, anything else :func:`escape` d."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(escape(value))


def finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


# The format specifications of the scoreboard's rows: sign, grouping, decimals, kind.
PATTERN = re.compile(r"\{:(\+?)(,?)\.(\d+)([f%])\}")


def fmt(pattern: str, value, lang: str = "en") -> str:
    """``value`` with the digits of the Python format ``pattern`` (``{:.0%}``, ``{:+.2f}``,
    ``{:,.0f}``), written for ``lang`` by Babel (:mod:`sim.i18n.numbers`: ``0,5``, ``1 000``,
    ``12 %`` and ``\u22120,40`` in bokmål); English thousands are separated by a thin space
    (``1 234``) as before; ``-`` when missing."""
    if not finite(value):
        return "-"
    lang = lang if lang in LANGUAGES else "en"
    match = PATTERN.fullmatch(pattern)
    if match is None:
        raise ValueError(f"not a scoreboard number format: {pattern!r}")
    sign, group, decimals, kind = match.groups()
    if kind == "%":
        text = numbers.percent(value, lang, int(decimals))
        if sign and pattern.format(value).startswith("+"):  # Python's sign, Babel's digits
            text = "+" + text
    else:
        text = numbers.fixed(value, lang, int(decimals), sign=bool(sign), group=bool(group))
    return text.replace(",", "\u2009") if group and lang == "en" else text


@functools.lru_cache(maxsize=8)
def environment(lang: str) -> Environment:
    """The app's templates' environment for ``lang`` (made once per language and process)."""
    lang = lang if lang in LANGUAGES else "en"
    _ = page_translator(lang)
    env = template_environment("sim.viz", finalize=_finalize)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_, ngettext=lambda s, p, n: _(s if n == 1 else p), newstyle=False
    )
    env.filters["fmt"] = lambda value, pattern: fmt(pattern, value, lang)
    return env


def render(template: str, lang: str, **context) -> str:
    """``template`` (a path under ``sim/viz/templates/``) rendered in ``lang`` with ``context``."""
    return str(environment(lang).get_template(template).render(**context))
