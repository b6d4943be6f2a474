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

This module is the page itself (:func:`Page`: its first settings, the warm-up of the compiled
rules, the layout of the pieces); each piece has its own module: ``control_panel.py`` (the
control column), ``runbar.py`` (the run bar and the replicates' thread), ``views.py`` (networks,
scoreboard, charts), ``prose.py`` (notes and *How it works*), ``page_state.py`` (the page's
reactive state and the frame sink's widgets), ``playback.py`` (Play and Pause), ``style.py``
(the style sheet).
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass

import solara
import solara.lab

from sim.viz.arena import Arena
from sim.viz.chartspec import DEFAULT_CHARTS
from sim.viz.control_panel import ControlPanel
from sim.viz.controls import Controls, controls_for
from sim.viz.ipython_shell import install as keep_one_shell_per_page
from sim.viz.language import page_language
from sim.viz.page_state import State
from sim.viz.playback import Playback
from sim.viz.presets import PRESET_ENV, load_preset
from sim.viz.prose import HowItWorks, Notes
from sim.viz.runbar import ReplicateRunner, RunBar
from sim.viz.scoreboard import escape as _escape
from sim.viz.scoreboard import page_translator as _translator
from sim.viz.server import close_diagnostics
from sim.viz.share import controls_from_query
from sim.viz.sink import FrameSink
from sim.viz.style import CSS
from sim.viz.views import Views

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
        markets=solara.use_reactive(False),
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
