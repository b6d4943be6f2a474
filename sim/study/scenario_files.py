"""Reading scenario files: names of the shipped ones, ``extends`` chains, and merging them.

``extends = "other.toml"`` starts from another file (path relative to this one; when no such
file exists there, a shipped scenario of that name, e.g. ``default.toml`` or
``workshop/crisis``) and overrides parts of it. Tables merge key by key; ``arms``, ``sweep`` and
lists are replaced whole; ``[[expect]]`` is not inherited. Each file of a chain is kept with its
own data (``load_layers``, base first), so that a message can name the file that sets a value
and a results folder can hash each file. Scenario files are regular files of at most
``MAX_SCENARIO_BYTES``, UTF-8 TOML; a chain is at most ``MAX_EXTENDS_DEPTH`` files, without
cycles. Also the list of shipped scenarios with their titles (``run_sim.py list``).
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import stat
import tomllib
from pathlib import Path

from sim import shipped as _shipped
from sim.i18n import N_, Message
from sim.i18n.scenarios import scenario_text
from sim.network.bounded import FileRefused, kind_of, read_bounded
from sim.study.schema import ScenarioError, _one_line

# The shipped scenarios: the package's copy in an installed wheel, else the repository's folder.
SCENARIO_DIR = _shipped.SCENARIO_DIR
MAX_EXTENDS_DEPTH = 32
MAX_SCENARIO_BYTES = 2**20  # 1 MiB; the shipped files are 1-3 kB


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file from a path, or the name of a shipped scenario (``default``, ``crisis``,
    ``workshop/crisis``; with or without ``.toml``). An existing path wins, except a folder
    named like a shipped scenario: ``run default --out default`` leaves a results folder called
    ``default``, and the next ``run default`` in that place means the shipped file (a folder
    is never a scenario; any other folder is refused as one when read)."""
    path = Path(name_or_path)
    shipped = shipped_path(str(name_or_path))
    if os.path.lexists(path) and not (shipped is not None and path.is_dir()):
        return path
    if shipped is not None:
        return shipped
    close = difflib.get_close_matches(
        str(name_or_path).removesuffix(".toml"), shipped_names(), n=1, cutoff=0.6
    )
    hint = (
        Message(N_(" (did you mean '{word}'?)"), word=close[0])
        if close
        else Message(N_(" (shipped scenarios: {names})"), names=", ".join(shipped_names()))
    )
    raise ScenarioError(
        Message(N_("{name}: no such scenario file{hint}"), name=str(name_or_path), hint=hint)
    )


def shipped_path(name: str) -> Path | None:
    """The shipped scenario file called ``name`` (``crisis``, ``workshop/crisis.toml``), or None.

    Only plain relative names inside the shipped folder count: no absolute paths, no ``..``.
    """
    text = name.replace("\\", "/")
    parts = Path(text).parts
    if not parts or Path(text).is_absolute() or any(p in ("..", ".") for p in parts):
        return None
    candidate = SCENARIO_DIR.joinpath(*parts)
    if candidate.suffix != ".toml":
        candidate = candidate.with_name(candidate.name + ".toml")
    return candidate if candidate.is_file() else None


def shipped_names() -> list[str]:
    """Names of the shipped scenarios: ``default``, ..., then ``workshop/crisis``, ... (sorted)."""
    return [_shipped_name(p) for p in _shipped_files()]


def _shipped_files() -> list[Path]:
    """Every shipped scenario file: the top folder's first, then each subfolder's (sorted)."""
    top = sorted(SCENARIO_DIR.glob("*.toml"))
    deeper = sorted(p for p in SCENARIO_DIR.glob("*/*.toml"))
    return top + deeper


def _shipped_name(path: Path) -> str:
    return path.relative_to(SCENARIO_DIR).with_suffix("").as_posix()


def _read_toml(path: Path) -> dict:
    """The TOML data of one scenario file (regular, UTF-8 with or without BOM, bounded)."""
    try:
        data = read_bounded(path, MAX_SCENARIO_BYTES, Message(N_("scenario file")))
    except FileRefused as error:
        raise ScenarioError(
            Message(N_("{path}: {problem}"), path=error.path, problem=error.problem)
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioError(
            Message(
                N_("{path}: not UTF-8 text (byte {byte}); scenario files are TOML"),
                path=str(path),
                byte=str(error.start),
            )
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(
            Message(
                N_("{path}: TOML syntax error: {problem}"),
                path=str(path),
                problem=toml_problem(_one_line(error)),
            )
        ) from None
    except RecursionError:
        raise ScenarioError(Message(N_("{path}: TOML nested too deeply"), path=str(path))) from None


# What Python's TOML reader says (tomllib's fixed messages, and those naming a key or a
# character: ``TOML_KEYED``), so that a syntax error is shown in the user's language; a message
# not listed here (another Python's wording) stays as tomllib wrote it.
TOML_PROBLEMS = frozenset(
    (
        N_("Cannot overwrite a value"),
        N_("Escaped character is not a Unicode scalar value"),
        N_("Expected '=' after a key in a key/value pair"),
        N_("Expected ']' at the end of a table declaration"),
        N_("Expected ']]' at the end of an array declaration"),
        N_("Expected newline or end of document after a statement"),
        N_("Invalid date or datetime"),
        N_("Invalid hex value"),
        N_("Invalid initial character for a key part"),
        N_("Invalid statement"),
        N_("Invalid value"),
        N_("Unclosed array"),
        N_("Unclosed inline table"),
        N_("Unescaped '\\' in a string"),
        N_("Unterminated string"),
    )
)
# tomllib's messages that name a key (as it writes it: a tuple of its parts) or a character (its
# repr): the pattern, and the message with the named part as a field, shown as tomllib wrote it.
TOML_KEYED = (
    (re.compile(r"Cannot declare (?P<key>.+) twice"), N_("Cannot declare {key} twice")),
    (
        re.compile(r"Cannot mutate immutable namespace (?P<key>.+)"),
        N_("Cannot mutate immutable namespace {key}"),
    ),
    (re.compile(r"Cannot redefine namespace (?P<key>.+)"), N_("Cannot redefine namespace {key}")),
    (
        re.compile(r"Duplicate inline table key (?P<key>.+)"),
        N_("Duplicate inline table key {key}"),
    ),
    (re.compile(r"Illegal character (?P<key>.+)"), N_("Illegal character {key}")),
    (re.compile(r"Found invalid character (?P<key>.+)"), N_("Found invalid character {key}")),
    (re.compile(r"Expected (?P<key>'.*'|\".*\")"), N_("Expected {key}")),
)
_TOML_WHERE = re.compile(
    r"^(?P<what>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)


def toml_problem(text: str) -> Message | str:
    """tomllib's one-line message as a :class:`sim.i18n.Message` (what, and where: line and
    column, or the end of the document) when it is one of ``TOML_PROBLEMS`` or ``TOML_KEYED``,
    else as it is."""
    match = _TOML_WHERE.match(text)
    what = None if match is None else _toml_what(match["what"])
    if what is None:
        return text
    if match["line"] is None:
        return Message(N_("{problem} (at end of document)"), problem=what)
    return Message(
        N_("{problem} (at line {line}, column {column})"),
        problem=what,
        line=match["line"],
        column=match["column"],
    )


def _toml_what(text: str) -> Message | None:
    """What tomllib said (without where) as a Message, or None when it is not one it knows."""
    if text in TOML_PROBLEMS:
        return Message(text)
    for pattern, message in TOML_KEYED:
        keyed = pattern.fullmatch(text)
        if keyed:
            return Message(message, key=keyed["key"])
    return None


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict, list[Path]]:
    """The file's data merged over everything it ``extends``; returns (data, files in order)."""
    return merge_layers(load_layers(path, _chain))


def merge_layers(layers: list[tuple[Path, dict]]) -> tuple[dict, list[Path]]:
    """Merge the files of an ``extends`` chain (base first); returns (data, files in order)."""
    merged: dict = {}
    for _, data in layers:
        merged = merge_scenario(merged, data)
    merged.pop("extends", None)
    # Claims belong to the file that makes them: a file that extends another does not inherit
    # its [[expect]] (its story is a different one).
    merged.pop("expect", None)
    if layers and "expect" in layers[-1][1]:
        merged["expect"] = copy.deepcopy(layers[-1][1]["expect"])
    return merged, [p for p, _ in layers]


def load_layers(path: Path, _chain: tuple[Path, ...] = ()) -> list[tuple[Path, dict]]:
    """(file, its own data) for the file and everything it ``extends``, the furthest base first."""
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved)[_chain.index(resolved) :])
        raise ScenarioError(
            Message(N_("{path}: extends cycle: {cycle}"), path=str(path), cycle=cycle)
        )
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            Message(
                N_("{path}: extends chain longer than {limit} files"),
                path=str(path),
                limit=str(MAX_EXTENDS_DEPTH),
            )
        )
    data = _read_toml(path)
    parent = data.get("extends")
    if parent is None:
        return [(path, data)]
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            Message(
                N_("{path}: extends = {value}: must be the path of another scenario file"),
                path=str(path),
                value=repr(parent),
            )
        )
    target = (path.parent / parent).expanduser()
    if not target.suffix and not os.path.lexists(target):
        target = target.with_suffix(".toml")
    if not os.path.lexists(target):
        # A shipped scenario by name (``default``, ``workshop/crisis.toml``), wherever the
        # extending file lives: a student's file on the desktop can build on ``default.toml``.
        target = shipped_path(parent) or target
    try:
        mode = os.stat(target).st_mode
    except OSError:
        raise ScenarioError(
            Message(
                N_("{path}: extends = {value}: no such file ({target})"),
                path=str(path),
                value=repr(parent),
                target=str(target.resolve()),
            )
        ) from None
    if not stat.S_ISREG(mode):
        raise ScenarioError(
            Message(
                N_("{path}: extends = {value}: {target} is {kind}, not a scenario file"),
                path=str(path),
                value=repr(parent),
                target=str(target),
                kind=kind_of(mode),
            )
        )
    return [*load_layers(target, (*_chain, resolved)), (path, data)]


def merge_scenario(base: dict, override: dict) -> dict:
    """Deep merge of two scenario tables; ``arms``, ``sweep`` and lists are replaced whole."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if (
            key not in ("arms", "sweep")
            and isinstance(value, dict)
            and isinstance(out.get(key), dict)
        ):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def shipped_scenarios(lang: str = "en") -> list[tuple[str, str]]:
    """(name, one-line question) of every shipped scenario, sorted by name; the title in
    ``lang`` when the scenario catalogue translates it (sim/i18n/scenarios.py)."""
    out = []
    for path in _shipped_files():
        try:
            raw, _ = load_raw(path)
            title = raw.get("title") if isinstance(raw.get("title"), str) else ""
            described = raw.get("description") if isinstance(raw.get("description"), str) else ""
            title = scenario_text(title, described, lang).title
        except ScenarioError as error:
            title = f"(invalid: {error})"
        out.append((_shipped_name(path), title))
    return out
