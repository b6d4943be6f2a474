"""Scenario files: loading (with ``extends``), ``--set`` overrides, validation and the run plan.

A scenario file is TOML and data only (nothing in it is ever evaluated). It describes one study:

- ``title``, ``description`` (the question it answers), ``weeks``, ``replicates``, ``seed``;
- the world: any section of ``sim.params.ModelParams`` (``[network]``, ``[population]``,
  ``[product]``, ``[adoption]``, ``[wom]``, ``[push]``, ``[dialogue]``, ``[crisis]``,
  ``attitudes``); anything left out takes the schema's default;
- ``[arm]``: defaults shared by every arm, and ``[[arms]]``: the arms to compare, each a named
  ``ArmSpec`` whose keys override ``[arm]`` (no ``[[arms]]``: none / push / dialogue / mix at
  ``arm.budget``);
- ``baseline``: the arm every other arm is compared with (default: the first arm);
- ``[sweep]``: dotted parameter path -> list of values; the grid is their product;
- ``[report]``: which measures the key table and sweep figures show, and which two arms the sweep
  difference maps contrast;
- ``extends = "other.toml"``: start from another file (path relative to this one; when no such
  file exists there, a shipped scenario of that name, e.g. ``default.toml`` or
  ``workshop/crisis``) and override parts of it. Tables merge key by key; ``arms``, ``sweep``
  and lists are replaced whole.

Every problem is reported as a ``ScenarioError`` with a one-line message naming the file, the
field and what is allowed; a problem inherited through ``extends`` names the file that has it.

Bounds (docs/NOTES.md, "Session 3: hardening"): scenario files are regular files of at most
``MAX_SCENARIO_BYTES``; titles are one line, descriptions at most ``MAX_DESCRIPTION_CHARS``; a
plan has at most ``RECLAMARE_MAX_ARMS`` arms, ``RECLAMARE_MAX_RUNS`` runs and
``RECLAMARE_MAX_ROWS`` rows of results (environment variables raise them); and every network
setting of the plan must fit in memory (``sim.engine.memory``), checked before anything runs.
"""

from __future__ import annotations

import collections
import copy
import difflib
import itertools
import json
import os
import stat
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim import shipped as _shipped
from sim.engine.measure_names import MEASURE_NAMES
from sim.i18n.scenarios import scenario_text
from sim.network.bounded import FileRefused, kind_of, read_bounded
from sim.params import (
    ArmSpec,
    ModelParams,
    ParameterError,
    constraint_message,
    did_you_mean,
)
from sim.study.claims import Expectation
from sim.study.claims import problems as claim_problems

if TYPE_CHECKING:
    from sim.study.runner import RunTask

# Reading, validating and listing scenario files needs pydantic and the parameter schema only:
# the engine (numpy, numba, Mesa) and the runner (pandas) are imported where a plan is made or
# a network built (``Scenario.plan``, ``_preflight``), so that ``run_sim.py list`` and
# ``schema`` start in a fraction of a second.

# The shipped scenarios: the package's copy in an installed wheel, else the repository's folder.
SCENARIO_DIR = _shipped.SCENARIO_DIR
DEFAULT_SCENARIO = _shipped.DEFAULT_SCENARIO
MAX_EXTENDS_DEPTH = 32
MAX_GRID_POINTS = 10_000
MAX_SCENARIO_BYTES = 2**20  # 1 MiB; the shipped files are 1-3 kB
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 20_000
# Plan limits: (environment variable that raises it, default, what it counts).
PLAN_LIMITS = {
    "arms": ("RECLAMARE_MAX_ARMS", 200),
    "runs": ("RECLAMARE_MAX_RUNS", 100_000),
    "rows": ("RECLAMARE_MAX_ROWS", 10_000_000),
}
# Disk per row of results: ~125 bytes in timeseries.csv (measured, 21 columns) and as much again
# in runs/*.csv; in memory, assembling the table takes about as much again.
BYTES_PER_ROW = 250
PARAM_SECTIONS = tuple(
    name
    for name, f in ModelParams.model_fields.items()
    if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)
)
KEY_MEASURES = ("awareness", "adoption", "mean_attitude", "mean_attitude_all", "net_sentiment")
# Measures never shown alone: wherever a scenario's key measures name the first, the second is
# shown right after it (unless the scenario lists it itself). The aware-only mean attitude
# flatters an arm that reaches few customers; the mean over all customers does not
# (docs/model.md 7.9).
COMPANIONS = {"mean_attitude": "mean_attitude_all"}


def with_companions(measures: list[str]) -> list[str]:
    """``measures`` with each measure's companion (``COMPANIONS``) right after it, unless the
    list already holds the companion; order otherwise kept. ``["mean_attitude", "profit"]``
    gives ``["mean_attitude", "mean_attitude_all", "profit"]``."""
    out: list[str] = []
    for name in measures:
        out.append(name)
        companion = COMPANIONS.get(name)
        if companion is not None and companion not in measures:
            out.append(companion)
    return out


MeasureName = Literal[MEASURE_NAMES]  # type: ignore[valid-type]


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or run. The message is one line naming file and field."""


class ArmEntry(ArmSpec):
    """One arm of the comparison: a name plus the ``[arm]`` keys it changes."""

    name: str = Field(
        ..., description="Label of the arm in outputs (unique).", min_length=1, max_length=60
    )

    @field_validator("name")
    @classmethod
    def _one_line_name(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("must be one line without control characters (tabs, line breaks)")
        return value


class ReportSpec(BaseModel):
    """What the key table and the sweep figures show."""

    model_config = ConfigDict(extra="forbid")

    measures: list[MeasureName] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(KEY_MEASURES),
        description="Measures of the key table and of the sweep figures (see "
        "sim/engine/measures.py); mean_attitude (of the aware) is always shown with "
        "mean_attitude_all (of all customers) beside it.",
        min_length=1,
    )
    contrast: list[str] | None = Field(
        None,
        description="Two arm names [A, B]: sweep maps show A minus B (default: dialogue minus "
        "push when both exist).",
        min_length=2,
        max_length=2,
    )


class ScenarioFile(ModelParams):
    """A Reclamare scenario file: a study comparing campaign arms in one simulated market."""

    model_config = ConfigDict(
        extra="forbid",
        title="Reclamare scenario",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    extends: str | None = Field(
        None,
        description="Another scenario file this one builds on (path relative to this file, or "
        "the name of a shipped scenario such as 'default.toml' or 'workshop/crisis').",
    )
    title: str = Field(
        "", description="Short title of the study (one line).", max_length=MAX_TITLE_CHARS
    )
    description: str = Field(
        "",
        description="The question the study answers, and what to look at in the results "
        f"(at most {MAX_DESCRIPTION_CHARS:,} characters).",
    )
    weeks: int = Field(52, description="Weeks to simulate.", ge=1, le=10_000)
    replicates: int = Field(
        10,
        description="Independent replicates of every arm (common random numbers).",
        ge=1,
        le=10_000,
    )
    seed: int = Field(
        1, description="Master seed; every run's seed is derived from it.", ge=0, le=2**63 - 1
    )
    baseline: str | None = Field(
        None, description="Arm every other arm is compared with (default: the first arm)."
    )
    arms: list[ArmEntry] | None = Field(
        None,
        description="Arms to compare; each overrides the [arm] defaults. Default: none, push, "
        "dialogue and mix (half and half) at arm.budget.",
        min_length=1,
    )
    sweep: dict[str, list[Any]] | None = Field(
        None,
        description="Sweep grid: dotted parameter path (e.g. 'wom.negative_impact' or "
        "'arms.push.budget') -> list of values. Used by the sweep command.",
    )
    report: ReportSpec = Field(default_factory=ReportSpec)
    expect: list[Expectation] | None = Field(
        None,
        description="The claims of the description, checked by 'run_sim.py check' "
        "(docs/scenarios.md, 'Expectations'). Not inherited through extends.",
    )

    @field_validator("title")
    @classmethod
    def _one_line_title(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError(
                f"must be one line of at most {MAX_TITLE_CHARS} characters, without control "
                "characters (tabs, line breaks)"
            )
        return value

    @field_validator("description")
    @classmethod
    def _bounded_description(cls, value: str) -> str:
        if len(value) > MAX_DESCRIPTION_CHARS:
            raise ValueError(
                f"is {len(value):,} characters long; at most {MAX_DESCRIPTION_CHARS:,} allowed"
            )
        return value

    @model_validator(mode="after")
    def _check_arms(self) -> ScenarioFile:
        counts = collections.Counter(a.name for a in self.arms or [])
        dupes = sorted(name for name, count in counts.items() if count > 1)
        if dupes:
            raise ValueError(f"arm names must be unique; repeated: {', '.join(dupes)}")
        return self


def default_arm_entries() -> list[dict]:
    """The standard comparison (budgets come from ``[arm]``): none, push, dialogue, mix."""
    return [
        {"name": "none", "budget": 0.0, "push_share": 0.0},
        {"name": "push", "push_share": 1.0},
        {"name": "dialogue", "push_share": 0.0},
        {"name": "mix", "push_share": 0.5},
    ]


# --------------------------------------------------------------------------- loading


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file from a path, or the name of a shipped scenario (``default``, ``crisis``,
    ``workshop/crisis``; with or without ``.toml``). An existing path always wins."""
    path = Path(name_or_path)
    if os.path.lexists(path):
        return path
    shipped = shipped_path(str(name_or_path))
    if shipped is not None:
        return shipped
    close = difflib.get_close_matches(
        str(name_or_path).removesuffix(".toml"), shipped_names(), n=1, cutoff=0.6
    )
    hint = (
        f" (did you mean '{close[0]}'?)"
        if close
        else f" (shipped scenarios: {', '.join(shipped_names())})"
    )
    raise ScenarioError(f"{name_or_path}: no such scenario file{hint}")


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
        data = read_bounded(path, MAX_SCENARIO_BYTES, "scenario file")
    except FileRefused as error:
        raise ScenarioError(str(error)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte {error.start}); scenario files are TOML"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: TOML syntax error: {_one_line(error)}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: TOML nested too deeply") from None


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
        raise ScenarioError(f"{path}: extends cycle: {cycle}")
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: extends chain longer than {MAX_EXTENDS_DEPTH} files")
    data = _read_toml(path)
    parent = data.get("extends")
    if parent is None:
        return [(path, data)]
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            f"{path}: extends = {parent!r}: must be the path of another scenario file"
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
            f"{path}: extends = {parent!r}: no such file ({target.resolve()})"
        ) from None
    if not stat.S_ISREG(mode):
        raise ScenarioError(
            f"{path}: extends = {parent!r}: {target} is {kind_of(mode)}, not a scenario file"
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


# --------------------------------------------------------------------------- --set


def parse_value(text: str) -> Any:
    """A ``--set`` value parsed as TOML (``200``, ``1.5``, ``true``, ``"x"``, ``[1, 2]``).

    Anything that is not a TOML value is taken as a plain string, so ``network.kind=ring`` works
    without quotes.
    """
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``PATH=VALUE`` of a ``--set`` option."""
    path, sep, value = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ScenarioError(f"--set {text!r}: expected PATH=VALUE, e.g. --set network.n=200")
    return path, parse_value(value.strip())


def apply_overrides(raw: dict, overrides: list[tuple[str, Any]], source: str = "--set") -> dict:
    """Set dotted paths in the raw scenario data (checked against the schema first)."""
    out = copy.deepcopy(raw)
    for path, value in overrides:
        check_path(out, path, f"{source} {path}", allow_top=True)
        set_path(out, path, value)
    return out


def check_path(raw: dict, path: str, source: str, allow_top: bool = False) -> None:
    """Raise ScenarioError unless ``path`` names a settable parameter of the scenario."""
    parts = path.split(".")
    head = parts[0]
    top_scalars = ("title", "description", "weeks", "replicates", "seed", "baseline")
    if head == "arms":
        names = [e.get("name") for e in _arm_list(raw) if isinstance(e, dict)]
        if len(parts) != 3:
            raise ScenarioError(f"{source}: arm paths look like arms.<arm name>.<field>")
        if parts[1] not in names:
            hint = did_you_mean(parts[1], [str(n) for n in names])
            raise ScenarioError(f"{source}: no arm named {parts[1]!r}{hint}")
        _check_field(ArmSpec, parts[2], source)
        return
    if allow_top and head in top_scalars:
        if len(parts) != 1:
            raise ScenarioError(f"{source}: {head} is a single value, not a table")
        return
    if allow_top and head == "report":
        if len(parts) != 2:
            raise ScenarioError(f"{source}: report paths look like report.<field>")
        _check_field(ReportSpec, parts[1], source)
        return
    if head == "attitudes":
        if len(parts) != 1:
            raise ScenarioError(f"{source}: attitudes is a single value, not a table")
        return
    if head in PARAM_SECTIONS:
        if len(parts) != 2:
            raise ScenarioError(f"{source}: parameter paths look like {head}.<field>")
        _check_field(ModelParams.model_fields[head].annotation, parts[1], source)
        return
    allowed = [*PARAM_SECTIONS, "attitudes", "arms"]
    if allow_top:
        allowed += [*top_scalars, "report"]
    hint = did_you_mean(head, allowed)
    raise ScenarioError(f"{source}: unknown parameter {head!r}{hint}")


def _check_field(section: type[BaseModel], name: str, source: str) -> None:
    if name not in section.model_fields:
        hint = did_you_mean(name, list(section.model_fields))
        raise ScenarioError(f"{source}: unknown field {name!r}{hint}")


def set_path(raw: dict, path: str, value: Any) -> None:
    """Set a checked dotted path (``arms.<name>.<field>`` sets that arm's field)."""
    parts = path.split(".")
    if parts[0] == "arms":
        raw["arms"] = _arm_entries(raw)
        for entry in raw["arms"]:
            if isinstance(entry, dict) and entry.get("name") == parts[1]:
                entry[parts[2]] = value
        return
    node = raw
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _arm_entries(raw: dict) -> list:
    """A copy of the arm entries (the default four when the scenario has none)."""
    arms = raw.get("arms")
    return copy.deepcopy(arms) if isinstance(arms, list) else default_arm_entries()


def _arm_list(raw: dict) -> list:
    """The arm entries themselves, to read only (no copy: linear in the number of arms)."""
    arms = raw.get("arms")
    return arms if isinstance(arms, list) else default_arm_entries()


# --------------------------------------------------------------------------- validation


@dataclass
class Scenario:
    """A validated study: parameters, arms, sweep grid, and where it came from."""

    name: str
    path: Path | None
    spec: ScenarioFile
    raw: dict
    files: list[Path] = field(default_factory=list)
    overrides: list[tuple[str, Any]] = field(default_factory=list)
    layers: list[tuple[Path, dict]] = field(default_factory=list, repr=False)

    # ---- shortcuts
    @property
    def title(self) -> str:
        return self.spec.title or self.name

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def weeks(self) -> int:
        return self.spec.weeks

    @property
    def replicates(self) -> int:
        return self.spec.replicates

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def base_dir(self) -> Path:
        return (self.path.parent if self.path else Path.cwd()).resolve()

    @property
    def arm_names(self) -> list[str]:
        return [e["name"] for e in _arm_list(self.raw)]

    @property
    def baseline(self) -> str:
        return self.spec.baseline or self.arm_names[0]

    @property
    def contrast(self) -> tuple[str, str] | None:
        if self.spec.report.contrast:
            a, b = self.spec.report.contrast
            return a, b
        names = self.arm_names
        if "dialogue" in names and "push" in names:
            return "dialogue", "push"
        others = [n for n in names if n != self.baseline]
        if len(others) >= 2:
            return others[-1], others[0]
        return (others[0], self.baseline) if others else None

    @property
    def key_measures(self) -> list[str]:
        """The ``[report] measures``, each with its companion (``with_companions``): the key
        table, the leads at weeks 4, 13 and 52, the terminal table and the sweep figures."""
        return with_companions(list(self.spec.report.measures))

    @property
    def expectations(self) -> list[Expectation]:
        """The scenario's ``[[expect]]`` claims (empty when it makes none)."""
        return list(self.spec.expect or [])

    @property
    def sweep(self) -> dict[str, list]:
        return dict(self.spec.sweep or {})

    @property
    def has_sweep(self) -> bool:
        return bool(self.sweep)

    # ---- grid and parameters
    def points(self, sweep: bool = True) -> list[dict]:
        """Sweep points in grid order (first path outermost); ``[{}]`` when not sweeping."""
        grid = self.sweep if sweep else {}
        if not grid:
            return [{}]
        paths = list(grid)
        return [
            dict(zip(paths, values, strict=True)) for values in itertools.product(*grid.values())
        ]

    def resolve(self, point: dict | None = None) -> tuple[ModelParams, list[ArmSpec]]:
        """Parameters and arms at one sweep point (validated)."""
        raw = dict(self.raw)  # copy only what the point changes (set_path copies the arms)
        for path, value in (point or {}).items():
            head = path.split(".")[0]
            if head != "arms" and isinstance(raw.get(head), dict):
                raw[head] = copy.deepcopy(raw[head])
            set_path(raw, path, value)
        sections = {k: raw[k] for k in (*PARAM_SECTIONS, "attitudes") if k in raw}
        params = ModelParams.model_validate(sections, strict=True)
        defaults = sections.get("arm", {})
        arms = []
        for entry in _arm_list(raw):  # _deep_merge makes new dicts: entries are not changed
            try:
                arms.append(ArmSpec.model_validate(_deep_merge(defaults, entry), strict=True))
            except ValidationError as error:
                name = entry.get("name", "?")
                raise ScenarioError(format_error(error, f"arms.{name}")) from None
        return params, arms

    def plan(self, sweep: bool = False) -> list[RunTask]:
        """One independent task per (sweep point, replicate), each running every arm."""
        from sim.study.arms import run_seed
        from sim.study.runner import RunTask

        tasks = []
        points = self.points(sweep)
        for index, point in enumerate(points):
            params, arms = self.resolve(point)
            for rep in range(self.replicates):
                key = f"p{index:04d}-r{rep:04d}" if sweep and self.has_sweep else f"r{rep:04d}"
                tasks.append(
                    RunTask(
                        key=key,
                        params=params.model_dump(mode="json"),
                        arms=[a.model_dump(mode="json") for a in arms],
                        seed=run_seed(self.seed, rep, point or None),
                        weeks=self.weeks,
                        replicate=rep,
                        point=dict(point),
                        base_dir=str(self.base_dir),
                    )
                )
        return tasks

    def resolved(self, sweep: bool = False) -> dict:
        """The fully resolved study as plain data (for the manifest and the report)."""
        params, arms = self.resolve()
        return {
            "name": self.name,
            "file": str(self.path) if self.path else None,
            "extends_chain": [str(p) for p in self.files],
            "overrides": [[p, v] for p, v in self.overrides],
            "title": self.title,
            "description": self.description,
            "weeks": self.weeks,
            "replicates": self.replicates,
            "seed": self.seed,
            "baseline": self.baseline,
            "contrast": list(self.contrast) if self.contrast else None,
            "key_measures": self.key_measures,
            "params": params.model_dump(mode="json"),
            "arms": [a.model_dump(mode="json") for a in arms],
            "sweep": self.sweep if sweep else {},
            "expect": [e.model_dump(mode="json") for e in self.expectations],
        }


def load_scenario(
    name_or_path: str | Path,
    overrides: list[tuple[str, Any]] | None = None,
    *,
    preflight: bool = True,
) -> Scenario:
    """Load, merge, override and validate a scenario; raise ScenarioError on any problem.

    ``overrides`` are (dotted path, value) pairs applied after ``extends`` (the ``--set``
    options). With ``preflight`` the network is built once at every distinct network setting,
    so bad network files or unknown target groups are reported before anything runs.
    """
    path = resolve_scenario_path(name_or_path)
    layers = load_layers(path)
    raw, files = merge_layers(layers)
    overrides = list(overrides or [])
    if overrides:
        raw = apply_overrides(raw, overrides)
    return validate_raw(raw, path, files, overrides, preflight=preflight, layers=layers)


def validate_raw(
    raw: dict,
    path: Path | None,
    files: list[Path] | None = None,
    overrides: list | None = None,
    *,
    preflight: bool = True,
    layers: list[tuple[Path, dict]] | None = None,
) -> Scenario:
    """Validate merged scenario data (see ``load_scenario``).

    ``layers`` (each file of the ``extends`` chain with its own data) lets a message name the
    file that sets the failing field rather than the file that was loaded.
    """
    source = str(path) if path else "scenario"
    layers = list(layers or [])

    def blame(*loc) -> str:
        return _blame(loc, layers, overrides or [], source)

    _check_arm_count(raw, blame("arms"))
    try:
        spec = ScenarioFile.model_validate(raw, strict=True)
    except ValidationError as error:
        loc = error.errors()[0]["loc"]
        raise ScenarioError(format_error(error, blame(*loc), raw)) from None
    name = path.stem if path else "scenario"
    scenario = Scenario(name, path, spec, raw, files or [], overrides or [], layers)
    names = scenario.arm_names
    if spec.baseline is not None and spec.baseline not in names:
        raise ScenarioError(
            f"{blame('baseline')}: baseline = {spec.baseline!r}: must be one of the arms {names}"
        )
    if spec.report.contrast:
        known = set(names)
        for arm in spec.report.contrast:
            if arm not in known:
                raise ScenarioError(
                    f"{blame('report', 'contrast')}: report.contrast: {arm!r} is not an arm "
                    f"(arms: {names})"
                )
    _check_sweep(scenario, blame("sweep"))
    for problem in claim_problems(
        scenario.expectations, names, _claim_weeks(spec, overrides, layers), scenario.sweep
    )[:1]:
        raise ScenarioError(f"{blame('expect')}: {problem}")
    _check_plan_size(scenario, source)
    networks: set[str] = set()
    for point in scenario.points(sweep=True):
        where = f" at sweep point {_point_text(point)}" if point else ""
        try:
            params, _ = scenario.resolve(point)
        except ValidationError as error:
            raise ScenarioError(format_error(error, source + where, raw)) from None
        except ScenarioError as error:
            raise ScenarioError(f"{source}{where}: {error}") from None
        key = params.network.model_dump_json()
        if key not in networks:
            networks.add(key)
            _check_memory(params, scenario.base_dir, blame("network") + where)
    if preflight:
        _preflight(scenario, source)
    return scenario


def _claim_weeks(spec: ScenarioFile, overrides, layers) -> int:
    """The weeks a file's claims are checked against: the file's own, so a shorter ``--weeks``
    for a quick run is not an error (such a run leaves the later claims unjudged)."""
    if layers and any(path == "weeks" for path, _ in overrides or []):
        weeks = merge_layers(layers)[0].get("weeks", ScenarioFile.model_fields["weeks"].default)
        if isinstance(weeks, int) and not isinstance(weeks, bool):
            return max(weeks, spec.weeks)
    return spec.weeks


def _blame(loc: tuple, layers: list[tuple[Path, dict]], overrides: list, default: str) -> str:
    """The source of the value at ``loc``: the last ``--set`` or the nearest file that sets it.

    ``loc`` is a path into the scenario data (keys and list indices, as pydantic reports it).
    Falls back to ``default`` (the loaded file) when no layer sets it.
    """
    dotted = ".".join(str(part) for part in loc if not isinstance(part, int))
    for path, _ in reversed(overrides):
        if path == dotted or dotted.startswith(path + ".") or path.startswith(dotted + "."):
            return default
    for path, data in reversed(layers):
        if _has_path(data, loc):
            return str(path)
    return default


def _has_path(data: Any, loc: tuple) -> bool:
    node = data
    for part in loc:
        if isinstance(node, dict) and not isinstance(part, int) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return bool(loc)


def plan_limit(what: str) -> int:
    """The limit on a plan's ``what`` ("arms", "runs", "rows"): its environment variable or the
    default (PLAN_LIMITS)."""
    variable, default = PLAN_LIMITS[what]
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise ScenarioError(f"{variable} = {text!r}: must be a whole number") from None
    if value < 1:
        raise ScenarioError(f"{variable} = {text!r}: must be at least 1")
    return value


def _over_limit(source: str, what: str, count: int, detail: str) -> ScenarioError:
    variable, _ = PLAN_LIMITS[what]
    limit = plan_limit(what)
    return ScenarioError(
        f"{source}: {detail}, more than the limit of {limit:,}; make the study smaller, or raise "
        f"the limit with the environment variable {variable}={count}"
    )


def _check_arm_count(raw: dict, source: str) -> None:
    arms = raw.get("arms")
    count = len(arms) if isinstance(arms, list) else len(default_arm_entries())
    if count > plan_limit("arms"):
        raise _over_limit(source, "arms", count, f"the study has {count:,} arms")


def _check_plan_size(scenario: Scenario, source: str) -> None:
    """Refuse plans too big to carry out sensibly, before any plan or grid is built.

    Counts runs (sweep points x replicates) and rows of results (runs x arms x weeks + 1): the
    whole time series is assembled in memory and written as CSV at the end of a study.
    """
    from sim.engine.memory import gigabytes

    points = 1
    for values in scenario.sweep.values():
        points *= len(values)
    reps, arms, weeks = scenario.replicates, len(scenario.arm_names), scenario.weeks
    runs = points * reps
    if runs > plan_limit("runs"):
        detail = f"the plan has {runs:,} runs ({points:,} sweep points x {reps:,} replicates)"
        raise _over_limit(source, "runs", runs, detail)
    rows = runs * arms * (weeks + 1)
    if rows > plan_limit("rows"):
        detail = (
            f"the plan writes {rows:,} rows of results, about {gigabytes(rows * BYTES_PER_ROW)} "
            f"of tables ({runs:,} runs x {arms} arms x {weeks + 1:,} weeks)"
        )
        raise _over_limit(source, "rows", rows, detail)


def _check_memory(params: ModelParams, base_dir: Path, source: str) -> None:
    """Refuse a network setting whose run cannot fit in the memory available now (estimated by
    ``sim.engine.memory``): checked for every distinct network of the plan (every sweep point)
    during validation, before any folder is created."""
    from sim.engine.memory import MemoryGuardError, check_memory

    try:
        check_memory(params, base_dir)
    except MemoryGuardError as error:
        raise ScenarioError(f"{source}: {_one_line(error).removeprefix('parameters: ')}") from None


def _check_sweep(scenario: Scenario, source: str) -> None:
    grid = scenario.sweep
    size = 1
    for path, values in grid.items():
        check_path(scenario.raw, path, f"{source}: sweep.{path}")
        if not values:
            raise ScenarioError(f"{source}: sweep.{path}: needs at least one value")
        for value in values:
            if isinstance(value, dict | list):
                raise ScenarioError(
                    f"{source}: sweep.{path}: values must be numbers, strings or booleans, "
                    f"got {value!r}"
                )
        size *= len(values)
    if size > MAX_GRID_POINTS:
        raise ScenarioError(f"{source}: sweep grid has {size} points (at most {MAX_GRID_POINTS})")


def _preflight(scenario: Scenario, source: str) -> None:
    """Build each distinct network once and set up each arm's model on it."""
    from sim.engine.model import BrandModel, build_network_for
    from sim.network.errors import NetworkError
    from sim.study.arms import run_seed

    seen: set[str] = set()
    for point in scenario.points(sweep=True):
        params, arms = scenario.resolve(point)
        key = json.dumps(params.network.model_dump(mode="json"), sort_keys=True)
        if key in seen or (params.network.n > 200_000 and params.network.kind != "file"):
            continue
        seen.add(key)
        where = f" (sweep point {_point_text(point)})" if point else ""
        seed = run_seed(scenario.seed, 0, point or None)
        # One model per distinct target group (what depends on the network), not one per arm:
        # validation stays linear in the number of arms.
        by_target = {arm.target_group: arm for arm in arms}
        try:
            network = build_network_for(params, seed, scenario.base_dir)
            for arm in by_target.values():
                BrandModel(params, network=network, rng=seed, collect=False, arm=arm.model_dump())
        except NetworkError as error:
            raise ScenarioError(f"{source}{where}: network: {_one_line(error)}") from None
        except ParameterError as error:
            message = _one_line(error).removeprefix("parameters: ")
            raise ScenarioError(f"{source}{where}: {message}") from None


def _point_text(point: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in point.items())


# --------------------------------------------------------------------------- messages


def format_error(error: ValidationError, source: str, raw: dict | None = None) -> str:
    """One line: source, the first failing field (dotted), its value and what is allowed."""
    first = error.errors()[0]
    loc = list(first["loc"])
    path = _loc_text(loc, raw)
    kind = first["type"]
    ctx = first.get("ctx", {}) or {}
    value = first.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed)
        return f"{source}: unknown parameter '{path}'{hint}"
    if kind == "missing":
        return f"{source}: {path}: required"
    message = constraint_message(kind, ctx) or first["msg"].removeprefix("Value error, ")
    shown = "{...}" if isinstance(value, dict) else _one_line(repr(value), 80)
    if not path or path == "(top level)":
        return f"{source}: {_one_line(message)}"
    return f"{source}: {path} = {shown}: {_one_line(message)}"


def _loc_text(loc: list, raw: dict | None) -> str:
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            label = f"[{part}]"
            if i > 0 and loc[i - 1] == "arms" and raw:
                arms = raw.get("arms")
                if isinstance(arms, list) and part < len(arms) and isinstance(arms[part], dict):
                    name = arms[part].get("name")
                    if isinstance(name, str):
                        label = f"[{part}] ({name})"
            out += label
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _allowed_at(loc: list) -> list[str]:
    """Field names allowed at a location of the scenario schema."""
    node: Any = ScenarioFile
    for part in loc:
        node = _unwrap(node)
        if isinstance(part, int):
            continue
        if isinstance(node, type) and issubclass(node, BaseModel):
            f = node.model_fields.get(str(part))
            if f is None:
                return []
            node = f.annotation
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional / list[...] around a model class."""
    for _ in range(4):
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                break
        elif origin is list:
            annotation = typing.get_args(annotation)[0]
        else:
            break
    return annotation


def _one_line(text: object, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# --------------------------------------------------------------------------- schema / list


def json_schema() -> dict:
    """JSON Schema of the scenario format (for editors: completion and checking)."""
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = (
        "A Reclamare scenario file (TOML): one study comparing campaign arms. Every key is "
        "optional; anything left out takes the default shown here. See docs/scenarios.md."
    )
    return schema


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
