"""The workshop's exercises and plans (language-neutral; the prose is in ``text/*.toml``).

Each exercise runs one shipped scenario of ``scenarios/workshop/`` (``run`` or ``sweep``) and
says what its key reports: the measures, the weeks of the key table, the arm the paired
differences are taken against (``versus``), and the measure of its debrief figure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One exercise of the kit.

    Attributes
    ----------
    id : str
        Short name; also the text section in ``text/<lang>.toml`` and the folder
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
