"""The weekly rules one customer at a time: a per-agent Mesa version of BrandModel, for teaching.

``BrandModel`` (sim/engine/model.py) keeps every customer's state in numpy arrays and runs a week as
one compiled loop per rule over them (sim/engine/jit.py). That is fast, but the rules are spread
over
array code. This module states the *same* rules the way Mesa's own examples are written (see
``mesa/examples/basic/virus_on_network``): one :class:`Customer` agent on each node of a
:class:`mesa.discrete_space.Network`, with methods that read like the model description::

    customer.see_ads(k)        # push: k impressions this week
    customer.hold_conversation(target)
    customer.step()            # word of mouth: maybe tell random neighbours
    customer.advance()         # weigh what was heard this week, maybe buy, use the product

Read it to learn what the model does; use :class:`BrandModel` to run it. It is two to three
orders of magnitude slower (docs/performance.md, "Against per-agent Mesa"), which is the point of
the benchmark that times both. ``tests/test_agentbased.py`` checks that the two give the same
results in distribution (replicate means) on small networks, so the comparison is between the
same model.

Same rules, same order within the week (docs/model.md): crisis, push, dialogue, word of mouth,
adoption and experience, advocacy decay. Same synchronous conventions: only customers aware at
the start of the week talk, and every message of one week's word of mouth is judged against the
listener's attitude at the start of the talk step (:meth:`Customer.listen`). The random numbers
differ (Python's ``random`` through ``self.random``, one draw at a time), so results agree in
distribution, not bit for bit. Tie weights are ignored (all the generated networks are
unweighted).
"""

from __future__ import annotations

import math
from typing import Any

import mesa
from mesa.discrete_space import FixedAgent
from mesa.discrete_space import Network as NetworkSpace

from sim.network.convert import to_networkx
from sim.network.graph import Network
from sim.params import ModelParams, make_params


def _pull(attitude: float, message: float, strength: float, epsilon: float | None) -> float:
    """The influence rule: ``a += c * mu * (m - a)`` when ``|m - a| < epsilon``."""
    if epsilon is not None and abs(message - attitude) >= epsilon:
        return attitude
    return attitude + strength * (message - attitude)


class Customer(FixedAgent):
    """One customer: what they know and feel about the brand, and how they act on it."""

    def __init__(self, model: AgentBrandModel, cell, attitude: float):
        super().__init__(model)
        self.cell = cell
        self.aware = False
        self.attitude = attitude
        self.adopted = False
        self.adstock = 0.0  # remembered ad pressure, in exposures
        self.irritated = False
        self.advocacy = 0.0  # boost to talking after a conversation with the brand
        self.heard_via = None  # "ad", "wom", "dialogue" or "before"
        self.aware_at_start = False
        self.inbox: list[tuple[float, float]] = []  # (message, strength) heard this week

    # --------------------------------------------------------------- helpers
    @property
    def p(self) -> ModelParams:
        return self.model.params

    def hear_of_brand(self, channel: str) -> None:
        if not self.aware:
            self.aware = True
            self.heard_via = channel

    def neighbours(self) -> list[Customer]:
        return list(self.cell.neighborhood.agents)

    # ------------------------------------------------------------------ push
    def see_ads(self, exposures: int) -> None:
        """``exposures`` ad impressions this week (adstock has already decayed)."""
        push = self.p.push
        self.adstock += exposures
        self.hear_of_brand("ad")
        if not self.p.attitudes:
            return
        # Wear-in up to the effective frequency, wear-out above it, reactance past irritation.
        if self.adstock <= push.effective_frequency:
            weight = self.adstock / push.effective_frequency
        else:
            weight = (push.irritation_threshold - self.adstock) / (
                push.irritation_threshold - push.effective_frequency
            )
        weight = max(-1.0, min(1.0, weight))
        strength = push.credibility * push.mu * abs(weight)
        if weight >= 0:  # each exposure pulls toward the claim, inside the confidence bound
            if abs(push.claim - self.attitude) < push.epsilon:
                for _ in range(exposures):
                    self.attitude = _pull(self.attitude, push.claim, strength, None)
        else:  # reactance: pushed toward the opposite of the claim, no confidence bound
            for _ in range(exposures):
                self.attitude = _pull(self.attitude, -push.claim, strength, None)

    def maybe_complain(self) -> bool:
        """Irritated customers complain to a friend with ``complaint_prob`` (this week)."""
        self.irritated = self.adstock > self.p.push.irritation_threshold
        return self.irritated and self.random.random() < self.p.push.complaint_prob

    # -------------------------------------------------------------- dialogue
    def hold_conversation(self, target: float) -> None:
        """The brand talks with this customer, arguing for ``target``."""
        dialogue = self.p.dialogue
        self.hear_of_brand("dialogue")
        self.advocacy = max(self.advocacy, dialogue.advocacy_boost)
        if self.p.attitudes:
            strength = dialogue.credibility * dialogue.mu
            self.attitude = _pull(self.attitude, target, strength, dialogue.epsilon)

    # ---------------------------------------------------------- word of mouth
    def talk_probability(self) -> float:
        wom = self.p.wom
        if not self.p.attitudes:
            return wom.talk_base
        p = (
            wom.talk_base
            + wom.talk_feeling * abs(self.attitude)
            + wom.talk_advocacy * self.advocacy
        )
        if self.attitude < 0:
            p *= wom.negative_incidence
        return min(1.0, max(0.0, p))

    def step(self) -> None:
        """Word of mouth, first half: maybe talk (everyone talks before anyone listens)."""
        self.talk()

    def advance(self) -> None:
        """Second half of the week: weigh what I heard, maybe buy, use, let advocacy fade."""
        self.listen()
        self.consider_buying()
        self.use_product()
        self.advocacy *= self.model.advocacy_decay

    def talk(self) -> None:
        """Maybe tell ``listeners`` random neighbours what I think (only if aware last week)."""
        if not self.aware_at_start or not self.cell.connections:
            return
        if self.random.random() < self.talk_probability():
            message = self.attitude if self.p.attitudes else 0.0
            self.say(message)

    def say(self, message: float) -> None:
        """One talk: reaches random neighbours; it is public (a mention) with ``public_share``."""
        wom, model = self.p.wom, self.model
        mu = min(1.0, wom.mu * wom.negative_impact) if message < 0 else wom.mu
        for _ in range(wom.listeners):
            listener = self.cell.neighborhood.select_random_agent()
            listener.inbox.append((message, wom.credibility * mu))
        model.talks.append((self, message < 0))
        if self.random.random() < wom.public_share:
            model.mentions_now.append((self, message < 0))

    def listen(self) -> None:
        """Weigh this week's messages together, each against my attitude before any of them.

        Messages inside the confidence bound pull with their strengths; when the strengths add
        up to more than 1 they are scaled down to 1, so the result is a weighted average.
        """
        if not self.inbox:
            return
        self.hear_of_brand("wom")
        if self.p.attitudes:
            self.attitude = _combine(self.attitude, self.inbox, self.p.wom.epsilon)
        self.inbox = []

    # ------------------------------------------------------ adoption, experience
    def consider_buying(self) -> None:
        adoption = self.p.adoption
        draw = self.random.random()  # drawn by everyone, like the engine's common numbers
        if self.aware and not self.adopted:
            a = self.attitude if self.p.attitudes else 0.0
            if adoption.base_rate <= 0:
                chance = 0.0
            elif adoption.base_rate >= 1:
                chance = 1.0
            else:
                log_odds = math.log(adoption.base_rate / (1 - adoption.base_rate))
                chance = 1.0 / (1.0 + math.exp(-(log_odds + adoption.attitude_slope * a)))
            if draw < chance:
                self.adopted = True
                self.model.new_adopters += 1

    def use_product(self) -> None:
        """Adopters' attitudes move toward what the product really is."""
        if self.adopted and self.p.attitudes:
            rate = self.p.product.experience_rate
            self.attitude += rate * (self.model.product_fit - self.attitude)


def _combine(attitude: float, messages: list[tuple[float, float]], epsilon: float) -> float:
    total_strength = total_pull = 0.0
    for message, strength in messages:
        if abs(message - attitude) < epsilon:
            total_strength += strength
            total_pull += strength * message
    if total_strength == 0:
        return attitude
    scale = 1.0 / max(total_strength, 1.0)
    return attitude + scale * (total_pull - total_strength * attitude)


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
        if network is None:
            from sim.engine.model import build_network_for

            network = build_network_for(p, int(self._seed))
        self.network = network
        # layout=None: no spring layout (minutes at 100,000 nodes); positions are not needed.
        self.grid = NetworkSpace(to_networkx(network), capacity=1, random=self.random, layout=None)
        self.n = network.n
        self.week = 0
        self.product_fit = p.product.fit
        self.conversations_total = 0
        self.spend_total = 0.0
        self.carry = (0.0, 0.0)  # money below one impression / conversation
        self.mentions: list[tuple[Customer, bool]] = []  # heard by the brand next week
        self.mentions_now: list[tuple[Customer, bool]] = []
        self.talks: list[tuple[Customer, bool]] = []
        self.week_counts: dict[str, int] = {}
        self.new_adopters = 0
        self.advocacy_decay = 0.5 ** (1.0 / p.dialogue.advocacy_half_life)

        pop = p.population
        for node in range(self.n):
            spread = (self.random.random() * 2 - 1) * pop.attitude_spread
            attitude = min(1.0, max(-1.0, pop.initial_attitude + spread)) if p.attitudes else 0.0
            customer = Customer(self, self.grid._cells[node], attitude)
            if self.random.random() < pop.initial_awareness:
                customer.hear_of_brand("before")
        self.customers: list[Customer] = [self.grid._cells[i].agents[0] for i in range(self.n)]
        degree = [len(c.cell.connections) for c in self.customers]
        # Outreach "hubs": most connected first, ties broken by customer number.
        self.hub_order = sorted(range(self.n), key=lambda i: -degree[i])
        self.hub_cursor = 0
        self.group_names = network.group_names
        self.group = network.groups.tolist()
        target = p.arm.target_group
        self.targets = (
            self.customers
            if target is None
            else [
                c
                for c, g in zip(self.customers, self.group, strict=True)
                if self.group_names[g] == target
            ]
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "awareness": lambda m: sum(c.aware for c in m.customers) / m.n,
                "adoption": lambda m: sum(c.adopted for c in m.customers) / m.n,
                "mean_attitude": _mean_attitude,
                "net_sentiment": _net_sentiment,
                "wom_positive": lambda m: m.week_counts.get("wom_positive", 0) * 1000 / m.n,
                "wom_negative": lambda m: m.week_counts.get("wom_negative", 0) * 1000 / m.n,
                "public_mentions": lambda m: len(m.mentions) * 1000 / m.n,
                "conversations": lambda m: m.week_counts.get("conversations", 0) * 1000 / m.n,
                "irritated": lambda m: sum(c.irritated for c in m.customers) / m.n,
                "product_fit": lambda m: m.product_fit,
                "spend": lambda m: m.spend_total * 1000 / m.n,
            }
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ week
    def budgets(self) -> tuple[float, float]:
        """This week's push and dialogue money, plus last week's leftover below one unit."""
        arm = self.params.arm
        active = self.week >= arm.start_week and (arm.end_week is None or self.week <= arm.end_week)
        if not active:
            self.carry = (0.0, 0.0)
            return 0.0, 0.0
        total = arm.budget * self.n / 1000.0
        push = total * arm.push_share + self.carry[0]
        dialogue = total * (1.0 - arm.push_share) + self.carry[1]
        push_cost = self.params.push.cost_per_impression
        talk_cost = self.params.dialogue.cost_per_conversation
        self.carry = (
            push - math.floor(push / push_cost + 1e-9) * push_cost,
            dialogue - math.floor(dialogue / talk_cost + 1e-9) * talk_cost,
        )
        return push, dialogue

    def step(self) -> None:
        self.week += 1
        self.week_counts = {}
        self.crisis()
        for customer in self.customers:
            customer.aware_at_start = customer.aware
        push_budget, dialogue_budget = self.budgets()
        complainers = self.run_push(push_budget)
        self.run_dialogue(dialogue_budget)
        # Word of mouth: everyone who heard of the brand before this week may talk; complainers
        # voice their irritation; then every listener weighs what they heard.
        # Then each customer weighs what they heard, maybe buys, and uses the product
        # (Mesa's staged activation: every step() before any advance()).
        self.talks, self.mentions_now = [], []
        self.agents.shuffle_do("step")
        for customer in complainers:
            if customer.cell.connections:
                customer.say(self.params.push.complaint_position)
        self.new_adopters = 0
        self.agents.do("advance")
        self.mentions = self.mentions_now
        negative = sum(1 for _, is_negative in self.talks if is_negative)
        self.week_counts["wom_negative"] = negative
        self.week_counts["wom_positive"] = len(self.talks) - negative
        self.datacollector.collect(self)

    def crisis(self) -> None:
        crisis = self.params.crisis
        if crisis.week != self.week:
            return
        for customer in self.customers:
            if self.random.random() < crisis.share:
                if self.params.attitudes:
                    customer.attitude = crisis.attitude
                customer.hear_of_brand("before")

    def run_push(self, budget: float) -> list[Customer]:
        """Buy impressions, deliver each to a random target customer; return the complainers."""
        push = self.params.push
        decay = 0.5 ** (1.0 / push.half_life)
        for customer in self.customers:
            customer.adstock *= decay
        impressions = int(math.floor(budget / push.cost_per_impression + 1e-9)) if budget > 0 else 0
        if impressions and self.targets:
            exposures: dict[Customer, int] = {}
            for _ in range(impressions):
                customer = self.random.choice(self.targets)
                exposures[customer] = exposures.get(customer, 0) + 1
            for customer, count in exposures.items():
                customer.see_ads(count)
            self.spend_total += impressions * push.cost_per_impression
        return [c for c in self.customers if c.maybe_complain()]

    def run_dialogue(self, budget: float) -> None:
        """Answer heard mentions (complaints first), then reach out with the spare capacity."""
        dialogue = self.params.dialogue
        capacity = int(math.floor(budget / dialogue.cost_per_conversation + 1e-9)) if budget else 0
        if capacity == 0:
            self.week_counts["conversations"] = 0
            return
        heard = [m for m in self.mentions if self.random.random() < dialogue.listening_share]
        self.random.shuffle(heard)
        heard.sort(key=lambda mention: not mention[1])  # complaints first (stable)
        answered: list[tuple[Customer, bool]] = []
        seen = set()
        for customer, negative in heard:
            if customer not in seen and len(answered) < capacity:
                seen.add(customer)
                answered.append((customer, negative))
        spare = capacity - len(answered)
        outreach = self.params.arm.outreach
        if outreach == "random" and spare > 0:
            reached = self.random.sample(self.customers, min(spare, self.n))
        elif outreach == "hubs" and spare > 0:
            reached = [
                self.customers[self.hub_order[(self.hub_cursor + i) % self.n]]
                for i in range(min(spare, self.n))
            ]
            self.hub_cursor = (self.hub_cursor + spare) % self.n
        else:
            reached = []
        target = min(dialogue.claim, self.product_fit + dialogue.honesty_margin)
        talked = [c for c, _ in answered] + reached
        for customer in dict.fromkeys(talked):  # a customer reached twice is pulled once
            customer.hold_conversation(target)
        if self.params.attitudes:
            # Aware neighbours who see a complaint answered shift slightly toward the brand.
            strength = dialogue.credibility * dialogue.observer_mu
            observers: dict[Customer, list[tuple[float, float]]] = {}
            for complainer, negative in answered:
                if negative:
                    for neighbour in complainer.neighbours():
                        if neighbour.aware:
                            observers.setdefault(neighbour, []).append((target, strength))
            for observer, messages in observers.items():
                observer.attitude = _combine(observer.attitude, messages, dialogue.epsilon)
        self.week_counts["conversations"] = len(talked)
        self.spend_total += len(talked) * dialogue.cost_per_conversation
        # Learning: each conversation brings product fit closer to its ceiling.
        product = self.params.product
        self.conversations_total += len(talked)
        if product.fit_ceiling > product.fit:
            per_1000 = self.conversations_total * 1000.0 / self.n
            remaining = 0.5 ** (per_1000 / product.learning_half)
            self.product_fit = product.fit_ceiling - (product.fit_ceiling - product.fit) * remaining


def _aware_attitudes(model: AgentBrandModel) -> list[float]:
    return [c.attitude for c in model.customers if c.aware]


def _mean_attitude(model: AgentBrandModel) -> float:
    values = _aware_attitudes(model)
    return sum(values) / len(values) if values else float("nan")


def _net_sentiment(model: AgentBrandModel) -> float:
    values = _aware_attitudes(model)
    if not values:
        return 0.0
    return (sum(a > 0.5 for a in values) - sum(a < -0.5 for a in values)) / len(values)
