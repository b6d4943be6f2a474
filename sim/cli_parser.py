"""The command line's arguments: every command, its options, their help texts (in the language
of ``--lang``) and the checks of their values (a bad value is one line, exit status 2). Also
the program's exit statuses and ``CliError`` (bad input), which every module of the command
line uses.

``sim.cli`` builds the parser here for every command, ``--help`` included, so this module
imports only the standard library and the light modules the parser needs (the language
catalogue, the shipped scenarios' folder, the viz and evidence parsers): see sim/cli.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.evidence.commands import add_parsers as add_evidence_parsers
from sim.i18n import LANGUAGES, check_language, translator
from sim.shipped import DEFAULT_SCENARIO, command_name
from sim.viz.launch import add_parser as add_viz_parser

# The program's exit statuses (sim/cli.py): done, unexpected failure, bad input, interrupted.
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
    plausible_option(
        run,
        _(
            "also run the scenario once in each of N markets of the calibrated plausible set "
            "(default 50) and report the share of them in which each arm leads"
        ),
    )
    sweep = sub.add_parser("sweep", help=_("run the scenario's [sweep] grid x arms x replicates"))
    study_options(sweep, scenario_required=True)
    plausible_option(
        sweep,
        _(
            "also run every grid point once in each of N markets of the calibrated plausible "
            "set (default 50) and report, per point, the share of them in which each arm leads"
        ),
    )
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
    plausible_option(
        check,
        "also look at every claim once in each of N markets of the calibrated plausible "
        "set (default 50) and print the share of them in which its direction holds",
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
    gsa.add_argument(
        "--sobol-all",
        action="store_true",
        help="vary every ranged parameter in the Sobol step, not only the 8 Morris ranks first "
        "(about 19,800 runs instead of 4,400: some 17 minutes of one core, an hour on a shared "
        "machine)",
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


def plausible_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--plausible [N]`` (50 when given without N) of ``run``, ``sweep`` and ``check``."""
    parser.add_argument(
        "--plausible", nargs="?", const=50, type=_count, metavar="N", help=help_text
    )


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
