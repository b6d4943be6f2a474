"""The Reclamare browser app: a Solara page built from Mesa 3.5's SolaraViz pieces.

Run it with ``python run_sim.py viz [SCENARIO]`` (see ``sim/viz/server.py``) or directly with
``solara run sim.viz.app`` (set ``RECLAMARE_PRESET`` to open a scenario file's preset).

The page reuses Mesa's ``ModelController`` (Reset / Play / Step, with its threaded play loop)
and Mesa's ``update_counter`` / ``force_update`` redraw signal, but lays out its own controls and
views: a scenario preset must be able to set every control, and side-by-side mode needs two
network views and shared charts (docs/app.md explains the choice).
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.viz.arena import Arena
from sim.viz.charts import ARM_COLORS, ChartsPainter, NetworkPainter
from sim.viz.controls import (
    MENU_KINDS,
    REAL_KINDS,
    SLIDERS,
    STRATEGIES,
    STRATEGY_LABELS,
    Controls,
    controls_for,
    parse_seed,
    with_preset,
)
from sim.viz.presets import PRESET_ENV, REPO, listed_preset, load_preset, offered_presets


def _telemetry_off() -> None:
    """Switch Solara's telemetry off also when the app is started with plain ``solara run``."""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    try:
        import solara.server.settings as server_settings
    except ImportError:  # pragma: no cover - solara without its server
        return
    server_settings.telemetry.mixpanel_enable = False


_telemetry_off()

TITLE = "Reclamare: push or dialogue?"
MODEL_DOC = REPO / "docs" / "model.md"
PLAY_INTERVAL_MS = 250
CSS = """
.reclamare-scoreboard th, .reclamare-scoreboard td { padding: 3px 14px; text-align: left; }
.reclamare-scoreboard tr:nth-child(even) { background: #f3f3f3; }
.reclamare-scoreboard th { border-bottom: 1px solid #ccc; }
.reclamare-prose table { border-collapse: collapse; font-size: 13px; }
.reclamare-prose td, .reclamare-prose th { border: 1px solid #ddd; padding: 2px 6px; }
"""

HOW_IT_WORKS = """
**What you see.** Each dot is a customer; lines are who knows whom. Grey customers have not heard
of the brand yet. Once they have, their colour shows what they think of it: red is negative,
white neutral, blue positive. A black ring means they have bought. Bigger dots have more friends.

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
difference between the two panels comes from the campaign, nothing else.

**Things to try.** Compare push and dialogue at the same budget; then lower the product fit below
zero and compare again. Raise the negativity multiplier. Switch to a scale-free network. Change the
seed to see how much is luck.
"""


# ------------------------------------------------------------------------------- text
def markdown_html(text: str) -> str:
    """Markdown rendered to HTML on the server.

    ``solara.Markdown`` is not used: it loads KaTeX (math) from the CDN path on every mount, which
    solara-assets does not ship, so offline the server would try to fetch it from the internet.
    """
    import markdown

    return markdown.markdown(text, extensions=["tables", "fenced_code"])


def Prose(text: str, classes: list[str] | None = None, size: str = "14px"):
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=markdown_html(text),
        classes=["reclamare-prose", *(classes or [])],
        style=f"font-size:{size};line-height:1.45",
    )


# ------------------------------------------------------------------------------- drawing
_paint_lock = threading.Lock()
_PAINTERS: OrderedDict[tuple, tuple[list[NetworkPainter], ChartsPainter]] = OrderedDict()
PAINTER_CACHE = 6


def painters(arena: Arena) -> tuple[list[NetworkPainter], ChartsPainter | None]:
    """Network and chart painters for the arena.

    Painters are kept across Resets (keyed by layout, arm titles, Bass curves and budget), so a
    Reset redraws nothing static: it only recolours customers and clears the lines.
    """
    if not arena.arms:
        return [], None
    compare = arena.compare
    titles = tuple(_arm_title(arm.label, i, compare) for i, arm in enumerate(arena.arms))
    spend_rate = max(arm.model.params.arm.budget for arm in arena.arms)
    bass_key = tuple(hash(c.tobytes()) if c is not None else None for c in arena.bass)
    key = (id(arena.layout), titles, bass_key, spend_rate, arena.params.attitudes)
    with _paint_lock:
        if key in _PAINTERS:
            _PAINTERS.move_to_end(key)
            return _PAINTERS[key]
        nets = [
            NetworkPainter(
                arena.layout,
                arena.network.degree,
                title,
                ARM_COLORS[i] if compare else None,
                attitudes=arena.params.attitudes,
            )
            for i, title in enumerate(titles)
        ]
        charts = ChartsPainter(list(titles), arena.bass, spend_rate=spend_rate)
        _PAINTERS[key] = (nets, charts)
        while len(_PAINTERS) > PAINTER_CACHE:
            _PAINTERS.popitem(last=False)
        return nets, charts


def _arm_title(label: str, index: int, compare: bool) -> str:
    name = STRATEGY_LABELS.get(label, label)
    return f"{'AB'[index]}: {name}" if compare else name


def render_frame(arena: Arena) -> tuple[list[bytes], bytes | None]:
    """PNG bytes of every network view and of the charts, for the arena as it is now."""
    nets, charts = painters(arena)
    images = [p.render(arm.model, arena.week) for p, arm in zip(nets, arena.arms, strict=True)]
    return images, (charts.render(arena.arms) if charts else None)


# ---------------------------------------------------------------------------- components
@solara.component
def NetworkAndCharts(arena: Arena):
    """The network view(s) and the charts; redrawn whenever Mesa's update counter moves."""
    counter = update_counter.get()
    images, chart = solara.use_memo(
        lambda: render_frame(arena), dependencies=[id(arena), arena.week, counter]
    )
    with solara.Column(gap="8px", classes=["reclamare-views"]):
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            for i, image in enumerate(images):
                solara.Image(image, format="png", classes=["reclamare-network", f"arm-{i}"])
        if chart is not None:
            solara.Image(chart, format="png", width="100%", classes=["reclamare-charts"])


@solara.component
def Scoreboard(arena: Arena):
    """Side by side: this week's key measures of A and B, and which one is ahead."""
    update_counter.get()
    if not arena.compare:
        return
    a, b = arena.summary()
    rows = (
        ("Aware", "awareness", "{:.0%}", True),
        ("Bought", "adoption", "{:.0%}", True),
        ("Mean attitude (aware)", "mean_attitude", "{:+.2f}", True),
        ("Net sentiment", "net_sentiment", "{:+.0%}", True),
        ("Positive talk / 1,000", "wom_positive", "{:.0f}", True),
        ("Negative talk / 1,000", "wom_negative", "{:.0f}", False),
        ("Cost per aware customer", "cost_per_aware", "{:.2f}", False),
        ("Customers of the brand", "customers", "{:.0%}", True),
        ("Profit to date / 1,000", "profit", "{:+,.0f}", True),
    )
    names = [_arm_title(arm.label, i, True) for i, arm in enumerate(arena.arms)]
    cells = []
    for label, key, fmt, higher_better in rows:
        va, vb = a[key], b[key]
        ahead = ""
        if _finite(va) and _finite(vb) and abs(va - vb) > 1e-9:
            ahead = names[0] if (va > vb) == higher_better else names[1]
        cells.append((label, _fmt(fmt, va), _fmt(fmt, vb), ahead))
    header = (
        f"<tr><th>week {arena.week}</th>"
        f"<th style='color:{ARM_COLORS[0]}'>{names[0]}</th>"
        f"<th style='color:{ARM_COLORS[1]}'>{names[1]}</th><th>ahead</th></tr>"
    )
    body = "".join(
        f"<tr><td>{label}</td><td>{sa}</td><td>{sb}</td>"
        f"<td style='color:{_ahead_color(ahead, names)};font-weight:600'>{ahead}</td></tr>"
        for label, sa, sb, ahead in cells
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=header + body,
        classes=["reclamare-scoreboard"],
        style="border-collapse:collapse;font-size:14px;min-width:520px",
    )


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _fmt(fmt: str, value) -> str:
    return fmt.format(value) if _finite(value) else "-"


def _ahead_color(ahead: str, names: list[str]) -> str:
    return ARM_COLORS[names.index(ahead)] if ahead in names else "inherit"


@solara.component
def Notes(arena: Arena):
    """What the page is showing: the scenario, the network, sampling, the Bass curve."""
    if arena.error:
        solara.Error(arena.error, classes=["reclamare-error"])
        return
    plan, layout, net = arena.plan, arena.layout, arena.network
    lines = [f"**{plan.title}**", f"Network: {net.name}, {net.n:,} customers, {net.n_ties:,} ties."]
    if layout.sampled:
        lines.append(
            f"The network view shows a fixed sample of {layout.nodes.size:,} of the {layout.n:,} "
            "customers (and the ties among them); the charts use everyone."
        )
    if layout.ties_sampled:
        lines.append(f"Only {layout.ties.shape[0]:,} of the {layout.ties_total:,} ties are drawn.")
    if arena.bass_note:
        lines.append(arena.bass_note)
    Prose("  \n".join(lines), classes=["reclamare-notes"])
    if arena.preset.question:
        with solara.Details("About this scenario", expand=False):
            Prose(arena.preset.question)


@solara.component
def HowItWorks():
    show_model, set_show_model = solara.use_state(False)
    with solara.Details("How it works", expand=False):
        Prose(HOW_IT_WORKS, classes=["reclamare-how"])
        if MODEL_DOC.is_file():
            solara.Button(
                "Hide the model description" if show_model else "Read the full model description",
                text=True,
                color="primary",
                on_click=lambda: set_show_model(not show_model),
            )
            solara.Text(f"({MODEL_DOC.relative_to(REPO)} in the project)")
            if show_model:
                Prose(MODEL_DOC.read_text(encoding="utf-8"), classes=["reclamare-model-doc"])


def _slider(name: str, value, on_value, disabled: bool = False):
    spec = SLIDERS[name]
    widget = solara.SliderInt if spec.integer else solara.SliderFloat
    shown = f"{value:,}" if spec.integer else f"{value:g}"
    with solara.Column(gap="0px", classes=["reclamare-slider", f"slider-{name}"]):
        solara.Text(
            f"{spec.label}: {shown}",
            style={"font-size": "13px", "color": "#9e9e9e" if disabled else "inherit"},
        )
        widget(
            "",
            value=value,
            min=spec.min,
            max=spec.max,
            step=spec.step,
            on_value=on_value,
            disabled=disabled,
        )


@solara.component
def ControlPanel(
    controls: solara.Reactive[Controls],
    arena: Arena,
    on_preset,
):
    """Every control. Changes apply at Reset, except a preset, which applies at once."""
    c = controls.value

    def set_field(name):
        def update(value):
            controls.set(_replace(controls.value, **{name: value}))

        return update

    seed_text, set_seed_text = solara.use_state(c.seed)
    seed_message = parse_seed(seed_text)[1]
    solara.use_effect(lambda: set_seed_text(c.seed), [c.seed])

    def on_seed(text):
        set_seed_text(text)
        seed, message = parse_seed(text)
        if message is None:
            controls.set(_replace(controls.value, seed=str(seed)))

    with solara.Card("Scenario", margin=0, classes=["reclamare-scenario"]):
        names = offered_presets()
        solara.Select("Scenario preset", value=c.preset, values=names, on_value=on_preset)
        solara.Switch(
            label="Side by side (two campaigns, same network, same seed)",
            value=c.compare,
            on_value=set_field("compare"),
            classes=["reclamare-compare"],
        )
    with solara.Card("Campaign", margin=0):
        solara.Select(
            "Strategy" + (" A" if c.compare else ""),
            value=c.strategy,
            values=list(STRATEGIES),
            on_value=set_field("strategy"),
        )
        if c.strategy == "mix":
            _slider("push_share", c.push_share, set_field("push_share"))
        if c.compare:
            solara.Select(
                "Strategy B",
                value=c.strategy_b,
                values=list(STRATEGIES),
                on_value=set_field("strategy_b"),
            )
            if c.strategy_b == "mix":
                _slider("push_share_b", c.push_share_b, set_field("push_share_b"))
        _slider("budget", c.budget, set_field("budget"))
        if c.compare:
            budgets = [arm.model.params.arm.budget for arm in arena.arms]
            if len(budgets) == 2 and budgets[0] != budgets[1]:
                note = (
                    f"Budgets as in the scenario: A {budgets[0]:g}, B {budgets[1]:g}; "
                    "moving the slider gives both the same budget."
                )
            else:
                note = "Both campaigns get the same budget."
            solara.Text(note, style={"font-size": "12px"})
    with solara.Card("Product and market", margin=0):
        _slider("fit", c.fit, set_field("fit"))
        _slider("ad_credibility", c.ad_credibility, set_field("ad_credibility"))
        _slider("negativity", c.negativity, set_field("negativity"))
    with solara.Card("Network", margin=0):
        kinds = list(MENU_KINDS) + ([c.network_kind] if c.network_kind not in MENU_KINDS else [])
        solara.Select(
            "Network type", value=c.network_kind, values=kinds, on_value=set_field("network_kind")
        )
        real = c.network_kind in REAL_KINDS or c.network_kind == "file"
        _slider("n", c.n, set_field("n"), disabled=real)
        if real:
            solara.Text("A real network has its own size.", style={"font-size": "12px"})
        solara.InputText(
            "Seed (whole number)",
            value=seed_text,
            on_value=on_seed,
            continuous_update=False,
            error=seed_message is not None,
            classes=["reclamare-seed"],
        )
        if seed_message:
            solara.Error(
                f"{seed_message} Reset keeps seed {c.seed}.",
                dense=True,
                classes=["reclamare-seed-error"],
            )


def _replace(controls: Controls, **changes) -> Controls:
    from dataclasses import replace

    return replace(controls, **changes)


def initial_controls() -> Controls:
    """Controls of the preset named by ``RECLAMARE_PRESET`` (the default preset otherwise)."""
    name = os.environ.get(PRESET_ENV, "").strip()
    preset = load_preset(name or "default")
    return controls_for(preset) if not preset.error else Controls()


@solara.component
def Page():
    first = solara.use_memo(initial_controls, [])
    controls = solara.use_reactive(first)
    model = solara.use_reactive(solara.use_memo(lambda: Arena(first), []))
    model_parameters = solara.use_reactive({"controls": first})
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)

    # Reset (Mesa's ModelController) builds Arena(**model_parameters): keep them in step.
    def sync():
        model_parameters.set({"controls": controls.value})

    solara.use_effect(sync, [controls.value])

    def on_preset(name):
        preset = listed_preset(name)  # only what the menu offers, never a path from the browser
        if preset is None:
            return
        new = with_preset(controls.value, preset)
        controls.set(new)
        model_parameters.set({"controls": new})
        model.set(Arena(new))  # a preset applies at once

    arena = model.value
    pending = arena.controls != controls.value

    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column(gap="10px"):
        with solara.Card("Run", margin=0, classes=["reclamare-run"]):
            ModelController(
                model,
                model_parameters=model_parameters,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            WeekLabel(arena)
            if pending:
                solara.Warning(
                    "Changed settings apply when you press Reset.",
                    dense=True,
                    classes=["reclamare-pending"],
                )
        ControlPanel(controls, arena, on_preset)
    with solara.Column(gap="10px", style={"padding": "4px 12px"}):
        Notes(arena)
        Scoreboard(arena)
        if arena.arms:
            NetworkAndCharts(arena)
        HowItWorks()


@solara.component
def WeekLabel(arena: Arena):
    update_counter.get()
    solara.Text(f"Week {arena.week}", classes=["reclamare-week"], style={"font-size": "18px"})


page = Page
