"""The compiled pieces: random numbers, the influence and sampling kernels against plain
statements of their rules, common random numbers across arms, and the start-up/exit helpers."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.engine.influence import pull_many, pull_messages
from sim.engine.model import BrandModel, build_network_for
from sim.engine.rules.adoption import _adopt_sure, adoption_probability
from sim.engine.rules.contacts import NeighbourSampler, sample_neighbours
from sim.engine.rules.push import whole_power
from sim.engine.uniforms import full_uniform, half_uniform, sequence
from sim.params import make_params
from tests.tiny import network_from_edges

ROOT = Path(__file__).resolve().parents[1]
MASK = (1 << 64) - 1


def python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python process in the project folder (text output)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def splitmix64(seed: int, count: int) -> list[int]:
    """SplitMix64 as published (Steele, Lea & Flood 2014; Vigna's splitmix64.c), in Python."""
    out, state = [], seed
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out.append(z ^ (z >> 31))
    return out


# ------------------------------------------------------------------------------ random numbers
def test_words_are_the_splitmix64_sequence_of_the_key():
    # Published first output for seed 1234567, then agreement with the reference for others.
    assert int(sequence(np.uint64(1234567), 1)[0]) == 6457827717110365317
    for key in (0, 1234567, 2**63 + 12345, MASK):
        assert [int(w) for w in sequence(np.uint64(key), 50)] == splitmix64(key, 50)


def test_half_and_full_uniforms_cover_zero_to_one_exclusive():
    top, bottom = np.uint64(MASK), np.uint64(0)
    assert half_uniform(bottom, False) == 0.0 and half_uniform(bottom, True) == 0.0
    assert half_uniform(top, False) == half_uniform(top, True) == 1.0 - 2.0**-32
    assert full_uniform(top) == 1.0 - 2.0**-53 and full_uniform(bottom) == 0.0
    word = np.uint64(0x8000000040000000)
    assert half_uniform(word, False) == 0.5 and half_uniform(word, True) == 0.25


def test_half_uniforms_are_uniform_and_the_halves_uncorrelated():
    words = sequence(np.uint64(20261129), 200_000)
    high = (words >> np.uint64(32)).astype(np.float64) * 2.0**-32
    low = (words & np.uint64(0xFFFFFFFF)).astype(np.float64) * 2.0**-32
    for u in (high, low):
        counts = np.bincount((u * 100).astype(int), minlength=100)
        chi2 = float(((counts - 2000.0) ** 2 / 2000.0).sum())
        # chi-square with 99 degrees of freedom: mean 99, sd 14; 170 is five sd above the mean
        # (a fixed key, so the value is fixed: 95.6 here).
        assert chi2 < 170, chi2
    # Correlation of 200,000 independent pairs has sd 1/sqrt(200000) = 0.0022; 0.011 is 5 sd.
    assert abs(np.corrcoef(high, low)[0, 1]) < 0.011
    assert abs(np.corrcoef(high[1:], high[:-1])[0, 1]) < 0.011


def test_whole_power_is_the_power_by_squaring():
    for base in (0.3, 0.77, 0.999, 1.0, 0.0):
        assert whole_power(base, 0) == 1.0 and whole_power(base, 1) == base
        assert whole_power(base, 2) == base * base
        assert whole_power(base, 5) == base * ((base * base) * (base * base))  # bits 1 and 4
        for k in range(60):  # within rounding of the exact power (k roundings at most)
            assert whole_power(base, k) == pytest.approx(base**k, rel=1e-14, abs=1e-300)


def test_the_adoption_table_decides_exactly_like_the_logistic():
    """_adopt_sure settles most customers from a table (and lists them) and hands back the rest;
    together that must be ``u < adoption_probability(a)`` for every aware non-adopter, and
    nobody else."""
    from sim.engine.uniforms import sequence
    from sim.params import AdoptionSpec

    rng = np.random.default_rng(11)
    n = 20_000
    for base_rate, slope in ((0.02, 3.0), (0.3, 0.5), (0.0, 2.0), (1.0, 2.0), (0.05, 0.0)):
        spec = AdoptionSpec(base_rate=base_rate, attitude_slope=slope)
        aware, adopted = rng.random(n) < 0.8, rng.random(n) < 0.3
        attitude = rng.uniform(-1, 1, n)
        attitude[:4] = (-1.0, 1.0, 0.0, -1.0 + 2.0 / 128)  # the ends and table points
        key = np.uint64(rng.integers(2**63))
        u = (sequence(key, n) >> np.uint64(32)).astype(np.float64) * 2.0**-32
        expected = aware & ~adopted & (u < adoption_probability(spec, attitude))
        table = adoption_probability(spec, np.linspace(-1.0, 1.0, 129))
        after = adopted.copy()
        customer = adopted.copy()
        undecided, u_undecided, sure = _adopt_sure(aware, after, customer, attitude, key, table)
        np.testing.assert_array_equal(customer, after)  # the table's adopters are customers
        np.testing.assert_array_equal(sure, np.flatnonzero(after & ~adopted))  # and listed
        np.testing.assert_array_equal(u_undecided, u[undecided])
        assert undecided.size < 0.01 * n
        after[undecided[u_undecided < adoption_probability(spec, attitude[undecided])]] = True
        np.testing.assert_array_equal(after & ~adopted, expected)


# ------------------------------------------------------------------------- influence, sampling
def pull_reference(attitude, listener, message, strength, epsilon):
    """The rule, one listener at a time, in plain Python (docs/model.md, "Influence")."""
    new = attitude.copy()
    heard = 0
    for who in set(listener.tolist()):
        a = attitude[who]
        total_s = total_pull = 0.0
        for k in np.flatnonzero(listener == who):
            if abs(message[k] - a) < epsilon:
                heard += 1
                total_s += strength[k]
                total_pull += strength[k] * message[k]
        if total_s > 0:
            new[who] = a + (total_pull - total_s * a) / max(total_s, 1.0)
    return new, heard


@pytest.mark.parametrize("messages", [3, 40, 400])
def test_pull_messages_is_the_rule_and_leaves_its_work_array_clean(messages):
    rng = np.random.default_rng(messages)
    n = 50
    for _ in range(20):
        attitude = rng.uniform(-1, 1, n)
        listener = rng.integers(0, n, messages).astype(np.int32)
        message = rng.uniform(-1, 1, messages)
        strength = rng.choice([0.0, 0.2, 0.5, 0.9], messages)
        epsilon = float(rng.choice([0.3, 1.0, 2.1]))
        expected, heard = pull_reference(attitude, listener, message, strength, epsilon)
        scratch = np.zeros((2, n))
        got = attitude.copy()
        assert pull_messages(got, listener, message, strength, epsilon, scratch) == heard
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-14)
        assert not scratch.any()
        again = attitude.copy()
        assert pull_many(again, listener, message, strength, epsilon) == heard
        np.testing.assert_array_equal(again, got)


def test_weighted_sampling_picks_the_tie_whose_weight_share_holds_the_number():
    net = network_from_edges(4, [(0, 1), (0, 2), (0, 3)], weights=[1.0, 2.0, 5.0])
    sampler = NeighbourSampler(net)
    u = np.linspace(0, 1, 801)[:-1]
    chosen = sampler.sample(np.zeros(u.size, dtype=np.int64), u)
    expected = np.where(u < 1 / 8, 1, np.where(u < 3 / 8, 2, 3))
    np.testing.assert_array_equal(chosen, expected)
    # The compiled loop against numpy's searchsorted on a bigger random weighted network.
    rng = np.random.default_rng(5)
    src, dst = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    keep = src != dst
    edges = sorted({(min(a, b), max(a, b)) for a, b in zip(src[keep], dst[keep], strict=True)})
    net = network_from_edges(300, edges, weights=rng.uniform(0.1, 3, len(edges)).tolist())
    sampler = NeighbourSampler(net)
    speakers = np.flatnonzero(sampler.degree > 0)
    speakers = rng.choice(speakers, 5000)
    u = rng.random(5000)
    target = sampler.row_start[speakers] + u * sampler.row_total[speakers]
    position = np.searchsorted(sampler.cumulative, target, side="right")
    position = np.clip(position, net.indptr[speakers], net.indptr[speakers + 1] - 1)
    got = sample_neighbours(speakers, u, *sampler.arrays())
    np.testing.assert_array_equal(got, net.indices[position])


# ----------------------------------------------------------------------- common random numbers
def test_streams_that_do_not_depend_on_the_arm_are_used_alike_in_every_arm():
    """Word of mouth, adoption and crisis take one key a week whatever the arm does, so two
    very different arms of a replicate stay on the same numbers week after week."""
    push_only = BrandModel(rng=5, arm=dict(budget=80, push_share=1.0), crisis=dict(week=4))
    talk_only = BrandModel(rng=5, arm=dict(budget=80, push_share=0.0), crisis=dict(week=4))
    push_only.run_for(12)
    talk_only.run_for(12)
    for name in ("wom", "adoption", "crisis"):
        a = push_only._streams[name].bit_generator.state["state"]["state"]
        b = talk_only._streams[name].bit_generator.state["state"]["state"]
        np.testing.assert_array_equal(a, b, err_msg=name)
    a = push_only._streams["push"].bit_generator.state["state"]["state"]
    b = talk_only._streams["push"].bit_generator.state["state"]["state"]
    assert not np.array_equal(a, b)  # the push stream is the arm's own
    assert not push_only.weekly_frame().equals(talk_only.weekly_frame())


# ------------------------------------------------------------------ interrupts, start-up, exit
def test_an_interrupt_inside_a_compiled_kernel_is_raised_as_the_interrupt(monkeypatch):
    import sim.engine.model

    def interrupted(*args, **kwargs):
        try:
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as inner:
                raise SystemError("_numba_unpickle returned a result with an exception set") from (
                    inner
                )
        except SystemError as middle:
            raise SystemError("_talk returned a result with an exception set") from middle

    model = BrandModel(network={"n": 50}, rng=1)
    monkeypatch.setattr(sim.engine.model, "run_wom", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.step()

    def broken(*args, **kwargs):
        raise SystemError("a real bug")

    monkeypatch.setattr(sim.engine.model, "run_wom", broken)
    with pytest.raises(SystemError, match="a real bug"):
        BrandModel(network={"n": 50}, rng=1).step()  # a fresh model: Mesa's step is spent


def test_the_last_generated_network_is_reused_and_files_are_not(tmp_path):
    params = make_params(network={"n": 300})
    first = build_network_for(params, 3)
    assert build_network_for(params, 3) is first
    assert build_network_for(params, 4) is not first
    edges = tmp_path / "ties.csv"
    edges.write_text("a,b\nb,c\nc,a\n")
    file_params = make_params(network={"kind": "file", "path": str(edges)})
    assert build_network_for(file_params, 3) is not build_network_for(file_params, 3)


def test_mesa_is_imported_with_its_loggers_named_and_inspect_restored():
    import inspect

    import mesa

    import sim.engine.mesa_import

    assert inspect.stack is not sim.engine.mesa_import._frames_only
    assert "mesa.model" in mesa.mesa_logging._module_loggers


def test_quick_exit_runs_exit_handlers_flushes_output_and_keeps_the_status():
    code = (
        "import atexit, sys\n"
        "from sim.cli import exit_without_teardown\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('result', end=' ')\n"
        "sys.stderr.write('note')\n"
        "exit_without_teardown(3)\n"
        "print('not reached')\n"
    )
    done = python(code)
    assert done.returncode == 3
    assert done.stdout == "result handler ran\n"
    assert done.stderr == "note"


def test_warm_up_compiles_every_kernel_a_run_calls():
    """``make`` compiles the kernels once after installing (``python -m sim.engine.warmup``); a
    kernel the warm-up run misses would be compiled in the middle of a user's first run instead."""
    from numba.core.registry import CPUDispatcher

    import sim.engine.census
    import sim.engine.influence
    from sim.engine.rules import adoption, contacts, dialogue, market, media, memory, push, wom
    from sim.engine.warmup import warm_up

    assert warm_up() > 0
    kernels = {
        name: kernel
        for module in (
            push,
            dialogue,
            wom,
            adoption,
            contacts,
            media,
            memory,
            market,
            sim.engine.influence,
            sim.engine.census,
        )
        for name, kernel in vars(module).items()
        if isinstance(kernel, CPUDispatcher)
        and kernel.py_func.__module__ == module.__name__
        and kernel.targetoptions.get("inline") != "always"
    }
    # Called only from other kernels (compiled into them), never from a rule's Python code.
    inner = {"pull_messages", "sample_neighbours"}
    # customer_equity's own histogram, for callers without the week's census (the per-agent
    # version, tests): a run takes the histogram from the census (sim.engine.census).
    inner |= {"_attitude_counts", "_census_block"}
    # A block or a range of customers of a kernel, compiled on its own so that its loops are
    # vectorised (called once per block from the kernel's parallel loop).
    inner |= {"_deliver_block", "_talk_block", "_screen_block", "_occasions_block"}
    inner |= {"_attitude_sums", "_pull_range"}
    assert set(kernels) >= {
        "_deliver",
        "_talk",
        "_answer_order",
        "_converse",
        "_adopt_sure",
        "_use",
        "_census",
        "alias_table",
        "_remember",
        "_shop",
        "_attitude_counts",
    }
    assert [
        name for name, kernel in kernels.items() if name not in inner and not kernel.signatures
    ] == []


# Configurations for the plain-Python check: every rule and code path (weighted ties, attitudes
# off, targeting, hubs and random outreach, complaints, a crisis, several listeners, repeat
# purchases with a category potential and a competitor launch).
PLAIN_PYTHON_RUNS = """
import numpy as np
from sim.engine.warmup import warm_up_model
from sim.engine.model import BrandModel
from tests.tiny import network_from_edges

rng = np.random.default_rng(8)
edges = sorted({(int(a), int(b)) for a, b in rng.integers(0, 150, (600, 2)) if a < b})
weighted = network_from_edges(150, edges, weights=rng.uniform(0.2, 3.0, len(edges)).tolist())
models = [
    warm_up_model(6),
    BrandModel(network={"n": 400}, rng=2, wom={"listeners": 3, "negative_incidence": 2.0}),
    BrandModel(network={"n": 400, "kind": "scale_free"}, rng=3, attitudes=False),
    BrandModel(network=weighted, rng=4, arm={"budget": 60, "outreach": "random"}),
    BrandModel(network={"n": 300}, rng=5, arm={"budget": 300, "push_share": 1.0},
               push={"irritation_threshold": 5.0}, product={"fit": -0.3}),
    BrandModel(network={"n": 300}, rng=6, population={"media_shape": None,
               "unreachable_share": 0.3, "recall_half_life": 2.0, "anchoring": 0.5},
               learning={"enabled": True, "insights_half": 20.0, "lag_weeks": 1}),
    BrandModel(network={"n": 300}, rng=7, population={"media_shape": None,
               "unreachable_share": 0.0, "taste_spread": 0.0, "tolerance_spread": 0.0}),
    BrandModel(network={"n": 400}, rng=8, arm={"budget": 40, "push_share": 0.7},
               population={"initial_awareness": 0.1}, product={"fit": -0.2},
               market={"potential": 0.6, "purchase_rate": 0.4, "competitor": 0.5,
                       "launch_week": 5, "launch_attractiveness": 0.8}),
    BrandModel(network={"n": 300}, rng=9, attitudes=False,
               market={"purchase_rate": 1.5, "potential": 0.9, "choice_slope": 0.0}),
]
for model in models:
    model.run_for(10)
    print(repr(model.weekly_frame().to_numpy().tolist()))
    print(repr(model.state.attitude.tolist()))
"""


def test_kernels_run_as_plain_python_give_the_same_results():
    """NUMBA_DISABLE_JIT=1 runs every kernel as Python (for a debugger): same numbers, bit for
    bit. This is also the guard against miscompiled kernels (one was found: docs/NOTES.md)."""

    def run(disable_jit: bool) -> str:
        env = {**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"}
        env["NUMBA_DISABLE_JIT"] = "1" if disable_jit else "0"
        done = python(PLAIN_PYTHON_RUNS, env)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    compiled = run(False)
    assert compiled.count("\n") == 18
    assert run(True) == compiled


def test_the_command_line_turns_garbage_collection_back_on():
    """run_sim.py imports with collection off; sim.cli.run must switch it on (and freeze the
    imported objects), or a long sweep would keep every finished model's cycles."""
    code = (
        "import atexit, gc, sys\n"
        "gc.disable()\n"
        "import sim.cli\n"
        "atexit.register(lambda: print('collecting', gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "sys.argv = ['run_sim.py', 'list']\n"
        "sim.cli.run()\n"
    )
    done = python(code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "collecting True True"
