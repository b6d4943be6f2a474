"""Sends a week to the browser without re-rendering the page.

Solara re-renders a page by walking its whole tree and setting every widget's properties again:
for this page that costs tens of milliseconds, far above the 5 ms per student and week the
classroom needs. So a week does not go through Solara's renderer at all: the few widgets that
change every week (the network views, the charts, the scoreboard, the week label) register with
the page's ``FrameSink``, which sets their state directly (one small message per widget). The
page renders only when something else changes (settings, language, chosen charts, replicates).

Those widgets never receive their weekly values as render properties, so a later render cannot
put an old week back. When a widget is attached (or asks for everything again) its own traits are
set; every week after that goes to all of them in one message of the page's ``FrameBus``.
"""

from __future__ import annotations

import itertools
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
        self.bus = None  # the page's FrameBus widget, once shown
        self.seq = 0
        self._names = itertools.count()

    def context(self, arena, lang: str, reps) -> None:
        """What the widgets show: this arena, in this language, with these replicates."""
        with self.lock:
            self.arena, self.lang, self.reps = arena, lang, reps

    def attach(self, kind: str, key, widget) -> None:
        """Register a widget (``kind``: network / chart / score / week, or the page's ``bus``)
        and fill it at once."""
        with self.lock:
            if kind == "bus":
                self.bus = widget
                return
            self.widgets[(kind, key)] = widget
            widget.target = f"{kind}-{key}-{next(self._names)}"
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
            if kind == "bus" and self.bus is widget:
                self.bus = None
            if self.widgets.get((kind, key)) is widget:
                del self.widgets[(kind, key)]

    def push(self) -> None:
        """Send the arena's current week to every registered widget: one FrameBus message
        (each widget's own traits when there is no bus)."""
        with self.lock:
            if self.bus is None:
                for (kind, key), widget in list(self.widgets.items()):
                    self._fill(kind, key, widget)
                return
            items = {}
            for (kind, key), widget in list(self.widgets.items()):
                payload = self._payload(kind, key, widget)
                if payload is not None:
                    items[widget.target] = payload
            self.seq += 1
            self.bus.frame = json.dumps({"seq": self.seq, "items": items}, separators=(",", ":"))

    def _fill(self, kind: str, key, widget) -> None:
        """Set a widget's own traits to the current week."""
        payload = self._payload(kind, key, widget)
        if payload is None:
            return
        if kind == "network":
            widget.codes = payload
        elif kind == "chart":
            widget.weekly = json.dumps(payload, separators=(",", ":"))
        else:
            widget.html = payload

    def _payload(self, kind: str, key, widget):
        """What a widget shows this week (None when there is nothing to show)."""
        arena = self.arena
        if arena is None or not arena.arms:
            return None
        if kind == "network":
            if key >= len(arena.arms):
                return None
            state = arena.arms[key].model.state
            nodes = arena.layout.nodes
            return node_codes(state.attitude[nodes], state.aware[nodes], state.adopted[nodes])
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
            self.sent[(kind, key)] = (widget, arena, self.reps, weeks)
            return data
        elif kind == "score":
            return scoreboard_html(arena, self.lang, self.reps)
        elif kind == "week":
            return week_html(arena, self.lang)
        return None


__all__ = ["FrameSink"]
