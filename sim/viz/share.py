"""Export and share: a link that reopens the same settings, a scenario file, the runs as CSV.

- :func:`query_string` / :func:`controls_from_query`: the page's settings as URL query
  parameters (``?preset=karate&strategy=push&...&lang=nb``) and back. Only values the controls
  can hold are accepted; anything else is a one-line message naming the parameter and what is
  allowed, and that control keeps its value.
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
from sim.viz.chartspec import CHARTS, DEFAULT_CHARTS, MAX_CHARTS
from sim.viz.controls import SLIDERS, STRATEGIES, Controls, RunPlan, parse_seed
from sim.viz.presets import listed_preset

# Query parameter -> slider of its range.
_NUMBERS = {
    "push_share": "push_share",
    "push_share_b": "push_share_b",
    "budget": "budget",
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
    """
    pairs = parse_qsl(query or "", keep_blank_values=True)
    given = dict(pairs)
    problems: list[str] = []
    page: dict = {}
    controls = base
    if "preset" in given:
        preset = listed_preset(given["preset"])
        if preset is None or preset.error:
            problems.append(f"link: preset={given['preset']!r} is not one of the app's scenarios")
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
                kind = "a whole number" if spec.integer else "a number"
                problems.append(
                    f"link: {key}={value!r} is not allowed ({kind} from {spec.min:g} to "
                    f"{spec.max:g})"
                )
                continue
            changes[key] = int(number) if spec.integer else number
        elif key in ("strategy", "strategy_b"):
            if value not in STRATEGIES:
                problems.append(f"link: {key}={value!r} is not one of {', '.join(STRATEGIES)}")
            else:
                changes[key] = value
        elif key == "network_kind":
            from sim.viz.controls import MENU_KINDS

            allowed = (*MENU_KINDS, controls.network_kind)
            if value not in allowed:
                problems.append(f"link: network_kind={value!r} is not one of {', '.join(allowed)}")
            else:
                changes[key] = value
        elif key == "seed":
            seed, message = parse_seed(value)
            if message:
                problems.append(f"link: seed={value!r}: {message}")
            else:
                changes[key] = str(seed)
        elif key in ("compare", "present"):
            if value not in ("0", "1"):
                problems.append(f"link: {key}={value!r} is not 0 or 1")
            elif key == "compare":
                changes[key] = value == "1"
            else:
                page["present"] = value == "1"
        elif key == "lang":
            if value not in LANGUAGES:
                problems.append(f"link: lang={value!r} is not one of {', '.join(LANGUAGES)}")
            else:
                page["lang"] = value
        elif key == "charts":
            chosen = tuple(c for c in value.split(",") if c)
            unknown = [c for c in chosen if c not in CHARTS]
            if unknown or not chosen or len(chosen) > MAX_CHARTS:
                problems.append(
                    f"link: charts={value!r}: up to {MAX_CHARTS} of {', '.join(CHARTS)}"
                )
            else:
                page["charts"] = chosen
        elif key != "preset":
            problems.append(f"link: unknown parameter {key!r}")
    controls = replace(controls, **changes)
    page.setdefault("charts", DEFAULT_CHARTS)
    return controls, page, problems


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
        "# Run it with: python run_sim.py run THIS_FILE",
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


__all__ = ["controls_from_query", "query_string", "runs_csv", "scenario_toml"]
