"""Find the catalogue's messages in the source, and check a catalogue against them.

A message is the literal first argument of a call to ``_`` or ``N_`` anywhere in ``sim/``
(``_("Week {week}")``, ``N_("Awareness")``; adjacent literals are one string), in the Python
sources and in the pages' Jinja2 templates (``templates/**/*.html`` and ``*.md``:
``{{ _("Setup") }}``, read by Jinja2's i18n extension). Calls with a computed argument
(``_(LABELS[m])``) are not messages: their texts are marked with ``N_`` where they are defined,
or are every string of a content file (``CONTENT``: the teaching kit's exercises, plans and
names, ``sim/workshop/text/kit.toml``, shown as ``{{ _(ex.title) }}``).

``python -m sim.i18n.extract`` (``make i18n-check``) lists, per language, the messages the
catalogue lacks, those it has with an empty or fuzzy translation, those it has but the code no
longer uses, translations whose placeholders differ from the English, and the shipped
scenarios whose title and description lack an up-to-date translation (sim/i18n/scenarios.py);
exit status 1 when anything is listed. ``--add-missing`` appends the missing messages to the
PO files with empty translations (and the files that use them), ready to be translated.
"""

from __future__ import annotations

import argparse
import ast
import re
import string
import sys
from collections.abc import Iterable
from pathlib import Path

from sim.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue_path
from sim.i18n.scenarios import problems as scenario_problems

MARKERS = ("_", "N_")
SOURCE_ROOT = Path(__file__).resolve().parents[1]  # the sim package
# Content files whose every string is a message (paths under the sim package).
CONTENT = ("workshop/text/*.toml",)
TEMPLATE_SUFFIXES = (".html", ".md")


def messages_in_source(source: str, filename: str = "<source>") -> list[str]:
    """The messages of one Python source text, in order of appearance (repeats kept)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.col_offset, node.args[0].value))
    return [text for _, _, text in sorted(found)]


def messages_in_template(source: str) -> list[str]:
    """The messages of one Jinja2 template, in order of appearance (repeats kept)."""
    from jinja2 import Environment  # only when templates are read

    env = Environment(extensions=["jinja2.ext.i18n"])
    found = []
    for _, _, message in env.extract_translations(source, gettext_functions=MARKERS):
        text = message[0] if isinstance(message, tuple) else message
        if isinstance(text, str):
            found.append(text)
    return found


def messages_in_content(source: str) -> list[str]:
    """Every string of a TOML content file (tables and lists walked in order)."""
    import tomllib

    def strings(value) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    return strings(tomllib.loads(source))


def source_files(root: Path = SOURCE_ROOT) -> list[Path]:
    """The Python modules, the page templates and the content files of ``root``."""
    found = [p for p in Path(root).rglob("*.py") if "__pycache__" not in p.parts]
    found += [
        p
        for suffix in TEMPLATE_SUFFIXES
        for p in Path(root).rglob(f"*{suffix}")
        if "templates" in p.parts
    ]
    found += [p for pattern in CONTENT for p in Path(root).glob(pattern)]
    return sorted(found)


def messages(root: Path = SOURCE_ROOT) -> dict[str, list[str]]:
    """``{message: [files that use it]}`` over every module of ``root`` (paths from its parent)."""
    out: dict[str, list[str]] = {}
    for path in source_files(root):
        name = path.relative_to(Path(root).parent).as_posix()
        source = path.read_text(encoding="utf-8")
        if path.suffix in TEMPLATE_SUFFIXES:
            found = messages_in_template(source)
        elif path.suffix == ".toml":
            found = messages_in_content(source)
        else:
            found = messages_in_source(source, name)
        for text in found:
            files = out.setdefault(text, [])
            if name not in files:
                files.append(name)
    return out


def placeholders(text: str) -> set[str]:
    """The ``str.format`` fields of ``text`` (``{week}``, ``{share:.0%}`` -> ``{"week", ...}``)."""
    fields = set()
    for _, field, spec, _ in string.Formatter().parse(text):
        if field is not None:
            fields.add(field + (":" + spec if spec else ""))
    return fields


def read_entries(lang: str) -> dict[str, tuple[str, bool]]:
    """``{msgid: (msgstr, fuzzy)}`` of a language's PO file, every entry (also empty ones)."""
    from babel.messages.pofile import read_po

    with open(catalogue_path(lang), "rb") as handle:
        po = read_po(handle, abort_invalid=True)
    return {
        m.id: (m.string if isinstance(m.string, str) else "", bool(m.fuzzy))
        for m in po
        if m.id and isinstance(m.id, str)
    }


def problems(lang: str, used: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """What is wrong with ``lang``'s catalogue, by kind (each list empty when all is well)."""
    used = messages() if used is None else used
    entries = read_entries(lang)
    report = {
        "duplicate": duplicates(catalogue_path(lang)),
        "missing": [m for m in used if m not in entries],
        "untranslated": [m for m, (s, fuzzy) in entries.items() if not s or fuzzy],
        "unused": [m for m in entries if m not in used],
        "placeholders": [
            m for m, (s, _) in entries.items() if s and placeholders(s) != placeholders(m)
        ],
    }
    return report


def duplicates(path: Path) -> list[str]:
    """Messages with more than one entry in a PO file (Babel keeps one of them silently; two
    branches that add the same message make this after a merge)."""
    seen: dict[str, int] = {}
    current: list[str] | None = None
    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        stripped = line.strip()
        if current is not None and stripped.startswith('"'):
            current.append(stripped)
            continue
        if current is not None:
            text = "".join(ast.literal_eval(chunk) for chunk in current)
            if text:
                seen[text] = seen.get(text, 0) + 1
            current = None
        if stripped.startswith("msgid "):
            current = [stripped[len("msgid ") :]]
    return [text for text, count in seen.items() if count > 1]


def add_missing(lang: str, missing: Iterable[str], used: dict[str, list[str]]) -> int:
    """Append ``missing`` messages to ``lang``'s PO file with empty translations; returns how
    many. The rest of the file is left exactly as it was (no reformatting, fewer conflicts)."""
    lines = []
    for text in missing:
        lines.append("")
        lines.append("#: " + " ".join(used.get(text, [])))
        lines.append("msgid " + _po_quote(text))
        lines.append('msgstr ""')
    if lines:
        path = catalogue_path(lang)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return len(lines) // 4


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    parts = escaped.split("\n")
    if len(parts) == 1:
        return f'"{escaped}"'
    chunks = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{c}"' for c in chunks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.i18n.extract",
        description="List messages the language catalogues lack, leave empty or no longer use.",
    )
    parser.add_argument(
        "--add-missing",
        action="store_true",
        help="append missing messages to each PO file with an empty translation",
    )
    args = parser.parse_args(argv)
    used = messages()
    bad = 0
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        found = problems(lang, used)
        if args.add_missing and found["missing"]:
            count = add_missing(lang, found["missing"], used)
            print(f"{catalogue_path(lang)}: added {count} messages to translate")
            found = problems(lang, used)
        for kind, items in found.items():
            for text in items:
                bad += 1
                print(f"{lang}: {kind}: {_one_line(text)}")
        for line in scenario_problems(lang):  # the shipped scenarios' titles and descriptions
            bad += 1
            print(line)
    print(f"{len(used)} messages in the source; {bad} problems", file=sys.stderr)
    return 1 if bad else 0


def _one_line(text: str, limit: int = 120) -> str:
    flat = re.sub(r"\s+", " ", text)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


if __name__ == "__main__":
    sys.exit(main())
