"""The command line's entry point, for ``run_sim.py`` and the installed ``reclamare`` script.

It imports the command line only once running, so that Ctrl-C during that import ends with one
line and exit status 130, not a traceback. ``sim.cli`` itself is light (the standard library and
its parser: ``--help`` in about 0.05 s of CPU); each command's libraries (numba, pandas, Mesa: a
second or so) are imported once the command is known (``sim.cli.load_command``), where Ctrl-C
is handled the same way.
"""

from __future__ import annotations

import gc
import sys


def run() -> None:
    """Run the command line (``sim.cli.run``) on ``sys.argv``."""
    # Start-up imports create about a million objects and free few of them: garbage
    # collections meanwhile are wasted work (sim.cli.load_command turns collection back on once
    # the command's libraries are imported).
    gc.disable()
    try:
        from sim.cli import run as run_cli
    except KeyboardInterrupt:  # Ctrl-C in the first second or two: no traceback
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None
    run_cli()
