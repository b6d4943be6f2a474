"""The ``evidence``, ``calibrate`` and ``calibrate-defaults`` commands of ``run_sim.py``.

``sim.cli_parser`` adds these parsers and ``sim.cli_commands`` dispatches to ``cmd_evidence`` /
``cmd_calibrate`` / ``cmd_calibrate_defaults``; errors are ``EvidenceError`` (one line, exit
status 2). The actions import their heavy modules (pyabc among them) only when they run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.evidence.errors import EvidenceError

ROOT = Path(__file__).resolve().parents[2]


def add_parsers(sub, add_executor_options) -> None:
    """Add ``evidence``, ``calibrate`` and ``calibrate-defaults`` to the sub-command parsers."""
    ev = sub.add_parser(
        "evidence",
        help="regenerate docs/validation.md: the model against published results",
        description="Run every validation check (Bass limit for published estimates, network "
        "order, opinion clusters, ads' share of new customers, elasticities beside "
        "meta-analyses) and write validation.md with its figures.",
    )
    ev.add_argument(
        "--small",
        action="store_true",
        help="the quick version (seconds; weak evidence): writes to a new folder under "
        "results/evidence/ unless --out is given, never to docs/",
    )
    ev.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for validation.md and figures/validation/ (default: docs/ for the full "
        "version); an existing validation.md is replaced only if this program wrote it",
    )
    ev.add_argument("--quiet", action="store_true", help="no progress bars")
    add_executor_options(ev)

    cal = sub.add_parser(
        "calibrate",
        help="fit push reach and talk rate (and Bass p, q) to an observed adoption series",
        description="Fit the model's push reach and talk rate, and the Bass model's p and q, to "
        "a CSV series of new adopters (or sales) per week or per year; bootstrap and profile "
        "intervals (open where the series does not bound a value, with a warning: a series "
        "that has not peaked does not identify its market size; a flat one is refused), a fit "
        "figure, and a scenario file with the fitted values. Format: docs/calibration.md.",
    )
    cal.add_argument("series", metavar="SERIES.csv", type=Path)
    cal.add_argument(
        "--scenario",
        default="bass",
        metavar="SCENARIO",
        help="scenario whose other settings are kept (default: bass, the Bass limit)",
    )
    cal.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for the fit figure, table and scenario (default: a new folder under "
        "results/calibrate/); files that exist are never overwritten",
    )
    cal.add_argument(
        "--measure",
        choices=("adoption", "awareness"),
        default="adoption",
        help="the model's share compared with the series (default: adoption)",
    )
    cal.add_argument("--bootstrap", type=int, default=200, metavar="B", help="bootstrap resamples")
    cal.add_argument(
        "--replicates", type=int, default=4, metavar="R", help="model runs per grid point"
    )
    cal.add_argument(
        "--grid", type=int, default=7, metavar="G", help="grid points per parameter (odd, 3-15)"
    )
    cal.add_argument("--n", type=int, default=1000, metavar="N", help="customers simulated")
    cal.add_argument("--seed", type=int, default=1969, metavar="S", help="master seed")
    cal.add_argument("--quiet", action="store_true", help="no progress bars")
    add_calibrate_defaults_parser(sub, add_executor_options)


def add_calibrate_defaults_parser(sub, add_executor_options) -> None:
    """``calibrate-defaults``: ABC over the documented ranges against every empirical target."""
    cd = sub.add_parser(
        "calibrate-defaults",
        help="find the plausible set: parameter vectors meeting every empirical target (ABC)",
        description="Approximate Bayesian computation (pyabc's ABC-SMC) over the parameter "
        "ranges of sim/evidence/ranges.py against the targets of sim/evidence/targets.py; "
        "writes the members that meet every target, with provenance, to "
        "sim/evidence/data/plausible.json (needs the calibrate extra: pip install -e "
        "'.[calibrate]').",
    )
    cd.add_argument(
        "--population", type=int, default=200, metavar="P", help="ABC population size (200)"
    )
    cd.add_argument(
        "--generations", type=int, default=12, metavar="G", help="at most G generations (12)"
    )
    cd.add_argument(
        "--minutes",
        type=float,
        default=55.0,
        metavar="M",
        help="no new generation after M minutes of ABC (55; 0: no limit)",
    )
    cd.add_argument(
        "--n",
        type=int,
        metavar="N",
        default=24_000,
        help="customers per market (24,000: twice the cost of 3,000 and half the noise of the "
        "targets)",
    )
    cd.add_argument(
        "--replicates",
        type=int,
        default=1,
        metavar="R",
        help="seeds averaged per market before the targets' ratios are taken (1)",
    )
    cd.add_argument("--seed", type=int, default=2024, metavar="S", help="master seed (2024)")
    cd.add_argument(
        "--processes",
        type=int,
        metavar="K",
        help="pyabc's multicore sampler with K processes (instead of Dask or one core)",
    )
    cd.add_argument(
        "--all-parameters",
        action="store_true",
        help="vary all documented ranges, not only the screened ones "
        "(sim/evidence/calibrate_defaults.py SCREENED; with all 68, ABC-SMC's weights degenerate)",
    )
    cd.add_argument(
        "--no-recheck",
        action="store_true",
        help="keep every member at distance 0 without re-running it at a second seed",
    )
    cd.add_argument(
        "--until-found",
        type=int,
        default=0,
        metavar="K",
        help="stop the ABC once its generations have accepted K markets that meet every target "
        "(for --explore to take over; 0: no such stop)",
    )
    cd.add_argument(
        "--explore",
        type=float,
        default=0.0,
        metavar="M",
        help="then explore the region of the markets found for M minutes (ABC-MCMC on emcee, "
        "sim/evidence/abc_explore.py) and add the markets visited (0: no exploration)",
    )
    cd.add_argument(
        "--from-set",
        type=Path,
        metavar="FILE",
        help="no ABC: start from the members of the plausible set FILE, re-measured against "
        "today's targets at every seed (those still meeting each are kept; then --explore)",
    )
    cd.add_argument(
        "--walkers",
        type=int,
        metavar="W",
        help="walkers of the exploration (default: twice the parameters plus 2)",
    )
    cd.add_argument(
        "--max-members",
        type=int,
        default=300,
        metavar="K",
        help="at most K explored markets re-run and added (300)",
    )
    cd.add_argument(
        "--out",
        type=Path,
        default=ROOT / "sim" / "evidence" / "data" / "plausible.json",
        metavar="FILE",
        help="where the plausible set goes (default sim/evidence/data/plausible.json)",
    )
    cd.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="keep pyabc's sqlite history in FILE (default: a temporary folder, removed; an "
        "existing FILE is never written over)",
    )
    cd.add_argument(
        "--resume",
        action="store_true",
        help="continue the run kept in --history FILE for at most G more generations (G = 0: "
        "only build the set from it); the same --n, --replicates and --seed as before",
    )
    add_executor_options(cd)


def cmd_evidence(args: argparse.Namespace, argv: list[str], make_executor) -> int:
    from sim.evidence.page import PageError, check_target, write_page
    from sim.evidence.validation import SIZES, run_validation
    from sim.study.folders import create_default_folder, create_out_dir

    size = SIZES["small" if args.small else "full"]
    if args.out is not None:
        out = args.out
    elif args.small:
        out = None
    else:
        out = ROOT / "docs"
        if not out.is_dir():
            raise EvidenceError(f"{out}: no docs folder here; give --out DIR")
    if out is not None:
        try:
            check_target(out)  # refuse before the runs, not after
        except PageError as error:
            raise EvidenceError(str(error)) from None
        create_out_dir(out)
    else:
        out = create_default_folder("evidence", "results")
    executor = make_executor(args)
    log = (lambda text: None) if args.quiet else (lambda text: print(text, file=sys.stderr))
    try:
        results = run_validation(size, executor, quiet=args.quiet, log=log)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    command = "run_sim.py " + " ".join(argv)
    try:
        page = write_page(results, out, command)
    except PageError as error:
        raise EvidenceError(str(error)) from None
    passed = sum(r["passed"] for r in results["checks"])
    print(f"{passed} of {len(results['checks'])} checks pass ({results['seconds']:.0f} s)")
    print(f"Page: {page}")
    return 0 if passed == len(results["checks"]) else 1


def cmd_calibrate(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.evidence.calibrate_outputs import calibrate_command

    return calibrate_command(args, argv)


def cmd_calibrate_defaults(args: argparse.Namespace, argv: list[str], make_executor) -> int:
    from sim.evidence.calibrate_defaults import (
        calibrate_defaults,
        settings_from_args,
        summary_line,
    )

    if args.processes is not None and (args.workers is not None or args.scheduler):
        raise EvidenceError("give --processes or --workers/--scheduler, not both")
    settings = settings_from_args(args)
    executor = make_executor(args)
    try:
        path, record = calibrate_defaults(
            settings, executor, command="run_sim.py " + " ".join(argv)
        )
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    print(summary_line(path, record))
    return 0
