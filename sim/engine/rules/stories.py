"""Stories worth retelling: where a story starts, and the cascades retelling makes.

A story is something a customer can retell in their own words: an ad's creative, what the brand
said in a conversation, or what happened when they tried the product. A customer who holds a
story retells it once, in the week after they got it, with the retell probability of its kind
(``stories.*_retell``); everyone who hears or reads the retelling takes the story up in turn,
unless they hold one already or have held a story that started after it (story ids count up in
the order stories start, and a customer only takes up a story newer than every story they held,
so nobody takes one story twice and a cascade never counts anyone twice). That is the
independent cascade model (Goldenberg, Libai & Muller 2001) on the customer network: each
story's cascade is a branching process, so most stay tiny and a rare one grows large (Goel,
Anderson, Hofman & Watts 2016). The retelling itself is a talk of word of mouth
(sim.engine.rules.wom).

This module starts stories (:func:`start_stories`) and keeps the size of every cascade
(:class:`Cascades`).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from sim.engine.jit import compiled, pick
from sim.engine.state import CustomerState
from sim.engine.uniforms import half_uniform, word_at


class Cascades:
    """Size of every story's cascade so far: customers who started or received it.

    ``sizes[k]`` is the size of story ``k`` (story ids count up from 0 in the order stories
    start; within a week, in customer order). The array grows as stories start.
    """

    def __init__(self) -> None:
        self.sizes = np.zeros(64, dtype=np.int64)
        self.count = 0

    def reserve(self, extra: int) -> np.ndarray:
        """Room for ``extra`` more stories; returns the (possibly new) ``sizes`` array."""
        need = self.count + extra
        if need > self.sizes.size:
            grown = np.zeros(max(need, 2 * self.sizes.size), dtype=np.int64)
            grown[: self.count] = self.sizes[: self.count]
            self.sizes = grown
        return self.sizes

    def current(self) -> np.ndarray:
        """The sizes of the stories started so far (a view)."""
        return self.sizes[: self.count]

    def largest(self) -> int:
        """Size of the largest cascade so far (0 before any story)."""
        return int(self.sizes[: self.count].max()) if self.count else 0


def start_stories(
    state: CustomerState,
    candidates: np.ndarray,
    kind: int,
    message: np.ndarray | float,
    share: float,
    key: np.uint64,
    cascades: Cascades,
) -> int:
    """Each of ``candidates`` (customer indices, increasing) who holds no story takes one of
    ``kind`` with probability ``share``, carrying ``message`` (one position, or one per
    candidate). Customer ``c`` decides with the high half of word ``c`` of ``key`` (common
    random numbers). The story is held from this week (retold from next week). Returns how many
    stories started.
    """
    if share <= 0.0 or candidates.size == 0:
        return 0
    messages = np.broadcast_to(np.asarray(message, dtype=np.float32), candidates.shape)
    sizes = cascades.reserve(candidates.size)
    started = pick(_start)(
        state.story_kind,
        state.story_message,
        state.story_id,
        candidates.astype(np.int64, copy=False),
        np.ascontiguousarray(messages),
        np.int8(kind),
        share,
        key,
        sizes,
        cascades.count,
    )
    cascades.count += int(started)
    return int(started)


@compiled(parallel=True)
def _start(
    story_kind, story_message, story_id, candidates, messages, kind, share, key, sizes, first
):
    """Compiled body of :func:`start_stories`; story ids ``first``, ``first + 1``, ...

    Each candidate's draw first (in parallel in the threads' copy), then the stories in
    candidate order (a candidate listed twice starts one story at most, as in one pass)."""
    m = candidates.size
    drawn = np.empty(m, dtype=np.bool_)
    for j in prange(m):
        c = candidates[j]
        drawn[j] = story_kind[c] == 0 and half_uniform(word_at(key, c), False) < share
    started = 0
    for j in range(m):
        c = candidates[j]
        if drawn[j] and story_kind[c] == 0:
            story_kind[c] = -kind
            story_message[c] = messages[j]
            story_id[c] = first + started
            sizes[first + started] = 1
            started += 1
    return started


def spend_stories(state: CustomerState) -> None:
    """End of the week: stories received this week become ready to retell next week (the
    stories retold this week were spent by the word-of-mouth step)."""
    np.abs(state.story_kind, out=state.story_kind)


RETELL_KINDS = 4  # index 0 unused, then STORY_AD, STORY_DIALOGUE, STORY_EXPERIENCE


def retell_table(spec) -> np.ndarray:
    """Retell probability by story kind (index ``STORY_*``; 0 for "no story")."""
    return np.array([0.0, spec.ad_retell, spec.dialogue_retell, spec.experience_retell])


def cascade_summary(sizes: np.ndarray) -> dict[str, float]:
    """Shape of a set of cascade sizes: how many, the share that never spread (size 1), the
    share of size 10 or more, the mean, the median and the largest."""
    sizes = np.asarray(sizes)
    if sizes.size == 0:
        return {
            "cascades": 0,
            "single": float("nan"),
            "ten_or_more": float("nan"),
            "mean": float("nan"),
            "median": float("nan"),
            "largest": 0,
        }
    return {
        "cascades": int(sizes.size),
        "single": float(np.mean(sizes == 1)),
        "ten_or_more": float(np.mean(sizes >= 10)),
        "mean": float(sizes.mean()),
        "median": float(np.median(sizes)),
        "largest": int(sizes.max()),
    }
