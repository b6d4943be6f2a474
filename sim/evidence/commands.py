"""The ``evidence`` and ``calibrate`` commands of ``run_sim.py`` (parsers and actions).

``sim.cli`` adds these parsers and dispatches to ``cmd_evidence`` / ``cmd_calibrate``; errors are
``EvidenceError`` (one line, exit status 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.evidence.errors import EvidenceError

ROOT = Path(__file__).resolve().parents[2]


def add_parsers(sub, add_executor_options) -> None:
    """Add ``evidence`` and ``calibrate`` to the sub-command parsers ``sub``."""
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


def cmd_evidence(args: argparse.Namespace, argv: list[str], make_executor) -> int:
    from sim.evidence.page import PageError, check_target, write_page
    from sim.evidence.validation import SIZES, run_validation
    from sim.study.results import create_default_folder, create_out_dir

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
    from sim.evidence.calibrate import calibrate_command

    return calibrate_command(args, argv)
