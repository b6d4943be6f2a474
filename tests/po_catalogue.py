"""Test helpers for the gettext catalogue: read a PO file, and find the app's message keys.

``read_po`` is a small reader of the PO format (``msgid``/``msgstr`` with continued lines, no
plural forms), enough for tests to check the catalogue and, until ``sim.i18n`` loads it, to
translate the app in the browser test. ``app_messages`` finds every ``_("...")`` and
``N_("...")`` with a literal argument in ``sim/viz/`` (the app's user-visible text).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PO_FILE = REPO / "sim" / "i18n" / "locale" / "nb" / "LC_MESSAGES" / "reclamare.po"
APP_DIR = REPO / "sim" / "viz"


def _unquote(text: str) -> str:
    body = text.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(
        r"\\(.)",
        lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), m.group(0)),
        body[1:-1],
    )


def read_po(path: Path = PO_FILE) -> dict[str, str]:
    """``{msgid: msgstr}`` of a PO file (the header entry, msgid "", left out)."""
    entries: dict[str, str] = {}
    key = value = None
    field = None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if key is not None and value is not None:
                entries[key] = value
            if not line:
                key = value = field = None
            continue
        if line.startswith("msgid "):
            key, value, field = _unquote(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            value, field = _unquote(line[7:]), "str"
        elif line.startswith('"'):
            if field == "id":
                key += _unquote(line)
            elif field == "str":
                value += _unquote(line)
    entries.pop("", None)
    return entries


def app_messages(folder: Path = APP_DIR) -> set[str]:
    """Every literal message passed to ``_`` or ``N_`` in the app's modules."""
    found: set[str] = set()
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found
