"""The command line: ``python run_sim.py ...`` (the same as ``reclamare ...``).

Commands::

    run [SCENARIO]     every arm x replicate (no arguments at all: the default scenario)
    sweep SCENARIO     the grid of the scenario's [sweep] table x arms x replicates
    validate FILE...   check scenario files without running (exit 0 when all are valid)
    list               the shipped scenarios and their questions
    report DIR         rebuild figures and report from a results folder
    schema             the JSON Schema of the scenario format (for editors)
    evidence           regenerate docs/validation.md (the model against published results)
    calibrate SERIES   fit push reach and talk rate (and Bass p, q) to an observed series
    calibrate-defaults the plausible set: parameters meeting every empirical target (ABC)
    check [SCENARIO...] run the scenarios' [[expect]] claims; exit 1 when one does not hold
    sensitivity        global sensitivity analysis (Morris, Sobol, tipping points)
    workshop build     the teaching kit: worksheets, keys, figures, slides (docs/workshop/)

``--lang nb|en`` (run, sweep, report; default ``$RECLAMARE_LANG``, else English) chooses the
language of report.html, the figures and this program's own help and tables (sim/i18n). One-line
error messages are in English.

Exit status: 0 done, 1 unexpected failure, 2 bad input (nothing created), 130 interrupted
(finished runs kept, folder marked incomplete).

This module imports only the standard library and the light modules its parser needs (the
language catalogue, the shipped scenarios' folder, the viz and evidence parsers), so that
``--help`` takes a small fraction of a second: each command imports the libraries it runs on
(numba, pandas, Mesa, ...) when it runs (``COMMAND_MODULES``; docs/performance.md, "Start-up of
the command line"; tests/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

from sim.evidence.commands import add_parsers as add_evidence_parsers
from sim.i18n import LANGUAGES, check_language, language_from_env, translator
from sim.shipped import DEFAULT_SCENARIO, command_name
from sim.viz.launch import add_parser as add_viz_parser
from sim.viz.launch import cmd_viz

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_INTERRUPT = 0, 1, 2, 130


class CliError(Exception):
    """Bad command-line input: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, status 2
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(_=None) -> argparse.ArgumentParser:
    """The argument parser, its help texts in the language of the translator ``_``."""
    _ = _ or translator()
    parser = _Parser(
        prog="reclamare" if command_name() == "reclamare" else "run_sim.py",
        description=_(
            "Reclamare: push advertising versus dialogue on a customer social network. "
            "Without arguments, runs the default scenario."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def lang_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lang",
            type=_language,
            metavar="|".join(LANGUAGES),
            help=_(
                "language of report.html, the figures and this command's output "
                "(default: $RECLAMARE_LANG, else en)"
            ),
        )

    def study_options(p: argparse.ArgumentParser, scenario_required: bool) -> None:
        p.add_argument(
            "scenario",
            metavar="SCENARIO",
            nargs=None if scenario_required else "?",
            default=DEFAULT_SCENARIO,
            help=_("scenario file, or the name of a shipped scenario (see 'list')")
            if scenario_required
            else _(
                "scenario file, or the name of a shipped scenario (see 'list'); default: default"
            ),
        )
        p.add_argument(
            "--set",
            dest="overrides",
            metavar="PATH=VALUE",
            action="append",
            default=[],
            help=_(
                "override a parameter by its dotted path, value parsed as TOML "
                "(e.g. --set network.n=200 --set arms.push.budget=40); repeatable"
            ),
        )
        p.add_argument("--replicates", type=_count, metavar="N", help=_("replicates per arm"))
        p.add_argument("--weeks", type=_count, metavar="W", help=_("weeks to simulate"))
        p.add_argument("--seed", type=_seed, metavar="S", help=_("master seed"))
        p.add_argument(
            "--out",
            type=Path,
            metavar="DIR",
            help=_(
                "results folder (default results/<scenario>/<timestamp>); never overwritten, "
                "but an interrupted study in DIR is resumed by the same command"
            ),
        )
        p.add_argument(
            "--new-folder",
            action="store_true",
            help=_(
                "never resume: when --out DIR holds anything (another study, or this one made "
                "from other inputs or code), start in a new folder DIR-2 (or the next free name)"
            ),
        )
        p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
        p.add_argument(
            "--no-figures",
            dest="figures",
            action="store_false",
            help=_(
                "write tables, summaries and manifest only (no figures, no report.html; "
                "'report DIR' draws them later); the quickest way to run a large study"
            ),
        )
        p.add_argument(
            "--versus",
            metavar="ARM",
            help="the arm the paired differences are taken against, in the table and the "
            "summaries (default: the scenario's baseline, else its first arm)",
        )
        p.add_argument(
            "--weeks-shown",
            type=_weeks_list,
            metavar="W1,W2,...",
            help="print the table at each of these weeks, e.g. 13,26,52 (run only; default: "
            "the last week)",
        )
        lang_option(p)
        add_executor_options(p, _)

    run = sub.add_parser("run", help=_("run every arm x replicate of a scenario"))
    study_options(run, scenario_required=False)
    run.add_argument(
        "--plausible",
        nargs="?",
        const=50,
        type=_count,
        metavar="N",
        help=_(
            "also run the scenario once in each of N markets of the calibrated plausible set "
            "(default 50) and report the share of them in which each arm leads"
        ),
    )
    sweep = sub.add_parser("sweep", help=_("run the scenario's [sweep] grid x arms x replicates"))
    study_options(sweep, scenario_required=True)
    validate = sub.add_parser("validate", help=_("check scenario files without running"))
    validate.add_argument("files", metavar="FILE", nargs="+")
    lang_option(validate)
    listing = sub.add_parser("list", help=_("the shipped scenarios, each with its question"))
    lang_option(listing)
    report = sub.add_parser("report", help=_("rebuild figures and report.html of a results folder"))
    report.add_argument("folder", metavar="RESULTS_DIR", type=Path)
    report.add_argument(
        "--lang",
        type=_language,
        metavar="|".join(LANGUAGES),
        help=_(
            "language of report.html and the figures (default: $RECLAMARE_LANG, else the "
            "language the folder was drawn in, else en)"
        ),
    )
    report.add_argument(
        "--csv-locale",
        choices=["nb"],
        help=_(
            "also write the tables for spreadsheets in this locale: nb = semicolons between "
            "cells, decimal comma (timeseries-nb.csv, summary-nb.csv)"
        ),
    )
    schema = sub.add_parser("schema", help=_("print the JSON Schema of scenario files"))
    schema.add_argument("-o", "--output", type=Path, metavar="FILE", help=_("write to FILE"))
    add_viz_parser(sub)
    add_evidence_parsers(sub, add_executor_options)
    add_claims_parsers(sub)
    add_workshop_parser(sub)
    return parser


def add_claims_parsers(sub) -> None:
    """The ``check`` and ``sensitivity`` commands (issue #13)."""
    check = sub.add_parser(
        "check", help="run every [[expect]] claim of scenarios (default: all shipped ones)"
    )
    check.add_argument("scenarios", metavar="SCENARIO", nargs="*")
    check.add_argument(
        "--set",
        dest="overrides",
        metavar="PATH=VALUE",
        action="append",
        default=[],
        help="override a parameter of every scenario checked (e.g. --set network.n=300)",
    )
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    check.add_argument(
        "--robust",
        action="store_true",
        help="judge every claim at two other master seeds (the scenario's seed + 1 and + 2) on "
        "twice its replicates, and list the claims that fail at some seed",
    )
    check.add_argument(
        "--seeds",
        type=_seeds_list,
        metavar="S1,S2,...",
        help="judge every claim at each of these master seeds instead of the scenario's own",
    )
    check.add_argument(
        "--replicates-factor",
        type=_count,
        metavar="K",
        help="judge every claim on K times the replicates it states (--robust: 2)",
    )
    add_executor_options(check)
    gsa = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis of dialogue - push (writes docs/sensitivity.md)",
    )
    gsa.add_argument(
        "--small",
        action="store_true",
        help="a few runs (CI): results and page in a new temporary folder (or --out), never "
        "in docs/",
    )
    gsa.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder of the runs (default results/sensitivity/<timestamp>); the same command "
        "with --out DIR resumes an interrupted analysis",
    )
    gsa.add_argument(
        "--page",
        type=Path,
        metavar="DIR",
        help="where sensitivity.md and its figures go (default: docs/ for the full analysis, "
        "the results folder for --small)",
    )
    gsa.add_argument(
        "--seed", type=_seed, metavar="S", help="master seed (default: default.toml's)"
    )
    gsa.add_argument("--quiet", action="store_true", help="no progress bar")
    add_executor_options(gsa)


def add_workshop_parser(sub) -> None:
    """``workshop build``: the teaching kit (docs/workshop/README.md)."""
    workshop = sub.add_parser("workshop", help="the teaching kit: build worksheets, keys, figures")
    actions = workshop.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    build = actions.add_parser(
        "build",
        help="run every exercise and write worksheets, facilitator keys, debrief figures and "
        "slides (HTML and PDF) in bokmål and English",
    )
    build.add_argument(
        "--small", action="store_true", help="200 customers, 3 replicates: a quick check only"
    )
    build.add_argument("--lang", choices=("nb", "en"), help="one language only (default: both)")
    build.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="a new or empty folder (default results/workshop/<timestamp>); never overwritten",
    )
    build.add_argument("--no-pdf", dest="pdf", action="store_false", help="HTML only")
    build.add_argument("--quiet", action="store_true", help="no progress lines")


def add_executor_options(parser: argparse.ArgumentParser, _=None) -> None:
    """Where the runs happen: here (default), a local Dask cluster, or an existing one."""
    _ = _ or translator()
    group = parser.add_argument_group(_("parallel runs on Dask (docs/distributed.md)"))
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_count,
        metavar="N",
        help=_("run on a local Dask cluster of N worker processes (started and stopped here)"),
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=_(
            "run on an existing Dask cluster: scheduler address (tcp://host:8786) or scheduler "
            "file; default: $RECLAMARE_SCHEDULER when set"
        ),
    )
    group.add_argument(
        "--threads",
        type=_count,
        metavar="N",
        help=_(
            "threads for each run in this process (default: $NUMBA_NUM_THREADS when set, "
            "else 1); the same results at any number; Dask workers use one each"
        ),
    )


def make_executor(args: argparse.Namespace):
    """The executor that carries out the runs (in this process unless options say otherwise).

    Runs in this process use ``--threads`` threads (default: ``NUMBA_NUM_THREADS`` when set,
    else one); worker processes of a Dask cluster use one each. Results do not depend on it.
    """
    from sim.engine.jit import ThreadsError, set_threads
    from sim.study.distributed import ExecutorError
    from sim.study.distributed import make_executor as make

    try:
        set_threads(getattr(args, "threads", None))
    except ThreadsError as error:
        detail = str(error).split(": ", 1)[-1]  # (the count is in the option's name)
        raise CliError(f"--threads {getattr(args, 'threads', None)}: {detail}") from None
    try:
        return make(
            getattr(args, "workers", None),
            getattr(args, "scheduler", None),
            log=lambda text: _note(text, getattr(args, "quiet", False)),
        )
    except ExecutorError as error:
        raise CliError(str(error)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to 10000)")
    return value


def _language(text: str) -> str:
    try:
        return check_language(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _peek_language(argv: list[str]) -> str | None:
    """The language ``--lang`` asks for in ``argv`` (None when absent or not a language), so
    that help texts can be in it before the arguments are parsed."""
    for k, word in enumerate(argv):
        value = None
        if word == "--lang" and k + 1 < len(argv):
            value = argv[k + 1]
        elif word.startswith("--lang="):
            value = word.partition("=")[2]
        if value in LANGUAGES:
            return value
    return None


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is out of range (0 to 2**63 - 1)")
    return value


def _seeds_list(text: str) -> list[int]:
    """``11,12`` -> [11, 12] (in the order given, without repeats); each a valid master seed."""
    seeds: list[int] = []
    for part in text.split(","):
        try:
            seed = _seed(part.strip())
        except argparse.ArgumentTypeError as error:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected master seeds separated by commas, e.g. 11,12 ({error})"
            ) from None
        if seed not in seeds:
            seeds.append(seed)
    return seeds


def _weeks_list(text: str) -> list[int]:
    """``13,26,52`` -> [13, 26, 52] (sorted, without repeats); each a whole number >= 0."""
    weeks = set()
    for part in text.split(","):
        try:
            week = int(part.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected whole week numbers separated by commas, e.g. 13,26,52"
            ) from None
        if week < 0:
            raise argparse.ArgumentTypeError(f"{text!r}: week {week} is negative (weeks >= 0)")
        weeks.add(week)
    return sorted(weeks)


def main(argv: list[str] | None = None, prepare: Callable[[str], None] | None = None) -> int:
    """Entry point of ``run_sim.py`` and the ``reclamare`` console script; returns exit status.

    ``prepare(command)`` is called once the arguments are parsed, before the command runs (and
    its failures are reported like the command's): :func:`run` loads the command's libraries
    there (``COMMAND_MODULES``) with garbage collection still off.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        env_lang = language_from_env()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT
    lang = _peek_language(argv) or env_lang
    parser = build_parser(translator(lang or "en"))
    args = parser.parse_args(argv or ["run"])
    if getattr(args, "lang", None) is None:
        args.lang = env_lang  # None: the default (report: the folder's own language)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    _stop_cleanly_on_sigterm()
    with _one_line_warnings():
        return _dispatch(args, argv or ["run"], prepare)


# The errors that mean bad input (one line, exit status 2), by the module that defines each
# (besides CliError). They are looked up among the modules already imported, so that reporting
# a failure imports nothing: a command that never loaded a module cannot have raised its error.
INPUT_ERRORS = (
    ("sim.study.scenario", "ScenarioError"),
    ("sim.study.results", "ResultsError"),
    ("sim.params", "ParameterError"),
    ("sim.network.errors", "NetworkError"),
    ("sim.evidence.errors", "EvidenceError"),
    ("sim.evidence.plausible", "PlausibleError"),
)


def input_errors() -> tuple[type[Exception], ...]:
    """CliError and those of ``INPUT_ERRORS`` whose module is loaded."""
    found: list[type[Exception]] = [CliError]
    for module, name in INPUT_ERRORS:
        error = getattr(sys.modules.get(module), name, None)
        if isinstance(error, type) and issubclass(error, Exception):
            found.append(error)
    return tuple(found)


def _dispatch(
    args: argparse.Namespace, argv: list[str], prepare: Callable[[str], None] | None = None
) -> int:
    """Run the command; every failure becomes one line on stderr and an exit status."""
    try:
        if prepare is not None:
            prepare(args.command)
        return COMMANDS[args.command](args, argv)
    except input_errors() as error:
        print(f"error: {_flat(error)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPT
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("RECLAMARE_DEBUG"):
            raise
        if isinstance(error, OSError) and error.filename is not None:
            # A disk or path problem outside the places that say more (e.g. drawing figures).
            print(f"error: {error.filename}: {error.strerror or error}", file=sys.stderr)
            return EXIT_INPUT
        text = " ".join(str(error).split())[:300]
        print(
            f"error: unexpected {type(error).__name__}: {text} (set RECLAMARE_DEBUG=1 for the "
            "traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_FAIL


def _flat(error: object, limit: int = 1000) -> str:
    """An error message on one line (line breaks and runs of spaces become one space)."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _numerical(message, category, filename: str) -> bool:
    """Is this numpy's (or scipy's, pandas's) floating-point chatter ("invalid value encountered
    in divide", "Mean of empty slice")? Such warnings never reach the user."""
    if not issubclass(category, RuntimeWarning):
        return False
    where = str(filename).replace("\\", "/")
    text = str(message)
    return (
        any(f"/{lib}/" in where for lib in ("numpy", "scipy", "pandas"))
        or "encountered in" in text
        or "empty slice" in text
        or "Degrees of freedom" in text
    )


@contextlib.contextmanager
def _one_line_warnings():
    """Show every warning as one line on stderr, ``warning: <message>`` (no source lines)."""

    def show(message, category, filename, lineno, file=None, line=None):
        if _numerical(message, category, filename):
            return  # nan, overflow, empty slices: the results say so, not a warning
        stream = sys.stderr if file is None else file
        with contextlib.suppress(OSError, ValueError):
            stream.write(f"warning: {_flat(message, 300)}\n")

    previous = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous


def run() -> None:
    """``run_sim.py`` and the ``reclamare`` console script: :func:`main`, then a quick exit.

    The objects made by importing the libraries live as long as the process: ``gc.freeze``
    keeps them out of every later garbage collection (with collection switched off during the
    imports by sim/entry.py: 0.15-0.2 s of a 1.4 s command; docs/performance.md). The libraries
    are imported once the command is known (:func:`load_command`), so that is where collection
    is switched back on.
    """
    try:
        status = main(prepare=load_command)
    except KeyboardInterrupt:  # before or after a command's own handling (parsing, imports)
        with contextlib.suppress(OSError, ValueError):
            print("Interrupted.", file=sys.stderr)
        status = EXIT_INTERRUPT
    exit_without_teardown(status)


# What each command runs on, imported by load_command before the command starts (with garbage
# collection off, then frozen). A command not listed imports its libraries as it runs (the same
# result, with collections during those imports). Commands whose bodies need nothing heavy
# (viz starts a server process) are not listed.
COMMAND_MODULES = {
    "run": ("sim.study.conduct", "sim.outputs.build", "sim.engine.model"),
    "sweep": ("sim.study.conduct", "sim.outputs.build", "sim.engine.model"),
    "validate": ("sim.study.scenario", "sim.engine.model"),
    "list": ("sim.study.scenario",),
    "schema": ("sim.study.scenario",),
    "report": ("sim.outputs.build",),
    "evidence": ("sim.evidence.validation",),
    "calibrate": ("sim.evidence.calibrate",),
    "check": ("sim.study.expect", "sim.study.conduct"),
    "sensitivity": ("sim.evidence.sensitivity_runs", "sim.evidence.sensitivity_page"),
    "workshop": ("sim.workshop.build",),
}


def load_command(command: str) -> None:
    """Import the modules ``command`` runs on (``COMMAND_MODULES``), then freeze every object
    made so far and switch garbage collection on (sim/entry.py imports with it off)."""
    for module in COMMAND_MODULES.get(command, ()):
        importlib.import_module(module)
    gc.freeze()
    gc.enable()


def exit_without_teardown(status: int) -> None:
    """Exit with ``status`` without tearing the interpreter down.

    The exit handlers run (``atexit``: Dask, logging, temporary files) and the standard streams
    are flushed, but the interpreter's final teardown (clearing some 2,000 modules and
    collecting every object, numba's and LLVM's included) is skipped: it took 0.3 s after every
    command, a fifth of the 100,000-customer end-to-end budget (docs/performance.md). Results
    are already on disk (written and closed by then). While another non-daemon thread is still
    running, exits normally instead.
    """
    import atexit

    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(t.is_alive() and not t.daemon for t in others):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (| head) or stream has nothing to flush into.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _stop_cleanly_on_sigterm() -> None:
    """Treat SIGTERM (a batch system's time limit, ``kill``) like Ctrl-C: finished runs are
    kept and the results folder says it is incomplete, ready to resume."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


# --------------------------------------------------------------------------- commands


def cmd_study(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study import conduct as st
    from sim.study.scenario import load_scenario, parse_assignment

    sweep = args.command == "sweep"
    overrides = [parse_assignment(text) for text in args.overrides]
    for name in ("weeks", "replicates", "seed"):
        value = getattr(args, name)
        if value is not None:
            overrides.append((name, value))
    scenario = load_scenario(args.scenario, overrides)
    _apply_versus(scenario, args.versus)
    weeks_shown = args.weeks_shown
    if weeks_shown:
        if sweep:
            raise CliError("--weeks-shown: only for 'run' (a sweep reports its last week)")
        late = [w for w in weeks_shown if w > scenario.weeks]
        if late:
            raise CliError(
                f"--weeks-shown: week {late[0]} is after the study's last week "
                f"({scenario.weeks}); choose weeks from 0 to {scenario.weeks}"
            )
    if sweep and not scenario.has_sweep:
        raise CliError(f"{scenario.path}: has no [sweep] table; use 'run' for a single setting")
    _ = translator(args.lang or "en")
    if not sweep and scenario.has_sweep:
        _note(
            _(
                "note: {name} has a [sweep] table; 'run' runs its base setting only "
                "(use 'sweep {scenario}' for the grid)"
            ).format(name=scenario.name, scenario=args.scenario),
            args.quiet,
        )
    # Refuse an unusable --out before anything is created.
    st.prepare(scenario, sweep, args.out, new_folder=args.new_folder)
    members = _plausible_members(scenario, getattr(args, "plausible", None), _, args.quiet)
    _say_if_compiling(_, args.quiet)
    executor = make_executor(args)
    from sim.outputs.build import drawer

    draw = drawer(args.lang or "en", args.figures)
    if members is not None:
        draw = _with_markets(draw, scenario, members, executor)
    try:
        outcome = st.execute(
            scenario,
            sweep=sweep,
            out=args.out,
            executor=executor,
            quiet=args.quiet,
            argv=argv,
            new_folder=args.new_folder,
            draw=draw,
        )
    except KeyboardInterrupt as interrupt:
        outcome = getattr(interrupt, "outcome", None)
        if outcome is None:
            raise
        print(
            "\n"
            + _(
                "Interrupted: {done} of {total} runs finished and are kept in {folder} "
                "(marked incomplete)."
            ).format(done=outcome.runs_done, total=outcome.runs_total, folder=outcome.out)
            + "\n"
            + _("To finish only what is missing: {command}").format(
                command=interrupt.resume_command
            ),
            file=sys.stderr,
        )
        return EXIT_INTERRUPT
    finally:
        st._close(executor)  # idempotent; also on errors (shuts a local Dask cluster down)
    print_outcome(scenario, outcome, sweep, args.figures, _, weeks_shown)
    if members is not None:
        _print_plausible(outcome.out, _)
    return EXIT_OK


def _plausible_members(scenario, count: int | None, _, quiet: bool):
    """``count`` members of the shipped plausible set, drawn with the scenario's seed (all of
    them when the set is smaller); None without ``--plausible``."""
    if count is None:
        return None
    from sim.evidence.plausible import load_plausible

    plausible = load_plausible()
    if count > len(plausible):
        _note(
            _("note: the plausible set has {size} markets; running all of them").format(
                size=len(plausible)
            ),
            quiet,
        )
        count = len(plausible)
    members = plausible.sample(count, seed=scenario.seed)
    return {"members": members, "set": plausible}


def _with_markets(draw, scenario, members: dict, executor):
    """The study's draw step, preceded by the runs over plausible markets (while the study
    holds its folder): their lead shares go to plausible.csv and the manifest."""
    from sim.study.markets import plausible_study, write_plausible

    def draw_with_markets(folder, manifest, table, summary) -> None:
        shares = plausible_study(scenario, members["members"], scenario.seed, executor)
        write_plausible(folder, shares)
        provenance = members["set"].provenance
        manifest["plausible"] = {
            "markets": len(members["members"]),
            "seed": scenario.seed,
            "set_date": provenance.get("date"),
            "set_commit": provenance.get("git_commit"),
        }
        draw(folder, manifest, table, summary)

    return draw_with_markets


def _print_plausible(folder, _) -> None:
    """The lead shares at the last week: one line per comparison and measure."""
    from sim.study.markets import read_plausible

    table = read_plausible(folder)
    if table is None or table.empty:
        return
    week = int(table["week"].max())
    markets = int(table["markets"].max())
    print(
        _(
            "Over {markets} plausible markets (share in which the first arm is ahead at week "
            "{week}, 95 % interval):"
        ).format(markets=markets, week=week)
    )
    last = table[table["week"] == week]
    for (arm, versus), rows in last.groupby(["arm", "versus"], sort=False):
        cells = "; ".join(
            f"{row.measure} {row.share:.0%} [{row.low:.0%}, {row.high:.0%}]"
            for row in rows.itertuples()
        )
        print(f"  {arm} - {versus}: {cells}")


def _apply_versus(scenario, versus: str | None) -> None:
    """Make ``versus`` the scenario's baseline (checked: it must be one of its arms)."""
    if versus is None:
        return
    from sim.params import did_you_mean

    names = scenario.arm_names
    if versus not in names:
        hint = did_you_mean(versus, names) or f"; arms: {', '.join(names)}"
        raise CliError(f"--versus {versus!r}: not an arm of {scenario.name}{hint}")
    scenario.spec = scenario.spec.model_copy(update={"baseline": versus})
    scenario.overrides.append(("baseline", versus))


def _summaries_at(scenario, outcome, weeks: list[int]) -> list[dict]:
    """The summary (levels and paired differences against the baseline) at each of ``weeks``."""
    from sim.study import results as res

    table = res.read_timeseries(outcome.out / "timeseries.csv")
    out = []
    for week in weeks:
        rows = table[table["week"] == week]
        out.append(res.summarise(rows, scenario.arm_names, scenario.baseline, []))
    return out


def print_outcome(
    scenario,
    outcome,
    sweep: bool,
    figures: bool = True,
    _=None,
    weeks_shown: list[int] | None = None,
) -> None:
    from sim.engine.measures import label
    from sim.i18n.scenarios import scenario_text
    from sim.i18n.vocabulary import arm_label

    _ = _ or translator()
    summary = outcome.summary
    arms = summary["arms"]
    values = {
        "arms": len(arms),
        "replicates": scenario.replicates,
        "points": len(summary["points"]),
        "weeks": scenario.weeks,
        "seconds": f"{outcome.seconds:.1f}",
    }
    runs = (
        _(
            "{arms} arms x {replicates} replicates x {points} grid points, {weeks} weeks: "
            "{seconds} s"
        )
        if sweep
        else _("{arms} arms x {replicates} replicates, {weeks} weeks: {seconds} s")
    )
    print(scenario_text(scenario.title, scenario.description, _.lang).title)
    print("  " + runs.format(**values))
    print(_("Results: {folder}").format(folder=outcome.out))
    if figures:
        print(_("Report:  {file}").format(file=outcome.out / "report.html"))
    else:
        print(
            _("Report:  not drawn (--no-figures); {command}").format(
                command=f"{command_name()} report {outcome.out}"
            )
        )
    week = summary["final_week"]
    measures = [m for m in scenario.key_measures if m in summary["units"]]
    # The tables name the arms as the scenario wrote them (what --versus takes); in another
    # language, say which of them are the vocabulary's words (push = reklame).
    said = [
        f"{a} = {arm_label(a, _).removesuffix(f' ({a})')}" for a in arms if arm_label(a, _) != a
    ]
    if said:
        print(_("Arms: {names}").format(names=", ".join(said)))
    if not sweep:
        if "profit" in summary["units"] and "profit" not in measures:
            measures.append("profit")  # the manager's question, in every table (cu per 1,000)
        if _("Awareness") != "Awareness":  # not English: say what the column names mean
            names = ", ".join(f"{m} = {label(m, _).lower()}" for m in measures)
            print(_("Columns: {names}").format(names=names))
        tables = [(week, summary["points"][0])]
        if weeks_shown:
            at = _summaries_at(scenario, outcome, weeks_shown)
            tables = [(w, s["points"][0]) for w, s in zip(weeks_shown, at, strict=True)]
        for shown, point in tables:
            _print_table(shown, point, measures, _)
        _print_media_plan(week, summary["points"][0], _)
        for item in summary.get("what_pays", [])[:1]:
            print(
                _(
                    "What pays: {leader} has the highest profit to date ({leader_mean} cu per "
                    "1,000 customers, {runner_up} {runner_up_mean})"
                ).format(
                    leader=arm_label(item["leader"], _),
                    leader_mean=f"{item['leader_mean']:.4g}",
                    runner_up=arm_label(item["runner_up"], _),
                    runner_up_mean=f"{item['runner_up_mean']:.4g}",
                )
                + (_(", within noise") if item["tie"] else "")
            )
        return
    _print_sweep(summary, measures, week, _)


def _print_table(week: int, point: dict, measures: list[str], _) -> None:
    """One terminal table: each arm's mean [interval] and the paired differences at ``week``."""
    rows = [[_("week {week}").format(week=week), *measures]]
    rows += [
        [item["arm"], *(_short(item["measures"][m]) for m in measures)] for item in point["arms"]
    ]
    diffs = [
        [
            f"{item['arm']} - {item['versus']}",  # arm names as the scenario wrote them
            *(_short(item["measures"][m], True) for m in measures),
        ]
        for item in point["differences"]
    ]
    widths = [max(len(r[i]) for r in rows + diffs) + 2 for i in range(len(rows[0]))]
    print()
    for k, row in enumerate(rows + diffs):
        if k == len(rows) and diffs:
            print(_("paired differences:"))
        print(
            row[0].ljust(widths[0])
            + "".join(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        )
    print(_("mean [95 % interval] over replicates; * = difference excludes zero"))


MEDIA_PLAN = ("grps", "grps_to_date", "weekly_reach", "frequency", "ad_to_sales")


def _print_media_plan(week: int, point: dict, _) -> None:
    """The media plan as a planner reads it, one line per arm that bought ads: this week's and
    the to-date GRPs, weekly reach, average frequency and the advertising-to-sales ratio to date
    (means over replicates)."""
    lines = []
    for item in point["arms"]:
        values = item["measures"]
        if any(m not in values for m in MEDIA_PLAN) or not values["grps_to_date"]["mean"]:
            continue
        mean = {m: values[m]["mean"] for m in MEDIA_PLAN}
        lines.append(
            "  "
            + _(
                "{arm}: {grps} GRPs this week, {grps_to_date} to date; weekly reach {reach}, "
                "average frequency {frequency}; A/S {ad_to_sales}"
            ).format(
                arm=item["arm"],
                grps=f"{mean['grps']:.0f}",
                grps_to_date=f"{mean['grps_to_date']:,.0f}",
                reach=f"{mean['weekly_reach']:.0%}",
                frequency="-" if mean["frequency"] is None else f"{mean['frequency']:.2f}",
                ad_to_sales="-" if mean["ad_to_sales"] is None else f"{mean['ad_to_sales']:.1%}",
            )
        )
    if lines:
        print()
        print(
            _(
                "Media plan at week {week} (means; 100 GRPs = one impression per customer; A/S = "
                "push spend to date / revenue to date):"
            ).format(week=week)
        )
        print("\n".join(lines))


def _print_sweep(summary: dict, measures: list[str], week: int, _) -> None:
    from sim.engine.measures import LOWER_IS_BETTER, label

    arms = summary["arms"]
    m = measures[0]
    paths = summary["sweep_paths"]
    pick = min if m in LOWER_IS_BETTER else max
    print(
        "\n"
        + _("{measure} at week {week} (mean over replicates; best arm marked *):").format(
            measure=label(m, _), week=week
        )
    )
    head = "".join(f"{p[-22:]:>24}" for p in paths) + "".join(f"{a[:12]:>14}" for a in arms)
    print(head)
    for point in summary["points"][:40]:
        levels = {a["arm"]: a["measures"][m]["mean"] for a in point["arms"]}
        finite = {a: v for a, v in levels.items() if v is not None}
        best = pick(finite, key=finite.get) if finite else None
        row = "".join(f"{str(point['point'][p]):>24}" for p in paths)
        for a in arms:
            v = levels[a]
            text = "-" if v is None else f"{v:.3f}" + ("*" if a == best else " ")
            row += f"{text:>14}"
        print(row)
    if len(summary["points"]) > 40:
        print(
            _("... {count} more grid points in sweep.csv").format(count=len(summary["points"]) - 40)
        )


def _short(ci: dict, diff: bool = False) -> str:
    mean, low, high = ci["mean"], ci["low"], ci["high"]
    if mean is None:
        return "-"
    sign = "+" if diff else ""
    if low is None:
        return f"{mean:{sign}.3g}"
    star = "*" if diff and (low > 0 or high < 0) else ""
    return f"{mean:{sign}.3g} [{low:.3g}, {high:.3g}]{star}"


def cmd_validate(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study.scenario import ScenarioError, load_scenario

    _ = translator(args.lang or "en")
    bad = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as error:
            print(f"invalid: {error}", file=sys.stderr)
            bad += 1
            continue
        size = {"arms": len(scenario.arm_names)}
        detail = (
            _("{arms} arms, sweep of {points} points").format(points=len(scenario.points()), **size)
            if scenario.has_sweep
            else _("{arms} arms").format(**size)
        )
        print(f"ok: {name}: {scenario.title} ({detail})")
    return EXIT_INPUT if bad else EXIT_OK


def cmd_list(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study.scenario import shipped_scenarios

    _ = translator(args.lang or "en")
    rows = shipped_scenarios(_.lang)
    width = max((len(name) for name, _ in rows), default=0) + 2
    for name, title in rows:
        print(f"{name:<{width}}{title}")
    print(
        "\n"
        + _("Run one with: {run}   (sweeps: {sweep})").format(
            run=f"{command_name()} run NAME", sweep=f"{command_name()} sweep NAME"
        )
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.outputs.build import rebuild

    if not os.path.isdir(args.folder):
        raise CliError(f"{args.folder}: no such results folder")
    _summary, complete = rebuild(args.folder, args.lang)
    from sim.outputs.build import recorded_language
    from sim.study.results import read_manifest

    _ = translator(recorded_language(read_manifest(args.folder)))
    print(_("Report: {file}").format(file=args.folder / "report.html"))
    print(_("Figures: {folder}").format(folder=args.folder / "figures"))
    if getattr(args, "csv_locale", None):
        from sim.study.results import spreadsheet_copies

        for path in spreadsheet_copies(args.folder, args.csv_locale):
            print(_("For spreadsheets: {file}").format(file=path))
    if not complete:
        print(_("note: the study is incomplete; the report uses the finished runs only"))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study.scenario import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CliError(f"{args.output}: cannot write ({error.strerror or error})") from None
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_workshop(args: argparse.Namespace, argv: list[str]) -> int:
    import time

    from sim.i18n import LANGUAGES
    from sim.study.results import create_default_folder
    from sim.workshop.build import build_kit

    if getattr(args, "action", None) != "build":
        raise CliError("workshop: say what to do: 'workshop build' (see workshop --help)")
    if args.out is None:
        out = create_default_folder("workshop")
    else:
        out = args.out
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CliError(f"--out {out}: exists and is not an empty folder; choose a new one")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CliError(f"--out {out}: cannot create ({error.strerror or error})") from None
    started = time.perf_counter()
    kit = build_kit(
        out,
        small=args.small,
        langs=(args.lang,) if args.lang else LANGUAGES,
        make_pdf=args.pdf,
        log=lambda text: _note(text, args.quiet),
    )
    seconds = time.perf_counter() - started
    print(f"Teaching kit: {out} ({len(kit['files'])} files, {seconds:.0f} s)")
    for lang in kit["languages"]:
        print(f"  {lang}: {out / lang / '90min-worksheet.html'}, {out / lang / '90min-key.html'}")
    if kit["pdf"] != "made":
        print(f"  PDF: {kit['pdf']}")
    return EXIT_OK


def _say_if_compiling(_, quiet: bool) -> None:
    """The first run after installing compiles the model (about a minute): say so, once."""
    import sim.engine.model  # noqa: F401 - imports every kernel
    from sim.engine.jit import needs_compiling

    if needs_compiling():
        _note(
            _("Compiling the model for this computer (once after installing; up to a minute)..."),
            quiet,
        )


def _note(text: str, quiet: bool) -> None:
    if not quiet:
        print(text, file=sys.stderr)


def cmd_evidence(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.evidence.commands import cmd_evidence as run

    return run(args, argv, make_executor)


def cmd_calibrate(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.evidence.commands import cmd_calibrate as run

    return run(args, argv)


def cmd_calibrate_defaults(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.evidence.commands import cmd_calibrate_defaults as run

    return run(args, argv, make_executor)


def cmd_check(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study.expect import check_scenarios
    from sim.study.scenario import parse_assignment, shipped_scenarios

    overrides = [parse_assignment(text) for text in args.overrides]
    names = args.scenarios or [name for name, _ in shipped_scenarios()]
    executor = make_executor(args)
    try:
        failed = check_scenarios(
            names,
            overrides,
            executor,
            quiet=args.quiet,
            seeds=args.seeds,
            factor=args.replicates_factor,
            robust=args.robust,
        )
    finally:
        executor.close()
    return EXIT_FAIL if failed else EXIT_OK


def cmd_sensitivity(args: argparse.Namespace, argv: list[str]) -> int:
    import tempfile

    from sim.evidence.sensitivity_page import write_page
    from sim.evidence.sensitivity_runs import SIZES, SensitivityError

    size = SIZES["small" if args.small else "full"]
    out = args.out
    if args.small and out is None:
        out = Path(tempfile.mkdtemp(prefix="reclamare-sensitivity-"))
    page = args.page or (out if args.small else Path(__file__).resolve().parents[1] / "docs")
    executor = make_executor(args)
    try:
        from sim.evidence.sensitivity_runs import analyse

        analysis = analyse(size, executor, out=out, seed=args.seed, quiet=args.quiet)
    except SensitivityError as error:
        raise CliError(str(error)) from None
    finally:
        executor.close()
    path = write_page(analysis, page)
    print(f"Runs:  {analysis['folder']}")
    print(f"Page:  {path}")
    print(
        f"Time:  {analysis['seconds']:.0f} s this session, {analysis['total_seconds']:.0f} s in all"
    )
    return EXIT_OK


COMMANDS = {
    "run": cmd_study,
    "sweep": cmd_study,
    "validate": cmd_validate,
    "list": cmd_list,
    "report": cmd_report,
    "schema": cmd_schema,
    "viz": cmd_viz,
    "evidence": cmd_evidence,
    "calibrate": cmd_calibrate,
    "calibrate-defaults": cmd_calibrate_defaults,
    "check": cmd_check,
    "sensitivity": cmd_sensitivity,
    "workshop": cmd_workshop,
}


if __name__ == "__main__":
    sys.exit(main())
