"""The one influence rule every channel uses (bounded confidence, Deffuant-Weisbuch).

A message at position ``m`` from a source with credibility ``c`` moves attitude ``a`` toward it,
``a += c * mu * (m - a)``, only when ``|m - a| < epsilon``. All attitudes are on [-1, 1].
"""

from __future__ import annotations

import numpy as np


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
    message, strength : float arrays, shape (k,)
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
    a = attitude[listener]
    heard = np.abs(message - a) < epsilon
    if not heard.any():
        return 0
    who = listener[heard]
    s = strength[heard]
    n = attitude.shape[0]
    if who.size * 32 >= n:
        # Many messages: per-customer sums over a dense array (O(n)) beat sorting (O(k log k)).
        # Both add each listener's messages in input order, so the results are bit-identical.
        mark = np.zeros(n, dtype=bool)
        mark[who] = True
        pulled = np.flatnonzero(mark)
        total_strength = np.bincount(who, weights=s, minlength=n)[pulled]
        total_pull = np.bincount(who, weights=s * message[heard], minlength=n)[pulled]
    else:
        pulled, inverse = _unique_inverse(who)
        total_strength = np.bincount(inverse, weights=s)
        total_pull = np.bincount(inverse, weights=s * message[heard])
    scale = 1.0 / np.maximum(total_strength, 1.0)
    a0 = attitude[pulled]
    attitude[pulled] = a0 + scale * (total_pull - total_strength * a0)
    return int(heard.sum())


def _unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for a non-empty 1-d int array, with less
    overhead (one stable argsort; the same sorted uniques and inverse indices)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(values.size, dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse
