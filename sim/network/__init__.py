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
"""

from .build import build_network
from .convert import from_networkx, to_networkx
from .csr import check_csr
from .errors import NetworkError, NetworkWarning
from .files import read_network_file
from .graph import Network
from .real import real_network

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
