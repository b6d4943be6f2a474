"""The exploration of the plausible region (sim/evidence/abc_explore.py): ABC-MCMC on emcee.

A toy market (the one of tests/test_abc.py: ``s`` is ``a.x`` plus noise, band 0.3-0.4; ``k`` is
the integer ``a.k``, band 1.5-2.5) and the command on a stand-in simulator.
"""

from __future__ import annotations

import sys
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("emcee")
pytest.importorskip("pyabc")

from sim.evidence import abc_explore  # noqa: E402
from sim.evidence.errors import EvidenceError  # noqa: E402
from sim.evidence.plausible import load_plausible  # noqa: E402
from sim.evidence.ranges import Range  # noqa: E402
from sim.evidence.targets import Target, total_distance  # noqa: E402

RANGES = (Range("a.x", 0.0, 1.0, "test"), Range("a.k", 1, 3, "test", integer=True))
TARGETS = (
    Target("s", "s", 0.3, 0.4, "", "", "", ""),
    Target("k", "k", 1.5, 2.5, "", "", "", ""),
)
START = {"a.x": 0.35, "a.k": 2}


def toy(point: dict, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    return {"s": point["a.x"] + rng.normal(0, 0.01), "k": float(point["a.k"])}


def run(**options):
    options = {
        "master_seed": 7,
        "targets": TARGETS,
        "walkers": 8,
        "steps": 60,
        "jitter": 0.05,
        **options,
    }
    return abc_explore.explore(toy, RANGES, [START], **options)


def test_every_member_meets_every_target_at_its_own_seed():
    result = run()
    assert result.members, "the walkers visited no market"
    assert result.steps == 60 and result.burn == 30
    assert 0 < result.acceptance < 1
    for m in result.members:
        seed = abc_explore.evaluation_seed(7, m.point, abc_explore.ABC_REPLICATE)
        assert total_distance(toy(m.point, seed), TARGETS) == 0.0, m.point
        assert m.step > result.burn
    keys = [tuple(sorted(m.point.items())) for m in result.members]
    assert len(set(keys)) == len(keys)


def test_a_walk_at_three_seeds_keeps_only_markets_that_meet_every_target_at_each():
    """replicates (0, 1, 2): a market counts only where every target holds at each of the three
    seeds (tried in turn), and its values there come with it; markets whose a.x is within noise
    of the band's edge pass at one seed and fail at another, so the walk at one seed keeps some
    the walk at three does not."""
    three = run(replicates=(0, 1, 2))
    assert three.members and three.replicates == (0, 1, 2)
    for m in three.members:
        assert len(m.recheck) == 2
        for r, values in zip((0, 1, 2), [m.values, *m.recheck], strict=True):
            seed = abc_explore.evaluation_seed(7, m.point, r)
            assert {k: values[k] for k in ("s", "k")} == toy(m.point, seed)
            assert total_distance(values, TARGETS) == 0.0
    one = run()
    failing = [
        m
        for m in one.members
        if any(
            total_distance(toy(m.point, abc_explore.evaluation_seed(7, m.point, r)), TARGETS) > 0
            for r in (1, 2)
        )
    ]
    assert failing, "the one-seed walk kept no market that fails at another seed"


def test_the_walkers_spread_over_the_region_from_one_start():
    """From one market at 0.35 the walkers reach the whole band (0.3-0.4; with noise sd 0.01 a
    market just outside passes at its own seed now and then): the range of a.x the members
    cover after the burn-in is most of the band's width (measured 0.116-0.123 at master seeds
    7, 8, 9; started in a ball of jitter 0.05 probit, about 0.02 of a.x)."""
    xs = [m.point["a.x"] for m in run().members]
    assert max(xs) - min(xs) > 0.08
    assert all(m.point["a.k"] == 2 for m in run().members)


def test_the_same_seed_gives_the_same_set_on_any_pool():
    serial = run()
    with ThreadPoolExecutor(3) as pool:
        parallel = run(pool_map=lambda f, xs: list(pool.map(f, xs)))
    assert [m.point for m in serial.members] == [m.point for m in parallel.members]
    assert [m.point for m in run(master_seed=8).members] != [m.point for m in serial.members]


def test_at_most_max_members_evenly_spaced():
    result = run(max_members=5)
    assert len(result.members) == 5 and result.distinct > 5
    steps = [m.step for m in result.members]
    assert steps == sorted(steps)


def test_bad_starts_and_settings_are_one_line():
    with pytest.raises(EvidenceError, match="at least one market"):
        abc_explore.explore(toy, RANGES, [], master_seed=1, targets=TARGETS)
    with pytest.raises(EvidenceError, match="--walkers 3: at least 4"):
        run(walkers=3)
    outside = {"a.x": 0.9, "a.k": 2}  # misses the band: no jittered copy can start
    with pytest.raises(EvidenceError, match=r"only 0 of 8 jittered copies"):
        abc_explore.explore(toy, RANGES, [outside], master_seed=1, targets=TARGETS, walkers=8)


def test_the_command_adds_the_explored_markets(tmp_path, monkeypatch, capsys):
    """calibrate-defaults --explore: the ABC's members plus the markets the walkers visited,
    each re-run, with the exploration in the provenance."""
    from sim.cli import main
    from tests.test_abc import fake_measure_targets

    stand_in = types.ModuleType("sim.evidence.target_runs")
    stand_in.measure_targets = fake_measure_targets
    monkeypatch.setitem(sys.modules, "sim.evidence.target_runs", stand_in)
    out = tmp_path / "plausible.json"
    args = ["calibrate-defaults", "--population", "70", "--generations", "3", "--n", "300"]
    args += ["--seed", "5", "--explore", "0.03", "--max-members", "40", "--out", str(out)]
    assert main(args) == 0
    loaded = load_plausible(out)
    p = loaded.provenance
    explored = p["exploration"]
    assert explored["walkers"] == 46 and explored["steps"] >= 2
    assert 0 < explored["kept"] <= 40
    assert "exploration visited" in p["set"]
    assert all(m["product.fit"] < 0.4 for m in loaded.members)
    import json

    rows = json.loads(out.read_text())["members"]
    assert sum("step" in r for r in rows) == explored["kept"]
    assert explored["replicates"] == [0, 1, 2]
    assert all(len(r["recheck"]) == 2 for r in rows if "step" in r)
    assert sum("generation" in r for r in rows) == len(rows) - explored["kept"]
    capsys.readouterr()


def test_the_abc_stops_once_enough_markets_are_found():
    """--until-found K: the ABC stops at the first generation whose accepted markets at distance
    0, over all generations so far, reach K (the toy finds some from generation 1 or 2)."""
    from tests.test_abc import toy_run

    full = toy_run(generations=6)
    stopped = toy_run(generations=6, until_found=1)
    assert "markets at distance 0 found (until 1)" in stopped.stopped
    assert len(stopped.generations) < len(full.generations)
    found = sum(round(g.zero_share * g.accepted) for g in stopped.generations)
    assert found >= 1
    before = stopped.generations[:-1]
    assert sum(round(g.zero_share * g.accepted) for g in before) < 1


def test_from_a_set_keeps_the_members_meeting_todays_targets_and_explores(
    tmp_path, monkeypatch, capsys
):
    """calibrate-defaults --from-set: no ABC; the set's members re-measured at every seed (the
    stand-in meets every target only where product.fit < 0.4), those kept, then the walk from
    them; the old provenance travels under started_from."""
    import json

    from sim.cli import main
    from sim.evidence.plausible import DATA
    from tests.test_abc import fake_measure_targets

    stand_in = types.ModuleType("sim.evidence.target_runs")
    stand_in.measure_targets = fake_measure_targets
    monkeypatch.setitem(sys.modules, "sim.evidence.target_runs", stand_in)
    shipped = json.loads(DATA.read_text())
    rows = shipped["members"][:6]
    fits = [0.35, 0.39, 0.45, 0.5, 0.3, 0.6]  # three inside the stand-in's region
    for row, fit in zip(rows, fits, strict=True):
        row["point"]["product.fit"] = fit
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**shipped, "members": rows}))
    out = tmp_path / "new.json"
    args = ["calibrate-defaults", "--from-set", str(old), "--n", "300", "--seed", "5"]
    assert main([*args, "--explore", "0.03", "--max-members", "20", "--out", str(out)]) == 0
    assert "from a set" in capsys.readouterr().out
    record = json.loads(out.read_text())
    p = record["provenance"]
    assert p["started_from"] == shipped["provenance"]
    kept = [r for r in record["members"] if "step" not in r]
    assert sorted(r["point"]["product.fit"] for r in kept) == [0.3, 0.35, 0.39]
    assert all(len(r["recheck"]) == 2 for r in record["members"])
    assert p["exploration"]["kept"] == len(record["members"]) - 3 > 0
    assert all(m["product.fit"] < 0.4 for m in load_plausible(out).members)
    # Nothing kept: one line, nothing written.
    for row in rows:
        row["point"]["product.fit"] = 0.5
    old.write_text(json.dumps({**shipped, "members": rows}))
    gone = tmp_path / "none.json"
    assert main([*args, "--out", str(gone)]) != 0
    (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line.startswith("error: no member of ") and "old.json meets today's targets" in line
    assert not gone.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not a readable plausible set"),
        ("{", "not a readable plausible set"),
        ('{"provenance": {"ranges": [{"path": "a.x"}]}, "members": []}', "not the ones calibrated"),
    ],
)
def test_a_bad_set_to_start_from_is_one_line(tmp_path, capsys, content, message):
    from sim.cli import main

    old = tmp_path / "old.json"
    if content is not None:
        old.write_text(content)
    out = tmp_path / "o.json"
    assert main(["calibrate-defaults", "--from-set", str(old), "--out", str(out)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --from-set ") and message in err[0]
    assert not out.exists()
