"""Selection inside compiled kernels: the indices of flagged customers, without branches."""

from __future__ import annotations

import numpy as np

from sim.engine.jit import compiled


@compiled(inline=True)
def flagged(flags):
    """Indices ``i`` (int64, ascending) where ``flags[i]`` is true.

    Written as flag-then-compact without a branch (every index is written, the cursor moves
    only past flagged ones), which is several times faster than ``if flags[i]: append`` when
    the flags are unpredictable (docs/NOTES.md, "Compiled weekly rules").
    """
    out = np.empty(flags.size + 1, dtype=np.int64)
    m = 0
    for i in range(flags.size):
        out[m] = i
        m += flags[i]
    return out[:m]
