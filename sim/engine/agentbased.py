"""The weekly rules one customer at a time: a per-agent Mesa version of BrandModel, for teaching.

``BrandModel`` (sim/engine/model.py) keeps every customer's state in numpy arrays and runs a week as
one compiled loop per rule over them (sim/engine/jit.py). That is fast, but the rules are spread
over array code. This module states the *same* rules the way Mesa's own examples are written (see
``mesa/examples/basic/virus_on_network``): one :class:`Customer` agent on each node of a
:class:`mesa.discrete_space.Network`, with methods that read like the model description::

    customer.week_of_ads(k)    # push: k impressions this week (0: the ad pressure fades)
    customer.hold_conversation(target)
    customer.talk()            # word of mouth: maybe tell random neighbours
    customer.advance()         # weigh what was heard, maybe buy, use the product, remember

Read it to learn what the model does; use :class:`BrandModel` to run it. It is about 50 times
slower at the default parameters (docs/performance.md, "Against per-agent Mesa"), which is the
point of the benchmark that times both. ``tests/test_agentbased.py`` checks that the two give
the same results in distribution (replicate means of the weekly measures) on small networks, so
the comparison is between the same model.

Same rules, same order within the week (docs/model.md): crisis, push, dialogue (and learning,
when switched on), word of mouth, adoption and experience, memory (anchoring, then forgetting),
advocacy decay. Same synchronous conventions: only customers aware at the start of the week
(after the crisis) talk, and every message of one week's word of mouth is judged against the
listener's attitude at the start of the talk step (:meth:`Customer.listen`). Because talk is
buffered in each listener's inbox, the order in which customers act within a step does not
matter, so the model calls them in a fixed order (``AgentSet.do``, not ``shuffle_do``).

The random numbers differ (Python's ``random`` through ``self.random``, drawn when needed, with
no common random numbers between arms), so results agree with the engine in distribution, not
bit for bit. Tie weights are ignored (all the generated networks are unweighted).

Written plainly and without waste, since it is also the speed baseline of the engine: each
customer keeps a list of its neighbours (``cell.neighborhood.select_random_agent()`` rebuilds the
neighbourhood's agent list on every call, about 2.4 us), impressions are drawn in one
``random.choices`` call a week, k exposures act through the closed form
``m - (m - a) * (1 - s) ** k`` rather than k pulls, and the parameters and the numbers derived from
them (decay factors, strengths, log-odds) are copied once into plain attributes (a pydantic section
read through a property in a hot loop cost up to 780 ns a call). Measured side by side on a
loaded 2-core machine: 5.6 and 5.2 us of CPU per customer-week at 10,000 and 100,000 customers,
against 11.3 and 12.1 us for the version before #11 (which had simpler rules).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate
from types import SimpleNamespace
from typing import Any

import mesa
from mesa.discrete_space import FixedAgent
from mesa.discrete_space import Network as NetworkSpace

from sim.engine.measures import (
    HIST_EDGES,
    HIST_NAMES,
    MEASURE_NAMES,
    media_measures,
    money_measures,
)
from sim.engine.rules import plan
from sim.network.convert import to_networkx
from sim.network.graph import Network
from sim.params import ModelParams, ParameterError, make_params


class Customer(FixedAgent):
    """One customer: what they know and feel about the brand, and how they act on it.

    Attributes
    ----------
    group : int
        The customer's group in the network (index into the model's ``group_names``).
    aware, heard : bool
        Remembers the brand now; has ever heard of it (``aware`` can be forgotten, ``heard`` not).
    heard_via : str or None
        First channel: "ad", "wom", "dialogue" or "before" (aware at week 0, or the crisis news).
    attitude, predisposition : float
        Brand perception in [-1, 1] now, and at week 0 (the customer stays anchored to it).
    adopted : bool
        Has bought (never reverts).
    adstock : float
        Remembered ad pressure, in exposures.
    irritated : bool
        Adstock above this customer's irritation threshold this week.
    advocacy : float
        Boost to talking after a conversation with the brand, in [0, 1].
    reminded : bool
        Met an ad, a talk (spoken or heard) or a conversation this week.
    taste : float
        The customer experiences the product at ``fit + taste`` (attitude units).
    effective_frequency, irritation_threshold : float
        The push values times this customer's ad tolerance (exposures).
    anchoring : float
        Weekly weight of the predisposition in the attitude, in [0, 1].
    neighbours : list of Customer
        The customers at the other end of this customer's ties (filled once, at setup).
    inbox : list of (message, strength)
        Word of mouth heard this week, weighed together in :meth:`listen`.
    """

    def __init__(
        self,
        model: AgentBrandModel,
        cell,
        *,
        group: int,
        attitude: float,
        taste: float,
        tolerance: float,
        anchoring: float,
    ):
        super().__init__(model)
        self.cell = cell
        self.group = group
        self.neighbours: list[Customer] = []
        self.aware = self.heard = self.adopted = self.irritated = self.reminded = False
        self.heard_via: str | None = None
        self.attitude = self.predisposition = attitude
        self.adstock = 0.0
        self.advocacy = 0.0
        self.taste = taste
        self.effective_frequency = model.push.effective_frequency * tolerance
        self.irritation_threshold = model.push.irritation_threshold * tolerance
        self.anchoring = anchoring
        self.inbox: list[tuple[float, float]] = []

    def hear_of_brand(self, channel: str) -> None:
        """Become aware (again) and reminded; remember the channel if it is the first."""
        if not self.heard:
            self.heard = True
            self.heard_via = channel
        self.aware = self.reminded = True

    # ------------------------------------------------------------------ push
    def week_of_ads(self, exposures: int) -> None:
        """This week's ``exposures`` impressions (0: none): adstock, irritation, persuasion."""
        model, push = self.model, self.model.push
        self.adstock = self.adstock * push.decay + exposures
        self.irritated = self.adstock > self.irritation_threshold
        if exposures == 0:
            return
        self.hear_of_brand("ad")
        if not model.attitudes:
            return
        weight = exposure_weight(
            self.adstock, self.effective_frequency, self.irritation_threshold, push.reactance
        )
        if weight >= 0:  # toward the claim, inside the confidence bound
            if abs(push.claim - self.attitude) < push.epsilon:
                self.attitude = pull(self.attitude, push.claim, push.strength * weight, exposures)
        else:  # reactance: toward the opposite of the claim, no confidence bound
            self.attitude = pull(self.attitude, -push.claim, push.strength * -weight, exposures)

    # -------------------------------------------------------------- dialogue
    def hold_conversation(self, target: float) -> None:
        """The brand talks with this customer, arguing for ``target``."""
        dialogue = self.model.dialogue
        self.hear_of_brand("dialogue")
        self.advocacy = max(self.advocacy, dialogue.advocacy_boost)
        if self.model.attitudes and abs(target - self.attitude) < dialogue.epsilon:
            self.attitude = pull(self.attitude, target, dialogue.strength, 1)

    # ---------------------------------------------------------- word of mouth
    def talk(self) -> None:
        """Maybe tell neighbours what I think (called for the customers aware at the start of
        the week who have ties)."""
        wom, a = self.model.wom, self.attitude
        p = wom.talk_base + wom.talk_feeling * abs(a) + wom.talk_advocacy * self.advocacy
        if a < 0:
            p *= wom.negative_incidence
        if self.random.random() < p:
            self.say(a)

    def say(self, message: float) -> None:
        """One talk: ``listeners`` random neighbours (with replacement) will weigh ``message``;
        it is public (a mention the brand may hear next week) with ``public_share``."""
        model, wom = self.model, self.model.wom
        negative = message < 0
        strength = wom.strength_negative if negative else wom.strength
        for listener in self.random.choices(self.neighbours, k=wom.listeners):
            listener.inbox.append((message, strength))
        self.reminded = True  # talking about the brand keeps it in mind
        model.talks[negative] += 1
        if self.random.random() < wom.public_share:
            model.mentions_now.append((self, negative))

    # ------------------------------------------------ second half of the week
    def advance(self) -> None:
        """Weigh what I heard, maybe buy, use the product, then remember (or forget)."""
        if self.inbox:
            self.listen()
        if self.aware and not self.adopted:
            self.consider_buying()
        if self.adopted and self.model.attitudes:
            self.use_product()
        self.remember()

    def listen(self) -> None:
        """Weigh this week's messages together, each against my attitude before any of them."""
        self.hear_of_brand("wom")
        if self.model.attitudes:
            self.attitude = combine(self.attitude, self.inbox, self.model.wom.epsilon)
        self.inbox.clear()

    def consider_buying(self) -> None:
        """Adopt with the logistic probability of my attitude."""
        adoption = self.model.adoption
        if self.random.random() < logistic(adoption.log_odds + adoption.slope * self.attitude):
            self.adopted = True
            self.model.new_adopters += 1

    def use_product(self) -> None:
        """My attitude moves toward the fit I experience, ``clip(fit + taste, -1, 1)``."""
        experienced = min(1.0, max(-1.0, self.model.product_fit + self.taste))
        self.attitude += self.model.product.experience_rate * (experienced - self.attitude)

    def remember(self) -> None:
        """End of the week: anchoring to my predisposition (Friedkin-Johnsen), then, if I am
        aware, have not bought and was not reminded this week, maybe forget the brand."""
        model = self.model
        if model.attitudes:
            self.attitude += self.anchoring * (self.predisposition - self.attitude)
        if self.reminded:
            self.reminded = False
        elif self.aware and not self.adopted and self.random.random() < model.forget:
            self.aware = False
            model.forgot += 1
        self.advocacy *= model.advocacy_decay


def exposure_weight(adstock: float, effective: float, irritation: float, reactance: float) -> float:
    """Effect of one exposure relative to its best, given adstock (exposures): 1 up to the
    effective frequency, linearly down to 0 at the irritation threshold, then down to
    ``-reactance`` at ``irritation + (irritation - effective)``, flat beyond."""
    if adstock <= effective:
        return 1.0
    gap = irritation - effective
    if adstock <= irritation:
        return (irritation - adstock) / gap
    return -reactance * min((adstock - irritation) / gap, 1.0)


def pull(attitude: float, message: float, strength: float, times: int) -> float:
    """The influence rule ``a += s * (m - a)`` applied ``times`` times: ``m - (m - a)(1 - s)^k``
    (the caller checks the confidence bound)."""
    return message - (message - attitude) * (1.0 - strength) ** times


def combine(attitude: float, messages: list[tuple[float, float]], epsilon: float) -> float:
    """Messages (position, strength) inside the confidence bound pull together, each judged
    against ``attitude``; strengths adding up to more than 1 are scaled down to 1, so the result
    is a weighted average of the attitude and the messages."""
    total_strength = total_pull = 0.0
    for message, strength in messages:
        if abs(message - attitude) < epsilon:
            total_strength += strength
            total_pull += strength * message
    if total_strength == 0:
        return attitude
    return attitude + (total_pull - total_strength * attitude) / max(total_strength, 1.0)


def logistic(x: float) -> float:
    """``1 / (1 + exp(-x))`` without overflow (``x`` may be +-inf)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def log_odds(p: float) -> float:
    """``log(p / (1 - p))``: -inf at 0, inf at 1."""
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return math.log(p / (1.0 - p))


def plain(section, **extra: Any) -> SimpleNamespace:
    """A parameter section as plain attributes (read in hot loops), plus derived numbers."""
    return SimpleNamespace(**(section.model_dump() | extra))


class AgentBrandModel(mesa.Model):
    """The per-agent (one :class:`Customer` per network node) version of ``BrandModel``.

    Parameters
    ----------
    params : ModelParams or dict, optional
        The same parameters as ``BrandModel`` (sections may also be given as keywords).
    network : sim.network.graph.Network, optional
        The customers' network; built from ``params.network`` and the seed when omitted
        (exactly as ``BrandModel`` builds it). Must be unweighted.
    rng : int, optional
        Seed of Mesa's random number generators.
    """

    def __init__(
        self,
        params: ModelParams | dict | None = None,
        *,
        network: Network | None = None,
        rng: int | None = None,
        **sections: Any,
    ):
        super().__init__(rng=rng)
        if network is not None and not isinstance(network, Network):
            sections["network"] = network  # the network *section*, as BrandModel accepts
            network = None
        self.params = p = make_params(params, **sections)
        if p.market.purchase_rate is not None or p.market.potential < 1.0:
            raise ParameterError(
                "parameters: market: the per-agent version implements one-off adoption only "
                "(market.purchase_rate = 'off', market.potential = 1); use BrandModel"
            )
        if network is None:
            from sim.engine.model import build_network_for

            network = build_network_for(p, int(self._seed))
        self.network = network
        self.n = network.n
        self._copy_parameters(p)
        # layout=None: no spring layout (minutes at 100,000 nodes); positions are not needed.
        self.grid = NetworkSpace(to_networkx(network), capacity=1, random=self.random, layout=None)

        pop = p.population
        groups = network.groups.tolist()
        for node in range(self.n):
            spread = (self.random.random() * 2 - 1) * pop.attitude_spread
            attitude = min(1.0, max(-1.0, pop.initial_attitude + spread)) if p.attitudes else 0.0
            customer = Customer(
                self,
                self.grid[node],
                group=groups[node],
                attitude=attitude,
                taste=self.random.gauss() * pop.taste_spread,
                tolerance=math.exp(self.random.gauss() * pop.tolerance_spread),
                anchoring=min(1.0, self.random.random() * 2 * pop.anchoring),
            )
            if self.random.random() < pop.initial_awareness:
                customer.hear_of_brand("before")
                customer.reminded = False
        self.customers: list[Customer] = [self.grid[node].agents[0] for node in range(self.n)]
        for customer in self.customers:
            customer.neighbours = [cell.agents[0] for cell in customer.cell.neighborhood]

        # Push's audience: the reachable customers of the target group, each hit in proportion
        # to a gamma media weight (None: equally likely).
        self.group_names = network.group_names
        self.group_sizes = Counter(c.group for c in self.customers)
        target = p.arm.target_group
        in_target = [target is None or self.group_names[c.group] == target for c in self.customers]
        self.audience = [
            c
            for c, inside in zip(self.customers, in_target, strict=True)
            if self.random.random() >= pop.unreachable_share and inside
        ]
        self.audience_weights = (
            None
            if pop.media_shape is None
            else list(
                accumulate(self.random.gammavariate(pop.media_shape, 1.0) for _ in self.audience)
            )
        )
        self.outside_target = [
            c for c, inside in zip(self.customers, in_target, strict=True) if not inside
        ]
        # Outreach "hubs": most connected first, ties broken by customer number.
        self.hub_order = sorted(self.customers, key=lambda c: -len(c.neighbours))
        self.hub_cursor = 0

        self.week = 0
        self.product_fit = p.product.fit
        self.insights = [0]  # conversations held plus mentions heard, to date, by week
        self.spend_total = 0.0
        self.push_spend_total = 0.0  # of spend_total, on push
        self.impressions = self.reached = self.impressions_total = 0  # served (this week, to date)
        self.carry = (0.0, 0.0)  # money below one impression / conversation
        self.mentions: list[tuple[Customer, bool]] = []  # heard by the brand next week
        self.mentions_now: list[tuple[Customer, bool]] = []
        self.talks = [0, 0]  # this week's positive and negative talks
        self.conversations = self.complaints_answered = self.forgot = 0
        self.new_adopters = self.units_total = 0  # one-off adoption: a trial is one unit
        self.groups_reached = 0
        self.measures = weekly_measures(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in MEASURE_NAMES}
        )
        self.datacollector.collect(self)

    def _copy_parameters(self, p: ModelParams) -> None:
        """The numbers the weekly rules read, as plain attributes, with derived values computed
        once (decay factors per week, strengths ``c * mu``, log-odds)."""
        self.attitudes = p.attitudes
        on = 1.0 if p.attitudes else 0.0  # attitudes off: talk with talk_base only (Bass limit)
        self.push = plain(
            p.push,
            decay=0.5 ** (1.0 / p.push.half_life),
            strength=p.push.credibility * p.push.mu,
        )
        self.dialogue = plain(
            p.dialogue,
            strength=p.dialogue.credibility * p.dialogue.mu,
            observer_strength=p.dialogue.credibility * p.dialogue.observer_mu,
        )
        self.wom = plain(
            p.wom,
            talk_feeling=p.wom.talk_feeling * on,
            talk_advocacy=p.wom.talk_advocacy * on,
            negative_incidence=p.wom.negative_incidence if p.attitudes else 1.0,
            strength=p.wom.credibility * p.wom.mu,
            strength_negative=p.wom.credibility * min(1.0, p.wom.mu * p.wom.negative_impact),
        )
        self.adoption = plain(
            p.adoption,
            log_odds=log_odds(p.adoption.base_rate),
            slope=p.adoption.attitude_slope * on,
        )
        self.product = plain(p.product)
        self.learning = plain(p.learning)
        half_life = p.population.recall_half_life
        self.forget = 0.0 if half_life is None else 1.0 - 0.5 ** (1.0 / half_life)
        self.advocacy_decay = 0.5 ** (1.0 / p.dialogue.advocacy_half_life)

    # ------------------------------------------------------------------ week
    def budgets(self) -> tuple[float, float]:
        """This week's push and dialogue money (cu), plus last week's leftover below one unit."""
        arm = self.params.arm
        if not plan.active(arm, self.week):
            self.carry = (0.0, 0.0)
            return 0.0, 0.0
        push, dialogue = plan.week_money(arm, self.params.push, self.n, self.week)
        push += self.carry[0]
        dialogue += self.carry[1]
        self.carry = (
            leftover(push, self.push.cost_per_impression),
            leftover(dialogue, self.dialogue.cost_per_conversation),
        )
        return push, dialogue

    def step(self) -> None:
        """One week: crisis, push, dialogue and learning, word of mouth, then every customer's
        second half of the week (listen, buy, use, remember), then the measures."""
        self.week += 1
        self.crisis()
        speakers = [c for c in self.customers if c.aware and c.neighbours]  # aware at the start
        push_budget, dialogue_budget = self.budgets()
        complainers = self.run_push(push_budget)
        self.run_dialogue(dialogue_budget)
        # Word of mouth: customers aware at the start of the week may talk, irritated customers
        # complain; every listener weighs what they heard in advance(), so order does not matter.
        self.talks, self.mentions_now = [0, 0], []
        for customer in speakers:
            customer.talk()
        for customer in complainers:
            if customer.neighbours:
                customer.say(self.push.complaint_position)
        self.forgot = self.new_adopters = 0
        self.agents.do("advance")
        self.units_total += self.new_adopters
        self.mentions = self.mentions_now
        self.measures = weekly_measures(self)
        self.datacollector.collect(self)

    def crisis(self) -> None:
        """In the crisis week a random share of customers hears bad news about the brand."""
        crisis = self.params.crisis
        if crisis.week != self.week:
            return
        for customer in self.customers:
            if self.random.random() < crisis.share:
                if self.attitudes:
                    customer.attitude = crisis.attitude
                customer.hear_of_brand("before")

    def run_push(self, budget: float) -> list[Customer]:
        """Buy impressions, deliver them over the audience (by media weight); return the
        customers who complain about the ads this week."""
        push = self.push
        impressions = whole_units(budget, push.cost_per_impression) if self.audience else 0
        hits = Counter(
            self.random.choices(self.audience, cum_weights=self.audience_weights, k=impressions)
        )
        cap = self.params.push.frequency_cap
        if cap is not None:  # impressions beyond the cap are not served and not paid
            hits = Counter({customer: min(k, cap) for customer, k in hits.items()})
        self.impressions = sum(hits.values())
        self.reached = len(hits)
        self.impressions_total += self.impressions
        self.spend_total += self.impressions * push.cost_per_impression
        self.push_spend_total += self.impressions * push.cost_per_impression
        complainers = []
        for customer in self.audience:  # nobody else ever sees an ad
            customer.week_of_ads(hits.get(customer, 0))
            if customer.irritated and self.random.random() < push.complaint_prob:
                complainers.append(customer)
        return complainers

    def run_dialogue(self, budget: float) -> None:
        """Answer heard mentions (complaints first), then reach out with the spare capacity;
        learn from what was heard and said."""
        dialogue = self.dialogue
        capacity = whole_units(budget, dialogue.cost_per_conversation)
        heard = []
        if capacity:
            heard = [m for m in self.mentions if self.random.random() < dialogue.listening_share]
        self.random.shuffle(heard)
        heard.sort(key=lambda mention: not mention[1])  # complaints first (stable)
        answered: dict[Customer, bool] = {}  # one answer per customer
        for customer, negative in heard:
            if len(answered) < capacity and customer not in answered:
                answered[customer] = negative
        spare = capacity - len(answered)
        outreach = self.params.arm.outreach
        reached = []
        if outreach == "random" and spare > 0:
            reached = self.random.sample(self.customers, min(spare, self.n))
        elif outreach == "hubs" and spare > 0:
            reached = [
                self.hub_order[(self.hub_cursor + i) % self.n] for i in range(min(spare, self.n))
            ]
            self.hub_cursor = (self.hub_cursor + spare) % self.n
        target = min(dialogue.claim, self.product_fit + dialogue.honesty_margin)
        talked = list(answered) + reached
        for customer in dict.fromkeys(talked):  # a customer reached twice is pulled once
            customer.hold_conversation(target)
        if self.attitudes:
            # Aware neighbours who see a complaint answered shift slightly toward the brand.
            observers: dict[Customer, list[tuple[float, float]]] = {}
            for complainer, negative in answered.items():
                for neighbour in complainer.neighbours if negative else ():
                    if neighbour.aware:
                        message = (target, dialogue.observer_strength)
                        observers.setdefault(neighbour, []).append(message)
            for observer, messages in observers.items():
                observer.attitude = combine(observer.attitude, messages, dialogue.epsilon)
        self.conversations = len(talked)
        self.complaints_answered = sum(answered.values())
        self.spend_total += len(talked) * dialogue.cost_per_conversation
        self.learn(len(talked) + len(heard))

    def learn(self, insights: int) -> None:
        """Learning from customers (off by default): product fit approaches the ceiling as the
        insights of ``lag_weeks`` ago and before accumulate (absolute numbers)."""
        self.insights.append(self.insights[-1] + insights)
        learning, fit0 = self.learning, self.product.fit
        if not learning.enabled or learning.ceiling <= fit0:
            return
        known = self.insights[max(0, len(self.insights) - 1 - learning.lag_weeks)]
        remaining = 0.5 ** (known / learning.insights_half)
        self.product_fit = learning.ceiling - (learning.ceiling - fit0) * remaining


def whole_units(budget: float, unit_cost: float) -> int:
    """Impressions or conversations ``budget`` buys (whole units, as the engine rounds)."""
    return int(math.floor(budget / unit_cost + 1e-9)) if budget > 0 else 0


def leftover(budget: float, unit_cost: float) -> float:
    """Money (cu) left after buying whole units; carried over to next week."""
    return max(0.0, budget - whole_units(budget, unit_cost) * unit_cost)


def count_adopters(customers) -> int:
    """How many customers have adopted (with one-off adoption: the brand's customers)."""
    return sum(1 for c in customers if c.adopted)


def weekly_measures(model: AgentBrandModel) -> dict[str, float]:
    """The engine's weekly measures (sim.engine.measures: same names, units and definitions)."""
    customers, n, per_1000 = model.customers, model.n, 1000.0 / model.n
    aware = [c for c in customers if c.aware]
    attitudes = sorted(c.attitude for c in aware)
    count = len(attitudes)
    first_heard = Counter(c.heard_via for c in customers if c.heard)
    heard = first_heard.total()
    out = {
        "awareness": count / n,
        "ever_aware": heard / n,
        "adoption": len([c for c in customers if c.adopted]) / n,
        **attitude_measures(attitudes, model.params.measures),
        "wom_positive": model.talks[False] * per_1000,
        "wom_negative": model.talks[True] * per_1000,
        "public_mentions": len(model.mentions_now) * per_1000,
        "conversations": model.conversations * per_1000,
        "complaints_answered": model.complaints_answered * per_1000,
        "irritated": len([c for c in model.audience if c.irritated]) / n,  # nobody else can be
        "product_fit": model.product_fit,
        "spend": model.spend_total * per_1000,
        "cost_per_aware": (
            model.spend_total / count if count else (math.nan if model.spend_total else 0.0)
        ),
        "groups_reached": model.groups_reached,
        "awareness_outside_target": math.nan,
        **{
            f"heard_via_{channel}": first_heard[channel] / heard if heard else 0.0
            for channel in ("ad", "wom", "dialogue")
        },
        "forgot": model.forgot * per_1000,
        # Everyone, the unaware at the latent attitude they hold (never heard: predisposition).
        "mean_attitude_all": math.fsum(c.attitude for c in customers) / n,
    }
    # Money with one-off adoption, as the engine books it: each trial is one unit of the brand
    # (and of the category), nobody lapses, and customer equity is 0 without repeat purchases.
    money = model.params.money
    out |= money_measures(
        n,
        count_adopters(customers),
        model.new_adopters,
        model.new_adopters,
        0,
        0,
        model.units_total,
        model.spend_total,
        0.0,
        money.price,
        money.unit_margin,
    )
    out |= media_measures(
        n,
        model.impressions,
        model.reached,
        model.impressions_total,
        model.push_spend_total,
        money.price * model.units_total,
    )
    if model.groups_reached < len(model.group_sizes):  # a group once reached stays reached
        aware_by_group = Counter(c.group for c in aware)
        reached = sum(aware_by_group[g] > 0.10 * size for g, size in model.group_sizes.items())
        model.groups_reached = out["groups_reached"] = max(model.groups_reached, reached)
    if model.outside_target:
        outside = model.outside_target
        out["awareness_outside_target"] = len([c for c in outside if c.aware]) / len(outside)
    return out


def attitude_measures(attitudes: list[float], cutoffs) -> dict[str, float]:
    """Mean, spread, quantiles, net sentiment, top box and histogram of the aware customers'
    ``attitudes`` (sorted ascending); ``cutoffs`` is the ``measures`` parameter section."""
    count = len(attitudes)
    if not count:
        return {
            "mean_attitude": math.nan,
            "net_sentiment": 0.0,
            "top_box": 0.0,
            "attitude_sd": math.nan,
            **dict.fromkeys(("attitude_p10", "attitude_p50", "attitude_p90"), math.nan),
            **dict.fromkeys(HIST_NAMES, 0.0),
        }
    mean = sum(attitudes) / count
    above = count - bisect_right(attitudes, cutoffs.sentiment_cutoff)
    below = bisect_left(attitudes, -cutoffs.sentiment_cutoff)
    # Histogram bins [e_k, e_k+1) of width 0.2 over [-1, 1], the last one closed.
    starts = [0] + [bisect_left(attitudes, edge) for edge in HIST_EDGES[1:-1]] + [count]
    return {
        "mean_attitude": mean,
        "net_sentiment": (above - below) / count,
        "top_box": (count - bisect_right(attitudes, cutoffs.top_box_cutoff)) / count,
        "attitude_sd": math.sqrt(max(math.sumprod(attitudes, attitudes) / count - mean**2, 0.0)),
        # The attitude at which the share q of the aware is reached (the engine's definition).
        **{
            f"attitude_p{round(q * 100)}": attitudes[max(math.ceil(q * count) - 1, 0)]
            for q in (0.1, 0.5, 0.9)
        },
        **{name: (starts[k + 1] - starts[k]) / count for k, name in enumerate(HIST_NAMES)},
    }


def _reporter(name: str):
    def report(model: AgentBrandModel) -> float:
        return model.measures[name]

    report.__name__ = name
    return report
