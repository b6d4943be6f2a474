"""Selection inside compiled kernels: the indices of flagged customers, without branches."""

from __future__ import annotations

import numpy as np
from numba import prange

from sim.engine.jit import BLOCK, compiled, pick


@compiled(inline=True)
def flagged(flags):
    """Indices ``i`` (int64, ascending) where ``flags[i]`` is true.

    Written as flag-then-compact without a branch (every index is written, the cursor moves
    only past flagged ones), which is several times faster than ``if flags[i]: append`` when
    the flags are unpredictable (docs/NOTES.md, "Compiled weekly rules").

    In fixed blocks of ``BLOCK`` customers, so that the multi-threaded copy of a kernel
    (sim.engine.jit) compacts in parallel and in the same order: first each block's count, then
    each block writes from its place in the output, up to its last flagged customer only (so
    the branch-free cursor never writes into the next block's part). Each block's loop runs
    over views starting at 0: a loop from the block's first index was not vectorised and took
    twice as long.
    """
    n = flags.size
    blocks = (n + BLOCK - 1) // BLOCK
    start = np.zeros(blocks + 1, dtype=np.int64)
    for b in prange(blocks):
        part = flags[b * BLOCK : min(n, (b + 1) * BLOCK)]
        count = 0
        for j in range(part.size):
            count += part[j]
        start[b + 1] = count
    for b in range(blocks):
        start[b + 1] += start[b]
    out = np.empty(start[blocks], dtype=np.int64)
    for b in prange(blocks):
        low = b * BLOCK
        part = flags[low : min(n, low + BLOCK)]
        last = part.size - 1
        while last >= 0 and not part[last]:
            last -= 1
        into = out[start[b] : start[b + 1]]
        m = 0
        for j in range(last + 1):
            into[m] = low + j
            m += part[j]
    return out


_NONE = np.zeros(0, dtype=np.bool_)


def indices_of(flags: np.ndarray, unless: np.ndarray | None = None) -> np.ndarray:
    """``np.flatnonzero(flags & ~unless)`` (``unless`` None: ``flags`` alone) in one pass over
    the customers, in parallel in the threads' copy (the same indices)."""
    return pick(_indices_of)(flags, _NONE if unless is None else unless)


@compiled(parallel=True)
def _indices_of(flags, unless):
    """Compiled body of :func:`indices_of` (``unless`` empty: not used)."""
    if unless.size == 0:
        return flagged(flags)
    wanted = np.empty(flags.size, dtype=np.bool_)
    for i in prange(flags.size):
        wanted[i] = flags[i] & ~unless[i]
    return flagged(wanted)


@compiled(inline=True)
def gather_flag(codes, bit, per_block):
    """Indices ``i`` (int64, ascending) where bit ``bit`` of ``codes[i]`` (uint8) is set, given
    ``per_block``: how many there are in each block of ``BLOCK`` customers (counted by the loop
    that wrote the codes, so no counting pass here). Each block writes its part, in parallel in
    the threads' copy, as :func:`flagged` does; a block where the flag is rare (under one
    customer in 32) reads the codes eight at a time and looks closer only at the words that
    hold the flag, instead of writing an index for every customer (at 1 % twice as fast;
    at 4 % twice as slow, the branches then mispredicted)."""
    n = codes.size
    blocks = per_block.size
    start = np.zeros(blocks + 1, dtype=np.int64)
    for b in range(blocks):
        start[b + 1] = start[b] + per_block[b]
    out = np.empty(start[blocks], dtype=np.int64)
    mask = np.uint8(1 << bit)
    for b in prange(blocks):
        if per_block[b] == 0:
            continue
        low = b * BLOCK
        part = codes[low : min(n, low + BLOCK)]
        into = out[start[b] : start[b + 1]]
        if 32 * per_block[b] < part.size:
            # Eight codes at a time: most words of a sparse flag have none of it.
            whole = part.size - part.size % 8
            words = part[:whole].view(np.uint64)
            word_mask = np.uint64(mask) * np.uint64(0x0101010101010101)
            m = 0
            for w in range(words.size):
                if words[w] & word_mask:
                    for j in range(8 * w, 8 * w + 8):
                        if part[j] & mask:
                            into[m] = low + j
                            m += 1
            for j in range(whole, part.size):
                if part[j] & mask:
                    into[m] = low + j
                    m += 1
            continue
        last = part.size - 1
        while last >= 0 and not (part[last] & mask):
            last -= 1
        m = 0
        for j in range(last + 1):
            into[m] = low + j
            m += np.int64((part[j] >> bit) & 1)
    return out
