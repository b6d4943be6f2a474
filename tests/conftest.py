"""Suite-wide settings that change no test's outcome."""

from __future__ import annotations

import gc


def pytest_collection_finish(session) -> None:
    """Freeze what collecting imported (numpy, pandas, matplotlib, Solara, Dask, the tests):
    those objects live as long as the session, so the garbage collector's full passes need not
    walk them again and again. Measured on tests/test_cli.py, test_summaries.py, test_i18n.py
    and test_viz.py (2026-12-01): 4.1 s of collection out of 86 s of processor time before,
    2.6 s after. ``sim.cli.run`` does the same for the command line."""
    gc.collect()
    gc.freeze()
