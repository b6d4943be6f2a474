"""A scenario's claims as expectations (``[[expect]]``) and how they are judged from results.

Each expectation names an arm, a measure and a week, a relation, and how many replicates the
claim is judged on::

    [[expect]]
    arm = "mix"
    versus = "push"          # the paired difference mix - push (same replicate seeds)
    measure = "adoption"
    week = 52
    relation = "ahead"       # ahead | behind | equivalent | positive | negative | above | below
    replicates = 10
    says = "By week 52 the mix has sold to more customers than push."

- ``ahead`` / ``behind``: the 95 % paired t interval of ``arm - versus`` lies wholly above /
  below zero (ahead means a *larger* value, also for measures where lower is better, such as
  negative word of mouth);
- ``equivalent`` (with ``margin``, in the measure's units): the two do not differ by as much as
  ``margin``: two one-sided paired t tests (TOST) at the 5 % level, i.e. the 90 % paired t
  interval of ``arm - versus`` lies inside ``(-margin, +margin)``. A claim of no difference needs
  the margin; an interval that merely includes zero is not evidence of equivalence.
  ``within noise`` is the old word: still read, judged as ``equivalent``, and like it refused
  without a margin;
- ``positive`` / ``negative``: the interval of the arm's own value (or, with ``versus``, of the
  difference) lies wholly above / below zero;
- ``above`` / ``below``: the same against ``value`` instead of zero (e.g. more than half of
  the aware first heard by word of mouth: ``measure = "heard_via_wom"``, ``relation =
  "above"``, ``value = 0.5``).

The claim is judged on replicates 0 .. ``replicates`` - 1 of the scenario's seed, so a ``run``
with at least that many replicates judges it on the same runs as ``check``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.engine.measure_names import MEASURE_NAMES
from sim.i18n import N_, Message

if TYPE_CHECKING:
    import pandas as pd

# The statistics (numpy, scipy) are imported by the functions that judge, so that reading a
# scenario's claims (its schema, ``run_sim.py list``, ``schema``) does not load them.

RELATIONS = (
    "ahead",
    "behind",
    "equivalent",
    "within noise",
    "positive",
    "negative",
    "above",
    "below",
)
EQUIVALENCE = ("equivalent", "within noise")  # "within noise": the old word, same judgement
NEEDS_VERSUS = ("ahead", "behind", *EQUIVALENCE)

MeasureName = Literal[MEASURE_NAMES]  # type: ignore[valid-type]


class Expectation(BaseModel):
    """One claim of a scenario's description, checked by ``run_sim.py check``."""

    model_config = ConfigDict(extra="forbid")

    arm: str = Field(..., description="The arm the claim is about.", min_length=1)
    versus: str | None = Field(
        None,
        description="The arm it is compared with (paired difference arm - versus); required "
        "for ahead, behind and equivalent.",
    )
    measure: MeasureName = Field(  # type: ignore[valid-type]
        ..., description="Weekly measure (sim/engine/measures.py)."
    )
    week: int = Field(..., description="Week the claim is about (0 .. weeks).", ge=0, le=10_000)
    relation: Literal[RELATIONS] = Field(  # type: ignore[valid-type]
        ...,
        description="ahead / behind: the paired difference's 95 % interval is above / below 0; "
        "equivalent (needs margin): its 90 % interval lies inside (-margin, +margin), two "
        "one-sided tests at 5 %; 'within noise' is the old word for equivalent; positive / "
        "negative: the value's (or difference's) interval is above / below 0; above / below: "
        "the same against 'value'.",
    )
    margin: float | None = Field(
        None,
        description="equivalent: the largest |arm - versus| that would not matter to the story, "
        "in the measure's units (a finite number > 0; e.g. 0.05 of net sentiment). Required "
        "for equivalent, used by nothing else.",
    )
    value: float | None = Field(
        None, description="The number 'above' and 'below' compare with (required for them only)."
    )
    replicates: int = Field(
        10, description="Replicates the claim is judged on (at least 2).", ge=2, le=10_000
    )
    says: str = Field(
        "", description="The claim in words, as the description makes it.", max_length=500
    )
    at: dict[str, str | int | float | bool] | None = Field(
        None,
        description="Sweep scenarios: the grid point the claim is about, e.g. "
        '{"arm.budget" = 5.0} (every sweep path, each at one of its values); without it the '
        "claim is about the base setting.",
    )

    @field_validator("margin")
    @classmethod
    def _finite_positive(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value > 0.0):
            raise ValueError(Message(N_("must be a finite number > 0, in the measure's units")))
        return value

    @property
    def is_equivalence(self) -> bool:
        """True for ``equivalent`` (and its old word ``within noise``)."""
        return self.relation in EQUIVALENCE


def problems(
    expectations: list[Expectation], arms: list[str], weeks: int, sweep: dict | None = None
) -> list[Message]:
    """Field-level problems (``expect[i].field: ...``) that the schema alone cannot see, each a
    :class:`sim.i18n.Message` (the English line; ``text(_)`` in a language)."""
    out = []
    sweep = sweep or {}
    for i, e in enumerate(expectations):
        where = f"expect[{i}]"
        if e.at is not None:
            if set(e.at) != set(sweep):
                out.append(
                    Message(
                        N_("{where}.at: must name every sweep path ({paths}), got {got}"),
                        where=where,
                        paths=str(sorted(sweep)) if sweep else Message(N_("no sweep")),
                        got=str(sorted(e.at)),
                    )
                )
            for path, value in e.at.items():
                if path in sweep and value not in sweep[path]:
                    out.append(
                        Message(
                            N_("{where}.at.{path} = {value}: must be one of {choices}"),
                            where=where,
                            path=path,
                            value=repr(value),
                            choices=str(sweep[path]),
                        )
                    )
        if e.arm not in arms:
            out.append(
                Message(
                    N_("{where}.arm = {value}: must be one of the arms {names}"),
                    where=where,
                    value=repr(e.arm),
                    names=str(arms),
                )
            )
        if e.versus is not None and e.versus not in arms:
            out.append(
                Message(
                    N_("{where}.versus = {value}: must be one of the arms {names}"),
                    where=where,
                    value=repr(e.versus),
                    names=str(arms),
                )
            )
        if e.versus is not None and e.versus == e.arm:
            out.append(
                Message(
                    N_("{where}.versus = {value}: must differ from arm"),
                    where=where,
                    value=repr(e.versus),
                )
            )
        if e.versus is None and e.relation in NEEDS_VERSUS:
            out.append(
                Message(
                    N_("{where}.versus: required when relation = {relation}"),
                    where=where,
                    relation=repr(e.relation),
                )
            )
        if e.relation in ("above", "below") and e.value is None:
            out.append(
                Message(
                    N_("{where}.value: required when relation = {relation}"),
                    where=where,
                    relation=repr(e.relation),
                )
            )
        if e.relation not in ("above", "below") and e.value is not None:
            out.append(
                Message(
                    N_("{where}.value: only used with relation 'above' or 'below'"), where=where
                )
            )
        if e.is_equivalence and e.margin is None:
            out.append(
                Message(
                    N_(
                        "{where} ({claim}): a claim of no difference needs a margin, the largest "
                        "|{arm} - {versus}| in {measure}'s units that would not matter: write "
                        'relation = "equivalent" with margin = D (a number > 0, e.g. margin = '
                        "0.05); it holds when the 90 % paired interval lies inside (-D, +D)"
                    ),
                    where=where,
                    claim=claim_message(e),
                    arm=e.arm,
                    versus=e.versus or "?",
                    measure=e.measure,
                )
            )
        if not e.is_equivalence and e.margin is not None:
            out.append(
                Message(N_("{where}.margin: only used with relation 'equivalent'"), where=where)
            )
        if e.week > weeks:
            out.append(
                Message(
                    N_("{where}.week = {week}: must be at most the scenario's weeks ({weeks})"),
                    where=where,
                    week=str(e.week),
                    weeks=str(weeks),
                )
            )
    return out


def claim_values(e: Expectation, rows: pd.DataFrame):
    """What ``e`` is judged on, one value per replicate of ``rows`` (one week's rows): the
    paired difference ``arm - versus`` over the replicates both have, or the arm's value."""
    mine = rows[rows["arm"] == e.arm].set_index("replicate")[e.measure]
    if e.versus is None:
        return mine.to_numpy(float)
    other = rows[rows["arm"] == e.versus].set_index("replicate")[e.measure]
    common = mine.index.intersection(other.index)
    return mine.loc[common].to_numpy(float) - other.loc[common].to_numpy(float)


def judge(e: Expectation, table: pd.DataFrame, confidence: float | None = None) -> dict:
    """Judge one expectation on a results table (columns ``arm, replicate, week`` + measures).

    Uses replicates 0 .. ``e.replicates - 1``. Returns ``held`` (bool), ``mean``, ``low``,
    ``high`` (the measure's units), ``level`` (confidence of that interval: ``confidence``,
    default ``sim.study.stats.CONFIDENCE``, 95 %; or 0.90 for equivalence claims), ``n``
    (replicates used) and ``why`` (one line, when it did not hold or could not be judged).
    Equivalence claims add ``margin``, ``p`` (the TOST p-value), ``sd`` (of the paired
    differences) and ``needed``: the replicates that would give such a claim 80 % power if the
    true difference were the measured mean (None when no number would, e.g.
    ``|mean| >= margin``).
    """
    from sim.study.stats import CONFIDENCE, mean_ci

    confidence = CONFIDENCE if confidence is None else confidence
    rows = table[(table["week"] == e.week) & (table["replicate"] < e.replicates)]
    values = claim_values(e, rows)
    if e.is_equivalence:
        return _judge_equivalence(e, values)
    ci = mean_ci(values, confidence)
    out = {
        "mean": ci.mean,
        "low": ci.low,
        "high": ci.high,
        "level": confidence,
        "n": ci.n,
        "why": "",
    }
    if ci.n < e.replicates:
        out.update(held=False, why=f"only {ci.n} of {e.replicates} replicates have a value")
        return out
    if not (math.isfinite(ci.low) and math.isfinite(ci.high)):
        out.update(held=False, why="no interval (the measure is empty here)")
        return out
    ref = e.value if e.relation in ("above", "below") else 0.0
    above, below = ci.low > ref, ci.high < ref
    held = {
        "ahead": above,
        "positive": above,
        "above": above,
        "behind": below,
        "negative": below,
        "below": below,
    }[e.relation]
    out["held"] = bool(held)
    if not held:
        out["why"] = (
            f"the interval includes {ref:g}"
            if not (above or below)
            else ("the interval is wholly " + ("above" if above else "below") + f" {ref:g}")
        )
    return out


def _judge_equivalence(e: Expectation, differences) -> dict:
    """TOST of the paired differences against ``e.margin`` (see :func:`judge`)."""
    from sim.study.stats import EQUIVALENCE_ALPHA, replicates_for_equivalence, tost

    if e.margin is None:
        raise ValueError(f"{describe(e)}: an equivalence claim needs a margin (> 0)")
    test = tost(differences, e.margin, EQUIVALENCE_ALPHA)
    needed = None
    if math.isfinite(test.sd) and math.isfinite(test.mean):
        needed = replicates_for_equivalence(test.sd, e.margin, 0.8, test.mean, EQUIVALENCE_ALPHA)
    out = {
        "mean": test.mean,
        "low": test.low,
        "high": test.high,
        "level": test.level,
        "n": test.n,
        "margin": e.margin,
        "p": test.p,
        "sd": test.sd,
        "needed": needed,
        "held": test.held,
        "why": "",
    }
    if test.n < e.replicates:
        out.update(held=False, why=f"only {test.n} of {e.replicates} replicates have a value")
    elif not (math.isfinite(test.low) and math.isfinite(test.high)):
        out.update(held=False, why="no interval (the measure is empty here)")
    elif not test.held:
        side = "+" if test.high >= e.margin else "-"
        out["why"] = (
            f"the {round(100 * test.level)} % interval reaches {side}{e.margin:g} "
            f"(TOST p = {test.p:.2g}); "
        )
        if needed:
            out["why"] += (
                f"about {needed} replicates would give 80 % power if the difference is "
                f"{test.mean:+.3g}"
            )
        elif abs(test.mean) >= e.margin:
            out["why"] += f"the measured difference {test.mean:+.3g} is not within the margin"
        else:
            out["why"] += "more than 10,000 replicates would be needed at this spread"
    return out


def describe(e: Expectation) -> str:
    """The claim in words for tables: ``mix - push, adoption, week 52: ahead`` (equivalence:
    ``... week 52: equivalent within ±0.05``)."""
    return str(claim_message(e))


def claim_message(e: Expectation) -> Message:
    """:func:`describe` as a :class:`sim.i18n.Message` (its words in a language; the arms,
    measure and relation as the file writes them)."""
    what = f"{e.arm} - {e.versus}" if e.versus else e.arm
    if e.is_equivalence and e.margin:
        relation = Message(N_("equivalent within ±{margin}"), margin=f"{e.margin:g}")
    elif e.is_equivalence or e.value is None:
        relation = e.relation
    else:
        relation = f"{e.relation} {e.value:g}"
    at = ", ".join(f"{k}={v}" for k, v in e.at.items()) if e.at else ""
    return Message(
        N_("{what}, {measure}, week {week}{at}: {relation}"),
        what=what,
        measure=e.measure,
        week=str(e.week),
        at=Message(N_(" at {point}"), point=at) if at else "",
        relation=relation,
    )


def judge_all(expectations: list[Expectation], table: pd.DataFrame) -> list[dict]:
    """Judge each expectation that ``table`` has enough replicates and weeks for.

    Returns one dict per expectation: ``claim`` (``describe``), ``says``, ``relation``,
    ``replicates`` and either the result of :func:`judge` or ``held: None`` with ``why`` when
    the table cannot judge it (fewer replicates or weeks than the claim needs).
    """
    out = []
    have_reps = int(table["replicate"].max()) + 1 if len(table) else 0
    last_week = int(table["week"].max()) if len(table) else -1
    arms = set(table["arm"].unique()) if len(table) else set()
    for e in expectations:
        item = {
            "claim": describe(e),
            "says": e.says,
            "relation": e.relation,
            "replicates": e.replicates,
            "margin": e.margin,
        }
        if e.at is not None:
            item.update(held=None, why="a claim about a sweep point (python run_sim.py check)")
        elif have_reps < e.replicates:
            item.update(
                held=None, why=f"needs {e.replicates} replicates, this study has {have_reps}"
            )
        elif e.week > last_week:
            item.update(held=None, why=f"needs week {e.week}, this study ends at {last_week}")
        elif e.arm not in arms or (e.versus is not None and e.versus not in arms):
            item.update(held=None, why="an arm of the claim is not in this study")
        else:
            item.update(judge(e, table))
        out.append(item)
    return out
