"""Play and Pause of one page: a thread that steps the run, buttons changed in place.

One piece because the play thread, its lock and the two buttons' widgets must agree: Play and
Pause never re-render the page (about 36 ms of server CPU a click for 150 widgets, measured with
benchmarks/bench_classroom.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import TYPE_CHECKING

import solara

from sim.viz.arena import Arena

if TYPE_CHECKING:
    from sim.viz.page_state import State


# Play: a week every 250 ms (4 weeks a second) at most. RECLAMARE_PLAY_INTERVAL_S changes it
# for a test server (tests/test_browser_worksheets.py presses Play in every exercise).
PLAY_INTERVAL_S = max(0.0, float(os.environ.get("RECLAMARE_PLAY_INTERVAL_S") or 0.25))


def known_to(playback: Playback, name: str, element) -> None:
    """Let ``playback`` change this button's widget in place (see :class:`Playback`)."""

    def remember():
        # KeyError: reacton kept an equal element of an earlier render (and its widget)
        with contextlib.suppress(KeyError):
            playback.buttons[name] = solara.get_widget(element)

    solara.use_effect(remember)


class Playback:
    """Play and Pause of one page, without re-rendering the page.

    A reactive "playing" value made every Play and Pause re-render the page, and reacton
    reconsolidates the whole tree of about 150 widgets then: some 36 ms of server CPU a click,
    measured with benchmarks/bench_classroom.py (30 students pressing Play cost as much as 300
    weeks). Here the flag is plain, the thread is started and stopped directly, and the Step and
    Play buttons' widgets are changed in place. :func:`RunBar` reads :attr:`playing` when it
    renders, so a later render agrees with them.
    """

    def __init__(self, state: State):
        self.state = state
        self.playing = False
        self.lock = threading.Lock()
        self.cancel: threading.Event | None = None
        self.buttons: dict[str, object] = {}  # "step", "play" -> their widgets
        self.labels = ("Play", "Pause")

    def toggle(self) -> None:
        """Play when paused, Pause when playing."""
        if self.playing:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        arena = self.state.arena.value
        with self.lock:
            if self.playing or arena is None or not arena.arms or arena.week >= arena.plan.weeks:
                return
            self.playing = True
            self.cancel = threading.Event()
            cancel = self.cancel
        self.show()
        # Started inside the page's kernel context, so its messages go to this page (Solara's
        # threads carry the context over).
        threading.Thread(
            target=self._run, args=(arena, cancel), name="reclamare-play", daemon=True
        ).start()

    def stop(self) -> None:
        with self.lock:
            if self.cancel is not None:
                self.cancel.set()
            self.cancel = None
            was_playing, self.playing = self.playing, False
        if was_playing:
            self.show()

    def show(self) -> None:
        """Put the flag on the buttons (their label and whether they can be pressed)."""
        play = self.buttons.get("play")
        if play is not None:
            play.children = [self.labels[1] if self.playing else self.labels[0]]
            play.disabled = False
        for name in ("step", "back"):
            button = self.buttons.get(name)
            if button is not None:
                button.disabled = self.playing

    def _run(self, arena: Arena, cancel: threading.Event) -> None:
        reached_end = False
        while not cancel.is_set():
            if arena.week >= arena.plan.weeks:
                reached_end = True
                break
            start = time.perf_counter()
            with arena.lock:  # not while Go to week replays the run
                if cancel.is_set():
                    break
                arena.step()
                self.state.sink.push()
            cancel.wait(max(0.0, PLAY_INTERVAL_S - (time.perf_counter() - start)))
        with self.lock:
            if self.cancel is not cancel:
                return  # paused or reset meanwhile: that click has shown it
            self.cancel = None
            self.playing = False
        if reached_end:  # the status line and the buttons change: one render of the bar
            self.state.tick.set(self.state.tick.value + 1)
        else:
            self.show()
