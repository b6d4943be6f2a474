"""Known mutants: small bugs a review planted in the engine and the statistics, each of which
once survived the whole suite (issue #17). Every one must now be killed.

Each mutant is a textual change of one line of ``sim/``, applied to a copy of ``sim/`` and
``tests/`` in a temporary folder; the tests meant to catch it run there in a fresh process with
``NUMBA_DISABLE_JIT=1`` (the kernels run as plain Python, so the change takes effect without
compiling). The mutant is killed when those tests fail. A control run of the unchanged copy
must pass the same tests, so a failure is the mutant's doing. If the engine's code changes so
that a mutant's text is no longer found, the test says which: rewrite the mutant for the new
code (the bug it stands for must stay caught).

``make mutate`` is the full mutation run (docs/testing.md); this is the short list kept in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MEASURES = (  # the hand-computed values, without the slower property over random states
    "tests/test_measures_exact.py::test_measure_equals_its_hand_computed_value",
    "tests/test_measures_exact.py::test_net_sentiment_counts_advocates_and_detractors_strictly"
    "_beyond_one_half",
    "tests/test_measures_exact.py::test_groups_are_reached_strictly_above_ten_percent",
)
SAMPLING = "tests/test_sampling.py"
DECAY = "tests/test_decay.py"
HAND_SUMMARY = "tests/test_summaries.py::test_summarise_on_a_hand_built_table"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = [
    Mutant(
        "unweighted neighbour choice off by one (the last tie never picked)",
        "sim/engine/rules/contacts.py",
        "np.int64(uniforms[k] * degree[s])",
        "np.int64(uniforms[k] * (degree[s] - 1))",
        (f"{SAMPLING}::test_unweighted_listener_is_uniform_over_the_speakers_ties",),
    ),
    Mutant(
        "heard_via_ad and heard_via_wom swapped",
        "sim/engine/measures.py",
        '"heard_via_ad": via[0],\n        "heard_via_wom": via[1],',
        '"heard_via_ad": via[1],\n        "heard_via_wom": via[0],',
        MEASURES,
    ),
    Mutant(
        "mean_attitude summed over all customers, not the aware",
        "sim/engine/census.py",
        "a0 = x0 if aware[i] else 0.0",  # (lane 0 of the attitude sums)
        "a0 = x0",
        MEASURES,
    ),
    Mutant(
        "heard_via shares of the aware, not of the ever aware",
        "sim/engine/measures.py",
        "via = [count / heard for count in via] if heard else",
        "via = [count / max(aware_count, 1) for count in via] if heard else",
        MEASURES,
    ),
    Mutant(
        "top box counts attitudes on the cut-off",
        "sim/engine/census.py",
        "top += is_aware & (attitude[i] > top_cutoff)",
        "top += is_aware & (attitude[i] >= top_cutoff)",
        MEASURES,
    ),
    Mutant(
        "groups_reached threshold 10 % -> 20 %",
        "sim/engine/measures.py",
        "((aware_by_group / size_by_group) > 0.10)",
        "((aware_by_group / size_by_group) > 0.20)",
        MEASURES,
    ),
    Mutant(
        "net-sentiment advocate threshold 0.5 -> 0.4 (the cut-off less 0.1)",
        "sim/engine/census.py",
        "advocates += is_aware & (attitude[i] > cutoff)",
        "advocates += is_aware & (attitude[i] > cutoff - 0.1)",
        MEASURES,
    ),
    Mutant(
        "talk_advocacy x 1.2",
        "sim/engine/rules/wom.py",
        "spec.talk_advocacy if attitudes else 0.0",
        "spec.talk_advocacy * 1.2 if attitudes else 0.0",
        (f"{SAMPLING}::test_talk_probability_of_positive_and_negative_customers_with_advocacy",),
    ),
    Mutant(
        "talk_feeling x 1.2",
        "sim/engine/rules/wom.py",
        "spec.talk_feeling if attitudes else 0.0",
        "spec.talk_feeling * 1.2 if attitudes else 0.0",
        (f"{SAMPLING}::test_talk_probability_of_positive_and_negative_customers_with_advocacy",),
    ),
    Mutant(
        "public_share x 1.2",
        "sim/engine/rules/wom.py",
        "        spec.public_share,\n",
        "        spec.public_share * 1.2,\n",
        (f"{SAMPLING}::test_talk_probability_of_positive_and_negative_customers_with_advocacy",),
    ),
    Mutant(
        "one extra listener when there are two or more",
        "sim/engine/rules/wom.py",
        "        spec.listeners,\n",
        "        spec.listeners + (spec.listeners >= 2),\n",
        (
            f"{SAMPLING}::test_a_talk_reaches_exactly_listeners_neighbours",
            f"{SAMPLING}::test_two_listeners_are_two_independent_draws",
        ),
    ),
    Mutant(
        "complaint_prob x 1.2",
        "sim/engine/rules/push.py",
        "< spec.complaint_prob]",
        "< spec.complaint_prob * 1.2]",
        (f"{SAMPLING}::test_irritated_customers_complain_with_complaint_prob",),
    ),
    Mutant(
        "adoption slope sign flipped",
        "sim/engine/rules/adoption.py",
        "slope = spec.attitude_slope if attitudes else 0.0",
        "slope = -spec.attitude_slope if attitudes else 0.0",
        (f"{SAMPLING}::test_adoption_probability_is_logistic_in_attitude",),
    ),
    Mutant(
        "advocacy half-life x 1.2",
        "sim/engine/model.py",
        "0.5 ** (1.0 / self.params.dialogue.advocacy_half_life)",
        "0.5 ** (1.0 / (1.2 * self.params.dialogue.advocacy_half_life))",
        (DECAY,),
    ),
    Mutant(
        "advocacy never decays",
        "sim/engine/rules/memory.py",
        "advocacy[i] *= advocacy_decay",
        "advocacy[i] *= 1.0",
        (DECAY,),
    ),
    Mutant(
        "paired differences misaligned (replicate i with n - 1 - i)",
        "sim/study/summaries.py",
        "base.loc[common, m].to_numpy(float),",
        "base.loc[common, m].to_numpy(float)[::-1],",
        (HAND_SUMMARY,),
    ),
    Mutant(
        "paired difference sign flipped",
        "sim/study/stats.py",
        "return mean_ci(a - b, confidence)",
        "return mean_ci(b - a, confidence)",
        (HAND_SUMMARY, "tests/test_stats.py"),
    ),
]


def copy_project(folder: Path) -> Path:
    """``sim/``, ``tests/`` and pyproject.toml (pytest's settings) in ``folder``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    shutil.copytree(ROOT / "sim", folder / "sim", ignore=ignore)
    shutil.copytree(ROOT / "tests", folder / "tests", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def run_forks(jobs: list[tuple[Path, tuple[str, ...]]]) -> list[int]:
    """pytest's exit status for each (copy, tests), kernels as plain Python, two at a time,
    each in a child forked from one process that imported the libraries once
    (tests/mutant_forks.py)."""
    import json

    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "mutant_forks.py")],
        input=json.dumps([[str(folder), list(tests)] for folder, tests in jobs]),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def mutate(folder: Path, mutant: Mutant) -> None:
    path = folder / mutant.path
    text = path.read_text(encoding="utf-8")
    assert text.count(mutant.old) == 1, (
        f"{mutant.name}: {mutant.old!r} should occur once in {mutant.path} (found "
        f"{text.count(mutant.old)}): rewrite this mutant for the current code"
    )
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")


def test_each_mutant_names_text_found_once_in_the_code():
    for mutant in MUTANTS:
        text = (ROOT / mutant.path).read_text(encoding="utf-8")
        assert text.count(mutant.old) == 1, (mutant.name, mutant.path, mutant.old)


@pytest.mark.slow
def test_every_known_mutant_is_killed(tmp_path):
    """A control copy must pass the tests the mutants use (the tests also run compiled in the
    rest of the suite, and tests/test_kernels.py shows plain Python gives the same numbers);
    each mutant's copy must fail its tests (pytest exit status 1). About 30 s on 2 idle
    cores."""
    control = copy_project(tmp_path / "control")
    jobs = [(control, (*MEASURES, DECAY, HAND_SUMMARY))]
    for k, mutant in enumerate(MUTANTS):
        folder = copy_project(tmp_path / f"mutant{k}")
        mutate(folder, mutant)
        jobs.append((folder, mutant.tests))
    control_status, *statuses = run_forks(jobs)
    assert control_status == 0, "the unchanged copy fails the mutants' tests"
    survivors = [
        f"{mutant.name} (pytest exit {status})"
        for mutant, status in zip(MUTANTS, statuses, strict=True)
        if status != 1
    ]
    assert survivors == [], "survived: " + "; ".join(survivors)
