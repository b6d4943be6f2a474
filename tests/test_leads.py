"""Who leads when: the report's plain-language leads (summaries.leads) and the generated
assumption tables of docs/model.md (sim.evidence.assumptions)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.evidence.assumptions import BEGIN, END, leads_table, leads_under, replace_section
from sim.study.summaries import leads

ROOT = Path(__file__).resolve().parents[1]


def table_of(values: dict[str, list[float]], measure: str, week: int = 4) -> pd.DataFrame:
    rows = []
    for arm, per_replicate in values.items():
        for rep, v in enumerate(per_replicate):
            rows.append({"arm": arm, "replicate": rep, "week": week, measure: v})
    return pd.DataFrame(rows)


def test_leader_is_the_best_mean_and_a_clear_lead_is_not_a_tie():
    # B beats A by exactly 0.1 in every replicate: paired interval [0.1, 0.1], not a tie.
    t = table_of({"A": [0.2, 0.3, 0.4], "B": [0.3, 0.4, 0.5], "C": [0.0, 0.0, 0.1]}, "adoption")
    (item,) = leads(t, ["A", "B", "C"], ["adoption"], weeks=(4,))
    assert (item["leader"], item["runner_up"], item["tie"]) == ("B", "A", False)
    assert item["difference"]["mean"] == pytest.approx(0.1)
    assert item["leader_mean"] == pytest.approx(0.4) and item["runner_up_mean"] == pytest.approx(
        0.3
    )


def test_a_lead_within_noise_is_a_tie():
    # differences +0.3, -0.2, +0.2: mean 0.1, sd 0.26, t interval about [-0.55, 0.75]
    t = table_of({"A": [0.0, 0.5, 0.0], "B": [0.3, 0.3, 0.2]}, "adoption")
    (item,) = leads(t, ["A", "B"], ["adoption"], weeks=(4,))
    assert item["leader"] == "B" and item["tie"]


def test_lower_is_better_measures_are_led_by_the_lowest():
    t = table_of({"A": [5.0, 6.0, 7.0], "B": [1.0, 2.0, 3.0]}, "wom_negative")
    (item,) = leads(t, ["A", "B"], ["wom_negative"], weeks=(4,))
    assert item["leader"] == "B" and not item["tie"]


def test_weeks_beyond_the_study_are_skipped_and_its_last_week_is_added():
    t = pd.concat(
        [table_of({"A": [1.0, 2.0], "B": [0.0, 0.5]}, "adoption", week=w) for w in (4, 13, 40)]
    )
    weeks = sorted({i["week"] for i in leads(t, ["A", "B"], ["adoption"])})
    assert weeks == [4, 13, 40]


def test_leads_table_marks_clear_leads_and_ties():
    items = [
        {"week": 52, "measure": "adoption", "leader": "mix", "runner_up": "push", "tie": False},
        {"week": 52, "measure": "net_sentiment", "leader": "mix", "runner_up": "none", "tie": True},
    ]
    text = leads_table([("as shipped", items)], 52)
    assert text.splitlines()[0] == "| assumption | adoption | net sentiment |"
    assert text.splitlines()[2] == "| as shipped | **mix** | mix ≈ none |"


def test_replace_section_keeps_everything_around_the_markers():
    text = f"before\n{BEGIN}\nold\n{END}\nafter\n"
    assert replace_section(text, "new") == f"before\n{BEGIN}\n\nnew\n\n{END}\nafter\n"


@pytest.mark.slow
def test_assumption_rows_come_from_runs():
    """Two replicates of the default scenario on 300 customers: leads for the five key
    measures at weeks 4 and 13 (and the last week, 13)."""
    items = leads_under("default", {"network.n": 300}, replicates=2, weeks=13)
    key = ("awareness", "adoption", "mean_attitude", "mean_attitude_all", "net_sentiment")
    assert {(i["week"], i["measure"]) for i in items} == {(w, m) for w in (4, 13) for m in key}
    assert all(i["leader"] in {"none", "push", "dialogue", "mix"} for i in items)


def test_model_doc_has_the_generated_assumption_tables():
    text = (ROOT / "docs" / "model.md").read_text()
    section = text.split(BEGIN, 1)[1].split(END, 1)[0]
    for week in (4, 13, 52):
        assert f"**Week {week}**" in section
    assert section.count("| as shipped |") == 3
    assert (ROOT / "docs" / "mechanisms.md").is_file()


def test_report_names_the_leaders_the_mechanisms_and_draws_the_histograms(tmp_path):
    """A small default study: report.html says who leads at weeks 4 and 13 (the last week),
    lists the mechanisms that were on, and embeds the attitude histograms."""
    import json

    import sim

    outcome = sim.run_scenario(
        "default", settings={"network.n": 300}, weeks=13, replicates=2, out=tmp_path / "r"
    )
    summary = json.loads((outcome.out / "summary.json").read_text())
    assert {i["week"] for i in summary["leads"]} == {4, 13}
    assert (
        summary["mechanisms"]["forgetting"] and not summary["mechanisms"]["learning from customers"]
    )
    page = (outcome.out / "report.html").read_text()
    assert "Who leads when" in page and "<b>Week 4:</b>" in page and "<b>Week 13:</b>" in page
    assert "forgetting: on (recall half-life 26 weeks)" in page
    assert "learning from customers: off" in page
    assert (outcome.out / "figures" / "attitude_histograms.png").is_file()
    assert 'alt="Attitude histograms per arm and week"' in page  # alt texts: sim/i18n catalogue
