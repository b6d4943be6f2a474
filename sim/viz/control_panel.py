"""The control column: scenario, campaigns A and B, product and market, network, charts, export.

Every control is always in the same place (one that does not apply is greyed out, never
removed), and every change is checked on the server (``sim.viz.controls.sanitize``) and applies
at once: the run restarts at week 0 with it.
"""

from __future__ import annotations

from dataclasses import replace

import solara

from sim.i18n import numbers
from sim.viz.arena import Arena
from sim.viz.chartspec import CHARTS, MAX_CHARTS
from sim.viz.controls import (
    EVERYONE,
    MENU_KINDS,
    OUTREACH,
    REAL_KINDS,
    SLIDERS,
    STRATEGIES,
    Controls,
    parse_seed,
    sanitize,
    with_preset,
)
from sim.viz.frames import N_
from sim.viz.labels import (
    CONTROL_HELP,
    OUTREACH_NAMES,
    group_label,
    network_label,
    preset_label,
    preset_order,
    strategy_label,
)
from sim.viz.markup import render
from sim.viz.page_state import State
from sim.viz.presets import listed_preset, offered_presets
from sim.viz.scoreboard import arm_names
from sim.viz.scoreboard import escape as _escape
from sim.viz.scoreboard import page_translator as _translator
from sim.viz.share import LinkProblem, query_string, runs_csv, scenario_toml


def label_html(text: str, lang: str) -> str:
    """A control's label with its "?" mark (the tooltip is the element's title);
    ``templates/control_label.html``."""
    return render("control_label.html", lang, text=text)


def problems_html(problems, lang: str) -> str:
    """The refused values of a link, one a line, in the page's language;
    ``templates/link_problems.html``."""
    _ = _translator(lang)
    return render("link_problems.html", lang, lines=[_problem_text(p, _) for p in problems])


def share_link_html(query: str, lang: str) -> str:
    """The link that reopens these settings (``query``: its query string);
    ``templates/share_link.html``."""
    return render("share_link.html", lang, query=query)


def _label(text: str, help_text: str, _):
    solara.HTML(
        tag="div",
        unsafe_innerHTML=label_html(text, getattr(_, "lang", "en")),
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
        shown = numbers.general(value, getattr(_, "lang", "en"))
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
            unsafe_innerHTML=problems_html(problems, lang),
            classes=["rc-message", "rc-link-problems"],
        )


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
            unsafe_innerHTML=share_link_html(query, lang),
            style="font-size:14px;margin-top:4px",
        )
