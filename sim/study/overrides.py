"""``--set PATH=VALUE``: the value parsed as TOML, the path checked against the scenario
format, then set in the scenario's data (after ``extends``, before validation).

Paths are ``section.field`` for a parameter (``network.n``), ``arms.<arm name>.<field>`` for one
arm, and (for ``--set``) the study's own fields (``weeks``, ``report.measures``). The same check
applies to the paths of a ``[sweep]``, and ``set_path`` sets a sweep point's values.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from pydantic import BaseModel

from sim.i18n import N_, Message
from sim.params import ArmSpec, ModelParams, did_you_mean
from sim.study.schema import PARAM_SECTIONS, ReportSpec, ScenarioError, default_arm_entries


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
        raise ScenarioError(
            Message(
                N_("--set {text}: expected PATH=VALUE, e.g. --set network.n=200"), text=repr(text)
            )
        )
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
            raise ScenarioError(
                Message(N_("{source}: arm paths look like arms.<arm name>.<field>"), source=source)
            )
        if parts[1] not in names:
            hint = did_you_mean(parts[1], [str(n) for n in names])
            raise ScenarioError(
                Message(
                    N_("{source}: no arm named {name}{hint}"),
                    source=source,
                    name=repr(parts[1]),
                    hint=hint,
                )
            )
        _check_field(ArmSpec, parts[2], source)
        return
    if allow_top and head in top_scalars:
        if len(parts) != 1:
            raise ScenarioError(
                Message(
                    N_("{source}: {head} is a single value, not a table"), source=source, head=head
                )
            )
        return
    if allow_top and head == "report":
        if len(parts) != 2:
            raise ScenarioError(
                Message(N_("{source}: report paths look like report.<field>"), source=source)
            )
        _check_field(ReportSpec, parts[1], source)
        return
    if head == "attitudes":
        if len(parts) != 1:
            raise ScenarioError(
                Message(
                    N_("{source}: {head} is a single value, not a table"), source=source, head=head
                )
            )
        return
    if head in PARAM_SECTIONS:
        if len(parts) != 2:
            raise ScenarioError(
                Message(
                    N_("{source}: parameter paths look like {head}.<field>"),
                    source=source,
                    head=head,
                )
            )
        _check_field(ModelParams.model_fields[head].annotation, parts[1], source)
        return
    allowed = [*PARAM_SECTIONS, "attitudes", "arms"]
    if allow_top:
        allowed += [*top_scalars, "report"]
    hint = did_you_mean(head, allowed)
    raise ScenarioError(
        Message(
            N_("{source}: unknown parameter {name}{hint}"),
            source=source,
            name=repr(head),
            hint=hint,
        )
    )


def _check_field(section: type[BaseModel], name: str, source: str) -> None:
    if name not in section.model_fields:
        hint = did_you_mean(name, list(section.model_fields))
        raise ScenarioError(
            Message(
                N_("{source}: unknown field {name}{hint}"),
                source=source,
                name=repr(name),
                hint=hint,
            )
        )


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
