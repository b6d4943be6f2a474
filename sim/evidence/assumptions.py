"""How the answer moves when an assumption varies: which arm leads, as each is changed.

For a scenario (the default one unless told), every variant below is run with the scenario's
arms, replicates and seeds, and the leader of each key measure at weeks 4, 13 and 52 is
recorded (a tie when the paired difference between the two best arms includes zero). The
tables go into docs/model.md ("How the answer depends on the assumptions") and, for every
shipped scenario with the new mechanisms switched off one at a time, into docs/mechanisms.md::

    python -m sim.evidence.assumptions            # both documents (a few minutes)
    python -m sim.evidence.assumptions --quick    # 3 replicates, print only
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import pandas as pd

from sim.study.arms import run_arms, run_seed
from sim.study.scenario import load_scenario
from sim.study.scenario_files import shipped_names
from sim.study.summaries import LEAD_WEEKS, leads

ROOT = Path(__file__).resolve().parents[2]

NO_STORIES = {
    "stories.ad_share": 0.0,
    "stories.dialogue_share": 0.0,
    "stories.experience_share": 0.0,
}


@functools.cache
def _shipped(path: str) -> float:
    """The default scenario's value of ``section.key`` (after ``extends`` and the schema)."""
    params, _ = load_scenario("default", preflight=False).resolve()
    section, key = path.split(".")
    return float(getattr(getattr(params, section), key))


def _times(path: str, factor: float) -> float:
    """``factor`` times the default scenario's value, to 3 significant digits."""
    return float(f"{_shipped(path) * factor:.3g}")


def assumption_variants() -> list[tuple[str, dict]]:
    """(label, --set style overrides): each changes one assumption of the default market.

    Variants named relative to the default ("doubled", "half", "three times") are computed from
    default.toml's values, so the labels stay true when the calibrated market changes
    (decision 0014); the label shows the value run.
    """
    irritation = _times("push.irritation_threshold", 2)
    cpm = _times("push.cost_per_impression", 2)
    conversation = _times("dialogue.cost_per_conversation", 0.5)
    base_low = _times("adoption.base_rate", 0.5)
    base_high = _times("adoption.base_rate", 2)
    followers = min(1.0, _times("public.follower_share", 2))
    browsers = int(round(_shipped("public.browsers") * 2))
    ad_retell = _shipped("stories.ad_retell")
    retell = {
        f"stories.{k}_retell": min(1.0, _times(f"stories.{k}_retell", 3))
        for k in ("ad", "dialogue", "experience")
    }
    return [
        ("as shipped", {}),
        ("tastes alike (taste sd 0)", {"population.taste_spread": 0.0}),
        ("tastes twice as different (sd 0.7)", {"population.taste_spread": 0.7}),
        (
            "media use alike, everyone reachable",
            {"population.media_shape": "off", "population.unreachable_share": 0.0},
        ),
        ("ad tolerance alike (sigma 0)", {"population.tolerance_spread": 0.0}),
        ("no anchoring", {"population.anchoring": 0.0}),
        ("strong anchoring (0.2 a week)", {"population.anchoring": 0.2}),
        ("nobody forgets", {"population.recall_half_life": "off"}),
        ("fast forgetting (half-life 8 weeks)", {"population.recall_half_life": 8.0}),
        ("no reactance", {"push.reactance": 0.0}),
        ("strong reactance (0.75)", {"push.reactance": 0.75}),
        (
            f"irritation threshold doubled ({irritation:g})",
            {"push.irritation_threshold": irritation},
        ),
        (f"ads cost twice as much (CPM {cpm * 1000:g})", {"push.cost_per_impression": cpm}),
        (
            f"conversations cost half ({conversation:g})",
            {"dialogue.cost_per_conversation": conversation},
        ),
        (
            "talk three times as often",
            {
                "wom.talk_base": _times("wom.talk_base", 3),
                "wom.talk_feeling": _times("wom.talk_feeling", 3),
            },
        ),
        (
            "half the advocacy after a conversation",
            {"wom.talk_advocacy": _times("wom.talk_advocacy", 0.5)},
        ),
        (f"adoption base rate halved ({base_low:g})", {"adoption.base_rate": base_low}),
        (f"adoption base rate doubled ({base_high:g})", {"adoption.base_rate": base_high}),
        ("learning from customers on", {"learning.enabled": True}),
        (
            "one-off adoption, everyone in the market",
            {"market.purchase_rate": "off", "market.potential": 1.0},
        ),
        ("a weaker alternative (attractiveness 0.3)", {"market.competitor": 0.3}),
        # talk that can matter (issue #22), each at the edges of its range (sim/evidence/ranges.py)
        ("nobody reads public posts", {"public.follower_share": 0.0, "public.browsers": 0}),
        (
            "posts read twice as widely",
            {"public.follower_share": followers, "public.browsers": browsers},
        ),
        ("nobody looks at the rating", {"public.rating_readers": 0.0}),
        ("no stories", NO_STORIES),
        (
            f"stories from dialogue retold no more than ads' ({ad_retell:g})",
            {"stories.dialogue_retell": ad_retell},
        ),
        ("stories retold three times as often", retell),
        ("no service recovery", {"dialogue.recovery_loyalty": 0.0}),
        ("ads start no conversations", {"push.talk_lift": 0.0}),
    ]


# The mechanisms issue #11 added, each switched off alone, then all together.
MECHANISMS_OFF: list[tuple[str, dict]] = [
    ("as shipped", {}),
    ("no tastes", {"population.taste_spread": 0.0}),
    (
        "media use alike",
        {"population.media_shape": "off", "population.unreachable_share": 0.0},
    ),
    ("ad tolerance alike", {"population.tolerance_spread": 0.0}),
    ("no anchoring", {"population.anchoring": 0.0}),
    ("nobody forgets", {"population.recall_half_life": "off"}),
    ("no reactance bound (old: reactance 1)", {"push.reactance": 1.0}),
]
# The mechanisms issue #22 added ("talk that can matter"), each switched off alone.
TALK_OFF: list[tuple[str, dict]] = [
    ("nobody reads public posts", {"public.follower_share": 0.0, "public.browsers": 0}),
    ("no visible rating", {"public.rating_readers": 0.0}),
    ("no stories", NO_STORIES),
    ("no service recovery", {"dialogue.recovery_loyalty": 0.0}),
    ("ads start no conversations", {"push.talk_lift": 0.0}),
]
MECHANISMS_OFF += TALK_OFF
MECHANISMS_OFF.append(("all of these off", {k: v for _, o in MECHANISMS_OFF for k, v in o.items()}))


def leads_under(
    scenario_name: str, overrides: dict, replicates: int | None = None, weeks: int | None = None
) -> list[dict]:
    """Run a scenario's base setting with ``overrides`` and return ``summaries.leads`` for its key
    measures at weeks 4, 13 and 52 (those within its weeks)."""
    settings = list(overrides.items())
    if replicates is not None:
        settings.append(("replicates", replicates))
    if weeks is not None:
        settings.append(("weeks", weeks))
    scenario = load_scenario(scenario_name, settings, preflight=False)
    params, arms = scenario.resolve()
    frames = []
    for rep in range(scenario.replicates):
        table = run_arms(
            params, arms, run_seed(scenario.seed, rep), scenario.weeks, base_dir=scenario.base_dir
        )
        table.insert(1, "replicate", rep)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    measures = [m for m in scenario.key_measures if m in table.columns]
    return leads(table, [a.name for a in arms], measures)


def _cell(item: dict) -> str:
    if item["tie"]:
        return f"{item['leader']} ≈ {item['runner_up']}"
    return f"**{item['leader']}**"


def leads_table(rows: list[tuple[str, list[dict]]], week: int) -> str:
    """A markdown table: one row per variant, one column per key measure, the leader at
    ``week`` (bold) or the two arms within noise of each other."""
    measures = list(dict.fromkeys(i["measure"] for _, items in rows for i in items))
    head = "| assumption | " + " | ".join(m.replace("_", " ") for m in measures) + " |"
    lines = [head, "|---" * (len(measures) + 1) + "|"]
    for label, items in rows:
        at = {i["measure"]: i for i in items if i["week"] == week}
        cells = [_cell(at[m]) if m in at else "" for m in measures]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def assumption_section(replicates: int | None = None, log=print) -> str:
    """The markdown section of docs/model.md: leaders at weeks 4, 13, 52 per assumption."""
    rows = []
    for label, overrides in assumption_variants():
        start = time.perf_counter()
        rows.append((label, leads_under("default", overrides, replicates)))
        log(f"  {label}: {time.perf_counter() - start:.1f} s")
    reps = replicates or load_scenario("default", preflight=False).replicates
    parts = [
        f"Default scenario (`scenarios/default.toml`), {reps} replicates per row, common "
        "random numbers. Each cell names the arm with the best mean at that week (**bold**: "
        "its paired difference with the runner-up excludes zero at 95 %; `a ≈ b`: the two "
        "best arms are within noise). Generated by `python -m sim.evidence.assumptions`.",
    ]
    for week in LEAD_WEEKS:
        parts.append(f"**Week {week}**\n\n" + leads_table(rows, week))
    return "\n\n".join(parts)


def mechanisms_document(replicates: int | None = None, log=print) -> str:
    """docs/mechanisms.md: for every shipped scenario, the final-week leaders with each new
    mechanism switched off in turn."""
    parts = [
        "# What each mechanism does to the shipped scenarios",
        "",
        "Generated by `python -m sim.evidence.assumptions` (do not edit by hand). For each "
        "shipped scenario (base setting of sweeps), the leader of each key measure at the "
        "last week (at most week 52) with the mechanisms of the heterogeneous market (issue "
        "#11) and of public talk, stories, service recovery and ad-started talk (issue #22) "
        "switched off one at a time, then all together (roughly the first version's "
        "homogeneous market; its talk rates and adoption rate were different too). **Bold**: "
        "the lead excludes zero at 95 %; `a ≈ b`: within noise."
        + (f" {replicates} replicates per row." if replicates else ""),
    ]
    for name in shipped_names():
        scenario = load_scenario(name, preflight=False)
        if not scenario.resolve()[0].attitudes:
            continue
        weeks = min(scenario.weeks, 52)
        rows = []
        for label, overrides in MECHANISMS_OFF:
            start = time.perf_counter()
            rows.append((label, leads_under(name, overrides, replicates, weeks)))
            log(f"  {name} / {label}: {time.perf_counter() - start:.1f} s")
        week = max(i["week"] for _, items in rows for i in items)
        parts += ["", f"## {name} (week {week})", "", scenario.title, "", leads_table(rows, week)]
    return "\n".join(parts) + "\n"


BEGIN = "<!-- assumptions: generated by python -m sim.evidence.assumptions -->"
END = "<!-- end of assumptions -->"


def replace_section(text: str, section: str) -> str:
    """``text`` with the part between BEGIN and END replaced by ``section``."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{section}\n\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 replicates, print, write nothing")
    parser.add_argument("--replicates", type=int, default=None)
    args = parser.parse_args(argv)
    replicates = 3 if args.quick else args.replicates
    log = lambda text: print(text, file=sys.stderr)  # noqa: E731
    section = assumption_section(replicates, log)
    mechanisms = mechanisms_document(replicates or 6, log)
    if args.quick:
        print(section)
        print(mechanisms)
        return 0
    model_md = ROOT / "docs" / "model.md"
    model_md.write_text(replace_section(model_md.read_text(), section))
    (ROOT / "docs" / "mechanisms.md").write_text(mechanisms)
    print(f"wrote {model_md} and {ROOT / 'docs' / 'mechanisms.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
