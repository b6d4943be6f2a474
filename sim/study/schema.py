"""The scenario file format: what a file may hold, its bounds, and its one-line messages.

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
- ``extends = "other.toml"``: start from another file (``sim.study.scenario_files``);
- ``[[expect]]``: the claims of the description (``sim.study.claims``).

``ScenarioFile`` is that format (``json_schema`` gives it to editors); titles are one line,
descriptions at most ``MAX_DESCRIPTION_CHARS``. Every problem with a scenario is a
``ScenarioError`` with a one-line message naming the file, the field and what is allowed
(``format_error`` turns pydantic's report into that line). The message is a
:class:`sim.i18n.Message`: the error's text is the English line, and ``error.text(_)`` (or
``sim.i18n.message_text(error, _)``) the same line in the language of a translator, with the
file names, field paths and values as written (the command line and the app show it so).
"""

from __future__ import annotations

import collections
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.engine.measure_names import MEASURE_NAMES
from sim.i18n import N_, Message, message_text
from sim.params import ArmSpec, ModelParams, constraint_message, did_you_mean
from sim.study.claims import Expectation

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 20_000
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
    """A scenario that cannot be loaded or run. The message is one line naming file and field
    (a :class:`sim.i18n.Message` where it is made here: ``text(_)`` gives it in a language)."""

    def text(self, _) -> str:
        """The message in the language of the translator ``_`` (English: ``str(self)``)."""
        return message_text(self, _)


class ArmEntry(ArmSpec):
    """One arm of the comparison: a name plus the ``[arm]`` keys it changes."""

    name: str = Field(
        ..., description="Label of the arm in outputs (unique).", min_length=1, max_length=60
    )

    @field_validator("name")
    @classmethod
    def _one_line_name(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError(
                Message(N_("must be one line without control characters (tabs, line breaks)"))
            )
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
                Message(
                    N_(
                        "must be one line of at most {limit} characters, without control "
                        "characters (tabs, line breaks)"
                    ),
                    limit=str(MAX_TITLE_CHARS),
                )
            )
        return value

    @field_validator("description")
    @classmethod
    def _bounded_description(cls, value: str) -> str:
        if len(value) > MAX_DESCRIPTION_CHARS:
            raise ValueError(
                Message(
                    N_("is {length} characters long; at most {limit} allowed"),
                    length=len(value),
                    limit=MAX_DESCRIPTION_CHARS,
                )
            )
        return value

    @model_validator(mode="after")
    def _check_arms(self) -> ScenarioFile:
        counts = collections.Counter(a.name for a in self.arms or [])
        dupes = sorted(name for name, count in counts.items() if count > 1)
        if dupes:
            raise ValueError(
                Message(N_("arm names must be unique; repeated: {names}"), names=", ".join(dupes))
            )
        return self


def default_arm_entries() -> list[dict]:
    """The standard comparison (budgets come from ``[arm]``): none, push, dialogue, mix."""
    return [
        {"name": "none", "budget": 0.0, "push_share": 0.0},
        {"name": "push", "push_share": 1.0},
        {"name": "dialogue", "push_share": 0.0},
        {"name": "mix", "push_share": 0.5},
    ]


def json_schema() -> dict:
    """JSON Schema of the scenario format (for editors: completion and checking)."""
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = (
        "A Reclamare scenario file (TOML): one study comparing campaign arms. Every key is "
        "optional; anything left out takes the default shown here. See docs/scenarios.md."
    )
    return schema


def format_error(error: ValidationError, source: str | Message, raw: dict | None = None) -> Message:
    """One line: source, the first failing field (dotted), its value and what is allowed (a
    :class:`sim.i18n.Message`; the source, path and value are shown as written)."""
    first = error.errors()[0]
    loc = list(first["loc"])
    path = _loc_text(loc, raw)
    kind = first["type"]
    ctx = first.get("ctx", {}) or {}
    value = first.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed)
        return Message(
            N_("{source}: unknown parameter '{path}'{hint}"), source=source, path=path, hint=hint
        )
    if kind == "missing":
        return Message(N_("{source}: {path}: required"), source=source, path=path)
    problem = constraint_message(kind, ctx) or _validator_message(first)
    shown = "{...}" if isinstance(value, dict) else _one_line(repr(value), 80)
    if not path or path == "(top level)":
        return Message(N_("{source}: {problem}"), source=source, problem=problem)
    return Message(
        N_("{source}: {path} = {value}: {problem}"),
        source=source,
        path=path,
        value=shown,
        problem=problem,
    )


def _validator_message(first: dict) -> Message | str:
    """What a validator of the schema said: its Message when it raised one, else pydantic's
    English text on one line."""
    raised = (first.get("ctx") or {}).get("error")
    if isinstance(raised, Exception) and raised.args and isinstance(raised.args[0], Message):
        return raised.args[0]
    return _one_line(first["msg"].removeprefix("Value error, "))


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
