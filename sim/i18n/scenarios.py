"""The shipped scenarios' titles and descriptions in other languages (content, not UI strings).

A scenario file's ``title`` and ``description`` are written in English by its author. For the
scenarios that ship with Reclamare (``scenarios/*.toml``, ``scenarios/workshop/*.toml``) a
translation lives in a content catalogue next to the UI catalogue,
``sim/i18n/locale/<lang>/scenarios.toml``, one table per shipped scenario key::

    ["workshop/crisis"]
    english = "3f2a9c01b7de"   # fingerprint of the English title + description translated
    title = "Krisen: ..."
    description = \"\"\"...\"\"\"

The catalogue is kept out of the scenario schema (a scenario file stays one language) and is
only read with ``tomllib`` (nothing in it is executed). :func:`scenario_text` finds a
translation by the *fingerprint of the English text*, not by file name, so:

- a shipped scenario shows its translation;
- a user's own file, or a shipped one the user edited, has no matching fingerprint and is shown
  exactly as written (no error);
- a translation whose English has since changed (stale) is never shown: the page falls back to
  the current English, and tests/test_i18n_scenarios.py fails until the translation is updated.

The fingerprint ignores line breaks and runs of spaces (re-wrapping a paragraph does not make
a translation stale; changing a word does). Base layer: imports nothing from ``sim`` outside
``sim.i18n``.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from pathlib import Path
from typing import NamedTuple

from sim.i18n import DEFAULT_LANGUAGE, LOCALE_DIR, check_language

# Hex digits of the sha256 kept as the fingerprint (48 bits: ample for a few dozen texts).
FINGERPRINT_DIGITS = 12
CATALOGUE_NAME = "scenarios.toml"


class ScenarioText(NamedTuple):
    """A scenario's title and description in one language (``translated``: from a catalogue)."""

    title: str
    description: str
    translated: bool = False


def fingerprint(title: str | None, description: str | None) -> str:
    """The first ``FINGERPRINT_DIGITS`` hex digits of the sha256 of the English title and
    description, each with its whitespace collapsed to single spaces (UTF-8)."""
    text = " ".join(str(title or "").split()) + "\n" + " ".join(str(description or "").split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_DIGITS]


def scenario_catalogue_path(lang: str) -> Path:
    """Where the scenario-text catalogue of ``lang`` lives (English has none)."""
    return LOCALE_DIR / check_language(lang) / CATALOGUE_NAME


@functools.cache
def scenario_catalogue(lang: str) -> dict[str, dict[str, str]]:
    """``{scenario key: {"english", "title", "description"}}`` of ``lang``, read once.

    English, and a language without a catalogue file, is the empty mapping. A malformed file
    (not TOML, or an entry without the three strings) is a one-line ``ValueError`` naming the
    file and the entry.
    """
    if check_language(lang) == DEFAULT_LANGUAGE:
        return {}
    path = scenario_catalogue_path(lang)
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a valid TOML file ({error})") from None
    table = {}
    for key, entry in raw.items():
        fields = ("english", "title", "description")
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(f), str) and entry.get(f).strip() for f in fields
        ):
            raise ValueError(
                f"{path}: [{key!r}] needs non-empty strings english, title and description"
            )
        table[key] = {f: entry[f] for f in fields}
    return table


@functools.cache
def _by_fingerprint(lang: str) -> dict[str, dict[str, str]]:
    return {entry["english"]: entry for entry in scenario_catalogue(lang).values()}


def scenario_text(title: str | None, description: str | None, lang: str) -> ScenarioText:
    """The title and description to show in ``lang`` for a scenario written with this English
    ``title`` and ``description``.

    English, or any text without an up-to-date translation in ``lang`` (a user's own file, an
    edited or newer shipped file), comes back as given (``None`` as ``""``). An unknown
    ``lang`` is a one-line ``ValueError``.
    """
    title, description = str(title or ""), str(description or "")
    if check_language(lang) == DEFAULT_LANGUAGE:
        return ScenarioText(title, description)
    entry = _by_fingerprint(lang).get(fingerprint(title, description))
    if entry is None:
        return ScenarioText(title, description)
    return ScenarioText(entry["title"].strip(), entry["description"].strip("\n"), True)


def shipped_texts(directory: Path | None = None) -> dict[str, tuple[str, str]]:
    """``{key: (title, description)}`` of the shipped scenario files, as written in English.

    The key is the file's path under the scenarios folder without ``.toml`` (``"default"``,
    ``"workshop/crisis"``); ``directory`` defaults to :data:`sim.shipped.SCENARIO_DIR`.
    """
    from sim.shipped import SCENARIO_DIR

    root = SCENARIO_DIR if directory is None else directory
    files = sorted(root.glob("*.toml")) + sorted(root.glob("*/*.toml"))
    out = {}
    for path in files:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        key = path.relative_to(root).with_suffix("").as_posix()
        out[key] = (str(raw.get("title") or ""), str(raw.get("description") or ""))
    return out


def problems(lang: str, directory: Path | None = None) -> list[str]:
    """What the scenario-text catalogue of ``lang`` lacks or has wrong, one line each:
    ``missing`` (a shipped scenario without an entry), ``stale`` (an entry whose fingerprint is
    not that of the scenario's current English, with the fingerprint it should have after the
    translation is brought up to date) and ``unused`` (an entry for no shipped scenario)."""
    table = scenario_catalogue(lang)
    shipped = shipped_texts(directory)
    found = []
    for key, (title, description) in shipped.items():
        now = fingerprint(title, description)
        if key not in table:
            found.append(f"{lang}: missing: [{key!r}] (english = {now!r})")
        elif table[key]["english"] != now:
            found.append(
                f"{lang}: stale: [{key!r}] translates other English than the file's now "
                f"(update the text, then english = {now!r})"
            )
    found += [
        f"{lang}: unused: [{key!r}] (no such shipped scenario)"
        for key in table.keys() - shipped.keys()
    ]
    return found
