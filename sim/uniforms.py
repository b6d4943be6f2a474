"""Uniform random numbers for the compiled weekly rules, made from raw 64-bit words.

The weekly rules draw a fixed number of random numbers per customer every week (common random
numbers: two arms of a replicate use the same number for the same customer and purpose). At
10,000 customers drawing them is a third of a week's time, so the rules take raw 64-bit words
from their numpy stream (``Generator.bit_generator.random_raw``, the same PCG64 generator and
seeding as before) and the kernels turn each word into numbers themselves:

- :func:`half_uniform`: a word holds two uniform numbers on [0, 1) of 32 bits each (its high
  and low halves), so four numbers per customer-week cost two words instead of four. A decision
  ``u < p`` is then exact to within 2**-32 (2.3e-10) in probability, far below anything a
  replicate can detect; a neighbour chosen as ``floor(u * degree)`` is uniform to within a
  relative ``degree / 2**32`` (2e-6 for a hub of 10,000 ties).
- :func:`full_uniform`: the top 53 bits of a word, numpy's own ``random()`` conversion, for
  choosing one customer out of up to millions (the push impressions).

Slot ``j`` of a row of words is the high half of word ``j // 2`` when ``j`` is even, the low half
when it is odd (:func:`slot_uniform`).
"""

from __future__ import annotations

import numpy as np

from sim.jit import compiled

_HALF = 2.0**-32
_FULL = 2.0**-53


def words(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` raw 64-bit words (uint64) from the bit generator behind ``rng``."""
    return rng.bit_generator.random_raw(count)


def words_for_slots(slots: int) -> int:
    """Words needed per customer for ``slots`` half-word uniforms."""
    return (slots + 1) // 2


@compiled(inline=True)
def half_uniform(word, low):
    """The low (``low`` true) or high 32 bits of ``word`` as a uniform number on [0, 1)."""
    # Through int64 (exact: the value is below 2**32): converting an unsigned 64-bit integer
    # to a float takes a slow branchy sequence on x86 without AVX-512.
    half = word & np.uint64(0xFFFFFFFF) if low else word >> np.uint64(32)
    return np.float64(np.int64(half)) * _HALF


@compiled(inline=True)
def slot_uniform(row_words, slot):
    """Uniform number ``slot`` of a row of words (two per word, high half first)."""
    return half_uniform(row_words[slot >> 1], slot & 1)


@compiled(inline=True)
def full_uniform(word):
    """The top 53 bits of ``word`` as a uniform number on [0, 1) (as numpy's ``random()``)."""
    return np.float64(np.int64(word >> np.uint64(11))) * _FULL
