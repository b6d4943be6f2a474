"""Import Mesa without the cost of its module loggers' ``inspect.stack()``.

Mesa 3.5 names two module loggers by calling ``inspect.stack()`` at import time, which reads
the source around every frame of the (deep) import stack and scans ``sys.modules`` for each:
0.06 to 0.17 s of every command's start-up, a tenth of the 100,000-customer end-to-end budget
(docs/performance.md). While Mesa is imported, ``inspect.stack`` returns the frames only (no
source lines), which is all ``mesa.mesa_logging.create_module_logger`` uses; it is restored
right after. Modules import Mesa through here (``from sim.engine.mesa_import import mesa``).
"""

from __future__ import annotations

import inspect
import sys


def _frames_only(context: int = 1) -> list[tuple]:
    """``inspect.stack()`` without source context: [(frame,), ...] from the caller outward."""
    frames, frame = [], sys._getframe(1)
    while frame is not None:
        frames.append((frame,))
        frame = frame.f_back
    return frames


def _import_mesa():
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    original = inspect.stack
    inspect.stack = _frames_only
    try:
        import mesa
    finally:
        inspect.stack = original
    return mesa


mesa = _import_mesa()
