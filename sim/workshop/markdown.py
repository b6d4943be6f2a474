"""The exercise pages of ``docs/workshop/<NN-id>/README.md``, written from ``text/en.toml``.

One source for the prose: the worksheet, the key and these pages all come from the kit's
texts, so they cannot drift apart (a test compares the committed pages with ``page()``).
Regenerate after editing the texts::

    python -m sim.workshop.markdown docs/workshop
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.workshop import appsteps, texts
from sim.workshop.exercises import EXERCISES, PLANS, Exercise

HEADER = "<!-- Generated from sim/workshop/text/en.toml by python -m sim.workshop.markdown: edit that file, not this one. -->\n"  # noqa: E501


def page(exercise: Exercise, lang: str = "en") -> str:
    """The markdown page of one exercise (English by default)."""
    text = texts.load(lang)
    ui, ex = text["ui"], text["exercise"][exercise.id]
    plans = [text["plan"][p.id]["title"] for p in PLANS if exercise.id in p.exercises]
    lines = [
        HEADER,
        f"# {ui['exercise']} {exercise.number}: {ex['title']}",
        "",
        f"**{ui['goal']}:** {ex['goal']}",
        "",
        f"**{ui['scenario']}:** [`scenarios/{exercise.scenario}.toml`]"
        f"(../../../scenarios/{exercise.scenario}.toml) (app preset `{exercise.scenario}`).",
        "",
        "**In the plans:** " + "; ".join(plans) + ".",
        "",
        f"## {ui['app']}",
        "",
        *[f"{i}. {step}" for i, step in enumerate(appsteps.app_text(exercise, lang), 1)],
        "",
        f"## {ui['cli']}",
        "",
        "```sh",
        exercise.cli,
        "```",
        "",
        f"## {ui['predict']}",
        "",
        *[f"{i}. {q}" for i, q in enumerate(ex["predict"], 1)],
        "",
        f"## {ui['discuss']}",
        "",
        *[f"{i}. {q}" for i, q in enumerate(ex["discuss"], 1)],
        "",
        f"## {ui['extensions']}",
        "",
        *[f"- {x}" for x in ex["extensions"]],
        "",
        f"## {ui['teaching_note']}",
        "",
        ex["teaching_note"],
        "",
        "The expected results (tables with intervals, who leads and whether beyond noise, what "
        "pays, the debrief figure) are in the facilitator key that `python run_sim.py workshop "
        "build` computes from its own runs; they are not written here, so they cannot go stale "
        "when the model changes.",
        "",
    ]
    return "\n".join(lines)


def write_all(folder: Path) -> list[Path]:
    out = []
    for exercise in EXERCISES:
        path = Path(folder) / exercise.folder / "README.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(exercise), encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/workshop")):
        print(written)
