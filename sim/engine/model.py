"""BrandModel: the Mesa model of one campaign arm on one customer network.

``BrandModel`` is the order of the week: its ``_week`` calls every rule in turn on the state they
share, so the week reads top to bottom in one class. The rules themselves are in
``sim/engine/rules/``, the customers' arrays in ``state.py``, the measures and their census in
``measures.py`` and ``census.py``. What the class needs to start is beside it: the random streams
(``streams.py``), the network it is built on (``run_network.py``), the market at week 0
(``week_zero.py``) and the collector of the weekly measures (``collector.py``).

A week (one ``step()``) runs, in this fixed order (docs/model.md explains why):

0. crisis shock, if this is the crisis week;
1. push: impressions over the media audience, adstock, wear-out, reactance, complaints;
2. dialogue: answer last week's heard mentions (complaints first), then outreach; learning,
   when switched on, turns what was heard into product fit after a lag;
3. word of mouth: customers aware at the start of the week talk to neighbours;
4. adoption and experience (trial; each customer of the brand toward the fit they experience);
5. purchases (with repeat purchases switched on): occasions, brand or alternative, lapses and
   returns; units sold are money (unit margin) and the spend is taken off;
6. memory: attitudes stay anchored to predispositions, unreminded customers may forget; then
   advocacy decays and the week's measures are collected.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.census import CUSTOMERS, take_census, told_groups
from sim.engine.collector import measures_collector
from sim.engine.measures import (
    MEASURE_NAMES,
    compute_measures,
    media_measures,
    money_measures,
    talk_measures,
)
from sim.engine.memory import tune_allocator
from sim.engine.mesa_import import mesa
from sim.engine.rules import plan
from sim.engine.rules.adoption import adopt
from sim.engine.rules.contacts import NeighbourSampler
from sim.engine.rules.dialogue import HubQueue, Mentions, conversation_target, run_dialogue
from sim.engine.rules.market import (
    Purchases,
    customer_equity,
    occasion_probability,
    run_purchases,
)
from sim.engine.rules.media import build_audience
from sim.engine.rules.memory import forget_probability, run_memory
from sim.engine.rules.public import Rating
from sim.engine.rules.push import run_push
from sim.engine.rules.stories import Cascades, start_stories
from sim.engine.rules.wom import run_wom
from sim.engine.run_network import build_network_for
from sim.engine.state import (
    HEARD_BEFORE,
    HEARD_VIA_NAMES,
    STORY_AD,
    STORY_DIALOGUE,
    STORY_EXPERIENCE,
)
from sim.engine.streams import STREAMS, stream
from sim.engine.uniforms import week_key
from sim.engine.week_zero import initial_state, media_exposure, target_groups
from sim.network.graph import Network
from sim.params import ModelParams, ParameterError, make_params


class BrandModel(mesa.Model):
    """Customers on a social network, and a brand spending a weekly budget on push and dialogue.

    Parameters
    ----------
    params : ModelParams or dict, optional
        All parameters (see ``sim.params``); sections may also be given as keywords, e.g.
        ``BrandModel(arm={"budget": 50, "push_share": 1.0}, rng=3)``. Anything not given takes
        its default.
    network : Network or dict, optional
        A prebuilt network (shared by the arms of one replicate). Built from ``params.network``
        and the seed when omitted. A dict is taken as the ``network`` parameter section.
    rng : int, optional
        Seed. The same seed and parameters give the same results, bit for bit.
    collect : bool
        Record the weekly measures in ``self.datacollector`` (default True).

    Raises
    ------
    ParameterError
        An invalid parameter, with a one-line message naming it.
    """

    def __init__(
        self,
        params: ModelParams | dict | None = None,
        *,
        network: Network | None = None,
        rng: int | None = None,
        collect: bool = True,
        base_dir=None,
        **sections: Any,
    ):
        if rng is not None and not isinstance(rng, int | np.integer):
            raise ParameterError(f"rng = {rng!r}: the seed must be a whole number")
        super().__init__(rng=rng)
        tune_allocator()  # keep the weekly step's freed arrays for reuse (see sim.engine.memory)
        if network is not None and not isinstance(network, Network):
            sections["network"] = network  # the network *section*, e.g. {"kind": "random"}
            network = None
        self.params = make_params(params, **sections)
        self.seed = int(self._seed)
        self.network = (
            network if network is not None else build_network_for(self.params, self.seed, base_dir)
        )
        self._streams = {name: stream(self.seed, name) for name in STREAMS[1:]}
        self.week = 0
        self.collect = collect

        net = self.network
        self.n = net.n
        self.sampler = NeighbourSampler(net)
        self.hubs = HubQueue(net.degree)
        self.target, self.outside_target = target_groups(self.params.arm.target_group, net)
        initial = self._streams["initial"]
        self.state = initial_state(self.params, initial, self.n)
        self.audience = build_audience(
            self.n, self.target, *media_exposure(self.params.population, initial, self.n)
        )
        # Who is in the category: drawn last from the initial stream (after the media draws),
        # so that every earlier draw is what it was before the market existed.
        market = self.params.market
        in_market = self._streams["initial"].random(self.n) < market.potential
        self.state.in_market[:] = in_market
        self._everyone_in_market = bool(in_market.all())
        self._browse_pool = np.flatnonzero(in_market)  # who may read reviews (public.browsers)
        self._occasion = occasion_probability(market.purchase_rate)
        # Money to date (absolute): units of the brand sold; spend is spend_total.
        self.units_total = 0
        self.purchases = Purchases(brand=0, category=0, lapsed=0, returned=0)
        # Cached for the weekly measures: group index as intp (saves a cast) and group sizes.
        self._groups = net.groups.astype(np.intp)
        self._group_sizes = np.bincount(self._groups, minlength=net.n_groups)
        self.product_fit = self.params.product.fit
        # Learning from customers (params.learning): insights heard to date, by week.
        self.insights = [0]
        self._forget = forget_probability(self.params.population.recall_half_life)
        # Weekly advocacy decay factor, computed once (plain float32, not a pydantic lookup).
        self._advocacy_decay = np.float32(0.5 ** (1.0 / self.params.dialogue.advocacy_half_life))
        self._loyalty_decay = np.float32(0.5 ** (1.0 / self.params.dialogue.recovery_half_life))
        self.rating = Rating(self.params.public, self.n)
        self.cascades = Cascades()
        self._story_groups = 0  # groups where a tenth have heard a story so far
        self._groups_reached = 0  # groups past 10 % awareness so far (awareness never reverts)
        self.conversations_total = 0
        self.spend_total = 0.0
        self.push_spend_total = 0.0  # of spend_total, on push (the advertising of A/S)
        self.impressions_total = 0  # impressions served to date (GRPs to date)
        self._carry = (0.0, 0.0)  # unspent push and dialogue money below one unit (see arm_budgets)
        self.mentions = Mentions.none()
        self.week_counts = dict.fromkeys(
            (
                "wom_positive",
                "wom_negative",
                "public_mentions",
                "conversations",
                "complaints_answered",
                "mentions_heard",
                "forgot",
                "impressions",
                "reached",
                "new_adopters",
                "stories_retold",
                "stories_started",
                "mention_views",
                "mention_readers",
                "rating_readers",
            ),
            0,
        )
        self.measures = self._measure()
        self.datacollector = measures_collector(MEASURE_NAMES)
        if collect:
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ week
    def arm_budgets(self, week: int) -> tuple[float, float]:
        """Push and dialogue budgets (absolute cu) of ``week``, zero outside the arm's weeks.

        The arm's media plan (``sim.engine.rules.plan``: cu, GRPs or an advertising-to-sales
        target, with an optional launch burst) gives the week's money.

        Impressions and conversations are bought whole; what a week's budget leaves over (less
        than one impression or conversation) carries over to the next week while the arm is
        active, so a small population still gets its share (200 customers at 4 cu a week buy one
        5 cu conversation every 5 weeks, not none). Spend to date never exceeds budget to date.
        """
        arm = self.params.arm
        if not plan.active(arm, week):
            self._carry = (0.0, 0.0)
            return 0.0, 0.0
        push, dialogue = plan.week_money(arm, self.params.push, self.n, week)  # (the media plan)
        push += self._carry[0]
        dialogue += self._carry[1]
        self._carry = (
            _remainder(push, self.params.push.cost_per_impression),
            _remainder(dialogue, self.params.dialogue.cost_per_conversation),
        )
        return push, dialogue

    def step(self) -> None:
        """Advance one week (see the module docstring for the order of the rules)."""
        try:
            self._week()
        except SystemError as error:
            # Ctrl-C or SIGTERM arriving while a compiled kernel boxes its results (numba runs
            # a little Python there) surfaces as "returned a result with an exception set",
            # with the interrupt at the end of the chain of causes: raise the interrupt.
            cause = error.__cause__
            while cause is not None and not isinstance(cause, KeyboardInterrupt):
                cause = cause.__cause__
            if cause is None:
                raise
            raise cause from None

    def _week(self) -> None:
        self.week += 1
        p, state, attitudes = self.params, self.state, self.params.attitudes
        counts = dict.fromkeys(self.week_counts, 0)
        self._crisis()
        was_aware = np.empty_like(state.aware)  # (aware at the start: filled by push)
        push_budget, dialogue_budget = self.arm_budgets(self.week)
        self.rating.new_week()
        # The week's keys for starting stories, taken in a fixed order (sim.engine.uniforms).
        stories = self._streams["stories"]
        ad_key, dialogue_key, experience_key = (week_key(stories) for _ in range(3))

        push = run_push(
            state, p.push, push_budget, self.audience, self._streams["push"], attitudes, was_aware
        )
        started = 0
        if push.reached and p.stories.ad_share > 0.0:  # (no pass over customers otherwise)
            started = start_stories(
                state,
                push.exposed,
                STORY_AD,
                p.push.claim,
                p.stories.ad_share,
                ad_key,
                self.cascades,
            )
        dialogue = run_dialogue(
            state,
            p.dialogue,
            dialogue_budget,
            self.mentions,
            p.arm.outreach,
            self.hubs,
            self.product_fit,
            self._streams["dialogue"],
            attitudes,
        )
        self.rating.answered(dialogue.complaints_answered)
        if dialogue.talked is not None:
            started += start_stories(
                state,
                dialogue.talked,
                STORY_DIALOGUE,
                conversation_target(p.dialogue, self.product_fit),
                p.stories.dialogue_share,
                dialogue_key,
                self.cascades,
            )
        self.conversations_total += dialogue.conversations
        self._learn(dialogue.conversations + dialogue.mentions_heard)
        wom = run_wom(
            state,
            p.wom,
            p.public,
            p.stories,
            was_aware,
            push.complainers,
            p.push.complaint_position,
            p.push.talk_lift,
            self.sampler,
            self._browse_pool,
            self.rating,
            self.cascades,
            self._streams["wom"],
            self._streams["push"],
            self._streams["public"],
            stories,
            attitudes,
        )
        self.mentions = wom.mentions
        repeat = self._occasion > 0.0
        tried_before = np.empty_like(state.adopted)  # (adopted before this week: by adopt)
        triers = adopt(
            state,
            p.adoption,
            p.product.experience_rate,
            self.product_fit,
            self._streams["adoption"],
            attitudes,
            in_market=None if self._everyone_in_market else state.in_market,
            tried_before=tried_before,
        )
        counts["new_adopters"] = triers.size
        if triers.size and p.stories.experience_share > 0.0:
            experienced = np.clip(self.product_fit + state.taste[triers], -1.0, 1.0)
            started += start_stories(
                state,
                triers,
                STORY_EXPERIENCE,
                experienced,
                p.stories.experience_share,
                experience_key,
                self.cascades,
            )
        if repeat:
            self.purchases = run_purchases(
                state,
                self._occasion,
                p.market.choice_slope,
                p.market.attractiveness(self.week),
                tried_before,
                self._streams["market"],
            )
        else:  # one-off adoption: a trial is the only purchase there is
            new = counts["new_adopters"]
            self.purchases = Purchases(brand=new, category=new, lapsed=0, returned=0)
        self.units_total += self.purchases.brand
        decays = (self._advocacy_decay, self._loyalty_decay)  # (and stories spent, in one pass)
        counts["forgot"] = run_memory(
            state, self._forget, self._streams["memory"], attitudes, decays
        )

        self.spend_total += push.spend + dialogue.spend
        self.push_spend_total += push.spend
        self.impressions_total += push.impressions
        counts.update(
            impressions=push.impressions,
            reached=push.reached,
            conversations=dialogue.conversations,
            complaints_answered=dialogue.complaints_answered,
            mentions_heard=dialogue.mentions_heard,
            wom_positive=wom.positive,
            wom_negative=wom.negative,
            public_mentions=len(wom.mentions),
            stories_retold=wom.retold,
            stories_started=started,
            mention_views=wom.views,
            mention_readers=wom.readers,
            rating_readers=wom.rating_readers,
        )
        self.week_counts = counts
        self.last_push, self.last_dialogue = push, dialogue
        self.measures = self._measure()
        if self.collect:
            self.datacollector.collect(self)

    def _crisis(self) -> None:
        """Step 0, in the crisis week only: each customer is hit with probability
        ``crisis.share`` (the arm-independent crisis stream); those hit take the crisis attitude
        (with attitudes on) and are made aware and reminded (``make_aware``), so hearing the
        news counts as a reminder and none of them forgets the brand that week."""
        crisis = self.params.crisis
        u = self._streams["crisis"].random(self.n) if crisis.week == self.week else None
        if u is None:
            return
        hit = u < crisis.share
        if self.params.attitudes:
            self.state.attitude[hit] = crisis.attitude
        self.state.make_aware(hit, HEARD_BEFORE)

    def _learn(self, insights: int) -> None:
        """Learning from customers (``params.learning``; off by default): the product's fit
        approaches the ceiling as insights accumulate, ``fit = ceiling - (ceiling - fit0) *
        0.5 ** (K / insights_half)``, where ``K`` counts the conversations held and mentions
        heard up to ``lag_weeks`` ago, in absolute numbers (what a brand learns from 500
        conversations does not depend on how many customers it has)."""
        self.insights.append(self.insights[-1] + insights)
        spec = self.params.learning
        if not spec.enabled or spec.ceiling <= self.params.product.fit:
            return
        known = self.insights[max(0, len(self.insights) - 1 - spec.lag_weeks)]
        remaining = 0.5 ** (known / spec.insights_half)
        fit0 = self.params.product.fit
        self.product_fit = spec.ceiling - (spec.ceiling - fit0) * remaining

    def _measure(self) -> dict[str, float]:
        net = self.network
        market, money = self.params.market, self.params.money
        cutoffs = self.params.measures
        repeat = self._occasion > 0.0
        count_groups = self._groups_reached < net.n_groups and net.n_groups > 1
        # Everything the measures need from every customer, in one pass (sim.engine.measures).
        census = take_census(
            self.state,
            net.groups,  # (int16: a quarter of the bytes of the intp copy)
            net.n_groups if count_groups else 0,
            told_groups(self._story_groups, net.n_groups),
            repeat and money.unit_margin != 0.0,
            cutoffs.sentiment_cutoff,
            cutoffs.top_box_cutoff,
        )
        equity = customer_equity(
            self.state.customer,
            self.state.attitude,
            self._occasion,
            market.choice_slope,
            market.attractiveness(self.week),
            money.unit_margin,
            money.discount_rate,
            census.customer_fine,
        )
        bought = self.purchases
        measures = {"week": self.week} | compute_measures(
            self.state,
            self.week_counts,
            self.spend_total,
            self.product_fit,
            self._groups,
            net.n_groups,
            self.outside_target,
            self._group_sizes,
            self._groups_reached,
            cutoffs.sentiment_cutoff,
            cutoffs.top_box_cutoff,
            census,
        )
        self._groups_reached = measures["groups_reached"]
        measures.update(
            talk_measures(
                self.state,
                self.week_counts,
                self.rating.position(),
                self.cascades.largest(),
                self._groups,
                self._group_sizes,
                self._story_groups,
                census,
            )
        )
        self._story_groups = measures["story_groups"]
        measures.update(
            money_measures(
                self.n,
                int(census.counts[CUSTOMERS]),
                bought.brand,
                bought.category if repeat else None,
                bought.lapsed,
                bought.returned,
                self.units_total,
                self.spend_total,
                equity,
                money.price,
                money.unit_margin,
            )
        )
        measures.update(
            media_measures(
                self.n,
                self.week_counts["impressions"],
                self.week_counts["reached"],
                self.impressions_total,
                self.push_spend_total,
                money.price * self.units_total,
            )
        )
        return measures

    # ---------------------------------------------------------------- output
    def weekly_frame(self) -> pd.DataFrame:
        """The collected weekly measures, one row per week (week 0 = start)."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "week", np.arange(len(frame)))
        return frame

    def customers_frame(self) -> pd.DataFrame:
        """Per-customer state now, one row per customer (built on demand; large at scale)."""
        s, net = self.state, self.network
        labels = net.labels if net.labels is not None else np.arange(self.n)
        return pd.DataFrame(
            {
                "customer": labels,
                "group": np.asarray(net.group_names, dtype=object)[net.groups],
                "degree": net.degree,
                "aware": s.aware,
                "heard": s.heard,
                "attitude": s.attitude,
                "predisposition": s.predisposition,
                "adopted": s.adopted,
                "brand_customer": s.customer,
                "in_market": s.in_market,
                "adstock": s.adstock,
                "irritated": s.irritated,
                "advocacy": s.advocacy,
                "taste": s.taste,
                "ad_tolerance": s.tolerance,
                "anchoring": s.anchoring,
                "heard_via": pd.Categorical.from_codes(
                    s.heard_via, categories=[HEARD_VIA_NAMES[k] for k in sorted(HEARD_VIA_NAMES)]
                ),
            }
        )


def _remainder(budget: float, unit_cost: float) -> float:
    """Money left after buying whole units (the same rounding the rules use)."""
    units = math.floor(budget / unit_cost + 1e-9) if budget > 0 else 0
    return max(0.0, budget - units * unit_cost)
