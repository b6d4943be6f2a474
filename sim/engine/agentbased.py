"""The weekly rules one customer at a time: a per-agent Mesa version of BrandModel, for teaching.

Why one module of over 600 lines: it is written to be read top to bottom, every rule of the
engine restated agent by agent in the engine's order (the customer's side, then the brand's);
split by rule it would lose the one thing it is for. It restates the rules instead of calling
the engine's kernels (it shares only the media plan and the money and media measures), so that
``tests/test_agentbased.py`` compares two statements of the model.

``BrandModel`` (sim/engine/model.py) keeps every customer's state in numpy arrays and runs a week as
one compiled loop per rule over them (sim/engine/jit.py). That is fast, but the rules are spread
over array code. This module states the *same* rules the way Mesa's own examples are written (see
``mesa/examples/basic/virus_on_network``): one :class:`Customer` agent on each node of a
:class:`mesa.discrete_space.Network`, with methods that read like the model description::

    customer.week_of_ads(k)        # push: k impressions this week (0: the ad pressure fades)
    customer.hold_conversation(t)  # dialogue: the brand argues for t
    customer.wants_to_talk()       # word of mouth: does an aware customer talk this week?
    customer.receive(message, strength, story)   # hear or read a talk, a post or a story
    customer.advance()             # weigh what was heard, maybe try the brand, use it, shop,
                                   # then remember (or forget)

and the brand's side as methods of the model (``run_push``, ``run_dialogue``,
``word_of_mouth``). Read it to learn what the model does; use :class:`BrandModel` to run it. It
is much slower (docs/performance.md, "Against per-agent Mesa"), which is the point of the
benchmark that times both. ``tests/test_agentbased.py`` checks that the two give the same
results in distribution (replicate means of the weekly measures) on small networks, so the
comparison is between the same model.

A week, in the engine's order (sim/engine/model.py):

0. crisis news, in the crisis week;
1. push: impressions over the media audience, adstock, wear-out, reactance, complaints; a
   customer who saw an ad may take its story away;
2. dialogue: answer last week's heard public mentions (complaints first), then outreach; the
   readers of an answered complaint see the answer; answered complainers get service-recovery
   loyalty; a conversation may give the customer a story; learning (when switched on);
3. word of mouth: customers aware at the start of the week talk (more after an ad), irritated
   customers complain, holders of last week's stories retell them; a public talk is read by
   some of the speaker's ties and by a few random customers of the category; aware customers
   of the category may look at the brand's visible rating;
4. second half of each customer's week (:meth:`Customer.advance`): weigh the week's word of
   mouth, try the brand (aware customers of the category), use it (attitude toward the
   experienced fit; a trial may give a story), shop at a purchase occasion (with repeat
   purchases), anchoring and forgetting, advocacy and loyalty decay.

Same synchronous conventions as the engine: only customers aware at the start of the week
(after the crisis) talk, and every message of one step (the dialogue step; the word-of-mouth
step) is judged against the receiver's attitude at the start of that step (:func:`combine`).
Messages are buffered in each customer's inbox, so the order in which customers act within a
step does not matter, and the model calls them in a fixed order (a plain loop over
``self.customers``, not ``shuffle_do``).

The random numbers differ from the engine's (drawn when needed, with no common random numbers
between arms), so results agree with the engine in distribution, not bit for bit. They come from
the two seeded generators every Mesa model has: one draw at a time from its ``random.Random``
(``model.uniform``, a number in [0, 1)), and the week's impressions all at once from its numpy
generator ``model.rng``. Talk reaches neighbours by tie weight when the network has weights.

Written the way a careful Mesa user would write it, since it is also the speed baseline of the
engine (issue #24; docs/performance.md): the week's impressions are drawn in one numpy call
(``rng.choice`` by media share) and counted per customer with ``np.bincount``, not one Python
``bisect`` per impression; the generator's ``random`` is bound once, in the model and in each
customer, as ``uniform`` (Mesa's ``Agent.random`` is a property that fetches ``model.random`` on
every draw); the second half of the week is a plain loop calling :meth:`Customer.advance`,
which tries, uses and remembers inline (``AgentSet.do`` and three more method calls per
customer-week cost more than the rules); counts the measures need that change only when
something happens (first channel, triers, story reach) are kept as it happens. Each customer
keeps a list of its neighbours (``cell.neighborhood.select_random_agent()`` rebuilds the
neighbourhood's agent list on every call, about 2.4 us), k exposures act through the closed form
``m - (m - a) * (1 - s) ** k`` rather than k pulls, and the parameters and the numbers derived
from them (decay factors, strengths, log-odds) are copied once into plain attributes (a pydantic
section read through a property in a hot loop cost up to 780 ns a call). What stays is each
customer's decisions in per-agent Python, which is the point: vectorised, it would be the
engine.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import mesa
import numpy as np
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
from sim.params import ModelParams, make_params

STORY_KINDS = ("ad", "dialogue", "experience")


@dataclass(frozen=True)
class Story:
    """A story worth retelling: its cascade number, where it started ("ad", "dialogue" or
    "experience") and the position it carries (attitude, in [-1, 1])."""

    id: int
    kind: str
    message: float


@dataclass
class Talk:
    """One talk of a week: who speaks, the position voiced (attitude), the story it retells
    (None: none), and, when it is public, who read it."""

    speaker: Customer
    message: float
    story: Story | None = None
    readers: list[Customer] = field(default_factory=list)

    @property
    def negative(self) -> bool:
        return self.message < 0


class Customer(FixedAgent):
    """One customer: what they know and feel about the brand, and how they act on it.

    Attributes
    ----------
    group : int
        The customer's group in the network (index into the model's ``group_names``).
    aware, heard : bool
        Remembers the brand now; has ever heard of it (``aware`` can be forgotten, ``heard`` not;
        ``heard`` is read from ``heard_via``).
    heard_via : str or None
        First channel: "ad", "wom", "dialogue" or "before" (aware at week 0, or the crisis news).
    attitude, predisposition : float
        Brand perception in [-1, 1] now, and at week 0 (the customer stays anchored to it).
    in_market : bool
        Buys in the category at all (drawn once, with ``market.potential``).
    adopted : bool
        Has tried (bought) the brand at least once (never reverts).
    customer : bool
        Bought the brand at their last purchase (a customer of the brand now); with one-off
        adoption the same as ``adopted``.
    adstock : float
        Remembered ad pressure, in exposures.
    exposed, irritated : bool
        Saw at least one ad this week; adstock above this customer's irritation threshold.
    advocacy : float
        Boost to talking after a conversation with the brand, in [0, 1].
    loyalty : float
        Service recovery after an answered complaint (attitude units): added to the attitude
        (capped at 1) when choosing at a purchase occasion; decays every week.
    reminded : bool
        Met an ad, a talk (spoken, heard or read), the rating or a conversation this week.
    taste : float
        The customer experiences the product at ``fit + taste`` (attitude units).
    effective_frequency, irritation_threshold : float
        The push values times this customer's ad tolerance (exposures).
    anchoring : float
        Weekly weight of the predisposition in the attitude, in [0, 1].
    story : Story or None
        The story the customer holds to retell; ``story_ready`` is False in the week it was
        received (it is retold in the week after, once, or never).
    last_story : int
        The last story the customer held (started or received; -1: none yet). Stories are
        numbered as they start; a retold story is taken up only by a customer who holds none
        and whose last story is older, so nobody takes one story twice.
    neighbours : list of Customer
        The customers at the other end of this customer's ties (filled once, at setup), and
        ``tie_weights``, their cumulative tie weights (None: all ties equal).
    inbox : list of (message, strength)
        Messages of the current step, weighed together in :meth:`weigh`.
    uniform : callable
        The model's generator (``model.uniform``): ``self.uniform()`` is a number in [0, 1).

    Notes
    -----
    With the four Mesa sets (``model``, ``unique_id``, ``pos`` and the cell) these make 29
    attributes, the most CPython 3.12 keeps in an object's fast layout: a 30th makes every
    attribute read slower (measured: the whole week 1.3x slower). A new per-customer value
    therefore replaces one or is computed (as ``heard`` is); ``tests/test_agentbased.py``
    counts them.
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
        # The model's one generator, looked up once (Mesa's ``Agent.random`` is a property that
        # fetches ``self.model.random`` on every draw).
        self.uniform = model.uniform
        self.cell = cell
        self.group = group
        self.neighbours: list[Customer] = []
        self.tie_weights: list[float] | None = None
        self.aware = self.adopted = self.customer = False
        self.exposed = self.irritated = self.reminded = False
        self.in_market = True
        self.heard_via: str | None = None
        self.attitude = self.predisposition = attitude
        self.adstock = self.advocacy = self.loyalty = 0.0
        self.taste = taste
        self.effective_frequency = model.push.effective_frequency * tolerance
        self.irritation_threshold = model.push.irritation_threshold * tolerance
        self.anchoring = anchoring
        self.story: Story | None = None
        self.story_ready = False
        self.last_story = -1
        self.inbox: list[tuple[float, float]] = []

    @property
    def heard(self) -> bool:
        """Has ever heard of the brand (it has a first channel)."""
        return self.heard_via is not None

    def hear_of_brand(self, channel: str) -> None:
        """Become aware (again) and reminded; remember the channel if it is the first."""
        if self.heard_via is None:
            self.heard_via = channel
            self.model.first_heard[channel] += 1
        self.aware = self.reminded = True

    def weigh(self, epsilon: float) -> None:
        """Weigh this step's messages together, each against my attitude before any of them
        (``epsilon``: the step's confidence bound)."""
        self.attitude = combine(self.attitude, self.inbox, epsilon)
        self.inbox.clear()

    # ------------------------------------------------------------------ push
    def week_of_ads(self, exposures: int) -> None:
        """This week's ``exposures`` impressions (0: none): adstock, irritation, persuasion."""
        push = self.model.push
        self.adstock = self.adstock * push.decay + exposures
        self.irritated = self.adstock > self.irritation_threshold
        self.exposed = exposures > 0
        if not self.exposed:
            return
        self.hear_of_brand("ad")
        if not self.model.attitudes:
            return
        weight = exposure_weight(
            self.adstock, self.effective_frequency, self.irritation_threshold, push.reactance
        )
        if weight >= 0:  # toward the claim, inside the confidence bound
            if abs(push.claim - self.attitude) < push.epsilon:
                self.attitude = pull(self.attitude, push.claim, push.strength * weight, exposures)
        else:  # reactance: toward the opposite of the claim, no confidence bound
            self.attitude = pull(self.attitude, -push.claim, push.strength * -weight, exposures)

    # --------------------------------------------------------------- stories
    def maybe_start_story(self, kind: str, message: float, share: float) -> None:
        """With probability ``share``, take a new story of ``kind`` carrying ``message`` away
        (only a customer who holds no story can); it is retold from next week."""
        if self.story is None and share > 0 and self.uniform() < share:
            model = self.model
            self.take_story(Story(len(model.cascades), kind, message))
            model.cascades.append(1)
            model.stories_started += 1

    # -------------------------------------------------------------- dialogue
    def hold_conversation(self, target: float) -> None:
        """The brand talks with this customer, arguing for ``target`` (weighed with the
        step's other messages by the model)."""
        self.hear_of_brand("dialogue")
        self.advocacy = max(self.advocacy, self.model.dialogue.advocacy_boost)
        if self.model.attitudes:
            self.inbox.append((target, self.model.dialogue.strength))

    # ---------------------------------------------------------- word of mouth
    def wants_to_talk(self) -> bool:
        """Whether I talk about the brand this week (asked of customers aware at the start of
        the week who have ties): ``talk_base`` (plus ``push.talk_lift`` after an ad this week)
        ``+ talk_feeling * |a| + talk_advocacy * advocacy``, times ``negative_incidence`` when
        my attitude is negative."""
        wom, a = self.model.wom, self.attitude
        p = wom.talk_base + wom.talk_feeling * abs(a) + wom.talk_advocacy * self.advocacy
        if self.exposed:
            p += wom.talk_lift
        if a < 0:
            p *= wom.negative_incidence
        return self.uniform() < p

    def retell(self) -> Story | None:
        """The story I retell this week (None: none). A story received in an earlier week is
        retold with its kind's probability, if I have ties, and is spent either way."""
        if self.story is None or not self.story_ready:
            return None
        story, self.story = self.story, None
        if self.neighbours and self.uniform() < self.model.retell[story.kind]:
            return story
        return None

    def listeners(self) -> list[Customer]:
        """The ``wom.listeners`` neighbours one talk of mine reaches (with replacement, by tie
        weight when the network has weights)."""
        neighbours, k = self.neighbours, self.model.wom.listeners
        if self.tie_weights is None:
            return [neighbours[int(self.uniform() * len(neighbours))] for _ in range(k)]
        return self.model.random.choices(neighbours, cum_weights=self.tie_weights, k=k)

    def receive(self, message: float, strength: float, story: Story | None) -> None:
        """I hear or read a talk: the brand is on my mind (first heard via word of mouth), the
        message waits in my inbox, and a retold story becomes mine if I hold none and it started
        after every story I held (story ids count up as stories start)."""
        self.hear_of_brand("wom")
        if self.model.attitudes:
            self.inbox.append((message, strength))
        if story is not None and self.story is None and story.id > self.last_story:
            self.take_story(story)
            self.model.cascades[story.id] += 1

    def take_story(self, story: Story) -> None:
        """Hold ``story`` to retell it next week."""
        if self.last_story < 0:
            self.model.story_reach += 1  # my first story
        self.story, self.story_ready, self.last_story = story, False, story.id

    # ------------------------------------------------ second half of the week
    def advance(self) -> None:
        """Weigh what I heard and read, maybe try the brand, use it, shop, then remember (or
        forget); advocacy and loyalty fade; a story received this week is ready to retell."""
        model = self.model
        if self.inbox:
            self.weigh(model.wom.epsilon)
        # Trial: aware customers of the category who have not tried the brand try it with the
        # logistic probability of their attitude.
        tried_before, tried_now = self.adopted, False
        if self.aware and self.in_market and not tried_before:
            adoption = model.adoption
            if self.uniform() < logistic(adoption.log_odds + adoption.slope * self.attitude):
                self.adopted = self.customer = tried_now = True
                model.new_adopters += 1
                model.adopters += 1
        # Use: a customer of the brand moves toward the fit they experience,
        # clip(fit + taste, -1, 1).
        if self.customer and model.attitudes and model.product.experience_rate > 0:
            experienced = min(1.0, max(-1.0, model.product_fit + self.taste))
            self.attitude += model.product.experience_rate * (experienced - self.attitude)
        if tried_now:
            model.units += 1  # the trial is this week's purchase (one unit of the category)
            model.category_units += 1
            experienced = min(1.0, max(-1.0, model.product_fit + self.taste))
            self.maybe_start_story("experience", experienced, model.stories.experience_share)
        elif model.occasion > 0 and self.in_market and self.uniform() < model.occasion:
            self.shop(tried_before)
        # Memory: anchoring to my predisposition (Friedkin-Johnsen); then, if I am aware, not a
        # customer of the brand now and was not reminded this week, maybe I forget the brand.
        if model.attitudes:
            self.attitude += self.anchoring * (self.predisposition - self.attitude)
        if self.reminded:
            self.reminded = False
        elif self.aware and not self.customer and self.uniform() < model.forget:
            self.aware = False
            model.forgot += 1
        self.advocacy *= model.advocacy_decay
        self.loyalty *= model.loyalty_decay
        if self.story is not None:
            self.story_ready = True

    def shop(self, tried_before: bool) -> None:
        """Repeat purchases (a customer of the category has a purchase occasion in a week with
        probability ``h``; :meth:`advance` draws it): at one I buy the brand or the alternative.
        Never tried it, or forgotten it: the alternative. Otherwise the brand with
        ``1 / (1 + exp(-slope * (min(a + loyalty, 1) - c)))``. Choosing the alternative lapses
        a customer of the brand; choosing the brand brings a lapsed one back."""
        model = self.model
        market = model.market
        chooses_brand = False
        if tried_before and self.aware:
            utility = min(self.attitude + self.loyalty, 1.0) - model.attractiveness
            chooses_brand = self.uniform() < logistic(market.choice_slope * utility)
        model.category_units += 1
        if chooses_brand:
            model.units += 1
            model.returned += not self.customer
        else:
            model.lapsed += self.customer
        self.customer = chooses_brand


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


class Section:
    """A parameter section's values as plain attributes (a plain class: reading an attribute of
    a ``types.SimpleNamespace`` took about twice as long, and the rules read these for every
    customer every week)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def plain(section, **extra: Any) -> Section:
    """A parameter section as plain attributes (read in hot loops), plus derived numbers."""
    return Section(section.model_dump() | extra)


class VisibleRating:
    """The brand's visible rating: the public mentions so far, each weighing 1 when posted and
    half as much every ``public.rating_half_life`` weeks; a complaint the brand answered weighs
    ``public.answered_weight`` of that. The rating is ``(positive - negative) / (positive +
    negative)`` of the visible weights, on the attitude scale (None while nothing is visible)."""

    def __init__(self, public, n: int) -> None:
        self.decay = 0.5 ** (1.0 / public.rating_half_life)
        self.answered_weight = public.answered_weight
        self.volume_half = public.rating_volume_half
        self.n = n
        self.positive = self.negative = 0.0

    def new_week(self) -> None:
        """A week passes: every mention weighs less."""
        self.positive *= self.decay
        self.negative *= self.decay

    def answer(self, complaints: int) -> None:
        """``complaints`` of last week's complaints were answered this week (each weighs
        ``decay`` now): they weigh ``answered_weight`` of that instead."""
        self.negative = max(
            0.0, self.negative - complaints * self.decay * (1 - self.answered_weight)
        )

    def post(self, positive: int, negative: int) -> None:
        """This week's public mentions become visible."""
        self.positive += positive
        self.negative += negative

    def position(self) -> float | None:
        visible = self.positive + self.negative
        return (self.positive - self.negative) / visible if visible > 0 else None

    def strength(self, credibility: float, mu: float) -> float:
        """How strongly reading the rating pulls: ``c * mu * V / (V + rating_volume_half)``
        with ``V`` the visible weight per 1,000 customers (few reviews say little)."""
        volume = (self.positive + self.negative) * 1000.0 / self.n
        return credibility * mu * volume / (volume + self.volume_half) if volume > 0 else 0.0


class AgentBrandModel(mesa.Model):
    """The per-agent (one :class:`Customer` per network node) version of ``BrandModel``.

    Parameters
    ----------
    params : ModelParams or dict, optional
        The same parameters as ``BrandModel`` (sections may also be given as keywords).
    network : sim.network.graph.Network, optional
        The customers' network; built from ``params.network`` and the seed when omitted
        (exactly as ``BrandModel`` builds it).
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
        # Random numbers from Mesa's two seeded generators: one draw at a time from
        # ``self.random``, whose ``random`` is bound once, here and in every customer, as
        # ``uniform()`` (a number in [0, 1)); many at once (the week's impressions, the media
        # weights) from the numpy generator ``self.rng``.
        self.uniform = uniform = self.random.random
        # Counts kept as things happen (read by the measures, so they need no pass over the
        # customers): customers by the channel they first heard of the brand through, those who
        # have tried it, those who have ever held a story.
        self.first_heard: Counter[str] = Counter()
        self.adopters = self.story_reach = 0
        if network is not None and not isinstance(network, Network):
            sections["network"] = network  # the network *section*, as BrandModel accepts
            network = None
        self.params = p = make_params(params, **sections)
        if network is None:
            from sim.engine.run_network import build_network_for

            network = build_network_for(p, int(self._seed))
        self.network = network
        self.n = network.n
        self._copy_parameters(p)
        # layout=None: no spring layout (minutes at 100,000 nodes); positions are not needed.
        self.grid = NetworkSpace(to_networkx(network), capacity=1, random=self.random, layout=None)

        pop = p.population
        groups = network.groups.tolist()
        for node in range(self.n):
            spread = (uniform() * 2 - 1) * pop.attitude_spread
            attitude = min(1.0, max(-1.0, pop.initial_attitude + spread)) if p.attitudes else 0.0
            customer = Customer(
                self,
                self.grid[node],
                group=groups[node],
                attitude=attitude,
                taste=self.random.gauss() * pop.taste_spread,
                tolerance=math.exp(self.random.gauss() * pop.tolerance_spread),
                anchoring=min(1.0, uniform() * 2 * pop.anchoring),
            )
            if uniform() < pop.initial_awareness:
                customer.hear_of_brand("before")
                customer.reminded = False
            customer.in_market = uniform() < p.market.potential
        self.customers: list[Customer] = [self.grid[node].agents[0] for node in range(self.n)]
        weights = network.weights
        for node, customer in enumerate(self.customers):
            ends = range(network.indptr[node], network.indptr[node + 1])
            customer.neighbours = [self.customers[network.indices[e]] for e in ends]
            if weights is not None:
                customer.tie_weights = list(accumulate(float(weights[e]) for e in ends))
        # Who reads reviews: customers in the category.
        self.browse_pool = [c for c in self.customers if c.in_market]

        # Push's audience: the reachable customers of the target group, each hit in proportion
        # to a gamma media weight (``audience_shares``, the weights over their sum; None:
        # equally likely).
        self.group_names = network.group_names
        self.group_sizes = Counter(c.group for c in self.customers)
        target = p.arm.target_group
        in_target = [target is None or self.group_names[c.group] == target for c in self.customers]
        self.audience = [
            c
            for c, inside in zip(self.customers, in_target, strict=True)
            if uniform() >= pop.unreachable_share and inside
        ]
        self.audience_shares = None
        if pop.media_shape is not None and self.audience:
            weights = self.rng.gamma(pop.media_shape, 1.0, size=len(self.audience))
            self.audience_shares = weights / weights.sum()
        self.outside_target = [
            c for c, inside in zip(self.customers, in_target, strict=True) if not inside
        ]
        # Outreach "hubs": most connected first, ties broken by customer number.
        self.hub_order = sorted(self.customers, key=lambda c: -len(c.neighbours))
        self.hub_cursor = 0

        self.week = 0
        self.product_fit = p.product.fit
        self.attractiveness = p.market.attractiveness(0)
        self.insights = [0]  # conversations held plus mentions heard, to date, by week
        self.spend_total = 0.0
        self.push_spend_total = 0.0  # of spend_total, on push
        self.impressions = self.reached = self.impressions_total = 0  # served (this week, to date)
        self.irritated = 0  # customers irritated by ads (counted by run_push)
        self.carry = (0.0, 0.0)  # money below one impression / conversation
        self.mentions: list[Talk] = []  # last week's public talks: the brand may hear them
        self.rating = VisibleRating(p.public, self.n)
        self.cascades: list[int] = []  # customers each story has reached (its start included)
        self.units_total = 0
        self.story_groups = self.groups_reached = 0  # reached stays reached
        self._reset_week_counts()
        self.talks: list[Talk] = []
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
        mu_negative = min(1.0, p.wom.mu * p.wom.negative_impact)
        self.wom = plain(
            p.wom,
            talk_feeling=p.wom.talk_feeling * on,
            talk_advocacy=p.wom.talk_advocacy * on,
            talk_lift=p.push.talk_lift * on,
            negative_incidence=p.wom.negative_incidence if p.attitudes else 1.0,
            strength=p.wom.credibility * p.wom.mu,
            strength_negative=p.wom.credibility * mu_negative,
            public_strength=p.public.credibility * p.wom.mu,
            public_strength_negative=p.public.credibility * mu_negative,
        )
        self.public = plain(p.public)
        self.stories = plain(p.stories)
        self.retell = {kind: getattr(p.stories, f"{kind}_retell") for kind in STORY_KINDS}
        self.adoption = plain(
            p.adoption,
            log_odds=log_odds(p.adoption.base_rate),
            slope=p.adoption.attitude_slope * on,
        )
        self.product = plain(p.product)
        self.learning = plain(p.learning)
        self.market = plain(p.market)
        rate = p.market.purchase_rate
        self.occasion = 0.0 if rate is None else 1.0 - math.exp(-rate)
        half_life = p.population.recall_half_life
        self.forget = 0.0 if half_life is None else 1.0 - 0.5 ** (1.0 / half_life)
        self.advocacy_decay = 0.5 ** (1.0 / p.dialogue.advocacy_half_life)
        self.loyalty_decay = 0.5 ** (1.0 / p.dialogue.recovery_half_life)

    def _reset_week_counts(self) -> None:
        """This week's counts (absolute numbers), read by the measures."""
        self.conversations = self.complaints_answered = self.forgot = 0
        self.new_adopters = self.units = self.category_units = self.lapsed = self.returned = 0
        self.stories_started = self.stories_retold = 0
        self.views = self.readers = self.rating_readers = 0

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
        second half of the week (listen, try, use, shop, remember), then the measures."""
        self.week += 1
        self.attractiveness = self.params.market.attractiveness(self.week)
        self._reset_week_counts()
        self.crisis()
        speakers = [c for c in self.customers if c.aware and c.neighbours]  # aware at the start
        push_budget, dialogue_budget = self.budgets()
        self.rating.new_week()
        complainers = self.run_push(push_budget)
        self.run_dialogue(dialogue_budget)
        self.word_of_mouth(speakers, complainers)
        for customer in self.customers:  # (a plain loop: AgentSet.do adds a call per agent)
            customer.advance()
        self.units_total += self.units
        self.measures = weekly_measures(self)
        self.datacollector.collect(self)

    def crisis(self) -> None:
        """In the crisis week a random share of customers hears bad news about the brand."""
        crisis = self.params.crisis
        if crisis.week != self.week:
            return
        for customer in self.customers:
            if self.uniform() < crisis.share:
                if self.attitudes:
                    customer.attitude = crisis.attitude
                customer.hear_of_brand("before")

    def run_push(self, budget: float) -> list[Customer]:
        """Buy impressions, deliver them over the audience (by media weight); a customer who saw
        an ad may take its story away. Returns the customers who complain this week."""
        push, uniform = self.push, self.uniform
        audience = self.audience
        impressions = whole_units(budget, push.cost_per_impression) if audience else 0
        # Where the week's impressions land, all drawn at once (numpy): each impression picks a
        # member of the audience with probability its media share; ``hits[i]`` counts the
        # impressions of ``audience[i]``.
        targets = self.rng.choice(len(audience), size=impressions, p=self.audience_shares)
        hits = np.bincount(targets, minlength=len(audience))
        cap = self.params.push.frequency_cap
        if cap is not None:  # impressions beyond the cap are not served and not paid
            np.minimum(hits, cap, out=hits)
        self.impressions = int(hits.sum())
        self.reached = int(np.count_nonzero(hits))
        self.impressions_total += self.impressions
        self.spend_total += self.impressions * push.cost_per_impression
        self.push_spend_total += self.impressions * push.cost_per_impression
        complainers = []
        ad_share = self.stories.ad_share
        self.irritated = 0  # (nobody outside the audience can be irritated)
        for customer, exposures in zip(audience, hits.tolist(), strict=True):  # only they see ads
            customer.week_of_ads(exposures)
            if exposures:
                customer.maybe_start_story("ad", push.claim, ad_share)
            if customer.irritated:
                self.irritated += 1
                if uniform() < push.complaint_prob:
                    complainers.append(customer)
        return complainers

    def run_dialogue(self, budget: float) -> None:
        """Answer last week's heard mentions (complaints first, one answer per customer), then
        reach out with the spare capacity. A conversation pulls toward the conversation target;
        the readers of an answered complaint see the answer and are pulled slightly; both are
        weighed together. Answered complainers get service-recovery loyalty, their complaints
        weigh less in the rating; a conversation may give a story; learn."""
        dialogue = self.dialogue
        capacity = whole_units(budget, dialogue.cost_per_conversation)
        heard = []
        if capacity:
            heard = [m for m in self.mentions if self.uniform() < dialogue.listening_share]
        self.random.shuffle(heard)
        heard.sort(key=lambda mention: not mention.negative)  # complaints first (stable)
        answered: dict[Customer, Talk] = {}  # one answer per customer
        for mention in heard:
            if len(answered) < capacity and mention.speaker not in answered:
                answered[mention.speaker] = mention
        reached = self.outreach(capacity - len(answered), answered)
        target = min(dialogue.claim, self.product_fit + dialogue.honesty_margin)
        talked = [*answered, *reached]
        for customer in talked:
            customer.hold_conversation(target)
        for complainer, mention in answered.items():
            if mention.negative:
                self.complaints_answered += 1
                complainer.loyalty = max(complainer.loyalty, dialogue.recovery_loyalty)
                for reader in mention.readers if self.attitudes else ():
                    reader.inbox.append((target, dialogue.observer_strength))
        for customer in self.customers:
            if customer.inbox:
                customer.weigh(dialogue.epsilon)
        self.rating.answer(self.complaints_answered)
        for customer in talked:
            customer.maybe_start_story("dialogue", target, self.stories.dialogue_share)
        self.conversations = len(talked)
        self.spend_total += len(talked) * dialogue.cost_per_conversation
        self.learn(len(talked) + len(heard))

    def outreach(self, spare: int, answered) -> list[Customer]:
        """Whom spare capacity talks with: random customers, or the next in the queue of the
        most connected ("hubs"; those passed over keep their place), never a customer answered
        this week."""
        outreach = self.params.arm.outreach
        if spare <= 0 or outreach == "none":
            return []
        if outreach == "random":
            others = [c for c in self.customers if c not in answered]
            return self.random.sample(others, min(spare, len(others)))
        reached, n = [], self.n
        for step in range(n):
            if len(reached) == spare:
                break
            customer = self.hub_order[(self.hub_cursor + step) % n]
            if customer not in answered:
                reached.append(customer)
                last = step
        if reached:
            # The queue moves on past the last customer reached (by all of ``spare`` when
            # nobody was passed over).
            moved = spare if not answered else last + 1
            self.hub_cursor = (self.hub_cursor + moved) % n
        return reached

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

    def word_of_mouth(self, speakers: list[Customer], complainers: list[Customer]) -> None:
        """One week of talk. ``speakers`` (aware at the start of the week, with ties) talk if
        they want to, voicing their attitude; ``complainers`` voice the complaint position (and
        are aware and reminded); holders of last week's stories retell them. Each talk reaches
        ``wom.listeners`` neighbours and is public with ``wom.public_share``: then it is read by
        each of the speaker's ties with ``public.follower_share`` (one draw per tie and week,
        whatever the speaker posts) and by ``public.browsers`` random customers of the
        category. Aware customers of the category look at the visible rating with
        ``public.rating_readers``. Everyone reached weighs it all in :meth:`Customer.advance`;
        the week's public talks become visible in the rating and heard by the brand next week."""
        wom, public, uniform = self.wom, self.public, self.uniform
        talks = [
            Talk(c, c.attitude if self.attitudes else 0.0) for c in speakers if c.wants_to_talk()
        ]
        for customer in complainers:
            customer.hear_of_brand("wom")  # complaining keeps the brand in mind
            if customer.neighbours:
                talks.append(Talk(customer, self.push.complaint_position))
        for customer in [c for c in self.customers if c.story is not None]:
            story = customer.retell()
            if story is not None:
                talks.append(Talk(customer, story.message, story))
                self.stories_retold += 1
        # The rating as it stands before this week's posts; who looks at it.
        rating = self.rating.position()
        rating_strength = 0.0
        if rating is not None and self.attitudes:
            rating_strength = self.rating.strength(public.credibility, wom.mu)
        lookers = []
        if rating_strength > 0:
            lookers = [
                c
                for c in self.customers
                if c.aware and c.in_market and uniform() < public.rating_readers
            ]
        followers: dict[Customer, list[Customer]] = {}  # drawn once per speaker and week
        mentions = []
        for talk in talks:
            if uniform() < wom.public_share:
                speaker = talk.speaker
                if speaker not in followers:
                    followers[speaker] = [
                        c for c in speaker.neighbours if uniform() < public.follower_share
                    ]
                talk.readers = followers[speaker] + (
                    self.random.choices(self.browse_pool, k=public.browsers)
                    if self.browse_pool
                    else []
                )
                mentions.append(talk)
        # Deliveries: first every talk's listeners, then every post's readers (a customer who
        # meets two new stories in one week takes the first), then the rating.
        for talk in talks:
            strength = wom.strength_negative if talk.negative else wom.strength
            for listener in talk.speaker.listeners():
                listener.receive(talk.message, strength, talk.story)
        for talk in mentions:
            strength = wom.public_strength_negative if talk.negative else wom.public_strength
            for reader in talk.readers:
                reader.receive(talk.message, strength, talk.story)
        for looker in lookers:
            looker.inbox.append((rating, rating_strength))
            looker.reminded = True
        for talk in talks:
            talk.speaker.reminded = True  # talking about the brand keeps it in mind
        self.talks, self.mentions = talks, mentions
        self.views = sum(len(m.readers) for m in mentions)
        self.readers = len({id(r) for m in mentions for r in m.readers})
        self.rating_readers = len(lookers)
        negative = sum(m.negative for m in mentions)
        self.rating.post(len(mentions) - negative, negative)


def whole_units(budget: float, unit_cost: float) -> int:
    """Impressions or conversations ``budget`` buys (whole units, as the engine rounds)."""
    return int(math.floor(budget / unit_cost + 1e-9)) if budget > 0 else 0


def leftover(budget: float, unit_cost: float) -> float:
    """Money (cu) left after buying whole units; carried over to next week."""
    return max(0.0, budget - whole_units(budget, unit_cost) * unit_cost)


def lifetime_value(attitude: float, model: AgentBrandModel) -> float:
    """Expected discounted margin of one customer of the brand at ``attitude`` (cu): margin
    ``m = unit_margin * h * P(a)`` a week, still a customer next week with ``r = 1 - h (1 -
    P(a))``, worth ``m r / (1 + d - r)`` (Gupta & Lehmann 2005; 0 without repeat purchases)."""
    h, money = model.occasion, model.params.money
    if h <= 0:
        return 0.0
    choice = logistic(model.market.choice_slope * (attitude - model.attractiveness))
    margin = money.unit_margin * h * choice
    retention = 1.0 - h * (1.0 - choice)
    return margin * retention / (1.0 + money.discount_rate - retention)


def weekly_measures(model: AgentBrandModel) -> dict[str, float]:
    """The engine's weekly measures (sim.engine.measures: same names, units and definitions)."""
    customers, n, per_1000 = model.customers, model.n, 1000.0 / model.n
    attitudes = np.sort(np.array([c.attitude for c in customers if c.aware], dtype=float))
    count = attitudes.size
    first_heard = model.first_heard
    heard = first_heard.total()
    negative = sum(t.negative for t in model.talks)
    rating = model.rating.position()
    out = {
        "awareness": count / n,
        "ever_aware": heard / n,
        "adoption": model.adopters / n,
        **attitude_measures(attitudes, model.params.measures),
        "wom_positive": (len(model.talks) - negative) * per_1000,
        "wom_negative": negative * per_1000,
        "public_mentions": len(model.mentions) * per_1000,
        "conversations": model.conversations * per_1000,
        "complaints_answered": model.complaints_answered * per_1000,
        "irritated": model.irritated / n,
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
        "mean_attitude_all": math.fsum([c.attitude for c in customers]) / n,
        "mention_views": model.views * per_1000,
        "mention_readers": model.readers * per_1000,
        "rating": math.nan if rating is None else rating,
        "rating_readers": model.rating_readers * per_1000,
        "stories_started": model.stories_started * per_1000,
        "stories_retold": model.stories_retold * per_1000,
        "story_reach": model.story_reach / n,
        "story_groups": model.story_groups,
        "largest_cascade": max(model.cascades, default=0),
    }
    brand_customers = [c for c in customers if c.customer]
    money = model.params.money
    out |= money_measures(
        n,
        len(brand_customers),
        model.units,
        model.category_units if model.occasion > 0 else None,
        model.lapsed,
        model.returned,
        model.units_total,
        model.spend_total,
        sum(lifetime_value(c.attitude, model) for c in brand_customers),
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
    # A group is reached once more than a tenth of it is aware (or has met a story); it stays so.
    if model.groups_reached < len(model.group_sizes):
        aware_by_group = Counter([c.group for c in customers if c.aware])
        reached = sum(aware_by_group[g] > 0.10 * size for g, size in model.group_sizes.items())
        model.groups_reached = out["groups_reached"] = max(model.groups_reached, reached)
    if model.story_groups < len(model.group_sizes):
        told_by_group = Counter([c.group for c in customers if c.last_story >= 0])
        reached = sum(told_by_group[g] > 0.10 * size for g, size in model.group_sizes.items())
        model.story_groups = out["story_groups"] = max(model.story_groups, reached)
    if model.outside_target:
        outside = model.outside_target
        out["awareness_outside_target"] = len([c for c in outside if c.aware]) / len(outside)
    return out


def attitude_measures(attitudes: np.ndarray, cutoffs) -> dict[str, float]:
    """Mean, spread, quantiles, net sentiment, top box and histogram of the aware customers'
    ``attitudes`` (sorted ascending); ``cutoffs`` is the ``measures`` parameter section."""
    count = attitudes.size
    if not count:
        return {
            "mean_attitude": math.nan,
            "net_sentiment": 0.0,
            "top_box": 0.0,
            "attitude_sd": math.nan,
            **dict.fromkeys(("attitude_p10", "attitude_p50", "attitude_p90"), math.nan),
            **dict.fromkeys(HIST_NAMES, 0.0),
        }
    mean = float(attitudes.mean())
    # How many attitudes lie below a value: binary search in the sorted attitudes.
    above = count - int(np.searchsorted(attitudes, cutoffs.sentiment_cutoff, side="right"))
    below = int(np.searchsorted(attitudes, -cutoffs.sentiment_cutoff, side="left"))
    top = count - int(np.searchsorted(attitudes, cutoffs.top_box_cutoff, side="right"))
    # Histogram bins [e_k, e_k+1) of width 0.2 over [-1, 1], the last one closed.
    starts = [0, *np.searchsorted(attitudes, HIST_EDGES[1:-1], side="left").tolist(), count]
    return {
        "mean_attitude": mean,
        "net_sentiment": (above - below) / count,
        "top_box": top / count,
        "attitude_sd": math.sqrt(max(float(attitudes @ attitudes) / count - mean**2, 0.0)),
        # The attitude at which the share q of the aware is reached (the engine's definition).
        **{
            f"attitude_p{round(q * 100)}": float(attitudes[max(math.ceil(q * count) - 1, 0)])
            for q in (0.1, 0.5, 0.9)
        },
        **{name: (starts[k + 1] - starts[k]) / count for k, name in enumerate(HIST_NAMES)},
    }


def _reporter(name: str):
    def report(model: AgentBrandModel) -> float:
        return model.measures[name]

    report.__name__ = name
    return report
