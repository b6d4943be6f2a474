"""The one influence rule every channel uses (bounded confidence, Deffuant-Weisbuch).

A message at position ``m`` from a source with credibility ``c`` moves attitude ``a`` toward it,
``a += c * mu * (m - a)``, only when ``|m - a| < epsilon``. All attitudes are on [-1, 1].
"""

from __future__ import annotations

import numpy as np

from sim.jit import compiled


def repeated_pull(attitude, message, strength, times, epsilon):
    """Apply the rule ``times`` times with the same message: ``m - (m - a) * (1 - s)**times``.

    Parameters
    ----------
    attitude : float array
        Current attitudes in [-1, 1].
    message : float or float array
        Message position in [-1, 1].
    strength : float or float array
        ``c * mu`` (times any per-exposure weight), in [0, 1].
    times : int or int array
        Number of identical messages received (0 leaves the attitude unchanged).
    epsilon : float
        Confidence bound; customers with ``|m - a| >= epsilon`` do not move. ``None`` disables
        the bound (used for reactance).

    Returns
    -------
    float array
        New attitudes (a new array).
    """
    gap = message - attitude
    moved = message - gap * (1.0 - strength) ** times
    if epsilon is None:
        return moved
    return np.where(np.abs(gap) < epsilon, moved, attitude)


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
    return int(pull_messages(attitude, listener, message, strength, float(epsilon)))


@compiled
def pull_messages(attitude, listener, message, strength, epsilon):
    """Compiled body of :func:`pull_many` (same arguments, all arrays)."""
    k = listener.size
    n = attitude.size
    heard = np.empty(k, dtype=np.bool_)
    count = 0
    for j in range(k):  # every message judged against the attitude before any of them
        heard[j] = abs(message[j] - attitude[listener[j]]) < epsilon
        count += heard[j]
    if count == 0:
        return 0
    if count * 32 >= n:
        # Many messages: per-customer sums in dense arrays (O(n)) beat sorting (O(k log k)).
        total_strength = np.zeros(n)
        total_pull = np.zeros(n)
        pulled = np.zeros(n, dtype=np.bool_)
        for j in range(k):
            if heard[j]:
                who = listener[j]
                total_strength[who] += strength[j]
                total_pull[who] += strength[j] * message[j]
                pulled[who] = True
        for who in range(n):
            if pulled[who]:
                _settle(attitude, who, total_strength[who], total_pull[who])
        return count
    # Few messages: sort them by listener (stably, so each listener's messages are added in
    # arrival order, as in the dense branch) and settle each listener once.
    order = np.argsort(listener, kind="mergesort")
    j = 0
    while j < k:
        who = listener[order[j]]
        total_strength = 0.0
        total_pull = 0.0
        any_heard = False
        while j < k and listener[order[j]] == who:
            m = order[j]
            if heard[m]:
                total_strength += strength[m]
                total_pull += strength[m] * message[m]
                any_heard = True
            j += 1
        if any_heard:
            _settle(attitude, who, total_strength, total_pull)
    return count


@compiled(inline=True)
def _settle(attitude, who, total_strength, total_pull):
    """``a += sum(s * (m - a))``, scaled by ``1 / max(sum(s), 1)`` (a weighted average)."""
    scale = 1.0 / max(total_strength, 1.0)
    a0 = attitude[who]
    attitude[who] = a0 + scale * (total_pull - total_strength * a0)
