"""What each command of the command line does: ``COMMANDS`` maps a command to its function.

Each function takes the parsed arguments and the raw ones, and returns the exit status; bad
input is a ``CliError`` (one line, exit status 2), reported by ``sim.cli``. A function imports
the libraries it runs on when it runs (``sim.cli.COMMAND_MODULES`` loads them first), so that
this module stays as light as the parser (tests/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim.cli_parser import EXIT_FAIL, EXIT_INPUT, EXIT_INTERRUPT, EXIT_OK, CliError
from sim.cli_tables import _print_plausible, arm_names, print_outcome
from sim.i18n import translator
from sim.shipped import command_name
from sim.viz.launch import cmd_viz


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


def cmd_study(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study import conduct as st
    from sim.study.overrides import parse_assignment
    from sim.study.scenario import load_scenario

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
        draw = _with_markets(draw, scenario, members, executor, sweep)
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
        _print_plausible(outcome.out, _, arm_names(scenario, _))
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


def _with_markets(draw, scenario, members: dict, executor, sweep: bool = False):
    """The study's draw step, preceded by the runs over plausible markets (while the study
    holds its folder): their lead shares (at every grid point of a sweep) go to plausible.csv
    and the manifest."""
    from sim.study.markets import plausible_study, write_plausible

    def draw_with_markets(folder, manifest, table, summary) -> None:
        points = scenario.points() if sweep else None
        shares = plausible_study(scenario, members["members"], scenario.seed, executor, points)
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


def cmd_validate(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study.scenario import load_scenario
    from sim.study.schema import ScenarioError

    _ = translator(args.lang or "en")
    bad = 0
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as error:
            print(f"invalid: {error.text(_)}", file=sys.stderr)
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
    from sim.study.scenario_files import shipped_scenarios

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
    from sim.study.manifest import read_manifest

    _ = translator(recorded_language(read_manifest(args.folder)))
    print(_("Report: {file}").format(file=args.folder / "report.html"))
    print(_("Figures: {folder}").format(folder=args.folder / "figures"))
    if getattr(args, "csv_locale", None):
        from sim.study.runs import spreadsheet_copies

        for path in spreadsheet_copies(args.folder, args.csv_locale):
            print(_("For spreadsheets: {file}").format(file=path))
    if not complete:
        print(_("note: the study is incomplete; the report uses the finished runs only"))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, argv: list[str]) -> int:
    from sim.study.schema import json_schema

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
    from sim.study.folders import create_default_folder
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
    from sim.study.overrides import parse_assignment
    from sim.study.scenario import load_scenario
    from sim.study.scenario_files import shipped_scenarios

    overrides = [parse_assignment(text) for text in args.overrides]
    names = args.scenarios or [name for name, _ in shipped_scenarios()]
    markets = None
    if getattr(args, "plausible", None) is not None:
        _ = translator("en")

        def markets(scenario):
            return _plausible_members(scenario, args.plausible, _, args.quiet)["members"]

        markets(load_scenario(names[0], overrides))  # refuse before any run without a set
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
            markets=markets,
        )
    finally:
        executor.close()
    return EXIT_FAIL if failed else EXIT_OK


def cmd_sensitivity(args: argparse.Namespace, argv: list[str]) -> int:
    import tempfile

    from sim.evidence.sensitivity_page import write_page
    from sim.evidence.sensitivity_runs import SIZES, SensitivityError

    name = "small" if args.small else ("full-all" if args.sobol_all else "full")
    size = SIZES[name]
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
