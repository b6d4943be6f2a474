"""What a study prints in the terminal when it has run: the title and where its results are,
the key table at the last week (or at ``--weeks-shown``), the media plan, what pays, the sweep
table, and the lead shares over plausible markets (``run --plausible``).

Numbers are shown as mean and interval (``_short``); a paired difference whose interval
excludes zero is starred. Text through the translator ``_`` of ``--lang``; arms by their display
names (``sim.i18n.vocabulary.arm_display``: ``push_20`` is ``reklame 20`` in bokmål), with a
line saying which identifier each one is (what ``--versus`` and the CSV files take). The tables'
numbers are as in the CSV files; those in sentences (the media plan, what pays) in the
language's style (``sim.i18n.numbers``, Babel: ``1 600``, ``2,17``, ``46 %`` in bokmål).
"""

from __future__ import annotations

from sim.i18n import numbers, translator
from sim.shipped import command_name


def arm_names(scenario, _) -> dict[str, str]:
    """Each arm's display name (``sim.i18n.vocabulary.arm_display``) by identifier, in the
    language of ``_``, from the arms' settings at the scenario's base point."""
    from sim.i18n.vocabulary import arm_displays

    return arm_displays(scenario.resolve()[1], _)


def _print_plausible(folder, _, names: dict[str, str] | None = None) -> None:
    """The lead shares at the last week: one line per comparison and measure (and sweep
    point); arms by their display ``names`` (identifier -> name)."""
    from sim.study.markets import point_columns, read_plausible

    names = names or {}

    table = read_plausible(folder)
    if table is None or table.empty:
        return
    week = int(table["week"].max())
    markets = int(table["markets"].max())
    print(
        _(
            "Over {markets} plausible markets (share in which the first arm is ahead at week "
            "{week}, 95 % interval):"
        ).format(markets=markets, week=week)
    )
    last = table[table["week"] == week]
    paths = point_columns(table)
    for key, rows in last.groupby([*paths, "arm", "versus"], sort=False):
        *values, arm, versus = key
        where = ", ".join(f"{p}={v}" for p, v in zip(paths, values, strict=True))
        cells = "; ".join(
            f"{row.measure} {row.share:.0%} [{row.low:.0%}, {row.high:.0%}]"
            for row in rows.itertuples()
            if row.markets > 0  # a measure without a value in any market (e.g. no one aware)
        )
        pair = f"{names.get(arm, arm)} - {names.get(versus, versus)}"
        print(f"  {where + ': ' if where else ''}{pair}: {cells}")


def _summaries_at(scenario, outcome, weeks: list[int]) -> list[dict]:
    """The summary (levels and paired differences against the baseline) at each of ``weeks``."""
    from sim.study.runs import read_timeseries
    from sim.study.summaries import summarise

    table = read_timeseries(outcome.out / "timeseries.csv")
    out = []
    for week in weeks:
        rows = table[table["week"] == week]
        out.append(summarise(rows, scenario.arm_names, scenario.baseline, []))
    return out


def print_outcome(
    scenario,
    outcome,
    sweep: bool,
    figures: bool = True,
    _=None,
    weeks_shown: list[int] | None = None,
) -> None:
    from sim.engine.measures import label
    from sim.i18n.scenarios import scenario_text

    _ = _ or translator()
    summary = outcome.summary
    arms = summary["arms"]
    values = {
        "arms": len(arms),
        "replicates": scenario.replicates,
        "points": len(summary["points"]),
        "weeks": scenario.weeks,
        "seconds": numbers.fixed(outcome.seconds, getattr(_, "lang", "en"), 1),
    }
    runs = (
        _(
            "{arms} arms x {replicates} replicates x {points} grid points, {weeks} weeks: "
            "{seconds} s"
        )
        if sweep
        else _("{arms} arms x {replicates} replicates, {weeks} weeks: {seconds} s")
    )
    print(scenario_text(scenario.title, scenario.description, _.lang).title)
    print("  " + runs.format(**values))
    print(_("Results: {folder}").format(folder=outcome.out))
    if figures:
        print(_("Report:  {file}").format(file=outcome.out / "report.html"))
    else:
        print(
            _("Report:  not drawn (--no-figures); {command}").format(
                command=f"{command_name()} report {outcome.out}"
            )
        )
    week = summary["final_week"]
    measures = [m for m in scenario.key_measures if m in summary["units"]]
    # The tables name the arms in words (reklame 20); say which identifier each is, for
    # --versus and the CSV files (push_20).
    names = arm_names(scenario, _)
    names.update({a: a for a in arms if a not in names})
    said = [f"{names[a]} = {a}" for a in arms if names[a] != a]
    if said:
        print(_("Arms: {names}").format(names=", ".join(said)))
    if not sweep:
        if "profit" in summary["units"] and "profit" not in measures:
            measures.append("profit")  # the manager's question, in every table (cu per 1,000)
        if _("Awareness") != "Awareness":  # not English: say what the column names mean
            columns = ", ".join(f"{m} = {label(m, _).lower()}" for m in measures)
            print(_("Columns: {names}").format(names=columns))
        tables = [(week, summary["points"][0])]
        if weeks_shown:
            at = _summaries_at(scenario, outcome, weeks_shown)
            tables = [(w, s["points"][0]) for w, s in zip(weeks_shown, at, strict=True)]
        for shown, point in tables:
            _print_table(shown, point, measures, _, names)
        _print_media_plan(week, summary["points"][0], _, names)
        number = _restyler(getattr(_, "lang", "en"))
        for item in summary.get("what_pays", [])[:1]:
            print(
                _(
                    "What pays: {leader} has the highest profit to date ({leader_mean} cu per "
                    "1,000 customers, {runner_up} {runner_up_mean})"
                ).format(
                    leader=names.get(item["leader"], item["leader"]),
                    leader_mean=number(f"{item['leader_mean']:.4g}"),
                    runner_up=names.get(item["runner_up"], item["runner_up"]),
                    runner_up_mean=number(f"{item['runner_up_mean']:.4g}"),
                )
                + (_(", within noise") if item["tie"] else "")
            )
        return
    _print_sweep(summary, measures, week, _, names)


def _restyler(lang: str):
    """A number written the English (Python) way, rewritten by Babel for ``lang``."""
    return lambda text: numbers.restyle(text, lang)


def _print_table(
    week: int, point: dict, measures: list[str], _, names: dict[str, str] | None = None
) -> None:
    """One terminal table: each arm's mean [interval] and the paired differences at ``week``
    (arms by their display ``names``, identifier -> name; as written when absent)."""
    names = names or {}
    rows = [[_("week {week}").format(week=week), *measures]]
    rows += [
        [names.get(item["arm"], item["arm"]), *(_short(item["measures"][m]) for m in measures)]
        for item in point["arms"]
    ]
    diffs = [
        [
            f"{names.get(item['arm'], item['arm'])} - {names.get(item['versus'], item['versus'])}",
            *(_short(item["measures"][m], True) for m in measures),
        ]
        for item in point["differences"]
    ]
    widths = [max(len(r[i]) for r in rows + diffs) + 2 for i in range(len(rows[0]))]
    print()
    for k, row in enumerate(rows + diffs):
        if k == len(rows) and diffs:
            print(_("paired differences:"))
        print(
            row[0].ljust(widths[0])
            + "".join(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        )
    print(_("mean [95 % interval] over replicates; * = difference excludes zero"))


MEDIA_PLAN = ("grps", "grps_to_date", "weekly_reach", "frequency", "ad_to_sales")


def _print_media_plan(week: int, point: dict, _, names: dict[str, str] | None = None) -> None:
    """The media plan as a planner reads it, one line per arm that bought ads: this week's and
    the to-date GRPs, weekly reach, average frequency and the advertising-to-sales ratio to date
    (means over replicates), numbers in the language's style (``1 600``, ``2,17``, ``46 %`` in
    bokmål: a sentence, not a table)."""
    names = names or {}
    number = _restyler(getattr(_, "lang", "en"))
    lines = []
    for item in point["arms"]:
        values = item["measures"]
        if any(m not in values for m in MEDIA_PLAN) or not values["grps_to_date"]["mean"]:
            continue
        mean = {m: values[m]["mean"] for m in MEDIA_PLAN}
        lines.append(
            "  "
            + _(
                "{arm}: {grps} GRPs this week, {grps_to_date} to date; weekly reach {reach}, "
                "average frequency {frequency}; A/S {ad_to_sales}"
            ).format(
                arm=names.get(item["arm"], item["arm"]),
                grps=number(f"{mean['grps']:,.0f}"),
                grps_to_date=number(f"{mean['grps_to_date']:,.0f}"),
                reach=number(f"{mean['weekly_reach']:.0%}"),
                frequency="-" if mean["frequency"] is None else number(f"{mean['frequency']:.2f}"),
                ad_to_sales="-"
                if mean["ad_to_sales"] is None
                else number(f"{mean['ad_to_sales']:.1%}"),
            )
        )
    if lines:
        print()
        print(
            _(
                "Media plan at week {week} (means; 100 GRPs = one impression per customer; A/S = "
                "push spend to date / revenue to date):"
            ).format(week=week)
        )
        print("\n".join(lines))


def _print_sweep(
    summary: dict, measures: list[str], week: int, _, names: dict[str, str] | None = None
) -> None:
    from sim.engine.measures import LOWER_IS_BETTER, label

    names = names or {}
    arms = summary["arms"]
    # A column per arm, as wide as its name up to 20 characters (longer names are cut).
    widths = {a: min(max(14, len(names.get(a, a)) + 2), 22) for a in arms}
    shown = {a: names.get(a, a)[: widths[a] - 2] for a in arms}
    m = measures[0]
    paths = summary["sweep_paths"]
    pick = min if m in LOWER_IS_BETTER else max
    print(
        "\n"
        + _("{measure} at week {week} (mean over replicates; best arm marked *):").format(
            measure=label(m, _), week=week
        )
    )
    head = "".join(f"{p[-22:]:>24}" for p in paths) + "".join(
        shown[a].rjust(widths[a]) for a in arms
    )
    print(head)
    for point in summary["points"][:40]:
        levels = {a["arm"]: a["measures"][m]["mean"] for a in point["arms"]}
        finite = {a: v for a, v in levels.items() if v is not None}
        best = pick(finite, key=finite.get) if finite else None
        row = "".join(f"{str(point['point'][p]):>24}" for p in paths)
        for a in arms:
            v = levels[a]
            text = "-" if v is None else f"{v:.3f}" + ("*" if a == best else " ")
            row += text.rjust(widths[a])
        print(row)
    if len(summary["points"]) > 40:
        print(
            _("... {count} more grid points in sweep.csv").format(count=len(summary["points"]) - 40)
        )


def _short(ci: dict, diff: bool = False) -> str:
    mean, low, high = ci["mean"], ci["low"], ci["high"]
    if mean is None:
        return "-"
    sign = "+" if diff else ""
    if low is None:
        return f"{mean:{sign}.3g}"
    star = "*" if diff and (low > 0 or high < 0) else ""
    return f"{mean:{sign}.3g} [{low:.3g}, {high:.3g}]{star}"
