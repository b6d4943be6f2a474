"""The one influence rule every channel uses (bounded confidence, Deffuant-Weisbuch).

A message at position ``m`` from a source with credibility ``c`` moves attitude ``a`` toward it,
``a += c * mu * (m - a)``, only when ``|m - a| < epsilon``. All attitudes are on [-1, 1].
"""

from __future__ import annotations

import numpy as np
from numba import prange

from sim.engine.jit import compiled


@compiled(inline=True)
def repeated_pull(attitude, message, strength, times, epsilon):
    """The rule applied ``times`` times with the same message: ``m - (m - a) * (1 - s) ** times``.

    Parameters
    ----------
    attitude : float
        Current attitude in [-1, 1].
    message : float
        Message position in [-1, 1].
    strength : float
        ``c * mu`` (times any per-exposure weight), in [0, 1].
    times : int
        Number of identical messages received (0 leaves the attitude unchanged).
    epsilon : float
        Confidence bound: an attitude with ``|m - a| >= epsilon`` does not move (``inf``: no
        bound).

    Returns
    -------
    float
        The new attitude.
    """
    gap = message - attitude
    moved = message - whole_power(1.0 - strength, times) * gap
    return moved if abs(gap) < epsilon and times > 0 else attitude


@compiled(inline=True)
def whole_power(base, k):
    """``base ** k`` for a whole ``k >= 0`` by repeated squaring (exact for k = 0, 1, 2).

    Plain multiplications round the same way on every machine, whereas ``pow`` (numpy's, or the
    C library's) may differ in the last bit between processors (numpy uses vectorised SVML code
    on AVX-512 machines), which would make seeded runs differ between laptops.
    """
    result = small_power(base, k)
    base *= base
    base *= base
    k >>= 3
    while k > 0:
        base *= base
        if k & 1:
            result *= base
        k >>= 1
    return result


@compiled(inline=True)
def small_power(base, k):
    """``base ** (k % 8)``: the three lowest bits of :func:`whole_power`, by squarings and
    selects, without a loop (so that loops calling it vectorise)."""
    result = base if k & 1 else 1.0
    base *= base
    result *= base if k & 2 else 1.0
    base *= base
    result *= base if k & 4 else 1.0
    return result


def pull_many(attitude, listener, message, strength, epsilon):
    """Apply several messages that arrive in the same week, each judged against the week's start.

    Each message ``k`` (to customer ``listener[k]``, at ``message[k]``, with ``strength[k] = c*mu``)
    within the listener's confidence bound contributes ``strength[k] * (message[k] - a)``. When the
    strengths of one listener's messages add up to more than 1 the sum is scaled down to 1, so the
    new attitude is always a weighted average of the old one and the messages (it never overshoots
    and stays in [-1, 1]). With a single message this is exactly the rule ``a += c*mu*(m - a)``.

    Parameters
    ----------
    attitude : float64 array, shape (n,)
        Attitudes; updated in place for the listeners.
    listener : int array, shape (k,)
        Customer receiving each message.
    message, strength : float64 arrays, shape (k,)
        Position and ``c * mu`` of each message.
    epsilon : float
        Confidence bound on [-1, 1] scale.

    Returns
    -------
    int
        Number of messages that were within the confidence bound (persuasive contacts).
    """
    if listener.size == 0:
        return 0
    sums = np.zeros((2, attitude.size))
    return int(pull_messages(attitude, listener, message, strength, float(epsilon), sums))


@compiled
def pull_messages(attitude, listener, message, strength, epsilon, sums):
    """Compiled body of :func:`pull_many`.

    ``sums`` is a float64 work array of shape (2, n) holding zeros; it is used for each
    listener's total strength and total pull, and left holding zeros again. Work is
    proportional to the number of messages, not of customers.
    """
    return _pull_range(attitude, listener, message, strength, epsilon, sums, 0, attitude.size)


@compiled(inline=True)
def pull_messages_in_parts(attitude, listener, message, strength, epsilon, sums, parts):
    """:func:`pull_messages` by ``parts`` ranges of listeners, in parallel in a kernel's
    multi-threaded copy: each part reads every message and takes those to its own listeners,
    in message order, so each listener's sums are added in the same order as in one pass and
    the attitudes come out the same, bit for bit, for any number of parts (each listener is
    settled once, by its part; the count is a sum of integers)."""
    n = attitude.size
    n_parts = max(1, min(parts, n))
    within = np.zeros(n_parts, dtype=np.int64)
    for part in prange(n_parts):
        low, high = part * n // n_parts, (part + 1) * n // n_parts
        within[part] = _pull_range(attitude, listener, message, strength, epsilon, sums, low, high)
    return within.sum()


@compiled
def _pull_range(attitude, listener, message, strength, epsilon, sums, low, high):
    """:func:`pull_messages` for the listeners ``low <= listener < high`` only (a kernel of
    its own, called once per part of :func:`pull_messages_in_parts`)."""
    k = listener.size
    total_strength, total_pull = sums[0], sums[1]
    pulled = np.empty(k, dtype=np.int64)  # each listener once, at its first heard message
    n_pulled = 0
    count = 0
    for j in range(k):  # judged against the attitude before any message: nothing moves yet
        who = listener[j]
        if low <= who < high and abs(message[j] - attitude[who]) < epsilon:
            count += 1
            if total_strength[who] == 0.0 and total_pull[who] == 0.0:
                pulled[n_pulled] = who  # (a zero-strength message may list a listener twice:
                n_pulled += 1  # harmless, the second settle adds zero)
            total_strength[who] += strength[j]
            total_pull[who] += strength[j] * message[j]
    for j in range(n_pulled):
        who = pulled[j]
        _settle(attitude, who, total_strength[who], total_pull[who])
        total_strength[who] = 0.0
        total_pull[who] = 0.0
    return count


@compiled(inline=True)
def _settle(attitude, who, total_strength, total_pull):
    """``a += sum(s * (m - a))``, scaled by ``1 / max(sum(s), 1)`` (a weighted average)."""
    scale = 1.0 / max(total_strength, 1.0)
    a0 = attitude[who]
    attitude[who] = a0 + scale * (total_pull - total_strength * a0)
