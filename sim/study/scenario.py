"""A scenario: loaded, merged, overridden, validated, and planned into runs.

``load_scenario`` is a study's way in, and reads top to bottom:

1. ``resolve_scenario_path``, ``load_layers``, ``merge_layers`` (``sim.study.scenario_files``):
   the file (or a shipped scenario's name) and everything it ``extends``, merged;
2. ``apply_overrides`` (``sim.study.overrides``): the ``--set`` options;
3. ``validate_raw`` (here): the format (``sim.study.schema``), the baseline and contrast, the
   sweep, the claims, the size of the plan and the memory of each network
   (``sim.study.limits``), and a trial build of each network (``_preflight``);
4. the ``Scenario``: parameters and arms at each sweep point (``resolve``), the run plan
   (``plan``: one task per sweep point and replicate) and the resolved study for the manifest
   (``resolved``).

Every problem is reported as a ``ScenarioError`` with a one-line message naming the file, the
field and what is allowed; a problem inherited through ``extends`` names the file that has it
(``_blame``).
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.i18n import N_, Message
from sim.params import ArmSpec, ModelParams, ParameterError
from sim.study.claims import Expectation
from sim.study.claims import problems as claim_problems
from sim.study.limits import MAX_GRID_POINTS, _check_arm_count, _check_memory, _check_plan_size
from sim.study.overrides import _arm_list, apply_overrides, check_path, set_path
from sim.study.scenario_files import _deep_merge, load_layers, merge_layers, resolve_scenario_path
from sim.study.schema import (
    PARAM_SECTIONS,
    ScenarioError,
    ScenarioFile,
    _one_line,
    format_error,
    with_companions,
)

if TYPE_CHECKING:
    from sim.study.runner import RunTask

# Reading, validating and listing scenario files needs pydantic and the parameter schema only
# (here and in the modules above): the engine (numpy, numba, Mesa) and the runner (pandas) are
# imported where a plan is made or a network built (``Scenario.plan``, ``_preflight``), so that
# ``run_sim.py list`` and ``schema`` start in a fraction of a second.


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
            Message(
                N_("{source}: baseline = {value}: must be one of the arms {names}"),
                source=blame("baseline"),
                value=repr(spec.baseline),
                names=str(names),
            )
        )
    if spec.report.contrast:
        known = set(names)
        for arm in spec.report.contrast:
            if arm not in known:
                raise ScenarioError(
                    Message(
                        N_("{source}: report.contrast: {arm} is not an arm (arms: {names})"),
                        source=blame("report", "contrast"),
                        arm=repr(arm),
                        names=str(names),
                    )
                )
    _check_sweep(scenario, blame("sweep"))
    for problem in claim_problems(
        scenario.expectations, names, _claim_weeks(spec, overrides, layers), scenario.sweep
    )[:1]:
        raise ScenarioError(
            Message(N_("{source}: {problem}"), source=blame("expect"), problem=problem)
        )
    _check_plan_size(scenario, source)
    networks: set[str] = set()
    for point in scenario.points(sweep=True):
        at = _at_point(source, point)
        try:
            params, _ = scenario.resolve(point)
        except ValidationError as error:
            raise ScenarioError(format_error(error, at, raw)) from None
        except ScenarioError as error:
            raise ScenarioError(
                Message(N_("{source}: {problem}"), source=at, problem=_problem(error))
            ) from None
        key = params.network.model_dump_json()
        if key not in networks:
            networks.add(key)
            _check_memory(params, scenario.base_dir, _at_point(blame("network"), point))
    if preflight:
        _preflight(scenario, source)
    return scenario


def _at_point(source: str, point: dict) -> str | Message:
    """``source``, and the sweep point when there is one (``FILE at sweep point wom.x=0.5``)."""
    if not point:
        return source
    return Message(N_("{source} at sweep point {point}"), source=source, point=_point_text(point))


def _problem(error: Exception) -> Message | str:
    """An error's message: its Message when it has one, else its text on one line."""
    message = error.args[0] if len(error.args) == 1 else None
    return message if isinstance(message, Message) else _one_line(error)


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


def _check_sweep(scenario: Scenario, source: str) -> None:
    grid = scenario.sweep
    size = 1
    for path, values in grid.items():
        check_path(scenario.raw, path, f"{source}: sweep.{path}")
        if not values:
            raise ScenarioError(
                Message(
                    N_("{source}: sweep.{path}: needs at least one value"), source=source, path=path
                )
            )
        for value in values:
            if isinstance(value, dict | list):
                raise ScenarioError(
                    Message(
                        N_(
                            "{source}: sweep.{path}: values must be numbers, strings or "
                            "booleans, got {value}"
                        ),
                        source=source,
                        path=path,
                        value=repr(value),
                    )
                )
        size *= len(values)
    if size > MAX_GRID_POINTS:
        raise ScenarioError(
            Message(
                N_("{source}: sweep grid has {size} points (at most {limit})"),
                source=source,
                size=str(size),
                limit=str(MAX_GRID_POINTS),
            )
        )


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
        at = (
            Message(N_("{source} (sweep point {point})"), source=source, point=_point_text(point))
            if point
            else source
        )
        seed = run_seed(scenario.seed, 0, point or None)
        # One model per distinct target group (what depends on the network), not one per arm:
        # validation stays linear in the number of arms.
        by_target = {arm.target_group: arm for arm in arms}
        try:
            network = build_network_for(params, seed, scenario.base_dir)
            for arm in by_target.values():
                BrandModel(params, network=network, rng=seed, collect=False, arm=arm.model_dump())
        except NetworkError as error:
            raise ScenarioError(
                Message(N_("{source}: network: {problem}"), source=at, problem=_problem(error))
            ) from None
        except ParameterError as error:
            raise ScenarioError(
                Message(N_("{source}: {problem}"), source=at, problem=_parameter_problem(error))
            ) from None


def _parameter_problem(error: ParameterError) -> Message | str:
    """A ``ParameterError``'s problem without its ``parameters:`` source: the Message's
    ``problem`` when it is one (``{source}: {problem}``), else its text on one line."""
    message = error.args[0] if len(error.args) == 1 else None
    if isinstance(message, Message) and message.fields.get("source") == "parameters":
        return message.fields.get("problem", message)
    return _one_line(error).removeprefix("parameters: ")


def _point_text(point: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in point.items())


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
