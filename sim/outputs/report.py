"""report.html: one self-contained page (figures embedded) a workshop participant can open.

The question, the setup in words, the key table, the figures and the caveats. No scripts, no
external files: it opens by double-click in any browser, also offline.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

from sim.engine.measures import LABELS, LOWER_IS_BETTER, MEASURES
from sim.study.results import write_text

UNITS = {m.name: m.unit for m in MEASURES}

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 18px;
       line-height: 1.5; color: #222; max-width: 1150px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 2em; margin-bottom: 0.2em; }
h2 { margin-top: 1.6em; border-bottom: 2px solid #ddd; }
.question { font-size: 1.15em; background: #f3f7fb; border-left: 6px solid #0072B2;
            padding: 0.6em 1em; white-space: pre-line; }
.warning { background: #fff3cd; border-left: 6px solid #E69F00; padding: 0.6em 1em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.95em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.7em; text-align: right; }
th { background: #f0f0f0; } td.arm, th.arm { text-align: left; font-weight: bold; }
td .ci { color: #666; font-size: 0.85em; }
td.up { background: #e6f4ea; } td.down { background: #fdecea; }
figure { margin: 1.5em 0; } figure img { width: 100%; border: 1px solid #eee; }
.meta { color: #555; font-size: 0.85em; } ul.setup li { margin: 0.2em 0; }
"""


def write_report(
    path: Path, manifest: dict, summary: dict, figures: list[Path], complete: bool = True
) -> Path:
    """Write the report page; returns its path."""
    study = manifest["scenario"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(study['title'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(study['title'])}</h1>",
    ]
    if not complete:
        done, total = manifest.get("runs_done", "?"), manifest.get("runs_total", "?")
        parts.append(
            f'<p class="warning"><b>Incomplete study:</b> only {done} of {total} runs finished. '
            "The numbers below use the finished runs only. See the INCOMPLETE file in this "
            "folder for the command that finishes it.</p>"
        )
    if study.get("description"):
        parts.append(f'<div class="question">{_e(study["description"].strip())}</div>')
    parts.append("<h2>Setup</h2>")
    parts.append(setup_in_words(study))
    parts.append("<h2>Key results</h2>")
    if summary.get("what_pays"):
        parts.append(what_pays(summary["what_pays"]))
    if summary.get("leads"):
        parts.append(who_leads(summary["leads"]))
    if summary.get("claims"):
        parts.append(claims_table(summary["claims"]))
    parts.append(key_tables(study, summary))
    if figures:
        parts.append("<h2>Figures</h2>")
        for fig in figures:
            data = base64.b64encode(Path(fig).read_bytes()).decode("ascii")
            alt = Path(fig).stem.replace("_", " ")
            parts.append(
                f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'
            )
    parts.append("<h2>Caveats</h2>")
    parts.append(CAVEATS)
    parts.append(_meta(manifest))
    parts.append("</body></html>")
    write_text(Path(path), "\n".join(parts) + "\n")
    return Path(path)


CAVEATS = """<ul>
<li>This is a model, not a forecast. Its parameter values are illustrative, chosen to be
plausible from the marketing literature (see docs/model.md), not estimated for any real brand or
market. Use it to think about mechanisms and to compare strategies under stated assumptions.</li>
<li>The 95 % intervals describe the model's own randomness over the replicates (Student t),
nothing else: not the uncertainty in the parameters, and not the gap between the model and a
real market. More replicates give narrower intervals but the same assumptions.</li>
<li>Arms are compared on the same networks and random streams (common random numbers), so the
paired differences are sharper than the two arms' separate intervals suggest.</li>
<li>Budgets are per 1,000 customers per week; push and dialogue buy very different numbers of
contacts with the same money (see the setup). Conclusions can flip with the costs, the product's
true fit and the network: try a sweep before generalising.</li>
</ul>"""


def setup_in_words(study: dict) -> str:
    p = study["params"]
    net, push, dia, prod = p["network"], p["push"], p["dialogue"], p["product"]
    items = [f"<li><b>Market:</b> {_network_words(net)}.</li>"]
    pop = p["population"]
    items.append(
        f"<li><b>At the start:</b> {pop['initial_awareness']:.0%} of customers know the brand; "
        f"predispositions average {pop['initial_attitude']:+.2f} on a scale from -1 to +1.</li>"
    )
    if p.get("attitudes", True):
        learning = p.get("learning") or {}
        learns = (
            f" Learning from customers is on: what the brand hears can raise the fit toward "
            f"{learning['ceiling']:+.2f}."
            if learning.get("enabled")
            else " The product does not change during the study (learning is off)."
        )
        items.append(
            f"<li><b>Product:</b> its true fit is {prod['fit']:+.2f} for a customer of average "
            f"taste (what using it settles customers on).{learns}</li>"
        )
    else:
        items.append(
            "<li><b>Attitudes are switched off:</b> only awareness spreads (the Bass limit).</li>"
        )
    items.append(f"<li><b>Money and market:</b> {_market_words(p)}.</li>")
    crisis = p["crisis"]
    if crisis.get("week"):
        items.append(
            f"<li><b>Crisis:</b> in week {crisis['week']}, {crisis['share']:.0%} of customers "
            f"hear bad news and their attitude drops to {crisis['attitude']:+.2f}.</li>"
        )
    arms = []
    for arm in study["arms"]:
        arms.append(f"<li><b>{_e(arm['name'])}</b>: {_arm_words(arm, push, dia)}</li>")
    items.append("<li><b>Arms compared</b> (budgets per 1,000 customers per week):<ul>")
    items += arms
    items.append("</ul></li>")
    from sim.engine.mechanisms import describe

    items.append(
        "<li><b>Mechanisms</b> (docs/model.md explains each):<ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in describe(p))
        + "</ul></li>"
    )
    sweep = study.get("sweep") or {}
    if sweep:
        grid = "; ".join(f"{_e(k)} = {', '.join(map(str, v))}" for k, v in sweep.items())
        items.append(f"<li><b>Sweep:</b> every combination of {grid}.</li>")
    items.append(
        f"<li><b>Runs:</b> {study['weeks']} weeks, {study['replicates']} replicates per arm"
        f"{' and grid point' if sweep else ''}, master seed {study['seed']}. Differences are "
        f"against the <b>{_e(study['baseline'])}</b> arm.</li>"
    )
    return '<ul class="setup">' + "\n".join(items) + "</ul>"


def _market_words(p: dict) -> str:
    """The category, the competitor and the money, in words."""
    market = p.get("market") or {}
    money = p.get("money") or {}
    potential = market.get("potential", 1.0)
    words = [f"{potential:.0%} of customers are in the category"]
    rate = market.get("purchase_rate")
    if rate is None:
        words.append("each buys the brand at most once (one-off adoption, no competitor)")
    else:
        words.append(
            f"they buy in it {rate * 52:.3g} times a year on average, each time the brand or "
            f"the alternative (attractiveness {market.get('competitor', 0.0):+.2f}"
            + (
                f", {market['launch_attractiveness']:+.2f} from week {market['launch_week']}"
                if market.get("launch_week")
                else ""
            )
            + "); customers who choose the alternative lapse and may come back"
        )
    if money:
        words.append(
            f"a unit sells at {money.get('price', 0):g} cu with a margin of "
            f"{money.get('unit_margin', 0):g} cu"
        )
    return "; ".join(words)


def _network_words(net: dict) -> str:
    kind = net["kind"]
    n = f"{net['n']:,} customers"
    words = {
        "well_mixed": f"{n} who all know each other (well mixed)",
        "ring": f"{n} on a ring lattice with {net['mean_degree']:g} ties each",
        "small_world": f"{n} on a small-world network ({net['mean_degree']:g} ties each, "
        f"{net['rewire']:.0%} of ties rewired)",
        "random": f"{n} on a random network (about {net['mean_degree']:g} ties each)",
        "scale_free": f"{n} on a scale-free network (mean {net['mean_degree']:g} ties; a few "
        "hubs know very many)",
        "clustered_scale_free": f"{n} on a clustered scale-free network (mean "
        f"{net['mean_degree']:g} ties)",
        "communities": f"{n} in {net['groups']} communities (about {net['mean_degree']:g} ties "
        f"each, {net['mixing']:.0%} of them to other communities)",
        "karate": "the 34 members of Zachary's karate club and their friendships",
        "les_miserables": "the 77 characters of Les Miserables, tied when they meet",
        "florentine": "the 15 Florentine families tied by marriage",
        "davis": "the Southern women and the events they attended (Davis)",
        "file": f"the network read from {net.get('path')}",
    }
    return words.get(kind, kind)


def _arm_words(arm: dict, push: dict, dia: dict) -> str:
    budget = arm["budget"]
    if budget <= 0:
        return "no spending (what happens on its own)"
    share = arm["push_share"]
    impressions = budget * share / push["cost_per_impression"]
    talks = budget * (1 - share) / dia["cost_per_conversation"]
    parts = [f"{budget:g} cu a week"]
    if share > 0:
        target = f" to group {arm['target_group']}" if arm.get("target_group") else ""
        parts.append(
            f"{share:.0%} on push: {impressions:,.0f} ad impressions{target} "
            f"({impressions / 1000:.2g} per customer)"
        )
    if share < 1:
        parts.append(
            f"{1 - share:.0%} on dialogue: {talks:,.1f} conversations (answers first, then "
            f"{arm.get('outreach', 'random')} outreach)"
        )
    when = ""
    if arm.get("start_week", 1) > 1 or arm.get("end_week"):
        when = f"; weeks {arm.get('start_week', 1)} to {arm.get('end_week') or 'the end'}"
    return "; ".join(parts) + when


def who_leads(leads: list[dict]) -> str:
    """Plain sentences: which arm leads each key measure at weeks 4, 13 and 52, or a tie."""
    lines = []
    for week in sorted({item["week"] for item in leads}):
        sentences = []
        for item in (i for i in leads if i["week"] == week):
            label = LABELS.get(item["measure"], item["measure"]).lower()
            d = item["difference"]
            gap = f"{_fmt(d['mean'])} [{_fmt(d['low'])}, {_fmt(d['high'])}]"
            if item["tie"]:
                sentences.append(
                    f"on {_e(label)}, <b>no clear leader</b>: {_e(item['leader'])} "
                    f"({_fmt(item['leader_mean'])}) and {_e(item['runner_up'])} "
                    f"({_fmt(item['runner_up_mean'])}) differ by {gap}, within noise"
                )
            else:
                sentences.append(
                    f"<b>{_e(item['leader'])}</b> leads on {_e(label)} "
                    f"({_fmt(item['leader_mean'])} against {_e(item['runner_up'])}'s "
                    f"{_fmt(item['runner_up_mean'])}; difference {gap})"
                )
        lines.append(f"<li><b>Week {week}:</b> " + "; ".join(sentences) + ".</li>")
    return (
        "<p>Who leads when (mean over replicates; the difference to the runner-up is paired "
        "by replicate, with its 95 % interval):</p><ul>" + "\n".join(lines) + "</ul>"
    )


def claims_table(claims: list[dict]) -> str:
    """The scenario's claims ([[expect]]) judged on this study's runs: held / not held."""
    rows = []
    for c in claims:
        if c.get("held") is None:
            verdict, cls, value = "not judged", "", _e(c.get("why", ""))
        else:
            verdict, cls = ("held", "up") if c["held"] else ("NOT held", "down")
            value = _ci_text({"mean": c["mean"], "low": c["low"], "high": c["high"]})
        says = f"<br><span class='ci'>{_e(c['says'])}</span>" if c.get("says") else ""
        rows.append(
            f"<tr><td class='arm'>{_e(c['claim'])}{says}</td><td class='{cls}'>{verdict}</td>"
            f"<td>{value}</td><td>{c['replicates']}</td></tr>"
        )
    return (
        "<p>The scenario's claims, judged on this study's runs (95 % paired intervals over the "
        "first <i>n</i> replicates; <code>python run_sim.py check</code> runs them alone):</p>"
        "<table><tr><th class='arm'>claim</th><th>verdict</th><th>mean [interval]</th>"
        "<th>n</th></tr>" + "".join(rows) + "</table>"
    )


def what_pays(items: list[dict]) -> str:
    """One paragraph: which arm has the highest profit to date after its marketing spend at the
    last week, whether that lead is beyond noise, and which returns most per cu spent."""
    sentences = []
    for item in items:
        d = item["difference"]
        gap = f"{_fmt(d['mean'])} [{_fmt(d['low'])}, {_fmt(d['high'])}]"
        leader, runner = _e(item["leader"]), _e(item["runner_up"])
        if item["measure"] == "profit":
            head = (
                f"by week {item['week']}, <b>{leader}</b> has the highest profit to date after "
                f"its marketing spend ({_fmt(item['leader_mean'])} cu per 1,000 customers, "
                f"against {runner}'s {_fmt(item['runner_up_mean'])}; difference {gap})"
            )
        else:
            head = (
                f"<b>{leader}</b> returns the most per cu spent ({_fmt(item['leader_mean'])} "
                f"against {runner}'s {_fmt(item['runner_up_mean'])}; difference {gap})"
            )
        sentences.append(head + (", <b>within noise</b>" if item["tie"] else ""))
    if not sentences:
        return ""
    return (
        "<p><b>What pays:</b> " + "; ".join(sentences) + ". Profit counts every unit sold "
        "(unit margin times units, less spend); the arm that spends nothing shows what the "
        "market buys on its own.</p>"
    )


def key_tables(study: dict, summary: dict) -> str:
    measures = [m for m in study.get("key_measures", []) if m in summary["units"]]
    paths = summary.get("sweep_paths") or []
    out = []
    week = summary["final_week"]
    for point in summary["points"]:
        if paths:
            label = ", ".join(f"{k} = {v}" for k, v in point["point"].items())
            out.append(f"<h3>{_e(label)}</h3>")
        head = "".join(
            f"<th>{_e(LABELS.get(m, m))}<br><small>{_e(UNITS[m])}</small></th>" for m in measures
        )
        rows = [f'<table><tr><th class="arm">Arm (week {week})</th>{head}</tr>']
        for item in point["arms"]:
            cells = "".join(f"<td>{_ci_text(item['measures'][m])}</td>" for m in measures)
            rows.append(f'<tr><td class="arm">{_e(item["arm"])}</td>{cells}</tr>')
        rows.append("</table>")
        out.append("".join(rows))
        diffs = point["differences"] + [
            c for c in point.get("contrasts", []) if c["versus"] != summary["baseline"]
        ]
        if diffs:
            rows = [f'<table><tr><th class="arm">Paired difference</th>{head}</tr>']
            for item in diffs:
                cells = "".join(_diff_cell(item["measures"][m]) for m in measures)
                name = f"{item['arm']} minus {item['versus']}"
                rows.append(f'<tr><td class="arm">{_e(name)}</td>{cells}</tr>')
            rows.append("</table>")
            out.append("".join(rows))
    if len(summary["points"]) > 6:
        out = _sweep_compact(study, summary, measures)
    out.append(
        '<p class="meta">Mean over replicates [95 % interval]. Green/red: the paired '
        "difference is above/below zero with 95 % confidence.</p>"
    )
    return "\n".join(out)


def _sweep_compact(study: dict, summary: dict, measures: list[str]) -> list[str]:
    """Large grids: one row per point, one column per arm, for the first key measure."""
    m = measures[0]
    arms = summary["arms"]
    head = "".join(f"<th>{_e(k)}</th>" for k in summary["sweep_paths"])
    head += "".join(f"<th>{_e(a)}</th>" for a in arms)
    rows = [
        f"<p>{_e(LABELS.get(m, m))} ({_e(UNITS[m])}) at week {summary['final_week']}, per grid "
        "point and arm (all measures are in sweep.csv):</p>",
        f"<table><tr>{head}</tr>",
    ]
    for point in summary["points"]:
        cells = "".join(f"<td>{_e(str(v))}</td>" for v in point["point"].values())
        levels = {a["arm"]: a["measures"][m] for a in point["arms"]}
        if m in LOWER_IS_BETTER:
            best = min(arms, key=lambda a: _num(levels[a].get("mean"), math.inf))
        else:
            best = max(arms, key=lambda a: _num(levels[a].get("mean"), -math.inf))
        for a in arms:
            text = _ci_text(levels[a])
            cells += f"<td><b>{text}</b></td>" if a == best else f"<td>{text}</td>"
        rows.append(f"<tr>{cells}</tr>")
    rows.append("</table>")
    return rows


def _num(x, default=math.nan) -> float:
    return default if x is None else float(x)


def _fmt(x) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.3g}" if abs(x) >= 0.001 or x == 0 else f"{x:.2e}"


def _ci_text(ci: dict) -> str:
    if ci["low"] is None:
        return _fmt(ci["mean"])
    return f'{_fmt(ci["mean"])} <span class="ci">[{_fmt(ci["low"])}, {_fmt(ci["high"])}]</span>'


def _diff_cell(ci: dict) -> str:
    cls = ""
    if ci["low"] is not None and ci["low"] > 0:
        cls = ' class="up"'
    elif ci["high"] is not None and ci["high"] < 0:
        cls = ' class="down"'
    mean = ci["mean"]
    sign = "+" if mean is not None and mean > 0 else ""
    text = _ci_text(ci)
    return f"<td{cls}>{sign}{text}</td>"


def _meta(manifest: dict) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items() if v)
    git = manifest.get("git") or {}
    commit = git.get("commit", "")[:12]
    return (
        '<p class="meta">Command: <code>'
        + _e(" ".join(manifest.get("command", [])))
        + f"</code><br>Started {_e(manifest.get('started') or '')}"
        + (f", finished {_e(manifest['finished'])}" if manifest.get("finished") else "")
        + (f"<br>Code: git {commit}" if commit else "")
        + f"<br>{_e(versions)}</p>"
    )


def _e(text) -> str:
    return html.escape(str(text))
