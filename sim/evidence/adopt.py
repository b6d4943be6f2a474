"""Make the default market a member of the plausible set (issue #23 item 6).

    python -m sim.evidence.adopt [--set FILE] [--scenario scenarios/default.toml] [--dry-run]

writes the set's central member (``PlausibleSet.central``: nearest the members' coordinate-wise
median) into the default scenario, each value rounded to ``DIGITS`` significant digits (integer
ranges as whole numbers), and prints what changed. Only the values change: a key's trailing
comment stays (reword it by hand when it no longer fits), a key the file does not set yet is
added under its table with the comment ``# calibrated``, a table the file lacks is added before
the first ``[[arms]]``. ``arm.budget`` is the media plan the default scenario's arms share.

Rounding moves the point off the member, so the rounded market is measured again
(``tests/test_default_market.py`` checks that it meets every required target at two seeds).
The file is replaced whole (a temporary file, then a rename) and read back before it is kept.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

from sim.evidence.errors import EvidenceError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = ROOT / "scenarios" / "default.toml"
DIGITS = 3
INTEGER_PATHS = ("wom.listeners",)


def rounded(path: str, value: float, integers: tuple[str, ...] = INTEGER_PATHS) -> float | int:
    """``value`` to ``DIGITS`` significant digits (whole numbers for integer ranges)."""
    if path in integers:
        return int(math.floor(float(value) + 0.5))
    if value == 0:
        return 0.0
    return float(f"{float(value):.{DIGITS}g}")


def toml_value(value: float | int) -> str:
    """A TOML number as written in the scenario files (``0.0329``, ``3``, ``1.5e-05``)."""
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text if ("." in text or "e" in text) else text + ".0"


def _table_span(lines: list[str], table: str) -> tuple[int, int] | None:
    """(header line, end) of ``[table]`` in ``lines``; None when absent."""
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
        len(lines),
    )
    return start, end


def _new_table_at(lines: list[str]) -> int:
    """Where a new table goes: before the comment block above the first ``[arm]`` or
    ``[[arms]]`` (the arms stay last, with their comments), else at the end."""
    at = next(
        (i for i, line in enumerate(lines) if line.strip() in ("[arm]", "[[arms]]")), len(lines)
    )
    while at > 0 and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    return at


def set_values(text: str, values: Mapping[str, float | int]) -> tuple[str, list[str]]:
    """``text`` (a scenario file) with each ``table.key`` of ``values`` set; the new text and
    one line per change (``market.potential: 0.6 -> 0.767``)."""
    lines = text.splitlines()
    changes = []
    before = tomllib.loads(text)
    for path, value in values.items():
        table, key = path.split(".", 1)
        new = toml_value(value)
        old = before.get(table, {}).get(key)
        span = _table_span(lines, table)
        if span is None:
            at = _new_table_at(lines)
            lines[at:at] = [f"[{table}]", f"{key} = {new}   # calibrated", ""]
        else:
            start, end = span
            pattern = re.compile(rf"^(\s*{re.escape(key)}\s*=\s*)([^#]*?)(\s*#.*)?$")
            for i in range(start + 1, end):
                match = pattern.match(lines[i])
                if match:
                    lines[i] = match.group(1) + new + (match.group(3) or "")
                    break
            else:
                last = max(
                    (i for i in range(start, end) if re.match(r"^\s*[\w.\"-]+\s*=", lines[i])),
                    default=start,
                )
                while last + 1 < end and re.match(r"^\s+#", lines[last + 1]):
                    last += 1  # the key's comment goes on over indented lines
                lines.insert(last + 1, f"{key} = {new}   # calibrated")
        if old != value:
            changes.append(f"{path}: {old if old is not None else '(schema default)'} -> {new}")
    out = "\n".join(lines) + "\n"
    after = tomllib.loads(out)
    for path, value in values.items():
        table, key = path.split(".", 1)
        if after.get(table, {}).get(key) != value:
            raise EvidenceError(f"could not set {path} = {value} in the scenario text")
    return out, changes


def central_values(plausible) -> dict[str, float | int]:
    """The set's central member, rounded (:func:`rounded`)."""
    integers = tuple(r["path"] for r in plausible.provenance["ranges"] if r.get("integer"))
    return {path: rounded(path, v, integers) for path, v in plausible.central().items()}


def adopt(set_file: Path | None, scenario: Path, dry_run: bool = False) -> list[str]:
    """Write the central member of the set in ``set_file`` (default: the shipped one) into
    ``scenario``; return the changes (nothing written with ``dry_run``)."""
    from sim.evidence.plausible import load_plausible

    plausible = load_plausible(set_file)
    text = scenario.read_text(encoding="utf-8")
    new, changes = set_values(text, central_values(plausible))
    if not dry_run and new != text:
        tmp = scenario.with_suffix(scenario.suffix + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(scenario)
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.evidence.adopt", description=__doc__)
    parser.add_argument("--set", type=Path, dest="set_file", metavar="FILE")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, metavar="FILE")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    from sim.evidence.plausible import PlausibleError

    try:
        changes = adopt(args.set_file, args.scenario, args.dry_run)
    except (EvidenceError, PlausibleError, OSError, tomllib.TOMLDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    verb = "would change" if args.dry_run else "changed"
    print(f"{args.scenario}: {verb} {len(changes)} values")
    for line in changes:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
