"""Sends a week to the browser without re-rendering the page.

Solara re-renders a page by walking its whole tree and setting every widget's properties again:
for this page that costs tens of milliseconds, far above the 5 ms per student and week the
classroom needs. So a week does not go through Solara's renderer at all: the few widgets that
change every week (the network views, the charts, the scoreboard, the week label) register with
the page's ``FrameSink``, which sets their state directly (one small message per widget). The
page renders only when something else changes (settings, language, chosen charts, replicates).

Those widgets never receive their weekly values as render properties, so a later render cannot
put an old week back.
"""

from __future__ import annotations

import json
import threading

from sim.viz.chartspec import CHARTS, chart_data
from sim.viz.frames import node_codes
from sim.viz.scoreboard import scoreboard_html, week_html


class FrameSink:
    """The weekly widgets of one page and what they show (one per browser tab)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.widgets: dict[tuple[str, object], object] = {}
        self.arena = None
        self.lang = "en"
        self.reps = None
        self.sent: dict[tuple[str, object], tuple] = {}  # chart -> (widget, arena, reps, weeks)

    def context(self, arena, lang: str, reps) -> None:
        """What the widgets show: this arena, in this language, with these replicates."""
        with self.lock:
            self.arena, self.lang, self.reps = arena, lang, reps

    def attach(self, kind: str, key, widget) -> None:
        """Register a widget (``kind``: network / chart / score / week) and fill it at once."""
        with self.lock:
            self.widgets[(kind, key)] = widget
            self.sent.pop((kind, key), None)  # a new widget gets everything
            if kind == "chart":
                widget.on_full = lambda: self.refill(kind, key, widget)
            self._fill(kind, key, widget)

    def refill(self, kind: str, key, widget) -> None:
        """Send a widget everything again (its browser view was created after earlier weeks)."""
        with self.lock:
            if self.widgets.get((kind, key)) is widget:
                self.sent.pop((kind, key), None)
                self._fill(kind, key, widget)

    def detach(self, kind: str, key, widget) -> None:
        with self.lock:
            if self.widgets.get((kind, key)) is widget:
                del self.widgets[(kind, key)]

    def push(self) -> None:
        """Send the arena's current week to every registered widget."""
        with self.lock:
            for (kind, key), widget in list(self.widgets.items()):
                self._fill(kind, key, widget)

    def _fill(self, kind: str, key, widget) -> None:
        arena = self.arena
        if arena is None or not arena.arms:
            return
        if kind == "network":
            if key >= len(arena.arms):
                return
            state = arena.arms[key].model.state
            nodes = arena.layout.nodes
            widget.codes = node_codes(
                state.attitude[nodes], state.aware[nodes], state.adopted[nodes]
            )
        elif kind == "chart":
            # Only the weeks the browser does not have yet, unless the widget, the run or the
            # replicates changed (then everything, with the replicates' bands).
            histories = [arm.history for arm in arena.arms]
            weeks = min(len(h.get("week", ())) for h in histories)
            known = self.sent.get((kind, key))
            start = 0
            if known is not None and known[:3] == (widget, arena, self.reps) and known[3] <= weeks:
                start = max(known[3] - 1, 0)  # resend the last week: it may have been partial
            bands = None
            if start == 0 and self.reps is not None:
                bands = self.reps.bands([m for m, _label in CHARTS[key].lines])
            data = chart_data(key, histories, bands, start=start)
            widget.weekly = json.dumps(data, separators=(",", ":"))
            self.sent[(kind, key)] = (widget, arena, self.reps, weeks)
        elif kind == "score":
            widget.html = scoreboard_html(arena, self.lang, self.reps)
        elif kind == "week":
            widget.html = week_html(arena, self.lang)


__all__ = ["FrameSink"]
