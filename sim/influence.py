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
    sums = np.zeros((2, attitude.size))
    return int(pull_messages(attitude, listener, message, strength, float(epsilon), sums))


@compiled
def pull_messages(attitude, listener, message, strength, epsilon, sums):
    """Compiled body of :func:`pull_many`.

    ``sums`` is a float64 work array of shape (2, n) holding zeros; it is used for each
    listener's total strength and total pull, and left holding zeros again. Work is
    proportional to the number of messages, not of customers.
    """
    k = listener.size
    total_strength, total_pull = sums[0], sums[1]
    pulled = np.empty(k, dtype=np.int64)  # each listener once, at its first heard message
    n_pulled = 0
    count = 0
    for j in range(k):  # judged against the attitude before any message: nothing moves yet
        who = listener[j]
        if abs(message[j] - attitude[who]) < epsilon:
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
