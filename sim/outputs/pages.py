"""The pages' templates: one Jinja2 environment per language, autoescaping on.

The templates are package data (``sim/outputs/templates/``: a template per page, shared pieces
in ``partials/``). Their text goes through the one gettext catalogue (``sim.i18n``): the
environment has Jinja2's i18n extension (``jinja2.ext.i18n``) installed with
:class:`PageText`, the catalogue's translator for the page's language, so a template writes
``{{ _("Week {week}:", week=week) }}`` with the catalogue's own ``{name}`` placeholders
(``python -m sim.i18n.extract`` reads the templates' ``_("...")`` calls as it reads the
Python sources' ones).

``_`` escapes the translated message, then fills it with the values, escaping each value
that is not already markup (a macro's ``<b>`` is kept), so a scenario's own words can never
become HTML. Numbers are written by ``sim.i18n.numbers`` (Babel, the language's locale)
through the filters ``num`` (three significant digits), ``pct``, ``value`` and the global
``interval(low, high)``; measures are named by the filters ``label`` and ``unit``, arms by the
page context's ``arm(name)`` (:class:`StudyText`: the study's arms with their push shares, so
``push_75`` of a frontier is "mix (75 % push)"); the filter ``arm`` names an arm without them.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sim.engine.measures import label, unit
from sim.i18n import DEFAULT_LANGUAGE, check_language, numbers, translator
from sim.i18n.vocabulary import arm_display, arm_displays

TEMPLATES = "templates"  # folder of sim/outputs holding the templates (package data)


class PageText:
    """The page's words in ``lang``: ``_(message, **values)`` is ``message`` translated,
    HTML-escaped and filled with ``values`` (escaped unless they are markup), as markup.

    Also the gettext translations installed into the environment (``gettext``, ``ngettext``),
    and the number formats of the language: ``.fmt(x)``, ``.interval(low, high)``,
    ``.value(v)`` and ``.percent(share)``; ``.plain`` is the plain-text translator.
    """

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = check_language(lang)
        self.plain: Callable[[str], str] = translator(lang)
        self.separator = numbers.separator(lang)

    def __call__(self, message: str, **values) -> Markup:
        text = Markup(html.escape(self.plain(message), quote=False))
        return text.format(**values) if values else text

    gettext = __call__

    def ngettext(self, singular: str, plural: str, n: int, **values) -> Markup:
        return self(singular if n == 1 else plural, **values)

    def fmt(self, x) -> str:
        return numbers.significant(x, self.lang)

    def interval(self, low, high) -> str:
        return numbers.interval(low, high, self.lang)

    def value(self, x) -> str:
        return numbers.value(x, self.lang)

    def percent(self, share, decimals: int = 0) -> str:
        return numbers.percent(share, self.lang, decimals)

    def arm(self, name: str) -> str:
        """An arm's name as pages show it (``arm_display``: ``reklame 20`` in bokmål), plain
        text; without its push share (see :class:`StudyText`)."""
        return arm_display(name, self.plain)


class StudyText:
    """:class:`PageText` for one study: ``.arm(name)`` names the study's arms with their push
    shares (``arm_displays``); everything else is the language's ``PageText``."""

    def __init__(self, words: PageText, arms):
        self.words = words
        self.names = arm_displays(arms or [], words.plain)

    def __getattr__(self, name: str):
        return getattr(self.words, name)

    def __call__(self, message: str, **values) -> Markup:
        return self.words(message, **values)

    def arm(self, name: str) -> str:
        return self.names.get(name) or self.words.arm(name)


def template_environment(package: str, autoescape: bool = True, **options) -> Environment:
    """A Jinja2 environment over the ``templates/`` folder of ``package`` (``"sim.outputs"``,
    ``"sim.workshop"``) as every page of the project is written: Jinja2's i18n extension,
    trimmed blocks, the trailing newline kept, a missing value an error (``StrictUndefined``);
    ``options`` go to ``Environment`` (e.g. ``finalize``)."""
    return Environment(
        loader=PackageLoader(package, TEMPLATES),
        autoescape=autoescape,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        **options,
    )


@functools.cache
def environment(lang: str = DEFAULT_LANGUAGE) -> Environment:
    """The templates' environment for ``lang`` (made once per language and process)."""
    words = PageText(lang)
    env = template_environment("sim.outputs")
    env.install_gettext_translations(words, newstyle=False)  # type: ignore[attr-defined]
    env.filters.update(
        num=words.fmt,
        pct=words.percent,
        value=words.value,
        arm=words.arm,
        label=lambda m: label(m, words.plain),
        unit=lambda m: unit(m, words.plain),
    )
    env.globals.update(interval=words.interval, lang=lang, separator=words.separator)
    return env


def render(template: str, lang: str = DEFAULT_LANGUAGE, **context) -> Markup:
    """``template`` (a path under ``templates/``) rendered in ``lang`` with ``context``."""
    return Markup(environment(lang).get_template(template).render(**context))
