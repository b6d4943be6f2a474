#!/usr/bin/env python3
"""Reclamare from a terminal: ``python run_sim.py`` runs the default scenario.

See ``python run_sim.py --help`` and docs/scenarios.md. The same commands are installed as the
``reclamare`` console script.
"""

if __name__ == "__main__":
    import gc

    # Start-up imports create about a million objects and free few of them: garbage
    # collections meanwhile are wasted work (sim.cli.run turns collection back on).
    gc.disable()
    try:
        from sim.cli import run
    except KeyboardInterrupt:  # Ctrl-C in the first second or two (the imports): no traceback
        import sys

        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None

    run()
