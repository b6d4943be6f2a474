"""The command line's entry point, for ``run_sim.py`` and the installed ``reclamare`` script.

It imports the command line (numba, pandas, Mesa: a second or two) only once running, so that
Ctrl-C during those imports ends with one line and exit status 130, not a traceback.
"""

from __future__ import annotations

import gc
import sys


def run() -> None:
    """Run the command line (``sim.cli.run``) on ``sys.argv``."""
    # Start-up imports create about a million objects and free few of them: garbage
    # collections meanwhile are wasted work (sim.cli.run turns collection back on).
    gc.disable()
    try:
        from sim.cli import run as run_cli
    except KeyboardInterrupt:  # Ctrl-C in the first second or two: no traceback
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None
    run_cli()
