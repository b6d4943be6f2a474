"""The run bar: Reset, Step, Play, the week, Go to week, Run 20 times, language, presentation.

Also the thread that runs the replicates when "Run 20 times" is pressed (:func:`ReplicateRunner`;
the computation itself is ``sim/viz/replicates.py``); the button counts the runs.
"""

from __future__ import annotations

import threading

import solara

from sim.i18n import LANGUAGES
from sim.viz.arena import MAX_WEEKS, Arena
from sim.viz.frames import N_
from sim.viz.markets import (
    MARKETS,
    MARKETS_HELP,
    NO_PLAUSIBLE_SET,
    market_members,
    plausible_set,
    run_markets,
)
from sim.viz.page_state import State, attached
from sim.viz.playback import Playback, known_to
from sim.viz.replicates import REPLICATES, run_replicates
from sim.viz.scoreboard import escape as _escape
from sim.viz.scoreboard import page_translator as _translator
from sim.viz.sink import FrameSink
from sim.viz.widgets import HtmlBox


@solara.component
def WeekLabel(sink: FrameSink, arena_id: int):
    """The week of the run (filled by the frame sink); shown only while there is a run."""
    week = HtmlBox.element(box_class="rc-week reclamare-week")
    attached(sink, "week", 0, week, [arena_id])
    return week


@solara.component
def RunBar(state: State):
    """Reset / Step / Play, the week, Run 20 times, language, presentation mode."""
    lang = state.lang.value
    _ = _translator(lang)
    arena: Arena = state.arena.value
    _tick = state.tick.value  # subscribes: re-rendered when a run reaches its last week
    playback: Playback = state.playback
    playing = playback.playing
    playback.labels = (_("Play"), _("Pause"))
    ready = arena is not None and bool(arena.arms)
    at_end = ready and arena.week >= arena.plan.weeks
    progress = state.rep_progress.value
    plausible = plausible_set()
    over_markets = plausible is not None and state.markets.value
    markets = min(MARKETS, len(plausible)) if plausible is not None else MARKETS
    runs = markets if over_markets else REPLICATES

    def reset():
        state.apply(state.controls.value)

    def step():
        if arena is not None and arena.arms:
            arena.step()
            state.sink.push()
            if arena.week == arena.plan.weeks:  # the buttons and the status change
                state.tick.set(state.tick.value + 1)

    def go_to(week: int) -> None:
        """Run or replay to ``week`` (Play stops first); the bar shows where the run is. Not
        beyond the scenario's last week (or the week the run is at, if Step went further)."""
        if arena is None or not arena.arms:
            return
        week = min(week, max(arena.plan.weeks, arena.week))
        playback.stop()
        was_end = arena.week >= arena.plan.weeks
        with arena.lock:  # a week Play was making is finished first
            arena.go_to(week)
            state.sink.push()
        if was_end != (arena.week >= arena.plan.weeks):  # Play and the status line change
            state.tick.set(state.tick.value + 1)

    # What the bar says about the run: while Run 20 times works, its button counts the runs;
    # at the scenario's last week the bar's tooltip says what Step and Reset do (a status line
    # beside the buttons had no room at 1280 px in bokmål and was cut to one letter).
    end_note = _("Last week of the scenario: Step runs on, Reset starts again.")
    with solara.Div(
        classes=["rc-bar"], attributes={"title": end_note} if at_end and not playing else {}
    ):
        solara.Button(
            _("Reset"),
            color="primary",
            on_click=reset,
            disabled=arena is None,
            classes=["rc-reset"],
        )
        step_button = solara.Button(
            _("Step"),
            color="primary",
            on_click=step,
            disabled=not ready or playing,
            classes=["rc-step"],
        )
        play_button = solara.Button(
            _("Pause") if playing else _("Play"),
            color="primary",
            on_click=playback.toggle,
            disabled=not ready or (at_end and not playing),
            classes=["rc-play"],
            style={"min-width": "76px"},
        )
        known_to(playback, "step", step_button)
        known_to(playback, "play", play_button)
        if arena is not None and arena.plan is not None:
            WeekLabel(state.sink, id(arena))  # a component: RunBar's hooks never change in number
        with solara.Div(classes=["rc-nav"], attributes={"title": _(WEEK_HELP)}):
            back_button = solara.Button(
                "\u25c0",
                color="primary",
                outlined=True,
                on_click=lambda: go_to(arena.week - 1) if ready else None,
                disabled=not ready or playing,
                classes=["rc-back"],
                attributes={"title": _("Back one week"), "aria-label": _("Back one week")},
            )
            known_to(playback, "back", back_button)
            solara.HTML(
                tag="span", unsafe_innerHTML=_escape(_("Go to week")), classes=["rc-goto-label"]
            )
            GoToWeek(go_to, disabled=not ready)
        solara.Button(
            _("Running {done} of {n}...").format(done=progress, n=runs)
            if progress is not None
            else _("Run {n} times").format(n=REPLICATES),
            outlined=True,
            color="primary",
            on_click=lambda: state.rep_progress.set(0),
            disabled=not ready or progress is not None,
            classes=["rc-replicates"],
        )
        with solara.Div(
            classes=["rc-markets"],
            attributes={"title": _(MARKETS_HELP if plausible is not None else NO_PLAUSIBLE_SET)},
        ):
            solara.v.Checkbox(
                label=_("in {n} markets").format(n=markets),
                v_model=over_markets,
                on_v_model=lambda value: state.markets.set(bool(value)),
                disabled=plausible is None or progress is not None,
                dense=True,
                hide_details=True,
                class_="rc-markets-option",
            )
        solara.HTML(tag="div", unsafe_innerHTML="", classes=["rc-status"])  # a spacer
        solara.ToggleButtonsSingle(
            value=lang,
            on_value=lambda value: state.lang.set(value) if value in LANGUAGES else None,
            children=[solara.Button("EN", value="en"), solara.Button("NB", value="nb")],
            classes=["rc-lang"],
        )
        solara.Button(
            _("Show controls") if state.present.value else _("Presentation"),
            outlined=True,
            on_click=lambda: state.present.set(not state.present.value),
            classes=["rc-present"],
        )


@solara.component
def GoToWeek(go_to, disabled: bool):
    """The *Go to week* field: Enter goes to the typed week and empties the field (the week
    label says where the run is, and typing the same week again later goes there again). Its
    own component, so that its Enter handler comes with its widget whenever that is made."""

    def on_enter(widget, event=None, data=None) -> None:
        week = _week_number(widget.v_model)
        widget.v_model = ""
        if week is not None:
            go_to(week)

    field = solara.v.TextField(
        v_model="", disabled=disabled, dense=True, hide_details=True, class_="rc-goto"
    )
    solara.v.use_event(field, "keyup.enter", on_enter)
    return field


WEEK_HELP = N_(
    "Back one week, or type a week and press Enter: the run goes on to that week, or starts "
    "again from week 0 with the same luck and stops there (the same weeks as before)."
)


def _week_number(text) -> int | None:
    """The week typed into *Go to week* (a whole number from 0 to the arena's last), else None."""
    raw = str(text).strip()
    if not raw.isdigit() or len(raw) > 4:
        return None
    return min(int(raw), MAX_WEEKS)


@solara.component
def ReplicateRunner(state: State):
    """Runs the replicates in a thread when 'Run 20 times' is pressed (progress on the bar)."""
    requested = state.rep_progress.value is not None
    arena = state.arena.value
    over_markets = state.markets.value

    def work(cancel: threading.Event):
        if not requested or arena is None or arena.plan is None:
            return
        try:
            key = (arena.controls, arena.plan.weeks)
            plausible = plausible_set() if over_markets else None
            if plausible is not None:  # once in each of 20 plausible markets
                result = run_markets(
                    arena.plan,
                    key,
                    market_members(arena.plan, plausible),
                    progress=lambda done: state.rep_progress.set(done),
                    cancelled=cancel.is_set,
                )
            else:  # 20 replicates (seeds) of the page's market
                result = run_replicates(
                    arena.plan,
                    key,
                    progress=lambda done: state.rep_progress.set(done),
                    cancelled=cancel.is_set,
                )
            if result is not None:
                state.reps.set(result)
        finally:  # the button is free again, also after an error (the server logs it)
            state.rep_progress.set(None)

    solara.use_thread(work, dependencies=[requested, id(arena)], intrusive_cancel=False)
