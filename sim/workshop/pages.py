"""Worksheet, facilitator key and slides as self-contained HTML (figures embedded as data URIs).

The worksheet has, per exercise of the plan, the learning goal, the scenario, what to do in the
app and on the command line, prediction questions with room to answer, discussion questions
and extensions. The key adds the results of the kit's own runs (``findings``): tables of means
and intervals, paired differences, who leads (and whether beyond noise), what pays, and the
debrief figure. Numbers are formatted here (``number``), with a decimal comma in bokmål.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from sim.workshop import appsteps
from sim.workshop.exercises import BY_ID, Exercise, Plan

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{font-size:1.8rem}h2{border-top:3px solid #009E73;padding-top:.6rem;margin-top:2.5rem}
h3{margin-bottom:.3rem}h2,h3{break-after:avoid;page-break-after:avoid}
li,tr,.answer,img{break-inside:avoid}ol.answers li{margin:.2rem 0}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem}
.plan td,.plan th{text-align:left}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:600;
padding:.3rem 0}.answer{border:1px solid #bbb;min-height:4.5rem;margin:.3rem 0 1rem;
border-radius:4px}.note{background:#f4faf7;border-left:4px solid #009E73;padding:.5rem .8rem}
.small{color:#666;font-size:.85rem}img{max-width:100%;border:1px solid #ddd}
@media print{h2{break-before:page}.answer{min-height:6rem}}
"""


def number(value: float | None, lang: str) -> str:
    """A number as the key prints it: whole numbers from 100 on, else 3 significant digits."""
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if text in ("-0", "-0.0"):
        text = "0"
    if lang == "nb":
        text = text.replace(",", "\u00a0").replace(".", ",")
        if text.startswith("-"):
            text = "\u2212" + text[1:]  # a minus sign, not a hyphen
    return text


def is_share(measure: str) -> bool:
    """Whether ``measure`` is a share (shown as a percentage, as the app shows it)."""
    from sim.engine.measures import UNITS

    return UNITS.get(measure, "").startswith("share")


def value(measure: str, x: float | None, lang: str, diff: bool = False) -> str:
    """A level or a difference of ``measure``: a share in per cent (a difference in
    percentage points, without the unit), anything else as :func:`number`."""
    if x is None:
        return "-"
    if not is_share(measure):
        text = number(x, lang)
        return "+" + text if diff and x > 0 else text
    x = 100 * x
    text = f"{x:.1f}" if abs(x) < 10 else f"{x:.0f}"
    if float(text) == 0:
        text = "0"
    positive = float(text) > 0
    if lang == "nb":
        text = text.replace(".", ",").replace("-", "\u2212")
    if diff:
        return "+" + text if positive else text
    return f"{text}\u00a0%"


def interval(measure: str, ci: dict, lang: str, diff: bool = False) -> str:
    """``mean [low; high]`` of ``measure`` (see :func:`value`)."""
    mean = value(measure, ci["mean"], lang, diff)
    if ci.get("low") is None:
        return mean
    sep = "; " if lang == "nb" else ", "
    low, high = value(measure, ci["low"], lang, diff), value(measure, ci["high"], lang, diff)
    if not diff and is_share(measure):  # 12 % [10; 14 %] reads better without three %
        low, high = low.removesuffix("\u00a0%"), high
    return f"{mean} [{low}{sep}{high}]"


def _e(text: object) -> str:
    return html.escape(str(text))


def _code(text: str) -> str:
    """Escape, and show `backticked` parts and --set options as code."""
    parts = _e(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _page(title: str, body: str, lang: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def plan_table(plan: Plan, text: dict) -> str:
    ui = text["ui"]
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            _e(f"{m} {ui['minutes']}"), _e(who), _code(what)
        )
        for m, who, what in (s.split("|", 2) for s in text["plan"][plan.id]["steps"])
    )
    return (
        f"<table class=plan><tr><th>{_e(ui['timing'])}</th><th>{_e(ui['who'])}</th>"
        f"<th>{_e(ui['what'])}</th></tr>{rows}</table>"
    )


def _exercise_intro(exercise: Exercise, text: dict, worksheet: bool, lang: str) -> str:
    ui, ex = text["ui"], text["exercise"][exercise.id]
    out = [f"<h2>{_e(ui['exercise'])} {exercise.number}: {_e(ex['title'])}</h2>"]
    out.append(f"<p><b>{_e(ui['goal'])}:</b> {_e(ex['goal'])}</p>")
    out.append(
        f"<p><b>{_e(ui['scenario'])}:</b> <code>scenarios/{_e(exercise.scenario)}.toml</code></p>"
    )
    out.append(f"<h3>{_e(ui['app'])}</h3><ol>")
    out += [f"<li>{_code(step)}</li>" for step in appsteps.app_text(exercise, lang)]
    out.append(f"</ol><h3>{_e(ui['cli'])}</h3><p><code>{_e(exercise.cli)}</code></p>")
    out.append(f"<h3>{_e(ui['predict'])}</h3><ol>")
    for q in ex["predict"]:
        box = f'<div class="answer" aria-label="{_e(ui["your_answer"])}"></div>'
        out.append(f"<li>{_e(q)}{box if worksheet else ''}</li>")
    out.append(f"</ol><h3>{_e(ui['discuss'])}</h3><ol>")
    for q in ex["discuss"]:
        out.append(f"<li>{_e(q)}{'<div class=answer></div>' if worksheet else ''}</li>")
    out.append(f"</ol><h3>{_e(ui['extensions'])}</h3><ul>")
    out += [f"<li>{_code(x)}</li>" for x in ex["extensions"]]
    out.append("</ul>")
    return "\n".join(out)


def _by(ci: dict, verdict: str, lang: str) -> dict:
    """The difference, low and high of a sentence "more/less ... by X [low, high]": for "less"
    the amount is the shortfall (the interval's sign flipped), so no sentence says "less by -3"."""
    mean, low, high = ci["mean"], ci["low"], ci["high"]
    if verdict == "less":
        mean, low, high = -mean, -high, -low
    return {
        "difference": number(mean, lang),
        "low": number(low, lang),
        "high": number(high, lang),
    }


def _star(text: str, ci: dict) -> str:
    """A star after a difference whose interval excludes zero."""
    low, high = ci.get("low"), ci.get("high")
    return text + "*" if low is not None and (low > 0 or high < 0) else text


def _ci(ci: dict, lang: str, diff: bool = False) -> str:
    mean = number(ci["mean"], lang)
    if diff and ci["mean"] is not None and ci["mean"] > 0:
        mean = "+" + mean
    if ci["low"] is None:
        return mean
    star = "*" if diff and (ci["low"] > 0 or ci["high"] < 0) else ""
    sep = "; " if lang == "nb" else ", "  # a decimal comma needs another separator
    return f"{mean} [{number(ci['low'], lang)}{sep}{number(ci['high'], lang)}]{star}"


def short_answers(found: dict, text: dict, lang: str) -> list[str]:
    """One line per prediction question: the answer with its number and 95 % interval."""
    ui, label, arms = text["ui"], text["measures"], text["arms"]
    sep = "; " if lang == "nb" else ", "
    lines = []
    for a in found.get("answers", []):
        m = a["measure"]
        name = label.get(m, m)

        def arm(key):
            return arms.get(key, key)

        if a["kind"] in ("pair", "best"):
            d = a["difference"]
            lines.append(
                ui[f"answer_{a['kind']}"].format(
                    measure=name,
                    week=a["week"],
                    arm=arm(a["arm"]),
                    versus=arm(a["versus"]),
                    arm_value=value(m, a["levels"][a["arm"]]["mean"], lang),
                    versus_value=value(m, a["levels"][a["versus"]]["mean"], lang),
                    difference=interval(m, d, lang, diff=True),
                    noise=ui["within_noise"] if d["verdict"] == "same" else ui["beyond_noise"],
                )
            )
        elif a["kind"] == "levels":
            levels = sep.join(f"{arm(k)} {interval(m, ci, lang)}" for k, ci in a["levels"].items())
            lines.append(ui["answer_levels"].format(measure=name, week=a["week"], levels=levels))
        elif a["kind"] == "change":
            changes = sep.join(
                f"{arm(k)} {interval(m, ci, lang, diff=True)}" for k, ci in a["changes"].items()
            )
            lines.append(
                ui["answer_change"].format(
                    measure=name, since=a["since"], week=a["week"], changes=changes
                )
            )
        elif a["kind"] == "sweep_best":
            lines.append(
                ui["answer_sweep_best"].format(
                    point=point_text(a["point"], text, lang),
                    arm=arm(a["arm"]),
                    versus=arm(a["versus"]),
                    arm_value=interval(m, a["level"], lang),
                    versus_value=value(m, a["versus_level"]["mean"], lang),
                )
            )
        else:
            key = "answer_sweep_some" if a["wins"] else "answer_sweep_none"
            lines.append(
                ui[key].format(
                    arm=arm(a["arm"]),
                    versus=arm(a["versus"]),
                    count=len(a["wins"]),
                    total=a["points"],
                    points=sep.join(point_text(p, text, lang) for p in a["wins"]),
                )
            )
    return lines


def _results(exercise: Exercise, found: dict, text: dict, lang: str, figure: Path) -> str:
    ui = text["ui"]
    label = text["measures"]
    arm = text["arms"]
    out = [f"<h3>{_e(ui['answers'])}</h3><ol class=answers>"]
    out += [f"<li>{_e(line)}</li>" for line in short_answers(found, text, lang)]
    out.append(f"</ol><h3>{_e(ui['expected'])}</h3>")
    out.append(f'<p class="note">{_e(text["exercise"][exercise.id]["teaching_note"])}</p>')
    if found["kind"] == "run":
        for t in found["tables"]:
            caption = ui["table_caption"].format(
                week=t["week"], replicates=found["replicates"], customers=found["customers"]
            )
            head = "".join(f"<th>{_e(label.get(m, m))}</th>" for m in found["measures"])
            rows = "".join(
                f"<tr><td>{_e(arm.get(a['arm'], a['arm']))}</td>"
                + "".join(
                    f"<td>{_e(interval(m, a['measures'][m], lang))}</td>" for m in found["measures"]
                )
                + "</tr>"
                for a in t["arms"]
            )
            diffs = "".join(
                f"<tr><td>{_e(arm.get(d['arm'], d['arm']))} &minus; "
                f"{_e(arm.get(d['versus'], d['versus']))}</td>"
                + "".join(
                    f"<td>{_e(_star(interval(m, d['measures'][m], lang, True), d['measures'][m]))}"
                    "</td>"
                    for m in found["measures"]
                )
                + "</tr>"
                for d in t["differences"]
            )
            versus = arm.get(found["versus"], found["versus"])
            out.append(
                f"<table><caption>{_e(caption)}</caption><tr><th>{_e(ui['arm'])}</th>{head}</tr>"
                f"{rows}<tr><th colspan={len(found['measures']) + 1}>"
                f"{_e(ui['differences'].format(versus=versus))}</th></tr>{diffs}</table>"
            )
        out.append(f"<h3>{_e(ui['leads'])}</h3><ul>")
        for item in found["leads"]:
            d = item["difference"]
            out.append(
                "<li>"
                + _e(
                    ui["lead"].format(
                        week=item["week"],
                        measure=label.get(item["measure"], item["measure"]),
                        leader=arm.get(item["leader"], item["leader"]),
                        runner_up=arm.get(item["runner_up"], item["runner_up"]),
                        leader_mean=value(item["measure"], item["leader_mean"], lang),
                        runner_up_mean=value(item["measure"], item["runner_up_mean"], lang),
                        difference=value(item["measure"], d["mean"], lang, True),
                        low=value(item["measure"], d["low"], lang, True),
                        high=value(item["measure"], d["high"], lang, True),
                        noise=ui["within_noise"] if item["tie"] else ui["beyond_noise"],
                    )
                )
                + "</li>"
            )
        out.append("</ul>")
        if found["pays"]:
            out.append(f"<h3>{_e(ui['pays'].format(week=found['last_week']))}</h3><ul>")
            for p in found["pays"]:
                d = p["difference"]
                out.append(
                    "<li>"
                    + _e(
                        ui[f"pays_{p['verdict']}"].format(
                            arm=arm.get(p["arm"], p["arm"]),
                            profit=number(p["profit"]["mean"], lang),
                            none=number(p["none"]["mean"], lang),
                            **_by(d, p["verdict"], lang),
                        )
                    )
                    + "</li>"
                )
            out.append("</ul>")
    else:
        out.append(_sweep_results(found, text, lang))
    out.append(f"<h3>{_e(ui['figure'])}</h3>{_image(figure, ui['figure'])}")
    return "\n".join(out)


def point_text(point: dict, text: dict, lang: str) -> str:
    return ", ".join(f"{text['paths'].get(p, p)} {number(v, lang)}" for p, v in point.items())


def _sweep_results(found: dict, text: dict, lang: str) -> str:
    ui, arm = text["ui"], text["arms"]
    caption = ui["sweep_caption"].format(week=found["last_week"], replicates=found["replicates"])
    head = "".join(f"<th>{_e(text['paths'].get(p, p))}</th>" for p in found["paths"])
    head += "".join(f"<th>{_e(arm.get(a, a))}</th>" for a in found["arms"])
    rows = []
    for point in found["points"]:
        cells = "".join(f"<td>{_e(number(v, lang))}</td>" for v in point["point"].values())
        for a in found["arms"]:
            value = _e(_ci(point["levels"][a]["profit"], lang))
            cells += f"<td><b>{value}</b></td>" if a == point["best"] else f"<td>{value}</td>"
        rows.append(f"<tr>{cells}</tr>")
    out = [f"<table><caption>{_e(caption)}</caption><tr>{head}</tr>{''.join(rows)}</table>"]
    if "dialogue" in found["arms"]:
        out.append(f"<h3>{_e(ui['sweep_dialogue'])}</h3><ul>")
        for point in found["points"]:
            d = point["versus"]["dialogue"]
            ci = d["difference"]
            out.append(
                "<li>"
                + _e(
                    ui[f"sweep_dialogue_{d['verdict']}"].format(
                        point=point_text(point["point"], text, lang), **_by(ci, d["verdict"], lang)
                    )
                )
                + "</li>"
            )
        out.append("</ul>")
    out.append(f"<h3>{_e(ui['sweep_best'])}</h3><ul>")
    for point in found["points"]:
        best = arm.get(point["best"], point["best"])
        out.append(f"<li>{_e(point_text(point['point'], text, lang))}: {_e(best)}</li>")
    out.append("</ul>")
    return "\n".join(out)


def document(
    kind: str,
    plan: Plan,
    text: dict,
    lang: str,
    footer: str,
    found: dict | None = None,
    figures: dict | None = None,
) -> str:
    """The worksheet (``kind="worksheet"``) or the key (``"key"``) of ``plan`` as HTML."""
    ui = text["ui"]
    title = f"{ui['kit']}: {ui[kind]}"
    body = [f"<h1>{_e(title)}</h1>", f"<p><b>{_e(text['plan'][plan.id]['title'])}</b></p>"]
    body.append(plan_table(plan, text))
    for ex_id in plan.exercises:
        exercise = BY_ID[ex_id]
        body.append(_exercise_intro(exercise, text, worksheet=kind == "worksheet", lang=lang))
        if kind == "key":
            body.append(_results(exercise, found[ex_id], text, lang, figures[ex_id]))
    body.append(f'<p class="small">{_code(footer)}</p><p class="small">{_e(ui["honest"])}</p>')
    body.append(f'<p class="small">{_e(ui["pdf_note"])}</p>')
    return _page(title, "\n".join(body), lang)


SLIDE_CSS = """
html,body{margin:0;height:100%;background:#fff;font-family:system-ui,sans-serif}
section{height:100vh;box-sizing:border-box;padding:4vh 5vw;display:none;flex-direction:column;
justify-content:center}section.on{display:flex}h1{font-size:6vh}h2{font-size:5vh;margin:0 0 2vh}
li{font-size:3.4vh;margin:1vh 0}p{font-size:3vh}img{max-height:80vh;max-width:100%;
object-fit:contain}.small{font-size:2vh;color:#666}
@media print{section{display:flex;break-after:page;height:auto}}
"""
SLIDE_JS = """
let i=0;const s=document.querySelectorAll('section');const show=k=>{s[i].classList.remove('on');
i=Math.max(0,Math.min(s.length-1,k));s[i].classList.add('on');};s[0].classList.add('on');
document.addEventListener('keydown',e=>{if(['ArrowRight','PageDown',' '].includes(e.key))
show(i+1);if(['ArrowLeft','PageUp'].includes(e.key))show(i-1);});
document.addEventListener('click',()=>show(i+1));
"""


def slides(plan: Plan, text: dict, lang: str, figures: dict, footer: str) -> str:
    """A short deck: title, then per exercise its question and predictions, then its figure."""
    ui = text["ui"]
    out = [
        f"<section><h1>{_e(ui['kit'])}</h1><p>{_e(text['plan'][plan.id]['title'])}</p>"
        f'<p class="small">{_e(ui["slides_hint"])}</p></section>'
    ]
    for ex_id in plan.exercises:
        exercise, ex = BY_ID[ex_id], text["exercise"][ex_id]
        questions = "".join(f"<li>{_e(q)}</li>" for q in ex["predict"])
        out.append(
            f"<section><h2>{exercise.number}. {_e(ex['title'])}</h2><p>{_e(ex['goal'])}</p>"
            f"<p><b>{_e(ui['predict'])}</b></p><ol>{questions}</ol></section>"
        )
        out.append(
            f"<section><h2>{exercise.number}. {_e(ex['title'])}</h2>"
            f"{_image(figures[ex_id], ex['title'])}</section>"
        )
    out.append(
        f"<section><h2>{_e(ui['wrap_up'])}</h2><p>{_e(ui['honest'])}</p>"
        f'<p class="small">{_code(footer)}</p></section>'
    )
    title = f"{ui['kit']}: {ui['slides']}"
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{_e(title)}'
        f"</title><style>{SLIDE_CSS}</style></head><body>\n"
        + "\n".join(out)
        + f"\n<script>{SLIDE_JS}</script></body></html>\n"
    )
