"""The page's text in prose: *How it works*, the notes under the views, markdown to HTML.

Text is rendered to HTML on the server (:func:`markdown_html`), never with ``solara.Markdown``
(it loads KaTeX from the internet). Every sentence comes from the catalogue in the page's
language; a shipped scenario's title and description from ``sim.i18n.scenarios``.
"""

from __future__ import annotations

import re

import solara

from sim.i18n import Message
from sim.i18n.scenarios import scenario_text
from sim.viz.arena import Arena
from sim.viz.frames import N_
from sim.viz.labels import network_label
from sim.viz.markets import NO_PLAUSIBLE_SET, plausible_set
from sim.viz.presets import REPO
from sim.viz.scoreboard import page_translator as _translator

MODEL_DOC = REPO / "docs" / "model.md"

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


def _message_text(message: str, _) -> str:
    """A page error in the page's language (a :class:`sim.i18n.Message`), else as it is."""
    return message.text(_) if isinstance(message, Message) else message


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
    if plausible_set() is None:  # Run 20 times in plausible markets is greyed out: why
        lines.append(_(NO_PLAUSIBLE_SET))
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
