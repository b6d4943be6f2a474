"""Export and share: a link that reopens the same settings, a scenario file, the runs as CSV.

- :func:`query_string` / :func:`controls_from_query`: the page's settings as URL query
  parameters (``?preset=karate&strategy=push&...&lang=nb``) and back. Only values the controls
  can hold are accepted; anything else is a one-line message naming the parameter and what is
  allowed (a :class:`LinkProblem`: English, and in the page's language with ``.text(_)``), and
  that control keeps its value.
- :func:`scenario_toml`: a scenario file of the current settings (loads with
  ``sim.study.scenario``; runs the same arms with ``python run_sim.py run FILE``).
- :func:`runs_csv`: every week of the campaigns on the page, one row per campaign and week.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import fields, replace
from urllib.parse import parse_qsl, urlencode

from sim.i18n import LANGUAGES
from sim.shipped import command_name
from sim.viz.chartspec import CHARTS, DEFAULT_CHARTS, MAX_CHARTS
from sim.viz.controls import (
    GROUP_TEXT_MAX,
    OUTREACH,
    SLIDERS,
    STRATEGIES,
    Controls,
    RunPlan,
    parse_seed,
)
from sim.viz.frames import N_
from sim.viz.presets import listed_preset


class LinkProblem(str):
    """One refused link parameter: the English line (the string itself), and the message and
    its fields, so the page can show it in its own language (:meth:`text`)."""

    def __new__(cls, message: str, **fields):
        line = super().__new__(cls, message.format(**fields))
        line.message, line.fields = message, fields
        return line

    def text(self, _) -> str:
        """The line in the language of the translator ``_``."""
        fields = {k: _(v) if k == "reason" else v for k, v in self.fields.items()}
        return _(self.message).format(**fields)


SEED_TOO_LARGE = N_("The seed is too large.")
SEED_NOT_WHOLE = N_("The seed must be a whole number, e.g. 42.")

# Query parameter -> slider of its range.
_NUMBERS = {
    "push_share": "push_share",
    "push_share_b": "push_share_b",
    "budget": "budget",
    "budget_b": "budget_b",
    "fit": "fit",
    "ad_credibility": "ad_credibility",
    "negativity": "negativity",
    "n": "n",
}


def query_string(controls: Controls, lang: str, charts: tuple[str, ...], present: bool) -> str:
    """The settings as a URL query (without the leading ``?``)."""
    items = [(f.name, getattr(controls, f.name)) for f in fields(controls)]
    items = [(k, ("1" if v else "0") if isinstance(v, bool) else v) for k, v in items]
    items += [("charts", ",".join(charts)), ("lang", lang)]
    if present:
        items.append(("present", "1"))
    return urlencode([(k, str(v)) for k, v in items])


def controls_from_query(query: str | None, base: Controls) -> tuple[Controls, dict, list[str]]:
    """Controls from a URL query, starting from ``base``.

    Returns ``(controls, page, problems)``: ``page`` holds ``lang``, ``charts`` and ``present``
    when given; ``problems`` one line per refused parameter (that setting keeps its value).
    A ``preset`` comes first: it sets every control, and the other parameters change it.
    ``budget`` is campaign A's weekly budget and, unless ``budget_b`` is given, B's too (a link
    made before the campaigns had a budget each meant both).
    """
    pairs = parse_qsl(query or "", keep_blank_values=True)
    given = dict(pairs)
    problems: list[str] = []
    page: dict = {}
    controls = base
    if "preset" in given:
        preset = listed_preset(given["preset"])
        if preset is None or preset.error:
            problems.append(
                LinkProblem(
                    N_("link: preset={value} is not one of the app's scenarios"),
                    value=repr(given["preset"]),
                )
            )
        else:
            from sim.viz.controls import controls_for

            controls = controls_for(preset)
    changes: dict = {}
    for key, value in pairs:
        if key in _NUMBERS:
            spec = SLIDERS[_NUMBERS[key]]
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not (spec.min <= number <= spec.max) or (spec.integer and number != int(number)):
                message = (
                    N_("link: {key}={value} is not allowed (a whole number from {low} to {high})")
                    if spec.integer
                    else N_("link: {key}={value} is not allowed (a number from {low} to {high})")
                )
                problems.append(
                    LinkProblem(
                        message,
                        key=key,
                        value=repr(value),
                        low=f"{spec.min:g}",
                        high=f"{spec.max:g}",
                    )
                )
                continue
            changes[key] = int(number) if spec.integer else number
        elif key in ("strategy", "strategy_b"):
            if value not in STRATEGIES:
                problems.append(_not_one_of(key, value, STRATEGIES))
            else:
                changes[key] = value
        elif key in ("outreach", "outreach_b"):
            if value not in OUTREACH:
                problems.append(_not_one_of(key, value, OUTREACH))
            else:
                changes[key] = value
        elif key in ("target_group", "target_group_b"):
            # The network's groups are known once it is built: a group it lacks gives way to
            # everyone there (sim.viz.arena); here only the form is checked.
            if len(value) > GROUP_TEXT_MAX or not value.isprintable():
                problems.append(
                    LinkProblem(
                        N_("link: {key}={value} is not a group's name"),
                        key=key,
                        value=repr(value[:GROUP_TEXT_MAX]),
                    )
                )
            else:
                changes[key] = value
        elif key == "network_kind":
            from sim.viz.controls import MENU_KINDS

            allowed = (*MENU_KINDS, controls.network_kind)
            if value not in allowed:
                problems.append(_not_one_of(key, value, allowed))
            else:
                changes[key] = value
        elif key == "seed":
            seed, message = parse_seed(value)
            if message:
                reason = SEED_TOO_LARGE if "too large" in message else SEED_NOT_WHOLE
                problems.append(
                    LinkProblem(
                        N_("link: seed={value}: {reason}"), value=repr(value), reason=reason
                    )
                )
            else:
                changes[key] = str(seed)
        elif key in ("compare", "present"):
            if value not in ("0", "1"):
                problems.append(
                    LinkProblem(N_("link: {key}={value} is not 0 or 1"), key=key, value=repr(value))
                )
            elif key == "compare":
                changes[key] = value == "1"
            else:
                page["present"] = value == "1"
        elif key == "lang":
            if value not in LANGUAGES:
                problems.append(_not_one_of(key, value, LANGUAGES))
            else:
                page["lang"] = value
        elif key == "charts":
            chosen = tuple(c for c in value.split(",") if c)
            unknown = [c for c in chosen if c not in CHARTS]
            if unknown or not chosen or len(chosen) > MAX_CHARTS:
                problems.append(
                    LinkProblem(
                        N_("link: charts={value}: up to {n} of {allowed}"),
                        value=repr(value),
                        n=MAX_CHARTS,
                        allowed=", ".join(CHARTS),
                    )
                )
            else:
                page["charts"] = chosen
        elif key != "preset":
            problems.append(LinkProblem(N_("link: unknown parameter {key}"), key=repr(key)))
    if "budget" in changes and "budget_b" not in given:
        changes["budget_b"] = changes["budget"]
    controls = replace(controls, **changes)
    page.setdefault("charts", DEFAULT_CHARTS)
    return controls, page, problems


def _not_one_of(key: str, value: str, allowed) -> LinkProblem:
    return LinkProblem(
        N_("link: {key}={value} is not one of {allowed}"),
        key=key,
        value=repr(value),
        allowed=", ".join(allowed),
    )


# ----------------------------------------------------------------------------- scenario file
def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(name: str, data: dict, lines: list[str], array: bool = False) -> None:
    scalars = {k: v for k, v in data.items() if v is not None and not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    lines.append(f"[[{name}]]" if array else f"[{name}]")
    lines.extend(f"{k} = {_toml_value(v)}" for k, v in scalars.items())
    lines.append("")
    for k, v in tables.items():
        _table(f"{name}.{k}", v, lines)


def scenario_toml(plan: RunPlan, title: str, replicates: int = 20) -> str:
    """A scenario file of ``plan``: every model setting that differs from the schema's
    defaults, the campaign(s) as ``[[arms]]``, the master seed and the scenario's weeks."""
    params = plan.params.model_dump(mode="json", exclude_defaults=True, exclude={"arm"})
    attitudes = params.pop("attitudes", None)
    lines = [
        "# Scenario saved from the Reclamare browser app.",
        f"# Run it with: {command_name()} run THIS_FILE",
        "",
        f"title = {_toml_value(' '.join(title.split()))}",
        f"weeks = {int(plan.weeks)}",
        f"replicates = {int(replicates)}",
        f"seed = {int(plan.master_seed)}",
    ]
    if attitudes is not None:
        lines.append(f"attitudes = {_toml_value(attitudes)}")
    lines.append("")
    for section, data in params.items():
        if isinstance(data, dict) and data:
            _table(section, data, lines)
    arms = [plan.arm_a] + ([plan.arm_b] if plan.arm_b is not None else [])
    for arm in arms:
        _table("arms", arm.model_dump(mode="json"), lines, array=True)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ CSV
def runs_csv(arm_names: list[str], histories: list[dict[str, list[float]]]) -> str:
    """The campaigns on the page as CSV: ``arm, week`` and every measure, one row per week."""
    measures: list[str] = []
    for history in histories:
        measures.extend(m for m in history if m not in measures and m != "week")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["arm", "week", *measures])
    for name, history in zip(arm_names, histories, strict=True):
        weeks = max((len(v) for v in history.values()), default=0)
        for week in range(weeks):
            row = [name, week]
            for m in measures:
                values = history.get(m, [])
                v = values[week] if week < len(values) else None
                row.append("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            writer.writerow(row)
    return out.getvalue()


__all__ = ["LinkProblem", "controls_from_query", "query_string", "runs_csv", "scenario_toml"]
