"""The state of one page (one browser tab) and how a weekly widget joins the frame sink.

:class:`State` holds the page's reactive values (language, settings, the arena, chosen charts,
replicates); :func:`attached` registers a widget that changes every week with the page's
:class:`sim.viz.sink.FrameSink`, so a week never re-renders the page (docs/app.md says why).
"""

from __future__ import annotations

from dataclasses import dataclass

import solara

from sim.viz.arena import Arena
from sim.viz.controls import Controls
from sim.viz.replicates import Replicates
from sim.viz.sink import FrameSink


@dataclass
class State:
    """The reactive values of one page (one browser tab: every student has their own)."""

    lang: solara.Reactive
    controls: solara.Reactive
    arena: solara.Reactive
    tick: solara.Reactive
    present: solara.Reactive
    charts: solara.Reactive
    reps: solara.Reactive
    rep_progress: solara.Reactive
    markets: solara.Reactive  # Run 20 times over plausible markets (sim.viz.markets)
    sink: FrameSink
    # The page's sim.viz.playback.Playback, set by Page (it needs the state; a type here would
    # make the two modules import each other).
    playback: object | None = None

    def apply(self, new: Controls) -> None:
        """New settings apply at once: the run restarts at week 0 with them."""
        if self.playback is not None:
            self.playback.stop()
        self.controls.set(new)
        self.arena.set(Arena(new))
        self.tick.set(self.tick.value + 1)

    def replicates(self) -> Replicates | None:
        """The replicates of the current settings (None when none were run for them)."""
        reps = self.reps.value
        arena = self.arena.value
        if reps is None or arena is None or reps.key != (arena.controls, arena.plan.weeks):
            return None
        return reps


def attached(sink: FrameSink, kind: str, key, element, dependencies: list) -> None:
    """Register the widget of ``element`` with the page's frame sink while it is shown."""

    found = solara.use_ref(None)

    def attach():
        try:
            widget = solara.get_widget(element)
        except KeyError:  # reacton kept the equal element of an earlier render, and its widget
            widget = found.current
        if widget is None:
            return None
        found.current = widget
        sink.attach(kind, key, widget)
        return lambda: sink.detach(kind, key, widget)

    solara.use_effect(attach, dependencies)
