"""The customers' social network: generators, real networks, files, and the CSR ``Network``.

Public API
----------
build_network(spec, seed, *, base_dir=None) -> Network
    The network described by a ``sim.params.NetworkSpec`` (deterministic for a given seed).
from_networkx(graph, *, group_attribute="group", weight="weight", name=None, seed=0) -> Network
to_networkx(net) -> networkx.Graph
check_csr(net)
    Check every CSR invariant (also ``Network.validate()``).
NetworkError, NetworkWarning

The names are loaded on first use (PEP 562), so that importing one light module of the package
(``sim.network.errors``, ``sim.network.bounded``: what reading a scenario file needs) does not
import networkx, scipy and numba with the generators.
"""

from __future__ import annotations

__all__ = [
    "Network",
    "NetworkError",
    "NetworkWarning",
    "build_network",
    "check_csr",
    "from_networkx",
    "read_network_file",
    "real_network",
    "to_networkx",
]


def __getattr__(name: str):
    # Plain import statements (not importlib), so that tests/test_layers.py sees them.
    if name in ("NetworkError", "NetworkWarning"):
        from . import errors as module
    elif name == "Network":
        from . import graph as module
    elif name == "build_network":
        from . import build as module
    elif name == "check_csr":
        from . import csr as module
    elif name in ("from_networkx", "to_networkx"):
        from . import convert as module
    elif name == "read_network_file":
        from . import files as module
    elif name == "real_network":
        from . import real as module
    else:
        raise AttributeError(f"module 'sim.network' has no attribute {name!r}")
    return getattr(module, name)
