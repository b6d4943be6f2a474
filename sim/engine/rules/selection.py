"""Selection inside compiled kernels: the indices of flagged customers, without branches."""

from __future__ import annotations

import numpy as np
from numba import prange

from sim.engine.jit import BLOCK, compiled


@compiled(inline=True)
def flagged(flags):
    """Indices ``i`` (int64, ascending) where ``flags[i]`` is true.

    Written as flag-then-compact without a branch (every index is written, the cursor moves
    only past flagged ones), which is several times faster than ``if flags[i]: append`` when
    the flags are unpredictable (docs/NOTES.md, "Compiled weekly rules").

    In fixed blocks of ``BLOCK`` customers, so that the multi-threaded copy of a kernel
    (sim.engine.jit) compacts in parallel and in the same order: first each block's count, then
    each block writes from its place in the output. A write past a block's last flagged index
    (the branch-free cursor's one extra slot) goes to a spare slot at the end, never into the
    next block's part.
    """
    n = flags.size
    blocks = (n + BLOCK - 1) // BLOCK
    start = np.zeros(blocks + 1, dtype=np.int64)
    for b in prange(blocks):
        low = b * BLOCK
        count = 0
        for j in range(min(n, low + BLOCK) - low):  # (from 0: a loop from ``low`` was not
            count += flags[low + j]  # vectorised)
        start[b + 1] = count
    for b in range(blocks):
        start[b + 1] += start[b]
    total = start[blocks]
    out = np.empty(total + 1, dtype=np.int64)
    for b in prange(blocks):
        low = b * BLOCK
        m = start[b]
        end = start[b + 1]
        for j in range(min(n, low + BLOCK) - low):
            i = low + j
            out[m if m < end else total] = i
            m += flags[i]
    return out[:total]
