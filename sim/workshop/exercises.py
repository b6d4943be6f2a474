"""The workshop's exercises and plans (language-neutral; the prose is in ``text/kit.toml``).

Each exercise runs one shipped scenario of ``scenarios/workshop/`` (``run`` or ``sweep``) and
says what its key reports: the measures, the weeks of the key table, the arm the paired
differences are taken against (``versus``), and the measure of its debrief figure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """What the key answers to one prediction question, first, in one line with its number.

    ``kind``: ``"pair"`` (``arm`` against ``versus``, a paired difference; ``arm="*best*"`` is
    the best arm other than ``versus``), ``"best"`` (the best arm against the runner-up),
    ``"levels"`` (every arm's level), ``"change"`` (each arm's change from week ``since`` to
    ``week``), ``"sweep_best"`` / ``"sweep_versus"`` (a sweep: the best split at the default
    point; where ``arm`` earns more than ``versus``), ``"plausible_share"`` (the shipped
    scenario ``scenario`` run once in each of ``markets`` plausible markets, as
    ``run SCENARIO --plausible MARKETS`` does: the share of them in which ``arm`` is ahead of
    ``versus`` on ``measure`` at ``week``, with its Wilson interval, and the parameters that
    best separate the markets where it is; ``workshop build`` runs it, ``SMALL_MARKETS`` of
    them at ``--small``).
    """

    kind: str
    measure: str
    week: int
    arm: str | None = None
    versus: str | None = None
    since: int | None = None
    scenario: str | None = None
    markets: int = 0


@dataclass(frozen=True)
class Step:
    """One action of a worksheet's *In the app* paragraph, and what students then see there.

    The paragraph's text (``app`` in ``text/kit.toml``) names the same things through
    placeholders filled with the app's own words (:mod:`sim.workshop.appsteps`), and the browser
    test ``tests/test_browser_worksheets.py`` does these steps on the page: one source for both.

    ``do``:
      ``"open"``        open the scenario (the menu shows the exercise's name; one panel, ``alone``)
      ``"compare"``     switch side by side on (two panels named ``A: {a}`` and ``B: {b}``)
      ``"play"``        press Play (the run stops at the scenario's last week)
      ``"reset"``       press Reset (week 0)
      ``"goto"``        type ``value`` in *Go to week* and press Enter (that week)
      ``"budget_b"``    move campaign B's budget slider to ``value`` (B's panel says so)
      ``"share_b"``     move campaign B's push share slider to ``value`` (0..1)
      ``"strategy_b"``  choose campaign B's strategy ``value``
      ``"chart"``       choose chart ``value`` (a key of ``sim.viz.chartspec.CHARTS``) as chart 3
      ``"replicates"``  press *Run 20 times* (a verdict A, B or tie on every scoreboard row)
      ``"read"``        nothing to press: read what ``see`` names

    ``see``: what the sheet names for students to read after the action: ``"row:<measure>"``
    (a scoreboard row), ``"chart:<key>"`` (a chart on the page, its lines named at their ends).
    """

    do: str
    value: object = None
    see: tuple[str, ...] = ()


def _open(*see: str) -> Step:
    return Step("open", see=see)


@dataclass(frozen=True)
class Exercise:
    """One exercise of the kit.

    Attributes
    ----------
    id : str
        Short name; also the text section in ``text/kit.toml`` and the folder
        ``docs/workshop/<number>-<id>/``.
    number : int
        Order in the half-day plan (1..7).
    scenario : str
        Shipped scenario name (``workshop/crisis``).
    command : str
        ``"run"`` or ``"sweep"``.
    measures : tuple of str
        Measures of the key table (names of ``sim.engine.measures``).
    weeks : tuple of int
        Weeks of the key table (the last is the scenario's last week).
    versus : str
        Arm the paired differences are taken against.
    figure : str
        Measure drawn in the debrief figure.
    event_week : int or None
        A week marked in the figure (a crisis, a launch).
    answers : tuple of Answer
        One per prediction question of the worksheet, in order.
    panels : tuple of str
        The measures of the debrief figure, one panel each (the questions' measures);
        ``(figure,)`` when empty.
    app_arms : tuple of str
        The arms A and B the worksheet compares side by side in the app (its ``app`` text
        names them, A first): the app's preset opens on A and shows B beside it.
    app_steps : tuple of tuple of Step
        What the worksheet's *In the app* paragraphs tell students to do, one tuple per
        paragraph (``app`` in the texts, same number), in order.
    """

    id: str
    number: int
    scenario: str
    command: str
    measures: tuple[str, ...]
    weeks: tuple[int, ...]
    versus: str
    figure: str
    event_week: int | None = None
    answers: tuple[Answer, ...] = ()
    panels: tuple[str, ...] = ()
    app_arms: tuple[str, str] = ("push", "dialogue")
    app_steps: tuple[tuple[Step, ...], ...] = ()

    @property
    def figure_measures(self) -> tuple[str, ...]:
        return self.panels or (self.figure,)

    @property
    def folder(self) -> str:
        return f"{self.number:02d}-{self.id}"

    @property
    def cli(self) -> str:
        """The command a student types (the key table's weeks and baseline)."""
        from sim.shipped import command_name

        if self.command == "sweep":
            return f"{command_name()} sweep {self.scenario}"
        weeks = ",".join(str(w) for w in self.weeks)
        return f"{command_name()} run {self.scenario} --versus {self.versus} --weeks-shown {weeks}"

    @property
    def commands(self) -> tuple[str, ...]:
        """Every command of the worksheet: :attr:`cli`, then one per answer over plausible
        markets (``run SCENARIO --plausible N``, the runs its key answer is made of)."""
        from sim.shipped import command_name

        over_markets = tuple(
            f"{command_name()} run {a.scenario} --plausible {a.markets}"
            for a in self.answers
            if a.kind == "plausible_share"
        )
        return (self.cli, *over_markets)


EXERCISES = (
    Exercise(
        "louder",
        1,
        "workshop/louder",
        "run",
        ("awareness", "irritated", "mean_attitude", "mean_attitude_all", "forgot", "profit"),
        (4, 13, 52),
        "push_20",
        "profit",
        answers=(
            Answer("pair", "awareness", 13, "push_40", "push_20"),
            Answer("levels", "irritated", 52),
            Answer("best", "profit", 52),
        ),
        panels=("awareness", "irritated", "profit"),
        app_arms=("push_20", "push_80"),
        app_steps=(
            (_open(), Step("play", see=("row:awareness", "row:wom_negative"))),
            (
                Step("compare"),
                Step("reset"),
                Step("play"),
                Step("budget_b", 40),
            ),
        ),
    ),
    Exercise(
        "bad_product",
        2,
        "workshop/bad_product",
        "run",
        ("adoption", "customers", "wom_negative", "net_sentiment", "profit"),
        (13, 52),
        "none",
        "customers",
        answers=(
            Answer("best", "adoption", 52),
            Answer("best", "customers", 52),
            Answer("pair", "profit", 52, "*best*", "none"),
        ),
        panels=("adoption", "customers"),
        app_arms=("push", "dialogue"),
        app_steps=(
            (_open(), Step("compare"), Step("play")),
            (Step("chart", "wom", see=("chart:wom",)),),
        ),
    ),
    Exercise(
        "crisis",
        3,
        "workshop/crisis",
        "run",
        ("net_sentiment", "mean_attitude", "mean_attitude_all", "wom_negative", "profit"),
        (19, 26, 39, 52),
        "push",
        "net_sentiment",
        event_week=20,
        answers=(
            Answer("pair", "net_sentiment", 26, "dialogue", "push"),
            Answer("pair", "net_sentiment", 52, "dialogue", "push"),
            Answer("levels", "wom_negative", 52),
        ),
        panels=("net_sentiment", "wom_negative"),
        app_arms=("push", "dialogue"),
        app_steps=(
            (
                _open(),
                Step("compare"),
                Step("goto", 19),
                Step("goto", 26),
                Step("goto", 39),
                Step("goto", 52),
            ),
            (
                Step("read", see=("row:net_sentiment", "row:mean_attitude")),
                Step("replicates"),
            ),
        ),
    ),
    Exercise(
        "hubs",
        4,
        "workshop/hubs",
        "run",
        ("awareness", "adoption", "heard_via_wom", "net_sentiment", "profit"),
        (13, 52),
        "dialogue_random",
        "awareness",
        answers=(
            Answer("pair", "awareness", 13, "dialogue_hubs", "dialogue_random"),
            Answer("pair", "net_sentiment", 52, "dialogue_hubs", "dialogue_random"),
        ),
        panels=("awareness", "net_sentiment"),
        app_arms=("dialogue_random", "dialogue_hubs"),
        app_steps=(
            (_open(), Step("compare")),
            (Step("chart", "heard", see=("chart:heard",)), Step("play")),
        ),
    ),
    Exercise(
        "target_groups",
        5,
        "workshop/target_groups",
        "run",
        ("awareness", "awareness_outside_target", "groups_reached", "net_sentiment"),
        (13, 52),
        "push_everyone",
        "awareness",  # outside the target is defined for the targeted arm only: in the table
        answers=(
            Answer("levels", "awareness_outside_target", 52),
            # no measure of the students' own attitude: the aware's, the nearest
            Answer("pair", "mean_attitude", 52, "push_students", "push_everyone"),
        ),
        panels=("awareness_outside_target", "mean_attitude"),
        app_arms=("push_students", "push_everyone"),
        app_steps=(
            (_open(), Step("play")),
            (Step("compare"), Step("strategy_b", "dialogue"), Step("play")),
        ),
    ),
    Exercise(
        "frontier",
        6,
        "workshop/frontier",
        "sweep",
        ("profit", "adoption", "net_sentiment"),
        (52,),
        "none",
        "profit",
        answers=(
            Answer("sweep_best", "profit", 52, versus="push"),
            Answer("sweep_versus", "profit", 52, "dialogue", "none"),
            # the default scenario: every arm spends the media plan's budget (lean push)
            Answer(
                "plausible_share", "profit", 52, "dialogue", "push", scenario="default", markets=20
            ),
        ),
        app_arms=("push", "mix_50"),
        app_steps=(
            (
                _open(),
                Step("compare"),
                Step("share_b", 1.0),
                Step("reset"),
                Step("play"),
                Step("share_b", 0.0),
                Step("reset"),
                Step("play", see=("row:profit",)),
            ),
        ),
    ),
    Exercise(
        "competitor",
        7,
        "workshop/competitor",
        "run",
        ("market_share", "customers", "profit", "mean_attitude", "mean_attitude_all"),
        (25, 39, 52),
        "none",
        "market_share",
        event_week=26,
        answers=(
            Answer("change", "market_share", 52, since=25),
            Answer("best", "market_share", 52),
        ),
        panels=("market_share",),
        app_arms=("push", "mix"),
        app_steps=(
            (
                _open(),
                Step("compare"),
                Step("goto", 25, see=("row:customers", "row:profit")),
                Step("goto", 39, see=("row:customers", "row:profit")),
                Step("goto", 52, see=("row:customers", "row:profit")),
            ),
        ),
    ),
)
BY_ID = {e.id: e for e in EXERCISES}


@dataclass(frozen=True)
class Plan:
    """A session plan: its exercises in order and its length in minutes."""

    id: str
    minutes: int
    exercises: tuple[str, ...]


PLANS = (
    Plan("90min", 90, ("louder", "crisis", "frontier")),
    Plan("halfday", 210, tuple(e.id for e in EXERCISES)),
)

# Small builds (CI, a first look): fewer customers and replicates; 2 replicates still give an
# interval. Full builds use each scenario's own size (1,000 customers; 6-10 replicates).
SMALL_OVERRIDES = (("network.n", 200), ("replicates", 3))
SMALL_MARKETS = 4  # plausible markets of a "plausible_share" answer in a small build
