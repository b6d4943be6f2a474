"""The kit's prose per language: ``text/en.toml`` and ``text/nb.toml`` (same keys).

``load(lang)`` returns the parsed table; ``problems(lang)`` lists keys missing from a language
(compared with English), empty entries and placeholders that differ from the English entry, so
a test can require both languages to be complete.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from sim.i18n import LANGUAGES, check_language
from sim.shipped import command_name

TEXT_DIR = Path(__file__).resolve().parent / "text"
SOURCE_COMMAND = "python run_sim.py"  # how the texts write a command
_FIELD = re.compile(r"\{(\w+(?:\[\w+\])?)\}")  # {week}, {row[profit]}


@functools.cache
def load(lang: str) -> dict:
    """The kit's texts in ``lang`` (``en`` or ``nb``); a one-line ValueError for others.

    The commands in them are written ``python run_sim.py ...``; for an installed package they
    read ``reclamare ...`` (:func:`sim.shipped.command_name`)."""
    check_language(lang)
    with open(TEXT_DIR / f"{lang}.toml", "rb") as handle:
        return _commands(tomllib.load(handle), command_name())


def _commands(value, name: str):
    if isinstance(value, dict):
        return {k: _commands(v, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_commands(v, name) for v in value]
    return value.replace(SOURCE_COMMAND, name) if isinstance(value, str) else value


def flat(table: dict, prefix: str = "") -> dict[str, object]:
    """``{"ui.kit": "...", "exercise.crisis.predict": [...]}`` for a nested table."""
    out: dict[str, object] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, path + "."))
        else:
            out[path] = value
    return out


def problems(lang: str) -> list[str]:
    """What is missing or wrong in ``lang`` compared with English (empty when complete)."""
    english, other = flat(load("en")), flat(load(lang))
    found = [f"{lang}: missing {key}" for key in english if key not in other]
    found += [f"{lang}: {key} is not in English" for key in other if key not in english]
    for key, value in other.items():
        items = value if isinstance(value, list) else [value]
        if not items or any(not str(item).strip() for item in items):
            found.append(f"{lang}: {key} is empty")
        if key in english:
            ours = sorted(_FIELD.findall(str(value)))
            theirs = sorted(_FIELD.findall(str(english[key])))
            if ours != theirs:
                found.append(f"{lang}: {key} has placeholders {ours}, English {theirs}")
            if isinstance(value, list) and len(value) != len(english[key]):
                found.append(f"{lang}: {key} has {len(value)} items, English {len(english[key])}")
    return found


def all_problems() -> list[str]:
    return [p for lang in LANGUAGES for p in problems(lang)]
