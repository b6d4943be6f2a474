"""The views of a run: each campaign's network, the scoreboard and legend, and the charts.

Rendered when the settings, the language, the charts or the replicates change; a week only
updates their widgets through the page's frame sink (``sim/viz/sink.py``).
"""

from __future__ import annotations

import json

import solara

from sim.viz.arena import Arena
from sim.viz.chartspec import chart_spec
from sim.viz.frames import network_static
from sim.viz.page_state import State, attached
from sim.viz.scoreboard import arm_names, campaign_colours, legend_html
from sim.viz.scoreboard import escape as _escape
from sim.viz.scoreboard import page_translator as _translator
from sim.viz.sink import FrameSink
from sim.viz.style import CHART_HEIGHT, NETWORK_HEIGHT
from sim.viz.widgets import ChartWidget, FrameBus, HtmlBox, NetworkWidget


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
    attached(sink, "network", index, element, [id(arena), index])


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
    attached(sink, "chart", key, element, [id(arena), key])


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
            attached(sink, "score", 0, score, [id(arena)])
            solara.HTML(
                tag="div",
                unsafe_innerHTML=legend_html(lang, bool(arena.params.attitudes)),
                classes=["rc-legend"],
            )
    with solara.Div(classes=["rc-charts"], style=f"--rc-charts:{len(charts)}"):
        for key in charts:
            ChartPanel(arena, key, lang, present, sink).key(f"chart-{key}")
    bus = FrameBus.element()
    attached(sink, "bus", 0, bus, [])
    solara.use_effect(sink.push, [id(arena), lang, id(reps), charts])
