"""Random numbers inside the compiled weekly rules: one SplitMix64 sequence per rule and week.

Every week each rule takes one 64-bit key from its numpy stream (``week_key``; the streams are
SFC64 generators seeded from the run's seed, ``sim.engine.streams.stream``). The numbers the rule
needs
are then *computed* from the key rather than drawn one after the other: number ``i`` of the week
is element ``i`` of the SplitMix64 sequence started at the key (Steele, Lea & Flood 2014, the
generator behind Java's ``SplittableRandom``; it passes TestU01's BigCrush),

    word(key, i) = mix64(key + (i + 1) * 0x9E3779B97F4A7C15)

(:func:`word_at`). Two things follow:

- common random numbers, exactly: a rule that needs ``W`` words per customer gives customer
  ``c`` the words ``c * W`` to ``c * W + W - 1``, so a customer's numbers for a purpose are the
  same in every arm of a replicate whatever the other customers do;
- only the numbers that are used are computed, in the loop that uses them (a customer who
  cannot talk this week costs none). Drawing them into arrays first was a third of a week's
  time at 10,000 customers (docs/NOTES.md, "Compiled weekly rules").

A word gives two uniform numbers of 32 bits (:func:`half_uniform`: a decision ``u < p`` is then
exact to within 2**-32 = 2.3e-10 in probability; a neighbour chosen as ``floor(u * degree)`` is
uniform to within a relative ``degree / 2**32``, 2e-6 for a hub of 10,000 ties) or one of 53 bits
(:func:`full_uniform`, numpy's own conversion, for choosing one of millions of customers).
Everything is integer arithmetic, so the numbers are the same on every machine.
"""

from __future__ import annotations

import numpy as np

from sim.engine.jit import compiled

_HALF = 2.0**-32
_FULL = 2.0**-53
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def week_key(rng: np.random.Generator) -> np.uint64:
    """One raw 64-bit word from the bit generator behind ``rng``: a rule's key for the week."""
    return np.uint64(rng.bit_generator.random_raw())


@compiled(inline=True)
def word_at(key, index):
    """Element ``index`` (>= 0) of the SplitMix64 sequence started at ``key`` (uint64)."""
    z = key + (np.uint64(index) + np.uint64(1)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@compiled(inline=True)
def half_uniform(word, low):
    """The low (``low`` true) or high 32 bits of ``word`` as a uniform number on [0, 1)."""
    # Through int64 (exact: the value is below 2**32): converting an unsigned 64-bit integer
    # to a float takes a slow branchy sequence on x86 without AVX-512.
    half = word & np.uint64(0xFFFFFFFF) if low else word >> np.uint64(32)
    return np.float64(np.int64(half)) * _HALF


@compiled(inline=True)
def full_uniform(word):
    """The top 53 bits of ``word`` as a uniform number on [0, 1) (as numpy's ``random()``)."""
    return np.float64(np.int64(word >> np.uint64(11))) * _FULL


@compiled
def half_uniforms(key, count, low):
    """``half_uniform`` of the first ``count`` words of the sequence started at ``key``: the
    numbers a rule drew for customers ``0 .. count - 1`` (for checks beside a model)."""
    out = np.empty(count)
    for i in range(count):
        out[i] = half_uniform(word_at(key, i), low)
    return out


@compiled
def sequence(key, count):
    """The first ``count`` words of the sequence started at ``key`` (for tests and checks)."""
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        out[i] = word_at(key, i)
    return out
