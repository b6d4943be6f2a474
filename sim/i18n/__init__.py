"""Language catalogues: every user-visible string in English and Norwegian bokmål.

English text is the message key (gettext style), so code reads naturally::

    from sim.i18n import translator

    _ = translator("nb")
    _("Mean attitude")              # -> "Gjennomsnittlig holdning"
    _("Week {week}").format(week=3)  # placeholders are filled after translating

``LANGUAGES`` lists the codes a user may choose (``en``, ``nb``); an unknown code is a one-line
``ValueError`` naming what is allowed. This module sits in the base layer: anything may import it.

Stub interface (session 4): the catalogue itself is being built under issue #14; until then
every language returns the English text.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "nb")
DEFAULT_LANGUAGE = "en"


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of ``LANGUAGES``, else raise a one-line ``ValueError``."""
    if lang not in LANGUAGES:
        allowed = ", ".join(LANGUAGES)
        raise ValueError(f"language {lang!r} is not available; choose one of {allowed}")
    return lang


def translator(lang: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """A function mapping an English message to ``lang`` (English text when not yet translated)."""
    check_language(lang)

    def translate(message: str) -> str:
        return message

    return translate
