"""report.html: one self-contained page (figures embedded) a workshop participant can open.

The question, the setup in words, the key table, the figures and the caveats. No scripts, no
external files: it opens by double-click in any browser, also offline.

This module gathers what the page shows (numbers already written for the page's language);
the markup is in the templates ``sim/outputs/templates/report.html`` and its ``partials/``
(``sim.outputs.pages``: Jinja2, autoescaping on, text through the gettext catalogue). The
setup's sentences are in ``sim.outputs.setup_words``.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path

from markupsafe import Markup

from sim.engine.measures import LABELS, LOWER_IS_BETTER, label
from sim.i18n import DEFAULT_LANGUAGE, N_
from sim.i18n.scenarios import scenario_text
from sim.outputs import setup_words
from sim.outputs.pages import PageText, StudyText, render
from sim.shipped import command_name
from sim.study.folders import write_text


def html_translator(lang: str) -> PageText:
    """The page's words in ``lang`` (``sim.outputs.pages.PageText``): ``_(message, **values)``
    as escaped markup, ``_.plain``, ``_.fmt(x)``, ``_.interval(low, high)``, ``_.value(v)``."""
    return PageText(lang)


def write_report(
    path: Path,
    manifest: dict,
    summary: dict,
    figures: list[Path],
    complete: bool = True,
    lang: str = DEFAULT_LANGUAGE,
    plausible=None,
) -> Path:
    """Write the report page in the language ``lang`` (``sim.i18n.LANGUAGES``); returns its path.

    ``plausible``: the lead shares over plausible markets (``sim.study.markets``), which the
    page leads with when given.

    The scenario's own title, description and arm names are the author's words and are shown
    as written, except that a shipped scenario's title and description are shown in ``lang``
    when its catalogue has an up-to-date translation (sim/i18n/scenarios.py).
    """
    study = manifest["scenario"]
    _ = StudyText(html_translator(lang), study.get("arms"))
    text = scenario_text(study.get("title"), study.get("description"), lang)
    context = {
        "title": text.title,
        "description": text.description.strip(),
        "complete": complete,
        "done": manifest.get("runs_done", "?"),
        "total": manifest.get("runs_total", "?"),
        "plausible": plausible_context(plausible, _)
        if plausible is not None and not plausible.empty
        else None,
        "setup": setup_context(study, _),
        "what_pays": what_pays_context(summary.get("what_pays") or [], _),
        "leads": leads_context(summary.get("leads") or [], _),
        "claims": claims_context(summary.get("claims") or []),
        "command": f"{command_name()} check",
        "key": key_context(study, summary, _),
        "media": media_plan_context(summary),
        "answer": answer_context(summary, _),
        "figures": [
            {"alt": figure_alt(Path(fig).stem, _), "data": _png(fig), "stem": Path(fig).stem}
            for fig in figures
        ],
        "caveats": CAVEATS,
        "meta": meta_context(manifest),
        "arm": _.arm,
    }
    lead = lead_figure([f["stem"] for f in context["figures"]], summary, study)
    context["lead_figure"] = next((f for f in context["figures"] if f["stem"] == lead), None)
    context["figures"] = [f for f in context["figures"] if f["stem"] != lead]
    write_text(Path(path), render("report.html", lang, **context))
    return Path(path)


def _png(path) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


CAVEATS = (
    N_(
        "This is a model, not a forecast. Its parameter values are illustrative, chosen to be "
        "plausible from the marketing literature (see docs/model.md), not estimated for any real "
        "brand or market. Use it to think about mechanisms and to compare strategies under stated "
        "assumptions."
    ),
    N_(
        "The 95 % intervals describe the model's own randomness over the replicates (Student t), "
        "nothing else: not the uncertainty in the parameters, and not the gap between the model "
        "and a real market. More replicates give narrower intervals but the same assumptions."
    ),
    N_(
        "Arms are compared on the same networks and random streams (common random numbers), so "
        "the paired differences are sharper than the two arms' separate intervals suggest."
    ),
    N_(
        "Budgets are per 1,000 customers per week; push and dialogue buy very different numbers "
        "of contacts with the same money (see the setup). Conclusions can flip with the costs, "
        "the product's true fit and the network: try a sweep before generalising."
    ),
)

# Alternative text of each figure (by file name); sweep figures are named after their measure.
FIGURE_ALT = {
    "awareness": N_("Awareness over the weeks, per arm"),
    "adoption": N_("Adoption over the weeks, per arm"),
    "profit": N_("Profit to date over the weeks, per arm"),
    "market_share": N_("Market share over the weeks, per arm"),
    "customers": N_("Customers of the brand over the weeks, per arm"),
    "mean_attitude": N_(
        "Mean attitude over the weeks, per arm: of the aware customers (left) and of all "
        "customers (right)"
    ),
    "net_sentiment": N_("Net sentiment over the weeks, per arm"),
    "attitude_histograms": N_("Attitude histograms per arm and week"),
    "wom": N_("Positive and negative word of mouth over the weeks, per arm"),
    "spend_efficiency": N_("Cost per aware customer over the weeks, per arm"),
    "first_heard": N_("How customers first heard of the brand, per arm"),
    "irritated": N_("Irritated customers over the weeks, per arm"),
    "awareness_outside_target": N_("Awareness outside the target group over the weeks"),
    "product_fit": N_("Product fit over the weeks, per arm"),
}


def figure_alt(stem: str, _) -> str:
    """Alternative text of a figure file, in the reader's language (plain text)."""
    if stem in FIGURE_ALT:
        return _.plain(FIGURE_ALT[stem])
    for prefix, text in (
        ("sweep_winner_", N_("Best arm per grid point: {measure}")),
        ("sweep_diff_", N_("Paired difference over the sweep: {measure}")),
        ("sweep_", N_("{measure} over the sweep, per arm")),
    ):
        if stem.startswith(prefix):
            rest = stem[len(prefix) :]
            measure = max((m for m in LABELS if rest.startswith(m)), key=len, default=rest)
            return _.plain(text).format(measure=label(measure, _.plain))
    return stem.replace("_", " ")


# ------------------------------------------------------------------------------ setup


def setup_context(study: dict, _) -> dict:
    """The setup section's sentences (plain text; ``partials/setup.html`` lays them out)."""
    from sim.engine.mechanisms import describe

    p = study["params"]
    sweep = study.get("sweep") or {}
    return {
        "lines": setup_words.setup_items(study, _),
        "arms": [
            (_.arm(arm["name"]), setup_words.arm_words(arm, p["push"], p["dialogue"], _))
            for arm in study["arms"]
        ],
        "mechanisms": describe(p, _.plain),
        "grid": setup_words.sweep_grid(sweep, _) if sweep else "",
        "runs": setup_words.runs_words(study, _),
        "baseline": _.arm(study["baseline"]),
    }


# ------------------------------------------------------------------------------ verdicts


def _gap(d: dict, _) -> str:
    """A paired difference and its interval: ``0.178 [0.1, 0.25]``."""
    return f"{_.fmt(d['mean'])} {_.interval(d['low'], d['high'])}"


def _verdict_item(item: dict, _) -> dict:
    """A lead or what-pays item with its numbers and names written for the page."""
    return {
        "measure": item["measure"],
        "name": label(item["measure"], _.plain).lower(),
        "week": item["week"],
        "leader": _.arm(item["leader"]),
        "runner_up": _.arm(item["runner_up"]),
        "leader_mean": _.fmt(item["leader_mean"]),
        "runner_up_mean": _.fmt(item["runner_up_mean"]),
        "gap": _gap(item["difference"], _),
        "diff": _.fmt(item["difference"]["mean"]),
        "diff_interval": _.interval(item["difference"]["low"], item["difference"]["high"]),
        "tie": bool(item["tie"]),
    }


def leads_context(leads: list[dict], _) -> list[tuple[int, list[dict]]]:
    """``[(week, [lead, ...]), ...]``: who leads each key measure, week by week."""
    weeks = sorted({item["week"] for item in leads})
    return [(w, [_verdict_item(i, _) for i in leads if i["week"] == w]) for w in weeks]


def what_pays_context(items: list[dict], _) -> list[dict]:
    """Which arm has the highest profit to date (and return per cu spent) at the last week."""
    return [_verdict_item(item, _) for item in items]


def who_leads(leads: list[dict], _) -> Markup:
    """Plain sentences: which arm leads each key measure at weeks 4, 13 and 52, or a tie."""
    return render("partials/leads.html", _.lang, leads=leads_context(leads, _)).rstrip("\n")


def what_pays(items: list[dict], _) -> Markup:
    """One paragraph: which arm has the highest profit to date after its marketing spend at the
    last week, whether that lead is beyond noise, and which returns most per cu spent."""
    context = what_pays_context(items, _)
    if not context:
        return Markup("")
    return render("partials/what_pays.html", _.lang, what_pays=context).rstrip("\n")


def answer_context(summary: dict, _) -> dict:
    """The page's first screen: who leads each key measure at each key week (a table of
    measures by weeks, each cell the leader and its paired difference to the runner-up with
    its interval, or no clear leader) beside what pays."""
    leads = summary.get("leads") or []
    weeks = sorted({item["week"] for item in leads})
    measures = list(dict.fromkeys(item["measure"] for item in leads))
    cells = {(i["week"], i["measure"]): _verdict_item(i, _) for i in leads}
    rows = [{"measure": m, "cells": [cells.get((w, m)) for w in weeks]} for m in measures]
    return {"weeks": weeks, "rows": rows}


def lead_figure(stems: list[str], summary: dict, study: dict) -> str | None:
    """The one figure that shows the answer: profit when the page says what pays, else the
    first measure the verdict names (a sweep: its first key measure's best-arm map), else the
    first figure."""
    wanted = ["profit"] if summary.get("what_pays") else []
    wanted += [item["measure"] for item in summary.get("leads") or []]
    wanted += list(study.get("key_measures") or [])
    for measure in wanted:
        for stem in (measure, f"sweep_winner_{measure}", f"sweep_{measure}"):
            if stem in stems:
                return stem
    return stems[0] if stems else None


# ------------------------------------------------------------------------------ claims


def claims_context(claims: list[dict]) -> list[dict]:
    """The scenario's claims ([[expect]]) judged on this study's runs: held / not held."""
    return [
        {
            "claim": c["claim"],
            "says": c.get("says") or "",
            "held": c.get("held"),
            "why": c.get("why", ""),
            "ci": {"mean": c["mean"], "low": c["low"], "high": c["high"]}
            if c.get("held") is not None
            else None,
            "margin": c.get("margin"),
            "replicates": c["replicates"],
        }
        for c in claims
    ]


def claims_table(claims: list[dict], _) -> Markup:
    """The claims' table alone (as on the page)."""
    context = {"claims": claims_context(claims), "command": f"{command_name()} check"}
    return render("partials/claims.html", _.lang, **context).rstrip("\n")


# ------------------------------------------------------------------------------ tables


def key_context(study: dict, summary: dict, _) -> dict:
    """The key tables: levels and paired differences per sweep point (or, for large grids,
    one row per point with the first key measure)."""
    measures = [m for m in study.get("key_measures", []) if m in summary["units"]]
    paths = summary.get("sweep_paths") or []
    points = []
    for point in summary["points"]:
        diffs = point["differences"] + [
            c for c in point.get("contrasts", []) if c["versus"] != summary["baseline"]
        ]
        points.append(
            {
                "label": ", ".join(f"{k} = {_.value(v)}" for k, v in point["point"].items())
                if paths
                else "",
                "arms": point["arms"],
                "diffs": diffs,
            }
        )
    compact = sweep_compact_context(summary, measures, _) if len(points) > 6 else None
    return {
        "measures": measures,
        "week": summary["final_week"],
        "points": points,
        "compact": compact,
    }


def sweep_compact_context(summary: dict, measures: list[str], _) -> dict:
    """Large grids: one row per point, one column per arm, for the first key measure; the
    best arm's cell of each row is marked."""
    m = measures[0]
    arms = summary["arms"]
    rows = []
    for point in summary["points"]:
        levels = {a["arm"]: a["measures"][m] for a in point["arms"]}
        if m in LOWER_IS_BETTER:
            best = min(arms, key=lambda a: _num(levels[a].get("mean"), math.inf))
        else:
            best = max(arms, key=lambda a: _num(levels[a].get("mean"), -math.inf))
        rows.append(
            {
                "point": [_.value(v) for v in point["point"].values()],
                "cells": [(levels[a], a == best) for a in arms],
            }
        )
    return {
        "measure": m,
        "paths": summary["sweep_paths"],
        "arms": arms,
        "rows": rows,
        "week": summary["final_week"],
    }


def _sweep_compact(study: dict, summary: dict, measures: list[str], _) -> Markup:
    """The compact sweep table alone (as on the page)."""
    context = sweep_compact_context(summary, measures, _)
    return render("partials/sweep_compact.html", _.lang, compact=context).rstrip("\n")


# The planner's view of push (docs/model.md 7.9), in this order.
MEDIA_PLAN = ("grps", "grps_to_date", "weekly_reach", "frequency", "ad_to_sales")


def media_plan_context(summary: dict) -> dict | None:
    """The media plan as a planner reads it at the last week: GRPs this week and to date, weekly
    reach, average frequency and the advertising-to-sales ratio to date, for the arms that
    bought ads (not for sweeps; None when no arm advertised or the folder predates them)."""
    if summary.get("sweep_paths") or not summary["points"]:
        return None
    point = summary["points"][0]
    arms = [
        item
        for item in point["arms"]
        if all(m in item["measures"] for m in MEDIA_PLAN)
        and (item["measures"]["grps_to_date"]["mean"] or 0) > 0
    ]
    if not arms:
        return None
    return {"measures": MEDIA_PLAN, "arms": arms, "week": summary["final_week"]}


def _diff_cell(ci: dict, _) -> Markup:
    """A cell of the paired-difference table (as on the page)."""
    return render("partials/cell.html", _.lang, ci=ci).rstrip("\n")


def _num(x, default=math.nan) -> float:
    return default if x is None else float(x)


# ------------------------------------------------------------------------------ plausible


def plausible_context(table, _) -> dict:
    """The answer over plausible markets: a sentence per comparison on profit (or the first
    key measure) at the last week, then the share table for every key measure and week. A
    sweep's table (``sweep --plausible``) has them at every grid point (``point``, e.g.
    "arm.budget = 5.0"; empty for a run)."""
    from sim.study.markets import point_columns

    paths = point_columns(table)

    def where(values) -> str:
        return ", ".join(f"{p} = {v}" for p, v in zip(paths, values, strict=True))

    week = int(table["week"].max())
    markets = int(table["markets"].max())
    headline_measure = "profit" if "profit" in set(table["measure"]) else table["measure"].iloc[0]
    last = table[(table["week"] == week) & (table["measure"] == headline_measure)]
    sentences = [
        {
            "point": where([row[p] for p in paths]),
            "share": _.percent(row["share"]),
            "low": _.percent(row["low"]),
            "high": _.percent(row["high"]),
            "arm": _.arm(row["arm"]),
            "versus": _.arm(row["versus"]),
            "measure": row["measure"],
            "name": label(row["measure"], _.plain).lower(),
        }
        for row in last.to_dict("records")
        if row["markets"] > 0
    ]
    weeks = sorted(set(table["week"]))
    rows = []
    for key, group in table.groupby([*paths, "arm", "versus", "measure"], sort=False):
        *values, arm, versus, measure = key
        cells = []
        for w in weeks:
            hit = group[group["week"] == w]
            if hit.empty or hit.iloc[0]["markets"] == 0:
                cells.append(None)
                continue
            r = hit.iloc[0]
            cells.append([_.percent(r["share"]), _.percent(r["low"]), _.percent(r["high"])])
        rows.append(
            {
                "point": where(values),
                "arm": _.arm(arm),
                "versus": _.arm(versus),
                "measure": measure,
                "cells": cells,
            }
        )
    return {
        "week": week,
        "markets": markets,
        "sentences": sentences,
        "weeks": weeks,
        "rows": rows,
        "swept": bool(paths),
    }


# ------------------------------------------------------------------------------ meta


def meta_context(manifest: dict) -> dict:
    """The command, when it ran, the code's commit and the package versions."""
    versions = ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items() if v)
    git = manifest.get("git") or {}
    return {
        "command": " ".join(manifest.get("command", [])),
        "started": manifest.get("started") or "",
        "finished": manifest.get("finished") or "",
        "commit": git.get("commit", "")[:12],
        "versions": versions,
    }
