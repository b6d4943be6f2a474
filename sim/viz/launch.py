"""``viz`` for a class: the language the pages open in, and one address to give the students.

``reclamare viz workshop/crisis --host 0.0.0.0 --lang nb`` starts the app server
(``sim/viz/server.py``: the same checks, command and offline settings) and prints one line with
the address to write on the board, ``http://192.168.1.20:8765/?lang=nb``: this computer's
address on the room's network when the app is shared (``--host 0.0.0.0``), else the address it
listens on; it carries ``?lang=..`` when a language was chosen (``--lang``, else
``$RECLAMARE_LANG``). The language also reaches the server as ``RECLAMARE_LANG``, so a page
opened without ``?lang`` opens in it too; without either, each browser's own language decides
(``sim/viz/language.py``).

The terminal shows only what the user needs: Solara's own "server is starting at
http://0.0.0.0:8765" line (a second, unusable address) and its warning about session cookies
on plain http (harmless on a classroom network; twelve lines on the first page load) are not
shown.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading

from sim.i18n import ENV_VAR, LANGUAGES, check_language, translator
from sim.viz import server

# Solara's own lines that are left out of the terminal (the start of the line).
HIDDEN_LINES = ("Solara server is starting at",)
# Library warnings the server process ignores (PYTHONWARNINGS; the start of the message).
IGNORED_WARNINGS = ("ignore:Cookies with samesite=none require https:UserWarning",)


def class_address(host: str, port: int, lang: str | None) -> str:
    """The one address to give: this computer's network address when shared (``0.0.0.0``),
    with ``?lang=`` when a language was chosen."""
    if host in ("0.0.0.0", ""):
        url = f"http://{server._lan_ip()}:{port}/"
    else:
        url = server.address(host, port)
    return f"{url}?lang={lang}" if lang else url


def launch_env(
    scenario: str | None,
    lang: str | None,
    base: dict | None = None,
    max_sessions: int = server.DEFAULT_MAX_SESSIONS,
    diagnostics: bool = False,
) -> dict:
    """The server process's environment: ``server.server_env`` (offline, the preset, the caps
    on pages, diagnostics off unless asked) with the language (or none, so the browser
    decides) and the library warnings switched off."""
    env = server.server_env(scenario, base, max_sessions=max_sessions, diagnostics=diagnostics)
    if lang:
        env[ENV_VAR] = check_language(lang)
    else:
        env.pop(ENV_VAR, None)
    env["PYTHONWARNINGS"] = ",".join(
        w for w in (*IGNORED_WARNINGS, env.get("PYTHONWARNINGS", "")) if w
    )
    return env


def _forward(stream, out) -> None:
    """Copy the server's output to ours, without the lines in ``HIDDEN_LINES``."""
    for line in stream:
        if not line.strip().startswith(HIDDEN_LINES):
            out.write(line)
            out.flush()


def serve(
    scenario: str | None = None,
    host: str = server.DEFAULT_HOST,
    port: int = server.DEFAULT_PORT,
    lang: str | None = None,
    max_sessions: int = server.DEFAULT_MAX_SESSIONS,
    diagnostics: bool = False,
) -> int:
    """Start the app server, print the address for the class, block until Ctrl-C; returns an
    exit status (2 with one line on stderr when the scenario, host or port is refused).
    ``max_sessions``: pages served at once (a page beyond it waits until another closes);
    ``diagnostics``: serve Solara's server statistics (``/resourcez``), off by default."""
    _ = translator(lang or "en")
    scenario = server.preset_argument(scenario)
    problem = (
        server.check_scenario(scenario, _)
        or server.host_problem(host)
        or server.bind_problem(host, port)
    )
    if problem:
        print(f"error: {' '.join(problem.split())}", file=sys.stderr)
        return 2
    process = subprocess.Popen(
        server.server_command(host, port),
        env=launch_env(scenario, lang, max_sessions=max_sessions, diagnostics=diagnostics),
        cwd=server.REPO,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
    )
    threading.Thread(
        target=_forward, args=(process.stdout, sys.stdout), name="viz-output", daemon=True
    ).start()
    previous = signal.signal(signal.SIGTERM, server._interrupt)
    url = class_address(host, port, lang)
    if host in ("0.0.0.0", ""):
        line = _("Give the class this address: {url}  (Ctrl-C to stop)")
    else:
        line = _("Reclamare app: {url}  (Ctrl-C to stop)")
    print(line.format(url=url), flush=True)
    print(
        _(
            "Preparing the simulation: the page says so until the model is compiled (seconds "
            "after `make`, up to a minute after a fresh install)."
        ),
        flush=True,
    )
    try:
        return process.wait()
    except KeyboardInterrupt:
        # SIGTERM, not SIGINT: a server started from a background job inherits Ctrl-C ignored
        # (the shell's rule for background jobs), and uvicorn stops cleanly on either.
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(_("Stopped."))
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _language(text: str) -> str:
    try:
        return check_language(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_parser(subparsers) -> argparse.ArgumentParser:
    """The ``viz`` subcommand (``server.add_viz_parser``) with ``--lang``."""
    parser = server.add_viz_parser(subparsers)
    parser.add_argument(
        "--lang",
        type=_language,
        metavar="|".join(LANGUAGES),
        default=None,
        help=(
            "language the pages open in, and in the printed address (default: $RECLAMARE_LANG, "
            "else each browser's language, else en)"
        ),
    )
    parser.set_defaults(handler=run_viz)
    return parser


def run_viz(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", None) or os.environ.get(ENV_VAR, "").strip() or None
    return serve(
        args.scenario,
        args.host,
        args.port,
        lang,
        max_sessions=getattr(args, "max_sessions", server.DEFAULT_MAX_SESSIONS),
        diagnostics=getattr(args, "diagnostics", False),
    )


def cmd_viz(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """``run_viz`` with the ``(args, argv)`` signature of the commands in ``sim/cli.py``."""
    return run_viz(args)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.viz.launch [SCENARIO] [--host H] [--port P] [--lang L]``."""
    parser = argparse.ArgumentParser(prog="python -m sim.viz.launch", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_viz(parser.parse_args(["viz", *argv]))


if __name__ == "__main__":
    raise SystemExit(main())
