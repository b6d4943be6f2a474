"""Which language a page of the app opens in.

In this order (the first that is given wins):

1. the link's ``?lang=nb`` (a shared link, or the address ``viz`` prints);
2. ``viz --lang nb``, which the server passes to the app as ``RECLAMARE_LANG``, or
   ``RECLAMARE_LANG`` set in the shell that started the app;
3. the browser's languages (its ``Accept-Language`` header: a Norwegian browser, ``nb-NO``,
   ``no`` or ``nn``, gets bokmål);
4. English.

The language switch on the page changes it afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.i18n import DEFAULT_LANGUAGE, ENV_VAR, LANGUAGES

# Browser language tags (the part before "-") and the app language they get.
BROWSER_LANGUAGES = {"en": "en", "nb": "nb", "no": "nb", "nn": "nb"}


def browser_language(header: str | None) -> str | None:
    """The app language an ``Accept-Language`` header asks for first (None when none of its
    languages is offered): ``"nb-NO,nb;q=0.9,en;q=0.8"`` -> ``"nb"``."""
    if not header:
        return None
    choices = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in BROWSER_LANGUAGES and quality > 0:
            choices.append((-quality, position, BROWSER_LANGUAGES[base]))
    return min(choices)[2] if choices else None


def environment_language(environ: Mapping[str, str]) -> str | None:
    """``RECLAMARE_LANG`` when it names a language, else None (the command line has already
    refused a wrong value; the app ignores one)."""
    value = environ.get(ENV_VAR, "").strip()
    return value if value in LANGUAGES else None


def header_value(headers: Mapping[str, list[str]] | None, name: str) -> str | None:
    """One header of a request (Solara gives ``{lower-case name: [values]}``)."""
    if not headers:
        return None
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0] if isinstance(values, list | tuple) else str(values)
    return None


def page_language(
    link: str | None,
    environ: Mapping[str, str],
    headers: Mapping[str, list[str]] | None,
) -> str:
    """The language a page opens in (see the module docstring for the order)."""
    if link in LANGUAGES:
        return link
    return (
        environment_language(environ)
        or browser_language(header_value(headers, "accept-language"))
        or DEFAULT_LANGUAGE
    )
