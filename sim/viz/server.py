"""Serve the browser app: ``python run_sim.py viz [SCENARIO] [--host H] [--port P]``.

The app is a Solara page (``sim.viz.app``) served by ``solara run`` in a child process, in
production mode, with telemetry off and every script, style and font served by the local server
from the installed ``solara-assets`` package (no request goes to any other host, so the app works
with no internet at all). 127.0.0.1 by default; ``--host 0.0.0.0`` shares it on a classroom network.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP_MODULE = "sim.viz.app"
REPO = Path(__file__).resolve().parents[2]

# Settings of the Solara server (pydantic settings read from the environment).
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel.com
    "SOLARA_ASSETS_PROXY": "True",  # serve JavaScript/CSS/fonts from the local solara-assets copy
    "SOLARA_MODE": "production",  # no "check" iframe to solara.dev, no auto-reload
    "SOLARA_THEME_LOADER": "plain",
    "SOLARA_THEME_VARIANT": "light",
    "MPLBACKEND": "Agg",
}


DEFAULT_MAX_SESSIONS = 60  # pages served at once: a class of 30, two tabs each
MAX_PAGES_PER_BROWSER = 8  # pages one browser (session cookie) may open at once
DIAGNOSTICS_ENV = "RECLAMARE_DIAGNOSTICS"
# Solara's server statistics (threads, kernels, websockets): for whoever runs the server, not
# for everyone on the classroom network. Served only with ``viz --diagnostics``.
DIAGNOSTIC_PATHS = ("/resourcez",)


def server_env(
    scenario: str | None = None,
    base: dict | None = None,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    diagnostics: bool = False,
) -> dict:
    """The environment of the server process: offline settings, the preset, the repo on the
    path, the cap on pages served at once (Solara's kernel limiter: page ``max_sessions + 1``
    waits until another page closes) and on pages per browser, and whether diagnostics
    (``/resourcez``) are served."""
    env = dict(os.environ if base is None else base)
    env.update(OFFLINE_ENV)
    env["SOLARA_KERNEL_MAX_COUNT"] = str(max_sessions)
    env["SOLARA_KERNEL_MAX_PER_SESSION"] = str(MAX_PAGES_PER_BROWSER)
    if diagnostics:
        env[DIAGNOSTICS_ENV] = "1"
    else:
        env.pop(DIAGNOSTICS_ENV, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    if scenario:
        env["RECLAMARE_PRESET"] = str(scenario)
    else:
        env.pop("RECLAMARE_PRESET", None)
    return env


def server_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The ``solara run`` command line of the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # otherwise it asks pypi.org for the latest version
        "--theme-loader",
        "plain",
        "--log-level",
        "warning",
    ]


def close_diagnostics(env: dict | None = None) -> list[str]:
    """Remove Solara's diagnostic pages (``DIAGNOSTIC_PATHS``) from the running server unless
    ``RECLAMARE_DIAGNOSTICS=1``; returns the paths removed. Called when the server loads the
    app (at its start, before it accepts a connection); does nothing outside a server."""
    env = os.environ if env is None else env
    starlette = sys.modules.get("solara.server.starlette")
    if env.get(DIAGNOSTICS_ENV) == "1" or starlette is None:
        return []
    routes = starlette.app.router.routes
    removed = [r.path for r in routes if getattr(r, "path", None) in DIAGNOSTIC_PATHS]
    routes[:] = [r for r in routes if getattr(r, "path", None) not in DIAGNOSTIC_PATHS]
    return removed


def check_scenario(scenario: str | None, _=str) -> str | None:
    """``None`` if the scenario loads, else a one-line message (the scenario's own message in
    the language of the translator ``_``; English by default)."""
    if not scenario:
        return None
    from sim.i18n import message_text
    from sim.viz.presets import load_preset

    preset = load_preset(scenario)
    if not preset.error:
        return None
    return f"scenario {scenario}: {message_text(preset.error, _) if _ is not str else preset.error}"


def preset_argument(scenario: str | None) -> str | None:
    """What the server is told to open: a shipped scenario's name as given, or the full path of
    a scenario file (the server runs in another folder, and a user's ``karate.toml`` must not
    become the shipped karate)."""
    if not scenario:
        return None
    if os.path.lexists(scenario):
        return str(Path(scenario).resolve())
    return scenario


def host_problem(host: str) -> str | None:
    """None when ``host`` is an IPv4 address or a host name that resolves, else one line."""
    if host in ("", "localhost"):
        return None
    looks_numeric = all(part.isdigit() for part in host.split("."))
    try:
        if looks_numeric:
            ipaddress.IPv4Address(host)
        else:
            socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)
    except (ValueError, OSError, UnicodeError):
        return (
            f"--host {host}: not a valid address (use an IPv4 address of this computer, e.g. "
            "127.0.0.1, or 0.0.0.0 for every network interface)"
        )
    return None


def bind_problem(host: str, port: int) -> str | None:
    """None when the server could listen on ``host:port``, else one line saying why not."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host if host not in ("", "0.0.0.0") else "0.0.0.0", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use; choose another with --port"
            if error.errno == errno.EADDRNOTAVAIL:
                return f"--host {host}: not an address of this computer"
            if error.errno == errno.EACCES:
                return f"port {port}: not allowed here (ports below 1024 need administrator rights)"
            return f"cannot listen on {host} port {port} ({error.strerror or error})"
    return None


def _port_free(host: str, port: int) -> bool:
    return bind_problem(host, port) is None


def port_number(text: str) -> int:
    """argparse type of ``--port``: a whole number from 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number (a port is 1 to 65535)"
        ) from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range (a port is 1 to 65535)")
    return value


def session_count(text: str) -> int:
    """argparse type of ``--max-sessions``: a whole number from 1 to 10000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (1 to 10000)") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to 10000)")
    return value


def address(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "localhost") else host
    return f"http://{shown}:{port}/"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _lan_ip() -> str:
    """This computer's address on the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def add_viz_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``viz`` subcommand to an argparse subparsers object; it calls ``run_viz(args)``."""
    parser = subparsers.add_parser("viz", help="serve the interactive browser app")
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default=None,
        help="scenario preset to open (name or file); the menu offers every shipped scenario",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 shares it on the network)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port, 1 to 65535 (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--max-sessions",
        type=session_count,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"pages served at once, 1 to 10000 (default {DEFAULT_MAX_SESSIONS}); more wait",
    )
    parser.add_argument(
        "--diagnostics",
        action="store_true",
        help="also serve the server's statistics at /resourcez (off: anyone on the network "
        "could read them)",
    )
    return parser
