"""The kit's content: ``text/kit.toml`` in English, translated by the one gettext catalogue.

``text/kit.toml`` holds the names of the measures, arms and settings the kit shows, the plans
and the exercises (title, goal, the *In the app* paragraphs, questions, extensions, the
facilitator's note), in English. Every string in it is a message of the catalogue
(``python -m sim.i18n.extract`` reads the file as it reads the sources' ``_("...")`` calls; the
bokmål is in ``sim/i18n/locale/nb/LC_MESSAGES/reclamare.po``). The pages' own words (headings,
the key's sentences) are ``_("...")`` in the templates (``sim/workshop/templates/``).

``english()`` is the parsed table; ``load(lang)`` the same table with every string translated
(for the figures, the Markdown pages and the app steps); ``problems(lang)`` lists the kit's
strings the catalogue of ``lang`` lacks, so a test can require every language to be complete.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from sim.i18n import DEFAULT_LANGUAGE, LANGUAGES, check_language, translator
from sim.shipped import command_name

TEXT_DIR = Path(__file__).resolve().parent / "text"
KIT_TEXT = TEXT_DIR / "kit.toml"
SOURCE_COMMAND = "python run_sim.py"  # how the texts write a command


@functools.cache
def english() -> dict:
    """The kit's content as written in ``text/kit.toml`` (English, commands as written)."""
    with open(KIT_TEXT, "rb") as handle:
        return tomllib.load(handle)


def commands(text: str, name: str) -> str:
    """``text`` with its commands written ``name ...`` instead of ``python run_sim.py ...``
    (``reclamare`` for an installed package: :func:`sim.shipped.command_name`)."""
    return text.replace(SOURCE_COMMAND, name)


@functools.cache
def load(lang: str) -> dict:
    """The kit's content in ``lang`` (``en`` or ``nb``); a one-line ValueError for others.

    Every string is translated by the catalogue; the commands in them are written as the
    user runs the program (``python run_sim.py ...`` or ``reclamare ...``)."""
    _ = translator(check_language(lang))
    return _translated(english(), _, command_name())


def _translated(value, _, name: str):
    if isinstance(value, dict):
        return {k: _translated(v, _, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_translated(v, _, name) for v in value]
    return commands(_(value), name) if isinstance(value, str) else value


def strings(value=None) -> list[str]:
    """Every string of the kit's content (the catalogue's messages), in order."""
    value = english() if value is None else value
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def flat(table: dict, prefix: str = "") -> dict[str, object]:
    """``{"arms.push": "...", "exercise.crisis.predict": [...]}`` for a nested table."""
    out: dict[str, object] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, path + "."))
        else:
            out[path] = value
    return out


def problems(lang: str) -> list[str]:
    """The kit's strings that ``lang``'s catalogue lacks (empty when complete); placeholders
    and the rest are checked by ``python -m sim.i18n.extract`` for every message."""
    from sim.i18n import catalogue

    if check_language(lang) == DEFAULT_LANGUAGE:
        return []
    table = catalogue(lang)
    return [f"{lang}: no translation of {s!r}" for s in strings() if s not in table]


def all_problems() -> list[str]:
    return [p for lang in LANGUAGES for p in problems(lang)]
