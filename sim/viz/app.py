"""The Reclamare browser app: a Solara page for a classroom projector and a class of students.

Run it with ``python run_sim.py viz [SCENARIO]`` (see ``sim/viz/server.py``) or directly with
``solara run sim.viz.app`` (set ``RECLAMARE_PRESET`` to open a scenario file's preset).

The server steps the model (``sim.viz.arena.Arena``, a ``mesa.Model``) and sends its state; the
browser draws the networks (a canvas) and the charts (ECharts, served by the app): see
``sim/viz/frames.py``, ``sim/viz/chartspec.py`` and ``sim/viz/widgets.py``. Every text on the
page comes from the catalogue (``sim.i18n``; English and bokmål), chosen with the language
switch, ``?lang=nb``, ``viz --lang nb`` (``RECLAMARE_LANG``) or the browser's language
(``sim/viz/language.py``). The page's settings can be shared as a link (URL query), saved as a
scenario file, and the runs downloaded as CSV (``sim/viz/share.py``).

Layout: a fixed control column on the left (hidden in presentation mode), a bar with the run
buttons, then the network view(s) and the scoreboard side by side, then up to three charts; at
1280 x 720 all of it fits without scrolling (tests/test_browser_app.py checks the geometry).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
import warnings
from dataclasses import dataclass, replace

import solara
import solara.lab

from sim.i18n import LANGUAGES, Message, number_style
from sim.i18n.scenarios import scenario_text
from sim.viz.arena import MAX_WEEKS, Arena
from sim.viz.chartspec import CHARTS, DEFAULT_CHARTS, MAX_CHARTS, chart_spec
from sim.viz.controls import (
    EVERYONE,
    MENU_KINDS,
    OUTREACH,
    REAL_KINDS,
    SLIDERS,
    STRATEGIES,
    Controls,
    controls_for,
    parse_seed,
    sanitize,
    with_preset,
)
from sim.viz.frames import N_, network_static
from sim.viz.ipython_shell import install as keep_one_shell_per_page
from sim.viz.labels import (
    CONTROL_HELP,
    OUTREACH_NAMES,
    group_label,
    network_label,
    preset_label,
    preset_order,
    strategy_label,
)
from sim.viz.language import page_language
from sim.viz.presets import PRESET_ENV, REPO, listed_preset, load_preset, offered_presets
from sim.viz.replicates import REPLICATES, Replicates, run_replicates
from sim.viz.scoreboard import arm_names, campaign_colours, legend_html
from sim.viz.scoreboard import escape as _escape
from sim.viz.scoreboard import page_translator as _translator
from sim.viz.server import close_diagnostics
from sim.viz.share import LinkProblem, controls_from_query, query_string, runs_csv, scenario_toml
from sim.viz.sink import FrameSink
from sim.viz.widgets import ChartWidget, FrameBus, HtmlBox, NetworkWidget

close_diagnostics()  # in the server: /resourcez only with `viz --diagnostics`


def _telemetry_off() -> None:
    """Switch Solara's telemetry off also when the app is started with plain ``solara run``."""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    try:
        import solara.server.settings as server_settings
    except ImportError:  # pragma: no cover - solara without its server
        return
    server_settings.telemetry.mixpanel_enable = False


_telemetry_off()
keep_one_shell_per_page()
# Solara warns (12 lines) on every page load over plain http that its session cookie cannot
# be SameSite=None; on a classroom network that is expected, and nothing the user can act on.
warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)

MODEL_DOC = REPO / "docs" / "model.md"
# Play: a week every 250 ms (4 weeks a second) at most. RECLAMARE_PLAY_INTERVAL_S changes it
# for a test server (tests/test_browser_worksheets.py presses Play in every exercise).
PLAY_INTERVAL_S = max(0.0, float(os.environ.get("RECLAMARE_PLAY_INTERVAL_S") or 0.25))
CONTROLS_WIDTH = 292  # px
NETWORK_HEIGHT = 262  # px of each network canvas (fits 720 px high screens with the charts)
CHART_HEIGHT = 194  # px of each chart's drawing area (under a two-line title: name, unit)
CSS = f"""
.rc-shell {{ display: flex; height: 100vh; overflow: hidden; font-size: 14px; }}
.rc-controls {{ width: {CONTROLS_WIDTH}px; flex: none; height: 100vh; overflow-y: auto;
  padding: 6px 8px; border-right: 1px solid #ddd; background: #fafafa; }}
.rc-controls .v-card__title {{ font-size: 16px; padding: 4px 8px 0 8px; line-height: 22px; }}
.rc-controls .v-card__text {{ padding: 2px 8px 6px 8px; }}
/* Campaigns A and B fit a 1280 x 720 projector without scrolling (14 px text, as everywhere):
   cards 6 px apart, a campaign's menus beside their labels, sliders 24 px high, the switch
   close to the menu (tests/test_browser_app.py measures it in both languages). */
.rc-controls > .d-flex {{ gap: 6px !important; }}
.rc-campaign .rc-menu {{ display: grid; grid-template-columns: minmax(0, 45%) minmax(0, 1fr);
  align-items: center; column-gap: 6px; }}
.rc-controls .v-slider {{ min-height: 24px; }}
.rc-controls .v-input__slot {{ margin-bottom: 0 !important; }}
.rc-controls .v-messages {{ display: none; }}
.rc-controls .v-input--switch {{ margin-top: 4px; padding-top: 0; }}
.rc-controls .v-label, .rc-controls .v-select__selection, .rc-controls input,
.rc-controls .v-input, .rc-controls .v-btn {{ font-size: 14px !important; }}
.v-menu__content .v-list-item__title, .v-menu__content .v-list-item {{ font-size: 14px
  !important; white-space: normal; line-height: 18px; }}
/* Menus show their whole choice: a long name wraps, never an ellipsis (projector, bokmål). */
.rc-controls .v-select__selection {{ white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 18px; margin: 3px 4px 3px 0 !important; }}
.rc-controls .v-select.v-input--dense .v-select__selection--comma {{ margin: 3px 4px 3px 0; }}
/* The seed field's label keeps its 14 px when it floats (Vuetify scales it to 75 %). */
.rc-controls .v-text-field .v-label--active {{ transform: translateY(-20px) scale(1) !important; }}
.rc-controls .reclamare-seed {{ padding-top: 18px; }}
.rc-controls .v-slider__thumb-label {{ font-size: 14px !important; width: 38px !important;
  height: 38px !important; }}
.rc-main {{ flex: 1; min-width: 0; height: 100vh; overflow-y: auto; padding: 0 10px 10px 10px; }}
.rc-bar {{ display: flex; align-items: center; gap: 8px; height: 48px; flex-wrap: nowrap; }}
.rc-bar .v-btn {{ font-size: 15px !important; }}
.rc-bar .v-btn {{ text-transform: none; letter-spacing: normal; }}
.rc-week {{ font-size: 20px; font-weight: 600; min-width: 112px; white-space: nowrap; }}
.rc-nav {{ display: flex; align-items: center; gap: 6px; white-space: nowrap; flex: none; }}
.rc-nav .rc-back {{ min-width: 36px !important; padding: 0 6px !important; }}
.rc-goto {{ width: 56px; flex: none; margin: 0 !important; padding: 0 !important; }}
.rc-goto .v-input__slot {{ border: 1px solid #1976d2; border-radius: 4px; padding: 0 4px; }}
.rc-goto .v-input__slot:before, .rc-goto .v-input__slot:after {{ display: none; }}
.rc-goto input {{ font-size: 16px !important; text-align: center; }}
.rc-goto-label {{ font-size: 14px; }}
.rc-status {{ font-size: 14px; color: #555; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; min-width: 0; flex: 1; }}
.rc-top {{ display: grid; gap: 8px; align-items: start; }}
.rc-top.rc-two {{ grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 392px; }}
.rc-top.rc-one {{ grid-template-columns: minmax(0, 1.3fr) minmax(330px, 1fr); }}
.rc-charts {{ display: grid; gap: 10px; margin-top: 6px;
  grid-template-columns: repeat(var(--rc-charts, 3), minmax(0, 1fr)); }}
.rc-net-title {{ font-size: 16px; font-weight: 600; line-height: 22px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.rc-score {{ border-collapse: collapse; font-size: 14px; width: 100%; }}
.rc-score th, .rc-score td {{ padding: 1px 5px; text-align: right; white-space: nowrap; }}
.rc-score th:first-child, .rc-score td:first-child {{ text-align: left; }}
.rc-score tr:nth-child(even) {{ background: #f3f3f3; }}
.rc-score th {{ border-bottom: 1px solid #ccc; }}
.rc-score td[title] {{ cursor: help; }}
.rc-score tr.rc-media td {{ text-align: left; }}
.rc-legend {{ font-size: 14px; line-height: 22px; margin-top: 4px; }}
.rc-legend span {{ white-space: nowrap; margin-right: 10px; }}
.rc-help {{ font-size: 14px; color: #444; }}
.rc-control {{ margin-top: 2px; }}
.rc-control-label {{ font-size: 14px; line-height: 18px; }}
.rc-i {{ display: inline-block; width: 18px; height: 18px; line-height: 16px;
  border: 1px solid #1976d2; border-radius: 50%; text-align: center;
  color: #1976d2; font-size: 14px; cursor: help; }}
.rc-message {{ font-size: 14px; min-height: 20px; color: #b00020; }}
.reclamare-prose {{ font-size: 14px; line-height: 1.45; }}
.reclamare-prose table {{ border-collapse: collapse; font-size: 14px; }}
.reclamare-prose td, .reclamare-prose th {{ border: 1px solid #ddd; padding: 2px 6px; }}
"""

HOW_IT_WORKS = N_(
    """
**What you see.** Each dot is a customer; lines are who knows whom. Hollow grey rings have not
heard of the brand yet. Once they have, the dot is filled with what they think of it: red is
negative, white neutral, blue positive (every aware dot has a thin dark outline, so neutral ones
show on the white page). A thick black ring means they have bought. Bigger dots have more
friends.

**What happens each week** (one press of *Step*):

1. **Push** (ads): the push share of the budget buys ad impressions, scattered over the
   population (heavy media users see most of them; some people never see ads). Ads make people
   aware and nudge them towards the brand's claim, but people trust ads little, repetition
   wears out, and too much of it irritates, so some start complaining.
2. **Dialogue**: the rest of the budget pays for conversations. The brand answers what customers
   say in public, complaints first, and then starts conversations itself. It reaches far fewer
   people per unit of money, but is believed and turns the people it talks to into advocates.
   (If the scenario switches learning on, what the brand hears slowly improves the product.)
3. **Word of mouth**: customers who know the brand talk to their friends, more when they feel
   strongly. Friends are believed more than ads. People only move towards opinions not too far
   from their own.
4. **Buying**: aware customers buy with a chance that grows with their attitude; after buying,
   their opinion moves towards how good the product really is for them (tastes differ). Ads
   cannot fix a bad product.
5. **Memory**: people drift back toward their own first opinion, and someone who hears nothing
   of the brand for a while may forget it (buyers do not).

**Side by side** runs two campaigns on the *same* network with the *same* luck (seed): every
difference between the two panels comes from the campaign, nothing else. One run can still be
luck: **Run 20 times** repeats both campaigns with 20 different seeds, draws the range where the
average lies (95 % interval) around each line, and the scoreboard then says which campaign is
ahead, or *tie* when the difference is within the noise.

**Words.** *cu* = currency units (any currency; all money is per 1,000 customers). *Net
sentiment* = share of fans (attitude above +0.5) minus share of critics (below -0.5). *Product
fit* = how good the product really is for the average customer (-1 awful, +1 perfect).

**Things to try.** Compare push and dialogue at the same budget; then lower the product fit below
zero and compare again. Raise the negativity multiplier. Switch to a scale-free network. Change the
seed to see how much is luck.
"""
)


# ------------------------------------------------------------------------------- warm-up
WARM = threading.Event()
WARM_ERROR: list[str] = []


def _warm_up() -> None:
    """Compile (or load from numba's cache) the weekly rules once, before the first student
    presses Step; the page shows a message until this is done."""
    try:
        from sim.engine.warmup import warm_up

        warm_up()
    except Exception as error:  # pragma: no cover - shown on the page, the app still works
        WARM_ERROR.append(f"{type(error).__name__}: {error}")
    finally:
        WARM.set()


threading.Thread(target=_warm_up, name="reclamare-warm-up", daemon=True).start()


# ------------------------------------------------------------------------------- text
def markdown_html(text: str) -> str:
    """Markdown rendered to HTML on the server.

    ``solara.Markdown`` is not used: it loads KaTeX (math) from the CDN path on every mount, which
    solara-assets does not ship, so offline the server would try to fetch it from the internet.
    """
    import markdown

    return markdown.markdown(text, extensions=["tables", "fenced_code"])


def Prose(text: str, classes: list[str] | None = None):
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=markdown_html(text),
        classes=["reclamare-prose", *(classes or [])],
    )


# ---------------------------------------------------------------------------- page state
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
    sink: FrameSink
    playback: Playback | None = None  # set by Page (it needs the state)

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


# ---------------------------------------------------------------------------- components
def _attached(sink: FrameSink, kind: str, key, element, dependencies: list) -> None:
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


def _known_to(playback: Playback, name: str, element) -> None:
    """Let ``playback`` change this button's widget in place (see :class:`Playback`)."""

    def remember():
        # KeyError: reacton kept an equal element of an earlier render (and its widget)
        with contextlib.suppress(KeyError):
            playback.buttons[name] = solara.get_widget(element)

    solara.use_effect(remember)


@solara.component
def NetworkPanel(arena: Arena, index: int, lang: str, present: bool, sink: FrameSink):
    """One campaign's network, drawn in the browser from one character per customer."""
    _ = _translator(lang)
    static = solara.use_memo(
        lambda: json.dumps(
            network_static(arena.layout, arena.network.degree, attitudes=arena.params.attitudes),
            separators=(",", ":"),
        ),
        dependencies=[id(arena)],
    )
    name = arm_names(arena, lang)[index]
    compare = arena.compare
    with solara.Column(gap="0px", classes=["rc-network", f"arm-{index}"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=_escape(name),
            classes=["rc-net-title"],
            style=f"color:{campaign_colours(arena)[index] if compare else '#222'}",
        )
        element = NetworkWidget.element(
            graph=static,
            height=NETWORK_HEIGHT + (40 if present else 0),
            png_label=_("Download this picture (PNG)"),
            filename=f"reclamare-network-{'AB'[index] if compare else 'run'}.png",
        )
    _attached(sink, "network", index, element, [id(arena), index])


@solara.component
def ChartPanel(arena: Arena, key: str, lang: str, present: bool, sink: FrameSink):
    """One chart, drawn in the browser (ECharts); with replicates, their 95 % bands."""
    _ = _translator(lang)
    names = arm_names(arena, lang)
    weeks = arena.plan.weeks
    spec = solara.use_memo(
        lambda: chart_spec(key, names, weeks, _, bass=arena.bass, colours=campaign_colours(arena)),
        [id(arena), key, lang],
    )
    element = ChartWidget.element(
        spec=spec,
        height=CHART_HEIGHT + (40 if present else 0),
        png_label=_("Download this chart (PNG)"),
        filename=f"reclamare-{key}.png",
    )
    _attached(sink, "chart", key, element, [id(arena), key])


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


@solara.component
def WeekLabel(sink: FrameSink, arena_id: int):
    """The week of the run (filled by the frame sink); shown only while there is a run."""
    week = HtmlBox.element(box_class="rc-week reclamare-week")
    _attached(sink, "week", 0, week, [arena_id])
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
            style={"min-width": "84px"},
        )
        _known_to(playback, "step", step_button)
        _known_to(playback, "play", play_button)
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
            _known_to(playback, "back", back_button)
            solara.HTML(
                tag="span", unsafe_innerHTML=_escape(_("Go to week")), classes=["rc-goto-label"]
            )
            GoToWeek(go_to, disabled=not ready)
        solara.Button(
            _("Running {done} of {n}...").format(done=progress, n=REPLICATES)
            if progress is not None
            else _("Run {n} times").format(n=REPLICATES),
            outlined=True,
            color="primary",
            on_click=lambda: state.rep_progress.set(0),
            disabled=not ready or progress is not None,
            classes=["rc-replicates"],
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

    def work(cancel: threading.Event):
        if not requested or arena is None or arena.plan is None:
            return
        key = (arena.controls, arena.plan.weeks)
        result = run_replicates(
            arena.plan,
            key,
            progress=lambda done: state.rep_progress.set(done),
            cancelled=cancel.is_set,
        )
        if result is not None:
            state.reps.set(result)
        state.rep_progress.set(None)

    solara.use_thread(work, dependencies=[requested, id(arena)], intrusive_cancel=False)


def _label(text: str, help_text: str, _):
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"{_escape(text)} <span class='rc-i'>?</span>",
        classes=["rc-control-label"],
        attributes={"title": _(help_text)},
    )


def _menu(
    help_key: str,
    label: str,
    value,
    items: list[tuple[str, str]],
    on_value,
    _,
    disabled: bool = False,
    name: str | None = None,
):
    """A menu showing names (``items``: value, name) with a tooltip; it never changes size.
    ``name`` (default ``help_key``) names its classes (``control-NAME``, ``select-NAME``)."""
    name = name or help_key
    with solara.Div(
        classes=["rc-control", "rc-menu", f"control-{name}"],
        attributes={"title": _(CONTROL_HELP[help_key])},
    ):
        _label(label, CONTROL_HELP[help_key], _)
        solara.v.Select(
            v_model=value,
            items=[{"value": v, "text": text} for v, text in items],
            on_v_model=on_value,
            dense=True,
            hide_details=True,
            disabled=disabled,
            class_=f"rc-select select-{name}",
        )


def _slider(name: str, value, on_value, _, disabled: bool = False, label: str | None = None):
    spec = SLIDERS[name]
    widget = solara.SliderInt if spec.integer else solara.SliderFloat
    if spec.integer:
        shown = f"{value:,}".replace(",", "\u2009")
    elif name.startswith("push_share"):
        shown = f"{value:.0%}".replace("%", "\u2009%")
    else:
        shown = number_style(getattr(_, "lang", "en"))(f"{value:g}")
    help_key = name.removesuffix("_b")
    with solara.Div(
        classes=["rc-control", f"slider-{name}"], attributes={"title": _(CONTROL_HELP[help_key])}
    ):
        _label(f"{label or _(spec.label)}: {shown}", CONTROL_HELP[help_key], _)
        widget(
            "",
            value=value,
            min=spec.min,
            max=spec.max,
            step=spec.step,
            on_value=on_value,
            disabled=disabled,
        )


SLIDER_LABELS = {
    "budget": N_("Weekly budget (cu per 1,000 customers)"),
    "budget_b": N_("Weekly budget (cu per 1,000 customers)"),
    "push_share": N_("Push share of the budget"),
    "push_share_b": N_("Push share of the budget"),
    "fit": N_("Product fit"),
    "ad_credibility": N_("Ad credibility"),
    "negativity": N_("Negativity multiplier"),
    "n": N_("Customers"),
}


def CampaignCard(c: Controls, b: bool, strategies, groups: tuple[str, ...], set_field, _):
    """One campaign's controls (A, or B when ``b``): strategy, push share, budget, whom
    dialogue talks to, who sees the ads. B's are greyed while side by side is off; a control
    that does not apply to the strategy is greyed, never removed."""
    end = "_b" if b else ""
    strategy = getattr(c, "strategy" + end)
    off = b and not c.compare
    title = _("Campaign B") if b else (_("Campaign A") if c.compare else _("Campaign"))
    with solara.Card(title, margin=0, classes=["rc-campaign", f"rc-campaign-{'b' if b else 'a'}"]):
        _menu(
            "strategy",
            _("Strategy"),
            strategy,
            strategies,
            set_field("strategy" + end),
            _,
            disabled=off,
            name="strategy" + end,
        )
        _slider(
            "push_share" + end,
            getattr(c, "push_share" + end),
            set_field("push_share" + end),
            _,
            disabled=off or strategy != "mix",
            label=_(SLIDER_LABELS["push_share" + end]),
        )
        _slider(
            "budget" + end,
            getattr(c, "budget" + end),
            set_field("budget" + end),
            _,
            disabled=off or strategy == "none",
            label=_(SLIDER_LABELS["budget" + end]),
        )
        _menu(
            "outreach",
            _("Dialogue talks to"),
            getattr(c, "outreach" + end),
            [(k, _(OUTREACH_NAMES[k])) for k in OUTREACH],
            set_field("outreach" + end),
            _,
            disabled=off or strategy not in ("dialogue", "mix"),
            name="outreach" + end,
        )
        chosen = getattr(c, "target_group" + end)
        shown = list(groups) + ([chosen] if chosen and chosen not in groups else [])
        _menu(
            "target_group",
            _("Ads reach"),
            chosen,
            [(EVERYONE, group_label(None, _))] + [(g, group_label(g, _)) for g in shown],
            set_field("target_group" + end),
            _,
            disabled=off or strategy not in ("push", "mix") or not groups,
            name="target_group" + end,
        )


@solara.component
def ControlPanel(state: State, problems: list[str]):
    """Every control, always in the same place (a control that does not apply is greyed out,
    never removed). Every change applies at once: the run restarts at week 0."""
    lang = state.lang.value
    _ = _translator(lang)
    c: Controls = state.controls.value

    def set_field(name):
        def update(value):
            if value is None or getattr(state.controls.value, name) == value:
                return
            # Checked here, on the server: a crafted websocket message is not bound by the
            # sliders' ranges or the menus' items.
            current = state.controls.value
            new = sanitize(replace(current, **{name: value}), current)
            if new != current:
                state.apply(new)

        return update

    def on_preset(name):
        preset = listed_preset(name)  # only what the menu offers, never a path from the browser
        if preset is not None:
            state.apply(with_preset(state.controls.value, preset))

    seed_text, set_seed_text = solara.use_state(c.seed)
    seed_message = parse_seed(seed_text)[1]
    solara.use_effect(lambda: set_seed_text(c.seed), [c.seed])

    def on_seed(text):
        set_seed_text(text)
        seed, message = parse_seed(text)
        if message is None and str(seed) != state.controls.value.seed:
            state.apply(replace(state.controls.value, seed=str(seed)))

    strategies = [(s, strategy_label(s, 0.5, _) if s != "mix" else _("mix")) for s in STRATEGIES]
    # No card title: the menu's own label says "Scenario" (the room goes to campaign B).
    with solara.Card(margin=0, classes=["reclamare-scenario"]):
        _menu(
            "preset",
            _("Scenario"),
            c.preset,
            [(k, preset_label(k, _)) for k in sorted(offered_presets(), key=preset_order)],
            on_preset,
            _,
        )
        with solara.Div(attributes={"title": _(CONTROL_HELP["compare"])}):
            solara.Switch(
                label=_("Side by side: two campaigns"),
                value=c.compare,
                on_value=set_field("compare"),
                classes=["reclamare-compare"],
            )
    arena = state.arena.value
    groups = ()
    if arena is not None and arena.network is not None and arena.network.n_groups > 1:
        groups = tuple(arena.network.group_names)
    for b in (False, True):
        CampaignCard(c, b, strategies, groups, set_field, _)
    with solara.Card(_("Product and market"), margin=0):
        _slider("fit", c.fit, set_field("fit"), _, label=_(SLIDER_LABELS["fit"]))
        _slider(
            "ad_credibility",
            c.ad_credibility,
            set_field("ad_credibility"),
            _,
            label=_(SLIDER_LABELS["ad_credibility"]),
        )
        _slider(
            "negativity",
            c.negativity,
            set_field("negativity"),
            _,
            label=_(SLIDER_LABELS["negativity"]),
        )
    with solara.Card(_("Network"), margin=0):
        kinds = list(MENU_KINDS) + ([c.network_kind] if c.network_kind not in MENU_KINDS else [])
        _menu(
            "network_kind",
            _("Network"),
            c.network_kind,
            [(k, network_label(k, _)) for k in kinds],
            set_field("network_kind"),
            _,
        )
        real = c.network_kind in REAL_KINDS or c.network_kind == "file"
        _slider("n", c.n, set_field("n"), _, disabled=real, label=_(SLIDER_LABELS["n"]))
        with solara.Div(classes=["rc-control"], attributes={"title": _(CONTROL_HELP["seed"])}):
            solara.InputText(
                _("Seed (whole number)"),
                value=seed_text,
                on_value=on_seed,
                continuous_update=False,
                error=seed_message is not None,
                classes=["reclamare-seed"],
            )
        message = ""
        if seed_message:
            message = _("{message} The run keeps seed {seed}.").format(
                message=_seed_message(seed_text, _), seed=c.seed
            )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=_escape(message),
            classes=["rc-message", "reclamare-seed-error"],
        )
    with solara.Card(_("Charts"), margin=0):
        for i in range(MAX_CHARTS):
            chosen = list(state.charts.value)

            def choose(key, i=i):
                now = list(state.charts.value)
                if key not in CHARTS or i >= len(now) or now[i] == key:
                    return
                if key in now:  # shown already: the two swap places (a chart is shown once)
                    now[now.index(key)] = now[i]
                now[i] = key
                state.charts.set(tuple(now))

            _menu(
                "charts",
                _("Chart {i}").format(i=i + 1),
                chosen[i] if i < len(chosen) else None,
                [(k, _(d.title)) for k, d in CHARTS.items()],
                choose,
                _,
            )
    ExportCard(state)
    if problems:
        solara.HTML(
            tag="div",
            unsafe_innerHTML="<br>".join(_escape(_problem_text(p, _)) for p in problems),
            classes=["rc-message", "rc-link-problems"],
        )


def _message_text(message: str, _) -> str:
    """A page error in the page's language (a :class:`sim.i18n.Message`), else as it is."""
    return message.text(_) if isinstance(message, Message) else message


def _problem_text(problem: str, _) -> str:
    """A refused link value in the page's language (``LinkProblem``), else as it is."""
    return problem.text(_) if isinstance(problem, LinkProblem) else problem


def _seed_message(text: str, _) -> str:
    seed, message = parse_seed(text)
    if message and "too large" in message:
        return _("The seed is too large.")
    return _("The seed must be a whole number, e.g. 42.")


@solara.component
def ExportCard(state: State):
    """Downloads (CSV of the runs, a scenario file) and a link that reopens these settings."""
    lang = state.lang.value
    _ = _translator(lang)
    arena: Arena = state.arena.value
    if arena is None or arena.plan is None:
        return
    query = query_string(state.controls.value, lang, tuple(state.charts.value), state.present.value)

    def csv_data():
        return runs_csv(arm_names(arena, lang), [arm.history for arm in arena.arms])

    def toml_data():
        title = " / ".join(arm_names(arena, lang)) + " - " + arena.plan.title
        return scenario_toml(arena.plan, title)

    with solara.Card(_("Export and share"), margin=0, classes=["rc-export"]):
        solara.FileDownload(
            csv_data, filename="reclamare-runs.csv", label=_("Runs as CSV"), mime_type="text/csv"
        )
        solara.FileDownload(
            toml_data,
            filename="reclamare-scenario.toml",
            label=_("Scenario file (TOML)"),
            mime_type="application/toml",
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<a class='rc-share-link' href='?{_escape(query)}'>"
                f"{_escape(_('Link to these settings'))}</a>"
                f" <span class='rc-help'>({_escape(_('right-click to copy'))})</span>"
            ),
            style="font-size:14px;margin-top:4px",
        )


@solara.component
def Notes(arena: Arena, lang: str):
    """What the page is showing: the scenario, the network, sampling, the Bass curve."""
    _ = _translator(lang)
    if arena.error:
        solara.Error(_message_text(arena.error, _), classes=["reclamare-error"])
        return
    plan, layout, net = arena.plan, arena.layout, arena.network
    # A shipped scenario's own words in the page's language (a user's file as written).
    text = scenario_text(plan.title, arena.preset.question, lang)
    lines = [
        f"**{text.title}**",
        _("Network: {name}, {n} customers, {ties} ties.").format(
            name=network_label(arena.params.network.kind, _),
            n=f"{net.n:,}".replace(",", "\u2009"),
            ties=f"{net.n_ties:,}".replace(",", "\u2009"),
        ),
    ]
    if layout.sampled:
        lines.append(
            _(
                "The network view shows a fixed sample of {drawn} of the {n} customers (and the "
                "ties among them); the charts use everyone."
            ).format(drawn=layout.nodes.size, n=layout.n)
        )
    if layout.ties_sampled:
        lines.append(
            _("Only {drawn} of the {total} ties are drawn.").format(
                drawn=layout.ties.shape[0], total=layout.ties_total
            )
        )
    if arena.bass_note:
        lines.append(_(arena.bass_note))
    Prose("  \n".join(lines), classes=["reclamare-notes"])
    if text.description:
        with solara.Details(_("About this scenario"), expand=False):
            Prose(re.sub(r"[ \t\r\n]+", " ", text.description))  # keeps no-break spaces


@solara.component
def HowItWorks(lang: str):
    _ = _translator(lang)
    show_model, set_show_model = solara.use_state(False)
    with solara.Details(_("How it works"), expand=False):
        Prose(_(HOW_IT_WORKS), classes=["reclamare-how"])
        if MODEL_DOC.is_file():
            solara.Button(
                _("Hide the model description")
                if show_model
                else _("Read the full model description"),
                text=True,
                color="primary",
                on_click=lambda: set_show_model(not show_model),
            )
            if show_model:
                Prose(MODEL_DOC.read_text(encoding="utf-8"), classes=["reclamare-model-doc"])


@solara.component
def Views(state: State):
    """Networks, scoreboard and charts. Rendered when the settings, the language, the charts or
    the replicates change; a week only updates their widgets (``sim.viz.sink``)."""
    lang = state.lang.value
    arena: Arena = state.arena.value
    present = state.present.value
    reps = state.replicates()
    sink = state.sink
    sink.context(arena, lang, reps)
    compare = arena.compare
    charts = tuple(state.charts.value)
    with solara.Div(classes=["rc-top", "rc-two" if compare else "rc-one"]):
        for i in range(len(arena.arms)):
            NetworkPanel(arena, i, lang, present, sink).key(f"net-{i}")
        with solara.Column(gap="2px", classes=["rc-side"]):
            score = HtmlBox.element(box_class="rc-side-score")
            _attached(sink, "score", 0, score, [id(arena)])
            solara.HTML(
                tag="div",
                unsafe_innerHTML=legend_html(lang, bool(arena.params.attitudes)),
                classes=["rc-legend"],
            )
    with solara.Div(classes=["rc-charts"], style=f"--rc-charts:{len(charts)}"):
        for key in charts:
            ChartPanel(arena, key, lang, present, sink).key(f"chart-{key}")
    bus = FrameBus.element()
    _attached(sink, "bus", 0, bus, [])
    solara.use_effect(sink.push, [id(arena), lang, id(reps), charts])


def initial_controls() -> Controls:
    """Controls of the preset named by ``RECLAMARE_PRESET`` (the default preset otherwise)."""
    name = os.environ.get(PRESET_ENV, "").strip()
    preset = load_preset(name or "default")
    return controls_for(preset) if not preset.error else Controls()


@dataclass(frozen=True)
class Start:
    controls: Controls
    page: dict
    problems: list


def startup(search: str | None, headers: dict | None = None) -> Start:
    """The first settings of a page: the started preset, changed by the link's query; the
    language from the link, ``viz --lang`` / ``RECLAMARE_LANG``, the browser, else English
    (:func:`sim.viz.language.page_language`)."""
    controls, page, problems = controls_from_query(search, initial_controls())
    page = {**page, "lang": page_language(page.get("lang"), os.environ, headers)}
    return Start(controls, page, problems)


def _request_headers() -> dict | None:
    """The headers of the page's connection (its browser's languages), None outside a server."""
    try:
        return solara.lab.headers.value
    except Exception:  # noqa: BLE001 - no request (a test rendering the page): no headers
        return None


@solara.component
def Page():
    router = solara.use_router()
    start = solara.use_memo(lambda: startup(router.search, _request_headers()), [])
    state = State(
        lang=solara.use_reactive(start.page["lang"]),
        controls=solara.use_reactive(start.controls),
        arena=solara.use_reactive(None),
        tick=solara.use_reactive(0),
        present=solara.use_reactive(start.page.get("present", False)),
        charts=solara.use_reactive(tuple(start.page.get("charts", DEFAULT_CHARTS))),
        reps=solara.use_reactive(None),
        rep_progress=solara.use_reactive(None),
        sink=solara.use_memo(FrameSink, []),
    )
    playback = solara.use_memo(lambda: Playback(state), [])
    playback.state = state  # the reactive values are the same objects; the holder is new
    state.playback = playback
    solara.use_effect(lambda: playback.stop, [])  # the page closed: stop playing
    ready, set_ready = solara.use_state(WARM.is_set())

    def wait_for_warm_up(cancel: threading.Event):
        while not WARM.wait(0.2):
            if cancel.is_set():
                return
        set_ready(True)

    solara.use_thread(wait_for_warm_up, dependencies=[], intrusive_cancel=False)

    def build():
        if ready and state.arena.value is None:
            state.arena.set(Arena(state.controls.value))

    solara.use_effect(build, [ready])

    lang = state.lang.value
    _ = _translator(lang)
    arena: Arena | None = state.arena.value
    solara.Title(_("Reclamare: push or dialogue?"))
    solara.Style(CSS)
    ReplicateRunner(state)
    with solara.Div(classes=["rc-shell", "rc-lang-" + lang]):
        if not state.present.value:
            with solara.Div(classes=["rc-controls"]):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=_escape(_("Reclamare: push or dialogue?")),
                    style="font-size:18px;font-weight:600;margin:4px 0 6px 2px",
                )
                ControlPanel(state, start.problems)
        with solara.Div(classes=["rc-main"]):
            RunBar(state)
            if not ready or arena is None:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=_escape(
                        _(
                            "Preparing the simulation: the first start after installing compiles "
                            "it, which can take up to a minute. The page is ready when Step turns "
                            "blue."
                        )
                    ),
                    classes=["rc-warming"],
                    style="font-size:18px;margin:20px 0",
                )
                solara.ProgressLinear(True)
            elif arena.arms:
                Views(state)
            if arena is not None:
                Notes(arena, lang)
                HowItWorks(lang)
            if WARM_ERROR:
                solara.Error(WARM_ERROR[0])


page = Page
