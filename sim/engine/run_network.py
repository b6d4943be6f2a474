"""The network a run is built on: ``build_network_for``, from the run seed's network stream.

Checks the run's memory before building, and keeps the last generated network so that asking
twice for the same one (the command line's check of a scenario, then the run) builds it once.
"""

from __future__ import annotations

from sim.engine.memory import tune_allocator
from sim.engine.streams import stream_sequence
from sim.network.graph import Network
from sim.params import ModelParams

# The last generated network built, by (network parameters, seed): the command line's check of a
# scenario builds replicate 0's network, and the run itself needs the same one next.
_last_network: tuple[tuple[str, int], Network] | None = None


def build_network_for(params: ModelParams, seed: int, base_dir=None) -> Network:
    """Build the network described by ``params.network`` from the run seed's network stream.

    Refuses first (``sim.engine.memory.MemoryGuardError``, a ``ParameterError``) when the run's
    estimated memory exceeds the memory available. Asked twice in a row for the same generated
    network and seed, returns the same (never modified) network again.
    """
    global _last_network
    from sim.engine.memory import check_memory
    from sim.network import build_network

    key = (params.network.model_dump_json(), int(seed))
    if _last_network is not None and _last_network[0] == key:
        return _last_network[1]
    check_memory(params, base_dir)
    tune_allocator()
    network = build_network(params.network, stream_sequence(seed, "network"), base_dir=base_dir)
    # Files may change between two calls; generated and shipped networks cannot.
    _last_network = (key, network) if params.network.kind != "file" else None
    return network
