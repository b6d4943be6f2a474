"""Language catalogues: every user-visible string in English and Norwegian bokmål.

English text is the message key (gettext style), so code reads naturally::

    from sim.i18n import translator

    _ = translator("nb")
    _("Mean attitude")              # -> "Gjennomsnittlig holdning"
    _("Week {week}").format(week=3)  # placeholders are filled after translating

``LANGUAGES`` lists the codes a user may choose (``en``, ``nb``); an unknown code is a one-line
``ValueError`` naming what is allowed. This module sits in the base layer: anything may import it.

The catalogue of a language is a standard gettext PO file,
``sim/i18n/locale/<lang>/LC_MESSAGES/reclamare.po`` (msgid English, msgstr the translation),
shipped as package data and read with Babel the first time a translator for that language is
made (then cached for the life of the process; about 0.1 s). English needs no file.

Strings defined where no translator is at hand (module-level tables such as the measures'
labels) are marked with :func:`N_`, which returns its argument unchanged, and translated where
they are shown: ``_(LABELS[m])``. The test suite (tests/test_i18n.py) finds every ``_("...")``
and ``N_("...")`` literal in ``sim/`` and fails when one is missing from a catalogue.

A missing or empty translation falls back to the English text at runtime (a page is never
broken by a missing string) and is remembered in :func:`missing_messages`, so tests that render
a whole report can assert that nothing fell back.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path

LANGUAGES = ("en", "nb")
DEFAULT_LANGUAGE = "en"
# The environment variable that sets the default language of reports and figures.
ENV_VAR = "RECLAMARE_LANG"
DOMAIN = "reclamare"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_missing: set[tuple[str, str]] = set()


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of ``LANGUAGES``, else raise a one-line ``ValueError``."""
    if lang not in LANGUAGES:
        allowed = ", ".join(LANGUAGES)
        raise ValueError(f"language {lang!r} is not available; choose one of {allowed}")
    return lang


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for the catalogue without translating it now; returns it unchanged."""
    return message


def catalogue_path(lang: str) -> Path:
    """Where the PO file of ``lang`` lives (English has none: its text is the key)."""
    return LOCALE_DIR / check_language(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """``{English msgid: translation}`` of ``lang``, read once per process.

    Entries with an empty msgstr or marked fuzzy are left out (they fall back to English).
    English is the empty mapping. Raises ``OSError`` when the shipped file is missing (a
    broken installation) and ``ValueError`` (one line, naming the file) when it is malformed.
    """
    if check_language(lang) == DEFAULT_LANGUAGE:
        return {}
    from babel.messages.pofile import PoFileError, read_po  # only when a translation is needed

    path = catalogue_path(lang)
    with open(path, "rb") as handle:
        try:
            entries = read_po(handle, locale=None, abort_invalid=True)
        except PoFileError as error:
            raise ValueError(f"{path}: not a valid PO file ({error})") from None
    table = {}
    for message in entries:
        if not message.id or not isinstance(message.id, str) or message.fuzzy:
            continue
        if isinstance(message.string, str) and message.string:
            table[message.id] = message.string
    return table


def translator(lang: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """A function mapping an English message to ``lang`` (its language is its ``.lang``).

    A message the catalogue lacks comes back in English (and is listed by
    :func:`missing_messages`).
    """
    check_language(lang)
    table = catalogue(lang)
    if not table and lang == DEFAULT_LANGUAGE:

        def english(message: str) -> str:
            return message

        english.lang = lang  # type: ignore[attr-defined]
        return english

    def translate(message: str) -> str:
        text = table.get(message)
        if text is None:
            _missing.add((lang, message))
            return message
        return text

    translate.lang = lang  # type: ignore[attr-defined]
    return translate


# Decimal comma and a no-break space as thousands separator and before %, in these languages.
_COMMA_LANGUAGES = {"nb"}


def decimal_comma(lang: str) -> bool:
    """Whether ``lang`` writes decimals with a comma (``0,5``)."""
    return check_language(lang) in _COMMA_LANGUAGES


def list_separator(lang: str) -> str:
    """Between two numbers of an interval or list: ``", "``, or ``"; "`` where the comma is the
    decimal sign."""
    return "; " if decimal_comma(lang) else ", "


class Message(str):
    """A message made where no translator is at hand, shown later in the reader's language: the
    string itself is the English line (for logs, tests and the command line), :meth:`text`
    the line in the language of a translator.

    ``Message(N_("Seed {seed} is too large."), seed=2**64)``: whole numbers among the fields
    are written in the language's style (``1,000`` / ``1 000``), a field that is a Message is
    translated too, any other field is shown as it is (a file name, a loader's own message).
    """

    def __new__(cls, message: str, **fields):
        line = super().__new__(cls, message.format(**_styled(fields, DEFAULT_LANGUAGE, str)))
        line.message, line.fields = message, fields
        return line

    def text(self, _) -> str:
        """The line in the language of the translator ``_`` (its ``.lang``)."""
        lang = getattr(_, "lang", DEFAULT_LANGUAGE)
        return _(self.message).format(**_styled(self.fields, lang, _))


def _styled(fields: dict, lang: str, _) -> dict:
    """``fields`` ready to fill in a message in ``lang`` (see :class:`Message`)."""
    out = {}
    for key, value in fields.items():
        if isinstance(value, Message):
            value = value.text(_) if _ is not str else str(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            # thousands apart as Babel writes them (sim.i18n.numbers imports this module)
            value = f"{value:,}".replace(",", "\u00a0" if decimal_comma(lang) else ",")
        out[key] = value
    return out


def message_text(value: object, _) -> str:
    """``value`` in the language of the translator ``_``: a :class:`Message`, or an error whose
    one argument is a Message (a ``ScenarioError``), translated; anything else as ``str``."""
    if (
        isinstance(value, BaseException)
        and len(value.args) == 1
        and isinstance(value.args[0], Message)
    ):
        value = value.args[0]
    return value.text(_) if isinstance(value, Message) else str(value)


def missing_messages() -> set[tuple[str, str]]:
    """``(lang, message)`` pairs asked for in this process that had no translation."""
    return set(_missing)


def language_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The language set by ``RECLAMARE_LANG``, None when it is unset or empty.

    A value that is not a language code is a one-line ``ValueError`` naming the variable.
    """
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if not value:
        return None
    try:
        return check_language(value)
    except ValueError as error:
        raise ValueError(f"{ENV_VAR}={value}: {error}") from None
