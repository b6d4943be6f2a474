"""Memory guard (sim/engine/memory.py): estimates, refusal messages, and the hook in
build_network_for."""

import pytest

from sim.engine.memory import (
    MemoryGuardError,
    available_memory,
    check_memory,
    estimate_memory,
    expected_tie_ends,
    tune_allocator,
)
from sim.engine.model import BrandModel, build_network_for
from sim.params import ParameterError, make_params


def test_tie_ends_follow_the_generator_of_each_kind():
    p = make_params(network={"n": 1000, "mean_degree": 10})
    assert expected_tie_ends(p.network) == (1000, 10_000)
    sf = make_params(network={"n": 1000, "mean_degree": 10, "kind": "scale_free"})
    assert expected_tie_ends(sf.network) == (1000, 10_000)
    wm = make_params(network={"n": 100, "kind": "well_mixed"})
    assert expected_tie_ends(wm.network) == (100, 9900)


def test_estimate_grows_linearly_and_a_million_customers_fit_in_two_gigabytes():
    tiny = estimate_memory(make_params(network={"n": 10_000})).total
    small = estimate_memory(make_params(network={"n": 100_000})).total
    big = estimate_memory(make_params(network={"n": 1_000_000})).total
    assert 0 < tiny < small < big < 2 * 2**30
    assert big - small == pytest.approx(10 * (small - tiny))


def test_estimate_is_above_the_measured_peak_of_a_real_run():
    """Peak RSS of this test process is a loose check; the calibration is in benchmarks."""
    import resource

    build_network_for(make_params(network={"n": 200_000}), 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert estimate_memory(make_params(network={"n": 200_000})).total > 0.5 * peak


def test_refuses_with_one_line_naming_estimate_and_available():
    params = make_params(network={"n": 20_000_000, "mean_degree": 100})
    with pytest.raises(MemoryGuardError) as error:
        check_memory(params, available=4 * 2**30)
    message = str(error.value)
    assert "\n" not in message
    assert "network.n = 20000000" in message and "4.0 GB is available" in message
    assert "needs about" in message and "RECLAMARE_SKIP_MEMORY_CHECK" in message
    assert isinstance(error.value, ParameterError)


def test_fits_returns_the_estimate_and_skip_variable_switches_it_off(monkeypatch):
    params = make_params(network={"n": 20_000_000, "mean_degree": 100})
    assert check_memory(make_params(), available=2**30).total > 0
    monkeypatch.setenv("RECLAMARE_SKIP_MEMORY_CHECK", "1")
    assert check_memory(params, available=2**20).total > 2**30


def test_build_network_for_refuses_before_building(monkeypatch):
    monkeypatch.setattr("sim.engine.memory.available_memory", lambda: 300 * 2**20)
    with pytest.raises(MemoryGuardError, match="needs about"):
        build_network_for(make_params(network={"n": 5_000_000}), 1)
    with pytest.raises(ParameterError):
        BrandModel(network={"n": 5_000_000}, rng=1)


def test_available_memory_is_known_on_linux_and_tuning_is_harmless():
    available = available_memory()
    assert available is None or available > 0
    tune_allocator()
    assert tune_allocator() in (True, False)
