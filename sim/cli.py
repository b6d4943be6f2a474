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
error messages are in English, except a scenario file's own validation message (a
``sim.i18n.Message``), which is in that language too.

Exit status: 0 done, 1 unexpected failure, 2 bad input (nothing created), 130 interrupted
(finished runs kept, folder marked incomplete).

The command line is four modules: this one runs the program (``main``: parse, dispatch, one
line and an exit status for every failure, Ctrl-C and SIGTERM, the libraries each command
loads, the exit without teardown); ``sim.cli_parser`` holds the arguments and their checks,
``sim.cli_commands`` what each command does (``COMMANDS``), ``sim.cli_tables`` what a study
prints in the terminal.

They import only the standard library and the light modules the parser needs (the language
catalogue, the shipped scenarios' folder, the viz and evidence parsers), so that ``--help``
takes a small fraction of a second: each command imports the libraries it runs on (numba,
pandas, Mesa, ...) when it runs (``COMMAND_MODULES``; docs/performance.md, "Start-up of the
command line"; tests/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable

from sim.cli_commands import COMMANDS
from sim.cli_parser import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_INTERRUPT,
    EXIT_OK,
    CliError,
    _peek_language,
    build_parser,
)
from sim.i18n import language_from_env, message_text, translator


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
    ("sim.study.schema", "ScenarioError"),
    ("sim.study.folders", "ResultsError"),
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
        print(f"error: {_flat(in_language(error, args))}", file=sys.stderr)
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


def in_language(error: Exception, args: argparse.Namespace) -> str:
    """An error's message in the command's language (``--lang``, else ``$RECLAMARE_LANG``):
    translated when it is a :class:`sim.i18n.Message` (a scenario's validation message), else
    as it is."""
    lang = getattr(args, "lang", None)
    if not lang or lang == "en":
        return str(error)
    try:
        return message_text(error, translator(lang))
    except (OSError, ValueError):  # a broken catalogue must not hide the error itself
        return str(error)


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
    "list": ("sim.study.scenario_files",),
    "schema": ("sim.study.schema",),
    "report": ("sim.outputs.build",),
    "evidence": ("sim.evidence.validation",),
    "calibrate": ("sim.evidence.calibrate_outputs",),
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


if __name__ == "__main__":
    sys.exit(main())
