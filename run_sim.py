#!/usr/bin/env python3
"""Reclamare from a terminal: ``python run_sim.py`` runs the default scenario.

See ``python run_sim.py --help`` and docs/scenarios.md. The same commands are installed as the
``reclamare`` console script (both start in ``sim.entry``).
"""

if __name__ == "__main__":
    from sim.entry import run

    run()
