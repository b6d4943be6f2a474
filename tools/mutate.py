"""Mutation testing of the engine's rules and measures and of the statistics (``make mutate``).

Uses cosmic-ray (the ``mutate`` extra). Each group below mutates some modules one change at a
time and runs the tests that should notice. Everything happens in a copy of ``sim/``,
``tests/`` and pyproject.toml under ``.mutate/`` (cosmic-ray edits files in place), with
``NUMBA_DISABLE_JIT=1`` for the engine's groups so a mutated kernel runs as the Python it now
is. The kill rate and the surviving mutants are written into docs/testing.md between its
markers.

The operators are cosmic-ray's, narrowed to the set mutmut uses (a mutant per likely slip, not
every operator swapped for every other): arithmetic + - * / // % ** swapped within their
pairs, comparisons moved across their boundary or negated, numbers changed by one, True/False,
and/or, not added or removed, unary signs, break/continue, loops that run zero times. Left out:
removing decorators (``@compiled`` off changes nothing when kernels run as Python), variable
insertion and replacement, and the rarely meaningful swaps (``+`` for ``<<``, ``*`` for ``%``).

Usage: ``python tools/mutate.py [GROUP ...] [--minutes M]`` (default: every group, no limit).
``--minutes`` stops each group after M minutes and reports what was run.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# MUTATE_WORK: another folder for the copy, so two groups can run side by side (then
# ``--report`` with the sessions gathered in .mutate/ writes docs/testing.md).
WORK = Path(os.environ.get("MUTATE_WORK", ROOT / ".mutate")).resolve()
DOC = ROOT / "docs" / "testing.md"
BEGIN, END = (
    "<!-- mutation results: written by tools/mutate.py -->",
    "<!-- end of mutation results -->",
)
SOCKET = WORK / "pytest.sock"
# cosmic-ray runs this for every mutant: a client that asks the warm server below for a run.
CLIENT = f"python {ROOT / 'tools' / 'mutate_client.py'} {SOCKET}"
COSMIC_RAY = str(Path(sys.executable).parent / "cosmic-ray")
# Seconds a mutant's tests may take. A mutant that loops forever (``k <<= 1``) ends there and
# counts as killed, as cosmic-ray counts timeouts; the report lists those separately, since on
# a loaded machine a slow survivor could time out too (the groups' tests take 5-40 s unloaded).
TIMEOUT = 180


@dataclass(frozen=True)
class Group:
    name: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]
    plain_python: bool = True
    functions: tuple[str, ...] = ()  # only mutate inside these functions (empty: everywhere)


def _sampling(*names: str) -> tuple[str, ...]:
    return tuple(f"tests/test_sampling.py::test_{name}" for name in names)


def _market_rules(*names: str) -> tuple[str, ...]:
    return tuple(f"tests/test_market_rules.py::test_{name}" for name in names)


def _rules(*names: str) -> tuple[str, ...]:
    return tuple(f"tests/test_rules.py::test_{name}" for name in names)


PUSH_RULES = _rules(
    "one_exposure_moves_attitude_by_c_mu_gap_and_makes_aware",
    "only_the_exposed_who_never_heard_get_ad_as_their_first_channel",
    "push_outside_confidence_does_not_move_but_still_informs",
    "an_ad_exactly_at_the_confidence_bound_does_not_move",
    "exposure_weight_is_full_then_wears_out_then_bounded_reactance",
    "reactance_moves_irritated_customers_away_from_the_claim",
    "ad_tolerance_scales_each_customers_thresholds",
    "adstock_halves_after_one_half_life",
    "k_exposures_in_a_week_pull_k_times_and_the_unexposed_keep_their_attitude_exactly",
    "each_customer_is_pulled_once_per_own_exposure_whatever_the_others_got",
    "irritated_means_adstock_strictly_above_the_threshold_times_tolerance",
    "each_exposure_weight_uses_the_customers_own_thresholds_on_both_paths",
    "push_spend_never_above_budget",
    "targeted_push_only_reaches_the_target",
)
DIALOGUE_RULES = _rules(
    "capacity_never_exceeded_and_complaints_answered_first",
    "capacity_is_the_whole_number_of_conversations_the_budget_pays_for",
    "whom_the_brand_answers_follows_the_documented_numbers_exactly",
    "conversation_pulls_toward_claim_capped_by_experience",
    "observers_of_an_answered_complaint_shift_slightly",
    "with_attitudes_off_observers_of_an_answered_complaint_keep_their_attitude",
    "without_money_for_one_conversation_the_brand_holds_none_and_reports_zeros",
    "spare_capacity_of_one_conversation_reaches_one_customer",
    "outreach_to_hubs_takes_most_connected_first",
    "no_outreach_leaves_capacity_unused_and_unspent",
)
WOM_RULES = _rules(
    "a_talk_moves_one_listener_by_peer_c_mu_gap",
    "negative_impact_multiplies_mu_of_negative_messages",
    "negative_incidence_multiplies_talk_probability",
    "only_customers_aware_at_week_start_talk",
    "a_week_of_talk_follows_the_documented_numbers_exactly",
    "weighted_ties_choose_listeners_by_weight",
)
ADOPTION_RULES = _rules(
    "adoption_certain_at_rate_one_and_impossible_at_zero",
    "experience_moves_adopters_toward_true_fit",
    "adoption_probability_rises_with_attitude",
    "with_attitudes_off_experience_moves_no_attitude",
    "the_cached_probability_table_is_read_only",
    "each_customer_adopts_exactly_when_its_number_is_below_the_logistic",
)


# Each rule group runs the tests that exercise its module (fast ones first: -x stops at the
# first failure), not every rule test: a survivor costs its group's whole list, and
# tests/test_sampling.py alone takes 18 s as plain Python. The market group leaves out the
# money tests that run whole models (15-170 s each as plain Python).
MARKET_TESTS = tuple(
    f"tests/test_money.py::test_{name}"
    for name in (
        "each_kind_of_customer_buys_what_the_rule_says",
        "without_occasions_only_this_weeks_trials_are_bought",
        "occasions_and_choices_follow_the_words_exactly",
        "lapsing_falls_with_attitude_and_the_choice_is_a_logit",
        "customer_equity_is_the_gupta_lehmann_value_of_todays_customers",
        "customer_equity_counts_a_customer_at_exactly_one_in_the_last_bin",
        "the_cached_choice_and_lifetime_value_tables_are_read_only",
        "lapse_and_return_rates_match_the_rule_in_a_large_market",
        "the_market_draws_come_after_every_earlier_draw",
        "nothing_spent_means_no_return_to_speak_of_and_profit_is_gross_profit",
    )
)
GROUPS = (
    Group(
        "measures",
        ("sim/engine/measures.py", "sim/engine/measure_names.py", "sim/engine/census.py"),
        ("tests/test_measures_exact.py",),
    ),
    Group(
        "stats",
        ("sim/study/stats.py",),
        (
            "tests/test_stats.py",
            "tests/test_stats_edges.py",
            "tests/test_summaries.py::test_summarise_on_a_hand_built_table",
        ),
    ),
    Group(
        "summaries",
        ("sim/study/summaries.py",),
        ("tests/test_summaries.py",),
        plain_python=False,  # the kernels are not mutated here: compiled (cached) runs faster
        functions=(
            "measure_columns",
            "final_week",
            "point_groups",
            "summarise",
            "_paired",
            "summary_table",
            "sweep_table",
            "point_summary",
        ),
    ),
    Group(
        "influence",
        ("sim/engine/influence.py",),
        (  # not the whole of test_kernels.py: its fresh-process checks take a minute each time
            "tests/test_rules.py",
            "tests/test_kernels.py::test_whole_power_is_the_power_by_squaring",
            "tests/test_kernels.py::test_pull_messages_is_the_rule_and_leaves_its_work_array_clean",
            "tests/test_sampling.py::test_a_talk_reaches_exactly_listeners_neighbours",
            "tests/test_decay.py",
        ),
    ),
    Group(
        "contacts",
        ("sim/engine/rules/contacts.py",),
        (
            *WOM_RULES,
            *_rules(
                "a_number_that_rounds_onto_the_end_of_its_row_still_picks_a_tie_of_the_speaker"
            ),
            *_sampling("unweighted_listener_is_uniform_over_the_speakers_ties"),
            *_sampling("weighted_listener_is_chosen_in_proportion_to_tie_weight"),
            *_sampling("the_sampler_itself_is_uniform_and_by_weight_for_given_numbers"),
            *_sampling("a_talk_reaches_exactly_listeners_neighbours"),
            *_sampling("two_listeners_are_two_independent_draws"),
            "tests/test_kernels.py::test_weighted_sampling_picks_the_tie_whose_weight_share_holds_the_number",
        ),
    ),
    Group(
        "adoption",
        ("sim/engine/rules/adoption.py",),
        (
            *ADOPTION_RULES,
            "tests/test_kernels.py::test_the_adoption_table_decides_exactly_like_the_logistic",
            *_market_rules("experience_pulls_each_adopter_toward_fit_plus_their_taste_clipped"),
            *_sampling("adoption_probability_is_logistic_in_attitude"),
        ),
    ),
    Group(
        "push",
        ("sim/engine/rules/push.py",),
        (
            *PUSH_RULES,
            "tests/test_decay.py",
            *_market_rules(
                "push_hits_reachable_members_in_proportion_to_media_weight",
                "equal_weights_and_everyone_reachable_keep_the_uniform_audience",
                "nobody_reachable_means_no_impressions_and_no_spend",
            ),
            *_sampling(
                "irritated_customers_complain_with_complaint_prob",
                "reach_of_one_week_of_impressions_is_one_minus_miss_probability",
                "impressions_land_uniformly_on_the_target",
            ),
        ),
    ),
    Group(
        "wom",
        ("sim/engine/rules/wom.py",),
        (
            *WOM_RULES,
            "tests/test_decay.py",
            *_sampling(
                "a_talk_reaches_exactly_listeners_neighbours",
                "the_brand_hears_each_mention_with_the_listening_share",
                "two_listeners_are_two_independent_draws",
                "unweighted_listener_is_uniform_over_the_speakers_ties",
                "weighted_listener_is_chosen_in_proportion_to_tie_weight",
                "talk_probability_of_positive_and_negative_customers_with_advocacy",
            ),
        ),
    ),
    Group(
        "dialogue",
        ("sim/engine/rules/dialogue.py",),
        (
            *DIALOGUE_RULES,
            "tests/test_decay.py",
            *_sampling(
                "hub_queue_goes_down_the_degrees_and_wraps_around",
                "hub_outreach_through_the_rule_continues_where_last_week_stopped",
                "the_brand_hears_each_mention_with_the_listening_share",
                "random_outreach_reaches_distinct_customers_uniformly",
            ),
        ),
    ),
    Group(
        "media",
        ("sim/engine/rules/media.py",),
        ("tests/test_market_rules.py", *_sampling("impressions_land_uniformly_on_the_target")),
    ),
    Group("memory", ("sim/engine/rules/memory.py",), ("tests/test_market_rules.py",)),
    Group("market", ("sim/engine/rules/market.py",), MARKET_TESTS),
    Group(
        "selection",
        ("sim/engine/rules/selection.py",),
        (
            *_rules("flagged_lists_the_true_indices_in_ascending_order"),
            *ADOPTION_RULES,
            "tests/test_market_rules.py",
            *MARKET_TESTS,
        ),
    ),
)

# The verdict layer (issue 26): what a study concludes and how it says it. The tests are
# hand-built tables (fast), so these groups are compiled-kernel runs of a few seconds each.
VERDICT_TESTS = ("tests/test_verdicts.py",)
GROUPS = (
    *GROUPS,
    Group(
        "claims",
        ("sim/study/claims.py",),
        (
            *VERDICT_TESTS,
            "tests/test_claims.py::test_judge_uses_the_paired_difference",
            "tests/test_claims.py::test_judge_behind_and_own_sign",
            "tests/test_claims.py::test_above_and_below_compare_with_value",
            "tests/test_claims.py::test_judge_uses_only_the_claimed_replicates",
            "tests/test_claims.py::test_judge_all_says_what_it_cannot_judge",
            "tests/test_claims.py::test_an_equivalence_claim_holds_at_one_margin_and_not_at_a_smaller_one",
        ),
        plain_python=False,
        functions=("judge", "_judge_equivalence", "judge_all", "describe"),
    ),
    Group(
        "expect",
        ("sim/study/expect.py",),
        VERDICT_TESTS,
        plain_python=False,
        functions=("robust_seeds", "scaled", "claim_point", "_result_line", "_interval"),
    ),
    Group(
        "leads",
        ("sim/study/summaries.py",),
        (
            *VERDICT_TESTS,
            "tests/test_leads.py::test_leader_is_the_best_mean_and_a_clear_lead_is_not_a_tie",
            "tests/test_leads.py::test_a_lead_within_noise_is_a_tie",
            "tests/test_leads.py::test_lower_is_better_measures_are_led_by_the_lowest",
            "tests/test_leads.py::test_weeks_beyond_the_study_are_skipped_and_its_last_week_is_added",
        ),
        plain_python=False,
        functions=("leads", "study_context"),
    ),
    Group(
        "report",
        ("sim/outputs/report.py",),
        (
            *VERDICT_TESTS,
            "tests/test_leads.py::test_leads_table_marks_clear_leads_and_ties",
            "tests/test_claims.py::test_report_shows_the_margin_of_an_equivalence_claim",
        ),
        plain_python=False,
        functions=(
            "who_leads",
            "what_pays",
            "claims_table",
            "_sweep_compact",
            "sweep_compact_context",
            "_verdict_item",
            "_diff_cell",
        ),
    ),
    Group(
        "numbers",
        ("sim/i18n/numbers.py",),
        ("tests/test_numbers.py",),
        plain_python=False,
    ),
    Group(
        "cli-tables",
        ("sim/cli_tables.py",),
        VERDICT_TESTS,
        plain_python=False,
        functions=("_print_table", "_print_sweep", "_short"),
    ),
)

KEEP = re.compile(
    r"core/("
    r"ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Div_FloorDiv|Mod_FloorDiv"
    r"|Pow_Mul|BitAnd_BitOr|BitOr_BitAnd|BitXor_BitOr|LShift_RShift|RShift_LShift)"
    r"|ReplaceComparisonOperator_(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Lt_GtE|GtE_Lt|Gt_LtE|LtE_Gt"
    r"|Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is|In_NotIn|NotIn_In)"
    r"|NumberReplacer|ReplaceTrueWithFalse|ReplaceFalseWithTrue|ReplaceAndWithOr|ReplaceOrWithAnd"
    r"|AddNot|ReplaceUnaryOperator_\w+|ReplaceBreakWithContinue|ReplaceContinueWithBreak"
    r"|ZeroIterationForLoop|ExceptionReplacer)$"
)


def copy_project() -> None:
    """A fresh copy of the code; earlier groups' sessions (``.mutate/<group>.sqlite``) stay, so
    a run of some groups updates their rows of the report and keeps the others."""
    ignore = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    for folder in ("sim", "tests", "scenarios"):
        shutil.rmtree(WORK / folder, ignore_errors=True)
        shutil.copytree(ROOT / folder, WORK / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", WORK / "pyproject.toml")


def function_lines(path: Path, names: tuple[str, ...]) -> list[range]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        range(node.lineno, node.end_lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name in names
    ]


def prepare(group: Group) -> tuple[Path, Path]:
    restore(group)
    config = WORK / f"{group.name}.toml"
    session = WORK / f"{group.name}.sqlite"
    modules = ", ".join(f'"{m}"' for m in group.modules)
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = [{modules}]\n"
        f"timeout = {TIMEOUT:.1f}\n"
        "excluded-modules = []\n"
        f'test-command = "{CLIENT} {" ".join(group.tests)}"\n\n'
        '[cosmic-ray.distributor]\nname = "local"\n',
        encoding="utf-8",
    )
    session.unlink(missing_ok=True)
    subprocess.run([COSMIC_RAY, "init", str(config), str(session)], cwd=WORK, check=True)
    from cosmic_ray.work_db import WorkDB, use_db

    lines = function_lines(WORK / group.modules[0], group.functions) if group.functions else None
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = list(db.work_items)
        keep = []
        for item in items:
            spec = item.mutations[0]
            if not KEEP.match(spec.operator_name):
                continue
            if lines is not None and not any(spec.start_pos[0] in r for r in lines):
                continue
            keep.append(item)
        db.clear()
        db.add_work_items(keep)
    return config, session


def execute(group: Group, config: Path, session: Path, minutes: float | None) -> bool:
    """Run the group's mutants; False when stopped by the time limit."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    if group.plain_python:
        env["NUMBA_DISABLE_JIT"] = "1"
    else:  # compile once into the copy's cache, so each mutant's run only loads it
        subprocess.run([sys.executable, "-m", "sim.engine.warmup"], cwd=WORK, env=env, check=True)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant must never be read from a stale .pyc
    SOCKET.unlink(missing_ok=True)
    server = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=WORK, env=env)
    while not SOCKET.exists():
        if server.poll() is not None:
            raise SystemExit("the pytest server did not start")
        time.sleep(0.1)
    # Control: the unchanged copy must pass the group's tests through the server, or every
    # mutant would count as killed (a wrong test name, a broken server).
    control = subprocess.run(
        [*CLIENT.split(), *group.tests], cwd=WORK, env=env, timeout=TIMEOUT, check=False
    )
    if control.returncode != 0:
        server.terminate()
        server.wait()
        raise SystemExit(
            f"{group.name}: the unchanged copy fails the group's tests (exit "
            f"{control.returncode}): fix that before counting mutants"
        )
    process = subprocess.Popen([COSMIC_RAY, "exec", str(config), str(session)], cwd=WORK, env=env)
    try:
        process.wait(timeout=None if minutes is None else minutes * 60)
        return True
    except (subprocess.TimeoutExpired, KeyboardInterrupt):  # the time limit, or Ctrl-C
        process.terminate()
        process.wait()
        return False
    finally:
        server.terminate()
        server.wait()
        restore(group)


def restore(group: Group) -> None:
    """Put the group's modules back as they are in the project: cosmic-ray stopped in the middle
    of a mutant leaves it applied (and every later group would then fail every mutant)."""
    for module in group.modules:
        shutil.copy(ROOT / module, WORK / module)


def serve() -> None:
    """Import the libraries once, then fork a child per request that runs pytest in the copy
    (which imports the copy's ``sim`` as it is on disk now) and answer with its exit status.
    About 2.5 s of start-up saved per mutant."""
    import json
    import signal
    import socket

    import hypothesis  # noqa: F401
    import mesa  # noqa: F401
    import numba  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pytest
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401

    sys.dont_write_bytecode = True
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(SOCKET))
    server.listen(4)
    while True:
        connection, _ = server.accept()
        request = b""
        while chunk := connection.recv(65536):
            request += chunk
        request = json.loads(request)  # {"client": its process id, "tests": [...]}
        pid = os.fork()
        if pid == 0:
            server.close()
            os.setpgid(0, 0)  # its own group, so a stop ends whatever the tests started
            signal.alarm(TIMEOUT + 60)  # a last resort: the watch below ends it first
            os.chdir(WORK)
            sys.path.insert(0, str(WORK))
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            tests = request["tests"]
            os._exit(int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])))
        status = _watch(pid, request["client"])
        if status is not None:
            connection.sendall(str(status).encode())
        connection.close()


def _watch(pid: int, client: int) -> int | None:
    """Wait for the child running a mutant's tests; if the client (process ``client``) is gone
    first (cosmic-ray's timeout ended it), end the child's whole group at once and return None.
    Without this the server sat waiting for a mutant that loops forever while the next
    mutants' clients queued behind it and timed out in turn, each counted as killed. (The
    client is watched by its process id, not its socket: it half-closes the socket after its
    request, which reads the same as a closed one.)"""
    import signal

    while True:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(code)
        try:
            os.kill(client, 0)
        except ProcessLookupError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.2)


def results(group: Group, session: Path) -> dict:
    """Counts and survivors of a group's session (the run's facts from ``<group>.json``)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    with use_db(str(session), WorkDB.Mode.open) as db:
        total = db.num_work_items
        done = list(db.completed_work_items)
    killed, survived, timed_out, incompetent = 0, [], [], 0
    for item, result in done:
        spec = item.mutations[0]
        changed = [
            line[1:].strip()
            for line in (result.diff or "").splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        operator = spec.operator_name.removeprefix("core/")
        where = f"`{spec.module_path}:{spec.start_pos[0]}` {operator}"
        text = f"{where}: `{changed[0] if changed else '?'}`"
        if result.test_outcome == TestOutcome.KILLED:
            killed += 1
            if result.output == "timeout":
                timed_out.append(text)
        elif result.test_outcome == TestOutcome.SURVIVED:
            survived.append(text)
        else:
            incompetent += 1
    facts = session.with_suffix(".json")
    run = json.loads(facts.read_text()) if facts.exists() else {}
    return {
        "group": group,
        "date": run.get("date", "?"),
        "minutes": run.get("minutes"),
        "stopped": run.get("stopped", False),
        "total": total,
        "run": len(done),
        "killed": killed,
        "survived": survived,
        "timed_out": timed_out,
        "incompetent": incompetent,
    }


def _belongs(line: str, group: Group) -> bool:
    """Whether a survivor's line of the report (``- `module:line` ...``) is one of ``group``'s:
    in one of its modules and, for a group limited to some functions, inside one of them (two
    groups share ``sim/study/summaries.py``). Line numbers are read against the code as it is
    now, so a kept row's survivors are placed right as long as those functions have not moved
    since its run."""
    for module in group.modules:
        prefix = f"- `{module}:"
        if not line.startswith(prefix):
            continue
        if not group.functions:
            return True
        number = int(line[len(prefix) :].split("`")[0])
        return any(number in r for r in function_lines(ROOT / module, group.functions))
    return False


def _survivors(section: str, group: Group, timed_out: bool = False) -> list[str]:
    """A group's survivors (or, ``timed_out``, its mutants counted as killed by the timeout) in
    the report as it stands, once each: the lines labelled with its name (``- leads:
    `sim/...` ...``), or, in a report written before lines were labelled, the lines that
    :func:`_belongs` gives it."""
    label = f"- {group.name}: "
    found = []
    for line in section.split("ran past")[int(timed_out)].splitlines():
        if line.startswith(label):
            found.append(line[len(label) :])
        elif _belongs(line, group):
            found.append(line[2:])
    return list(dict.fromkeys(found))


def earlier_rows(section: str) -> dict[str, dict]:
    """The rows (and survivors) of groups in the report as it stands, by group name: a group
    without a session in this copy keeps its earlier row instead of vanishing from the report."""
    rows = {}
    modules = {g.name: g.modules for g in GROUPS}
    by_name = {g.name: g for g in GROUPS}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 11 or cells[0] not in modules:
            continue
        killed = int(cells[7].split()[0])
        if not cells[7].endswith(")"):
            cells[7] += " (?)"  # written before timeouts were counted apart
        rows[cells[0]] = {
            "row": "| " + " | ".join(cells) + " |",
            "killed": killed,
            "survived": _survivors(section, by_name[cells[0]]),
            "timed_out": _survivors(section, by_name[cells[0]], timed_out=True),
        }
    return rows


def write_doc(reports: list[dict]) -> None:
    version = metadata.version("cosmic-ray")
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    earlier = earlier_rows(text[start:end])
    fresh = {r["group"].name: r for r in reports}
    kept = {name: row for name, row in earlier.items() if name not in fresh}
    killed = sum(r["killed"] for r in reports) + sum(row["killed"] for row in kept.values())
    counted = sum(r["killed"] + len(r["survived"]) for r in reports)
    counted += sum(row["killed"] + len(row["survived"]) for row in kept.values())
    lines = [
        BEGIN,
        f"cosmic-ray {version}, `make mutate` (each group's date and minutes in the table; "
        "'stopped' marks a group cut off by `--minutes`, whose mutants were run in file order): "
        f"**{killed} of {counted} mutants run were killed "
        f"({100 * killed / max(counted, 1):.1f} %)**.",
        "",
        "| group | modules | tests run for each mutant | date | minutes | mutants | run | killed "
        "(of them timed out) | survived | incompetent | kill rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in GROUPS:
        if g.name in kept:
            lines.append(kept[g.name]["row"])
            continue
        if g.name not in fresh:
            continue
        r = fresh[g.name]
        where = ", ".join(f"`{m}`" for m in g.modules)
        if g.functions:
            where += " (functions " + ", ".join(f"`{f}`" for f in g.functions) + ")"
        tests = ", ".join(f"`{t}`" for t in g.tests)
        counted = r["killed"] + len(r["survived"])
        rate = f"{100 * r['killed'] / counted:.1f} %" if counted else "-"
        minutes = "-" if r["minutes"] is None else f"{r['minutes']:.0f}"
        minutes += " (stopped)" if r["stopped"] else ""
        lines.append(
            f"| {g.name} | {where} | {tests} | {r['date']} | {minutes} | {r['total']} | "
            f"{r['run']} | {r['killed']} ({len(r.get('timed_out', []))}) | "
            f"{len(r['survived'])} | {r['incompetent']} | {rate} |"
        )
    if kept:
        lines += [
            "",
            "Groups without a session in this copy keep their row from the report as it was "
            "(their date says when they ran); '(?)' marks a row written before timeouts were "
            "counted apart.",
        ]
    lines += ["", "Surviving mutants (group: file:line, operator, the mutated line):", ""]

    def listed(kind: str) -> list[str]:
        """``group: mutant`` for every group's ``kind`` list (kept rows win over fresh ones)."""
        rows = []
        for g in GROUPS:
            source = kept[g.name] if g.name in kept else fresh.get(g.name, {})
            rows += [f"{g.name}: {s}" for s in source.get(kind, [])]
        return rows

    survivors = listed("survived")
    lines += [f"- {s}" for s in survivors] or ["- none"]
    lines += ["", f"Counted as killed because their tests ran past {TIMEOUT} s:", ""]
    timed_out = listed("timed_out")
    lines += [f"- {s}" for s in timed_out] or ["- none"]
    lines.append(END)
    DOC.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help="groups to run (default: all)")
    parser.add_argument("--minutes", type=float, help="time limit per group")
    parser.add_argument(
        "--report", action="store_true", help="only rewrite docs/testing.md from the sessions"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    by_name = {g.name: g for g in GROUPS}
    unknown = [name for name in args.groups if name not in by_name]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}; groups: {', '.join(by_name)}")
    chosen = [by_name[name] for name in args.groups] if args.groups else list(GROUPS)
    for group in [] if args.report else chosen:
        start = time.monotonic()
        copy_project()  # per group: tests added while a long run goes on count for later groups
        config, session = prepare(group)
        try:
            finished = execute(group, config, session, args.minutes)
        except KeyboardInterrupt:  # a second Ctrl-C while stopping
            finished = False
        facts = {
            "date": dt.date.today().isoformat(),
            "minutes": (time.monotonic() - start) / 60,
            "stopped": not finished,
        }
        session.with_suffix(".json").write_text(json.dumps(facts))
        report = results(group, session)
        print(
            f"{group.name}: {report['killed']} killed, {len(report['survived'])} survived, "
            f"{report['incompetent']} incompetent, of {report['run']} run ({report['total']})",
            flush=True,
        )
        if not finished and args.minutes is None:
            break  # stopped by hand (Ctrl-C): the later groups do not start
    reports = [
        results(g, WORK / f"{g.name}.sqlite")
        for g in GROUPS
        if (WORK / f"{g.name}.sqlite").exists()
    ]
    write_doc(reports)


if __name__ == "__main__":
    main()
